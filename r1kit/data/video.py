"""Video references in raw rows -> the sampled frames, as RGB PIL images, decoded and checked at load time.

A video is a list of frame references (each read as r1kit.data.images reads an image), an
animated GIF, WebP or PNG read by PIL (already in the stack), or another video file (mp4,
webm, ...) read by PyAV when it is installed (`pip install av`). Frames are sampled
uniformly: `frames` of them, or `fps` per second of the clip's own timing (at most
`max_frames`), and shrunk to at most `frame_max_pixels` each.

The frames reach the model as an image sequence, one image per frame, through the same
`images` path that SFT, GRPO and eval already check (tests/integration/test_vl_correctness.py).
Qwen2-VL's own video input (`videos=`, two frames per temporal patch) is not used: TRL 1.16's
GRPO computes the loss's log-probs without video tensors, so the loss would not see the video.
"""

import io
import math
from pathlib import Path

from r1kit.data.images import ImageError, load_images, resolve_source

PYAV_SUFFIXES = (".mp4", ".webm", ".mkv", ".mov", ".avi", ".m4v", ".mpeg", ".mpg")


def load_video(value, base=None, what: str = "video", frames: int | None = None, fps: float | None = None,
               max_frames: int = 32, frame_max_pixels: int | None = None) -> list:
    """One video reference -> its sampled frames (a non-empty list of RGB PIL images)."""
    if isinstance(value, (list, tuple)):
        decoded, seconds = load_images(value, base, what), None
    else:
        decoded, seconds = _decode_file(value, base, what)
    if not decoded:
        raise ImageError(f"{what} has no decodable frame")
    chosen = [decoded[i] for i in sample_indices(len(decoded), frames, fps, seconds, max_frames)]
    return [shrink(frame, frame_max_pixels) for frame in chosen]


def sample_indices(total: int, frames: int | None, fps: float | None, seconds: float | None,
                   max_frames: int) -> list[int]:
    """Uniformly spaced frame indices: `frames` of them, or one per 1/fps seconds of the clip (a clip without
    timing counts as one frame per second), capped at max_frames; all frames when neither is given."""
    if frames is None and fps is None:
        count = min(total, max_frames)
    elif frames is not None:
        count = min(frames, total)
    else:
        count = max(1, min(total, max_frames, math.floor((seconds or total) * fps)))
    return sorted({min(total - 1, int((i + 0.5) * total / count)) for i in range(count)})


def shrink(frame, max_pixels: int | None):
    """The frame scaled down (aspect kept) to at most max_pixels; unchanged when it is already small enough."""
    from PIL import Image

    width, height = frame.size
    if not max_pixels or width * height <= max_pixels:
        return frame
    scale = math.sqrt(max_pixels / (width * height))
    return frame.resize((max(1, int(width * scale)), max(1, int(height * scale))), Image.Resampling.BICUBIC)


def _decode_file(ref, base, what: str) -> tuple[list, float | None]:
    """All frames of a video file and its length in seconds (None when the file has no timing)."""
    from PIL import Image, ImageSequence

    source, label = resolve_source(ref, base, what)
    path = source["path"]
    if path is not None and Path(path).suffix.lower() in PYAV_SUFFIXES:
        return _decode_with_pyav(path, label)
    try:
        with Image.open(io.BytesIO(source["bytes"]) if path is None else path) as opened:
            frames, milliseconds = [], 0
            for frame in ImageSequence.Iterator(opened):
                milliseconds += frame.info.get("duration", 0) or 0
                frames.append(frame.convert("RGB"))
    except Image.UnidentifiedImageError:
        raise ImageError(f"{label} is neither an animated image PIL can read nor a video file "
                         f"({', '.join(PYAV_SUFFIXES)}, read with PyAV)") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        raise ImageError(f"cannot read {label}: {type(err).__name__}: {err}") from None
    return frames, milliseconds / 1000 or None


def _decode_with_pyav(path: str, label: str) -> tuple[list, float | None]:
    try:
        import av
    except ImportError:
        raise ImageError(f"{label}: reading {Path(path).suffix} videos needs PyAV (`pip install av`); or give "
                         "the video as a list of frame files, or as an animated GIF/WebP/PNG") from None
    try:
        with av.open(path) as container:
            stream = container.streams.video[0]
            frames = [frame.to_image().convert("RGB") for frame in container.decode(stream)]
            seconds = float(stream.duration * stream.time_base) if stream.duration else None
    except (av.error.FFmpegError, IndexError, ValueError, OSError) as err:
        raise ImageError(f"cannot read {label}: {type(err).__name__}: {err}") from None
    return frames, seconds
