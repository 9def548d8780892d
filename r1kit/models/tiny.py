"""A tiny Qwen2-style causal LM and a byte-level (character-level for ASCII) tokenizer, built in code.

Used by tests, demos and the quickstart: no download, built in a fraction of a second.
Characters make arithmetic traces easy to learn and let any text be tokenized.
The reasoning tags are added as NON-special tokens: TRL decodes completions with
special tokens skipped, and format rewards must still see `<think>` and `<answer>`.
"""

from r1kit.errors import UserError
from r1kit.models.chat_template import CHATML

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<unk>"]
TAG_TOKENS = ["<think>", "</think>", "<answer>", "</answer>"]
ROLE_TOKENS = ["system", "user", "assistant"]  # whole tokens keep ChatML headers short
# Qwen's tool-call frame as whole tokens (non-special, like the tags: TRL's reply parser reads the decoded text):
# a character-level model then reads and writes each call and reply in fewer steps.
TOOL_TOKENS = ["<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>"]


def build_char_tokenizer():
    """A fast tokenizer with one token per byte (a byte-level BPE without merges) plus ChatML, tag and tool-call tokens.

    Byte-level with no merges is character-level for ASCII text, and it is exactly what
    transformers rebuilds when it reloads a saved Qwen2 checkpoint with Qwen2Tokenizer,
    so a saved tiny model reloads with `AutoTokenizer` unchanged.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {tok: i for i, tok in enumerate(SPECIAL_TOKENS + sorted(alphabet))}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens(SPECIAL_TOKENS)
    tok.add_tokens(TAG_TOKENS + ROLE_TOKENS + TOOL_TOKENS)  # appended: earlier ids unchanged
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=None,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token="<unk>",
        padding_side="left",
    )
    fast.chat_template = CHATML
    return fast


def build_tiny(
    hidden_size: int = 64,
    num_layers: int = 2,
    num_heads: int = 4,
    num_kv_heads: int = 2,
    intermediate_size: int | None = None,
    max_position_embeddings: int = 512,
    vocab_size: int | None = None,
    seed: int | None = None,
):
    """Build (model, tokenizer): a randomly initialised Qwen2 with the byte-level tokenizer.

    Without `seed` the weights come from torch's global RNG, which a run seeds with the recipe's `seed`.
    `vocab_size` (default: the tokenizer's) sizes the embedding and lm_head: a published model's
    (151,936 for Qwen2.5) gives a random model the real cost of both; ids past the tokenizer decode to nothing.
    """
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    tokenizer = build_char_tokenizer()
    config = Qwen2Config(
        vocab_size=embedding_rows(vocab_size, tokenizer),
        hidden_size=hidden_size,
        intermediate_size=intermediate_size or 4 * hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        num_key_value_heads=num_kv_heads,
        max_position_embeddings=max_position_embeddings,
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    with torch.random.fork_rng():
        if seed is not None:
            torch.manual_seed(seed)
        model = Qwen2ForCausalLM(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer


def embedding_rows(vocab_size: int | None, tokenizer) -> int:
    """The embedding's size: `vocab_size` if given (at least one row per token of the tokenizer), else the tokenizer's."""
    if vocab_size is None:
        return len(tokenizer)
    if not isinstance(vocab_size, int) or vocab_size < len(tokenizer):
        raise UserError(f"model.build.vocab_size={vocab_size!r}: give at least the tokenizer's {len(tokenizer)} "
                        "tokens (e.g. 151936 for Qwen2.5's embedding), or leave it out.")
    return vocab_size
