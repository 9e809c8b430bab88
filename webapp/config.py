"""Settings, read from the environment in one place.

Two ways to run:

* **embedded** (the default): SQLite in the instance folder, and the secrets
  (session key, field-encryption key, VAPID key pair) generated on first run
  into ``<instance>/secrets.json`` with mode 0600 and reused after.
* **production** (``STEADY_ENV=production``): every secret, the database
  URL and the public address (``STEADY_PUBLIC_URL``) must come from the
  environment; the app refuses to start otherwise, or with debug on.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from webapp.public_host import host_name

#: Secrets production must be given, with what each is for.
REQUIRED_SECRETS = {
    "STEADY_SECRET_KEY": "signs session cookies and CSRF tokens",
    "STEADY_FIELD_KEYS": "encrypts notes, contacts and other free text at rest",
    "STEADY_VAPID_PRIVATE_KEY": "signs Web Push requests",
    "STEADY_VAPID_PUBLIC_KEY": "lets browsers subscribe to Web Push",
    "DATABASE_URL": "the PostgreSQL database",
}


#: Other settings production must be given.
REQUIRED_SETTINGS = {
    "STEADY_PUBLIC_URL": "the address people open Steady at, such as https://steady.example.org; "
    "invite and share links are built from it",
}


class ConfigError(RuntimeError):
    """The app cannot start with the settings it was given."""


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def generate_field_key() -> str:
    """A new field-encryption key as ``<key id>:<base64url 256-bit key>``."""
    return f"k{secrets.token_hex(4)}:{_b64url(secrets.token_bytes(32))}"


def generate_vapid_keys() -> tuple[str, str]:
    """A P-256 key pair: (private key as base64url DER, public key as the
    base64url uncompressed point browsers take as ``applicationServerKey``)."""
    private = ec.generate_private_key(ec.SECP256R1())
    der = private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    point = private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64url(der), _b64url(point)


def load_or_create_instance_secrets(instance_path: str | os.PathLike) -> dict[str, str]:
    """Read ``secrets.json`` from the instance folder, creating it (0600) on
    first run. Missing entries are added, existing ones are never replaced."""
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secrets.json"
    stored: dict[str, str] = {}
    if path.exists():
        stored = json.loads(path.read_text("utf-8"))
    wanted = dict(stored)
    wanted.setdefault("STEADY_SECRET_KEY", secrets.token_urlsafe(48))
    wanted.setdefault("STEADY_FIELD_KEYS", generate_field_key())
    if "STEADY_VAPID_PRIVATE_KEY" not in wanted or "STEADY_VAPID_PUBLIC_KEY" not in wanted:
        wanted["STEADY_VAPID_PRIVATE_KEY"], wanted["STEADY_VAPID_PUBLIC_KEY"] = generate_vapid_keys()
    if wanted != stored or (path.stat().st_mode & 0o777) != 0o600:
        write_instance_secrets(instance_path, wanted)
    return wanted


def write_instance_secrets(instance_path: str | os.PathLike, values: Mapping[str, str]) -> None:
    """Replace ``secrets.json`` atomically (mode 0600): a crash mid-write
    leaves the old file, never half a key."""
    path = Path(instance_path) / "secrets.json"
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(dict(values), fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def public_url(value: str | None, production: bool) -> str | None:
    """``STEADY_PUBLIC_URL`` as ``scheme://host[:port]``, or None when unset.

    Links given to other people (an invite, a share link) are built from it,
    never from the ``Host`` a request names, and requests naming another host
    are refused. Production must have it, over HTTPS."""
    text = (value or "").strip()
    if not text:  # production has it (build_config names it when it is missing)
        return None
    problem = "give the address people open Steady at, such as https://steady.example.org, with no path"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (a port that is no number, or past 65535, raises here)
    except ValueError:  # that, or brackets that are no IPv6 address
        raise ConfigError(f"STEADY_PUBLIC_URL: {problem}.") from None
    name = host_name(parts.netloc)  # as the requests' Host is read, so the two cannot disagree
    if (
        parts.scheme not in ("https", "http")
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or name is None  # also user info, no host, a character no host name has
        or len(name) > 253
    ):
        raise ConfigError(f"STEADY_PUBLIC_URL: {problem}.")
    if production and parts.scheme != "https":
        raise ConfigError("STEADY_PUBLIC_URL: production serves Steady over HTTPS, so the address starts https://.")
    return f"{parts.scheme}://{name}" + (f":{parts.port}" if parts.port is not None else "")


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def build_config(instance_path: str, environ: Mapping[str, str] | None = None) -> dict:
    """Every setting the app reads, as a mapping for ``app.config``.

    ``environ`` defaults to ``os.environ``; tests pass their own.
    """
    env = dict(os.environ if environ is None else environ)
    production = env.get("STEADY_ENV", "embedded").strip().lower() == "production"
    debug = _flag(env.get("STEADY_DEBUG"))

    if production:
        if debug:
            raise ConfigError("Steady will not start in production with STEADY_DEBUG on. Unset STEADY_DEBUG.")
        required = REQUIRED_SECRETS | REQUIRED_SETTINGS
        missing = [name for name in required if not (env.get(name) or "").strip()]
        if missing:
            lines = "\n".join(f"  {name} ({required[name]})" for name in missing)
            raise ConfigError("Steady will not start in production without these settings:\n" + lines)
        secret_values = {name: env[name] for name in REQUIRED_SECRETS if name != "DATABASE_URL"}
    else:
        secret_values = load_or_create_instance_secrets(instance_path)
        for name in secret_values:  # the environment wins where it is set
            if env.get(name):
                secret_values[name] = env[name]

    if production and _flag(env.get("STEADY_PUSH_ALLOW_LOOPBACK_HTTP")):
        raise ConfigError(
            "Steady will not start in production with STEADY_PUSH_ALLOW_LOOPBACK_HTTP on: it is for tests "
            "with a local fake push service. Unset it."
        )
    from webapp.services.push_targets import DEFAULT_PUSH_HOSTS, parse_host_patterns

    try:
        extra_push_hosts = parse_host_patterns(env.get("STEADY_PUSH_HOSTS", ""))
    except ValueError as problem:
        raise ConfigError(f"STEADY_PUSH_HOSTS: {problem}") from None

    https = production or _flag(env.get("STEADY_HTTPS"))
    public = public_url(env.get("STEADY_PUBLIC_URL"), production)
    database_url = env.get("DATABASE_URL") or "sqlite:///" + str(Path(instance_path) / "steady.db")
    cookie_prefix = "__Host-" if https else ""

    return {
        "STEADY_PRODUCTION": production,
        "STEADY_HTTPS": https,
        "DEBUG": debug,
        "SECRET_KEY": secret_values["STEADY_SECRET_KEY"],
        "FIELD_KEYS": secret_values["STEADY_FIELD_KEYS"],
        "VAPID_PRIVATE_KEY": secret_values["STEADY_VAPID_PRIVATE_KEY"],
        "VAPID_PUBLIC_KEY": secret_values["STEADY_VAPID_PUBLIC_KEY"],
        "VAPID_SUBJECT": env.get("STEADY_VAPID_SUBJECT", "mailto:admin@localhost"),
        "DATABASE_URL": database_url,
        # Rate limits: memory by default; Redis (or any `limits` storage URI) when set.
        "RATELIMIT_STORAGE_URI": env.get("STEADY_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _flag(env.get("STEADY_RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Reverse proxies in front of the app (0 = none): trusted X-Forwarded-* hops.
        "PROXY_COUNT": int(env.get("STEADY_PROXY_COUNT", "0") or 0),
        # Sessions: server-side records, so these are enforced on the server.
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=int(env.get("STEADY_SESSION_IDLE_MINUTES", "120"))),
        "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=int(env.get("STEADY_SESSION_ABSOLUTE_HOURS", "12"))),
        "REMEMBER_COOKIE_DURATION": timedelta(days=int(env.get("STEADY_REMEMBER_DAYS", "30"))),
        "SESSION_COOKIE_NAME": f"{cookie_prefix}steady_session",
        "SESSION_COOKIE_SECURE": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_NAME": f"{cookie_prefix}steady_remember",
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_REFRESH_EACH_REQUEST": False,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        # The address people open Steady at (None: the one each request names).
        # Set, links for others are built from it and a request naming another
        # host is refused (webapp/public_host.py; the port is not compared).
        "PUBLIC_URL": public,
        # 256 KB is far above any form Steady has; bigger bodies get a clear 413.
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "MAX_FORM_MEMORY_SIZE": 256 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session
        "WTF_CSRF_SSL_STRICT": True,
        # Reminders: slots later than this are recorded as missed, not sent late.
        "REMINDER_GRACE_MINUTES": int(env.get("STEADY_REMINDER_GRACE_MINUTES", "60")),
        # "thread": a dispatcher inside `steady serve` (embedded default);
        # "off": run `steady reminders work` processes instead (production default).
        "REMINDER_DISPATCHER": env.get("STEADY_REMINDER_DISPATCHER", "off" if production else "thread"),
        "REMINDER_INTERVAL_SECONDS": float(env.get("STEADY_REMINDER_INTERVAL_SECONDS", "15")),
        # Push services endpoints may name: the browsers' own, plus any listed
        # in STEADY_PUSH_HOSTS (a self-hosted push service: host.example or *.example).
        "PUSH_HOSTS": DEFAULT_PUSH_HOSTS + tuple(h for h in extra_push_hosts if h not in DEFAULT_PUSH_HOSTS),
        # Tests only: accept http://127.0.0.1:<port>/ and http://[::1]:<port>/ push
        # endpoints (a local fake push service). Refused in production, above and
        # in create_app (push_settings).
        "PUSH_ALLOW_LOOPBACK_HTTP": not production and _flag(env.get("STEADY_PUSH_ALLOW_LOOPBACK_HTTP")),
        # Development only: the pseudo-locales en-XA and en-XB (webapp/pseudo.py).
        "PSEUDO_LOCALES": not production and _flag(env.get("STEADY_PSEUDO_LOCALES")),
        # Where static files come from (tests point it at a copy to make an update).
        "STATIC_FOLDER": env.get("STEADY_STATIC_FOLDER") or None,
    }


def push_settings(config: Mapping) -> dict:
    """What a PushSender is built with, from ``app.config``. The loopback
    allowance is honoured only outside production (a test config that turns
    it on for a production app is refused)."""
    allow = bool(config.get("PUSH_ALLOW_LOOPBACK_HTTP"))
    if allow and config.get("STEADY_PRODUCTION"):
        raise ConfigError("PUSH_ALLOW_LOOPBACK_HTTP is for tests only and cannot be used in production.")
    from webapp.services.push_targets import DEFAULT_PUSH_HOSTS

    return {"hosts": tuple(config.get("PUSH_HOSTS") or DEFAULT_PUSH_HOSTS), "allow_loopback_http": allow}
