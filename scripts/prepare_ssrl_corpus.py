"""A Wikipedia corpus for the `search` environment that stands in for SSRL's self-simulated search engine.

SSRL has no corpus: the policy writes its own search results. r1kit's stand-in is BM25 over a real
corpus, the one SSRL's sim-to-real evaluation retrieves from: Search-R1's 2018 Wikipedia dump
(PeterJinGo/wiki-18-corpus, rows {id, contents}, `contents` being '"Title"\\ntext'). `convert`
writes {id, title, text} passages, which `r1kit/environments/search.py` indexes.

    python scripts/prepare_ssrl_corpus.py --out data/ssrl_corpus.jsonl [--source PeterJinGo/wiki-18-corpus]
"""

from collections.abc import Iterable, Iterator

from prepare_common import prepare_main  # scripts/prepare_common.py

SOURCE = "PeterJinGo/wiki-18-corpus"


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """wiki-18 rows ({id, contents}, or {title, text}) -> passages {id, title, text}."""
    for i, row in enumerate(rows):
        if isinstance(row.get("contents"), str):
            title, _, text = row["contents"].partition("\n")
            title = title.strip().strip('"')
        else:
            title, text = str(row.get("title") or ""), row.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"row {i} (id {row.get('id')!r}): no passage text (`contents` '\"Title\"\\ntext' or `text`)")
        yield {"id": str(row.get("id", i)), "title": title, "text": text.strip()}


def main(argv=None):
    prepare_main(convert, __doc__, "data/ssrl_corpus.jsonl", f"hub id or a local json/jsonl/parquet (default {SOURCE})",
                 SOURCE, argv=argv)


if __name__ == "__main__":
    main()
