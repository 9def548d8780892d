"""Synthetic tool-use tasks: additions of big numbers, solved by calling a calculator.

`tool_addition` writes trajectories in OpenAI's form: the user asks `a + b = ?`, the assistant
calls `calculator` with the expression, the tool replies, the assistant answers in <answer> tags.
Rows carry the true sum as `answer`. A teacher that makes mistakes can write them, as in the
quickstart's addition (r1kit/data/addition.py), so that RL with the true sum can beat the cold start:
- a blind spot: a share of the problems (`worded`) is asked in words, "What is a plus b?", and on
  those the teacher answers in its head `blind_spot_rate` of the time, with a guess whose last
  half of the digits is wrong; but not always, so calling the calculator is still sampled;
- random slips (`slip_rate`): one digit of `a` miscopied into the call, so the tool's reply and
  the answer are wrong.
The teacher draws from its own RNG: the problems are the same whatever it does.
`phrasing` words the `worded` problems (default "What is {a} plus {b}?"); "What is {a} + {b} = ?" keeps each number as
far from the question's end as in `a + b = ?`, so a tiny model copies the numbers into the call by position in both.
`sum_digits` keeps only the problems whose sum has that many digits (e.g. 7 for 6-digit numbers: a carry out of the
top column): every reply and answer then has the same length, so a tiny model copies the reply into its answer by
position, which it learns as early as it learns to copy the numbers into the call (the tools quickstart).
"""

import random


def tool_addition(n: int = 1000, digits: int = 6, seed: int = 0, slip_rate: float = 0.0, worded: float = 0.0,
                  blind_spot_rate: float = 0.0, sum_digits: int | None = None,
                  phrasing: str = "What is {a} plus {b}?") -> list[dict]:
    if sum_digits is not None and sum_digits not in (digits, digits + 1):
        raise TypeError(f"tool_addition generator: sum_digits={sum_digits!r} must be digits ({digits}) or digits + 1")
    for option, rate in (("slip_rate", slip_rate), ("worded", worded), ("blind_spot_rate", blind_spot_rate)):
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise TypeError(f"tool_addition generator: {option}={rate!r} must be 0 to 1")  # a UserError in the loader
    if not isinstance(phrasing, str) or any(phrasing.count(f"{{{k}}}") != 1 for k in "ab"):
        raise TypeError(f"tool_addition generator: phrasing={phrasing!r} must hold {{a}} and {{b}} once each")
    rng, teacher = random.Random(seed), random.Random(f"tool_addition-teacher-{seed}")
    low, high = 10 ** (digits - 1), 10 ** digits - 1
    rows = []
    for _ in range(n):
        a, b = rng.randint(low, high), rng.randint(low, high)
        while sum_digits is not None and len(str(a + b)) != sum_digits:
            a, b = rng.randint(low, high), rng.randint(low, high)
        in_words = rng.random() < worded
        question = phrasing.replace("{a}", str(a)).replace("{b}", str(b)) if in_words else f"{a} + {b} = ?"
        user = {"role": "user", "content": question}
        if in_words and teacher.random() < blind_spot_rate:
            rows.append({"answer": str(a + b), "messages": [
                user, {"role": "assistant", "content": f"<answer>{_guess(a + b, teacher)}</answer>"}]})
            continue
        x = _miscopy(a, teacher) if teacher.random() < slip_rate else a
        call = {"type": "function", "function": {"name": "calculator", "arguments": {"expression": f"{x} + {b}"}}}
        rows.append({"answer": str(a + b), "messages": [
            user,
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "name": "calculator", "content": str(x + b)},
            {"role": "assistant", "content": f"<answer>{x + b}</answer>"}]})
    return rows


def _miscopy(a: int, rng: random.Random) -> int:
    """`a` with one digit wrong (never a leading zero)."""
    text = list(str(a))
    i = rng.randrange(len(text))
    text[i] = rng.choice([d for d in "0123456789" if d != text[i] and (i or d != "0")])
    return int("".join(text))


def _guess(total: int, rng: random.Random) -> int:
    """A sum estimated in the head: the leading half of its digits right, the rest made up (and wrong)."""
    text = str(total)
    keep = len(text) - len(text) // 2
    while True:
        guess = text[:keep] + "".join(rng.choice("0123456789") for _ in text[keep:])
        if guess != text:
            return int(guess)
