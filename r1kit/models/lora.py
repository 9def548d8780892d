"""LoRA settings for the language model of a text or vision-language model, as a peft LoraConfig.

TRL's trainers take it as `peft_config=` and wrap the model themselves.
"""

import re

from r1kit.models.vision import VISION_TOWERS, vision_tower

# peft matches exclude_modules against whole module names: any vision tower, and the output layer.
ANY_VISION_TOWER = rf"(.*\.)?({'|'.join(VISION_TOWERS)})\..*|(.*\.)?lm_head"


def lora_config(model_cfg: dict, model=None):
    """The `peft.LoraConfig` for `model.lora`, or None when LoRA is off.

    A vision tower (and the output layer of a vision-language model) is never adapted.
    Given the loaded `model`, the exclusion names its actual tower, and a text model
    excludes nothing; without it, any module named like a vision tower, and `lm_head`,
    are excluded (the same layers unless `target_modules` names `lm_head` of a text model).
    """
    lora = model_cfg["lora"]
    if not lora["enabled"]:
        return None
    from peft import LoraConfig

    exclude = ANY_VISION_TOWER
    if model is not None:
        tower = vision_tower(model)
        prefix = next((name for name, module in model.named_modules() if module is tower), None)
        exclude = rf"^{re.escape(prefix)}\..*|.*lm_head$" if tower is not None else None
    return LoraConfig(
        r=lora["r"], lora_alpha=lora["alpha"], lora_dropout=lora["dropout"],
        target_modules=list(lora["target_modules"]) if lora["target_modules"] else "all-linear",
        exclude_modules=exclude, task_type="CAUSAL_LM", use_dora=bool(lora.get("use_dora")),
    )
