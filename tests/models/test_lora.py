"""LoRA: the peft config r1kit hands the trainer, and the wrapping `load_model` still does by default."""

from r1kit.models.load import load_model
from r1kit.models.lora import lora_config
from tests.models.cases import model_cfg, vl_cfg


def test_load_model_with_lora():
    from peft import PeftModel

    model, _ = load_model(model_cfg(lora={"enabled": True, "r": 4, "alpha": 8}))
    assert isinstance(model, PeftModel)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    assert 0 < trainable < total
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    assert names and all("lora_" in n for n in names)
    # restricted to some modules it trains fewer parameters
    few, _ = load_model(model_cfg(lora={"enabled": True, "r": 4, "target_modules": ["q_proj"]}))
    assert 0 < sum(p.numel() for p in few.parameters() if p.requires_grad) < trainable


def test_lora_adapts_the_language_model_and_never_the_vision_tower():
    model, _ = load_model(vl_cfg(lora={"enabled": True, "r": 4, "alpha": 8}))
    adapted = [name for name, _ in model.named_modules() if name.endswith("lora_A")]
    assert adapted and not [n for n in adapted if ".visual." in n]
    assert any("language_model" in n and "q_proj" in n for n in adapted)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n in trainable)


def test_lora_config_is_none_when_lora_is_off():
    assert lora_config(model_cfg()) is None


def test_trainer_wrapping_with_lora_config_trains_what_load_model_wraps():
    from peft import get_peft_model

    for cfg in (model_cfg(lora={"enabled": True, "r": 4}), vl_cfg(lora={"enabled": True, "r": 4})):
        wrapped, _ = load_model(cfg)
        plain, _ = load_model(cfg, apply_lora=False)
        assert not hasattr(plain, "peft_config")  # the trainer wraps it, given peft_config=lora_config(cfg)
        trainable = {n: p.shape for n, p in wrapped.named_parameters() if p.requires_grad}
        for config in (lora_config(cfg, plain), lora_config(cfg)):  # with or without the model in hand
            again, _ = load_model(cfg, apply_lora=False)
            by_trainer = get_peft_model(again, config)
            assert trainable == {n: p.shape for n, p in by_trainer.named_parameters() if p.requires_grad}


def test_the_model_in_hand_pins_the_exclusion_to_its_vision_tower(tiny_vl):
    model, _ = tiny_vl
    assert lora_config(vl_cfg(lora={"enabled": True}), model).exclude_modules == r"^model\.visual\..*|.*lm_head$"
    text, _ = load_model(model_cfg(), apply_lora=False)
    assert lora_config(model_cfg(lora={"enabled": True}), text).exclude_modules is None


def test_dora_adds_a_magnitude_vector_to_each_adapted_layer():
    cfg = model_cfg(lora={"enabled": True, "r": 4, "use_dora": True, "target_modules": ["q_proj", "v_proj"]})
    assert lora_config(cfg).use_dora and not lora_config(model_cfg(lora={"enabled": True})).use_dora
    model, _ = load_model(cfg)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert any("lora_magnitude_vector" in n for n in trainable) and all("lora_" in n for n in trainable)
