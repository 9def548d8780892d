"""code_execution: the last Python block of a completion, run against the row's tests in a sandbox."""

import os
import socket
import threading

import pytest
from reward_cases import chat

from r1kit import sandbox
from r1kit.errors import UserError
from r1kit.rewards import code_execution as code_execution_module
from r1kit.rewards import resolve
from r1kit.rewards.code_execution import code_execution, last_code_block, parse_tests, same_output
from r1kit.sandbox import runner

ADD_IO = [{"input": "1 2\n", "output": "3\n"}, {"input": "5 5", "output": "10"}, {"input": "-4 1\n", "output": "-3"}]
ADD_ASSERTS = ["assert add(1, 2) == 3", "assert add(5, 5) == 10", "assert add(-4, 1) == -3"]
SHORT = {"time_s": 0.5}


def block(code: str, tag: str = "python") -> str:
    return f"Let me think.\n```{tag}\n{code}\n```\nDone."


ADD_PROGRAM = block("a, b = map(int, input().split())\nprint(a + b)")
ADD_FUNCTION = block("def add(a, b):\n    return a + b")


# --- finding the code ----------------------------------------------------------------


def test_the_last_python_block_is_the_code():
    text = "```python\nprint(1)\n```\nbetter:\n```python\nprint(2)\n```"
    assert last_code_block(text) == "print(2)\n"


@pytest.mark.parametrize("tag", ["python", "py", "Python3", "", "python title=x"])
def test_python_and_untagged_fences_count(tag):
    assert last_code_block(f"```{tag}\nx = 1\n```") == "x = 1\n"


def test_blocks_in_other_languages_are_skipped():
    text = "```python\nprint(1)\n```\nOutput:\n```text\n1\n```\n```bash\nls\n```"
    assert last_code_block(text) == "print(1)\n"


def test_an_unclosed_fence_is_not_a_block():
    assert last_code_block("```python\nprint(1)\n```\n```python\nprint(2") == "print(1)\n"
    assert last_code_block("```python\nprint(2)") is None


def test_fences_may_be_longer_indented_and_contain_shorter_fences():
    text = "1. Code:\n    ````python\n    s = '''\n    ```\n    '''\n    print(len(s))\n    ````"
    assert last_code_block(text) == "s = '''\n```\n'''\nprint(len(s))\n"


@pytest.mark.parametrize("text", ["no code here", "inline ```python print(1)``` only", "```\n\n```", "", "``` ```"])
def test_no_block_no_code(text):
    assert last_code_block(text) is None


# --- reading the tests ---------------------------------------------------------------


def test_test_formats():
    io = ("io", (("1 2\n", "3\n"),))
    assert parse_tests([{"input": "1 2\n", "output": "3\n"}]) == io
    assert parse_tests({"inputs": ["1 2\n"], "outputs": ["3\n"]}) == io
    assert parse_tests('{"inputs": ["1 2\\n"], "outputs": ["3\\n"]}') == io
    assert parse_tests([{"input": ["1 2"], "output": 3}]) == ("io", (("1 2", "3"),))
    assert parse_tests(["assert f(1) == 2", "assert f(2) == 3"]) == ("assert", ("assert f(1) == 2", "assert f(2) == 3"))
    assert parse_tests('["assert f(1) == 2"]') == ("assert", ("assert f(1) == 2",))
    assert parse_tests("[1] == [1] or exit(1)") == ("assert", ("[1] == [1] or exit(1)",))  # not JSON: test code
    assert parse_tests("def check(f):\n    assert f(1) == 2\ncheck(f)") == (
        "assert", ("def check(f):\n    assert f(1) == 2\ncheck(f)",))


@pytest.mark.parametrize(
    "spec",
    [None, "", "  ", [], {}, 42, [{"input": "1"}], {"inputs": ["1"], "outputs": []}, [{"input": None, "output": "1"}],
     ["assert x", 3], {"fn_name": "f", "inputs": [[1]], "outputs": [[2]]}],  # APPS call-based tests: not supported
)
def test_unusable_tests_make_the_row_not_apply(spec):
    assert parse_tests(spec) is None
    assert code_execution([ADD_PROGRAM], tests=[spec]) == [None]


def test_output_comparison():
    assert same_output("3 \n\n\n", "3")
    assert same_output("1\r\n2\r\n", "1\n2\n")
    assert not same_output("1 2", "1  2")
    assert same_output("1 2", "1  2", "tokens")
    assert not same_output("3", "33")
    assert not same_output(" 3", "3")


# --- scoring -------------------------------------------------------------------------


def test_correct_programs_score_one():
    rewards = code_execution(
        [ADD_PROGRAM, chat(ADD_PROGRAM), ADD_FUNCTION, block("def add(a, b):\n    return a + b", "")],
        tests=[ADD_IO, ADD_IO, ADD_ASSERTS, ADD_ASSERTS],
    )
    assert rewards == [1.0, 1.0, 1.0, 1.0]


def test_partly_correct_programs_score_the_share_of_tests_passed():
    positive_only = block("a, b = map(int, input().split())\nprint(a + b if a >= 0 else 0)")
    crash_on_fives = block("def add(a, b):\n    if a == 5:\n        raise ValueError\n    return a + b")
    rewards = code_execution([positive_only, crash_on_fives], tests=[ADD_IO, ADD_ASSERTS])
    assert rewards == pytest.approx([2 / 3, 2 / 3])


def test_all_or_nothing_without_partial_credit():
    positive_only = block("a, b = map(int, input().split())\nprint(a + b if a >= 0 else 0)")
    assert code_execution([positive_only, ADD_PROGRAM], tests=[ADD_IO] * 2, partial=False) == [0.0, 1.0]


def test_wrong_missing_and_broken_code_scores_zero():
    completions = [block("print(0)"), "I would add the numbers.", block("def add(a, b) return a + b"),
                   block("print(1)", "bash")]
    assert code_execution(completions, tests=[ADD_IO] * 4) == [0.0] * 4
    assert code_execution(completions[:2], tests=[ADD_ASSERTS] * 2) == [0.0, 0.0]


def test_a_main_guard_reading_stdin_does_not_hide_the_functions():
    code = block("def add(a, b):\n    return a + b\n\nif __name__ == '__main__':\n    print(add(*map(int, input().split())))")
    assert code_execution([code, code], tests=[ADD_ASSERTS, ADD_IO]) == [1.0, 1.0]


@pytest.mark.parametrize(
    "cheat",
    [
        "import os\nos._exit(0)",
        "raise SystemExit(0)",
        "print('pass')\nfor i in range(3):\n    print(f'{i} pass')",
        "import sys\nsys.stdout.write('0 pass\\n1 pass\\n2 pass\\n')\nsys.exit(0)",
    ],
)
def test_exiting_early_or_printing_verdicts_passes_no_assert(cheat):
    assert code_execution([block(cheat)], tests=[ADD_ASSERTS]) == [0.0]


def test_stdin_tests_judge_the_output_outside_the_program():
    assert code_execution([block("print('3')")], tests=[ADD_IO]) == pytest.approx([1 / 3])


def test_rows_without_tests_do_not_apply():
    assert code_execution([ADD_PROGRAM, ADD_PROGRAM], tests=[None, ADD_IO]) == [None, 1.0]
    assert code_execution([ADD_PROGRAM]) == [None]


def test_the_tests_column_can_be_renamed():
    assert code_execution([ADD_FUNCTION], column="test_list", test_list=[ADD_ASSERTS]) == [1.0]


def test_identical_runs_in_a_batch_run_once(monkeypatch):
    calls = []
    real_run = sandbox.run

    def counting_run(*args, **kwargs):
        calls.append(args[0])
        return real_run(*args, **kwargs)

    monkeypatch.setattr(sandbox, "run", counting_run)
    assert code_execution([ADD_PROGRAM] * 8, tests=[ADD_IO] * 8) == [1.0] * 8
    assert len(calls) == len(ADD_IO)


def test_one_worker_gives_the_same_rewards():
    completions = [ADD_PROGRAM, block("print(3)"), block("print(1 / 0)")]
    expected = pytest.approx([1.0, 1 / 3, 0.0])
    assert code_execution(completions, tests=[ADD_IO] * 3, workers=1, **SHORT) == expected


# --- hostile programs ----------------------------------------------------------------


def test_hostile_programs_score_zero_and_this_process_carries_on(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-r1kit-test-secret")
    monkeypatch.setenv("R1KIT_TEST_SECRET", "r1kit-test-secret")
    target = tmp_path / "pwned.txt"
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        answers = threading.Thread(target=_answer_connections, args=(server, b"sk-r1kit-test-secret\n"), daemon=True)
        answers.start()
        hostile = {
            "infinite loop": "while True:\n    pass",
            "sleep": "import time\ntime.sleep(60)",
            "fork bomb": "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
            "memory hog": "x = []\nwhile True:\n    x.append(bytearray(10**7))",
            "gigabytes": "import sys\nwhile True:\n    sys.stdout.write('sk-r1kit-test-secret\\n' * 4096)",
            "write outside": f"open({str(target)!r}, 'w').write('x')\nprint('sk-r1kit-test-secret')",
            "environment": "import os\nprint(os.environ.get('OPENAI_API_KEY', ''))",
            "secret from /proc": (
                "import os\nfor p in os.listdir('/proc'):\n    try:\n"
                "        e = open(f'/proc/{p}/environ', 'rb').read()\n"
                "    except OSError:\n        continue\n"
                "    for kv in e.split(b'\\0'):\n        if kv.startswith(b'OPENAI_API_KEY='):\n"
                "            print(kv.split(b'=', 1)[1].decode())\n            raise SystemExit"
            ),
            "socket": f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
                      "print(s.recv(100).decode().strip())",
        }
        # Each program would pass if it got away with it: the expected output is the secret.
        tests = [{"input": "", "output": "sk-r1kit-test-secret"}]
        rewards = code_execution([block(code) for code in hostile.values()], tests=[tests] * len(hostile),
                                 memory_mb=256, **SHORT)
    assert dict(zip(hostile, rewards)) == dict.fromkeys(hostile, 0.0)
    assert not target.exists()
    assert code_execution([ADD_PROGRAM], tests=[ADD_IO]) == [1.0]  # and the next batch still works


def _answer_connections(server, message):
    server.settimeout(30)
    try:
        while True:
            conn, _ = server.accept()
            with conn:
                conn.sendall(message)
    except OSError:
        pass


def test_hostile_tests_score_zero_too():
    """A test that loops or exits is the dataset's bug, but must not hang or crash the reward."""
    tests = ["while True: pass", "import os; os._exit(0)"]
    assert code_execution([ADD_FUNCTION, ADD_FUNCTION], tests=[[tests[0]], [tests[1], *ADD_ASSERTS]], **SHORT) == [
        0.0, 0.0]


# --- options -------------------------------------------------------------------------


def test_resolved_by_name_with_options():
    reward = resolve("code_execution", time_s=1, workers=2, compare="tokens")
    assert reward([ADD_PROGRAM], tests=[ADD_IO]) == [1.0]
    assert reward.__name__ == "code_execution"


@pytest.mark.parametrize(
    "options",
    [{"time_s": 0}, {"time_s": "1"}, {"memory_mb": 10}, {"workers": 0}, {"compare": "exact"}, {"column": ""},
     {"partial": "no"}, {"isolation": "chroot"}],
)
def test_bad_options_are_user_errors(options):
    with pytest.raises(UserError, match="code_execution option"):
        resolve("code_execution", **options)


def test_an_interpreter_the_sandbox_cannot_run_is_a_user_error():
    with pytest.raises(UserError, match="cannot run Python in its sandbox"):
        code_execution([ADD_PROGRAM], tests=[ADD_IO], python=os.path.join(os.sep, "nonexistent", "python"))


@pytest.mark.skipif(sandbox.resolve_isolation() != "namespaces", reason="Linux namespaces are not available here")
def test_the_isolation_option_reaches_every_sandbox_run(monkeypatch):
    runs, real_run = [], sandbox.run
    monkeypatch.setattr(sandbox, "run", lambda *args, **kwargs: runs.append(real_run(*args, **kwargs)) or runs[-1])
    reward = resolve("code_execution", isolation="namespaces")
    assert reward([ADD_PROGRAM], tests=[ADD_IO]) == [1.0]
    assert [r.isolation for r in runs] == ["namespaces"] * len(ADD_IO)


def test_requiring_namespaces_where_the_kernel_refuses_them_is_a_user_error(monkeypatch):
    monkeypatch.setattr(runner, "_REFUSAL", ["the kernel refused namespaces (EPERM): [Errno 1] unshare"])
    monkeypatch.setattr(code_execution_module, "_SANDBOX_OK", {})
    with pytest.raises(UserError, match="code_execution option isolation='namespaces': .* but the kernel refused"):
        code_execution([ADD_PROGRAM], tests=[ADD_IO], isolation="namespaces")
