"""The `temporal` adapter: a news-based temporal question and its answer string, scored by Time-R1's rewards."""

from r1kit.data.math_qa import MathQA

TIME_R1_SYSTEM = ("You are a helpful assistant. You first think about the reasoning process in your mind and then "
                  "provide the user with the answer.")


class Temporal(MathQA):
    """News + a temporal question -> a date, a month gap, an event order or a masked time (Time-R1), scored by its task's reward.

    Rows are `question` and `answer`, the answer written as the model must write it (a date
    "2019-03", "Event 1: ..., Event 2: .... Month difference: 10.", ...; r1kit.rewards.temporal).
    Prompts and answers are read as `math_qa` reads them; what differs is the held-out metric:
    `time_r1`, the score of whichever task the gold's format names, where math-verify would read
    a date as a subtraction. The default system prompt is Time-R1's (Time-Bench prompts'
    system turn, examples/data_preprocess/time_reasoning_nyt.py:11).
    """

    name = "temporal"
    metric = "time_r1"

    def __init__(self, columns=None, system_prompt: str | None = TIME_R1_SYSTEM, **options):
        super().__init__(columns, system_prompt, **options)
