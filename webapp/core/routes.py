from __future__ import annotations

import hashlib

from flask import current_app, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import HTTPException

from webapp.api import json_error
from webapp.chart import routes as chart_routes
from webapp.core import bp
from webapp.errors import error_response
from webapp.extensions import csrf, db
from webapp.services import data_version, offline_copy


@bp.get("/")
def index():
    """Home, the daily hub. A guest gets the page the service worker keeps
    for offline use; a signed-in person also gets big buttons to their
    check-ins, taper, chart and summary (two taps from here at most, people
    saved or not) and, unless the app lock holds this session, today's step."""
    return render_template("core/index.html", today_step=_today_step())


def _today_step() -> dict | None:
    """Today's taper step for the home screen, or None: signed out, no plan,
    no step started yet, or the session locked (home stays open when locked,
    so nothing of the person's may show then)."""
    if not current_user.is_authenticated:
        return None
    from webapp.lock.routes import state_of

    record = getattr(current_user, "session_record", None)
    if record is not None and state_of(record) == "locked":
        return None
    from webapp.services import person_time, records
    from webapp.services.taper import format_amount, step_in_force

    plan = records.taper_plan(db.session, current_user.id)
    if plan is None:
        return None
    step = step_in_force(records.taper_steps(db.session, current_user.id), person_time.today_for(current_user))
    if step is None:
        return None
    return {
        "amount": format_amount(step.daily_dose, plan.unit),
        "times": [
            {"time": str(item.get("time", "")), "amount": format_amount(item.get("amount"), plan.unit)}
            for item in (step.dose_times or [])
            if isinstance(item, dict)
        ],
        "since": step.starts_on,
    }


@bp.get("/help")
def help_now():
    """Help now: the person's own people first (filled in on the device), the
    emergency number and crisis lines for their country, the international
    directory, and a quick grounding exercise. The page holds every country;
    the device shows the one chosen or guessed from its time zone and language
    (``?country=`` without JS)."""
    from webapp import i18n
    from webapp.checkins.checks import SOURCES

    content = i18n.library()  # in the page's language; the country is the device's
    selected = request.args.get("country", "")
    return render_template(
        "core/help.html",
        countries=content.countries.values(),
        directory=content.directory,
        selected=selected if selected in content.countries else "",
        sources=SOURCES,
    )


@bp.post("/language")
@csrf.exempt
def choose_language():
    """The footer's language switcher: remembered on this device (a cookie)
    and, signed in and not locked, in the account (so notifications come in it too). Back to
    the page it was chosen on. Not CSRF-protected on purpose: it is on every
    page, cached pages included, and changes nothing but the words; a post
    from another site carries no session cookie (SameSite=Lax), so it can
    never change an account."""
    from webapp import i18n
    from webapp.auth.routes import safe_next
    from webapp.security import session_locked

    origin = request.headers.get("Origin")
    if origin and origin not in ("null", request.host_url.rstrip("/")):
        return error_response(400, _("Choose the language from Steady's own page."))
    language = i18n.available(request.form.get("language"))
    if language is None:
        return error_response(
            400, _("Choose one of the languages offered: %(names)s.", names=", ".join(i18n.NAMES.values()))
        )
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(
        i18n.COOKIE,
        language,
        max_age=i18n.COOKIE_AGE,
        samesite="Lax",
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    # Locked, the words on this device change (Help now in the person's
    # language) but the account does not: whoever holds the phone may not be them.
    if current_user.is_authenticated and not session_locked() and getattr(current_user, "language", None) != language:
        current_user.language = language
        db.session.commit()
    return response


@bp.get("/offline")
def offline():
    """Shown by the service worker when a page is not available offline."""
    return render_template("core/offline.html")


@bp.get("/install")
def install():
    """How to add Steady to the home screen on each kind of phone."""
    return render_template("core/install.html")


@bp.get("/api/session")
def session_info():
    """Who is signed in here, and a fresh CSRF token for fetch writes (the
    offline outbox asks before replaying)."""
    if not current_user.is_authenticated:
        response = jsonify(user=None)
    else:
        response = jsonify(user=current_user.id, csrf_token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


#: Reads that are not a person's data, or not JSON to keep: never snapshot parts.
NOT_SNAPSHOT_PARTS = {
    "core.session_info",
    "core.snapshot",
    "toolkit.content_bundle",
    "openapi.spec",
    "reminders.vapid_key",
}
MAX_SNAPSHOT_PARTS = 20
#: Parts whose answer depends only on the rows ``services.data_version``
#: fingerprints, the person's day (today where they are), the language of
#: the request and this running build: checked by reading each view (none
#: reads the clock beyond today, a header, or another person's rows outside
#: the circle), each with every table it reads (besides
#: ``data_version.ALWAYS``, the person's row and the circle, always counted,
#: and what the person's zone is read from, their time being in every key;
#: ``tests/integration/test_snapshot_unchanged.py`` runs each view and
#: fails if it reads a table not named here). A snapshot made only of these
#: can be answered 304 from the fingerprint alone, and each part's answer is
#: kept under the fingerprint of its own tables, so a write to one table
#: (a check-in) works out again only the parts that read it. Any other part
#: is always worked out.
PART_TABLES: dict[str, frozenset[str]] = {
    "toolkit.state": frozenset({"favourite_exercises", "recent_exercises"}),
    "cards.api_list": frozenset({"coping_cards"}),
    "toolkit.list_thought_records": frozenset({"thought_records"}),
    "people.api_network": frozenset({"message_templates", "support_contacts", "support_groups", "support_settings"}),
    "plan.api_plan": frozenset({"wave_plans"}),
    "checkins.list_checkins": frozenset({"check_ins"}),
    "taper.snapshot": frozenset({"dose_logs", "taper_plans", "taper_steps"}),
    "chart.api_chart": chart_routes.TABLES,
    "helpme.api_help_me": frozenset({"help_me"}),
}
UNCHANGED_WITHOUT_WORK = frozenset(PART_TABLES)
#: How many parts' answers an app keeps (``_kept_parts``), and their bytes at most.
PARTS_KEPT = 8192
PARTS_KEPT_BYTES = 64 * 1024 * 1024


def _kept_parts() -> data_version.Kept:
    """``data_version.person_key("part", path, tables=...)`` -> that part's
    JSON as its view wrote it, kept by this app in this process."""
    return data_version.kept(current_app, "snapshot_parts", PARTS_KEPT, max_bytes=PARTS_KEPT_BYTES)


def _part_body(path: str, endpoint: str, keyed: bool) -> bytes:
    """One part's JSON: kept from the last time it was worked out from the
    same rows of the tables it reads (``keyed``: the snapshot is made only of
    ``PART_TABLES`` parts and the rows can be fingerprinted), else its view's."""
    key = data_version.person_key("part", path, tables=PART_TABLES[endpoint]) if keyed else None
    body = _kept_parts().get(key)
    if body is not None:
        return body
    answer = current_app.make_response(current_app.ensure_sync(current_app.view_functions[endpoint])())
    if answer.status_code != 200 or not answer.is_json:
        json_error(answer.status_code if answer.status_code >= 400 else 502, f"'{path}' could not be read just now.")
    body = answer.get_data()
    _kept_parts().put(key, body)
    return body


def _keyed(endpoints: list[str]) -> bool:
    """Whether the snapshot's answer is worked out only from what its keys
    hold: every part is one of ``UNCHANGED_WITHOUT_WORK`` and the database
    can fingerprint the person's rows."""
    if not all(endpoint in UNCHANGED_WITHOUT_WORK for endpoint in endpoints):
        return False
    return data_version.fingerprints(db.session, current_user.id) is not None


@bp.get("/api/snapshot")
@login_required
def snapshot():
    """Several parts of the offline snapshot in one answer: each ``part`` is
    the path of a signed-in JSON read (``/api/cards``, ``/api/people``...),
    answered by that read's own view, so one sync is one request (one session
    lookup, one connection) instead of one per part.

    Unchanged answers cost little: the answer has an ``ETag`` and
    ``If-None-Match`` with it gets a bodiless 304; each part has its own tag
    in ``etags``, and a part whose current tag is sent back as ``have=<tag>``
    comes back as ``null`` and is named in ``unchanged``.

    When every part is one whose answer depends only on the fingerprinted
    rows (``_keyed``), each part's tag is a hash of what it is worked
    out from (``_part_tag``: the fingerprint of the tables it reads, the
    person's day, the language, the build), the same in every worker
    process: the 304 comes without running a view, and after a change only
    the parts whose tag the device does not hold are worked out (from the
    answer kept from the same rows, when this process has one:
    ``_part_body``). Otherwise each part's tag is a hash of what it holds."""
    paths = request.args.getlist("part")
    if not paths or len(paths) > MAX_SNAPSHOT_PARTS or len(set(paths)) != len(paths):
        json_error(400, f"Ask for 1 to {MAX_SNAPSHOT_PARTS} different parts, like ?part=/api/cards&part=/api/people.")
    have = set(request.args.getlist("have")[:MAX_SNAPSHOT_PARTS])
    adapter = current_app.url_map.bind("localhost")
    endpoints: list[str] = []
    for path in paths:
        try:
            endpoint, arguments = adapter.match(path, method="GET")
        except HTTPException:
            endpoint, arguments = None, None
        if endpoint is None or arguments or not path.startswith("/api/") or endpoint in NOT_SNAPSHOT_PARTS:
            json_error(400, f"'{path[:60]}' is not a part of the offline copy.")
        endpoints.append(endpoint)
    with data_version.read_once(db.session, current_user.id):  # one fingerprint read for the whole answer
        if _keyed(endpoints):
            whole = _whole_tag(paths, {path: _part_tag(path, e) for path, e in zip(paths, endpoints, strict=True)})
            if request.if_none_match.contains(whole):  # the 304 the full answer gets, headers and all
                return _tagged(current_app.response_class(mimetype="application/json"), whole, _copy_tag())
    # Worked out, and kept, from one snapshot of the database (its keys' too).
    with data_version.consistent(db.session, current_user.id):
        keyed = _keyed(endpoints)
        copy_tag = _copy_tag() if keyed else None
        parts: dict = {}
        etags: dict[str, str] = {}
        for path, endpoint in zip(paths, endpoints, strict=True):
            if keyed:  # tagged by what it is worked out from: a part the device holds is not worked out
                etags[path] = _part_tag(path, endpoint)
                body = None if etags[path] in have else _part_body(path, endpoint, keyed=True)
            else:  # tagged by what it holds
                body = _part_body(path, endpoint, keyed=False)
                etags[path] = _tag(path.encode() + b"\0" + body)
            parts[path] = None if etags[path] in have else body.strip()
        whole = _whole_tag(paths, etags)
    # Each part's JSON goes in as its view wrote it: not read back and written again.
    dumps = current_app.json.dumps
    held = b",".join(dumps(path).encode() + b":" + (b"null" if body is None else body) for path, body in parts.items())
    response = current_app.response_class(
        b'{"etags":%s,"parts":{%s},"unchanged":%s}\n'
        % (dumps(etags).encode(), held, dumps([path for path in paths if parts[path] is None]).encode()),
        mimetype="application/json",
    )
    return _tagged(response, whole, copy_tag)


def _tagged(response, whole: str, copy_tag: str | None):
    """The answer with its tag, and the tag of what it was worked out from
    when it has one; a 304 when the device holds it. A person's answer never
    changes hands (no-store, signed-in only); the tag only saves sending the
    same thing again to the same device."""
    response.set_etag(whole)
    response.headers["Cache-Control"] = "no-store"
    if copy_tag:
        response.headers[COPY_TAG_HEADER] = copy_tag
    return response.make_conditional(request)


#: The tag of what the answer was worked out from (``services.offline_copy``),
#: the one every page drawn for the person carries while it still holds:
#: the device keeps it with its copy (snapshot.js).
COPY_TAG_HEADER = "Steady-Data"


def _part_tag(path: str, endpoint: str) -> str:
    """A keyed part's tag: a hash of what it is worked out from
    (``data_version.person_key``, the build included), the same in every
    process, so any worker can tell a device's part is current without
    working it out or having worked it out before."""
    key = data_version.person_key("part", path, tables=PART_TABLES[endpoint])
    return _tag(b"key\0" + repr(key).encode())


def _whole_tag(paths: list[str], etags: dict[str, str]) -> str:
    return _tag("\0".join(f"{path}={etags[path]}" for path in paths).encode())


def _copy_tag() -> str | None:
    """The offline copy's tag of the fingerprint just read (an answer keyed
    by it only: a part worked out from anything else is not covered by it)."""
    return offline_copy.tag(data_version.fingerprints(db.session, current_user.id))


def _tag(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]
