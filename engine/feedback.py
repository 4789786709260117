"""What a student learns from each scored attempt: which words helped, and one hint.

- Word effects, with a CLIP model: leave one word out and see how the prompt's CLIP text
  features move toward or away from the target image's features (x 100). On the sketch
  engine: leave one word out and draw again; a word is "drawn" only if the picture changes
  without it ("yellow circle" under full-picture stripes is understood but "unseen"), and the
  words it cannot draw at all are "ignored".
- One hint (engine/hints.py) from comparing the attempt with the target.
- The prompt's similarity to the secret prompt (shown after the reveal): CLIP text-text cosine
  x 100, or on the sketch engine the share of words the two prompts have in common.

Results are plain dicts, stored as JSON with the score; the UI translates hint keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image

from engine.hints import RoundHints, content_words
from engine.metrics import to_percent
from engine.scorers import ClipScorer
from engine.sketch import parse, render, without_part

MAX_WORDS = 24  # leave-one-out costs one text encoding per word


def prompt_words(prompt: str) -> list[str]:
    """The words as the student wrote them, without surrounding punctuation."""
    return [w for w in (token.strip(".,;:!?\"'()[]") for token in prompt.split()) if w][:MAX_WORDS]


def word_overlap(a: str, b: str) -> float:
    """Dice coefficient of the content words, x 100."""
    left, right = content_words(a), content_words(b)
    if not left or not right:
        return 0.0
    return round(200.0 * len(left & right) / (len(left) + len(right)), 2)


@dataclass(frozen=True)
class Review:
    feedback: dict[str, Any]  # {"kind": "clip"|"sketch", "words": [[word, effect]], "hint": {...}|None}
    prompt_similarity: float | None


class RoundFeedback:
    """Reviews the attempts of one round; built once per round by the worker."""

    def __init__(
        self,
        target: Image.Image,
        secret_prompt: str | None,
        clip: ClipScorer | None,
        target_features: Any = None,
        *,
        seed: int = 0,
    ) -> None:
        self.secret_prompt = secret_prompt
        self.seed = seed
        self.clip = clip
        self.target_features = None
        self.secret_features = None
        if clip is not None:
            self.target_features = target_features if target_features is not None else clip.embed([target])[0]
            if secret_prompt:
                self.secret_features = clip.embed_text([secret_prompt])[0]
        self.hints = RoundHints(target, clip, self.target_features)

    def review(self, prompts: Sequence[str], images: Sequence[Image.Image]) -> list[Review]:
        if self.clip is not None:
            words, similarities = self._clip_review(prompts)
        else:
            words = [sketch_words(p, image, seed=self.seed) for p, image in zip(prompts, images, strict=True)]
            similarities = [word_overlap(p, self.secret_prompt) if self.secret_prompt else None for p in prompts]
        kind = "clip" if self.clip else "sketch"
        return [
            Review(
                feedback={"kind": kind, "words": w, "hint": self.hints.for_attempt(p, image)},
                prompt_similarity=s,
            )
            for p, image, w, s in zip(prompts, images, words, similarities, strict=True)
        ]

    def _clip_review(self, prompts: Sequence[str]) -> tuple[list[list[list[Any]]], list[float | None]]:
        """Word effects and similarity to the secret prompt from one batched text encoding:
        each prompt, then each prompt with one word left out."""
        texts: list[str] = []
        spans = []
        for prompt in prompts:
            words = prompt_words(prompt)
            spans.append((len(texts), words))
            texts.append(" ".join(words))
            texts += [" ".join(words[:i] + words[i + 1 :]) for i in range(len(words))]
        features = self.clip.embed_text(texts)  # type: ignore[union-attr]
        assert self.target_features is not None  # set with the CLIP model, before any word is weighed
        to_target = (features @ self.target_features) * 100
        effects, similarities = [], []
        for start, words in spans:
            whole = float(to_target[start])
            effects.append([[w, round(whole - float(to_target[start + 1 + i]), 2)] for i, w in enumerate(words)])
            # An uploaded target has no secret prompt to compare with.
            similarities.append(
                round(to_percent(float(features[start] @ self.secret_features)), 2)
                if self.secret_features is not None
                else None
            )
        return effects, similarities


def sketch_words(prompt: str, picture: Image.Image, *, seed: int) -> list[list[Any]]:
    """Each word as drawn | unseen | ignored | filler. A word the renderer understood is
    "drawn" only if the part of the picture it went into can be seen: drawing the scene
    without that part changes the attempt's `picture`."""
    scene = parse(prompt)
    whole, size = picture.convert("RGB").tobytes(), picture.width
    visible: dict[str, bool] = {}
    result = []
    for word in prompt_words(prompt):
        key = word.casefold()
        part = scene.parts.get(key)
        if part is not None and part not in visible:
            visible[part] = render(without_part(scene, part), seed=seed, size=size).tobytes() != whole
        if key in scene.understood:
            effect = "drawn" if part is not None and visible[part] else "unseen"
        else:
            effect = "ignored" if key in scene.ignored else "filler"
        result.append([word, effect])
    return result


def clip_of(scorer: Any) -> ClipScorer | None:
    return scorer if isinstance(scorer, ClipScorer) else None
