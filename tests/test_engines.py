"""All three engines through their real classes; tiny goes through from_pretrained."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import Classroom, drain

from engine.base import EngineUnavailable
from engine.diffusion import DiffusersGenerator
from engine.registry import EngineRegistry
from engine.scorers import ClipScorer
from engine.tiny import build_tiny_tokenizer
from game.submissions import player_state, submit_prompt


def test_tiny_tokenizer_tokenises_any_prompt() -> None:
    tokenizer = build_tiny_tokenizer()
    ids = tokenizer("a red circle, 빨간 원 🎯", padding="max_length", max_length=77).input_ids
    assert len(ids) == 77
    assert len(set(ids)) > 5


def test_tiny_engine_loads_the_real_pipeline_classes(registry: EngineRegistry) -> None:
    loaded = registry.load("tiny", "auto")
    assert isinstance(loaded.generator, DiffusersGenerator)
    assert type(loaded.generator.pipeline).__name__ == "StableDiffusionPipeline"
    assert isinstance(loaded.scorer, ClipScorer)
    images = loaded.generator.generate(["a red circle", "a blue square"], seed=3, size=64)
    assert [im.size for im in images] == [(64, 64), (64, 64)]
    assert not np.array_equal(np.asarray(images[0]), np.asarray(images[1]))


def test_same_prompt_and_seed_give_the_same_image_and_score(registry: EngineRegistry) -> None:
    loaded = registry.load("tiny", "clip")
    first = loaded.generator.generate(["a lighthouse"], seed=9, size=64)[0]
    batch = loaded.generator.generate(["a lighthouse", "a boat"], seed=9, size=64)
    assert np.abs(np.asarray(first, dtype=int) - np.asarray(batch[0], dtype=int)).max() <= 2
    target = loaded.scorer.embed([first])[0]
    scores = loaded.scorer.similarity(target, loaded.scorer.embed([first, batch[0]]))
    assert scores[0] == pytest.approx(100.0, abs=1e-3)
    assert scores[1] == pytest.approx(100.0, abs=0.5)


def test_clip_features_are_unit_vectors(registry: EngineRegistry) -> None:
    scorer = registry.load("tiny", "clip").scorer
    images = registry.load("tiny", "clip").generator.generate(["x", "y"], seed=1, size=64)
    features = torch.stack(scorer.embed(images))
    assert torch.allclose(features.norm(dim=-1), torch.ones(2), atol=1e-4)


def test_a_missing_model_is_a_clear_message(tmp_path) -> None:
    with pytest.raises(EngineUnavailable) as error:
        DiffusersGenerator.from_pretrained(
            str(tmp_path / "no-such-model"),
            device="cpu",
            dtype=torch.float32,
            steps=1,
            guidance=0.0,
            local_files_only=True,
        )
    assert "could not be loaded" in str(error.value)
    assert ".venv/bin/python -m engine.download" in str(error.value)  # as the README says


def test_auto_falls_back_to_sketch_and_says_why(settings) -> None:
    registry = EngineRegistry(settings.with_changes(model_id="nobody/not-cached-model"))
    assert registry.resolve("auto") == "sketch"
    assert "nobody/not-cached-model" in registry.notes[0]


def test_a_round_on_the_tiny_engine_is_generated_and_scored(db, registry, settings) -> None:
    from worker.runner import Worker

    worker = Worker(db, settings, registry=registry)
    classroom = Classroom(db, engine="tiny", size=256)
    classroom.round(worker, prompt="a lighthouse at dusk")
    token = classroom.join("Mina")
    with db.write() as s:
        submit_prompt(s, classroom.code, token, "a lighthouse at dusk")
    drain(worker)
    with db.read() as s:
        (attempt,) = player_state(s, classroom.code, token).submissions
    assert attempt.status == "done"
    assert attempt.score == pytest.approx(100.0, abs=0.01)
