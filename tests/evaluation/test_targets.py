"""What `r1kit eval` evaluates: a run's finished stages, folders, hub ids, unique labels, data and rewards."""

import json
from pathlib import Path

import pytest
import yaml

from r1kit.errors import UserError
from r1kit.evaluation.targets import Target, resolve_data, resolve_rewards, resolve_targets, unique_labels

RECIPE = {
    "model": {"path": "org/base-model", "dtype": "auto"},
    "datasets": {"train": {"adapter": "addition"}, "held": {"adapter": "addition"}},
    "stages": {"sft": {"kind": "sft"}, "rl": {"kind": "grpo", "rewards": [{"name": "exact_match"}]},
               "late": {"kind": "sft"}},
    "eval": {"data": "held"},
}


def make_run(root: Path, done=("sft", "rl")) -> Path:
    root.mkdir(parents=True)
    (root / "config.yaml").write_text(yaml.safe_dump(RECIPE, sort_keys=False))
    stages = {}
    for i, name in enumerate(RECIPE["stages"]):
        final = f"stages/{i}-{name}/final"
        if name in done:
            (root / final).mkdir(parents=True)
        stages[name] = {"status": "done" if name in done else "pending", "final": final}
    (root / "state.json").write_text(json.dumps({"stages": stages}))
    return root


def test_a_run_stands_for_its_base_model_and_each_finished_stage(tmp_path):
    run = make_run(tmp_path / "runs" / "r" / "t1")
    targets = resolve_targets(str(run))
    assert [t.label for t in targets] == ["base", "sft", "rl"]
    assert targets[0].weights is None and targets[2].weights == str(run / "stages/1-rl/final")
    assert [t.label for t in resolve_targets(str(run.parent))] == ["base", "sft", "rl"]  # the newest run


def test_a_run_with_no_finished_stage_is_refused(tmp_path):
    run = make_run(tmp_path / "run", done=())
    with pytest.raises(UserError, match="no finished stage yet"):
        resolve_targets(str(run), "compare")


def test_folders_and_hub_ids(tmp_path):
    folder = tmp_path / "final"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    [target] = resolve_targets(str(folder))
    assert target.label == "final" and target.model["path"] == str(folder)
    [hub] = resolve_targets("org/some-model")
    assert hub.label == "some-model" and hub.model["path"] == "org/some-model"
    with pytest.raises(UserError, match="no such file or directory"):
        resolve_targets("./nowhere")


def test_clashing_labels_take_their_origin_then_a_number(tmp_path):
    one, two = tmp_path / "a" / "final", tmp_path / "b" / "final"
    targets = [Target("final", {"path": str(one)}), Target("final", {"path": str(two)}),
               Target("sft", {}, run=tmp_path / "x"), Target("sft", {}, run=tmp_path / "x")]
    unique_labels(targets)
    assert [t.label for t in targets] == ["a/final", "b/final", "x/sft#0", "x/sft#1"]


def test_data_comes_from_the_option_or_the_run_recipe(tmp_path):
    first = resolve_targets(str(make_run(tmp_path / "run")))[0]
    cfg = {"data": None, "_names": {}}
    assert resolve_data(cfg, first) == (RECIPE["datasets"]["held"], "held")
    assert resolve_data({**cfg, "data": "train"}, first)[1] == "train"
    with pytest.raises(UserError, match="neither a data config"):
        resolve_data({**cfg, "data": "nope"}, first)
    with pytest.raises(UserError, match=r"data=\.\.\. is required"):
        resolve_data(cfg, Target("m", {}))


def test_rewards_come_from_the_option_else_the_runs_last_grpo_stage(tmp_path):
    first = resolve_targets(str(make_run(tmp_path / "run")))[0]
    assert resolve_rewards({"reward": None}, first) == [{"name": "exact_match"}]
    assert resolve_rewards({"reward": {"rewards": ["think_format"]}}, first) == ["think_format"]
    assert resolve_rewards({"reward": None}, Target("m", {})) is None
