"""The `math_qa` adapter: a question and its gold answer (GSM8K `####` or MATH `\\boxed{}`), scored with math-verify."""

from r1kit.answers import gold_answer
from r1kit.data.adapters import R1_SYSTEM_PROMPT, Adapter
from r1kit.errors import UserError


class MathQA(Adapter):
    """Question -> answer, scored with math-verify. An optional `solution` column gives SFT targets.

    `answer_as: verbatim` keeps the answer column as written (stripped) instead of reading a gold
    answer out of it (after `####`, the last `\\boxed{}`): for references that are code or patches,
    which may hold either by chance, scored by a text reward such as `patch_similarity`.

    An optional `system` column gives a row its own system turn in place of `system_prompt`: for
    published prompts that carry one (verl rows whose `prompt` opens with a system message).
    """

    name = "math_qa"
    required = ("question",)
    optional = ("answer", "solution", "system")
    metric = "math_accuracy"

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, solution_as: str = "r1_tags",
                 answer_as: str = "gold", **options):
        super().__init__(columns, system_prompt, **options)
        if solution_as not in ("r1_tags", "verbatim"):
            raise UserError(f"adapter {self.name}: solution_as={solution_as!r}: use `r1_tags` (the solution in <think>, "
                            "the gold in <answer>) or `verbatim` (the solution as written, e.g. a distilled R1 reply)")
        if answer_as not in ("gold", "verbatim"):
            raise UserError(f"adapter {self.name}: answer_as={answer_as!r}: use `gold` (the answer after ####, or the "
                            "last \\boxed{}, else the whole text) or `verbatim` (the answer column as written)")
        self.solution_as, self.answer_as = solution_as, answer_as

    def check_columns(self, available, source):
        super().check_columns(available, source)
        if self.columns["answer"] not in available and self.columns["solution"] not in available:
            raise UserError(f"{source}: the `{self.name}` adapter needs an answer: a column "
                            f"{self.columns['answer']!r} or a solution {self.columns['solution']!r} with \\boxed{{}}, "
                            f"but the data has columns {available}. Map yours with `columns: {{answer: <column>}}`.")

    def question_and_gold(self, row) -> tuple[str, str, object, object]:
        """(question, gold answer, raw answer, solution) of a row; ValueError when either is missing."""
        question, answer, solution = self.get(row, "question"), self.get(row, "answer"), self.get(row, "solution")
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"column {self.columns['question']!r} is empty")
        raw = answer if answer not in (None, "") else solution
        if raw in (None, ""):
            raise ValueError(f"no answer in {self.columns['answer']!r} or {self.columns['solution']!r}")
        gold = str(raw).strip() if self.answer_as == "verbatim" else gold_answer(raw)
        return question, gold, answer, solution

    def example(self, row):
        question, gold, answer, solution = self.question_and_gold(row)
        out = {"prompt": self.prompt(question), "answer": gold, "task": self.name}
        system = self.get(row, "system")
        if isinstance(system, str) and system.strip():  # the row's own system turn replaces `system_prompt`'s
            turns = out["prompt"][1:] if self.system_prompt else out["prompt"]
            out["prompt"] = [{"role": "system", "content": system}] + turns
        if solution:
            text = str(solution).strip() if self.solution_as == "verbatim" else self.target(str(solution), gold)
            out["messages"] = out["prompt"] + [{"role": "assistant", "content": text}]
        elif isinstance(answer, str) and "####" in answer:  # GSM8K carries its reasoning before ####
            out["messages"] = out["prompt"] + [
                {"role": "assistant", "content": self.target(answer.rsplit("####", 1)[0], gold)}]
        return out

    @staticmethod
    def target(reasoning: str, gold: str) -> str:
        """A cold-start target: the reasoning in <think>, the gold in <answer> (kept if already tagged)."""
        if "<think>" in reasoning and "<answer>" in reasoning:
            return reasoning.strip()
        return f"<think>{reasoning.strip()}</think><answer>{gold}</answer>"
