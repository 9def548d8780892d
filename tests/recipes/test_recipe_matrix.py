"""The recipe matrix: every shipped recipe (recipes/*.yaml) trains end to end at tiny scale through the CLI.

Each case composes the real recipe, shrinks it (tests/recipes/tiny.py: fixture rows through the prepare
script's convert, the tiny model, 2 steps per stage) and runs `r1kit train` on it: its adapters, reward
stack, algorithm presets and stage order are the recipe's own. A new recipe joins the matrix by existing.
"""

import re

import pytest

from tests.conftest import compose_and_validate
from tests.helpers import read_metrics, read_state, run_cli
from tests.recipes.tiny import REPO, composed, data_overrides, recipe_names, write_tiny_recipe

STEPS = 2
DEMOS = {"quickstart", "quickstart_self_improve", "quickstart_tools", "quickstart_vl", "quickstart_video",
         "reasoning_gym_tiny"}  # r1kit's own demos, not published systems
PAPER_LINE = re.compile(r"# \S[^:]* \([^)]*\d{4}\.\d{4,5}[^)]*\): \S")


@pytest.mark.parametrize("name", recipe_names())
def test_recipe_trains_at_tiny_scale(name, tmp_path):
    recipe = write_tiny_recipe(name, tmp_path, steps=STEPS)
    # the recipe as shipped (its model, launcher, batches) passes every check, its data files aside
    shipped = compose_and_validate(data_overrides(composed(name), tmp_path), recipe=name)
    run_cli("train", f"recipe={recipe}", cwd=tmp_path, env={"PYTHONPATH": str(REPO)})
    run = tmp_path / "run"
    state = read_state(run)
    assert state["finished"]
    stages = shipped["stages"]
    assert list(state["stages"]) == list(stages)
    metrics = read_metrics(run)
    for stage_name, stage in stages.items():
        if stage["kind"] == "generate":  # one sampling pass, and rows kept for the stages that read them
            assert state["stages"][stage_name]["steps"] == 1
            assert any(m.get("generate/rows_kept", 0) > 0 for m in metrics if m.get("stage") == stage_name)
            continue
        if stage["kind"] == "merge":  # weight arithmetic: no training step, a final model
            assert state["stages"][stage_name]["status"] == "done" and state["stages"][stage_name]["steps"] == 0
            continue
        assert state["stages"][stage_name]["steps"] == STEPS
        logged = [m for m in metrics if m.get("stage") == stage_name and "loss" in m]
        assert logged, f"stage {stage_name} logged no training step"
        if stage["kind"] == "grpo":
            names = {r.get("name") or r["_target_"].rsplit(".", 1)[-1] for r in stage["rewards"]}
            for reward in names:  # every reward of the stack scored the step's completions
                assert any(k.startswith(f"rewards/{reward}") and k.endswith("/mean") for k in logged[-1]), reward


@pytest.mark.parametrize("name", sorted(set(recipe_names()) - DEMOS))
def test_system_recipe_names_its_paper_first(name):
    """`r1kit ls` shows a recipe's first comment line: for a published system, `# <System> (<arXiv id>): ...`."""

    first = (REPO / "recipes" / f"{name}.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert PAPER_LINE.match(first), first
