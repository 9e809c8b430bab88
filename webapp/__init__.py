"""Steady: a phone-first companion for benzodiazepine tapering and withdrawal."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from types import FunctionType
from typing import Any
from weakref import WeakKeyDictionary

from flask import Flask
from werkzeug.routing import IntegerConverter, Map


def digits_up_to(limit: int) -> str:
    """A pattern for the whole numbers from 0 to ``limit`` written in digits,
    leading zeros allowed as ``\\d+`` allows them: fewer digits than
    ``limit``, or as many and, at the first digit that differs, a smaller one."""
    text = str(limit)
    ways = [rf"\d{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for at, digit in enumerate(text):
        if digit != "0":
            below = "0" if digit == "1" else f"[0-{int(digit) - 1}]"
            rest = len(text) - at - 1
            ways.append(text[:at] + below + (rf"\d{{{rest}}}" if rest else ""))
    ways.append(text)
    return "0*(?:" + "|".join(ways) + ")"


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` in a route: an id, so no larger than an id column can
    hold (``Integer``: a signed 32-bit integer on PostgreSQL). A larger
    number is no id: the route does not match (a 404, like an id that names
    nothing), rather than reaching the database, which cannot take it (a
    500: out of range on PostgreSQL, past 64 bits on SQLite).

    The bound is in the pattern, not only in ``to_python``: Werkzeug picks a
    rule by its pattern and method and converts afterwards, so a number only
    ``to_python`` refused, on a path with a rule for another method too,
    was answered 405 ("not that way") instead of 404."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)
        if not self.signed and not self.fixed_digits and not self.min:
            self.regex = digits_up_to(self.max)


class SteadyMap(Map):
    default_converters = {**Map.default_converters, "int": BoundedIntegerConverter}


class SteadyFlask(Flask):
    """Flask, with each hook's and view's "is it a coroutine?" answer kept.

    Flask asks ``inspect.iscoroutinefunction`` of every before- and
    after-request hook and the view on every request (``ensure_sync``); the
    answer for a plain function never changes, so it is worked out once
    (a coroutine function is wrapped each time, as Flask does).
    Anything else (a bound method, a partial) is asked each time, as before;
    the answers are held weakly, so a function made for one request (as
    ``after_this_request`` takes) is not kept.

    Its templates are compiled without their indentation
    (webapp/template_space.py), and its routes' ids are bounded (``BoundedIntegerConverter``).
    """

    url_map_class = SteadyMap

    jinja_options = {**Flask.jinja_options, "extensions": ["webapp.template_space.TightTemplates"]}

    def ensure_sync(self, func):
        if type(func) is not FunctionType:
            return super().ensure_sync(func)
        if func in self._sync_functions:  # known to be plain: returned as it is
            return func
        made = super().ensure_sync(func)
        if made is func:
            self._sync_functions[func] = True
        return made

    @cached_property
    def _sync_functions(self) -> WeakKeyDictionary:
        return WeakKeyDictionary()


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
    app = SteadyFlask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        static_folder=static_folder,
    )
    app.config.update(settings)

    from webapp import api, logs, page_compression, rate_limits, security
    from webapp.extensions import csrf, db, limiter, login_manager
    from webapp.services.field_crypto import FieldCipher

    page_compression.init_app(app)  # first, so it runs last: after every header is set
    logs.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    rate_limits.init_app(app, limiter)
    login_manager.init_app(app)
    app.extensions["steady.cipher"] = db.cipher = FieldCipher.from_spec(app.config["FIELD_KEYS"])
    security.init_app(app)
    api.init_app(app)
    from webapp import ownership

    ownership.init_app(app)

    from webapp import i18n
    from webapp.services.content import CONTENT_DIR, lines_in_language_first, load_library, with_headings
    from webapp.services.content_i18n import LANGUAGES, check_translations
    from webapp.services.learn_content import load_learning

    # The English files are checked first; then every content file must be in
    # every shipped language, or no start at all (the error names each file
    # and missing id). Each language's library is built once and a request
    # picks its own (webapp/i18n.py).
    content_folder = Path(app.config.get("CONTENT_FOLDER") or CONTENT_DIR)
    i18n.prepare(app)
    libraries = {"en": load_library(content_folder)}
    exercise_ids = set(libraries["en"].exercises)
    learnings = {"en": load_learning(content_folder, exercise_ids)}
    check_translations(content_folder)
    for language in LANGUAGES[1:]:
        library = lines_in_language_first(load_library(content_folder, language), libraries["en"], language)
        libraries[language] = with_headings(library, i18n.translations(language).ugettext)
        learnings[language] = load_learning(content_folder, exercise_ids, language)
    from webapp import pseudo

    def pseudo_library(language: str):
        library = load_library(content_folder, language)
        return with_headings(library, i18n.translations(language).ugettext)

    app.extensions["steady.libraries"] = pseudo.PerLanguage(libraries, pseudo_library)
    app.extensions["steady.learnings"] = pseudo.PerLanguage(
        learnings, lambda language: load_learning(content_folder, exercise_ids, language)
    )
    app.extensions["steady.content"] = libraries["en"]
    app.extensions["steady.learning"] = app.extensions["steady.learnings"]["en"]
    i18n.init_app(app)
    from webapp import js_strings

    js_strings.init_app(app)

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
    from webapp import page_modules

    page_modules.init_app(app)
    words.init_app(app)
    from webapp.services import offline_copy

    offline_copy.init_app(app)
    from webapp import links

    links.init_app(app)  # after assets: wraps its asset_url
    from webapp import once

    once.init_app(app)
    features = (
        core,
        auth,
        account,
        toolkit,
        cards,
        checkins,
        taper,
        chart,
        summary,
        circle,
        export,
        people,
        plan,
        helpme,
        reminders,
        lock,
        openapi,
        pwa,
        learn,
    )
    for feature in features:
        app.register_blueprint(feature.bp)
    errors.register_error_handlers(app)
    return app
