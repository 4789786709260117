"""Restarting the server mid-game: the open page says the server is gone; rounds, timers,
player links and scores carry on."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browsing import key, submit
from helpers import Classroom, wait_until
from playwright.sync_api import expect
from servers import streamlit_server

from db.session import open_database

pytestmark = pytest.mark.e2e


def test_a_restarted_server_carries_on_the_game(tmp_path: Path, browser) -> None:
    url = f"sqlite:///{tmp_path / 'game.db'}"
    db = open_database(url)
    classroom = Classroom(db)
    classroom.round(start=False)
    settings = {"database_url": url, "engine": "sketch", "worker": "thread"}
    student = browser.new_context().new_page()

    with streamlit_server(tmp_path, **settings) as first:
        student.goto(f"{first}/play?code={classroom.code}")  # the first page starts the worker
        wait_until(classroom.target_ready, 60, "the embedded worker to draw the target")
        classroom.start_all()
        key(student, "nickname", "input").fill("Ana")
        key(student, "join", "button").click()
        submit(student, "a big red circle")
        expect(student.get_by_text("Score", exact=True)).to_have_count(1, timeout=60_000)
        address = urlsplit(student.url)
    assert "token=" in address.query
    # The server is gone: the open page says so (its waiting request fails, and asks again
    # later and later) instead of freezing silently.
    expect(student.get_by_text("The connection to the server was lost. Trying again…")).to_be_visible(timeout=30_000)

    with streamlit_server(tmp_path, **settings) as second:
        # The same link, now served by the new process.
        student.goto(f"{second}{address.path}?{address.query}")
        expect(student.get_by_text("You are playing as Ana")).to_be_visible(timeout=30_000)
        expect(student.get_by_text("Score", exact=True)).to_have_count(1, timeout=30_000)
        expect(student.get_by_text(re.compile(r"⏱ \d+:\d\d left"))).to_be_visible()  # the timer runs on
        submit(student, "a red circle on blue")
        expect(student.get_by_text("Score", exact=True)).to_have_count(2, timeout=60_000)
        board = browser.new_context().new_page()
        board.goto(f"{second}/board?code={classroom.code}")
        expect(key(board, "round_leaderboard")).to_contain_text("Ana", timeout=30_000)
    db.dispose()
