"""Model presets (issue 35): a model a school may lawfully run by default (SDXS-512), sd-turbo
one setting away with Stability AI's notice, the tiny decoder and a smaller picture on a CPU,
and the SDXS-shaped model loaded through the real `from_pretrained` and played through the
worker on torch and OpenVINO."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import Classroom, drain
from sqlalchemy import select

from config import CPU_IMAGE_SIZE, PROJECT_DIR, load_settings
from db.models import Submission
from db.session import Database
from engine.models import DEFAULT_MODEL, PRESETS, model_preset
from engine.registry import EngineRegistry
from engine.safety import ClipConceptCheck
from engine.tiny import ensure_tiny_models, ensure_tiny_sdxs
from game.submissions import submit_prompt
from worker.runner import Worker

MODELS_DIR = PROJECT_DIR / "data" / "test-models"  # as tests/conftest.py keeps them


def test_the_default_is_a_model_a_school_may_run_with_its_licence_and_restrictions() -> None:
    settings = load_settings({})
    assert DEFAULT_MODEL == "sdxs" and settings.model == "sdxs"
    assert settings.model_id == "IDKiro/sdxs-512-0.9" and settings.steps == 1
    sdxs = PRESETS["sdxs"]
    assert "RAIL++" in sdxs.licence and sdxs.restrictions_key and not sdxs.notice_key
    turbo = model_preset("sd-turbo")
    assert turbo.repository == "stabilityai/sd-turbo" and turbo.notice_key == "model_notice_stability"


def test_a_cpu_gets_the_tiny_decoder_and_a_smaller_picture_a_gpu_the_native_size() -> None:
    laptop = load_settings({})
    assert laptop.vae == "auto" and laptop.image_size == CPU_IMAGE_SIZE < 512
    gpu = load_settings({"PROMPTMATCH_DEVICE": "cuda"})
    assert gpu.image_size == 512
    chosen = load_settings({"PROMPTMATCH_IMAGE_SIZE": "512", "PROMPTMATCH_VAE": "full"})
    assert (chosen.image_size, chosen.vae) == (512, "full")  # both stay one setting away


def test_sd_turbo_is_one_setting_away_and_any_model_id_still_works() -> None:
    turbo = load_settings({"PROMPTMATCH_MODEL": "sd-turbo"})
    assert (turbo.model, turbo.model_id) == ("sd-turbo", "stabilityai/sd-turbo")
    old = load_settings({"PROMPTMATCH_MODEL_ID": "runwayml/stable-diffusion-v1-5"})  # before presets
    assert old.model_id == "runwayml/stable-diffusion-v1-5" and not model_preset(old.model).known
    by_repository = load_settings({"PROMPTMATCH_MODEL_ID": "stabilityai/sd-turbo"})
    assert by_repository.model == "sd-turbo"


@pytest.mark.parametrize("runtime", ["torch", "openvino"])
def test_the_sdxs_shaped_model_plays_a_round_through_the_worker(
    db: Database, tmp_path: Path, runtime: str, monkeypatch
) -> None:
    """The real loading path (`AutoPipelineForText2Image.from_pretrained` of a folder), the
    CPU's default tiny decoder, the worker, the scorer and, with OpenVINO, the conversion of a
    UNet without a mid block."""
    # Random weights draw noise, which the zero-shot output check (a random tiny CLIP here)
    # may call anything: this test is about drawing and scoring, not that check.
    monkeypatch.setattr(ClipConceptCheck, "flagged", lambda self, images, features=None: [False] * len(images))
    sdxs_dir, decoder_dir = ensure_tiny_sdxs(MODELS_DIR)
    _, clip_dir = ensure_tiny_models(MODELS_DIR)
    settings = load_settings(
        {
            "PROMPTMATCH_DATABASE_URL": db.url,
            "PROMPTMATCH_ENGINE": "diffusers",
            "PROMPTMATCH_MODEL_ID": str(sdxs_dir),
            "PROMPTMATCH_CLIP_MODEL_ID": str(clip_dir),
            "PROMPTMATCH_TINY_VAE_ID": str(decoder_dir),
            "PROMPTMATCH_DEVICE": "cpu",
            "PROMPTMATCH_CPU_RUNTIME": runtime,
            "PROMPTMATCH_DATA_DIR": str(tmp_path / "data"),
        }
    )
    assert settings.vae == "auto"
    registry = EngineRegistry(settings)
    worker = Worker(db, settings, registry=registry)
    classroom = Classroom(db, engine="diffusers", size=256)
    classroom.round(worker)
    token = classroom.join("Mina")
    with db.write() as s:
        submit_prompt(s, classroom.code, token, "a red circle")
    drain(worker, limit=200)
    with db.read() as s:
        attempt = s.scalars(select(Submission)).one()
    assert attempt.status == "done" and attempt.score is not None
    generator = registry.generator("diffusers")
    assert generator.runtime.startswith(runtime)
    if runtime == "torch":  # `auto` took the tiny decoder on the CPU
        assert type(generator.pipeline.vae).__name__ == "AutoencoderTiny"


def test_the_check_says_how_long_a_class_waits_and_which_size_to_use() -> None:
    from engine.check import Timing, suggested_size, verdict

    laptop = [Timing(256, 0.9, 0.6), Timing(384, 1.4, 0.95), Timing(512, 2.9, 2.1)]
    said = verdict(laptop)
    assert "At 512 px this computer draws one picture in 2.9 s" in said
    assert "a class of 30 would wait about 63 s for its last picture" in said
    assert "Suggested picture size: 384 px" in said and "PROMPTMATCH_IMAGE_SIZE=384" in said
    assert suggested_size(laptop, class_size=20) == 384 and suggested_size(laptop, class_size=10) == 512
    slow = [Timing(256, 3.0, 2.5)]
    assert "No size keeps a class of 30 under half a minute" in verdict(slow)
    assert "PROMPTMATCH_ENGINE=sketch" in verdict(slow)


def test_the_check_times_the_real_generator(tmp_path: Path) -> None:
    from engine.check import measure

    settings = load_settings({"PROMPTMATCH_ENGINE": "tiny", "PROMPTMATCH_DATA_DIR": str(MODELS_DIR.parent)})
    (timing,) = measure(settings, sizes=(64,))
    assert timing.size == 64 and 0 < timing.one_s < 60 and 0 < timing.per_picture_s < 60


def shown_plainly(markdown: str) -> str:
    """Page text as a reader sees it: Markdown escapes and invisible word joiners gone."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_privacy_notice_names_the_model_its_licence_and_restrictions(app_environment, language: str) -> None:
    from apptest import page, texts

    shown = shown_plainly(texts(page("privacy", lang=language)))
    assert "IDKiro/sdxs-512-0.9" in shown and "CreativeML Open RAIL++-M" in shown
    assert ("harm minors" if language == "en" else "미성년자") in shown


def test_sd_turbo_shows_stabilitys_notice_on_the_console_and_the_notice(app_environment, db, monkeypatch) -> None:
    from apptest import page, texts

    from game.accounts import session_for
    from game.games import GameSettings, create_game

    monkeypatch.setenv("PROMPTMATCH_MODEL", "sd-turbo")
    with db.write() as s:
        host = session_for(s, "Ms Kim")
        code = create_game(s, host, "Class", GameSettings(engine="sketch")).code
    console = shown_plainly(texts(page("host", teacher=host, code=code)))
    assert "Picture model: stabilityai/sd-turbo" in console and "Powered by Stability AI" in console
    assert "Powered by Stability AI" in shown_plainly(texts(page("privacy", lang="en")))


def test_bench_quality_draws_what_is_here_and_skips_what_is_not(tmp_path: Path, monkeypatch, capsys) -> None:
    from bench import quality

    sdxs_dir, _ = ensure_tiny_sdxs(MODELS_DIR)
    _, clip_dir = ensure_tiny_models(MODELS_DIR)
    monkeypatch.setenv("PROMPTMATCH_CLIP_MODEL_ID", str(clip_dir))
    monkeypatch.setenv("PROMPTMATCH_DEVICE", "cpu")
    assert quality.main(["--models", str(sdxs_dir), "sd-turbo", "--size", "64", "--out", str(tmp_path)]) == 0
    said = capsys.readouterr().out
    assert "Skipped sd-turbo: stabilityai/sd-turbo is not in this computer's cache" in said
    sheets = list(tmp_path.glob("*.png"))
    assert len(sheets) == 1 and (tmp_path / "quality.json").exists()
