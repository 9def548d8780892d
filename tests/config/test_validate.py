"""User mistakes end in one UserError naming the key (or file) and the fix, before any model loads.

Most cases run compose() + validate() in-process; the CLI cases run `python -m r1kit` in a
subprocess and check exit status 2, the message on stderr and the absence of a traceback.
"""

import json
import re

import pytest

from r1kit.errors import UserError

TINY_HEADER = """\
defaults:
  - model: tiny
  - logger: none
  - _self_
"""


def grpo_recipe(reward="{name: think_format}", per_device=6, generations=4) -> str:
    return TINY_HEADER + f"""\
name: mygrpo
datasets:
  problems: {{adapter: addition, generator: {{name: addition, n: 16}}}}
stages:
  rl:
    kind: grpo
    data: problems
    rewards: [{reward}]
    per_device_train_batch_size: {per_device}
    num_generations: {generations}
    max_completion_length: 16
"""


def fails(make_config, overrides=(), recipe="quickstart", match=None) -> str:
    with pytest.raises(UserError, match=match) as info:
        make_config(overrides, recipe=recipe)
    return str(info.value)


# --- through the real CLI: exit status 2, the message on stderr, no traceback ---------------------------------


def assert_user_error(proc, *needles):
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith("r1kit: error: "), proc.stderr
    for needle in needles:
        assert needle in proc.stderr, (needle, proc.stderr)
    return proc.stderr


def test_cli_unknown_top_level_key_names_it_and_lists_known_keys(r1kit_cli):
    err = assert_user_error(r1kit_cli("train", "foo=1", "--cfg", "job"), "foo: unknown key", "Known keys here")
    assert "seed" in err and "stages" in err
    # a near miss gets a suggestion
    assert_user_error(r1kit_cli("train", "sed=3", "--cfg", "job"), "sed: unknown key", "Did you mean 'seed'?")


def test_cli_unknown_stage_option_suggests_the_trl_name(r1kit_cli):
    err = assert_user_error(r1kit_cli("train", "+stages.sft.learnin_rate=1", "--cfg", "job"),
                            "stages.sft.learnin_rate", "Did you mean 'learning_rate'?")
    assert "trl.SFTConfig" in err


def test_cli_unknown_recipe_suggests_and_lists_known(r1kit_cli):
    assert_user_error(r1kit_cli("train", "recipe=quickstrat", "--cfg", "job"),
                      "recipe=quickstrat: unknown recipe", "Did you mean quickstart,", "Known: ", " quickstart,",
                      "path of your own .yaml")


def test_cli_recipe_file_that_is_not_yaml_names_file_and_line(r1kit_cli, write_recipe):
    path = write_recipe("name: broken\nstages: [sft: {kind: sft\n  data: x\n", name="broken.yaml")
    err = assert_user_error(r1kit_cli("train", f"recipe={path}", "--cfg", "job"), "is not valid YAML", path)
    assert re.search(r"line \d+", err)


def test_cli_unknown_group_option_lists_the_options(r1kit_cli):
    err = assert_user_error(r1kit_cli("train", "model=nope", "--cfg", "job"), "model/nope")
    for option in ("tiny", "smollm2"):
        assert option in err


def test_cli_missing_recipe_file(r1kit_cli, tmp_path):
    missing = tmp_path / "nowhere.yaml"
    assert_user_error(r1kit_cli("train", f"recipe={missing}", "--cfg", "job"),
                      f"recipe={missing}: no such file", "r1kit ls")


def test_cli_dataset_without_the_adapters_column_fails_before_the_model_loads(r1kit_cli, write_recipe, tmp_path):
    data = tmp_path / "qa.jsonl"
    data.write_text("".join(json.dumps({"prompt_text": f"{i}+1", "gold": str(i + 1)}) + "\n" for i in range(4)))
    recipe = write_recipe(TINY_HEADER + f"""
name: wrongcols
datasets:
  qa: {{adapter: math_qa, path: {data}}}
stages:
  sft: {{kind: sft, data: qa, max_steps: 1}}
""")
    out = tmp_path / "run"
    proc = r1kit_cli("train", f"recipe={recipe}", f"output_dir={out}", cwd=tmp_path)
    err = assert_user_error(proc, str(data), "question", "columns:")
    assert "prompt_text" in err  # the columns the data does have
    assert not (out / "stages").exists()  # no stage started, so no model was loaded


def test_cli_debug_env_shows_the_traceback(r1kit_cli):
    proc = r1kit_cli("train", "foo=1", "--cfg", "job", env={"R1KIT_DEBUG": "1"})
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr
    assert "UserError" in proc.stderr and "foo: unknown key" in proc.stderr


# --- in-process: compose + validate ---------------------------------------------------------------------------


def test_wrong_type_for_a_stage_option(make_config):
    msg = fails(make_config, ["stages.sft.max_steps=abc"], match=r"stages\.sft\.max_steps='abc': expected an integer")
    assert msg.endswith(".")
    fails(make_config, ["stages.sft.assistant_only_loss=maybe"],
          match=r"stages\.sft\.assistant_only_loss='maybe': expected true or false")


def test_wrong_type_for_a_top_level_key(make_config):
    fails(make_config, ["seed=abc"], match=r"^seed: .*'abc'.*Integer.*Fix the value in the recipe or on the command line")


def test_dataset_without_adapter(make_config, write_recipe, tmp_path):
    (tmp_path / "rows.jsonl").write_text('{"question": "1+1", "answer": "2"}\n')
    recipe = write_recipe(TINY_HEADER + f"""
name: noadapter
datasets:
  mine: {{path: {tmp_path / 'rows.jsonl'}}}
stages:
  sft: {{kind: sft, data: mine}}
""")
    fails(make_config, recipe=recipe,
          match=r"datasets\.mine\.adapter is required but missing\. .*`datasets\.mine\.adapter=\.\.\.`")


def test_stage_without_data(make_config, write_recipe):
    recipe = write_recipe(TINY_HEADER + """
name: nodata
datasets:
  d: {adapter: addition}
stages:
  warmup: {kind: sft}
""")
    fails(make_config, recipe=recipe, match=r"stages\.warmup\.data is required but missing.*stages\.warmup\.data=")


def test_recipe_without_stages(make_config, write_recipe):
    recipe = write_recipe(TINY_HEADER + "name: empty\ndatasets:\n  d: {adapter: addition}\n")
    fails(make_config, recipe=recipe, match=r"no `stages:`.*Add at least one")


def test_missing_dataset_file(make_config):
    # `datasets.traces.path` is not in the quickstart recipe: a schema default, overridable without `+`
    fails(make_config, ["datasets.traces.path=/nope.jsonl", "datasets.traces.generator=null"],
          match=r"datasets\.traces\.path: /nope\.jsonl does not exist\. Give a jsonl/json/parquet file or folder")


def test_path_and_generator_together(make_config, tmp_path):
    f = tmp_path / "rows.jsonl"
    f.write_text('{"question": "1+1", "answer": "2"}\n')
    fails(make_config, [f"datasets.traces.path={f}"], match=r"datasets\.traces: give `path` or `generator`, not both")


def qa_config(make_config, write_recipe, data):
    """A validated one-stage recipe whose `qa` dataset reads `data` with the math_qa adapter."""
    recipe = write_recipe(TINY_HEADER + f"""
name: qa
datasets:
  qa: {{adapter: math_qa, path: {data}}}
stages:
  sft: {{kind: sft, data: qa}}
""")
    return make_config(recipe=recipe)


def test_dataset_missing_the_adapters_column_is_found_when_datasets_are_built(make_config, write_recipe, tmp_path):
    from r1kit.curriculum.plan import build_datasets

    data = tmp_path / "wrong_columns.jsonl"
    data.write_text('{"q": "What is 2+2?", "a": "4"}\n{"q": "3+3?", "a": "6"}\n')
    config = qa_config(make_config, write_recipe, data)  # validation cannot see inside the file
    with pytest.raises(UserError) as info:
        build_datasets(config)
    msg = str(info.value)
    assert str(data) in msg and "datasets.qa" in msg
    assert "question (column 'question')" in msg and "['a', 'q']" in msg
    assert "columns: {question: <your column>}" in msg


def test_malformed_jsonl_line_names_file_and_line(make_config, write_recipe, tmp_path):
    from r1kit.curriculum.plan import build_datasets

    data = tmp_path / "broken.jsonl"
    data.write_text('{"question": "1+1", "answer": "2"}\n\n{"question": "2+2", "answer": \n')
    config = qa_config(make_config, write_recipe, data)
    with pytest.raises(UserError, match=re.escape(f"{data}:3: not valid JSON") + r".*Fix or remove that line"):
        build_datasets(config)


def test_grpo_batch_not_divisible_by_num_generations(make_config, write_recipe):
    recipe = write_recipe(grpo_recipe(per_device=6, generations=4))
    msg = fails(make_config, recipe=recipe, match=r"stages\.rl: the generation batch \(6 = ")
    assert "not divisible by num_generations=4" in msg and "multiple of 4" in msg
    # the same recipe with a batch of 8 is fine, and so is fixing it on the command line
    make_config(["stages.rl.per_device_train_batch_size=8"], recipe=recipe)
    make_config(["stages.rl.num_generations=3"], recipe=recipe)


def test_grpo_group_of_one(make_config, write_recipe):
    recipe = write_recipe(grpo_recipe(per_device=4, generations=1))
    fails(make_config, recipe=recipe, match=r"stages\.rl\.num_generations=1: .*use at least 2")


def test_grpo_stage_without_rewards(make_config, write_recipe):
    recipe = write_recipe(grpo_recipe(per_device=8).replace("    rewards: [{name: think_format}]\n", ""))
    fails(make_config, recipe=recipe, match=r"stages\.rl: a grpo stage needs `rewards:`")
    # an environment without get_reward scores nothing either; one with it (file_tree's task success) is enough
    fails(make_config, ["+stages.rl.environment=python_session"], recipe=recipe,
          match=r"stages\.rl: a grpo stage needs `rewards:`.*get_reward")
    make_config(["+stages.rl.environment=file_tree"], recipe=recipe)


def test_rewards_on_an_sft_stage(make_config):
    fails(make_config, ["+stages.sft.rewards=[{name: think_format}]"],
          match=r"stages\.sft\.rewards: only generate or grpo stages use rewards; remove it or make it `kind: grpo`")


def test_unknown_adapter_suggests(make_config):
    msg = fails(make_config, ["datasets.traces.adapter=math_q"], match=r"datasets\.traces\.adapter")
    assert "Did you mean 'math_qa'," in msg and "r1kit ls" in msg


def test_adapter_target_that_does_not_import(make_config):
    fails(make_config, ["datasets.traces.adapter=no_such_pkg.adapters.Mine"],
          match=r"datasets\.traces\.adapter.*`_target_: no_such_pkg\.adapters\.Mine`: cannot import module "
                r"`no_such_pkg\.adapters`")
    fails(make_config, ["datasets.traces.adapter=r1kit.data.adapters.Nope"],
          match=r"module `r1kit\.data\.adapters` has no attribute `Nope`")


def test_model_builder_target_that_does_not_import(make_config):
    fails(make_config, ["~model.build", "+model.build={_target_: nope_pkg.models.build}"],
          match=r"model\.build `_target_: nope_pkg\.models\.build`: cannot import module `nope_pkg\.models`")
    fails(make_config, ["model.build.name=tinyy"], match=r"unknown model\.build 'tinyy'\. Did you mean 'tiny', 'tiny_vl'\?")


def test_unknown_generator(make_config):
    fails(make_config, ["~datasets.traces.generator", "+datasets.traces.generator={name: additon}"],
          match=r"unknown datasets\.traces\.generator 'additon'\. Did you mean 'addition'[,?]")


def test_stage_referencing_an_unknown_dataset(make_config):
    fails(make_config, ["stages.sft.data=trace"],
          match=r"stages\.sft\.data='trace' is not a dataset of this recipe\. Define it under `datasets:` "
                r"\(known: [^)]*\btraces\b[^)]*\)")


def test_eval_referencing_an_unknown_dataset(make_config):
    fails(make_config, ["eval.data=held"], match=r"eval\.data='held' is not a dataset of this recipe")


def test_unknown_stage_kind(make_config):
    fails(make_config, ["stages.sft.kind=ppo"], match=r"stages\.sft\.kind='ppo': choose one of dpo, generate, grpo, merge, reward_model, sft")


def test_bad_model_dtype(make_config):
    # `model.dtype` is a schema default the recipe does not spell out: a plain override must reach validation
    fails(make_config, ["model.dtype=fp8"], match=r"model\.dtype='fp8': choose one of .*bf16.*float32")


def test_model_without_a_source(make_config):
    fails(make_config, ["model.build=null"],
          match=r"model: say where the weights come from: `model\.path`.*`model\.gguf_file`.*`model\.build`")


def test_model_with_two_sources(make_config):
    fails(make_config, ["model.path=Qwen/Qwen2.5-0.5B-Instruct"], match=r"`build` cannot be combined with path")


def test_missing_local_model_folder(make_config):
    fails(make_config, ["model.build=null", "model.path=/no/such/model"],
          match=r"model\.path: /no/such/model does not exist")


def test_init_from_unknown_stage(make_config):
    fails(make_config, ["stages.sft.init_from=warmup"],
          match=r"stages\.sft\.init_from='warmup': use `previous`, `base`, the name of an earlier stage")


def test_init_from_a_later_stage(make_config, write_recipe):
    recipe = write_recipe(TINY_HEADER + """
name: order
datasets:
  d: {adapter: addition}
stages:
  first: {kind: sft, data: d, init_from: second}
  second: {kind: sft, data: d}
""")
    fails(make_config, recipe=recipe, match=r"stages\.first\.init_from='second'.*\(none yet\)")


def test_trl_options_managed_by_r1kit(make_config):
    for key in ("output_dir", "report_to", "run_name"):
        fails(make_config, [f"+stages.sft.{key}=x"],
              match=rf"stages\.sft\.{key} is set by r1kit \(run directory and logger\); remove it from the stage")


def test_grpo_only_option_on_an_sft_stage(make_config):
    fails(make_config, ["+stages.sft.num_generations=4"],
          match=r"stages\.sft\.num_generations: unknown key for a sft stage.*trl\.SFTConfig")


def test_unknown_logger_backend(make_config):
    fails(make_config, ["logger.backend=mlflow"], match=r"logger\.backend='mlflow': choose one of none, tensorboard")


def test_unknown_nested_schema_key_suggests(make_config):
    fails(make_config, ["model.lora.rank=8"], match=r"model\.lora\.rank: unknown key\. .*Known keys here: enabled, r,")
    fails(make_config, ["eval.limt=3"], match=r"eval\.limt: unknown key\. Did you mean 'limit'\?")


def test_unknown_dataset_key_suggests(make_config):
    fails(make_config, ["+datasets.traces.colums={question: q}"],
          match=r"datasets\.traces\.colums: unknown key\. Did you mean 'columns'\?")


def test_unknown_reward_name_in_registry():
    from r1kit.rewards.registry import get

    with pytest.raises(UserError, match=r"unknown reward 'think_formt'; did you mean think_format"):
        get("think_formt")


def test_unknown_reward_name_in_a_grpo_stage(make_config, write_recipe):
    recipe = write_recipe(grpo_recipe(reward="{name: think_formt}", per_device=8))
    fails(make_config, recipe=recipe, match=r"think_formt.*think_format")


def test_environment_and_turn_budget_are_checked_before_the_model_loads(make_config, write_recipe):
    counter = "{_target_: tests.environments.counter.Counter}"
    make_config([f"+stages.rl.environment={counter}", "+stages.rl.max_turn_tokens=8"], recipe=write_recipe(grpo_recipe(per_device=8)))
    recipe = write_recipe(grpo_recipe(per_device=8))
    fails(make_config, ["+stages.rl.environment=countr"], recipe=recipe,
          match=r"unknown stages.rl.environment 'countr'")
    fails(make_config, ["+stages.rl.environment={_target_: tests.environments.counter.Undocumented}"], recipe=recipe,
          match=r"stages.rl.environment: the model cannot be shown how to call Undocumented.poke")
    fails(make_config, ["+stages.rl.max_turn_tokens=32"], recipe=recipe,
          match=r"stages.rl.max_turn_tokens=32 is more than max_completion_length=16")
    fails(make_config, ["+stages.rl.max_turn_tokens=8", "+stages.rl.rollout.backend=vllm_server"], recipe=recipe,
          match=r"stages.rl.max_turn_tokens caps each turn .* \(under vLLM every turn may take up to")
    fails(make_config, ["+stages.rl.max_turn_tokens=0"], recipe=recipe, match=r"max_turn_tokens")
    fails(make_config, ["eval.environment=countr"], recipe=recipe, match=r"unknown eval.environment 'countr'")
