"""A host and three students, each in their own browser context, play one round."""

from __future__ import annotations

import csv
import io
import re

import pytest
from browsing import key
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

STUDENTS = {
    "Ana": "a big red circle on a blue background",
    "Ben": "red circle, blue background",
    "Cleo": "a small green triangle",
}
SECRET = "a big red circle on a blue background"



def test_one_round_with_a_host_and_three_students(server: str, browser) -> None:
    host = browser.new_context().new_page()
    host.goto(f"{server}/host")
    key(host, "game_title", "input").fill("Art class")
    key(host, "create_game", "button").click()
    expect(key(host, "join_code_display")).to_be_visible(timeout=30_000)
    code = key(host, "join_code_display").inner_text().strip()
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", code)

    key(host, "target_prompt_0", "textarea").fill(SECRET)
    key(host, "create_round", "button").click()
    start = host.locator("[class*='st-key-start_round_'] button")
    expect(start).to_be_enabled(timeout=30_000)
    start.click()
    expect(key(host, "close_round", "button")).to_be_enabled(timeout=30_000)

    board = browser.new_context().new_page()
    board.goto(f"{server}/board?code={code}")

    students = []
    for nickname, prompt in STUDENTS.items():
        page = browser.new_context().new_page()
        page.goto(f"{server}/play?code={code}")
        key(page, "nickname", "input").fill(nickname)
        key(page, "join", "button").click()
        expect(key(page, "prompt", "textarea")).to_be_visible(timeout=30_000)
        # A reload keeps the same player (the token is in the address).
        page.reload()
        expect(page.get_by_text(f"You are playing as {nickname}")).to_be_visible(timeout=30_000)
        key(page, "prompt", "textarea").fill(prompt)
        key(page, "prompt", "textarea").press("Tab")
        key(page, "submit", "button").click()
        students.append(page)

    for page in students:
        # Each student's laptop shows their own page; Streamlit pauses timed refreshes of a
        # hidden tab, and in one browser only the front page counts as shown.
        page.bring_to_front()
        expect(page.get_by_text("Score", exact=True).first).to_be_visible(timeout=60_000)

    board.bring_to_front()
    leaderboard = key(board, "round_leaderboard")
    for nickname in STUDENTS:
        expect(leaderboard).to_contain_text(nickname, timeout=30_000)
    # Before the reveal the projector shows no prompt at all.
    assert SECRET not in board.content()
    assert "small green triangle" not in board.content()
    assert "small green triangle" not in students[0].content()

    host.bring_to_front()
    key(host, "reveal_round", "button").click()
    board.bring_to_front()
    expect(key(board, "reveal")).to_contain_text(SECRET, timeout=30_000)

    results = browser.new_context().new_page()
    results.goto(host.url.replace("/host?", "/results?"))
    link = results.get_by_role("link", name="Submissions (CSV)")
    expect(link).to_be_visible(timeout=30_000)
    download = results.request.get(link.get_attribute("href"))  # what the browser saves
    assert download.headers["content-disposition"].startswith("attachment")
    text = download.body().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {(r["player"], r["prompt"]) for r in rows} == set(STUDENTS.items())
    assert all(r["status"] == "done" and float(r["score"]) > 0 for r in rows)
