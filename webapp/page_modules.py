"""The modules a page will start, asked for with the page.

``app.js`` starts a page's modules after its first frame: those named by the
page's ``data-module`` attributes (its ``MODULES`` table), the forms' helpers
on a page with a form (``startForms``) and, on a signed-in page, the device's
own (``startDevice``). Each then imports what it needs, one round trip after
another (``checkin.js``, then ``outbox.js``, then ``device-store.js``, then
``idb.js``...). Asking for every file of those graphs with the page
(``modulepreload`` at low priority) fetches them side by side while the page
loads, behind its style sheet, so they are ready when
``app.js`` asks, and nothing of theirs stands before the first paint. Each
file is still fetched once: the module map answers the later imports.

They are named in the response's ``Link`` header (``rel=modulepreload;
fetchpriority=low``), which Chromium acts on as the response arrives, rather
than as ``<link>`` elements: the page's bytes, and so the offline pack's,
stay as they were (the worker answers from its cache offline, where a round
trip costs little).

Only static imports are followed: what a module imports with ``import()``
waits until it is asked for (``toolkit.js`` loads the account's code only
on a device that may hold someone's Steady; on a signed-in page that code
is in the device's own graph, preloaded already).

What ``app.js`` starts is read from ``app.js`` itself (so the two cannot drift
apart); a name that cannot be read there is refused at start-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, g, request

#: ``name: (synced, inUse) => import("./file.js")`` in app.js's MODULES table.
_MODULE_ENTRY = re.compile(
    r"""^\s*"?(?P<name>[a-z][a-z-]*)"?:\s*\([\w, ]*\)\s*=>\s*import\("\./(?P<file>[a-z-]+\.js)"\)""", re.M
)
_DEVICE_ONLY = re.compile(r"const DEVICE_ONLY = new Set\(\[(?P<names>[^\]]*)\]\)")
_FUNCTION = r"(?:async )?function {name}\(\) \{{(?P<body>.*?)\n\}}"
_DYNAMIC_IMPORT = re.compile(r"""import\("\./(?P<file>[a-z-]+\.js)"\)""")
_STATIC_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s+)["']\./(?P<file>[a-z-]+\.js)["']""")

#: What a page's content says it will start.
_DATA_MODULE = re.compile(r"""\sdata-module="(?P<names>[^"]*)\"""")
#: app.js starts the forms' helpers on a page with a form or a remembered <details>
#: (the language switch, in the footer, is not in the content).
_FORMISH = re.compile(r"<form[\s>]|\sdata-remember=")

#: In base.html's head: app.js, the one module that runs before the first paint.
IN_HEAD = frozenset({"js/app.js"})
#: What app.js imports on every page, after the first paint (the service worker's registration).
EVERY_PAGE = ("js/pwa.js",)


@dataclass(frozen=True)
class Starts:
    modules: dict[str, str]  # data-module name -> file under static/
    device_only: frozenset[str]  # names started only on a device in use
    forms: tuple[str, ...]  # files startForms imports
    device: tuple[str, ...]  # files startDevice imports
    imports: dict[str, tuple[str, ...]]  # file -> the files it imports statically


def read_starts(app_js: str, sources: dict[str, str]) -> Starts:
    """What ``app_js`` starts, and every module's static imports (``sources``:
    {file under static/: its text})."""
    modules = {m["name"]: f"js/{m['file']}" for m in _MODULE_ENTRY.finditer(app_js)}
    found = _DEVICE_ONLY.search(app_js)
    device_only = frozenset(re.findall(r'"([a-z-]+)"', found["names"])) if found else frozenset()

    def imported_by(function: str) -> tuple[str, ...]:
        body = re.search(_FUNCTION.format(name=function), app_js, re.S)
        return tuple(f"js/{m['file']}" for m in _DYNAMIC_IMPORT.finditer(body["body"])) if body else ()

    forms, device = imported_by("startForms"), imported_by("startDevice")
    if not modules or not forms or not device or not device_only <= modules.keys():
        raise RuntimeError("app.js: its MODULES, DEVICE_ONLY, startForms or startDevice could not be read")
    missing = sorted({*modules.values(), *forms, *device} - sources.keys())
    if missing:
        raise RuntimeError(f"app.js starts modules that are not in static/: {', '.join(missing)}")
    imports = {
        name: tuple(f"js/{m['file']}" for m in _STATIC_IMPORT.finditer(text))
        for name, text in sources.items()
        if name.startswith("js/")
    }
    return Starts(modules, device_only, forms, device, imports)


def _with_imports(files: list[str], imports: dict[str, tuple[str, ...]]) -> list[str]:
    """``files`` and everything they import statically, each once, in order."""
    seen: list[str] = []
    todo = list(reversed(files))
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.append(name)
        todo.extend(reversed(imports.get(name, ())))
    return seen


def preloads(starts: Starts, content: str, signed_in: bool) -> list[str]:
    """The files ``app.js`` will fetch on a page whose content is ``content``
    (modules a device not in use skips are left out: the page cannot know)."""
    names = {name for match in _DATA_MODULE.finditer(content) for name in match["names"].split()}
    if signed_in:
        names.add("push")  # base.html's <body data-module="push">
    first: list[str] = list(EVERY_PAGE)
    if _FORMISH.search(content):
        first.extend(starts.forms)
    if signed_in:  # a signed-in page is a device in use
        first.extend(starts.device)
    first.extend(
        starts.modules[name]
        for name in sorted(names)
        if name in starts.modules and (signed_in or name not in starts.device_only)
    )
    return [name for name in _with_imports(first, starts.imports) if name not in IN_HEAD]


#: A script a page names by its path (a deferred classic script: lock-gate.js).
_PAGE_SCRIPT = re.compile(r"/static/(?P<file>js/[a-z-]+\.js)")


def used_offline(starts: Starts, sources: dict[str, str], pages: list[str]) -> set[str]:
    """Every module the kept ``pages`` (their HTML) can run offline, where
    the device is the person's: what each names (``data-module``, a script's
    path), the forms' helpers, the device's own, ``IN_HEAD``, ``EVERY_PAGE``, and whatever
    any of them imports, statically or with ``import()`` (app.js's own table
    aside: a page starts only the modules it names). What is left is only
    for pages the worker does not keep (the reminders' push set-up, the
    circle...), fetched when such a page is opened online."""
    first = {*IN_HEAD, *EVERY_PAGE, *starts.forms, *starts.device}
    for page in pages:
        names = {name for match in _DATA_MODULE.finditer(page) for name in match["names"].split()}
        first |= {starts.modules[name] for name in names if name in starts.modules}
        first |= {match["file"] for match in _PAGE_SCRIPT.finditer(page)}
    found: set[str] = set()
    todo = sorted(first)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        todo.extend(starts.imports.get(name, ()))
        if name != "js/app.js":
            todo.extend(f"js/{match['file']}" for match in _DYNAMIC_IMPORT.finditer(sources.get(name, "")))
    return found


def preload_modules(content: str) -> str:
    """Note the files to preload for the page being drawn from ``content``
    (a Jinja global; the response's ``Link`` header names them)."""
    from flask_login import current_user

    starts: Starts = current_app.extensions["steady.page_starts"]
    g.module_preloads = preloads(starts, content, bool(current_user and current_user.is_authenticated))
    return ""


#: How many ``Link`` headers an app keeps (one per set of files a page preloads).
LINKS_KEPT = 256


def link_header(files: list[str]) -> str:
    """The ``Link`` header asking for ``files`` (their current hashed URLs),
    kept per files, their versions in the asset manifest and script root."""
    made = current_app.extensions.setdefault("steady.link_headers", {})
    manifest = current_app.extensions["steady.asset_manifest"]
    key = (request.script_root, *((name, getattr(manifest.get(name), "version", None)) for name in files))
    found = made.get(key)
    if found is None:
        asset_url = current_app.jinja_env.globals["asset_url"]
        found = ", ".join(f"<{asset_url(name)}>; rel=modulepreload; fetchpriority=low" for name in files)
        if len(made) < LINKS_KEPT:
            made[key] = found
    return found


def init_app(app: Flask) -> None:
    folder = Path(app.static_folder)
    sources = {path.relative_to(folder).as_posix(): path.read_text("utf-8") for path in sorted(folder.glob("js/*.js"))}
    app.extensions["steady.page_starts"] = read_starts(sources["js/app.js"], sources)
    app.extensions["steady.page_sources"] = sources
    app.jinja_env.globals["preload_modules"] = preload_modules

    @app.after_request
    def _ask_for_modules(response):
        files = g.pop("module_preloads", None)
        if files and response.status_code == 200 and response.mimetype == "text/html":
            response.headers.add("Link", link_header(files))
        return response
