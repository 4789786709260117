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
    vae: str  # full | tiny (TAESD)
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

    data_dir = Path(get("DATA_DIR", str(PROJECT_DIR / "data")))
    default_db = f"sqlite:///{data_dir / 'promptmatch.db'}"
    return Settings(
        database_url=get("DATABASE_URL", default_db),
        engine=_choice(get("ENGINE", "auto"), ENGINES, "PROMPTMATCH_ENGINE"),
        worker=_choice(get("WORKER", "thread"), WORKER_MODES, "PROMPTMATCH_WORKER"),
        worker_lease_s=float(get("WORKER_LEASE", "30")),
        model_id=get("MODEL_ID", "stabilityai/sd-turbo"),
        clip_model_id=get("CLIP_MODEL_ID", "openai/clip-vit-base-patch32"),
        device=get("DEVICE", "auto"),
        image_size=int(get("IMAGE_SIZE", "512")),
        steps=int(get("STEPS", "1")),
        guidance=float(get("GUIDANCE", "0.0")),
        batch_size=int(get("BATCH_SIZE", "8")),
        vae=_choice(get("VAE", "full"), ("full", "tiny"), "PROMPTMATCH_VAE"),
        tiny_vae_id=get("TINY_VAE_ID", "madebyollin/taesd"),
        compile=get("COMPILE", "0").strip().lower() in ("1", "true", "yes", "on"),
        cpu_runtime=_choice(get("CPU_RUNTIME", "auto"), ("auto", "torch", "openvino"), "PROMPTMATCH_CPU_RUNTIME"),
        data_dir=data_dir,
        blocklist_file=get("BLOCKLIST_FILE", "") or None,
        language=get("LANGUAGE", "en"),
        translation_model_id=get("TRANSLATION_MODEL_ID", "Helsinki-NLP/opus-mt-ko-en"),
        poll_interval_s=float(get("POLL_INTERVAL", "0.2")),
        public_url=get("PUBLIC_URL", "") or None,
        retention_days=int(get("RETENTION_DAYS", "30")),
    )
