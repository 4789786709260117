"""Built-in, classroom-safe target prompts, grouped by difficulty.

Easy ones name colours and simple shapes, so they also work on the offline sketch engine;
harder ones need the real model and more precise wording.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    id: str
    difficulty: str  # easy | medium | hard
    prompt: str


PRESETS: tuple[Preset, ...] = (
    Preset("easy-red-circle", "easy", "a big red circle on a blue background"),
    Preset("easy-yellow-star", "easy", "a yellow star on a black background"),
    Preset("easy-green-triangle", "easy", "a green triangle on a white background"),
    Preset("easy-orange-square", "easy", "a small orange square in the center on a purple background"),
    Preset("easy-pink-heart", "easy", "a pink heart on a light blue background"),
    Preset("medium-sunset", "medium", "a red sun over a dark blue sea with an orange sky"),
    Preset(
        "medium-two-circles",
        "medium",
        "a blue circle on the left and a yellow circle on the right on a gray background",
    ),
    Preset("medium-stripes", "medium", "green and white stripes with a small red square at the top"),
    Preset("medium-moon", "medium", "a white moon and small yellow stars on a black night sky"),
    Preset("medium-cat", "medium", "a cute orange cat sitting on a wooden table"),
    Preset("hard-lighthouse", "hard", "a lighthouse on a rocky cliff at dusk, watercolor painting"),
    Preset("hard-library", "hard", "an old library with tall bookshelves and warm lamp light, oil painting"),
    Preset("hard-robot-garden", "hard", "a small friendly robot watering flowers in a greenhouse, isometric 3d render"),
    Preset(
        "hard-abstract",
        "hard",
        "abstract composition of overlapping translucent teal and magenta circles, bauhaus poster",
    ),
    Preset("hard-bicycle", "hard", "a red bicycle leaning against a yellow wall in the rain, photograph"),
)


def preset_by_id(preset_id: str) -> Preset | None:
    return next((p for p in PRESETS if p.id == preset_id), None)
