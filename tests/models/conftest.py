"""The tiny models the model tests share, built once per test module."""

import pytest
import torch

from r1kit.models.load import load_model
from r1kit.models.tiny import build_tiny
from tests.models.cases import vl_cfg


@pytest.fixture(scope="module")
def tiny():
    return build_tiny(hidden_size=32, num_heads=2, num_kv_heads=1, seed=0)


@pytest.fixture(scope="module")
def tiny_vl():
    torch.manual_seed(0)
    return load_model(vl_cfg())
