"""Page weight of Steady's home page on a first visit, in a real Chromium.

    /work/venv/bin/python bench/page_weight.py [--path /] [--chromium PATH]

Starts Steady the way the e2e harness does (``python -m webapp.cli serve`` on
a free port with a throw-away instance folder), opens the page in a fresh
browser profile and records every response the page asked for and, apart,
every fetch the service worker makes to precache the shell. Bodies are
measured raw and gzip-compressed (level 6, Python's gzip): Steady's server
does not compress, so "gz" is what a compressing proxy would send.

It prints a table and ends with one line of key=value pairs. It never fails on
a number: the 60 KB first-visit goal is reported, not enforced.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]

from steady_process import CHROMIUM_ARGS, Server, find_chromium  # noqa: E402  (bench/ is on sys.path)
BUDGET_GZ = 60 * 1024
KINDS = ["html", "css", "js", "img", "other"]


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------


@dataclass
class Entry:
    url: str
    status: int
    content_type: str
    raw: int
    gz: int
    by_worker: bool  # fetched by the service worker itself (precache)
    from_worker: bool  # answered to the page by the service worker
    repeat: bool = False  # the same URL again in the same group (browser cache: bytes not counted)

    @property
    def kind(self) -> str:
        ctype = self.content_type.split(";")[0].strip().lower()
        if ctype == "text/html":
            return "html"
        if ctype == "text/css":
            return "css"
        if "javascript" in ctype or ctype == "text/ecmascript":
            return "js"
        if ctype.startswith("image/"):
            return "img"
        return "other"

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def is_icon(self) -> bool:
        return urlsplit(self.url).path.startswith("/static/icons/")


def fetch_body(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read()
    except (urllib.error.URLError, OSError):
        return b""


def measure(base_url: str, path: str, chromium: str | None) -> tuple[list[Entry], str]:
    from playwright.sync_api import sync_playwright

    entries: list[Entry] = []
    origin = urlsplit(base_url)._replace(path="", query="", fragment="").geturl()

    def record(response) -> None:
        request = response.request
        if response.url.startswith("data:"):
            return
        try:
            body = response.body()
        except Exception:  # redirects and aborted loads have no body
            body = b""
        if not body and response.status == 200 and response.url.startswith(origin):
            # Playwright gives no bodies for the service worker's own fetches:
            # ask the server for the same public URL (no cookies, like the worker).
            body = fetch_body(response.url)
        entries.append(
            Entry(
                url=response.url,
                status=response.status,
                content_type=response.headers.get("content-type", ""),
                raw=len(body),
                gz=len(gzip.compress(body, compresslevel=6)) if body else 0,
                # The worker script itself is part of the visit (the page registers it).
                by_worker=request.service_worker is not None and urlsplit(response.url).path != "/sw.js",
                from_worker=response.from_service_worker,
            )
        )

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=find_chromium(playwright, chromium), args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(service_workers="allow", viewport={"width": 390, "height": 844})
        finished = []
        context.on("requestfinished", lambda request: finished.append(request))
        context.on("requestfailed", lambda request: finished.append(request))
        page = context.new_page()
        page.goto(base_url + path, wait_until="load")
        # The service worker installs in the background: wait until it has
        # precached the shell and controls the page, then until the network is quiet.
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_function(
            """async () => {
                if (!navigator.serviceWorker.controller) return false;
                for (const name of await caches.keys()) {
                    if (name.startsWith("steady-shell-") && await (await caches.open(name)).match("/offline")) return true;
                }
                return false;
            }""",
            polling=100,
            timeout=20_000,
        )
        page.wait_for_load_state("networkidle")
        # Responses are recorded once their request has finished, so sizes are known.
        for request in finished:
            response = request.response() if request.failure is None else None
            if response is not None:
                record(response)
        context.close()
        browser.close()
    return entries, origin


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


def kb(n: int) -> str:
    return f"{n / 1024:7.1f} KB"


def table(title: str, entries: list[Entry]) -> None:
    print(f"\n{title}")
    print(f"  {'':6} {'kind':5} {'status':>6} {'raw':>10} {'gzip':>10}  url")
    for e in entries:
        flag = ("sw " if e.from_worker else "") + ("rep" if e.repeat else "")
        print(f"  {flag:6} {e.kind:5} {e.status:>6} {kb(e.raw)} {kb(e.gz)}  {e.path}")
    print("  (sw = answered by the service worker; rep = same URL again, bytes counted once)")


def totals(entries: list[Entry]) -> dict[str, tuple[int, int, int]]:
    out = {}
    for kind in KINDS:
        chosen = [e for e in entries if e.kind == kind]
        counted = [e for e in chosen if not e.repeat]
        out[kind] = (len(chosen), sum(e.raw for e in counted), sum(e.gz for e in counted))
    return out


def summary(title: str, entries: list[Entry]) -> None:
    print(f"\n{title}")
    print(f"  {'kind':8} {'requests':>8} {'raw':>10} {'gzip':>10}")
    sums = totals(entries)
    for kind in KINDS:
        count, raw, gz = sums[kind]
        print(f"  {kind:8} {count:>8} {kb(raw)} {kb(gz)}")
    print(f"  {'total':8} {len(entries):>8} {kb(sum(v[1] for v in sums.values()))} {kb(sum(v[2] for v in sums.values()))}")


def mark_repeats(entries: list[Entry]) -> list[Entry]:
    seen: set[str] = set()
    for e in entries:
        e.repeat = e.url in seen
        seen.add(e.url)
    return entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/", help="page to load (default /)")
    parser.add_argument("--chromium", help="Chromium binary (default: $STEADY_CHROMIUM, /usr/bin/chromium)")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="steady-bench-"))
    server = Server(workdir)
    try:
        server.start()
        entries, origin = measure(server.url, args.path, args.chromium)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    page_entries = mark_repeats([e for e in entries if not e.by_worker])
    worker_entries = mark_repeats([e for e in entries if e.by_worker])
    third_party = [e for e in entries if not e.url.startswith(origin)]

    print(f"Steady page weight: first visit to {args.path} on a fresh profile (Chromium, 390x844)")
    table("Page requests (first visit)", page_entries)
    summary("First visit, by kind", page_entries)
    table("Service worker precache (install fetches, not counted in the first visit)", worker_entries)
    summary("Service worker precache, by kind", worker_entries)

    sums = totals(page_entries)
    total_gz = sum(e.gz for e in page_entries if not e.repeat)
    excl_icons = [e for e in page_entries if not e.is_icon]
    excl_icons_gz = sum(e.gz for e in excl_icons if not e.repeat)
    precache_gz = sum(e.gz for e in worker_entries if not e.repeat)
    ratio = excl_icons_gz / BUDGET_GZ
    print("\nGoal")
    print(f"  first visit excluding icons: {kb(excl_icons_gz)} gzip of {kb(BUDGET_GZ)} "
          f"({ratio:.0%} of the budget, {len(excl_icons)} requests)")
    print(f"  first visit including icons: {kb(total_gz)} gzip")
    print(f"  service worker precache:     {kb(precache_gz)} gzip ({len(worker_entries)} requests)")
    print(f"  requests to other origins:   {len(third_party)}"
          + ("" if not third_party else "  " + ", ".join(e.url for e in third_party)))
    print()
    pairs = {
        "requests": len(page_entries),
        "html_gz": sums["html"][2],
        "css_gz": sums["css"][2],
        "js_gz": sums["js"][2],
        "img_gz": sums["img"][2],
        "other_gz": sums["other"][2],
        "total_raw": sum(e.raw for e in page_entries if not e.repeat),
        "total_gz": total_gz,
        "total_gz_excl_icons": excl_icons_gz,
        "budget_gz": BUDGET_GZ,
        "ratio_to_budget": f"{ratio:.2f}",
        "sw_precache_requests": len(worker_entries),
        "sw_precache_gz": precache_gz,
        "third_party": len(third_party),
    }
    print(" ".join(f"{key}={value}" for key, value in pairs.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
