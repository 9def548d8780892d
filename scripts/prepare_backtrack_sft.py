"""How-Much-Backtracking's SFT warm-up sets: its prompt/completion rows as `chat_sft` conversations.

The authors (jchy20/how-much-backtrack) write each task's SFT set with their reasoning-gym fork
(reasoning-gym/<task>.py --sft_size N --template_type qwen-instruct: each row's metadata holds the
optimal trajectory and trajectories with one, two or three backtracks), then
reasoning-gym/split_backtrack_data.py keeps one trajectory kind per parquet file as two columns:
`prompt`, the whole ChatML text up to the model's turn (system, user, and the assistant's opening
"Let me solve this step by step.\\n<think>"), and `completion`, the trajectory (steps, "Wait, this
doesn't lead to the correct solution..." backtracks, "</think>\\n\\n<answer>...</answer>"). verl's SFT
trainer trains on the completion only (sft-scripts/train_sft.sh, apply_chat_template=False). `convert`
reads the system and user turns back out of `prompt` and keeps the completion as the assistant turn;
the recipe's chat template writes the same opening before it, so the text trained on is the authors'.

    python scripts/prepare_backtrack_sft.py --source <sft_backtrack>/qwen-instruct_one_backtrack.parquet --out data/backtrack_sft.jsonl
"""

import re
from collections.abc import Iterable, Iterator

from prepare_common import prepare_main  # scripts/prepare_common.py

OPENING = "Let me solve this step by step.\n<think>"  # the assistant's first words in every prompt (countdown.py:28-39)
CHATML = re.compile(r"<\|im_start\|>system\n(?P<system>.*?)<\|im_end\|>\n<\|im_start\|>user\n(?P<user>.*?)<\|im_end\|>\n"
                    r"<\|im_start\|>assistant\n(?P<opening>.*)\Z", re.DOTALL)


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """prompt/completion rows (qwen-instruct template) -> `messages`: system, user, and the completion as the reply."""
    for i, row in enumerate(rows):
        prompt, completion = row.get("prompt"), row.get("completion")
        if not isinstance(prompt, str) or not isinstance(completion, str) or not completion.strip():
            raise ValueError(f"row {i}: backtracking SFT rows need text `prompt` and `completion`, got {sorted(row)}")
        match = CHATML.match(prompt)
        if match is None or match["opening"] != OPENING:
            raise ValueError(f"row {i}: `prompt` is not the qwen-instruct template (system, user, then the assistant's "
                             f"{OPENING!r}); the `base` and `baseline` templates are not converted")
        if "</think>" not in completion or "<answer>" not in completion:
            raise ValueError(f"row {i}: the completion has no `</think>` and `<answer>`: not a trajectory of the SFT set")
        yield {"messages": [{"role": "system", "content": match["system"]}, {"role": "user", "content": match["user"]},
                            {"role": "assistant", "content": completion}]}


def main(argv=None):
    prepare_main(convert, __doc__, "data/backtrack_sft.jsonl",
                 "a prompt/completion parquet written by split_backtrack_data.py (or json/jsonl with those columns)",
                 argv=argv)


if __name__ == "__main__":
    main()
