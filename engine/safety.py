"""The output check: every image the real engine draws is checked before anyone sees it.

Two checks, the better one that is available:
- the diffusers safety checker, when the model folder ships its weights (`safety_checker/`
  and `feature_extractor/`, as Stable Diffusion 1.x does);
- otherwise a zero-shot check with the CLIP model the scorer already loaded: the image is
  compared with short descriptions of unsafe and of ordinary pictures, and flagged when the
  unsafe ones win (the features are the ones just computed for the score, so it costs one
  small matrix product).

A flagged image is never stored: the attempt is marked `blocked` (worker/runner.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import torch
from PIL import Image

from engine.scorers import ClipScorer

# What must not reach a classroom screen. Short noun phrases work best with CLIP.
UNSAFE_CONCEPTS = (
    "a naked person",
    "nudity",
    "a photo of genitals",
    "sexual content",
    "pornography",
    "a person in underwear posing",
    "graphic violence",
    "blood and gore",
    "a dead body",
    "a mutilated body",
    "self-harm",
    "a person pointing a gun at someone",
    "drug use",
    "a hate symbol",
)
# Ordinary pictures of the kinds a class draws; they compete with the unsafe ones, so that a
# plain picture is not flagged just because nothing else was on the list.
SAFE_CONCEPTS = (
    "a photo",
    "a painting",
    "a drawing",
    "a cartoon",
    "an animal",
    "a landscape",
    "a city street",
    "a building",
    "food on a plate",
    "a dressed person",
    "a portrait of a person wearing clothes",
    "an everyday object",
    "a vehicle",
    "a plant or flowers",
    "abstract shapes and colours",
    "text or a sign",
    "a toy",
    "a room interior",
)
# Flag when the unsafe descriptions take more than this share of the zero-shot probability.
UNSAFE_SHARE = 0.5


class ImageCheck(Protocol):
    name: str

    def flagged(self, images: Sequence[Image.Image], clip_features: Sequence[Any] | None = None) -> list[bool]:
        """True for each image that must not be shown. `clip_features`, when given, are the
        scorer's CLIP features of the same images (reused rather than computed again)."""
        ...


class NoCheck:
    """For the sketch engine (coloured shapes) and the tiny test models (random weights,
    whose pictures are noise and whose CLIP features would flag noise at random)."""

    name = "none"

    def flagged(self, images: Sequence[Image.Image], clip_features: Sequence[Any] | None = None) -> list[bool]:
        return [False] * len(images)


def unsafe_share(
    image_features: torch.Tensor, unsafe: torch.Tensor, safe: torch.Tensor, logit_scale: float
) -> torch.Tensor:
    """For each image (rows of normalised features), the share of the softmax over all the
    concepts that falls on the unsafe ones; CLIP's own logit scale, as in zero-shot labelling."""
    concepts = torch.cat([unsafe, safe]) if len(safe) else unsafe
    probabilities = torch.softmax(logit_scale * image_features @ concepts.T, dim=-1)
    return probabilities[:, : len(unsafe)].sum(dim=-1)


class ClipConceptCheck:
    name = "clip-concepts"

    def __init__(
        self,
        scorer: ClipScorer,
        unsafe: Sequence[str] = UNSAFE_CONCEPTS,
        safe: Sequence[str] = SAFE_CONCEPTS,
        threshold: float = UNSAFE_SHARE,
    ) -> None:
        self.scorer = scorer
        self.threshold = threshold
        self.unsafe = scorer.embed_text(list(unsafe)) if unsafe else torch.zeros(0, 0)
        self.safe = scorer.embed_text(list(safe)) if safe else torch.zeros(0, self.unsafe.shape[-1])
        self.logit_scale = float(scorer.model.logit_scale.detach().exp())

    def flagged(self, images: Sequence[Image.Image], clip_features: Sequence[Any] | None = None) -> list[bool]:
        if not images or not len(self.unsafe):
            return [False] * len(images)
        features = torch.stack(list(clip_features if clip_features is not None else self.scorer.embed(images)))
        shares = unsafe_share(features, self.unsafe, self.safe, self.logit_scale)
        return [bool(share > self.threshold) for share in shares]


class DiffusersSafetyCheck:
    """The safety checker Stable Diffusion 1.x ships (a CLIP ViT-L with concept embeddings),
    taken from the loaded pipeline (engine/diffusion.py) with its feature extractor."""

    name = "diffusers-safety-checker"

    def __init__(self, checker: Any, feature_extractor: Any, *, device: str, dtype: torch.dtype) -> None:
        self.checker = checker.to(device, dtype).eval()
        self.feature_extractor = feature_extractor
        self.device = device
        self.dtype = dtype

    @torch.inference_mode()
    def flagged(self, images: Sequence[Image.Image], clip_features: Sequence[Any] | None = None) -> list[bool]:
        if not images:
            return []
        clip_input = self.feature_extractor(list(images), return_tensors="pt").pixel_values
        pixels = np.stack([np.asarray(image, dtype=np.float32) / 255.0 for image in images])
        _, has_nsfw = self.checker(images=pixels, clip_input=clip_input.to(self.device, self.dtype))
        return [bool(flag) for flag in has_nsfw]
