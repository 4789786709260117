"""Do the match scores mean something, and does the AI play like a student? (issue 15)

    python -m bench.scores [--targets 40] [--attempts 3] [--budget 8] [--scorer layout] [--json PATH]

On the offline sketch engine, with the worker's own scorer and formulas:
1. Calibration. For each target (a scene of one to three shapes on a background, drawn with its
   own seed) the round's floor and ceiling are measured as the worker measures them; then a
   better prompt (the secret with one detail left out) and a worse one (only the background and
   the biggest shape, in the wrong colour) are scored. Printed: in how many pairs the match
   score picks the same winner as the raw similarity, the secret prompt's and two unrelated
   prompts' match scores, and whether the same prompt scores the same twice.
2. The AI. It plays `--attempts` attempts per target through engine/ai_opponent.py with at most
   `--budget` private drawings per attempt. Printed: in how many targets its best beats its
   first attempt, and beats a random prompt from the phrase bank; drawings per attempt.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from bench.report import write_json
from engine import phrases
from engine.ai_opponent import Tried, next_prompt, sketch_slots
from engine.base import Scorer
from engine.batch import score_prompts
from engine.registry import LoadedEngine
from engine.safety import NoCheck
from engine.scorers import ClassicScorer, LayoutScorer
from engine.sketch import SketchGenerator
from game.scoring import match_score
from worker.runner import round_scale

COLOURS = ("red", "blue", "green", "yellow", "orange", "purple", "pink", "black", "white", "teal")
SHAPES = ("circle", "square", "triangle", "star", "heart", "diamond")
SIZES = ("small", "big")
PLACES = ("on the left", "on the right", "at the top", "at the bottom", "")
# Unrelated to every target here: one the sketch engine cannot draw, one it draws.
UNRELATED = ("a wooden chair in an empty room", "a gray ring")


def make_targets(count: int, rng: random.Random) -> list[tuple[str, str, str, int]]:
    """(secret, better, worse, seed) for `count` scenes."""
    targets = []
    while len(targets) < count:
        background = rng.choice(COLOURS)
        shapes = []
        for _ in range(rng.randint(1, 3)):
            colour = rng.choice([c for c in COLOURS if c != background])
            shapes.append((rng.choice(SIZES), colour, rng.choice(SHAPES), rng.choice(PLACES)))
        parts = [
            " ".join(w for w in (f"a {size} {colour} {shape}", place) if w) for size, colour, shape, place in shapes
        ]
        secret = f"{' and '.join(parts)} on a {background} background"
        # Better: one detail less (the last shape's place, or its size).
        _, colour, shape, place = shapes[-1]
        better_last = f"a {colour} {shape}" + (f" {place}" if place and len(shapes) > 1 else "")
        better = f"{' and '.join([*parts[:-1], better_last])} on a {background} background"
        # Worse: the background and the first shape in a colour it does not have.
        wrong = next(c for c in COLOURS if c not in (background, shapes[0][1]))
        worse = f"a {shapes[0][0]} {wrong} {shapes[0][2]} on a {background} background"
        if len({secret, better, worse}) == 3:
            targets.append((secret, better, worse, rng.randrange(2**31)))
    return targets


def random_bank_prompt(rng: random.Random) -> str:
    return (
        f"{rng.choice(phrases.STYLES)} of {rng.choice(phrases.SUBJECTS)}, "
        f"{rng.choice(phrases.COLOURS)}, {rng.choice(phrases.COMPOSITIONS)}"
    )


def blank_versus_partly_right(size: int) -> list[str]:
    """The case a new user found: on the sunset preset, "a sunset" draws the blank canvas and
    "blue background with an orange ball" a partly right picture. Over 20 seeds, how often
    does the blank one win, with each scorer?"""
    sunset = "a red sun over a dark blue sea with an orange sky"
    lines = []
    for scorer in (ClassicScorer("classic"), ClassicScorer("pixel"), ClassicScorer("histogram"), LayoutScorer()):
        loaded = LoadedEngine("sketch", SketchGenerator(), scorer, NoCheck())
        blank_wins, pairs = 0, []
        for seed in range(20):
            target = scorer.embed(loaded.generator.generate([sunset], seed=seed, size=size))[0]
            blank, partly = score_prompts(
                loaded, target, ["a sunset", "blue background with an orange ball"], seed, size
            )
            blank_wins += blank >= partly
            pairs.append((blank, partly))
        mean_blank = statistics.mean(p[0] for p in pairs)
        mean_partly = statistics.mean(p[1] for p in pairs)
        lines.append(
            f"  {scorer.name:9s}: blank {mean_blank:5.2f}, partly right {mean_partly:5.2f} (raw, mean); "
            f"the blank wins {blank_wins}/20"
        )
    return lines


def measure(target_count: int, attempts: int, budget: int, scorer_name: str, size: int) -> dict[str, Any]:
    scorer: Scorer = LayoutScorer() if scorer_name == "layout" else ClassicScorer(scorer_name)
    loaded = LoadedEngine("sketch", SketchGenerator(), scorer, NoCheck())
    rng = random.Random(15)

    same_winner, secret_scores, unrelated_scores, repeatable, raw_spread, shown_spread = 0, [], [], 0, [], []
    ai_first_match = 0
    ai_beats_first, ai_beats_random, drawings, ai_best, ai_first, seconds = 0, 0, [], [], [], []
    targets = make_targets(target_count, rng)
    for secret, better, worse, seed in targets:
        target = loaded.generator.generate([secret], seed=seed, size=size)[0]
        features = scorer.embed([target])[0]
        # As the worker measures a drawn target: the secret prompt's own picture is the ceiling.
        scale = round_scale(loaded, features, seed, size, ceiling=scorer.similarity(features, [features])[0])
        floor, ceiling = scale.floor, scale.ceiling
        prompts = [secret, better, worse, *UNRELATED, better]
        raw = score_prompts(loaded, features, prompts, seed, size)
        shown = [match_score(round(r, 2), floor, ceiling) for r in raw]
        same_winner += (raw[1] > raw[2]) == (shown[1] > shown[2]) and shown[1] != shown[2]
        secret_scores.append(shown[0])
        unrelated_scores += shown[3:5]
        repeatable += raw[1] == raw[5]
        raw_spread.append(raw[1] - raw[2])
        shown_spread.append(shown[1] - shown[2])

        # The AI, as the worker runs it: a first prompt, then at most `budget` drawings a turn.
        slots = sketch_slots(target)
        tried: list[Tried] = []
        for _ in range(attempts):
            spent: list[int] = []

            def evaluate(
                candidates: list[str], spent: list[int] = spent, features: Any = features, seed: int = seed
            ) -> list[float]:
                spent.append(len(candidates))
                return score_prompts(loaded, features, candidates, seed, size)

            started = time.perf_counter()
            prompt = next_prompt(slots, tried, evaluate, budget=budget)
            seconds.append(time.perf_counter() - started)
            drawings.append(sum(spent))
            tried.append(Tried(prompt, score_prompts(loaded, features, [prompt], seed, size)[0]))
        first, best = tried[0].score, max(t.score for t in tried)
        ai_first.append(match_score(round(first, 2), floor, ceiling))
        ai_best.append(match_score(round(best, 2), floor, ceiling))
        ai_beats_first += best > first
        ai_first_match += ai_first[-1] == 100.0
        random_score = score_prompts(loaded, features, [random_bank_prompt(rng)], seed, size)[0]
        ai_beats_random += best > random_score

    n = len(targets)
    figures = {
        "targets": n,
        "same_winner_pairs": same_winner,
        "secret_match_score_min": min(secret_scores),
        "unrelated_match_score_max": max(unrelated_scores),
        "unrelated_match_score_mean": round(statistics.mean(unrelated_scores), 2),
        "repeatable_prompts": repeatable,
        "better_minus_worse_raw_median": round(statistics.median(raw_spread), 2),
        "better_minus_worse_shown_median": round(statistics.median(shown_spread), 2),
        "ai_attempts": attempts,
        "ai_budget": budget,
        "ai_best_beats_first": ai_beats_first,
        "ai_first_already_100": ai_first_match,
        "ai_best_beats_random_bank_prompt": ai_beats_random,
        "ai_first_match_score_median": round(statistics.median(ai_first), 2),
        "ai_best_match_score_median": round(statistics.median(ai_best), 2),
        "ai_drawings_per_attempt_max": max(drawings),
        "ai_seconds_per_attempt_median": round(statistics.median(seconds), 4),
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", type=int, default=40)
    parser.add_argument("--attempts", type=int, default=3)
    parser.add_argument("--budget", type=int, default=8, help="the worker's batch size")
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--scorer", default="layout", choices=("layout", "classic", "pixel", "histogram"))
    parser.add_argument("--json", default=None)
    args = parser.parse_args()

    figures = measure(args.targets, args.attempts, args.budget, args.scorer, args.size)
    f, n, attempts, budget = figures, figures["targets"], args.attempts, args.budget
    lines = [
        "A blank picture against a partly right one (the sunset preset, 20 seeds)",
        *blank_versus_partly_right(args.size),
        f"Calibration on {n} sketch targets (scorer: {args.scorer})",
        f"  same winner, better vs worse prompt: {f['same_winner_pairs']}/{n}",
        f"  better - worse, median: raw {f['better_minus_worse_raw_median']}, "
        f"match score {f['better_minus_worse_shown_median']}",
        f"  secret prompt's match score: min {f['secret_match_score_min']:.2f}",
        f"  unrelated prompts' match score: max {f['unrelated_match_score_max']:.2f}, "
        f"mean {f['unrelated_match_score_mean']}",
        f"  same prompt, same score twice: {f['repeatable_prompts']}/{n}",
        f"The AI, {attempts} attempts, at most {budget} private drawings each",
        f"  best beats first attempt: {f['ai_best_beats_first']}/{n} "
        f"(its first was already 100 in {f['ai_first_already_100']}, nothing left to beat)",
        f"  best beats a random phrase-bank prompt: {f['ai_best_beats_random_bank_prompt']}/{n}",
        f"  match score, median: first {f['ai_first_match_score_median']}, best {f['ai_best_match_score_median']}",
        f"  drawings per attempt: max {f['ai_drawings_per_attempt_max']}; "
        f"seconds per attempt (sketch): median {f['ai_seconds_per_attempt_median']}",
    ]
    print("\n".join(lines))
    if args.json:
        write_json(args.json, figures)


if __name__ == "__main__":
    main()
