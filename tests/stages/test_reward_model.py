"""reward_model stage: a vision-language model's language model becomes the text-only classifier."""

import pytest

from r1kit.errors import UserError


def test_a_vlm_lends_its_language_model_weight_for_weight():
    import torch

    from r1kit.models.tiny_vl import build_tiny_vl
    from r1kit.stages.reward_model import text_scorer, text_tokenizer

    model, processor = build_tiny_vl()
    scorer = text_scorer(model)
    assert scorer.config.num_labels == 1 and scorer.config.model_type == "qwen2"
    ids = torch.tensor([[5, 6, 7, 8, 9, 10, 11]])
    with torch.no_grad():  # text alone: the classifier's body computes what the VLM's language model computes
        expected = model.model.language_model(input_ids=ids).last_hidden_state
        assert torch.equal(scorer.model(input_ids=ids).last_hidden_state, expected)
    tokenizer = text_tokenizer(processor)
    assert tokenizer.chat_template and tokenizer.apply_chat_template(
        [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], tokenize=False)


def test_another_vlm_family_is_a_clear_error():
    from types import SimpleNamespace

    from r1kit.stages.reward_model import text_scorer

    config = SimpleNamespace(model_type="llava", get_text_config=lambda: SimpleNamespace(model_type="llama"))
    with pytest.raises(UserError, match="init_from"):
        text_scorer(SimpleNamespace(config=config))
