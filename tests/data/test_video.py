"""Video rows: frame lists, animated images and video files -> sampled, checked frames; the adapter options."""

import importlib.util
import re

import numpy as np
import pytest
from PIL import Image

from r1kit.data.images import ImageError
from r1kit.data.load import build_examples
from r1kit.data.video import load_video, sample_indices
from r1kit.data.visual import Classification
from r1kit.data.visual_tasks import frame_search
from r1kit.errors import UserError
from tests.data.cases import spec, write_jsonl


def clip(n: int, size=(40, 30)) -> list[Image.Image]:
    """n frames, frame k filled with grey level 10k, so a frame's index can be read back from its pixels."""
    return [Image.new("RGB", size, (10 * k, 10 * k, 10 * k)) for k in range(n)]


def index_of(frame) -> int:
    return frame.getpixel((0, 0))[0] // 10


def save_gif(path, frames, milliseconds: int):
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=milliseconds, loop=0)


@pytest.mark.parametrize("total, frames, fps, seconds, expected", [
    (8, None, None, None, list(range(8))),          # every frame
    (8, 4, None, None, [1, 3, 5, 7]),                # uniform: the middle of each quarter
    (3, 5, None, None, [0, 1, 2]),                   # never more frames than the clip has
    (20, None, 2.0, 2.0, [2, 7, 12, 17]),            # 2 per second over 2 s
    (100, None, 30.0, 10.0, None),                   # capped at max_frames
])
def test_sample_indices(total, frames, fps, seconds, expected):
    got = sample_indices(total, frames, fps, seconds, max_frames=32)
    if expected is None:
        assert len(got) == 32 and got == sorted(set(got))
    else:
        assert got == expected


def test_a_list_of_frames_is_sampled_and_shrunk(tmp_path):
    paths = []
    for k, frame in enumerate(clip(6, size=(200, 100))):
        frame.save(tmp_path / f"f{k}.png")
        paths.append(f"f{k}.png")
    frames = load_video(paths, base=tmp_path, frames=3, frame_max_pixels=50 * 25)
    assert [index_of(f) for f in frames] == [1, 3, 5]
    assert all(f.size == (50, 25) and f.mode == "RGB" for f in frames)


def test_an_animated_gif_is_read_with_its_timing(tmp_path):
    path = tmp_path / "clip.gif"
    save_gif(path, clip(10), milliseconds=200)  # 2 s
    frames = load_video(str(path), fps=2.0)
    assert [index_of(f) for f in frames] == [1, 3, 6, 8]


def test_an_mp4_without_pyav_names_the_package(tmp_path):
    if importlib.util.find_spec("av") is not None:
        pytest.skip("PyAV is installed here")
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    with pytest.raises(ImageError, match=r"reading \.mp4 videos needs PyAV \(`pip install av`\)"):
        load_video(str(path))


@pytest.mark.parametrize("ref, message", [
    ([], r"video has no image"),
    ("missing.gif", r"image file .*missing\.gif does not exist"),
    (b"not a video", r"neither an animated image PIL can read nor a video file"),
])
def test_bad_videos_raise_image_errors(tmp_path, ref, message):
    with pytest.raises(ImageError, match=message):
        load_video(ref, base=tmp_path)


@pytest.mark.parametrize("options, message", [
    ({"frames": 4, "fps": 1.0}, r"frames=4 must be left unset when fps is set"),
    ({"fps": 0}, r"fps=0 must be a positive number"),
    ({"frames": 0}, r"frames=0 must be a positive integer"),
    ({"frame_max_pixels": -5}, r"frame_max_pixels=-5 must be a positive integer"),
])
def test_video_options_are_checked(options, message):
    with pytest.raises(TypeError, match=message):
        Classification(labels=["1", "2"], **options)


def test_video_rows_load_from_a_data_file_and_a_bad_one_names_its_row(tmp_path):
    gif = tmp_path / "ok.gif"
    save_gif(gif, clip(4), milliseconds=100)
    (tmp_path / "bad.gif").write_text("no")
    data = write_jsonl(tmp_path / "rows.jsonl", [{"video": "ok.gif", "label": "1"},
                                                 {"video": ["ok.gif", "ok.gif"], "label": "2"}])
    clips = spec("classification", path=data, options={"labels": ["1", "2"], "frames": 2})
    ds, _ = build_examples(clips, "datasets.v")
    assert [len(row) for row in ds["images"]] == [2, 2]
    data = write_jsonl(tmp_path / "rows.jsonl", [{"video": "ok.gif", "label": "1"}, {"video": "bad.gif", "label": "2"}])
    with pytest.raises(UserError, match=rf"{re.escape(data)}\), row 1: column 'video'.*bad\.gif"):
        build_examples({**clips, "path": data}, "datasets.v")


def test_frame_search_clips_show_the_shape_in_the_labelled_frame_only():
    """Shaded clips turn from red to green frame by frame; only the labelled frame shows more than its
    background colour."""
    for row in frame_search(n=20, seed=3):
        frames, at = row["video"], int(row["label"]) - 1
        greens = [frame.getpixel((0, 0))[1] for k, frame in enumerate(frames) if k != at]
        assert greens == sorted(greens) and len(set(greens)) == 3
        colours = [len(np.unique(np.asarray(frame).reshape(-1, 3), axis=0)) for frame in frames]
        assert [c > 1 for c in colours] == [k == at for k in range(4)]
