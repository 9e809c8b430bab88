"""Whole pages that are the same for everyone who reads them in one
language (the toolkit and its exercises), drawn once per process and given
again without running their templates.

Such a page differs from one visitor to the next only in what ``base.html``
adds for someone signed in: the CSRF token, the person's id and their zone
and the offline copy's tag (``<meta>`` tags for the page's scripts). The page is drawn with a slot in
place of each of those (random text made at start-up, which no page holds
otherwise) and kept; each request fills the slots with its own values,
escaped as the template would escape them, so no one's token, id or zone is
ever kept. The key holds everything else the drawing reads: the template
and the view's own key (the content's version, the exercise), the path and
endpoint (the bottom bar's current page, the language switcher's ``next``,
whether the page stays open on a locked device), the script root, the
language and whether someone is signed in (which ``<meta>`` tags and which
bottom-bar link there are) and whether the app lock holds the session (a
locked one is given no zone). A page that would show flashed messages, one
asked for with a query string (``?lang=``...) and every page of an app that
reloads its templates is drawn afresh, as any other page is.

The response goes through every ``after_request`` hook as before (headers,
no-store for someone signed in, compression only without a secret); the
modules the page asks to preload (``webapp/page_modules.py``) are kept with
it."""

from __future__ import annotations

import secrets

from flask import current_app, g, render_template, request, session
from flask_login import current_user
from markupsafe import escape

from webapp import i18n
from webapp.services import data_version, offline_copy

#: How many drawn pages an app keeps (paths x languages x signed in or not).
PAGES_KEPT = 1024
#: How many pages drawn for one person an app keeps, and their bytes at most.
PERSONAL_PAGES_KEPT = 1024
PERSONAL_PAGES_BYTES = 32 * 1024 * 1024
_SLOT = secrets.token_hex(12)
#: What stands for each person's value while a page is drawn to be kept.
CSRF_SLOT = f"steadyslot{_SLOT}csrf"
USER_SLOT = f"steadyslot{_SLOT}user"
ZONE_SLOT = f"steadyslot{_SLOT}zone"
DATA_SLOT = f"steadyslot{_SLOT}data"


class _SignedInSlot:
    """Stands for the signed-in person while a kept page is drawn: its id is
    a slot; anything else about the person is refused (a page that showed it
    would not be the same for everyone, so it must not be drawn this way)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    id = USER_SLOT

    def __getattr__(self, name: str):
        raise RuntimeError(f"a shared page read current_user.{name}: it is not the same for everyone")


class _Page(str):
    """A drawn page, with the modules it asks to preload."""

    preloads: tuple[str, ...] = ()


def _filled(page: str) -> str:
    if CSRF_SLOT in page:
        from flask_wtf.csrf import generate_csrf

        page = page.replace(CSRF_SLOT, str(escape(generate_csrf())))
    if USER_SLOT in page:
        page = page.replace(USER_SLOT, str(escape(current_user.id)))
    if ZONE_SLOT in page:
        from webapp import words

        page = page.replace(ZONE_SLOT, str(escape(words.person_zone())))
    if DATA_SLOT in page:
        page = page.replace(DATA_SLOT, offline_copy.page_tag())
    return page


def _drawn_afresh(query: bool = False) -> bool:
    return bool(
        (request.query_string and not query)
        or current_app.jinja_env.auto_reload
        or current_app.debug
        or session.get("_flashes")
        or request.method not in ("GET", "HEAD")
    )


def render(template: str, key: tuple, *, personal: bool = False, **context) -> str:
    """``render_template(template, **context)`` for a page the same for
    everyone (see the module); ``key`` is what else the page is drawn from
    (the content's version, the item shown).

    ``personal``: a page drawn from one person's rows, whose ``key`` says
    which person and which rows (``data_version.person_key``: their id and
    the fingerprint of every row it reads, their time, the language); it is
    kept apart from the shared pages, and its query string (checked by the
    view) is part of the key."""
    if _drawn_afresh(query=personal) or (personal and key is None):
        return render_template(template, **context)
    from webapp.security import session_locked

    signed_in = bool(current_user.is_authenticated)
    whole_key = (
        template,
        key,
        request.path,
        request.query_string if personal else b"",
        request.endpoint,
        request.script_root,
        i18n.choose(),
        signed_in,
        signed_in and session_locked(),  # base.html leaves the zone out while the lock holds
    )
    if personal:
        kept = data_version.kept(current_app, "personal_pages", PERSONAL_PAGES_KEPT, max_bytes=PERSONAL_PAGES_BYTES)
    else:
        kept = data_version.kept(current_app, "shared_pages", PAGES_KEPT)
    page = kept.get(whole_key)
    if page is None:
        slots = {
            "csrf_token": lambda: CSRF_SLOT,
            "steady_zone_name": lambda: ZONE_SLOT,
            "steady_copy_tag": lambda: DATA_SLOT,
        }
        if signed_in:
            slots["current_user"] = _SignedInSlot()
        page = _Page(render_template(template, **context, **slots))
        page.preloads = tuple(g.get("module_preloads") or ())
        kept.put(whole_key, page)
    g.module_preloads = list(page.preloads)
    return _filled(str(page))
