"""Page weight of a first visit, counted the way an outside check counts it.

    python bench/page_weight.py [--path /] [--settle 3] [--chromium PATH]

Starts Steady as a real server (bench/logged_server.py: ``steady serve`` with
an access log), opens the page in a fresh Chromium profile, and records every
response in the page's first seconds after load: the page's own requests, the
service worker script and anything it imports, and — apart — what the worker
fetches to precache the offline set. Sizes are gzip (level 6) of each
response's body, by type (html/css/js/json/img/font/other); "sent" is what
the server really sent (Brotli or gzip where the browser accepts it).

A duplicate fetch is the same path (with or without ``?v=``) reaching the
server twice in the visit (page and worker together): a file the browser
takes from its HTTP cache does not reach the server and is not one.

The offline set is everything the worker keeps for offline use (the shell
assets and the offline pack of pages), counted whole even where the browser
already had a file from the page.

It prints tables (in kB of 1,000 bytes) and ends with one line of key=value
pairs. Budgets (20,000 bytes first visit excluding icons, 10 requests, 0
other origins, 150,000 bytes offline set, 0 duplicates) are reported here and enforced by
tests/e2e/test_page_weight.py.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from steady_process import CHROMIUM_ARGS, Server, find_chromium  # noqa: E402

FIRST_VISIT_BUDGET_GZ = 20_000  # decimal kB, as the budget test has it
FIRST_VISIT_MAX_REQUESTS = 10
OFFLINE_SET_BUDGET_GZ = 150_000
KINDS = ["html", "css", "js", "json", "img", "font", "other"]


@dataclass
class Entry:
    url: str
    status: int
    content_type: str
    raw: int
    gz: int
    group: str  # "page" (incl. the worker script), "precache"

    @property
    def kind(self) -> str:
        ctype = self.content_type.split(";")[0].strip().lower()
        if ctype == "text/html":
            return "html"
        if ctype == "text/css":
            return "css"
        if "javascript" in ctype or ctype == "text/ecmascript":
            return "js"
        if ctype in ("application/json", "application/manifest+json") or ctype.endswith("+json"):
            return "json"
        if ctype.startswith("image/"):
            return "img"
        if ctype.startswith("font/") or "woff" in ctype:
            return "font"
        return "other"

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def is_icon(self) -> bool:
        return urlsplit(self.url).path.startswith("/static/icons/")


def fetch_body(url: str) -> tuple[bytes, str]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read(), response.headers.get("Content-Type", "")
    except (urllib.error.URLError, OSError):
        return b"", ""


def gz_size(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6)) if body else 0


def read_log(path: Path, offset: int) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as log:
        log.seek(offset)
        return [json.loads(line) for line in log if line.strip()]


def measure(server: Server, path: str, chromium: str | None, settle_s: float) -> dict:
    from playwright.sync_api import sync_playwright

    base = server.url
    responses: list[tuple[object, str]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=find_chromium(playwright, chromium), args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(service_workers="allow", viewport={"width": 390, "height": 844})
        finished: list = []
        context.on("requestfinished", lambda request: finished.append(request))
        context.on("requestfailed", lambda request: finished.append(request))
        log_start = server.access_log.stat().st_size if server.access_log.exists() else 0
        page = context.new_page()
        page.goto(base + path, wait_until="load")
        # The first seconds after load: the worker registers once the page is
        # idle and precaches the offline set; wait until it has, then settle.
        installed = """async () => {
            const registration = await navigator.serviceWorker.getRegistration();
            if (!registration || !registration.active) return false;
            for (const name of await caches.keys()) {
                if (name.startsWith("steady-shell-") && await (await caches.open(name)).match("/offline")) return true;
            }
            return false;
        }"""
        deadline = time.monotonic() + 60
        while not page.evaluate(installed):
            if time.monotonic() > deadline:
                raise SystemExit("the service worker did not install within 60 s")
            page.wait_for_timeout(100)
        page.wait_for_timeout(settle_s * 1000)
        page.wait_for_load_state("networkidle")
        offline_set = page.evaluate(
            """async () => {
                const out = [];
                for (const name of await caches.keys()) {
                    if (!name.startsWith("steady-")) continue;
                    for (const request of await (await caches.open(name)).keys()) out.push(request.url);
                }
                return out;
            }"""
        )
        network = read_log(server.access_log, log_start)
        for request in finished:
            response = request.response() if request.failure is None else None
            if response is None or response.url.startswith("data:"):
                continue
            by_worker = request.service_worker is not None
            # The worker's own script and its imports belong to the visit; its
            # fetch()es (cache.addAll, the offline pack) are the precache.
            is_script = urlsplit(response.url).path == "/sw.js" or request.resource_type == "script"
            group = "precache" if by_worker and not is_script else "page"
            try:
                body = response.body()
            except Exception:  # bodies of the worker's fetches are not available
                body = b""
            responses.append((response, group, body))
        context.close()
        browser.close()

    origin = urlsplit(base)._replace(path="", query="", fragment="").geturl()
    entries = []
    for response, group, body in responses:
        ctype = response.headers.get("content-type", "")
        if not body and response.status == 200 and response.url.startswith(origin):
            body, ctype = fetch_body(response.url)
        entries.append(Entry(response.url, response.status, ctype, len(body), gz_size(body), group))
    return {"entries": entries, "network": network, "offline_set": offline_set, "origin": origin}


def kb(n: float) -> str:
    return f"{n / 1000:7.1f} kB"


def table(title: str, entries: list[Entry], sent: dict[str, int]) -> None:
    print(f"\n{title}")
    print(f"  {'kind':5} {'status':>6} {'raw':>10} {'gzip':>10} {'sent':>10}  url")
    for e in entries:
        shown = kb(sent[e.path]) if e.path in sent else "   (cache)"
        print(f"  {e.kind:5} {e.status:>6} {kb(e.raw)} {kb(e.gz)} {shown}  {e.path}")


def by_kind(title: str, entries: list[Entry]) -> dict[str, tuple[int, int, int]]:
    print(f"\n{title}")
    print(f"  {'kind':8} {'requests':>8} {'raw':>10} {'gzip':>10}")
    sums = {}
    for kind in KINDS:
        chosen = [e for e in entries if e.kind == kind]
        sums[kind] = (len(chosen), sum(e.raw for e in chosen), sum(e.gz for e in chosen))
        if chosen:
            print(f"  {kind:8} {len(chosen):>8} {kb(sums[kind][1])} {kb(sums[kind][2])}")
    print(f"  {'total':8} {len(entries):>8} {kb(sum(e.raw for e in entries))} {kb(sum(e.gz for e in entries))}")
    return sums


def offline_set_size(base: str, urls: list[str]) -> tuple[int, int, list[tuple[str, int]]]:
    """gzip bytes of what the worker downloads to go offline: each cached static
    file, and the offline pack (one response) instead of the pages it holds."""
    record = fetch_body(base + "/sw.js")[0].split(b"\n", 1)[0].decode()
    build = json.loads(record.split("=", 1)[1].rstrip(";"))
    pack = json.loads(fetch_body(base + build["pack"])[0])
    packed_paths = {path for path, _kind, _body in pack["entries"]} | {build["contentUrl"]}
    parts = []
    for url in sorted(set(urls)):
        path = urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
        if urlsplit(url).path in packed_paths:
            continue  # arrived in the pack
        parts.append((path, gz_size(fetch_body(base + path)[0])))
    pack = build.get("pack")
    if pack:
        parts.append((pack, gz_size(fetch_body(base + pack)[0])))
    return sum(size for _, size in parts), len(urls), parts


def run(path: str = "/", chromium: str | None = None, settle_s: float = 3.0, quiet: bool = False) -> dict:
    """Measure once; the figures as a dict (also used by the budget test)."""
    workdir = Path(tempfile.mkdtemp(prefix="steady-bench-"))
    server = Server(workdir, access_log=workdir / "access.log")
    try:
        server.start()
        measured = measure(server, path, chromium, settle_s)
        offline_gz, offline_entries, offline_parts = offline_set_size(server.url, measured["offline_set"])
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    entries: list[Entry] = measured["entries"]
    origin = measured["origin"]
    page = [e for e in entries if e.group == "page"]
    precache = [e for e in entries if e.group == "precache"]
    network = [line for line in measured["network"] if line["method"] == "GET"]
    sent = {line["path"]: line["bytes"] for line in network}
    fetched = Counter(line["path"].split("?")[0] for line in network)
    duplicates = sorted(name for name, count in fetched.items() if count > 1)
    other_origins = [e.url for e in entries if not e.url.startswith(origin)]
    # What reached the server beyond the page's own requests: the precache's network fetches.
    left = Counter(line["path"] for line in network)
    left.subtract(e.path for e in page)
    precache_network = sum(1 for e in precache if left[e.path] > 0 and not left.subtract([e.path]))
    excl_icons = [e for e in page if not e.is_icon]
    figures = {
        "page": page,
        "precache": precache,
        "first_visit_requests": len(page),
        "first_visit_gz": sum(e.gz for e in page),
        "first_visit_gz_excl_icons": sum(e.gz for e in excl_icons),
        "first_visit_sent": sum(sent.get(e.path, 0) for e in page),
        "precache_requests": len(precache),
        "precache_network_requests": precache_network,
        "offline_set_entries": offline_entries,
        "offline_set_gz": offline_gz,
        "offline_parts": offline_parts,
        "duplicates": duplicates,
        "other_origins": other_origins,
        "network_requests": len(network),
    }
    if quiet:
        return figures

    print(
        f"Steady page weight: first visit to {path} on a fresh profile (Chromium, 390x844, {settle_s:g} s after load)"
    )
    table("First visit: the page and the worker script", page, sent)
    sums = by_kind("First visit, by kind", page)
    table("Precache: the worker's fetches ((cache) = from the browser's HTTP cache, not the network)", precache, sent)
    by_kind("Precache, by kind", precache)
    print("\nOffline set (what a fresh install downloads to work offline)")
    for part, size in offline_parts:
        print(f"  {kb(size)}  {part}")
    print(f"  {kb(offline_gz)}  total ({offline_entries} cache entries)")
    print("\nBudgets")
    print(
        f"  first visit excl. icons: {kb(figures['first_visit_gz_excl_icons'])} gzip of {kb(FIRST_VISIT_BUDGET_GZ)}, "
        f"{len(page)} requests of {FIRST_VISIT_MAX_REQUESTS} (sent: {kb(figures['first_visit_sent'])})"
    )
    print(f"  offline set:             {kb(offline_gz)} gzip of {kb(OFFLINE_SET_BUDGET_GZ)}")
    print(f"  duplicate fetches:       {len(duplicates)}" + (f"  {', '.join(duplicates)}" if duplicates else ""))
    print(
        f"  other origins:           {len(other_origins)}" + (f"  {', '.join(other_origins)}" if other_origins else "")
    )
    print()
    pairs = {
        "path": path,
        "requests": len(page),
        **{f"{kind}_gz": sums[kind][2] for kind in KINDS},
        "total_gz": figures["first_visit_gz"],
        "total_gz_excl_icons": figures["first_visit_gz_excl_icons"],
        "total_sent": figures["first_visit_sent"],
        "precache_requests": len(precache),
        "precache_network_requests": figures["precache_network_requests"],
        "offline_set_gz": offline_gz,
        "offline_set_entries": offline_entries,
        "duplicates": len(duplicates),
        "other_origins": len(other_origins),
    }
    print(" ".join(f"{key}={value}" for key, value in pairs.items()))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/", help="page to load (default /)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to keep watching after the worker is active")
    parser.add_argument("--chromium", help="Chromium binary (default: $STEADY_CHROMIUM, /usr/bin/chromium)")
    args = parser.parse_args(argv)
    run(args.path, args.chromium, args.settle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
