"""What every browser test does with a page: find a keyed element, join, write a prompt."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


def key(page: Page, name: str, inner: str = "") -> Locator:
    """The element made with `key=name` (Streamlit gives it the class st-key-<name>)."""
    return page.locator(f".st-key-{name} {inner}".strip())


def join(page: Page, server: str, code: str, nickname: str) -> None:
    page.goto(f"{server}/play?code={code}")
    key(page, "nickname", "input").fill(nickname)
    key(page, "join", "button").click()
    expect(page.get_by_text(f"You are playing as {nickname}")).to_be_visible(timeout=60_000)


def prompt_box(page: Page) -> Locator:
    """The prompt box: its key is `prompt_<n>`, new after every stored attempt (app_pages/play.py)."""
    return page.locator("[class*='st-key-prompt_'] textarea")


def submit(page: Page, prompt: str) -> None:
    prompt_box(page).fill(prompt)
    prompt_box(page).press("Tab")
    page.locator("[class*='st-key-submit_'] button").click()


def countdown(page: Page) -> Locator:
    """The countdown the page shows. A rerun that moves the live part (the board going from
    the reveal to the next round) keeps the old one, empty and hidden, until the run ends."""
    return page.locator(".pm-countdown:visible")


def teacher_context(browser, server: str, session: str, **options):
    """A browser context holding a teacher's session cookie, as if they had signed in (for tests
    whose game was made by the rules directly, tests/helpers.Classroom)."""
    from game.accounts import SESSION_COOKIE

    context = browser.new_context(**options)
    context.add_cookies([{"name": SESSION_COOKIE, "value": session, "url": server}])
    return context


def create_first_teacher(page: Page, server: str, name: str, password: str) -> None:
    """The first visitor of a new server makes the administrator's account, and lands on My games."""
    page.goto(f"{server}/signin")
    key(page, "teacher_name", "input").fill(name)
    key(page, "teacher_password", "input").fill(password)
    key(page, "teacher_password_repeat", "input").fill(password)
    key(page, "create_teacher", "button").click()
    expect(page.get_by_role("heading", name="My games")).to_be_visible(timeout=90_000)


def sign_in(page: Page, server: str, name: str, password: str) -> None:
    page.goto(f"{server}/signin")
    key(page, "teacher_name", "input").fill(name)
    key(page, "teacher_password", "input").fill(password)
    key(page, "sign_in", "button").click()
    expect(page.get_by_role("heading", name="My games")).to_be_visible(timeout=90_000)


def new_game(page: Page, title: str) -> str:
    """From My games: New game, a title, Create game; the new game's join code."""
    key(page, "new_game", "a").click()
    key(page, "game_title", "input").fill(title)
    key(page, "create_game", "button").click()
    expect(key(page, "join_code_display")).to_be_visible(timeout=90_000)
    return key(page, "join_code_display").inner_text().strip()


def press_until(button: Locator, done: Locator, *, timeout: float = 90_000, tries: int = 3) -> None:
    """Click `button` until `done` shows. A click that lands while Streamlit redraws the page
    (a live rerun of the console, several a second while a class plays) can be lost in the
    browser before it is sent; a teacher then clicks again, and so does this. It clicks again
    only while the button is still there and nothing happened for 15 s."""
    for _ in range(tries - 1):
        button.click()
        try:
            expect(done).to_be_visible(timeout=15_000)
            return
        except AssertionError:
            if not button.is_visible():
                break
    else:
        button.click()
    expect(done).to_be_visible(timeout=timeout)
