"""The benchmarks measure the real worker path, so their correctness is tested (not their speed)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from bench import engine as bench_engine
from bench.engine import Setup, burst_prompts, run


def pixels(image) -> np.ndarray:
    return np.asarray(image, dtype=np.float32)


@pytest.fixture(scope="module")
def tiny_bursts() -> dict[str, bench_engine.Burst]:
    setup = Setup(
        arch="tiny",
        device="cpu",
        dtype=torch.float32,
        size=64,
        steps=1,
        batch=4,
        vae="full",
        compile=False,
        channels_last=True,
    )
    return run(setup, prompt_count=6)


def test_batched_and_sequential_make_the_same_images_and_scores(tiny_bursts) -> None:
    sequential, batched = tiny_bursts["sequential"], tiny_bursts["batched"]
    assert len(sequential.images) == len(batched.images) == 6
    for one, other in zip(sequential.images, batched.images, strict=True):
        # Batched matrix products may round differently in the last bit; nothing more.
        assert np.abs(pixels(one) - pixels(other)).max() <= 2
    assert batched.scores == pytest.approx(sequential.scores, abs=0.05)


def test_different_prompts_make_different_images(tiny_bursts) -> None:
    first, second = tiny_bursts["batched"].images[:2]
    assert np.abs(pixels(first) - pixels(second)).max() > 2


def test_the_seed_way_draws_the_same_pictures_in_full_precision(tiny_bursts) -> None:
    # Same weights, same seed, same VAE: only the speed settings differ.
    for one, other in zip(tiny_bursts["seed"].images, tiny_bursts["sequential"].images, strict=True):
        assert np.abs(pixels(one) - pixels(other)).max() <= 2


def test_latencies_grow_through_the_burst_and_batches_finish_together(tiny_bursts) -> None:
    batched = tiny_bursts["batched"]
    assert batched.latencies_s == sorted(batched.latencies_s)
    assert len(set(batched.latencies_s[:4])) == 1  # the first batch of four lands at once
    assert batched.latencies_s[-1] == pytest.approx(batched.total_s, rel=0.05)


def test_the_command_writes_every_figure_the_issue_names(tmp_path) -> None:
    out = tmp_path / "bench.json"
    bench_engine.main(
        ["--arch", "tiny", "--device", "cpu", "--size", "64", "--prompts", "3", "--batch", "2", "--json", str(out)]
    )
    figures = json.loads(out.read_text())
    for mode in ("seed", "sequential", "batched"):
        assert {"images_per_s", "s_per_image", "p50_s", "p95_s", "peak_mem_mb"} <= set(figures[mode])
        assert figures[mode]["speedup_vs_seed"] > 0 and figures[mode]["speedup_vs_sequential"] > 0
        assert figures[mode]["p50_s"] <= figures[mode]["p95_s"]
    assert figures["options"]["arch"] == "tiny" and figures["options"]["batch"] == 2


def test_burst_prompts_are_distinct() -> None:
    prompts = burst_prompts(30)
    assert len(set(prompts)) == 30


def test_compiled_batches_use_fixed_sizes() -> None:
    from engine.diffusion import batch_sizes, padded_size

    assert batch_sizes(8) == [1, 2, 4, 8]
    assert batch_sizes(30) == [1, 2, 4, 8, 16, 30]
    assert [padded_size(n, 8) for n in (1, 2, 3, 5, 8)] == [1, 2, 4, 8, 8]
    assert padded_size(20, 30) == 30


def test_the_quantized_text_encoder_gives_each_prompt_the_embedding_it_gets_alone() -> None:
    """int8 dynamic quantization scales activations over the whole input: batched, a prompt's
    embedding would depend on its batch-mates. Fairness: it must not."""
    import torch
    from transformers import CLIPTextConfig, CLIPTextModel

    from engine.diffusion import quantized_text_encoder

    torch.manual_seed(0)
    config = CLIPTextConfig(
        vocab_size=300, hidden_size=64, intermediate_size=128, num_attention_heads=4, num_hidden_layers=2
    )
    encoder = CLIPTextModel(config).eval()
    ids = torch.randint(0, 299, (4, 77))
    ids[0] = 5  # a row of small values beside rows of large ones: different scales per row
    with torch.inference_mode():
        full = encoder(ids)[0]
    quantized = quantized_text_encoder(encoder)
    with torch.inference_mode():
        batched = quantized(ids)[0]
        alone = [quantized(ids[i : i + 1])[0][0] for i in range(len(ids))]
        shuffled = quantized(ids[[2, 0, 3, 1]])[0]
    for i in range(len(ids)):
        assert torch.equal(batched[i], alone[i])
    assert torch.equal(shuffled[1], batched[0])
    assert torch.nn.functional.cosine_similarity(batched.flatten(1), full.flatten(1)).min() > 0.99


def test_match_scores_keep_the_order_spread_the_class_and_the_ai_improves() -> None:
    """Issue 15's checks on 30 sketch targets, through the worker's own scorer and formulas
    (`python -m bench.scores` prints the same figures for bench/RESULTS.md)."""
    from bench.scores import measure

    figures = measure(30, attempts=3, budget=8, scorer_name="layout", size=128)
    assert figures["same_winner_pairs"] == 30 and figures["repeatable_prompts"] == 30
    assert figures["secret_match_score_min"] >= 95 and figures["unrelated_match_score_max"] <= 20
    assert figures["ai_best_beats_random_bank_prompt"] >= 27  # at least 90 %
    # "Most rounds" among those where the first attempt left something to beat.
    assert figures["ai_best_beats_first"] > (30 - figures["ai_first_already_100"]) / 2
    assert figures["ai_drawings_per_attempt_max"] <= 8  # never more than a batch
