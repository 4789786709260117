"""The prompt and nickname filter: a blocklist that survives case, accents, spacing and
letter-for-digit swaps, in English and Korean.

Latin terms match whole words (with a plural -s), so "class" does not match "ass"; words
spelled out letter by letter ("n u d e", "n.u.d.e") are joined before matching. Korean terms
match inside words, because particles attach to them ("자살을").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from config import load_settings
from db.models import Game
from game.errors import InvalidInput

DEFAULT_BLOCKLIST = Path(__file__).resolve().parent / "blocklist_default.txt"
# Digits and symbols that stand in for letters.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i"}
)
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
_SEPARATORS = re.compile(r"[^\w]+|_+")
# Runs of single characters separated by spaces or punctuation: "n u d e", "n.u.d.e".
_SPELLED_OUT = re.compile(r"\b(?:\w[\W_]+){2,}\w\b")


def _fold(text: str) -> str:
    """Lower case, no accents or invisible characters, digits read as the letters they mimic."""
    text = _INVISIBLE.sub("", text)
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    # NFC puts Hangul jamo back together into syllables.
    return unicodedata.normalize("NFC", without_marks).casefold().translate(_LEET)


def normalize(text: str) -> str:
    """Folded, with words spelled out letter by letter joined, single spaces between words."""
    text = _SPELLED_OUT.sub(lambda m: re.sub(r"[\W_]+", "", m.group(0)), _fold(text))
    return _SEPARATORS.sub(" ", text).strip()


def _spelled_out_runs(text: str) -> list[str]:
    """'a n u d e statue' -> ['anude']: the joined letters of each spelled-out run."""
    return [re.sub(r"[\W_]+", "", m.group(0)) for m in _SPELLED_OUT.finditer(_fold(text))]


def _is_latin(term: str) -> bool:
    return all(c.isascii() for c in term)


@dataclass(frozen=True)
class Blocklist:
    terms: tuple[str, ...]

    def __post_init__(self) -> None:
        latin = [re.escape(t) for t in self.terms if _is_latin(t)]
        pattern = rf"(?<!\w)(?:{'|'.join(latin)})(?:e?s)?(?!\w)" if latin else r"(?!x)x"
        object.__setattr__(self, "_latin", re.compile(pattern))
        object.__setattr__(self, "_other", tuple(t.replace(" ", "") for t in self.terms if not _is_latin(t)))

    def first_match(self, text: str) -> str | None:
        """The blocked term found in `text`, or None."""
        normalized = normalize(text)
        found = self._latin.search(normalized)  # type: ignore[attr-defined]
        if found:
            return found.group(0)
        # Inside a run of single letters word boundaries are lost ("a n u d e" -> "anude").
        for run in _spelled_out_runs(text):
            hit = next((t for t in self.terms if _is_latin(t) and " " not in t and len(t) > 3 and t in run), None)
            if hit:
                return hit
        joined = normalized.replace(" ", "")
        return next((term for term in self._other if term in joined), None)  # type: ignore[attr-defined]

    def with_terms(self, extra: Iterable[str]) -> Blocklist:
        return Blocklist(tuple(dict.fromkeys([*self.terms, *parse_terms(extra)])))


def parse_terms(lines: Iterable[str]) -> list[str]:
    terms = []
    for line in lines:
        line = line.split("#", 1)[0]
        for part in line.split(","):
            term = normalize(part)
            if term:
                terms.append(term)
    return terms


@lru_cache(maxsize=8)
def load_blocklist(extra_file: str | None = None) -> Blocklist:
    """The defaults, plus a school's own file (PROMPTMATCH_BLOCKLIST_FILE) when given."""
    lines = DEFAULT_BLOCKLIST.read_text(encoding="utf-8").splitlines()
    if extra_file:
        lines += Path(extra_file).read_text(encoding="utf-8").splitlines()
    return Blocklist(tuple(dict.fromkeys(parse_terms(lines))))


def game_blocklist(game: Game) -> Blocklist:
    """Defaults + the school's file + this game's own words."""
    return load_blocklist(load_settings().blocklist_file).with_terms(game.blocked_words.splitlines())


def check_nickname(game: Game, nickname: str) -> None:
    if game_blocklist(game).first_match(nickname):
        raise InvalidInput("nickname_blocked")
