"""One settings object for the whole app, read from `PROMPTMATCH_*` environment variables.

Pages, the worker, the benchmarks and the tests all call `load_settings()`; nothing else reads
the environment. (Teachers sign in with accounts: game/accounts.py; the old
`PROMPTMATCH_TEACHER_PIN` is no longer read.)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ENGINES = ("auto", "diffusers", "sketch", "tiny")
SCORERS = ("auto", "clip", "layout", "classic", "pixel", "histogram")
WORKER_MODES = ("thread", "external")

PROJECT_DIR = Path(__file__).resolve().parent
# The picture size a CPU serves a class with by default (bench/RESULTS.md, "A class on the
# computer a teacher has"): SDXS, OpenVINO, the tiny decoder, measured on 2 cores. A GPU (a
# `cuda` device) draws at the model's native size. `python -m engine.check` measures the
# machine it runs on and suggests the size for it.
CPU_IMAGE_SIZE = 384


@dataclass(frozen=True)
class Settings:
    database_url: str
    engine: str
    worker: str
    # A worker whose heartbeat is older than this is presumed dead; its jobs are queued again.
    worker_lease_s: float
    model_id: str
    clip_model_id: str
    device: str
    image_size: int
    steps: int
    guidance: float
    batch_size: int
    vae: str  # auto (tiny on a CPU, full on a GPU) | full | tiny (TAESD)
    tiny_vae_id: str
    compile: bool
    # auto | torch | openvino: how a CPU worker runs the real model (engine/openvino_runtime.py).
    cpu_runtime: str
    data_dir: Path
    blocklist_file: str | None
    language: str
    # A transformers seq2seq model for Korean -> English prompts, used only if it is local.
    translation_model_id: str
    poll_interval_s: float
    public_url: str | None
    # Games are deleted this many days after their last activity (game/retention.py); the
    # administrator's setting on /teachers, when there is one, wins.
    retention_days: int = 30
    # The model preset's name (engine/models.py), or the hub id / folder PROMPTMATCH_MODEL named.
    model: str = "sdxs"

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _choice(value: str, allowed: tuple[str, ...], name: str) -> str:
    value = value.strip().lower()
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env

    def get(name: str, default: str) -> str:
        return env.get(f"PROMPTMATCH_{name}", default)

    from engine.models import DEFAULT_MODEL, model_preset  # no torch: names and licences only

    # PROMPTMATCH_MODEL names a preset or any model; PROMPTMATCH_MODEL_ID (the setting from
    # before presets) still works alone, and wins over the preset's repository when both are set.
    named = get("MODEL", "") or get("MODEL_ID", "") or DEFAULT_MODEL
    preset = model_preset(named)
    device = get("DEVICE", "auto")
    data_dir = Path(get("DATA_DIR", str(PROJECT_DIR / "data")))
    default_db = f"sqlite:///{data_dir / 'promptmatch.db'}"
    return Settings(
        database_url=get("DATABASE_URL", default_db),
        engine=_choice(get("ENGINE", "auto"), ENGINES, "PROMPTMATCH_ENGINE"),
        worker=_choice(get("WORKER", "thread"), WORKER_MODES, "PROMPTMATCH_WORKER"),
        worker_lease_s=float(get("WORKER_LEASE", "30")),
        # PROMPTMATCH_MODEL_ID (the setting before presets) still wins when it is set.
        model_id=get("MODEL_ID", preset.repository),
        clip_model_id=get("CLIP_MODEL_ID", "openai/clip-vit-base-patch32"),
        device=device,
        image_size=_image_size(get("IMAGE_SIZE", "auto"), device, preset.native_size),
        steps=int(get("STEPS", str(preset.steps))),
        guidance=float(get("GUIDANCE", "0.0")),
        batch_size=int(get("BATCH_SIZE", "8")),
        vae=_choice(get("VAE", "auto"), ("auto", "full", "tiny"), "PROMPTMATCH_VAE"),
        tiny_vae_id=get("TINY_VAE_ID", preset.tiny_decoder),
        compile=get("COMPILE", "0").strip().lower() in ("1", "true", "yes", "on"),
        cpu_runtime=_choice(get("CPU_RUNTIME", "auto"), ("auto", "torch", "openvino"), "PROMPTMATCH_CPU_RUNTIME"),
        data_dir=data_dir,
        blocklist_file=get("BLOCKLIST_FILE", "") or None,
        language=get("LANGUAGE", "en"),
        translation_model_id=get("TRANSLATION_MODEL_ID", "Helsinki-NLP/opus-mt-ko-en"),
        poll_interval_s=float(get("POLL_INTERVAL", "0.2")),
        public_url=get("PUBLIC_URL", "") or None,
        retention_days=int(get("RETENTION_DAYS", "30")),
        model=preset.name,
    )


def _image_size(value: str, device: str, native: int) -> int:
    """`auto`: the model's native size on a GPU, CPU_IMAGE_SIZE elsewhere (an `auto` device
    without a GPU is a laptop; a GPU server says PROMPTMATCH_DEVICE=cuda or sets the size)."""
    if value.strip().lower() != "auto":
        return int(value)
    return native if device.startswith("cuda") else CPU_IMAGE_SIZE
