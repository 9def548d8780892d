"""Small synthetic text tasks made in code: reranking, translation and preference pairs.

They exist so that tests, demos and smoke runs of the `rerank`, `translation` and
`preference` adapters need no download. Every row is a plain dict in the adapter's
input format; the same seed gives the same rows.
"""

import random

# --- reranking -------------------------------------------------------------------------

FACTS = {
    "volcanoes": ("Volcanoes erupt when magma rises through cracks in the crust of the Earth.",
                  "Most volcanoes sit on the boundaries between tectonic plates."),
    "honeybees": ("Honeybees make honey from the nectar they collect from flowers.",
                  "A honeybee colony has one queen and thousands of workers."),
    "glaciers": ("Glaciers form where more snow falls in winter than melts in summer.",
                 "Moving glaciers carve deep valleys shaped like the letter U."),
    "tides": ("Tides are caused mainly by the pull of the Moon on the oceans.",
              "Most coasts see two high tides and two low tides every day."),
    "rainbows": ("A rainbow appears when sunlight is bent and reflected inside raindrops.",
                 "The colours of a rainbow always run from red outside to violet inside."),
    "vaccines": ("Vaccines train the immune system to recognise a germ before an infection.",
                 "Many vaccines need a booster dose to keep protection high."),
    "compilers": ("A compiler translates source code into machine instructions before it runs.",
                  "Compilers check types and report errors before a program starts."),
    "bread": ("Bread rises because yeast turns sugar into carbon dioxide gas.",
              "Kneading dough builds the gluten that gives bread its chewy texture."),
    "eclipses": ("A solar eclipse happens when the Moon passes between the Sun and the Earth.",
                 "A total solar eclipse lasts only a few minutes at any one place."),
    "coral reefs": ("Coral reefs are built by tiny animals that grow hard skeletons of lime.",
                    "Warmer seas can bleach coral reefs by driving away the algae that feed them."),
}
MENTIONS = (
    "The library has a shelf of children's books about {topic} and many other subjects.",
    "Our travel blog once mentioned {topic} in a list of things to see this year.",
    "The quiz night had one question about {topic} among forty others.",
)


def rerank(n: int = 200, passages: int = 5, seed: int = 0) -> list[dict]:
    """Rows with `query`, `passages` and graded `relevance` (TREC-DL style 0-3).

    For a query "facts about <topic>", the topic's first fact is grade 3, its second
    grade 2, a sentence that only mentions the topic grade 1, and facts about other
    topics grade 0; the passages come in a shuffled order.
    """
    most = 3 + 2 * (len(FACTS) - 1)
    if not 3 <= passages <= most:
        raise TypeError(f"rerank generator: passages={passages} must be between 3 and {most}")
    rng = random.Random(seed)
    topics = sorted(FACTS)
    rows = []
    for _ in range(n):
        topic = rng.choice(topics)
        others = [fact for t in topics if t != topic for fact in FACTS[t]]
        candidates = [(FACTS[topic][0], 3), (FACTS[topic][1], 2), (rng.choice(MENTIONS).format(topic=topic), 1)]
        candidates += [(fact, 0) for fact in rng.sample(others, passages - 3)]
        rng.shuffle(candidates)
        rows.append({"query": f"facts about {topic}", "passages": [p for p, _ in candidates],
                     "relevance": [g for _, g in candidates]})
    return rows


# --- translation -----------------------------------------------------------------------

# English noun -> (Chinese, German noun, German gender), and verb -> (Chinese, German)
NOUNS = {
    "cat": ("猫", "Katze", "f"), "dog": ("狗", "Hund", "m"), "bird": ("鸟", "Vogel", "m"),
    "child": ("孩子", "Kind", "n"), "teacher": ("老师", "Lehrerin", "f"), "book": ("书", "Buch", "n"),
    "apple": ("苹果", "Apfel", "m"), "ball": ("球", "Ball", "m"), "letter": ("信", "Brief", "m"),
}
ANIMATE = ("cat", "dog", "bird", "child", "teacher")
VERBS = {"sees": ("看见", "sieht"), "likes": ("喜欢", "mag"), "finds": ("找到", "findet"), "wants": ("想要", "will")}
_ARTICLE = {("m", "nom"): "der", ("m", "acc"): "den", ("f", "nom"): "die", ("f", "acc"): "die",
            ("n", "nom"): "das", ("n", "acc"): "das"}


def _sentence(subject: str, verb: str, obj: str, target: str) -> tuple[str, str]:
    source = f"The {subject} {verb} the {obj}."
    if target == "zh":
        return source, f"{NOUNS[subject][0]}{VERBS[verb][0]}{NOUNS[obj][0]}。"
    s_de, s_gender = NOUNS[subject][1:]
    o_de, o_gender = NOUNS[obj][1:]
    article = _ARTICLE[(s_gender, "nom")].capitalize()
    return source, f"{article} {s_de} {VERBS[verb][1]} {_ARTICLE[(o_gender, 'acc')]} {o_de}."


def translation(n: int = 200, lang_pair: str = "en-zh", seed: int = 0) -> list[dict]:
    """Rows with `source` (English), `reference` and `lang_pair`: "The cat sees the dog." -> "猫看见狗。" (en-zh)
    or "Die Katze sieht den Hund." (en-de)."""
    if lang_pair not in ("en-zh", "en-de"):
        raise TypeError(f"translation generator: lang_pair={lang_pair!r} must be 'en-zh' or 'en-de'")
    rng = random.Random(seed)
    target = lang_pair.split("-")[1]
    rows = []
    for _ in range(n):
        subject = rng.choice(ANIMATE)
        obj = rng.choice([noun for noun in NOUNS if noun != subject])
        source, reference = _sentence(subject, rng.choice(sorted(VERBS)), obj, target)
        rows.append({"source": source, "reference": reference, "lang_pair": lang_pair})
    return rows


# --- preference pairs ------------------------------------------------------------------

UNHELPFUL = ("I am not sure, you could try a calculator.", "That is a hard one; numbers are tricky.",
             "Let me think... probably a big number.")


def preference(n: int = 200, seed: int = 0) -> list[dict]:
    """Rows with `prompt` (an arithmetic question), `chosen` (the right answer, worked) and
    `rejected` (a wrong sum, or an evasive reply)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        a, b = rng.randint(10, 99), rng.randint(10, 99)
        chosen = f"{a} + {b} = {a + b}. The answer is {a + b}."
        if rng.random() < 0.7:
            wrong = a + b + rng.choice((-10, -2, -1, 1, 2, 10))
            rejected = f"{a} + {b} = {wrong}. The answer is {wrong}."
        else:
            rejected = rng.choice(UNHELPFUL)
        rows.append({"prompt": f"What is {a} + {b}?", "chosen": chosen, "rejected": rejected})
    return rows
