"""GUI action rewards: reading actions, clicks inside boxes, argument F1, GUI-R1 and UI-R1 styles."""

import pytest
from reward_cases import answer_block as A
from reward_cases import score

from r1kit.errors import UserError
from r1kit.rewards import resolve
from r1kit.rewards.gui import read_action, text_f1

CLICK = {"action": "click", "bbox": [100, 100, 200, 150], "text": None}
TYPE = {"action": "type", "bbox": [0, 0, 100, 40], "text": "hello world"}
BACK = {"action": "press_back", "bbox": None, "text": None}


@pytest.mark.parametrize("text, point", [
    ('{"action": "click", "point": [150, 120], "text": null}', (150, 120)),             # r1kit's adapter
    ("[{'action': 'click', 'point': [150, 120], 'input_text': 'no input text'}]", (150, 120)),  # GUI-R1
    ("[{'action': 'click', 'coordinate': [150, 120]}]", (150, 120)),                      # UI-R1
    ("{'action': click, 'click_point': (150, 120)}", (150, 120)),                          # bare word, tuple
    ('{"action": "CLICK", "point": "[150, 120]"}', (150, 120)),                            # point as a string
    ('{"action": "click", "bbox_2d": [100, 100, 200, 140]}', (150, 120)),                 # a box: its centre
    ('[{"action": "click", "point": [150, 120]}, {"action": "type", "text": "x"}]', (150, 120)),  # first action
])
def test_read_action_shapes(text, point):
    action = read_action(text)
    assert action["action"] == "click" and action["point"] == point
    assert score("gui_click", [A(text), text], answer=CLICK) == [1.0, 1.0]


def test_read_action_text_and_names():
    action = read_action("[{'action': 'Press Back', 'input_text': \"it's \\\"done\\\"\"}]")
    assert action["action"] == "press_back" and action["text"] == 'it\'s "done"'
    assert read_action('{"action": "type", "text": null}')["text"] is None
    assert read_action("{'point': [1, 2]}") is None and read_action("click at 1, 2") is None


def test_gui_click_inside_edges_outside_and_wrong_type():
    completions = [A('{"action": "click", "point": [150, 120]}'), A('{"action": "click", "point": [100, 150]}'),
                   A('{"action": "click", "point": [201, 120]}'), A('{"action": "long_press", "point": [150, 120]}'),
                   A('{"action": "click"}'), A('{"action": "click", "point": [nan, 1]}')]
    assert score("gui_click", completions, answer=CLICK) == [1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    assert score("gui_click", completions[:1], answer=BACK) == [None]
    # GUI-R1's point targets: within 140 px
    gold = {"action": "click", "bbox": [100, 100], "text": None}
    near, far = A('{"action": "click", "point": [200, 100]}'), A('{"action": "click", "point": [240, 100]}')
    assert score("gui_click", [near, far], answer=gold) == [1.0, 0.0]
    assert score("gui_click", [near, far], {"point_radius": 200}, answer=gold) == [1.0, 1.0]


def test_gui_args_f1_exact_and_scroll_direction():
    assert text_f1("hello there world", "hello world") == pytest.approx(0.8)  # P 2/3, R 1
    assert text_f1("Hello", "hello!") == 1.0  # one token each, one contains the other
    completions = [A("{'action': 'type', 'input_text': 'hello there world'}"), A("{'action': 'type', 'text': 'hi'}"),
                   A("{'action': 'type', 'text': 'Hello  World'}"), A("{'action': 'select', 'text': 'hello world'}")]
    assert score("gui_args", completions, answer=TYPE) == [1.0, 0.0, 1.0, 0.0]
    assert score("gui_args", completions, {"threshold": None}, answer=TYPE) == pytest.approx([0.8, 0.0, 1.0, 0.0])
    assert score("gui_args", completions, {"metric": "exact"}, answer=TYPE) == [0.0, 0.0, 1.0, 0.0]
    assert score("gui_args", completions, answer=CLICK) == [None] * 4
    scrolls = [A("{'action': 'scroll', 'input_text': 'down'}"), A('{"action": "scroll", "direction": "DOWN"}'),
               A('{"action": "scroll", "text": "up"}')]
    for gold in ({"action": "scroll", "bbox": None, "text": "down"},
                 {"action": "scroll", "bbox": None, "text": None, "direction": "down"}):
        assert score("gui_args", scrolls, answer=gold) == [1.0, 1.0, 0.0]


def test_gui_action_gui_r1_and_ui_r1_styles():
    rows = [  # (gold, completion, GUI-R1, UI-R1)
        (CLICK, '{"action": "click", "point": [150, 120]}', 1.0, 1.0),
        (CLICK, '{"action": "click", "point": [10, 10]}', 0.0, 0.0),
        (CLICK, '{"action": "type", "point": [150, 120], "text": "x"}', 0.0, 0.0),
        (TYPE, "{'action': 'type', 'point': [500, 500], 'input_text': 'hello world'}", 1.0, 0.0),  # UI-R1: the box
        (TYPE, "{'action': 'type', 'point': [50, 20], 'input_text': 'bye'}", 0.0, 1.0),           # GUI-R1: the text
        (BACK, '{"action": "press back"}', 1.0, 1.0),
        (BACK, '{"action": "complete"}', 0.0, 0.0),
        (BACK, "no action at all", 0.0, 0.0),
    ]
    for gold, text, gui_r1, ui_r1 in rows:
        assert score("gui_action", [A(text)], answer=gold) == [gui_r1], (gold, text)
        assert score("gui_action", [A(text)], {"style": "ui_r1"}, answer=gold) == [ui_r1], (gold, text)
        assert score("gui_action_type", [A(text)], answer=gold) == [float(read_action(text) is not None and
                                                                         read_action(text)["action"] == gold["action"])]


def test_gui_gold_forms():
    completion = [A("[{'action': 'type', 'point': [50, 20], 'input_text': 'hello world'}]")]
    gui_r1_gold = '{"action": "type", "gt_bbox": [0, 0, 100, 40], "input_text": "Hello World"}'
    assert score("gui_action", completion, answer=gui_r1_gold) == [1.0]
    assert score("gui_click", completion, answer=gui_r1_gold) == [1.0]
    for gold in (None, "5", {"bbox": [0, 0, 1, 1]}, {"action": "click", "bbox": [5, 5, 1, 1]}, {"action": 3},
                 {"action": "click", "bbox": "somewhere"}):
        assert score("gui_action", completion, answer=gold) == [None], gold


def test_gui_format():
    completions = [
        A('{"action": "click", "point": [150, 120], "text": null}'),
        A('{"action": "press_back", "point": null, "text": null}'),
        A("[{'action': 'type', 'point': [1, 2], 'input_text': 'hi'}]"),
        A("[{'action': 'type', 'point': [1, 2], 'input_text': 'no input text'}]"),  # type without text
        A("[{'action': 'scroll', 'input_text': 'sideways'}]"),
        A("[{'action': 'scroll', 'input_text': 'up'}]"),
        A('{"action": "click", "point": [1, 2, 3]}'),
        '{"action": "click", "point": [150, 120]}',  # no think/answer
        A("click the button"),
    ]
    assert score("gui_format", completions) == [1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    assert score("gui_format", completions[-2:], {"think": False}) == [1.0, 0.0]


@pytest.mark.parametrize("name, options", [
    ("gui_action", {"style": "uir1"}), ("gui_action", {"threshold": None}), ("gui_click", {"point_radius": 0}),
    ("gui_args", {"metric": "bleu"}), ("gui_args", {"threshold": 2}), ("gui_format", {"think": "no"}),
])
def test_bad_options_fail_when_resolved(name, options):
    with pytest.raises(UserError):
        resolve(name, **options)


def _mobile(call: str, middle: str = "<action>Tap the search box.</action>") -> str:
    return f"<think>The box is at the top.</think>\n{middle}\n<tool_call>\n{call}\n</tool_call>"


def test_mobile_r1_tool_call_action_and_format():
    click = _mobile('{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [150, 120]}}')
    outside = _mobile('{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [50, 120]}}')
    typed = _mobile('{"name": "mobile_use", "arguments": {"action": "type", "text": "hello world"}}')
    partial = _mobile('{"name": "mobile_use", "arguments": {"action": "type", "text": "hello"}}')
    back = _mobile('{"name": "mobile_use", "arguments": {"action": "system_button", "button": "Back"}}')
    gold_back = {"action": "system_button", "bbox": None, "text": "back"}
    completions = [click, outside, typed, partial, back]
    golds = [CLICK, CLICK, TYPE, TYPE, gold_back]
    action = resolve("gui_action")
    assert action(completions, answer=golds, answer_tag="tool_call", metric="exact") == [1.0, 0.0, 1.0, 0.0, 1.0]
    # the token-F1 default would take "hello" for "hello world" (F1 0.67 >= 0.5)
    assert action([partial], answer=[TYPE], answer_tag="tool_call") == [1.0]
    fmt = resolve("gui_format")
    no_action = _mobile('{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [1, 2]}}', middle="")
    late = click.replace("<action>Tap the search box.</action>\n", "") + "<action>x</action>"
    talk = _mobile('{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [1, 2]}}',
                   middle="so <action>x</action>")
    assert fmt([click, back, no_action, late, talk], answer_tag="tool_call", action_tag="action") == \
        [1.0, 1.0, 0.0, 0.0, 0.0]
    with pytest.raises(UserError, match="action_tag needs think: true"):
        fmt([click], answer_tag="tool_call", action_tag="action", think=False)
    with pytest.raises(UserError, match="gui_action option metric='bleu'"):
        action([click], answer=[CLICK], metric="bleu")
