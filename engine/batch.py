"""One batch of prompts in, pictures, scores and output-check flags out: the hot path shared by
the worker and `python -m bench.engine`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import torch
from PIL import Image

from engine.registry import LoadedEngine

log = logging.getLogger(__name__)


def generate_splitting(loaded: LoadedEngine, prompts: Sequence[str], seed: int, size: int) -> list[Image.Image]:
    """Generate a batch; when the GPU runs out of memory, halve the batch and try again."""
    try:
        return loaded.generator.generate(prompts, seed=seed, size=size)
    except torch.OutOfMemoryError:
        if len(prompts) == 1:
            raise
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        half = len(prompts) // 2
        log.warning("out of memory on a batch of %d; splitting", len(prompts))
        return generate_splitting(loaded, prompts[:half], seed, size) + generate_splitting(
            loaded, prompts[half:], seed, size
        )


def generate_and_score(
    loaded: LoadedEngine, target: Any, prompts: Sequence[str], seed: int, size: int
) -> tuple[list[Image.Image], list[float], list[bool]]:
    """The hot path, shared by the worker and `python -m bench.engine`: one pipeline call for
    the batch, one batched scorer call against the target's cached features, and the output
    check (engine/safety.py) on the same features. Returns images, scores, and flags."""
    images = generate_splitting(loaded, prompts, seed, size)
    features = loaded.scorer.embed(images)
    scores = loaded.scorer.similarity(target, features)
    flags = loaded.image_check.flagged(images, features if loaded.scorer.name == "clip" else None)
    return images, scores, flags


def score_prompts(loaded: LoadedEngine, target: Any, prompts: Sequence[str], seed: int, size: int) -> list[float]:
    """Raw similarity of each prompt's picture to the target, for measuring a round (its floor,
    a seed for an uploaded photo) and the AI's private tries: nothing is stored or shown, so
    the output check is not needed."""
    images = generate_splitting(loaded, prompts, seed, size)
    return loaded.scorer.similarity(target, loaded.scorer.embed(images))
