"""tests/recipes/tiny.py, the matrix's shrinking: which script converts a dataset, what replaces the model."""

import pytest

from tests.recipes.tiny import SCRIPTS, prepare_script, tiny_config, tiny_model


def test_a_dataset_takes_its_own_script_else_the_longest_prefix_that_has_one():
    assert prepare_script("simplerl_zoo") == SCRIPTS / "prepare_simplerl_zoo.py"
    assert prepare_script("simplerl_zoo_test") == SCRIPTS / "prepare_simplerl_zoo.py"
    assert prepare_script("time_bench_prediction") == SCRIPTS / "prepare_time_bench.py"
    with pytest.raises(AssertionError, match="no scripts/prepare_nothing_here.py"):
        prepare_script("nothing_here")


def test_a_downloaded_model_becomes_tiny_keeping_lora_and_template():
    lora = {"enabled": True, "r": 8}
    text = tiny_model({"path": "Qwen/Qwen2.5-7B", "lora": lora, "chat_template": "{{ x }}"}, visual=False)
    assert text["build"]["name"] == "tiny" and "path" not in text
    assert text["lora"] == lora and text["chat_template"] == "{{ x }}"
    vision = tiny_model({"path": "Qwen/Qwen2.5-VL-7B-Instruct", "freeze_vision": True, "max_pixels": 10**7}, True)
    assert vision["build"]["name"] == "tiny_vl" and vision["freeze_vision"] and vision["max_pixels"] == 12544
    built = {"build": {"name": "tiny", "hidden_size": 96}}
    assert tiny_model(built, visual=False) is built


def test_a_recipe_reading_a_hub_dataset_is_refused(tmp_path):
    config = {"datasets": {"d": {"adapter": "math_qa", "path": "openai/gsm8k"}}, "model": {"build": "tiny"},
              "stages": {}}
    with pytest.raises(AssertionError, match="data/<x>.jsonl"):
        tiny_config(config, tmp_path)
