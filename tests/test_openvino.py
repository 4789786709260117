"""The OpenVINO CPU path (engine/openvino_runtime.py) through the real conversion of the tiny
pipeline's diffusers modules: the same pictures as torch within float noise, a prompt's
picture independent of its batch-mates, and a conversion done once per model."""

from __future__ import annotations

import numpy as np
import openvino as ov
import pytest

from config import Settings
from engine import openvino_runtime
from engine.diffusion import DiffusersGenerator
from engine.registry import EngineRegistry

PROMPTS = ["a red circle", "two blue squares on a green field", "a yellow star"]


def tiny_generator(settings: Settings, runtime: str) -> DiffusersGenerator:
    registry = EngineRegistry(settings.with_changes(cpu_runtime=runtime, device="cpu"))
    return registry._load_generator("tiny", local_only=True)  # a fresh one each time


@pytest.fixture(scope="module")
def shared_settings(tmp_path_factory: pytest.TempPathFactory, shared_registry_settings: Settings) -> Settings:
    """One data folder for the module: the tiny models and the one conversion."""
    from config import load_settings

    data = tmp_path_factory.mktemp("openvino")
    # The session's tiny models (built once for all tests); a fresh folder for the conversion.
    shared_models = shared_registry_settings.data_dir / "models"
    shared_models.mkdir(parents=True, exist_ok=True)
    (data / "models").symlink_to(shared_models, target_is_directory=True)
    return load_settings({"PROMPTMATCH_DATA_DIR": str(data), "PROMPTMATCH_DATABASE_URL": f"sqlite:///{data}/g.db"})


@pytest.fixture(scope="module")
def converted(shared_settings: Settings) -> DiffusersGenerator:
    return tiny_generator(shared_settings, "openvino")


def pixels(images) -> np.ndarray:
    return np.stack([np.asarray(image, dtype=np.float32) for image in images])


def test_openvino_draws_what_torch_draws(shared_settings: Settings, converted: DiffusersGenerator) -> None:
    torch_images = pixels(tiny_generator(shared_settings, "torch").generate(PROMPTS, seed=7, size=64))
    assert converted.runtime.startswith("openvino-")
    ov_images = pixels(converted.generate(PROMPTS, seed=7, size=64))
    # bf16 on CPUs that have it: a few levels of 255 at most on the tiny random model.
    assert float(np.abs(ov_images - torch_images).mean()) < 3.0


def test_a_prompts_picture_does_not_depend_on_its_batch_mates(converted: DiffusersGenerator) -> None:
    generator = converted
    together = pixels(generator.generate(PROMPTS, seed=3, size=64))
    alone = pixels([generator.generate([prompt], seed=3, size=64)[0] for prompt in PROMPTS])
    reordered = pixels(generator.generate(PROMPTS[::-1], seed=3, size=64))[::-1]
    assert np.array_equal(together, alone)
    assert np.array_equal(together, reordered)


def test_a_model_is_converted_once_and_read_back_after_a_restart(
    shared_settings: Settings, converted: DiffusersGenerator, monkeypatch
) -> None:
    settings = shared_settings
    saved = sorted(p.name for p in (settings.data_dir / "openvino").glob("*.xml"))
    assert len(saved) == 2  # the UNet and the decoder (the text encoder is torch's int8 one)
    assert set(converted.conversion_s) == {"unet", "AutoencoderKL-decoder"}

    def no_second_conversion(*args, **kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr(ov, "convert_model", no_second_conversion)
    again = tiny_generator(settings, "openvino")
    assert again.generate(["a red circle"], seed=1, size=64)
    assert sorted(p.name for p in (settings.data_dir / "openvino").glob("*.xml")) == saved


def test_a_restart_names_the_conversion_as_before() -> None:
    # diffusers lists the config keys a model's file lacked (`_use_default_values`) in an order
    # that changes from one process to the next: the sd-turbo architecture's UNet got a new
    # name, and a second 3.5 GB conversion, at every start.
    config = {"in_channels": 4, "cross_attention_dim": 1024, "_class_name": "UNet2DConditionModel"}
    one = openvino_runtime._cache_key(
        "sd-turbo", "unet", {**config, "_use_default_values": ["dropout", "attention_type"]}
    )
    other = openvino_runtime._cache_key(
        "sd-turbo", "unet", {**config, "_use_default_values": ["attention_type", "dropout"]}
    )
    assert one == other
    assert one != openvino_runtime._cache_key("sd-turbo", "unet", {**config, "cross_attention_dim": 768})


def test_auto_takes_openvino_on_a_cpu_only(monkeypatch) -> None:
    assert openvino_runtime.resolve_runtime("auto", "cpu") == "openvino"
    assert openvino_runtime.resolve_runtime("auto", "cuda") == "torch"
    assert openvino_runtime.resolve_runtime("torch", "cpu") == "torch"
    monkeypatch.setattr(openvino_runtime, "installed", lambda: False)
    assert openvino_runtime.resolve_runtime("auto", "cpu") == "torch"
    with pytest.raises(RuntimeError):
        openvino_runtime.resolve_runtime("openvino", "cpu")
