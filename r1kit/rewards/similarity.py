"""Similarity rewards: SWE-RL's difflib ratio of a predicted patch (or any text) to the reference; ReCode's edit similarity of code."""

import difflib
import json
import re

from r1kit.answers import close_tag, open_tag
from r1kit.errors import UserError
from r1kit.rewards.batch import column
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag, completion_text, single_tags

MODES = ("auto", "text", "diff", "search_replace")
_GIT_HEADER = re.compile(r"^diff --git ", re.MULTILINE)
_PLAIN_HEADER = re.compile(r"^--- [^\n]*\n\+\+\+ ", re.MULTILINE)
# SWE-RL's SEARCH_REPLACE_REGEX (src/swerl/core/reward.py): a fenced block, `### path`, then SEARCH/REPLACE.
_SEARCH_REPLACE = re.compile(r"```.*?\n### (.*)\n<<<<<<< SEARCH\n([\s\S]*?)\n=======\n([\s\S]*?)\n>>>>>>> REPLACE\n```")


def ratio(predicted: str, reference: str, max_length_ratio: float = 3.0) -> float:
    """`difflib.SequenceMatcher(None, predicted, reference, autojunk=False).ratio()`, or 0.0 for an empty
    side or a prediction longer than `max_length_ratio` x the reference (+200 characters).

    The ratio is 2M / (len(a) + len(b)), so a prediction r times longer than the reference
    scores at most 2 / (r + 1) anyway; skipping it bounds the quadratic worst case of
    SequenceMatcher on long repetitive output (100k characters took 5 s).
    """
    if not predicted or not reference or len(predicted) > max_length_ratio * len(reference) + 200:
        return 0.0
    return difflib.SequenceMatcher(None, predicted, reference, autojunk=False).ratio()


def file_diffs(patch: str) -> dict[str, str]:
    """A unified diff split by file: path -> its hunks, each stripped, joined by newlines.

    What SWE-RL's `get_filelevel_diff` builds with the `unidiff` package: the path is the
    `+++ b/...` target (the `--- a/...` source for a deletion), the content the hunks from
    their `@@` lines on; a rename adds a `rename from X to Y` header. Sections without a
    path or hunks are skipped.
    """
    files: dict[str, str] = {}
    sections = [m.start() for m in _GIT_HEADER.finditer(patch)]
    if not sections:  # a plain `diff -u`: files start at a `---` line followed by a `+++` line
        sections = [m.start() for m in _PLAIN_HEADER.finditer(patch)]
    for i, pos in enumerate(sections):
        section = patch[pos : sections[i + 1] if i + 1 < len(sections) else len(patch)]
        path, rename = _section_path(section)
        hunks = _hunks(section)
        if path is None or (not hunks and rename is None):
            continue
        body = "\n".join(hunks)
        files[path] = ((rename or "") + "\n" + body).strip()
    return files


def _strip_prefix(name: str, prefix: str) -> str:
    name = name.strip().split("\t")[0]
    return name[2:] if name.startswith(prefix) else name


def _section_path(section: str) -> tuple[str | None, str | None]:
    source = target = rename_from = rename_to = None
    for line in section.splitlines():
        if line.startswith("@@"):
            break
        if line.startswith("--- "):
            source = _strip_prefix(line[4:], "a/")
        elif line.startswith("+++ "):
            target = _strip_prefix(line[4:], "b/")
        elif line.startswith("rename from "):
            rename_from = line[len("rename from "):].strip()
        elif line.startswith("rename to "):
            rename_to = line[len("rename to "):].strip()
        elif line.startswith("diff --git ") and source is None:
            parts = line.split()
            if len(parts) >= 4:
                source, target = _strip_prefix(parts[2], "a/"), _strip_prefix(parts[3], "b/")
    if rename_from and rename_to:
        return rename_from, f"rename from {rename_from} to {rename_to}"
    if target and target != "/dev/null":
        return target, None
    if source and source != "/dev/null":
        return source, None
    return None, None


def _hunks(section: str) -> list[str]:
    hunks, current = [], None
    for line in section.splitlines():
        if line.startswith("@@"):
            if current is not None:
                hunks.append("\n".join(current).strip())
            current = [line]
        elif current is not None:
            current.append(line)
    if current is not None:
        hunks.append("\n".join(current).strip())
    return hunks


def patch_similarity_score(predicted: str, reference: str, mode: str = "auto", max_length_ratio: float = 3.0) -> float:
    """SWE-RL's similarity of a predicted change to the oracle, in [0, 1].

    `diff` (or `auto` when the reference parses as a unified diff): the mean, over every
    file either patch touches, of the ratio of the two file diffs (0 for a file only one
    of them touches), as `calculate_reward_unidiff`. `text` (or `auto` otherwise): the
    ratio of the two whole texts.
    """
    if mode != "text":
        oracle = file_diffs(reference)
        if oracle or mode == "diff":
            pred = file_diffs(predicted)
            paths = set(oracle) | set(pred)
            if not paths:
                return 1.0  # both empty, as SWE-RL
            return sum(ratio(pred.get(p, ""), oracle.get(p, ""), max_length_ratio) for p in paths) / len(paths)
    return ratio(predicted, reference, max_length_ratio)


def normalized_patch(code_context: dict[str, str], new_content: dict[str, str]) -> dict[str, str]:
    """Each changed file's difflib unified diff (3 lines of context, headers dropped): SWE-RL's
    `get_normalized_patch`, the form both sides are compared in."""
    patches = {}
    for path, new in new_content.items():
        lines = difflib.unified_diff(code_context.get(path, "").splitlines(), new.splitlines(), fromfile="old",
                                     tofile="new", lineterm="", n=3)
        patch = "\n".join(list(lines)[2:])
        if patch:
            patches[path] = patch
    return patches


def search_replace_score(solution: str, code_context: dict[str, str], oracle_new_content: dict[str, str],
                         max_length_ratio: float = 3.0) -> float:
    """SWE-RL's `calculate_search_replace_reward` after the format gate: -1 when the solution has no
    SEARCH/REPLACE edit, an edit whose search block is not in the file (matched from a line start) or
    changes nothing; else the mean ratio of the predicted and oracle normalized patches over the union
    of files (1.0 when both are empty)."""
    edits: dict[str, list[tuple[str, str]]] = {}
    for path, search, replace in _SEARCH_REPLACE.findall(solution):
        edits.setdefault(path, []).append((search, replace))
    if not edits:
        return -1.0
    predicted = {}
    for path, pairs in edits.items():
        content = "\n" + code_context.get(path, "")
        for search, replace in pairs:
            if search == replace or "\n" + search not in content:
                return -1.0
            content = content.replace("\n" + search, "\n" + replace)
        predicted[path] = content[1:]
    oracle, pred = normalized_patch(code_context, oracle_new_content), normalized_patch(code_context, predicted)
    paths = set(oracle) | set(pred)
    if not paths:
        return 1.0
    return sum(ratio(pred.get(p, ""), oracle.get(p, ""), max_length_ratio) for p in paths) / len(paths)


def search_replace_reference(reference: str) -> tuple[dict[str, str], dict[str, str]]:
    """The JSON text `{"code_context": {path: old}, "oracle_new_content": {path: new}}` of a row's answer."""
    try:
        data = json.loads(reference)
        context, oracle = data["code_context"], data["oracle_new_content"]
        if not all(isinstance(d, dict) and all(isinstance(v, str) for v in d.values()) for d in (context, oracle)):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise UserError("patch_similarity mode=search_replace: the answer column must be the JSON text of "
                        '{"code_context": {path: old content}, "oracle_new_content": {path: new content}}, got '
                        f"{reference[:80]!r}") from None
    return context, oracle


def swe_rl_solution(text: str, think_tag: str, answer_tag: str) -> str | None:
    """SWE-RL's `extract_thought_solution`: each of the four tags exactly once, a non-empty thought;
    the stripped solution, or None when the format is wrong."""
    if single_tags(text, think_tag, answer_tag) is None:
        return None
    thought = text.split(open_tag(think_tag))[1].split(close_tag(think_tag))[0].strip()
    solution = text.split(open_tag(answer_tag))[1].split(close_tag(answer_tag))[0].strip()
    return solution if thought else None


@register("patch_similarity")
def patch_similarity(
    completions,
    *,
    answer=None,
    mode: str = "auto",
    max_length_ratio: float = 3.0,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """SWE-RL: difflib SequenceMatcher ratio of the solution to the reference patch/text in [0, 1]; -1 if the format is wrong.

    Source: SWE-RL (Wei et al. 2025), `src/swerl/core/reward.py`: -1 unless each of
    <think>, </think>, <solution>, </solution> occurs exactly once with a non-empty
    thought (and, here, a non-empty solution: SWE-RL's empty edit list is a format error
    too); otherwise `difflib.SequenceMatcher(None, pred, oracle, autojunk=False).ratio()`.
    When the reference is a unified diff (`mode: auto` or `diff`) both are split by file
    and the per-file ratios averaged over the union of files, as
    `calculate_reward_unidiff`; `mode: text` compares whole texts. `mode: search_replace` is
    the reward the paper trained with (`calculate_search_replace_reward`): the answer is the
    JSON text of the original files and their oracle contents, the solution's SEARCH/REPLACE
    edits are applied to the originals (-1 for an edit that does not apply) and the two
    changes compared as normalized per-file diffs. Default tag `answer`; SWE-RL's own is
    `answer_tag: solution`. A prediction over `max_length_ratio` x the reference's
    length (+200 chars) scores 0 (its ratio is <= 2/(r+1) anyway), which bounds the cost.
    None without a reference.
    """
    check_tag("think_tag", think_tag)
    check_tag("answer_tag", answer_tag)
    if mode not in MODES:
        raise UserError(f"patch_similarity option mode={mode!r} must be one of {', '.join(MODES)}")
    if isinstance(max_length_ratio, bool) or not isinstance(max_length_ratio, (int, float)) or max_length_ratio < 1:
        raise UserError(f"patch_similarity option max_length_ratio={max_length_ratio!r} must be a number >= 1")
    n = len(completions)
    rewards = []
    for completion, reference in zip(completions, column(answer, n)):
        if not isinstance(reference, str) or not reference.strip():
            rewards.append(None)
            continue
        solution = swe_rl_solution(completion_text(completion), think_tag, answer_tag)
        if not solution:
            rewards.append(-1.0)
            continue
        if mode == "search_replace":
            rewards.append(search_replace_score(solution, *search_replace_reference(reference), max_length_ratio))
        else:
            rewards.append(patch_similarity_score(solution, reference.strip(), mode, max_length_ratio))
    return rewards


_PYTHON_BLOCK = re.compile(r"```python\n(.*?)\n```", re.DOTALL)
# A string literal (kept whole, so a `#` inside it stays) or a `#` comment (dropped).
_STRING_OR_COMMENT = re.compile(r"('''.*?'''|\"\"\".*?\"\"\"|'.*?'|\".*?\")|#[^\n]*", re.DOTALL)
CODE_METRICS = ("edit_similarity", "exact_match")
MAX_EDIT_CELLS = 4_000_000  # ~1.5 s of the pure-Python Levenshtein table; beyond it a pair scores similarity 0


def strip_code(code: str) -> str:
    """Code without `#` comments and blank lines (string literals kept): ReCode's
    `remove_comments_and_blank_lines`, applied to both the prediction and the reference."""
    code = _STRING_OR_COMMENT.sub(lambda m: m.group(1) or "", code)
    return "\n".join(line for line in code.strip().split("\n") if line.strip())


def edit_similarity(a: str, b: str) -> float:
    """1 - Levenshtein distance / the longer length, in [0, 1] (1.0 for two empty strings); 0.0 when the
    parts that differ would need more than MAX_EDIT_CELLS table cells (hostile or runaway output)."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:  # a shared prefix and suffix cost nothing
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    x, y = a[start:len(a) - end], b[start:len(b) - end]
    if len(x) * len(y) > MAX_EDIT_CELLS:
        return 0.0
    previous = list(range(len(y) + 1))
    for i, cx in enumerate(x, start=1):
        current = [i]
        for j, cy in enumerate(y, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (cx != cy)))
        previous = current
    longest = max(len(a), len(b))
    return 1.0 - previous[-1] / longest if longest else 1.0


@register("code_similarity")
def code_similarity(completions, *, answer=None, metric: str = "edit_similarity", **kwargs) -> list[float | None]:
    """ReCode ES*: 3.5 x edit similarity - 1.5 of the first ```python block to the reference code; -2 if none or it does not parse.

    Source: ReCode (Wu et al. 2025), zjunlp/ReCode src/GRPO/reward.py `es_star` and `em_star`:
    the first ```python fenced block anywhere in the reply, comments and blank lines removed
    from it and from the reference, -2.0 without a block or when `ast.parse` fails; then
    `edit_similarity` (ES*): 3.5 x (1 - Levenshtein distance / the longer length) - 1.5, in
    [-1.5, 2]; or `exact_match` (EM*): 2.0 when the two are equal, else -1.5. ReCode's comment
    stripping swaps strings for numbered placeholders, which mixes up a snippet's 11th string
    with its 1st; here strings are kept in one pass. A pair too long to compare in ~1.5 s (see
    `edit_similarity`) scores similarity 0. None without a reference.
    """
    if metric not in CODE_METRICS:
        raise UserError(f"code_similarity option metric={metric!r} must be one of {', '.join(CODE_METRICS)}")
    import ast

    rewards = []
    for completion, reference in zip(completions, column(answer, len(completions))):
        if not isinstance(reference, str) or not reference.strip():
            rewards.append(None)
            continue
        block = _PYTHON_BLOCK.search(completion_text(completion))
        code = strip_code(block.group(1).strip()) if block else None
        try:
            ast.parse(code) if code is not None else None
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            code = None
        if code is None:
            rewards.append(-2.0)
        elif metric == "exact_match":
            rewards.append(2.0 if code == strip_code(reference) else -1.5)
        else:
            rewards.append(edit_similarity(code, strip_code(reference)) * 3.5 - 1.5)
    return rewards
