"""Per-step overhead of r1kit's GRPO stage over a bare TRL script, same configuration.

    python scripts/bench_grpo_overhead.py [--steps 12] [--rounds 3] [--model-dir DIR] [--threads 1]

Both sides train the same model (the quickstart's tiny Qwen2, or `--model-dir`) on the
same addition prompts with the same GRPOConfig numbers and the same two rewards
(think_format x0.5, exact_match x1.0):

- bare: `trl.GRPOTrainer` with the registry's reward functions, `reward_weights`, TRL's
  default callbacks (tqdm disabled, so its PrinterCallback prints each log);
- r1kit: `r1kit.stages.grpo.build_grpo_trainer` with a stage config composed and
  validated from a small recipe, so the RewardStack wrappers, the atomic-checkpoint
  trainer, RewardTiming, metrics.jsonl and the rich progress bar are all in the loop.

The two resulting GRPOConfigs are compared field by field before anything is timed
(only the output/run names may differ), and the runs must follow the same trajectory
(same completion lengths and rewards step by step), so both do the same work.

Per-step time is the wall time from one `on_step_end` to the next, so it covers the
whole optimizer step: fetching the batch, generation, rewards, forward/backward,
optimizer, and the logging that transformers does *after* `on_step_end` (where
r1kit's metrics.jsonl and progress-bar callbacks run). The `on_step_begin` ->
`on_step_end` time (which misses the logging) is shown too. The first 2 steps of
each run are warm-up and discarded; the median of the rest is the run's s/step.
On a shared machine, the CPU that other processes take during each step is read from
/proc and steps they disturbed are left out (and shown). Target: r1kit at most 1.05x
bare TRL; the exit status is 1 when it is above.
"""

# In-process, not one subprocess per run: process start-up, imports and dataset
# building are not what is measured and would dwarf a dozen steps; both trainers then
# run in the same warmed-up interpreter (same torch thread pool, same allocator),
# alternating bare/r1kit so that drift (other load on a shared machine, allocator
# growth) falls on both sides alike, and every run starts from freshly built weights
# with the same seed. Leaks between runs are checked, not assumed away: each run
# starts after gc, the live thread count is printed (rich's refresh thread must be
# gone after a r1kit run), and the step-by-step trajectories of each pair must match.

import argparse
import gc
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from transformers import TrainerCallback

TARGET = 1.05
WARMUP_STEPS = 2
# A step during which other processes used more than the cores this benchmark leaves free
# (cpu_count - torch threads) plus this margin is "disturbed"; a run's s/step is the median
# of its undisturbed steps when there are enough of them.
QUIET_MARGIN = 0.25
QUIET_CORES = QUIET_MARGIN  # set in main() once the thread count is known
REWARDS = [("think_format", 0.5), ("exact_match", 1.0)]
TINY = {"hidden_size": 96, "num_layers": 3, "seed": 0}
# GRPOConfig numbers for both sides. Besides the numbers, this names every
# option r1kit's grpo stage defaults (r1kit/conf/stage/grpo.yaml) set differently from
# TRL's own defaults, e.g. activation checkpointing off; the config check below
# catches any that are missed.
TRAIN = {
    "per_device_train_batch_size": 64,
    "num_generations": 8,
    "max_completion_length": 64,
    "temperature": 0.7,
    "learning_rate": 1e-4,
    "beta": 0.0,
    "logging_steps": 1,
    "save_strategy": "no",
    "gradient_accumulation_steps": 1,
    "loss_type": "dapo",
    "scale_rewards": "group",
    "lr_scheduler_type": "constant",
    "num_train_epochs": 1,
    "save_steps": 50,
    "save_total_limit": 2,
    "activation_checkpointing": False,
    "dataloader_num_workers": 0,
}
SEED = 0
DATA = {"n": 2000, "digits": 3, "seed": 2}  # the quickstart's `problems` dataset, smaller
# Fields allowed to differ between the two GRPOConfigs: where files go and the run's name.
NAMES = {"output_dir", "logging_dir", "run_name"}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=12, help="optimizer steps per run (default 12)")
    p.add_argument("--rounds", type=int, default=3, help="bare/r1kit pairs, alternating (default 3)")
    p.add_argument("--model-dir", help="a saved model folder (AutoModelForCausalLM/AutoTokenizer) "
                                       "instead of the tiny model built in code")
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads (default 1; 0 keeps torch's default, one per core). The tiny model is no "
                        "faster with two, and two threads on two cores slow down many-fold whenever another "
                        "process takes a core, which would swamp a 5%% difference")
    args = p.parse_args(argv)
    if args.steps <= WARMUP_STEPS:
        p.error(f"--steps must be more than the {WARMUP_STEPS} warm-up steps")
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
    return args


# --- what both sides share ---------------------------------------------------------


def make_model(model_dir):
    import torch

    if model_dir:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        return (AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32),
                AutoTokenizer.from_pretrained(model_dir))
    from r1kit.models.tiny import build_tiny

    model, tokenizer = build_tiny(**TINY)
    return model.to(torch.float32), tokenizer


def make_dataset():
    """Example rows (`prompt` chat messages, `answer`, `task`) from the addition generator and adapter."""
    import datasets

    from r1kit.data.adapters import get_adapter_class
    from r1kit.data.addition import generate

    adapter = get_adapter_class("addition")()
    return datasets.Dataset.from_list([adapter.example(row) for row in generate(**DATA)])


def cpu_jiffies():
    """(CPU time the whole machine was busy or stolen, this process's CPU time), in clock ticks; None off Linux."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(x) for x in f.readline().split()[1:9]]
        with open("/proc/self/stat", encoding="ascii") as f:
            own = f.read().rsplit(")", 1)[1].split()
    except (OSError, ValueError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return user + nice + system + irq + softirq + steal, int(own[11]) + int(own[12])  # utime + stime


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class StepTimer(TrainerCallback):
    """Wall and CPU time per optimizer step, the CPU other processes used meanwhile, and the logged
    figures that show what each step did."""

    KEYS = ("completions/mean_length", "reward", "loss")

    def __init__(self):
        self.cycle, self.inside, self.cpu, self.other, self.logs = [], [], [], [], []
        self._begin = self._last = None

    @staticmethod
    def _now():
        return time.perf_counter(), time.process_time(), cpu_jiffies()

    def on_train_begin(self, args, state, control, **kwargs):
        self._last = self._now()

    def on_step_begin(self, args, state, control, **kwargs):
        self._begin = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        now = self._now()
        (wall, cpu, jiffies), (wall0, cpu0, jiffies0) = now, self._last
        self.inside.append(wall - self._begin)
        self.cycle.append(wall - wall0)
        self.cpu.append(cpu - cpu0)
        if jiffies and jiffies0:  # cores' worth of CPU that other processes (or the hypervisor) took
            busy, own = jiffies[0] - jiffies0[0], jiffies[1] - jiffies0[1]
            self.other.append(max(0.0, (busy - own) / CLOCK_TICKS / (wall - wall0)))
        else:
            self.other.append(0.0)
        self._last = now

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "loss" in logs:
            self.logs.append({k: logs.get(k) for k in self.KEYS})

    # --- summaries, over the steps after the warm-up ---

    def quiet(self) -> list[int]:
        """Steps after the warm-up, keeping only those no other process disturbed when enough of them are."""
        steps = range(WARMUP_STEPS, len(self.cycle))
        quiet = [i for i in steps if self.other[i] < QUIET_CORES]
        return quiet if len(quiet) >= max(3, len(steps) // 2) else list(steps)

    @property
    def disturbed(self) -> bool:
        return any(self.other[i] >= QUIET_CORES for i in self.quiet())

    def median(self, series: str) -> float:
        values = getattr(self, series)
        return statistics.median(values[i] for i in self.quiet())

    def other_load(self) -> float:
        return statistics.mean(self.other[WARMUP_STEPS:])


# --- the two sides -------------------------------------------------------------------


def bare_trainer(model, tokenizer, train_ds, steps, workdir):
    """What a user would write with TRL alone."""
    from trl import GRPOConfig, GRPOTrainer

    from r1kit.rewards.registry import resolve

    args = GRPOConfig(output_dir=str(workdir / "out"), report_to=[], disable_tqdm=True, use_cpu=True,
                      bf16=False, fp16=False, seed=SEED, max_steps=steps,
                      reward_weights=[w for _, w in REWARDS], **TRAIN)
    return GRPOTrainer(model=model, reward_funcs=[resolve(name=n) for n, _ in REWARDS], args=args,
                       train_dataset=train_ds, processing_class=tokenizer)


def r1kit_stage(steps, model_dir, workdir):
    """(stage, recipe): a one-stage recipe written to disk, composed with Hydra and validated."""
    import yaml

    from r1kit.config.compose import compose
    from r1kit.config.validate import validate

    model = {"path": str(Path(model_dir).resolve())} if model_dir else {"build": {"name": "tiny", **TINY}}
    recipe = {
        "defaults": [{"logger": "none"}, "_self_"],
        "name": "bench_grpo_overhead",
        "seed": SEED,
        "model": {**model, "dtype": "float32"},
        "datasets": {"problems": {"adapter": "addition", "generator": {"name": "addition", **DATA}}},
        "stages": {"grpo": {"kind": "grpo", "data": "problems", "init_from": "base", "evaluate": False,
                            "max_steps": steps, **TRAIN,
                            "rewards": [{"name": n, "weight": w} for n, w in REWARDS]}},
        "eval": {"data": None},
    }
    path = workdir / "bench_grpo_overhead.yaml"
    path.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    recipe = validate(compose(None, [], recipe=str(path)))
    return {**recipe["stages"]["grpo"], "name": "grpo"}, recipe


def r1kit_trainer(model, tokenizer, train_ds, stage, recipe, workdir):
    from r1kit.stages.grpo import build_grpo_trainer

    run_dir = workdir / "run"
    output_dir = run_dir / "stages" / "01-grpo"
    output_dir.mkdir(parents=True)
    return build_grpo_trainer(stage, recipe, model, tokenizer, train_ds, output_dir, run_dir)


# --- running and comparing -----------------------------------------------------------


def config_of(trainer) -> dict:
    return {k: v for k, v in trainer.args.to_dict().items() if k not in NAMES}


def run_once(kind, steps, model_dir, train_ds, stage, recipe, reference_config):
    """Train `steps` steps on fresh weights; returns (timer, the trainer's config)."""
    gc.collect()
    model, tokenizer = make_model(model_dir)
    with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-") as tmp:
        workdir = Path(tmp)
        if kind == "bare":
            trainer = bare_trainer(model, tokenizer, train_ds, steps, workdir)
        else:
            trainer = r1kit_trainer(model, tokenizer, train_ds, stage, recipe, workdir)
        config = config_of(trainer)
        if reference_config is not None and config != reference_config:
            diff = {k: (reference_config.get(k), config.get(k))
                    for k in sorted(set(config) | set(reference_config)) if config.get(k) != reference_config.get(k)}
            sys.exit(f"the two GRPOConfigs differ, the comparison would not be fair: {diff}")
        timer = StepTimer()
        trainer.add_callback(timer)
        print(f"--- {kind}: {steps} steps", flush=True)
        trainer.train()
        if trainer.state.global_step != steps:
            sys.exit(f"{kind} ran {trainer.state.global_step} steps, expected {steps}")
    del trainer, model, tokenizer
    gc.collect()
    return timer, config


def same_trajectory(a, b) -> str:
    """'identical' when both runs logged the same figures step by step, else the largest gap."""
    if len(a) != len(b):
        return f"DIFFERENT ({len(a)} vs {len(b)} logged steps)"
    gaps = {}
    for x, y in zip(a, b):
        for k in StepTimer.KEYS:
            if x[k] is not None and y[k] is not None:
                gaps[k] = max(gaps.get(k, 0.0), abs(x[k] - y[k]))
    if all(g <= 1e-6 for g in gaps.values()):
        return "identical"
    return "DIFFERENT (max |gap| " + ", ".join(f"{k} {g:.3g}" for k, g in gaps.items()) + ")"


def main(argv=None):
    args = parse_args(argv)
    from r1kit.curriculum import quiet_libraries

    quiet_libraries()  # what `r1kit train` does first; process-wide, so it applies to both sides
    import torch
    import transformers
    import trl

    import r1kit

    if args.threads:
        torch.set_num_threads(args.threads)
    global QUIET_CORES
    QUIET_CORES = max(0, (os.cpu_count() or 1) - torch.get_num_threads()) + QUIET_MARGIN
    if torch.cuda.is_available():
        print("note: a GPU is visible; this benchmark keeps both sides on the CPU (use_cpu).")

    train_ds = make_dataset()
    with tempfile.TemporaryDirectory(prefix="bench-recipe-") as tmp:
        stage, recipe = r1kit_stage(args.steps, args.model_dir, Path(tmp))

    rows, reference = [], None
    for r in range(1, args.rounds + 1):
        results = {}
        for kind in ("bare", "r1kit"):
            timer, config = run_once(kind, args.steps, args.model_dir, train_ds, stage, recipe, reference)
            reference = reference or config
            results[kind] = timer
            print(f"    {kind} round {r}: {timer.median('cycle'):.3f} s/step over {len(timer.quiet())} steps; "
                  f"steps {' '.join(f'{t:.2f}' for t in timer.cycle)} s; other processes "
                  f"{' '.join(f'{c:.1f}' for c in timer.other)} cores; threads alive after: "
                  f"{threading.active_count()}", flush=True)
        rows.append((r, results["bare"], results["r1kit"]))

    print()
    print(f"GRPO per-step time, r1kit vs bare TRL: {args.rounds} rounds x {args.steps} steps per run, "
          f"first {WARMUP_STEPS} steps discarded, median of the rest")
    print(f"torch threads: {torch.get_num_threads()} (cpu_count {os.cpu_count()}); torch {torch.__version__}, "
          f"transformers {transformers.__version__}, trl {trl.__version__}, "
          f"r1kit {getattr(r1kit, '__version__', '?')}, python {sys.version.split()[0]}")
    print(f"model: {args.model_dir or 'tiny Qwen2 ' + str(TINY)}; {TRAIN['per_device_train_batch_size']} completions "
          f"per step = {TRAIN['per_device_train_batch_size'] // TRAIN['num_generations']} prompts x "
          f"{TRAIN['num_generations']}, max_completion_length {TRAIN['max_completion_length']}")
    print()
    header = (f"{'round':>5}  {'bare s/step':>11}  {'r1kit s/step':>12}  {'ratio':>6}  {'in-step':>7}  {'cpu':>6}  "
              f"{'other load':>10}  trajectory")
    print(header)
    print("-" * (len(header) + 10))
    ratios, quiet_ratios, inside, cpu, paired = [], [], [], [], []
    for r, bare, ours in rows:
        b, o = bare.median("cycle"), ours.median("cycle")
        disturbed = bare.disturbed or ours.disturbed
        ratios.append(o / b)
        if not disturbed:
            quiet_ratios.append(o / b)
        inside.append(ours.median("inside") / bare.median("inside"))
        cpu.append(ours.median("cpu") / bare.median("cpu"))
        paired += [ours.cycle[i] / bare.cycle[i] for i in range(WARMUP_STEPS, len(bare.cycle))
                   if bare.other[i] < QUIET_CORES and ours.other[i] < QUIET_CORES]
        load = f"{bare.other_load():.2f}/{ours.other_load():.2f}"
        print(f"{r:>5}  {b:>11.3f}  {o:>12.3f}  {o / b:>6.3f}{'*' if disturbed else ' '} {inside[-1]:>7.3f}  "
              f"{cpu[-1]:>6.3f}  {load:>10}  {same_trajectory(bare.logs, ours.logs)}")
    print("ratio: r1kit/bare, whole step (on_step_end to on_step_end, logging included); in-step: on_step_begin to")
    print("on_step_end; cpu: process CPU seconds per step; other load: cores other processes used meanwhile,")
    print(f"bare/r1kit (steps where they used >= {QUIET_CORES:.2f} are left out when enough remain; * = a run had "
          "too few such quiet steps)")
    print()
    ratio = statistics.median(ratios)
    print(f"median ratio over all rounds:            {ratio:.3f}")
    if quiet_ratios and len(quiet_ratios) < len(ratios):
        print(f"median ratio over undisturbed rounds:    {statistics.median(quiet_ratios):.3f} (n={len(quiet_ratios)})")
    print(f"median ratio, in-step / CPU time:        {statistics.median(inside):.3f} / {statistics.median(cpu):.3f}")
    if paired:
        print(f"median of paired step-by-step ratios:    {statistics.median(paired):.3f} "
              f"(n={len(paired)} undisturbed step pairs; step k does the same work on both sides)")
    if quiet_ratios:
        ratio = statistics.median(quiet_ratios)
    else:
        print("warning: other processes disturbed every round; rerun on a quieter machine for a firm figure")
    verdict = "within" if ratio <= TARGET else "ABOVE"
    print(f"r1kit per step = {ratio:.3f}x bare TRL: {verdict} the {TARGET}x target")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
