"""WCAG 2.2 AA, measured: axe-core (carried by axe-playwright-python, no download) over every
page state of a short lesson, in English and Korean, failing on any serious or critical
violation. Also: the page's language, no text alternative that holds the secret before the
reveal, a student's attempt with the keyboard alone, and the host's *+1 minute* reaching the
board."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from browsing import countdown, create_first_teacher, key
from playwright.sync_api import Page, expect
from servers import streamlit_server

pytestmark = pytest.mark.e2e

WAIT = 90_000
SECRET = "a big red circle on a blue background"
# The WCAG 2.0, 2.1 and 2.2 A and AA rules of axe-core.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
SERIOUS = ("serious", "critical")
TEXT = {
    "en": {"playing_as": "You are playing as", "start": "Start round 1", "score": "/ 100"},
    "ko": {"playing_as": "(으)로 참여 중", "start": "1라운드 시작", "score": "/ 100"},
}


class Audit:
    """axe over each page state; what it found, by state."""

    def __init__(self, language: str) -> None:
        self.axe = Axe()
        self.language = language
        self.found: dict[str, list[dict]] = {}

    def check(self, page: Page, state: str) -> None:
        page.wait_for_timeout(700)  # let the page's last run paint
        results = self.axe.run(page, options=AXE_OPTIONS).response
        serious = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:160] for n in v["nodes"][:3]]}
            for v in results["violations"]
            if v["impact"] in SERIOUS
        ]
        lang = page.evaluate("document.documentElement.lang")
        if lang != self.language:  # a screen reader would read the page in the wrong voice
            serious.append({"id": "page-language", "impact": "serious", "nodes": [f'<html lang="{lang}">']})
        self.found[state] = serious

    def report(self) -> str:
        return json.dumps({state: [(v["id"], v["impact"]) for v in found] for state, found in self.found.items()})


def alternatives(page: Page) -> list[str]:
    return page.locator("img").evaluate_all("imgs => imgs.map(i => i.getAttribute('alt') || '')")


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_page_state_of_a_lesson_meets_wcag_aa(language: str, tmp_path: Path, browser) -> None:
    audit = Audit(language)
    words = TEXT[language]
    url = f"sqlite:///{tmp_path / 'a11y.db'}"
    with streamlit_server(tmp_path, database_url=url, engine="sketch", worker="thread") as server:
        asked: list[str] = []  # every address any page asks for (nothing may leave the school)

        def watched(context):
            context.on("request", lambda request: asked.append(request.url))
            context.on("websocket", lambda socket: asked.append(socket.url))
            return context

        staff = watched(browser.new_context(viewport={"width": 1280, "height": 900}))
        host = staff.new_page()
        host.goto(f"{server}/?lang={language}")
        expect(host.locator("h1").first).to_be_visible(timeout=WAIT)
        audit.check(host, "home")
        host.goto(f"{server}/signin?lang={language}")
        expect(key(host, "teacher_name", "input")).to_be_visible(timeout=WAIT)
        audit.check(host, "sign-in (first run)")
        create_first_teacher_in(host, server, language)
        audit.check(host, "my games")
        for name in ("lessons", "classes", "privacy"):
            host.goto(f"{server}/{name}?lang={language}")
            expect(host.locator("h1").first).to_be_visible(timeout=WAIT)
            audit.check(host, name)
        host.goto(f"{server}/host?lang={language}")
        key(host, "game_title", "input").fill("Art 5-1")
        key(host, "game_attempts", "input").fill("2")
        key(host, "game_attempts", "input").press("Tab")
        key(host, "create_game", "button").click()
        expect(key(host, "join_code_display")).to_be_visible(timeout=WAIT)
        code = key(host, "join_code_display").inner_text().strip()
        audit.check(host, "console (lobby)")

        board = watched(browser.new_context(viewport={"width": 1920, "height": 1080})).new_page()
        board.goto(f"{server}/board?code={code}&lang={language}")
        expect(board.get_by_test_id("join-code")).to_be_visible(timeout=WAIT)
        audit.check(board, "board (lobby)")

        phone = watched(browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True))
        student = phone.new_page()
        student.goto(f"{server}/play?code={code}&lang={language}")
        expect(key(student, "nickname", "input")).to_be_visible(timeout=WAIT)
        audit.check(student, "student: join")
        key(student, "nickname", "input").fill("Mina")
        key(student, "join", "button").click()
        expect(student.get_by_text(words["playing_as"])).to_be_visible(timeout=WAIT)
        audit.check(student, "student: waiting")

        key(host, "target_prompt_0", "textarea").fill(SECRET)
        key(host, "create_round", "button").click()
        start = host.get_by_role("button", name=words["start"])
        expect(start).to_be_enabled(timeout=WAIT)
        press(start)  # the host runs the round with the keyboard alone
        expect(key(host, "close_round", "button")).to_be_enabled(timeout=WAIT)
        audit.check(host, "console (round open)")
        expect(board.locator(".st-key-round_leaderboard")).to_be_visible(timeout=WAIT)
        expect(countdown(board)).to_contain_text("2:", timeout=WAIT)  # of the game's 3 minutes
        press(key(host, "add_time", "button"))  # +1 minute reaches the projector
        expect(countdown(board)).to_contain_text("3:", timeout=WAIT)
        audit.check(board, "board (open)")
        prompt = student.locator("[class*='st-key-prompt_'] textarea")
        expect(prompt).to_be_visible(timeout=WAIT)
        audit.check(student, "student: open")
        # Reflow (WCAG 1.4.10): at 320 CSS pixels wide nothing needs a horizontal scroll.
        student.set_viewport_size({"width": 320, "height": 800})
        student.wait_for_timeout(700)
        widths = student.evaluate(
            "() => [...document.querySelectorAll('[data-testid=stMain], html')].map(e => e.scrollWidth - e.clientWidth)"
        )
        assert max(widths) <= 1, widths
        student.set_viewport_size({"width": 390, "height": 844})
        assert not any(SECRET in alt for alt in alternatives(student) + alternatives(board))

        # The keyboard alone: the box, then Ctrl+Enter submits the form (no pointer).
        prompt.focus()
        student.keyboard.type("a red circle")
        student.keyboard.press("Control+Enter")
        expect(student.get_by_text(words["score"]).first).to_be_visible(timeout=WAIT)
        audit.check(student, "student: scored")
        # The prompt keeps its own language on the page (an English prompt on a Korean page).
        expect(student.locator('.pm-prompt[lang="en"]', has_text="a red circle").first).to_be_visible()
        assert not any(SECRET in alt for alt in alternatives(student) + alternatives(board))
        prompt = student.locator("[class*='st-key-prompt_'] textarea")
        prompt.fill("a blue circle")
        student.locator("[class*='st-key-submit_'] button").click()
        expect(student.get_by_text(words["score"]).nth(1)).to_be_visible(timeout=WAIT)
        audit.check(student, "student: no attempts left")

        press(key(host, "close_round", "button"))
        expect(key(host, "close_round", "button")).to_be_disabled(timeout=WAIT)
        board.wait_for_timeout(1500)
        audit.check(board, "board (time up)")
        press(key(host, "reveal_round", "button"))
        expect(board.locator(".st-key-reveal")).to_be_visible(timeout=WAIT)
        audit.check(board, "board (revealed)")
        audit.check(host, "console (revealed)")
        expect(student.get_by_text(SECRET).first).to_be_visible(timeout=WAIT)
        audit.check(student, "student: revealed")
        host.goto(f"{server}/results?code={code}&lang={language}")
        expect(host.locator("h1").first).to_be_visible(timeout=WAIT)
        audit.check(host, "results")

    elsewhere = {url for url in asked if urlsplit(url).scheme not in ("data", "blob", "about")}
    elsewhere = {url for url in elsewhere if urlsplit(url).netloc != urlsplit(server).netloc}
    assert not elsewhere, sorted(elsewhere)[:10]  # no fonts, scripts, telemetry or pictures from elsewhere
    assert len(asked) > 50
    print(audit.report())
    (tmp_path.parent / f"axe-{language}.json").write_text(json.dumps(audit.found, indent=1, ensure_ascii=False))
    failing = {state: found for state, found in audit.found.items() if found}
    assert not failing, json.dumps(failing, indent=1, ensure_ascii=False)


def press(button) -> None:
    """A keyboard user's click: the focus on the button, then Enter."""
    button.focus()
    expect(button).to_be_focused()
    button.press("Enter")


def create_first_teacher_in(page: Page, server: str, language: str) -> None:
    if language == "en":
        create_first_teacher(page, server, "Ms Kim", "kim's long password")
        return
    key(page, "teacher_name", "input").fill("김 선생님")
    key(page, "teacher_password", "input").fill("kim's long password")
    key(page, "teacher_password_repeat", "input").fill("kim's long password")
    key(page, "create_teacher", "button").click()
    expect(key(page, "new_game")).to_be_visible(timeout=WAIT)
