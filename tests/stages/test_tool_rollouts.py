"""Multi-turn GRPO rollouts in an environment, on a real tiny GRPOTrainer (r1kit's trainer class, TRL's tool loop).

The model's turns are scripted (a random tiny model does not call tools): each prompt names a case, and
the trainer's sampler returns that case's next reply as tokens; a reply of None is sampled by the model
for real. Everything after sampling (parsing, tool calls, the environment, masks, rewards, the loss) is TRL's
and r1kit's own code.
"""

import re

import pytest

from r1kit.environments import resolve_environment
from r1kit.stages import tool_rollouts

ANSWER = "<answer>done</answer><|im_end|>"


def call(name: str, arguments: str = "{}") -> str:
    return f'<tool_call>\n{{"name": "{name}", "arguments": {arguments}}}\n</tool_call><|im_end|>'


SCRIPT = {  # case -> the assistant's replies, turn by turn (the last repeats)
    "add": [call("add", '{"n": 3}'), ANSWER],
    "raise": [call("fail"), ANSWER],
    "hang": [call("hang"), ANSWER],
    "flood": [call("flood"), ANSWER],
    "unknown": [call("nope"), ANSWER],
    "badargs": [call("add", '{"m": 1}'), ANSWER],
    "malformed": ['<tool_call>\n{"name": "add", "arguments": {"n": }\n</tool_call><|im_end|>'],
    "loop": [call("add", '{"n": 1}')],
    "broken": [call("add", '{"n": 3}'), ANSWER],  # its row's reset raises
    "sampled": [None],  # every turn sampled by the model
    "then_sampled": [call("add", '{"n": 3}'), None],
}


def _zero(completions, **kwargs):
    return [0.0] * len(completions)


def _run(tmp_path, cases, monkeypatch, *, max_turn_tokens=None, mask_tool_replies=True, max_completion_length=160):
    """One GRPO step over `cases` (two completions each); returns (the scored batch, the step's logs)."""
    from datasets import Dataset
    from transformers import TrainerCallback
    from trl import GRPOConfig

    from r1kit.models.chat_template import CHATML_TOOLS
    from r1kit.models.tiny import build_tiny
    from r1kit.stages.grpo import trainer_class
    from r1kit.tools import guard, ready_for_tools

    monkeypatch.setattr(guard, "SECONDS", 0.3)
    monkeypatch.setattr(guard, "MAX_CHARS", 60)

    class Scripted:
        def _generate_single_turn(self, prompt_ids, images, multimodal_fields, num_generations, **kwargs):
            replies = []
            for ids in prompt_ids:
                text = self.processing_class.decode(ids)
                script = SCRIPT[re.search(r"case: (\w+)", text).group(1)]
                replies.append(script[min(text.count("<tool_response>"), len(script) - 1)])
            sampled = [i for i, r in enumerate(replies) if r is None]
            if sampled:
                real, _ = super()._generate_single_turn([prompt_ids[i] for i in sampled], images, multimodal_fields,
                                                        num_generations, **kwargs)
                for i, ids in zip(sampled, real):
                    replies[i] = ids
            return [r if isinstance(r, list) else self.processing_class(r, add_special_tokens=False)["input_ids"]
                    for r in replies], None

    class Trainer(Scripted, trainer_class()):
        pass

    model, tokenizer = build_tiny(hidden_size=32, num_heads=2, num_kv_heads=1, max_position_embeddings=2048, seed=0)
    tokenizer.chat_template = CHATML_TOOLS
    ready_for_tools(tokenizer, "test")
    rows = [{"prompt": [{"role": "user", "content": f"case: {c}"}], "task": c, "target": 3} for c in cases]
    args = GRPOConfig(output_dir=str(tmp_path / "out"), per_device_train_batch_size=2 * len(cases), num_generations=2,
                      max_completion_length=max_completion_length, max_tool_calling_iterations=2, max_steps=1,
                      logging_steps=1, learning_rate=0.01, use_cpu=True, report_to=[], bf16=False, disable_tqdm=True,
                      save_strategy="no", seed=0, shuffle_dataset=False)
    factory = resolve_environment({"_target_": "tests.environments.counter.Counter"}, "stages.rl.environment")
    trainer = Trainer(model=model, reward_funcs=_zero, args=args, train_dataset=Dataset.from_list(rows),
                      processing_class=tokenizer, environment_factory=factory)
    tool_rollouts.configure(trainer, {"max_turn_tokens": max_turn_tokens, "mask_tool_replies": mask_tool_replies})
    batches, logged = [], []
    score = trainer._generate_and_score_completions

    def keep(inputs):
        batch = score(inputs)
        batches.append(batch)
        return batch

    trainer._generate_and_score_completions = keep

    class Keep(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            logged.append(dict(logs or {}))

    trainer.add_callback(tool_rollouts.EnvironmentErrors(factory))
    trainer.add_callback(Keep())
    trainer.train()
    return trainer, batches[0], next(entry for entry in logged if "loss" in entry)


def _loss_masked_text(trainer, batch, row: int, value: int) -> str:
    ids = batch["completion_ids"][row]
    mask = batch["completion_mask"][row] * batch["tool_mask"][row]
    return trainer.processing_class.decode([t for t, m in zip(ids.tolist(), mask.tolist()) if m == value])


@pytest.mark.parametrize("mask_tool_replies", [True, False])
def test_tool_replies_are_out_of_the_loss_unless_mask_tool_replies_is_false(tmp_path, monkeypatch, mask_tool_replies):
    trainer, batch, logs = _run(tmp_path, ["add"], monkeypatch, mask_tool_replies=mask_tool_replies)
    reply = "<tool_response>\n3\n</tool_response>"
    trained, left_out = _loss_masked_text(trainer, batch, 0, 1), _loss_masked_text(trainer, batch, 0, 0)
    assert '"name": "add"' in trained and "<answer>done</answer>" in trained  # the model's own turns: trained on
    if mask_tool_replies:
        assert reply in left_out and reply not in trained
    else:
        assert reply in trained and left_out.replace("<|endoftext|>", "") == ""  # nothing but padding left out
    assert logs["rewards/Counter/mean"] == 1.0  # the environment's get_reward: 3 reached


def test_a_reply_that_does_not_fit_is_counted_and_warned_about(tmp_path, monkeypatch, caplog):
    """TRL drops a tool reply past max_completion_length and ends the rollout at its call: say so."""
    with caplog.at_level("WARNING", logger="r1kit.stages.tool_rollouts"):
        _, _, logs = _run(tmp_path, ["add"], monkeypatch, max_completion_length=40)
    assert logs["tools/cut_at_length"] == 1.0
    assert "2 of 2 rollouts called a tool whose reply would pass max_completion_length=40" in caplog.text
    _, _, logs = _run(tmp_path / "fits", ["add"], monkeypatch)
    assert logs["tools/cut_at_length"] == 0.0


def test_max_turn_tokens_caps_every_assistant_turn(tmp_path, monkeypatch):
    _, batch, _ = _run(tmp_path, ["sampled", "then_sampled"], monkeypatch, max_turn_tokens=5)
    lengths = batch["completion_mask"].sum(1).tolist()
    assert lengths[:2] == [5, 5]  # a sampled first turn stops at 5 new tokens (160 were allowed in all)
    for row in (2, 3):  # a scripted call, the tool's reply, then a sampled turn of at most 5 tokens
        mask = batch["tool_mask"][row][: lengths[row]].tolist()
        after_reply = len(mask) - max(i for i, m in enumerate(mask) if m == 0) - 1
        assert after_reply == 5


def test_a_hostile_environment_is_counted_and_training_goes_on(tmp_path, monkeypatch):
    cases = ["add", "raise", "hang", "flood", "unknown", "badargs", "malformed", "loop", "broken"]
    trainer, batch, logs = _run(tmp_path, cases, monkeypatch, max_completion_length=400)
    # calls per row: one each, none for malformed, two for loop (max_tool_calling_iterations=2): 9 in 9 rows;
    # failed: raise, hang (timed out), unknown tool, bad arguments, a tool of the environment whose reset raised
    assert logs["tools/call_frequency"] == pytest.approx(1.0)
    assert logs["tools/failure_frequency"] == pytest.approx(5 / 9)
    assert logs["environments/reset_errors"] == 2  # the broken row, in both of its rollouts
    assert logs["loss"] == logs["loss"]  # a number, not NaN: the step trained
    texts = {case: trainer.processing_class.decode(batch["completion_ids"][2 * i]) for i, case in enumerate(cases)}
    assert "the counter broke" in texts["raise"] and "did not return within 0.3 s" in texts["hang"]
    assert "more characters cut" in texts["flood"] and "Tool nope not found" in texts["unknown"]
    assert "unexpected keyword argument 'm'" in texts["badargs"]
    assert "could not be started for this task (RuntimeError: no such task)" in texts["broken"]
    loop = texts["loop"].replace("<|endoftext|>", "")
    assert loop.count("<tool_response>") == 2 and loop.endswith("</tool_call><|im_end|>")  # stopped at the turn limit
    # get_reward: 1 for `add` alone (3 reached); the broken row's None is left out of the mean (2 of 16, not of 18)
    assert logs["rewards/Counter/mean"] == pytest.approx(2 / 16)
