"""What a class of open pages costs the teacher's laptop.

    python -m bench.classroom [--pages 1 10 30 60] [--games 1] [--idle 15] [--within 5]
                              [--worker thread|external] [--photo-game] [--json PATH]

Starts the app as `make run` does (sketch engine, SQLite, worker thread unless
`--worker external`), then for each N opens N protocol-level clients (bench/streamlit_client.py:
Streamlit's websocket protocol, no browser): the projector board and N-1 student pages, each
behaving like the real page, one run at a time; with `--games G`, G such classes at once (a
school's server: `--games 10 --pages 31`), of which the first bursts while one student of every
other class submits beside it. For each N it reports

- the server's CPU share (its own user+system time over wall time) while the class sits idle
  with a round open, and during a burst in which every student submits within `--within` s
  (over the burst and 2 s after it, or until every result reached its pages if that is
  later), with the CPU seconds the burst took;
- the server's RSS;
- the delay from a result stored by the worker (the database's `finished_at`) to the score
  reaching the student's page and the board (p50, p95), and from a join to the board; with
  several games, the same for the other classes' results during the burst (`others_…`);
- the live requests the pages send per minute while idle (each page holds one waiting
  request, renewed every 25 s);
- the server's script runs per page per minute while idle, and how regularly the board's
  countdown text changed when the server draws it (a countdown drawn by the browser sends
  nothing after the deadline, so there is no server tick to time).

`--photo-game` adds the /results figures for a game of photo-sized pictures (4 rounds × 30
players × 3 attempts, ~550 KB photo-like PNGs): the page's open time, and the server's RSS
before, at the peak, and after the ZIP download.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import itertools
import random
import re
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psutil
from PIL import Image
from sqlalchemy import select

from bench.report import percentile, print_table, write_json
from bench.scratch import machine
from bench.server import app_env, app_server
from bench.streamlit_client import PageClient
from db.models import ImageBlob, Player, Round, Submission
from db.session import Database, open_database
from db.types import utcnow
from game.accounts import SESSION_COOKIE, session_for
from game.games import GameSettings, create_game, join_game
from game.rounds import create_round, start_round

BURST_TAIL_S = 2.0
PROMPTS = ["a red circle on blue", "a blue square on green", "two yellow stars at night", "a small orange triangle"]
COUNTDOWN = re.compile(rb"\d+:\d\d left")


@dataclass
class Sampler:
    """The server process's CPU and memory, from its own accounting."""

    process: psutil.Process

    def cpu_seconds(self) -> float:
        times = self.process.cpu_times()
        return times.user + times.system

    def rss_mb(self) -> float:
        return self.process.memory_info().rss / 2**20

    def share_over(self, seconds: float) -> float:
        before, started = self.cpu_seconds(), time.perf_counter()
        time.sleep(seconds)
        return (self.cpu_seconds() - before) / (time.perf_counter() - started)


def new_class(db: Database, students: int) -> tuple[str, int, list[tuple[str, str]]]:
    """A game with an open 30-minute round (target drawn by the server's worker) and
    `students` joined players; returns the code, the round id and (nickname, token) pairs."""
    with db.write() as s:
        host = session_for(s, "Bench teacher")
        created = create_game(s, host, "Bench class", GameSettings(engine="sketch", round_seconds=1800, image_size=256))
        code = created.code
        round_id = create_round(s, code, host, source="prompt", secret_prompt="a red circle on a blue background").id
        players = [(f"Student{i:02d}", join_game(s, code, f"Student{i:02d}").token) for i in range(students)]
    deadline = time.time() + 120
    while time.time() < deadline:
        with db.read() as s:
            if s.get(Round, round_id).target_status == "ready":
                break
        time.sleep(0.1)
    with db.write() as s:
        start_round(s, code, host, round_id)
    return code, round_id, players


_running_clients: set[asyncio.Task[None]] = set()


async def open_pages(base_url: str, code: str, players: list[tuple[str, str]]) -> tuple[PageClient, list[PageClient]]:
    board = PageClient(base_url, "board", f"code={code}")
    students = [PageClient(base_url, "play", f"code={code}&token={token}") for _, token in players]
    for client in [board, *students]:
        _running_clients.add(asyncio.create_task(client.run()))
    return board, students


async def wait_loaded(clients: list[PageClient], timeout: float) -> list[float]:
    started = time.time()
    while time.time() - started < timeout:
        if all(c.first_finished_at for c in clients):
            break
        await asyncio.sleep(0.1)
    return [(c.first_finished_at or float("nan")) - started for c in clients]


def stored_results(db: Database, round_id: int) -> list[tuple[str, float, float]]:
    """(nickname, score, finished_at as epoch seconds) of the round's scored attempts."""
    with db.read() as s:
        rows = s.execute(
            select(Player.nickname, Submission.score, Submission.finished_at)
            .join(Player, Player.id == Submission.player_id)
            .where(Submission.round_id == round_id, Submission.status == "done")
        ).all()
    return [(r.nickname, float(r.score), r.finished_at.timestamp()) for r in rows]


def delivery_delays(
    board: PageClient, students: dict[str, PageClient], results: list[tuple[str, float, float]]
) -> tuple[list[float], list[float]]:
    to_students, to_board = [], []
    for nickname, score, stored_at in results:
        text = f"{score:.2f}".encode()
        seen = students[nickname].first_seen(text, stored_at - 0.5)
        to_students.append((seen - stored_at) if seen else float("inf"))
        # Tables escape markdown, so a board may carry the score as "12\\.34".
        escaped = text.replace(b".", b"\\.")
        seen_board = next(
            (
                m.at
                for m in board.messages
                if m.at >= stored_at - 0.5 and nickname.encode() in m.data and (text in m.data or escaped in m.data)
            ),
            None,
        )
        to_board.append((seen_board - stored_at) if seen_board else float("inf"))
    return to_students, to_board


def countdown_intervals(board: PageClient, since: float) -> list[float]:
    """Seconds between successive changes of the countdown text the server sent the board."""
    changes: list[float] = []
    last = b""
    for message in board.messages:
        match = COUNTDOWN.search(message.data) if message.at >= since else None
        if match and match.group() != last:
            changes.append(message.at)
            last = match.group()
    return [b - a for a, b in itertools.pairwise(changes)]


@dataclass
class OpenClass:
    """One game's open pages: the projector board and its students."""

    code: str
    round_id: int
    board: PageClient
    students: list[PageClient]
    by_name: dict[str, PageClient]

    @property
    def pages(self) -> list[PageClient]:
        return [self.board, *self.students]


async def open_class(base_url: str, db: Database, students: int) -> OpenClass:
    code, round_id, players = new_class(db, students)
    board, student_list = await open_pages(base_url, code, players)
    by_name = {name: client for (name, _), client in zip(players, student_list, strict=True)}
    return OpenClass(code, round_id, board, student_list, by_name)


async def submit_within(clients: list[PageClient], within_s: float, rng: random.Random) -> None:
    """Every client submits one prompt through its page, at a random moment of `within_s`."""

    async def submits(client: PageClient) -> None:
        await asyncio.sleep(rng.uniform(0, within_s))
        await client.wait_idle()
        await client.submit(client.latest_key("prompt_"), rng.choice(PROMPTS), client.latest_key("submit_"))

    await asyncio.gather(*(submits(c) for c in clients))


async def delivered(db: Database, opened: OpenClass, expected: int, timeout: float) -> tuple[list[float], list[float]]:
    """Wait until `expected` results of the class's round reached their student and the board;
    the delays (result stored → page), to the students and to the board."""
    deadline = time.time() + timeout
    while True:
        results = stored_results(db, opened.round_id)
        to_students, to_board = delivery_delays(opened.board, opened.by_name, results)
        done = len(results) >= expected and all(d != float("inf") for d in to_students + to_board)
        if done or time.time() > deadline:
            return to_students, to_board
        await asyncio.sleep(0.25)


@contextlib.contextmanager
def profiled(pid: int, path: str | None) -> Iterator[None]:
    """py-spy's samples of the server (every thread, 100 a second) while the block runs, as
    collapsed stacks in `path` (pip install py-spy; --profile)."""
    if path is None:
        yield
        return
    spy = subprocess.Popen(["py-spy", "record", "-p", str(pid), "-r", "100", "-f", "raw", "-o", path, "--nonblocking"])
    time.sleep(1)  # py-spy attaches
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)


async def classroom(
    base_url: str,
    db: Database,
    sampler: Sampler,
    pages: int,
    idle_s: float,
    within_s: float,
    games: int = 1,
    profile: str | None = None,
) -> dict[str, float]:
    """`games` classes of `pages` open pages each (a board and pages-1 students). The first class
    bursts; in each other class one student submits meanwhile (a class working beside it)."""
    classes = [await open_class(base_url, db, max(0, pages - 1)) for _ in range(games)]
    everyone = [client for opened in classes for client in opened.pages]
    first = classes[0]
    loads = await wait_loaded(everyone, timeout=600)
    await asyncio.sleep(3)  # let first-load work settle

    runs_before = sum(c.runs_finished for c in everyone)
    requests_before = sum(c.live_requests for c in everyone)
    idle_started = time.time()
    idle_share = await asyncio.to_thread(sampler.share_over, idle_s)
    idle_minutes = (time.time() - idle_started) / 60
    runs_idle = sum(c.runs_finished for c in everyone) - runs_before
    live_requests_idle = sum(c.live_requests for c in everyone) - requests_before
    ticks = countdown_intervals(first.board, idle_started)
    rss_idle = sampler.rss_mb()

    # A latecomer joins: how long until the board lists them.
    with db.write() as s:
        join_game(s, first.code, "Latecomer")
    joined_at = time.time()
    join_seen = None
    while time.time() - joined_at < 60 and join_seen is None:
        await asyncio.sleep(0.05)
        join_seen = first.board.first_seen(b"Latecomer", joined_at)

    # The burst: every student of the first class submits once within `within_s` seconds,
    # through the page, while one student of every other class submits too.
    runs_before_burst = [c.runs_finished for c in first.pages]
    rng = random.Random(pages)
    beside = [opened.students[0] for opened in classes[1:] if opened.students]
    with profiled(sampler.process.pid, profile):
        burst_cpu0, burst_t0 = sampler.cpu_seconds(), time.perf_counter()
        await submit_within(first.students + beside, within_s, rng)
        to_students, to_board = await delivered(db, first, len(first.students), 120)
        delivered_s = time.perf_counter() - burst_t0
        # The same window for every version: the submits and 2 s after them (longer only if
        # a result has not reached its pages by then), so a version that delivers sooner is
        # not charged its CPU over a shorter time.
        await asyncio.sleep(max(0.0, within_s + BURST_TAIL_S - delivered_s))
        burst_cpu_seconds = sampler.cpu_seconds() - burst_cpu0
        burst_seconds = time.perf_counter() - burst_t0
        burst_share = burst_cpu_seconds / burst_seconds
    burst_runs = [c.runs_finished - n for c, n in zip(first.pages, runs_before_burst, strict=True)]
    others_to_students: list[float] = []
    others_to_board: list[float] = []
    for opened in classes[1:]:
        student_delays, board_delays = await delivered(db, opened, 1 if opened.students else 0, 60)
        others_to_students += student_delays
        others_to_board += board_delays
    for client in everyone:
        await client.close()
    figures = {
        "pages": pages,
        "games": games,
        "total_pages": len(everyone),
        "page_load_p95_s": percentile(loads, 95),
        "idle_cpu_share": idle_share,
        "idle_live_requests_per_page_min": live_requests_idle / max(1, len(everyone)) / idle_minutes,
        "burst_cpu_share": burst_share,
        "burst_seconds": burst_seconds,
        "burst_cpu_seconds": burst_cpu_seconds,
        "burst_delivered_s": delivered_s,
        "burst_runs_board": burst_runs[0],
        "burst_runs_per_student": float(np.mean(burst_runs[1:])) if burst_runs[1:] else 0.0,
        "rss_mb": rss_idle,
        "idle_runs_per_page_min": runs_idle / max(1, len(everyone)) / idle_minutes,
        "result_to_student_p50_s": percentile(to_students, 50),
        "result_to_student_p95_s": percentile(to_students, 95),
        "result_to_board_p50_s": percentile(to_board, 50),
        "result_to_board_p95_s": percentile(to_board, 95),
        "join_to_board_s": (join_seen - joined_at) if join_seen else float("inf"),
        "results_stored": len(stored_results(db, first.round_id)),
        "countdown_tick_mean_s": float(np.mean(ticks)) if ticks else float("nan"),
        "countdown_tick_p95_s": percentile(ticks, 95),
    }
    if beside:  # the other classes, while the first one bursts
        figures["others_result_to_student_p95_s"] = percentile(others_to_students, 95)
        figures["others_result_to_board_p95_s"] = percentile(others_to_board, 95)
    return figures


async def first_visit(base_url: str) -> None:
    """The teacher opens the host console first (a server without app.py's start-up hook
    starts its worker with the first page that uses the database)."""
    client = PageClient(base_url, "host", "")
    task = asyncio.create_task(client.run())
    await client.wait_idle(timeout=300)
    await client.close()
    await task


# -- /results with photo-sized pictures ------------------------------------------------------
def photo_png(rng: np.random.Generator, size: int = 512) -> bytes:
    """A photo-like picture (smooth shapes and fine grain): ~550 KB as PNG, as a photo is."""
    coarse = rng.integers(0, 256, (9, 9, 3), dtype=np.uint8)
    smooth = np.asarray(Image.fromarray(coarse).resize((size, size), Image.Resampling.BICUBIC), dtype=np.int16)
    grain = rng.normal(0, 9, (size, size, 3))
    pixels = np.clip(smooth + grain, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def photo_game(db: Database, rounds: int = 4, players: int = 30, attempts: int = 3) -> tuple[str, str]:
    """A revealed game full of photo-sized pictures, written straight into the database."""
    rng = np.random.default_rng(3)
    pictures = [photo_png(rng) for _ in range(24)]
    now = utcnow()
    with db.write() as s:
        host = session_for(s, "Bench teacher")
        created = create_game(s, host, "Photo class", GameSettings(engine="sketch", attempts_per_round=attempts))
        code, game_id = created.code, created.id
        player_ids = [join_game(s, code, f"Photographer{i:02d}").token for i in range(players)]
        ids = list(s.scalars(select(Player.id).where(Player.game_id == game_id).order_by(Player.id)))
        assert len(ids) == len(player_ids)
        for number in range(1, rounds + 1):
            target = ImageBlob(data=pictures[number], width=512, height=512)
            s.add(target)
            s.flush()
            round_ = Round(
                game_id=game_id, number=number, status="revealed", target_source="upload", seed=number,
                image_size=512, target_status="ready", target_image_id=target.id, created_at=now,
                started_at=now, ends_at=now, closed_at=now, revealed_at=now, engine="sketch", scorer="classic",
            )  # fmt: skip
            s.add(round_)
            s.flush()
            for player_id in ids:
                for attempt in range(1, attempts + 1):
                    blob = ImageBlob(data=pictures[int(rng.integers(len(pictures)))], width=512, height=512)
                    s.add(blob)
                    s.flush()
                    s.add(
                        Submission(
                            round_id=round_.id,
                            player_id=player_id,
                            attempt_no=attempt,
                            prompt="a photo of a street",
                            status="done",
                            score=float(rng.uniform(20, 90)),
                            image_id=blob.id,
                            created_at=now,
                            started_at=now,
                            finished_at=now,
                        )
                    )
            s.flush()
    return code, host


def download_url(client: PageClient) -> str | None:
    """The ZIP's address as the page gave it (a download button's media URL or a link)."""
    for message in client.messages:
        match = re.search(rb"(/[\w/.\-]*(?:media|download)[\w/.\-]*\.zip[^\"\s\x00-\x1f]*)", message.data) or re.search(
            rb"(/media/[0-9a-f]+\.zip)", message.data
        )
        if match:
            return match.group(1).decode()
    return None


async def results_page(base_url: str, db: Database, sampler: Sampler) -> dict[str, float]:
    code, host = photo_game(db)
    rss_before = sampler.rss_mb()
    opened: list[float] = []
    peak = rss_before
    for _ in range(3):
        client = PageClient(base_url, "results", f"code={code}", cookies={SESSION_COOKIE: host})
        started = time.time()
        task = asyncio.create_task(client.run())
        while client.first_finished_at is None and time.time() - started < 300:
            peak = max(peak, sampler.rss_mb())
            await asyncio.sleep(0.05)
        opened.append((client.first_finished_at or float("inf")) - started)
        url = download_url(client)
        await client.close()
        await task
    rss_after_open = sampler.rss_mb()
    downloaded, download_peak = 0, rss_after_open
    if url:
        stop = threading.Event()

        def watch() -> None:
            nonlocal download_peak
            while not stop.wait(0.05):
                download_peak = max(download_peak, sampler.rss_mb())

        watcher = threading.Thread(target=watch)
        watcher.start()

        def fetch() -> int:
            total = 0
            request = urllib.request.Request(base_url + url, headers={"Cookie": f"{SESSION_COOKIE}={host}"})
            with urllib.request.urlopen(request, timeout=300) as response:
                while chunk := response.read(1 << 20):
                    total += len(chunk)
            return total

        downloaded = await asyncio.to_thread(fetch)
        stop.set()
        watcher.join()
    await asyncio.sleep(3)
    return {
        "results_open_s_first": opened[0],
        "results_open_s_median": float(np.median(opened)),
        "rss_before_mb": rss_before,
        "rss_peak_open_mb": peak,
        "rss_after_opens_mb": rss_after_open,
        "zip_mb": downloaded / 2**20,
        "rss_peak_download_mb": download_peak,
        "rss_growth_download_mb": download_peak - rss_after_open,
        "rss_after_download_mb": sampler.rss_mb(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, nargs="+", default=[1, 10, 30, 60], help="open pages per game")
    parser.add_argument("--games", type=int, default=1, help="games open at once (a school's server: 10)")
    parser.add_argument("--idle", type=float, default=15.0, help="seconds of idle measurement")
    parser.add_argument("--within", type=float, default=5.0, help="the burst's length in seconds")
    parser.add_argument("--worker", choices=("thread", "external"), default="thread")
    parser.add_argument("--photo-game", action="store_true", help="also measure /results on a photo-sized game")
    parser.add_argument("--profile", help="write py-spy's samples of the server during the burst here")
    parser.add_argument("--json")
    args = parser.parse_args(argv)

    print(machine())
    with tempfile.TemporaryDirectory(prefix="promptmatch-classroom-") as folder:
        home = Path(folder)
        url = f"sqlite:///{home / 'promptmatch.db'}"
        with app_server(home, engine="sketch", worker=args.worker, database_url=url) as (base_url, process):
            worker = None
            if args.worker == "external":
                import sys

                worker = subprocess.Popen(
                    [sys.executable, "-m", "worker", "--database-url", url], env=app_env(home, engine="sketch")
                )
            asyncio.run(first_visit(base_url))
            db = open_database(url)
            sampler = Sampler(psutil.Process(process.pid))
            idle_server = sampler.share_over(5)
            rows = [
                asyncio.run(classroom(base_url, db, sampler, n, args.idle, args.within, args.games, args.profile))
                for n in args.pages
            ]
            photo = asyncio.run(results_page(base_url, db, sampler)) if args.photo_game else None
            if worker is not None:
                worker.terminate()
    print(f"\nserver with no page open: {idle_server:.1%} of a core")
    print_table(
        [
            "games × pages", "idle CPU", "burst CPU", "RSS MB", "runs/page/min idle", "live req/page/min idle",
            "result→student p50/p95 s", "result→board p50/p95 s", "others→student/board p95 s", "join→board s",
            "load p95 s",
        ],
        [
            [
                f"{r['games']} × {r['pages']}", f"{r['idle_cpu_share']:.1%}", f"{r['burst_cpu_share']:.1%}",
                f"{r['rss_mb']:.0f}", f"{r['idle_runs_per_page_min']:.1f}",
                f"{r['idle_live_requests_per_page_min']:.1f}",
                f"{r['result_to_student_p50_s']:.2f} / {r['result_to_student_p95_s']:.2f}",
                f"{r['result_to_board_p50_s']:.2f} / {r['result_to_board_p95_s']:.2f}",
                (
                    f"{r['others_result_to_student_p95_s']:.2f} / {r['others_result_to_board_p95_s']:.2f}"
                    if "others_result_to_student_p95_s" in r else "—"
                ),
                f"{r['join_to_board_s']:.2f}", f"{r['page_load_p95_s']:.1f}",
            ]
            for r in rows
        ],
    )  # fmt: skip
    if photo:
        print()
        print_table(["/results (photo-sized game)", "value"], [[k, f"{v:.2f}"] for k, v in photo.items()])
    figures = {"machine": machine(), "server_idle_no_pages": idle_server, "classes": rows, "results": photo}
    write_json(args.json, figures)


if __name__ == "__main__":
    main()
