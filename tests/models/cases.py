"""Shared inputs for the model tests: chats, `model` sections as the curriculum hands them over, images."""

from PIL import Image, ImageDraw

from r1kit.checks import typed
from r1kit.models.config import ModelSchema

COMPLETION = "<think>7+5=12,4+8+1=13</think><answer>132</answer>"
CHAT = [
    {"role": "system", "content": "Add."},
    {"role": "user", "content": "47+85"},
    {"role": "assistant", "content": COMPLETION},
]

# A DeepSeek-R1-distill-style template: the generation prompt opens the <think> block for the model.
R1_DISTILL_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] == 'user' %}{{ '<｜User｜>' + message['content'] }}"
    "{% elif message['role'] == 'assistant' %}{{ '<｜Assistant｜>' + message['content'] + '<｜end▁of▁sentence｜>' }}"
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<｜Assistant｜><think>\\n' }}{% endif %}"
)

TINY = {"name": "tiny", "hidden_size": 32}
TINY_VL = {"name": "tiny_vl", "hidden_size": 32, "vision_dim": 32, "num_heads": 2, "num_kv_heads": 1,
           "vision_heads": 2}


def model_cfg(**kw) -> dict:
    """A validated `model` section (a plain dict, every default filled in) building the tiny text model."""
    return typed(ModelSchema, {"build": TINY, **kw}, "model")


def vl_cfg(**kw) -> dict:
    """A validated `model` section building the tiny vision-language model with the ChatML-VL template."""
    return typed(ModelSchema, {"build": TINY_VL, "chat_template": "chatml_vl", **kw}, "model")


def square(x: int, y: int, size: int = 112, colour: str = "red") -> Image.Image:
    image = Image.new("RGB", (size, size), "white")
    ImageDraw.Draw(image).rectangle([x, y, x + 27, y + 27], fill=colour)
    return image


def visual_prompt(image, text="Where is the square?"):
    return [{"role": "system", "content": [{"type": "text", "text": "Answer with a box."}]},
            {"role": "user", "content": [{"type": "image", "image": image}, {"type": "text", "text": text}]}]


def image_tokens(processor, prompt) -> int:
    text = processor.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
    image = prompt[1]["content"][0]["image"]
    ids = processor(text=[text], images=[image], return_tensors="pt")["input_ids"][0]
    return int((ids == processor.tokenizer.convert_tokens_to_ids("<|image_pad|>")).sum())
