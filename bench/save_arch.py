"""Save a full-size architecture with random weights as model folders the app loads for real.

    python -m bench.save_arch --arch sd-turbo --out data/bench-models/sd-turbo

writes `<out>/pipeline` (a StableDiffusionPipeline: `AutoPipelineForText2Image.from_pretrained`
reads it), `<out>/taesd` (the tiny decoder) and `<out>/clip` (the scorer's CLIP ViT-B/32), and
prints the settings that point the app at them:

    PROMPTMATCH_ENGINE=diffusers PROMPTMATCH_MODEL_ID=<out>/pipeline PROMPTMATCH_CLIP_MODEL_ID=<out>/clip

so `python -m bench.app --engine diffusers` measures the worker on the real loading path at the
real model's size, where the real weights cannot be downloaded (speed does not depend on them).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.models import ARCHS, build_clip, build_pipeline, build_tiny_vae


def save(arch: str, out: Path) -> dict[str, str]:
    out.mkdir(parents=True, exist_ok=True)
    build_pipeline(arch).save_pretrained(out / "pipeline")
    build_tiny_vae().save_pretrained(out / "taesd")
    model, processor = build_clip(arch)
    model.save_pretrained(out / "clip")
    processor.save_pretrained(out / "clip")
    return {
        "PROMPTMATCH_ENGINE": "diffusers",
        "PROMPTMATCH_MODEL_ID": str(out / "pipeline"),
        "PROMPTMATCH_TINY_VAE_ID": str(out / "taesd"),
        "PROMPTMATCH_CLIP_MODEL_ID": str(out / "clip"),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", choices=[a for a in ARCHS if a != "tiny"], default="sd-turbo")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    for name, value in save(args.arch, Path(args.out).resolve()).items():
        print(f"{name}={value}")


if __name__ == "__main__":
    main()
