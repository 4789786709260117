"""One worker's memory with each CPU runtime: the full sd-turbo architecture (random weights),
TAESD, a batch of 8 at 256 px, in a fresh process per runtime.

    python -m bench.memory --runtime torch
    python -m bench.memory --runtime openvino

Prints the resident memory after the batch and the process's peak. The OpenVINO conversion is
kept in data/openvino (run the OpenVINO bench once first, or the first run converts)."""

from __future__ import annotations

import argparse
import gc
import resource

import psutil
import torch

from bench.models import build_pipeline, build_tiny_vae
from config import PROJECT_DIR
from engine.diffusion import DiffusersGenerator, SpeedOptions


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime", choices=["torch", "openvino"], default="torch")
    args = parser.parse_args(argv)
    torch.set_grad_enabled(False)
    generator = DiffusersGenerator(
        build_pipeline("sd-turbo"),
        device="cpu",
        dtype=torch.float32,
        steps=1,
        guidance=0.0,
        name="worker",
        speed=SpeedOptions.for_device("cpu", runtime=args.runtime),
        tiny_vae=build_tiny_vae(),
        max_batch=8,
        model_id="bench-sd-turbo-tiny",
        cache_dir=PROJECT_DIR / "data" / "openvino",
    )
    gc.collect()
    generator.generate([f"a red circle number {i}" for i in range(8)], seed=1, size=256)
    gc.collect()
    steady = psutil.Process().memory_info().rss / 2**30
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # kB on Linux
    print(f"{args.runtime}: {steady:.2f} GB resident after a batch of 8, {peak:.2f} GB peak")


if __name__ == "__main__":
    main()
