"""scripts/prepare_mobile_r1.py: Mobile-R1 trajectories become one gui_action row per step, scored as its R_action."""

import json

import pytest
import yaml

from r1kit.data.gui import GuiAction
from r1kit.rewards.gui import gui_action, gui_format
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_mobile_r1.py")
FIXTURE = FIXTURES / "mobile_r1.jsonl"
IMAGES = FIXTURES / "images" / "mobile_r1"


def _recipe():
    return yaml.safe_load((REPO / "recipes" / "mobile_r1.yaml").read_text(encoding="utf-8"))


def _adapter() -> GuiAction:
    return GuiAction(**_recipe()["datasets"]["mobile_r1"]["options"])


def _rows():
    return list(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES)))


def test_every_step_is_a_row_with_the_earlier_actions_as_history():
    raw, rows = read_jsonl(FIXTURE), _rows()
    assert len(rows) == sum(r["trajectory_length"] for r in raw) == 11
    assert [r["action"] for r in rows[:3]] == ["click", "type", "terminate"]
    assert [r["step"] for r in rows[:4]] == [0, 1, 2, 0]
    first, second = rows[0], rows[1]
    assert first["image"] == str(IMAGES / "xianyu_0007_0.png") and (IMAGES / "xianyu_0007_0.png").is_file()
    assert first["question"] == "The user query: 打开闲鱼，搜索GTX 5090\nTask progress (the operations already done " \
                                "on the device): None"
    assert second["question"].endswith('Step 1: {"action": "click", "coordinate": [540, 196]}')  # no gold box shown
    assert first["system"] == raw[0]["system"] and first["thought"] == raw[0]["trajectory"][0]["thought"]
    # boxes and points as fractions of the 1080x2400 screen; arguments kept for the non-point actions only
    assert first["bbox"] == [round(150 / 1080, 6), round(150 / 2400, 6), round(930 / 1080, 6), round(242 / 2400, 6)]
    assert (second["text"], rows[2]["text"]) == ("GTX 5090", "success")
    swipe, back = rows[6], rows[7]
    assert (swipe["action"], swipe["bbox"], swipe["text"]) == ("swipe", [0.5, 0.75], None)
    assert (back["action"], back["bbox"], back["text"]) == ("system_button", None, "Back")


def test_bad_rows_are_refused():
    row = read_jsonl(FIXTURE)[0]
    with pytest.raises(ValueError, match=r"row 0: no trajectory \(Mobile-R1 columns"):
        list(prepare.convert([{**row, "trajectory": []}]))
    step = {"image": "a.png", "thought": "x", "action": {"action": "click", "bbox": [0, 0, 2000, 100]}}
    with pytest.raises(ValueError, match=r"row 0 \(闲鱼\), step 0: bbox: \[0, 0, 2000, 100\] lies outside the "
                                         r"1080x2400 screen"):
        list(prepare.convert([{**row, "trajectory": [step]}]))
    with pytest.raises(ValueError, match="step 0: a click needs a bbox or a coordinate"):
        list(prepare.convert([{**row, "trajectory": [{**step, "action": {"action": "click"}}]}]))
    with pytest.raises(ValueError, match="has no action name"):
        list(prepare.convert([{**row, "trajectory": [{**step, "action": {"coordinate": [1, 2]}}]}]))


def test_a_wrapped_or_json_text_action_reads_the_same():
    row = read_jsonl(FIXTURE)[1]
    plain = list(prepare.convert([row]))
    call = {"name": "mobile_use", "arguments": row["trajectory"][0]["action"]}
    steps = [{**row["trajectory"][0], "action": json.dumps(call)}, row["trajectory"][1]]
    assert list(prepare.convert([{**row, "trajectory": steps}])) == plain


def test_recipe_adapter_writes_the_tool_call_reply_and_its_rewards_score_mobile_r1_replies():
    adapter = _adapter()
    examples = [adapter.example(r) for r in _rows()]
    system, user = examples[0]["prompt"]
    assert system["content"][0]["text"] == read_jsonl(FIXTURE)[0]["system"]
    assert [p["type"] for p in user["content"]] == ["image", "text"]
    gold = examples[0]["answer"]  # 72x160 is resized to 84x168: the box scales to it
    assert gold["action"] == "click" and gold["bbox"] == [11.67, 10.5, 72.33, 16.94]
    reply = examples[0]["messages"][-1]["content"][0]["text"]
    assert reply.startswith("<think>闲鱼首页已打开，顶部有搜索框，先点击搜索框。</think>\n<action>")
    # the SFT target is itself a right, well-formed reply
    targets = [e["messages"][-1]["content"][0]["text"] for e in examples]
    golds = [e["answer"] for e in examples]
    rewards = {r["name"]: r.get("kwargs", {}) for r in _recipe()["stages"]["grpo"]["rewards"]}
    assert gui_action(targets, answer=golds, **rewards["gui_action"]) == [1.0] * len(examples)
    assert gui_format(targets, **rewards["gui_format"]) == [1.0] * len(examples)
    wrong_text = targets[1].replace("GTX 5090", "GTX 509")
    outside = targets[0].replace('"coordinate": [42, 14]', '"coordinate": [42, 60]')
    assert outside != targets[0]
    assert gui_action([wrong_text, outside], answer=golds[:2][::-1], **rewards["gui_action"]) == [0.0, 0.0]


def test_main_reads_data_jsonl(tmp_path):
    out = tmp_path / "data" / "mobile_r1.jsonl"
    prepare.main(["--source", str(FIXTURE), "--image-root", str(IMAGES), "--out", str(out)])
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written == list(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES.resolve())))
