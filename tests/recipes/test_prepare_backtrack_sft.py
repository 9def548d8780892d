"""scripts/prepare_backtrack_sft.py: How-Much-Backtracking's prompt/completion SFT rows -> chat_sft conversations."""

import re

import pytest

from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_backtrack_sft.py")


def test_fixture_rows_become_system_user_and_the_trajectory_as_reply():
    published = read_jsonl(FIXTURES / "backtrack_sft.jsonl")
    rows = list(prepare.convert(published))
    assert len(rows) == len(published)
    for row, raw in zip(rows, published):
        system, user, reply = row["messages"]
        assert [m["role"] for m in row["messages"]] == ["system", "user", "assistant"]
        assert system["content"].startswith("You are a helpful assistant.")
        assert user["content"].endswith("for example <answer> (1 + 2) / 3 </answer>.")
        assert reply["content"] == raw["completion"]
        # the ChatML text rebuilt from the turns and the template's opening is the authors' prompt + completion
        rebuilt = (f"<|im_start|>system\n{system['content']}<|im_end|>\n<|im_start|>user\n{user['content']}<|im_end|>\n"
                   f"<|im_start|>assistant\n{prepare.OPENING}{reply['content']}")
        assert rebuilt == raw["prompt"] + raw["completion"]


def test_fixture_trajectories_backtrack_and_end_with_a_right_countdown_answer():
    for row in prepare.convert(read_jsonl(FIXTURES / "backtrack_sft.jsonl")):
        user, reply = row["messages"][1]["content"], row["messages"][2]["content"]
        assert "Wait, this doesn't lead to the correct solution." in reply
        target = int(re.search(r"(?:equals|make|Calculate) (\d+)", user).group(1))
        numbers = [int(n) for n in re.findall(r"\d+", user.split("\n")[0])]
        numbers.remove(target)
        answer = re.search(r"<answer>(.*)</answer>", reply).group(1)
        assert sorted(int(n) for n in re.findall(r"\d+", answer)) == sorted(numbers)
        assert eval(answer, {"__builtins__": {}}) == target  # our own fixture's arithmetic


def test_bad_rows_are_refused_by_number():
    rows = read_jsonl(FIXTURES / "backtrack_sft.jsonl")[:2]
    with pytest.raises(ValueError, match="row 1: backtracking SFT rows need text `prompt` and `completion`"):
        list(prepare.convert([rows[0], {"prompt": rows[1]["prompt"]}]))
    base = "A conversation between User and Assistant.\nUser: ...\nAssistant: Let me solve this step by step.\n<think>"
    with pytest.raises(ValueError, match="row 0: `prompt` is not the qwen-instruct template"):
        list(prepare.convert([dict(rows[0], prompt=base)]))
    with pytest.raises(ValueError, match="row 0: the completion has no `</think>` and `<answer>`"):
        list(prepare.convert([dict(rows[0], completion="Step 1: 95 + 36 = 131.")]))


def test_the_recipes_chat_template_renders_the_authors_text():
    """recipes/backtracking.yaml's template on a converted row is the published prompt + completion (+ <|im_end|>),
    and its generation prompt is the published prompt: SFT and GRPO see the authors' text."""
    import jinja2

    from tests.recipes.tiny import composed

    template = composed("backtracking")["model"]["chat_template"]
    plain = jinja2.Environment().from_string(re.sub(r"\{%-? *(end)?generation *-?%\}", "", template))
    for raw, row in zip(read_jsonl(FIXTURES / "backtrack_sft.jsonl"),
                        prepare.convert(read_jsonl(FIXTURES / "backtrack_sft.jsonl"))):
        assert plain.render(messages=row["messages"]) == raw["prompt"] + raw["completion"] + "<|im_end|>\n"
        assert plain.render(messages=row["messages"][:2], add_generation_prompt=True) == raw["prompt"]
