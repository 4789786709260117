"""Homework in a real browser: a lesson assigned from /lessons with the days it stays open;
a student plays it alone (round 1 at once, the secret once done, then round 2), closes the
tab and continues where they were; the teacher follows their progress live and closes the
assignment, after which the student sees the class's standings and gallery. Saves the
README's screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import create_first_teacher, key, submit
from playwright.sync_api import Page, expect
from servers import streamlit_server
from sqlalchemy import select

from config import PROJECT_DIR
from db.models import Lesson
from db.session import open_database

pytestmark = pytest.mark.e2e

SCREENSHOTS = PROJECT_DIR / "docs" / "screenshots"
WAIT = 90_000


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def starter_id(url: str) -> int:
    database = open_database(url)
    try:
        with database.read() as s:
            return s.scalar(select(Lesson.id).where(Lesson.title == "Starter: shapes and colours"))
    finally:
        database.dispose()


def test_homework_played_alone_followed_by_the_teacher_and_closed(tmp_path: Path, browser) -> None:
    url = f"sqlite:///{tmp_path / 'homework.db'}"
    with streamlit_server(tmp_path, database_url=url, engine="sketch", worker="thread") as server:
        kim = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        create_first_teacher(kim, server, "Ms Kim", "kim's long password")
        lesson = starter_id(url)
        kim.goto(f"{server}/lessons")
        key(kim, f"assign_lesson_{lesson}", "button").click()
        key(kim, "assignment_days", "input").fill("3")
        key(kim, "assignment_days", "input").press("Tab")
        key(kim, "create_assignment", "button").click()
        expect(key(kim, "join_code_display")).to_be_visible(timeout=WAIT)
        code = key(kim, "join_code_display").inner_text().strip()
        expect(key(kim, "assignment_status")).to_contain_text("Open until")

        laptop = browser.new_context(viewport={"width": 1100, "height": 1000})
        mina = laptop.new_page()
        mina.goto(f"{server}/play?code={code}")
        key(mina, "nickname", "input").fill("Mina")
        key(mina, "join", "button").click()
        expect(mina.get_by_text("round 1 of 5")).to_be_visible(timeout=WAIT)  # at once, alone
        submit(mina, "a red circle on a blue background")
        expect(mina.get_by_text("/ 100").first).to_be_visible(timeout=WAIT)
        key(mina, "finish_round", "button").click()
        expect(key(mina, "homework_secret")).to_contain_text("a big red circle on a blue background", timeout=WAIT)
        shoot(mina, "homework-2-round-done")
        key(mina, "next_round", "button").click()
        expect(mina.get_by_text("round 2 of 5")).to_be_visible(timeout=WAIT)

        # The teacher's console follows: Mina is on round 2, with her round 1 score.
        expect(key(kim, "assignment_progress")).to_contain_text("Mina", timeout=WAIT)
        expect(key(kim, "assignment_progress")).to_contain_text("2 of 5", timeout=WAIT)
        shoot(kim, "homework-1-console")

        # Mina closes the tab and comes back later in the same browser: round 2, as she left it.
        mina.close()
        mina = laptop.new_page()
        mina.goto(f"{server}/play?code={code}")
        expect(mina.get_by_text("round 2 of 5")).to_be_visible(timeout=WAIT)
        expect(mina.get_by_text("You are playing as Mina")).to_be_visible()

        # Closed by the teacher: the class's standings and galleries, every secret.
        key(kim, "close_assignment", "button").click()
        expect(key(kim, "assignment_status")).to_contain_text("Closed on", timeout=WAIT)
        mina.reload()
        expect(mina.get_by_text("This homework has closed")).to_be_visible(timeout=WAIT)
        expect(mina.get_by_text("Whole game")).to_be_visible()
        expect(key(mina, "homework_summary")).to_be_visible()
