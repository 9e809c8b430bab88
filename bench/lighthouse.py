"""Lighthouse (mobile) on every public page of Steady.

    /work/venv/bin/python bench/lighthouse.py [--runs N] [--only SUBSTRING] [--keep-reports DIR] [--chromium PATH]

Installs Lighthouse from the npm registry into ``bench/.lighthouse`` (git-ignored,
never the root package.json, which CI installs for ESLint), starts Steady the way
the other browser benchmarks do (``python -m webapp.cli serve`` on 127.0.0.1, a
throw-away instance folder) and runs Lighthouse's default mobile profile on each
public page: performance, accessibility, best practices and SEO, performance
throttled by simulation (Lantern: 150 ms round trips, 1.6 Mbit/s, CPU slowed 4×),
so the figures depend little on how busy the machine is.

The pages come from the app itself, not a hand-written list: every GET route of
the url_map whose arguments can be filled from the content (every exercise,
feeling, learn article and guide page) and that answers a signed-out visitor
with an HTML page (200); routes that need a sign-in redirect and are left out.

With ``--runs N`` each page is audited N times and the table shows its median
run, chosen as Lighthouse's own ``core/lib/median-run.js`` chooses it (the run
nearest the median FCP and the median time to interactive), with the spread
of FCP across the runs: Lighthouse's documentation (docs/variability.md) asks
for several runs, since one run's simulated FCP follows the observed CPU time
of the first parse, layout and paint, which varies from run to run.

It prints a table (page, four scores, FCP, LCP, TBT, CLS) and ends with one
line of key=value pairs: the lowest of each score, the slowest FCP and the page
with the lowest score. It never fails on a number.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from steady_process import Server  # noqa: E402  (bench/ is on sys.path)

LIGHTHOUSE_VERSION = "12.8.2"  # 13.x needs Node 22; CI and this machine have Node 20
TOOLS = Path(__file__).resolve().parent / ".lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SHORT = {"performance": "perf", "accessibility": "a11y", "best-practices": "bp", "seo": "seo"}
METRICS = {
    "fcp": "first-contentful-paint",
    "lcp": "largest-contentful-paint",
    "tbt": "total-blocking-time",
    "cls": "cumulative-layout-shift",
}
#: Where a route's argument comes from.
SKIPPED_PREFIXES = ("/api/", "/static/", "/i18n/", "/sw.js", "/offline-pack", "/manifest")


def lighthouse_bin() -> Path:
    binary = TOOLS / "node_modules" / ".bin" / "lighthouse"
    installed = TOOLS / "node_modules" / "lighthouse" / "package.json"
    if binary.exists() and json.loads(installed.read_text()).get("version") == LIGHTHOUSE_VERSION:
        return binary
    TOOLS.mkdir(exist_ok=True)
    print(f"Installing lighthouse@{LIGHTHOUSE_VERSION} into {TOOLS} …", file=sys.stderr)
    subprocess.run(
        ["npm", "install", "--prefix", str(TOOLS), f"lighthouse@{LIGHTHOUSE_VERSION}", "--no-audit", "--no-fund"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return binary


def argument_values() -> dict[str, list[str]]:
    """Every value a public route's argument can take, from the content."""
    from webapp import i18n

    library, learning = i18n.library(), i18n.learning()
    return {
        "exercise_id": list(library.exercises),
        "feeling_id": list(library.feelings),
        "article_id": list(learning.articles),
        "page_id": list(learning.supporting),
    }


def candidate_paths() -> list[str]:
    """Every GET route's path, arguments filled from the content (routes with
    an argument the content cannot fill, such as a share token, are left out)."""
    from webapp import create_app

    with tempfile.TemporaryDirectory(prefix="steady-lh-app-") as instance:
        app = create_app(environ={}, instance_path=instance)
        paths: list[str] = []
        with app.test_request_context("/"):
            values = argument_values()
            adapter = app.url_map.bind("localhost")
            for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
                if "GET" not in (rule.methods or ()) or rule.rule.startswith(SKIPPED_PREFIXES):
                    continue
                arguments = sorted(rule.arguments)
                if not arguments:
                    paths.append(adapter.build(rule.endpoint, {}))
                elif len(arguments) == 1 and arguments[0] in values:
                    for value in values[arguments[0]]:
                        paths.append(adapter.build(rule.endpoint, {arguments[0]: value}))
    return list(dict.fromkeys(paths))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


def public_pages(base: str, paths: list[str]) -> list[str]:
    """The paths that answer a signed-out visitor with an HTML page."""
    opener = urllib.request.build_opener(NoRedirect)
    pages = []
    for path in paths:
        try:
            with opener.open(base + path, timeout=30) as response:
                if response.status == 200 and response.headers.get_content_type() == "text/html":
                    pages.append(path)
        except urllib.error.HTTPError:
            continue  # a redirect to sign in, a 404 or 405: not a public page
    return pages


def run_lighthouse(binary: Path, chromium: str, url: str, report_dir: Path | None, tries: int = 3) -> dict:
    """One page's scores; a run Lighthouse could not finish (a trace without a
    navigation start, a protocol timeout: it says "run again") is run again."""
    for _ in range(tries):
        result = run_lighthouse_once(binary, chromium, url, report_dir)
        if not result.get("error"):
            break
    return result


def run_lighthouse_once(binary: Path, chromium: str, url: str, report_dir: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="steady-lh-") as scratch:
        out = Path(scratch) / "report.json"
        env = dict(os.environ, CHROME_PATH=chromium, TMPDIR=scratch)
        command = [
            str(binary),
            url,
            "--output=json",
            f"--output-path={out}",
            "--quiet",
            "--chrome-flags=--headless=new --no-sandbox",
            "--only-categories=" + ",".join(CATEGORIES),
            "--max-wait-for-load=60000",
        ]
        completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        if not out.exists():
            return {"error": (completed.stderr or completed.stdout).strip().splitlines()[-1:] or ["no report"]}
        report = json.loads(out.read_text())
        if report_dir is not None:
            name = url.split("://", 1)[1].split("/", 1)[-1].replace("/", "_") or "home"
            shutil.copy(out, report_dir / f"{name}.json")
    result = {"error": report.get("runtimeError", {}).get("message")}
    for category in CATEGORIES:
        score = report["categories"][category]["score"]
        result[category] = None if score is None else round(score * 100)
    for key, audit in METRICS.items():
        result[key] = report["audits"].get(audit, {}).get("numericValue")
    result["tti"] = report["audits"].get("interactive", {}).get("numericValue")
    result["failing"] = [
        audit_id
        for category in CATEGORIES
        for ref in report["categories"][category]["auditRefs"]
        if ref.get("weight")
        and (audit_id := ref["id"])
        and report["audits"][audit_id].get("score") is not None
        and report["audits"][audit_id]["score"] < 0.9
    ]
    return result


def median_run(runs: list[dict]) -> dict:
    """The run nearest the median FCP and the median time to interactive
    (Lighthouse's ``computeMedianRun``), with every run's FCP beside it."""
    scored = [run for run in runs if run.get("fcp") is not None and run.get("tti") is not None]
    if not scored:
        return runs[0]
    fcp = statistics.median(run["fcp"] for run in scored)
    tti = statistics.median(run["tti"] for run in scored)
    chosen = min(scored, key=lambda run: (fcp - run["fcp"]) ** 2 + (tti - run["tti"]) ** 2)
    return {**chosen, "fcp_runs": sorted(run["fcp"] for run in scored)}


def fmt_ms(value: float | None) -> str:
    return "-" if value is None else f"{value / 1000:.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        help="only pages whose path contains one of these (comma-separated); =PATH for that page alone (=/ for the home page)",
    )
    parser.add_argument("--chromium", default=os.environ.get("STEADY_CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--keep-reports", type=Path, help="copy each JSON report into this folder")
    parser.add_argument("--runs", type=int, default=1, help="audits of each page; the median run is shown")
    args = parser.parse_args(argv)
    binary = lighthouse_bin()
    if args.keep_reports:
        args.keep_reports.mkdir(parents=True, exist_ok=True)

    paths = candidate_paths()
    workdir = Path(tempfile.mkdtemp(prefix="steady-bench-"))
    server = Server(workdir)
    results: dict[str, dict] = {}
    try:
        server.start()
        pages = public_pages(server.url, paths)
        if args.only:
            pages = [
                p
                for p in pages
                if any(p == part[1:] if part.startswith("=") else part in p for part in args.only.split(","))
            ]
        for path in pages:
            runs = [
                run_lighthouse(binary, args.chromium, server.url + path, args.keep_reports)
                for _ in range(max(1, args.runs))
            ]
            results[path] = row = median_run(runs)
            spread = ", ".join(fmt_ms(fcp) for fcp in row.get("fcp_runs", [])) if args.runs > 1 else ""
            print(f"  … {path}: {[row.get(c) for c in CATEGORIES]} {fmt_ms(row.get('fcp'))} {spread}", file=sys.stderr)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    load = os.getloadavg()
    print(f"Lighthouse {LIGHTHOUSE_VERSION}, mobile (simulated throttling), Chromium headless, {len(results)} pages")
    if args.runs > 1:
        print(f"each page audited {args.runs} times: its median run (Lighthouse's computeMedianRun), FCP of every run")
    print(
        f"load average during the run ended at {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores\n"
    )
    width = max(len(p) for p in results) if results else 10
    header = (
        f"  {'page':{width}} {'perf':>4} {'a11y':>4} {'bp':>4} {'seo':>4} {'FCP':>7} {'LCP':>7} {'TBT':>7} {'CLS':>6}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for path, row in results.items():
        scores = " ".join(f"{'-' if row.get(c) is None else row[c]:>4}" for c in CATEGORIES)
        tbt = "-" if row.get("tbt") is None else f"{row['tbt']:.0f} ms"
        cls = "-" if row.get("cls") is None else f"{row['cls']:.3f}"
        print(f"  {path:{width}} {scores} {fmt_ms(row.get('fcp')):>7} {fmt_ms(row.get('lcp')):>7} {tbt:>7} {cls:>6}")
        if len(row.get("fcp_runs", [])) > 1:
            print(f"  {'':{width}} FCP of each run: {', '.join(fmt_ms(fcp) for fcp in row['fcp_runs'])}")
        if row.get("error"):
            print(f"  {'':{width}} error: {row['error']}")
        if row.get("failing"):
            print(f"  {'':{width}} below 0.9: {', '.join(row['failing'])}")

    pairs: dict[str, object] = {"pages": len(results)}
    worst_page, worst_score = "-", 101
    for category in CATEGORIES:
        scored = [(row[category], path) for path, row in results.items() if row.get(category) is not None]
        missing = len(results) - len(scored)
        lowest = min(scored) if scored else (None, "-")
        pairs[f"min_{SHORT[category]}"] = lowest[0] if lowest[0] is not None else "none"
        if missing:
            pairs[f"unscored_{SHORT[category]}"] = missing
        if lowest[0] is not None and lowest[0] < worst_score:
            worst_score, worst_page = lowest[0], lowest[1]
    fcps = [(row["fcp"], path) for path, row in results.items() if row.get("fcp") is not None]
    if fcps:
        slowest = max(fcps)
        pairs["max_fcp_s"] = f"{slowest[0] / 1000:.2f}"
        pairs["max_fcp_page"] = slowest[1]
    pairs["worst_page"] = worst_page
    print()
    print(" ".join(f"{key}={value}" for key, value in pairs.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
