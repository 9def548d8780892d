"""scripts/prepare_rm_r1_distill_sft.py and prepare_rm_r1_rlvr.py: RM-R1's published rows become chat_sft and
preference rows, and the recipe's reward scores RM-R1's verdicts as lm_as_judge.py does."""

import json

import pytest

from r1kit.data.chat import ChatSFT
from r1kit.data.text_adapters import Preference
from r1kit.rewards.preference import preference_judgment
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

distill = load_script(SCRIPTS / "prepare_rm_r1_distill_sft.py")
rlvr = load_script(SCRIPTS / "prepare_rm_r1_rlvr.py")
SFT_FIXTURE = FIXTURES / "rm_r1_distill_sft.jsonl"  # system turns abridged, so a conversation fits the matrix's SFT rows
RL_FIXTURE = FIXTURES / "rm_r1_rlvr.jsonl"


def test_distill_rows_are_the_judge_conversation_then_the_chain():
    raw = read_jsonl(SFT_FIXTURE)
    rows = list(distill.convert(raw))
    assert len(rows) == len(raw)
    for src, row in zip(raw, rows):
        assert row["messages"][:-1] == src["context_messages"]
        assert row["messages"][-1] == {"role": "assistant", "content": src["winner"]}
        assert row["answer"] == src["winner"].rsplit("[[", 1)[1][0]  # ...<answer>[[A]]</answer>
        example = ChatSFT().example(row)
        assert example["prompt"] == src["context_messages"] and example["messages"] == row["messages"]


def test_distill_chain_as_messages_and_bad_rows():
    src = read_jsonl(SFT_FIXTURE)[0]
    (row,) = distill.convert([{**src, "winner": [{"role": "assistant", "content": src["winner"]}]}])
    assert row["messages"][-1]["content"] == src["winner"]
    with pytest.raises(ValueError, match=r"row 0: the chain does not end with <answer>\[\[A\]\]"):
        list(distill.convert([{**src, "winner": "Chatbot A is better."}]))
    with pytest.raises(ValueError, match="row 0: `context_messages` is not a list"):
        list(distill.convert([{**src, "context_messages": "hi"}]))


def test_rlvr_rows_keep_the_published_prompt_and_label():
    raw = read_jsonl(RL_FIXTURE)
    for src, row in zip(raw, rlvr.convert(raw), strict=True):
        example = Preference(system_prompt=None).example(row)
        assert example["prompt"] == src["context_messages"]  # verbatim: system rubric turn + Chatbot A/B user turn
        assert example["answer"] == {"model_a": "A", "model_b": "B"}[src["winner"]]
    with pytest.raises(ValueError, match="row 0: `winner` is 'tie', not model_a or model_b"):
        list(rlvr.convert([{**raw[0], "winner": "tie"}]))


def test_reward_scores_rm_r1_verdicts_as_lm_as_judge():
    """+1 for the right verdict at the end of an RM-R1-style output (no <think> block), -1 otherwise."""
    out = "<type>Chat</type>\n\n<rubric>r</rubric>\n\n<eval>e</eval>\n\n<answer>[[{}]]</answer>"
    completions = [out.format("A"), out.format("B"), "<eval>e</eval>\n\nChatbot A is better.", out.format("A")]
    assert preference_judgment(completions, answer=["A", "A", "A", "B"]) == [1.0, -1.0, -1.0, -1.0]


def test_main_writes_what_convert_gives(tmp_path):
    for script, fixture in ((distill, SFT_FIXTURE), (rlvr, RL_FIXTURE)):
        out = tmp_path / "data" / fixture.name
        script.main(["--source", str(fixture), "--out", str(out)])
        written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert written == list(script.convert(read_jsonl(fixture)))
