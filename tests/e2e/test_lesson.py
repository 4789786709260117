"""A real lesson in a real browser: a host, five students (one on a phone) and the projector
play three rounds on the sketch engine, on SQLite and on PostgreSQL.

Round 2 is prepared while round 1 runs, the AI plays round 1, and the projector's board goes
through every state: the lobby (code, QR, joined names), the open round, time's up, the
reveal with its podium. A reload keeps a student's identity, no student sees another's prompt,
and the host downloads the submissions as a browser saves them. The SQLite run saves a
screenshot of each board state and of the phone's screen to docs/screenshots/, which the
README shows.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from browsing import countdown, create_first_teacher, join, key, new_game, press_until, submit
from playwright.sync_api import Page, expect
from servers import streamlit_server

from config import PROJECT_DIR

pytestmark = pytest.mark.e2e

SCREENSHOTS = PROJECT_DIR / "docs" / "screenshots"
STUDENTS = ["Ana", "Ben", "Cleo", "Dara", "Eun"]
ROUNDS = [  # (secret prompt, what the students write)
    ("a big red circle on a blue background", ["red circle on blue", "a blue square", "big red circle, blue"]),
    ("three small yellow stars on a navy background", ["yellow stars", "navy background", "three stars on navy"]),
    ("a green triangle on a white background", ["green triangle", "a white background", "green triangle, white"]),
]
WAIT = 90_000


class Shots:
    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    def take(self, page: Page, name: str, at: str | None = None) -> None:
        if self.folder is not None:
            # From the top of the page, as a student glancing at it sees it, or from the text `at`.
            page.evaluate("document.querySelector('[data-testid=stMain]')?.scrollTo(0, 0)")
            if at is not None:
                page.get_by_text(at).first.scroll_into_view_if_needed()
            page.wait_for_timeout(600)  # let images finish painting
            page.screenshot(path=str(self.folder / f"{name}.png"))


def create_round(host: Page, secret: str) -> None:
    form_no = int(host.locator("[class*='st-key-target_prompt_'] textarea").first.evaluate(
        "e => e.closest('[class*=st-key-target_prompt_]').className.match(/target_prompt_(\\d+)/)[1]"
    ))  # fmt: skip
    key(host, f"target_prompt_{form_no}", "textarea").fill(secret)
    press_until(key(host, "create_round", "button"), key(host, f"target_prompt_{form_no + 1}", "textarea"))
    expect(key(host, f"target_prompt_{form_no + 1}", "textarea")).to_have_value("", timeout=WAIT)


def start_round(host: Page, number: int) -> None:
    start = host.get_by_role("button", name=f"Start round {number}")
    expect(start).to_be_enabled(timeout=WAIT)
    press_until(start, host.get_by_text(f"Round {number} — open"))


def play(students: dict[str, Page], prompts: list[str]) -> None:
    for i, (nickname, page) in enumerate(students.items()):
        submit(page, prompts[i % len(prompts)] + f" ({nickname})")
    for page in students.values():
        expect(page.get_by_text("Score", exact=True).first).to_be_visible(timeout=WAIT)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_lesson_of_three_rounds(database: str, tmp_path: Path, browser, request: pytest.FixtureRequest) -> None:
    url = f"sqlite:///{tmp_path / 'lesson.db'}" if database == "sqlite" else request.getfixturevalue("postgres_url")
    shots = Shots(SCREENSHOTS if database == "sqlite" else None)
    with streamlit_server(tmp_path, database_url=url, engine="sketch", worker="thread") as server:
        host = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        create_first_teacher(host, server, "Ms Kim", "a long password")
        code = new_game(host, "Art class")
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", code)  # no 0/O or 1/I to misread

        # The projector opens the board from the console's link: a new tab, no host key.
        board_href = host.get_by_role("link", name="Open the projector board").get_attribute("href")
        assert board_href is not None and "host=" not in board_href
        assert host.get_by_role("link", name="Open the projector board").get_attribute("target") == "_blank"
        board = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        board.goto(board_href)
        lobby_code = board.get_by_test_id("join-code")
        expect(lobby_code).to_have_text(code, timeout=WAIT)
        expect(board.locator("img").first).to_be_visible()  # the QR code
        expect(board.get_by_text(f"{server}/play?code={code}")).to_be_visible()
        expect(board.get_by_text("0 players in the game")).to_be_visible()

        students: dict[str, Page] = {}
        for nickname in STUDENTS:
            phone = nickname == STUDENTS[-1]
            options = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True} if phone else {}
            students[nickname] = browser.new_context(**options).new_page()
            join(students[nickname], server, code, nickname)
        # A reload keeps the same player (the token is in the address).
        students[STUDENTS[0]].reload()
        expect(students[STUDENTS[0]].get_by_text(f"You are playing as {STUDENTS[0]}")).to_be_visible(timeout=WAIT)
        joined = board.get_by_test_id("joined-names")
        for nickname in STUDENTS:
            expect(joined).to_contain_text(nickname, timeout=WAIT)  # live, without a reload
        expect(board.get_by_text(f"{len(STUDENTS)} players in the game")).to_be_visible()
        shots.take(board, "board-1-lobby")
        phone = students[STUDENTS[-1]]

        for number, (secret, prompts) in enumerate(ROUNDS, start=1):
            if number != 2:  # round 2 was prepared while round 1 ran
                create_round(host, secret)
            start_round(host, number)
            expect(board.get_by_text(f"Round {number} — open")).to_be_visible(timeout=WAIT)
            expect(countdown(board)).to_contain_text("left", timeout=WAIT)
            expect(countdown(phone)).to_contain_text("left", timeout=WAIT)
            if number == 1:
                shots.take(board, "board-2-round-open")
                shots.take(phone, "phone-1-round-open")
                # The teacher prepares round 2 while the class plays round 1.
                create_round(host, ROUNDS[1][0])
                warning = "Round 1 is still open: close or reveal it before starting this one."
                expect(host.get_by_text(warning)).to_be_visible(timeout=WAIT)
                host.get_by_role("button", name="Start round 2").click()  # refused, with the reason
                expect(host.get_by_text("Round 1 is still open. Close it first.")).to_be_visible(timeout=WAIT)
                key(host, "add_ai_player", "button").first.click()  # a rerun may still show the old one
            play(students, prompts)
            leaderboard = key(board, "round_leaderboard")
            for nickname in STUDENTS:
                expect(leaderboard).to_contain_text(nickname, timeout=WAIT)
            if number == 1:
                expect(leaderboard).to_contain_text("AI", timeout=WAIT)
                shots.take(board, "board-3-scores")
                shots.take(phone, "phone-2-scored", at="Your latest score")
            # Before the reveal, the projector shows no prompt and no secret, and no student
            # another's prompt.
            assert secret not in board.content()
            assert prompts[0] not in board.content()
            assert f"({STUDENTS[1]})" not in students[STUDENTS[0]].content()

            press_until(key(host, "close_round", "button"), board.get_by_text("Time is up").first)
            expect(phone.get_by_text("Time is up").first).to_be_visible(timeout=WAIT)
            if number == 1:
                shots.take(board, "board-4-time-up")
            press_until(key(host, "reveal_round", "button"), board.get_by_text(secret).first)
            expect(board.get_by_text("The podium")).to_be_visible(timeout=WAIT)
            expect(board.get_by_text("🥇").first).to_be_visible()
            expect(phone.get_by_text(secret).first).to_be_visible(timeout=WAIT)
            expect(phone.get_by_text("The podium")).to_be_visible(timeout=WAIT)
            if number == 1:
                shots.take(board, "board-5-revealed")
                shots.take(phone, "phone-3-revealed")

        # The host reaches the results through the sidebar and keeps the host's rights.
        host.get_by_role("link", name=re.compile("Results$")).first.click()
        expect(host.get_by_role("heading", name=re.compile("^Results"))).to_be_visible(timeout=WAIT)
        expect(host.get_by_text("This page is for the game's teacher")).to_have_count(0)
        expect(host.get_by_role("link", name="Everything (ZIP with images)")).to_be_visible()
        for nickname in STUDENTS:
            expect(host.get_by_text(nickname).first).to_be_visible()

        # The submissions as the browser saves them: an attachment, every attempt, both scores.
        link = host.get_by_role("link", name="Submissions (CSV)")
        download = host.request.get(link.get_attribute("href"))
        assert download.headers["content-disposition"].startswith("attachment")
        rows = list(csv.DictReader(io.StringIO(download.body().decode("utf-8-sig"))))
        assert {r["player"] for r in rows} == {*STUDENTS, "AI"}
        for nickname in STUDENTS:
            assert [r["round"] for r in rows if r["player"] == nickname] == ["1", "2", "3"]
        assert all(r["status"] == "done" and 0 <= float(r["match_score_0_100"]) <= 100 for r in rows)
        assert all(0 <= float(r["raw_similarity"]) <= 100 and r["scorer"] == "layout" for r in rows)
        assert max(float(r["match_score_0_100"]) for r in rows if r["player"] == "AI") > 50
