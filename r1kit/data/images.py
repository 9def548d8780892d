"""Image references in raw rows -> RGB PIL images, decoded in full and checked at load time.

A reference is a file path (relative paths are resolved against a base folder: the
`image_root` option or the data file's folder), a PIL image, a `datasets` Image value
(`{"bytes": ..., "path": ...}`), encoded bytes, a `data:image/...;base64,...` URI, or a
numpy array. Every image is decoded in full (`.load()`, not just `.verify()`), so a
truncated or corrupt file fails while the dataset loads, naming the file, rather than
mid-training. EXIF orientation is applied and the result converted to RGB, exactly as
`datasets.Image(mode="RGB")` decodes it, so the dataset can store the file's path or
its original bytes (`storable`) instead of re-encoding pixels.
"""

import base64
import binascii
import io
from pathlib import Path

_SOURCE = "_r1kit_source"  # attribute set on a loaded image: the path or bytes it decodes from
URL_PREFIXES = ("http://", "https://", "s3://", "gs://", "hf://")
MAX_ASPECT_RATIO = 200  # Qwen2/2.5-VL's processor refuses longer sides (ValueError inside the trainer's collator)


class ImageError(ValueError):
    """An image reference that cannot be turned into an image; the message names the file."""


def load_images(value, base: str | Path | None = None, what: str = "image") -> list:
    """One reference or a list of them -> a non-empty list of RGB PIL images."""
    refs = list(value) if isinstance(value, (list, tuple)) else [value]
    if not refs or value is None:
        raise ImageError(f"{what} has no image")
    many = len(refs) > 1
    return [load_image(ref, base, f"{what}[{i}]" if many else what) for i, ref in enumerate(refs)]


def load_image(ref, base: str | Path | None = None, what: str = "image"):
    """One reference -> an RGB PIL image with its pixels loaded (see the module docstring)."""
    from PIL import Image, ImageFile

    if isinstance(ref, Image.Image):
        image, source, label = ref, None, f"{what} (a PIL image)"
    elif hasattr(ref, "__array_interface__"):  # numpy array (H, W) or (H, W, C)
        try:
            image = Image.fromarray(ref)
        except (TypeError, ValueError) as err:
            raise ImageError(f"{what}: an array of shape {getattr(ref, 'shape', '?')} and dtype "
                             f"{getattr(ref, 'dtype', '?')} is not an image ({err})") from None
        source, label = None, f"{what} (an array)"
    else:
        source, label = resolve_source(ref, base, what)
        image = None
    truncated_ok = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated file must fail here, whatever another library set
    try:
        if image is None:
            data = source["bytes"]
            with Image.open(io.BytesIO(data) if data is not None else source["path"]) as opened:
                image = _decoded_rgb(opened)
        else:
            image = _decoded_rgb(image)
    except Image.UnidentifiedImageError:
        raise ImageError(f"{label} is not an image file PIL can read (corrupt, or not an image at all)") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        raise ImageError(f"cannot read {label}: {type(err).__name__}: {err}") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated_ok
    width, height = image.size
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise ImageError(f"{label} is {width}x{height}: an aspect ratio over {MAX_ASPECT_RATIO}:1, which vision "
                         "processors (Qwen2-VL's) refuse; crop or pad it")
    if source is not None:
        setattr(image, _SOURCE, source)
    return image


def _decoded_rgb(image):
    """Decode every pixel (a truncated file raises here), then orient and convert as `datasets.Image` does."""
    from PIL import ExifTags, ImageOps

    image.load()
    if image.getexif().get(ExifTags.Base.Orientation) is not None:
        image = ImageOps.exif_transpose(image)
    return image if image.mode == "RGB" else image.convert("RGB")


def resolve_source(ref, base, what: str) -> tuple[dict, str]:
    """A non-PIL reference -> ({"path": resolved, "bytes": None} or {"path": None, "bytes": ...}, label)."""
    if isinstance(ref, dict) and ("bytes" in ref or "path" in ref):  # a `datasets` Image value
        if ref.get("bytes"):
            return {"path": None, "bytes": bytes(ref["bytes"])}, f"{what} (bytes of {ref.get('path') or 'an image'})"
        if not ref.get("path"):
            raise ImageError(f"{what} is an image value with neither bytes nor a path")
        ref = ref["path"]
    if isinstance(ref, (bytes, bytearray, memoryview)):
        if not ref:
            raise ImageError(f"{what} is empty bytes")
        return {"path": None, "bytes": bytes(ref)}, f"{what} ({len(ref)} bytes)"
    if isinstance(ref, str) and ref.strip().startswith("data:"):
        header, _, payload = ref.strip().partition(",")
        if not header.endswith(";base64") or not payload:
            raise ImageError(f"{what} is a data URI that is not `data:image/...;base64,<data>`")
        try:
            return {"path": None, "bytes": base64.b64decode(payload, validate=True)}, f"{what} (a base64 data URI)"
        except (binascii.Error, ValueError):
            raise ImageError(f"{what} is a data URI whose base64 payload does not decode") from None
    if isinstance(ref, str) and ref.strip().lower().startswith(URL_PREFIXES):
        raise ImageError(f"{what} is a URL ({ref.strip()[:120]}); r1kit does not download images. Download them and "
                         "point the column at local files (relative paths are resolved against options.image_root)")
    if not isinstance(ref, (str, Path)) or not str(ref).strip():
        raise ImageError(f"{what} is {type(ref).__name__} {repr(ref)[:80]}, not an image: give a file path, a PIL "
                         "image, encoded bytes, a data URI or a `datasets` Image value")
    path = Path(str(ref).strip()).expanduser()
    if not path.is_absolute() and base is not None:
        path = Path(base).expanduser() / path
    if not path.is_file():
        where = (f"relative paths are resolved against {Path(base).expanduser()}; set options.image_root to the "
                 "folder they are relative to" if base is not None and not Path(str(ref).strip()).is_absolute()
                 else "check the path")
        raise ImageError(f"{what}: image file {path} does not exist ({where})")
    return {"path": str(path.resolve()), "bytes": None}, f"{what}: image file {path}"


def storable(image) -> dict:
    """What a `datasets.Image(mode="RGB")` column stores for a loaded image: its source file or bytes when the
    pixels are exactly what decoding those gives, else the pixels encoded as PNG (lossless). Any other reference
    (an adapter of your own may return paths) is loaded first, so it is checked like the rest."""
    from PIL import Image

    if not isinstance(image, Image.Image):
        image = load_image(image)
    source = getattr(image, _SOURCE, None)
    if source is not None:
        return dict(source)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return {"path": None, "bytes": buffer.getvalue()}
