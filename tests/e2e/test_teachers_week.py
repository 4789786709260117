"""A teacher's workspace in a real browser, on SQLite and on PostgreSQL: the first run makes
the administrator, who adds a colleague; the same teacher signs in on a second computer, finds
the game under My games and runs a round from there; the colleague can open, run and download
nothing of it; a student who closes the tab comes back as themselves, and on a new device only
with the console's one-time code; signing out ends the session. No address, link or request of
any page carries a teacher's secret. The SQLite run saves the README's screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import create_first_teacher, join, key, new_game, sign_in, submit
from playwright.sync_api import Page, expect
from servers import streamlit_server

from config import PROJECT_DIR
from game.accounts import SESSION_COOKIE

pytestmark = pytest.mark.e2e

SCREENSHOTS = PROJECT_DIR / "docs" / "screenshots"
WAIT = 90_000
KIM, LEE = ("Ms Kim", "kim's long password"), ("Mr Lee", "lee's long password")


class Requests:
    """Every address a context's pages asked for (pages, websockets, fetches, images)."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def watch(self, context) -> None:
        context.on("request", lambda request: self.urls.append(request.url))
        context.on("websocket", lambda socket: self.urls.append(socket.url))


def shoot(page: Page, name: str, enabled: bool) -> None:
    if enabled:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(500)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def start_a_round(host: Page, secret: str) -> None:
    key(host, "target_prompt_0", "textarea").fill(secret)
    key(host, "create_round", "button").click()
    start = host.get_by_role("button", name="Start round 1")
    expect(start).to_be_enabled(timeout=WAIT)
    start.click()
    expect(host.get_by_text("Round 1 — open")).to_be_visible(timeout=WAIT)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_teachers_week_of_signing_in_and_students_coming_back(
    database: str, tmp_path: Path, browser, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 'accounts.db'}" if database == "sqlite" else request.getfixturevalue("postgres_url")
    screenshots = database == "sqlite"
    seen = Requests()
    with streamlit_server(tmp_path, database_url=url, engine="sketch", worker="thread") as server:
        # The first visitor of a new server creates the administrator's account.
        staff_room = browser.new_context(viewport={"width": 1280, "height": 900})
        seen.watch(staff_room)
        kim = staff_room.new_page()
        kim.goto(f"{server}/signin")
        expect(kim.get_by_text("This server has no teacher yet")).to_be_visible(timeout=WAIT)
        shoot(kim, "signin-1-first-run", screenshots)
        create_first_teacher(kim, server, *KIM)
        code = new_game(kim, "Art 5-1")
        assert "host=" not in kim.url
        # The administrator adds a colleague on /teachers.
        kim.goto(f"{server}/teachers")
        key(kim, "new_teacher_name", "input").fill(LEE[0])
        key(kim, "new_teacher_password", "input").fill(LEE[1])
        key(kim, "add_teacher", "button").click()
        expect(kim.get_by_text(f"{LEE[0]} can now sign in.")).to_be_visible(timeout=WAIT)

        # A student joins before the lesson.
        laptop = browser.new_context()
        seen.watch(laptop)
        jun = laptop.new_page()
        join(jun, server, code, "Jun")

        # On the classroom computer the same teacher signs in and finds the game under My games.
        classroom = browser.new_context(viewport={"width": 1280, "height": 900})
        seen.watch(classroom)
        console = classroom.new_page()
        console.goto(f"{server}/signin")
        shoot(console, "signin-2-sign-in", screenshots)
        sign_in(console, server, *KIM)
        expect(key(console, f"open_game_{code}")).to_be_visible(timeout=WAIT)
        expect(key(console, f"game_{code}")).to_contain_text("1 player")
        shoot(console, "games-1-my-games", screenshots)
        key(console, f"open_game_{code}", "a").click()
        expect(key(console, "join_code_display")).to_have_text(code, timeout=WAIT)
        start_a_round(console, "a big red circle on a blue background")
        expect(jun.locator("[class*='st-key-prompt_'] textarea")).to_be_visible(timeout=WAIT)
        submit(jun, "a red circle")
        expect(jun.get_by_text("Score", exact=True).first).to_be_visible(timeout=WAIT)

        # Jun closes the tab; the join link in the same browser brings Jun back, attempt and all.
        jun.close()
        jun = laptop.new_page()
        jun.goto(f"{server}/play?code={code}")
        expect(jun.get_by_text("You are playing as Jun")).to_be_visible(timeout=WAIT)
        expect(jun.get_by_text("a red circle").first).to_be_visible()

        # On another device the nickname alone says how to come back, and makes nobody Jun.
        tablet = browser.new_context(viewport={"width": 1024, "height": 800})
        seen.watch(tablet)
        other = tablet.new_page()
        other.goto(f"{server}/play?code={code}")
        key(other, "nickname", "input").fill("Jun")
        key(other, "join", "button").click()
        expect(other.get_by_text("ask your teacher for a code")).to_be_visible(timeout=WAIT)
        # The console's Let back in shows a one-time code; with it, Jun continues on the tablet.
        console.get_by_text("Moderation", exact=True).click()
        let_back = console.locator("[class*='st-key-let_back_'] button").first
        let_back.click()
        rejoin = key(console, "let_back_code")
        expect(rejoin).to_be_visible(timeout=WAIT)
        rejoin_code = rejoin.inner_text().strip()
        assert len(rejoin_code) == 6
        rejoin.scroll_into_view_if_needed()
        shoot(console, "console-1-let-back-in", screenshots)
        key(other, "rejoin_code", "input").fill(rejoin_code)
        key(other, "join", "button").click()
        expect(other.get_by_text("You are playing as Jun")).to_be_visible(timeout=WAIT)
        expect(other.get_by_text("a red circle").first).to_be_visible()
        # Used once: the same code on a third device does nothing.
        phone = browser.new_context().new_page()
        phone.goto(f"{server}/play?code={code}")
        key(phone, "nickname", "input").fill("Jun")
        key(phone, "rejoin_code", "input").fill(rejoin_code)
        key(phone, "join", "button").click()
        expect(phone.get_by_text("That code does not fit this nickname")).to_be_visible(timeout=WAIT)

        # The colleague sees none of it: not on My games, not the console, results or downloads.
        colleague = browser.new_context()
        seen.watch(colleague)
        lee = colleague.new_page()
        sign_in(lee, server, *LEE)
        expect(lee.get_by_text("You have no games yet")).to_be_visible()
        for path in ("host", "results"):
            lee.goto(f"{server}/{path}?code={code}")
            expect(lee.get_by_text("This game belongs to another teacher.")).to_be_visible(timeout=WAIT)
            expect(key(lee, "create_round")).to_have_count(0)
            expect(lee.get_by_text("Everything (ZIP with images)")).to_have_count(0)
        for name in ("submissions.csv", "results.zip"):
            assert lee.request.get(f"{server}/api/games/{code}/download/{name}").status == 403
            assert tablet.request.get(f"{server}/api/games/{code}/download/{name}").status == 403
            assert console.request.get(f"{server}/api/games/{code}/download/{name}").status == 200

        # Signing out on the classroom computer ends that session there; the staff room's goes on.
        contexts = (staff_room, classroom, colleague)
        session_cookies = {c["value"] for ctx in contexts for c in ctx.cookies() if c["name"] == SESSION_COOKIE}
        classroom_session = next(c["value"] for c in classroom.cookies() if c["name"] == SESSION_COOKIE)
        key(console, "sign_out", "button").click()
        expect(console.get_by_role("heading", name="Sign in as a teacher")).to_be_visible(timeout=WAIT)
        console.goto(f"{server}/host?code={code}")
        expect(console.get_by_text("This page is for teachers. Please sign in.")).to_be_visible(timeout=WAIT)
        assert console.request.get(f"{server}/api/games/{code}/download/submissions.csv").status == 403
        kim.goto(f"{server}/host?code={code}")
        expect(key(kim, "join_code_display")).to_have_text(code, timeout=WAIT)
        # The old session's cookie, sent again by hand, is dead too.
        replay = browser.new_context()
        replay.add_cookies([{"name": SESSION_COOKIE, "value": classroom_session, "url": server}])
        assert replay.new_page().request.get(f"{server}/api/games/{code}/download/report.html").status == 403

    # No address any page opened or asked for holds a teacher's session or a host key.
    secrets = session_cookies
    assert len(secrets) == 3 and seen.urls
    leaked = [u for u in seen.urls if "host=" in u or "ticket" in u or any(s in u for s in secrets)]
    assert leaked == []
