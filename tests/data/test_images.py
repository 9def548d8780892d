"""Image references -> RGB PIL images (r1kit.data.images), on real files written to tmp_path, and through build_examples."""

import base64
import io
import json
import re
import struct
import zlib

import datasets
import numpy as np
import pytest
from PIL import Image, ImageFile

from r1kit.data.images import ImageError, load_image, load_images, storable
from r1kit.data.load import build_examples
from r1kit.errors import UserError


def spec(adapter: str = "classification", **kw) -> dict:
    """A dataset spec with every DatasetSchema default filled in, as validate() returns it."""
    return {"adapter": adapter, "path": None, "generator": None, "subset": None, "split": "train",
            "columns": {}, "options": {}, "limit": None, **kw}


def noise(width: int, height: int, seed: int = 0, mode: str = "RGB") -> Image.Image:
    channels = {"RGB": 3, "RGBA": 4, "L": 1}[mode]
    pixels = np.random.default_rng(seed).integers(0, 256, size=(height, width, channels), dtype=np.uint8)
    return Image.fromarray(pixels[..., 0] if channels == 1 else pixels, mode)


def gradient(width: int, height: int) -> Image.Image:
    """A smooth picture: JPEG keeps it within a few levels."""
    x, y = np.meshgrid(np.linspace(0, 255, width), np.linspace(0, 255, height))
    return Image.fromarray(np.stack([x, y, 255 - x], axis=2).astype(np.uint8), "RGB")


def encoded(image: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kw)
    return buffer.getvalue()


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def decoded_like_the_dataset(image) -> Image.Image:
    """What a datasets.Image(mode="RGB") column gives back for what build_examples stores."""
    return datasets.Image(mode="RGB").decode_example(storable(image))


# --- references --------------------------------------------------------------------------------------


def test_png_and_jpeg_files_by_absolute_and_relative_path(tmp_path):
    original = noise(40, 30)
    original.save(tmp_path / "a.png")
    gradient(40, 30).save(tmp_path / "b.jpg", quality=95)
    png = load_image(str(tmp_path / "a.png"))
    assert png.mode == "RGB" and png.size == (40, 30) and png.tobytes() == original.tobytes()
    jpg = load_image("b.jpg", base=tmp_path)
    assert jpg.mode == "RGB" and jpg.size == (40, 30)
    assert np.abs(np.asarray(jpg, dtype=int) - np.asarray(gradient(40, 30), dtype=int)).mean() < 3  # lossy, close
    assert load_image(tmp_path / "a.png").tobytes() == original.tobytes()  # a pathlib.Path too


@pytest.mark.parametrize("mode", ["RGBA", "L"])
def test_other_modes_become_rgb(tmp_path, mode):
    noise(8, 6, mode=mode).save(tmp_path / "x.png")
    image = load_image(str(tmp_path / "x.png"))
    assert image.mode == "RGB" and image.size == (8, 6)
    palette = noise(8, 6).convert("P")
    assert load_image(palette).mode == "RGB"


def test_in_memory_references_pil_bytes_datasets_value_data_uri_and_array(tmp_path):
    original = noise(12, 9, seed=3)
    png = encoded(original)
    noise(12, 9, seed=3).save(tmp_path / "n.png")
    uri = "data:image/png;base64," + base64.b64encode(png).decode()
    array = np.asarray(original)
    for ref in (original, png, bytearray(png), {"bytes": png, "path": "somewhere/else.png"},
                {"bytes": None, "path": str(tmp_path / "n.png")}, uri, array):
        image = load_image(ref)
        assert image.mode == "RGB" and image.tobytes() == original.tobytes(), type(ref)


@pytest.mark.parametrize("ref, message", [
    (None, r"NoneType None, not an image"),
    (7, r"int 7.*not an image: give a file path, a PIL image"),
    ("", r"str '', not an image"),
    (b"", r"empty bytes"),
    ({"bytes": None, "path": None}, r"neither bytes nor a path"),
    ("data:image/png,abc", r"not `data:image/...;base64,<data>`"),
    ("data:image/png;base64,@@@", r"base64 payload does not decode"),
    ("https://example.com/cat.png", r"is a URL .*does not download images"),
    (b"not an image at all", r"not an image file PIL can read"),
    (np.zeros((4, 4, 3), dtype=np.float64), r"array of shape \(4, 4, 3\).*is not an image"),
])
def test_bad_references_raise_image_errors(ref, message):
    with pytest.raises(ImageError, match=message):
        load_image(ref, what="column 'image'")


def test_a_missing_file_names_the_resolved_path_and_the_base(tmp_path):
    with pytest.raises(ImageError, match=rf"image file {re.escape(str(tmp_path / 'imgs' / 'gone.png'))} does not "
                                         rf"exist \(relative paths are resolved against {re.escape(str(tmp_path))}; "
                                         "set options.image_root"):
        load_image("imgs/gone.png", base=tmp_path)
    with pytest.raises(ImageError, match=r"does not exist \(check the path\)"):
        load_image(str(tmp_path / "gone.png"), base=tmp_path)


def test_a_text_file_named_jpg_is_refused(tmp_path):
    fake = tmp_path / "photo.jpg"
    fake.write_text("this is not a JPEG\n")
    with pytest.raises(ImageError, match=rf"{re.escape(str(fake))} is not an image file PIL can read"):
        load_image(str(fake))


@pytest.mark.parametrize("fmt, suffix", [("PNG", "png"), ("JPEG", "jpg")])
def test_a_truncated_file_is_caught_by_decoding_every_pixel(tmp_path, fmt, suffix):
    data = encoded(noise(64, 64, seed=1), fmt)
    path = tmp_path / f"cut.{suffix}"
    path.write_bytes(data[: len(data) // 2])
    with Image.open(path) as header_only:  # the header is intact: opening alone does not notice
        assert header_only.size == (64, 64)
    with pytest.raises(ImageError, match=rf"cannot read .*{re.escape(str(path))}: OSError: .*truncated"):
        load_image(str(path))


def test_truncated_files_fail_even_if_another_library_allows_them(tmp_path, monkeypatch):
    data = encoded(noise(64, 64, seed=1))
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(ImageError, match="truncated"):
        load_image(str(tmp_path / "cut.png"))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored


def test_exif_orientation_is_applied_as_datasets_does(tmp_path):
    original = noise(20, 10, seed=2)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    original.save(tmp_path / "rot.jpg", exif=exif, quality=95)
    image = load_image(str(tmp_path / "rot.jpg"))
    assert image.size == (10, 20)
    assert decoded_like_the_dataset(image).tobytes() == image.tobytes()


def test_load_images_takes_one_or_a_list_and_names_the_bad_index(tmp_path):
    noise(5, 5).save(tmp_path / "ok.png")
    assert len(load_images(str(tmp_path / "ok.png"))) == 1
    assert len(load_images(["ok.png", "ok.png"], tmp_path)) == 2
    with pytest.raises(ImageError, match=r"column 'images'\[1\]: image file .*nope\.png does not exist"):
        load_images(["ok.png", "nope.png"], tmp_path, "column 'images'")
    with pytest.raises(ImageError, match="has no image"):
        load_images([], tmp_path)


def test_storable_keeps_files_and_bytes_and_encodes_only_new_pixels(tmp_path):
    noise(6, 4, mode="RGBA").save(tmp_path / "a.png")
    from_file = load_image("a.png", tmp_path)
    assert storable(from_file) == {"path": str((tmp_path / "a.png").resolve()), "bytes": None}
    png = encoded(noise(6, 4))
    assert storable(load_image(png)) == {"path": None, "bytes": png}
    drawn = noise(6, 4, seed=9)
    stored = storable(drawn)
    assert stored["path"] is None and Image.open(io.BytesIO(stored["bytes"])).format == "PNG"
    for image in (from_file, load_image(png), drawn):  # whatever is stored decodes to exactly these pixels
        assert decoded_like_the_dataset(image).tobytes() == image.tobytes()
    assert storable(str(tmp_path / "a.png")) == storable(from_file)  # a path from an adapter of your own


# --- through build_examples ------------------------------------------------------------------------------


def test_relative_paths_resolve_against_the_data_file_or_image_root(tmp_path):
    (tmp_path / "data" / "imgs").mkdir(parents=True)
    (tmp_path / "pics").mkdir()
    noise(10, 10, seed=4).save(tmp_path / "data" / "imgs" / "x.png")
    noise(10, 10, seed=5).save(tmp_path / "pics" / "x.png")
    data = write_jsonl(tmp_path / "data" / "rows.jsonl", [{"image": "imgs/x.png", "label": "cat"}])
    opts = {"labels": ["cat", "dog"]}
    ds, _ = build_examples(spec(path=data, options=opts), "datasets.v")
    assert ds[0]["images"][0].tobytes() == noise(10, 10, seed=4).tobytes()
    data2 = write_jsonl(tmp_path / "data" / "rows2.jsonl", [{"image": "x.png", "label": "cat"}])
    ds, _ = build_examples(spec(path=data2, options={**opts, "image_root": str(tmp_path / "pics")}), "datasets.v")
    assert ds[0]["images"][0].tobytes() == noise(10, 10, seed=5).tobytes()


def test_rows_in_a_folder_resolve_against_their_own_file(tmp_path):
    for sub, seed in (("a", 1), ("b", 2)):
        (tmp_path / sub).mkdir()
        noise(4, 4, seed=seed).save(tmp_path / sub / "img.png")
        write_jsonl(tmp_path / sub / "rows.jsonl", [{"image": "img.png", "label": "cat"}])
    ds, _ = build_examples(spec(path=str(tmp_path), options={"labels": ["cat"]}), "datasets.v")
    assert [r["images"][0].tobytes() for r in ds] == [noise(4, 4, seed=s).tobytes() for s in (1, 2)]
    (tmp_path / "b" / "img.png").unlink()
    with pytest.raises(UserError, match=rf"row 1 \(in {re.escape(str((tmp_path / 'b' / 'rows.jsonl').resolve()))}\): "
                                        r"column 'image': image file .*img\.png does not exist"):
        build_examples(spec(path=str(tmp_path), options={"labels": ["cat"]}), "datasets.v")


def with_size(png: bytes, width: int, height: int) -> bytes:
    """The PNG with its IHDR chunk's size rewritten (and its CRC fixed)."""
    ihdr = png[12:29]  # b"IHDR" + 13 bytes of header
    body = ihdr[:4] + struct.pack(">II", width, height) + ihdr[12:]
    return png[:12] + body + struct.pack(">I", zlib.crc32(body)) + png[33:]


@pytest.mark.parametrize("damage, message", [
    ("missing", r"column 'image': image file {img} does not exist"),
    ("truncated", r"cannot read column 'image': image file {img}: OSError: .*truncated"),
    ("text", r"column 'image': image file {img} is not an image file PIL can read"),
    ("empty", r"column 'image': image file {img} is not an image file PIL can read"),
    ("huge", r"cannot read column 'image': image file {img}: DecompressionBombError: Image size \(400000000 pixels\)"),
    ("sliver", r"column 'image': image file {img} is 1x300: an aspect ratio over 200:1"),
])
def test_bad_image_files_fail_at_load_time_naming_the_data_file_row_and_image(tmp_path, damage, message):
    noise(4, 4).save(tmp_path / "good.png")
    img = tmp_path / "bad.png"
    if damage == "truncated":
        data = encoded(noise(64, 64))
        img.write_bytes(data[: len(data) // 3])
    elif damage == "text":
        img.write_text("hello")
    elif damage == "empty":
        img.write_bytes(b"")
    elif damage == "huge":  # a real PNG whose header claims 20,000 x 20,000 pixels: refused before decoding
        img.write_bytes(with_size(encoded(noise(4, 4)), 20_000, 20_000))
    elif damage == "sliver":
        noise(1, 300).save(img)
    data = write_jsonl(tmp_path / "rows.jsonl", [{"image": "good.png", "label": "cat"},
                                                 {"image": "bad.png", "label": "cat"}])
    expected = rf"datasets\.v \({re.escape(data)}\), row 1: " + message.format(img=re.escape(str(img)))
    with pytest.raises(UserError, match=expected):
        build_examples(spec(path=data, options={"labels": ["cat"]}), "datasets.v")


def test_a_parquet_file_with_a_datasets_image_column(tmp_path):
    images = [noise(8, 8, seed=s) for s in range(3)]
    source = datasets.Dataset.from_dict({"picture": images, "label": ["cat", "dog", "cat"]})
    assert isinstance(source.features["picture"], datasets.Image)
    source.to_parquet(str(tmp_path / "train.parquet"))
    ds, _ = build_examples(spec(path=str(tmp_path / "train.parquet"), columns={"image": "picture"},
                                options={"labels": ["cat", "dog"]}), "datasets.v")
    assert [r["images"][0].tobytes() for r in ds] == [im.tobytes() for im in images]


def test_the_dataset_stores_files_not_pixels_and_decodes_rgb_pil_lists(tmp_path):
    noise(30, 20, mode="RGBA").save(tmp_path / "a.png")
    noise(16, 16).save(tmp_path / "b.jpg")
    rows = [{"question": "How many?", "answer": "2", "images": ["a.png", "b.jpg"]},
            {"question": "Sum?", "answer": "5", "images": ["b.jpg"]}]
    ds, _ = build_examples(spec("mm_math", path=write_jsonl(tmp_path / "rows.jsonl", rows)), "datasets.v")
    assert ds.features["images"] == datasets.List(datasets.Image(mode="RGB"))
    first = ds[0]["images"]
    assert all(isinstance(im, Image.Image) and im.mode == "RGB" for im in first)
    assert [im.size for im in first] == [(30, 20), (16, 16)] and len(ds[1]["images"]) == 1
    raw = ds.cast_column("images", datasets.List(datasets.Image(decode=False)))
    assert raw[0]["images"][0] == {"path": str((tmp_path / "a.png").resolve()), "bytes": None}
