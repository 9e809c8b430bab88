"""Links built once (``webapp/links.py``) are the links Flask builds, for
every route without arguments and every static file, at the root and under
a script root, and asking with arguments still builds them each time."""

from __future__ import annotations

import flask

from webapp import assets


def test_kept_links_are_flasks_links(app):
    url_for = app.jinja_env.globals["url_for"]
    asset_url = app.jinja_env.globals["asset_url"]
    endpoints = sorted(
        rule.endpoint for rule in app.url_map.iter_rules() if not rule.arguments and "GET" in (rule.methods or ())
    )
    assert "toolkit.index" in endpoints and "core.index" in endpoints
    for root in ("", "/steady", "/other"):
        for _ in range(2):  # built, then kept
            with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": root}):
                for endpoint in endpoints:
                    assert url_for(endpoint) == flask.url_for(endpoint), (root, endpoint)
                    assert url_for(endpoint).startswith(root + "/")
                for name in assets.asset_hashes():
                    assert asset_url(name) == assets.asset_url(name), (root, name)
    with app.test_request_context("/"):
        assert url_for("toolkit.exercise", exercise_id="box") == flask.url_for("toolkit.exercise", exercise_id="box")
        assert url_for("core.index", _external=True).startswith("http")
        assert url_for("core.index", lang="es") == flask.url_for("core.index", lang="es")
