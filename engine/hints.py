"""One hint per attempt, from comparing the attempt with the round's target.

In order: a big colour of the target missing from the picture; a shape of the target the
prompt does not name (sketch engine); the subject the target matches best that the prompt
lacks (CLIP); or, for a very short prompt, "say more". The page translates the hint's key.
Whether students see hints at all is the host's switch (game/hints.py).
"""

from __future__ import annotations

import re
from typing import Any

from PIL import Image

from engine import phrases
from engine.colours import colour_shares
from engine.phrases import rank_phrases
from engine.picture_reading import read_blobs, shape_word

BIG_COLOUR = 0.15  # a colour covering this much of the target ...
MISSING_COLOUR = 0.04  # ... and at most this much of the attempt is worth a hint
FILLER_WORDS = {"a", "an", "the", "of", "and", "with", "on", "in", "at", "to", "is", "are", "by", "its", "it"}


def content_words(prompt: str) -> set[str]:
    return {w for w in re.findall(r"[^\W\d_]+", prompt.casefold()) if w not in FILLER_WORDS}


class RoundHints:
    """What the target shows, read once per round; `clip` is a ClipScorer or None (sketch)."""

    def __init__(self, target: Image.Image, clip: Any, target_features: Any = None) -> None:
        self.clip = clip
        self.target_colours = colour_shares(target)
        self.subjects: list[str] = []
        self.target_shapes: list[str] = []
        if clip is not None:
            self.subjects = rank_phrases(clip, target_features, phrases.SUBJECTS)[:3]
        else:
            _, blobs = read_blobs(target)
            self.target_shapes = [shape_word(b) for b in blobs if not (b.width > 0.95 and b.fill > 0.9)]

    def for_attempt(self, prompt: str, image: Image.Image) -> dict[str, Any] | None:
        named = content_words(prompt)
        shares = colour_shares(image)
        for colour, share in sorted(self.target_colours.items(), key=lambda item: -item[1]):
            if share >= BIG_COLOUR and shares.get(colour, 0.0) <= MISSING_COLOUR and colour not in named:
                return {"key": "hint_colour", "params": {"colour": colour}}
        if self.clip is None:
            for shape in self.target_shapes:
                if shape not in named and f"{shape}s" not in named:
                    return {"key": "hint_shape", "params": {"shape": shape}}
        else:
            for subject in self.subjects[:1]:
                if not content_words(subject) & named:
                    return {"key": "hint_subject", "params": {"subject": subject}}
        if len(named) < 3:
            return {"key": "hint_more_words", "params": {}}
        return None
