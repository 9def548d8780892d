"""LoRA settings for the language model of a text or vision-language model, as a peft LoraConfig.

TRL's trainers take it as `peft_config=` and wrap the model themselves.
"""

from r1kit.models.vision import VISION_TOWERS

# peft matches exclude_modules against whole module names: leave every vision tower and the output layer alone.
EXCLUDE = rf"(.*\.)?({'|'.join(VISION_TOWERS)})\..*|(.*\.)?lm_head"


def lora_config(model_cfg: dict):
    """The `peft.LoraConfig` for `model.lora`, or None when LoRA is off."""
    lora = model_cfg["lora"]
    if not lora["enabled"]:
        return None
    from peft import LoraConfig

    return LoraConfig(
        r=lora["r"], lora_alpha=lora["alpha"], lora_dropout=lora["dropout"],
        target_modules=list(lora["target_modules"]) if lora["target_modules"] else "all-linear",
        exclude_modules=EXCLUDE, task_type="CAUSAL_LM",
    )
