"""The visual reward stacks in conf/reward resolve to the papers' rewards and weights."""

from pathlib import Path

import pytest
import yaml

from r1kit.rewards.stack import RewardStack

CONF = Path(__file__).resolve().parents[2] / "r1kit" / "conf" / "reward"


STACKS = {
    "grounding": ["think_format", "iou"], "visual_rft_grounding": ["think_format", "giou"],
    "visual_rft_detection": ["think_format", "detection"], "jigsaw": ["jigsaw_position", "jigsaw_format"],
    "gui": ["gui_format", "gui_action"], "ui_r1": ["think_format", "gui_action_type", "gui_action"],
    "classification": ["think_format", "class_match"],
}


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_named_stacks_resolve(stack):
    entries = yaml.safe_load((CONF / f"{stack}.yaml").read_text())["rewards"]
    resolved = RewardStack(entries)
    assert [e["name"] for e in entries] == STACKS[stack]
    assert len(resolved.functions) == len(STACKS[stack])


def test_paper_weights_in_stacks():
    weights = {s: RewardStack(yaml.safe_load((CONF / f"{s}.yaml").read_text())["rewards"]).weights for s in STACKS}
    assert weights["gui"] == [0.2, 0.8] and weights["jigsaw"] == [1.0, 0.5] and weights["ui_r1"] == [1.0, 1.0, 1.0]
