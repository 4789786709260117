"""Open pages cost nothing while nothing changes, and show a change within seconds.

Recorded in a real browser: while the class sits idle with a round open, the projector and a
student's page receive no websocket message (no page run), send nothing (no message, no
request: each holds one waiting request, server/live_feed.py) and load no picture again, while
their countdowns tick every second in the browser; a join then reaches the board within 2 s,
and a stored result reaches both pages without a reload, loading only the new picture.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from browsing import countdown, join, key
from helpers import Classroom, wait_until
from playwright.sync_api import Page, expect
from servers import streamlit_server

from db.session import open_database
from game.submissions import submit_prompt

pytestmark = pytest.mark.e2e


class Traffic:
    """What a page receives and sends: websocket messages, requests, pictures."""

    def __init__(self, page: Page) -> None:
        self.frames = 0
        self.sent = 0
        self.requests: list[str] = []
        self.pictures: list[str] = []
        page.on("websocket", self._websocket)
        page.on("request", lambda request: self._request(request.url))

    def _websocket(self, ws: object) -> None:
        ws.on("framereceived", self._frame)  # type: ignore[attr-defined]
        ws.on("framesent", self._sent)  # type: ignore[attr-defined]

    def _frame(self, _payload: object) -> None:
        self.frames += 1

    def _sent(self, _payload: object) -> None:
        self.sent += 1

    def _request(self, url: str) -> None:
        self.requests.append(url)
        if "/api/images/" in url or "/media/" in url:
            self.pictures.append(url)


def countdown_seconds(page: Page) -> int:
    text = countdown(page).inner_text()
    minutes, seconds = re.search(r"(\d+):(\d\d)", text).groups()
    return int(minutes) * 60 + int(seconds)


def test_idle_pages_cost_nothing_and_a_result_reaches_them(tmp_path: Path, browser) -> None:
    url = f"sqlite:///{tmp_path / 'idle.db'}"
    db = open_database(url)
    classroom = Classroom(db)
    classroom.round(start=False)
    other = classroom.join("Joon")
    with streamlit_server(tmp_path, database_url=url, engine="sketch", worker="thread") as server:
        wait_until(classroom.target_ready, 60, "the embedded worker to draw the target")
        classroom.start_all()
        board = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        student = browser.new_context().new_page()
        board_traffic, student_traffic = Traffic(board), Traffic(student)
        board.goto(f"{server}/board?code={classroom.code}")
        join(student, server, classroom.code, "Mina")
        for page in (board, student):
            expect(countdown(page)).to_contain_text("left", timeout=60_000)
            expect(page.locator("img").first).to_be_visible(timeout=60_000)
        board.wait_for_timeout(2_000)  # the first drawing settles

        frames = (board_traffic.frames, student_traffic.frames)
        sent = (board_traffic.sent, student_traffic.sent)
        requests = (len(board_traffic.requests), len(student_traffic.requests))
        pictures = (len(board_traffic.pictures), len(student_traffic.pictures))
        ticks = {countdown_seconds(board)}
        for _ in range(8):
            board.wait_for_timeout(500)
            ticks.add(countdown_seconds(board))
        assert (board_traffic.frames, student_traffic.frames) == frames, "an idle page was run again"
        assert (board_traffic.sent, student_traffic.sent) == sent, "an idle page sent a websocket message"
        asked = board_traffic.requests[requests[0] :] + student_traffic.requests[requests[1] :]
        assert asked == [], f"an idle page asked the server: {asked}"
        assert (len(board_traffic.pictures), len(student_traffic.pictures)) == pictures, "a picture was sent again"
        assert len(ticks) >= 3, f"the countdown did not tick in the browser: {sorted(ticks)}"

        # A student joins (from another process, as a second web server would): the board's
        # waiting request comes back and the board lists them within 2 s.
        classroom.join("Latecomer")
        joined = time.monotonic()
        expect(board.get_by_text("Latecomer").first).to_be_visible(timeout=10_000)
        assert time.monotonic() - joined <= 2.0, f"the join took {time.monotonic() - joined:.2f} s to reach the board"

        with db.write() as s:
            submit_prompt(s, classroom.code, other, "a red circle on blue")
        expect(key(board, "round_leaderboard")).to_contain_text("Joon", timeout=10_000)
        assert student_traffic.frames == frames[1], "another student's attempt reran Mina's page"
        assert len(board_traffic.pictures) == pictures[0], "the board loaded a student's picture before the reveal"
    db.dispose()
