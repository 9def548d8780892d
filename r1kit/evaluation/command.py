"""`r1kit eval`: score models, or every stage of a run, on a dataset with its metric and rewards.

The story: find the targets (targets.py), the data and the reward stack; load the rows
once; then per target load the model, generate, score, and write `<name>.json` and
`<name>.samples.jsonl` (results.py); last, print one table with a column per target.
The options are composed and checked in options.py.
"""

import gc
from pathlib import Path

from r1kit.errors import UserError
from r1kit.evaluation.results import fmt, model_source, print_table, result_name, shown_config, write_results
from r1kit.evaluation.targets import Target, resolve_data, resolve_rewards, resolve_targets, unique_labels


def run_eval(cfg: dict, console=None) -> list[dict]:
    """Evaluate every target; write the JSON and samples files; print one table. Returns the results."""
    from rich.console import Console

    from r1kit.data.load import build_examples
    from r1kit.rewards.stack import RewardStack
    from r1kit.run.quiet import quiet_libraries

    console = console or Console()
    targets = resolve_targets(cfg["model"], "model", cfg)
    for other in cfg["compare"]:
        targets += resolve_targets(other, "compare")
    unique_labels(targets)
    data_spec, data_name = resolve_data(cfg, targets[0])
    entries = resolve_rewards(cfg, targets[0])
    stack = RewardStack(entries, "zero", "reward") if entries else None
    recipe_eval = (targets[0].recipe or {}).get("eval", {})
    limit = cfg["limit"] or recipe_eval.get("limit")
    max_new_tokens = cfg["max_new_tokens"] or recipe_eval.get("max_new_tokens") or 512
    quiet_libraries()
    examples, adapter = build_examples({**data_spec, "limit": None}, f"data ({data_name})")
    if limit:
        examples = examples.select(range(min(limit, len(examples))))
    out_dir = Path(cfg["output_dir"]) if cfg["output_dir"] else (
        targets[0].run / "eval" if targets[0].run else Path("eval"))
    results = []
    for target in targets:
        figures, records = evaluate_target(target, examples, adapter, cfg, max_new_tokens, stack)
        gc.collect()  # the model evaluated last is dropped before the next loads
        name = result_name(cfg, target.label, data_name, len(targets))
        result = {"name": name, "model": target.label, "weights": target.weights or model_source(target.model),
                  "data": data_name, "figures": figures, "config": shown_config(cfg, max_new_tokens, limit, entries)}
        write_results(out_dir, name, result, records)
        results.append(result)
        console.print(f"  {target.label}: accuracy {fmt(figures.get('accuracy'))}, "
                      f"{figures['completions_per_second']:.1f} completions/s -> {out_dir / name}.json",
                      soft_wrap=True)
    print_table(results, console, f"{data_name}: {len(examples)} prompts x {cfg['n']} samples")
    return results


def evaluate_target(target: Target, examples, adapter, cfg: dict, max_new_tokens: int, stack):
    """(figures, sample records) of one target: load it, generate with the chosen backend, score."""
    from omegaconf import OmegaConf
    from transformers import set_seed

    from r1kit.evaluation.episodes import tool_sampler, uses_tools
    from r1kit.evaluation.scoring import evaluate
    from r1kit.models.generation import generate_transformers, generate_vllm, pick_backend
    from r1kit.models.load import load_model

    model_cfg = {**target.model, "dtype": cfg["dtype"] if cfg["dtype"] != "auto" else target.model["dtype"],
                 "lora": {**target.model.get("lora", {}), "enabled": False}}
    set_seed(cfg["seed"])
    path = target.weights or (target.model.get("path") if not target.model.get("gguf_file") else None)
    backend = pick_backend(cfg["backend"], path) if not uses_tools(cfg) else "transformers"
    try:
        model, tokenizer = load_model(OmegaConf.create(model_cfg), path_override=target.weights)
    except OSError as err:
        raise UserError(f"model {target.label}: could not be loaded ({err}).") from err
    if stack is not None:
        stack.bind_policy(model, tokenizer)  # rewards scored by the policy itself (VeriFree)
    options = {"n": cfg["n"], "max_new_tokens": max_new_tokens, "temperature": cfg["temperature"],
               "top_p": cfg["top_p"]}
    if uses_tools(cfg):
        sample = tool_sampler(cfg, tokenizer, "", str(cfg["data"]))
        rows = examples.to_list()

        def generate(prompts):
            return sample(model, prompts, rows, batch_size=cfg["batch_size"], label=f"eval {target.label}", **options)
    elif backend == "vllm":
        def generate(prompts):
            return generate_vllm(path, tokenizer, prompts, seed=cfg["seed"], dtype=cfg["dtype"], **options)
    else:
        def generate(prompts):
            return generate_transformers(model, tokenizer, prompts, batch_size=cfg["batch_size"],
                                         label=f"eval {target.label}", **options)
    figures, records = evaluate(generate, examples, adapter, n=cfg["n"], ks=cfg["k"], rewards=stack,
                                correct_threshold=cfg["correct_threshold"])
    figures["backend"] = backend
    return figures, records
