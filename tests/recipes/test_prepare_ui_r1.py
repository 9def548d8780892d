"""scripts/prepare_ui_r1.py: UI-R1's train.json rows become gui_action rows; the recipe's prompt is UI-R1's."""

import json

import pytest
import yaml

from r1kit.data.gui import GuiAction
from r1kit.rewards.format import think_format
from r1kit.rewards.gui import gui_action, gui_action_type
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_ui_r1.py")
FIXTURE = FIXTURES / "ui_r1.jsonl"
IMAGES = FIXTURES / "images" / "ui_r1"

# grpo_json_action_coord.py:250-258 of lll6gg/UI-R1@2fe9bf0, with a task in place of '{task_prompt}'
UI_R1_PROMPT = (
    "In this UI screenshot, I want to perform the command 'Click on the Alarm tab.'.\n"
    "Please provide the action to perform (enumerate in ['click', 'open_app', 'scroll', 'navigate_back', "
    "'input_text]')and the coordinate where the cursor is moved to(integer) if click is performed.\n"
    "Output the thinking process in <think> </think> and final answer in <answer> </answer> tags.The output answer "
    "format should be as follows:\n"
    "<think> ... </think> <answer>[{'action': enum['click', 'open_app', 'scroll', 'navigate_back', 'input_text], "
    "'coordinate': [x, y]}]</answer>\n"
    "Please strictly follow the format.")


def _recipe_adapter() -> GuiAction:
    recipe = yaml.safe_load((REPO / "recipes" / "ui_r1.yaml").read_text(encoding="utf-8"))
    return GuiAction(**recipe["datasets"]["ui_r1"]["options"])


def test_a_row_with_a_box_is_a_click_the_others_keep_their_action():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert [r["action"] for r in rows] == ["click"] * 4 + ["scroll", "open_app"]
    assert [r["bbox"] for r in rows] == [s.get("bbox") for s in raw]
    assert all(r["image"] == str(IMAGES / s["img_filename"]) and r["instruction"] == s["instruction"]
               for r, s in zip(rows, raw))


def test_bad_rows_are_refused():
    with pytest.raises(ValueError, match=r"row 0 \(a.png\): neither a bbox \(a click\) nor an action"):
        list(prepare.convert([{"img_filename": "a.png", "instruction": "x"}]))
    with pytest.raises(ValueError, match=r"bbox \[1, 2\] is not \[x1, y1, x2, y2\]"):
        list(prepare.convert([{"img_filename": "a.png", "instruction": "x", "bbox": [1, 2]}]))
    with pytest.raises(ValueError, match="row 0: a UI-R1 row needs img_filename and instruction"):
        list(prepare.convert([{"instruction": "x", "action": "scroll"}]))


def test_recipe_prompt_is_ui_r1_s_and_its_rewards_score_ui_r1_answers():
    adapter = _recipe_adapter()
    rows = list(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES)))
    examples = [adapter.example(r) for r in rows]
    system, user = examples[0]["prompt"]
    assert system["content"][0]["text"] == "You are a helpful assistant."
    assert [p["type"] for p in user["content"]] == ["image", "text"] and user["content"][1]["text"] == UI_R1_PROMPT
    # 72x160 is rounded up to 84x168 by smart_resize (factor 28): the box [6, 30, 66, 46] becomes [7, 31.5, 77, 48.3]
    assert examples[0]["answer"] == {"action": "click", "bbox": [7.0, 31.5, 77.0, 48.3], "text": None}
    hit = "<think>Alarm is the first tab.</think> <answer>[{'action': 'click', 'coordinate': [40, 40]}]</answer>"
    miss = "<think>below.</think> <answer>[{'action': 'click', 'coordinate': [40, 90]}]</answer>"
    scroll = "<think>more.</think> <answer>[{'action': 'scroll', 'coordinate': [0, 0]}]</answer>"
    golds = [examples[0]["answer"], examples[0]["answer"], examples[4]["answer"]]
    assert gui_action_type([hit, miss, scroll], answer=golds) == [1.0, 1.0, 1.0]
    assert gui_action([hit, miss, scroll], answer=golds, style="ui_r1") == [1.0, 0.0, 1.0]
    assert think_format([hit, miss, scroll]) == [1.0, 1.0, 1.0]


def test_main_reads_the_json_list(tmp_path):
    source = tmp_path / "train.json"
    source.write_text(json.dumps(read_jsonl(FIXTURE)), encoding="utf-8")
    out = tmp_path / "data" / "ui_r1.jsonl"
    prepare.main(["--source", str(source), "--image-root", str(IMAGES), "--out", str(out)])
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written == list(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES.resolve())))
