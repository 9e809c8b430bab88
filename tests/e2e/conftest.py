"""End-to-end harness: the real ``steady serve`` in a subprocess, driven by a
real Chromium through Playwright (sync API).

* Every test in this folder is marked ``e2e``.
* Chromium is found at ``$STEADY_CHROMIUM``, else ``/usr/bin/chromium``, else
  Playwright's own bundled browser. With none, the e2e tests are skipped —
  or fail when ``STEADY_REQUIRE_BROWSER=1`` (CI).
* ``server`` is a fresh Steady per test: its own instance folder (embedded
  SQLite, generated secrets), its own copy of ``webapp/static`` (so a test can
  change an asset), a free port on 127.0.0.1. ``stop()`` / ``start()`` keep
  the port and the instance folder, so the browser origin, its cookies and its
  service worker survive a restart.
* ``context`` / ``page`` are a fresh browser profile per test with service
  workers allowed; ``new_context`` makes more (a second device).
* ``axe(page)`` runs axe-core and fails on any serious or critical violation.
* ``pwa`` and ``accounts`` hold the steps several tests share.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

# The tests' wait, shared with the benchmarks (it may be async; gives up with an AssertionError).
from bench.steady_process import wait_until  # noqa: F401

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
STATIC_SOURCE = ROOT / "webapp" / "static"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: A phone-sized window: Steady is phone first.
PHONE_VIEWPORT = {"width": 390, "height": 844}
DEFAULT_TIMEOUT_MS = 15_000
PASSWORD = "correct horse battery"


#: Every layout shift since the page began (as Lighthouse counts them), what
#: moved and when, gathered for a while after load so the page's scripts have
#: run: ``page.evaluate(LAYOUT_SHIFTS)``.
LAYOUT_SHIFTS = """() => new Promise((done) => {
    const seen = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => seen.push({
        value: e.value, at: Math.round(e.startTime),
        moved: (e.sources || []).map((s) => s.node ? `${s.node.nodeName}.${s.node.className || ''}` : '?'),
    }))).observe({ type: "layout-shift", buffered: true });
    setTimeout(() => done(seen), 900);
})"""


#: Settings from the outer environment that must not reach the server under
#: test: it has to run the embedded default (SQLite in its instance folder).
LEAKY_ENV = re.compile(r"^(DATABASE_URL|TEST_DATABASE_URL|STEADY_.*|FLASK_.*)$")


# --------------------------------------------------------------------------
# Marking
# --------------------------------------------------------------------------


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE == Path(item.path).parent or HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(port: int) -> list[str]:
    return [sys.executable, "-m", "webapp.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", "8"]


def server_env(instance_dir: Path, static_dir: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not LEAKY_ENV.match(name)}
    env["STEADY_INSTANCE_PATH"] = str(instance_dir)
    env["STEADY_STATIC_FOLDER"] = str(static_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env["STEADY_PSEUDO_LOCALES"] = "1"  # the pseudo-locales, for tests/e2e/test_pseudo_fit.py
    return env


class SteadyServer:
    """The real server in a subprocess, restartable on the same port."""

    def __init__(self, root: Path, port: int | None = None, database_url: str | None = None) -> None:
        self.database_url = database_url  # None: SQLite in the instance folder
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.instance_dir = self.root / "instance"
        self.static_dir = self.root / "static"
        if not self.static_dir.exists():
            shutil.copytree(STATIC_SOURCE, self.static_dir)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.root / "server.log"
        self.process: subprocess.Popen | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text("utf-8", errors="replace")[-chars:]
        except FileNotFoundError:
            return "(no log)"

    def start(self, timeout: float = 90.0) -> SteadyServer:
        if self.running:
            return self
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                server_command(self.port),
                cwd=self.root,
                env=server_env(self.instance_dir, self.static_dir)
                | ({"DATABASE_URL": self.database_url} if self.database_url else {}),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise RuntimeError(f"steady serve exited with {code} before answering:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/offline", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (TimeoutError, urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"steady serve did not answer within {timeout:.0f}s:\n{self.log_tail()}")
            time.sleep(0.05)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def __repr__(self) -> str:
        return f"<SteadyServer {self.url} {'running' if self.running else 'stopped'}>"


@pytest.fixture
def make_server(tmp_path, chromium_executable):
    """Factory for servers that live as long as the test; all stopped at teardown.

    (It asks for the browser first so that, with no browser, tests are skipped
    before a server is started for nothing.)"""
    made: list[SteadyServer] = []

    def factory(name: str = "server", database_url: str | None = None) -> SteadyServer:
        server = SteadyServer(tmp_path / f"{name}-{len(made)}", database_url=database_url)
        made.append(server)
        return server.start()

    yield factory
    for server in made:
        server.stop()


@pytest.fixture
def server(make_server) -> SteadyServer:
    """A fresh Steady for this test."""
    return make_server()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory, chromium_executable):
    """One Steady for a whole module of read-only checks (faster)."""
    server = SteadyServer(tmp_path_factory.mktemp("shared-steady")).start()
    yield server
    server.stop()


# --------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------


def find_chromium(playwright) -> tuple[str | None, list[str]]:
    """The browser to drive, and where we looked."""
    looked: list[str] = []
    candidates: list[str] = []
    if os.environ.get("STEADY_CHROMIUM"):
        candidates.append(os.environ["STEADY_CHROMIUM"])
    candidates.append("/usr/bin/chromium")
    try:
        candidates.append(playwright.chromium.executable_path)
    except Exception:  # pragma: no cover - depends on the Playwright install
        pass
    for candidate in candidates:
        looked.append(candidate)
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate, looked
    return None, looked


def _no_browser(reason: str):
    if os.environ.get("STEADY_REQUIRE_BROWSER") == "1":
        pytest.fail(f"STEADY_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright_driver():
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:  # pragma: no cover
        _no_browser("Playwright is not installed (pip install -e '.[test]')")
    # Assertions wait as long as actions do: a busy CI machine is slow, not broken.
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium_executable(playwright_driver) -> str:
    """The Chromium binary to drive; skips (or fails, when required) without one."""
    path, looked = find_chromium(playwright_driver)
    if path is None:
        _no_browser(
            "no Chromium found for the e2e tests (looked at: "
            + ", ".join(looked)
            + "); set STEADY_CHROMIUM to a Chromium binary"
        )
    return path


@pytest.fixture(scope="session")
def browser(playwright_driver, chromium_executable):
    browser = playwright_driver.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser):
    """Factory for fresh browser profiles (each one is a separate device)."""
    made = []

    def factory(**options):
        options.setdefault("service_workers", "allow")
        options.setdefault("viewport", PHONE_VIEWPORT)
        context = browser.new_context(**options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        made.append(context)
        return context

    yield factory
    for context in made:
        try:
            context.close()
        except Exception:  # the browser may already be gone
            pass


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.js_errors = []  # uncaught errors in the page, for tests that care
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    return page


# --------------------------------------------------------------------------
# axe-core
# --------------------------------------------------------------------------

BLOCKING_IMPACTS = ("serious", "critical")


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation.get('help')}")
        lines.append(f"  {violation.get('helpUrl', '')}")
        for node in violation.get("nodes", []):
            target = ", ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}: {node.get('failureSummary', '').strip()}".replace("\n", " / "))
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe():
    """``axe(page, label)`` runs axe-core on the page as it is now and fails
    the test on any serious or critical violation; returns axe's results.

    axe-core (the copy shipped with axe-playwright-python) is injected with
    ``page.evaluate``, which runs through the DevTools protocol and is not
    subject to the page's CSP, so the real CSP stays in force. It is injected
    once per document: calling ``axe`` again on the same page (say, after
    switching the colour scheme) re-runs the checks only.
    """
    from axe_playwright_python.sync_playwright import Axe

    script = Axe().axe_script

    def check(page, label: str = "") -> dict:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(script)
        results = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
        violations = results["violations"]
        blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
        if blocking:
            pytest.fail(
                f"axe found {len(blocking)} serious/critical violation(s) on {label or page.url}:\n"
                + format_violations(blocking),
                pytrace=False,
            )
        return results

    return check


# --------------------------------------------------------------------------
# Shared steps
# --------------------------------------------------------------------------


class PWA:
    """Service-worker and cache inspection from inside the page."""

    @staticmethod
    def wait_controlled(page, timeout: float = DEFAULT_TIMEOUT_MS) -> None:
        """The worker is active and controls this page (first load included:
        sw.js claims its clients on activate)."""
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        try:
            page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=timeout)
        except Exception:
            # On a slow machine the claim can come late; a page loaded after
            # activation is controlled from the start.
            page.reload()
            page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=timeout * 2)

    @staticmethod
    def wait_precached(page, path: str = "/offline", timeout: float = DEFAULT_TIMEOUT_MS) -> str:
        """Wait until a ``steady-shell-*`` cache holds ``path``; its name."""
        return wait_until(
            page,
            """async (path) => {
                for (const name of await caches.keys()) {
                    if (!name.startsWith("steady-shell-")) continue;
                    const cache = await caches.open(name);
                    if (await cache.match(path)) return name;
                }
                return false;
            }""",
            path,
            timeout,
        )

    @staticmethod
    def worker_version(page) -> str:
        """The build version the controlling worker reports over a MessageChannel."""
        return page.evaluate(
            """() => new Promise((resolve, reject) => {
                const worker = navigator.serviceWorker.controller;
                if (!worker) return reject(new Error("no controlling service worker"));
                const channel = new MessageChannel();
                channel.port1.onmessage = (event) => resolve(event.data.version);
                worker.postMessage({ type: "GET_VERSION" }, [channel.port2]);
                setTimeout(() => reject(new Error("worker did not answer GET_VERSION")), 5000);
            })"""
        )

    @staticmethod
    def wait_version(page, version: str, timeout: float = DEFAULT_TIMEOUT_MS) -> None:
        """Wait until the worker controlling ``page`` reports ``version``."""
        wait_until(
            page,
            """(expected) => new Promise((resolve) => {
                const worker = navigator.serviceWorker.controller;
                if (!worker) return resolve(false);
                const channel = new MessageChannel();
                channel.port1.onmessage = (event) => resolve(event.data.version === expected);
                worker.postMessage({ type: "GET_VERSION" }, [channel.port2]);
                setTimeout(() => resolve(false), 1000);
            })""",
            version,
            timeout,
        )

    @staticmethod
    def dump_caches(page) -> list[dict]:
        """Every cache entry on this origin: cache name, URL, content type and body."""
        return page.evaluate(
            """async () => {
                const out = [];
                for (const name of await caches.keys()) {
                    const cache = await caches.open(name);
                    for (const request of await cache.keys()) {
                        const response = await cache.match(request);
                        const type = response.headers.get("Content-Type") || "";
                        let body = "";
                        if (!/^image\\//.test(type)) body = await response.text();
                        out.push({ cache: name, url: request.url, type, body });
                    }
                }
                return out;
            }"""
        )


@pytest.fixture(scope="session")
def pwa() -> type[PWA]:
    return PWA


class Accounts:
    """Drives the real account forms like a person would."""

    PASSWORD = PASSWORD

    @staticmethod
    def nav(page):
        return page.get_by_role("navigation", name="Main")

    @classmethod
    def expect_signed_in(cls, page) -> None:
        from playwright.sync_api import expect

        expect(cls.nav(page).get_by_role("link", name="Account")).to_be_visible()
        expect(cls.nav(page).get_by_role("link", name="Sign in")).to_have_count(0)

    @classmethod
    def expect_signed_out(cls, page) -> None:
        from playwright.sync_api import expect

        expect(cls.nav(page).get_by_role("link", name="Sign in")).to_be_visible()
        expect(cls.nav(page).get_by_role("link", name="Account")).to_have_count(0)

    @staticmethod
    def register(page, base_url: str, email: str, password: str = PASSWORD) -> None:
        page.goto(base_url + "/register")
        page.get_by_label("Email address", exact=True).fill(email)
        page.get_by_label("Choose a password", exact=True).fill(password)
        with page.expect_navigation():  # a form post always loads a page
            page.get_by_role("button", name="Create account").click()

    @classmethod
    def sign_out(cls, page, base_url: str) -> None:
        """ "Sign out on this device" from the account page; waits until the
        sign-in page shows (the click may do work on the device first)."""
        from playwright.sync_api import expect

        if not page.url.rstrip("/").endswith("/account"):
            page.goto(base_url + "/account/")
        with page.expect_navigation():
            page.get_by_role("button", name="Sign out on this device").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        cls.expect_signed_out(page)

    @staticmethod
    def login(page, base_url: str, email: str, password: str = PASSWORD) -> None:
        page.goto(base_url + "/login")
        page.get_by_label("Email address", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()


@pytest.fixture(scope="session")
def accounts() -> type[Accounts]:
    return Accounts
