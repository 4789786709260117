"""What idle pages in a real browser cost the server.

    python -m bench.browser_idle [--pages 12] [--idle 30] [--json PATH]

Starts the app as `make run` does (sketch engine, SQLite, worker thread), opens a class with a
round open, and loads the projector board and `--pages`-1 students' pages in headless Debian
Chromium (`/usr/bin/chromium`, one browser context each, as separate laptops). Once every page
shows its countdown and has settled, it measures for `--idle` seconds

- the server's CPU share (its own user+system time over wall time);
- the browser's CPU share (every Chromium process), for what the laptops pay;
- the requests the pages sent and the websocket messages they received.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import psutil
from playwright.sync_api import sync_playwright

from bench.classroom import Sampler, first_visit, new_class
from bench.report import print_table, write_json
from bench.scratch import machine
from bench.server import CHROMIUM, CHROMIUM_ARGS, app_server
from db.session import open_database


def browser_cpu_seconds(root: psutil.Process) -> float:
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def measure(base_url: str, url: str, server: psutil.Process, pages: int, idle_s: float) -> dict[str, float]:
    import asyncio

    asyncio.run(first_visit(base_url))
    db = open_database(url)
    code, _round_id, players = new_class(db, pages - 1)
    addresses = [f"{base_url}/board?code={code}"] + [f"{base_url}/play?code={code}&token={t}" for _, t in players]
    sampler = Sampler(server)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        requests: list[str] = []
        frames: list[object] = []
        opened = []
        for address in addresses:
            page = browser.new_context().new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(payload)))
            page.goto(address)
            opened.append(page)
        for page in opened:
            page.locator(".pm-countdown").first.wait_for(timeout=120_000)
        opened[0].wait_for_timeout(5_000)  # the first drawings settle
        chromium = next(
            p for p in psutil.Process().children(recursive=True) if "chrom" in p.name().lower()
        )  # the browser's main process; its renderers are its children
        requests_before, frames_before = len(requests), len(frames)
        browser_before, server_before = browser_cpu_seconds(chromium), sampler.cpu_seconds()
        started = time.perf_counter()
        opened[0].wait_for_timeout(idle_s * 1000)  # (Playwright hands over the pages' events while it waits)
        wall = time.perf_counter() - started
        figures = {
            "pages": pages,
            "idle_s": wall,
            "server_idle_cpu_share": (sampler.cpu_seconds() - server_before) / wall,
            "browser_idle_cpu_share": (browser_cpu_seconds(chromium) - browser_before) / wall,
            "requests_per_page_min": (len(requests) - requests_before) / pages / (wall / 60),
            "websocket_messages_received": len(frames) - frames_before,
        }
        browser.close()
    db.dispose()
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of idle measurement")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    print(machine())
    with tempfile.TemporaryDirectory(prefix="promptmatch-browser-idle-") as folder:
        home = Path(folder)
        url = f"sqlite:///{home / 'promptmatch.db'}"
        with app_server(home, engine="sketch", worker="thread", database_url=url) as (base_url, process):
            figures = measure(base_url, url, psutil.Process(process.pid), args.pages, args.idle)
    print_table(
        ["pages", "server idle CPU", "browser idle CPU", "requests/page/min", "messages received"],
        [
            [
                figures["pages"],
                f"{figures['server_idle_cpu_share']:.2%}",
                f"{figures['browser_idle_cpu_share']:.1%}",
                f"{figures['requests_per_page_min']:.1f}",
                figures["websocket_messages_received"],
            ]
        ],
    )
    write_json(args.json, {"machine": machine(), **figures})


if __name__ == "__main__":
    main()
