"""The modules a page will start are asked for with the page
(webapp/page_modules.py): every file of their import graphs, at low
priority, at the current hashed URL, in the response's Link header; what
app.js starts is read from app.js itself."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from webapp import page_modules

STATIC = Path(__file__).resolve().parents[2] / "webapp" / "static"
PRELOAD = re.compile(r"</static/(js/[a-z-]+\.js)\?v=([0-9a-f]+)>; rel=modulepreload; fetchpriority=low(?:, |$)")
STATIC_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s+)["']\./([a-z-]+\.js)(?:\?v=[0-9a-f]+)?["']""")


def sources() -> dict[str, str]:
    return {p.relative_to(STATIC).as_posix(): p.read_text("utf-8") for p in STATIC.glob("js/*.js")}


def test_every_module_app_js_starts_is_read_from_app_js():
    files = sources()
    starts = page_modules.read_starts(files["js/app.js"], files)
    app_js = files["js/app.js"]
    # Every dynamic import in app.js is a page module, a form helper, a device
    # module, strings.js (loaded for a page not in English) or pwa.js (on
    # every page, after the first paint; page_modules.EVERY_PAGE).
    dynamic = re.findall(r'import\("\./([a-z-]+\.js)"\)', app_js)
    read = {*starts.modules.values(), *starts.forms, *starts.device}
    assert {f"js/{name}" for name in dynamic} == read | {"js/strings.js", "js/pwa.js"}
    assert len(dynamic) == len(starts.modules) + len(starts.forms) + len(starts.device) + 2
    # Nothing imported statically: app.js is the only module before the first paint.
    assert starts.imports["js/app.js"] == ()
    assert starts.device_only == {"quick-people", "sync-problems"}
    assert starts.modules["help-me"] == "js/helpme.js"


@pytest.mark.parametrize(
    "broken",
    [
        "",  # nothing to read
        'const MODULES = {\n  toolkit: () => import("./toolkit.js").then((m) => m.enableToolkit()),\n};\n',
    ],
)
def test_an_app_js_that_cannot_be_read_stops_the_start(broken):
    with pytest.raises(RuntimeError, match="app.js"):
        page_modules.read_starts(broken, sources())


def test_an_app_js_naming_a_missing_file_stops_the_start():
    files = sources()
    renamed = files["js/app.js"].replace('import("./toolkit.js")', 'import("./tool-kit.js")')
    with pytest.raises(RuntimeError, match="tool-kit.js"):
        page_modules.read_starts(renamed, files)


def preloaded(response) -> list[str]:
    header = response.headers.get("Link", "")
    found = PRELOAD.findall(header)
    assert len(PRELOAD.sub("", header)) == 0, header  # nothing else in it
    return [name for name, _version in found]


def check_closed_and_current(client, response) -> list[str]:
    """Every preload carries the current hash, none is listed twice, and each
    preloaded module's static imports are preloaded too (or in the head)."""
    assert response.status_code == 200
    preloaded(response)
    found = PRELOAD.findall(response.headers.get("Link", ""))
    names = [name for name, _ in found]
    assert len(names) == len(set(names)), names
    head = {"js/app.js"}
    for name, version in found:
        served = client.get(f"/static/{name}?v={version}", headers={"Accept-Encoding": "identity"})
        assert served.status_code == 200 and served.headers["Cache-Control"].endswith("immutable"), name
        for imported in STATIC_IMPORT.findall(served.get_data(as_text=True)):
            assert f"js/{imported}" in names or f"js/{imported}" in head, (name, imported)
    return names


def test_a_pages_modules_and_all_they_import_are_preloaded(client):
    names = check_closed_and_current(client, client.get("/toolkit/exercise/box-breathing"))
    for module in ("js/breathing.js", "js/toolkit.js", "js/device-store.js", "js/idb.js"):
        assert module in names
    page = client.get("/toolkit/exercise/progressive-muscle-relaxation")
    assert "js/exercise-player.js" in check_closed_and_current(client, page)
    assert "js/push.js" not in names and "js/app-lock.js" not in names  # signed out: no device code


#: What toolkit.js asks for only for someone signed in, or on a device that may hold someone's Steady.
ACCOUNT_CODE = ("js/account-sync.js", "js/session.js", "js/snapshot.js", "js/outbox.js", "js/unkept-answer.js")


def test_a_signed_out_exercise_page_preloads_only_what_a_guest_starts_with(client):
    """A guest's favourites and recents are on the device (device-store.js and
    its parts); whose the device is, the snapshot and the outbox are imported
    by toolkit.js only when needed, so they are not asked for with the page."""
    names = check_closed_and_current(client, client.get("/toolkit/exercise/safe-place"))
    assert sorted(names) == [
        "js/device-keys.js",
        "js/device-lock.js",
        "js/device-store.js",
        "js/exercise-player.js",
        "js/idb.js",
        "js/lock-crypto.js",
        "js/pwa.js",
        "js/strings.js",
        "js/toolkit.js",
    ]
    toolkit = check_closed_and_current(client, client.get("/toolkit"))
    assert "js/toolkit.js" in toolkit
    assert not set(ACCOUNT_CODE) & set(toolkit)


def test_a_signed_in_exercise_page_preloads_the_account_code_toolkit_js_imports(client, auth):
    """Signed in, toolkit.js imports the account's code at once: the device's
    own graph (startDevice) carries every file of it."""
    auth.register()
    names = check_closed_and_current(client, client.get("/toolkit/exercise/safe-place"))
    toolkit_js = (STATIC / "js" / "toolkit.js").read_text("utf-8")
    dynamic = {f"js/{name}" for name in re.findall(r'import\("\./([a-z-]+\.js)"\)', toolkit_js)}
    assert dynamic == {"js/account-sync.js", "js/snapshot.js", "js/outbox.js"}
    assert set(ACCOUNT_CODE) <= set(names)


def test_a_page_with_a_form_preloads_the_forms_helpers(client):
    names = check_closed_and_current(client, client.get("/login"))
    assert {"js/form-kit.js", "js/limits.js", "js/password-toggle.js"} <= set(names)


def test_a_page_without_modules_or_forms_asks_for_nothing_more(client):
    """Only pwa.js, which app.js imports on every page after the first paint."""
    for path in ("/", "/learn", "/learn/sleep"):
        assert preloaded(client.get(path)) == ["js/pwa.js"], path


def test_the_pages_bytes_are_unchanged_the_offline_pack_too(client):
    """Named in a header, the preloads add nothing to the page itself (nor to
    the offline pack, which keeps the pages' bodies)."""
    page = client.get("/toolkit/exercise/box-breathing")
    assert "Link" in page.headers
    # Nothing in the page itself: app.js imports nothing before the first paint.
    assert 'rel="modulepreload"' not in page.get_data(as_text=True)


def test_only_a_page_that_is_answered_asks(client, auth):
    """A 404, a redirect or an error page asks for nothing."""
    assert "Link" not in client.get("/toolkit/exercise/no-such-exercise").headers
    assert "Link" not in client.get("/checkin").headers  # signed out: a redirect to sign in
    assert "Link" not in client.get("/static/js/app.js").headers


def test_modules_only_a_device_in_use_starts_are_left_to_it(client):
    """quick-people and sync-problems start only on a device holding someone's
    Steady, which a signed-out page cannot know: not preloaded there."""
    page = client.get("/my/checkin")
    html = page.get_data(as_text=True)
    names = check_closed_and_current(client, page)
    assert "js/checkin.js" in names and "js/checkin-answers.js" in names
    for name in re.findall(r'data-module="([^"]+)"', html):
        for module in name.split():
            if module in ("quick-people", "sync-problems"):
                assert f"js/{module}.js" not in names


def test_a_signed_in_page_preloads_the_devices_modules(client, auth):
    auth.register()
    names = check_closed_and_current(client, client.get("/checkin"))
    for module in ("js/push.js", "js/app-lock.js", "js/account-sync.js", "js/outbox-schedule.js", "js/person-time.js"):
        assert module in names


def test_a_kept_link_header_follows_a_new_version_of_a_module(app, client):
    """The header is made once per set of files; a file served at a new
    version (a new manifest entry) gets a header naming the new URL."""
    first = PRELOAD.findall(client.get("/toolkit/breathe").headers.get("Link", ""))
    assert first and client.get("/toolkit/breathe").headers["Link"] == client.get("/toolkit/breathe").headers["Link"]
    name, version = first[0]
    manifest = app.extensions["steady.asset_manifest"]
    old = manifest[name]
    manifest[name] = dataclasses.replace(old, digest="f" * len(old.digest))
    try:
        again = dict(PRELOAD.findall(client.get("/toolkit/breathe").headers.get("Link", "")))
    finally:
        manifest[name] = old
    assert again[name] != version
    assert again[name] == dataclasses.replace(old, digest="f" * len(old.digest)).version
    assert dict(PRELOAD.findall(client.get("/toolkit/breathe").headers["Link"]))[name] == version
