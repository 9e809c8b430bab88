"""The ``steady`` command.

steady serve [--host 127.0.0.1] [--port 8000]   run Steady (embedded default)
steady db upgrade                                bring the database up to date
steady db status                                 show the database's revision
steady reminders work [--interval 15]            dispatch reminders until stopped
steady reminders tick                            one dispatch pass (cron)
steady secrets                                   print new production secrets
steady keys status                               which field keys seal how many values
steady keys rotate [--batch-size 500]            new field key, re-encrypt everything
steady keys new                                  print a new field key (production)
steady keys retire                               drop keys no value uses (embedded)
"""

from __future__ import annotations

import argparse
import sys

from webapp.config import ConfigError, generate_field_key, generate_vapid_keys
from webapp.services.person_time import plural


def _app():
    from webapp import create_app

    try:
        return create_app()
    except ConfigError as exc:
        print(f"steady: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


def serve(args: argparse.Namespace) -> int:
    """Run Steady with waitress. On the embedded SQLite database the schema is
    brought up to date first; PostgreSQL is upgraded by ``steady db upgrade``
    so that several hosts never race to migrate."""
    from webapp import embedded_server
    from webapp.extensions import db
    from webapp.services import migrations
    from webapp.services.reminder_sealing import seal_at_start

    app = _app()
    if db.engine.dialect.name == "sqlite":
        migrations.upgrade(db.engine)
    elif migrations.current_revision(db.engine) != migrations.head_revision(db.engine):
        print("steady: the database is not up to date. Run `steady db upgrade` first.", file=sys.stderr)
        return 2
    seal_at_start(db.new_session)
    stop = None
    if app.config["REMINDER_DISPATCHER"] == "thread":
        from webapp.services.dispatcher_setup import start_dispatcher_thread

        stop = start_dispatcher_thread(app)
    listening = f"http://{args.host}:{args.port}/"
    if app.config.get("PUBLIC_URL"):  # only that address is answered (webapp/public_host.py)
        print(f"Steady is running at {app.config['PUBLIC_URL']}/  (on {listening}; Ctrl+C to stop)", flush=True)
    else:
        print(f"Steady is running at {listening}  (Ctrl+C to stop)", flush=True)
    try:
        embedded_server.run(app, host=args.host, port=args.port, threads=args.threads)
    finally:
        if stop is not None:
            stop.set()
    return 0


def db_upgrade(args: argparse.Namespace) -> int:
    from webapp.extensions import db
    from webapp.services import migrations
    from webapp.services.reminder_sealing import seal_at_start

    _app()
    migrations.upgrade(db.engine)
    seal_at_start(db.new_session)  # what the migration could not encrypt (no keys there)
    print(f"Database is at revision {migrations.current_revision(db.engine)}.")
    return 0


def db_status(args: argparse.Namespace) -> int:
    from webapp.extensions import db
    from webapp.services import migrations

    _app()
    current, head = migrations.current_revision(db.engine), migrations.head_revision(db.engine)
    print(f"current={current} head={head}")
    return 0 if current == head else 1


def reminders_work(args: argparse.Namespace) -> int:
    """Dispatch reminders until stopped (run as many as you like on PostgreSQL)."""
    import signal
    import threading

    from webapp.services.dispatcher_setup import build_dispatcher

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    dispatcher = build_dispatcher(_app())
    print("Dispatching reminders (Ctrl+C to stop).", flush=True)
    try:
        dispatcher.run_forever(stop, interval=args.interval)
    except KeyboardInterrupt:
        pass
    finally:
        dispatcher.sender.close()
    return 0


def reminders_tick(args: argparse.Namespace) -> int:
    """One dispatch pass, for cron."""
    from webapp.services.dispatcher_setup import build_dispatcher

    dispatcher = build_dispatcher(_app())
    try:
        stats = dispatcher.run_once()
    finally:
        dispatcher.sender.close()
    print(
        f"claimed={stats.claimed} missed={stats.missed} sent={stats.attempts_sent} "
        f"retry={stats.attempts_retry} removed={stats.subscriptions_removed}"
    )
    return 0


def print_secrets(args: argparse.Namespace) -> int:
    """Fresh secrets for a production environment file."""
    import secrets

    private, public = generate_vapid_keys()
    print(f"STEADY_SECRET_KEY={secrets.token_urlsafe(48)}")
    print(f"STEADY_FIELD_KEYS={generate_field_key()}")
    print(f"STEADY_VAPID_PRIVATE_KEY={private}")
    print(f"STEADY_VAPID_PUBLIC_KEY={public}")
    return 0


def _keys_from_instance(app) -> bool:
    """True when the field keys live in the instance ``secrets.json`` (the
    embedded default), so ``steady keys`` may add and drop keys itself. In
    production, or with ``STEADY_FIELD_KEYS`` set, they come from the
    environment, which only the operator can change."""
    import os

    return not app.config["STEADY_PRODUCTION"] and not os.environ.get("STEADY_FIELD_KEYS")


def _database_missing(app) -> bool:
    """True (with what to run instead) when this instance has no database
    yet, or one that is behind: its tables are made by ``steady serve`` or
    ``steady db upgrade``, so there is nothing for a key command to read."""
    from webapp.extensions import db
    from webapp.services import migrations

    with app.app_context():
        current, head = migrations.current_revision(db.engine), migrations.head_revision(db.engine)
    if current == head:
        return False
    where = "has no database yet" if current is None else "has a database that is not up to date"
    print(
        f"steady: this Steady {where} ({app.instance_path}).\n"
        "Run `steady db upgrade` (or start it once with `steady serve`), then run this command again.",
        file=sys.stderr,
    )
    return True


def _print_usage(usage, current_kid: str) -> None:
    if not usage:
        print("No encrypted values stored yet.")
    for kid, count in sorted(usage.items()):
        print(f"  key {kid}: {plural(count, 'value')}{'  (current)' if kid == current_kid else ''}")


def keys_status(args: argparse.Namespace) -> int:
    from webapp.extensions import db
    from webapp.services.keys import key_usage

    app = _app()
    if _database_missing(app):
        return 2
    with app.app_context():
        cipher = app.extensions["steady.cipher"]
        usage = key_usage(db.engine)
    print(f"Current field key: {cipher.current_kid}; configured: {', '.join(cipher.key_ids)}")
    _print_usage(usage, cipher.current_kid)
    stale = sum(n for kid, n in usage.items() if kid != cipher.current_kid)
    if stale:
        print(f"{plural(stale, 'value')} still under older keys: run `steady keys rotate` to finish.")
    return 0


def keys_rotate(args: argparse.Namespace) -> int:
    """Make a new key current (embedded) and re-encrypt every value under it.

    If an earlier rotation stopped part-way, values are still under an older
    key: this run finishes that one instead of adding yet another key, so
    running the command again after any interruption is always right.
    """
    from webapp.config import generate_field_key, load_or_create_instance_secrets, write_instance_secrets
    from webapp.extensions import db
    from webapp.services.field_crypto import FieldCipher
    from webapp.services.keys import RotationError, key_usage, reencrypt

    app = _app()
    if _database_missing(app):
        return 2
    with app.app_context():
        cipher = app.extensions["steady.cipher"]
        usage = key_usage(db.engine)
        stale = sum(n for kid, n in usage.items() if kid != cipher.current_kid)
        if stale:
            print(
                f"{plural(stale, 'value')} {'is' if stale == 1 else 'are'} not under the current key {cipher.current_kid} yet: re-encrypting them."
            )
        elif _keys_from_instance(app):
            stored = load_or_create_instance_secrets(app.instance_path)
            new_key = generate_field_key()
            stored["STEADY_FIELD_KEYS"] = f"{new_key},{stored['STEADY_FIELD_KEYS']}"
            write_instance_secrets(app.instance_path, stored)
            cipher = FieldCipher.from_spec(stored["STEADY_FIELD_KEYS"])
            app.extensions["steady.cipher"] = db.cipher = cipher
            print(
                f"New field key {cipher.current_kid} added to {app.instance_path}/secrets.json; older keys kept for reading."
            )
        else:
            print(
                f"Every value is already under the current key {cipher.current_kid}.\n"
                "To rotate: put a new key (`steady keys new`) first in STEADY_FIELD_KEYS on every host,\n"
                "keeping the old ones after it, restart them, then run `steady keys rotate` again."
            )
            return 0

        def progress(label: str, count: int) -> None:
            print(f"  {label}: {count} re-encrypted", flush=True)

        try:
            report = reencrypt(db.engine, cipher, batch_size=args.batch_size, progress=progress)
        except RotationError as exc:
            print(f"steady: {exc}", file=sys.stderr)
            return 2
        usage = key_usage(db.engine)
    print(f"Done: {plural(report.total, 'value')} re-encrypted under key {cipher.current_kid}.")
    _print_usage(usage, cipher.current_kid)
    if _keys_from_instance(app):
        print("Restart Steady so it writes with the new key. Older keys stay until `steady keys retire`.")
    else:
        print("Older keys can now be removed from STEADY_FIELD_KEYS (keep them while old backups matter).")
    return 0


def keys_new(args: argparse.Namespace) -> int:
    from webapp.config import generate_field_key

    print(generate_field_key())
    return 0


def keys_retire(args: argparse.Namespace) -> int:
    """Drop keys that seal no stored value from the instance secrets file."""
    from webapp.config import load_or_create_instance_secrets, write_instance_secrets
    from webapp.extensions import db
    from webapp.services.field_crypto import parse_keys
    from webapp.services.keys import key_usage

    app = _app()
    if not _keys_from_instance(app):
        print("steady: field keys come from STEADY_FIELD_KEYS here; remove unused ones there.", file=sys.stderr)
        return 2
    if _database_missing(app):
        return 2
    with app.app_context():
        usage = key_usage(db.engine)
    stored = load_or_create_instance_secrets(app.instance_path)
    parts = [p.strip() for p in stored["STEADY_FIELD_KEYS"].split(",") if p.strip()]
    keys = parse_keys(stored["STEADY_FIELD_KEYS"])
    keep = [
        part for index, (part, (kid, _)) in enumerate(zip(parts, keys, strict=False)) if index == 0 or usage.get(kid)
    ]
    dropped = [kid for index, (kid, _) in enumerate(keys) if index != 0 and not usage.get(kid)]
    if not dropped:
        print("Every configured key is still in use (or is the current one); nothing to drop.")
        return 0
    stored["STEADY_FIELD_KEYS"] = ",".join(keep)
    write_instance_secrets(app.instance_path, stored)
    print(
        f"Dropped unused {'key' if len(dropped) == 1 else 'keys'}: {', '.join(dropped)}. Backups older than the rotation need them: keep a copy if so."
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="steady", description="Steady: support through benzodiazepine withdrawal.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("serve", help="run Steady")
    run.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    run.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    run.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    run.set_defaults(handler=serve)

    database = commands.add_parser("db", help="database administration")
    db_commands = database.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply every pending migration").set_defaults(handler=db_upgrade)
    db_commands.add_parser("status", help="show current and newest revision").set_defaults(handler=db_status)

    reminders = commands.add_parser("reminders", help="send reminders")
    reminder_commands = reminders.add_subparsers(dest="reminders_command", required=True)
    work = reminder_commands.add_parser("work", help="dispatch reminders until stopped")
    work.add_argument("--interval", type=float, default=15.0, help="seconds between passes (default 15)")
    work.set_defaults(handler=reminders_work)
    reminder_commands.add_parser("tick", help="one dispatch pass (for cron)").set_defaults(handler=reminders_tick)

    commands.add_parser("secrets", help="print new secrets for production").set_defaults(handler=print_secrets)

    keys = commands.add_parser("keys", help="field-encryption keys")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    key_commands.add_parser("status", help="which keys seal how many values").set_defaults(handler=keys_status)
    rotate = key_commands.add_parser("rotate", help="add a new key and re-encrypt every value (resumable)")
    rotate.add_argument("--batch-size", type=int, default=500, help="values per transaction (default 500)")
    rotate.set_defaults(handler=keys_rotate)
    key_commands.add_parser("new", help="print a new key for STEADY_FIELD_KEYS").set_defaults(handler=keys_new)
    key_commands.add_parser("retire", help="drop keys no stored value uses").set_defaults(handler=keys_retire)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
