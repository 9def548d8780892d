"""Per-step overhead of r1kit's GRPO stage over a bare TRL script, same configuration; or of its step timing.

    .venv/bin/python scripts/bench_grpo_overhead.py [--steps 12] [--rounds 3] [--model-dir DIR] [--threads 1]
    .venv/bin/python scripts/bench_grpo_overhead.py --against untimed [...]

Both sides train the same model (the quickstart's tiny Qwen2, or `--model-dir`) on the
same addition prompts with the same GRPOConfig numbers and the same two rewards
(think_format x0.5, exact_match x1.0):

- bare: `trl.GRPOTrainer` with the registry's reward functions and `reward_weights`,
  TRL's default callbacks (tqdm disabled, so its PrinterCallback prints each log);
- r1kit: the grpo stage kind (`r1kit.stages.grpo.KIND.build`) on a StagePlan composed and
  validated from a small recipe, so the RewardStack wrappers, the atomic-checkpoint
  trainer, RewardTiming, the step timing, metrics.jsonl and the rich progress bar are all
  in the loop;
- untimed (`--against untimed`, instead of bare): the same r1kit stage with its step timing
  taken out (the callback removed and TRL's own `profiling_context` put back), to measure
  what timing the steps costs. The r1kit side then also times its step timing's own code
  (each of its callbacks and profiling edges) and reports that per step: the figure to hold
  against the 1% target, as the lock-step ratio cannot resolve 1%.

The two GRPOConfigs are compared field by field before anything is timed (only the
output/run names may differ), and both runs must follow the same trajectory (same
completion lengths, rewards and losses step by step), so they do the same work.

A step's time runs from one `on_step_begin` to the next, so it covers the whole
optimizer step: generation, rewards, forward/backward, the optimizer, the logging that
transformers does after `on_step_end` (where r1kit's metrics.jsonl and progress-bar
callbacks run) and fetching the next batch. The `on_step_begin` -> `on_step_end` time
(without the logging) and the CPU time are shown too. Each run times every step but
the last (its end is mixed with the end of training); the first 2 are warm-up and
discarded, and a run's s/step is the median of the rest. The CPU that other processes
take during each step is read from /proc; steps they disturbed are left out (and shown).
Target: r1kit at most 1.05x bare TRL; the step timing's own code under 1% of a step. The exit
status is 1 when a target is missed.
"""

# How the two sides alternate. Each round starts two worker processes, one per side,
# with fresh weights and the same seed, and lets them take turns step by step: bare
# does one optimizer step while r1kit waits on a pipe, then r1kit does one while bare
# waits, and so on (so only one of them computes at a time). Only the steps are timed,
# never process start-up, imports, dataset building or trainer construction.
#   Why not whole runs in turn in one process: on the shared 2-core machine this was
# written on, step times drift by up to 30% for tens of seconds at a time with no
# other process visible (the host, not this VM), so a slow spell could cover one
# side's whole run and decide a round; steps taken in turn a second apart see the
# same machine, and the paired step ratios cancel the drift. Separate processes also
# keep the two trainers from sharing torch's global RNG (both must sample the same
# completions) and a GIL: r1kit's progress bar refreshes from a thread, which must
# not slow bare's steps.
#   Threads: one torch thread by default. The tiny model is no faster with two, and
# two threads on two cores slow down many-fold (0.85 -> 20 s a step was seen) whenever
# another process takes a core, which would swamp a 5% difference.

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

TARGET = 1.05
TIMING_TARGET = 0.01  # the step timing's own code, as a share of a step
WARMUP_STEPS = 2
# A step during which other processes used more than the cores this benchmark leaves
# free (cpu_count - torch threads) plus this margin is disturbed.
QUIET_MARGIN = 0.25
REWARDS = [("think_format", 0.5), ("exact_match", 1.0)]
TINY = {"hidden_size": 96, "num_layers": 3, "seed": 0}
SEED = 0
DATA = {"n": 2000, "digits": 3, "seed": 2}  # the quickstart's `problems` dataset, smaller
# GRPOConfig numbers for both sides. Besides the numbers, this names every
# option r1kit's grpo stage defaults (r1kit/conf/stage/grpo.yaml) set differently
# from TRL's own defaults, e.g. activation checkpointing off; the config check
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
NAMES = {"output_dir", "logging_dir", "run_name"}  # GRPOConfig fields allowed to differ
LOGGED = ("completions/mean_length", "reward", "loss")  # per-step figures that must match
TIMED_METHODS = ("counts", "enter", "leave", "on_train_begin", "on_step_begin", "on_pre_optimizer_step",
                 "on_optimizer_step", "on_step_end", "on_log")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=12, help="optimizer steps per run (default 12)")
    p.add_argument("--rounds", type=int, default=3, help="pairs of runs (default 3)")
    p.add_argument("--against", choices=("bare", "untimed"), default="bare",
                   help="what r1kit is compared with: bare TRL (default) or r1kit without its step timing")
    p.add_argument("--model-dir", help="a saved model folder (AutoModelForCausalLM/AutoTokenizer) "
                                       "instead of the tiny model built in code")
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads per worker (default 1; 0 keeps torch's default, one per core)")
    args = p.parse_args(argv)
    if args.steps < WARMUP_STEPS + 2:
        p.error(f"--steps must be at least {WARMUP_STEPS + 2}: {WARMUP_STEPS} warm-up steps, one timed, "
                "and a last one that is not timed")
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
    if args.model_dir and not Path(args.model_dir).is_dir():
        p.error(f"--model-dir {args.model_dir}: no such folder")
    return args


# --- in a worker: the model, the data and the two trainers ---------------------------


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


def bare_trainer(model, tokenizer, train_ds, steps, workdir):
    """What a user would write with TRL alone."""
    from trl import GRPOConfig, GRPOTrainer

    from r1kit.rewards.registry import resolve

    args = GRPOConfig(output_dir=str(workdir / "out"), report_to=[], disable_tqdm=True, use_cpu=True,
                      bf16=False, fp16=False, seed=SEED, max_steps=steps,
                      reward_weights=[w for _, w in REWARDS], **TRAIN)
    return GRPOTrainer(model=model, reward_funcs=[resolve(name=n) for n, _ in REWARDS], args=args,
                       train_dataset=train_ds, processing_class=tokenizer)


def r1kit_trainer(model, tokenizer, train_ds, steps, model_dir, workdir):
    """A one-stage recipe written to disk, composed with Hydra, validated, and built as `r1kit train` does."""
    import yaml

    from r1kit.config.compose import compose_recipe
    from r1kit.config.validate import split_stage, validate
    from r1kit.curriculum.plan import trainer_args
    from r1kit.stages.grpo import KIND
    from r1kit.stages.plan import StagePlan

    source = {"path": str(Path(model_dir).resolve())} if model_dir else {"build": {"name": "tiny", **TINY}}
    recipe = {
        "defaults": [{"logger": "none"}, "_self_"],
        "name": "bench_grpo_overhead",
        "seed": SEED,
        "model": {**source, "dtype": "float32"},
        "datasets": {"problems": {"adapter": "addition", "generator": {"name": "addition", **DATA}}},
        "stages": {"grpo": {"kind": "grpo", "data": "problems", "init_from": "base", "evaluate": False,
                            "max_steps": steps, **TRAIN,
                            "rewards": [{"name": n, "weight": w} for n, w in REWARDS]}},
        "eval": {"data": None},
    }
    path = workdir / "bench_grpo_overhead.yaml"
    path.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    recipe = validate(compose_recipe(None, [], recipe=str(path)))
    own, options = split_stage(recipe["stages"]["grpo"])
    run_dir = workdir / "run"
    output_dir = run_dir / "stages" / "01-grpo"
    output_dir.mkdir(parents=True)
    plan = StagePlan(name="grpo", stage={**own, "name": "grpo"},
                     args=trainer_args(KIND.config_class, "grpo", options, recipe, output_dir), model=model,
                     processing_class=tokenizer, train_dataset=train_ds, output_dir=output_dir,
                     metrics_file=run_dir / "metrics.jsonl")
    return KIND.build(plan)


def cpu_ticks():
    """(clock ticks the machine was busy or stolen, ticks this process ran), from /proc; None off Linux."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in f.readline().split()[1:9])
        with open("/proc/self/stat", encoding="ascii") as f:
            own = f.read().rsplit(")", 1)[1].split()
    except (OSError, ValueError, IndexError):
        return None
    return user + nice + system + irq + softirq + steal, int(own[11]) + int(own[12])  # utime + stime


def remove_step_timing(trainer):
    """r1kit's stage without its step timing: the callback out, and TRL's own `profiling_context` back."""
    import importlib

    from r1kit.stages import step_timing

    trainer.callback_handler.callbacks.remove(trainer.step_timing)
    del trainer.step_timing
    for name in step_timing.TRL_MODULES:
        module = importlib.import_module(name)
        module.profiling_context = getattr(module.profiling_context, "trl_original", module.profiling_context)


def time_step_timing(trainer) -> list[float]:
    """Add up the seconds the step timing's own methods take; returns the running total as [seconds].

    Not counted: TRL's side of each profiling point (its ProfilingContext, which runs either way) and
    the wrapper's call and `_TimedBlock` around it, which `point_cost` bounds.
    """
    spent = [0.0]

    def timed(method):
        def run(*args, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start

        return run

    for name in TIMED_METHODS:
        setattr(trainer.step_timing, name, timed(getattr(trainer.step_timing, name)))
    return spent


def point_cost(points=20000) -> tuple[float, float]:
    """Microseconds per profiling point through TRL's own `profiling_context` and through the step timing's
    wrapper (with a step open, so every point is timed), on a stand-in trainer: bounds the wrapper's cost,
    which `time_step_timing` leaves out."""
    from types import SimpleNamespace

    import torch
    from trl.extras import profiling

    from r1kit.stages import step_timing

    def trainer():
        return SimpleNamespace(
            beta=0.0, model=torch.nn.Linear(2, 2), callback_handler=SimpleNamespace(callbacks=[]),
            args=SimpleNamespace(report_to=[], gradient_accumulation_steps=1, steps_per_generation=1),
            state=SimpleNamespace(global_step=0, num_input_tokens_seen=0, is_world_process_zero=True),
            accelerator=SimpleNamespace(device=torch.device("cpu"), num_processes=1, is_main_process=True))

    timed = trainer()
    timing = step_timing.install(timed)
    timing.on_step_begin(timed.args, timed.state, None)
    own = profiling.profiling_context.trl_original

    def per_point(target, context):
        start = time.perf_counter()
        for _ in range(points // 3):
            with context(target, "_prepare_inputs"):
                with context(target, "transformers.generate"):
                    pass
                with context(target, "_calculate_rewards"):
                    pass
        return (time.perf_counter() - start) / (3 * (points // 3)) * 1e6

    return per_point(trainer(), own), per_point(timed, profiling.profiling_context)


def make_gate(conn, timing_spent):
    """A callback that waits for the coordinator's go at each step and reports the previous step's times.

    It goes first among the trainer's callbacks, so the wait comes before any other callback's
    `on_step_begin` (r1kit's step timing must not count it); its `end` goes last, to mark the end
    of a step and read the logs as the loggers see them.
    """
    from transformers import TrainerCallback

    clock_ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    class Gate(TrainerCallback):
        def __init__(self):
            self.started = self.ended = None
            self.timing_at_start = 0.0
            self.logs, self.timings = [], []
            self.end = End(self)

        def on_step_begin(self, args, state, control, **kwargs):
            now = time.perf_counter(), time.process_time(), cpu_ticks()
            if self.started is None:
                conn.send(("ready", None))
            else:
                (wall, cpu, ticks), (wall0, cpu0, ticks0) = now, self.started
                other = 0.0
                if ticks and ticks0:  # cores' worth of CPU that other processes (or the hypervisor) took
                    other = max(0.0, ((ticks[0] - ticks0[0]) - (ticks[1] - ticks0[1])) / clock_ticks / (wall - wall0))
                conn.send(("step", {"wall": wall - wall0, "inside": self.ended - wall0, "cpu": cpu - cpu0,
                                    "other": other, "timing": timing_spent[0] - self.timing_at_start}))
            if conn.recv() != "go":
                raise SystemExit(0)
            self.started = time.perf_counter(), time.process_time(), cpu_ticks()
            self.timing_at_start = timing_spent[0]

    class End(TrainerCallback):
        def __init__(self, gate):
            self.gate = gate

        def on_step_end(self, args, state, control, **kwargs):
            self.gate.ended = time.perf_counter()

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                self.gate.logs.append({k: logs.get(k) for k in LOGGED})
                self.gate.timings.append({k: v for k, v in logs.items() if k.startswith(("time/", "throughput/"))})

    return Gate()


def worker(kind, conn, steps, model_dir, threads, against):
    """One side of a round: build everything, then train one step per `go` from the coordinator."""
    try:
        from r1kit.run.quiet import quiet_libraries

        quiet_libraries()  # what `r1kit train` does first; bare gets it too, so both print the same warnings
        import torch

        if threads:
            torch.set_num_threads(threads)
        train_ds = make_dataset()
        model, tokenizer = make_model(model_dir)
        with tempfile.TemporaryDirectory(prefix=f"bench-grpo-{kind}-") as tmp:
            if kind == "bare":
                trainer = bare_trainer(model, tokenizer, train_ds, steps, Path(tmp))
            else:
                trainer = r1kit_trainer(model, tokenizer, train_ds, steps, model_dir, Path(tmp))
            timing_spent = [0.0]
            if kind == "untimed":
                remove_step_timing(trainer)
            elif against == "untimed":
                timing_spent = time_step_timing(trainer)
            conn.send(("config", {k: v for k, v in trainer.args.to_dict().items() if k not in NAMES}))
            gate = make_gate(conn, timing_spent)
            trainer.callback_handler.callbacks.insert(0, gate)
            trainer.add_callback(gate.end)
            trainer.train()
            conn.send(("done", {"steps": trainer.state.global_step, "logs": gate.logs, "timings": gate.timings,
                                "threads": torch.get_num_threads()}))
    except Exception as err:
        conn.send(("error", traceback.format_exc()))  # the coordinator prints it
        raise SystemExit(1) from err


# --- the coordinator -----------------------------------------------------------------


class Side:
    """A worker process for one side and what it reported."""

    def __init__(self, ctx, kind, args):
        self.kind, self.steps, self.info = kind, [], {}
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=worker, args=(kind, child, args.steps, args.model_dir, args.threads,
                                                     args.against),
                                name=f"bench-{kind}", daemon=True)
        self.proc.start()
        child.close()

    def receive(self):
        while not self.conn.poll(1.0):
            if not self.proc.is_alive():
                raise SystemExit(f"the {self.kind} worker died (exit code {self.proc.exitcode})")
        try:
            tag, payload = self.conn.recv()
        except EOFError:
            raise SystemExit(f"the {self.kind} worker died (exit code {self.proc.exitcode})") from None
        if tag == "error":
            raise SystemExit(f"the {self.kind} worker failed:\n{payload}")
        return tag, payload

    def expect(self, tag):
        got, payload = self.receive()
        if got != tag:
            raise SystemExit(f"the {self.kind} worker sent {got!r}, expected {tag!r}")
        return payload

    def step(self):
        """Let the worker take one step; True while it has more to take."""
        self.conn.send("go")
        tag, payload = self.receive()
        if tag == "step":
            self.steps.append(payload)
            return True
        if tag == "done":
            self.info = payload
            return False
        raise SystemExit(f"the {self.kind} worker sent {tag!r} during training")

    def close(self):
        self.proc.join(timeout=60)
        if self.proc.is_alive():
            self.proc.terminate()


def run_round(ctx, args, number):
    """Start both workers one after the other, then let them take turns, one step each."""
    sides = {}
    try:
        for kind in (args.against, "r1kit"):  # build one at a time: only one process computes at any moment
            sides[kind] = side = Side(ctx, kind, args)
            side.config = side.expect("config")
            side.expect("ready")
        bare, ours = sides[args.against], sides["r1kit"]
        if bare.config != ours.config:
            diff = {k: (bare.config.get(k), ours.config.get(k)) for k in sorted(set(bare.config) | set(ours.config))
                    if bare.config.get(k) != ours.config.get(k)}
            raise SystemExit(f"the two GRPOConfigs differ ({args.against}, r1kit), the comparison would not be fair: "
                             f"{diff}")
        print(f"--- round {number}: {args.against} and r1kit take turns, {args.steps} steps each", flush=True)
        going = [bare, ours]
        while going:
            going = [side for side in going if side.step()]
    finally:
        for side in sides.values():
            side.close()
    for side in sides.values():
        if side.info.get("steps") != args.steps:
            raise SystemExit(f"the {side.kind} worker ran {side.info.get('steps')} steps, expected {args.steps}")
    return bare, ours


class RunFigures:
    """One side's timed steps in one round, warm-up dropped, disturbed steps set aside when enough remain."""

    def __init__(self, side, quiet_cores):
        self.all = side.steps[WARMUP_STEPS:]
        quiet = [s for s in self.all if s["other"] < quiet_cores]
        self.used = quiet if len(quiet) >= max(3, len(self.all) // 2) else self.all
        self.disturbed = any(s["other"] >= quiet_cores for s in self.used)
        self.quiet_cores = quiet_cores

    def median(self, key):
        return statistics.median(s[key] for s in self.used)

    def other_load(self):
        return statistics.mean(s["other"] for s in self.all)


def same_trajectory(a, b) -> str:
    """'identical' when both runs logged the same figures step by step, else the largest gaps."""
    if len(a) != len(b):
        return f"DIFFERENT ({len(a)} vs {len(b)} logged steps)"
    gaps = {}
    for x, y in zip(a, b):
        for k in LOGGED:
            if x.get(k) is not None and y.get(k) is not None:
                gaps[k] = max(gaps.get(k, 0.0), abs(x[k] - y[k]))
    if all(g <= 1e-6 for g in gaps.values()):
        return "identical"
    return "DIFFERENT (max |gap| " + ", ".join(f"{k} {g:.3g}" for k, g in gaps.items()) + ")"


def main(argv=None):
    args = parse_args(argv)
    import torch
    import transformers
    import trl

    import r1kit

    # Workers are spawned, not forked: each starts from a clean interpreter, as `r1kit train` would.
    ctx = multiprocessing.get_context("spawn")
    rounds = []
    for number in range(1, args.rounds + 1):
        bare, ours = run_round(ctx, args, number)
        rounds.append((number, bare, ours))
        for side in (bare, ours):
            walls = " ".join(f"{s['wall']:.2f}" for s in side.steps)
            others = " ".join(f"{s['other']:.1f}" for s in side.steps)
            print(f"    {side.kind:>7} steps: {walls} s; other processes: {others} cores", flush=True)

    threads = rounds[0][1].info["threads"]
    quiet_cores = max(0, (os.cpu_count() or 1) - threads) + QUIET_MARGIN
    print()
    base = "bare TRL" if args.against == "bare" else "r1kit without its step timing"
    print(f"GRPO per-step time, r1kit vs {base}: {args.rounds} rounds; in each, the two take turns step by step "
          f"for {args.steps} steps; the first {WARMUP_STEPS} and the last are not counted, median of the rest")
    print(f"torch threads per worker: {threads} (cpu_count {os.cpu_count()}); torch {torch.__version__}, "
          f"transformers {transformers.__version__}, trl {trl.__version__}, r1kit {getattr(r1kit, '__version__', '?')}, "
          f"python {sys.version.split()[0]}")
    print(f"model: {args.model_dir or 'tiny Qwen2 ' + str(TINY)}; {TRAIN['per_device_train_batch_size']} completions "
          f"per step = {TRAIN['per_device_train_batch_size'] // TRAIN['num_generations']} prompts x "
          f"{TRAIN['num_generations']}, max_completion_length {TRAIN['max_completion_length']}")
    print()
    header = (f"{'round':>5}  {args.against + ' s/step':>14}  {'r1kit s/step':>12}  {'ratio':>6}   {'in-step':>7}  {'cpu':>6}  "
              f"{'other load':>10}  trajectory")
    print(header)
    print("-" * (len(header) + 10))
    ratios, quiet_ratios, inside, cpu, paired, timing_shares = [], [], [], [], [], []
    for number, bare_side, ours_side in rounds:
        bare, ours = RunFigures(bare_side, quiet_cores), RunFigures(ours_side, quiet_cores)
        b, o = bare.median("wall"), ours.median("wall")
        disturbed = bare.disturbed or ours.disturbed
        ratios.append(o / b)
        if not disturbed:
            quiet_ratios.append(o / b)
        inside.append(ours.median("inside") / bare.median("inside"))
        cpu.append(ours.median("cpu") / bare.median("cpu"))
        paired += [y["wall"] / x["wall"] for x, y in zip(bare.all, ours.all)
                   if x["other"] < quiet_cores and y["other"] < quiet_cores]
        load = f"{bare.other_load():.2f}/{ours.other_load():.2f}"
        if args.against == "untimed":
            timing_shares += [s["timing"] / s["wall"] for s in ours.used]
        print(f"{number:>5}  {b:>14.3f}  {o:>12.3f}  {o / b:>6.3f}{'*' if disturbed else ' '}  {inside[-1]:>7.3f}  "
              f"{cpu[-1]:>6.3f}  {load:>10}  {same_trajectory(bare_side.info['logs'], ours_side.info['logs'])}")
    print(f"ratio: r1kit/{args.against} s/step, whole step (on_step_begin to the next, logging included); in-step: on_step_begin")
    print("to on_step_end; cpu: process CPU seconds per step; other load: cores other processes used meanwhile,")
    print(f"{args.against}/r1kit (steps where they used >= {quiet_cores:.2f} are left out when enough remain; * = a run had "
          "too few such quiet steps)")
    print()
    ratio = statistics.median(ratios)
    print(f"median ratio over all rounds:          {ratio:.3f}")
    if quiet_ratios and len(quiet_ratios) < len(ratios):
        ratio = statistics.median(quiet_ratios)
        print(f"median ratio over undisturbed rounds:  {ratio:.3f} (n={len(quiet_ratios)})")
    print(f"median ratio in-step / CPU time:       {statistics.median(inside):.3f} / {statistics.median(cpu):.3f}")
    if paired:
        print(f"median of paired step ratios:          {statistics.median(paired):.3f} "
              f"(n={len(paired)} undisturbed pairs of the same step, taken one after the other)")
    if not quiet_ratios:
        print("warning: other processes disturbed every round; rerun on a quieter machine for a firm figure")
    if args.against == "untimed":
        share = statistics.median(timing_shares)
        ms = statistics.median(s["timing"] for _, _, side in rounds for s in side.steps[WARMUP_STEPS:]) * 1e3
        verdict = "within" if share < TIMING_TARGET else "ABOVE"
        print(f"the step timing's own code: median {ms:.3f} ms per step = {100 * share:.3f}% of a step "
              f"(n={len(timing_shares)}): {verdict} the {100 * TIMING_TARGET:.0f}% target")
        trl_own, wrapped = point_cost()
        print(f"a profiling point costs {trl_own:.1f} us through TRL's own context and {wrapped:.1f} us through the "
              f"step timing's wrapper (the difference holds the wrapper, left out above, and the timing's own edges)")
        timings = [t for _, _, side in rounds for t in side.info["timings"][WARMUP_STEPS:]]
        if timings:
            print("r1kit's own breakdown, mean over the same steps: " + ", ".join(
                f"{k.split('/')[1]} {statistics.mean(t[k] for t in timings):.4g}" for k in timings[0]))
        return 0 if share < TIMING_TARGET else 1
    verdict = "within" if ratio <= TARGET else "ABOVE"
    print(f"r1kit per step = {ratio:.3f}x bare TRL: {verdict} the {TARGET}x target")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
