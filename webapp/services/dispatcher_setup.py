"""Running the reminder dispatcher (webapp/services/dispatch.py) for an app:
inside this process on a thread (the embedded default), or built for the
``steady reminders`` commands."""

from __future__ import annotations

import threading
from datetime import timedelta

from webapp.services.dispatch import Dispatcher
from webapp.services.push import sender_from_config


def start_dispatcher_thread(app) -> threading.Event:
    """Run the dispatcher inside this process (the embedded default)."""
    stop = threading.Event()
    dispatcher = build_dispatcher(app)
    interval = app.config["REMINDER_INTERVAL_SECONDS"]
    thread = threading.Thread(
        target=dispatcher.run_forever, args=(stop, interval), name="steady-reminders", daemon=True
    )
    thread.start()
    return stop


def build_dispatcher(app) -> Dispatcher:
    from webapp.extensions import db

    sender = sender_from_config(app.config)
    return Dispatcher(db.new_session, sender, grace=timedelta(minutes=app.config["REMINDER_GRACE_MINUTES"]))
