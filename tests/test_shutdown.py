"""SIGTERM stops the server within 3 s while pages wait on it (issue 34, finding 12: it took
11-21 s, the rest of the longest waiting page's 25 s)."""

from __future__ import annotations

import json
import signal
import threading
import time
import urllib.request
from pathlib import Path

from servers import app_server

from db.session import open_database
from game.accounts import session_for
from game.games import GameSettings, create_game, join_game


def test_sigterm_stops_the_server_within_3_s_while_pages_wait(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'promptmatch.db'}")
    with database.write() as s:
        code = create_game(s, session_for(s, "Ms Kim"), "Class", GameSettings(engine="sketch", image_size=256)).code
        join_game(s, code, "Mina")
    database.dispose()
    with app_server(tmp_path, engine="sketch") as (url, process):
        drawn = json.loads(urllib.request.urlopen(f"{url}/api/live/{code}").read())
        waits = [
            threading.Thread(
                target=lambda: urllib.request.urlopen(f"{url}/api/live/{code}/wait?game={drawn['game']}", timeout=40),
                daemon=True,
            )
            for _ in range(3)  # three open pages
        ]
        for wait in waits:
            wait.start()
        time.sleep(1.5)  # the requests are waiting on the live feed
        started = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        stopped_in = time.perf_counter() - started
    assert stopped_in < 3, f"{stopped_in:.1f} s"
