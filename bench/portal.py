"""Portal benchmark: what each page weighs and how soon it is usable, on the full official data.

`qf import all DIR` (the proposer included), then `qf serve --data DIR` in a child process, over a
throw-away database (created here, dropped at the end); Debian's chromium (Playwright) opens each page
of the portal several times, each time in a fresh browser context (an empty cache: a first visit), then
once more in the same context (a return visit: every file revalidated, a 304). Prints per page:

- weight: bytes over the wire (gzip) and decoded, all of it and the scripts alone (target: under 300 KB
  of script), and the number of requests, GraphQL calls included;
- first load: from navigation until the page is usable (its first API data on screen: results, the
  standard's facts, the coverage chart, the form, the verdict), median and worst of the runs (target:
  every page interactive in under 1 s on this machine); until every part has arrived (the standard's
  crosswalk picture, the task force's queue); DOMContentLoaded; a return visit's load; and the longest
  GraphQL call (the API's share of the wait, the rest being the browser's).

    python bench/portal.py [--data ../shared/data] [--runs 5] [--url http://127.0.0.1:4000]
    # on QF_DATABASE_URL's server, or the embedded PostgreSQL in .qf-data-bench
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import Browser, async_playwright  # noqa: E402

from bench.throwaway import throwaway_database  # noqa: E402
from services.common.db import resolve_database_url  # noqa: E402
from services.common.settings import Settings  # noqa: E402

# Page, hash route, the element that says the page is usable (its first API data on screen) and the one
# that says every part of it has arrived (the standard's crosswalk, the task force's queue).
PAGES = [
    ("search", "#/search", ".results li", ".results li"),
    ("search 'pintura automotriz'", None, ".results li", ".results li"),
    ("standard EC0630", "#/standard/EC0630", "h1 .code", "figure.crosswalk svg, #crosswalk-title + * p"),
    ("task force", "#/taskforce", '[data-bar="mutual"]', ".queue .count"),
    ("registrar (form)", "#/registrar", "form button[type=submit]", "form button[type=submit]"),
    ("verify (unknown folio)", "#/verify/EC0000-1900-0000000", "[role=alert]", "[role=alert]"),
]
SCRIPT_BUDGET = 300 * 1024
TARGET_SECONDS = 1.0

RESOURCES = """() => {
  const entries = [...performance.getEntriesByType('navigation'),
                   ...performance.getEntriesByType('resource')];
  return entries.map(e => ({name: e.name, type: e.initiatorType, transfer: e.transferSize,
                            decoded: e.decodedBodySize, duration: e.duration}));
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_serve(database_url: str, data: Path, folder: Path) -> tuple[subprocess.Popen, str]:
    """`qf serve --data` on free ports; returns the process and the portal's base URL once it is up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QF_")}
    ports = {name: str(free_port()) for name in ("GATEWAY", "REGISTRY", "CREDITS", "MAPPING")}
    env.update({f"QF_{name}_PORT": port for name, port in ports.items()})
    env.update(QF_DATABASE_URL=database_url, QF_DATA_DIR=str(folder), QF_LOG_LEVEL="WARNING")
    # `qf import all` runs the counterpart proposer too (`serve --data` only imports), so the standard and
    # task-force pages have the proposals a real deployment has; the serve's own import then changes nothing.
    subprocess.run(
        [sys.executable, "-m", "qf", "import", "all", str(data)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "qf", "serve", "--data", str(data)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if re.search(r"qf is up", line):
            print(line.strip())
            # Keep reading what it prints, so a full pipe never stalls it.
            threading.Thread(target=process.stdout.read, daemon=True).start()
            return process, f"http://127.0.0.1:{ports['GATEWAY']}"
    raise RuntimeError(f"qf serve stopped (exit {process.wait()})")


async def load(browser: Browser, base: str, route: str | None, ready: str, complete: str) -> dict[str, Any]:
    """One first visit and one return visit to a page: timings and the resources it fetched."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        started = time.perf_counter()
        if route is None:  # a search typed by a person, after the search page is up
            await page.goto(f"{base}/#/search")
            await page.wait_for_selector(".results li")
            started = time.perf_counter()
            await page.fill("input[name=q]", "pintura automotriz")
            await page.press("input[name=q]", "Enter")
            await page.wait_for_selector("text=EC0630")
        else:
            await page.goto(f"{base}/{route}")
            await page.wait_for_selector(ready)
        first = time.perf_counter() - started
        await page.wait_for_selector(complete)
        whole = time.perf_counter() - started
        resources = await page.evaluate(RESOURCES)
        dom = await page.evaluate(
            "() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
        )
        again = time.perf_counter()
        await page.reload()
        await page.wait_for_selector(ready)
        return {
            "first": first,
            "whole": whole,
            "return": time.perf_counter() - again,
            "dom": dom / 1000,
            "resources": resources,
        }
    finally:
        await context.close()


def weights(resources: list[dict[str, Any]]) -> dict[str, int]:
    scripts = [r for r in resources if r["name"].split("?")[0].endswith(".js")]
    return {
        "requests": len(resources),
        "graphql": sum(1 for r in resources if r["name"].endswith("/graphql")),
        "transfer": sum(r["transfer"] for r in resources),
        "decoded": sum(r["decoded"] for r in resources),
        "script_transfer": sum(r["transfer"] for r in scripts),
        "script_decoded": sum(r["decoded"] for r in scripts),
    }


def api_seconds(resources: list[dict[str, Any]]) -> float:
    """The longest GraphQL call of a load, request to last byte: the API's share of the wait."""
    return max((r["duration"] for r in resources if r["name"].endswith("/graphql")), default=0.0) / 1000


async def run(base: str, runs: int) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium)
        try:
            await load(browser, base, "#/search", ".results li", ".results li")  # warm the server's caches
            print(
                f"\n{'page':<28} {'requests':>8} {'graphql':>7} {'wire KB':>8} {'KB':>7} {'script wire':>11} "
                f"{'script KB':>9} {'usable p50':>10} {'worst':>7} {'whole p50':>9} {'DCL':>6} {'return':>7} "
                f"{'API max':>7}"
            )
            worst_script = 0
            slowest = 0.0
            for name, route, ready, complete in PAGES:
                results = [await load(browser, base, route, ready, complete) for _ in range(runs)]
                w = weights(results[0]["resources"])
                firsts = [r["first"] for r in results]
                dom = statistics.median(r["dom"] for r in results)
                whole = statistics.median(r["whole"] for r in results)
                api = statistics.median(api_seconds(r["resources"]) for r in results)
                worst_script = max(worst_script, w["script_decoded"])
                slowest = max(slowest, max(firsts))
                print(
                    f"{name:<28} {w['requests']:>8} {w['graphql']:>7} {w['transfer'] / 1024:>8.1f} "
                    f"{w['decoded'] / 1024:>7.1f} {w['script_transfer'] / 1024:>11.1f} "
                    f"{w['script_decoded'] / 1024:>9.1f} {statistics.median(firsts) * 1000:>8.0f}ms "
                    f"{max(firsts) * 1000:>5.0f}ms {whole * 1000:>7.0f}ms {dom * 1000:>4.0f}ms "
                    f"{statistics.median(r['return'] for r in results) * 1000:>5.0f}ms {api * 1000:>5.0f}ms"
                )
        finally:
            await browser.close()
    busy = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average after measuring: {busy} ({os.cpu_count()} CPUs)")
    print(
        f"script: {worst_script / 1024:.1f} KB decoded at most (budget {SCRIPT_BUDGET // 1024} KB): "
        f"{'met' if worst_script < SCRIPT_BUDGET else 'NOT met'}; slowest first load {slowest * 1000:.0f} ms "
        f"(target {TARGET_SECONDS * 1000:.0f} ms): {'met' if slowest < TARGET_SECONDS else 'NOT met'}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--url", help="a running gateway's base URL (http://host:port) instead of starting one"
    )
    args = parser.parse_args()
    if not args.data.is_dir():
        parser.error(f"--data: {args.data} is not a folder")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.url:
        await run(args.url.rstrip("/"), args.runs)
        return
    settings = Settings(data_dir=ROOT / ".qf-data-bench")
    server = resolve_database_url(settings)
    async with throwaway_database(server, "portal") as (_, url):
        with tempfile.TemporaryDirectory(prefix="qf-bench-portal-") as folder:
            started = time.perf_counter()
            process, base = start_serve(url, args.data, Path(folder))
            print(f"qf import all and serve --data took {time.perf_counter() - started:.1f} s")
            try:
                await run(base, args.runs)
            finally:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()


if __name__ == "__main__":
    asyncio.run(main())
