"""The gui_action adapter: actions, their boxes rescaled like grounding's, and the action space."""

import pytest

from r1kit.data.gui import GuiAction
from tests.data.cases import answer_of, picture, target, user_text


def test_gui_action_boxes_rescaled_like_grounding():
    row = {"image": picture(640, 480), "instruction": "Click Submit", "action": "Click", "bbox": [64, 48, 320, 240]}
    ex = GuiAction().example(row)
    assert ex["answer"] == {"action": "click", "bbox": [64.4, 47.6, 322.0, 238.0], "text": None}
    assert answer_of(target(ex)) == {"action": "click", "point": [193, 143], "text": None}
    assert user_text(ex).startswith("Click Submit\nChoose the next action from: click, type, scroll,")
    normalized = GuiAction(coordinates="normalized", box_format="xywh").example(
        {**row, "bbox": [64, 48, 256, 192], "text": ""})
    assert normalized["answer"] == {"action": "click", "bbox": [100.0, 100.0, 500.0, 500.0], "text": None}


def test_gui_action_as_a_mapping_and_without_a_box():
    image = picture(320, 240)
    ex = GuiAction().example({"image": image, "instruction": "Scroll down", "action": {"action": "scroll",
                                                                                       "text": "down"}})
    assert ex["answer"] == {"action": "scroll", "bbox": None, "text": "down"}
    assert answer_of(target(ex)) == {"action": "scroll", "point": None, "text": "down"}
    with pytest.raises(ValueError, match=r"action 'swipe' is not one of click, type.*options.actions"):
        GuiAction().example({"image": image, "instruction": "Swipe", "action": "swipe"})
    assert GuiAction(actions=["swipe"]).example({"image": image, "instruction": "Swipe", "action": "swipe"})[
        "answer"]["action"] == "swipe"


def test_gui_action_gold_point_rescaled_like_a_corner():
    """GUI-R1's gt_bbox of two numbers is a target point: rescaled as a box corner, kept as two numbers."""
    row = {"image": picture(640, 480), "instruction": "Tap OK", "action": "click", "bbox": [0.1, 0.1]}
    ex = GuiAction(box_scale=1).example(row)
    assert ex["answer"] == {"action": "click", "bbox": [64.4, 47.6], "text": None}
    assert answer_of(target(ex)) == {"action": "click", "point": [64, 48], "text": None}
    from r1kit.rewards.gui import gui_action

    near, far = (f'<think>t</think><answer>{{"action": "click", "point": [{x}, {y}]}}</answer>'
                 for x, y in ((150, 100), (300, 300)))
    assert gui_action([near, far], answer=[ex["answer"]] * 2) == [1.0, 0.0]  # within GUI-R1's 140 px
    with pytest.raises(ValueError, match=r"column 'bbox': box \[1.5, 0.1\] is a point outside the 640x480 image"):
        GuiAction(box_scale=1).example({**row, "bbox": [1.5, 0.1]})


def test_gui_action_tool_call_reply_with_the_row_s_system_turn_and_thought():
    row = {"image": picture(320, 240), "instruction": "Search for GTX 5090", "action": "click",
           "bbox": [32, 24, 96, 72], "system": "You are a phone agent.", "thought": "The search box is at the top."}
    ex = GuiAction(reply="tool_call", actions=["click", "type", "system_button"]).example(row)  # 308x252 once resized
    assert ex["prompt"][0] == {"role": "system", "content": [{"type": "text", "text": "You are a phone agent."}]}
    assert [m["role"] for m in ex["prompt"]] == ["system", "user"]
    reply = target(ex)
    assert reply.startswith("<think>The search box is at the top.</think>\n<action>The next action is click")
    assert reply.endswith('<tool_call>\n{"name": "mobile_use", "arguments": {"action": "click", '
                          '"coordinate": [62, 50]}}\n</tool_call>')
    button = GuiAction(reply="tool_call", actions=["system_button"]).example(
        {**row, "action": "system_button", "bbox": None, "text": "Back"})
    assert '"arguments": {"action": "system_button", "button": "Back"}' in target(button)
    with pytest.raises(TypeError, match="option reply='json' must be one of answer, tool_call"):
        GuiAction(reply="json")
