"""Composition: Hydra merges schema < stage kind defaults < algorithm preset < recipe < command line."""

from r1kit.config.compose import compose_recipe

GRPO = """\
defaults:
  - model: tiny
  - logger: none
  - _self_
name: composed
datasets:
  problems: {adapter: addition}
stages:
  rl:
    kind: grpo
    data: problems
    epsilon_high: 0.5
    rewards: [{name: think_format}]
"""


def test_stage_kind_defaults_sit_under_the_recipe_and_the_command_line_on_top():
    cfg = compose_recipe("train", ["stages.sft.max_length=99"], recipe="quickstart")
    sft = cfg["stages"]["sft"]
    assert sft["assistant_only_loss"] is True  # from conf/stage/sft.yaml only
    assert sft["learning_rate"] == 3.0e-3  # the recipe's, over the kind's 2e-5
    assert sft["max_length"] == 99  # the command line's, over the recipe's 128


def test_a_key_the_recipe_leaves_to_the_schema_is_set_by_a_plain_override():
    cfg = compose_recipe("train", ["model.dtype=bf16", "output_dir=/tmp/x"], recipe="quickstart")
    assert cfg["model"]["dtype"] == "bf16" and cfg["output_dir"] == "/tmp/x"


def test_a_preset_sits_under_the_recipes_own_keys_in_either_form(write_recipe):
    recipe = write_recipe(GRPO)
    for override in ("stages.rl.algorithm=dapo", "algorithm@stages.rl=dapo", "+algorithm@stages.rl=dapo"):
        rl = compose_recipe("train", [override], recipe=recipe)["stages"]["rl"]
        assert rl["algorithm"] == "dapo" and rl["loss_type"] == "dapo", override  # the preset's
        assert rl["epsilon_high"] == 0.5, override  # the recipe's own value wins over the preset's 0.28


def test_a_stage_added_on_the_command_line_gets_its_kind_defaults():
    cfg = compose_recipe("train", ["+stages.extra.kind=sft", "+stages.extra.data=traces"], recipe="quickstart")
    assert cfg["stages"]["extra"]["max_length"] == 1024 and cfg["stages"]["extra"]["kind"] == "sft"
    assert list(cfg["stages"]) == ["sft", "grpo", "extra"]


def test_a_group_swaps_where_the_recipe_picked_it_or_is_added():
    cfg = compose_recipe("sft", ["data=gsm8k", "launcher=zero3"])
    assert cfg["datasets"]["train"]["adapter"] == "math_qa"  # data@datasets.train, the package sft.yaml gives it
    assert cfg["launcher"]["name"] == "zero3" and cfg["launcher"]["zero_stage"] == 3
