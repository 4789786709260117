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
