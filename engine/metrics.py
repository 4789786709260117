"""The similarity measures of the original classroom experiment (see ORIGIN.md).

Both are implemented exactly as described there, with numpy only:
1. pixel cosine: 10x10 RGB thumbnails, values / 255, flattened to 300 numbers, cosine;
2. histogram correlation: 300x300 grayscale, 256-bin histograms, OpenCV's HISTCMP_CORREL.

Both reward a blank picture on the flat pictures of the offline engine (issue 15): the cosine
of uncentred RGB vectors is high for any two light pictures (their mean colour dominates), and
256-bin histograms of flat colours are a few spikes whose correlation is near 0 unless two
greys fall in the same bin. So the sketch engine scores by default with a third measure,
"layout", which asks what a child sees: are the right colours in the right places
(`colour_agreement`), and are the right colours there at all (`colour_histogram`)?
"""

from __future__ import annotations

import numpy as np
from PIL import Image

THUMBNAIL_SIZE = (10, 10)
HISTOGRAM_SIZE = (300, 300)


def thumbnail_vector(image: Image.Image) -> np.ndarray:
    small = image.convert("RGB").resize(THUMBNAIL_SIZE, Image.Resampling.BILINEAR)
    return (np.asarray(small, dtype=np.float64) / 255.0).reshape(-1)


def gray_histogram(image: Image.Image) -> np.ndarray:
    # PIL's "L" uses the same ITU-R 601 luma weights as OpenCV's BGR2GRAY.
    gray = image.convert("RGB").resize(HISTOGRAM_SIZE, Image.Resampling.BILINEAR).convert("L")
    return np.bincount(np.asarray(gray).reshape(-1), minlength=256).astype(np.float64)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    if norm == 0.0:
        return 1.0 if not a.any() and not b.any() else 0.0
    return float(np.dot(a, b) / norm)


def correlation(h1: np.ndarray, h2: np.ndarray) -> float:
    """OpenCV's HISTCMP_CORREL: Pearson correlation of the two histograms' bins."""
    d1 = h1 - h1.mean()
    d2 = h2 - h2.mean()
    denominator = float(np.sqrt((d1 * d1).sum() * (d2 * d2).sum()))
    if denominator == 0.0:
        return 1.0
    return float((d1 * d2).sum() / denominator)


def pixel_cosine_similarity(a: Image.Image, b: Image.Image) -> float:
    return cosine(thumbnail_vector(a), thumbnail_vector(b))


def histogram_similarity(a: Image.Image, b: Image.Image) -> float:
    return correlation(gray_histogram(a), gray_histogram(b))


LAYOUT_SIZE = (32, 32)
# Two colours closer than this share of the RGB cube's diagonal count as partly the same; at 0
# they are the same colour, at this distance or more not at all.
AGREEMENT_DISTANCE = 0.3
HISTOGRAM_LEVELS = 4  # per channel: 64 colour bins, coarse enough that "a red" is one bin


def layout_pixels(image: Image.Image) -> np.ndarray:
    small = image.convert("RGB").resize(LAYOUT_SIZE, Image.Resampling.BILINEAR)
    return np.asarray(small, dtype=np.float64) / 255.0


def colour_histogram(image: Image.Image) -> np.ndarray:
    """The share of the picture in each of 64 coarse colour bins (nearest-pixel thumbnail, so
    anti-aliased edges do not invent colours)."""
    levels = np.asarray(image.convert("RGB").resize((64, 64), Image.Resampling.NEAREST)) // (256 // HISTOGRAM_LEVELS)
    bins = (levels[..., 0] * HISTOGRAM_LEVELS + levels[..., 1]) * HISTOGRAM_LEVELS + levels[..., 2]
    return np.bincount(bins.reshape(-1), minlength=HISTOGRAM_LEVELS**3) / bins.size


def colour_agreement(a: np.ndarray, b: np.ndarray) -> float:
    """The share of the picture where the two have (nearly) the same colour, 0-1."""
    distance = np.sqrt(((a - b) ** 2).sum(axis=-1)) / np.sqrt(3.0)
    return float(np.clip(1.0 - distance / AGREEMENT_DISTANCE, 0.0, 1.0).mean())


def histogram_intersection(h1: np.ndarray, h2: np.ndarray) -> float:
    """The share of the picture whose colour the other picture also has somewhere, 0-1."""
    return float(np.minimum(h1, h2).sum())


def to_percent(similarity: float) -> float:
    """Scores are shown on 0-100; negative similarity means 'nothing alike', not less."""
    return float(min(100.0, max(0.0, similarity * 100.0)))
