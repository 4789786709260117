"""A school set-up: two web servers and one worker process share one PostgreSQL database."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import key, submit, teacher_context
from helpers import Classroom, wait_until
from playwright.sync_api import Page, expect
from servers import start_worker, stop, streamlit_server

from db.session import open_database

pytestmark = pytest.mark.e2e


def join_and_submit(page: Page, url: str, code: str, nickname: str, prompt: str) -> None:
    page.goto(f"{url}/play?code={code}")
    key(page, "nickname", "input").fill(nickname)
    key(page, "join", "button").click()
    submit(page, prompt)
    page.bring_to_front()
    expect(page.get_by_text("Score", exact=True).first).to_be_visible(timeout=60_000)


def test_two_web_servers_show_the_same_leaderboard(postgres_url: str, tmp_path: Path, browser) -> None:
    db = open_database(postgres_url)
    classroom = Classroom(db)
    classroom.round(start=False)
    worker = start_worker(postgres_url, tmp_path, engine="sketch", poll_interval="0.05")
    web = {"database_url": postgres_url, "engine": "sketch", "worker": "external"}
    try:
        with streamlit_server(tmp_path, **web) as first, streamlit_server(tmp_path, **web) as second:
            wait_until(classroom.target_ready, 60, "the worker process to draw the target")
            classroom.start_all()

            # The host's console on either server counts the worker process as alive.
            host = teacher_context(browser, second, classroom.host).new_page()
            host.goto(f"{second}/host?code={classroom.code}")
            expect(host.get_by_text("Generation workers alive: 1")).to_be_visible(timeout=30_000)

            join_and_submit(browser.new_context().new_page(), first, classroom.code, "Ana", "a big red circle")
            join_and_submit(browser.new_context().new_page(), second, classroom.code, "Ben", "a small green square")

            boards = []
            for url in (first, second):
                board = browser.new_context().new_page()
                board.goto(f"{url}/board?code={classroom.code}")
                board.bring_to_front()
                expect(key(board, "round_leaderboard")).to_contain_text("Ben", timeout=30_000)
                # The target, drawn by the worker process, is served by both web servers.
                target = board.locator("img").first
                expect(target).to_be_visible(timeout=30_000)
                assert target.evaluate("img => img.complete && img.naturalWidth > 0")
                boards.append(board)
            tables = [key(board, "round_leaderboard").inner_text() for board in boards]
            assert tables[0] == tables[1]
            assert "Ana" in tables[0] and "Ben" in tables[0]
    finally:
        stop(worker)
        db.dispose()
