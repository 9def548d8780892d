"""PythonSession: state kept across the calls of one rollout, cleared by reset, every failure a reply."""

from transformers.utils import get_json_schema

from r1kit.environments.python_session import PythonSession


def test_variables_survive_between_calls_and_only_the_new_cell_prints():
    session = PythonSession()
    session.reset(prompt=[], answer="42")
    assert session.python("x = 40\nprint('defined')") == "defined\n"
    assert session.python("import math\ny = x + 2") == "(no output)"
    assert session.python("y") == "42\n"  # a last expression's value is shown, earlier prints are not repeated
    assert session.python("import random; r = random.random(); print(r)") == session.python("print(r)")
    session.reset()
    assert "NameError: name 'y' is not defined" in session.python("y")


def test_failures_are_replies_and_are_not_kept():
    session = PythonSession(time_s=1.0, max_chars=200, max_cells=3)
    assert session.python("def f(:").endswith("SyntaxError: invalid syntax")
    failed = session.python("z = 1\n1 / 0")
    assert 'File "<cell 1>", line 2' in failed and failed.endswith("ZeroDivisionError: division by zero")
    assert "NameError" in session.python("z")  # the failed cell's partial effects are gone
    assert session.python("while True: pass").startswith("error: timed out")
    assert session.python("a = bytearray(10**10)") == "error: out of memory (512 MB)"
    big = session.python("print('a' * 10**6)")
    assert len(big) < 300 and "cut" in big
    assert session.python("import socket; socket.socket()").endswith("PermissionError: r1kit sandbox: socket.__new__ "
                                                                      "is not allowed")
    assert session.python(123) == "123\n"  # a non-string argument is run as its text
    assert session.python("x" * 30_000).startswith("error: the code is 30000 characters long")
    assert session.cells == ["123"]


def test_files_written_by_earlier_cells_are_there_once_and_a_cell_that_changes_on_replay_is_reported():
    session = PythonSession(max_cells=4)
    session.python("open('notes.txt', 'a').write('x')")
    assert session.python("open('notes.txt').read()") == "'x'\n"  # a fresh directory each call: written once
    session.cells.append("assert False, 'changed'")  # as if a kept cell no longer ran the same way
    assert session.python("1").startswith("error: the session could not be restored: cell 3 failed when run again: "
                                          "AssertionError: changed")
    session.cells.append("pass")
    assert session.python("1").startswith("error: this session already holds 4 cells")


def test_its_tool_has_the_schema_trl_renders():
    schema = get_json_schema(PythonSession().python)["function"]
    assert schema["name"] == "python" and list(schema["parameters"]["properties"]) == ["code"]
