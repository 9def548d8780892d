"""scripts/prepare_think_rm_hs2.py and prepare_think_rm_sft.py: HelpSteer2 pairs become Think-RM's binary judge
prompts, its long-CoT set becomes chat_sft rows, and the recipe's template and reward are Think-RM's."""

import json

import jinja2
import pytest
import yaml

from r1kit.data.chat import ChatSFT
from r1kit.data.text_adapters import Preference
from r1kit.rewards.preference import preference_judgment
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

hs2 = load_script(SCRIPTS / "prepare_think_rm_hs2.py")
sft = load_script(SCRIPTS / "prepare_think_rm_sft.py")
HS2 = FIXTURES / "think_rm_hs2.jsonl"
SFT = FIXTURES / "think_rm_sft.jsonl"
RECIPE = yaml.safe_load((REPO / "recipes" / "think_rm.yaml").read_text(encoding="utf-8"))
# OpenRLHF/run_binary_max_sft.sh:40, the template Think-RM trains and samples with
THINK_RM_TEMPLATE = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + "
    "message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
    "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}")


def test_train_and_test_rows_keep_pairs_with_a_preference():
    raw = read_jsonl(HS2)
    train, test = list(hs2.convert(raw)), list(hs2.convert(raw, split="test"))
    kept = [r for r in raw if r["split"] == "train" and r["preference_strength"] != 0]
    assert len(train) == len(kept) == 4 and len(test) == 2
    for src, row in zip(kept, train):
        assert row["label"] == ("A" if src["preference_strength"] < 0 else "B")
        system, user = row["prompt"]
        assert system == {"role": "system", "content": hs2.SYSTEM}
        assert user["content"] == (f"[The Start of Context]\n{src['prompt']}\n[The End of Context]\n\n"
                                   f"[The Start of Assistant A's Response]\n{src['response_1']}\n"
                                   "[The End of Assistant A's Response]\n\n"
                                   f"[The Start of Assistant B's Response]\n{src['response_2']}\n"
                                   "[The End of Assistant B's Response]")
        assert Preference(system_prompt=None).example(row) == {"prompt": row["prompt"], "answer": row["label"],
                                                               "task": "preference"}


def test_bad_rows_are_refused():
    src = read_jsonl(HS2)[0]
    with pytest.raises(TypeError, match="row 0: `preference_strength` is None"):
        list(hs2.convert([{**src, "preference_strength": None}]))
    with pytest.raises(ValueError, match="row 0: `prompt`, `response_1` and `response_2`"):
        list(hs2.convert([{**src, "response_2": " "}]))
    with pytest.raises(ValueError, match="row 0: the assistant's judgment has no <answer>"):
        row = read_jsonl(SFT)[0]
        list(sft.convert([{"chosen": row["chosen"][:-1] + [{"role": "assistant", "content": "A is better."}]}]))
    with pytest.raises(ValueError, match="does not end with the assistant's judgment"):
        list(sft.convert([{"chosen": read_jsonl(SFT)[0]["chosen"][:-1]}]))


def test_sft_rows_are_the_conversation_with_its_verdict():
    for src, row in zip(read_jsonl(SFT), sft.convert(read_jsonl(SFT)), strict=True):
        assert row["messages"] == src["chosen"] and row["answer"] in ("A", "B")
        assert ChatSFT().example(row)["prompt"] == src["chosen"][:-1]


def test_reward_is_think_rm_s_binary_score():
    """1 when the last <answer> block's verdict is the gold letter, 0 otherwise (no answer, the other letter)."""
    completions = ["<think>x</think>\n\n<answer>A</answer>", "<think>x</think>\n\n<answer>B</answer>",
                   "<think>x</think> A is better", "<think>x</think>\n\n<answer>Assistant B</answer>"]
    reward = RECIPE["stages"]["grpo"]["rewards"][0]
    options = {k: v for k, v in reward.items() if k not in ("name", "weight")}
    assert preference_judgment(completions, answer=["A", "A", "A", "B"], **options) == [1.0, 0.0, 0.0, 1.0]


def test_recipe_template_renders_think_rm_s():
    """The recipe's template is Think-RM's with {% generation %} markers, which render nothing."""
    ours = RECIPE["model"]["chat_template"].replace("{% generation %}", "").replace("{% endgeneration %}", "")
    env = jinja2.Environment()
    conversation = read_jsonl(SFT)[0]["chosen"]
    for messages, gen in ((conversation, False), (conversation[:-1], True)):
        expected = env.from_string(THINK_RM_TEMPLATE).render(messages=messages, bos_token="<bos>",
                                                             add_generation_prompt=gen)
        assert env.from_string(ours).render(messages=messages, bos_token="<bos>", add_generation_prompt=gen) == expected


def test_main_writes_what_convert_gives(tmp_path):
    for script, fixture in ((hs2, HS2), (sft, SFT)):
        out = tmp_path / "data" / fixture.name
        script.main(["--source", str(fixture), "--out", str(out)])
        written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert written == list(script.convert(read_jsonl(fixture)))
