"""Pre-fetch the configured models into the Hugging Face cache, with a progress bar.

    python -m engine.download            # PROMPTMATCH_MODEL (default sdxs), its tiny decoder, CLIP
    python -m engine.download --model sd-turbo   # a preset by name, or any hub id
    python -m engine.download --model runwayml/stable-diffusion-v1-5

Run it once on a machine with internet access; the classroom server then loads from the cache.
"""

from __future__ import annotations

import argparse
import sys

from config import load_settings

# Only what the pipelines load: skip the duplicate checkpoint formats the repos also carry.
ALLOW = ["*.json", "*.txt", "*.safetensors", "*.model", "tokenizer*", "merges.txt", "vocab.json"]
IGNORE = ["*.ckpt", "*.bin", "*.msgpack", "*.h5", "*.onnx", "*fp32*", "*.pt"]


def download(model_id: str) -> str:
    from huggingface_hub import snapshot_download

    print(f"Downloading {model_id} …", flush=True)
    return snapshot_download(model_id, allow_patterns=ALLOW, ignore_patterns=IGNORE)


def main(argv: list[str] | None = None) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", action="append", help="a model id to fetch (repeatable)")
    args = parser.parse_args(argv)
    from engine.models import model_preset

    models = (
        [model_preset(m).repository for m in args.model] if args.model else [settings.model_id, settings.clip_model_id]
    )
    if not args.model and settings.vae in ("tiny", "auto"):  # auto: tiny on a CPU
        models.append(settings.tiny_vae_id)
    failed = False
    for model_id in models:
        try:
            path = download(model_id)
        except Exception as error:  # network down, unknown id, disk full: say which and go on
            print(f"Could not download {model_id}: {error}", file=sys.stderr)
            failed = True
        else:
            print(f"{model_id} is ready in {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
