"""od_map: VLM-R1's odLength reward (COCO mAP times a count penalty), values worked out by hand."""

import json

import pytest
from reward_cases import answer_block, chat

from r1kit.errors import UserError
from r1kit.rewards import resolve
from r1kit.rewards.detection_map import od_map
from tests.helpers import run_cli

CAT = {"bbox_2d": [0, 0, 100, 100], "label": "cat"}
DOG = {"bbox_2d": [200, 200, 300, 300], "label": "dog"}
FAR_CAT = {"bbox_2d": [500, 500, 600, 600], "label": "cat"}


def said(*objects) -> str:
    return answer_block("```json\n" + json.dumps(list(objects)) + "\n```")


def score(completion, gold, **options):
    return od_map([completion], answer=[gold], **options)[0]


def test_every_object_found_scores_one():
    assert score(said(CAT, DOG), [CAT, DOG]) == 1.0
    assert score(chat(said(DOG, CAT)), [CAT, DOG]) == 1.0


def test_a_duplicate_costs_through_the_count_penalty_only():
    # cat: hit then a duplicate miss; precision envelope 1 at recall 1, so AP 1. Penalty 2 / 3.
    assert score(said(CAT, DOG, CAT), [CAT, DOG]) == pytest.approx(2 / 3)
    assert score(said(CAT, DOG, CAT), [CAT, DOG], count_penalty=False) == 1.0  # VLM-R1's od_reward


def test_iou_072_is_matched_at_five_of_the_ten_thresholds():
    # [0,0,100,72] against [0,0,100,100]: IoU 0.72 >= .50 .55 .60 .65 .70, not .75 ... .95.
    assert score(said({"bbox_2d": [0, 0, 100, 72], "label": "cat"}), [CAT]) == pytest.approx(0.5)


def test_all_predictions_rank_equally_so_a_wrong_box_first_lowers_ap():
    # miss then hit: precision 1/2 at recall 1 -> AP 0.5; penalty 1/2.
    assert score(said(FAR_CAT, CAT), [CAT]) == pytest.approx(0.25)
    # hit then miss: AP 1; penalty 1/2.
    assert score(said(CAT, FAR_CAT), [CAT]) == pytest.approx(0.5)


def test_a_missed_object_halves_recall():
    # one of two cats: precision 1 up to recall 0.5, none beyond -> 51 of 101 recall points.
    other_cat = {"bbox_2d": [300, 0, 400, 100], "label": "cat"}
    assert score(said(CAT), [CAT, other_cat]) == pytest.approx(51 / 101)


def test_mean_over_gold_labels():
    assert score(said(CAT), [CAT, DOG]) == pytest.approx(0.5)  # cat AP 1, dog AP 0


def test_a_label_that_is_no_gold_label_is_left_out_but_counted():
    assert score(said({**CAT, "label": "dog"}), [CAT]) == 0.0
    assert score(said(CAT, {**DOG, "label": "bird"}), [CAT]) == pytest.approx(0.5)  # AP 1, penalty 1/2


def test_unlabelled_gold_is_one_category():
    assert score(said({**CAT, "label": "anything"}), [[0, 0, 100, 100]]) == 1.0
    assert score(answer_block("[0, 0, 100, 100]"), [[0, 0, 100, 100]]) == 1.0


@pytest.mark.parametrize(
    ("completion", "gold", "expected"),
    [
        (answer_block("None"), "None", 1.0),  # VLM-R1's "no objects" on both sides
        (answer_block("[]"), [], 1.0),
        (answer_block("No objects"), [], 1.0),
        (said(CAT), [], 0.0),
        (answer_block("None"), [CAT], 0.0),
        (answer_block("a cat somewhere"), [CAT], 0.0),  # unreadable answer
        (answer_block("a cat somewhere"), [], 0.0),  # VLM-R1 would give 1 here
        (said(CAT), "not a gold list", None),
        (said(CAT), None, None),
    ],
)
def test_empty_none_and_unreadable(completion, gold, expected):
    assert score(completion, gold) == expected


def test_boxes_in_the_reasoning_do_not_count():
    text = "<think>" + json.dumps([CAT]) + "</think><answer>None</answer>"
    assert score(text, [CAT]) == 0.0


def test_options_are_checked():
    with pytest.raises(UserError, match="count_penalty"):
        resolve("od_map", count_penalty="yes")
    assert resolve("od_map", count_penalty=False)([said(CAT, CAT)], answer=[[CAT]]) == [1.0]


def test_same_as_pycocotools_on_random_scenes():
    """Where pycocotools is installed, COCOeval's stats[0] (all scores 1.0, as VLM-R1 sets them) agrees."""
    import contextlib
    import io
    import random

    pytest.importorskip("pycocotools")
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    from r1kit.rewards.detection_map import coco_map

    def cocoeval(predicted, gold):
        cats = {label: i for i, label in enumerate(dict.fromkeys(label for _, label in gold))}
        xywh = lambda b: [b[0], b[1], b[2] - b[0], b[3] - b[1]]
        dataset = {"images": [{"id": 0}], "categories": [{"id": i, "name": n} for n, i in cats.items()],
                   "annotations": [{"id": k + 1, "image_id": 0, "category_id": cats[label], "bbox": xywh(box),
                                    "area": xywh(box)[2] * xywh(box)[3], "iscrowd": 0}
                                   for k, (box, label) in enumerate(gold)]}
        found = [{"image_id": 0, "category_id": cats[label], "bbox": xywh(box), "score": 1.0}
                 for box, label in predicted if label in cats]
        if not found:
            return 0.0
        with contextlib.redirect_stdout(io.StringIO()):
            coco = COCO()
            coco.dataset = dataset
            coco.createIndex()
            evaluation = COCOeval(coco, coco.loadRes(found), "bbox")
            evaluation.evaluate()
            evaluation.accumulate()
            evaluation.summarize()
        return evaluation.stats[0]

    rng = random.Random(0)

    def box():
        x, y = rng.randint(0, 300), rng.randint(0, 300)
        return (float(x), float(y), float(x + rng.randint(10, 150)), float(y + rng.randint(10, 150)))

    for _ in range(100):
        gold = [(box(), rng.choice("ab")) for _ in range(rng.randint(1, 5))]
        predicted = []
        for _ in range(rng.randint(1, 7)):
            if rng.random() < 0.6:
                (x1, y1, x2, y2), label = rng.choice(gold)
                shift = [rng.randint(-15, 15) for _ in range(4)]
                moved = (x1 + shift[0], y1 + shift[1], x2 + shift[2], y2 + shift[3])
                ok = moved[2] > moved[0] and moved[3] > moved[1]
                predicted.append((moved if ok else (x1, y1, x2, y2), label if rng.random() < 0.9 else "c"))
            else:
                predicted.append((box(), rng.choice("abc")))
        assert coco_map(predicted, gold) == pytest.approx(cocoeval(predicted, gold), abs=1e-9)


def test_a_recipe_names_it_with_options_and_a_bad_option_is_one_message():
    ok = run_cli("train", "recipe=quickstart", "--cfg", "job",
                 "stages.grpo.rewards=[{name: od_map, count_penalty: false, weight: 2.0}]")
    assert "od_map" in ok.stdout and "count_penalty: false" in ok.stdout
    bad = run_cli("train", "recipe=quickstart", "--cfg", "job",
                  "stages.grpo.rewards=[{name: od_map, count_penalty: maybe}]", check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "stages.grpo.rewards[0]: od_map option count_penalty='maybe' must be true or false" in bad.stderr
