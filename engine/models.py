"""The picture models the game knows by name, with what a school must know before it runs one.

`PROMPTMATCH_MODEL` chooses a preset by name (`sdxs`, the default, or `sd-turbo`), or names any
Stable Diffusion family model on the Hugging Face hub or in a local folder. Each preset says
where its weights live, how it is run (steps, native size, the tiny decoder that suits it),
and its licence: the licence's name and address, the notice users must be shown while it is
used, and the use restrictions it passes on to them. `/privacy` and the host console show
them; README's "Models and their licences" says why SDXS is the default.

Facts not checked here (no network in this workplace): SDXS-512's repository and card as
far as they could be read; the numbers of its UNet in bench/archs/sdxs/ say where each came
from.
"""

from __future__ import annotations

from dataclasses import dataclass

# madebyollin/taesd: the tiny decoder for the latents of Stable Diffusion 1.x and 2.x (MIT);
# SDXS and sd-turbo share that latent space, so one tiny decoder serves both.
TAESD = "madebyollin/taesd"


@dataclass(frozen=True)
class ModelPreset:
    name: str
    repository: str
    steps: int
    native_size: int
    tiny_decoder: str
    licence: str
    licence_url: str
    # A message key (ui/locales): the sentence users must see while the model is used, or "".
    notice_key: str
    # A message key: the use restrictions the licence passes on to users, or "".
    restrictions_key: str
    known: bool = True  # False: a model the game has no preset for (licence unknown here)


PRESETS: dict[str, ModelPreset] = {
    # SDXS-512 (IDKiro): a distilled one-step model with a 0.32 B-parameter UNet, licensed
    # CreativeML Open RAIL++-M: use, hosting and commercial use allowed, with use restrictions
    # (among them harming minors) that must be passed on to users.
    "sdxs": ModelPreset(
        name="sdxs",
        repository="IDKiro/sdxs-512-0.9",
        steps=1,
        native_size=512,
        tiny_decoder=TAESD,
        licence="CreativeML Open RAIL++-M",
        licence_url="https://huggingface.co/IDKiro/sdxs-512-0.9",
        notice_key="",
        restrictions_key="model_restrictions_openrail",
    ),
    # sd-turbo (Stability AI): the repository's Non-Commercial Research Community License,
    # which its card now points to the Stability AI Community License (free for non-commercial
    # use; above its limits, registration and "Powered by Stability AI").
    "sd-turbo": ModelPreset(
        name="sd-turbo",
        repository="stabilityai/sd-turbo",
        steps=1,
        native_size=512,
        tiny_decoder=TAESD,
        licence="Stability AI Community License (non-commercial research licence on its repository)",
        licence_url="https://huggingface.co/stabilityai/sd-turbo",
        notice_key="model_notice_stability",
        restrictions_key="model_restrictions_stability",
    ),
}
DEFAULT_MODEL = "sdxs"


def model_preset(name_or_id: str) -> ModelPreset:
    """The preset of that name, or (any other hub id or folder) a model run like the presets
    whose licence the game cannot know: the console and /privacy say to read its card."""
    preset = PRESETS.get(name_or_id.strip().lower())
    if preset is not None:
        return preset
    for known in PRESETS.values():  # the repository named directly is still that preset
        if known.repository == name_or_id:
            return known
    return ModelPreset(
        name=name_or_id,
        repository=name_or_id,
        steps=1,
        native_size=512,
        tiny_decoder=TAESD,
        licence="",
        licence_url="",
        notice_key="",
        restrictions_key="",
        known=False,
    )
