"""Result files written whole, their names, and the console table's order and formats."""

import json

from rich.console import Console

from r1kit.evaluation.results import fmt, print_table, result_name, shown_config, write_results


def test_both_files_are_written_and_read_back(tmp_path):
    records = [{"prompt_index": 0, "completion": "é"}, {"prompt_index": 1, "completion": "x"}]
    write_results(tmp_path / "out", "m-data", {"figures": {"accuracy": 0.5}}, records)
    assert json.loads((tmp_path / "out" / "m-data.json").read_text())["figures"]["accuracy"] == 0.5
    lines = (tmp_path / "out" / "m-data.samples.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["m-data.json", "m-data.samples.jsonl"]


def test_names_and_shown_config():
    assert result_name({"name": None}, "run/sft", "held", 2) == "run-sft-held"
    assert result_name({"name": "mine"}, "sft", "held", 1) == "mine"
    assert result_name({"name": "mine"}, "sft", "held", 2) == "mine-sft"
    shown = shown_config({"n": 1, "_names": {}, "limit": None}, 24, 10, ["r"])
    assert shown == {"n": 1, "limit": 10, "max_new_tokens": 24, "reward": ["r"]}


def test_table_orders_rates_then_pass_maj_rewards_then_lengths():
    figures = {"accuracy": 0.25, "format_rate": 1.0, "mean_length": 12.34, "maj@4": 0.5, "pass@4": 0.75,
               "pass@1": 0.25, "rewards/exact_match": 0.123, "completions_per_second": 3.0}
    console = Console(record=True, width=120)
    print_table([{"model": "sft", "figures": figures}, {"model": "rl", "figures": {"accuracy": 0.5}}],
                console, "held")
    text = console.export_text()
    rows = [line.split()[1] for line in text.splitlines() if line.strip().startswith("│")]
    assert rows == ["accuracy", "format_rate", "pass@1", "pass@4", "maj@4", "rewards/exact_match",
                    "mean_length", "completions_per_second"]
    assert "25.0%" in text and "12.3" in text and "0.12" in text and " - " in text
    assert fmt(None) == "-" and fmt(0.5, "reward") == "0.50"
