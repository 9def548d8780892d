"""Image references in published rows, as the visual prepare scripts write them into jsonl.

A published image is a relative file name (joined with `image_root` when given), a `file://` URI,
a `datasets` Image value (`{"bytes", "path"}`) or a decoded PIL image (what `datasets.load_dataset`
gives for an Image column). Files stay paths; pixels become a `data:image/png;base64,...` URI,
which r1kit's image loader reads, so the jsonl is self-contained.
"""

import base64
import io
from pathlib import Path


def image_ref(value, image_root: str | None = None, what: str = "image") -> str:
    """One published image as a path or a data URI; ValueError when it is none of the shapes above."""
    if isinstance(value, dict):
        if value.get("bytes"):
            return "data:image/png;base64," + base64.b64encode(value["bytes"]).decode("ascii")
        value = value.get("path")
    if hasattr(value, "save") and hasattr(value, "size"):  # a PIL image
        buffer = io.BytesIO()
        value.save(buffer, format="PNG")
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} {value!r} is not an image file name, a datasets Image value or a PIL image")
    value = value.strip().removeprefix("file://")
    if image_root is not None and not value.startswith("data:") and not Path(value).is_absolute():
        return str(Path(image_root) / value)
    return value
