"""scripts/prepare_gui_r1.py: GUI-R1-3K rows become gui_action rows with GUI-R1's own prompt and gold."""

import io
import json

import pytest
import yaml
from PIL import Image

from r1kit.data.gui import GuiAction
from r1kit.rewards.gui import gui_action, gui_format
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_gui_r1.py")
FIXTURE = FIXTURES / "gui_r1.jsonl"
IMAGES = FIXTURES / "images" / "gui_r1"


def _recipe_adapter() -> GuiAction:
    recipe = yaml.safe_load((REPO / "recipes" / "gui_r1.yaml").read_text(encoding="utf-8"))
    spec = recipe["datasets"]["gui_r1"]
    return GuiAction(columns=spec["columns"], **spec["options"])


def test_columns_and_the_gold_gui_r1_s_reward_reads():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert [r["action"] for r in rows] == ["click", "click", "type", "scroll", "press_back", "complete"]
    assert [r["bbox"] for r in rows] == [[0.05, 0.30, 0.95, 0.40], [0.5, 0.135], None, None, None, None]  # clicks only
    assert [r["text"] for r in rows] == [None, None, "Tokyo", "down", None, None]  # "no input text" is none
    assert all(r["image"] == str(IMAGES / s["image"]["path"]) for r, s in zip(rows, raw))
    assert rows[0]["instruction"] == raw[0]["instruction"] and rows[0]["task_type"] == "high"


def test_question_is_gui_r1_s_prompt_per_task_type():
    """dataset.py:131-151: the "high" text offers nine actions, the "low" text only click (tested equal to the
    source's f-strings when written)."""
    high, low = list(prepare.convert(read_jsonl(FIXTURE)))[:2]
    assert high["question"].startswith("You are GUI-R1, a reasoning GUI Agent Assistant. In this UI screenshot "
                                       "<image>, I want you to continue executing the command 'Turn on Wi-Fi in the "
                                       "settings', with the action history being 'None'.\nPlease provide the action "
                                       "to perform (enumerate from ['complete', 'close/delete', 'press_home', "
                                       "'click', 'press_back', 'type', 'select', 'scroll', 'enter']),")
    assert high["question"].endswith("[{'action': enum['scroll'], 'point': [-100, -100], 'input_text': enum['up', "
                                     "'left', 'right', 'down']}]")
    assert low["question"] == (
        "You are GUI-R1, a reasoning GUI Agent Assistant. In this UI screenshot <image>, I want you to continue "
        "executing the command 'Click on the search bar at the top of the page.', with the action history being "
        "'None'.\nPlease provide the action to perform (enumerate from ['click']), the point where the cursor is "
        "moved to (integer) if a click is performed, and any input text required to complete the action.\nOutput "
        "the thinking process in <think> </think> tags, and the final answer in <answer> </answer> tags as follows:\n"
        "<think> ... </think> <answer>[{'action': enum[ 'click'], 'point': [x, y], 'input_text': 'no input text'}]"
        "</answer>\nExample:\n[{'action': enum['click'], 'point': [123, 300], 'input_text': 'no input text'}]\n")


def test_recipe_adapter_places_the_screenshot_and_scores_gui_r1_answers():
    """Through the recipe's adapter: the image sits at <image>, the gold is in the resized image's pixels, and
    GUI-R1-style answers score as r1gui_compute_score would."""
    adapter = _recipe_adapter()
    rows = list(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES)))
    examples = [adapter.example(r) for r in rows]
    user = examples[0]["prompt"][-1]["content"]
    assert [p["type"] for p in user] == ["text", "image", "text"]
    assert user[0]["text"].endswith("In this UI screenshot") and user[2]["text"].startswith(", I want you")
    assert examples[0]["prompt"][0]["content"][0]["text"] == "You are a helpful assistant."
    # 96x160 -> smart_resize within [512^2, 1258291] px -> 420x672: the box [0.05, 0.3, 0.95, 0.4] in those pixels
    box = examples[0]["answer"]["bbox"]
    assert box == [21.0, 201.6, 399.0, 268.8]
    x, y = round((box[0] + box[2]) / 2), round((box[1] + box[3]) / 2)
    click = f"<think>Wi-Fi row.</think> <answer>[{{'action': 'click', 'point': [{x}, {y}], 'input_text': 'no input text'}}]</answer>"
    miss = "<think>top.</think> <answer>[{'action': 'click', 'point': [5, 5], 'input_text': 'no input text'}]</answer>"
    assert gui_action([click, miss], answer=[examples[0]["answer"]] * 2) == [1.0, 0.0]
    assert gui_format([click, miss]) == [1.0, 1.0]
    typed = "<think>t</think> <answer>[{'action': 'type', 'point': [-100, -100], 'input_text': 'tokyo'}]</answer>"
    back = "<think>t</think> <answer>[{'action': 'press_back', 'point': [-100, -100], 'input_text': 'no input text'}]</answer>"
    assert gui_action([typed, back, back], answer=[examples[2]["answer"], examples[4]["answer"],
                                                   examples[5]["answer"]]) == [1.0, 1.0, 0.0]


def test_embedded_bytes_are_written_and_bad_rows_refused(tmp_path):
    raw = read_jsonl(FIXTURE)[0]
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="PNG")
    row = dict(raw, image={"bytes": buffer.getvalue(), "path": None})
    (out,) = prepare.convert([row], image_dir=str(tmp_path / "imgs"))
    assert out["image"] == str(tmp_path / "imgs" / "000000.png") and Image.open(out["image"]).size == (40, 30)
    with pytest.raises(ValueError, match="row 0: the image is embedded bytes; give image_dir"):
        list(prepare.convert([row]))
    with pytest.raises(ValueError, match="row 0: no gt_action"):
        list(prepare.convert([dict(raw, gt_action=None)]))
    with pytest.raises(ValueError, match=r"row 0: gt_bbox \[0.1, 0.2, 0.3\] is neither a point"):
        list(prepare.convert([dict(raw, gt_bbox=[0.1, 0.2, 0.3])]))


def test_main_writes_what_convert_gives(tmp_path):
    out = tmp_path / "data" / "gui_r1.jsonl"
    prepare.main(["--source", str(FIXTURE), "--out", str(out), "--image-root", str(IMAGES)])
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written == list(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES)))
