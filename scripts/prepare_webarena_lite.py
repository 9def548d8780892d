"""WebArena-Lite training tasks (WebAgent-R1's normalized_train.json) as tasks in a stand-in website: a file tree.

WebAgent-R1 trains in the live WebArena sites (shopping, shopping admin, GitLab, Reddit, map), which need
their Docker images and a browser; r1kit's stand-in is the `file_tree` environment. Each published task
keeps its intent, its sites and its start URL; the site becomes a directory tree (`tree`), the start URL's
path inside it, and the string-match reference answer a page several directories down, beside decoy
pages of the task's other sites. The agent explores with ls/cd/cat and submits the answer (WebAgent-R1's
`exit(message=...)`); the environment scores 1 for the reference and 0 otherwise (the binary task success).

Each row also carries `messages`, a demonstration in the stand-in (ls, cd, ls, cat, submit, with the
environment's own replies) for the behaviour-cloning warm-up: WebAgent-R1's own BC trajectories are
not in its repository.

Tasks checked only by URL or by the site's state afterwards (`url_match`, `program_html`: 392 of the
647) have no answer a file tree can hold and are left out; so is a string-match task whose reference
is "N/A" (an unachievable task). Several required strings (`must_include`) are submitted joined by ", ".

    python scripts/prepare_webarena_lite.py --out data/webarena_lite.jsonl \
        --source WebAgent-R1/Train/verifiers/verifiers/envs/WebArena/webarena-lite-data/normalized_train.json
"""

import json
import re
from urllib.parse import urlparse

from prepare_common import prepare_main

from r1kit.environments.file_tree import FileTree

TASK = "webarena_lite"


def reference_answer(row: dict) -> str | None:
    """The string a successful `exit(message=...)` holds: exact_match, else must_include joined, else fuzzy_match."""
    evaluation = row.get("eval")
    if not isinstance(evaluation, dict) or not isinstance(evaluation.get("eval_types"), list):
        raise TypeError(f"task {row.get('task_id')!r}: no `eval` with `eval_types` (the WebArena task config)")
    references = evaluation.get("reference_answers") or {}
    if "string_match" not in evaluation["eval_types"] or not references:
        return None
    for key in ("exact_match", "must_include", "fuzzy_match"):
        value = references.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value not in (None, "", "N/A"):
            return str(value)
    return None


def site_tree(row: dict, answer: str) -> tuple[list[dict], str]:
    """The stand-in site: the start URL's path under a folder per site, the answer page under a folder named after
    the task's template; and the answer page's path."""
    sites = [str(s) for s in row.get("sites") or ["site"]]
    start = urlparse(str(row.get("start_url") or "")).path.strip("/")
    home = "/".join(p for p in (sites[0], start) if p)
    section = re.sub(r"[^a-z0-9]+", "-", str(row.get("intent_template") or "page").lower()).strip("-")[:40] or "page"
    page = f"{home}/{section}/result.txt"
    tree = [{"path": f"{home}/index.txt", "content": f"start page ({row.get('start_url') or sites[0]})"},
            {"path": f"{home}/{section}/filters.txt", "content": "filters: none applied"},
            {"path": page, "content": answer}]
    tree += [{"path": f"{site}/index.txt", "content": f"start page of {site}"} for site in sites[1:]]
    return tree, page


def demonstration(intent: str, tree: list[dict], page: str, answer: str) -> list[dict]:
    """An expert trajectory in the stand-in: ls the sites, cd to the page's folder, ls, cat the page, submit; the tool replies
    are the environment's own."""
    env = FileTree()
    env.reset(tree=tree, answer=answer)
    folder, name = page.rsplit("/", 1)
    steps = [("ls", {"path": "/"}, "# Element: the sites"),
             ("cd", {"path": "/" + folder}, f"# Element: the '{folder.split('/')[-1]}' section"),
             ("ls", {"path": "."}, "# Element: the pages of this section"),
             ("cat", {"path": name}, f"# Element: the '{name}' page"),
             ("submit", {"answer": answer}, f"# Note: {answer}")]
    messages = [{"role": "user", "content": intent}]
    for tool, arguments, thought in steps:
        # arguments as JSON text: one column type for every tool (a table would merge their keys into one struct)
        call = {"type": "function", "function": {"name": tool, "arguments": json.dumps(arguments, ensure_ascii=False)}}
        messages.append({"role": "assistant", "content": f"<think> {thought} </think>", "tool_calls": [call]})
        messages.append({"role": "tool", "name": tool, "content": getattr(env, tool)(**arguments)})
    messages.append({"role": "assistant", "content": f"<think> The task is done. </think>\n<answer>{answer}</answer>"})
    return messages


def convert(rows):
    """WebArena-Lite task configs -> environment_task rows (prompt, answer, tree) with a demonstration (messages)."""
    for row in rows:
        if not isinstance(row, dict):
            raise TypeError(f"row {row!r} is not a WebArena task config")
        intent = row.get("intent")
        if not isinstance(intent, str) or not intent.strip():
            raise ValueError(f"task {row.get('task_id')!r}: no `intent` (the task's instruction)")
        answer = reference_answer(row)
        if answer is None:
            continue  # url_match / program_html only: the stand-in cannot check a change to the site
        tree, page = site_tree(row, answer)
        yield {"prompt": intent.strip(), "answer": answer, "tree": tree, "task": TASK,
               "messages": demonstration(intent.strip(), tree, page, answer),
               "task_id": row.get("task_id"), "sites": json.dumps(row.get("sites") or []),
               "start_url": row.get("start_url") or ""}


if __name__ == "__main__":
    prepare_main(convert, __doc__, "data/webarena_lite.jsonl",
                 "normalized_train.json of WebAgent-R1's repository (or a hub id of the same rows)")
