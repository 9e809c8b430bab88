"""Content-hashed static assets, served precompressed.

At start-up every static file is read once into a manifest:

* each file's URL carries its content hash: templates link
  ``asset_url('css/app.css')`` → ``/static/css/app.css?v=<hash>``;
* a JavaScript module's relative imports (``from "./x.js"``,
  ``import("./x.js")``) are rewritten to carry the imported file's hash too,
  so the page and the service worker's precache fetch the same URL once, and
  a new version never mixes old and new modules. A module's hash covers every
  module it reaches, so a change anywhere below it changes its URL;
* scripts and style sheets are served minified (webapp/minify.py: comments
  and indentation go, nothing is renamed);
* text files are compressed once, as the app starts (Brotli and gzip); each request
  gets the smallest encoding it accepts, or the plain file.

A URL with the current hash is cacheable for a year (``immutable``); any
other ``?v=`` (an old page asking for an old version) gets the current file
with ``no-cache``, never a 404 that would break that page's modules.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import posixpath
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, abort, current_app, request, url_for

from webapp.minify import minify_css, minify_js

try:  # Brotli is optional: without it, gzip and the plain file are served.
    import brotli
except ImportError:  # pragma: no cover - the dependency is declared
    brotli = None

#: Files worth compressing (images and fonts are compressed already).
COMPRESSIBLE = (".js", ".mjs", ".css", ".svg", ".json", ".webmanifest", ".txt", ".html", ".map")
#: Compressed copies smaller than the plain file by fewer bytes than this are not used.
MIN_SAVING = 64
IMMUTABLE = "public, max-age=31536000, immutable"
BROTLI_QUALITY = 5
HASH_LENGTH = 12

#: A relative module specifier in a static import, export or dynamic import.
_IMPORT = re.compile(
    r"""(?P<lead>\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(?P<quote>["'])(?P<spec>\.{1,2}/[^"'?#\s]+?\.m?js)(?P=quote)"""
)


@dataclass(frozen=True)
class Asset:
    body: bytes  # what is served (JS with hashed imports)
    digest: str  # sha256 hex of the served body and all it imports
    mimetype: str
    gzip: bytes | None = None
    br: bytes | None = None

    @property
    def version(self) -> str:
        return self.digest[:HASH_LENGTH]


def hash_tree(folder: Path) -> dict[str, str]:
    """{relative posix path: sha256 hex} for every file under ``folder``."""
    hashes: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            hashes[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def _imports(name: str, text: str, known: set[str]) -> dict[str, str]:
    """{specifier as written: the static file it names} for ``name``'s relative imports."""
    found: dict[str, str] = {}
    base = posixpath.dirname(name)
    for match in _IMPORT.finditer(text):
        target = posixpath.normpath(posixpath.join(base, match["spec"]))
        if target in known:
            found[match["spec"]] = target
    return found


def _reach(start: str, graph: dict[str, dict[str, str]]) -> list[str]:
    seen = {start}
    todo = [start]
    while todo:
        for target in graph.get(todo.pop(), {}).values():
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return sorted(seen)


def compress(body: bytes, encoding: str) -> bytes | None:
    """``body`` in ``encoding`` (``br`` or ``gzip``), or None when that encoding is
    not available or saves fewer than ``MIN_SAVING`` bytes."""
    if encoding == "gzip":
        packed = gzip.compress(body, compresslevel=9, mtime=0)
    elif encoding == "br" and brotli is not None:
        # Quality 5: within 10% of the slowest setting's size at a tenth of its time,
        # so every worker can compress the whole tree as it starts.
        packed = brotli.compress(body, quality=BROTLI_QUALITY)
    else:
        return None
    return packed if len(packed) + MIN_SAVING <= len(body) else None


def _compress(body: bytes, name: str) -> tuple[bytes | None, bytes | None]:
    if not name.endswith(COMPRESSIBLE):
        return None, None
    return compress(body, "gzip"), compress(body, "br")


def build_manifest(folder: Path) -> dict[str, Asset]:
    """Read, hash, rewrite and compress every static file under ``folder``."""
    raw = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }
    modules = {name: data.decode("utf-8") for name, data in raw.items() if name.endswith((".js", ".mjs"))}
    graph = {name: _imports(name, text, set(raw)) for name, text in modules.items()}
    # A module's hash covers the bytes of everything it reaches (cycles included).
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in raw.items()}
    for name in modules:
        reached = _reach(name, graph)
        if len(reached) > 1:
            combined = hashlib.sha256()
            for part in reached:
                combined.update(part.encode() + b"\0" + digests_raw(raw, part) + b"\0")
            digests[name] = combined.hexdigest()
    manifest: dict[str, Asset] = {}
    for name, data in raw.items():
        body = data
        if name in modules and graph[name]:

            def hashed(match: re.Match, imports=graph[name]) -> str:
                target = imports.get(match["spec"])
                if target is None:
                    return match.group(0)
                quote = match["quote"]
                return f"{match['lead']}{quote}{match['spec']}?v={digests[target][:HASH_LENGTH]}{quote}"

            body = _IMPORT.sub(hashed, modules[name]).encode("utf-8")
        body = _minified(name, body)
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if name.endswith((".js", ".mjs")):
            mimetype = "text/javascript"
        if mimetype.startswith("text/") or mimetype in (
            "image/svg+xml",
            "application/json",
            "application/manifest+json",
        ):
            mimetype += "; charset=utf-8"
        gz, br = _compress(body, name)
        manifest[name] = Asset(body=body, digest=digests[name], mimetype=mimetype, gzip=gz, br=br)
    return manifest


def _minified(name: str, body: bytes) -> bytes:
    """The served form of a script or style sheet: without comments and indentation."""
    try:
        if name.endswith((".js", ".mjs")):
            return minify_js(body.decode("utf-8")).encode("utf-8")
        if name.endswith(".css"):
            return minify_css(body.decode("utf-8")).encode("utf-8")
    except ValueError:  # a syntax the minifier does not know: serve it as written
        pass
    return body


def digests_raw(raw: dict[str, bytes], name: str) -> bytes:
    return hashlib.sha256(raw[name]).digest()


_CACHE: dict[tuple, dict[str, Asset]] = {}
_CACHE_LOCK = threading.Lock()


def manifest_for(folder: Path) -> dict[str, Asset]:
    """The manifest of ``folder``, built once per process for the same files."""
    stamp = tuple(
        (path.as_posix(), path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    )
    key = (folder.resolve().as_posix(), stamp)
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE.clear()
            _CACHE[key] = build_manifest(folder)
        return _CACHE[key]


def asset_manifest() -> dict[str, Asset]:
    return current_app.extensions["steady.asset_manifest"]


def asset_hashes() -> dict[str, str]:
    """{file: hash} of every static file (a module's hash covers its imports)."""
    return current_app.extensions["steady.assets"]


def asset_url(filename: str) -> str:
    asset = asset_manifest().get(filename)
    if asset is None:
        raise KeyError(f"no static file {filename!r}")
    return url_for("static", filename=filename, v=asset.version)


def pick_encoding(offered: tuple[str, ...] | None = None) -> str:
    """The smallest of the ``offered`` encodings (default: every one this
    server can make) this request accepts, Brotli before gzip, or
    ``identity`` when it accepts none of them."""
    if offered is None:
        offered = ("br", "gzip") if brotli is not None else ("gzip",)
    accepted = request.accept_encodings
    for encoding in ("br", "gzip"):
        if encoding in offered and accepted[encoding] > 0:
            return encoding
    return "identity"


def _encoding(asset: Asset) -> str:
    """The smallest encoding of ``asset`` this request accepts: ``br``, ``gzip`` or ``identity``."""
    return pick_encoding(tuple(name for name, packed in (("br", asset.br), ("gzip", asset.gzip)) if packed is not None))


def serve_static(filename: str):
    """Flask's static view, from the manifest: precompressed, hashed imports."""
    asset = asset_manifest().get(filename)
    if asset is None:
        abort(404)
    encoding = _encoding(asset)
    body = {"br": asset.br, "gzip": asset.gzip}.get(encoding) or asset.body
    response = current_app.response_class(body, content_type=asset.mimetype)
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding
    if asset.gzip is not None or asset.br is not None:
        response.vary.add("Accept-Encoding")
    response.set_etag(f"{asset.digest[:32]}-{encoding}")
    current = request.args.get("v") == asset.version
    response.headers["Cache-Control"] = IMMUTABLE if current else "no-cache"
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    manifest = manifest_for(Path(app.static_folder))
    app.extensions["steady.asset_manifest"] = manifest
    app.extensions["steady.assets"] = {name: asset.digest for name, asset in manifest.items()}
    app.jinja_env.globals["asset_url"] = asset_url
    if "static" in app.view_functions:
        app.view_functions["static"] = serve_static
