"""Synthetic tool-use tasks: additions of big numbers, solved by calling a calculator.

`tool_addition` writes trajectories in OpenAI's form: the user asks `a + b = ?`, the assistant
calls `calculator` with the expression, the tool replies, the assistant answers in <answer> tags.
A share of them (`slip_rate`) copy one digit of a number wrongly into the call, so the tool's
reply and the answer are wrong: a cold start on them leaves mistakes for RL to remove. Rows carry
the true sum as `answer`.
"""

import random


def tool_addition(n: int = 1000, digits: int = 6, seed: int = 0, slip_rate: float = 0.0) -> list[dict]:
    rng = random.Random(seed)
    low, high = 10 ** (digits - 1), 10 ** digits - 1
    rows = []
    for _ in range(n):
        a, b = rng.randint(low, high), rng.randint(low, high)
        x = a
        if rng.random() < slip_rate:  # one digit of `a` miscopied
            text = list(str(a))
            i = rng.randrange(len(text))
            text[i] = rng.choice([d for d in "0123456789" if d != text[i] and (i or d != "0")])
            x = int("".join(text))
        call = {"type": "function", "function": {"name": "calculator", "arguments": {"expression": f"{x} + {b}"}}}
        rows.append({"answer": str(a + b), "messages": [
            {"role": "user", "content": f"{a} + {b} = ?"},
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "name": "calculator", "content": str(x + b)},
            {"role": "assistant", "content": f"<answer>{x + b}</answer>"}]})
    return rows
