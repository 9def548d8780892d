"""A StagePlan folds the recipe-wide settings into the TRL arguments; a stage's rows are mixed by domain."""

import pytest
from trl import GRPOConfig, SFTConfig

from r1kit.config.validate import split_stage
from r1kit.curriculum.plan import stage_data, trainer_args
from r1kit.curriculum.run import init_weights
from r1kit.errors import UserError
from r1kit.run.rundir import RunDir


def test_trainer_args_carry_the_stage_options_and_what_r1kit_manages(make_config, tmp_path):
    recipe = make_config(["stages.grpo.num_generations=4"])
    own, options = split_stage(recipe["stages"]["grpo"])
    assert "rewards" in own and "rewards" not in options and options["num_generations"] == 4
    args = trainer_args(GRPOConfig, "grpo", options, recipe, tmp_path)
    assert (args.num_generations, args.seed, args.run_name, args.report_to) == (4, 0, "quickstart/grpo", [])
    assert args.use_cpu and not args.bf16 and args.output_dir == str(tmp_path)
    assert args.disable_tqdm


def test_the_launcher_sets_checkpointing_and_precision_for_every_stage(make_config, tmp_path):
    recipe = make_config(["launcher.gradient_checkpointing=true", "launcher.mixed_precision=no"])
    _, options = split_stage(recipe["stages"]["sft"])
    args = trainer_args(SFTConfig, "sft", options, recipe, tmp_path)
    assert args.activation_checkpointing is True and not args.bf16 and not args.fp16


def test_a_stage_over_several_datasets_gets_a_domain_per_row():
    from datasets import Dataset

    data = {"logic": (Dataset.from_dict({"prompt": ["a", "b"], "domain": ["x", "y"]}), None),
            "math": (Dataset.from_dict({"prompt": ["c"]}), None)}
    mixed = stage_data(["logic", "math"], data)
    assert mixed["prompt"] == ["a", "b", "c"] and mixed["domain"] == ["logic", "logic", "math"]
    assert stage_data("math", data) is data["math"][0]


def test_init_weights_follows_init_from(tmp_path):
    recipe = {"stages": {"a": {}, "b": {}}}
    run = RunDir(tmp_path)
    assert init_weights("b", {"init_from": "previous"}, tmp_path / "prev", run, recipe) == str(tmp_path / "prev")
    assert init_weights("a", {"init_from": "previous"}, None, run, recipe) is None
    assert init_weights("b", {"init_from": "base"}, tmp_path / "prev", run, recipe) is None
    with pytest.raises(UserError, match="that stage has no final model yet"):
        init_weights("b", {"init_from": "a"}, None, run, recipe)
    (tmp_path / "stages" / "0-a" / "final").mkdir(parents=True)
    assert init_weights("b", {"init_from": "a"}, None, run, recipe) == str(tmp_path / "stages" / "0-a" / "final")
