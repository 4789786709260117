"""What each model preset draws for the game's own prompts, for a person to compare.

    python -m bench.quality [--models sdxs sd-turbo] [--size 512] [--out bench/results/quality]

On a machine where a preset's real weights are in the Hugging Face cache (`python -m
engine.download --model NAME`), draws every prompt of the preset library (game/presets.py)
with the round's fixed seed, and writes a contact sheet per model (`<out>/<model>.png`, one
picture per prompt, the prompt under it) and each picture's CLIP text-image score (cosine of
the prompt's and the picture's CLIP features × 100: how well the picture shows the prompt).
A preset whose weights are missing is skipped with a clear message: speed can be measured
with random weights (bench.engine), pictures cannot.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import torch
from PIL import Image, ImageDraw

from bench.report import print_table, write_json
from bench.scratch import machine
from config import load_settings
from engine.base import EngineUnavailable
from engine.diffusion import DiffusersGenerator, default_dtype, resolve_device
from engine.models import model_preset
from engine.scorers import ClipScorer
from game.presets import PRESETS

SEED = 1234
CAPTION_H = 36


def contact_sheet(pictures: list[Image.Image], captions: list[str], columns: int = 4, side: int = 256) -> Image.Image:
    rows = -(-len(pictures) // columns)
    sheet = Image.new("RGB", (columns * side, rows * (side + CAPTION_H)), "white")
    draw = ImageDraw.Draw(sheet)
    for i, (picture, caption) in enumerate(zip(pictures, captions, strict=True)):
        x, y = (i % columns) * side, (i // columns) * (side + CAPTION_H)
        sheet.paste(picture.resize((side, side)), (x, y))
        draw.text((x + 4, y + side + 4), caption[:40], fill="black")
    return sheet


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=["sdxs", "sd-turbo"])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--out", default="bench/results/quality")
    args = parser.parse_args(argv)
    settings = load_settings()
    device = resolve_device(settings.device)
    dtype = default_dtype(device)
    out = Path(args.out)
    prompts = [preset.prompt for preset in PRESETS]
    print(machine())
    try:
        clip = ClipScorer.from_pretrained(settings.clip_model_id, device=device, dtype=dtype, local_files_only=True)
    except EngineUnavailable as missing:
        print(f"Skipped: the CLIP model is not on this computer ({missing}).")
        return 0
    rows, figures = [], {}
    for name in args.models:
        preset = model_preset(name)
        try:
            generator = DiffusersGenerator.from_pretrained(
                preset.repository, device=device, dtype=dtype, local_files_only=True, steps=preset.steps, guidance=0.0
            )
        except EngineUnavailable:
            print(
                f"Skipped {name}: {preset.repository} is not in this computer's cache "
                f"(python -m engine.download --model {name} fetches it)."
            )
            continue
        pictures = [generator.generate([prompt], seed=SEED, size=args.size)[0] for prompt in prompts]
        with torch.inference_mode():
            texts = clip.embed_text(prompts)
            images = torch.stack(list(clip.embed(pictures)))
            scores = (torch.nn.functional.cosine_similarity(texts.float(), images.float()) * 100).tolist()
        out.mkdir(parents=True, exist_ok=True)
        sheet_name = re.sub(r"[^\w.-]+", "-", name).strip("-") or "model"  # a folder's path, too
        contact_sheet(pictures, prompts).save(out / f"{sheet_name}.png")
        figures[name] = dict(zip(prompts, scores, strict=True))
        rows.append([name, sum(scores) / len(scores), min(scores), max(scores)])
    if rows:
        print_table(["model", "clip_text_image_mean", "min", "max"], rows)
        write_json(str(out / "quality.json"), {"size": args.size, "scores": figures, "machine": machine()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
