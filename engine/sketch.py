"""The offline engine: a deterministic procedural painter of what a prompt names.

It understands colours (with light/dark), simple shapes, counts, sizes, positions, backgrounds
and a few scene regions (sky, sea, grass). Everything else is ignored, and `parse` says which
words it understood, so the game is playable, and its scores meaningful, without a GPU or a
network. The seed only nudges positions and picks colours that the prompt leaves open.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from PIL import Image, ImageDraw

RGB = tuple[int, int, int]

COLOURS: dict[str, RGB] = {
    "red": (220, 30, 30),
    "orange": (245, 140, 20),
    "yellow": (250, 220, 30),
    "green": (40, 170, 60),
    "blue": (30, 80, 220),
    "purple": (130, 50, 170),
    "violet": (150, 90, 210),
    "pink": (245, 130, 190),
    "brown": (130, 80, 40),
    "black": (15, 15, 15),
    "white": (250, 250, 250),
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
    "cyan": (40, 210, 230),
    "teal": (20, 140, 140),
    "magenta": (220, 40, 170),
    "navy": (20, 30, 100),
    "gold": (215, 175, 40),
    "silver": (190, 190, 200),
    "beige": (235, 220, 180),
    "lime": (160, 230, 50),
    "maroon": (120, 20, 30),
    "olive": (120, 120, 30),
    "turquoise": (60, 220, 200),
}
SHADES = {"light": 0.45, "pale": 0.55, "bright": 0.15, "dark": -0.45, "deep": -0.3}

SHAPES = {
    "circle": "circle",
    "circles": "circle",
    "dot": "circle",
    "dots": "circle",
    "ball": "circle",
    "balls": "circle",
    "sun": "circle",
    "planet": "circle",
    "square": "square",
    "squares": "square",
    "box": "square",
    "boxes": "square",
    "rectangle": "rectangle",
    "rectangles": "rectangle",
    "triangle": "triangle",
    "triangles": "triangle",
    "pyramid": "triangle",
    "mountain": "triangle",
    "mountains": "triangle",
    "star": "star",
    "stars": "star",
    "heart": "heart",
    "hearts": "heart",
    "diamond": "diamond",
    "diamonds": "diamond",
    "ring": "ring",
    "rings": "ring",
    "moon": "moon",
    "stripe": "stripes",
    "stripes": "stripes",
    "striped": "stripes",
    "line": "line",
    "lines": "line",
    "cross": "cross",
}
PLURAL_SHAPES = {w for w in SHAPES if w.endswith("s") and w not in {"stripes", "cross"}}
SHAPE_DEFAULT_COLOUR = {"sun": "yellow", "moon": "white"}

REGIONS = {
    "sky": ("top", (120, 180, 240)),
    "sea": ("bottom", (30, 80, 200)),
    "ocean": ("bottom", (30, 80, 200)),
    "water": ("bottom", (40, 110, 210)),
    "grass": ("bottom", (60, 160, 60)),
    "field": ("bottom", (90, 170, 60)),
    "ground": ("bottom", (120, 90, 60)),
    "sand": ("bottom", (230, 200, 140)),
    "desert": ("bottom", (225, 190, 120)),
    "floor": ("bottom", (140, 110, 80)),
    "table": ("bottom", (150, 100, 60)),
}
BACKGROUND_WORDS = {"background", "backdrop", "wall", "canvas"}

SIZES = {
    "tiny": 0.12,
    "small": 0.2,
    "little": 0.2,
    "medium": 0.32,
    "big": 0.48,
    "large": 0.48,
    "huge": 0.66,
    "giant": 0.66,
    "enormous": 0.7,
}
POSITIONS = {
    "left": (0.25, None),
    "right": (0.75, None),
    "top": (None, 0.25),
    "upper": (None, 0.25),
    "bottom": (None, 0.75),
    "lower": (None, 0.75),
    "center": (0.5, 0.5),
    "centre": (0.5, 0.5),
    "middle": (0.5, 0.5),
}
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "many": 5, "several": 3, "some": 3}

DEFAULT_BACKGROUND: RGB = (235, 235, 230)
SEED_PALETTE = ("red", "blue", "green", "yellow", "orange", "purple", "pink", "teal")


def shade(colour: RGB, amount: float) -> RGB:
    """Positive amount mixes toward white, negative toward black."""
    target = 255 if amount > 0 else 0
    mix = abs(amount)
    return tuple(round(c + (target - c) * mix) for c in colour)  # type: ignore[return-value]


@dataclass
class Shape:
    kind: str
    colours: list[RGB]
    size: float = 0.32
    count: int = 1
    x: float | None = None
    y: float | None = None


@dataclass
class Scene:
    background: RGB | None = None
    regions: dict[str, RGB] = field(default_factory=dict)
    shapes: list[Shape] = field(default_factory=list)
    understood: set[str] = field(default_factory=set)
    ignored: set[str] = field(default_factory=set)
    # Which part of the picture each understood word went into: "background", "region:top",
    # "shape:0"…; a word that went nowhere ("dark" before no colour) has none. The word
    # feedback asks whether that part can be seen (engine/feedback.py).
    parts: dict[str, str] = field(default_factory=dict)


_STOPWORDS = {
    "a",
    "an",
    "the",
    "on",
    "in",
    "of",
    "and",
    "with",
    "at",
    "over",
    "under",
    "to",
    "is",
    "are",
    "side",
    "corner",
    "its",
    "it",
    "into",
    "near",
    "by",
    "some",
}


def words_of(prompt: str) -> list[str]:
    return re.findall(r"[a-z]+", prompt.lower())


def parse(prompt: str) -> Scene:
    words = words_of(prompt)
    scene = Scene()
    colours: list[RGB] = []
    colour_words: list[list[str]] = []  # the words behind each colour in `colours`
    pending_shade = 0.0
    shade_words: list[str] = []
    size: float | None = None
    count: int | None = None
    position: tuple[float | None, float | None] = (None, None)
    modifier_words: list[str] = []  # size, count and position words waiting for their shape

    def take_colours(default: RGB | None) -> tuple[list[RGB], list[str]]:
        nonlocal colours, colour_words
        taken, taken_words, colours, colour_words = colours, [w for ws in colour_words for w in ws], [], []
        return (taken or ([default] if default else [])), taken_words

    def own(part: str, *owned: str) -> None:
        for word in owned:
            scene.parts[word] = part

    for i, word in enumerate(words):
        if word in SHADES:
            pending_shade = SHADES[word]
            shade_words.append(word)
            scene.understood.add(word)
        elif word in COLOURS:
            colours.append(shade(COLOURS[word], pending_shade) if pending_shade else COLOURS[word])
            colour_words.append([*shade_words, word])
            pending_shade, shade_words = 0.0, []
            scene.understood.add(word)
            if any(w in BACKGROUND_WORDS for w in words[i + 1 : i + 3]):
                scene.background = colours.pop()
                own("background", *colour_words.pop())
        elif word in BACKGROUND_WORDS:
            scene.understood.add(word)
            own("background", word)
            if colours and scene.background is None:
                scene.background = colours.pop()
                own("background", *colour_words.pop())
        elif word in REGIONS:
            where, default = REGIONS[word]
            taken, taken_words = take_colours(default)
            scene.regions[where] = (taken or [default])[-1]
            own(f"region:{where}", word, *taken_words)
            scene.understood.add(word)
        elif word in SIZES:
            size = SIZES[word]
            modifier_words.append(word)
            scene.understood.add(word)
        elif word in NUMBERS:
            count = NUMBERS[word]
            modifier_words.append(word)
            scene.understood.add(word)
        elif word in POSITIONS:
            px, py = POSITIONS[word]
            scene.understood.add(word)
            target = scene.shapes[-1] if scene.shapes and not colours and size is None else None
            if target is not None:
                target.x = px if px is not None else target.x
                target.y = py if py is not None else target.y
                own(f"shape:{len(scene.shapes) - 1}", word)
            else:
                position = (px if px is not None else position[0], py if py is not None else position[1])
                modifier_words.append(word)
        elif word in SHAPES:
            kind = SHAPES[word]
            shape_colour = COLOURS.get(SHAPE_DEFAULT_COLOUR.get(word, ""))
            taken, taken_words = take_colours(shape_colour)
            shape = Shape(
                kind=kind,
                colours=taken,
                size=size if size is not None else 0.32,
                count=count or (3 if word in PLURAL_SHAPES else 1),
                x=position[0],
                y=position[1],
            )
            own(f"shape:{len(scene.shapes)}", word, *taken_words, *modifier_words)
            scene.shapes.append(shape)
            scene.understood.add(word)
            size, count, position, modifier_words = None, None, (None, None), []
        elif word not in _STOPWORDS:
            scene.ignored.add(word)
    if colours:
        # Colours that named no shape: "a blue picture" or "a star on black" paint the canvas.
        if scene.background is None:
            scene.background = colours[0]
            own("background", *colour_words[0])
        elif scene.shapes and not scene.shapes[-1].colours:
            scene.shapes[-1].colours = colours
            own(f"shape:{len(scene.shapes) - 1}", *(w for ws in colour_words for w in ws))
    return scene


def without_part(scene: Scene, part: str) -> Scene:
    """The scene with one part taken out (the background made another colour), to ask whether
    that part can be seen in the picture at all."""
    if part == "background":
        current = scene.background or DEFAULT_BACKGROUND
        return replace(scene, background=tuple(255 - c for c in current))  # type: ignore[arg-type]
    if part.startswith("region:"):
        return replace(scene, regions={k: v for k, v in scene.regions.items() if k != part.split(":")[1]})
    index = int(part.split(":")[1])
    return replace(scene, shapes=[shape for i, shape in enumerate(scene.shapes) if i != index])


def _star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    points = []
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.45
        angle = -math.pi / 2 + k * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def _draw_one(
    draw: ImageDraw.ImageDraw, kind: str, colour: RGB, cx: float, cy: float, r: float, background: RGB
) -> None:
    box = (cx - r, cy - r, cx + r, cy + r)
    if kind == "circle":
        draw.ellipse(box, fill=colour)
    elif kind == "square":
        draw.rectangle(box, fill=colour)
    elif kind == "rectangle":
        draw.rectangle((cx - r * 1.4, cy - r * 0.7, cx + r * 1.4, cy + r * 0.7), fill=colour)
    elif kind == "triangle":
        draw.polygon([(cx, cy - r), (cx + r, cy + r * 0.8), (cx - r, cy + r * 0.8)], fill=colour)
    elif kind == "star":
        draw.polygon(_star(cx, cy, r), fill=colour)
    elif kind == "heart":
        draw.ellipse((cx - r, cy - r * 0.7, cx, cy + r * 0.2), fill=colour)
        draw.ellipse((cx, cy - r * 0.7, cx + r, cy + r * 0.2), fill=colour)
        draw.polygon([(cx - r * 0.98, cy - r * 0.1), (cx + r * 0.98, cy - r * 0.1), (cx, cy + r)], fill=colour)
    elif kind == "diamond":
        draw.polygon([(cx, cy - r), (cx + r * 0.7, cy), (cx, cy + r), (cx - r * 0.7, cy)], fill=colour)
    elif kind == "ring":
        draw.ellipse(box, outline=colour, width=max(2, round(r * 0.25)))
    elif kind == "moon":
        draw.ellipse(box, fill=colour)
        draw.ellipse((cx - r * 0.55, cy - r * 1.05, cx + r * 1.35, cy + r * 0.85), fill=background)
    elif kind == "cross":
        draw.rectangle((cx - r, cy - r * 0.25, cx + r, cy + r * 0.25), fill=colour)
        draw.rectangle((cx - r * 0.25, cy - r, cx + r * 0.25, cy + r), fill=colour)


def render(scene: Scene, *, seed: int, size: int) -> Image.Image:
    rng = random.Random(seed)
    background = scene.background or DEFAULT_BACKGROUND
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    if "top" in scene.regions:
        draw.rectangle((0, 0, size, size * 0.6), fill=scene.regions["top"])
    if "bottom" in scene.regions:
        draw.rectangle((0, size * 0.6, size, size), fill=scene.regions["bottom"])
    for index, shape in enumerate(scene.shapes):
        colours = shape.colours or [COLOURS[SEED_PALETTE[rng.randrange(len(SEED_PALETTE))]]]
        if shape.kind in ("stripes", "line"):
            bands = 8 if shape.kind == "stripes" else 1
            thickness = size / (bands * 2) if shape.kind == "stripes" else size * 0.04
            palette = colours if len(colours) > 1 else [colours[0], background]
            for b in range(bands * 2 if shape.kind == "stripes" else 1):
                top = b * thickness if shape.kind == "stripes" else size * (shape.y or 0.5)
                draw.rectangle((0, top, size, top + thickness), fill=palette[b % len(palette)])
            continue
        jitter = lambda: rng.uniform(-0.03, 0.03)  # noqa: E731 - a tiny seeded nudge
        base_x = (
            shape.x
            if shape.x is not None
            else 0.5 + (0.0 if len(scene.shapes) == 1 else (index - (len(scene.shapes) - 1) / 2) * 0.3)
        )
        base_y = shape.y if shape.y is not None else 0.5
        radius = size * shape.size / 2 / (1 if shape.count == 1 else math.sqrt(shape.count))
        for k in range(shape.count):
            spread = (k - (shape.count - 1) / 2) * (0.8 / max(shape.count, 1))
            cx = size * min(0.95, max(0.05, base_x + spread + jitter()))
            cy = size * min(0.95, max(0.05, base_y + jitter()))
            _draw_one(draw, shape.kind, colours[k % len(colours)], cx, cy, radius, background)
    return image


class SketchGenerator:
    name = "sketch"

    def generate(self, prompts: Sequence[str], *, seed: int, size: int) -> list[Image.Image]:
        return [render(parse(prompt), seed=seed, size=size) for prompt in prompts]
