"""Manifest and ``/sw.js``.

The worker's source lives in ``service_worker/``; the server prepends a build
record — a version hash and the precache list with every shell asset's
content hash — so any change to an asset, a shell page's template or the
worker itself yields a byte-different worker and an update prompt.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path

from flask import Response, current_app, jsonify, request, url_for
from flask_babel import gettext as _

try:
    import brotli
except ImportError:  # pragma: no cover - the dependency is declared
    brotli = None

from webapp import i18n, js_strings, template_space
from webapp.assets import asset_hashes, asset_url, hash_tree, pick_encoding
from webapp.js_strings import strings_url
from webapp.learn.routes import precache_pages as learn_pages
from webapp.minify import minify_js
from webapp.offline_copies import copy_endpoints, copy_urls
from webapp.page_compression import compressed
from webapp.pwa import bp
from webapp.pwa.bundle import Unbundleable, bundle_worker
from webapp.pwa.pack_order import best_order, shared_parts
from webapp.security import FIXED_HEADERS

#: Pages that are the same for everyone and are kept for offline use: these,
#: and every page's offline copy (webapp/offline_copies.py).
SHELL_PAGES = [
    "core.index",
    "core.help_now",
    "core.offline",
    "core.install",
    "toolkit.index",
    "toolkit.feelings",
    "toolkit.breathe",
    "lock.settings",
    *copy_endpoints(),
]
#: Static files the shell needs offline (icons for the manifest included).
SHELL_ASSET_SUFFIXES = (".css", ".js", ".png", ".svg", ".woff2")


#: The worker's source files, in order (push.js: reminders; outbox-sync.js:
#: Background Sync; forms.js: forms sent as pages, kept on the page offline).
#: Together they are one module worker: it imports the modules the pages use
#: (``import ... from "/static/js/outbox.js"``), served with their content hash.
WORKER_FILES = ("sw.js", "push.js", "outbox-sync.js", "forms.js")
_STATIC_IMPORT = re.compile(r'(\bfrom\s+")/static/([^"?]+)(")')


def _worker_source() -> str:
    folder = resources.files("service_worker")
    return "\n".join(folder.joinpath(name).read_text("utf-8") for name in WORKER_FILES)


def _with_hashed_imports(source: str) -> str:
    """Each ``from "/static/x.js"`` as ``from "/static/x.js?v=<hash>"``."""
    return _STATIC_IMPORT.sub(lambda m: f"{m.group(1)}{asset_url(m.group(2))}{m.group(3)}", source)


@lru_cache(maxsize=4)
def _templates_digest(root: str) -> str:
    """One hash over every template, so a changed page changes the worker."""
    digest = hashlib.sha256()
    for folder in sorted(Path(root).rglob("templates")):
        for name, value in hash_tree(folder).items():
            digest.update(f"{name}:{value}\n".encode())
    return digest.hexdigest()


def shell_assets(language: str | None, pages: list[str]) -> list[str]:
    """Hashed URLs of the static files the shell needs offline (in the offline
    pack), with the scripts' words in the person's language: of the scripts,
    those the kept ``pages`` can run (``page_modules.used_offline``)."""
    from webapp.page_modules import used_offline

    scripts = used_offline(
        current_app.extensions["steady.page_starts"], current_app.extensions["steady.page_sources"], pages
    )
    assets = [
        asset_url(name)
        for name in sorted(asset_hashes())
        if name.endswith(SHELL_ASSET_SUFFIXES) and (not name.endswith(".js") or name in scripts)
    ]
    words = strings_url(language)
    return [*assets, words] if words else assets


def build_record() -> dict:
    """The version and what the worker needs to answer pages, injected into
    it; the list of static files to precache travels in the offline pack."""
    hashes = asset_hashes()
    content = current_app.extensions["steady.content"]
    pages = [url_for(endpoint) for endpoint in SHELL_PAGES]
    pages += [url_for("toolkit.feeling", feeling_id=f) for f in content.feelings]
    pages += [url_for("toolkit.exercise", exercise_id=e) for e in content.exercises]
    pages += learn_pages()
    digest = hashlib.sha256()
    digest.update(_worker_source().encode())
    digest.update(_templates_digest(current_app.root_path).encode())
    digest.update(template_space.VERSION.encode())  # how the templates' space is taken out
    # The pages and content are kept in the person's language only: a worker
    # (and an offline pack) per language, so choosing another language brings
    # a new worker that caches that one.
    language = i18n.choose()
    digest.update(language.encode())
    digest.update(current_app.extensions["steady.libraries"][language].version.encode())
    digest.update(current_app.extensions["steady.learnings"][language].version.encode())
    digest.update((strings_url(language) or "").encode())
    for name in sorted(hashes):
        digest.update(f"{name}:{hashes[name]}\n".encode())
    return {
        "version": digest.hexdigest()[:16],
        "language": language,
        "pages": pages,
        "offlinePage": url_for("core.offline"),
        "languageUrl": url_for("core.choose_language"),
        # The worker fetches its pack without cookies: the language travels in the address.
        "pack": url_for("pwa.offline_pack", v=digest.hexdigest()[:16], lang=language),
        "offlineCopies": copy_urls(),
        "contentUrl": url_for("toolkit.content_bundle"),
        "icon": asset_url("icons/icon-192.png"),
        # The worker's last-resort words, in the worker's language: a push that
        # carries no readable message, and a page asked for offline when not even
        # the offline page is kept.
        "texts": {"reminder": _("You have a reminder."), "offline": _("You are offline.")},
    }


@lru_cache(maxsize=4)
def _worker_code(static_folder: str, assets_key: str) -> str:
    """The worker's code, minified: with the page modules it imports inlined
    (webapp/pwa/bundle.py), or, if they cannot be, importing them by hashed URL."""
    source = _worker_source()
    try:
        code = bundle_worker(source, Path(static_folder))
    except Unbundleable as error:
        current_app.logger.warning("The service worker imports its modules one by one: %s", error)
        code = _with_hashed_imports(source)
    try:
        return minify_js(code)
    except ValueError:
        return code


@bp.get("/sw.js")
def service_worker():
    """The worker, with this build's record. The same for everyone in one
    language and holding no secret, so it goes out compressed (the smallest
    encoding the browser accepts) under an ETag: the browser's update check,
    on every navigation a day, is answered 304 while nothing changed."""
    hashes = asset_hashes()
    assets_key = hashlib.sha256("".join(f"{k}:{v}" for k, v in sorted(hashes.items())).encode()).hexdigest()
    code = _worker_code(current_app.static_folder, assets_key)
    # The shell pages' list stays out of the worker (the offline pack holds them).
    record = {key: value for key, value in build_record().items() if key != "pages"}
    body = (f"const STEADY_BUILD = {json.dumps(record, separators=(',', ':'))};\n" + code).encode()
    digest = hashlib.sha256(body).digest()
    encoding = pick_encoding()
    packed = compressed(body, encoding, digest) if encoding != "identity" else None
    response = Response(packed or body, mimetype="text/javascript")
    if packed is None:
        encoding = "identity"
    else:
        response.headers["Content-Encoding"] = encoding
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    response.vary.update(("Accept-Encoding", "Accept-Language", "Cookie"))
    response.set_etag(f"{digest.hex()[:32]}-{encoding}")
    return response.make_conditional(request)


#: The offline pack of each build: {version: (json bytes, gzip, brotli)}.
_PACKS: dict[str, tuple[bytes, bytes, bytes | None]] = {}
_PACKS_LOCK = threading.Lock()


def _render_public(paths: list[str], language: str = "en") -> list[list[str]]:
    """[[path, content type, body]] of each page as someone signed out sees it
    (rendered without cookies, like the worker's old ``credentials: "omit"``
    fetches), in ``language``; a page that is not a plain public 200 is left out."""
    client = current_app.test_client(use_cookies=False)
    entries = []
    for path in paths:
        # Each page in an app context of its own: nothing of the request that
        # asked for the pack (its ``g``: who is signed in) reaches the page.
        # The language as the device's choice (the cookie): a pseudo-locale too.
        with current_app.app_context():
            response = client.get(path, headers={"Accept-Encoding": "identity", "Cookie": f"{i18n.COOKIE}={language}"})
        cache_control = response.headers.get("Cache-Control", "")
        if response.status_code != 200 or re.search(r"no-store|private", cache_control, re.I):
            continue
        entries.append(
            [path, response.headers.get("Content-Type", "text/html; charset=utf-8"), response.get_data(as_text=True)]
        )
    return entries


def build_pack() -> tuple[str, tuple[bytes, bytes, bytes | None]]:
    """This build's offline pack: the static files to precache (their hashed
    URLs) and every shell page and the content bundle in one response, the
    pages' shared frame once: about a third of the bytes of the same pages
    fetched one by one; the pages in the order that compresses best
    (webapp/pwa/pack_order.py)."""
    record = build_record()
    version = record["version"]
    with _PACKS_LOCK:
        if version not in _PACKS:
            entries = _render_public([*record["pages"], record["contentUrl"]], record["language"])
            parts, pieces = shared_parts(entries)
            pack = {
                "version": version,
                "assets": shell_assets(record["language"], [body for _, kind, body in entries if "html" in kind]),
                # What every page carries from the server (its Content-Security-
                # Policy first): the worker puts them on each page it keeps, so a
                # page answered offline is held to the same policy as online.
                "headers": dict(FIXED_HEADERS),
                # What two pages or more hold (their frame), once; each entry's
                # body is pieces: its own text, or an index in ``parts``.
                "parts": parts,
                "entries": best_order(pieces),
            }
            body = json.dumps(pack, separators=(",", ":"), ensure_ascii=False).encode()
            packed = (
                body,
                gzip.compress(body, compresslevel=9, mtime=0),
                brotli.compress(body, quality=11) if brotli else None,
            )
            if len(_PACKS) >= 2 * len(i18n.LANGUAGES):  # this build's pack in each language, and the last one's
                _PACKS.clear()
            _PACKS[version] = packed
        return version, _PACKS[version]


@bp.get("/offline-pack.json")
def offline_pack():
    """Every page kept for offline use, in one response (the worker unpacks it
    into its cache at install). The same for everyone; no-cache, with an ETag."""
    version, (body, gz, br) = build_pack()
    encoding = pick_encoding(("br", "gzip") if br is not None else ("gzip",))
    response = Response({"br": br, "gzip": gz}.get(encoding) or body, mimetype="application/json")
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding
    response.vary.update(("Accept-Encoding", "Accept-Language", "Cookie"))
    response.set_etag(f"{version}-{encoding}")
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


@bp.get("/i18n/<language>.json")
def strings(language: str):
    """The browser scripts' words in one language (webapp/js_strings.py),
    cached for a year under its content hash like every static file."""
    from flask import abort

    if i18n.available(language) != language or language == "en":
        abort(404)
    body, version = js_strings.payload(language)
    response = Response(body, mimetype="application/json")
    if request.args.get("v") == version:
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    response.set_etag(version)
    return response.make_conditional(request)


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: what the installed app is called and looks like,
    in the language of the device that asks."""
    data = {
        "id": "/",
        "name": _("Steady — support through benzodiazepine withdrawal"),
        "short_name": "Steady",
        "description": _("Grounding exercises, your people, check-ins and your taper, even offline."),
        "lang": i18n.choose(),
        "dir": i18n.direction(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f6f4ef",
        "theme_color": "#2f5d62",
        "categories": ["health", "medical", "lifestyle"],
        "icons": [
            {"src": asset_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": asset_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": asset_url("icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        "shortcuts": [
            {
                "name": _("Help now"),
                "short_name": _("Help now"),
                "description": _("Emergency and crisis help"),
                "url": url_for("core.help_now"),
                "icons": [{"src": asset_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"}],
            },
            {
                "name": _("How do you feel?"),
                "short_name": _("Feelings"),
                "description": _("Exercises for what is happening right now"),
                "url": url_for("toolkit.feelings"),
                "icons": [{"src": asset_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"}],
            },
        ],
    }
    response = jsonify(data)
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    response.vary.update(("Accept-Language", "Cookie"))
    return response
