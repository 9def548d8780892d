"""scripts/prepare_patho_r1.py: Patho-R1-layout SFT and RL rows become mm_math rows (option letter or answer text)."""

import pytest
import yaml

from r1kit.data.visual import MMMath
from r1kit.rewards.format import think_format
from r1kit.rewards.match import choice
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_patho_r1.py")
RL, SFT = FIXTURES / "patho_r1_mcq.jsonl", FIXTURES / "patho_r1_sft.jsonl"
RL_IMAGES, SFT_IMAGES = FIXTURES / "images" / "patho_r1_mcq", FIXTURES / "images" / "patho_r1_sft"
SYSTEM = ("You are a pathology expert, your task is to answer question step by step. Use the following format:"
          "<think> Your step-by-step reasoning </think><answer> Your final answer </answer>")


def test_rl_rows_keep_question_images_and_the_option_letter():
    raw = read_jsonl(RL)
    rows = list(prepare.convert(raw, image_root=str(RL_IMAGES)))
    assert [r["answer"] for r in rows] == ["D", "B", "B", "A", "Periodic acid-Schiff"]  # open VQA keeps its text
    assert [r["question"] for r in rows] == [r["problem"] for r in raw]
    assert rows[0]["images"] == [str(RL_IMAGES / raw[0]["images"][0])]
    assert "solution" not in rows[0]
    assert next(prepare.convert(raw))["images"] == raw[0]["images"]  # no root: the published relative name


def test_sft_rows_keep_the_reply_as_solution():
    raw = read_jsonl(SFT)
    rows = list(prepare.convert(raw, image_root=str(SFT_IMAGES)))
    assert [r["answer"] for r in rows] == ["D", "Prostatic acinar adenocarcinoma", "B", "A"]
    assert rows[2]["question"] == raw[2]["conversations"][0]["value"]  # ShareGPT from/value read the same
    assert rows[0]["solution"] == raw[0]["messages"][1]["content"]


def test_recipe_prompt_target_and_rewards():
    """The SFT target is the reply as written; an RL prompt is the README's system turn, the image, the question."""
    recipe = yaml.safe_load((REPO / "recipes" / "patho_r1.yaml").read_text(encoding="utf-8"))
    sft = MMMath(**recipe["datasets"]["sft"]["options"]).example(
        next(prepare.convert(read_jsonl(SFT), image_root=str(SFT_IMAGES))))
    assert sft["messages"][-1]["content"] == [{"type": "text", "text": read_jsonl(SFT)[0]["messages"][1]["content"]}]
    raw = read_jsonl(RL)[2]
    rl = MMMath(**recipe["datasets"]["mcq"]["options"]).example(
        next(prepare.convert([raw], image_root=str(RL_IMAGES))))
    assert rl["prompt"][0] == {"role": "system", "content": [{"type": "text", "text": SYSTEM}]}
    assert rl["prompt"][1]["content"] == [{"type": "image"}, {"type": "text", "text": raw["problem"][len("<image>"):]}]
    right = "<think> nuclei are pencil-shaped, no invasion </think><answer>B. Tubular adenoma</answer>"
    wrong = "<think> invasive </think><answer>C</answer>"
    stack = recipe["stages"]["grpo"]["rewards"]
    assert choice([right, wrong], answer=[rl["answer"]] * 2, letters=stack[0]["letters"]) == [1.0, 0.0]
    assert think_format([right]) == [1.0]


@pytest.mark.parametrize("bad, message", [
    ({"problem": "<image>Which? /n A. x /n B. y", "answer": "E", "images": ["a.png"]}, r"row 0: the answer 'E' names none"),
    ({"problem": "<image>Which?", "answer": " ", "images": ["a.png"]}, "needs a non-empty `answer`"),
    ({"messages": [{"role": "user", "content": "<image>q"}, {"role": "assistant", "content": "D"}], "images": ["a.png"]},
     r"not '<think>...</think><answer>...</answer>'"),
    ({"messages": [{"role": "user", "content": "<image>q"}], "images": ["a.png"]}, "needs the user's question"),
    ({"problem": "<image>q", "answer": "x"}, "row 0 image None is not an image"),
])
def test_bad_rows_are_named(bad, message):
    with pytest.raises(ValueError, match=message):
        list(prepare.convert([bad]))
