"""What int8 would give the OpenVINO UNet: NNCF post-training quantization (weights and
activations, calibrated on the UNet's own inputs for a few prompts) against the bf16 UNet the
worker runs today. Speed alone and in a batch of 8, error against fp32, whether a prompt's
output depends on its batch-mates, and each compiled UNet's memory in a fresh process.

    pip install nncf==3.4.0   # not a dependency of the game: this is an experiment
    python -m bench.openvino_int8 --samples 16

The sd-turbo architecture with random weights (bench/archs): the error figures say how far
int8 moves the numbers, not how the pictures look; that needs the real weights.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from bench.models import build_pipeline
from engine.openvino_runtime import _converted, _UNetCall

CALIBRATION_PROMPTS = [
    "a red circle on a blue background", "a cat on a sofa", "a sunset over the sea", "three yellow stars",
    "a green triangle on white", "a portrait of an old man", "a city at night", "a bowl of fruit",
    "a watercolor of mountains", "a dog in the snow", "an astronaut riding a horse", "a castle on a hill",
    "a forest in autumn", "a cup of coffee", "a robot in a garden", "a boat on a lake",
]  # fmt: skip

# Run in a fresh process per model, so that one compiled UNet's memory is not counted in another's.
MEMORY_PROBE = """
import sys, numpy as np, openvino as ov, psutil
core = ov.Core()
model = core.compile_model(core.read_model(sys.argv[1]), "CPU", {"INFERENCE_PRECISION_HINT": "bf16"})
batch = [np.zeros((8, 4, 32, 32), np.float32), np.asarray(999.0, np.float32), np.zeros((8, 77, 1024), np.float32)]
model(batch)
print(psutil.Process().memory_info().rss / 2**30)
"""


def unet_inputs(pipeline: Any, prompts: list[str], size: int) -> list[list[np.ndarray]]:
    """What the UNet receives when the pipeline draws each prompt (one step, sd-turbo)."""
    captured: list[list[np.ndarray]] = []

    def grab(_module: Any, args: tuple, kwargs: dict) -> None:
        sample, step = args[0], args[1]
        hidden = kwargs["encoder_hidden_states"]
        captured.append([sample.float().numpy(), np.asarray(float(step), np.float32), hidden.float().numpy()])
        raise StopIteration  # the rest of the picture is not needed

    handle = pipeline.unet.register_forward_pre_hook(grab, with_kwargs=True)
    for number, prompt in enumerate(prompts):
        with contextlib.suppress(StopIteration):
            pipeline(
                prompt, num_inference_steps=1, guidance_scale=0.0, height=size, width=size,
                output_type="latent", generator=torch.Generator().manual_seed(number),
            )  # fmt: skip
    handle.remove()
    return captured


def timed(model: Any, inputs: list[np.ndarray], repeats: int = 3) -> tuple[float, np.ndarray]:
    model(inputs)  # the first call of a shape compiles it
    times, out = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        out = np.asarray(model(inputs)[0])
        times.append(time.perf_counter() - started)
    return float(np.median(times)), out


def memory_gb(path: Path) -> float:
    """Resident memory after a batch of 8 (a peak would be the parent's: Linux carries the
    high-water mark of a forked process across exec)."""
    done = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(path)], capture_output=True, text=True, check=True)
    return float(done.stdout.split()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=16, help="calibration prompts")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    torch.set_grad_enabled(False)
    with tempfile.TemporaryDirectory(prefix="int8-unet-") as scratch:  # 4.4 GB of models
        measure(Path(scratch), args.samples, args.json)


def measure(folder: Path, samples: int, json_path: Path | None) -> None:
    import nncf  # the experiment's own dependency
    import openvino as ov
    from nncf.quantization.advanced_parameters import AdvancedQuantizationParameters, AdvancedSmoothQuantParameters

    pipeline = build_pipeline("sd-turbo")
    prompts = [CALIBRATION_PROMPTS[i % len(CALIBRATION_PROMPTS)] + f" {i}" for i in range(samples)]
    calibration = unet_inputs(pipeline, prompts, 256)
    # The worker's own conversion, saved with fp32 weights (the reference and the input to NNCF).
    converted = _converted(
        folder, "bench", "unet", {}, functools.partial(_UNetCall, pipeline.unet.eval()),
        (torch.randn(2, 4, 8, 8), torch.tensor(999.0), torch.randn(2, 77, 1024)),
        [[-1, 4, -1, -1], [], [-1, 77, 1024]], precision="f32",
    )  # fmt: skip
    del pipeline
    gc.collect()
    plain, int8 = next(folder.glob("unet-*.xml")), folder / "int8-unet.xml"
    started = time.perf_counter()
    quantized = nncf.quantize(
        converted,
        nncf.Dataset(calibration),
        preset=nncf.QuantizationPreset.MIXED,
        model_type=nncf.ModelType.TRANSFORMER,
        subset_size=len(calibration),
        advanced_parameters=AdvancedQuantizationParameters(
            smooth_quant_alphas=AdvancedSmoothQuantParameters(matmul=-1), disable_bias_correction=True
        ),
    )
    quantize_s = time.perf_counter() - started
    ov.save_model(quantized, int8, compress_to_fp16=False)
    del converted, quantized
    gc.collect()

    core = ov.Core()
    rng = np.random.default_rng(0)
    tests = [[rng.standard_normal((1, 4, 32, 32), dtype=np.float32), c[1], c[2]] for c in calibration[:8]]
    batch = [np.concatenate([t[0] for t in tests]), tests[0][1], np.concatenate([t[2] for t in tests])]
    reference = core.compile_model(core.read_model(plain), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    _, exact = timed(reference, batch, repeats=1)
    del reference
    results: dict[str, dict[str, float]] = {}
    for name, path in (("bf16", plain), ("int8 + bf16", int8)):
        model = core.compile_model(core.read_model(path), "CPU", {"INFERENCE_PRECISION_HINT": "bf16"})
        alone_s, alone = timed(model, tests[0])
        batch_s, together = timed(model, batch)
        del model
        gc.collect()
        steady = memory_gb(path)
        results[name] = {
            "batch1_s": round(alone_s, 3),
            "batch8_s": round(batch_s, 3),
            "error_vs_fp32_pct": round(100 * float(np.linalg.norm(together - exact) / np.linalg.norm(exact)), 2),
            "batch_mates_change": float(np.abs(together[:1] - alone).max()),
            "rss_after_batch8_gb": round(steady, 2),
        }
        print(name, results[name], flush=True)
    print(f"quantization took {quantize_s:.1f} s on {len(calibration)} calibration inputs")
    if json_path:
        json_path.write_text(json.dumps({"quantize_s": round(quantize_s, 1), "unet": results}, indent=2))


if __name__ == "__main__":
    main()
