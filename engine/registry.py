"""The one place that turns engine and scorer names into loaded objects, once per process."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import cast

from config import Settings
from engine.base import EngineUnavailable, Generator, Scorer
from engine.diffusion import DiffusersGenerator, SpeedOptions, default_dtype, resolve_device
from engine.openvino_runtime import resolve_runtime
from engine.quiet import quiet_known_warnings
from engine.safety import ClipConceptCheck, DiffusersSafetyCheck, ImageCheck, NoCheck
from engine.scorers import ClassicScorer, ClipScorer, LayoutScorer
from engine.sketch import SketchGenerator
from engine.tiny import ensure_tiny_models
from engine.translate import Translator

log = logging.getLogger(__name__)
# The registry is what loads models, in the worker's process: silence there what a teacher
# cannot act on (engine/quiet.py).
quiet_known_warnings()


@dataclass(frozen=True)
class LoadedEngine:
    engine: str  # the resolved engine name: diffusers | sketch | tiny
    generator: Generator
    scorer: Scorer
    # The output check every image passes before it is stored (engine/safety.py).
    image_check: ImageCheck = field(default_factory=NoCheck)


def default_scorer(engine: str) -> str:
    return "layout" if engine == "sketch" else "clip"


class EngineRegistry:
    """Loads each model at most once; not thread-safe by design: one worker owns it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.device = resolve_device(settings.device)
        self.dtype = default_dtype(self.device)
        self._generators: dict[str, Generator] = {}
        self._scorers: dict[str, Scorer] = {}
        self._checks: dict[str, ImageCheck] = {}
        self._translator: Translator | bool | None = False  # False: not tried yet
        self._auto: str | None = None
        self.notes: list[str] = []
        self._lock = threading.Lock()

    def resolve(self, engine: str) -> str:
        """`auto` becomes `diffusers` when the real models load from the local cache, else
        `sketch`; the reason is kept in `notes` for the host's banner."""
        if engine != "auto":
            return engine
        if self._auto is None:
            try:
                self.generator("diffusers", local_only=True)
                self.scorer("clip", engine="diffusers", local_only=True)
                self._auto = "diffusers"
            except EngineUnavailable as error:
                self._auto = "sketch"
                self.notes.append(f"Engine 'auto' is using the offline sketch engine: {error}")
                log.warning("auto engine fell back to sketch: %s", error)
        return self._auto

    def generator(self, engine: str, *, local_only: bool = False) -> Generator:
        if engine not in self._generators:
            self._generators[engine] = self._load_generator(engine, local_only)
        return self._generators[engine]

    def _load_generator(self, engine: str, local_only: bool) -> Generator:
        s = self.settings
        if engine == "sketch":
            return SketchGenerator()
        if engine not in ("tiny", "diffusers"):
            raise EngineUnavailable(f"Unknown engine {engine!r}")
        # `auto` takes OpenVINO for the real model on a CPU; the tiny test engine only when
        # asked for by name (its tests compare against torch).
        requested = s.cpu_runtime if engine == "diffusers" or s.cpu_runtime == "openvino" else "torch"
        runtime = resolve_runtime(requested, self.device)
        options = {
            "device": self.device,
            "dtype": self.dtype,
            "steps": s.steps,
            "guidance": s.guidance,
            "speed": SpeedOptions.for_device(self.device, compile=s.compile, runtime=runtime),
            "max_batch": max(1, s.batch_size),
            "cache_dir": s.data_dir / "openvino",
        }
        # The host's console shows the worker's notes: the first start converts the model.
        converting = f"Preparing the {engine} model for this computer's processor (OpenVINO; first start only)…"
        if runtime == "openvino":
            self.notes.append(converting)
        try:
            return self._build_generator(engine, local_only, options)
        finally:
            if converting in self.notes:
                self.notes.remove(converting)

    def _build_generator(self, engine: str, local_only: bool, options: dict) -> Generator:
        s = self.settings
        if engine == "tiny":
            pipeline_dir, _ = ensure_tiny_models(s.data_dir / "models")
            generator = DiffusersGenerator.from_pretrained(
                str(pipeline_dir), local_files_only=True, name="tiny", **options
            )
        else:
            # `auto`: the tiny decoder on a CPU, where the full one costs more than the UNet
            # at 512 px (bench/RESULTS.md); the full one on a GPU.
            tiny = s.vae == "tiny" or (s.vae == "auto" and self.device == "cpu")
            tiny_vae_id = s.tiny_vae_id if tiny else None
            generator = DiffusersGenerator.from_pretrained(
                s.model_id,
                local_files_only=local_only,
                tiny_vae_id=tiny_vae_id,
                tiny_vae_optional=s.vae == "auto",
                **options,
            )
        generator.warm_up(s.image_size)
        return generator

    def scorer(self, name: str, *, engine: str, local_only: bool = False) -> Scorer:
        if name == "auto":
            name = default_scorer(engine)
        key = f"{name}:tiny" if name == "clip" and engine == "tiny" else name
        if key not in self._scorers:
            if name in ("classic", "pixel", "histogram"):
                self._scorers[key] = ClassicScorer(name)
            elif name == "layout":
                self._scorers[key] = LayoutScorer()
            elif name == "clip":
                if engine == "tiny":
                    _, clip_dir = ensure_tiny_models(self.settings.data_dir / "models")
                    model_id, local_only = str(clip_dir), True
                else:
                    model_id = self.settings.clip_model_id
                self._scorers[key] = ClipScorer.from_pretrained(
                    model_id, device=self.device, dtype=self.dtype, local_files_only=local_only
                )
            else:
                raise EngineUnavailable(f"Unknown scorer {name!r}")
        return self._scorers[key]

    def image_check(self, engine: str) -> ImageCheck:
        """The real engine's images are checked: by the model's own safety checker when it
        ships one, else zero-shot with the CLIP model. The sketch engine draws shapes, and the
        tiny models' random weights draw noise: nothing to check."""
        if engine not in self._checks:
            if engine != "diffusers":
                self._checks[engine] = NoCheck()
            else:
                generator = self.generator(engine)
                shipped = getattr(generator, "safety_checker", None), getattr(generator, "feature_extractor", None)
                if shipped[0] is not None and shipped[1] is not None:
                    check: ImageCheck = DiffusersSafetyCheck(*shipped, device=self.device, dtype=self.dtype)
                else:
                    # The real engines score with CLIP (registry.scorer builds a ClipScorer for "clip").
                    check = ClipConceptCheck(cast(ClipScorer, self.scorer("clip", engine=engine)))
                log.info("images of engine %s are checked by %s", engine, check.name)
                self._checks[engine] = check
        return self._checks[engine]

    def translator(self) -> Translator | None:
        """Korean -> English, if the model is on this machine (tried once)."""
        if self._translator is False:
            self._translator = Translator.from_pretrained(self.settings.translation_model_id, device=self.device)
        return self._translator if isinstance(self._translator, Translator) else None

    def load(self, engine: str, scorer: str) -> LoadedEngine:
        with self._lock:
            resolved = self.resolve(engine)
            return LoadedEngine(
                engine=resolved,
                generator=self.generator(resolved),
                scorer=self.scorer(scorer, engine=resolved),
                image_check=self.image_check(resolved),
            )
