"""Datasets a generate stage writes into the run directory, and how later stages read them.

A generated dataset is a folder (the generate stage's final/) holding `data.jsonl`, rows
already in r1kit's example form (prompt, answer, messages or chosen/rejected, ...), and
`summary.json`, what was sampled and kept. A row's images are PNG files under `images/`,
named in the row by relative path, and come back as the usual `images` column. It is written
to a temporary folder and renamed into place, so a folder that exists is whole. A later stage names it `data: stage:<name>`.
"""

import json
import os
import shutil
from pathlib import Path

from r1kit.errors import UserError

ROWS = "data.jsonl"
SUMMARY = "summary.json"
IMAGES = "images"


def write_generated(folder: Path, rows: list[dict], summary: dict):
    """Write rows and summary to `folder` atomically (a temporary sibling, then one rename)."""
    folder = Path(folder)
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with open(tmp / ROWS, "w") as f:
        for i, row in enumerate(rows):
            if row.get("images"):
                row = {**row, "images": _save_images(tmp, i, row["images"])}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    (tmp / SUMMARY).write_text(json.dumps(summary, indent=2) + "\n")
    if folder.exists():
        shutil.rmtree(folder)
    os.replace(tmp, folder)


def _save_images(folder: Path, row: int, images: list) -> list[str]:
    """Each image (a PIL image, or an image column's stored {path, bytes}) as a PNG file; their relative names."""
    from r1kit.data.images import load_image

    (folder / IMAGES).mkdir(exist_ok=True)
    names = []
    for k, image in enumerate(images):
        name = f"{IMAGES}/{row}-{k}.png"
        load_image(image).save(folder / name, format="PNG", compress_level=1)
        names.append(name)
    return names


def is_generated(folder) -> bool:
    return (Path(folder) / ROWS).is_file()


def load_generated(folder, where: str):
    """The rows of a generated dataset as a datasets.Dataset."""
    import datasets

    path = Path(folder) / ROWS
    if not path.is_file():
        raise UserError(f"{where}: {folder} holds no generated dataset ({ROWS} is missing).")
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if not rows:
        raise UserError(f"{where}: the generated dataset {folder} has no rows.")
    if "images" not in rows[0]:
        return datasets.Dataset.from_list(rows)
    from r1kit.data.load import as_image_column

    for row in rows:
        row["images"] = [{"path": str(Path(folder) / name), "bytes": None} for name in row["images"] or []]
    return as_image_column(datasets.Dataset.from_list(rows))
