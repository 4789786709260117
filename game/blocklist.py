"""The prompt and nickname filter: a blocklist that survives case, accents, spacing,
letter-for-digit swaps, lookalike letters from other scripts, invisible characters and Korean
typed as separate jamo, in English and Korean (README, "Safety and privacy", has the table of
evasions tried).

Before matching, text is folded (game/confusables.py): invisible characters go, jamo are
composed into syllables (ㅈㅏㅅㅏㄹ → 자살), letters of other scripts read as the Latin
letters they look like or stand for (Cyrillic е, Greek ν, small capitals ɴᴜᴅᴇ), and symbol
spellings become letters (n|_|de, nud3). Latin terms match whole words (with a plural -s), so
"class" does not match "ass"; words spelled out letter by letter ("n u d e") are joined.
Korean terms match inside words, because particles attach to them ("자살을"), and among the
Hangul only, so a Latin letter or a symbol slipped in between (자a살) does not hide them.
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
from game.confusables import HANGUL, compose_jamo, remove_invisible, to_latin
from game.errors import InvalidInput

DEFAULT_BLOCKLIST = Path(__file__).resolve().parent / "blocklist_default.txt"
# Digits and symbols that stand in for letters.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i"}
)
# Spellings with symbols for one letter, longest first: "n|_|de", "|\|ude".
_SYMBOL_LETTERS = (("|_|", "u"), ("|\\|", "n"), ("/\\", "a"), ("\\/", "v"), ("|)", "d"), ("()", "o"), ("[]", "o"))
_SEPARATORS = re.compile(r"[^\w]+|_+")
# Runs of single characters separated by spaces or punctuation: "n u d e", "n.u.d.e".
_SPELLED_OUT = re.compile(r"\b(?:\w[\W_]+){2,}\w\b")


def _fold(text: str) -> str:
    """Lower case Latin letters for everything but Hangul; no accents or invisible
    characters; jamo composed; digits and symbols read as the letters they mimic."""
    # Jamo first: NFKC would turn compatibility jamo (ㅈ) into conjoining ones.
    text = unicodedata.normalize("NFKC", compose_jamo(remove_invisible(text)))
    for symbols, letter in _SYMBOL_LETTERS:
        text = text.replace(symbols, letter)
    return to_latin(text).casefold().translate(_LEET)


def _hangul_only(text: str) -> str:
    return "".join(HANGUL.findall(text))


def _korean_words(text: str) -> list[str]:
    """The Hangul of each word (other characters inside a word ignored: 자a살 → 자살), with
    runs of one-syllable words joined ("자 살" → 자살) as spelled-out Latin words are, but
    real words kept apart ("사자 살아" is not 자살)."""
    words: list[str] = []
    run = ""
    for part in filter(None, (_hangul_only(word) for word in text.split())):
        if len(part) == 1:
            run += part
            continue
        words += [w for w in (run, part) if w]
        run = ""
    return [*words, run] if run else words


def normalize(text: str) -> str:
    """Folded, with words spelled out letter by letter joined, single spaces between words."""
    return _normalize_folded(_fold(text))


def _normalize_folded(folded: str) -> str:
    joined = _SPELLED_OUT.sub(lambda m: re.sub(r"[\W_]+", "", m.group(0)), folded)
    return _SEPARATORS.sub(" ", joined).strip()


def _spelled_out_runs(folded: str) -> list[str]:
    """'a n u d e statue' -> ['anude']: the joined letters of each spelled-out run."""
    return [re.sub(r"[\W_]+", "", m.group(0)) for m in _SPELLED_OUT.finditer(folded)]


def _is_latin(term: str) -> bool:
    return all(c.isascii() for c in term)


@dataclass(frozen=True)
class Blocklist:
    terms: tuple[str, ...]

    def __post_init__(self) -> None:
        latin = [re.escape(t) for t in self.terms if _is_latin(t)]
        pattern = rf"(?<!\w)(?:{'|'.join(latin)})(?:e?s)?(?!\w)" if latin else r"(?!x)x"
        object.__setattr__(self, "_latin", re.compile(pattern))
        korean = (_hangul_only(t) for t in self.terms if not _is_latin(t))
        object.__setattr__(self, "_other", tuple(t for t in korean if t))

    def first_match(self, text: str) -> str | None:
        """The blocked term found in `text`, or None."""
        folded = _fold(text)  # once: the fold is the costly part, per character
        normalized = _normalize_folded(folded)
        found = self._latin.search(normalized)  # type: ignore[attr-defined]
        if found:
            return found.group(0)
        # Inside a run of single letters word boundaries are lost ("a n u d e" -> "anude").
        for run in _spelled_out_runs(folded):
            hit = next((t for t in self.terms if _is_latin(t) and " " not in t and len(t) > 3 and t in run), None)
            if hit:
                return hit
        words = _korean_words(normalized)
        return next((term for term in self._other if any(term in word for word in words)), None)  # type: ignore[attr-defined]

    def with_terms(self, extra: Iterable[str]) -> Blocklist:
        return compiled_blocklist(tuple(dict.fromkeys([*self.terms, *parse_terms(extra)])))


@lru_cache(maxsize=256)
def compiled_blocklist(terms: tuple[str, ...]) -> Blocklist:
    """One compiled pattern per list of terms: compiling the server's list took a tenth of a
    submit's CPU (py-spy, bench.classroom), and every submit of a game checks the same list."""
    return Blocklist(terms)


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
    """The defaults, plus a school's own file (PROMPTMATCH_BLOCKLIST_FILE) when given. Read
    again when the school's file changes (its modification time), so an edit needs no restart."""
    changed = Path(extra_file).stat().st_mtime_ns if extra_file else None
    return _read_blocklist(extra_file, changed)


@lru_cache(maxsize=8)
def _read_blocklist(extra_file: str | None, _changed: int | None) -> Blocklist:
    lines = DEFAULT_BLOCKLIST.read_text(encoding="utf-8").splitlines()
    if extra_file:
        lines += Path(extra_file).read_text(encoding="utf-8").splitlines()
    return compiled_blocklist(tuple(dict.fromkeys(parse_terms(lines))))


def server_blocklist() -> Blocklist:
    """Defaults + the school's file: what no game of this server lets through."""
    return load_blocklist(load_settings().blocklist_file)


def game_blocklist(game: Game) -> Blocklist:
    """Defaults + the school's file + this game's own words."""
    return server_blocklist().with_terms(game.blocked_words.splitlines())


def check_nickname(game: Game, nickname: str) -> None:
    if game_blocklist(game).first_match(nickname):
        raise InvalidInput("nickname_blocked")
