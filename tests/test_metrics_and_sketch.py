"""The original experiment's measures, and the offline sketch engine's meaning."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from engine.metrics import correlation, gray_histogram, histogram_similarity, pixel_cosine_similarity, thumbnail_vector
from engine.scorers import ClassicScorer
from engine.sketch import COLOURS, SketchGenerator, parse


def noise(seed: int, size: int = 64) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8))


def test_identical_images_score_100_on_every_classic_measure() -> None:
    image = noise(1)
    for kind in ("pixel", "histogram", "classic"):
        scorer = ClassicScorer(kind)
        target = scorer.embed([image])[0]
        assert scorer.similarity(target, scorer.embed([image.copy()])) == [pytest.approx(100.0)]


def test_pixel_cosine_uses_a_10x10_rgb_thumbnail_scaled_to_one() -> None:
    vector = thumbnail_vector(Image.new("RGB", (300, 200), (255, 0, 0)))
    assert vector.shape == (300,)
    assert vector.max() == pytest.approx(1.0) and vector.min() == 0.0


def test_pixel_cosine_of_known_colours() -> None:
    red, green = Image.new("RGB", (50, 50), (255, 0, 0)), Image.new("RGB", (50, 50), (0, 255, 0))
    gray = Image.new("RGB", (50, 50), (128, 128, 128))
    assert pixel_cosine_similarity(red, green) == pytest.approx(0.0)
    # (1,0,0)·(1,1,1)/(1*sqrt(3)) for every pixel
    assert pixel_cosine_similarity(red, gray) == pytest.approx(1 / np.sqrt(3))


def test_histogram_is_256_bins_of_a_300x300_grayscale_image() -> None:
    histogram = gray_histogram(noise(2, 37))
    assert histogram.shape == (256,) and histogram.sum() == 300 * 300


def test_histogram_correlation_matches_opencv_formula() -> None:
    h1, h2 = gray_histogram(noise(3)), gray_histogram(noise(4))
    expected = np.corrcoef(h1, h2)[0, 1]
    assert correlation(h1, h2) == pytest.approx(expected)
    assert histogram_similarity(noise(3), noise(3)) == pytest.approx(1.0)


def test_sketch_engine_understands_colours_shapes_and_backgrounds() -> None:
    scene = parse("a big red circle on a blue background")
    assert scene.background == COLOURS["blue"]
    assert [(s.kind, s.colours) for s in scene.shapes] == [("circle", [COLOURS["red"]])]
    assert {"big", "red", "circle", "blue", "background"} <= scene.understood
    assert "cat" in parse("a cute cat").ignored


def test_sketch_engine_is_deterministic_for_a_seed() -> None:
    generator = SketchGenerator()
    first = generator.generate(["two yellow stars on the left"], seed=5, size=128)[0]
    again = generator.generate(["two yellow stars on the left"], seed=5, size=128)[0]
    assert np.array_equal(np.asarray(first), np.asarray(again))


@pytest.mark.parametrize("scorer_kind", ["pixel", "histogram", "classic"])
@pytest.mark.parametrize(
    "target,close,unrelated",
    [
        (
            "a big red circle on a blue background",
            "red circle, blue background",
            "a small green triangle on a white background",
        ),
        ("a yellow star on a black background", "yellow star on black", "a pink heart on a light blue background"),
        (
            "a red sun over a dark blue sea with an orange sky",
            "orange sky, dark blue sea, red sun",
            "a white square on a green background",
        ),
    ],
)
def test_naming_the_targets_colours_and_shapes_beats_an_unrelated_prompt(scorer_kind, target, close, unrelated) -> None:
    generator, scorer = SketchGenerator(), ClassicScorer(scorer_kind)
    images = generator.generate([target, close, unrelated], seed=11, size=256)
    features = scorer.embed(images)
    close_score, unrelated_score = scorer.similarity(features[0], features[1:])
    assert close_score > unrelated_score
