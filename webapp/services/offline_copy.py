"""The offline copy's tag: what a person's offline copy (``GET
/api/snapshot``) is worked out from, as one value, so a page can tell the
device whether the copy it holds is still current.

The snapshot's answer carries the tag (``Steady-Data``), and the device keeps
it with the copy (snapshot.js); every page drawn for the person carries the
tag of the moment it was drawn (``<meta name="steady-data">``, base.html).
When the two are the same, nothing the copy could show has changed, so the
page does not ask for it again. The tag is made from the fingerprint of the
person's rows and their circle's (``data_version``: PostgreSQL's own record
of change, so no write path can forget it), their time and the language, as
the snapshot's own kept answers are keyed, and the build (a new one may
draw the same rows differently). Without a fingerprint (SQLite)
there is no tag, and the device always asks.
"""

from __future__ import annotations

import hashlib

from flask import Flask, g, has_request_context
from flask_login import current_user

from webapp.services import build, data_version


def tag(found: dict[str, str] | None) -> str | None:
    """The tag for ``found`` (``data_version.fingerprints``), or None."""
    from webapp import words

    if found is None:
        return None
    shared = words.answer_key()
    return hashlib.sha256(repr((current_user.id, data_version.combined(found), shared)).encode()).hexdigest()[:32]


def page_tag() -> str:
    """The tag of the fingerprint read with this page's session
    (``security.read_with_session``), or "" when none was."""
    held = g.get("steady_page_read") if has_request_context() else None
    if held is None or not current_user.is_authenticated or held[0] != current_user.id:
        return ""
    return tag(held[1]) or ""


def init_app(app: Flask) -> None:
    app.add_template_global(page_tag, "steady_copy_tag")
    build.build_tag()  # read once as the process starts, not by the first person's request
