"""How fast an exercise page paints offline (served by the service worker)
compared with online (served by the server), in a real Chromium.

    /work/venv/bin/python bench/offline_start.py [--path /toolkit/exercise/ID] [--loads 20] [--chromium PATH]
        [--fresh-tabs] [--settle-ms MS] [--against CHECKOUT] [--spare-renderers]

Starts Steady the way the e2e harness does (``python -m webapp.cli serve`` on
a free port, a throw-away instance folder) and measures navigation start →
first-contentful-paint (``performance.getEntriesByName("first-contentful-paint")``,
whose ``startTime`` counts from the navigation's time origin) over N loads of
one exercise page:

* online: server running, network on, service workers blocked (the plain
  server baseline);
* online via worker: server running, the worker installed (network first, so
  the page still comes from the server, through the worker);
* offline: worker installed, then the server stopped and the browser context
  offline: every load is answered from the worker's cache;
* offline, the worker stopped first: the same, each load after the browser
  has stopped the worker (DevTools' ServiceWorker.stopAllWorkers), as when
  Steady is opened after a while unused: the navigation starts the worker;
* the floor: a blank page (one heading, no style sheet, no script) answered
  from Cache Storage by a worker of a few lines, offline, from a small server
  of its own on 127.0.0.1: what a page served by a service worker cannot beat
  on this machine and browser, measured in the same rounds;
* the same blank page from that server, no worker: the floor minus this is
  what answering from a worker's cache rather than the network costs here,
  whatever the page;
* the same blank page from Cache Storage through a static route (the
  browser answers from the cache itself: no fetch event, no worker code),
  with the network on (no offline emulation): this minus the page from its
  server is what Chromium's own answer from Cache Storage costs here, apart
  from the worker's fetch handler and from DevTools' offline emulation.

Chromium runs without its spare renderer (``--disable-features=
SpareRendererForSitePerProcess``): the series take turns in browser contexts
of their own, and a spare renderer belongs to one context, so Chromium threw
its spare away and started one for the next context on every load, inside the
measured time (a trace showed one on each switch of context, 5 to 34 ms of
CPU before the first paint on 2 cores; the same pages loaded over and over in
one context, as a person's one browser profile does, start none). Every
series paid it, about 15 ms on each median. ``--spare-renderers`` keeps
Chromium's default, to compare.

The seven series run interleaved, load by load, each load followed by a pause
(``--settle-ms``, 300 ms) so that what it leaves running (its page's modules
starting, its server's work) ends before the next load starts; each round takes
the series in an order of a balanced Latin square, so each comes straight
after each other one as often within the rounds (a table gives each series'
FCP by the load just before it). So the machine's load falls on each alike.
Offline against online is also compared load by load within each round: the
mean difference with a 95 % bootstrap interval, and in how many rounds offline
painted no later (medians that are level flip by one paint step from run to
run; the interval says whether a difference is more than that).
The offline series talks to a second server of the same code, stopped once its
worker has installed. Each series starts with one unmeasured warm-up load, so
all run with a warm HTTP / Cache Storage cache (a person opening the app again, not a first
visit). It prints a table and ends with one line of key=value pairs. It never
fails on a number.

Loads in one tab reuse its in-memory cache (the page's files come from the
renderer's memory, online and offline alike); with ``--fresh-tabs`` each load
opens a new tab and closes the last, so every file is looked up again: from
the HTTP cache online, from the worker's cache offline (through its static
routes or its fetch handler, which the table counts).

With ``--against CHECKOUT`` (another checkout of Steady, e.g. the main
branch's), three more series run in the same rounds, from servers started from
that checkout's code (its ``webapp`` and ``service_worker``): through its
worker online, and offline from its worker, running and stopped first (that
server stopped like the first). Each pair then differs only in the code that
served it, load by load, on the same machine at the same time: each is
compared load by load within the rounds (this code minus that, the mean with
a 95 % bootstrap interval), and the last line adds ``against_fcp_ms``
(offline), ``against_cold_fcp_ms`` and ``against_via_worker_fcp_ms``, with
``..._paired_ms`` and its ``_low_ms`` / ``_high_ms`` for each.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from steady_process import CHROMIUM_ARGS, Server, find_chromium, free_port, wait_until  # noqa: E402  (bench/ is on sys.path)

VIEWPORT = {"width": 390, "height": 844}
#: No spare renderer started for each series' context in turn (see the docstring).
NO_SPARE_RENDERER = "--disable-features=SpareRendererForSitePerProcess"

#: navigation start → first contentful paint, and a few milestones for context.
TIMINGS_JS = """() => new Promise((resolve) => {
    const done = (fcp) => {
        const nav = performance.getEntriesByType("navigation")[0];
        // What the page had fetched by its first frame (FIRST_FRAME_JS; varies
        // with load), and what held the first paint (does not): every request, those that held it
        // (renderBlockingStatus), the scripts among them, those the worker's
        // static routes answered (workerFinalSourceType: the browser, from the
        // worker's cache, no fetch event) and those its fetch handler did.
        const frame = window.__steadyFirstFrame || [];
        const before = performance.getEntriesByType("resource").filter((r) => frame.includes(r.name));
        resolve({
            fcp,
            responseStart: nav ? nav.responseStart : null,
            domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
            workerStart: nav ? nav.workerStart : null,
            routedFrom: nav ? nav.workerFinalSourceType || null : null,
            requestsBeforeFcp: before.length,
            blockingBeforeFcp: before.filter((r) => r.renderBlockingStatus === "blocking").map((r) => new URL(r.name).pathname),
            scriptsBeforeFcp: before.filter((r) => r.initiatorType === "script" || r.name.includes(".js")).length,
            routedBeforeFcp: before.filter((r) => ["cache", "network"].includes(r.workerFinalSourceType)).length,
            viaWorkerBeforeFcp: before.filter((r) => r.workerStart > 0 && !r.workerFinalSourceType).length,
        });
    };
    const found = performance.getEntriesByName("first-contentful-paint")[0];
    if (found) return done(found.startTime);
    new PerformanceObserver((list, observer) => {
        const entry = list.getEntriesByName("first-contentful-paint")[0];
        if (entry) { observer.disconnect(); done(entry.startTime); }
    }).observe({ type: "paint", buffered: true });
    setTimeout(() => done(null), 10000);
})"""


#: Runs before the page's own scripts: notes what had been fetched by the first
#: frame (the first requestAnimationFrame runs once nothing holds rendering).
FIRST_FRAME_JS = """requestAnimationFrame(() => {
    window.__steadyFirstFrame = performance.getEntriesByType("resource").map((r) => r.name);
});"""

# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------


#: The floor: a blank page and the smallest worker that answers it from Cache Storage.
FLOOR_PAGE = b"<!doctype html><html lang=en><meta charset=utf-8><title>Floor</title><h1>Floor</h1></html>"
FLOOR_INSTALL = (
    b"<!doctype html><html lang=en><meta charset=utf-8><title>Floor</title><h1>Installing</h1>"
    b"<script>navigator.serviceWorker.register('/floor-sw.js')</script></html>"
)
FLOOR_WORKER = b"""
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open("floor").then((cache) => cache.add("/page")).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
  if (event.request.mode === "navigate") event.respondWith(caches.match("/page"));
});
"""


#: The same page from Cache Storage through a static route (ServiceWorker static
#: routing: the browser reads the cache itself, no fetch event).
FLOOR_ROUTED_INSTALL = FLOOR_INSTALL.replace(b"/floor-sw.js", b"/floor-routed-sw.js")
FLOOR_ROUTED_WORKER = b"""
self.addEventListener("install", (event) => {
  event.addRoutes({ condition: { requestMode: "navigate" }, source: "cache" });
  event.waitUntil(caches.open("floor").then((cache) => cache.add("/page")).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", () => {});
"""


class FloorHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body, kind = {
            "/": (FLOOR_INSTALL, "text/html; charset=utf-8"),
            "/page": (FLOOR_PAGE, "text/html; charset=utf-8"),
            "/floor-sw.js": (FLOOR_WORKER, "text/javascript"),
            "/routed": (FLOOR_ROUTED_INSTALL, "text/html; charset=utf-8"),
            "/floor-routed-sw.js": (FLOOR_ROUTED_WORKER, "text/javascript"),
        }.get(self.path, (b"", ""))
        self.send_response(200 if body else 404)
        if kind:
            self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


def floor_server() -> ThreadingHTTPServer:
    """The floor's server, on 127.0.0.1 only, in a thread of this process."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), FloorHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------


def default_path() -> str:
    from webapp.services.content import load_library

    exercises = load_library().exercises
    exercise_id = "five-four-three-two-one" if "five-four-three-two-one" in exercises else next(iter(exercises))
    return f"/toolkit/exercise/{exercise_id}"


#: The series whose page must believe itself offline (checked after each load).
OFFLINE_SERIES = frozenset({"offline", "offline_cold", "floor", "offline_against", "offline_cold_against"})

#: The series answered by a static route from Cache Storage (checked after each load).
ROUTED_SERIES = frozenset({"floor_routed"})

#: The reference pages the bench serves itself: only their loads are tried again.
FLOOR_SERIES = frozenset({"floor", "floor_network", "floor_routed"})


def balanced_orders(count: int) -> list[list[int]]:
    """Orders of ``count`` series (a Williams design, a balanced Latin square):
    in these rows each series comes straight after each other one equally
    often (once for an even ``count``; twice, with the rows reversed, for an
    odd one), so what a load leaves running falls on every series alike.
    Rotating one order would not: each series would nearly always follow the
    same neighbour."""
    first, low, high = [0], 1, count - 1
    while len(first) < count:
        first.append(low)
        low += 1
        if len(first) < count:
            first.append(high)
            high -= 1
    rows = [[(number + shift) % count for number in first] for shift in range(count)]
    return rows if count % 2 == 0 else rows + [row[::-1] for row in rows]


def load_series(page, url: str, loads: int, *, from_worker: bool, keep_first: bool = False) -> list[dict]:
    """One warm-up (kept with ``keep_first``), then ``loads`` measured navigations."""
    results = []
    for index in range(loads + 1):
        response = page.goto(url, wait_until="load")
        if response is None or response.status != 200:
            raise SystemExit(f"{url} answered {response.status if response else 'nothing'}")
        if response.from_service_worker != from_worker:
            raise SystemExit(f"{url}: expected from_service_worker={from_worker}, got {response.from_service_worker}")
        heading = page.locator("h1").first.inner_text()
        if heading.strip() == "You are offline":
            raise SystemExit(f"{url}: the worker served the offline page, not the exercise")
        timings = page.evaluate(TIMINGS_JS)
        if timings["fcp"] is None:
            raise SystemExit(f"{url}: no first-contentful-paint entry")
        if index or keep_first:  # the first load warms the caches
            results.append(timings)
    return results


def wait_precached(page, path: str) -> None:
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    wait_until(
        page,
        """async (path) => {
            if (!navigator.serviceWorker.controller) return false;
            for (const name of await caches.keys()) {
                if (name.startsWith("steady-shell-") && await (await caches.open(name)).match(path)) return true;
            }
            return false;
        }""",
        path,
        timeout=30_000,
    )


def floor_offline(browser, url: str, start: str = "/", offline: bool = True):
    """A page on the floor's origin whose worker (the one ``start`` registers)
    holds the blank page; then offline, unless ``offline`` is false."""
    context = browser.new_context(service_workers="allow", viewport=VIEWPORT)
    page = context.new_page()
    page.goto(url + start, wait_until="load")
    # Until its worker controls the page and holds the blank page: going offline
    # sooner would leave the worker's install without the network it needs.
    wait_until(
        page,
        "async () => Boolean(navigator.serviceWorker.controller) && Boolean(await caches.match('/page'))",
        timeout=30_000,
    )
    context.set_offline(offline)
    return page


def installed_offline(browser, server: Server, path: str, contexts: int = 1) -> list:
    """Pages (one per browser context) whose worker, from ``server``, has
    installed; then the server stopped and their contexts offline."""
    pages = []
    for _ in range(contexts):
        page = browser.new_context(service_workers="allow", viewport=VIEWPORT).new_page()
        page.goto(server.url + "/", wait_until="load")
        wait_precached(page, path)
        pages.append(page)
    server.stop()
    for page in pages:
        page.context.set_offline(True)
    return pages


class WorkerStopper:
    """Stops the workers of one browser context before each load of its page
    (the DevTools protocol's ServiceWorker.stopAllWorkers), and waits until
    the browser says they have stopped: the page then opens as it does after
    a while unused, its worker started by the navigation itself. The DevTools
    session is a blank tab's of the same context: one opened on the measured
    page itself leaves that page's ``navigator.onLine`` true while offline,
    so the page and its worker would take their online paths."""

    def __init__(self, page):
        self.tab = page.context.new_page()
        self.session = page.context.new_cdp_session(self.tab)
        self.running: dict[str, str] = {}
        self.session.on("ServiceWorker.workerVersionUpdated", self._updated)
        self.session.send("ServiceWorker.enable")

    def _updated(self, params: dict) -> None:
        for version in params["versions"]:
            self.running[version["versionId"]] = version["runningStatus"]

    def __call__(self) -> None:
        self.session.send("ServiceWorker.stopAllWorkers")
        for _ in range(200):
            if self.running and all(status == "stopped" for status in self.running.values()):
                return
            self.tab.wait_for_timeout(10)
        raise SystemExit(f"the worker did not stop: {self.running}")


def measure(
    online: Server,
    offline: Server,
    path: str,
    loads: int,
    chromium: str | None,
    fresh_tabs: bool = False,
    against: tuple[Server, Server] | None = None,
    settle_ms: int = 0,
    retried: dict[str, int] | None = None,
    spare_renderers: bool = False,
) -> dict[str, list[dict]]:
    """The seven series (ten with ``against``), interleaved load by load, so
    the machine's load (shared, busy) falls on each alike. ``offline`` is a
    second server, stopped once its worker is installed; ``against``, two
    servers of other code: online, and offline (stopped alike).
    With ``fresh_tabs``, each load in a new tab; ``settle_ms`` after each
    load, before the next starts. A floor's load that failed and was tried
    again is counted in ``retried`` (by series). ``spare_renderers``: keep
    Chromium's spare renderer (see the module's docstring)."""
    retried = {} if retried is None else retried
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    series: dict[str, list[dict]] = {
        "online": [],
        "online_via_worker": [],
        "offline": [],
        "offline_cold": [],
        "floor": [],
        "floor_network": [],
        "floor_routed": [],
    }
    floor = None
    if against is not None:
        series["online_via_worker_against"] = []
        series["offline_against"] = []
        series["offline_cold_against"] = []
    before_load = {}  # series -> what runs before each of its loads
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=find_chromium(playwright, chromium),
            args=CHROMIUM_ARGS + ([] if spare_renderers else [NO_SPARE_RENDERER]),
            headless=True,
        )
        try:
            # Online baseline: the server answers, no worker in the way.
            plain = browser.new_context(service_workers="block", viewport=VIEWPORT).new_page()
            # Online through the worker (network first).
            via = browser.new_context(service_workers="allow", viewport=VIEWPORT).new_page()
            via.goto(online.url + "/", wait_until="load")
            wait_precached(via, path)
            # Offline: the worker installed, then its server stopped and the context offline;
            # and the same, the worker stopped before each load.
            away, cold = installed_offline(browser, offline, path, 2)
            before_load["offline_cold"] = WorkerStopper(cold)
            # The floor: a blank page from a worker's cache, offline.
            floor = floor_server()
            floor_url = f"http://127.0.0.1:{floor.server_address[1]}"
            bare = floor_offline(browser, floor_url)
            # The same blank page from its server, no worker: floor - this is what a worker's answer costs.
            bare_network = browser.new_context(service_workers="block", viewport=VIEWPORT).new_page()
            runs = [
                ("online", plain, online.url + path, False),
                ("online_via_worker", via, online.url + path, True),
                ("offline", away, offline.url + path, True),
                ("offline_cold", cold, offline.url + path, True),
                ("floor", bare, floor_url + "/page", True),
                ("floor_network", bare_network, floor_url + "/page", False),
                (
                    "floor_routed",
                    floor_offline(browser, floor_url, "/routed", offline=False),
                    floor_url + "/page",
                    True,
                ),
            ]
            if against is not None:
                other_online, other_offline = against
                other_via = browser.new_context(service_workers="allow", viewport=VIEWPORT).new_page()
                other_via.goto(other_online.url + "/", wait_until="load")
                wait_precached(other_via, path)
                runs.append(("online_via_worker_against", other_via, other_online.url + path, True))
                other_away, other_cold = installed_offline(browser, other_offline, path, 2)
                runs.append(("offline_against", other_away, other_offline.url + path, True))
                runs.append(("offline_cold_against", other_cold, other_offline.url + path, True))
                before_load["offline_cold_against"] = WorkerStopper(other_cold)
            for _key, page, _url, _from_worker in runs:
                page.context.add_init_script(FIRST_FRAME_JS)
            orders = balanced_orders(len(runs))
            previous = None
            for index in range(loads + 1):  # the first round warms the caches
                # A load pays for what the load before it left running (its
                # page's modules starting, its server's work; the
                # through-the-worker one leaves the most): each load waits
                # ``settle_ms`` for that to end, and the rounds take the series
                # in the orders of a balanced Latin square, so each series
                # comes straight after each other one equally often within
                # the rounds (the table by the load before says how much is left).
                for number in orders[index % len(orders)]:
                    key, page, url, from_worker = runs[number]
                    if fresh_tabs:
                        tab = page.context.new_page()
                        page.close()
                        runs[number] = (key, tab, url, from_worker)
                        page = tab
                    if key in before_load:
                        before_load[key]()
                    for attempt in range(3):
                        try:
                            timings = load_series(page, url, 0, from_worker=from_worker, keep_first=True)[0]
                            break
                        except PlaywrightError as error:
                            # Seen now and then on the floor's offline load (its worker not
                            # answering): a floor's load is tried again after a pause, up to
                            # three times, and counted; a failure of Steady's pages stops the run.
                            if key not in FLOOR_SERIES or attempt == 2:
                                raise
                            print(f"  {key}: a load failed ({str(error).splitlines()[0]}); again", file=sys.stderr)
                            retried[key] = retried.get(key, 0) + 1
                            page.wait_for_timeout(500)
                    if key in OFFLINE_SERIES and page.evaluate("navigator.onLine"):
                        raise SystemExit(f"{key}: the page believes it is online (navigator.onLine)")
                    if key in ROUTED_SERIES and timings["routedFrom"] != "cache":
                        raise SystemExit(f"{key}: not answered by the static route ({timings['routedFrom']})")
                    if settle_ms:
                        page.wait_for_timeout(settle_ms)
                    timings["after"] = previous
                    previous = key
                    if index:
                        series[key].append(timings)
        finally:
            browser.close()
            if floor is not None:
                floor.shutdown()
    return series


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


def start_from(server: Server, checkout: Path) -> None:
    """Start ``server`` with ``checkout``'s code first on the import path."""
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(checkout)
    try:
        server.start()
    finally:
        if before is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = before


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, int(-(-fraction * len(ordered) // 1)))  # ceil
    return ordered[min(rank, len(ordered)) - 1]


def stats(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), percentile(values, 0.9), min(values)


def paired(first: list[float], second: list[float], draws: int = 4000, seed: int = 17) -> dict:
    """``first[i] - second[i]``, load by load of the same round (so of the same
    moment's machine): their mean, a 95 % bootstrap interval of that mean (the
    rounds drawn again ``draws`` times, a fixed seed: the same figures give the
    same interval), their median, and in how many rounds ``first`` painted no
    later. Medians of two series flip by one of Chromium's paint steps from run
    to run when they are level; the interval says whether a difference is more
    than that."""
    if len(first) != len(second) or not first:
        raise ValueError("paired series need the same number of loads, at least one")
    differences = [a - b for a, b in zip(first, second, strict=True)]
    count = len(differences)
    randomly = random.Random(seed)
    means = sorted(sum(randomly.choices(differences, k=count)) / count for _ in range(draws))
    return {
        "mean": statistics.fmean(differences),
        "low": means[int(0.025 * draws)],
        "high": means[int(0.975 * draws) - 1],
        "median": statistics.median(differences),
        "no_later": sum(1 for difference in differences if difference <= 0),
        "rounds": count,
    }


#: The series ``--against`` repeats from the other checkout's code: each with
#: its label in the printed comparison and its name on the last line.
AGAINST_PAIRS = (
    ("offline", "offline", "against"),
    ("offline_cold", "offline, the worker stopped first", "against_cold"),
    ("online_via_worker", "through the worker", "against_via_worker"),
)

LABELS = {
    "online": "online (server, no worker)",
    "online_via_worker": "online (through the worker)",
    "offline": "offline (worker cache, server stopped)",
    "offline_cold": "offline, the worker stopped first",
    "floor": "floor (blank page from a worker's cache)",
    "floor_network": "the same blank page from its server",
    "floor_routed": "the same from the cache by a static route",
    "online_via_worker_against": "through the worker, --against's code",
    "offline_against": "offline, --against's code",
    "offline_cold_against": "offline, worker stopped, --against's code",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", help="page to load (default: an exercise page)")
    parser.add_argument("--loads", type=int, default=20, help="measured loads per series (default 20)")
    parser.add_argument("--chromium", help="Chromium binary (default: $STEADY_CHROMIUM, /usr/bin/chromium)")
    parser.add_argument(
        "--fresh-tabs", action="store_true", help="each load in a new tab (nothing in its memory cache)"
    )
    parser.add_argument(
        "--against",
        type=Path,
        metavar="CHECKOUT",
        help="also measure offline from a worker served by this checkout's code (e.g. the main branch)",
    )
    parser.add_argument(
        "--settle-ms",
        type=int,
        default=300,
        help="pause after each load, so what it leaves running ends before the next (default 300; 0: none)",
    )
    parser.add_argument(
        "--spare-renderers",
        action="store_true",
        help="keep Chromium's spare renderer, started anew on each load as the series' contexts take turns",
    )
    args = parser.parse_args(argv)
    path = args.path or default_path()
    if args.against is not None and not (args.against / "webapp").is_dir():
        parser.error(f"--against {args.against}: no webapp/ there")

    workdir = Path(tempfile.mkdtemp(prefix="steady-bench-"))
    online, offline = Server(workdir / "online"), Server(workdir / "offline")
    against = None
    if args.against is not None:
        against = (Server(workdir / "against-online"), Server(workdir / "against-offline"))
    servers = [online, offline, *(against or ())]
    try:
        for server in servers:
            server.workdir.mkdir(parents=True)
        online.start()
        offline.start()
        for server in against or ():
            start_from(server, args.against.resolve())
        retried: dict[str, int] = {}
        series = measure(
            online,
            offline,
            path,
            args.loads,
            args.chromium,
            args.fresh_tabs,
            against,
            settle_ms=args.settle_ms,
            retried=retried,
            spare_renderers=args.spare_renderers,
        )
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"Steady offline start: navigation start → first contentful paint of {path}")
    print(
        f"Chromium headless, 390x844, {args.loads} loads per series after one warm-up"
        f"{', each in a new tab' if args.fresh_tabs else ''}, {args.settle_ms} ms pause after each,"
        f" {'a spare renderer started as the contexts take turns' if args.spare_renderers else 'no spare renderer'},"
        f" loopback network, {os.cpu_count()} cores\n"
    )
    header = f"  {'series':40} {'FCP median':>11} {'FCP p90':>9} {'FCP min':>9} {'TTFB median':>12} {'DCL median':>11}"
    print(header)
    print("  " + "-" * (len(header) - 2))
    medians = {}
    for key, results in series.items():
        fcp = [r["fcp"] for r in results]
        ttfb = [r["responseStart"] for r in results if r["responseStart"] is not None]
        dcl = [r["domContentLoaded"] for r in results if r["domContentLoaded"] is not None]
        median, p90, low = stats(fcp)
        medians[key] = median
        print(
            f"  {LABELS[key]:40} {median:>8.1f} ms {p90:>6.1f} ms {low:>6.1f} ms"
            f" {statistics.median(ttfb):>9.1f} ms {statistics.median(dcl):>8.1f} ms"
        )
    print(
        "\n  Before the first frame (median load): files fetched (varies with load), and those holding the paint (does not):"
    )
    for key, results in series.items():
        pick = sorted(results, key=lambda r: r["fcp"])[len(results) // 2]
        print(
            f"  {LABELS[key]:40} {pick['requestsBeforeFcp']} requests ({pick['scriptsBeforeFcp']} scripts,"
            f" {pick['routedBeforeFcp']} by the worker's static routes,"
            f" {pick['viaWorkerBeforeFcp']} through its fetch handler),"
            f" holding the paint: {', '.join(pick['blockingBeforeFcp']) or 'none'}"
        )
    ratio = medians["offline"] / medians["online"]
    print(
        f"\n  offline / online FCP (medians): {ratio:.2f}"
        f"  ({'faster' if ratio < 1 else 'slower'} offline by {abs(medians['offline'] - medians['online']):.1f} ms)"
    )
    fcps = {key: [r["fcp"] for r in results] for key, results in series.items()}
    against_online = paired(fcps["offline"], fcps["online"])
    print(
        f"  offline − online, paired load by load in each round: mean {against_online['mean']:+.1f} ms"
        f" (95 % interval {against_online['low']:+.1f} to {against_online['high']:+.1f}),"
        f" median {against_online['median']:+.1f} ms; offline no later in {against_online['no_later']}"
        f" of {against_online['rounds']} rounds"
    )
    print(
        f"  offline − floor (medians): {medians['offline'] - medians['floor']:.1f} ms"
        " (what Steady's page, its style sheet and its worker add to the least a worker's answer costs here)"
    )
    worker_cost = medians["floor"] - medians["floor_network"]
    print(
        f"  floor − the same page from its server (medians): {worker_cost:.1f} ms"
        " (what answering from a worker's cache costs a blank page here, against the network)"
    )
    cache_cost = medians["floor_routed"] - medians["floor_network"]
    print(
        f"  static route − the same page from its server (medians): {cache_cost:.1f} ms"
        " (Chromium's own answer from Cache Storage: no fetch handler, no offline emulation)"
    )
    code_pairs = {}
    if "offline_against" in fcps:
        # The same series from --against's code, in the same rounds: what this code changes, load by load.
        for key, label, _name in AGAINST_PAIRS:
            code_pairs[key] = paired(fcps[key], fcps[f"{key}_against"])
            print(
                f"  {label}, this code − --against's, paired: mean {code_pairs[key]['mean']:+.1f} ms"
                f" (95 % interval {code_pairs[key]['low']:+.1f} to {code_pairs[key]['high']:+.1f}),"
                f" no later in {code_pairs[key]['no_later']} of {code_pairs[key]['rounds']} rounds"
            )
    print("\n  FCP median by the load just before (n), what a load leaves running:")
    for key, results in series.items():
        before = {}
        for result in results:
            before.setdefault(result["after"], []).append(result["fcp"])
        print(
            f"  {LABELS[key]:40} "
            + ", ".join(
                f"after {other}: {statistics.median(values):.0f} ({len(values)})"
                for other, values in sorted(before.items())
            )
        )
    if retried:
        print(
            "\n  The floor's loads that failed and were tried again: "
            + ", ".join(f"{LABELS[k]}: {n}" for k, n in retried.items())
        )
    print("\n  TTFB = responseStart, DCL = domContentLoadedEventEnd, both from navigation start.\n")
    offline_pick = sorted(series["offline"], key=lambda r: r["fcp"])[len(series["offline"]) // 2]
    pairs = {
        "offline_fcp_ms": f"{medians['offline']:.1f}",
        "online_fcp_ms": f"{medians['online']:.1f}",
        "online_via_worker_fcp_ms": f"{medians['online_via_worker']:.1f}",
        "offline_cold_fcp_ms": f"{medians['offline_cold']:.1f}",
        "ratio": f"{ratio:.2f}",
        "paired_offline_minus_online_ms": f"{against_online['mean']:.1f}",
        "paired_low_ms": f"{against_online['low']:.1f}",
        "paired_high_ms": f"{against_online['high']:.1f}",
        "offline_no_later_rounds": against_online["no_later"],
        "floor_fcp_ms": f"{medians['floor']:.1f}",
        "above_floor_ms": f"{medians['offline'] - medians['floor']:.1f}",
        "floor_network_fcp_ms": f"{medians['floor_network']:.1f}",
        "worker_cost_ms": f"{worker_cost:.1f}",
        "floor_routed_fcp_ms": f"{medians['floor_routed']:.1f}",
        "cache_answer_cost_ms": f"{cache_cost:.1f}",
        "offline_paint_blockers": len(offline_pick["blockingBeforeFcp"]),
        "offline_fetched_by_first_frame": offline_pick["requestsBeforeFcp"],
        "offline_fetch_handler_by_first_frame": offline_pick["viaWorkerBeforeFcp"],
        "loads": args.loads,
        "fresh_tabs": int(args.fresh_tabs),
        "settle_ms": args.settle_ms,
        "spare_renderers": int(args.spare_renderers),
        "retried": sum(retried.values()),
    }
    for key, _label, name in AGAINST_PAIRS:
        if key in code_pairs:  # with --against
            pairs[f"{name}_fcp_ms"] = f"{medians[f'{key}_against']:.1f}"
            pairs[f"{name}_paired_ms"] = f"{code_pairs[key]['mean']:.1f}"
            pairs[f"{name}_paired_low_ms"] = f"{code_pairs[key]['low']:.1f}"
            pairs[f"{name}_paired_high_ms"] = f"{code_pairs[key]['high']:.1f}"
    print(" ".join(f"{key}={value}" for key, value in pairs.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
