"""Text is text in every message: a class, a lesson title or a teacher's name that looks like
Markdown is shown as written and loads nothing (issue 34, finding 6).

Every catalog key that takes a parameter is formatted by `ui.i18n.t`, the one function pages
format messages with, with hostile text in each parameter, and the result is rendered as
Markdown (markdown-it, CommonMark): no picture, no link, no HTML, and the text reads as
written."""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from ui.i18n import catalogs, placeholders, t, translate
from ui.markup import WORD_JOINER, Safe

HOSTILE = "![t](http://elsewhere.example/px.png) [go](http://elsewhere.example) <img src=x> **bold** _it_ www.x.example"
RENDER = MarkdownIt("commonmark")


def rendered(markdown: str) -> str:
    return RENDER.render(markdown)


def visible_text(page_html: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page_html)).replace(WORD_JOINER, "")


def keys_with_text_parameters(language: str) -> list[tuple[str, set[str]]]:
    return [(key, names) for key, template in catalogs()[language].items() if (names := placeholders(template))]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_message_with_a_parameter_shows_hostile_text_as_written_and_requests_nothing(
    language: str, monkeypatch
) -> None:
    monkeypatch.setattr("ui.i18n.current_language", lambda: language)
    checked = 0
    for key, names in keys_with_text_parameters(language):
        params: dict[str, object] = {name: HOSTILE for name in names}
        params["count"] = 2  # plural strings choose their form by a number
        page = rendered(t(key, **params))
        assert "<img" not in page and "<a " not in page, f"{key}: {page}"
        harmless = rendered(translate(language, key, **({name: "x" for name in names} | {"count": 2})))
        for tag in ("<em>", "<strong>"):  # only the catalog's own emphasis
            assert page.count(tag) == harmless.count(tag), f"{key}: {page}"
        if "count" not in names or len(names) > 1:
            assert HOSTILE in visible_text(page), f"{key}: {visible_text(page)!r}"
        checked += 1
    assert checked > 100  # every message with a parameter, not a sample


def test_text_meant_as_markdown_passes_as_it_is(monkeypatch) -> None:
    monkeypatch.setattr("ui.i18n.current_language", lambda: "en")
    link = "http://192.168.1.20:8501/play?code=ABCDEF"
    page = rendered(t("board_join_strip", code="ABCDEF", link=Safe(f"[{link}]({link})")))
    assert f'href="{link}"' in page


def test_an_escaped_parameter_is_not_escaped_twice(monkeypatch) -> None:
    from ui.markup import md

    monkeypatch.setattr("ui.i18n.current_language", lambda: "en")
    assert visible_text(rendered(t("signed_in_as", name=md("Ms. Kim_1")))) == visible_text(
        rendered(t("signed_in_as", name="Ms. Kim_1"))
    )
    assert "Ms. Kim_1" in visible_text(rendered(t("signed_in_as", name="Ms. Kim_1")))
