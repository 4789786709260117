"""Live lessons first: a live class's burst of attempts while homework players keep the queue
busy (issue 25).

    python -m bench.homework [--engine tiny|sketch] [--live 30] [--homework 20] [--json PATH]

One database and one worker in this process. A live game with one open round and `--live`
students; an assignment (two rounds) with `--homework` students who each keep one attempt
queued all the time (a new one as soon as the last is scored). After one warm-up batch (in
every run) and a second of homework alone, every live student submits at once; the figure is
each live attempt's submit → score (`finished_at - created_at`, as stored). Three runs in the same process:

- `alone`: the live burst with no homework at all (the baseline);
- `live first`: with the homework load, the worker as it runs (db.queue: live before homework);
- `first come`: with the same load and the worker taking jobs in arrival order only.
"""

from __future__ import annotations

import argparse
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select

from bench.report import percentile, print_table, write_json
from bench.scratch import machine, scratch_database
from config import load_settings
from db.models import Game, Submission
from db.session import Database, open_database
from db.statuses import PENDING_ATTEMPTS, AttemptStatus
from game import homework, lessons
from game.accounts import session_for
from game.games import GameSettings, create_game, join_game, load_game, load_player
from game.rounds import create_round, start_round
from game.submissions import submit_prompt
from worker.runner import Worker

PROMPTS = ("a red circle", "a blue square on a white background", "two yellow stars", "a green triangle")


@dataclass(frozen=True)
class Setup:
    host: str
    live_code: str
    live_round: int
    assignment: str


def setup(db: Database, engine: str, size: int, live: int) -> Setup:
    with db.write() as s:
        host = session_for(s, "Bench teacher")
        settings = GameSettings(engine=engine, attempts_per_round=1, image_size=size)
        game = create_game(s, host, "Live", settings)
        s.get(Game, game.id).player_cap = live
        live_round = create_round(s, game.code, host, source="prompt", secret_prompt="a red circle", seed=1).id
        lesson = lessons.create_lesson(s, host, "Homework", "en")
        for secret in ("a red circle", "a blue square"):
            data = lessons.check_round("prompt", secret_prompt=secret, attempts=20)
            lessons.add_lesson_round(s, host, lesson.id, data)
        assignment = homework.assign_lesson(s, host, lesson.id, settings, days=1).code
    return Setup(host, game.code, live_round, assignment)


def drain(worker: Worker) -> None:
    while worker.run_once():
        pass


def measure(engine: str, size: int, live: int, home: int, mode: str) -> dict[str, float | str]:
    with scratch_database(None) as url:
        db = open_database(url)
        settings = load_settings().with_changes(database_url=url, engine=engine, batch_size=8)
        worker = Worker(db, settings)
        worker.live_first = mode != "first come"
        made = setup(db, engine, size, live)
        code, assignment = made.live_code, made.assignment
        drain(worker)  # every target drawn, the engine loaded
        with db.write() as s:
            start_round(s, code, made.host, made.live_round)
            live_tokens = [join_game(s, code, f"Live {i}").token for i in range(live)]
            home_tokens = [join_game(s, assignment, f"Home {i}").token for i in range(home if mode != "alone" else 0)]
            for token in home_tokens:
                homework.open_round(s, assignment, token)
            game = load_game(s, assignment)
            home_players = {load_player(s, game, token).id: token for token in home_tokens}
            # A warm-up batch in every run: the engine's first batch of this size is slower.
            for i in range(settings.batch_size):
                warm = join_game(s, assignment, f"Warm-up {i}").token
                homework.open_round(s, assignment, warm)
                submit_prompt(s, assignment, warm, PROMPTS[i % len(PROMPTS)])
        drain(worker)
        stop = threading.Event()

        def keep_homework_queued() -> None:
            turn = 0
            while not stop.is_set():
                with db.write() as s:
                    waiting = {
                        player_id
                        for (player_id,) in s.execute(
                            select(Submission.player_id).where(Submission.status.in_(PENDING_ATTEMPTS))
                        )
                    }
                    for player_id, token in home_players.items():
                        if player_id not in waiting:
                            turn += 1
                            submit_prompt(s, assignment, token, PROMPTS[turn % len(PROMPTS)] + f" {turn}")
                stop.wait(0.01)

        def work() -> None:
            while not stop.is_set():
                if not worker.run_once():
                    stop.wait(0.005)

        threads = [threading.Thread(target=work, daemon=True)]
        if home_tokens:
            threads.append(threading.Thread(target=keep_homework_queued, daemon=True))
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # homework alone first: the queue is full of it
        with db.write() as s:
            live_ids = [
                submit_prompt(s, code, token, PROMPTS[i % len(PROMPTS)]).id for i, token in enumerate(live_tokens)
            ]
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            with db.read() as s:
                rows = s.execute(
                    select(Submission.status, Submission.created_at, Submission.finished_at).where(
                        Submission.id.in_(live_ids)
                    )
                ).all()
            if all(r.status == AttemptStatus.DONE for r in rows):
                break
            time.sleep(0.02)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        with db.read() as s:
            homework_scored = s.scalar(
                select(Submission.id).where(Submission.priority == 1, Submission.status == AttemptStatus.DONE).limit(1)
            )
        db.dispose()
    waits = [(r.finished_at - r.created_at).total_seconds() for r in rows]
    return {
        "mode": mode,
        "live": live,
        "homework_players": len(home_tokens),
        "median_s": percentile(waits, 50),
        "p95_s": percentile(waits, 95),
        "max_s": max(waits),
        "homework_was_served": bool(homework_scored) if home_tokens else False,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", default="tiny", choices=["tiny", "sketch"])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--live", type=int, default=30)
    parser.add_argument("--homework", type=int, default=20)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    print(machine())
    results = [
        measure(args.engine, args.size, args.live, args.homework, mode)
        for mode in ("alone", "live first", "first come")
    ]
    base = float(results[0]["max_s"])
    for result in results:
        result["max_vs_alone"] = float(result["max_s"]) / base
    print_table(
        ["run", "live", "homework players", "median s", "p95 s", "max s", "max vs alone"],
        [
            [r["mode"], r["live"], r["homework_players"], r["median_s"], r["p95_s"], r["max_s"], r["max_vs_alone"]]
            for r in results
        ],
    )
    write_json(args.json, {"options": vars(args), "machine": machine(), "results": results})


if __name__ == "__main__":
    main()
