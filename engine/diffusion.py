"""The real generator: any Stable Diffusion family model through diffusers' AutoPipeline.

The speed settings (`SpeedOptions`) are applied here and nowhere else, so the production
worker and `python -m bench.engine` run exactly the same code. Each one is on by default only
where bench/RESULTS.md shows that it pays.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from engine.base import EngineUnavailable
from engine.scorers import missing_model_message

log = logging.getLogger(__name__)

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


def resolve_device(device: str) -> str:
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def default_dtype(device: str) -> torch.dtype:
    # fp16 halves memory and doubles speed on GPUs; CPUs are slow and inexact in half precision.
    return torch.float16 if device.startswith("cuda") else torch.float32


@dataclass(frozen=True)
class SpeedOptions:
    # channels_last: oneDNN and cuDNN convolutions prefer NHWC (bench: UNet batch 8 on CPU 9% faster).
    channels_last: bool = True
    # torch.compile of the UNet and the VAE decoder; compiled once per batch size at warm-up.
    compile: bool = False
    # VAE decode one image at a time: on a CPU a batch of 8 decodes is slower per image than
    # one decode (the activations of a 256-px batch fall out of cache); on a GPU it is not.
    decode_one_by_one: bool = False
    # Treat subnormal floats as zero on the CPU, where arithmetic on them is microcoded and very
    # slow (bench: UNet 18% faster); far below what an 8-bit pixel can show. No effect on GPUs.
    flush_denormal: bool = False
    # int8 dynamic quantization of the text encoder's linear layers, on the CPU: the SD 2.1
    # text tower (OpenCLIP ViT-H, 24 layers) encodes 8 prompts in 2.02 s in fp32 and 0.48 s in
    # int8, one prompt at a time (bench/RESULTS.md); embeddings at cosine 0.998 of fp32.
    quantize_text_encoder: bool = False
    # torch or openvino (engine/openvino_runtime.py): on a CPU, OpenVINO runs the same UNet
    # 2.7x faster batched and 4.2x alone in bf16 (bench/RESULTS.md), batch-invariant.
    runtime: str = "torch"

    @staticmethod
    def for_device(
        device: str,
        *,
        compile: bool = False,
        channels_last: bool = True,
        quantize_text_encoder: bool | None = None,
        runtime: str = "torch",
    ) -> SpeedOptions:
        on_cpu = device == "cpu"
        if runtime == "openvino":
            # OpenVINO runs the UNet and the decoder; the text encoder stays torch's int8 one,
            # one prompt at a time: 0.48 s for 8 prompts against 1.18 s in OpenVINO bf16
            # (bench/RESULTS.md), since VNNI int8 beats bf16 on these CPUs.
            return SpeedOptions(channels_last=False, quantize_text_encoder=True, runtime="openvino")
        return SpeedOptions(
            channels_last=channels_last,
            compile=compile,
            decode_one_by_one=on_cpu,
            flush_denormal=on_cpu,
            quantize_text_encoder=on_cpu if quantize_text_encoder is None else quantize_text_encoder,
        )


def quantized_text_encoder(model: torch.nn.Module) -> torch.nn.Module:
    """The text encoder with its Linear layers in int8, activations quantized on the fly (CPU).

    Dynamic quantization picks one activation scale for the whole input tensor, so in a batch
    a prompt's embedding would depend on the other prompts in it (max difference 0.37 on the
    ViT-H tower): unfair. The quantized encoder therefore reads one prompt at a time, and
    every prompt gets the embedding it would get alone. torch marks this eager API as moving
    to torchao, which nothing else here needs, so its warning is silenced.
    """
    import warnings

    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantized = quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    return one_prompt_at_a_time(quantized)


def one_prompt_at_a_time(model: torch.nn.Module) -> torch.nn.Module:
    """Make `model(input_ids, attention_mask=…)` run row by row and join the outputs."""
    batched_forward = model.forward

    def forward(input_ids: torch.Tensor | None = None, attention_mask: torch.Tensor | None = None, **kwargs: Any):
        if input_ids is None or len(input_ids) <= 1:
            return batched_forward(input_ids=input_ids, attention_mask=attention_mask, **kwargs)
        rows = [
            batched_forward(
                input_ids=input_ids[i : i + 1],
                attention_mask=None if attention_mask is None else attention_mask[i : i + 1],
                **kwargs,
            )
            for i in range(len(input_ids))
        ]
        joined: dict[str, Any] = {}
        for name in rows[0]:
            values = [row[name] for row in rows]
            if isinstance(values[0], torch.Tensor):
                joined[name] = torch.cat(values)
            elif isinstance(values[0], tuple):  # hidden states, one tensor per layer
                joined[name] = tuple(torch.cat(layer) for layer in zip(*values, strict=True))
        return type(rows[0])(**joined)

    model.forward = forward  # type: ignore[method-assign]
    return model


def batch_sizes(limit: int) -> list[int]:
    """The fixed batch sizes a compiled pipeline is warmed up for: 1, 2, 4, … up to `limit`."""
    sizes = [1]
    while sizes[-1] * 2 <= limit:
        sizes.append(sizes[-1] * 2)
    if sizes[-1] != limit:
        sizes.append(limit)
    return sizes


def padded_size(count: int, limit: int) -> int:
    return next(size for size in batch_sizes(max(limit, count)) if size >= count)


def load_tiny_vae(model_id: str, *, dtype: torch.dtype, local_files_only: bool) -> Any:
    from diffusers import AutoencoderTiny

    try:
        return AutoencoderTiny.from_pretrained(model_id, torch_dtype=dtype, local_files_only=local_files_only)
    except (OSError, ValueError) as error:
        raise EngineUnavailable(missing_model_message(model_id, error)) from error


def _to_dtype(pipeline: Any, dtype: torch.dtype) -> Any:
    """Cast only the components not already in `dtype` (diffusers warns on every cast)."""
    for component in pipeline.components.values():
        if isinstance(component, torch.nn.Module) and component.dtype != dtype:
            component.to(dtype=dtype)
    return pipeline


class DiffusersGenerator:
    def __init__(
        self,
        pipeline: Any,
        *,
        device: str,
        dtype: torch.dtype,
        steps: int,
        guidance: float,
        name: str = "diffusers",
        speed: SpeedOptions | None = None,
        tiny_vae: Any | None = None,
        max_batch: int = 8,
        model_id: str = "",
        cache_dir: Path | None = None,
    ) -> None:
        pipeline.set_progress_bar_config(disable=True)
        # A shipped safety checker is run by engine/safety.py after generation, on every
        # engine the same way; inside the pipeline it would only black out the image.
        self.safety_checker = getattr(pipeline, "safety_checker", None)
        self.feature_extractor = getattr(pipeline, "feature_extractor", None)
        if self.safety_checker is not None:
            pipeline.safety_checker = None
        if tiny_vae is not None:
            # TAESD: the same latents, decoded by a network ~50x smaller than the SD VAE.
            pipeline.vae = tiny_vae
        self.pipeline = _to_dtype(pipeline, dtype).to(device)
        self.name = name
        self.device = device
        self.dtype = dtype
        self.steps = steps
        self.guidance = guidance
        self.speed = speed or SpeedOptions.for_device(device)
        self.max_batch = max_batch
        self.model_id = model_id
        self.cache_dir = cache_dir
        # What every image of a round must share (stamped on the round): runtime and precision.
        self.runtime = f"torch-{str(dtype).removeprefix('torch.')}"
        self.conversion_s: dict[str, float] = {}
        self._apply_speed_options()

    @classmethod
    def from_pretrained(
        cls,
        model_id: str,
        *,
        device: str,
        dtype: torch.dtype,
        local_files_only: bool,
        tiny_vae_id: str | None = None,
        tiny_vae_optional: bool = False,
        **options: Any,
    ) -> DiffusersGenerator:
        from diffusers import AutoPipelineForText2Image

        try:
            pipeline = AutoPipelineForText2Image.from_pretrained(
                model_id, torch_dtype=dtype, local_files_only=local_files_only
            )
        except (OSError, ValueError) as error:
            raise EngineUnavailable(missing_model_message(model_id, error)) from error
        tiny_vae = None
        if tiny_vae_id:
            try:
                tiny_vae = load_tiny_vae(tiny_vae_id, dtype=dtype, local_files_only=local_files_only)
            except EngineUnavailable:
                if not tiny_vae_optional:
                    raise
                # The tiny decoder was only preferred (PROMPTMATCH_VAE=auto on a CPU): a model
                # downloaded before it existed still plays, with its own full decoder.
                log.warning("the tiny decoder %s is not on this computer: using the model's own", tiny_vae_id)
        return cls(pipeline, device=device, dtype=dtype, tiny_vae=tiny_vae, model_id=model_id, **options)

    def _apply_speed_options(self) -> None:
        if self.speed.runtime == "openvino":
            from engine.openvino_runtime import convert_pipeline, cpu_precision

            precision = cpu_precision()
            cache = self.cache_dir or Path.home() / ".cache" / "promptmatch" / "openvino"
            self.conversion_s = convert_pipeline(
                self.pipeline, model_id=self.model_id or self.name, cache_dir=cache, precision=precision
            )
            if self.speed.quantize_text_encoder:
                self.pipeline.text_encoder = quantized_text_encoder(self.pipeline.text_encoder)
            self.runtime = f"openvino-{precision}"
            return
        unet, vae = self.pipeline.unet, self.pipeline.vae
        if self.speed.channels_last:
            unet.to(memory_format=torch.channels_last)
            vae.to(memory_format=torch.channels_last)
        if self.speed.decode_one_by_one and hasattr(vae, "enable_slicing"):
            vae.enable_slicing()
        if self.speed.quantize_text_encoder and self.device == "cpu":
            self.pipeline.text_encoder = quantized_text_encoder(self.pipeline.text_encoder)
        if self.speed.compile:
            unet.compile(fullgraph=True)
            vae.decoder.compile(fullgraph=True)

    def warm_up(self, size: int) -> None:
        """Run every fixed batch size once, so that compilation and allocator growth happen
        before the first student waits."""
        for count in batch_sizes(self.max_batch) if self.speed.compile else [1]:
            self.generate(["warm-up"] * count, seed=0, size=size)

    def generate(self, prompts: Sequence[str], *, seed: int, size: int) -> list[Image.Image]:
        # A compiled pipeline runs fixed batch sizes (no recompiling for a batch of 5): pad
        # with copies of the last prompt and drop their images.
        count = len(prompts)
        padded = list(prompts)
        if self.speed.compile:
            padded += [prompts[-1]] * (padded_size(count, self.max_batch) - count)
        # One CPU generator per image, all with the round's seed: every prompt starts from the
        # same noise, on any device and in any batch (fairness).
        generators = [torch.Generator("cpu").manual_seed(seed) for _ in padded]
        if self.device == "cpu":
            torch.set_flush_denormal(self.speed.flush_denormal)
        with torch.inference_mode():
            result = self.pipeline(
                prompt=padded,
                num_inference_steps=self.steps,
                guidance_scale=self.guidance,
                height=size,
                width=size,
                generator=generators,
                output_type="pil",
            )
        return list(result.images)[:count]
