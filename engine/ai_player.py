"""The AI opponent writes its prompt from the target image, with the models already loaded.

- With a CLIP model: each group of the phrase bank (subject, style, colour, composition) is
  ranked by CLIP text-image similarity to the target, and the best of each are composed.
- On the sketch engine: the target's background, colours, shapes, sizes and positions are read
  from the pixels and written in the words the sketch engine understands.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from engine import phrases
from engine.colours import palette, pixel_names
from engine.scorers import ClipScorer
from engine.sketch import DEFAULT_BACKGROUND, SIZES

SIDE = 64  # the target is read from a thumbnail: enough for shapes, fast in pure Python
MIN_SHARE = 0.004  # smaller specks are anti-aliasing, not shapes
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


# -- CLIP ---------------------------------------------------------------------------------------
def rank_phrases(scorer: ClipScorer, target_features: torch.Tensor, candidates: tuple[str, ...]) -> list[str]:
    """The candidates, most similar to the target image first."""
    similarities = scorer.embed_text(list(candidates)) @ target_features
    order = torch.argsort(similarities, descending=True).tolist()
    return [candidates[i] for i in order]


def compose_clip_prompt(scorer: ClipScorer, target: Image.Image) -> str:
    features = scorer.embed([target])[0]
    subject = rank_phrases(scorer, features, phrases.SUBJECTS)[0]
    style = rank_phrases(scorer, features, phrases.STYLES)[0]
    colour = rank_phrases(scorer, features, phrases.COLOURS)[0]
    composition = rank_phrases(scorer, features, phrases.COMPOSITIONS)[0]
    return f"{style} of {subject}, {colour}, {composition}"


# -- sketch -------------------------------------------------------------------------------------
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


def size_word(width: float) -> str:
    return min(SIZES, key=lambda word: abs(SIZES[word] - width))


def position_words(blob: Blob) -> str:
    horizontal = "left" if blob.x < 0.38 else "right" if blob.x > 0.62 else ""
    vertical = "top" if blob.y < 0.38 else "bottom" if blob.y > 0.62 else ""
    return " ".join(word for word in ("on the", vertical, horizontal) if word) if (horizontal or vertical) else ""


def with_article(words: str) -> str:
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def describe_blob(blob: Blob) -> str:
    if blob.width > 0.95 and blob.fill > 0.9:  # a band across the picture: sky or ground
        return f"{with_article(blob.colour)} {'sky' if blob.y < 0.5 else 'ground'}"
    shape = shape_word(blob)
    if blob.count > 1:
        number = NUMBER_WORDS.get(blob.count, "many")
        text = f"{number} {size_word(blob.width)} {blob.colour} {shape}s"
    else:
        text = with_article(f"{size_word(blob.width)} {blob.colour} {shape}")
    where = position_words(blob)
    return f"{text} {where}" if where else text


def describe_sketch(target: Image.Image, max_shapes: int = 3) -> str:
    background, blobs = read_blobs(target)
    parts = [describe_blob(blob) for blob in blobs[:max_shapes]]
    scene = ", ".join(parts) if parts else "an empty picture"
    return f"{scene} on {with_article(background)} background" if background else scene
