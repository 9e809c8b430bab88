"""Settings: embedded secrets generated once (0600); production refuses to start
without its secrets or with debug on (SECURITY.md 21)."""

import json
import stat

import pytest

from webapp.config import (
    REQUIRED_SECRETS,
    REQUIRED_SETTINGS,
    ConfigError,
    build_config,
    generate_field_key,
    generate_vapid_keys,
)


def test_embedded_mode_generates_secrets_once_with_mode_0600(tmp_path):
    first = build_config(str(tmp_path), {})
    path = tmp_path / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text())
    assert set(stored) == {
        "STEADY_SECRET_KEY",
        "STEADY_FIELD_KEYS",
        "STEADY_VAPID_PRIVATE_KEY",
        "STEADY_VAPID_PUBLIC_KEY",
    }
    second = build_config(str(tmp_path), {})
    for key in ("SECRET_KEY", "FIELD_KEYS", "VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY"):
        assert first[key] == second[key]
    assert first["DATABASE_URL"] == f"sqlite:///{tmp_path / 'steady.db'}"


def test_loose_permissions_are_tightened(tmp_path):
    build_config(str(tmp_path), {})
    path = tmp_path / "secrets.json"
    path.chmod(0o644)
    build_config(str(tmp_path), {})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_vapid_public_key_is_an_uncompressed_p256_point():
    import base64

    _, public = generate_vapid_keys()
    raw = base64.urlsafe_b64decode(public + "=" * (-len(public) % 4))
    assert len(raw) == 65 and raw[0] == 4


def production_env(**overrides):
    private, public = generate_vapid_keys()
    env = {
        "STEADY_ENV": "production",
        "STEADY_SECRET_KEY": "s" * 48,
        "STEADY_FIELD_KEYS": generate_field_key(),
        "STEADY_VAPID_PRIVATE_KEY": private,
        "STEADY_VAPID_PUBLIC_KEY": public,
        "DATABASE_URL": "postgresql://steady@db/steady",
        "STEADY_PUBLIC_URL": "https://steady.example.org",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def test_production_with_everything_set_starts_with_secure_cookies(tmp_path):
    config = build_config(str(tmp_path), production_env())
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert not (tmp_path / "secrets.json").exists()  # nothing generated in production


@pytest.mark.parametrize("missing", sorted(REQUIRED_SECRETS | REQUIRED_SETTINGS))
def test_production_names_each_missing_secret(tmp_path, missing):
    with pytest.raises(ConfigError) as error:
        build_config(str(tmp_path), production_env(**{missing: None}))
    assert missing in str(error.value)


@pytest.mark.parametrize(
    ("given", "read"),
    [
        ("https://steady.example.org", "https://steady.example.org"),
        ("  https://Steady.Example.ORG/  ", "https://steady.example.org"),
        ("https://steady.example.org:8443", "https://steady.example.org:8443"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("https://steady.example.org.", "https://steady.example.org"),  # a final dot: the same host
        ("https://[::1]:0443", "https://[::1]:443"),
    ],
)
def test_the_public_address_is_read_as_scheme_host_and_port(tmp_path, given, read):
    config = build_config(str(tmp_path), {"STEADY_PUBLIC_URL": given})
    assert config["PUBLIC_URL"] == read


def test_without_a_public_address_every_host_is_answered_outside_production(tmp_path):
    config = build_config(str(tmp_path), {})
    assert config["PUBLIC_URL"] is None


@pytest.mark.parametrize(
    "given",
    [
        "steady.example.org",  # no scheme
        "ftp://steady.example.org",
        "javascript:alert(1)",
        "https://steady.example.org/app",  # a path
        "https://steady.example.org/?next=/",
        "https://steady.example.org/#top",
        "https://user:secret@steady.example.org",
        "https://@steady.example.org",
        "https://evil.example\\@steady.example.org",
        "https://",
        "https://:443",
        "https://steady.example.org:99999",
        "https://steady.example.org:port",
        "https://stea dy.example.org",
        "https://steady_example.org",
        "https://steady.example.org..",
        "https://user@steady.example.org:443",
        "https://\ud800.example.org",  # a lone surrogate
        "https://" + "a" * 300 + ".org",
        "https://" + "[" * 10_000,
    ],
)
def test_a_public_address_that_is_not_one_is_refused_by_name(tmp_path, given):
    with pytest.raises(ConfigError, match="STEADY_PUBLIC_URL"):
        build_config(str(tmp_path), {"STEADY_PUBLIC_URL": given})


def test_production_needs_a_public_address_over_https(tmp_path):
    with pytest.raises(ConfigError, match="STEADY_PUBLIC_URL.*https://"):
        build_config(str(tmp_path), production_env(STEADY_PUBLIC_URL="http://steady.example.org"))
    config = build_config(str(tmp_path), production_env())
    assert config["PUBLIC_URL"] == "https://steady.example.org"


def test_production_refuses_debug(tmp_path):
    with pytest.raises(ConfigError, match="STEADY_DEBUG"):
        build_config(str(tmp_path), production_env(STEADY_DEBUG="1"))
