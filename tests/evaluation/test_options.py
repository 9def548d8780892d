"""`r1kit eval` options: config names versus paths, composition, and the sampling checks."""

import pytest

from r1kit.errors import UserError
from r1kit.evaluation.options import check_sampling, compose_eval, split_overrides


def test_config_names_go_to_hydra_and_paths_are_kept_aside():
    hydra, plain = split_overrides(["model=smollm2", "data=runs/x/held", "compare=[a,b]", "n=4"])
    assert hydra == ["+model=smollm2", "n=4"]
    assert plain == {"compare": ["a", "b"], "model_name": "smollm2", "data": "runs/x/held"}


def test_an_unknown_reward_stack_names_the_known_ones():
    with pytest.raises(UserError, match=r"reward=nope: unknown reward stack\. Known: .*r1_math"):
        split_overrides(["reward=nope"])


def test_compose_fills_in_sampling_defaults_and_remembers_config_names():
    cfg = compose_eval(["model=tiny", "data=addition", "n=4"], compare=["other"])
    assert cfg["k"] == [1, 4] and cfg["temperature"] == 1.0 and cfg["compare"] == ["other"]
    assert cfg["_names"] == {"model": "tiny", "data": "addition", "reward": None}
    assert isinstance(cfg["model"], dict) and cfg["model"]["build"]


def test_compose_names_an_unknown_key():
    with pytest.raises(UserError, match="nn: unknown key"):
        compose_eval(["model=tiny", "nn=3"])


def base(**changes) -> dict:
    return {"n": 1, "k": None, "temperature": None, "backend": "auto", "batch_size": 64, "max_new_tokens": None,
            "limit": None, **changes}


def test_greedy_for_one_sample_and_k_sorted_without_repeats():
    cfg = base()
    check_sampling(cfg)
    assert cfg["k"] == [1] and cfg["temperature"] == 0.0
    cfg = base(n=8, k=[8, 1, 4, 4], temperature=0.7)
    check_sampling(cfg)
    assert cfg["k"] == [1, 4, 8] and cfg["temperature"] == 0.7


@pytest.mark.parametrize(("override", "message"), [
    ("n=0", "n=0: must be at least 1"),
    ("temperature=-1", r"temperature=-1\.0: must be at least 0"),
    ("top_p=0", "top_p=0.0: must be greater than 0"),
    ("batch_size=0", "batch_size=0: must be at least 1"),
    ("max_new_tokens=0", "max_new_tokens=0: must be at least 1"),
    ("limit=0", "limit=0: must be at least 1"),
])
def test_out_of_range_numbers_are_named_when_composed(override, message):
    with pytest.raises(UserError, match=message):
        compose_eval(["model=tiny", "data=addition", override])


@pytest.mark.parametrize(("changes", "message"), [
    ({"n": 2, "k": 4}, "k=4 with n=2"),
    ({"n": 2, "k": "two"}, "give an integer or a list"),
    ({"n": 2, "k": [True]}, "give an integer or a list"),
    ({"n": 4, "temperature": 0}, "greedy decoding gives 4 identical samples"),
    ({"backend": "tpu"}, "backend='tpu'"),
])
def test_sampling_mistakes_are_named(changes, message):
    with pytest.raises(UserError, match=message):
        check_sampling(base(**changes))
