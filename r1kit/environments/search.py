"""A search engine the model queries during a rollout: BM25 over a local corpus, no network.

The pattern of SSRL and ConvSearch-R1 (and Search-R1 before them): the model writes queries,
reads the passages that come back, and answers; the answer is scored by the stage's reward
functions (exact match or F1 against `answer`), so this environment has no `get_reward`.

The corpus is a jsonl file, one passage a line, with `text` or `contents` (Pyserini's field)
and an optional `title`. Its BM25 index (bm25s, numpy only) is built once per file and
shared by every instance: TRL makes one instance per rollout, and indexing is the slow part.
"""

import json
import threading
from pathlib import Path

from r1kit.errors import UserError

_INDEXES: dict = {}  # (resolved path, size, mtime) -> _Index, shared by every Search on that file
_LOCK = threading.Lock()


class _Index:
    """The passages of one corpus file and their BM25 index."""

    def __init__(self, path: Path):
        import bm25s

        self.titles, self.texts = _read_corpus(path)
        self.bm25 = bm25s.BM25()
        self.bm25.index(_tokens(self.texts), show_progress=False)

    def top(self, query: str, k: int) -> list[int]:
        """The rows of the k best passages with a positive score, best first."""
        import numpy as np

        terms = _tokens([query])[0]
        if not terms:
            return []
        scores = self.bm25.get_scores(terms)
        best = np.argsort(-scores, kind="stable")[:k]
        return [int(i) for i in best if scores[i] > 0]


def _tokens(texts: list[str]) -> list[list[str]]:
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)


def _read_corpus(path: Path) -> tuple[list[str], list[str]]:
    titles, texts = [], []
    with path.open(encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise UserError(f"{path}:{i}: not valid JSON ({err.msg}). Fix or remove that line.") from None
            text = row.get("text", row.get("contents")) if isinstance(row, dict) else None
            if not isinstance(text, str) or not text.strip():
                raise UserError(f"{path}:{i}: a passage needs a non-empty `text` (or `contents`) string.")
            titles.append(str(row.get("title") or ""))
            texts.append(text)
    if not texts:
        raise UserError(f"{path}: the search corpus has no passages.")
    return titles, texts


def corpus_index(corpus) -> _Index:
    """The index of a corpus file, built on first use and then shared (rebuilt if the file changes)."""
    path = Path(str(corpus)).expanduser()
    if not path.is_file():
        raise UserError(f"environment corpus={str(corpus)!r}: no such file. Give a jsonl file with one passage a "
                        "line ({\"title\": ..., \"text\": ...}).")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _LOCK:
        if key not in _INDEXES:
            _INDEXES[key] = _Index(path)
        return _INDEXES[key]


class Search:
    """BM25 search over `corpus` (a jsonl file): `k` passages a query, each cut to `passage_chars`, the whole reply
    to `max_chars`; a query longer than `max_query_chars` is cut."""

    def __init__(self, corpus: str, k: int = 3, passage_chars: int = 600, max_chars: int = 2000,
                 max_query_chars: int = 500):
        if int(k) < 1:
            raise UserError(f"environment k={k}: the number of passages a search returns must be at least 1.")
        self.index = corpus_index(corpus)
        self.k, self.passage_chars, self.max_chars = int(k), int(passage_chars), int(max_chars)
        self.max_query_chars = int(max_query_chars)
        self.queries: list[str] = []

    def reset(self, **row) -> None:
        self.queries = []

    def search(self, query: str) -> str:
        """Search the document collection and return the passages that best match the query.

        Args:
            query: keywords or a question.
        """
        query = (query if isinstance(query, str) else str(query))[: self.max_query_chars]
        self.queries.append(query)
        rows = self.index.top(query, self.k)
        if not rows:
            return f"no passage matches {query!r}; try other keywords"
        passages = []
        for rank, i in enumerate(rows, 1):
            text = self.index.texts[i]
            if len(text) > self.passage_chars:
                text = text[: self.passage_chars] + " ..."
            title = self.index.titles[i]
            passages.append(f"[{rank}] {title}\n{text}" if title else f"[{rank}] {text}")
        reply = "\n\n".join(passages)
        return reply if len(reply) <= self.max_chars else reply[: self.max_chars] + " ..."
