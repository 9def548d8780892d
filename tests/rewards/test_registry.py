"""The registry: names, dotted paths, option checking, and what TRL needs of the result."""

import functools
import inspect
import pickle
import textwrap

import pytest
from reward_cases import GOOD

from r1kit.errors import UserError
from r1kit.rewards import available, registry, resolve

ALL = {
    "think_format",
    "think_format_soft",
    "math_accuracy",
    "exact_match",
    "choice",
    "cosine_length",
    "kimi_length",
    "soft_overlong",
    "repetition",
    "hard_format_accuracy",
}


def test_available_lists_every_reward_with_its_one_line_description():
    listed = available()
    assert ALL <= set(listed)
    for name, description in listed.items():
        assert description and "\n" not in description, name
    assert listed["think_format"].startswith("Strict format")


@pytest.mark.parametrize("name", sorted(ALL))
def test_resolve_by_name_is_named_for_trl_and_pickles(name):
    reward = resolve(name)
    assert reward.__name__ == name
    # TRL names a functools.partial after the function it wraps; this must keep its own name.
    assert not isinstance(reward, functools.partial)
    clone = pickle.loads(pickle.dumps(reward))
    assert clone.__name__ == name
    assert clone([GOOD], answer=["5"]) == reward([GOOD], answer=["5"])


def test_resolve_binds_options():
    reward = resolve("soft_overlong", max_completion_length=10, cache_length=4)
    assert reward(["x" * 8]) == [-0.5]
    # An option bound in the recipe wins over a dataset column of the same name.
    assert reward(["x" * 8], cache_length=[1]) == [-0.5]


def test_resolve_by_dotted_path():
    reward = resolve(target="r1kit.rewards.format.think_format")
    assert reward.__name__ == "think_format"
    assert reward([GOOD]) == [1.0]
    assert resolve("r1kit.rewards.format.think_format")([GOOD]) == [1.0]  # a dotted name works too


def test_resolve_a_users_own_reward(tmp_path, monkeypatch):
    (tmp_path / "my_rewards.py").write_text(
        textwrap.dedent(
            """
            def length_bonus(completions, *, scale=1.0, **kwargs):
                '''Longer is better (a test reward).'''
                return [scale * len(c) for c in completions]

            def strict(completions):
                return [0.0 for c in completions]

            async def remote(completions, **kwargs):
                return [1.0 for c in completions]

            class Remote:
                async def __call__(self, completions, **kwargs):
                    return [1.0 for c in completions]

            remote_scorer = Remote()
            NOT_A_FUNCTION = 3
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    reward = resolve(target="my_rewards.length_bonus", scale=2.0)
    assert reward.__name__ == "length_bonus"
    assert reward(["abc"], prompts=["p"], completion_ids=[[1]]) == [6.0]
    with pytest.raises(UserError, match=r"\*\*kwargs"):
        resolve(target="my_rewards.strict")
    with pytest.raises(UserError, match="not a function"):
        resolve(target="my_rewards.NOT_A_FUNCTION")
    assert inspect.iscoroutinefunction(resolve(target="my_rewards.remote").__call__)
    scorer = resolve(target="my_rewards.remote_scorer")
    assert scorer.__name__ == "remote_scorer"
    assert inspect.iscoroutinefunction(scorer.__call__)


def test_unknown_name_suggests_close_matches():
    with pytest.raises(UserError) as err:
        resolve("math_acuracy")
    assert "math_accuracy" in str(err.value)
    assert "r1kit ls" in str(err.value)


@pytest.mark.parametrize("path", ["no_such_pkg.rewards.fn", "r1kit.rewards.format.no_such_fn", "nodots"])
def test_unimportable_target_names_the_path(path):
    with pytest.raises(UserError, match=path):
        resolve(target=path)


def test_unknown_option_names_it_and_the_accepted_ones():
    with pytest.raises(UserError) as err:
        resolve("repetition", ngram=2)
    message = str(err.value)
    assert "'ngram'" in message and "ngram_size" in message and "max_penalty" in message
    with pytest.raises(UserError, match="completions"):
        resolve("repetition", completions=["x"])


def test_bad_option_values_fail_at_resolve_time():
    with pytest.raises(UserError, match="max_penalty"):
        resolve("repetition", max_penalty=1.0)
    with pytest.raises(UserError, match="accuracy"):
        resolve("hard_format_accuracy", accuracy="nope")


def test_exactly_one_of_name_and_target():
    with pytest.raises(UserError):
        resolve()
    with pytest.raises(UserError):
        resolve("think_format", target="r1kit.rewards.format.think_format")


def test_register_refuses_a_duplicate_name(monkeypatch):
    monkeypatch.setattr(registry.REWARDS, "_entries", dict(registry.REWARDS._entries))

    @registry.register("test_only_reward")
    def test_only_reward(completions, **kwargs):
        """A reward that exists only in this test."""
        return [0.0] * len(completions)

    assert available()["test_only_reward"] == "A reward that exists only in this test."
    with pytest.raises(ValueError):
        registry.register("test_only_reward")(test_only_reward)
