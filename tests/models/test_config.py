"""The `model` section's checks: one source, a known builder, a known dtype, files that exist."""

import pytest

from r1kit.errors import UserError
from r1kit.models.config import DTYPES, check_model
from tests.models.cases import TINY, model_cfg


def test_a_built_model_passes():
    check_model(model_cfg())
    check_model(model_cfg(build="tiny_vl"))  # a bare name works as well as `{name: ...}`
    check_model(model_cfg(build={"_target_": "r1kit.models.tiny.build_tiny", "hidden_size": 16}))
    assert {"auto", "bf16", "float32"} <= DTYPES


def test_sources():
    with pytest.raises(UserError, match=r"model: say where the weights come from"):
        check_model(model_cfg(build=None))
    with pytest.raises(UserError, match=r"`build` cannot be combined with path"):
        check_model(model_cfg(path="Qwen/Qwen2.5-0.5B-Instruct"))
    with pytest.raises(UserError, match=r"model\.path: /no/such/model does not exist"):
        check_model(model_cfg(build=None, path="/no/such/model"))
    check_model(model_cfg(build=None, path="Qwen/Qwen2.5-0.5B-Instruct"))  # a hub id is not checked offline


def test_gguf_file_must_exist(tmp_path):
    with pytest.raises(UserError, match=r"model\.gguf_file: .*model\.gguf does not exist"):
        check_model(model_cfg(build=None, path=str(tmp_path), gguf_file="model.gguf"))
    (tmp_path / "model.gguf").write_bytes(b"")
    check_model(model_cfg(build=None, path=str(tmp_path), gguf_file="model.gguf"))


def test_builder_names_and_targets():
    with pytest.raises(UserError, match=r"unknown model\.build 'tinyy'\. Did you mean 'tiny', 'tiny_vl'\?"):
        check_model(model_cfg(build={**TINY, "name": "tinyy"}))
    with pytest.raises(UserError, match=r"model\.build `_target_: nope_pkg\.models\.build`: cannot import module"):
        check_model(model_cfg(build={"_target_": "nope_pkg.models.build"}))


def test_dtype():
    with pytest.raises(UserError, match=r"model\.dtype='fp8': choose one of .*bf16.*float32"):
        check_model(model_cfg(dtype="fp8"))
