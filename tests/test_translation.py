"""Korean prompts: translated to English for the engine when a translation model is local.

The model is a tiny BART with random weights, built here, saved and loaded back through
AutoModelForSeq2SeqLM.from_pretrained; its output bias is set so that it always "translates"
to the letter a, which makes the result checkable.
"""

from __future__ import annotations

from pathlib import Path

import torch
from helpers import Classroom, drain

from config import Settings
from db.session import Database
from engine.registry import EngineRegistry
from engine.tiny import _bytes_to_unicode
from engine.translate import MAX_NEW_TOKENS
from game.submissions import player_state, submit_prompt
from worker.runner import Worker


def save_tiny_translator(folder: Path) -> Path:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import BartConfig, BartForConditionalGeneration, PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3}
    for character in _bytes_to_unicode().values():
        vocab[character] = len(vocab)
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", pad_token="<pad>", unk_token="<unk>"
    )
    config = BartConfig(
        vocab_size=len(vocab),
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=128,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_bos_token_id=None,
        forced_eos_token_id=None,
    )
    torch.manual_seed(0)
    model = BartForConditionalGeneration(config)
    with torch.no_grad():
        model.final_logits_bias[0, vocab["a"]] = 1000.0  # every token it writes is "a"
    model.save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


def test_a_korean_prompt_is_translated_for_the_engine_and_both_are_kept(
    db: Database, settings: Settings, shared_registry_settings: Settings, tmp_path: Path
) -> None:
    translator_dir = save_tiny_translator(tmp_path / "ko-en")
    with_translator = shared_registry_settings.with_changes(translation_model_id=str(translator_dir))
    worker = Worker(db, settings, registry=EngineRegistry(with_translator))
    classroom = Classroom(db, engine="tiny")
    classroom.round(worker)
    mina, joon = classroom.join("Mina"), classroom.join("Joon")
    english = "a" * MAX_NEW_TOKENS
    with db.write() as s:
        submit_prompt(s, classroom.code, mina, "빨간 원")
        submit_prompt(s, classroom.code, joon, english)
    drain(worker)
    with db.read() as s:
        (korean,) = player_state(s, classroom.code, mina).submissions
        (direct,) = player_state(s, classroom.code, joon).submissions
    assert korean.prompt == "빨간 원"  # what she wrote is kept ...
    assert korean.engine_prompt == english  # ... beside what the engine drew
    assert korean.score == direct.score  # the engine drew the translation
    assert direct.engine_prompt is None  # English prompts are not touched


def test_without_a_translation_model_korean_prompts_go_as_written(db: Database, worker: Worker) -> None:
    classroom = Classroom(db, engine="tiny")
    classroom.round(worker)
    mina = classroom.join("Mina")
    with db.write() as s:
        submit_prompt(s, classroom.code, mina, "빨간 원")
    drain(worker)
    with db.read() as s:
        (attempt,) = player_state(s, classroom.code, mina).submissions
    assert attempt.status == "done" and attempt.engine_prompt is None
