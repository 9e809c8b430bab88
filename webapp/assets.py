"""Content-hashed static asset URLs.

Each static file's SHA-256 is computed once at start-up. Templates link
``asset_url('css/app.css')`` → ``/static/css/app.css?v=<hash>``, served as
immutable; any change to a file changes its URL, the service worker's
precache list and so the worker itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app, request, url_for


def hash_tree(folder: Path) -> dict[str, str]:
    """{relative posix path: sha256 hex} for every file under ``folder``."""
    hashes: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            hashes[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def asset_hashes() -> dict[str, str]:
    return current_app.extensions["steady.assets"]


def asset_url(filename: str) -> str:
    digest = asset_hashes().get(filename)
    if digest is None:
        raise KeyError(f"no static file {filename!r}")
    return url_for("static", filename=filename, v=digest[:12])


def init_app(app: Flask) -> None:
    app.extensions["steady.assets"] = hash_tree(Path(app.static_folder))
    app.jinja_env.globals["asset_url"] = asset_url

    @app.after_request
    def _static_caching(response):
        if request.endpoint == "static" and response.status_code == 200:
            filename = (request.view_args or {}).get("filename", "")
            digest = app.extensions["steady.assets"].get(filename, "")
            if digest and request.args.get("v") == digest[:12]:
                response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            else:
                response.headers["Cache-Control"] = "no-cache"
        return response
