"""Text that pretends to be other text: invisible characters, lookalike letters, jamo.

- `INVISIBLE`: Unicode's Default_Ignorable_Code_Point set (zero-width and direction marks,
  Hangul fillers, the combining grapheme joiner, variation selectors, tags) plus the blank
  Braille pattern, controls and format characters: none of them shows on a page.
- `skeleton`: the confusable skeleton of Unicode TR39 (NFD, each character replaced by its
  prototype from Unicode's confusables.txt, NFD again), with the data from the
  confusable_homoglyphs package. Two nicknames with the same skeleton look the same.
  One departure from TR39: ASCII letters and digits are their own prototypes (TR39 maps
  capital I to small l), so that a name typed in capitals still matches it in lower case.
- `to_latin`: lookalikes and transliterations folded to plain Latin letters (anyascii), for
  the word filter: Greek ν, Cyrillic е and small capitals ɴᴜᴅᴇ all read as "nude".
- `compose_jamo`: Korean typed as separate jamo (ㅈㅏㅅㅏㄹ) composed into syllables (자살)
  with Unicode's Hangul composition arithmetic.
"""

from __future__ import annotations

import unicodedata
from functools import cache

import regex
from anyascii import anyascii
from confusable_homoglyphs.confusables import confusables_data

INVISIBLE = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\u2800]")
HANGUL = regex.compile(r"[\p{Script=Hangul}]")
_PROTOTYPE_HOPS = 3  # confusables.txt chains are short: ᴅ → ꭰ → Ꭰ → D


def remove_invisible(text: str, keep: str = "") -> str:
    return INVISIBLE.sub(lambda m: m.group(0) if m.group(0) in keep else "", text)


@cache
def prototype(character: str) -> str:
    """What `character` is read as: itself for ASCII, else its confusables.txt prototype."""
    for _ in range(_PROTOTYPE_HOPS):
        if character.isascii():
            return character
        small_capital = unicodedata.name(character, "").removeprefix("LATIN LETTER SMALL CAPITAL ")
        if len(small_capital) == 1:  # ᴀ ɪ ɴ: confusables.txt leaves some of them out
            return small_capital.lower()
        lookalikes = [entry["c"] for entry in confusables_data.get(character, ())]
        if not lookalikes:
            return character
        plain = [c for c in lookalikes if c.isascii() and c.strip()]
        character = plain[0] if plain else lookalikes[0]
        if len(character) != 1:
            return character
    return character


def skeleton(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", remove_invisible(text))
    return unicodedata.normalize("NFD", "".join(prototype(c) for c in decomposed))


def has_visible_letter(text: str) -> bool:
    """At least one letter or digit that shows (fillers and blanks are not letters here)."""
    return any(unicodedata.category(c)[0] in "LN" for c in remove_invisible(text))


def to_latin(text: str) -> str:
    """Every letter and digit of another script folded to the Latin letters it looks like or
    stands for; Hangul is kept for the Korean terms, symbols and emoji as they are."""
    return "".join(anyascii(c) if unicodedata.category(c)[0] in "LNM" and not HANGUL.match(c) else c for c in text)


# Unicode's Hangul composition: compatibility jamo (ㄱ, ㅏ) in the order of the conjoining ones.
_LEADS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_TAILS = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"  # index 0: no tail


def compose_jamo(text: str) -> str:
    """ㅈㅏㅅㅏㄹ → 자살: a lead consonant and a vowel (and a tail not followed by a vowel)
    become one syllable; anything else is kept as it is."""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    i = 0
    while i < len(text):
        lead = _LEADS.find(text[i])
        vowel = _VOWELS.find(text[i + 1]) if i + 1 < len(text) else -1
        if lead < 0 or vowel < 0:
            out.append(text[i])
            i += 1
            continue
        tail, used = 0, 2
        if i + 2 < len(text):
            candidate = _TAILS.find(text[i + 2])
            next_is_vowel = i + 3 < len(text) and _VOWELS.find(text[i + 3]) >= 0
            if candidate > 0 and not next_is_vowel:
                tail, used = candidate, 3
        out.append(chr(0xAC00 + (lead * 21 + vowel) * 28 + tail))
        i += used
    return "".join(out)
