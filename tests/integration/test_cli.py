"""The ``steady`` command: database upgrades and refusing unsafe production starts."""

from __future__ import annotations

import subprocess
import sys

import pytest

from webapp import cli
from webapp.extensions import make_engine
from webapp.services import migrations


def test_db_upgrade_then_status(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("STEADY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("STEADY_ENV", raising=False)
    assert cli.main(["db", "status"]) == 1  # empty database is behind
    assert cli.main(["db", "upgrade"]) == 0
    assert cli.main(["db", "status"]) == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'steady.db'}")
    assert migrations.current_revision(engine) == migrations.head_revision(engine)
    assert "current=" in capsys.readouterr().out


def test_production_start_without_secrets_names_what_is_missing(tmp_path):
    env = {"STEADY_ENV": "production", "STEADY_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "webapp.cli", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    for name in (
        "STEADY_SECRET_KEY",
        "STEADY_FIELD_KEYS",
        "STEADY_VAPID_PRIVATE_KEY",
        "DATABASE_URL",
        "STEADY_PUBLIC_URL",
    ):
        assert name in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_debug(tmp_path):
    env = {
        "STEADY_ENV": "production",
        "STEADY_DEBUG": "1",
        "STEADY_INSTANCE_PATH": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "webapp.cli", "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "STEADY_DEBUG" in result.stderr


def test_secrets_prints_a_complete_production_set(capsys):
    assert cli.main(["secrets"]) == 0
    out = capsys.readouterr().out
    for name in ("STEADY_SECRET_KEY=", "STEADY_FIELD_KEYS=", "STEADY_VAPID_PRIVATE_KEY=", "STEADY_VAPID_PUBLIC_KEY="):
        assert name in out


@pytest.mark.parametrize("argv", [["serve", "--port", "notaport"], ["nonsense"]])
def test_bad_arguments_exit_with_usage(argv):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2


@pytest.mark.parametrize("command", [["keys", "status"], ["keys", "rotate"], ["keys", "retire"]])
def test_key_commands_on_a_fresh_instance_say_what_to_run(tmp_path, monkeypatch, capsys, command):
    # An instance that has never been served has no tables: no traceback,
    # but what to run instead, and nothing created as a side effect.
    monkeypatch.setenv("STEADY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("STEADY_ENV", raising=False)
    monkeypatch.delenv("STEADY_FIELD_KEYS", raising=False)
    assert cli.main(command) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.err and "no such table" not in out.err
    assert "has no database yet" in out.err and "steady db upgrade" in out.err
    engine = make_engine(f"sqlite:///{tmp_path / 'steady.db'}")
    assert migrations.current_revision(engine) is None


def test_keys_status_works_once_the_database_is_made(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("STEADY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("STEADY_ENV", raising=False)
    monkeypatch.delenv("STEADY_FIELD_KEYS", raising=False)
    assert cli.main(["db", "upgrade"]) == 0
    assert cli.main(["keys", "status"]) == 0
    out = capsys.readouterr().out
    assert "Current field key" in out and "No encrypted values stored yet." in out and "(s)" not in out


def test_keys_status_on_a_fresh_instance_as_a_command(tmp_path):
    env = {"STEADY_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "webapp.cli", "keys", "status"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "steady db upgrade" in result.stderr


def test_serve_takes_a_port():
    args = cli.build_parser().parse_args(["serve", "--port", "8123", "--host", "127.0.0.1"])
    assert args.port == 8123 and args.handler is cli.serve
