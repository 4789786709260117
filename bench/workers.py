"""Throughput of 1, 2, 3 … worker processes sharing one database (issue: many classrooms).

    python -m bench.workers [--database-url postgresql+psycopg://postgres@127.0.0.1/test]
                            [--workers 1 2 3] [--jobs 300] [--engine sketch] [--json PATH]

For each worker count: a fresh scratch database (a new database on the given PostgreSQL
server, or a temporary SQLite file), one started round, N `python -m worker`
processes started and alive, then `--jobs` attempts queued at once; the clock runs from the
queueing to the last stored score.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import timedelta

from sqlalchemy import func, select

from bench.report import print_table, write_json
from bench.scratch import machine, scratch_database
from config import PROJECT_DIR, load_settings
from db.models import Game, Submission
from db.queue import live_workers
from db.session import Database, open_database
from game.accounts import session_for
from game.games import GameSettings, create_game, join_game
from game.rounds import create_round, start_round
from game.submissions import submit_prompt
from worker.runner import Worker


def start_workers(url: str, count: int, engine: str, batch: int) -> list[subprocess.Popen[bytes]]:
    env = dict(os.environ, PROMPTMATCH_ENGINE=engine, PROMPTMATCH_POLL_INTERVAL="0.02", HF_HUB_OFFLINE="1")
    command = [sys.executable, "-m", "worker", "--database-url", url, "--batch", str(batch)]
    return [
        subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(count)
    ]


def wait_for(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.02)


def done_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Submission).where(Submission.status == "done")) or 0


def measure(server_url: str | None, workers: int, jobs: int, engine: str, batch: int, size: int) -> dict[str, float]:
    with scratch_database(server_url) as url:
        db = open_database(url)
        settings = load_settings().with_changes(database_url=url, engine=engine)
        with db.write() as s:
            host = session_for(s, "Bench teacher")
            created = create_game(s, host, "Bench", GameSettings(engine=engine, attempts_per_round=1, image_size=size))
            code = created.code
            s.get(Game, created.id).player_cap = jobs  # a crowd beyond any classroom's cap
            round_id = create_round(s, code, host, source="prompt", secret_prompt="a red circle", seed=1).id
        Worker(db, settings).run_once()  # draws the target in this process
        with db.write() as s:
            start_round(s, code, host, round_id)
            tokens = [join_game(s, code, f"Student {i}").token for i in range(jobs)]
        processes = start_workers(url, workers, engine, batch)
        try:
            lease = timedelta(seconds=settings.worker_lease_s)

            def all_alive() -> bool:
                with db.read() as s:
                    return len(live_workers(s, lease)) == workers

            wait_for(all_alive, 120, f"{workers} workers to start")
            started = time.perf_counter()
            with db.write() as s:
                for i, token in enumerate(tokens):
                    submit_prompt(s, code, token, f"{i % 9} blue squares and a red circle")
            wait_for(lambda: done_count(db) == jobs, 600, f"{jobs} scores")
            elapsed = time.perf_counter() - started
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
            db.dispose()
    return {"workers": workers, "jobs": jobs, "seconds": elapsed, "jobs_per_s": jobs / elapsed}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a PostgreSQL server URL; default: a temporary SQLite file")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--engine", default="sketch", choices=["sketch", "tiny"])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    print(machine())
    results = [measure(args.database_url, n, args.jobs, args.engine, args.batch, args.size) for n in args.workers]
    base = results[0]["jobs_per_s"]
    for result in results:
        result["speedup_vs_first"] = result["jobs_per_s"] / base
    print_table(
        ["workers", "jobs", "seconds", "jobs/s", "speedup"],
        [[r["workers"], r["jobs"], r["seconds"], r["jobs_per_s"], r["speedup_vs_first"]] for r in results],
    )
    write_json(args.json, {"options": vars(args), "machine": machine(), "results": results})


if __name__ == "__main__":
    main()
