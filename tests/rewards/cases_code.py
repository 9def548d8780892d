"""One valid row for the code-execution reward, with short limits, for the hostile-output tests."""

CASES = {
    "code_execution": {
        "columns": {"tests": [{"input": "1 2\n", "output": "3\n"}, {"input": "5 5\n", "output": "10\n"}]},
        "options": {"time_s": 1, "workers": 2},
    },
}
