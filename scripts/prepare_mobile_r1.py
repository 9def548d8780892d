"""Mobile-R1's open trajectories (PG23/Mobile-R1: data.jsonl + images/) as single-step `gui_action` rows.

A Mobile-R1 row is one task on one Chinese app: `app_name`, `instruction`, `system` (the agent's
system prompt), `image_width` / `image_height` (the screen the coordinates are in),
`trajectory_length` and `trajectory`, its steps in order, each `{"image": <file in images/>,
"thought": <the annotated reasoning>, "action": <the step's action>}` (the dataset card).

The card does not spell out the action's sub-fields, so `convert` reads it as Qwen2.5-VL's
`mobile_use` tool arguments, which Mobile-R1's replies call (its paper: `<think>`, `<action>`,
`<tool_call>`): `{"action": "click", "coordinate": [x, y], "bbox": [x1, y1, x2, y2]}`,
`{"action": "type", "text": ...}`, `{"action": "system_button", "button": "Back"}`,
`{"action": "terminate", "status": "success"}`...; also as a JSON string, or wrapped as
`{"name": "mobile_use", "arguments": {...}}`. Check a few rows before a long run.

Every step becomes one row (Mobile-R1's stages 1-2 predict one action from the screenshot, the
task and the earlier actions): the screenshot, the user text with the history of the earlier
steps' actions (`question`, r1kit's wording: Mobile-R1's user turn is not published), the row's
`system`, the `thought` (the SFT target's reasoning) and the gold: action name, target box
(`bbox`, else the `coordinate` as a point) as fractions of image_width x image_height, and the
argument (text, button or status) that must match exactly. A swipe is scored by its start
point, as a click (the paper: coordinate actions by the point in the box).

    huggingface-cli download --repo-type dataset PG23/Mobile-R1 --local-dir <dir>
    python scripts/prepare_mobile_r1.py --source <dir>/data.jsonl --image-root <dir>/images --out data/mobile_r1.jsonl
"""

import argparse
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

TOOL = "mobile_use"
POINT_ACTIONS = ("click", "long_press", "swipe")  # scored by the point in the gold box (paper, Sec. 3)
ARGUMENT_KEYS = ("text", "button", "status")      # scored by exact match
QUESTION = ("The user query: {instruction}\n"
            "Task progress (the operations already done on the device): {history}")


def read_action(value, where: str) -> dict:
    """A step's action as the mobile_use arguments mapping (from a mapping, a JSON text, or a wrapped call)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError(f"{where}: action {value!r:.80} is not JSON") from None
    if isinstance(value, dict) and value.get("name") == TOOL and isinstance(value.get("arguments"), dict):
        value = value["arguments"]
    if not isinstance(value, dict) or not isinstance(value.get("action"), str) or not value["action"].strip():
        raise ValueError(f"{where}: action {value!r:.80} has no action name (mobile_use arguments expected)")
    return value


def _fractions(numbers, n: int, width: int, height: int, where: str) -> list[float]:
    if not isinstance(numbers, (list, tuple)) or len(numbers) != n:
        raise ValueError(f"{where}: {numbers!r} is not {n} numbers")
    out = [float(v) / (width if i % 2 == 0 else height) for i, v in enumerate(numbers)]
    if not all(0 <= v <= 1 for v in out):
        raise ValueError(f"{where}: {list(numbers)} lies outside the {width}x{height} screen (image_width, "
                         "image_height)")
    return [round(v, 6) for v in out]


def history(actions: list[dict]) -> str:
    """The earlier steps' actions, `Step k: {...}` each (their target boxes left out), or "None"."""
    shown = [{k: v for k, v in a.items() if k != "bbox"} for a in actions]
    return "; ".join(f"Step {k}: {json.dumps(a, ensure_ascii=False)}" for k, a in enumerate(shown, 1)) or "None"


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """Mobile-R1 trajectories -> one gui_action row per step (image, question, system, thought, action, bbox, text)."""
    for i, row in enumerate(rows):
        missing = [k for k in ("instruction", "trajectory", "image_width", "image_height") if not row.get(k)]
        if missing:
            raise ValueError(f"row {i}: no {', '.join(missing)} (Mobile-R1 columns: app_name, trajectory_length, "
                             "instruction, system, image_width, image_height, trajectory)")
        width, height = int(row["image_width"]), int(row["image_height"])
        done: list[dict] = []
        for s, step in enumerate(row["trajectory"]):
            where = f"row {i} ({row.get('app_name')}), step {s}"
            if not isinstance(step, dict) or not step.get("image"):
                raise ValueError(f"{where}: a step needs an image (and thought, action), got {step!r:.80}")
            action = read_action(step.get("action"), where)
            name = action["action"].strip().lower()
            target = None
            if name in POINT_ACTIONS:
                if action.get("bbox") is not None:
                    target = _fractions(action["bbox"], 4, width, height, f"{where}: bbox")
                elif action.get("coordinate") is not None:
                    target = _fractions(action["coordinate"], 2, width, height, f"{where}: coordinate")
                else:
                    raise ValueError(f"{where}: a {name} needs a bbox or a coordinate")
            text = next((str(action[k]) for k in ARGUMENT_KEYS if action.get(k) not in (None, "")), None)
            image = str(Path(image_root) / step["image"]) if image_root else step["image"]
            yield {"image": image, "instruction": row["instruction"],
                   "question": QUESTION.format(instruction=row["instruction"], history=history(done)),
                   "system": row.get("system"), "thought": step.get("thought"), "action": name, "bbox": target,
                   "text": None if name in POINT_ACTIONS else text, "app_name": row.get("app_name"), "step": s}
            done.append(action)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/mobile_r1.jsonl")
    parser.add_argument("--source", required=True, help="Mobile-R1's data.jsonl")
    parser.add_argument("--image-root", required=True, help="the folder of the screenshots (images/)")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source), str(Path(args.image_root).resolve())), args.out)


if __name__ == "__main__":
    main()
