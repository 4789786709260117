"""Tiny Stable Diffusion and CLIP models with random weights, built from configs, saved to a
folder and loaded back through the very `from_pretrained` code the real models use.

Their pictures are noise and their scores mean nothing; they exist so that tests (and a laptop
with no weights) exercise the real diffusers and transformers classes end to end.
"""

from __future__ import annotations

from pathlib import Path

import torch

TINY_TEXT_DIM = 32
TINY_VERSION = "1"  # bump when the configs below change, so stale folders are rebuilt


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP byte-level alphabet: every byte maps to one printable character."""
    printable = (
        list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    )
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, codes), strict=True))


def tiny_vocab() -> dict[str, int]:
    """Every byte alone and at a word's end: any prompt tokenises, with no merges needed."""
    letters = list(_bytes_to_unicode().values())
    vocab: dict[str, int] = {}
    for token in [*letters, *(f"{c}</w>" for c in letters), "<|startoftext|>", "<|endoftext|>"]:
        vocab[token] = len(vocab)
    return vocab


def build_tiny_tokenizer():  # -> CLIPTokenizer
    from transformers import CLIPTokenizer

    return CLIPTokenizer(vocab=tiny_vocab(), merges=[], model_max_length=77)


def _text_config(vocab_size: int):  # -> CLIPTextConfig
    from transformers import CLIPTextConfig

    vocab = tiny_vocab()
    return CLIPTextConfig(
        vocab_size=vocab_size,
        hidden_size=TINY_TEXT_DIM,
        intermediate_size=37,
        num_attention_heads=4,
        num_hidden_layers=2,
        max_position_embeddings=77,
        projection_dim=TINY_TEXT_DIM,
        bos_token_id=vocab["<|startoftext|>"],
        eos_token_id=vocab["<|endoftext|>"],
        pad_token_id=vocab["<|endoftext|>"],
    )


def save_tiny_pipeline(folder: Path, shape: str = "sd") -> Path:
    """`shape`: "sd" (a mid block, as SD 1.x/2.x and sd-turbo) or "sdxs" (SDXS-512's UNet has
    none: DownBlock2D first, cross-attention below, no mid block)."""
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextModel

    torch.manual_seed(0)
    tokenizer = build_tiny_tokenizer()
    unet = UNet2DConditionModel(
        block_out_channels=(8, 16),
        layers_per_block=1,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=TINY_TEXT_DIM,
        norm_num_groups=4,
        mid_block_type=None if shape == "sdxs" else "UNetMidBlock2DCrossAttn",
    )
    vae = AutoencoderKL(
        # Four blocks: latents are 1/8 of the image, as in the real SD VAE.
        block_out_channels=[8, 8, 16, 16],
        in_channels=3,
        out_channels=3,
        down_block_types=["DownEncoderBlock2D"] * 4,
        up_block_types=["UpDecoderBlock2D"] * 4,
        latent_channels=4,
        norm_num_groups=4,
    )
    # The same scheduler settings as sd-turbo: one-step sampling works.
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        timestep_spacing="trailing",
        steps_offset=1,
    )
    text_encoder = CLIPTextModel(_text_config(len(tokenizer)))
    pipeline = StableDiffusionPipeline(
        unet=unet,
        vae=vae,
        scheduler=scheduler,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipeline.save_pretrained(folder)  # type: ignore[attr-defined]  # diffusers adds it at run time
    return folder


def save_tiny_clip(folder: Path) -> Path:
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor, CLIPVisionConfig

    torch.manual_seed(1)
    tokenizer = build_tiny_tokenizer()
    vision = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=37,
        num_attention_heads=4,
        num_hidden_layers=2,
        image_size=32,
        patch_size=8,
        projection_dim=TINY_TEXT_DIM,
    )
    config = CLIPConfig(
        text_config=_text_config(len(tokenizer)).to_dict(),
        vision_config=vision.to_dict(),
        projection_dim=TINY_TEXT_DIM,
    )
    CLIPModel(config).save_pretrained(folder)
    image_processor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)
    return folder


def save_tiny_decoder(folder: Path) -> Path:
    """A tiny AutoencoderTiny, as madebyollin/taesd is one: the CPU's default decoder."""
    from diffusers import AutoencoderTiny

    torch.manual_seed(2)
    AutoencoderTiny(
        encoder_block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8),
        num_encoder_blocks=(1, 1, 1, 1),
        num_decoder_blocks=(1, 1, 1, 1),
        latent_channels=4,
    ).save_pretrained(folder)  # type: ignore[attr-defined]  # diffusers adds it at run time
    return folder


def ensure_tiny_sdxs(root: Path) -> tuple[Path, Path]:
    """The SDXS-shaped tiny pipeline and a tiny decoder under `root`: (pipeline, decoder)."""
    base = root / f"tiny-v{TINY_VERSION}"
    pipeline_dir, decoder_dir, done = base / "sdxs", base / "taesd", base / "SDXS-READY"
    if not done.exists():
        base.mkdir(parents=True, exist_ok=True)
        save_tiny_pipeline(pipeline_dir, shape="sdxs")
        save_tiny_decoder(decoder_dir)
        done.write_text("ok\n")
    return pipeline_dir, decoder_dir


def ensure_tiny_models(root: Path) -> tuple[Path, Path]:
    """Build the tiny models once under `root`; return (pipeline folder, clip folder)."""
    base = root / f"tiny-v{TINY_VERSION}"
    pipeline_dir, clip_dir, done = base / "sd", base / "clip", base / "READY"
    if not done.exists():
        base.mkdir(parents=True, exist_ok=True)
        save_tiny_pipeline(pipeline_dir)
        save_tiny_clip(clip_dir)
        done.write_text("ok\n")
    return pipeline_dir, clip_dir
