"""SSRL's training questions (TsinghuaC3I/SSRL: NQ and HotpotQA in Search-R1's verl layout) as environment_task rows.

A published row holds the question (a `question` column, or the last user turn of `prompt` after
"Question:"), its golden answers (`reward_model.ground_truth.target`, or `golden_answers`) and its
`data_source`. `convert` writes the bare question (the recipe's system prompt says how to search and
answer), the first golden answer as `answer` and every one as `golden_answers`, which the recipe's
`exact_match` (`golds: golden_answers`, SQuAD normalisation) accepts any of, as SSRL's em_check does.

    python scripts/prepare_ssrl.py --out data/ssrl.jsonl [--source TsinghuaC3I/SSRL]
"""

from collections.abc import Iterable, Iterator

from prepare_common import prepare_main  # scripts/prepare_common.py

SOURCE = "TsinghuaC3I/SSRL"


def question_of(row: dict, where: str) -> str:
    question = row.get("question")
    if not question:
        prompt = row.get("prompt")
        users = [m.get("content", "") for m in prompt if m.get("role") == "user"] if isinstance(prompt, list) else []
        text = users[-1] if users else prompt if isinstance(prompt, str) else ""
        question = text.rsplit("Question:", 1)[-1] if "Question:" in text else ""
    if not isinstance(question, str) or not question.strip():
        raise ValueError(f"{where}: no question (neither a `question` column nor 'Question: ...' in the prompt)")
    return question.strip()


def golds_of(row: dict, where: str) -> list[str]:
    truth = (row.get("reward_model") or {}).get("ground_truth")
    golds = truth.get("target") if isinstance(truth, dict) else truth
    if golds is None:
        golds = row.get("golden_answers")
    golds = [golds] if isinstance(golds, str) else list(golds or [])
    golds = [str(g).strip() for g in golds if str(g).strip()]
    if not golds:
        raise ValueError(f"{where}: no golden answer (reward_model.ground_truth.target or golden_answers)")
    return golds


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """SSRL/Search-R1 rows -> environment_task rows: prompt (the question), answer, golden_answers, data_source."""
    for i, row in enumerate(rows):
        where = f"row {i} (id {row.get('id', (row.get('extra_info') or {}).get('index'))!r})"
        golds = golds_of(row, where)
        yield {"prompt": question_of(row, where), "answer": golds[0], "golden_answers": golds,
               "data_source": str(row.get("data_source") or "")}


def main(argv=None):
    prepare_main(convert, __doc__, "data/ssrl.jsonl", f"hub id or a local json/jsonl/parquet (default {SOURCE})",
                 SOURCE, argv=argv)


if __name__ == "__main__":
    main()
