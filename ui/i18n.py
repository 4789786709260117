"""Every string the UI shows, from one catalog per language: ui/locales/<code>.json.

`t(key, **params)` picks the current language. A value is either a template
(`"Round {number}"`) or, where a number changes the words, one template per CLDR plural
category (`{"one": "… {count} word", "other": "… {count} words"}`), chosen by the `count`
parameter with Babel's plural rules for the language. Error keys raised by game/
(GameError.key) and hint keys from engine/hints.py are translated here too.

Adding a language is adding a file (README, "Translations"). A missing key or parameter
falls back to English and is logged; with PROMPTMATCH_STRICT_TRANSLATIONS=1 (the test suite)
it raises instead, so that no child ever sees a raw `{count}` unnoticed.
"""

from __future__ import annotations

import json
import logging
import os
import string
from functools import cache
from pathlib import Path

import streamlit as st
from babel import Locale

from ui.markup import md

log = logging.getLogger(__name__)

LOCALES = Path(__file__).with_name("locales")
DEFAULT_LANGUAGE = "en"

Template = str | dict[str, str]


class TranslationError(KeyError):
    """A key no catalog has, or a template given too few parameters (strict mode only)."""


@cache
def catalogs() -> dict[str, dict[str, Template]]:
    """Language code → its strings, English first."""
    found = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(LOCALES.glob("*.json"))}
    return {DEFAULT_LANGUAGE: found.pop(DEFAULT_LANGUAGE), **found}


def languages() -> dict[str, str]:
    """Language code → its own name, for the language picker."""
    return {code: str(strings["language_name"]) for code, strings in catalogs().items()}


def strict() -> bool:
    return os.environ.get("PROMPTMATCH_STRICT_TRANSLATIONS") == "1"


def current_language() -> str:
    language = st.session_state.get("language")
    return language if language in catalogs() else DEFAULT_LANGUAGE


def t(key: str, **params: object) -> str:
    """A message for a page, which Streamlit reads as Markdown. Every text parameter is
    escaped (ui.markup.md) here, the one place messages are formatted, so a class named
    `![x](http://elsewhere/px.png)` is shown as written and loads nothing, on every page; only
    the catalog's own text is markup. A parameter that is Markdown on purpose is passed as
    `ui.markup.Safe`. Plain-text places (alt texts, HTML built with html_text) use `t_plain`."""
    escaped = {name: md(value) if isinstance(value, str) else value for name, value in params.items()}
    return translate(current_language(), key, **escaped)


def t_plain(key: str, **params: object) -> str:
    """`t` without Markdown escaping, for text that is never read as Markdown."""
    return translate(current_language(), key, **params)


def translate(language: str, key: str, **params: object) -> str:
    """`t` for a given language, where there is no page session (the download routes)."""
    strings = catalogs().get(language, catalogs()[DEFAULT_LANGUAGE])
    template = strings.get(key)
    if template is None:
        template = catalogs()[DEFAULT_LANGUAGE].get(key)
        language = DEFAULT_LANGUAGE
        if template is None:
            return _fault(f"no string has the key {key!r}", key)
    if isinstance(template, dict):
        template = template[plural_category(language, params.get("count"))]
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError) as error:
        # Outside the tests: the sentence without the missing value, never a raw "{count}".
        return _fault(f"{key!r} in {language} needs {error}", template.format_map(_Blank(params)))


def plural_category(language: str, count: object) -> str:
    if not isinstance(count, int | float):
        if strict():
            raise TranslationError(f"a plural string needs a number `count`, not {count!r}")
        return "other"
    return Locale.parse(language).plural_form(count)


def placeholders(template: Template) -> set[str]:
    """The parameter names a template (all its plural forms) uses."""
    forms = template.values() if isinstance(template, dict) else [template]
    return {name for form in forms for _, name, _, _ in string.Formatter().parse(form) if name}


class _Blank(dict[str, object]):
    def __missing__(self, name: str) -> str:
        return ""


def _fault(problem: str, fallback: str) -> str:
    if strict():
        raise TranslationError(problem)
    log.warning("translation: %s", problem)
    return fallback
