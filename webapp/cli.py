"""The ``steady`` command.

    steady serve [--host 127.0.0.1] [--port 8000]   run Steady (embedded default)
    steady db upgrade                                bring the database up to date
    steady db status                                 show the database's revision
    steady reminders work [--interval 15]            dispatch reminders until stopped
    steady reminders tick                            one dispatch pass (cron)
    steady secrets                                   print new production secrets
"""

from __future__ import annotations

import argparse
import sys

from webapp.config import ConfigError, generate_field_key, generate_vapid_keys


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
    import waitress

    from webapp.extensions import db
    from webapp.services import migrations

    app = _app()
    if db.engine.dialect.name == "sqlite":
        migrations.upgrade(db.engine)
    elif migrations.current_revision(db.engine) != migrations.head_revision(db.engine):
        print("steady: the database is not up to date. Run `steady db upgrade` first.", file=sys.stderr)
        return 2
    stop = None
    if app.config["REMINDER_DISPATCHER"] == "thread":
        from webapp.services.dispatch import start_dispatcher_thread

        stop = start_dispatcher_thread(app)
    print(f"Steady is running at http://{args.host}:{args.port}/  (Ctrl+C to stop)", flush=True)
    try:
        waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="Steady")
    finally:
        if stop is not None:
            stop.set()
    return 0


def db_upgrade(args: argparse.Namespace) -> int:
    from webapp.extensions import db
    from webapp.services import migrations

    _app()
    migrations.upgrade(db.engine)
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

    from webapp.services.dispatch import build_dispatcher

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
    from webapp.services.dispatch import build_dispatcher

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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
