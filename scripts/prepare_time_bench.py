"""Time-R1's data: Time-Bench parquet rows (verl's schema) as `temporal` rows with Time-R1's gold answers.

Time-R1 (ulab-uiuc/Time-R1) trains on Time-Bench files (ulab-ai/Time-Bench): stage 1 on
train_inference_easy.parquet then train_comprehension_combined.parquet, stage 2 on
train_prediction_combined.parquet (scripts/stage1_phase1.sh:23, stage1_phase2.sh:23, stage2.sh:25).
Each row holds the whole prompt as ChatML text in `prompt[0].content` (system, user, and an assistant
turn opened with "Let me carefully review ...<think>"), and `reward_model.ground_truth` a dict whose keys
name the task (examples/data_preprocess/time_reasoning_nyt.py:218-384, time_prediction_nyt.py:439-450):

    event_pub_date                                        date inference / prediction  -> "2019-03"
    event1_pub_date, event2_pub_date, month_difference    time difference   -> "Event 1: ..., Event 2: .... Month difference: N."
    event1..3_pub_date, event_order                       event ordering    -> "Event 1: ..., Event 3: .... Event order: 2-1-3."
    event_pub_date, mask_type, masked_entity              masked entity     -> "Event: 2021-03. Missing entity: 2019."

`convert` keeps the user turn as the question and writes the gold in the format the answer must take
(r1kit.rewards.temporal), for the `temporal` adapter. Every Time-Bench prompt has the same system turn, the
adapter's default system prompt; a row with another one is refused. The assistant's opening words are dropped.

    python scripts/prepare_time_bench.py --source <dir>/train_inference_easy.parquet --out data/time_bench_inference_easy.jsonl
    python scripts/prepare_time_bench.py --source ulab-ai/Time-Bench --data-files <file in the hub repo> --out ...
"""

import argparse
import re
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

from r1kit.data.temporal import TIME_R1_SYSTEM as SYSTEM  # time_reasoning_nyt.py:11, time_prediction_nyt.py:14

_TURN = re.compile(r"<\|im_start\|>(system|user)\n(.*?)<\|im_end\|>", re.DOTALL)


def gold(truth: dict) -> str:
    """The ground-truth dict of a Time-Bench row as the answer string the temporal rewards parse."""
    if "event_order" in truth:
        dates = ", ".join(f"Event {i}: {truth[f'event{i}_pub_date']}" for i in (1, 2, 3))
        return f"{dates}. Event order: {truth['event_order']}."
    if "month_difference" in truth:
        return (f"Event 1: {truth['event1_pub_date']}, Event 2: {truth['event2_pub_date']}. "
                f"Month difference: {int(truth['month_difference'])}.")
    if "masked_entity" in truth:
        return f"Event: {truth['event_pub_date']}. Missing entity: {truth['masked_entity']}."
    if "event_pub_date" in truth:
        return str(truth["event_pub_date"])
    raise ValueError(f"unknown task: ground_truth keys {sorted(truth)}")


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """verl rows (prompt, reward_model.ground_truth, extra_info...) -> temporal rows (question, answer)."""
    for i, row in enumerate(rows):
        prompt = row.get("prompt") or [{}]
        text = prompt[0].get("content") if isinstance(prompt[0], dict) else None
        turns = {role: body.strip() for role, body in _TURN.findall(text or "")}
        if "user" not in turns:
            raise ValueError(f"row {i}: `prompt[0].content` has no ChatML user turn")
        if turns.get("system", SYSTEM) != SYSTEM:
            raise ValueError(f"row {i}: system turn {turns['system'][:80]!r}... differs from Time-R1's; the recipe "
                             "sets one system prompt for all rows")
        truth = (row.get("reward_model") or {}).get("ground_truth")
        if not isinstance(truth, dict):
            raise TypeError(f"row {i}: `reward_model.ground_truth` must be a dict, got {truth!r}")
        try:
            answer = gold(truth)
        except (KeyError, ValueError, TypeError) as err:
            raise ValueError(f"row {i}: {err}") from None
        yield {"question": turns["user"], "answer": answer}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/time_bench_prediction.jsonl")
    parser.add_argument("--source", required=True, help="a local parquet/json/jsonl file, or the hub id ulab-ai/Time-Bench")
    parser.add_argument("--data-files", help="with a hub id: the file in the repo (e.g. its train_prediction_combined.parquet)")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source, data_files=args.data_files)), args.out)


if __name__ == "__main__":
    main()
