"""A held-out check after each stage: greedy answers scored by the adapter's metric.

Batched generation with left padding, prompts sorted by length so each batch pads
little. `r1kit eval` builds on this with sampling, pass@k and reports.
"""

import time


def generate(model, tokenizer, prompts: list[list[dict]], max_new_tokens: int, batch_size: int,
             progress_label: str = "eval") -> tuple[list[str], list[int]]:
    """Greedy completions (text without special tokens) and their token lengths, in input order."""
    import torch
    from rich.progress import Progress

    texts = [tokenizer.apply_chat_template(p, tokenize=False, add_generation_prompt=True) for p in prompts]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    completions, lengths = [""] * len(texts), [0] * len(texts)
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    with Progress(transient=True) as bar, torch.inference_mode():
        task = bar.add_task(progress_label, total=len(texts))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            enc = tokenizer([texts[i] for i in idx], return_tensors="pt", padding=True,
                            add_special_tokens=False).to(device)
            out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False,
                                 pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id)
            new = out[:, enc["input_ids"].shape[1]:]
            for row, i in enumerate(idx):
                ids = new[row]
                stop = (ids == tokenizer.eos_token_id).nonzero()
                n = int(stop[0]) + 1 if len(stop) else int((ids != tokenizer.pad_token_id).sum())
                lengths[i] = n
                completions[i] = tokenizer.decode(ids[:n], skip_special_tokens=True)
            bar.advance(task, len(idx))
    model.train(was_training)
    return completions, lengths


def evaluate_heldout(model, tokenizer, examples, adapter, max_new_tokens: int = 256, batch_size: int = 64,
                     limit: int | None = 200) -> dict:
    """Accuracy (adapter metric), format rate (strict think/answer), mean completion length, truncation rate."""
    from r1kit.rewards.registry import resolve

    rows = examples.select(range(min(limit or len(examples), len(examples))))
    started = time.perf_counter()
    completions, lengths = generate(model, tokenizer, list(rows["prompt"]), max_new_tokens, batch_size)
    answers = list(rows["answer"])
    figures = {"n": len(rows)}
    if adapter.metric:
        scores = resolve(adapter.metric)(completions, answer=answers)
        valid = [s for s in scores if s is not None]
        figures["accuracy"] = sum(valid) / len(valid) if valid else None
    fmt = resolve("think_format")(completions)
    figures["format_rate"] = sum(fmt) / len(fmt)
    figures["mean_length"] = sum(lengths) / len(lengths)
    figures["truncated"] = sum(n >= max_new_tokens for n in lengths) / len(lengths)
    figures["seconds"] = round(time.perf_counter() - started, 2)
    figures["samples"] = [{"prompt": p[-1]["content"], "completion": c, "answer": a}
                          for p, c, a in zip(rows["prompt"][:3], completions[:3], answers[:3])]
    return figures
