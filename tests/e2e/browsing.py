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


def submit(page: Page, prompt: str) -> None:
    key(page, "prompt", "textarea").fill(prompt)
    key(page, "prompt", "textarea").press("Tab")
    key(page, "submit", "button").click()
