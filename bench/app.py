"""The app under a class's burst, and the leaderboard as the database grows.

    python -m bench.app [--engine sketch tiny] [--players 30] [--within 5]
                        [--games 1 100 1000] [--database-url URL] [--json PATH]

1. Burst: `--players` simulated players, each submitting once at a random moment within
   `--within` seconds, through game/ (the same calls the pages make), while the worker runs
   as the app's embedded thread. Reported: time from submit to stored score (p50, p95, max),
   from the database's own timestamps, and the leaderboard query time during the burst.
2. Scale: the board's queries (round and game leaderboards of one game) timed as the
   database holds 1, 100 and 1000 games of 30 players × 5 rounds × 3 scored attempts.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from datetime import timedelta

from sqlalchemy import func, insert, select, text

from bench.report import percentile, print_table, write_json
from bench.scratch import machine, scratch_database
from config import PROJECT_DIR, load_settings
from db.models import Game, Player, Round, Submission
from db.session import Database, open_database
from db.types import utcnow
from game.accounts import session_for
from game.games import GameSettings, create_game, join_game
from game.ranking import game_leaderboard, round_leaderboard
from game.rounds import create_round, start_round
from game.submissions import submit_prompt
from game.tokens import hash_token, new_token
from worker.runner import Worker

PROMPTS = ["a red circle", "a blue square on green", "two yellow stars at night", "a small orange triangle"]


def board_query_ms(db: Database, game_id: int, round_id: int) -> float:
    """What the projector board runs every second: both leaderboards of one game."""
    started = time.perf_counter()
    with db.read() as s:
        round_leaderboard(s, round_id)
        game_leaderboard(s, game_id)
    return (time.perf_counter() - started) * 1000


# -- 1. a class's burst ------------------------------------------------------------------------
def burst(url: str, engine: str, players: int, within_s: float, size: int, classes: int = 1) -> dict[str, float]:
    """`classes` games of `players` each, every player submitting once within `within_s`."""
    db = open_database(url)
    settings = load_settings().with_changes(
        database_url=url, engine=engine, poll_interval_s=0.02, data_dir=PROJECT_DIR / "data"
    )
    games: list[tuple[str, int, int, list[str]]] = []  # code, game id, round id, player tokens
    with db.write() as s:
        host = session_for(s, "Bench teacher")
        for number in range(classes):
            created = create_game(s, host, f"Bench class {number + 1}", GameSettings(engine=engine, image_size=size))
            round_id = create_round(
                s, created.code, host, source="prompt", secret_prompt="a red circle on blue", seed=5 + number
            ).id
            tokens = [join_game(s, created.code, f"Player {i}").token for i in range(players)]
            games.append((created.code, created.id, round_id, tokens))
    worker = Worker(db, settings)
    worker.warm_up()  # the app loads models before the class arrives (worker thread start)
    worker.start_thread()
    round_ids = [round_id for _, _, round_id, _ in games]
    while any(_target_pending(db, round_id) for round_id in round_ids):
        time.sleep(0.02)
    with db.write() as s:
        for code, _, round_id, _ in games:
            start_round(s, code, host, round_id)

    entries = [(code, token) for code, _, _, tokens in games for token in tokens]
    schedule = sorted(random.Random(7).uniform(0, within_s) for _ in entries)
    t0 = time.perf_counter()

    def player(entry: tuple[str, str], at_s: float) -> None:
        code, token = entry
        time.sleep(max(0.0, at_s - (time.perf_counter() - t0)))
        with db.write() as s:
            submit_prompt(s, code, token, random.Random(token).choice(PROMPTS))

    threads = [threading.Thread(target=player, args=pair) for pair in zip(entries, schedule, strict=True)]
    for thread in threads:
        thread.start()
    board_ms = []
    _, first_game_id, first_round_id, _ = games[0]
    while sum(_done(db, round_id) for round_id in round_ids) < len(entries):
        board_ms.append(board_query_ms(db, first_game_id, first_round_id))
        time.sleep(0.1)
    for thread in threads:
        thread.join()
    worker.stop_event.set()
    with db.read() as s:
        rows = s.execute(
            select(Submission.created_at, Submission.finished_at).where(Submission.round_id.in_(round_ids))
        )
        latencies = [(finished - created).total_seconds() for created, finished in rows]
    db.dispose()
    return {
        "engine": engine,
        "classes": classes,
        "players": players,
        "p50_s": percentile(latencies, 50),
        "p95_s": percentile(latencies, 95),
        "max_s": max(latencies),
        "board_p50_ms": percentile(board_ms, 50),
        "board_p95_ms": percentile(board_ms, 95),
    }


def _target_pending(db: Database, round_id: int) -> bool:
    with db.read() as s:
        return s.get(Round, round_id).target_status != "ready"


def _done(db: Database, round_id: int) -> int:
    with db.read() as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(Submission)
                .where(Submission.round_id == round_id, Submission.status == "done")
            )
            or 0
        )


# -- 2. the leaderboard as the database grows ----------------------------------------------------
def add_finished_games(db: Database, count: int, players: int = 30, rounds: int = 5, attempts: int = 3) -> int:
    """Insert `count` finished games in bulk; returns the id of the last one."""
    rng = random.Random(count)
    now = utcnow()
    with db.write() as s:
        first_game = (s.scalar(select(func.max(Game.id))) or 0) + 1
        first_player = (s.scalar(select(func.max(Player.id))) or 0) + 1
        first_round = (s.scalar(select(func.max(Round.id))) or 0) + 1
        games, people, rounds_rows, submissions = [], [], [], []
        for g in range(count):
            game_id = first_game + g
            games.append(
                {
                    "id": game_id,
                    "code": f"{game_id:06d}",
                    "title": f"Class {game_id}",
                    "host_token_hash": hash_token(new_token()),
                    "engine": "sketch",
                    "scorer": "classic",
                    "attempts_per_round": attempts,
                    "round_seconds": 180,
                    "image_size": 512,
                    "created_at": now,
                }
            )
            player_ids = [first_player + g * players + p for p in range(players)]
            for p, player_id in enumerate(player_ids):
                name = f"Student {p}"
                people.append(
                    {
                        "id": player_id,
                        "game_id": game_id,
                        "nickname": name,
                        "nickname_key": name.casefold(),
                        "token_hash": hash_token(new_token()),
                        "joined_at": now,
                    }
                )
            for r in range(rounds):
                round_id = first_round + g * rounds + r
                rounds_rows.append(
                    {
                        "id": round_id,
                        "game_id": game_id,
                        "number": r + 1,
                        "status": "revealed",
                        "target_source": "prompt",
                        "secret_prompt": "a red circle",
                        "seed": r,
                        "image_size": 512,
                        "target_status": "ready",
                        "created_at": now,
                    }
                )
                for player_id in player_ids:
                    for a in range(attempts):
                        submissions.append(
                            {
                                "round_id": round_id,
                                "player_id": player_id,
                                "attempt_no": a + 1,
                                "prompt": "a red circle",
                                "status": "done",
                                "score": round(rng.uniform(20, 95), 2),
                                "hidden": False,
                                "created_at": now,
                                "finished_at": now + timedelta(seconds=a),
                            }
                        )
        s.execute(insert(Game), games)
        s.execute(insert(Player), people)
        s.execute(insert(Round), rounds_rows)
        for start in range(0, len(submissions), 50_000):
            s.execute(insert(Submission), submissions[start : start + 50_000])
    if not db.is_sqlite:
        # A live PostgreSQL's autovacuum refreshes the planner's statistics after big inserts;
        # a bulk load measured at once would be planned as if the tables were still empty.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    return first_game + count - 1


def leaderboard_scale(url: str, sizes: list[int], repeats: int = 50) -> list[dict[str, float]]:
    db = open_database(url)
    results = []
    games = 0
    for size in sorted(sizes):
        last = add_finished_games(db, size - games)
        games = size
        with db.read() as s:
            last_round = s.scalar(select(func.max(Round.id)).where(Round.game_id == last))
        board_query_ms(db, last, last_round)  # warm the cache
        timings = [board_query_ms(db, last, last_round) for _ in range(repeats)]
        results.append({"games": size, "p50_ms": percentile(timings, 50), "p95_ms": percentile(timings, 95)})
    db.dispose()
    base = results[0]["p50_ms"]
    for result in results:
        result["vs_first"] = result["p50_ms"] / base
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--engine",
        nargs="+",
        default=["sketch", "tiny"],
        choices=["sketch", "tiny", "diffusers"],
        help="diffusers: the model PROMPTMATCH_MODEL_ID names (bench.save_arch writes a full-size one)",
    )
    parser.add_argument("--players", type=int, default=30)
    parser.add_argument("--classes", type=int, default=1, help="games bursting together (a school's server)")
    parser.add_argument("--within", type=float, default=5.0, help="seconds over which the players submit")
    parser.add_argument("--size", type=int, default=256, help="image size of the burst's game")
    parser.add_argument("--games", type=int, nargs="*", default=[1, 100, 1000], help="none: skip the scale part")
    parser.add_argument("--database-url", help="a PostgreSQL server URL; default: temporary SQLite files")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    print(machine())
    bursts = []
    for engine in args.engine:
        with scratch_database(args.database_url) as url:
            bursts.append(burst(url, engine, args.players, args.within, args.size, args.classes))
    print(f"\n{args.classes} × {args.players} players submitting within {args.within:g} s (submit → stored score):")
    columns = ["p50_s", "p95_s", "max_s", "board_p50_ms", "board_p95_ms"]
    print_table(["engine", *columns], [[b["engine"], *(b[c] for c in columns)] for b in bursts])

    scale: list[dict[str, float]] = []
    if args.games:
        with scratch_database(args.database_url) as url:
            scale = leaderboard_scale(url, args.games)
        print("\nBoard queries (round + game leaderboard of one game) as the database grows:")
        print_table(
            ["games", "p50_ms", "p95_ms", "vs_first"],
            [[r["games"], r["p50_ms"], r["p95_ms"], r["vs_first"]] for r in scale],
        )
    write_json(args.json, {"options": vars(args), "machine": machine(), "burst": bursts, "scale": scale})


if __name__ == "__main__":
    main()
