"""Model-judged rewards: a judge LLM reads the completion (and the question, the reference) and gives a verdict.

The judge is either
- a local transformers model (`model: <path or hub id>`), loaded once per process on first
  use and run with batched greedy `generate`, or
- an OpenAI-compatible chat-completions endpoint (`url:` of a vLLM / SGLang / OpenAI server,
  `model:` the name it serves), queried with `concurrency` requests in flight. The API key is
  read from the environment variable named by `api_key_env`; a recipe never holds the key.

A prompt template with placeholders ({prompt}, {completion}, {reasoning}, {final_answer},
{answer} or {reference}) becomes the judge's user message; a parser turns its reply into a
score in [0, 1] (yes/no, or a number on a `scale`). Verdicts are cached in memory by judge
and prompt (optionally in a jsonl `cache_file` that later runs reuse), and identical prompts
in one batch are asked once.

The backends, the verdict cache and the counters live in `judge_backends`.
A judge failure (timeout, HTTP error, unreadable reply, a batch past its `deadline`) scores
0.0, never raises and never stalls the step: it is counted (`judge_stats()`, and the metrics
`<reward>/failures` and `<reward>/cache_hits` through TRL's `log_metric`) and the first few
are logged as warnings. Output that cannot be judged (empty, no final answer where the
template needs one) scores 0.0 without asking; a row without a reference scores None.
"""

import hashlib
import inspect
import json
import math
import os
import re
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from r1kit.answers import answer_span, last_tag_block, outside_tag
from r1kit.errors import UserError
from r1kit.rewards.batch import column
from r1kit.rewards.compose import accuracy_reward
from r1kit.rewards.judge_backends import (  # noqa: F401 - re-exported
    CACHE,
    FAILURE_WARNINGS,
    backend_for,
    clear_judge_cache,
    count,
    judge_stats,
    reset_judge_stats,
    warn_failure,
)
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag, completion_text

TEMPLATES = {
    # WeThink-style model-based answer check (its hybrid reward's judge for open-ended answers).
    "equivalence": (
        "You are checking a candidate answer against a reference answer.\n\n"
        "Question:\n{prompt}\n\nReference answer:\n{reference}\n\nCandidate answer:\n{final_answer}\n\n"
        "Does the candidate answer mean the same as the reference answer (same value, option or meaning; "
        "wording and formatting do not matter)? Reply with one word: yes or no."
    ),
    # SophiaVL-R1-style thinking reward: a holistic 0-1 score of the reasoning, not of the answer.
    "thinking_quality": (
        "You are grading the reasoning of a response, not only its final answer.\n\n"
        "Question:\n{prompt}\n\nReasoning:\n{reasoning}\n\nFinal answer:\n{final_answer}\n\n"
        "Rate the reasoning from 0 to 1: is it logically sound, are its steps correct, does it catch its own "
        "errors, does it stay in one language, is it free of needless repetition? "
        "End with one line: Score: <a number between 0 and 1>"
    ),
    # R1-Reward's consistency check (math_verifier_mllm.py): does the reasoning's conclusion match the answer?
    "consistency": (
        "You are a strict judge with one task: decide whether the conclusion of a reasoning agrees with the "
        "final answer given after it.\n\nEnd of the reasoning:\n{reasoning}\n\nFinal answer:\n{final_answer}\n\n"
        "Reply 1 if they say the same thing; reply 0 if they differ, if the conclusion is ambiguous, or if the "
        "reasoning reaches no conclusion. Reply with the digit only."
    ),
}
PLACEHOLDERS = ("prompt", "completion", "reasoning", "final_answer", "answer", "reference")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
PARSERS = ("auto", "yes_no", "score")


# --------------------------------------------------------------------------- verdicts

_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_WORDS = re.compile(r"\b(not\s+)?(yes|no|true|false|correct|incorrect|consistent|inconsistent|equivalent|"
                    r"same|match|mismatch|wrong|different)\b", re.IGNORECASE)
_YES = {"yes", "true", "correct", "consistent", "equivalent", "same", "match"}
_LABELLED = re.compile(rf"\b(?:score|rating|grade|reward)\b\"?\s*[:=]?\s*\**\s*({_NUM})(?:\s*/\s*({_NUM}))?",
                       re.IGNORECASE)
_NUMBER = re.compile(rf"({_NUM})(?:\s*/\s*({_NUM}))?")


def parse_verdict(text, parser: str = "auto", scale=(0.0, 1.0)) -> float | None:
    """The judge's reply as a score in [0, 1], or None when it cannot be read.

    `yes_no`: the last yes/no-like word (yes, true, correct, consistent, equivalent, same,
    match -> 1.0; no, false, incorrect, inconsistent, wrong, different, mismatch, or any of
    them after "not" -> 0.0). `score`: the last labelled number ("Score: 7", `{"score": 7}`,
    "Rating: 7/10"), else the last number in the reply; a number on `scale` (lo, hi) maps to
    (x - lo) / (hi - lo), "a/b" maps to a / b, and anything off the scale is unreadable.
    `auto`: a labelled number, else a yes/no word, else the last number. A reasoning judge's
    `<think>` block is skipped.
    """
    if not isinstance(text, str):
        return None
    text = outside_tag(text, "think").strip()[-4000:]
    if parser in ("score", "auto"):
        score = _number(_LABELLED.findall(text), scale)
        if score is not None or parser == "auto" and _LABELLED.search(text):
            return score
    if parser in ("yes_no", "auto"):
        words = _WORDS.findall(text)
        if words:
            negated, word = words[-1]
            return float((word.lower() in _YES) != bool(negated))
    if parser in ("score", "auto"):
        return _number(_NUMBER.findall(text), scale)
    return None


def _number(matches, scale) -> float | None:
    if not matches:
        return None
    value, denominator = matches[-1]
    lo, hi = scale
    try:
        x = float(value)
        if denominator:
            x, lo, hi = x / float(denominator), 0.0, 1.0
    except (ValueError, ZeroDivisionError):
        return None
    return (x - lo) / (hi - lo) if lo <= x <= hi else None


# --------------------------------------------------------------------------- judge prompts

def fill_template(template: str, values: Mapping[str, str]) -> str:
    """Replace the known {placeholders} once; any other braces (a JSON example) stay as written."""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _clean(text: str, max_chars: int) -> str:
    """Valid UTF-8 (lone surrogates become '?'), at most `max_chars`: the head and the tail are kept."""
    text = text.encode("utf-8", "replace").decode("utf-8").strip()
    if len(text) > max_chars:
        half = max_chars // 2
        text = f"{text[:half]}\n[... {len(text) - 2 * half} characters cut ...]\n{text[-half:]}"
    return text


def _prompt_text(prompt) -> str:
    """The question: a plain prompt, or the last user message of a conversation (image parts dropped)."""
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, (list, tuple)):
        users = [m for m in prompt if isinstance(m, dict) and m.get("role") == "user"]
        return completion_text(users[-1]) if users else ""
    return ""


def _reference(value) -> str | None:
    if value is None or isinstance(value, float) and math.isnan(value):
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if text.strip() else None


def _judge_prompt(completion, prompt, gold, o) -> str | float | None:
    """The judge's user message for one row; 0.0 when the output cannot be judged, None without a reference."""
    used = set(_PLACEHOLDER.findall(o["template"]))
    text = completion_text(completion)
    values = {"prompt": _prompt_text(prompt), "completion": text}
    if "reasoning" in used or "final_answer" in used:
        values["final_answer"] = answer_span(text, think_tag=o["think_tag"], answer_tag=o["answer_tag"]) or ""
        reasoning = last_tag_block(text, o["think_tag"])
        if reasoning is None:  # no reasoning block: what comes before the answer
            cut = text.find(f"<{o['answer_tag']}>")
            reasoning = text[:cut] if cut >= 0 else text
        if o["reasoning_lines"]:
            reasoning = "\n".join([line for line in reasoning.splitlines() if line.strip()][-o["reasoning_lines"]:])
        values["reasoning"] = reasoning
    if used & {"answer", "reference"}:
        values["answer"] = values["reference"] = _reference(gold)
        if values["answer"] is None:
            return None
    if any(not (values.get(k) or "").strip() for k in used & {"completion", "reasoning", "final_answer"}):
        return 0.0
    return fill_template(o["template"], {k: _clean(values.get(k) or "", o["max_chars"]) for k in used})


# --------------------------------------------------------------------------- the rewards

def _options(o: dict) -> dict:
    """Check and normalise the judge options (UserError for a recipe mistake)."""
    o = dict(o)
    if o["url"] is None and o["model"] is None:
        raise UserError("a judge reward needs `model` (a local path or hub id) or `url` (an OpenAI-compatible "
                        "endpoint such as http://localhost:8000/v1, with `model` the name it serves)")
    if o["url"] is not None and (not isinstance(o["url"], str) or not re.match(r"https?://", o["url"])):
        raise UserError(f"judge option url={o['url']!r} must be an http(s) URL such as http://localhost:8000/v1")
    if isinstance(o["model"], str):
        if o["url"] is None and o["model"].startswith(("/", "./", "../", "~")) and not Path(
                o["model"]).expanduser().exists():
            raise UserError(f"judge option model={o['model']!r}: no such directory")
        o["model"] = os.path.expanduser(o["model"]) if o["url"] is None else o["model"]
    elif o["model"] is not None and not (isinstance(o["model"], (list, tuple)) and len(o["model"]) == 2):
        raise UserError("judge option model must be a path, a hub id, a served model name, or (model, tokenizer)")
    env = o["api_key_env"]
    if env is not None:
        if not isinstance(env, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env) or env.startswith("sk-"):
            raise UserError("judge option api_key_env names the environment variable that holds the key "
                            "(e.g. OPENAI_API_KEY), never the key itself")
        if env not in os.environ:  # echo the name only when it reads like one: a mistaken key must never be printed
            shown = f"={env!r}" if re.fullmatch(r"[A-Z][A-Z0-9_]*", env) else " (its value is not shown: is it a key?)"
            raise UserError(f"judge option api_key_env{shown}: that environment variable is not set")
    template = TEMPLATES.get(o["template"], o["template"]) if isinstance(o["template"], str) else None
    if template is None or not set(_PLACEHOLDER.findall(template)) & {"completion", "reasoning", "final_answer"}:
        raise UserError(f"judge option template must be one of {sorted(TEMPLATES)} or a text with {{completion}}, "
                        f"{{reasoning}} or {{final_answer}} (and optionally {{prompt}}, {{answer}}), got "
                        f"{str(o['template'])[:80]!r}")
    o["template"] = template
    if o["parser"] not in PARSERS:
        raise UserError(f"judge option parser={o['parser']!r} must be one of {', '.join(PARSERS)}")
    try:
        lo, hi = (float(x) for x in o["scale"])
    except (TypeError, ValueError):
        lo = hi = 0.0
    if not lo < hi:
        raise UserError(f"judge option scale={o['scale']!r} must be [low, high] with low < high, e.g. [0, 10]")
    o["scale"] = (lo, hi)
    for name, low in (("max_tokens", 1), ("concurrency", 1), ("batch_size", 1), ("retries", 0), ("max_chars", 100)):
        if isinstance(o[name], bool) or not isinstance(o[name], int) or o[name] < low:
            raise UserError(f"judge option {name}={o[name]!r} must be an integer >= {low}")
    for name in ("timeout", "deadline", "backoff", "temperature"):
        if isinstance(o[name], bool) or not isinstance(o[name], (int, float)) or o[name] < 0:
            raise UserError(f"judge option {name}={o[name]!r} must be a non-negative number")
    if o["reasoning_lines"] is not None and (not isinstance(o["reasoning_lines"], int) or o["reasoning_lines"] < 1):
        raise UserError(f"judge option reasoning_lines={o['reasoning_lines']!r} must be a positive integer or null")
    if o["cache_file"] is not None and not isinstance(o["cache_file"], (str, os.PathLike)):
        raise UserError(f"judge option cache_file={o['cache_file']!r} must be a path to a .jsonl file")
    if not isinstance(o["request_options"] or {}, Mapping):
        raise UserError("judge option request_options must be a mapping of extra request fields")
    o["request_options"] = json.loads(json.dumps(dict(o["request_options"] or {})))
    check_tag("think_tag", o["think_tag"])
    check_tag("answer_tag", o["answer_tag"])
    if isinstance(o["low"], bool) or not isinstance(o["low"], (int, float)) or not -10 <= o["low"] < 1:
        raise UserError(f"judge option low={o['low']!r} must be a number below 1 (the score of a 0 verdict), e.g. -1")
    if o["accuracy"] is not None:
        o["accuracy"] = accuracy_reward(o["accuracy"], o["accuracy_kwargs"])
    elif o["accuracy_kwargs"]:
        raise UserError("judge option accuracy_kwargs needs `accuracy`, the reward they are options of")
    return o


def _score(name: str, completions, prompts, answer, o: dict, log_metric=None) -> list[float | None]:
    o = _options(o)
    n = len(completions)
    if n == 0:
        return []
    rows = [_judge_prompt(c, p, g, o) for c, p, g in zip(completions, column(prompts, n), column(answer, n))]
    accuracy = o["accuracy"](completions, answer=answer) if o["accuracy"] else [1.0] * n
    rows = [None if acc is None else 0.0 if not acc else row for row, acc in zip(rows, accuracy)]  # wrong: not asked
    backend = backend_for(o)
    if o["cache_file"]:
        CACHE.load(str(o["cache_file"]))
    request_key = json.dumps([backend.label, o["model"] if isinstance(o["model"], str) else None, o["system"],
                              o["max_tokens"], o["temperature"], o["request_options"]], sort_keys=True)
    keys = {p: hashlib.sha256(f"{request_key}\0{p}".encode()).hexdigest() for p in rows if isinstance(p, str)}
    replies = {p: CACHE.get(k) for p, k in keys.items()} if o["cache"] else {p: None for p in keys}
    hits = sum(1 for p in rows if isinstance(p, str) and replies[p] is not None)
    asked = [p for p, reply in replies.items() if reply is None]  # unique prompts: a group's twins are asked once
    failures = Counter()
    if asked:
        for prompt, (reply, kind) in zip(asked, backend.run(asked, time.monotonic() + o["deadline"], o)):
            if reply is not None and parse_verdict(reply, o["parser"], o["scale"]) is None:
                kind = "parse"
            if kind:
                failures[kind] += 1
                warn_failure(backend.label, name, kind, reply)
            else:
                replies[prompt] = reply
                if o["cache"]:
                    CACHE.put(keys[prompt], reply, o["cache_file"])
    low = float(o["low"])
    scores = []
    for row, acc in zip(rows, accuracy):
        if acc is None or row is None:
            scores.append(None)
        elif not acc:
            scores.append(0.0)
        elif not isinstance(row, str):  # cannot be judged (no reasoning or answer): a 0 verdict, unasked
            scores.append(acc * low)
        else:  # a verdict on [0, 1] moved onto [low, 1]; a failed judge gives 0.0 whatever `low`
            verdict = parse_verdict(replies[row], o["parser"], o["scale"]) if replies[row] is not None else None
            scores.append(0.0 if verdict is None else acc * (low + verdict * (1.0 - low)))
    failed_rows = sum(1 for row in rows if isinstance(row, str) and replies[row] is None)
    count(backend.label, scored=n, requests=len(asked), cache_hits=hits, failures=failed_rows,
           **{f"failures/{kind}": times for kind, times in failures.items()})
    if callable(log_metric):
        log_metric(f"{name}/failures", float(failed_rows))
        log_metric(f"{name}/cache_hits", float(hits))
    return scores


@register("judge")
def judge(
    completions,
    *,
    prompts=None,
    answer=None,
    model=None,
    url: str | None = None,
    api_key_env: str | None = None,
    template: str | None = None,
    system: str | None = None,
    parser: str = "auto",
    scale=(0.0, 1.0),
    max_tokens: int = 256,
    temperature: float = 0.0,
    timeout: float = 60.0,
    retries: int = 2,
    backoff: float = 1.0,
    concurrency: int = 16,
    batch_size: int = 8,
    deadline: float = 300.0,
    cache: bool = True,
    cache_file: str | None = None,
    max_chars: int = 6000,
    reasoning_lines: int | None = None,
    device: str = "auto",
    request_options: dict | None = None,
    think_tag: str = "think",
    answer_tag: str = "answer",
    low: float = 0.0,
    accuracy: str | None = None,
    accuracy_kwargs: dict | None = None,
    **kwargs,
) -> list[float | None]:
    """LLM judge: a local model or an OpenAI-compatible endpoint scores each completion in [0, 1] from a template.

    `template` is a built-in name (equivalence, thinking_quality, consistency) or a text with
    {prompt}, {completion}, {reasoning}, {final_answer}, {answer}/{reference}; `parser` reads
    the reply (auto, yes_no, score on `scale`). See the module docstring for the backends,
    the cache and the failure policy.
    """
    options = {k: v for k, v in locals().items() if k not in ("completions", "prompts", "answer", "kwargs")}
    return _score("judge", completions, prompts, answer, options, kwargs.get("log_metric"))


_JUDGE_SIGNATURE = inspect.signature(judge)
_OPTION_DEFAULTS = {name: p.default for name, p in _JUDGE_SIGNATURE.parameters.items()
                    if p.kind is p.KEYWORD_ONLY and name not in ("prompts", "answer")}


class JudgePreset:
    """`judge` with other defaults (a template, a parser): one registered reward per published use."""

    def __init__(self, name: str, doc: str, **defaults):
        self.name, self.__doc__, self.defaults = name, doc, defaults

    @property
    def __signature__(self):
        return _JUDGE_SIGNATURE.replace(parameters=[
            p.replace(default=self.defaults[p.name]) if p.name in self.defaults else p
            for p in _JUDGE_SIGNATURE.parameters.values()])

    def __call__(self, completions, *, prompts=None, answer=None, **kwargs):
        options = {k: kwargs.get(k, self.defaults.get(k, default)) for k, default in _OPTION_DEFAULTS.items()}
        return _score(self.name, completions, prompts, answer, options, kwargs.get("log_metric"))

    def __reduce__(self):  # pickled by reference to the registered module attribute
        return self.name


judge_equivalence = register("judge_equivalence")(JudgePreset(
    "judge_equivalence",
    """Answer-equivalence judge (WeThink's model-based reward): 1.0 if the judge says the final answer means `answer`.

    The final answer is the last `<answer>` block outside the reasoning; without one the
    row scores 0.0 unasked. Rows without a reference score None. Judge options as `judge`.""",
    template="equivalence", parser="yes_no"))

judge_thinking = register("judge_thinking")(JudgePreset(
    "judge_thinking",
    """Thinking-quality judge (SophiaVL-R1's thinking reward): the judge's 0-1 score of the reasoning.

    The reasoning is the last `<think>` block (or the text before `<answer>`). SophiaVL-R1
    serves a trained thinking reward model; point `url`/`model` at it, or at a general LLM
    with this template. Judge options as `judge`.""",
    template="thinking_quality", parser="score"))

judge_consistency = register("judge_consistency")(JudgePreset(
    "judge_consistency",
    """Reasoning-answer consistency check (R1-Reward): 1.0 if the judge finds the reasoning's conclusion matches the answer.

    As in R1-Reward, the judge sees the last `reasoning_lines` (3) lines of the reasoning and
    the final answer and replies 1 or 0; the score is 1.0 / 0.0. R1-Reward's own term is
    `low: -1` (a mismatch scores -1, a failed judge 0) with `accuracy: exact_match` (only right
    answers are judged; the score is accuracy x consistency): with weight 0.5 beside the
    accuracy reward, accuracy x (1 + 0.5 x consistency). Judge options as `judge`.""",
    template="consistency", parser="score", reasoning_lines=3))
