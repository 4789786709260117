"""OpenVINO for the CPU worker: the UNet and the VAE (or TAESD) decoder of a loaded diffusers
pipeline, converted from the torch modules once, kept on disk, and run by OpenVINO in bf16
where the CPU has it (AVX512_BF16, AMX) and fp32 elsewhere. The text encoder stays torch's
int8 one (engine/diffusion.py): 0.48 s for 8 prompts, against 1.18 s in OpenVINO bf16.

The pipeline object stays diffusers' own: each converted part replaces its torch module with a
small module that calls the compiled OpenVINO model, so `DiffusersGenerator.generate`, the
worker, the bench and the tests do not change. Shapes are dynamic (batch, latent size), so one
converted model serves every batch size and picture size; OpenVINO compiles each shape it
meets once. A prompt's result does not depend on its batch-mates (tests/test_openvino.py).
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import shutil
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

log = logging.getLogger(__name__)


def installed() -> bool:
    try:
        import openvino  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_runtime(requested: str, device: str) -> str:
    """torch or openvino: `auto` takes OpenVINO on a CPU when it is installed."""
    if requested == "openvino" and not installed():
        raise RuntimeError("PROMPTMATCH_CPU_RUNTIME=openvino, but the openvino package is not installed")
    if requested == "auto":
        return "openvino" if device == "cpu" and installed() else "torch"
    return requested


def cpu_precision() -> str:
    """bf16 where the CPU computes in it natively, else f32 (what OpenVINO would pick itself,
    said explicitly so that the round can name it)."""
    import openvino as ov

    capabilities = ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    return "bf16" if "BF16" in capabilities else "f32"


class _UNetCall(torch.nn.Module):
    def __init__(self, unet: torch.nn.Module) -> None:
        super().__init__()
        self.unet = unet

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, encoder_hidden_states: torch.Tensor) -> Any:
        return self.unet(sample, timestep, encoder_hidden_states=encoder_hidden_states, return_dict=False)[0]


class _OpenVINOPart(torch.nn.Module):
    """Stands where the torch module stood; diffusers reads `config`, `dtype` and `device`."""

    def __init__(self, compiled: Any, original: torch.nn.Module) -> None:
        super().__init__()
        self.compiled = compiled
        self.config = getattr(original, "config", None)
        self._dtype = torch.float32

    @property
    def dtype(self) -> torch.dtype:
        return self._dtype

    @property
    def device(self) -> torch.device:
        return torch.device("cpu")

    def run(self, *inputs: torch.Tensor) -> torch.Tensor:
        arrays = [x.detach().cpu().numpy() for x in inputs]
        return torch.from_numpy(np.asarray(self.compiled(arrays)[0]))


class OpenVINOUNet(_OpenVINOPart):
    def forward(
        self, sample: torch.Tensor, timestep: Any, encoder_hidden_states: torch.Tensor, *args: Any, **kwargs: Any
    ) -> Any:
        step = torch.as_tensor(timestep, dtype=torch.float32).reshape(())
        out = self.run(sample.float(), step, encoder_hidden_states.float())
        if kwargs.get("return_dict", True):
            from diffusers.models.unets.unet_2d_condition import UNet2DConditionOutput

            return UNet2DConditionOutput(sample=out)
        return (out,)


class OpenVINODecoder(_OpenVINOPart):
    def forward(self, latents: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        return self.run(latents.float())


def _cache_key(model_id: str, part: str, described_by: Any) -> str:
    """Names a converted model by what it was converted from: the model, the part, its config.
    diffusers' own bookkeeping in a config (`_use_default_values`, a list made from a set whose
    order changes from one process to the next) is left out, or a restart would convert again."""
    if isinstance(described_by, dict):
        described_by = {name: value for name, value in described_by.items() if not str(name).startswith("_")}
    described = json.dumps(described_by, sort_keys=True, default=str)
    return hashlib.sha256(f"{model_id}|{part}|{described}".encode()).hexdigest()[:16]


def _converted(
    cache_dir: Path,
    model_id: str,
    part: str,
    described_by: Any,
    module: Callable[[], torch.nn.Module],
    example: tuple,
    shapes: list,
    precision: str,
) -> Any:
    """The part as an OpenVINO model: read from `cache_dir` when converted before, else
    converted from the torch module `module()` gives (with example inputs for tracing) and
    saved there. The torch module is only built when a conversion is needed.

    OpenVINO keeps the weights of the model it compiled beside its own bf16 copy, so for a
    bf16 computation they are saved in fp16 (no loss: bf16 keeps fewer digits than fp16), and
    the model is always compiled from the saved file: the sd-turbo UNet's 3.5 GB of fp32
    weights would otherwise stay in memory (`python -m bench.memory`)."""
    import openvino as ov

    weights = "fp16" if precision == "bf16" else "fp32"
    path = cache_dir / f"{part}-{_cache_key(model_id, part, described_by)}-{weights}.xml"
    if path.exists():
        return ov.Core().read_model(path)
    started = time.perf_counter()
    log.info("converting the %s of %s for OpenVINO (once; kept in %s)", part, model_id, cache_dir)
    with torch.no_grad(), warnings.catch_warnings():
        # Tracing warns about Python branches on shapes; the shapes that matter are dynamic
        # inputs here, and a teacher cannot act on the warnings.
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        model = ov.convert_model(module(), example_input=example, input=[ov.PartialShape(s) for s in shapes])
    cache_dir.mkdir(parents=True, exist_ok=True)
    ov.save_model(model, path, compress_to_fp16=weights == "fp16")
    del model
    gc.collect()
    log.info("converted the %s in %.1f s", part, time.perf_counter() - started)
    return ov.Core().read_model(path)


def convert_pipeline(pipeline: Any, *, model_id: str, cache_dir: Path, precision: str) -> dict[str, float]:
    """Replace the pipeline's UNet and decoder with OpenVINO-compiled ones (the text encoder
    stays torch's int8 one: on these CPUs int8 beats bf16 for it). Returns the seconds each
    part took to convert (or read) and compile."""
    import openvino as ov

    # No compiled-model cache (CACHE_DIR): its file holds the fp32 weights (3.5 GB for the
    # sd-turbo UNet), and a start that imports it keeps them in memory; compiling the saved
    # model takes a few seconds instead (bench/RESULTS.md).
    shutil.rmtree(cache_dir / "compiled", ignore_errors=True)  # what earlier versions kept there
    core = ov.Core()
    config = {"INFERENCE_PRECISION_HINT": precision, "PERFORMANCE_HINT": "LATENCY"}
    unet, vae = pipeline.unet, pipeline.vae
    channels, width = unet.config.in_channels, unet.config.cross_attention_dim
    latent = torch.randn(2, channels, 8, 8)
    tokens = getattr(pipeline.tokenizer, "model_max_length", 77)
    timings: dict[str, float] = {}

    def compile_part(
        part: str,
        described_by: Any,
        module: Callable[[], torch.nn.Module],
        example: tuple,
        shapes: list,
        free: Any = None,
    ) -> Any:
        started = time.perf_counter()
        model = _converted(cache_dir, model_id, part, described_by, module, example, shapes, precision)
        if free is not None:
            free()  # the torch weights go before OpenVINO makes its compiled copy
        compiled = core.compile_model(model, "CPU", config)
        timings[part] = round(time.perf_counter() - started, 2)
        return compiled

    hidden = torch.randn(2, tokens, width)
    placeholder = OpenVINOUNet(None, unet)

    def free_unet() -> None:
        pipeline.unet = placeholder
        gc.collect()

    del unet  # from here on only the pipeline holds the torch UNet, until free_unet()
    placeholder.compiled = compile_part(
        "unet",
        dict(placeholder.config or {}),
        lambda: _UNetCall(pipeline.unet.eval()),
        (latent, torch.tensor(999.0), hidden),
        [[-1, channels, -1, -1], [], [-1, tokens, width]],
        free=free_unet,
    )
    decoder_input = getattr(vae.config, "latent_channels", channels)
    vae.decoder = OpenVINODecoder(
        compile_part(
            f"{type(vae).__name__}-decoder",
            dict(vae.config),
            lambda: vae.decoder.eval(),
            (torch.randn(1, decoder_input, 8, 8),),
            [[-1, decoder_input, -1, -1]],
        ),
        vae.decoder,
    )
    return timings
