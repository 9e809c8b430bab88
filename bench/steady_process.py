"""What the browser benchmarks share: Steady as a real server process on a
free port, how to find and start Chromium here, and how to wait for a page."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Outer settings that must not reach the server: it runs the embedded default.
LEAKY_ENV = re.compile(r"^(DATABASE_URL|TEST_DATABASE_URL|STEADY_.*|FLASK_.*)$")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(page, script: str, arg=None, timeout: float = 15_000, polling: float = 100):
    """Evaluate ``script`` (which may be async) until it gives something
    truthy; that value. Not ``page.wait_for_function``: it does not wait for a
    promise, so an async check would count as done at once. The benchmarks and
    the browser tests (tests/e2e/conftest.py) both wait with it: it gives up
    with an ``AssertionError`` (a failed test; a benchmark stops with it)."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        value = page.evaluate(script, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} ms waiting for: {script.strip()[:120]}")
        page.wait_for_timeout(polling)


def find_chromium(playwright, wanted: str | None) -> str:
    candidates = [wanted, os.environ.get("STEADY_CHROMIUM"), "/usr/bin/chromium"]
    try:
        candidates.append(playwright.chromium.executable_path)
    except Exception:  # Playwright has no browser of its own here
        pass
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit("No Chromium found: set STEADY_CHROMIUM or install Debian's chromium.")


class Server:
    """``steady serve`` in a subprocess, with its own instance folder."""

    def __init__(self, workdir: Path, access_log: Path | None = None) -> None:
        self.workdir = workdir
        #: With a path: serve through bench/logged_server.py, which logs every request there.
        self.access_log = access_log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "server.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        env = {k: v for k, v in os.environ.items() if not LEAKY_ENV.match(k)}
        env["STEADY_INSTANCE_PATH"] = str(self.workdir / "instance")
        env["PYTHONUNBUFFERED"] = "1"
        command = [sys.executable, "-m", "webapp.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.access_log is not None:
            script = Path(__file__).with_name("logged_server.py")
            command = [sys.executable, str(script), "--port", str(self.port), "--log", str(self.access_log)]
            env["PYTHONPATH"] = os.pathsep.join(
                filter(None, [str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH")])
            )
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=self.workdir, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"steady serve exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/offline", timeout=2):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        self.stop()
        raise SystemExit(f"steady serve did not answer within {timeout}s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
