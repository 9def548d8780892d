"""A table of bad inputs through the real `r1kit` command: each ends in one message naming the key or file.

Every case is one subprocess (`r1kit train ... --cfg job` where it can be, which validates and stops):
exit status 2, no traceback, stderr starting "r1kit: error:" and naming what is at fault.
"""

import pytest

from tests.helpers import run_cli

TRAIN = ("train", "--cfg", "job")
EVAL = ("eval", "model=tiny", "data=addition", "--cfg", "job")

# (id, command prefix, arguments, text the message must contain). {tmp} is the test's own folder.
CASES = [
    # numbers out of range, from the schemas' metadata
    ("eval-batch-size-0", TRAIN, ["eval.batch_size=0"], "eval.batch_size=0: must be at least 1"),
    ("eval-limit-0", TRAIN, ["eval.limit=0"], "eval.limit=0"),
    ("eval-every-steps-negative", TRAIN, ["eval.every_steps=-5"], "eval.every_steps=-5"),
    ("eval-max-new-tokens-0", TRAIN, ["eval.max_new_tokens=0"], "eval.max_new_tokens=0"),
    ("seed-negative", TRAIN, ["seed=-1"], "seed=-1: must be at least 0"),
    ("lora-r-0", TRAIN, ["model.lora.r=0"], "model.lora.r=0: must be greater than 0"),
    ("lora-alpha-negative", TRAIN, ["model.lora.alpha=-8"], "model.lora.alpha=-8"),
    ("lora-dropout-1", TRAIN, ["model.lora.dropout=1.0"], "model.lora.dropout=1.0"),
    ("lora-dropout-negative", TRAIN, ["model.lora.dropout=-0.1"], "model.lora.dropout=-0.1"),
    ("launcher-gpus-0", TRAIN, ["launcher=zero2", "launcher.gpus=0"], "launcher.gpus=0"),
    ("launcher-nodes-0", TRAIN, ["launcher=zero2", "launcher.nodes=0"], "launcher.nodes=0"),
    ("launcher-port-too-high", TRAIN, ["launcher.main_port=70000"], "launcher.main_port=70000"),
    ("launcher-vllm-port-0", TRAIN, ["launcher.vllm_port=0"], "launcher.vllm_port=0"),
    ("launcher-machine-rank-negative", TRAIN, ["launcher.machine_rank=-1"], "launcher.machine_rank=-1"),
    ("slurm-cpus-0", TRAIN, ["launcher.slurm.cpus_per_task=0"], "launcher.slurm.cpus_per_task=0"),
    # TRL options, from the bounds table of r1kit.stages.common
    ("batch-size-0", TRAIN, ["stages.sft.per_device_train_batch_size=0"], "stages.sft.per_device_train_batch_size=0"),
    ("batch-size-negative", TRAIN, ["stages.grpo.per_device_train_batch_size=-4"],
     "stages.grpo.per_device_train_batch_size=-4"),
    ("grad-accumulation-0", TRAIN, ["stages.sft.gradient_accumulation_steps=0"],
     "stages.sft.gradient_accumulation_steps=0"),
    ("learning-rate-negative", TRAIN, ["stages.sft.learning_rate=-0.001"], "stages.sft.learning_rate=-0.001"),
    ("max-length-0", TRAIN, ["stages.sft.max_length=0"], "stages.sft.max_length=0"),
    ("num-generations-1", TRAIN, ["stages.grpo.num_generations=1", "stages.grpo.per_device_train_batch_size=8"],
     "stages.grpo.num_generations=1"),
    ("max-completion-length-0", TRAIN, ["stages.grpo.max_completion_length=0"], "stages.grpo.max_completion_length=0"),
    ("temperature-0", TRAIN, ["stages.grpo.temperature=0"], "stages.grpo.temperature=0"),
    ("max-steps-0", TRAIN, ["stages.sft.max_steps=0"], "stages.sft.max_steps=0: must be at least -1 and must not be 0"),
    ("max-steps-minus-2", TRAIN, ["stages.sft.max_steps=-2"], "stages.sft.max_steps=-2"),
    ("epochs-0", TRAIN, ["stages.sft.num_train_epochs=0"], "stages.sft.num_train_epochs=0"),
    ("save-steps-0", TRAIN, ["stages.sft.save_steps=0"], "stages.sft.save_steps=0"),
    ("logging-steps-negative", TRAIN, ["stages.grpo.logging_steps=-1"], "stages.grpo.logging_steps=-1"),
    ("top-p-above-1", TRAIN, ["stages.grpo.top_p=1.5"], "stages.grpo.top_p=1.5"),
    ("weight-decay-negative", TRAIN, ["stages.sft.weight_decay=-1"], "stages.sft.weight_decay=-1"),
    ("scheduler-typo", TRAIN, ["stages.sft.lr_scheduler_type=cosin"], "Did you mean 'cosine'?"),
    # keys and types
    ("learning-rate-not-a-number", TRAIN, ["stages.sft.learning_rate=fast"], "stages.sft.learning_rate"),
    ("unknown-stage-option", TRAIN, ["stages.sft.max_stepz=5"], "stages.sft.max_stepz"),
    ("unknown-top-level-key", TRAIN, ["sede=1"], "sede"),
    ("seed-not-an-int", TRAIN, ["seed=one"], "seed"),
    ("bad-dtype", TRAIN, ["model.dtype=float8"], "model.dtype='float8'"),
    ("managed-option", TRAIN, ["stages.sft.output_dir=/tmp/x"], "stages.sft.output_dir"),
    ("stages-a-string", TRAIN, ["stages=oops"], "stages: "),
    ("stage-a-string", TRAIN, ["stages.sft=oops"], "stages.sft must be a mapping"),
    ("unknown-stage-kind", TRAIN, ["stages.sft.kind=dpoo"], "stages.sft.kind"),
    ("unknown-logger", TRAIN, ["logger.backend=mlflow"], "logger.backend"),
    ("unknown-launcher", TRAIN, ["launcher.name=torchrun"], "launcher.name"),
    ("unknown-dataset-link", TRAIN, ["stages.sft.data=nope"], "stages.sft.data='nope'"),
    ("missing-data-file", TRAIN, ["~datasets.traces.generator", "datasets.traces.path=./nope.jsonl"],
     "datasets.traces.path"),
    # files
    ("recipe-not-utf8", TRAIN, ["recipe={tmp}/latin1.yaml"], "latin1.yaml: not UTF-8"),
    ("recipe-a-list", TRAIN, ["recipe={tmp}/list.yaml"], "list.yaml: a recipe is a YAML mapping"),
    ("recipe-a-string", TRAIN, ["recipe={tmp}/words.yaml"], "words.yaml: a recipe is a YAML mapping"),
    ("recipe-empty", TRAIN, ["recipe={tmp}/empty.yaml"], "empty.yaml: a recipe is a YAML mapping"),
    ("recipe-bad-yaml", TRAIN, ["recipe={tmp}/broken.yaml"], "broken.yaml is not valid YAML"),
    ("stages-as-a-list", TRAIN, ["recipe={tmp}/stage_list.yaml"], "`stages:` is a mapping from stage names"),
    ("recipe-missing", TRAIN, ["recipe={tmp}/absent.yaml"], "absent.yaml: no such file"),
    ("model-folder-empty", TRAIN, ["model.path={tmp}/empty_model", "~model.build"], "has no config.json"),
    ("model-path-a-file", TRAIN, ["model.path={tmp}/words.yaml", "~model.build"], "model.path"),
    ("output-dir-a-file", TRAIN, ["output_dir={tmp}/a_file"], "a_file is a file"),
    ("output-dir-under-a-file", TRAIN, ["output_dir={tmp}/a_file/run"], "which is a file"),
    # `r1kit eval` options
    ("eval-cmd-batch-size-0", EVAL, ["batch_size=0"], "batch_size=0: must be at least 1"),
    ("eval-cmd-n-0", EVAL, ["n=0"], "n=0"),
    ("eval-cmd-top-p-0", EVAL, ["top_p=0"], "top_p=0"),
    ("eval-cmd-temperature-negative", EVAL, ["temperature=-1"], "temperature=-1"),
    ("eval-cmd-seed-negative", EVAL, ["seed=-3"], "seed=-3"),
    ("eval-cmd-limit-0", EVAL, ["limit=0"], "limit=0"),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad_inputs")
    (tmp / "latin1.yaml").write_bytes("name: café\n".encode("latin-1"))
    (tmp / "list.yaml").write_text("- sft\n- grpo\n")
    (tmp / "words.yaml").write_text("just some words\n")
    (tmp / "empty.yaml").write_text("")
    (tmp / "broken.yaml").write_text("name: x\nstages: {sft: [\n")
    (tmp / "stage_list.yaml").write_text("defaults: [{model: tiny}, _self_]\nname: x\n"
                                         "datasets: {t: {adapter: addition, generator: {name: addition, n: 8}}}\n"
                                         "stages:\n  - sft: {kind: sft, data: t}\n")
    (tmp / "empty_model").mkdir()
    (tmp / "a_file").write_text("not a folder\n")
    return tmp


def test_the_table_has_at_least_forty_cases():
    assert len(CASES) >= 40 and len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("prefix", "args", "needle"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_ends_in_one_message_naming_it(files, prefix, args, needle):
    proc = run_cli(*prefix, *(a.format(tmp=files) for a in args), cwd=files, check=False, timeout=120)
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith("r1kit: error: "), proc.stderr
    assert needle.format(tmp=files) in proc.stderr, proc.stderr
