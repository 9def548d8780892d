"""Completions per second of the text rewards (ranking, translation, similarity, temporal, preference).

Each reward scores a batch of realistic completions (a few hundred characters of
reasoning, then the answer the task asks for) with the columns its adapter writes;
the figure is the median over repeats. `--long` adds a batch of 20,000-character
repetitive outputs, the cost a runaway policy can ask for.

    .venv/bin/python scripts/bench_text_rewards.py [--batch 256] [--repeats 3] [--long]
"""

import argparse
import random
import statistics
import time

from r1kit.data.text_tasks import rerank as rerank_rows
from r1kit.data.text_tasks import translation as translation_rows
from r1kit.rewards import resolve

REASONING = ("Let me compare the candidates one by one. The first mentions the topic only in passing, "
             "while the second answers the question directly and gives a cause. ") * 4


def think(answer: str, rng: random.Random) -> str:
    return f"<think>{REASONING[: rng.randint(300, len(REASONING))]}</think>\n<answer>{answer}</answer>"


def ranking_batch(n, rng, listwise: bool):
    relevance = []
    completions = []
    for _ in range(n):
        grades = [rng.choice((0, 0, 0, 1, 2, 3)) for _ in range(20)]  # a Rank-R1 / ReasonRank window of 20
        grades[rng.randrange(20)] = 3
        ids = list(range(1, 21))
        rng.shuffle(ids)
        answer = " > ".join(f"[{i}]" for i in ids) if listwise else f"[{ids[0]}]"
        relevance.append(grades)
        completions.append(think(answer, rng))
    return completions, {"relevance": relevance}


def translation_batch(n, rng, pair):
    rows = translation_rows(n=n, lang_pair=pair, seed=rng.randrange(1000))
    words = ["The", "committee", "approved", "the", "new", "budget", "after", "a", "long", "debate", "on", "Friday"]
    completions, references = [], []
    for row in rows:
        # A WMT-length sentence: the generated one plus ~20 words, the output a noisy copy of the reference.
        tail = " ".join(rng.choice(words) for _ in range(20))
        reference = f"{row['reference']} {tail}"
        tokens = reference.split()
        for _ in range(3):
            tokens[rng.randrange(len(tokens))] = rng.choice(words)
        completions.append(think(" ".join(tokens), rng))
        references.append(reference)
    return completions, {"answer": references, "lang_pair": [pair] * n}


PATCH = """diff --git a/src/pkg/module.py b/src/pkg/module.py
--- a/src/pkg/module.py
+++ b/src/pkg/module.py
@@ -120,12 +120,15 @@ class Parser:
     def parse(self, text):
-        tokens = text.split()
-        if not tokens:
-            return None
+        tokens = [t for t in text.split() if t]
+        if not tokens:
+            raise ValueError("empty input")
         result = []
         for token in tokens:
-            result.append(self.convert(token))
+            value = self.convert(token)
+            if value is not None:
+                result.append(value)
         return result
"""


def patch_batch(n, rng):
    completions = []
    lines = PATCH.splitlines()
    for _ in range(n):
        edited = list(lines)
        for _ in range(3):
            i = rng.randrange(4, len(edited))
            edited[i] = edited[i].replace("value", rng.choice(("item", "val", "value"))) + rng.choice(("", "  # fix"))
        completions.append(think("\n".join(edited * rng.choice((1, 1, 2))), rng))
    return completions, {"answer": [PATCH] * n}


def temporal_batch(n, rng, task):
    completions, answers = [], []
    for _ in range(n):
        y, m = rng.randint(2016, 2024), rng.randint(1, 12)
        date = lambda: f"{rng.randint(2016, 2024)}-{rng.randint(1, 12):02d}"
        if task == "time_date":
            gold, pred = f"{y}-{m:02d}", date()
        elif task == "time_difference":
            gold = f"Event 1: {y}-{m:02d}, Event 2: {y + 1}-{m:02d}. Month difference: 12."
            pred = f"Event 1: {date()}, Event 2: {date()}. Month difference: {rng.randint(0, 60)}."
        elif task == "time_ordering":
            gold = f"Event 1: {y}-{m:02d}, Event 2: {y - 1}-{m:02d}, Event 3: {y + 1}-{m:02d}. Event order: 2-1-3."
            order = ["1", "2", "3"]
            rng.shuffle(order)
            pred = f"Event 1: {date()}, Event 2: {date()}, Event 3: {date()}. Event order: {'-'.join(order)}."
        else:
            gold = f"Event: {y}-{m:02d}. Missing entity: {y - 2}."
            pred = f"Event: {date()}. Missing entity: {rng.randint(2010, 2024)}."
        answers.append(gold)
        completions.append(think(pred, rng))
    return completions, {"answer": answers}


def preference_batch(n, rng):
    answers = [rng.choice("AB") for _ in range(n)]
    return [think(f"[[{rng.choice('AB')}]]", rng) for _ in range(n)], {"answer": answers}


CASES = {
    "rerank_setwise": (lambda n, r: ranking_batch(n, r, False), {}),
    "rerank_listwise": (lambda n, r: ranking_batch(n, r, True), {}),
    "translation_bleu en-zh": (lambda n, r: translation_batch(n, r, "en-zh"), {}),
    "translation_bleu en-de": (lambda n, r: translation_batch(n, r, "en-de"), {}),
    "translation_chrf en-de": (lambda n, r: translation_batch(n, r, "en-de"), {}),
    "mt_r1_zero en-zh": (lambda n, r: translation_batch(n, r, "en-zh"), {}),
    "mt_r1_zero bleu+chrf en-de": (lambda n, r: translation_batch(n, r, "en-de"), {"metric": "bleu+chrf"}),
    "patch_similarity": (patch_batch, {}),
    "time_date": (lambda n, r: temporal_batch(n, r, "time_date"), {}),
    "time_difference": (lambda n, r: temporal_batch(n, r, "time_difference"), {}),
    "time_ordering": (lambda n, r: temporal_batch(n, r, "time_ordering"), {}),
    "time_completion": (lambda n, r: temporal_batch(n, r, "time_completion"), {}),
    "preference_judgment": (preference_batch, {}),
}


def long_batch(n, rng):
    return [think("the same words again " * 1000, rng) for _ in range(n)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--long", action="store_true", help="also time 20k-character repetitive outputs")
    args = parser.parse_args()
    assert rerank_rows(n=1)  # the generators import cleanly
    header = f"{'reward':<28} {'completions/s':>14} {'ms/batch':>10}"
    if args.long:
        header += f" {'long: completions/s':>20}"
    print(f"batch of {args.batch} completions, median of {args.repeats} runs")
    print(header)
    print("-" * len(header))
    for label, (make, options) in CASES.items():
        reward = resolve(label.split()[0], **options)
        rng = random.Random(0)
        completions, columns = make(args.batch, rng)
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            scores = reward(completions, **columns)
            times.append(time.perf_counter() - started)
        assert len(scores) == args.batch
        seconds = statistics.median(times)
        line = f"{label:<28} {args.batch / seconds:>14,.0f} {seconds * 1000:>10.1f}"
        if args.long:
            long = long_batch(args.batch, rng)
            started = time.perf_counter()
            reward(long, **columns)
            line += f" {args.batch / (time.perf_counter() - started):>20,.0f}"
        print(line)


if __name__ == "__main__":
    main()
