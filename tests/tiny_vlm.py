"""A tiny Idefics3 (SmolVLM's architecture) checkpoint built on the spot: random weights from a
small config, the embedded SmolLM2 tokenizer with the Idefics3 image tokens added, Idefics3's
image processor (pages cut into tiles) and a chat template that places one `<image>` per image.
Nothing is downloaded. Scores made with it are meaningless; the plumbing (processor, chat
template, image tokens, both engines) is real.

Why Idefics3: vLLM's CPU build runs it (its vision tower goes through torch SDPA) and
transformers loads it with AutoModelForImageTextToText; its processor needs no torchvision (Qwen2-VL's
and SmolVLM2's processors carry a video processor that does, and no torchvision build matches
torch 2.13+cpu here).
"""

from __future__ import annotations

from pathlib import Path

TILE = 56  # vision image_size: each tile is 4 x 4 patches of 14 pixels
IMAGE_SEQ_LEN = 4  # (56 / 14)^2 / scale_factor^2 image tokens per tile
LONGEST_EDGE = 6 * TILE  # a page is rescaled to this longest edge, then cut into 56-pixel tiles
CONTEXT = 1024

IMAGE_TOKENS = ["<fake_token_around_image>", "<image>", "<end_of_utterance>", "<global-img>",
                *[f"<row_{i}_col_{j}>" for i in range(1, 7) for j in range(1, 7)]]

CHAT_TEMPLATE = (
    "<|im_start|>"
    "{%- for message in messages -%}"
    "{{ message['role'] | capitalize }}:"
    "{%- if message['content'] is string -%}{{ message['content'] }}"
    "{%- else -%}{%- for part in message['content'] -%}"
    "{%- if part['type'] == 'text' -%}{{ part['text'] }}"
    "{%- elif part['type'] in ('image', 'image_url') -%}<image>"
    "{%- endif -%}{%- endfor -%}{%- endif -%}"
    "<end_of_utterance>{{ '\\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}Assistant:{%- endif -%}"
)


def build_tiny_idefics3(tokenizer_dir: Path, out: Path) -> Path:
    """Write the checkpoint to `out` (config, safetensors, tokenizer, processor, chat template)."""
    import torch
    from transformers import (AutoTokenizer, Idefics3Config, Idefics3ForConditionalGeneration,
                              Idefics3ImageProcessorPil, Idefics3Processor)

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    tok.add_special_tokens({"additional_special_tokens": IMAGE_TOKENS})
    tok.chat_template = CHAT_TEMPLATE
    eos = tok.convert_tokens_to_ids("<end_of_utterance>")
    pad = tok.pad_token_id if tok.pad_token_id is not None else eos
    config = Idefics3Config(
        text_config=dict(
            model_type="llama", vocab_size=(len(tok) + 63) // 64 * 64, hidden_size=64, intermediate_size=128,
            num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=CONTEXT,
            bos_token_id=tok.bos_token_id, eos_token_id=eos, pad_token_id=pad, tie_word_embeddings=False,
        ),
        # head size 32 in both towers: the smallest vLLM's CPU attention takes
        vision_config=dict(hidden_size=64, intermediate_size=128, num_hidden_layers=1, num_attention_heads=2,
                           image_size=TILE, patch_size=14),
        scale_factor=2, image_token_id=tok.convert_tokens_to_ids("<image>"), pad_token_id=pad,
        tie_word_embeddings=False,
    )
    torch.manual_seed(0)
    model = Idefics3ForConditionalGeneration(config).eval()
    model.generation_config.eos_token_id = eos
    model.generation_config.pad_token_id = pad
    model.save_pretrained(out, safe_serialization=True)
    images = Idefics3ImageProcessorPil(size={"longest_edge": LONGEST_EDGE}, max_image_size={"longest_edge": TILE},
                                       do_image_splitting=True)
    Idefics3Processor(image_processor=images, tokenizer=tok, image_seq_len=IMAGE_SEQ_LEN,
                      chat_template=CHAT_TEMPLATE).save_pretrained(out)
    return out
