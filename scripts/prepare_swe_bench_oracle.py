"""SWE-bench issues with their oracle files (princeton-nlp/SWE-bench_oracle) as SWE-RL search/replace rows.

SWE-RL's own seed dataset (issues, the files of the pull request, the oracle patch; curated from GitHub
archives) is not released. SWE-bench_oracle holds the same three things for SWE-bench's 18k training
issues: `problem_statement`, `patch` (the merged fix, a unified diff) and `text`, a prompt whose
`<code>` section lists the files the patch edits (and the README) as `[start of <path>]`, numbered
lines, `[end of <path>]`. `convert` keeps the files the patch edits as the code context, applies the
patch to them for the oracle contents, and writes SWE-RL's repair prompt (facebookresearch/swe-rl,
src/swerl/core/prompts.py AGENTLESS_REPAIR, each file as `### <path>` then its content, joined by a
blank line as agentless_mini/repair.py does) as the question; the answer is the JSON text of
`{"code_context": ..., "oracle_new_content": ...}` that `patch_similarity` (`mode: search_replace`) reads.

    python scripts/prepare_swe_bench_oracle.py --out data/swe_bench_oracle.jsonl   # the train split
"""

import argparse
import json
import re
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

from r1kit.rewards.similarity import normalized_patch

SOURCE = "princeton-nlp/SWE-bench_oracle"

# src/swerl/core/prompts.py AGENTLESS_REPAIR, as published.
AGENTLESS_REPAIR = """We are currently solving the following issue within our repository. Here is the issue text:
--- BEGIN ISSUE ---
{problem_statement}
--- END ISSUE ---

Below are some code segments, each from a relevant file. One or more of these files may contain bugs.

--- BEGIN FILE ---
```
{content}
```
--- END FILE ---

Please first localize the bug based on the issue statement, and then generate *SEARCH/REPLACE* edits to fix the issue.

Every *SEARCH/REPLACE* edit must use this format:
1. The file path
2. The start of search block: <<<<<<< SEARCH
3. A contiguous chunk of lines to search for in the existing source code
4. The dividing line: =======
5. The lines to replace into the source code
6. The end of the replace block: >>>>>>> REPLACE

Here is an example:

```python
### mathweb/flask/app.py
<<<<<<< SEARCH
from flask import Flask
=======
import math
from flask import Flask
>>>>>>> REPLACE
```

Please note that the *SEARCH/REPLACE* edit REQUIRES PROPER INDENTATION. If you would like to add the line '        print(x)', you must fully write that out, with all those spaces before the code!
Wrap each *SEARCH/REPLACE* edit in a code block as shown in the example above. If you have multiple *SEARCH/REPLACE* edits, use a separate code block for each one."""

_FILE = re.compile(r"^\[start of (.+?)\]\n(.*?)\n\[end of \1\]$", re.MULTILINE | re.DOTALL)
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def oracle_files(text: str) -> dict[str, str]:
    """The `[start of p]`...`[end of p]` files of a SWE-bench prompt, their `N ` line numbers removed."""
    files = {}
    for path, body in _FILE.findall(text):
        lines = body.split("\n")
        for i, line in enumerate(lines, start=1):
            prefix = f"{i} "
            if not line.startswith(prefix) and line != str(i):
                raise ValueError(f"{path}: line {i} is not numbered as SWE-bench writes it: {line[:40]!r}")
            lines[i - 1] = line[len(prefix):]
        files[path] = "\n".join(lines)
    return files


def apply_patch(files: dict[str, str], patch: str) -> dict[str, str]:
    """The new contents of every file a unified diff edits (a new file starts empty); ValueError when a
    hunk's context or removed lines are not where it says."""
    new, path, lines, offset = {}, None, None, 0
    patch_lines = patch.split("\n")
    i = 0
    while i < len(patch_lines):
        line = patch_lines[i]
        if line.startswith("+++ "):
            target = line[4:].split("\t")[0].strip()
            source = patch_lines[i - 1][4:].split("\t")[0].strip() if patch_lines[i - 1].startswith("--- ") else target
            path = (target if target != "/dev/null" else source).removeprefix("b/").removeprefix("a/")
            if path not in files and source != "/dev/null":
                raise ValueError(f"the patch edits {path}, which the oracle text does not hold")
            lines, offset = (files.get(path, "") if source != "/dev/null" else "").split("\n"), 0
            new[path] = lines
        elif (m := _HUNK.match(line)) and lines is not None:
            start = int(m.group(1)) - 1 + offset if m.group(2) != "0" else int(m.group(1)) + offset
            old_block, new_block = [], []
            i += 1
            while i < len(patch_lines) and patch_lines[i][:1] in (" ", "-", "+", "\\"):
                tag, body = patch_lines[i][:1], patch_lines[i][1:]
                if tag in (" ", "-"):
                    old_block.append(body)
                if tag in (" ", "+"):
                    new_block.append(body)
                i += 1
            if lines[start:start + len(old_block)] != old_block:
                raise ValueError(f"{path}: the hunk {line!r} does not apply to the oracle file")
            lines[start:start + len(old_block)] = new_block
            offset += len(new_block) - len(old_block)
            continue
        i += 1
    return {p: "\n".join(v) for p, v in new.items()}


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """SWE-bench_oracle rows -> math_qa rows: SWE-RL's repair prompt, and the files before and after the fix."""
    for n, row in enumerate(rows):
        issue, patch, text = row.get("problem_statement"), row.get("patch"), row.get("text")
        if not all(isinstance(v, str) and v.strip() for v in (issue, patch, text)):
            raise ValueError(f"row {n} ({row.get('instance_id')}): SWE-bench_oracle rows need `problem_statement`, "
                             f"`patch` and `text`, got {sorted(row)}")
        try:
            files = oracle_files(text)
            oracle = apply_patch(files, patch)
        except ValueError as e:
            raise ValueError(f"row {n} ({row.get('instance_id')}): {e}") from None
        context = {path: files.get(path, "") for path in oracle}
        if not normalized_patch(context, oracle):
            raise ValueError(f"row {n} ({row.get('instance_id')}): the patch changes no text file")
        content = "\n\n".join(f"### {path}\n{files[path]}" for path in oracle if path in files)
        yield {
            "question": AGENTLESS_REPAIR.format(problem_statement=issue, content=content).strip(),
            "answer": json.dumps({"code_context": context, "oracle_new_content": oracle}, ensure_ascii=False),
            "instance_id": row.get("instance_id"),
        }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=SOURCE, help=f"hub id or a local json/jsonl/parquet (default {SOURCE})")
    parser.add_argument("--split", default="train", help="the SWE-bench split (train; never the test split)")
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/swe_bench_oracle.jsonl")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source, split=args.split)), args.out)


if __name__ == "__main__":
    main()
