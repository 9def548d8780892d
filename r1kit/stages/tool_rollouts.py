"""Multi-turn rollouts: a token budget per assistant turn, tool replies in or out of the loss, environment errors.

TRL's tool loop (GRPOTrainer `_tool_call_loop`) bounds a rollout by `max_tool_calling_iterations` (tool
rounds, i.e. turns after the first) and `max_completion_length` (tokens in all, the tools' replies
included), and gives the loss a `tool_mask` that is 0 on the tools' reply tokens. The stage keys here:

- `max_turn_tokens` caps the new tokens of each assistant turn: it is the `max_new_tokens` of the
  generation config TRL's generate and continuous-batching backends sample each turn with. TRL's vLLM
  sampler takes `max_completion_length` per turn from its own settings, so the key is refused there.
- `mask_tool_replies: false` trains on the tools' reply tokens too (the all-ones tool mask), as in
  R1-Code-Interpreter's comparison; by default they are masked, as TRL does.

TRL silently drops a tool's reply that would push a rollout past `max_completion_length` and ends the
rollout at its call; `CutToolReplies` counts those (`tools/cut_at_length`) and warns once.
"""

import logging

from transformers import TrainerCallback

log = logging.getLogger(__name__)


class TurnBudget:
    """GRPOTrainer mixin: each assistant turn samples at most `max_turn_tokens` new tokens (None: no cap)."""

    max_turn_tokens = None  # set by configure()

    def _generate_single_turn(self, *args, **kwargs):
        if self.max_turn_tokens is not None:
            self.generation_config.max_new_tokens = self.max_turn_tokens
            self.generation_kwargs["max_new_tokens"] = self.max_turn_tokens
        return super()._generate_single_turn(*args, **kwargs)


class ToolReplyMask:
    """GRPOTrainer mixin: with `mask_tool_replies` False, the loss covers the tools' reply tokens as well.

    TRL multiplies the completion mask by `tool_mask` for the loss, the entropy and the logged lengths;
    an all-ones mask leaves the completion mask alone.
    """

    mask_tool_replies = True  # set by configure()

    def _tool_call_loop(self, *args, **kwargs):
        tool_mask, *rest = super()._tool_call_loop(*args, **kwargs)
        if not self.mask_tool_replies:
            tool_mask = [[1] * len(mask) for mask in tool_mask]
        return (tool_mask, *rest)


class CutToolReplies:
    """GRPOTrainer mixin: the share of rollouts TRL ended at a tool call because the reply did not fit.

    Such a rollout has no answer, so its reward is usually 0 while the model did the right thing: a
    `max_completion_length` too small for call + reply + answer looks like a model that cannot learn.
    A rollout ending at a call with tool rounds left was cut for length (or the model's context).
    """

    _warned_cut = False

    def _tool_call_loop(self, *args, **kwargs):
        out = super()._tool_call_loop(*args, **kwargs)
        completions = out[1]
        cut = sum(1 for messages in completions if _cut_at_call(messages, self.max_tool_calling_iterations))
        mode = "train" if self.model.training else "eval"
        self._metrics[mode]["tools/cut_at_length"].append(cut / max(len(completions), 1))
        if cut and not self._warned_cut:
            self._warned_cut = True
            log.warning(f"{cut} of {len(completions)} rollouts called a tool whose reply would pass "
                        f"max_completion_length={self.max_completion_length}: TRL ended them at the call, with no "
                        "answer. Raise max_completion_length to fit call, reply and answer (metric "
                        "tools/cut_at_length).")
        return out


def _cut_at_call(messages, max_rounds: int) -> bool:
    if not isinstance(messages, list) or not messages:
        return False
    last = messages[-1]
    turns = sum(1 for m in messages if m.get("role") == "assistant")
    return last.get("role") == "assistant" and bool(last.get("tool_calls")) and turns - 1 < max_rounds


def configure(trainer, stage: dict):
    trainer.max_turn_tokens = stage["max_turn_tokens"]
    trainer.mask_tool_replies = stage["mask_tool_replies"]


class EnvironmentErrors(TrainerCallback):
    """Adds to each log how many environment resets and get_reward calls have raised so far in the stage."""

    def __init__(self, factory):
        self.factories = list(factory.values()) if isinstance(factory, dict) else [factory]

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs is None or "loss" not in logs:
            return
        for kind, key in (("reset", "environments/reset_errors"), ("get_reward", "environments/reward_errors")):
            logs[key] = sum(f.errors[kind] for f in self.factories)
