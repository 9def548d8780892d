"""Score completions with the adapter's metric, the strict format check and a reward stack.

The same reward functions that train a model score it here, called the way TRL calls
them (completions plus every example column), so an evaluation figure and a training
curve mean the same thing.
"""

import time

from r1kit.answers import last_boxed, last_tag_block, outside_tag
from r1kit.evaluation.metrics import majority_vote, mean, normalize_answer, pass_at_k, percentile
from r1kit.models.generation import Completion, prompts_with_images
from r1kit.rewards.batch import reward_columns
from r1kit.rewards.registry import resolve
from r1kit.rewards.text import completion_text


def extract_answer(completion: str) -> str | None:
    """What a completion answers, for majority voting: outside <think>, its <answer> block, else its last \\boxed{}."""
    text = outside_tag(completion_text(completion), "think")
    return normalize_answer(last_tag_block(text, "answer") or last_boxed(text))


def score(examples, completions: list[list[Completion]], metric: str | None, rewards=None,
          correct_threshold: float = 1.0) -> list[dict]:
    """One record per sample: prompt, completion, lengths, metric score, format, each reward."""
    rows = examples.to_list()
    flat = [(i, j, c) for i, group in enumerate(completions) for j, c in enumerate(group)]
    texts = [c.text for _, _, c in flat]
    columns = reward_columns(rows, [i for i, _, _ in flat])
    scores = resolve(metric)(texts, **columns) if metric else [None] * len(texts)
    formats = resolve("think_format")(texts)
    by_reward = {}
    if rewards is not None:
        for fn, weight in zip(rewards.functions, rewards.weights):
            by_reward[fn.__name__] = (fn(texts, **columns), weight)
    records = []
    for row, ((i, j, c), s, f) in enumerate(zip(flat, scores, formats)):
        record = {"prompt_index": i, "sample": j, "prompt": rows[i]["prompt"], "completion": c.text,
                  "answer": rows[i].get("answer"), "tokens": c.tokens, "truncated": c.truncated,
                  "score": s, "correct": s is not None and s >= correct_threshold, "format": f,
                  "vote": extract_answer(c.text)}
        if c.turns is not None:  # a tool-using answer: its whole trajectory, and how its calls went
            record.update(turns=c.turns, tool_calls=c.tool_calls, tool_errors=c.tool_errors)
        if c.reward is not None:  # the environment's own score of the episode (its get_reward)
            record["environment_reward"] = c.reward
        if by_reward:
            record["rewards"] = {name: values[row] for name, (values, _) in by_reward.items()}
            record["reward"] = sum(w * values[row] for values, w in by_reward.values() if values[row] is not None)
        records.append(record)
    return records


def summarize(records: list[dict], ks: list[int], n: int) -> dict:
    """The figures of an evaluation, computed from its sample records alone."""
    groups: dict[int, list[dict]] = {}
    for r in records:
        groups.setdefault(r["prompt_index"], []).append(r)
    scored = [g for g in groups.values() if any(r["score"] is not None for r in g)]
    lengths = [r["tokens"] for r in records]
    figures = {
        "prompts": len(groups), "samples_per_prompt": n, "completions": len(records),
        "accuracy": mean(r["score"] for r in records),
        "format_rate": mean(r["format"] for r in records),
        "mean_length": mean(lengths), "p90_length": percentile(lengths, 90),
        "truncation_rate": mean(float(r["truncated"]) for r in records),
    }
    for k in ks:
        figures[f"pass@{k}"] = mean(pass_at_k(len(g), sum(r["correct"] for r in g), k) for g in scored)
    for k in ks:
        if k > 1:
            figures[f"maj@{k}"] = mean(float(majority_vote([r["vote"] for r in g], [r["correct"] for r in g], k))
                                       for g in scored)
    if records and "tool_calls" in records[0]:
        calls = sum(r["tool_calls"] for r in records)
        figures["tool_calls_per_completion"] = calls / len(records)
        figures["tool_error_rate"] = sum(r["tool_errors"] for r in records) / calls if calls else 0.0
        figures["turns_per_episode"] = mean(sum(t["role"] == "assistant" for t in r["turns"]) for r in records)
    env_rewards = [r["environment_reward"] for r in records if "environment_reward" in r]
    if env_rewards:  # episodes whose environment scored them (get_reward; None when it has none or it failed)
        figures["success_rate"] = mean(env_rewards)
    if records and "rewards" in records[0]:
        figures["reward"] = mean(r["reward"] for r in records)
        for name in records[0]["rewards"]:
            figures[f"rewards/{name}"] = mean(r["rewards"][name] for r in records)
    return figures


def evaluate(generate, examples, adapter, *, n: int = 1, ks: list[int] | None = None, rewards=None,
             correct_threshold: float = 1.0) -> tuple[dict, list[dict]]:
    """Generate with `generate(prompts) -> [[Completion]*n]`, score, summarize; (figures, sample records)."""
    started = time.perf_counter()
    completions = generate(prompts_with_images(examples))
    generated = time.perf_counter() - started
    records = score(examples, completions, adapter.metric, rewards, correct_threshold)
    figures = summarize(records, ks or [1], n)
    figures["seconds"] = round(time.perf_counter() - started, 2)
    figures["completions_per_second"] = round(len(records) / max(generated, 1e-9), 2)
    return figures, records
