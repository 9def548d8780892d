"""Each shipped environment in TRL's GRPOTrainer (environment_factory): the tiny model, taught by a few seconds of
training to call the environment's tools, runs 2 GRPO steps whose rollouts call them and whose rewards are logged."""

import functools
import json

import pytest

from r1kit.environments.file_tree import FileTree
from r1kit.environments.function_calling import FunctionCalling
from r1kit.environments.python_session import PythonSession
from r1kit.environments.search import Search


def call(name: str, **arguments) -> dict:
    return {"role": "assistant", "content": "",
            "tool_calls": [{"type": "function", "function": {"name": name, "arguments": arguments}}]}


def tool(name: str, content: str) -> dict:
    return {"role": "tool", "name": name, "content": content}


TREE = [{"path": "docs/vault.txt", "content": "access code: 7316"}, {"path": "docs/todo.txt", "content": "milk"}]
CORPUS = [{"title": "Oslo", "text": "Oslo is the capital of Norway."},
          {"title": "Lima", "text": "Lima is the capital of Peru."}]

# name: (the factory's keyword arguments, the dataset row, a trajectory to teach, the reward TRL logs for it)
CASES = {
    "python_session": ({}, {"question": "What is 6 * 7? Use python."}, [
        call("python", code="x = 6 * 7"), tool("python", "(no output)"),
        call("python", code="print(x)"), tool("python", "42\n"),
        {"role": "assistant", "content": "<answer>42</answer>"}], "tool_replies"),
    "search": ({"k": 1}, {"question": "What is the capital of Norway?"}, [
        call("search", query="capital of Norway"), tool("search", "[1] Oslo\nOslo is the capital of Norway."),
        {"role": "assistant", "content": "<answer>Oslo</answer>"}], "tool_replies"),
    "function_calling": ({}, {"question": "What is the weather in Paris?",
                              "gold_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}, [
        call("get_weather", city="Paris"), tool("get_weather", "Paris: rainy, 18 C"),
        {"role": "assistant", "content": "<answer>rainy</answer>"}], "FunctionCalling"),
    "file_tree": ({}, {"question": "Find the access code in docs and submit it.", "tree": TREE, "answer": "7316"}, [
        call("cat", path="docs/vault.txt"), tool("cat", "access code: 7316"),
        call("submit", answer="7316"), tool("submit", "submitted"),
        {"role": "assistant", "content": "done"}], "FileTree"),
}
STEPS = 150  # of teaching: each trajectory is then written near-verbatim (seed 0)
CLASSES = {"python_session": PythonSession, "search": Search, "function_calling": FunctionCalling,
           "file_tree": FileTree}


def tool_replies(completions, **kwargs) -> list[float]:
    """How many tool replies a rollout holds: > 0 only when TRL's loop called the environment."""
    return [float(sum(m["role"] == "tool" for m in c)) for c in completions]


@pytest.fixture(scope="module")
def caller(tmp_path_factory):
    """The tiny model with chatml_tools, trained until it writes each case's trajectory (assistant turns only)."""
    import torch

    from r1kit.models.chat_template import CHATML_TOOLS
    from r1kit.models.tiny import build_tiny
    from r1kit.tools import ready_for_tools

    corpus = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(p) + "\n" for p in CORPUS))
    torch.manual_seed(0)
    model, tokenizer = build_tiny(hidden_size=64, max_position_embeddings=1024, seed=0)
    tokenizer.chat_template = CHATML_TOOLS
    ready_for_tools(tokenizer, "test")
    factories = {name: functools.partial(CLASSES[name], **({"corpus": str(corpus)} if name == "search" else {}),
                                         **CASES[name][0]) for name in CASES}
    batches = []
    for name, (_, row, turns, _) in CASES.items():
        env = factories[name]()
        tools = [getattr(env, n) for n in dir(type(env)) if not n.startswith("_") and n not in ("reset", "get_reward")]
        messages = [{"role": "user", "content": row["question"]}, *turns]
        encoded = tokenizer.apply_chat_template(messages, tools=tools, return_dict=True,
                                                return_assistant_tokens_mask=True)
        ids = torch.tensor([encoded["input_ids"]])
        labels = ids.clone()
        labels[0, torch.tensor(encoded["assistant_masks"]) == 0] = -100
        batches.append((ids, labels))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(STEPS):
        for ids, labels in batches:
            model(input_ids=ids, labels=labels).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return model, tokenizer, factories



@pytest.mark.parametrize("name", list(CASES))
def test_two_grpo_steps_call_the_environment_and_log_its_reward(name, caller, tmp_path):
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    model, tokenizer, factories = caller
    _, row, turns, logged = CASES[name]
    seen = []

    def rollouts(completions, **kwargs):  # records what the rollouts held; scores nothing
        seen.extend(completions)
        return [0.0] * len(completions)

    data = Dataset.from_list([{"prompt": [{"role": "user", "content": row["question"]}],
                               **{k: v for k, v in row.items() if k != "question"}}] * 8)
    args = GRPOConfig(output_dir=str(tmp_path), per_device_train_batch_size=4, num_generations=4, max_steps=2,
                      max_completion_length=384, max_tool_calling_iterations=2, temperature=0.7, logging_steps=1,
                      learning_rate=1e-5, use_cpu=True, report_to=[], bf16=False, disable_tqdm=True,
                      save_strategy="no", seed=0)
    trainer = GRPOTrainer(model=model, reward_funcs=[tool_replies, rollouts], args=args, train_dataset=data,
                          processing_class=tokenizer, environment_factory=factories[name])
    trainer.train()
    logs = [m for m in trainer.state.log_history if "loss" in m]
    assert len(logs) == 2
    print(f"\n{name}:", {k: [m[k] for m in logs] for k in logs[0] if k.startswith(("rewards/", "tools/"))})
    assert all(m["tools/call_frequency"] > 0 for m in logs)  # the rollouts called the environment's tools
    assert all(f"rewards/{logged}/mean" in m for m in logs)
    replies = [m["content"] for c in seen for m in c if m["role"] == "tool"]
    expected = [m["content"] for m in turns if m["role"] == "tool"]
    assert set(expected) & set(replies), replies[:8]  # the environment answered as it does when called directly
