"""The AI opponent's phrase bank: it ranks each group by CLIP similarity to the target image
and composes the best of each. The same subjects give students their "subject" hints."""

from __future__ import annotations

from typing import Any

SUBJECTS = (
    "a cat",
    "a dog",
    "a horse",
    "a bird",
    "a fish",
    "a butterfly",
    "a person",
    "a group of people",
    "a child playing",
    "a robot",
    "a house",
    "a castle",
    "a lighthouse",
    "a bridge",
    "a city skyline",
    "a street",
    "a mountain",
    "a forest",
    "a lake",
    "a beach",
    "the ocean",
    "a desert",
    "a waterfall",
    "a tree",
    "flowers",
    "a garden",
    "a bowl of fruit",
    "a cake",
    "a cup of coffee",
    "a car",
    "a bicycle",
    "a boat",
    "a train",
    "an airplane",
    "a spaceship",
    "a planet",
    "the moon",
    "the sun",
    "stars in the night sky",
    "a dragon",
    "a teddy bear",
    "a book",
    "a clock",
    "geometric shapes",
)

STYLES = (
    "a photograph",
    "an oil painting",
    "a watercolor painting",
    "a pencil sketch",
    "a cartoon",
    "pixel art",
    "a 3D render",
    "an anime illustration",
    "a minimalist poster",
    "a children's book illustration",
)

COLOURS = (
    "in warm red and orange tones",
    "in cool blue tones",
    "in green tones",
    "in pastel colours",
    "in black and white",
    "in bright vivid colours",
    "in dark moody colours",
    "in golden yellow light",
    "in purple and pink tones",
)

COMPOSITIONS = (
    "close-up",
    "wide landscape view",
    "centered on a plain background",
    "seen from above",
    "at sunset",
    "at night",
    "in the snow",
    "under a clear sky",
    "indoors",
)


def rank_phrases(scorer: Any, target_features: Any, candidates: tuple[str, ...]) -> list[str]:
    """The candidates, most similar to the target image first (`scorer`: a ClipScorer;
    the bank stays free of torch so that pages can read it)."""
    similarities = scorer.embed_text(list(candidates)) @ target_features
    order = similarities.argsort(descending=True).tolist()
    return [candidates[i] for i in order]
