"""R1-Onevision's data: the SFT conversations and the GRPO jsonl as `mm_math` rows.

Both of R1-Onevision's stages read conversations with images (Fancy-MLLM/R1-Onevision):

- the SFT set (hub: Fancy-MLLM/R1-onevision), registered in LLaMA-Factory as "sharegpt" with `messages`
  (role/content, user and assistant) and `images` (LLaMA-Factory/data/dataset_info.json:682-695); rows in the
  `conversations` (from/value) spelling are read too. The reply is the formalised reasoning in
  `<think>…</think>` followed by the answer; `convert` splits it there, so the `mm_math` adapter's target
  is `<think>reasoning</think><answer>final text</answer>` (a reply already holding `<answer>` is kept);
- the RL set, in the jsonl layout of VLM-R1's grpo_jsonl.py that R1-Onevision's run_grpo.sh trains on
  (VLM-R1/src/open-r1-multimodal/src/open_r1/grpo_jsonl.py:366-376): `image`, and `conversations` whose
  human turn is the question and whose gpt turn is the answer (`<answer>` tags dropped). grpo_jsonl.py
  strips the `<image>` marker and shows the image first, which is what `mm_math` does with no marker.

A reply without `</think>` is read as an RL row (the bare answer), one with it as an SFT row.

    python scripts/prepare_r1_onevision.py --out data/r1_onevision.jsonl --source Fancy-MLLM/R1-onevision
    python scripts/prepare_r1_onevision.py --out data/r1_onevision_rl.jsonl --source <rl>.jsonl --image-root <images>
"""

from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import prepare_main  # scripts/prepare_common.py
from prepare_vision_r1_cold import split_reply  # the same <think>…</think> + answer layout as Vision-R1-cold

USER, ASSISTANT = ("human", "user"), ("gpt", "assistant")


def turns(row: dict, i: int) -> tuple[str, str]:
    """(question, reply) of a `messages` (role/content) or `conversations` (from/value) row."""
    messages = row.get("messages") or row.get("conversations") or []
    said = [(m.get("role") or m.get("from"), m.get("content") if "content" in m else m.get("value"))
            for m in messages if isinstance(m, dict)]
    question = next((text for who, text in said if who in USER), None)
    reply = next((text for who, text in reversed(said) if who in ASSISTANT), None)
    if not isinstance(question, str) or not isinstance(reply, str):
        raise TypeError(f"row {i}: `messages` needs a user turn and an assistant reply")
    return question, reply


def images_of(row: dict, i: int, image_root: str | None) -> list[str]:
    images = row.get("images") if row.get("images") is not None else row.get("image")
    images = [images] if isinstance(images, (str, dict)) else list(images or [])
    if not images:
        raise ValueError(f"row {i}: no `image` or `images`")
    return [image_ref(im, image_root, f"row {i} image") for im in images]


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """R1-Onevision rows -> mm_math rows: (question, solution, answer, images) when the reply holds reasoning (SFT),
    (question, answer, images) when it is the bare answer (RL: the image shown before the question)."""
    for i, row in enumerate(rows):
        question, reply = turns(row, i)
        images = images_of(row, i, image_root)
        if "</think>" not in reply:
            question = question.replace("<image>", "").strip()
            answer = reply.replace("<answer>", "").replace("</answer>", "").strip()
            if not question or not answer:
                raise ValueError(f"row {i}: the question or the answer is empty")
            yield {"question": question, "answer": answer, "images": images}
            continue
        try:
            solution, answer = split_reply(reply)
        except ValueError as err:
            raise ValueError(f"row {i}: {err}") from None
        yield {"question": question.strip(), "solution": solution, "answer": answer, "images": images}


def main(argv=None):
    prepare_main(convert, __doc__, "data/r1_onevision.jsonl",
                 source_help="Fancy-MLLM/R1-onevision (hub) or a local json/jsonl file",
                 image_root_help="the folder the rows' image names are relative to", argv=argv)


if __name__ == "__main__":
    main()
