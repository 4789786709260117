"""The two services the worker needs, as interfaces; implementations live beside this file and
engine/registry.py is the one place that wires them (InvokeAI-style)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from PIL import Image


class EngineUnavailable(RuntimeError):
    """A model could not be loaded; the message says which, why and how to fix it."""


class Generator(Protocol):
    name: str

    def generate(self, prompts: Sequence[str], *, seed: int, size: int) -> list[Image.Image]:
        """One image per prompt; every image starts from the same seed (fairness)."""
        ...


class Scorer(Protocol):
    name: str

    def embed(self, images: Sequence[Image.Image]) -> list[Any]:
        """Features of each image, to be compared with `similarity`."""
        ...

    def similarity(self, target: Any, candidates: Sequence[Any]) -> list[float]:
        """Scores on 0-100 of each candidate against the target's features."""
        ...
