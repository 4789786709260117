"""Lessons and classes in a real browser: a teacher's three rounds (two prompts and an uploaded
picture) saved as a lesson and started again as a new game with three prepared rounds, where
the secret prompt scores 100; the lesson exported, imported on a second server with its
picture, and started there; a damaged file and a file of an unknown version refused with their
message and nothing added; the lesson shared, seen and started by a second teacher who cannot
change it; a class with a roster whose students join by picking their name, and the class's
page with two games' records. Saves the README's screenshots."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from browsing import create_first_teacher, key, new_game, sign_in, submit
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect
from servers import streamlit_server
from sqlalchemy import func, select

from config import PROJECT_DIR
from db.models import Lesson
from db.session import open_database

pytestmark = pytest.mark.e2e

SCREENSHOTS = PROJECT_DIR / "docs" / "screenshots"
WAIT = 90_000
KIM, LEE = ("Ms Kim", "kim's long password"), ("Mr Lee", "lee's long password")
SECRET = "a big red circle on a blue background"


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def photo(path: Path) -> Path:
    image = Image.new("RGB", (320, 320), "navy")
    ImageDraw.Draw(image).ellipse((80, 80, 240, 240), fill="orange")
    image.save(path, "PNG")
    return path


def create_round(console: Page, number: int, *, prompt: str | None = None, picture: Path | None = None) -> None:
    form = number - 1  # the New round form's boxes are numbered (they empty after use)
    if picture is not None:
        key(console, "target_source").get_by_text("An uploaded picture").click()
        key(console, f"target_upload_{form}", "input[type=file]").set_input_files(str(picture))
        expect(console.get_by_text("The uploaded target")).to_be_visible(timeout=WAIT)
    else:
        key(console, f"target_prompt_{form}", "textarea").fill(prompt or "")
    key(console, "create_round", "button").click()
    expect(console.get_by_role("button", name=f"Start round {number}")).to_be_visible(timeout=WAIT)


def lesson_id(database_url: str, title: str) -> int:
    database = open_database(database_url)
    try:
        with database.read() as s:
            return s.scalar(select(Lesson.id).where(Lesson.title == title).order_by(Lesson.id.desc()))
    finally:
        database.dispose()


def lesson_count(database_url: str) -> int:
    database = open_database(database_url)
    try:
        with database.read() as s:
            return s.scalar(select(func.count()).select_from(Lesson))
    finally:
        database.dispose()


def start_lesson(page: Page, server: str, lesson: int, class_name: str | None = None) -> str:
    """From /lessons: (a class,) Start; the new game's console, its code."""
    page.goto(f"{server}/lessons")
    if class_name is not None:
        key(page, f"lesson_class_{lesson}", "input").click()
        page.get_by_role("option", name=class_name).click()
    key(page, f"start_lesson_{lesson}", "button").click()
    expect(key(page, "join_code_display")).to_be_visible(timeout=WAIT)
    return key(page, "join_code_display").inner_text().strip()


def prepared_rounds(console: Page, count: int) -> None:
    """The game has `count` prepared rounds, every target drawn (each Start is enabled)."""
    expect(console.locator("[class*='st-key-prepared_']")).to_have_count(count, timeout=WAIT)
    for number in range(1, count + 1):
        expect(console.get_by_role("button", name=f"Start round {number}")).to_be_enabled(timeout=WAIT)


def import_file(page: Page, server: str, path: Path) -> None:
    page.goto(f"{server}/lessons")
    key(page, "import_lesson", "input[type=file]").set_input_files(str(path))


def test_lessons_saved_started_moved_shared_and_classes_with_rosters(tmp_path: Path, browser) -> None:
    url = f"sqlite:///{tmp_path / 'school-a.db'}"
    home_a, home_b = tmp_path / "a", tmp_path / "b"
    home_a.mkdir()
    home_b.mkdir()
    with streamlit_server(home_a, database_url=url, engine="sketch", worker="thread") as server:
        staff = browser.new_context(viewport={"width": 1280, "height": 1000})
        kim = staff.new_page()
        create_first_teacher(kim, server, *KIM)
        kim.goto(f"{server}/teachers")
        key(kim, "new_teacher_name", "input").fill(LEE[0])
        key(kim, "new_teacher_password", "input").fill(LEE[1])
        key(kim, "add_teacher", "button").click()
        expect(kim.get_by_text(f"{LEE[0]} can now sign in.")).to_be_visible(timeout=WAIT)

        # Three rounds built live, then kept: Save as lesson.
        kim.goto(f"{server}/games")
        new_game(kim, "Shapes")
        create_round(kim, 1, prompt=SECRET)
        create_round(kim, 2, prompt="a yellow star on a black background")
        create_round(kim, 3, picture=photo(tmp_path / "sun.png"))
        prepared_rounds(kim, 3)
        key(kim, "save_as_lesson", "button").click()
        expect(kim.get_by_text("Saved as a lesson")).to_be_visible(timeout=WAIT)
        shapes = lesson_id(url, "Shapes")

        # Started again: a new game with its three rounds prepared; the secret scores 100.
        kim.goto(f"{server}/lessons")
        expect(key(kim, f"lesson_{shapes}")).to_contain_text("3 rounds", timeout=WAIT)
        shoot(kim, "lessons-1-list")
        code = start_lesson(kim, server, shapes)
        prepared_rounds(kim, 3)
        kim.get_by_role("button", name="Start round 1").click()
        expect(kim.get_by_text("Round 1 — open")).to_be_visible(timeout=WAIT)
        laptop = browser.new_context()
        ana = laptop.new_page()
        ana.goto(f"{server}/play?code={code}")
        key(ana, "nickname", "input").fill("Ana")
        key(ana, "join", "button").click()
        expect(ana.locator("[class*='st-key-prompt_'] textarea")).to_be_visible(timeout=WAIT)
        submit(ana, SECRET)
        expect(ana.get_by_text("100.00 / 100").first).to_be_visible(timeout=WAIT)

        # The lesson as a file, by its link (the teacher's cookie is the permission).
        kim.goto(f"{server}/lessons")
        href = key(kim, f"export_lesson_{shapes}", "a").get_attribute("href")
        assert href and "session" not in href and "host" not in href
        answer = kim.request.get(href)
        assert answer.status == 200 and answer.headers["content-type"] == "application/zip"
        lesson_path = tmp_path / "shapes.zip"
        lesson_path.write_bytes(answer.body())
        with zipfile.ZipFile(lesson_path) as archive:
            assert json.loads(archive.read("lesson.json"))["version"] == 1
            assert "pictures/round-3.png" in archive.namelist()
        assert browser.new_context().request.get(href).status == 403  # nobody else's cookie

        # A damaged file and a file of an unknown version: said, and nothing added.
        before = lesson_count(url)
        damaged = tmp_path / "damaged.zip"
        damaged.write_bytes(lesson_path.read_bytes()[:300])
        import_file(kim, server, damaged)
        expect(kim.get_by_text("This lesson file is damaged")).to_be_visible(timeout=WAIT)  # cut short
        future = tmp_path / "future.zip"
        with zipfile.ZipFile(future, "w") as archive:
            archive.writestr("lesson.json", json.dumps({"format": "promptmatch-lesson", "version": 9, "rounds": []}))
        import_file(kim, server, future)
        expect(kim.get_by_text("This lesson file is version 9")).to_be_visible(timeout=WAIT)
        shoot(kim, "lessons-2-import-refused")
        assert lesson_count(url) == before

        # Shared: Mr Lee sees it, starts it, and cannot change it (only copy it).
        kim.goto(f"{server}/lessons")
        key(kim, f"share_lesson_{shapes}", "label").click()
        expect(key(kim, f"lesson_{shapes}")).to_contain_text("shared with every teacher", timeout=WAIT)
        lee_room = browser.new_context(viewport={"width": 1280, "height": 900})
        lee = lee_room.new_page()
        sign_in(lee, server, *LEE)
        lee.goto(f"{server}/lessons")
        expect(key(lee, f"lesson_{shapes}")).to_contain_text("shared by Ms Kim", timeout=WAIT)
        expect(key(lee, f"edit_lesson_{shapes}")).to_have_count(0)
        expect(key(lee, f"share_lesson_{shapes}")).to_have_count(0)
        expect(key(lee, f"duplicate_lesson_{shapes}")).to_contain_text("Copy to edit")
        start_lesson(lee, server, shapes)
        prepared_rounds(lee, 3)

        # A class with a roster: students pick their name; two games land on the class's page.
        kim.goto(f"{server}/classes")
        key(kim, "class_name", "input").fill("5-1")  # the New class box is open: no class yet
        key(kim, "class_roster", "textarea").fill("Mina\nJun\nSeo-yeon")
        key(kim, "save_class", "button").click()
        expect(kim.get_by_text("Saved 5-1 with 3 names.")).to_be_visible(timeout=WAIT)
        codes = []
        for student, prompt in (("Mina", "a red circle"), ("Jun", SECRET)):
            codes.append(start_lesson(kim, server, shapes, class_name="5-1"))
            prepared_rounds(kim, 3)
            kim.get_by_role("button", name="Start round 1").click()
            expect(kim.get_by_text("Round 1 — open")).to_be_visible(timeout=WAIT)
            device = browser.new_context(viewport={"width": 1024, "height": 800}).new_page()
            device.goto(f"{server}/play?code={codes[-1]}")
            expect(key(device, "nickname")).to_have_count(0, timeout=WAIT)
            key(device, "roster_name", "input").click()
            expect(device.get_by_role("option")).to_have_count(3)
            if student == "Mina":
                shoot(device, "classes-2-pick-your-name")
            device.get_by_role("option", name=student).click()
            key(device, "join", "button").click()
            expect(device.get_by_text(f"You are playing as {student}")).to_be_visible(timeout=WAIT)
            submit(device, prompt)
            expect(device.get_by_text("/ 100").first).to_be_visible(timeout=WAIT)
        kim.goto(f"{server}/classes")
        panel = key(kim, "class_1")
        expect(panel).to_contain_text("2 games played", timeout=WAIT)
        for game_code in codes:
            expect(panel).to_contain_text(game_code)
        expect(panel.locator("[data-testid='stDataFrame']")).to_be_visible()
        expect(key(kim, "class_csv_1", "button")).to_be_visible()
        panel.scroll_into_view_if_needed()
        shoot(kim, "classes-1-records")

    # Another school's server: the file imported with its picture, and started there.
    other_url = f"sqlite:///{tmp_path / 'school-b.db'}"
    with streamlit_server(home_b, database_url=other_url, engine="sketch", worker="thread") as other:
        park = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        create_first_teacher(park, other, "Ms Park", "park's long password")
        import_file(park, other, lesson_path)
        expect(park.get_by_text("Imported “Shapes” with 3 rounds.")).to_be_visible(timeout=WAIT)
        imported = lesson_id(other_url, "Shapes")
        start_lesson(park, other, imported)
        prepared_rounds(park, 3)
        expect(park.locator("[class*='st-key-prepared_'] img")).to_have_count(3)  # the picture came too
