"""How fast a burst of prompts becomes scored images, three ways.

    python -m bench.engine --arch sd-turbo --device cpu --size 256 --steps 1 --vae tiny \\
        --prompts 8 --batch 8 [--dtype fp32] [--compile] [--no-channels-last] [--json PATH]

- `seed`: the original experiment's way: one pipeline call per prompt, fp32, full VAE, and a
  separate CLIP call per image that embeds the target and the image together.
- `sequential`: the worker's settings (dtype, VAE, channels_last, compile), one prompt per call,
  scored against the target's cached features.
- `batched`: the worker's own path (`engine.batch.generate_and_score`), `--batch` prompts per call.

The models are the full-size architectures built from bench/archs/ with random weights. A
prompt's latency is the time from the start of the burst until its score exists: what the
student who pressed Submit waits.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from PIL import Image

from bench.models import ARCHS, build_clip, build_pipeline, build_tiny_vae, make_generator, make_scorer
from bench.report import percentile, print_table, write_json
from bench.scratch import machine
from engine.batch import generate_and_score
from engine.diffusion import DTYPES, SpeedOptions, default_dtype, resolve_device
from engine.registry import LoadedEngine
from engine.safety import ClipConceptCheck
from engine.scorers import ClipScorer

PROMPTS = [
    "a red fox sitting in fresh snow",
    "a lighthouse on a rocky coast at sunset",
    "a bowl of ramen with an egg, top view",
    "a cartoon robot watering a plant",
    "an astronaut riding a bicycle on the moon",
    "a watercolor painting of a mountain lake",
    "a cat wearing a yellow raincoat",
    "a city street at night in the rain, neon lights",
]
TARGET_PROMPT = "a small wooden boat on a calm green lake"
SEED = 1234


@dataclass
class Burst:
    """What one mode produced: images and scores in prompt order, and each prompt's latency."""

    images: list[Image.Image]
    scores: list[float]
    latencies_s: list[float]
    total_s: float
    peak_mem_mb: float

    def summary(self) -> dict[str, float]:
        count = len(self.images)
        return {
            "images_per_s": count / self.total_s,
            "s_per_image": self.total_s / count,
            "p50_s": percentile(self.latencies_s, 50),
            "p95_s": percentile(self.latencies_s, 95),
            "peak_mem_mb": self.peak_mem_mb,
        }


def burst_prompts(count: int) -> list[str]:
    return [
        PROMPTS[i % len(PROMPTS)] + ("" if i < len(PROMPTS) else f", take {i // len(PROMPTS) + 1}")
        for i in range(count)
    ]


def _reset_peak(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()


def _peak_mb(device: str) -> float:
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        return torch.cuda.max_memory_allocated() / 2**20
    # The process's peak resident memory so far (Linux reports KiB): a CPU run's high-water mark.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_seed_way(loaded: LoadedEngine, target: Image.Image, prompts: Sequence[str], size: int, device: str) -> Burst:
    scorer = loaded.scorer
    assert isinstance(scorer, ClipScorer)
    _reset_peak(device)
    images, scores, latencies = [], [], []
    start = time.perf_counter()
    for prompt in prompts:
        (image,) = loaded.generator.generate([prompt], seed=SEED, size=size)
        target_features, image_features = scorer.embed([target, image])
        scores.append(scorer.similarity(target_features, [image_features])[0])
        images.append(image)
        latencies.append(time.perf_counter() - start)
    return Burst(images, scores, latencies, time.perf_counter() - start, _peak_mb(device))


def run_worker_way(
    loaded: LoadedEngine, target_features: Any, prompts: Sequence[str], size: int, batch: int, device: str
) -> Burst:
    _reset_peak(device)
    images, scores, latencies = [], [], []
    start = time.perf_counter()
    for first in range(0, len(prompts), batch):
        chunk = list(prompts[first : first + batch])
        chunk_images, chunk_scores, _flags = generate_and_score(loaded, target_features, chunk, SEED, size)
        done = time.perf_counter() - start
        images += chunk_images
        scores += chunk_scores
        latencies += [done] * len(chunk)
    return Burst(images, scores, latencies, time.perf_counter() - start, _peak_mb(device))


@dataclass(frozen=True)
class Setup:
    arch: str
    device: str
    dtype: torch.dtype
    size: int
    steps: int
    batch: int
    vae: str
    compile: bool
    channels_last: bool
    quantize_text_encoder: bool | None = None  # None: the worker's default for the device
    runtime: str = "torch"  # torch | openvino (the worker's CPU runtime)


def build_engines(setup: Setup) -> tuple[LoadedEngine, LoadedEngine]:
    """(the seed way's engine, the worker's engine), each on its own copy of the weights."""
    pipeline = build_pipeline(setup.arch)
    clip = build_clip(setup.arch)
    seed_engine = LoadedEngine(
        engine="seed",
        generator=make_generator(
            pipeline,
            device=setup.device,
            dtype=torch.float32,
            steps=setup.steps,
            speed=SpeedOptions(channels_last=False, compile=False, decode_one_by_one=False),
            tiny_vae=None,
            max_batch=1,
            name="seed",
        ),
        scorer=make_scorer(clip, device=setup.device, dtype=torch.float32),
    )
    worker_scorer = make_scorer(clip, device=setup.device, dtype=setup.dtype)
    worker_engine = LoadedEngine(
        engine="worker",
        generator=make_generator(
            pipeline,
            device=setup.device,
            dtype=setup.dtype,
            steps=setup.steps,
            speed=SpeedOptions.for_device(
                setup.device,
                compile=setup.compile,
                channels_last=setup.channels_last,
                quantize_text_encoder=setup.quantize_text_encoder,
                runtime=setup.runtime,
            ),
            tiny_vae=build_tiny_vae() if setup.vae == "tiny" else None,
            max_batch=setup.batch,
            name="worker",
            model_id=f"bench-{setup.arch}-{setup.vae}",
        ),
        scorer=worker_scorer,
        # The real engine's output check (sd-turbo ships no safety checker): zero-shot CLIP.
        image_check=ClipConceptCheck(worker_scorer),
    )
    return seed_engine, worker_engine


def run(setup: Setup, prompt_count: int, modes: Sequence[str] = ("seed", "sequential", "batched")) -> dict[str, Burst]:
    seed_engine, worker_engine = build_engines(setup)
    prompts = burst_prompts(prompt_count)
    # Warm-up (not timed): the target, first-call allocations, and compilation if asked.
    worker_engine.generator.warm_up(setup.size)
    (target,) = worker_engine.generator.generate([TARGET_PROMPT], seed=SEED, size=setup.size)
    target_features = worker_engine.scorer.embed([target])[0]
    results: dict[str, Burst] = {}
    if "seed" in modes:
        run_seed_way(seed_engine, target, prompts[:1], setup.size, setup.device)
        results["seed"] = run_seed_way(seed_engine, target, prompts, setup.size, setup.device)
    del seed_engine
    if "sequential" in modes:
        results["sequential"] = run_worker_way(worker_engine, target_features, prompts, setup.size, 1, setup.device)
    if "batched" in modes:
        run_worker_way(worker_engine, target_features, prompts[: setup.batch], setup.size, setup.batch, setup.device)
        results["batched"] = run_worker_way(
            worker_engine, target_features, prompts, setup.size, setup.batch, setup.device
        )
    return results


def matmul_tflops(device: str, dtype: torch.dtype, n: int = 2048, repeats: int = 4) -> float:
    """This machine's own measured matrix-multiply rate: the floor a picture is held against."""
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    (a @ b).sum().item()  # warm-up
    started = time.perf_counter()
    for _ in range(repeats):
        c = a @ b
    c.sum().item()
    return 2 * n**3 * repeats / (time.perf_counter() - started) / 1e12


def unet_tflop(arch: str, size: int) -> float:
    """The UNet's arithmetic for one picture of `size` px (one step), counted by PyTorch."""
    from torch.utils.flop_counter import FlopCounterMode

    unet = build_pipeline(arch).unet
    latents = torch.zeros(1, unet.config.in_channels, size // 8, size // 8)
    text = torch.zeros(1, 77, unet.config.cross_attention_dim)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        unet(latents, torch.tensor([999]), encoder_hidden_states=text)
    return counter.get_total_flops() / 1e12


def summarize(results: dict[str, Burst]) -> dict[str, dict[str, float]]:
    table = {mode: burst.summary() for mode, burst in results.items()}
    for summary in table.values():
        if "seed" in table:
            summary["speedup_vs_seed"] = summary["images_per_s"] / table["seed"]["images_per_s"]
        if "sequential" in table:
            summary["speedup_vs_sequential"] = summary["images_per_s"] / table["sequential"]["images_per_s"]
    return table


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", choices=ARCHS, default="sd-turbo")
    parser.add_argument("--device", default="auto", help="cpu, cuda, cuda:0 … (default: cuda when present)")
    parser.add_argument("--dtype", choices=sorted(DTYPES), help="default: fp16 on CUDA, fp32 on the CPU")
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--steps", type=int, default=1)
    parser.add_argument("--prompts", type=int, default=30, help="prompts in the burst")
    parser.add_argument("--batch", type=int, default=8, help="prompts per pipeline call (batched mode)")
    parser.add_argument("--vae", choices=["full", "tiny"], default="full")
    parser.add_argument("--compile", action="store_true", help="torch.compile the UNet and the VAE decoder")
    parser.add_argument("--channels-last", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--quantize-text-encoder",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="int8 text encoder (default: on for the CPU, as the worker does)",
    )
    parser.add_argument(
        "--runtime", choices=["torch", "openvino"], default="torch", help="the worker's runtime (seed way: torch)"
    )
    parser.add_argument("--modes", nargs="+", default=["seed", "sequential", "batched"])
    parser.add_argument(
        "--floor",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure this machine's matrix rate and the UNet's share of it",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    device = resolve_device(args.device)
    setup = Setup(
        arch=args.arch,
        device=device,
        dtype=DTYPES[args.dtype] if args.dtype else default_dtype(device),
        size=args.size,
        steps=args.steps,
        batch=args.batch,
        vae=args.vae,
        compile=args.compile,
        channels_last=args.channels_last,
        quantize_text_encoder=args.quantize_text_encoder,
        runtime=args.runtime,
    )
    torch.set_grad_enabled(False)
    print(machine())
    print(f"{setup}, burst of {args.prompts}")
    table = summarize(run(setup, args.prompts, args.modes))
    columns = [
        "images_per_s",
        "s_per_image",
        "p50_s",
        "p95_s",
        "peak_mem_mb",
        "speedup_vs_seed",
        "speedup_vs_sequential",
    ]
    print_table(["mode", *columns], [[mode, *(row.get(c, "") for c in columns)] for mode, row in table.items()])
    options = {**vars(args), "device": device, "dtype": str(setup.dtype).removeprefix("torch."), "machine": machine()}
    floor = {}
    if args.floor:
        floor = near_the_limit(args.arch, args.size, device, table)
    write_json(args.json, {**table, "options": options, "floor": floor})


def near_the_limit(arch: str, size: int, device: str, table: dict[str, dict[str, float]]) -> dict[str, float]:
    """How far the fastest mode is from this processor's own matrix rate: the UNet's
    arithmetic per picture over the whole picture's time (decoder, text encoder and CLIP
    included, so the UNet's own share is at least this)."""
    flop = unet_tflop(arch, size)
    rates = {"fp32": matmul_tflops(device, torch.float32), "bf16": matmul_tflops(device, torch.bfloat16)}
    best = min(row["s_per_image"] for row in table.values())
    reached = flop / best
    print(
        f"UNet: {flop:.3f} TFLOP a picture at {size} px. This machine multiplies matrices at "
        f"{rates['bf16']:.3f} TFLOP/s in bf16 and {rates['fp32']:.3f} in fp32; the fastest mode's pictures "
        f"reach {reached:.3f} TFLOP/s of UNet arithmetic, {100 * reached / max(rates.values()):.0f} % of the best rate."
    )
    return {"unet_tflop": flop, "bf16_tflops": rates["bf16"], "fp32_tflops": rates["fp32"], "reached_tflops": reached}


if __name__ == "__main__":
    main()
