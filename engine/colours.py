"""Naming the colours of a picture with the words the sketch engine (and people) understand."""

from __future__ import annotations

from functools import cache

import numpy as np
from PIL import Image

from engine.sketch import COLOURS, SHADES, shade

# One name per colour: "grey" is "gray", and "violet" is close enough to "purple" to confuse.
BASIC_COLOURS = {name: rgb for name, rgb in COLOURS.items() if name not in ("grey", "violet")}


@cache
def palette() -> tuple[list[str], list[str], np.ndarray]:
    """(full names such as "light blue", their basic colour "blue", RGB rows)."""
    names, basics, rows = [], [], []
    for name, rgb in BASIC_COLOURS.items():
        names.append(name)
        basics.append(name)
        rows.append(rgb)
        for shade_word in ("light", "dark"):
            names.append(f"{shade_word} {name}")
            basics.append(name)
            rows.append(shade(rgb, SHADES[shade_word]))
    return names, basics, np.array(rows, dtype=np.float32)


def pixel_names(image: Image.Image, side: int = 48) -> np.ndarray:
    """Index into `palette()` of the nearest named colour of each pixel of a thumbnail."""
    pixels = np.asarray(image.convert("RGB").resize((side, side), Image.Resampling.NEAREST), dtype=np.float32)
    flat = pixels.reshape(-1, 3).astype(np.float64)
    _, _, rows = palette()
    # |p - r|² = |p|² - 2 p·r + |r|², and |p|² is the same for every r: one small matrix
    # product instead of a (pixels × colours × 3) array (a sixth of the worker's time per
    # sketch attempt went here).
    rows64 = rows.astype(np.float64)
    distances = (rows64**2).sum(axis=1)[None, :] - 2.0 * (flat @ rows64.T)
    return distances.argmin(axis=1).reshape(side, side)


def colour_shares(image: Image.Image) -> dict[str, float]:
    """Share of the picture (0-1) covered by each basic colour."""
    _, basics, _ = palette()
    indices = pixel_names(image)
    shares: dict[str, float] = {}
    for index, count in zip(*np.unique(indices, return_counts=True), strict=True):
        shares[basics[index]] = shares.get(basics[index], 0.0) + count / indices.size
    return shares
