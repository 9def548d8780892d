"""Load a dataset's raw rows (local file, hub id or generator) and adapt them into examples.

Local files are parsed here rather than by pyarrow so that a bad line is reported
with its file and line number.
"""

import json
from pathlib import Path

from r1kit.components import Registry
from r1kit.data.adapters import get_adapter_class
from r1kit.data.images import storable
from r1kit.errors import UserError

GENERATORS = Registry("generator", {
    "addition": "r1kit.data.addition.generate",
    "rerank": "r1kit.data.text_tasks.rerank",
    "translation": "r1kit.data.text_tasks.translation",
    "preference": "r1kit.data.text_tasks.preference",
    "by_difficulty": "r1kit.data.ordering.by_difficulty",
    "mm_math": "r1kit.data.visual_tasks.mm_math",
    "grounding": "r1kit.data.visual_tasks.grounding",
    "detection": "r1kit.data.visual_tasks.detection",
    "jigsaw": "r1kit.data.visual_tasks.jigsaw",
    "gui_action": "r1kit.data.visual_tasks.gui_action",
    "classification": "r1kit.data.visual_tasks.classification",
    "frame_search": "r1kit.data.visual_tasks.frame_search",
    "reasoning_gym": "r1kit.data.reasoning_gym.generate",
    "human_eval": "r1kit.data.code_tasks.human_eval",
    "tool_addition": "r1kit.data.tool_tasks.tool_addition",
    "function_calls": "r1kit.data.env_tasks.function_calls",
    "file_tree": "r1kit.data.env_tasks.file_tree",
})
PASSTHROUGH = ("difficulty", "domain", "environment")  # optional example columns an adapter need not know about
SUFFIXES = (".jsonl", ".json", ".parquet", ".csv")


def load_rows(spec: dict, where: str) -> tuple[list[dict], str]:
    """Raw rows and a description of their source, for error messages."""
    rows, source, _ = _load_rows(spec, where)
    return rows, source


def _load_rows(spec: dict, where: str) -> tuple[list[dict], str, list[Path | None]]:
    """Raw rows, their source, and the file each row came from (None for generators and hubs): relative image
    paths in a row are resolved against its file's folder."""
    adapter_cls = get_adapter_class(spec["adapter"], f"{where}.adapter")
    generator = spec["generator"] or (None if spec["path"] else adapter_cls.default_generator)
    if generator:
        rows = generate_rows(generator, where)
        return rows, f"{where} (generator)", [None] * len(rows)
    if not spec["path"]:
        raise UserError(f"{where}: give `path` (file, folder or hub id) or `generator`.")
    path = Path(spec["path"]).expanduser()
    if path.exists():
        files = sorted(f for f in path.rglob("*") if f.suffix in SUFFIXES) if path.is_dir() else [path]
        if not files:
            raise UserError(f"{where}.path: {path} has no {'/'.join(SUFFIXES)} files.")
        per_file = [(f.resolve(), _read_file(f)) for f in files]
        rows = [row for _, file_rows in per_file for row in file_rows]
        return rows, f"{where} ({path})", [f for f, file_rows in per_file for _ in file_rows]
    rows = _from_hub(spec, where)
    return rows, f"{where} ({spec['path']})", [None] * len(rows)


def generate_rows(generator, where: str) -> list[dict]:
    """The rows a generator spec (`name`, or `{name | _target_, **options}`) makes; `where` names its dataset."""
    fn, kwargs = GENERATORS.resolve(generator, f"{where}.generator")
    try:
        rows = fn(**kwargs)
    except TypeError as err:
        raise UserError(f"{where}.generator: {err}") from err
    return list(rows)


def _read_file(path: Path) -> list[dict]:
    if path.suffix == ".jsonl":
        rows = []
        with path.open(encoding="utf-8") as f:
            for i, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as err:
                    raise UserError(f"{path}:{i}: not valid JSON ({err.msg}). Fix or remove that line.") from None
        return rows
    if path.suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise UserError(f"{path}: not valid JSON (line {err.lineno}: {err.msg}).") from None
        if isinstance(data, dict):  # {"data": [...]} or {"train": [...]} style
            lists = [v for v in data.values() if isinstance(v, list)]
            data = lists[0] if len(lists) == 1 else None
        if not isinstance(data, list):
            raise UserError(f"{path}: expected a list of rows (or a mapping with one list).")
        return data
    import datasets

    loader = datasets.Dataset.from_parquet if path.suffix == ".parquet" else datasets.Dataset.from_csv
    try:
        return loader(str(path)).to_list()
    except Exception as err:  # pyarrow raises many kinds of errors for a broken file
        raise UserError(f"{path}: could not be read as {path.suffix[1:]} ({err}).") from err


def _from_hub(spec: dict, where: str) -> list[dict]:
    import datasets

    try:
        ds = datasets.load_dataset(spec["path"], spec["subset"], split=spec["split"])
    except Exception as err:
        raise UserError(f"{where}.path={spec['path']!r} is neither a local file nor a dataset the hub gave "
                        f"({type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}). "
                        "Offline? Point `path` at a local jsonl/json/parquet file.") from err
    return ds.to_list()


def build_examples(spec: dict, where: str):
    """Load, check columns, adapt every row; returns a `datasets.Dataset` of example rows."""
    import datasets

    adapter_cls = get_adapter_class(spec["adapter"], f"{where}.adapter")
    try:
        adapter = adapter_cls(columns=spec["columns"], **spec["options"])
    except TypeError as err:
        raise UserError(f"{where}.options: {err}") from err
    except UserError as err:  # an unknown role in `columns`
        raise UserError(f"{where}.columns: {err}") from None
    rows, source, files = _load_rows(spec, where)
    if spec["limit"]:
        rows = rows[: spec["limit"]]
    if not rows:
        raise UserError(f"{source}: no rows.")
    adapter.check_columns(sorted({k for row in rows[:100] for k in row}), source)
    several_files = len({f for f in files if f is not None}) > 1
    examples = []
    for i, row in enumerate(rows):
        if hasattr(adapter, "data_dir"):  # visual adapters resolve relative image paths against the row's file
            adapter.data_dir = files[i].parent if files[i] is not None else None
        try:
            example = adapter.example(row)
            if "images" in example:  # store the file or bytes, not decoded pixels, so big datasets fit in memory
                example["images"] = [storable(image) for image in example["images"]]
            examples.append({**{k: row[k] for k in PASSTHROUGH if k in row}, **example})
        except (ValueError, TypeError, KeyError) as err:
            in_file = f" (in {files[i]})" if several_files else ""
            raise UserError(f"{source}, row {i}{in_file}: {err}") from None
    keys = list(dict.fromkeys(key for example in examples for key in example))  # from_list reads row 0's keys only
    ds = datasets.Dataset.from_list([{key: example.get(key) for key in keys} for example in examples])
    if "images" in ds.column_names:  # decoded on access as RGB PIL images, as the example-row contract says
        ds = as_image_column(ds)
    ds.info.description = source
    return ds, adapter


def as_image_column(ds):
    """Type the `images` column (stored files or bytes) as a list of `datasets.Image(mode="RGB")`, quietly."""
    import datasets

    quiet = datasets.are_progress_bars_disabled()
    datasets.disable_progress_bars()
    try:
        return ds.cast_column("images", getattr(datasets, "List", datasets.Sequence)(datasets.Image(mode="RGB")))
    finally:
        if not quiet:
            datasets.enable_progress_bars()
