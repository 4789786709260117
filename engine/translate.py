"""Korean prompts, translated to English for the image model when a translation model is on
this machine (`PROMPTMATCH_TRANSLATION_MODEL_ID`, default Helsinki-NLP/opus-mt-ko-en; fetch it
with `python -m engine.download --model Helsinki-NLP/opus-mt-ko-en`). Without one the
student is told that the model reads English only; nothing is downloaded during a class."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import torch

log = logging.getLogger(__name__)
MAX_NEW_TOKENS = 77  # a prompt's worth: CLIP reads 77 tokens at most


class Translator:
    def __init__(self, model: Any, tokenizer: Any, *, device: str) -> None:
        self.model = model.to(device).eval()
        self.tokenizer = tokenizer
        self.device = device

    @classmethod
    def from_pretrained(cls, model_id: str, *, device: str) -> Translator | None:
        """The local model, or None (logged) when it is not on this machine."""
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        try:
            tokenizer = AutoTokenizer.from_pretrained(model_id, local_files_only=True)
            model = AutoModelForSeq2SeqLM.from_pretrained(model_id, local_files_only=True)
        except (OSError, ValueError) as error:
            log.info("no translation model (%s): Korean prompts go to the engine as written", error)
            return None
        return cls(model, tokenizer, device=device)

    @torch.inference_mode()
    def translate(self, texts: Sequence[str]) -> list[str]:
        inputs = self.tokenizer(list(texts), return_tensors="pt", padding=True, truncation=True)
        inputs = {k: v.to(self.device) for k, v in inputs.items() if k in ("input_ids", "attention_mask")}
        output = self.model.generate(**inputs, max_new_tokens=MAX_NEW_TOKENS, num_beams=1, do_sample=False)
        return [text.strip() for text in self.tokenizer.batch_decode(output, skip_special_tokens=True)]
