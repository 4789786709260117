"""The match score a student sees: the round's raw similarity put on 0-100 between what an
unrelated prompt gets (the floor) and what the secret prompt gets (the ceiling).

Raw similarity (CLIP image cosine x 100, or the offline engine's measures) crowds a class into
a narrow band that differs from target to target: unrelated pictures already score 40-60 with
real CLIP. So when a round's target is ready, the worker draws FLOOR_PROMPTS with the round's
seed and keeps their mean raw score as the floor, and the secret prompt's own score (for an
uploaded photo, the best the AI's prompt reached over UPLOAD_SEED_TRIES seeds) as the ceiling.
Every attempt of the round then goes through the same increasing transform, so the round's
order never changes and every player faces the same rule; the raw similarity is kept beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Prompts that have nothing to do with any target a teacher would pick: what "not even trying"
# scores in this round. Drawn once per round, with the round's seed; English, as the models read
# it. None of them names a colour, shape or scene word, so the offline engine draws each as its
# blank canvas, and a blank picture scores 0 there (bench/RESULTS.md, "Match scores").
FLOOR_PROMPTS = (
    "a photo",
    "a cat sitting on a sofa",
    "a busy city street at night",
    "a bowl of soup with a spoon",
    "an old man reading a newspaper",
    "a pile of dry leaves",
    "a close-up of a wristwatch",
    "a crowd at a football stadium",
)
# An uploaded photo was not drawn by the model: the worker tries this many seeds with the AI's
# prompt and keeps the one whose picture comes closest.
UPLOAD_SEED_TRIES = 8
# A target the unrelated prompts already draw well (a plain grey picture) leaves almost no room
# between floor and ceiling; at least this many raw points keep the scale from exploding.
MIN_SPAN = 5.0

# (lowest score of the band, its name): the words under every score.
VERY_CLOSE = 70.0
BANDS = ((90.0, "match"), (VERY_CLOSE, "very_close"), (40.0, "close"), (0.0, "far"))


@dataclass(frozen=True)
class Calibration:
    """A round's floor and ceiling, in raw similarity; None on rounds played before
    calibration existed (their score is the raw similarity)."""

    floor: float | None
    ceiling: float | None

    def score(self, raw: float) -> float:
        return match_score(raw, self.floor, self.ceiling)


def match_score(raw: float, floor: float | None, ceiling: float | None) -> float:
    """100 x (raw - floor) / (ceiling - floor), clamped to 0-100, to two decimals."""
    if floor is None or ceiling is None:
        return round(raw, 2)
    span = max(ceiling - floor, MIN_SPAN)
    bottom = min(floor, ceiling - MIN_SPAN)
    return round(min(100.0, max(0.0, 100.0 * (raw - bottom) / span)), 2)


def band(score: float) -> str:
    """far | close | very_close | match: what the number means, in words a student reads."""
    return next(name for lowest, name in BANDS if score >= lowest)
