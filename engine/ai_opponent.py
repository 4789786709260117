"""The AI opponent writes its prompt from the target image, with the models already loaded.

- With a CLIP model: each group of the phrase bank (subject, style, colour, composition) is
  ranked by CLIP text-image similarity to the target, and the best of each are composed.
- On the sketch engine: the target's background, colours, shapes, sizes and positions are read
  from the pixels (engine/picture_reading.py) and written in the words the sketch engine
  understands.

The game's side of the opponent (asking for it, queueing its attempt) is game/ai_opponent.py.
"""

from __future__ import annotations

from PIL import Image

from engine import phrases
from engine.phrases import rank_phrases
from engine.picture_reading import Blob, read_blobs, shape_word
from engine.scorers import ClipScorer
from engine.sketch import SIZES

NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


# -- CLIP ---------------------------------------------------------------------------------------
def compose_clip_prompt(scorer: ClipScorer, target: Image.Image) -> str:
    features = scorer.embed([target])[0]
    subject = rank_phrases(scorer, features, phrases.SUBJECTS)[0]
    style = rank_phrases(scorer, features, phrases.STYLES)[0]
    colour = rank_phrases(scorer, features, phrases.COLOURS)[0]
    composition = rank_phrases(scorer, features, phrases.COMPOSITIONS)[0]
    return f"{style} of {subject}, {colour}, {composition}"


# -- sketch -------------------------------------------------------------------------------------
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
