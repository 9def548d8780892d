"""reasoning-gym's procedural tasks as r1kit rows: its generators write the questions, its scorers grade the answers.

reasoning-gym (Apache-2.0) has 100+ generators (arithmetic, algebra, logic puzzles,
games, ARC...), each with a `score_answer` of its own and, for most, a curriculum of
difficulty levels. r1kit does not rewrite any of them: the `reasoning_gym` generator
calls `reasoning_gym.create_dataset` (or its `composite` dataset for a weighted
mixture, or a task's curriculum for a `level`), and each row keeps `rg_source`, a small
JSON reference (task, options, index) from which the `reasoning_gym` reward rebuilds
the exact entry and the task's own scorer. A reference rather than the entry itself:
entries carry tuples, grids and metadata that Arrow and JSON do not keep intact, and
some scorers read their dataset's config.
"""

import json
from collections.abc import Mapping

from r1kit.data.adapters import R1_SYSTEM_PROMPT, Adapter
from r1kit.errors import UserError

WHERE = "generator reasoning_gym"


def generate(tasks=None, size: int = 500, seed: int = 0, level=None) -> list[dict]:
    """`size` rows of reasoning-gym tasks: `question`, `answer` (its oracle answer, "" when a task has
    several right answers), `rg_task`, `rg_source`, and `difficulty` when a level is set.

    `tasks` is one task name, a list of names (equal weights), or a mapping from name to a
    weight or to `{weight, level, options}` (`options`: the task's config fields, such as
    `min_terms`). Several tasks are mixed by reasoning-gym's composite dataset. `level`
    (a whole number, or a mapping from curriculum attribute to level) picks each task's
    difficulty from its reasoning-gym curriculum; a task's own `level` wins.
    """
    specs = _task_specs(tasks, level)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise UserError(f"{WHERE}: size={size!r} must be a whole number >= 1.")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise UserError(f"{WHERE}: seed={seed!r} must be a whole number.")
    import reasoning_gym
    from reasoning_gym.composite import DatasetSpec

    try:
        if len(specs) == 1:
            name, _, options, _ = specs[0]
            dataset = reasoning_gym.create_dataset(name, size=size, seed=seed, **options)
            parts = {name: dataset}
        else:
            dataset = reasoning_gym.create_dataset(
                "composite", size=size, seed=seed,
                datasets=[DatasetSpec(name, weight, options) for name, weight, options, _ in specs])
            parts = dataset.datasets
        entries = [dataset[i] for i in range(size)]
    except (TypeError, ValueError, AssertionError, KeyError) as err:  # reasoning-gym checks configs with asserts
        raise UserError(f"{WHERE}: reasoning-gym refused the task options ({type(err).__name__}: {err}). "
                        "Check each task's `options` against its config class in reasoning_gym.") from None
    levels = {name: lvl for name, _, _, lvl in specs}
    options = {name: opts for name, _, opts, _ in specs}
    rows = []
    for i, entry in enumerate(entries):
        metadata = entry.get("metadata") or {}
        name = metadata.get("source_dataset", specs[0][0])
        part = parts[name]
        source = {"task": name, "options": {**options[name], "seed": part.config.seed, "size": part.config.size},
                  "index": i}  # the composite asks its part for the same index
        answer = entry.get("answer")
        row = {"question": entry["question"], "answer": "" if answer is None else str(answer), "rg_task": name,
               "rg_source": json.dumps(source, sort_keys=True)}
        if isinstance(levels[name], int):
            row["difficulty"] = levels[name]
        rows.append(row)
    return rows


def _task_specs(tasks, level) -> list[tuple[str, float, dict, object]]:
    """(name, weight, options, level) per task, options including what its curriculum level sets."""
    from reasoning_gym.factory import DATASETS

    if isinstance(tasks, str):
        tasks = {tasks: 1.0}
    elif isinstance(tasks, (list, tuple)):
        if not all(isinstance(t, str) for t in tasks):
            raise UserError(f"{WHERE}: tasks={tasks!r}: a list of tasks holds task names only; give weights and "
                            "options as a mapping name -> {weight, level, options}.")
        tasks = {t: 1.0 for t in tasks}
    if not isinstance(tasks, Mapping) or not tasks:
        raise UserError(f"{WHERE}: give `tasks`: a reasoning-gym task name (e.g. chain_sum), a list of names, or a "
                        "mapping name -> weight or {weight, level, options}. `python -c \"import reasoning_gym.factory "
                        "as f; print(sorted(f.DATASETS))\"` lists them.")
    specs = []
    for name, spec in tasks.items():
        if name not in DATASETS or name == "composite":
            import difflib

            close = difflib.get_close_matches(str(name), sorted(DATASETS), n=3, cutoff=0.6)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise UserError(f"{WHERE}: unknown reasoning-gym task {name!r}.{hint}")
        if spec is None or isinstance(spec, (int, float)) and not isinstance(spec, bool):
            spec = {"weight": 1.0 if spec is None else spec}
        if not isinstance(spec, Mapping) or set(spec) - {"weight", "level", "options"}:
            raise UserError(f"{WHERE}: tasks.{name} must be a weight or a mapping with weight, level and options; "
                            f"got {spec!r}.")
        weight = spec.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
            raise UserError(f"{WHERE}: tasks.{name}.weight={weight!r} must be a number > 0.")
        options = spec.get("options") or {}
        if not isinstance(options, Mapping) or {"seed", "size"} & set(options):
            raise UserError(f"{WHERE}: tasks.{name}.options must be a mapping of the task's config fields (seed and "
                            "size are the generator's own keys).")
        task_level = spec.get("level", level)
        curriculum = _curriculum_options(name, task_level) if task_level is not None else {}
        specs.append((name, float(weight), {**curriculum, **options}, task_level))
    return specs


def _curriculum_options(name: str, level) -> dict:
    """The config fields the task's reasoning-gym curriculum sets at `level` (a level for every attribute,
    capped at each one's highest, or a mapping attribute -> level)."""
    from reasoning_gym.coaching.attributes import RangeAttributeDefinition
    from reasoning_gym.factory import create_curriculum, has_curriculum

    if not has_curriculum(name):
        raise UserError(f"{WHERE}: task {name!r} has no reasoning-gym curriculum, so it takes no `level`; set its "
                        "difficulty with `options`.")
    curriculum = create_curriculum(name)
    attributes = curriculum.attributes
    if isinstance(level, Mapping):
        unknown = sorted(set(level) - set(attributes))
        if unknown:
            raise UserError(f"{WHERE}: task {name!r} has no curriculum attribute {unknown}; it has "
                            f"{sorted(attributes)}.")
        chosen = dict(level)
    else:
        chosen = {attr: level for attr in attributes}
    for attr, value in chosen.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise UserError(f"{WHERE}: task {name!r} level {value!r} (attribute {attr}) must be a whole number >= 0.")
        curriculum.set_attr_level(attr, min(value, len(attributes[attr].levels) - 1))
    config = curriculum.generate_configuration()
    fields = []
    for attr in attributes.values():
        if isinstance(attr, RangeAttributeDefinition):
            fields += [attr.lower_field_name, attr.upper_field_name]
        else:
            fields.append(attr.field_name)
    return {field: _plain(getattr(config, field)) for field in fields}


def _plain(value):
    """A config value as JSON keeps it (tuples as lists), so a row's reference rebuilds the same config."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def parse_source(value) -> dict | None:
    """A row's `rg_source` as {task, options, index}, or None when it is not one."""
    try:
        source = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return None
    if (not isinstance(source, Mapping) or not isinstance(source.get("task"), str)
            or not isinstance(source.get("options"), Mapping) or isinstance(source.get("index"), bool)
            or not isinstance(source.get("index"), int)):
        return None
    return dict(source)


class ReasoningGym(Adapter):
    """Rows of the `reasoning_gym` generator -> a think/answer prompt, scored by the task's own scorer.

    Reads `question`, `rg_source` (the reference the `reasoning_gym` reward rebuilds the
    entry from) and `answer`; rows keep `rg_source` and `rg_task` for the reward and for
    per-task metrics. `prompt_template` (with `{question}`) wraps the question in a
    paper's own instruction, e.g. "{question}Show your work in <think> </think> tags...".
    """

    name = "reasoning_gym"
    required = ("question", "rg_source")
    optional = ("answer", "rg_task")
    metric = "reasoning_gym"

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, prompt_template: str | None = None,
                 **options):
        super().__init__(columns, system_prompt, **options)
        if prompt_template is not None:
            try:
                shown = "\0" in prompt_template.format(question="\0")
            except (AttributeError, KeyError, IndexError, ValueError):
                shown = False
            if not shown:
                raise UserError(f"adapter {self.name}: prompt_template={prompt_template!r} must be text that shows "
                                "the question as {question} and has no other placeholder (write { and } as {{ and }}).")
        self.template = prompt_template

    def example(self, row):
        question = self.get(row, "question")
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"column {self.columns['question']!r} is empty")
        raw = self.get(row, "rg_source")
        source = parse_source(raw)
        if source is None:
            raise ValueError(f"column {self.columns['rg_source']!r} is not a reasoning-gym reference "
                             '{"task", "options", "index"} (rows of the reasoning_gym generator carry one)')
        answer = self.get(row, "answer")
        text = self.template.format(question=question) if self.template else question
        return {"prompt": self.prompt(text), "answer": "" if answer is None else str(answer),
                "rg_task": self.get(row, "rg_task") or source["task"],
                "rg_source": raw if isinstance(raw, str) else json.dumps(source, sort_keys=True), "task": self.name}
