"""One valid row for the reasoning_gym reward, for the hostile-output tests: a chain_sum entry, scored in the sandbox."""

CASES = {
    "reasoning_gym": {
        "columns": {"rg_source": '{"index": 0, "options": {"seed": 0, "size": 4}, "task": "chain_sum"}'},
        "options": {"time_s": 20, "row_time_s": 2},
    },
}
