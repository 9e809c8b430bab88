"""Links in pages built once: ``url_for`` for a route without arguments and
``asset_url`` for a static file give the same text for every request with
the same script root (the app mounted at the same path), so templates get
them from a small map kept per app instead of building them through the URL
map each time (a page has a dozen: the bottom bar, the head's files).

Anything else — arguments, ``_external``, a blueprint-relative name, no
request — goes to Flask's own ``url_for``. Nothing here depends on who asks."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask import url_for as flask_url_for

#: More distinct links than any app has: past it, nothing more is kept.
MOST_KEPT = 4096


def init_app(app: Flask) -> None:
    built: dict[tuple, str] = {}
    real_url_for = app.jinja_env.globals["url_for"]
    real_asset_url = app.jinja_env.globals["asset_url"]

    def url_for(endpoint: str, **values) -> str:
        if values or endpoint.startswith(".") or not has_request_context():
            return real_url_for(endpoint, **values)
        key = ("route", endpoint, request.script_root)
        found = built.get(key)
        if found is None:
            found = real_url_for(endpoint)
            if len(built) < MOST_KEPT:
                built[key] = found
        return found

    def asset_url(filename: str) -> str:
        if not has_request_context():
            return real_asset_url(filename)
        asset = app.extensions["steady.asset_manifest"].get(filename)
        key = ("asset", filename, None if asset is None else asset.version, request.script_root)
        found = built.get(key)
        if found is None:
            found = real_asset_url(filename)  # raises for a file that is not there
            if len(built) < MOST_KEPT:
                built[key] = found
        return found

    app.jinja_env.globals["url_for"] = url_for
    app.jinja_env.globals["asset_url"] = asset_url
    app.jinja_env.globals["public_origin"] = public_origin


def public_origin() -> str:
    """Where people open Steady (``scheme://host[:port]``): the configured
    ``STEADY_PUBLIC_URL``, else the address this request reached it at."""
    return current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")


def public_url(endpoint: str, **values) -> str:
    """A whole address to give to someone else (an invite, a share link):
    never built from a ``Host`` the request named when an address is
    configured."""
    return public_origin() + flask_url_for(endpoint, **values)
