"""FileTree: an in-memory tree explored with ls/cd/cat, one submission, and no way out of the tree."""

import pytest

from r1kit.environments.file_tree import FileTree
from r1kit.errors import UserError

TREE = [{"path": "docs/readme.txt", "content": "hello"}, {"path": "docs/deep/vault.txt", "content": "code: 42"},
        {"path": "top.txt", "content": "x" * 5000}]


@pytest.fixture
def env():
    env = FileTree(max_chars=100)
    env.reset(prompt=[], tree=TREE, answer="42")
    return env


def test_the_model_walks_the_tree_and_is_rewarded_for_the_right_answer(env):
    assert env.ls() == "docs/\ntop.txt"
    assert env.cd("docs") == "now in /docs" and env.ls() == "deep/\nreadme.txt"
    assert env.cat("deep/vault.txt") == "code: 42" and env.cat("/docs/readme.txt") == "hello"
    assert env.cd("deep/..") == "now in /docs" and env.ls("/docs/deep") == "vault.txt"
    assert env.get_reward() == 0.0  # nothing submitted yet
    assert env.submit(" 42 ") == "submitted" and env.submit("41") == "already submitted; only the first answer counts"
    assert env.get_reward() == 1.0
    env.reset(tree=TREE, answer="42")
    assert env.cwd == "/" and env.submitted is None
    env.submit("41")
    assert env.get_reward() == 0.0


def test_bad_paths_are_error_texts_and_nothing_leaves_the_tree(env):
    assert env.cd("nope") == "cd: nope: no such directory" and env.cd("top.txt") == "cd: top.txt: not a directory"
    assert env.cat("docs") == "cat: docs: is a directory" and env.ls("missing") == "ls: missing: no such directory"
    assert env.cd("../../..") == "now in /"  # ".." stops at the root, as in a shell
    assert env.cat("/etc/passwd") == "cat: /etc/passwd: no such file"
    assert env.cat("../../../../etc/hostname") == "cat: ../../../../etc/hostname: no such file"
    assert env.cat("//docs//readme.txt") == "hello"
    assert env.cat(["not", "a", "path"]).startswith("cat: ") and env.ls("a" * 10**6).startswith("ls: ")
    assert env.cat("top.txt").endswith("(4900 more characters cut)")


def test_a_nested_dict_or_json_tree_is_read_and_a_missing_tree_is_named():
    env = FileTree()
    env.reset(tree={"a": {"b": {"c.txt": "deep"}}, "d.txt": "top"}, answer="deep")
    assert env.ls() == "a/\nd.txt" and env.cat("a/b/c.txt") == "deep"
    env.reset(tree='[{"path": "/x/y.txt", "content": "json"}]', answer="json")
    assert env.cat("x/y.txt") == "json"
    with pytest.raises(UserError, match="needs a `tree` column"):
        env.reset(answer="1")
