"""Warnings from the model libraries that a teacher cannot act on, silenced by their text.

Each one is harmless here, and `make run` should print only what a teacher can act on:
- transformers falls back to the PIL image processors because torchvision is not installed
  (there is no CPU build of it; the PIL processors give the same pixels to CLIP);
- diffusers passes huggingface_hub an argument the hub now ignores (`local_dir_use_symlinks`).
"""

from __future__ import annotations

import logging
import warnings

HARMLESS_LOG_LINES = ("requires torchvision (not installed); falling back to",)
HARMLESS_WARNINGS = (r"The `local_dir_use_symlinks` argument is deprecated",)


class _DropHarmless(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(line in message for line in HARMLESS_LOG_LINES)


def quiet_known_warnings() -> None:
    logging.getLogger("transformers.utils.import_utils").addFilter(_DropHarmless())
    for message in HARMLESS_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=UserWarning)
