"""Full-size model architectures with random weights, built from the configs in bench/archs/."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import torch

from config import PROJECT_DIR
from engine.diffusion import DiffusersGenerator, SpeedOptions
from engine.scorers import ClipScorer
from engine.tiny import build_tiny_tokenizer, ensure_tiny_models

ARCHS_DIR = Path(__file__).resolve().parent / "archs"
ARCHS = ("sdxs", "sd-turbo", "sd15", "tiny")
# sd-turbo's scheduler: Euler with trailing timesteps, good for 1 to 4 steps.
SCHEDULER = {
    "beta_start": 0.00085,
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "timestep_spacing": "trailing",
    "steps_offset": 1,
}


def _config(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def build_pipeline(arch: str, seed: int = 0) -> Any:
    """A StableDiffusionPipeline of the architecture, fp32 on the CPU, random weights."""
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    if arch == "tiny":
        pipeline_dir, _ = ensure_tiny_models(PROJECT_DIR / "data" / "models")
        return StableDiffusionPipeline.from_pretrained(pipeline_dir, local_files_only=True)
    torch.manual_seed(seed)
    text = _config(ARCHS_DIR / arch / "text_encoder.json")
    text.pop("architectures", None)
    return StableDiffusionPipeline(
        unet=UNet2DConditionModel.from_config(_config(ARCHS_DIR / arch / "unet.json")),
        vae=AutoencoderKL.from_config(_config(ARCHS_DIR / "common" / "vae.json")),
        text_encoder=CLIPTextModel(CLIPTextConfig(**text)),
        tokenizer=build_tiny_tokenizer(),
        scheduler=EulerDiscreteScheduler(**SCHEDULER),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )


def build_tiny_vae(seed: int = 0) -> Any:
    from diffusers import AutoencoderTiny

    torch.manual_seed(seed)
    return AutoencoderTiny.from_config(_config(ARCHS_DIR / "common" / "taesd.json"))


def build_clip(arch: str, seed: int = 0) -> tuple[Any, Any]:
    """The scorer's CLIPModel and CLIPProcessor: ViT-B/32, or the tiny test CLIP."""
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    if arch == "tiny":
        _, clip_dir = ensure_tiny_models(PROJECT_DIR / "data" / "models")
        return CLIPModel.from_pretrained(clip_dir), CLIPProcessor.from_pretrained(clip_dir)
    torch.manual_seed(seed)
    config = _config(ARCHS_DIR / "common" / "clip-vit-b32.json")
    processor_settings = config.pop("image_processor")
    config.pop("architectures", None)
    processor = CLIPProcessor(
        image_processor=CLIPImageProcessor(**processor_settings), tokenizer=build_tiny_tokenizer()
    )
    return CLIPModel(CLIPConfig(**config)), processor


def make_generator(
    pipeline: Any,
    *,
    device: str,
    dtype: torch.dtype,
    steps: int,
    speed: SpeedOptions,
    tiny_vae: Any | None,
    max_batch: int,
    name: str,
    model_id: str = "",
) -> DiffusersGenerator:
    """A generator on its own copy of the weights (modes must not share converted modules).
    OpenVINO conversions are kept in data/openvino under `model_id`, as the worker keeps its."""
    return DiffusersGenerator(
        copy.deepcopy(pipeline),
        device=device,
        dtype=dtype,
        steps=steps,
        guidance=0.0,
        name=name,
        speed=speed,
        tiny_vae=copy.deepcopy(tiny_vae) if tiny_vae is not None else None,
        max_batch=max_batch,
        model_id=model_id or name,
        cache_dir=PROJECT_DIR / "data" / "openvino",
    )


def make_scorer(clip: tuple[Any, Any], *, device: str, dtype: torch.dtype) -> ClipScorer:
    model, processor = clip
    return ClipScorer(copy.deepcopy(model), processor, device=device, dtype=dtype)
