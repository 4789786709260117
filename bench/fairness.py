"""Is a picture the same whether it was drawn alone or in a batch with others? (Fairness.)

    python -m bench.fairness --arch sd-turbo --device cuda --size 512 --prompts 30 \\
        --batches 8 16 30 [--vae tiny] [--compile] [--deterministic] [--json PATH]

Every prompt of a round must be drawn with the same seed and settings, whatever other prompts
share its pipeline call: otherwise a student's score depends on who pressed Submit at the same
moment. This draws `--prompts` prompts one at a time, then in batches of each `--batches` size,
through the worker's own path (`engine.batch.generate_and_score`), and prints the largest
difference of any pixel (0-255) and of any score (match points × 100 scale) against the
picture drawn alone. `--deterministic` turns on PyTorch's deterministic kernels (cuDNN
deterministic, no benchmark autotuning) and reports what that costs in pictures per second.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import torch

from bench.engine import TARGET_PROMPT, Setup, build_engines, burst_prompts
from bench.report import print_table, write_json
from bench.scratch import machine
from engine.batch import generate_and_score
from engine.diffusion import DTYPES, default_dtype, resolve_device

SEED = 1234


def draw(loaded: Any, target_features: Any, prompts: list[str], size: int, batch: int) -> tuple[list, list, float]:
    images: list = []
    scores: list[float] = []
    start = time.perf_counter()
    for first in range(0, len(prompts), batch):
        chunk = prompts[first : first + batch]
        chunk_images, chunk_scores, _flags = generate_and_score(loaded, target_features, chunk, SEED, size)
        images += chunk_images
        scores += chunk_scores
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return images, scores, time.perf_counter() - start


def largest_differences(alone: tuple[list, list], batched: tuple[list, list]) -> dict[str, float]:
    pixel = max(
        int(np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16)).max())
        for a, b in zip(alone[0], batched[0], strict=True)
    )
    score = max(abs(a - b) for a, b in zip(alone[1], batched[1], strict=True))
    differing = sum(
        1 for a, b in zip(alone[0], batched[0], strict=True) if not np.array_equal(np.asarray(a), np.asarray(b))
    )
    return {"max_pixel_diff": float(pixel), "max_score_diff": float(score), "pictures_differing": float(differing)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", default="sd-turbo")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--dtype", choices=sorted(DTYPES))
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--steps", type=int, default=1)
    parser.add_argument("--prompts", type=int, default=30)
    parser.add_argument("--batches", type=int, nargs="+", default=[8, 16, 30])
    parser.add_argument("--vae", choices=["full", "tiny"], default="full")
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--deterministic", action="store_true", help="PyTorch's deterministic kernels")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    device = resolve_device(args.device)
    if args.deterministic:
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    torch.set_grad_enabled(False)
    setup = Setup(
        arch=args.arch,
        device=device,
        dtype=DTYPES[args.dtype] if args.dtype else default_dtype(device),
        size=args.size,
        steps=args.steps,
        batch=max(args.batches),
        vae=args.vae,
        compile=args.compile,
        channels_last=True,
    )
    print(machine())
    print(f"{setup}, {args.prompts} prompts, deterministic={args.deterministic}")
    _seed_engine, loaded = build_engines(setup)
    del _seed_engine
    loaded.generator.warm_up(args.size)
    (target,) = loaded.generator.generate([TARGET_PROMPT], seed=SEED, size=args.size)
    target_features = loaded.scorer.embed([target])[0]
    prompts = burst_prompts(args.prompts)
    draw(loaded, target_features, prompts[:2], args.size, 1)  # allocator warm-up
    alone_images, alone_scores, alone_s = draw(loaded, target_features, prompts, args.size, 1)
    rows = [
        {
            "batch": 1,
            "s": alone_s,
            "images_per_s": len(prompts) / alone_s,
            **largest_differences((alone_images, alone_scores), (alone_images, alone_scores)),
        }
    ]
    for batch in args.batches:
        draw(loaded, target_features, prompts[:batch], args.size, batch)  # warm-up at this shape
        images, scores, seconds = draw(loaded, target_features, prompts, args.size, batch)
        rows.append(
            {
                "batch": batch,
                "s": seconds,
                "images_per_s": len(prompts) / seconds,
                **largest_differences((alone_images, alone_scores), (images, scores)),
            }
        )
    columns = ["batch", "s", "images_per_s", "max_pixel_diff", "max_score_diff", "pictures_differing"]
    print_table(columns, [[row[c] for c in columns] for row in rows])
    write_json(args.json, {"rows": rows, "options": {**vars(args), "device": device}, "machine": machine()})


if __name__ == "__main__":
    main()
