"""Synthetic tasks for the shipped environments (r1kit/environments): rows with what the environment reads.

`function_calls` asks for one or more API calls in words and carries them as `gold_calls`
(`[{name, arguments}]`, the FunctionCalling environment's reward reads them); `answer` is the
same calls as JSON. `file_tree` gives each row its own file tree (`tree`, a list of
`{path, content}`) with an access code hidden in one file at the deepest level; `answer` is the
code, which the FileTree environment rewards when the model submits it. Both are seeded:
the same arguments give the same rows.
"""

import json
import random
from collections.abc import Mapping

from r1kit.data.adapters import Adapter
from r1kit.errors import UserError

CITIES = ("Paris", "Tokyo", "Lima", "Oslo", "Cairo", "Denver", "Mumbai", "Sydney", "Toronto", "Nairobi", "Berlin")
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CHF", "CAD", "INR", "CNY")
LABELS = ("gym", "meeting", "medicine", "school run", "call mom", "standup", "laundry")
WORDS = ("alpha", "beta", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris", "jade", "kelp", "lumen",
         "maple", "nova", "onyx", "pine", "quartz", "reef", "sage", "tide", "umber", "vale", "willow", "zinc")
FILLER = ("nothing to see here", "meeting notes: move the review to Friday", "todo: water the plants",
          "draft, do not share", "list: eggs, milk, bread", "log rotated", "remember the umbrella")


def _weather(rng):
    city = rng.choice(CITIES)
    return f"What is the weather in {city}?", {"city": city}


def _currency(rng):
    source, target = rng.sample(CURRENCIES, 2)
    amount = rng.choice((5, 20, 50, 100, 250, 1000)) * rng.choice((1, 3))
    return f"Convert {amount} {source} to {target}.", {"amount": amount, "source": source, "target": target}


def _alarm(rng):
    time, label = f"{rng.randint(5, 22):02d}:{rng.choice((0, 15, 30, 45)):02d}", rng.choice(LABELS)
    return f'Set an alarm for {time} labelled "{label}".', {"time": time, "label": label}


def _flights(rng):
    origin, destination = rng.sample(CITIES, 2)
    date = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return (f"Find a flight from {origin} to {destination} on {date}.",
            {"origin": origin, "destination": destination, "date": date})


REQUESTS = {"get_weather": _weather, "convert_currency": _currency, "set_alarm": _alarm, "search_flights": _flights}


def function_calls(n: int = 1000, seed: int = 0, max_calls: int = 2) -> list[dict]:
    """`n` requests of 1 to `max_calls` calls to the FunctionCalling environment's API, with their gold calls."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        asks, calls = [], []
        for name in rng.sample(sorted(REQUESTS), rng.randint(1, min(max_calls, len(REQUESTS)))):
            text, arguments = REQUESTS[name](rng)
            asks.append(text)
            calls.append({"name": name, "arguments": arguments})
        rows.append({"prompt": [{"role": "user", "content": " Then ".join([asks[0]] + [a[0].lower() + a[1:] for a in asks[1:]])}], "gold_calls": calls,
                     "answer": json.dumps(calls), "task": "function_calls"})
    return rows


def file_tree(n: int = 1000, seed: int = 0, depth: int = 3, width: int = 3, files_per_dir: int = 2) -> list[dict]:
    """`n` file trees `depth` directories deep, each directory with 1 to `width` sub-directories and up to
    `files_per_dir` decoy files; the access code sits in `vault.txt` in one of the deepest directories."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        files, level = [], [""]
        for d in range(depth):
            below = []
            for parent in level:
                for name in rng.sample(WORDS, rng.randint(1, width)):
                    below.append(f"{parent}{name}/")
                for k in range(rng.randint(0 if d else 1, files_per_dir)):
                    files.append({"path": f"{parent}{rng.choice(WORDS)}-{k}.txt", "content": rng.choice(FILLER)})
            level = below
        for parent in level:  # a decoy in every deepest directory: the tree lists only directories that hold files
            files.append({"path": f"{parent}{rng.choice(WORDS)}.txt", "content": rng.choice(FILLER)})
        code = f"{''.join(rng.choices('ABCDEFGHJKLMNPQRSTUVWXYZ', k=4))}-{rng.randint(1000, 9999)}"
        files.append({"path": f"{rng.choice(level)}vault.txt", "content": f"access code: {code}"})
        rng.shuffle(files)
        task = ("A file named vault.txt somewhere in this file tree holds an access code. Find it with ls, cd and "
                "cat, then submit the code.")
        rows.append({"prompt": [{"role": "user", "content": task}], "tree": files, "answer": code, "task": "file_tree"})
    return rows


class EnvironmentTask(Adapter):
    """Rows an environment runs on: a task prompt, an optional gold `answer`, and the columns its `reset` reads.

    The prompt is text or chat messages (the generators above write messages). Every other column of the
    row (`gold_calls`, `tree`, ...) is kept as it is, or only those `keep` names, because TRL hands the
    whole row to the environment's `reset(**row)`. Held-out answers have no metric of their own: the
    environment's `get_reward` is the success rate (docs/tools.md).
    """

    name = "environment_task"
    required = ("prompt",)
    optional = ("answer",)

    def __init__(self, columns=None, system_prompt: str | None = None, few_shot=None, keep: list | None = None,
                 **options):
        super().__init__(columns, system_prompt, few_shot, **options)
        if keep is not None and not (isinstance(keep, (list, tuple)) and all(isinstance(k, str) for k in keep)):
            raise TypeError(f"the `{self.name}` adapter option keep={keep!r} must be a list of column names")
        self.keep = None if keep is None else list(keep)

    def check_columns(self, available, source):
        super().check_columns(available, source)
        missing = [k for k in self.keep or () if k not in available]
        if missing:
            raise UserError(f"{source}: `keep` names column(s) {missing} the data does not have ({available}).")

    def example(self, row):
        task = self.get(row, "prompt")
        if isinstance(task, str) and task.strip():
            prompt = self.prompt(task)
        elif isinstance(task, list) and task and all(isinstance(m, Mapping) and "role" in m for m in task):
            system = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
            prompt = system + self.few_shot + [dict(m) for m in task]
        else:
            raise ValueError(f"column {self.columns['prompt']!r}: {task!r} is neither text nor chat messages")
        own = {self.columns["prompt"], self.columns["answer"]}
        kept = self.keep if self.keep is not None else [k for k in row if k not in own and k != "task"]
        answer = self.get(row, "answer")
        return {**{k: row[k] for k in kept}, "prompt": prompt, "answer": "" if answer is None else str(answer),
                "task": row.get("task") or self.name}
