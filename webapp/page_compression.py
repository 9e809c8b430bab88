"""Pages are compressed only when they hold no secret.

Compression tells how alike a response's parts are. When a compressed page
holds a secret (a CSRF token, someone's data) beside text a stranger can
choose (a query string or a form field sent back in the page), the stranger
can learn the secret from the sizes of many such responses (BREACH). So a page
goes out compressed only when it holds nothing of the kind:

* nobody is signed in: every page of someone signed in stays plain;
* no CSRF token was made while it was built (Flask-WTF keeps the token of the
  request in ``g`` under the form field's name): ``/login``, ``/register``
  and every other form stay plain;
* it shows no flashed message (those come from someone's session);
* it is not marked ``private`` or ``no-store`` (a plan shared by link).

What is left is the same for every visitor (the toolkit and its exercises,
Learn, Help now, Find help, the offline copies' frames): it goes out in the
smallest encoding the browser accepts (Brotli, gzip), compressed as the static
files are (``webapp.assets.compress``), with ``Vary: Accept-Encoding``; a
browser that accepts neither gets it plain.
"""

from __future__ import annotations

import hashlib
import re
import threading

from flask import Flask, current_app, g
from flask.globals import request_ctx
from flask_login import current_user

from webapp.assets import compress, pick_encoding

#: Cache-Control directives that mark a page as someone's.
_PERSONAL = re.compile(r"\b(private|no-store)\b", re.I)
#: Compressed pages kept, by the hash of their bytes: a public page is the same
#: for every visitor, so each is compressed once per language and build.
_KEPT_PAGES = 512
_kept: dict[tuple[bytes, str], bytes | None] = {}
_kept_lock = threading.Lock()


def csrf_token_made() -> bool:
    """Whether a CSRF token was made during this request (Flask-WTF's ``generate_csrf``)."""
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g


def holds_no_secret(response) -> bool:
    """Whether this HTML response may be compressed: see the module's rule."""
    if current_user.is_authenticated or csrf_token_made():
        return False
    if request_ctx.flashes:  # set once the page asked for its flashed messages
        return False
    return not _PERSONAL.search(response.headers.get("Cache-Control", ""))


def compressed(body: bytes, encoding: str, digest: bytes | None = None) -> bytes | None:
    """``body`` in ``encoding`` (as ``webapp.assets.compress``), compressed once
    and kept by the hash of its bytes (``digest``, its SHA-256, when the
    caller has it already): for what is the same for everyone."""
    key = (digest or hashlib.sha256(body).digest(), encoding)
    with _kept_lock:
        if key in _kept:
            return _kept[key]
    packed = compress(body, encoding)
    with _kept_lock:
        if len(_kept) >= _KEPT_PAGES:
            _kept.pop(next(iter(_kept)))
        _kept[key] = packed
    return packed


def compress_page(response):
    """An HTML page that holds no secret, in the encoding the browser prefers."""
    if (
        response.mimetype != "text/html"
        or response.direct_passthrough
        or response.is_streamed
        or "Content-Encoding" in response.headers
        or "ETag" in response.headers  # its tag names its plain bytes
        or not holds_no_secret(response)
    ):
        return response
    response.vary.add("Accept-Encoding")
    encoding = pick_encoding()
    if encoding == "identity":
        return response
    packed = compressed(response.get_data(), encoding)
    if packed is not None:
        response.set_data(packed)
        response.headers["Content-Encoding"] = encoding
    return response


def init_app(app: Flask) -> None:
    """Registered before every other ``after_request`` hook, so it runs after
    them all: it sees the page's final headers."""
    app.after_request(compress_page)
