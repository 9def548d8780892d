"""A file tree the model explores with ls, cd and cat until it can submit the answer: a multi-step task.

The pattern of WebAgent-R1 and Mobile-R1 (and of shell agents): the state changes with each
action (the current directory), the answer lies several actions away, and only the end result
is rewarded. The tree is the row's own (`tree` column), held in memory: no path, however
written, reaches the real filesystem.

`tree` is a list of files, `[{"path": "docs/notes/a.txt", "content": "..."}]` (directories are
implied by the paths; the generator `file_tree` writes this form, which a dataset stores as it
is), or a nested dict `{"docs": {"a.txt": "..."}}`, or either as a JSON string.

The reward (`get_reward`): 1.0 if the first submitted answer equals the row's `answer` (spaces
at the ends ignored), else 0.0; no shaping. Only the first `submit` counts, so guessing again
does not pay.
"""

import json
import posixpath

from r1kit.errors import UserError


class FileTree:
    """An in-memory file tree from the row's `tree`; `max_chars` caps what `cat` and `ls` show."""

    def __init__(self, max_chars: int = 2000):
        self.max_chars = int(max_chars)
        self.files: dict[str, str] = {}
        self.dirs: set[str] = {"/"}
        self.cwd = "/"
        self.answer = None
        self.submitted = None

    def reset(self, tree=None, answer=None, **row) -> None:
        self.files = _files(tree)
        self.dirs = {"/"} | {posixpath.dirname(p) for p in self.files}
        for d in list(self.dirs):
            while d != "/":
                d = posixpath.dirname(d)
                self.dirs.add(d)
        self.cwd, self.answer, self.submitted = "/", answer, None

    def ls(self, path: str = ".") -> str:
        """List a directory: sub-directories end with "/".

        Args:
            path: the directory, absolute or relative to the current one.
        """
        where = self._resolve(path)
        if where in self.files:
            return posixpath.basename(where)
        if where not in self.dirs:
            return f"ls: {path}: no such directory"
        prefix = where.rstrip("/") + "/"
        names = {p[len(prefix):].split("/")[0] + "/" for p in self.dirs if p.startswith(prefix) and p != where}
        names |= {p[len(prefix):] for p in self.files if posixpath.dirname(p) == where}
        names = sorted(names)
        return self._cut("\n".join(names) or "(empty)")

    def cd(self, path: str) -> str:
        """Change the current directory.

        Args:
            path: the directory, absolute or relative; ".." is the parent.
        """
        where = self._resolve(path)
        if where not in self.dirs:
            return f"cd: {path}: {'not a directory' if where in self.files else 'no such directory'}"
        self.cwd = where
        return f"now in {where}"

    def cat(self, path: str) -> str:
        """Show a file's content.

        Args:
            path: the file, absolute or relative to the current directory.
        """
        where = self._resolve(path)
        if where in self.dirs:
            return f"cat: {path}: is a directory"
        if where not in self.files:
            return f"cat: {path}: no such file"
        return self._cut(self.files[where])

    def submit(self, answer: str) -> str:
        """Submit the final answer; only the first submission counts.

        Args:
            answer: the answer the task asks for.
        """
        if self.submitted is not None:
            return "already submitted; only the first answer counts"
        self.submitted = str(answer)
        return "submitted"

    def get_reward(self) -> float:
        if self.submitted is None or self.answer is None:
            return 0.0
        return 1.0 if self.submitted.strip() == str(self.answer).strip() else 0.0

    def _resolve(self, path) -> str:
        """An absolute, normalised path; ".." stops at the root, as in a shell."""
        path = str(path).strip() or "."
        if len(path) > 1000:
            path = path[:1000]
        return posixpath.normpath(posixpath.join(self.cwd, path)).replace("//", "/")

    def _cut(self, text: str) -> str:
        if len(text) <= self.max_chars:
            return text
        return text[: self.max_chars] + f"\n... ({len(text) - self.max_chars} more characters cut)"


def _files(tree) -> dict[str, str]:
    """{absolute path: content} from a row's `tree` (see the module docstring for its forms)."""
    if tree is None:
        raise UserError("the file_tree environment needs a `tree` column: a list of {path, content} per row (the "
                        "generator `file_tree` writes them)")
    if isinstance(tree, str):
        tree = json.loads(tree)
    files = {}
    if isinstance(tree, dict):
        stack = [("/", tree)]
        while stack:
            base, node = stack.pop()
            for name, child in node.items():
                path = posixpath.join(base, str(name))
                if isinstance(child, dict):
                    stack.append((path, child))
                else:
                    files[path] = str(child)
        return files
    for entry in tree:
        files[posixpath.normpath("/" + str(entry["path"]).lstrip("/"))] = str(entry.get("content") or "")
    return files
