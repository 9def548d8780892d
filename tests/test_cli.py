"""The `r1kit` command through real subprocesses: help, listing, `--cfg job`, overrides, sweeps, user components."""

import re
import subprocess
import sys
import textwrap

import pytest
import yaml

from tests.helpers import REPO


def ok(proc):
    assert proc.returncode == 0, (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def test_help_lists_commands_and_examples(r1kit_cli):
    out = ok(r1kit_cli("--help"))
    for command in ("train", "sft", "ls"):
        assert re.search(rf"^\s+{command}\s+\S", out, re.MULTILINE), f"{command} not listed:\n{out}"
    assert "examples:" in out
    assert "r1kit train recipe=quickstart --cfg job" in out and "-m seed=1,2,3" in out
    assert "R1KIT_DEBUG=1" in out
    # no command at all prints the same help and succeeds
    assert "examples:" in ok(r1kit_cli())
    sub = ok(r1kit_cli("train", "--help"))
    assert "--cfg" in sub and "--multirun" in sub and "+key=value" in sub


def test_ls_lists_recipes_models_adapters_rewards(r1kit_cli):
    out = ok(r1kit_cli("ls"))
    sections = {}
    current = None
    for line in out.splitlines():
        if line and not line.startswith(" "):
            current = line.split(" (")[0]
            sections[current] = {}
        elif line.strip():
            name, _, text = line.strip().partition(" ")
            sections[current][name] = text.strip()
    assert "quickstart" in sections["recipes"] and "addition" in sections["recipes"]["quickstart"]
    assert {"tiny", "tiny_vl", "qwen2_5_vl_3b_instruct"} <= set(sections["models"])
    assert {"addition", "math_qa", "chat_sft", "grounding", "jigsaw", "gui_action"} <= set(sections["adapters"])
    assert {"local", "zero2", "zero3", "slurm"} <= set(sections["launchers"])
    assert {"think_format", "math_accuracy"} <= set(sections["rewards"])
    assert {"sft", "grpo"} <= set(sections["stage kinds"])
    assert all(text for section in sections.values() for text in section.values()), "every line has a description"


def test_listing_does_not_import_heavy_libraries(tmp_path):
    code = textwrap.dedent("""
        import io, contextlib, sys
        import r1kit.cli, r1kit.listing
        with contextlib.redirect_stdout(io.StringIO()) as out:
            r1kit.listing.print_listing()
        assert "quickstart" in out.getvalue()
        heavy = sorted(m for m in ("torch", "transformers", "trl", "datasets", "deepspeed", "peft")
                       if m in sys.modules)
        print("HEAVY", heavy)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY []" in proc.stdout, proc.stdout


@pytest.fixture(scope="module")
def quickstart_job(r1kit_cli):
    return yaml.safe_load(ok(r1kit_cli("train", "--cfg", "job")))


def test_cfg_job_prints_the_composed_quickstart(quickstart_job):
    cfg = quickstart_job
    assert cfg["name"] == "quickstart"
    sft = cfg["stages"]["sft"]
    # r1kit's own stage keys, filled in by validation
    assert sft["kind"] == "sft" and sft["data"] == "traces" and sft["init_from"] == "previous"
    # defaults of every sft stage (conf/stage/sft.yaml) under the recipe's own values
    assert sft["assistant_only_loss"] is True and sft["lr_scheduler_type"] == "cosine"
    recipe = yaml.safe_load((REPO / "recipes" / "quickstart.yaml").read_text())["stages"]["sft"]
    assert sft["max_steps"] == recipe["max_steps"] and sft["learning_rate"] == pytest.approx(recipe["learning_rate"])
    assert "rewards" not in sft  # grpo-only keys are dropped from sft stages
    # schema defaults the recipe does not spell out
    assert cfg["model"]["dtype"] == "auto" and cfg["model"]["lora"]["enabled"] is False
    assert cfg["datasets"]["traces"]["adapter"] == "addition" and cfg["datasets"]["traces"]["limit"] is None
    assert cfg["model"]["build"]["name"] == "tiny"


def test_overrides_show_up_in_cfg_job(r1kit_cli):
    cfg = yaml.safe_load(ok(r1kit_cli(
        "train", "seed=7", "stages.sft.max_steps=3",
        "stages.sft.lr_scheduler_type=linear",  # a stage default the recipe does not set: no `+` needed
        "model.dtype=float32", "model.lora.enabled=true",  # schema defaults the recipe does not set
        "+stages.sft.weight_decay=0.1",  # a TRL option neither the recipe nor the defaults have
        "--cfg", "job")))
    sft = cfg["stages"]["sft"]
    assert cfg["seed"] == 7 and sft["max_steps"] == 3 and sft["lr_scheduler_type"] == "linear"
    assert sft["weight_decay"] == pytest.approx(0.1)
    assert cfg["model"]["dtype"] == "float32" and cfg["model"]["lora"]["enabled"] is True


def test_flags_between_overrides(r1kit_cli):
    cfg = yaml.safe_load(ok(r1kit_cli("train", "--cfg", "job", "seed=1", "stages.sft.max_steps=9")))
    assert cfg["seed"] == 1 and cfg["stages"]["sft"]["max_steps"] == 9
    cfg = yaml.safe_load(ok(r1kit_cli("eval", "model=tiny", "--cfg", "job", "data=addition", "n=2")))
    assert cfg["n"] == 2 and cfg["k"] == [1, 2]


def test_sft_command_with_group_swaps(r1kit_cli, tmp_path):
    # the example from `r1kit --help`: `data=addition` picks the package `datasets.train`
    cfg = yaml.safe_load(ok(r1kit_cli("sft", "model=tiny", "data=addition", "stages.sft.max_steps=50",
                                      "--cfg", "job")))
    assert list(cfg["stages"]) == ["sft"] and cfg["stages"]["sft"]["max_steps"] == 50
    assert cfg["datasets"]["train"]["adapter"] == "addition"
    assert cfg["datasets"]["train"]["generator"]["name"] == "addition"


# Small runs, in tmp_path: if `--cfg` were not forwarded, the jobs would train (briefly) instead of printing.
SMALL = ("datasets.train.generator.n=8", "stages.sft.max_steps=1", "stages.sft.per_device_train_batch_size=2")


def test_sweep_forwards_cfg_to_every_job(r1kit_cli, tmp_path):
    out = ok(r1kit_cli("sft", "-m", "seed=1,2", *SMALL, "--cfg", "job", cwd=tmp_path))
    parts = re.split(r"^\[sweep (\d)/(\d)\] .*$\n", out, flags=re.MULTILINE)
    assert parts[0] == "", out[:500]
    jobs = [(parts[i], parts[i + 1], parts[i + 2]) for i in range(1, len(parts), 3)]
    assert [(i, n) for i, n, _ in jobs] == [("1", "2"), ("2", "2")]
    configs = [yaml.safe_load(text) for _, _, text in jobs]
    assert [c["seed"] for c in configs] == [1, 2]
    assert all(c["stages"]["sft"]["max_steps"] == 1 for c in configs)
    assert not (tmp_path / "runs").exists()  # nothing ran


def test_sweep_reports_the_worst_exit_status(r1kit_cli, tmp_path):
    proc = r1kit_cli("sft", "-m", "seed=abc,1", *SMALL, "--cfg", "job", cwd=tmp_path)
    assert proc.returncode == 2
    assert "seed: " in proc.stderr and "'abc'" in proc.stderr and "Traceback" not in proc.stderr
    assert "seed: 1" in proc.stdout  # the job after the failing one still ran


def test_user_recipe_by_absolute_path(r1kit_cli, write_recipe, tmp_path):
    rows = tmp_path / "qa.jsonl"
    rows.write_text('{"problem": "What is 6*7?", "final": "42"}\n')
    path = write_recipe(f"""\
        # my own recipe
        defaults:
          - model: tiny
          - logger: none
          - _self_

        name: mine
        datasets:
          qa:
            adapter: math_qa
            path: {rows}
            columns: {{question: problem, answer: final}}
        stages:
          cold:
            kind: sft
            data: qa
            max_steps: 2
          rl:
            kind: grpo
            data: qa
            rewards: [{{name: think_format, weight: 0.5}}, {{name: math_accuracy}}]
            per_device_train_batch_size: 4
            num_generations: 4
        eval:
          data: qa
        """)
    cfg = yaml.safe_load(ok(r1kit_cli("train", f"recipe={path}", "seed=3", "--cfg", "job", cwd=tmp_path)))
    assert cfg["name"] == "mine" and cfg["seed"] == 3
    assert list(cfg["stages"]) == ["cold", "rl"]
    assert cfg["stages"]["rl"]["rewards"][1] == {"name": "math_accuracy"}
    assert cfg["stages"]["rl"]["beta"] == 0.0 and cfg["stages"]["rl"]["loss_type"] == "dapo"  # grpo defaults
    assert cfg["datasets"]["qa"]["columns"] == {"question": "problem", "answer": "final"}


def test_user_adapter_by_dotted_path(r1kit_cli, tmp_path):
    pkg = tmp_path / "my_r1_adapters"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "reverse.py").write_text(textwrap.dedent("""
        from r1kit.data.adapters import Adapter


        class Reverse(Adapter):
            '''Reverse a word.'''

            required = ("word",)

            def example(self, row):
                word = row["word"]
                return {"prompt": self.prompt(f"Reverse {word}"), "answer": word[::-1], "task": "reverse"}
    """))
    rows = tmp_path / "words.jsonl"
    rows.write_text('{"word": "abc"}\n{"word": "hello"}\n')
    env = {"PYTHONPATH": str(tmp_path)}
    args = ("train", "datasets.traces.adapter=my_r1_adapters.reverse.Reverse", f"datasets.traces.path={rows}",
            "datasets.traces.generator=null", "--cfg", "job")
    cfg = yaml.safe_load(ok(r1kit_cli(*args, env=env)))  # cwd is the repo: only PYTHONPATH finds the module
    assert cfg["datasets"]["traces"]["adapter"] == "my_r1_adapters.reverse.Reverse"
    assert cfg["datasets"]["traces"]["path"] == str(rows)
    # without the module on the path the same command is a clear user error
    proc = r1kit_cli(*args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "cannot import module `my_r1_adapters.reverse`" in proc.stderr


def test_user_adapter_builds_examples(tmp_path, monkeypatch):
    """The same dotted-path adapter turns rows into examples (in-process, real files)."""
    (tmp_path / "my_adapters_inproc.py").write_text(textwrap.dedent("""
        from r1kit.data.adapters import Adapter

        class Upper(Adapter):
            required = ("text",)

            def example(self, row):
                return {"prompt": self.prompt(row["text"]), "answer": row["text"].upper(), "task": "upper"}
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    rows = tmp_path / "t.jsonl"
    rows.write_text('{"text": "abc"}\n{"text": "xyz"}\n')
    from r1kit.data.load import build_examples

    spec = {"adapter": "my_adapters_inproc.Upper", "path": str(rows), "generator": None, "subset": None,
            "split": "train", "columns": {}, "options": {}, "limit": None}
    ds, adapter = build_examples(spec, "datasets.mine")
    assert type(adapter).__name__ == "Upper"
    assert ds["answer"] == ["ABC", "XYZ"] and ds[0]["prompt"] == [{"role": "user", "content": "abc"}]


def test_cp_copies_a_recipe_that_trains_from_the_copy(r1kit_cli, tmp_path):
    """`r1kit cp NAME PATH` writes the shipped file verbatim (comments too), and the copy is what `recipe=` reads."""
    out = ok(r1kit_cli("cp", "quickstart", "mine", cwd=tmp_path))
    copy = tmp_path / "mine.yaml"  # no suffix given: .yaml added, so `recipe=mine.yaml` names it
    assert copy.read_bytes() == (REPO / "recipes" / "quickstart.yaml").read_bytes()
    assert "r1kit train recipe=mine.yaml" in out
    copy.write_text(copy.read_text().replace("seed: 0", "seed: 7"))
    cfg = yaml.safe_load(ok(r1kit_cli("train", "recipe=mine.yaml", "--cfg", "job", cwd=tmp_path)))
    assert cfg["name"] == "quickstart" and cfg["seed"] == 7
    # a folder (existing, or named with a trailing slash) receives the recipe under its own name
    ok(r1kit_cli("cp", "quickstart_vl", str(tmp_path), cwd=tmp_path))
    ok(r1kit_cli("cp", "quickstart", "new/folder/", cwd=tmp_path))
    assert (tmp_path / "quickstart_vl.yaml").read_bytes() == (REPO / "recipes" / "quickstart_vl.yaml").read_bytes()
    assert (tmp_path / "new" / "folder" / "quickstart.yaml").is_file()
    assert re.search(r"^\s+cp\s+copy a shipped recipe", ok(r1kit_cli("--help")), re.MULTILINE)


def test_cp_never_overwrites_without_force(r1kit_cli, tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text("name: my_edits\n")
    proc = r1kit_cli("cp", "quickstart", str(mine))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{mine} already exists" in proc.stderr and "--force" in proc.stderr
    assert mine.read_text() == "name: my_edits\n"
    (tmp_path / "quickstart.yaml").write_text("name: my_edits\n")
    proc = r1kit_cli("cp", "quickstart", str(tmp_path))  # into a folder that already holds one
    assert proc.returncode == 2 and "already exists" in proc.stderr
    ok(r1kit_cli("cp", "quickstart", str(mine), "--force"))
    assert mine.read_bytes() == (REPO / "recipes" / "quickstart.yaml").read_bytes()


def test_cp_unknown_recipe_suggests_the_closest(r1kit_cli, tmp_path):
    proc = r1kit_cli("cp", "quikstart", "mine.yaml", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "r1kit cp quikstart: no such recipe. Did you mean 'quickstart'" in proc.stderr
    assert "quickstart_vl" in proc.stderr and "r1kit ls" in proc.stderr
    assert list(tmp_path.iterdir()) == []
