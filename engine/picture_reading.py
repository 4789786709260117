"""Reading a picture's shapes from its pixels: the sketch engine's words in reverse.

The AI opponent describes a target with it (engine/ai_opponent.py) and the hints name the
target's shapes a prompt leaves out (engine/hints.py).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
from PIL import Image

from engine.colours import palette, pixel_names
from engine.sketch import DEFAULT_BACKGROUND

SIDE = 64  # the target is read from a thumbnail: enough for shapes, fast in pure Python
MIN_SHARE = 0.004  # smaller specks are anti-aliasing, not shapes


@dataclass(frozen=True)
class Blob:
    colour: str  # e.g. "red" or "light blue"
    count: int
    width: float  # of one piece, as a share of the picture's side
    fill: float  # share of its bounding box the piece covers: 1 square, 0.79 circle, 0.5 triangle
    aspect: float  # width / height
    # How much of the bounding box's width the piece fills at 15 %, 50 % and 85 % of its height
    # (a triangle is narrow on top and wide below, a heart the other way round).
    profile: tuple[float, float, float]
    hollow: bool  # the centre of the bounding box is not part of the piece (ring, moon)
    x: float  # centre of all pieces, 0-1
    y: float
    share: float  # of the picture


def _components(mask: np.ndarray) -> list[list[tuple[int, int]]]:
    """4-connected pieces of a boolean mask (a 64x64 thumbnail: pure Python is fast enough)."""
    seen = np.zeros_like(mask, dtype=bool)
    pieces = []
    for start in zip(*np.nonzero(mask), strict=True):
        if seen[start]:
            continue
        seen[start] = True
        queue, piece = deque([start]), []
        while queue:
            y, x = queue.popleft()
            piece.append((y, x))
            for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                if 0 <= ny < mask.shape[0] and 0 <= nx < mask.shape[1] and mask[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    queue.append((ny, nx))
        pieces.append(piece)
    return pieces


def background_index(indices: np.ndarray) -> int:
    border = np.concatenate([indices[0], indices[-1], indices[:, 0], indices[:, -1]])
    values, counts = np.unique(border, return_counts=True)
    return int(values[counts.argmax()])


def is_plain_canvas(target: Image.Image, indices: np.ndarray, background: int) -> bool:
    """The sketch engine's own default canvas needs no words."""
    pixels = np.asarray(target.convert("RGB").resize((SIDE, SIDE), Image.Resampling.NEAREST), dtype=np.float32)
    mean = pixels[indices == background].mean(axis=0)
    return float(np.abs(mean - np.array(DEFAULT_BACKGROUND)).max()) < 12


def read_blobs(target: Image.Image) -> tuple[str | None, list[Blob]]:
    """(the background's colour name, None for a plain canvas; the shapes on it, largest first)."""
    names, _, _ = palette()
    indices = pixel_names(target, SIDE)
    background = background_index(indices)
    blobs = []
    for index in np.unique(indices):
        if index == background:
            continue
        mask = indices == index
        if mask.sum() < MIN_SHARE * indices.size:
            continue
        pieces = [p for p in _components(mask) if len(p) >= max(3, MIN_SHARE * indices.size / 2)]
        if not pieces:
            continue
        biggest = max(pieces, key=len)
        ys, xs = zip(*biggest, strict=True)
        width, height = max(xs) - min(xs) + 1, max(ys) - min(ys) + 1
        piece_mask = np.zeros_like(mask)
        piece_mask[tuple(np.array(biggest).T)] = True
        box = piece_mask[min(ys) : max(ys) + 1, min(xs) : max(xs) + 1]
        profile = tuple(float(box[min(height - 1, int(height * at))].mean()) for at in (0.15, 0.5, 0.85))
        all_ys, all_xs = np.nonzero(mask)
        blobs.append(
            Blob(
                colour=names[index],
                count=len(pieces),
                width=width / SIDE,
                fill=len(biggest) / (width * height),
                aspect=width / height,
                profile=profile,  # type: ignore[arg-type]
                hollow=not box[height // 2, width // 2],
                x=float(all_xs.mean()) / SIDE,
                y=float(all_ys.mean()) / SIDE,
                share=float(mask.mean()),
            )
        )
    background_name = None if is_plain_canvas(target, indices, background) else names[background]
    return background_name, sorted(blobs, key=lambda b: -b.share)


def shape_word(blob: Blob) -> str:
    top, middle, bottom = blob.profile
    if blob.fill > 0.9:
        return "square" if 0.8 <= blob.aspect <= 1.25 else "rectangle"
    if blob.fill > 0.7:
        return "circle"
    if blob.hollow:
        return "ring" if 0.8 <= blob.aspect <= 1.25 else "moon"
    if top < 0.35 and bottom > 0.6:
        return "triangle"
    if top > 0.55 and bottom < 0.4:
        return "heart"
    if middle > 0.9 and blob.fill < 0.47:
        return "cross"
    if blob.aspect < 0.85 and middle > 0.8:
        return "diamond"
    return "star"
