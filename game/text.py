"""Cleaning what people type, before any rule looks at it."""

from __future__ import annotations

import unicodedata

# Zero-width and direction-control characters: invisible, so two prompts or nicknames that
# look the same must not differ by them.
_INVISIBLE = {
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
}


def clean_text(raw: str) -> str:
    """NFC-normalise, drop control and invisible characters, fold runs of white space."""
    text = unicodedata.normalize("NFC", raw)
    kept = []
    for ch in text:
        if ch in _INVISIBLE:
            continue
        if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n\t":
            continue
        kept.append(ch)
    return " ".join("".join(kept).split())


def fold_key(text: str) -> str:
    """Compare names the way people read them: case- and width-insensitive."""
    return unicodedata.normalize("NFKC", text).casefold()


def has_hangul(text: str) -> bool:
    """Korean syllables or jamo: the real text encoder reads English only."""
    return any("\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f" for ch in text)
