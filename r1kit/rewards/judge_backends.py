"""The judges behind r1kit.rewards.judge: an OpenAI-compatible endpoint or a local model, a verdict cache, counters.

A backend takes a batch of judge prompts and returns, for each, the reply text or the kind
of failure ("timeout", "http_500", "connection", "bad_response", "deadline", "load",
"error"). It never raises and never runs past the batch's deadline. One backend exists per
judge configuration and process: the HTTP thread pool and the loaded model are reused.
"""

import concurrent.futures as cf
import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

log = logging.getLogger("r1kit.rewards.judge")
FAILURE_WARNINGS = 3  # failures logged as warnings per judge; the rest are only counted

# --------------------------------------------------------------------------- cache and counters

_STATS: dict[str, Counter] = {}
_STATS_LOCK = threading.Lock()
_WARNED: Counter = Counter()


def judge_stats() -> dict[str, dict[str, int]]:
    """Counters per judge (its url or model): scored, requests, cache_hits, failures, failures/<kind>."""
    with _STATS_LOCK:
        return {label: dict(counts) for label, counts in _STATS.items()}


def reset_judge_stats() -> None:
    with _STATS_LOCK:
        _STATS.clear()
        _WARNED.clear()


def count(label: str, **counts) -> int:
    """Add to the judge's counters; returns its failure count so far."""
    with _STATS_LOCK:
        stats = _STATS.setdefault(label, Counter())
        stats.update({k: v for k, v in counts.items() if v})
        return stats["failures"]


class _VerdictCache:
    """Judge replies by hash of (judge, request, prompt), in memory and optionally in jsonl files."""

    max_entries = 200_000

    def __init__(self):
        self.memory: dict[str, str] = {}
        self.loaded: set[str] = set()
        self.unwritable: set[str] = set()
        self.lock = threading.Lock()

    def load(self, path: str) -> None:
        with self.lock:
            if path in self.loaded:
                return
            self.loaded.add(path)
            if not Path(path).is_file():
                return
            for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                    self.memory[str(entry["key"])] = str(entry["reply"])
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by a crash

    def get(self, key: str) -> str | None:
        return self.memory.get(key)

    def put(self, key: str, reply: str, path: str | None) -> None:
        with self.lock:
            if len(self.memory) >= self.max_entries:
                for old in list(self.memory)[: self.max_entries // 10]:
                    del self.memory[old]
            self.memory[key] = reply
            if path and path not in self.unwritable:
                try:
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                    with open(path, "a", encoding="utf-8") as f:
                        f.write(json.dumps({"key": key, "reply": reply}) + "\n")
                except OSError as err:  # a full disk loses the persisted cache, not the run
                    self.unwritable.add(path)
                    log.warning("judge cache file %s cannot be written (%s); caching in memory only", path, err)

    def clear(self) -> None:
        with self.lock:
            self.memory.clear()
            self.loaded.clear()


CACHE = _VerdictCache()


def clear_judge_cache() -> None:
    """Forget every cached verdict in this process (cache files on disk are kept)."""
    CACHE.clear()


# --------------------------------------------------------------------------- backends

class HttpJudge:
    """An OpenAI-compatible /chat/completions endpoint, `concurrency` requests at a time."""

    def __init__(self, o: dict):
        url = o["url"].rstrip("/")
        if not url.endswith("/chat/completions"):
            url += "/chat/completions" if url.endswith("/v1") else "/v1/chat/completions"
        self.endpoint, self.label = url, o["url"]
        self.pool = cf.ThreadPoolExecutor(max_workers=o["concurrency"], thread_name_prefix="r1kit-judge")

    def run(self, prompts: list[str], deadline: float, o: dict) -> list[tuple[str | None, str | None]]:
        futures = [self.pool.submit(self._ask, prompt, deadline, o) for prompt in prompts]
        done, _ = cf.wait(futures, timeout=max(0.0, deadline - time.monotonic()))
        results = []
        for future in futures:
            if future in done:
                results.append(future.result())
            else:  # past the batch deadline: scored 0; a running request ends by the deadline too
                future.cancel()
                results.append((None, "deadline"))
        return results

    def _ask(self, prompt: str, deadline: float, o: dict) -> tuple[str | None, str | None]:
        messages = ([{"role": "system", "content": o["system"]}] if o["system"] else []) + [
            {"role": "user", "content": prompt}]
        body = {"messages": messages, "max_tokens": o["max_tokens"], "temperature": o["temperature"],
                **({"model": o["model"]} if o["model"] else {}), **o["request_options"]}
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(o["api_key_env"]) if o["api_key_env"] else None
        if key:
            headers["Authorization"] = f"Bearer {key}"
        data, kind = json.dumps(body).encode("utf-8"), "deadline"
        for attempt in range(o["retries"] + 1):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                request = urllib.request.Request(self.endpoint, data=data, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=min(o["timeout"], left)) as response:
                    return _reply_content(response.read())
            except urllib.error.HTTPError as err:
                kind = f"http_{err.code}"
                err.close()
                if err.code < 500 and err.code not in (408, 409, 425, 429):
                    break  # a request the server will never accept: no retry
            except urllib.error.URLError as err:
                kind = "timeout" if isinstance(err.reason, TimeoutError) else "connection"
            except TimeoutError:
                kind = "timeout"
            except OSError:
                kind = "connection"
            if attempt < o["retries"]:
                time.sleep(max(0.0, min(o["backoff"] * 2**attempt, deadline - time.monotonic())))
        return None, kind


def _reply_content(payload: bytes) -> tuple[str | None, str | None]:
    try:
        content = json.loads(payload)["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None, "bad_response"
    return (content, None) if isinstance(content, str) else (None, "bad_response")


_LOCAL_MODELS: dict = {}
_LOCAL_LOCK = threading.Lock()


class LocalJudge:
    """A transformers causal LM, loaded once per process, run with batched greedy generation."""

    def __init__(self, o: dict):
        self.spec, self.device, self.broken = o["model"], o["device"], None
        spec = o["model"]
        self.label = spec if isinstance(spec, str) else f"local:{type(spec[0]).__name__}@{id(spec[0]):x}"

    def _load(self):
        spec = self.spec
        if not isinstance(spec, str):
            return spec
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        device = self.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        with _LOCAL_LOCK:
            if (spec, device) not in _LOCAL_MODELS:
                log.info("loading judge model %s on %s", spec, device)
                tokenizer = AutoTokenizer.from_pretrained(spec)
                model = AutoModelForCausalLM.from_pretrained(spec, dtype="auto").to(device).eval()
                _LOCAL_MODELS[(spec, device)] = (model, tokenizer)
            return _LOCAL_MODELS[(spec, device)]

    def run(self, prompts: list[str], deadline: float, o: dict) -> list[tuple[str | None, str | None]]:
        if self.broken is None:
            try:
                model, tokenizer = self._load()
            except Exception as err:  # noqa: BLE001 - a judge that cannot load fails its rows, not the run
                self.broken = str(err)
                log.error("judge model %s could not be loaded (%s); its rewards score 0", self.label, err)
        if self.broken is not None:
            return [(None, "load")] * len(prompts)
        results, size = [], o["batch_size"]
        for start in range(0, len(prompts), size):
            chunk, left = prompts[start:start + size], deadline - time.monotonic()
            if left <= 0:
                results += [(None, "deadline")] * len(chunk)
                continue
            try:
                results += [(text, None) for text in self._generate(model, tokenizer, chunk, left, o)]
            except Exception as err:  # noqa: BLE001 - out of memory, a template error: these rows fail
                log.warning("judge %s failed on a batch: %s", self.label, err)
                results += [(None, "error")] * len(chunk)
        return results

    def _generate(self, model, tokenizer, prompts: list[str], seconds: float, o: dict) -> list[str]:
        import torch

        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        if tokenizer.chat_template:
            system = [{"role": "system", "content": o["system"]}] if o["system"] else []
            texts = [tokenizer.apply_chat_template(system + [{"role": "user", "content": p}], tokenize=False,
                                                   add_generation_prompt=True) for p in prompts]
        else:
            texts = [f"{o['system']}\n\n{p}" if o["system"] else p for p in prompts]
        limit = getattr(model.config, "max_position_embeddings", None) or 1 << 20
        keep = max(8, limit - o["max_tokens"])  # an over-long prompt keeps its end: the instruction, the turn
        rows = [tokenizer(t, add_special_tokens=not tokenizer.chat_template)["input_ids"][-keep:] for t in texts]
        width = max(len(row) for row in rows)
        pad = tokenizer.pad_token_id
        input_ids = torch.tensor([[pad] * (width - len(row)) + row for row in rows], device=model.device)
        attention_mask = torch.tensor([[0] * (width - len(row)) + [1] * len(row) for row in rows], device=model.device)
        sampling = {"do_sample": True, "temperature": o["temperature"]} if o["temperature"] > 0 else {
            "do_sample": False}
        with torch.no_grad():
            out = model.generate(input_ids=input_ids, attention_mask=attention_mask, max_new_tokens=o["max_tokens"],
                                 max_time=seconds, pad_token_id=pad, **sampling)
        return tokenizer.batch_decode(out[:, width:], skip_special_tokens=True)


_BACKENDS: dict = {}
_BACKENDS_LOCK = threading.Lock()


def backend_for(o: dict):
    """One backend per judge configuration and process (the HTTP thread pool, the loaded model)."""
    spec = o["model"] if isinstance(o["model"], str) or o["model"] is None else id(o["model"][0])
    key = (o["url"], spec, o["device"], o["concurrency"])
    with _BACKENDS_LOCK:
        if key not in _BACKENDS:
            _BACKENDS[key] = HttpJudge(o) if o["url"] else LocalJudge(o)
        return _BACKENDS[key]


def warn_failure(label: str, name: str, kind: str, reply) -> None:
    """Log the first few failures of a judge as warnings (its counters have all of them)."""
    with _STATS_LOCK:
        _WARNED[label] += 1
        warned = _WARNED[label]
    if warned <= FAILURE_WARNINGS:
        detail = f"; reply {str(reply)[:200]!r}" if reply is not None else ""
        later = "; later failures are only counted (judge_stats(), <reward>/failures)" if warned == FAILURE_WARNINGS else ""
        log.warning("%s: judge %s failed (%s)%s; scored 0%s", name, label, kind, detail, later)
