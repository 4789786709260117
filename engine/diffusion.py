"""The real generator: any Stable Diffusion family model through diffusers' AutoPipeline."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from PIL import Image

from engine.base import EngineUnavailable
from engine.scorers import missing_model_message


def resolve_device(device: str) -> str:
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def default_dtype(device: str) -> torch.dtype:
    # fp16 halves memory and doubles speed on GPUs; CPUs are slow and inexact in half precision.
    return torch.float16 if device.startswith("cuda") else torch.float32


class DiffusersGenerator:
    def __init__(
        self,
        model_id: str,
        *,
        device: str,
        dtype: torch.dtype,
        steps: int,
        guidance: float,
        local_files_only: bool,
        name: str = "diffusers",
    ) -> None:
        from diffusers import AutoPipelineForText2Image

        try:
            pipeline = AutoPipelineForText2Image.from_pretrained(
                model_id, torch_dtype=dtype, local_files_only=local_files_only
            )
        except (OSError, ValueError) as error:
            raise EngineUnavailable(missing_model_message(model_id, error)) from error
        pipeline.set_progress_bar_config(disable=True)
        self.pipeline = pipeline.to(device)
        self.name = name
        self.model_id = model_id
        self.device = device
        self.steps = steps
        self.guidance = guidance

    def generate(self, prompts: Sequence[str], *, seed: int, size: int) -> list[Image.Image]:
        # One CPU generator per image, all with the round's seed: every prompt starts from the
        # same noise, on any device and in any batch (fairness).
        generators = [torch.Generator("cpu").manual_seed(seed) for _ in prompts]
        with torch.inference_mode():
            result = self.pipeline(
                prompt=list(prompts),
                num_inference_steps=self.steps,
                guidance_scale=self.guidance,
                height=size,
                width=size,
                generator=generators,
                output_type="pil",
            )
        return list(result.images)
