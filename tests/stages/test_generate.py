"""The generate stage kind: its filters, its checks before any model loads, and a run through the real CLI that
feeds its datasets to a dpo and an sft stage, killed mid-generation and resumed to the same rows."""

import json
import subprocess
from pathlib import Path

import pytest

from r1kit.errors import UserError
from r1kit.stages.generate import keep
from tests.faults import fault_env, fired
from tests.helpers import REPO, read_metrics, read_state, start_cli

RECIPE = """
defaults:
  - model: tiny
  - _self_
name: generate_check
seed: 0
datasets:
  traces: {adapter: addition, generator: {name: addition, n: 64, seed: 1}}
  problems: {adapter: addition, generator: {name: addition, n: 64, seed: 2}}
stages:
  sft: {kind: sft, data: traces, max_steps: 3, per_device_train_batch_size: 8, learning_rate: 1.0e-3}
  pairs:
    kind: generate
    data: problems
    limit: 12
    n: 4
    max_new_tokens: 12
    keep: pairs
    rewards: [{_target_: tests.stages.generate_rewards.even_length}]
  dpo: {kind: dpo, data: "stage:pairs", max_steps: 2, per_device_train_batch_size: 4, max_length: 96}
  samples:
    kind: generate
    data: problems
    limit: 8
    n: 3
    max_new_tokens: 12
    keep: correct
    rewards: [{_target_: tests.stages.generate_rewards.even_length}]
  sft_again: {kind: sft, data: "stage:samples", max_steps: 2, per_device_train_batch_size: 4, logging_steps: 1}
eval: {data: null}
"""

SHORT = {"keep": "correct", "correct_threshold": 1.0, "pass_rate": [0.0, 1.0], "max_per_prompt": None,
         "chosen": "sample"}
TARGET = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "teacher"}]
ROWS = [{"prompt": [{"role": "user", "content": "q1"}], "answer": "1", "messages": TARGET},
        {"prompt": [{"role": "user", "content": "q2"}], "answer": "2", "messages": TARGET},
        {"prompt": [{"role": "user", "content": "q3"}], "answer": "3", "messages": TARGET}]
TEXTS = [["long right", "ok", "wrong", "ok"], ["no", "nope", "x", "n"], ["a", "bb", "ccc", "dddd"]]
SCORES = [[1.0, 1.0, 0.0, 1.0], [0.0, 0.0, 0.2, 0.1], [1.0, 1.0, 1.0, 1.0]]


def _keep(**stage):
    rows, prompts = keep({**SHORT, **stage}, ROWS, TEXTS, SCORES)
    return rows, prompts


def test_keep_correct_is_distinct_correct_samples_as_sft_rows():
    rows, prompts = _keep()
    assert prompts == 2
    assert [r["completion"] for r in rows] == ["ok", "long right", "a", "bb", "ccc", "dddd"]  # shortest first
    assert rows[0]["messages"] == ROWS[0]["prompt"] + [{"role": "assistant", "content": "ok"}]
    assert rows[0]["answer"] == "1" and rows[0]["reward"] == 1.0
    assert [r["completion"] for r in _keep(max_per_prompt=1)[0]] == ["ok", "a"]
    assert [r["completion"] for r in _keep(keep="shortest_correct")[0]] == ["ok", "a"]


def test_keep_pass_rate_keeps_the_prompts_in_the_band():
    rows, _ = _keep(keep="pass_rate", pass_rate=[0.25, 0.75])
    assert [(r["answer"], r["pass_rate"]) for r in rows] == [("1", 0.75)]
    assert rows[0]["messages"] == TARGET  # the prompt's row, unchanged
    assert [r["answer"] for r in _keep(keep="pass_rate", pass_rate=[0.0, 0.0])[0]] == ["2"]  # never solved


def test_keep_pairs_is_best_correct_against_worst_wrong():
    rows, prompts = _keep(keep="pairs")
    assert prompts == 1  # q2 has nothing correct, q3 nothing wrong
    (row,) = rows
    assert row["chosen"] == [{"role": "assistant", "content": "ok"}]  # the shortest of the best
    assert row["rejected"] == [{"role": "assistant", "content": "wrong"}]
    assert (row["chosen_reward"], row["rejected_reward"]) == (1.0, 0.0) and "messages" not in row


def test_keep_pairs_against_the_reference_answer():
    """Light-R1's semi-on-policy pairs: the row's verified answer against the model's own worst wrong one."""
    rows, prompts = _keep(keep="pairs", chosen="reference")
    assert prompts == 2  # q3 has no wrong sample
    assert [r["chosen"][0]["content"] for r in rows] == ["teacher", "teacher"]
    assert [r["rejected"][0]["content"] for r in rows] == ["wrong", "no"]


def test_keep_all_keeps_every_sample_with_its_reward():
    rows, _ = _keep(keep="all", correct_threshold=0.15)
    assert len(rows) == 12 and [r["reward"] for r in rows[4:8]] == [0.0, 0.0, 0.2, 0.1]


@pytest.fixture
def validate(tmp_path, make_config):
    (tmp_path / "recipe.yaml").write_text(RECIPE)
    return lambda *overrides: make_config(list(overrides), recipe=str(tmp_path / "recipe.yaml"))


@pytest.mark.parametrize("override, message", [
    ("stages.pairs.keep=best", r"stages.pairs.keep='best': choose one of correct, shortest_correct, pass_rate"),
    ("stages.pairs.rewards=[]", r"stages.pairs: a generate stage scores its samples with `rewards:`"),
    ("stages.pairs.n=1", r"stages.pairs.n=1: keep: pairs needs at least 2 samples"),
    ("stages.pairs.n=0", r"stages.pairs.n=0"),
    ("stages.pairs.chosen=teacher", r"stages.pairs.chosen='teacher': use `sample` .* or `reference`"),
    ("stages.pairs.pass_rate=[0.8,0.2]", r"stages.pairs.pass_rate=\[0.8, 0.2\]: give \[low, high\]"),
    ("+stages.pairs.learning_rate=0.1", r"stages.pairs.learning_rate: a generate stage trains nothing"),
    ("stages.pairs.rewards=[{name: no_such_reward}]", r"stages.pairs.rewards\[0\]"),
    ("stages.dpo.data=stage:sft", (r"stages.dpo.data='stage:sft': `stage:<name>` in `data:` must name an earlier "
                                   r"generate stage, whose dataset it reads \(earlier ones: pairs\)")),
    ("stages.pairs.data=stage:samples", r"must name an earlier generate stage"),
    ("stages.dpo.init_from=pairs", r"stages.dpo.init_from='pairs': that stage writes a dataset, not weights"),
])
def test_mistakes_are_named_before_any_model_loads(validate, override, message):
    with pytest.raises(UserError, match=message):
        validate(override)


def _train(workdir: Path, env: dict) -> int:
    proc = start_cli("train", "recipe=recipe.yaml", cwd=workdir, env=env, stdout=subprocess.DEVNULL,
                     stderr=subprocess.PIPE, text=True)
    _, err = proc.communicate(timeout=900)
    assert proc.returncode in (0, -9), err[-3000:]
    return proc.returncode


def _rows(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "data.jsonl").read_text().splitlines()]


def test_generated_datasets_feed_later_stages_and_resume_to_the_same_rows(tmp_path):
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    for folder in (straight, killed):
        folder.mkdir()
        (folder / "recipe.yaml").write_text(RECIPE)
    assert _train(straight, {"PYTHONPATH": str(REPO)}) == 0
    mark = tmp_path / "mark"  # killed at the 20th of the pairs stage's 48 samples, then rerun
    assert _train(killed, fault_env("mid-generation", "call", "r1kit.models.generation:_completion", mark,
                                    nth=20)) == -9
    assert fired(mark) == ["mid-generation"]
    (run,) = (killed / "runs" / "generate_check").iterdir()
    assert not (run / "stages" / "1-pairs" / "final").exists()
    assert _train(killed, {"PYTHONPATH": str(REPO)}) == 0

    (first,) = (straight / "runs" / "generate_check").iterdir()
    state = read_state(run)
    assert state["finished"] and [s["status"] for s in state["stages"].values()] == ["done"] * 5
    for index, name, weights in ((1, "pairs", "0-sft"), (3, "samples", "2-dpo")):
        final = run / "stages" / f"{index}-{name}" / "final"
        assert _rows(final) == _rows(first / "stages" / f"{index}-{name}" / "final")  # the restart sampled alike
        summary = json.loads((final / "summary.json").read_text())
        assert summary["rows_kept"] == len(_rows(final)) > 0 and not (final / "README.md").exists()
        assert state["stages"][name]["kind"] == "generate" and state["stages"][name]["data"] == "problems"
        assert state["stages"][name]["from"] == f"stages/{weights}/final"  # sampled from the policy before it
    summary = json.loads((run / "stages" / "1-pairs" / "final" / "summary.json").read_text())
    assert summary["prompts"] == 12 and summary["samples"] == 48 and 0 < summary["correct_rate"] < 1
    pair = _rows(run / "stages" / "1-pairs" / "final")[0]
    assert len(pair["chosen"][0]["content"]) % 2 == 0 and len(pair["rejected"][0]["content"]) % 2 == 1
    sample = _rows(run / "stages" / "3-samples" / "final")[0]
    assert sample["messages"][-1] == {"role": "assistant", "content": sample["completion"]}
    # the dpo stage trained on the pairs, from the SFT weights (generate stages hand no weights on)
    assert state["stages"]["dpo"]["data"] == "stage:pairs" and state["stages"]["dpo"]["from"] == "stages/0-sft/final"
    assert state["stages"]["sft_again"]["from"] == "stages/2-dpo/final"
    logged = [m for m in read_metrics(run) if m["stage"] == "pairs"]
    assert len(logged) == 1 and logged[0]["generate/samples"] == 48  # the killed attempt's line is not kept
    assert any(m["stage"] == "sft_again" and "loss" in m for m in read_metrics(run))
    report = (run / "report.md").read_text()  # lineage: which stage wrote which dataset, which stage read it
    assert "| pairs | `stages/1-pairs/final/data.jsonl` | 12 | 48 |" in report
    assert "| dpo | dpo | stages/0-sft/final | stage:pairs |" in report


def test_a_repeated_block_reads_its_own_rounds_dataset(validate):
    """OpenVLThinker's loop: each round samples from the round before and trains on what it sampled."""
    recipe = validate("+repeat={stages: [samples, sft_again], times: 3}")
    stages = recipe["stages"]
    assert list(stages)[3:] == ["samples", "sft_again", "samples_2", "sft_again_2", "samples_3", "sft_again_3"]
    assert [stages[s]["data"] for s in ("sft_again", "sft_again_2", "sft_again_3")] == [
        "stage:samples", "stage:samples_2", "stage:samples_3"]
    assert stages["samples_2"]["init_from"] == "previous"  # sft_again's weights: generate stages hand none on


VL_RECIPE = """
defaults:
  - model: tiny_vl
  - _self_
name: generate_vl_check
seed: 0
datasets:
  scenes:
    adapter: grounding
    generator: {name: grounding, n: 8, image_size: 112, cell: 28, distractors: 0, colors: [blue], seed: 1}
    options: {system_prompt: null, prompt_template: "Box of {query}?", trace: brief}
stages:
  samples:
    kind: generate
    data: scenes
    limit: 4
    n: 2
    max_new_tokens: 8
    keep: all
    rewards: [{_target_: tests.stages.generate_rewards.even_length}]
  sft: {kind: sft, data: "stage:samples", max_steps: 2, per_device_train_batch_size: 4, logging_steps: 1}
eval: {data: null}
"""


def test_image_rows_are_sampled_with_their_images_and_written_as_files(tmp_path):
    """A vision-language generate stage: the images reach the model, the kept rows' images are PNG files, and an SFT
    stage trains on the generated rows."""
    from PIL import Image

    from r1kit.data.generated import load_generated

    (tmp_path / "recipe.yaml").write_text(VL_RECIPE)
    assert _train(tmp_path, {"PYTHONPATH": str(REPO)}) == 0
    (run,) = (tmp_path / "runs" / "generate_vl_check").iterdir()
    final = run / "stages" / "0-samples" / "final"
    rows = _rows(final)
    assert len(rows) == 8 and rows[0]["images"] == ["images/0-0.png"]
    assert rows[0]["messages"][-1] == {"role": "assistant", "content": [{"type": "text", "text": rows[0]["completion"]}]}
    assert Image.open(final / "images" / "0-0.png").size == (112, 112)
    assert load_generated(final, "test")[0]["images"][0].size == (112, 112)  # decoded like any image column
    assert read_state(run)["stages"]["sft"]["steps"] == 2
