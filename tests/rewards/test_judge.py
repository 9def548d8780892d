"""Judge rewards against a real local HTTP server (OpenAI chat-completions format) and a tiny local model.

The server answers what the judge prompt tells it to: `[[reply:TEXT]]` (default "yes"),
`[[sleep:S]]`, `[[fail:N]]` (HTTP 500 for the first N requests of that prompt), `[[garbage]]`
(a body that is not JSON). It counts requests and the most requests it had in flight.
"""

import json
import logging
import pickle
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from reward_cases import GOOD, HOSTILE, chat

from r1kit.errors import UserError
from r1kit.rewards import judge as judge_module
from r1kit.rewards import judge_backends, resolve
from r1kit.rewards.judge import clear_judge_cache, fill_template, judge_stats, parse_verdict, reset_judge_stats

RAW = "{completion}"  # the judge prompt is the completion itself: the test's directives reach the server as written


class Stub:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests, self.headers = [], []
        self.active = self.max_active = 0
        self.failed = {}
        self.default = "Yes. Score: 1"  # reads as 1.0 for every parser

    def prompts(self):
        return [r["messages"][-1]["content"] for r in self.requests]

    def handle(self, handler):
        body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
        prompt = body["messages"][-1]["content"]
        with self.lock:
            self.requests.append(body)
            self.headers.append(dict(handler.headers))
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            directives = dict(re.findall(r"\[\[(\w+):?([^\]]*)\]\]", prompt))
            if "sleep" in directives:
                time.sleep(float(directives["sleep"]))
            with self.lock:
                self.failed[prompt] = self.failed.get(prompt, 0) + 1
                fail = self.failed[prompt] <= int(directives.get("fail") or 0)
            if fail:
                return handler.send_error(500, "overloaded")
            reply = directives.get("reply", self.default)
            payload = b"<html>502 bad gateway" if "garbage" in directives else json.dumps(
                {"id": "x", "object": "chat.completion",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}}]}).encode()
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the judge gave up on this request
            pass
        finally:
            with self.lock:
                self.active -= 1


@pytest.fixture
def stub():
    state = Stub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            state.handle(self)

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 64  # the listen backlog (default 5)

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    clear_judge_cache()
    reset_judge_stats()
    yield state
    server.shutdown()
    server.server_close()


def http_judge(stub, name="judge", **options):
    defaults = {"url": stub.url, "model": "judge-model", "backoff": 0.01}
    if name == "judge":
        defaults["template"] = RAW
    return resolve(name, **{**defaults, **options})


# --------------------------------------------------------------------------- parsing and templates

@pytest.mark.parametrize(("reply", "parser", "scale", "expected"), [
    ("Yes.", "yes_no", (0, 1), 1.0),
    ("no", "yes_no", (0, 1), 0.0),
    ("The two answers are not equivalent.", "yes_no", (0, 1), 0.0),
    ("Correct", "yes_no", (0, 1), 1.0),
    ("Incorrect", "yes_no", (0, 1), 0.0),
    ("<think>yes, hmm, actually</think>No", "yes_no", (0, 1), 0.0),
    ("maybe", "yes_no", (0, 1), None),
    ("Score: 0.75", "score", (0, 1), 0.75),
    ('{"score": 8}', "score", (0, 10), 0.8),
    ("Rating: 3/4", "score", (0, 1), 0.75),
    ("Score: 7", "score", (1, 10), 6 / 9),
    ("Score: 11", "score", (0, 10), None),
    ("1", "score", (0, 1), 1.0),
    ("0", "score", (0, 1), 0.0),
    ("steps 1 and 2 are right, so 9", "score", (0, 10), 0.9),
    ("Yes", "auto", (0, 1), 1.0),
    ("Good reasoning. Score: 0.5", "auto", (0, 1), 0.5),
    ("banana", "auto", (0, 1), None),
    (None, "auto", (0, 1), None),
])
def test_verdict_parser(reply, parser, scale, expected):
    got = parse_verdict(reply, parser, scale)
    assert got == pytest.approx(expected) if expected is not None else got is None


def test_template_fills_known_placeholders_once_and_keeps_other_braces():
    filled = fill_template('{"verdict": "yes"} {completion} vs {reference}',
                           {"completion": "I wrote {reference}", "reference": "5"})
    assert filled == '{"verdict": "yes"} I wrote {reference} vs 5'


# --------------------------------------------------------------------------- the HTTP judge

def test_endpoint_gets_an_openai_request_with_the_key_from_the_named_variable(stub, monkeypatch):
    monkeypatch.setenv("R1KIT_TEST_JUDGE_KEY", "secret-123")
    reward = http_judge(stub, api_key_env="R1KIT_TEST_JUDGE_KEY", system="Be strict.", max_tokens=7,
                        request_options={"chat_template_kwargs": {"enable_thinking": False}})
    assert reward(["first [[reply:yes]]", "second [[reply:No.]]"]) == [1.0, 0.0]
    body = stub.requests[0]
    assert body["model"] == "judge-model" and body["max_tokens"] == 7 and body["temperature"] == 0.0
    assert body["messages"][0] == {"role": "system", "content": "Be strict."}
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    assert all(h["Authorization"] == "Bearer secret-123" for h in stub.headers)
    assert "secret-123" not in repr(reward) and "secret-123" not in str(pickle.dumps(reward))


def test_equivalence_judge_sees_question_reference_and_final_answer(stub):
    reward = http_judge(stub, "judge_equivalence")
    question = [{"role": "system", "content": "Think first."}, {"role": "user", "content": "What is 2+3?"}]
    completions = ["<think>2+3 is 5</think><answer>5</answer>", "<think>no answer block</think>",
                   "<think>x</think><answer>five [[reply:No]]</answer>", "<answer>5</answer>"]
    scores = reward(completions, prompts=[question] * 4, answer=["5", "5", "5", None])
    assert scores == [1.0, 0.0, 0.0, None]  # no answer block: 0 unasked; no reference: None unasked
    assert len(stub.requests) == 2
    sent = next(p for p in stub.prompts() if "five" not in p)  # requests arrive in any order
    assert "What is 2+3?" in sent and "Think first." not in sent
    assert "Reference answer:\n5" in sent and "Candidate answer:\n5" in sent and "2+3 is 5" not in sent


def test_thinking_judge_scores_the_reasoning_on_a_scale(stub):
    reward = http_judge(stub, "judge_thinking")
    scores = reward(["<think>add 2 and 3 [[reply:Score: 0.75]]</think><answer>5</answer>",
                     "<think>[[reply:The reasoning is fine. Score: 0.2]]</think><answer>6</answer>",
                     "<answer>5</answer>", "<think>no final answer</think>"], prompts=["What is 2+3?"] * 4,
                    answer=["5"] * 4)
    assert scores == [0.75, 0.2, 0.0, 0.0]  # no reasoning, or no answer: nothing to grade, not asked
    assert len(stub.requests) == 2
    assert any("Reasoning:\nadd 2 and 3" in p and "Question:\nWhat is 2+3?" in p for p in stub.prompts())
    assert http_judge(stub, "judge_thinking", scale=[0, 10])(["<think>[[reply:Score: 7]]</think><answer>5</answer>"]
                                                             ) == [0.7]


def test_consistency_judge_sees_the_end_of_the_reasoning_and_the_answer(stub):
    reward = http_judge(stub, "judge_consistency")
    reasoning = "line 1\nline 2\nline 3\nline 4\nso the answer is 5"
    scores = reward([f"<think>{reasoning} [[reply:1]]</think><answer>5</answer>",
                     f"<think>{reasoning} [[reply:0]]</think><answer>7</answer>"], answer=["5", "5"])
    assert scores == [1.0, 0.0]
    sent = next(p for p in stub.prompts() if "[[reply:1]]" in p)
    assert "line 3\nline 4\nso the answer is 5" in sent and "line 2" not in sent
    assert "Final answer:\n5" in sent


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


def test_hostile_completions_never_raise_and_unjudgeable_ones_are_not_sent(stub):
    completions = [GOOD, *HOSTILE.values(), chat(GOOD)]
    results = {}

    def work():
        for name in ("judge", "judge_equivalence", "judge_thinking", "judge_consistency"):
            results[name] = http_judge(stub, name, max_chars=2000)(
                completions, prompts=[[{"role": "user", "content": "What is 2+3?"}]] * len(completions),
                answer=["5"] * len(completions))

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(timeout=120)  # a guard against a hang, not a timing assertion
    assert not worker.is_alive()
    for name, scores in results.items():
        assert len(scores) == len(completions) and all(isinstance(s, float) for s in scores), name
        by_case = dict(zip(HOSTILE, scores[1:]))
        for case in ("empty", "none", "none_content", "no_content_key", "empty_chat", "not_text"):
            assert by_case[case] == 0.0, (name, case)
        assert scores[0] == scores[-1] == 1.0, name  # a chat-shaped completion reads like a string
    sent = stub.prompts()
    assert all(len(p) < 3 * 2000 + 1000 for p in sent)  # 100k characters: each inserted part cut to max_chars
    assert any("\ud800" not in p and "<answer>?</answer>" in p for p in sent)  # lone surrogate made valid
    assert not any(p.strip() == "" for p in sent)


def test_options_are_checked_when_the_recipe_is_read(monkeypatch):
    monkeypatch.delenv("R1KIT_UNSET_KEY", raising=False)
    url = {"url": "http://127.0.0.1:9/v1", "model": "m"}
    bad = [
        ("judge", {"template": RAW}, "needs `model`"),
        ("judge", {**url}, "template"),
        ("judge", {**url, "template": "no placeholder here"}, "template"),
        ("judge", {**url, "template": RAW, "parser": "vibes"}, "parser"),
        ("judge", {**url, "template": RAW, "scale": [5, 1]}, "scale"),
        ("judge", {**url, "template": RAW, "api_key_env": "R1KIT_UNSET_KEY"}, "not set"),
        ("judge", {**url, "template": RAW, "api_key_env": "sk-live-abcdef"}, "never the key"),
        ("judge", {**url, "template": RAW, "api_key": "sk-live-abcdef"}, "no option 'api_key'"),
        ("judge", {**url, "template": RAW, "concurrency": 0}, "concurrency"),
        ("judge_equivalence", {"url": "localhost:8000", "model": "m"}, "http"),
        ("judge_equivalence", {"model": "/no/such/judge/dir"}, "no such directory"),
    ]
    for name, options, message in bad:
        with pytest.raises(UserError, match=re.escape(message)):
            resolve(name, **options)


def test_judge_rewards_pickle_and_keep_their_names(stub):
    for name in ("judge", "judge_equivalence", "judge_thinking", "judge_consistency"):
        reward = http_judge(stub, name)
        clone = pickle.loads(pickle.dumps(reward))
        assert clone.__name__ == name
        assert clone(["<think>a</think><answer>5</answer>"], answer=["5"]) == reward(
            ["<think>a</think><answer>5</answer>"], answer=["5"])


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
