"""Completions from a model, for `r1kit eval`, the held-out check and generate stages: transformers or vLLM.

transformers: prompts sorted by length so each batch pads little, left padding, the
KV cache on, `n` samples per prompt through `num_return_sequences`. vLLM: one
`LLM.generate` call over every prompt (it batches itself). Both return, per prompt,
`n` `Completion`s in prompt order.
"""

import asyncio
import importlib.util
import inspect
import time
from dataclasses import dataclass

from r1kit.errors import UserError
from r1kit.models.vision import placeholder_ids

BACKENDS = ("auto", "transformers", "vllm")


@dataclass
class Completion:
    text: str
    tokens: int  # generated tokens, the end-of-sequence token included
    truncated: bool  # stopped by max_new_tokens, not by an end-of-sequence token
    turns: list | None = None  # with tools: the assistant and tool messages after the prompt, in order
    tool_calls: int = 0
    tool_errors: int = 0  # calls that failed: unparsable, unknown tool, bad arguments, the tool raised or timed out
    reward: float | None = None  # with an environment: its get_reward() after the episode (None: it has none)
    raw: str = ""  # the generated text as is, special tokens and the end-of-sequence token included


def chat_texts(tokenizer, prompts: list[list[dict]], tools: list | None = None,
               prompt_tools: list[list] | None = None) -> list[str]:
    """Each prompt rendered for generation, with `tools` (or its own, `prompt_tools[i]`) in its tool listing."""
    per_prompt = prompt_tools or [tools] * len(prompts)
    return [tokenizer.apply_chat_template(p, tokenize=False, add_generation_prompt=True, tools=t or None)
            for p, t in zip(prompts, per_prompt)]


def prompt_images(prompt: list[dict]) -> list:
    """The images a prompt carries, in order (parts `{"type": "image", "image": <PIL>}`)."""
    return [part["image"] for message in prompt if isinstance(message.get("content"), list)
            for part in message["content"] if part.get("type") == "image" and part.get("image") is not None]


def prompts_with_images(examples) -> list[list[dict]]:
    """The prompts, with each row's `images` put into its image placeholders (as TRL does for training)."""
    prompts = list(examples["prompt"])
    if "images" not in examples.column_names:
        return prompts
    from trl.data_utils import prepare_multimodal_messages

    return [prepare_multimodal_messages(prompt, images) for prompt, images in zip(prompts, examples["images"])]


def pick_backend(requested: str, model_path: str | None) -> str:
    """`auto` is vLLM when vLLM imports, a GPU is present and the model is a saved folder or hub id."""
    if requested not in BACKENDS:
        raise UserError(f"backend={requested!r}: choose one of {', '.join(BACKENDS)}.")
    has_vllm = importlib.util.find_spec("vllm") is not None
    if requested == "vllm":
        if not has_vllm:
            raise UserError("backend=vllm but vLLM is not installed (`pip install vllm`); "
                            "use backend=transformers.")
        if model_path is None:
            raise UserError("backend=vllm needs a saved model (a folder or hub id), not one built in code.")
        return "vllm"
    if requested == "auto" and has_vllm and model_path is not None:
        import torch

        if torch.cuda.is_available():
            return "vllm"
    return "transformers"


def eos_ids(model, tokenizer) -> list[int]:
    ids = {tokenizer.eos_token_id}
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    ids.update(configured if isinstance(configured, list) else [configured])
    return sorted(i for i in ids if i is not None)


class Throughput:
    """A rich progress bar counting completions, with completions per second."""

    def __init__(self, label: str, total: int, enabled: bool = True):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("completions"), TextColumn("{task.fields[rate]}"),
                                 TimeRemainingColumn(), transient=True, disable=not enabled)
        self.task = self.progress.add_task(label, total=total, rate="")
        self.started = time.perf_counter()
        self.done = 0

    def __enter__(self):
        self.progress.start()
        return self

    def advance(self, count: int):
        self.done += count
        rate = self.done / max(time.perf_counter() - self.started, 1e-9)
        self.progress.update(self.task, advance=count, rate=f"{rate:.1f}/s")

    def __exit__(self, *exc):
        self.progress.stop()


def generate_transformers(model, tokenizer, prompts: list[list[dict]], *, n: int = 1, max_new_tokens: int = 256,
                          batch_size: int = 64, temperature: float = 0.0, top_p: float = 1.0,
                          label: str = "eval", show_progress: bool = True, tools: list | None = None,
                          prompt_tools: list[list] | None = None, texts: list[str] | None = None
                          ) -> list[list[Completion]]:
    """`n` completions per prompt; greedy when temperature is 0. `batch_size` counts sequences. The tools listed in
    the prompts: `tools`, or each prompt's own (`prompt_tools`, where prompts run in different environments).
    `texts`, where given, are the prompts already rendered (a tool loop's running context); `prompts` then only
    carry the images.

    `tokenizer` may be a vision-language processor; prompts then carry their images in their parts.
    """
    import torch

    texts = chat_texts(tokenizer, prompts, tools, prompt_tools) if texts is None else texts
    images = [prompt_images(p) for p in prompts]
    processor, tokenizer = tokenizer, getattr(tokenizer, "tokenizer", tokenizer)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    per_batch = max(1, batch_size // n)
    stops = eos_ids(model, tokenizer)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else stops[0]
    sampling = {"do_sample": True, "temperature": temperature, "top_p": top_p} if temperature > 0 else \
        {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
    suppressed = placeholder_ids(model)
    if suppressed:
        sampling["suppress_tokens"] = suppressed
    results: list[list[Completion]] = [[] for _ in texts]
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    with Throughput(label, len(texts) * n, show_progress) as bar, torch.inference_mode():
        for start in range(0, len(order), per_batch):
            idx = order[start : start + per_batch]
            batch_images = [image for i in idx for image in images[i]]
            visual = {"images": batch_images} if batch_images else {}
            enc = (processor if batch_images else tokenizer)(
                text=[texts[i] for i in idx], return_tensors="pt", padding=True, add_special_tokens=False,
                **visual).to(device)
            out = model.generate(**enc, max_new_tokens=max_new_tokens, num_return_sequences=n, use_cache=True,
                                 pad_token_id=pad, eos_token_id=stops, **sampling)
            new = out[:, enc["input_ids"].shape[1]:].tolist()
            for row, ids in enumerate(new):
                results[idx[row // n]].append(_completion(ids, stops, tokenizer))
            bar.advance(len(new))
    model.train(was_training)
    return results


def _completion(ids: list[int], stops: list[int], tokenizer) -> Completion:
    end = next((i for i, t in enumerate(ids) if t in stops), None)
    kept = ids if end is None else ids[: end + 1]
    return Completion(tokenizer.decode(kept, skip_special_tokens=True), len(kept), end is None,
                      raw=tokenizer.decode(kept, skip_special_tokens=False))


def generate_with_tools(model, tokenizer, prompts: list[list[dict]], tools: list, *, n: int = 1,
                        max_new_tokens: int = 256, max_rounds: int = 4, environments: list | None = None,
                        resets: list[dict] | None = None, **options) -> list[list[Completion]]:
    """`generate_transformers` with a tool loop, as TRL runs one in GRPO rollouts: a reply that calls tools gets their
    results appended as `tool` messages and is continued, up to `max_rounds` rounds and `max_new_tokens` in all.

    With `environments` (per prompt, a zero-argument callable making its environment, as TRL's environment_factory),
    each of the prompt's `n` episodes runs in a fresh instance, as in training: `reset(**resets[i])` starts it (text it
    returns is appended to the prompt), its public methods join `tools`, and its `get_reward()` after the last turn is
    the completion's `reward`.

    The tokenizer must parse replies (its `response_template`, see r1kit.tools.ready_for_tools). A call that cannot
    be parsed or run is shown to the model as an error, as TRL does, and counted in `tool_errors`.

    Each round continues the episode's own text, as TRL's tool loop continues its token ids: the prompt, the model's
    replies exactly as written, and after each the tool messages rendered as the chat template appends them. The
    conversation is not rendered anew, which would rewrite a call the model spaced or ordered its own way and show
    it a context it never wrote.
    """
    if environments is None:
        texts = chat_texts(tokenizer, prompts, tools)
        starts = generate_transformers(model, tokenizer, prompts, n=n, max_new_tokens=max_new_tokens, texts=texts,
                                       **options)
        episodes = [_episode(prompts[i], tools, None, c, texts[i]) for i, group in enumerate(starts) for c in group]
    else:
        episodes = [_episode(*_reset(prompts[i], environments[i], resets[i], tools)) for i in range(len(prompts))
                    for _ in range(n)]
        texts = chat_texts(tokenizer, [ep["prompt"] for ep in episodes], prompt_tools=[ep["tools"] for ep in episodes])
        starts = generate_transformers(model, tokenizer, [ep["prompt"] for ep in episodes], n=1,
                                       max_new_tokens=max_new_tokens, texts=texts, **options)
        for ep, group, text in zip(episodes, starts, texts):
            ep["last"], ep["context"] = group[0], text
    for round_ in range(max_rounds + 1):
        waiting = []
        for ep in episodes:
            if ep["done"]:
                continue
            reply = ep["last"]
            ep["texts"].append(reply.text)
            ep["tokens"] += reply.tokens
            message, results = _run_calls(tokenizer, ep, reply.text)
            ep["turns"].append(message)
            if not results or round_ == max_rounds or reply.truncated or ep["tokens"] >= max_new_tokens:
                ep["done"] = True
                continue
            ep["turns"] += results
            ep["context"] += reply.raw + tool_suffix(tokenizer, results)
            waiting.append(ep)
        if not waiting:
            break
        more = generate_transformers(model, tokenizer, [ep["prompt"] + ep["turns"] for ep in waiting], n=1,
                                     max_new_tokens=max(1, max_new_tokens - min(ep["tokens"] for ep in waiting)),
                                     texts=[ep["context"] for ep in waiting], **{**options, "show_progress": False})
        for ep, group in zip(waiting, more):
            ep["last"] = group[0]
    flat = [Completion("\n".join(ep["texts"]), ep["tokens"], ep["last"].truncated, ep["turns"], ep["calls"],
                       ep["errors"], _reward(ep["env"])) for ep in episodes]
    return [flat[i * n:(i + 1) * n] for i in range(len(prompts))]


def _episode(prompt: list[dict], tools: list, env, first: Completion | None = None, context: str = "") -> dict:
    return {"prompt": prompt, "tools": tools, "env": env, "turns": [], "texts": [], "tokens": 0, "calls": 0,
            "errors": 0, "done": False, "last": first, "context": context}


def tool_suffix(tokenizer, tool_messages: list[dict]) -> str:
    """The text the chat template puts after an assistant turn for these tool messages, up to the next assistant
    turn's start: TRL's `_get_tool_suffix_ids`, in text (a dummy call rendered without and with the messages, the
    first cut after its last end-of-sequence token)."""
    tokenizer = getattr(tokenizer, "tokenizer", tokenizer)
    call = {"type": "function", "function": {"name": tool_messages[0]["name"], "arguments": {}}}
    dummy = [{"role": "user", "content": "dummy"}, {"role": "assistant", "content": "", "tool_calls": [call]}]
    prefix = tokenizer.apply_chat_template(dummy, tokenize=False)
    full = tokenizer.apply_chat_template(dummy + tool_messages, tokenize=False, add_generation_prompt=True)
    eos = tokenizer.eos_token
    if eos and eos in prefix:
        prefix = prefix[: prefix.rindex(eos) + len(eos)]
    if not full.startswith(prefix):
        raise UserError("the chat template renders an assistant turn differently once tool messages follow it, so a "
                        "tool reply cannot be appended to the model's own text (TRL refuses such a template in "
                        "training too); use chatml_tools or a template that keeps earlier turns as they are.")
    return full[len(prefix):]


def _reset(prompt: list[dict], make, reset: dict, tools: list) -> tuple[list[dict], list, object]:
    """(the prompt with the reset's observation appended, the episode's tools, the environment), as TRL starts one."""
    env = make()
    observation = env.reset(**reset)
    if observation is not None:
        content = prompt[-1]["content"]
        if isinstance(observation, list) and isinstance(content, str):
            content = [{"type": "text", "text": content}]
        if isinstance(observation, str) and isinstance(content, list):
            observation = [{"type": "text", "text": observation}]
        prompt = prompt[:-1] + [{**prompt[-1], "content": content + observation}]
    methods = [getattr(env, name) for name, _ in inspect.getmembers(type(env), predicate=inspect.isfunction)
               if name not in ("reset", "get_reward") and not name.startswith("_")]  # TRL's rule: on the class
    return prompt, list(tools) + methods, env


def _reward(env) -> float | None:
    get_reward = getattr(env, "get_reward", None)
    return get_reward() if callable(get_reward) else None


def _run_calls(tokenizer, episode: dict, text: str) -> tuple[dict, list[dict]]:
    """The reply as an assistant message, and the tool messages its calls produce (none: the episode ends)."""
    by_name = {t.__name__: t for t in episode["tools"]}
    tokenizer = getattr(tokenizer, "tokenizer", tokenizer)
    if "<tool_call>" not in text:
        return {"role": "assistant", "content": text}, []
    prefix = tokenizer.apply_chat_template(episode["prompt"] + episode["turns"], tokenize=False,
                                           add_generation_prompt=True)
    try:
        message = {"content": "", **tokenizer.parse_response(text, prefix=prefix)}
    except Exception as err:  # noqa: BLE001 - a malformed call is the model's error, shown to it
        episode["calls"] += 1
        episode["errors"] += 1
        return ({"role": "assistant", "content": text},
                [{"role": "tool", "name": "unknown", "content": str({"error": f"unparsable tool call: {err}"})}])
    results = []
    for call in message.get("tool_calls") or []:
        episode["calls"] += 1
        fn = call.get("function", {})
        name = fn.get("name", "unknown")
        try:
            if name not in by_name:
                raise ValueError(f"Tool {name} not found.")
            result = by_name[name](**(fn.get("arguments") or {}))
            if inspect.iscoroutine(result):  # an async environment method, awaited here as TRL awaits it
                result = asyncio.run(result)
        except Exception as err:  # noqa: BLE001 - TRL's rule: the error goes back to the model, counted
            episode["errors"] += 1
            result = {"error": str(err)}
        results.append({"role": "tool", "name": name, "content": result if isinstance(result, str) else str(result)})
    return message, results


def generate_vllm(model_path: str, tokenizer, prompts: list[list[dict]], *, n: int = 1, max_new_tokens: int = 256,
                  temperature: float = 0.0, top_p: float = 1.0, seed: int = 0, dtype: str = "auto",
                  **_) -> list[list[Completion]]:
    """The same as `generate_transformers`, through vLLM's offline engine (text prompts)."""
    if any(prompt_images(p) for p in prompts):
        raise UserError("backend=vllm does not take image prompts in r1kit yet; use backend=transformers.")
    from vllm import LLM, SamplingParams

    llm = LLM(model=model_path, dtype=dtype if dtype != "auto" else "auto", seed=seed)
    params = SamplingParams(n=n, temperature=temperature, top_p=top_p if temperature > 0 else 1.0,
                            max_tokens=max_new_tokens, seed=seed)
    outputs = llm.generate(chat_texts(tokenizer, prompts), params)
    return [[Completion(c.text, len(c.token_ids), c.finish_reason == "length") for c in o.outputs]
            for o in outputs]
