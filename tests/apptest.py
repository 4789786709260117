"""Opening pages through Streamlit's AppTest, and reading them as a person would."""

from __future__ import annotations

import html
import re

from streamlit.testing.v1 import AppTest

import ui.identity
from config import PROJECT_DIR
from game.accounts import SESSION_COOKIE

# AppTest cannot send cookies: the pages read them through ui.identity._cookies, which the
# tests point here. `page(..., teacher=session)` is a browser holding that teacher's cookie,
# for this run and the next runs of any page of the test (until another `page` call says otherwise).
COOKIES: dict[str, str] = {}
ui.identity._cookies = lambda: COOKIES


def page(name: str, *, teacher: str | None = None, **query: str) -> AppTest:
    """Open a page through the router, as a browser at /name?query would, signed in as the
    teacher whose session `teacher` is (or signed out). A page that raised (a missing
    translation included) fails the test here."""
    COOKIES.clear()
    if teacher:
        COOKIES[SESSION_COOKIE] = teacher
    app = AppTest.from_file(str(PROJECT_DIR / "streamlit_app.py"), default_timeout=30)
    app.switch_page(f"app_pages/{name}.py")
    app.query_params.update(query)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def texts(app: AppTest) -> str:
    parts = [e.value for e in app.text] + [e.value for e in app.markdown] + [e.value for e in app.caption]
    parts += [e.value for e in app.title] + [e.value for e in app.header] + [e.value for e in app.subheader]
    parts += html_texts(app)
    return "\n".join(str(p) for p in parts)


def html_texts(app: AppTest) -> list[str]:
    """What st.html blocks show (tables, the join code, names), as text without the tags."""
    bodies = [re.sub(r"<style>.*?</style>", "", e.proto.body, flags=re.S) for e in app.get("html")]
    return [html.unescape(re.sub(r"<[^>]+>", " ", body)) for body in bodies]


def table_rows(app: AppTest) -> list[list[str]]:
    """The rows of every ranked table on the page, cell by cell, as a person reads them."""
    rows = []
    for element in app.get("html"):
        for row in re.findall(r"<tr>(.*?)</tr>", element.proto.body):
            rows.append([html.unescape(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)])
    return rows


def prompt_box(app: AppTest):
    """The student's prompt box (its key changes after every stored attempt: app_pages/play.py)."""
    return next(box for box in app.text_area if (box.key or "").startswith("prompt_"))


def generate_button(app: AppTest):
    return next(button for button in app.button if (button.key or "").startswith("submit_"))
