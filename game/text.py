"""Cleaning what people type, before any rule looks at it."""

from __future__ import annotations

import unicodedata

from game.confusables import remove_invisible, skeleton


def clean_text(raw: str) -> str:
    """NFC-normalise, drop what does not show (controls, format characters, Hangul fillers,
    blank Braille: game/confusables.py), fold runs of white space."""
    text = remove_invisible(unicodedata.normalize("NFC", raw), keep="\n\t")
    return " ".join(text.split())


def fold_key(text: str) -> str:
    """Compare names the way people read them: case- and width-insensitive, and lookalike
    letters from other scripts read as the letters they imitate (Cyrillic М as Latin M)."""
    return unicodedata.normalize("NFC", skeleton(unicodedata.normalize("NFKC", text)).casefold())


def has_hangul(text: str) -> bool:
    """Korean syllables or jamo: the real text encoder reads English only."""
    return any("\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f" for ch in text)
