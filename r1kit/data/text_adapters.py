"""Text-task adapters beyond math: passage reranking, translation and preference judgment.

Each turns its rows into the think/answer prompt of the paper it follows (Rank-R1 and
ReasonRank, MT-R1-Zero, RM-R1) and records what its reward reads (`relevance`,
`lang_pair`, which response was chosen). Rows are shuffled, where they are, by a
generator seeded with `seed` and the row's own text, so every run sees the same order.
"""

import math
import random
from collections.abc import Mapping

from r1kit.data.adapters import R1_SYSTEM_PROMPT, Adapter
from r1kit.data.chat import role_of
from r1kit.errors import UserError

_MODE_DEFAULT = object()  # "the system prompt of the adapter's mode"; YAML cannot write it


def _row_rng(seed, *texts):
    """A `random.Random` fixed by the seed and the row's text: the same row shuffles the same way every run."""
    return random.Random("\x00".join([str(seed), *(str(t) for t in texts)]))


def _text(value, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} is not a non-empty string")
    return value.strip()


def _check_choice(adapter: str, option: str, value, allowed: tuple) -> None:
    if value not in allowed:
        raise TypeError(f"the `{adapter}` adapter option {option}={value!r} must be one of {', '.join(allowed)}")


RERANK_LISTWISE_SYSTEM = (
    "You are RankLLM, an intelligent assistant that can rank passages based on their relevance to the query. "
    "Given a query and a passage list, you first thinks about the reasoning process in the mind and then provides "
    "the answer (i.e., the reranked passage list). The reasoning process and answer are enclosed within "
    "<think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning process here </think> "
    "<answer> answer here </answer>."
)


class Rerank(Adapter):
    """Query + passages + graded relevance -> a setwise (Rank-R1) or listwise (ReasonRank) reranking prompt.

    `passages` is a list of strings (or of `{title, text, docid}` mappings); `relevance`
    gives each passage's grade (TREC-DL style, 0-3) as a list in passage order, or a
    mapping from docid, or from 1-based position, to grade (passages it leaves out are
    grade 0). Rows get `relevance` (grades by passage id [1], [2], ...) for the
    `rerank_setwise`/`rerank_listwise` rewards, and `answer`: a best passage's label
    ("[3]", setwise) or the ideal ranking ("[2] > [3] > [1]", listwise).
    """

    name = "rerank"
    required = ("query", "passages", "relevance")
    MODES = ("setwise", "listwise")

    def __init__(self, columns=None, system_prompt=_MODE_DEFAULT, mode: str = "setwise", shuffle: bool = False,
                 seed: int = 0, max_words: int | None = None, **options):
        _check_choice(self.name, "mode", mode, self.MODES)
        if max_words is not None and (isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 1):
            raise TypeError(f"the `{self.name}` adapter option max_words={max_words!r} must be a positive integer")
        if system_prompt is _MODE_DEFAULT:
            system_prompt = R1_SYSTEM_PROMPT if mode == "setwise" else RERANK_LISTWISE_SYSTEM
        super().__init__(columns, system_prompt, **options)
        self.mode, self.shuffle, self.seed, self.max_words = mode, shuffle, seed, max_words
        self.metric = f"rerank_{mode}"

    def _passage(self, value, i: int) -> tuple[str, object]:
        docid = None
        if isinstance(value, Mapping):
            docid = value.get("docid", value.get("id"))
            value = f"{value.get('title') or ''} {value.get('text') or ''}"
        text = " ".join(_text(value, f"passage {i + 1}").split())
        if self.max_words:
            text = " ".join(text.split(" ")[: self.max_words])
        return text, docid

    def _grades(self, relevance, docids: list, n: int) -> list[float]:
        col = self.columns["relevance"]
        if isinstance(relevance, (list, tuple)):
            if len(relevance) != n:
                raise ValueError(f"column {col!r} has {len(relevance)} grades for {n} passages")
            pairs = list(enumerate(relevance))
        elif isinstance(relevance, Mapping):
            by_docid = {str(d): i for i, d in enumerate(docids) if d is not None}
            pairs = []
            for key, grade in relevance.items():
                if grade is None:  # Arrow gives every row the union of the mapping's keys
                    continue
                key = str(key).strip()
                if key in by_docid:
                    pairs.append((by_docid[key], grade))
                elif key.strip("[]").isdigit() and 1 <= int(key.strip("[]")) <= n:
                    pairs.append((int(key.strip("[]")) - 1, grade))
                else:
                    raise ValueError(f"column {col!r} grades passage {key!r}, which is neither a docid of this row "
                                     f"nor a position 1..{n}")
        else:
            raise TypeError(f"column {col!r} must be a list of grades (one per passage) or a mapping "
                             f"docid/position -> grade, not {type(relevance).__name__}")
        grades = [0.0] * n
        for i, grade in pairs:
            if isinstance(grade, bool) or not isinstance(grade, (int, float)) or not math.isfinite(grade):
                raise ValueError(f"column {col!r} has a grade {grade!r} that is not a number")
            grades[i] = float(grade)
        return grades

    def example(self, row):
        query = _text(self.get(row, "query"), f"column {self.columns['query']!r}")
        raw = self.get(row, "passages")
        if not isinstance(raw, (list, tuple)) or not raw:
            raise ValueError(f"column {self.columns['passages']!r} is not a non-empty list of passages")
        passages = [self._passage(p, i) for i, p in enumerate(raw)]
        grades = self._grades(self.get(row, "relevance"), [d for _, d in passages], len(passages))
        order = list(range(len(passages)))
        if self.shuffle:
            _row_rng(self.seed, query, *(t for t, _ in passages)).shuffle(order)
        texts, grades = [passages[i][0] for i in order], [grades[i] for i in order]
        listing = "\n".join(f"[{i + 1}] {t}" for i, t in enumerate(texts))
        ideal = sorted(range(len(texts)), key=lambda i: (-grades[i], i))
        if self.mode == "setwise":
            user = (f'Given the query: "{query}", which of the following documents is most relevant?\n{listing}\n'
                    "After completing the reasoning process, please provide only the label of the most relevant "
                    "document to the query, enclosed in square brackets, within the answer tags. For example, if "
                    "the third document is the most relevant, the answer should be: <think> reasoning process here "
                    "</think> <answer>[3]</answer>.")
            answer = f"[{ideal[0] + 1}]"
        else:
            n = len(texts)
            user = (f"I will provide you with {n} passages, each indicated by a numerical identifier []. Rank the "
                    f"passages based on their relevance to the search query: {query}.\n\n{listing}\n\n"
                    f"Search Query: {query}.\nRank the {n} passages above based on their relevance to the search "
                    "query. All the passages should be included and listed using identifiers, in descending order "
                    "of relevance. The format of the answer should be [] > [], e.g., [2] > [1].")
            answer = " > ".join(f"[{i + 1}]" for i in ideal)
        return {"prompt": self.prompt(user), "answer": answer, "relevance": grades, "task": self.name}


LANGUAGES = {"en": "English", "zh": "Chinese", "de": "German", "ja": "Japanese", "fr": "French", "es": "Spanish",
             "ru": "Russian", "ko": "Korean", "cs": "Czech", "it": "Italian", "pt": "Portuguese", "ar": "Arabic",
             "uk": "Ukrainian", "tr": "Turkish", "nl": "Dutch", "pl": "Polish", "hi": "Hindi", "is": "Icelandic"}


def _lang_pair(value, what: str) -> tuple[str, str]:
    parts = value.strip().split("-") if isinstance(value, str) else []
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise ValueError(f"{what} {value!r} is not a language pair such as 'en-zh'")
    return parts[0].strip(), parts[1].strip()


class Translation(Adapter):
    """Source sentence + reference translation (+ language pair) -> an MT-R1-Zero-style think/answer translation prompt.

    Reads `source` and `reference`, or MT-R1-Zero's own rows (`{"lg": "en-zh", "en": ...,
    "zh": ...}`: map `columns: {lang_pair: lg}` and the text columns are found by language
    code). The language pair comes from the `lang_pair` column or the `lang_pair`
    option. Rows get `answer` (the reference) and `lang_pair` (which picks BLEU's
    tokenizer in `translation_bleu` and `mt_r1_zero`).
    """

    name = "translation"
    optional = ("source", "reference", "lang_pair")

    def __init__(self, columns=None, system_prompt: str | None = None, lang_pair: str | None = None,
                 answer_tag: str = "answer", **options):
        super().__init__(columns, system_prompt, **options)
        if lang_pair is not None:
            try:
                _lang_pair(lang_pair, "option lang_pair")
            except ValueError as err:
                raise TypeError(f"the `{self.name}` adapter {err}") from None
        if not isinstance(answer_tag, str) or not answer_tag.isidentifier():
            raise TypeError(f"the `{self.name}` adapter option answer_tag={answer_tag!r} must be a tag name such as "
                            "'answer' or 'translate'")
        self.lang_pair, self.answer_tag = lang_pair, answer_tag
        self.metric = "translation_bleu" if answer_tag == "answer" else None

    def check_columns(self, available, source):
        has = {role: self.columns[role] in available for role in self.optional}
        if has["source"] and has["reference"]:
            return
        if self.lang_pair:
            codes = _lang_pair(self.lang_pair, "option lang_pair")
            if all(code in available for code in codes):
                return
            hint = f"columns named {codes[0]!r} and {codes[1]!r} (the language codes of lang_pair={self.lang_pair!r})"
        elif has["lang_pair"]:
            return  # MT-R1-Zero rows: the text columns are named by each row's language codes
        else:
            hint = f"a language pair (column {self.columns['lang_pair']!r} or option lang_pair)"
        raise UserError(f"{source}: the `{self.name}` adapter needs columns {self.columns['source']!r} and "
                        f"{self.columns['reference']!r}, or {hint}; the data has columns {available}. "
                        "Map yours with `columns: {source: <column>, reference: <column>}`.")

    def example(self, row):
        pair = self.get(row, "lang_pair") or self.lang_pair
        src_code, tgt_code = _lang_pair(pair, f"column {self.columns['lang_pair']!r}") if pair else (None, None)
        source, reference = self.get(row, "source"), self.get(row, "reference")
        if source is None and reference is None and src_code:
            source, reference = row.get(src_code), row.get(tgt_code)
            where = (f"column {src_code!r}", f"column {tgt_code!r}")
        else:
            where = (f"column {self.columns['source']!r}", f"column {self.columns['reference']!r}")
        source, reference = _text(source, where[0]), _text(reference, where[1])
        src_name = LANGUAGES.get(src_code, src_code) if src_code else "the source language"
        tgt_name = LANGUAGES.get(tgt_code, tgt_code) if tgt_code else "the target language"
        tag = self.answer_tag
        system = self.system_prompt or (
            f"You are a helpful translation assistant. There is a conversation between User and Assistant. The user "
            f"asks for a translation from {src_name} to {tgt_name}, and the Assistant solves it. The Assistant first "
            "thinks about the reasoning process in the mind and then provides the user with the final translation. "
            f"The reasoning process and final translation are enclosed within <think> </think> and <{tag}> </{tag}> "
            f"tags, respectively, i.e., <think> reasoning process here </think><{tag}> final translation here "
            f"</{tag}>.")
        prompt = [{"role": "system", "content": system}, {"role": "user", "content": source}]
        return {"prompt": prompt, "answer": reference, "lang_pair": f"{src_code}-{tgt_code}" if src_code else "",
                "task": self.name}


PREFERENCE_SYSTEM = (
    "Please act as an impartial judge and evaluate the quality of the responses provided by two AI Chatbots to the "
    "Client's question displayed below. Compare them on correctness, helpfulness and completeness; do not let the "
    "order of the responses, their length or the Chatbots' names affect your judgment. First think about the "
    "comparison in the mind, then give your final judgment. The reasoning and the judgment are enclosed within "
    "<think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning process here </think>"
    "<answer>[[A]]</answer> if Chatbot A is better, or <answer>[[B]]</answer> if Chatbot B is better."
)


def _response_text(value, what: str) -> str:
    """A response given as text, or as a conversation whose last assistant message is the response."""
    if isinstance(value, (list, tuple)):
        replies = [m.get("content", m.get("value")) for m in value
                   if isinstance(m, Mapping) and role_of(m) == "assistant"]
        value = replies[-1] if replies else None
    return _text(value, what)


def _conversation_text(value, what: str) -> str:
    if isinstance(value, (list, tuple)):
        lines = []
        for m in value:
            if not isinstance(m, Mapping):
                raise TypeError(f"{what} has a message {m!r} that is not a mapping")
            role = role_of(m)
            lines.append(f"{'Client' if role == 'user' else str(role).capitalize()}: {m.get('content', m.get('value'))}")
        value = "\n".join(lines)
    return _text(value, what)


class Preference(Adapter):
    """Prompt + chosen + rejected -> an RM-R1-style judge prompt with the two responses in a seeded random order.

    The pair is shown as Chatbot A and Chatbot B in an order drawn from a generator
    seeded with `seed` and the row's text, so it is the same every run and the chosen
    response is first about half the time. `answer` records where the chosen one went:
    "A" or "B" (read by `preference_judgment`). Responses may be text or conversations
    (their last assistant message is used).

    A row with a `label` ("A", "B", RM-R1's "model_a"/"model_b") is a judge prompt already
    built, as RM-R1 and Think-RM publish their RL data: its `prompt` is the whole judge
    conversation (system and user turns), used as written, and `label` names the better
    response; `chosen` and `rejected` are not read.
    """

    name = "preference"
    required = ("prompt", "chosen", "rejected")
    optional = ("label",)
    metric = "preference_judgment"

    def __init__(self, columns=None, system_prompt: str | None = PREFERENCE_SYSTEM, seed: int = 0, **options):
        super().__init__(columns, system_prompt, **options)
        self.seed = seed

    def check_columns(self, available: list[str], source: str):
        if self.columns["label"] in available:  # built judge prompts: prompt + label
            if self.columns["prompt"] not in available:
                raise UserError(f"{source}: the `{self.name}` adapter reads built judge prompts from column "
                                f"{self.columns['prompt']!r} beside {self.columns['label']!r}, but the data has "
                                f"columns {available}. Map yours with `columns: {{prompt: <your column>}}`.")
            return
        super().check_columns(available, source)

    def example(self, row):
        if self.get(row, "label") is not None:
            return self._built(row)
        question = _conversation_text(self.get(row, "prompt"), f"column {self.columns['prompt']!r}")
        chosen = _response_text(self.get(row, "chosen"), f"column {self.columns['chosen']!r}")
        rejected = _response_text(self.get(row, "rejected"), f"column {self.columns['rejected']!r}")
        if chosen == rejected:
            raise ValueError("the chosen and rejected responses are identical, so neither can be preferred")
        chosen_first = _row_rng(self.seed, question, chosen, rejected).random() < 0.5
        first, second = (chosen, rejected) if chosen_first else (rejected, chosen)
        user = (f"[Client Question]\n{question}\n\n[The Start of Chatbot A's Response]\n{first}\n"
                f"[The End of Chatbot A's Response]\n\n[The Start of Chatbot B's Response]\n{second}\n"
                "[The End of Chatbot B's Response]")
        return {"prompt": self.prompt(user), "answer": "A" if chosen_first else "B", "task": self.name}

    def _built(self, row):
        what = f"column {self.columns['prompt']!r}"
        messages = self.get(row, "prompt")
        if not isinstance(messages, (list, tuple)) or not messages:
            raise ValueError(f"{what} must be the judge conversation (a list of messages) when the row has a label")
        prompt = []
        for m in messages:
            role = role_of(m) if isinstance(m, Mapping) else None
            content = m.get("content", m.get("value")) if role else None
            if role not in ("system", "user", "assistant") or not isinstance(content, str) or not content.strip():
                raise TypeError(f"{what} has a message {m!r} that is not a system, user or assistant message with text")
            prompt.append({"role": role, "content": content})  # verbatim: the published prompt
        if prompt[-1]["role"] != "user":
            raise ValueError(f"{what}: the judge conversation must end with the user turn that shows the responses")
        raw = self.get(row, "label")
        label = str(raw).strip().lower().removeprefix("model_").strip("[] ").upper()
        if label not in ("A", "B"):
            raise ValueError(f"column {self.columns['label']!r} is {raw!r}; it must name the better response: "
                             "A or B (RM-R1: model_a or model_b)")
        return {"prompt": prompt, "answer": label, "task": self.name}
