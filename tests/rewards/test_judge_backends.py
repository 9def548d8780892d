"""The judges behind the judge rewards: an HTTP endpoint (retries, timeouts, deadline, concurrency, the
verdict cache, failure counts) against a local server, and a tiny local model."""

import logging

import pytest
from judge_server import RAW, http_judge
from reward_cases import HOSTILE

from r1kit.rewards import judge as judge_module
from r1kit.rewards import judge_backends, resolve
from r1kit.rewards.judge import clear_judge_cache, fill_template, judge_stats, reset_judge_stats

# --------------------------------------------------------------------------- the HTTP judge


def test_http_500_is_retried_with_backoff(stub):
    assert http_judge(stub, retries=2)(["[[fail:2]] a"]) == [1.0]
    assert stub.prompts().count("[[fail:2]] a") == 3
    assert http_judge(stub, retries=1)(["[[fail:2]] b"]) == [0.0]
    stats = judge_stats()[stub.url]
    assert stats["failures"] == 1 and stats["failures/http_500"] == 1


def test_slow_judge_times_out_and_scores_zero(stub):
    reward = http_judge(stub, timeout=0.5, retries=0)
    assert reward(["[[sleep:3]] slow", "[[reply:yes]] fast"]) == [0.0, 1.0]
    assert judge_stats()[stub.url]["failures/timeout"] == 1


def test_batch_deadline_scores_the_rest_zero_instead_of_waiting(stub):
    reward = http_judge(stub, concurrency=2, deadline=0.5, timeout=30, retries=0)
    completions = [f"[[sleep:1.5]] slow {i}" for i in range(6)]
    assert reward(completions) == [0.0] * 6
    stats = judge_stats()[stub.url]
    assert stats["failures"] == 6 and stats["failures/deadline"] >= 4  # queued ones never started


def test_unreadable_replies_score_zero_are_counted_and_warned(stub, caplog):
    caplog.set_level(logging.WARNING, logger="r1kit.rewards.judge")
    log = []
    reward = http_judge(stub, parser="yes_no")
    scores = reward(["[[garbage]]", "[[reply:banana]]", "[[reply:yes]]"],
                    log_metric=lambda name, value: log.append((name, value)))
    assert scores == [0.0, 0.0, 1.0]
    stats = judge_stats()[stub.url]
    assert stats["failures/bad_response"] == 1 and stats["failures/parse"] == 1 and stats["failures"] == 2
    assert ("judge/failures", 2.0) in log
    assert "bad_response" in caplog.text and "banana" in caplog.text
    for i in range(10):  # only the first few failures are logged
        reward([f"[[reply:banana {i}]]"])
    assert caplog.text.count("failed (") == judge_module.FAILURE_WARNINGS
    assert judge_stats()[stub.url]["failures"] == 12


def test_requests_run_concurrently_up_to_the_limit(stub):
    http_judge(stub, concurrency=8)([f"[[sleep:0.3]] {i}" for i in range(8)])
    assert stub.max_active > 1
    stub.max_active = 0
    http_judge(stub, concurrency=1)([f"[[sleep:0.05]] serial {i}" for i in range(4)])
    assert stub.max_active == 1


def test_verdicts_are_cached_by_prompt_in_memory_and_on_disk(stub, tmp_path):
    log = []
    reward = http_judge(stub, cache_file=str(tmp_path / "verdicts.jsonl"))
    batch = ["same [[reply:yes]]"] * 4 + ["other [[reply:no]]"]
    assert reward(batch) == [1.0] * 4 + [0.0]
    assert len(stub.requests) == 2  # a group's identical completions are asked once
    assert reward(batch, log_metric=lambda name, value: log.append((name, value))) == [1.0] * 4 + [0.0]
    assert len(stub.requests) == 2 and ("judge/cache_hits", 5.0) in log
    assert judge_stats()[stub.url]["cache_hits"] == 5
    clear_judge_cache()  # a new process: the file still answers
    assert reward(batch) == [1.0] * 4 + [0.0] and len(stub.requests) == 2
    assert len((tmp_path / "verdicts.jsonl").read_text().splitlines()) == 2
    http_judge(stub, cache=False)(batch)
    assert len(stub.requests) == 4
    http_judge(stub, system="other judge instructions")(batch)  # another request: another cache entry
    assert len(stub.requests) == 6


def test_failures_are_not_cached(stub):
    reward = http_judge(stub, retries=0)
    assert reward(["[[fail:1]] once"]) == [0.0]
    assert reward(["[[fail:1]] once"]) == [1.0]


# --------------------------------------------------------------------------- the local judge

LOCAL_TEMPLATE = "Answer: {final_answer}\nReference: {reference}\nSame?"


@pytest.fixture(scope="module")
def local_judge_dir(tmp_path_factory):
    """A tiny model trained (in ~1-2 s) to reply "yes" when the answer is 5 and "no" when it is 7."""
    import torch

    from r1kit.models.tiny import build_tiny

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        model, tok = build_tiny(seed=0)
        rows = []
        for given, reply in (("5", "yes"), ("7", "no")):
            context = tok.apply_chat_template(
                [{"role": "user", "content": fill_template(LOCAL_TEMPLATE, {"final_answer": given, "reference": "5"})}],
                tokenize=False, add_generation_prompt=True)
            ids, target = tok(context)["input_ids"], tok(reply + "<|im_end|>")["input_ids"]
            rows.append((ids + target, [-100] * len(ids) + target))
        width = max(len(ids) for ids, _ in rows)
        input_ids = torch.tensor([ids + [tok.pad_token_id] * (width - len(ids)) for ids, _ in rows])
        labels = torch.tensor([lab + [-100] * (width - len(lab)) for _, lab in rows])
        mask = (input_ids != tok.pad_token_id).long()
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
        for _ in range(400):  # ~110 steps on seeds 0 and 1
            loss = model(input_ids=input_ids, attention_mask=mask, labels=labels).loss
            if loss.item() < 0.01:
                break
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        assert loss.item() < 0.01, "the tiny judge did not learn its two verdicts"
    finally:
        torch.set_num_threads(threads)
    path = tmp_path_factory.mktemp("judge") / "tiny-judge"
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return path


def test_local_judge_loads_once_and_judges_in_batches(local_judge_dir):
    reset_judge_stats()
    reward = resolve("judge", model=str(local_judge_dir), template=LOCAL_TEMPLATE, parser="yes_no",
                     max_tokens=4, batch_size=2, device="cpu")
    completions = ["<think>2+3</think><answer>5</answer>", "<think>2+3</think><answer>7</answer>",
                   "<think>long reasoning " + "x" * 40 + "</think><answer>5</answer>"]
    assert reward(completions, answer=["5"] * 3) == [1.0, 0.0, 1.0]
    assert reward(["<answer>7</answer>"], answer=["5"]) == [0.0]
    loaded = [key for key in judge_backends._LOCAL_MODELS if key[0] == str(local_judge_dir)]
    assert len(loaded) == 1
    stats = judge_stats()[str(local_judge_dir)]
    assert stats["requests"] == 2 and stats["cache_hits"] == 1  # rows 1 and 3 ask the same prompt, once


def test_local_judge_takes_a_model_object_and_survives_hostile_output(local_judge_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model, tok = AutoModelForCausalLM.from_pretrained(local_judge_dir), AutoTokenizer.from_pretrained(local_judge_dir)
    reward = resolve("judge_equivalence", model=(model, tok), template=LOCAL_TEMPLATE, max_tokens=4, max_chars=200)
    completions = [*HOSTILE.values(), "<answer>5</answer>"]
    scores = reward(completions, answer=["5"] * len(completions))
    assert len(scores) == len(completions) and all(isinstance(s, float) for s in scores)
    assert scores[-1] == 1.0 and dict(zip(HOSTILE, scores))["empty"] == 0.0


def test_a_garbage_local_judge_scores_zero_and_counts():
    from r1kit.models.tiny import build_tiny

    reset_judge_stats()
    model, tok = build_tiny(seed=1)  # untrained: it writes noise, never a verdict
    reward = resolve("judge", model=(model, tok), template="{completion}", parser="yes_no", max_tokens=3)
    assert reward(["<answer>5</answer>", "hello"], answer=["5", "5"]) == [0.0, 0.0]
    stats = next(iter(judge_stats().values()))
    assert stats["scored"] == 2 and stats["failures"] == 2 and stats["failures/parse"] == 2


def test_a_judge_model_that_cannot_load_scores_zero_once_per_row_without_retrying_the_load(caplog, tmp_path):
    reset_judge_stats()
    (tmp_path / "config.json").write_text("{not json")  # a broken checkpoint directory
    reward = resolve("judge", model=str(tmp_path), template=RAW)
    assert reward(["a", "b"]) == [0.0, 0.0] and reward(["c"]) == [0.0]
    assert judge_stats()[str(tmp_path)]["failures/load"] == 3
    assert caplog.text.count("could not be loaded") == 1
