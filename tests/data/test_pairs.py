"""The preference_pairs adapter: rows a dpo stage trains on, from text or conversations."""

import pytest

from r1kit.data.load import build_examples
from r1kit.data.pairs import PreferencePairs
from r1kit.errors import UserError
from tests.data.cases import spec, write_jsonl


def test_text_rows_become_a_chat_prompt_and_one_assistant_turn_each():
    row = PreferencePairs().example({"prompt": " What is 2 + 2? ", "chosen": "4", "rejected": "5"})
    assert row == {"prompt": [{"role": "user", "content": "What is 2 + 2?"}],
                   "chosen": [{"role": "assistant", "content": "4"}],
                   "rejected": [{"role": "assistant", "content": "5"}], "answer": "4", "task": "preference_pairs"}


def test_conversations_keep_their_turns_and_responses_take_the_last_assistant_message():
    prompt = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"},
              {"role": "user", "content": "2+2?"}]
    chosen = [*prompt, {"role": "assistant", "content": "4"}]
    row = PreferencePairs(system_prompt="Be brief.").example({"prompt": prompt, "chosen": chosen, "rejected": "5"})
    assert row["prompt"] == [{"role": "system", "content": "Be brief."}, *prompt]
    assert row["chosen"] == [{"role": "assistant", "content": "4"}]


@pytest.mark.parametrize("row, message", [
    ({"prompt": "q", "chosen": "same", "rejected": "same"}, "identical"),
    ({"prompt": "q", "chosen": "", "rejected": "b"}, "column 'chosen' is not a non-empty string"),
    ({"prompt": ["not a message"], "chosen": "a", "rejected": "b"}, "non-empty list of messages"),
    ({"prompt": "q", "chosen": [{"role": "user", "content": "no reply"}], "rejected": "b"}, "column 'chosen'"),
])
def test_a_bad_row_is_named_with_its_file_and_row(tmp_path, row, message):
    path = write_jsonl(tmp_path / "pairs.jsonl", [{"prompt": "ok", "chosen": "a", "rejected": "b"}, row])
    with pytest.raises(UserError, match=rf"row 1: .*{message}"):
        build_examples(spec("preference_pairs", path=path), "datasets.pairs")


def test_a_missing_column_is_named_with_how_to_map_it(tmp_path):
    path = write_jsonl(tmp_path / "pairs.jsonl", [{"question": "q", "chosen": "a", "rejected": "b"}])
    with pytest.raises(UserError, match=r"needs prompt \(column 'prompt'\).*columns: \{prompt: <your column>\}"):
        build_examples(spec("preference_pairs", path=path), "datasets.pairs")
    ds, _ = build_examples(spec("preference_pairs", path=path, columns={"prompt": "question"}), "datasets.pairs")
    assert ds[0]["prompt"] == [{"role": "user", "content": "q"}]


def test_the_shipped_dataset_config_makes_pairs_in_code():
    ds, _ = build_examples(spec("preference_pairs", generator={"name": "preference", "n": 20, "seed": 0}), "d")
    assert len(ds) == 20 and all(r["chosen"] != r["rejected"] for r in ds)
