"""The app's pages as `st.Page` objects, made once per language.

Making an `st.Page` resolves its file on the disk (realpath, stat): with eleven pages that was
a sixth of a student's page run (py-spy, `bench.classroom`). The pages are made on the first
run in each language and every run gets its own copies, because `st.navigation` marks the
page it returns as callable once and that page's run unmarks it: shared objects would let
one visitor's run unmark another's.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass

import streamlit as st

from ui.i18n import translate


@dataclass(frozen=True)
class PageSpec:
    name: str
    path: str
    icon: str
    url_path: str


PAGES = (
    PageSpec("home", "app_pages/home.py", "🏠", ""),
    PageSpec("host", "app_pages/host.py", "🧑‍🏫", "host"),
    PageSpec("play", "app_pages/play.py", "✏️", "play"),
    PageSpec("board", "app_pages/board.py", "📺", "board"),
    PageSpec("results", "app_pages/results.py", "📊", "results"),
    PageSpec("signin", "app_pages/signin.py", "🔑", "signin"),
    PageSpec("games", "app_pages/games.py", "🗂️", "games"),
    PageSpec("teachers", "app_pages/teachers.py", "👥", "teachers"),
    PageSpec("lessons", "app_pages/lessons.py", "📚", "lessons"),
    PageSpec("classes", "app_pages/classes.py", "🏫", "classes"),
    PageSpec("privacy", "app_pages/privacy.py", "🔒", "privacy"),
)

_made: dict[str, dict[str, st.Page]] = {}
_lock = threading.Lock()


def app_pages(language: str) -> dict[str, st.Page]:
    """This run's pages, by name, titled in `language` (home is the default page)."""
    with _lock:
        made = _made.get(language)
    if made is None:
        made = {
            spec.name: st.Page(
                spec.path,
                title=translate(language, f"nav_{spec.name}"),
                icon=spec.icon,
                url_path=spec.url_path,
                default=spec.name == "home",
            )
            for spec in PAGES
        }
        with _lock:
            _made.setdefault(language, made)
    return {name: copy.copy(page) for name, page in made.items()}
