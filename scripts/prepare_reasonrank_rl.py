"""ReasonRank's RL data: verl rows with a ready listwise prompt, back to query + passages for the `rerank` adapter.

liuwenhan/reasonrank_data_rl (train.parquet) is in verl's format: `prompt` holds the
chat messages ReasonRank's `create_prompt` wrote (RankGPT reasoning mode: "I will provide
you with N passages ... [1] ...\n[2] ...\nSearch Query: q.\nRank the N passages above
..."), and `extra_info` the passage ids in prompt order (`initial_list`) and the ones
DeepSeek-R1 judged relevant (`relevant_docids`), which its reward scores NDCG@10 and
Recall@10 with. `convert` reads the query and the N passages back out of the prompt and
gives each passage grade 1 if relevant, else 0; the adapter (mode listwise) writes the
same prompt again.

    python scripts/prepare_reasonrank_rl.py --out data/reasonrank_rl.jsonl [--source liuwenhan/reasonrank_data_rl]
"""

import argparse
import re
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

_PREFIX = re.compile(r"I will provide you with (\d+) passages, each indicated by a numerical identifier \[\]\. "
                     r"Rank the passages based on their relevance to the search query: ")
_POST = "\nSearch Query: "


def parse_prompt(text: str) -> tuple[str, list[str]]:
    """The query and the passages of a ReasonRank listwise prompt (user message)."""
    head = _PREFIX.search(text)
    post = text.rfind(_POST)
    if head is None or post < head.end():
        raise ValueError("the user message is not a ReasonRank listwise prompt (\"I will provide you with N "
                         "passages ...\" ... \"Search Query: ...\")")
    n = int(head.group(1))
    tail = f".\nRank the {n} passages above"
    end = text.find(tail, post)
    if end < 0:
        raise ValueError(f"the prompt does not end with \"Search Query: <query>{tail} ...\"")
    query = text[post + len(_POST):end].strip()
    first = text.find("\n[1] ", head.end())
    if first < 0 or first > post:
        raise ValueError(f"the prompt announces {n} passages but passage [1] is missing")
    body = text[first + 1:post + 1]  # "[1] ...\n[2] ...\n", up to "Search Query"
    starts = [0]
    for k in range(2, n + 1):
        at = body.find(f"\n[{k}] ", starts[-1])
        if at < 0:
            raise ValueError(f"the prompt announces {n} passages but passage [{k}] is missing")
        starts.append(at + 1)
    bounds = starts + [len(body)]
    passages = [body[bounds[k] + len(f"[{k + 1}] "):bounds[k + 1]].strip() for k in range(n)]
    return query, passages


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """verl rows (prompt, extra_info: initial_list, relevant_docids) -> rerank rows (query, passages, relevance)."""
    for i, row in enumerate(rows):
        users = [m["content"] for m in row.get("prompt") or [] if m.get("role") == "user"]
        info = row.get("extra_info") or {}
        if not users or "initial_list" not in info or "relevant_docids" not in info:
            raise ValueError(f"row {i} needs a user message in `prompt` and `extra_info` with initial_list and "
                             "relevant_docids")
        try:
            query, passages = parse_prompt(users[-1])
        except ValueError as err:
            raise ValueError(f"row {i}: {err}") from None
        docids = list(info["initial_list"])
        if len(docids) != len(passages):
            raise ValueError(f"row {i}: the prompt has {len(passages)} passages but initial_list {len(docids)} ids")
        relevant = set(info["relevant_docids"])
        yield {"query": query, "passages": [{"docid": d, "text": p} for d, p in zip(docids, passages)],
               "relevance": [1 if d in relevant else 0 for d in docids]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/reasonrank_rl.jsonl")
    parser.add_argument("--source", default="liuwenhan/reasonrank_data_rl", help="hub id or local json/jsonl/parquet")
    parser.add_argument("--split", default="train")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source, args.split)), args.out)


if __name__ == "__main__":
    main()
