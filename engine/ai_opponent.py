"""The AI opponent: it reads the target, writes a first prompt, and improves it attempt by
attempt the way a student does, with the models already loaded.

Its words come in slots, each with alternatives ranked best guess first:
- with a CLIP model, the phrase bank's groups (style, subject, colour, composition), each
  ranked by CLIP text-image similarity to the target;
- on the sketch engine, the target's background and shapes read from its pixels
  (engine/picture_reading.py), each shape with other shapes, sizes and places to try.

A plan picks one alternative per slot, or leaves the slot out. The first attempt is a short
plan (what a student writes first: the subject and its look, or the background and the biggest
shape). Each later attempt starts from the best-scoring prompt so far, keeps its phrases, and
changes one slot: it adds a slot left out, tries another alternative, or leaves one out. It
draws and scores at most `budget` such variants with the round's seed (the worker passes a
batch's size) and plays the best; the attempt itself then goes through the queue like a
student's. It never sees the secret prompt.

The game's side of the opponent (asking for it, queueing its attempts) is game/ai_opponent.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image

from engine import phrases
from engine.phrases import rank_phrases
from engine.picture_reading import Blob, read_blobs, shape_word
from engine.scorers import ClipScorer
from engine.sketch import SIZES

NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
CLIP_ALTERNATIVES = 4  # per phrase group: the best few by CLIP, in their order
MAX_SHAPES = 4

Plan = tuple[int | None, ...]  # per slot: which alternative, or None (left out)


@dataclass(frozen=True)
class Tried:
    prompt: str
    score: float


@dataclass(frozen=True)
class PhraseSlots:
    """The AI's phrase bank for one target."""

    alternatives: tuple[tuple[str, ...], ...]
    compose: Callable[[list[str | None]], str]
    first: Plan  # the first attempt's plan

    def prompt(self, plan: Plan) -> str:
        return self.compose(
            [None if pick is None else alts[pick] for alts, pick in zip(self.alternatives, plan, strict=True)]
        )

    def best_guess(self) -> str:
        """Every slot at its best guess: the AI's most complete description."""
        return self.prompt(tuple(0 for _ in self.alternatives))

    def variants(self, plan: Plan) -> list[Plan]:
        """Plans that change one slot of `plan`, most promising first: add a slot left out,
        then another alternative for each slot, then leave one slot out."""
        added, swapped, dropped = [], [], []
        used = sum(pick is not None for pick in plan)
        for slot, (alts, pick) in enumerate(zip(self.alternatives, plan, strict=True)):
            if pick is None:
                added.append(_with(plan, slot, 0))
                continue
            swapped += [_with(plan, slot, other) for other in range(len(alts)) if other != pick]
            if used > 1:
                dropped.append(_with(plan, slot, None))
        # Interleave the swaps slot by slot, so that a small budget tries every slot once.
        by_slot: dict[int, list[Plan]] = {}
        for variant in swapped:
            slot = next(i for i, (a, b) in enumerate(zip(variant, plan, strict=True)) if a != b)
            by_slot.setdefault(slot, []).append(variant)
        interleaved = []
        for rank in range(max((len(v) for v in by_slot.values()), default=0)):
            interleaved += [variants[rank] for variants in by_slot.values() if rank < len(variants)]
        return added + interleaved + dropped


def _with(plan: Plan, slot: int, pick: int | None) -> Plan:
    return (*plan[:slot], pick, *plan[slot + 1 :])


def next_prompt(
    slots: PhraseSlots, tried: Sequence[Tried], evaluate: Callable[[list[str]], list[float]], budget: int
) -> str:
    """The AI's next attempt, given its scored attempts so far (oldest first).

    `evaluate` draws prompts with the round's seed and returns their scores; it is called at
    most once, with at most `budget` prompts."""
    first = slots.prompt(slots.first)
    if not tried:
        return first
    # Retrace the search: every prompt the AI played came from its plan at the time.
    known: dict[str, Plan] = {first: slots.first}
    best_plan, best_score = None, float("-inf")
    for attempt in tried:
        plan = known.get(attempt.prompt)
        if plan is not None and attempt.score > best_score:
            best_plan, best_score = plan, attempt.score
        if best_plan is not None:
            for variant in slots.variants(best_plan):
                known.setdefault(slots.prompt(variant), variant)
    best_plan = best_plan if best_plan is not None else slots.first
    played = {attempt.prompt for attempt in tried}
    candidates: list[str] = []
    for variant in slots.variants(best_plan):
        text = slots.prompt(variant)
        if text not in played and text not in candidates:
            candidates.append(text)
        if len(candidates) == budget:
            break
    if not candidates:  # every neighbour played: play the best again
        return slots.prompt(best_plan)
    scores = evaluate(candidates)
    return max(zip(scores, candidates, strict=True), key=lambda pair: pair[0])[1]


# -- CLIP ---------------------------------------------------------------------------------------
def clip_slots(scorer: ClipScorer, target: Image.Image) -> PhraseSlots:
    features = scorer.embed([target])[0]
    groups = (phrases.STYLES, phrases.SUBJECTS, phrases.COLOURS, phrases.COMPOSITIONS)
    ranked = tuple(tuple(rank_phrases(scorer, features, group)[:CLIP_ALTERNATIVES]) for group in groups)

    def compose(parts: list[str | None]) -> str:
        style, subject, colour, composition = parts
        head = f"{style} of {subject}" if style and subject else subject or style or ""
        return ", ".join(part for part in (head, colour, composition) if part)

    return PhraseSlots(ranked, compose, first=(0, 0, None, None))


# -- sketch -------------------------------------------------------------------------------------
def size_word(width: float) -> str:
    return min(SIZES, key=lambda word: abs(SIZES[word] - width))


def position_words(blob: Blob) -> str:
    horizontal = "left" if blob.x < 0.38 else "right" if blob.x > 0.62 else ""
    vertical = "top" if blob.y < 0.38 else "bottom" if blob.y > 0.62 else ""
    return " ".join(word for word in ("on the", vertical, horizontal) if word) if (horizontal or vertical) else ""


def with_article(words: str) -> str:
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def describe_blob(
    blob: Blob, *, shape: str | None = None, size: str | None = None, where: str | None = None, count: int = 0
) -> str:
    if blob.width > 0.95 and blob.fill > 0.9:  # a band across the picture: sky or ground
        return f"{with_article(blob.colour)} {'sky' if blob.y < 0.5 else 'ground'}"
    shape = shape or shape_word(blob)
    size = size or size_word(blob.width)
    count = count or blob.count
    if count > 1:
        number = NUMBER_WORDS.get(count, "many")
        text = f"{number} {size} {blob.colour} {shape}s"
    else:
        text = with_article(f"{size} {blob.colour} {shape}")
    where = position_words(blob) if where is None else where
    return f"{text} {where}" if where else text


SKETCH_SHAPES = ("circle", "square", "triangle", "star", "heart", "diamond", "rectangle", "ring")


def blob_alternatives(blob: Blob) -> tuple[str, ...]:
    """The reader's description first, then what a student would try next: another shape,
    another size, another number, another place."""
    guess = describe_blob(blob)
    if blob.width > 0.95 and blob.fill > 0.9:
        return (guess,)
    sizes = list(SIZES)
    at = sizes.index(size_word(blob.width))
    options = [describe_blob(blob, shape=s) for s in SKETCH_SHAPES if s != shape_word(blob)][:4]
    options += [describe_blob(blob, size=sizes[i]) for i in (at - 1, at + 1) if 0 <= i < len(sizes)]
    options += [describe_blob(blob, count=n) for n in (blob.count - 1, blob.count + 1) if 1 <= n <= 6]
    options += [describe_blob(blob, where=w) for w in ("in the center", "on the left", "on the right")]
    return tuple(dict.fromkeys([guess, *options]))


def sketch_slots(target: Image.Image) -> PhraseSlots:
    """Slot 0 is the background (empty on the engine's plain canvas), then the shapes,
    biggest first."""
    background, blobs = read_blobs(target)
    ground = f"on {with_article(background)} background" if background else ""
    alternatives = ((ground,), *(blob_alternatives(blob) for blob in blobs[:MAX_SHAPES]))

    def compose(parts: list[str | None]) -> str:
        shapes = ", ".join(part for part in parts[1:] if part) or "an empty picture"
        return f"{shapes} {parts[0]}" if parts[0] else shapes

    # First try: the background and the biggest shape, as a student starts.
    first = tuple(0 if i < 2 else None for i in range(len(alternatives)))
    return PhraseSlots(alternatives, compose, first=first)
