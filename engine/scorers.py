"""Scorers: the experiment's classic pixel/histogram measures, the offline engine's colour
layout, and CLIP image similarity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image

from engine.base import EngineUnavailable
from engine.metrics import (
    colour_agreement,
    colour_histogram,
    correlation,
    cosine,
    gray_histogram,
    histogram_intersection,
    layout_pixels,
    thumbnail_vector,
    to_percent,
)


@dataclass(frozen=True)
class ClassicFeatures:
    thumbnail: np.ndarray
    histogram: np.ndarray


class ClassicScorer:
    """`pixel`, `histogram`, or `classic` (the mean of the two), as in ORIGIN.md."""

    def __init__(self, kind: str = "classic") -> None:
        if kind not in ("pixel", "histogram", "classic"):
            raise ValueError(kind)
        self.name = kind

    def embed(self, images: Sequence[Image.Image]) -> list[ClassicFeatures]:
        return [ClassicFeatures(thumbnail_vector(im), gray_histogram(im)) for im in images]

    def similarity(self, target: ClassicFeatures, candidates: Sequence[ClassicFeatures]) -> list[float]:
        scores = []
        for c in candidates:
            pixel = to_percent(cosine(target.thumbnail, c.thumbnail))
            histogram = to_percent(correlation(target.histogram, c.histogram))
            scores.append({"pixel": pixel, "histogram": histogram, "classic": (pixel + histogram) / 2}[self.name])
        return scores


@dataclass(frozen=True)
class LayoutFeatures:
    pixels: np.ndarray
    colours: np.ndarray


class LayoutScorer:
    """The offline engine's default (engine/metrics.py says why): the mean of where the right
    colours are and whether they are there at all, x 100. A blank canvas scores only for the
    part of the target that really is the canvas's colour."""

    name = "layout"

    def embed(self, images: Sequence[Image.Image]) -> list[LayoutFeatures]:
        return [LayoutFeatures(layout_pixels(im), colour_histogram(im)) for im in images]

    def similarity(self, target: LayoutFeatures, candidates: Sequence[LayoutFeatures]) -> list[float]:
        return [
            to_percent(
                (colour_agreement(target.pixels, c.pixels) + histogram_intersection(target.colours, c.colours)) / 2
            )
            for c in candidates
        ]


def image_features(output: Any) -> torch.Tensor:
    """transformers 5 returns a model output whose pooler_output holds the projected features;
    older versions returned the tensor itself."""
    return output if isinstance(output, torch.Tensor) else output.pooler_output


class ClipScorer:
    """Cosine similarity of CLIP image features x 100, clamped to [0, 100]."""

    name = "clip"

    def __init__(self, model: Any, processor: Any, *, device: str, dtype: torch.dtype) -> None:
        self.model = model.to(device, dtype).eval()
        self.processor = processor
        self.device = device
        self.dtype = dtype

    @classmethod
    def from_pretrained(cls, model_id: str, *, device: str, dtype: torch.dtype, local_files_only: bool) -> ClipScorer:
        from transformers import CLIPModel, CLIPProcessor

        try:
            processor = CLIPProcessor.from_pretrained(model_id, local_files_only=local_files_only)
            model = CLIPModel.from_pretrained(model_id, dtype=dtype, local_files_only=local_files_only)
        except (OSError, ValueError) as error:
            raise EngineUnavailable(missing_model_message(model_id, error)) from error
        return cls(model, processor, device=device, dtype=dtype)

    @torch.inference_mode()
    def embed(self, images: Sequence[Image.Image]) -> list[torch.Tensor]:
        inputs = self.processor(images=list(images), return_tensors="pt")
        pixels = inputs["pixel_values"].to(self.device, self.dtype)
        features = image_features(self.model.get_image_features(pixel_values=pixels)).float()
        features = torch.nn.functional.normalize(features, dim=-1).cpu()
        return list(features)

    @torch.inference_mode()
    def embed_text(self, texts: Sequence[str]) -> torch.Tensor:
        inputs = self.processor(text=list(texts), return_tensors="pt", padding=True, truncation=True)
        inputs = {k: v.to(self.device) for k, v in inputs.items()}
        features = image_features(self.model.get_text_features(**inputs)).float()
        return torch.nn.functional.normalize(features, dim=-1).cpu()

    def similarity(self, target: torch.Tensor, candidates: Sequence[torch.Tensor]) -> list[float]:
        if not candidates:
            return []
        cosines = torch.stack(list(candidates)) @ target
        return [to_percent(float(c)) for c in cosines]


def missing_model_message(model_id: str, error: BaseException) -> str:
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return (
        f"Model '{model_id}' could not be loaded ({reason[:300]}). "
        "If it is not downloaded yet, run `.venv/bin/python -m engine.download` on a machine with "
        "internet access, or set PROMPTMATCH_MODEL_ID / PROMPTMATCH_CLIP_MODEL_ID to a local folder."
    )
