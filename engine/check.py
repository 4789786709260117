"""Can this computer run a class? Times the picture model here and says how long a class waits.

    python -m engine.check                 # the configured model, at every picture size
    python -m engine.check --sizes 384 --class-size 25

Loads the model the game would use (PROMPTMATCH_MODEL and the other settings), draws one
picture alone and a batch of four at each size, and says in plain words how long a class's
last student waits for their picture when everyone submits at once, and which size keeps that
under half a minute. The *Create game* form preselects the default size
(PROMPTMATCH_IMAGE_SIZE); set it to the suggested one.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

from config import Settings, load_settings
from engine.base import EngineUnavailable

SIZES = (256, 384, 512)
CLASS_SIZE = 30
CLASS_WAIT_S = 30.0  # what a class can wait for its last picture
BATCH = 4


@dataclass(frozen=True)
class Timing:
    size: int
    one_s: float  # one prompt alone
    per_picture_s: float  # per picture in a batch of BATCH

    def class_wait_s(self, class_size: int) -> float:
        """The last student's wait when a whole class submits at once: the pictures are drawn
        in batches, so about class_size pictures at the batched speed."""
        return class_size * self.per_picture_s


def suggested_size(timings: list[Timing], class_size: int = CLASS_SIZE) -> int | None:
    """The largest size whose class wait is under CLASS_WAIT_S, or None if none is."""
    fitting = [t.size for t in timings if t.class_wait_s(class_size) <= CLASS_WAIT_S]
    return max(fitting) if fitting else None


def verdict(timings: list[Timing], class_size: int = CLASS_SIZE) -> str:
    """The answer in plain words (the command's output; bench and tests read it too)."""
    lines = []
    for timing in timings:
        lines.append(
            f"At {timing.size} px this computer draws one picture in {timing.one_s:.1f} s "
            f"({timing.per_picture_s:.1f} s a picture when several come together): a class of {class_size} "
            f"would wait about {timing.class_wait_s(class_size):.0f} s for its last picture."
        )
    best = suggested_size(timings, class_size)
    if best is None:
        smallest = min(timings, key=lambda t: t.size)
        lines.append(
            f"No size keeps a class of {class_size} under half a minute here (at {smallest.size} px the last "
            f"picture takes {smallest.class_wait_s(class_size):.0f} s). Play in small groups, use the offline "
            "drawing engine (PROMPTMATCH_ENGINE=sketch), or run the game on a computer with a graphics card."
        )
    else:
        lines.append(
            f"Suggested picture size: {best} px (a class of {class_size} waits under half a minute). "
            f"Start the game with PROMPTMATCH_IMAGE_SIZE={best}, or choose it on the Create game form."
        )
    return "\n".join(lines)


def measure(settings: Settings, sizes: tuple[int, ...] = SIZES) -> list[Timing]:
    from engine.registry import EngineRegistry

    registry = EngineRegistry(settings.with_changes(batch_size=BATCH))
    generator = registry.generator("diffusers" if settings.engine in ("auto", "diffusers") else settings.engine)
    timings = []
    for size in sizes:
        generator.generate(["warm-up"], seed=1, size=size)
        started = time.perf_counter()
        generator.generate(["a red fox sitting in fresh snow"], seed=1, size=size)
        one = time.perf_counter() - started
        started = time.perf_counter()
        generator.generate([f"a lighthouse on a rocky coast, take {i}" for i in range(BATCH)], seed=1, size=size)
        timings.append(Timing(size, one, (time.perf_counter() - started) / BATCH))
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--class-size", type=int, default=CLASS_SIZE)
    args = parser.parse_args(argv)
    settings = load_settings()
    print(f"Timing {settings.model_id} on this computer (the first start prepares the model: minutes)…", flush=True)
    try:
        timings = measure(settings, tuple(args.sizes))
    except EngineUnavailable as error:  # a missing model, a broken download: say so, no traceback
        print(f"The picture model cannot be loaded: {error}", file=sys.stderr)
        return 2
    print(verdict(timings, args.class_size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
