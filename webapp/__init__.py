"""Steady: a phone-first companion for benzodiazepine tapering and withdrawal."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask


def default_instance_path() -> str:
    """``STEADY_INSTANCE_PATH`` if set, else ``./instance`` in the current folder."""
    return os.environ.get("STEADY_INSTANCE_PATH") or str(Path.cwd() / "instance")


def create_app(
    test_config: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    instance_path: str | None = None,
) -> Flask:
    """Build the app.

    Settings come from ``environ`` (default: the process environment) through
    ``config.build_config``; ``test_config`` overrides them afterwards.
    """
    from webapp.config import build_config

    instance_path = os.path.abspath(instance_path or default_instance_path())
    settings = build_config(instance_path, environ)
    if test_config:
        settings.update(test_config)
    from webapp.config import push_settings

    push_settings(settings)  # refuses the test-only push allowance in production

    static_folder = settings.get("STATIC_FOLDER") or "static"
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        static_folder=static_folder,
    )
    app.config.update(settings)

    from webapp import api, logs, security
    from webapp.extensions import csrf, db, limiter, login_manager
    from webapp.services.field_crypto import FieldCipher

    logs.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    app.extensions["steady.cipher"] = FieldCipher.from_spec(app.config["FIELD_KEYS"])
    security.init_app(app)
    api.init_app(app)
    from webapp import ownership

    ownership.init_app(app)

    from webapp.services.content import CONTENT_DIR, load_library

    app.extensions["steady.content"] = load_library(Path(app.config.get("CONTENT_FOLDER") or CONTENT_DIR))
    from webapp.services.learn_content import load_learning

    app.extensions["steady.learning"] = load_learning(
        Path(app.config.get("CONTENT_FOLDER") or CONTENT_DIR), set(app.extensions["steady.content"].exercises)
    )

    from webapp import (
        account,
        assets,
        auth,
        cards,
        chart,
        checkins,
        circle,
        core,
        errors,
        export,
        helpme,
        learn,
        lock,
        openapi,
        people,
        plan,
        pwa,
        reminders,
        summary,
        taper,
        toolkit,
        words,
    )

    assets.init_app(app)
    words.init_app(app)
    features = (
        core, auth, account, toolkit, cards, checkins, taper, chart, summary, circle, export, people, plan, helpme, reminders,
        lock, openapi, pwa, learn,
    )
    for feature in features:
        app.register_blueprint(feature.bp)
    errors.register_error_handlers(app)
    return app
