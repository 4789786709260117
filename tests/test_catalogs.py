"""The translation catalogs (ui/locales/*.json): complete in every language, strict in tests,
plurals that read right."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from babel import Locale

from ui import i18n
from ui.i18n import TranslationError, catalogs, placeholders, translate

ENGLISH = catalogs()["en"]


@pytest.mark.parametrize("language", [code for code in catalogs() if code != "en"])
def test_every_language_has_every_key_with_the_same_parameters(language: str) -> None:
    strings = catalogs()[language]
    assert sorted(set(ENGLISH) - set(strings)) == [], "keys missing"
    assert sorted(set(strings) - set(ENGLISH)) == [], "keys English does not have"
    differing = {key for key in ENGLISH if placeholders(strings[key]) != placeholders(ENGLISH[key])}
    assert differing == set()


@pytest.mark.parametrize("language", list(catalogs()))
def test_plural_strings_have_every_form_the_language_needs(language: str) -> None:
    needed = Locale.parse(language).plural_form.tags | {"other"}
    for key, template in catalogs()[language].items():
        if isinstance(template, dict):
            assert set(template) == needed, key
            assert "count" in placeholders(ENGLISH[key]), f"{key}: the form is chosen by `count`"


def test_counts_read_right_in_english_and_korean() -> None:
    assert translate("en", "blocked_words_saved", count=1) == "Saved 1 extra blocked word."
    assert translate("en", "blocked_words_saved", count=3) == "Saved 3 extra blocked words."
    assert translate("en", "board_played", count=1, joined=30) == "1 of 30 players has played"
    assert translate("en", "no_attempts_left", count=1) == "You have used your only attempt in this round."
    assert translate("ko", "blocked_words_saved", count=1) == "추가 금지어 1개를 저장했습니다."


def test_in_the_tests_an_unknown_key_or_a_missing_parameter_fails() -> None:
    with pytest.raises(TranslationError):
        translate("en", "no_such_key")
    with pytest.raises(TranslationError):
        translate("en", "round_header")  # needs {number}
    with pytest.raises(TranslationError):
        translate("en", "blocked_words_saved")  # a plural needs its count


def test_outside_the_tests_a_missing_parameter_never_shows_braces(monkeypatch) -> None:
    monkeypatch.delenv("PROMPTMATCH_STRICT_TRANSLATIONS")
    assert translate("en", "round_header") == "Round "
    assert translate("fr", "round_header", number=2) == "Round 2"  # an unknown language: English
    assert translate("ko", "no_such_key") == "no_such_key"


def test_a_third_language_is_one_new_file(tmp_path: Path, monkeypatch) -> None:
    for path in i18n.LOCALES.glob("*.json"):
        shutil.copy(path, tmp_path)
    french = dict(ENGLISH, language_name="Français", round_header="Manche {number}")
    (tmp_path / "fr.json").write_text(json.dumps(french), encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.catalogs.cache_clear()
    try:
        assert i18n.languages()["fr"] == "Français"
        assert translate("fr", "round_header", number=3) == "Manche 3"
    finally:
        i18n.catalogs.cache_clear()
