"""What the reward tests share: a well-formed completion, hostile model output, and ways to call a reward."""

GOOD = "<think>2 + 3 = 5</think>\n<answer>5</answer>"

# Output a policy can produce, however broken. Every reward must score these without raising.
HOSTILE = {
    "empty": "",
    "none": None,
    "none_content": [{"role": "assistant", "content": None}],
    "no_content_key": [{"role": "assistant"}],
    "empty_chat": [],
    "not_text": 12345,
    "huge": "x" * 100_000,
    "huge_words": "the same words again " * 25_000,
    "many_opens": "<think>" * 20_000,
    "many_closes": "</answer>" * 10_000,
    "many_boxes": "\\boxed{" * 15_000,
    "deep_brackets": "<think>" + "(" * 50_000 + "</think><answer>" + "(" * 900 + "1" + "</answer>",
    "huge_chinese": "答案是五，" * 25_000,
    "unicode": "🤔💡 答案是五 مرحبا بالعالم <think>思考 \u202e</think><answer>五</answer>",
    "lone_surrogate": "<answer>\ud800</answer>",
    "nested": "<think><think>x</think></think><answer>5</answer>",
    "repeated_think": "<think>a</think><think>b</think><answer>5</answer>",
    "wrong_order": "<answer>5</answer><think>why</think>",
    "two_answers": "<think>a</think><answer>4</answer><answer>5</answer>",
    "boxed_in_think_only": "<think>so \\boxed{5}</think>",
    "power_tower": "<think>a</think><answer>10^{10^{10^{10}}}</answer>",
    "deep_power": "<answer>" + "9^{" * 300 + "9" + "}" * 300 + "</answer>",
    "huge_factorial": "<answer>(10^{9})!</answer>",
}


def chat(text: str) -> list[dict]:
    return [{"role": "assistant", "content": text}]


def answer_block(text: str) -> str:
    """A completion that thinks briefly and answers `text`."""
    return f"<think>looking</think><answer>{text}</answer>"


def score(name, completions, options=None, **columns):
    """Resolve the reward `name` with `options` and score `completions`, each row with the same `columns`."""
    from r1kit.rewards import resolve

    n = len(completions)
    return resolve(name, **(options or {}))(completions, **{k: [v] * n for k, v in columns.items()})
