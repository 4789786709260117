"""The output check: a flagged image is never stored, shown or exported; its attempt is blocked.

The real engine is exercised through `from_pretrained` on a tiny Stable Diffusion folder that
ships the real diffusers safety checker class (random weights, saved and loaded back). Its
concept thresholds decide: all -1 flags every image, the default of 1 flags none.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import torch
from helpers import Classroom, drain

from config import Settings
from db.models import ImageBlob
from db.session import Database
from engine.registry import EngineRegistry
from engine.safety import ClipConceptCheck, DiffusersSafetyCheck, NoCheck, unsafe_share
from engine.scorers import ClipScorer
from engine.tiny import ensure_tiny_models
from game.exports import results_zip, submissions_csv
from game.ranking import host_gallery, round_leaderboard
from game.submissions import player_state, submit_prompt
from worker.runner import Worker


def test_unsafe_share_follows_the_nearest_concepts() -> None:
    unsafe = torch.tensor([[1.0, 0.0, 0.0]])
    safe = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    images = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    shares = unsafe_share(images, unsafe, safe, logit_scale=100.0)
    assert shares[0] > 0.99  # the image is the unsafe concept
    assert shares[1] < 0.01  # the image is an ordinary one


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory: pytest.TempPathFactory) -> ClipScorer:
    _, clip_dir = ensure_tiny_models(tmp_path_factory.mktemp("models"))
    return ClipScorer.from_pretrained(str(clip_dir), device="cpu", dtype=torch.float32, local_files_only=True)


def test_clip_concept_check_flags_the_picture_nearest_an_unsafe_concept(tiny_clip: ClipScorer) -> None:
    from PIL import Image

    images = [Image.new("RGB", (64, 64), colour) for colour in ("red", "blue")]
    check = ClipConceptCheck(tiny_clip, unsafe=["nudity"], safe=["a bowl of fruit"])
    # Features that sit exactly on one concept or the other: the verdict must follow them.
    on_unsafe, on_safe = tiny_clip.embed_text(["nudity", "a bowl of fruit"])
    assert check.flagged(images, [on_unsafe, on_safe]) == [True, False]
    assert check.flagged(images, [on_safe, on_unsafe]) == [False, True]
    # The scorer's own image features are used as they are: the same verdict either way.
    default = ClipConceptCheck(tiny_clip)
    assert default.flagged(images, tiny_clip.embed(images)) == default.flagged(images)


def save_pipeline_with_safety_checker(folder: Path, source: Path, threshold: float) -> Path:
    """The tiny pipeline plus the real StableDiffusionSafetyChecker, saved as SD 1.x ships it."""
    from diffusers import StableDiffusionPipeline
    from diffusers.pipelines.stable_diffusion.safety_checker import StableDiffusionSafetyChecker
    from transformers import CLIPConfig, CLIPImageProcessor

    base = StableDiffusionPipeline.from_pretrained(str(source), local_files_only=True)
    config = CLIPConfig(
        text_config={"hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 4, "num_hidden_layers": 2},
        vision_config={
            "hidden_size": 32,
            "intermediate_size": 37,
            "num_attention_heads": 4,
            "num_hidden_layers": 2,
            "image_size": 32,
            "patch_size": 8,
        },
        projection_dim=16,
    )
    torch.manual_seed(3)
    checker = StableDiffusionSafetyChecker(config)
    with torch.no_grad():
        checker.concept_embeds_weights.fill_(threshold)
        checker.special_care_embeds_weights.fill_(threshold)
    extractor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    pipeline = StableDiffusionPipeline(
        **{
            name: component
            for name, component in base.components.items()
            if name not in ("safety_checker", "feature_extractor")
        },
        safety_checker=checker,
        feature_extractor=extractor,
        requires_safety_checker=True,
    )
    pipeline.save_pretrained(folder)
    return folder


def play_a_round(db: Database, settings: Settings, model_dir: Path) -> tuple[Classroom, int, str]:
    _, clip_dir = ensure_tiny_models(settings.data_dir / "models")
    real = settings.with_changes(engine="diffusers", model_id=str(model_dir), clip_model_id=str(clip_dir))
    worker = Worker(db, real, registry=EngineRegistry(real))
    classroom = Classroom(db, engine="diffusers", size=256)
    round_id = classroom.round(worker)
    mina = classroom.join("Mina")
    with db.write() as s:
        submit_prompt(s, classroom.code, mina, "a red circle")
    drain(worker)
    assert isinstance(worker.registry.image_check("diffusers"), DiffusersSafetyCheck)
    return classroom, round_id, mina


@pytest.mark.parametrize(("threshold", "expected"), [(-1.0, "blocked"), (1.0, "done")])
def test_the_shipped_safety_checker_decides_what_is_stored(
    db: Database, settings: Settings, tmp_path: Path, threshold: float, expected: str
) -> None:
    source, _ = ensure_tiny_models(settings.data_dir / "models")
    model_dir = save_pipeline_with_safety_checker(tmp_path / "sd-with-checker", source, threshold)
    classroom, round_id, mina = play_a_round(db, settings, model_dir)

    with db.read() as s:
        (attempt,) = player_state(s, classroom.code, mina).submissions
        images_stored = s.query(ImageBlob).count()
        board = round_leaderboard(s, round_id)
        gallery = host_gallery(s, classroom.code, classroom.host, round_id)
        archive = zipfile.ZipFile(io.BytesIO(results_zip(s, classroom.code, classroom.host)))
        csv_text = submissions_csv(s, classroom.code, classroom.host).decode("utf-8-sig")
    assert attempt.status == expected
    attempt_pngs = [name for name in archive.namelist() if "attempt" in name]
    if expected == "blocked":
        assert attempt.image_id is None and attempt.score is None
        assert images_stored == 1  # the target only: the flagged picture was never written
        assert board[0].best_score is None and gallery == []
        assert attempt_pngs == []
        assert "blocked" in csv_text
    else:
        assert attempt.image_id is not None and attempt.score is not None
        assert images_stored == 2
        assert len(gallery) == 1 and len(attempt_pngs) == 1


def test_sketch_and_tiny_engines_are_not_checked(registry: EngineRegistry) -> None:
    assert isinstance(registry.image_check("sketch"), NoCheck)
    assert isinstance(registry.image_check("tiny"), NoCheck)
