"""box_precision, box_recall, box_json_format: Vision-R1 [alignment]'s rewards, values worked out by hand."""

import itertools
import json
import random
from types import SimpleNamespace

import pytest
from reward_cases import chat

from r1kit.errors import UserError
from r1kit.rewards import resolve
from r1kit.rewards.box_matching import assignment, box_json_format, box_precision, box_recall

CAT = {"bbox_2d": [0, 0, 100, 100], "label": "cat"}
DOG = {"bbox_2d": [200, 200, 300, 300], "label": "dog"}
BIRD = {"bbox_2d": [400, 0, 500, 100], "label": "bird"}
REFINED = SimpleNamespace(global_step=1500)  # TRL's trainer_state at the step the rules tighten


def cat(height: float) -> dict:
    """A cat box inside CAT of full width: IoU = GIoU = height / 100."""
    return {"bbox_2d": [0, 0, 100, height], "label": "cat"}


def said(*objects) -> str:
    """A reply as Qwen2.5-VL writes one: a fenced JSON list, no reasoning tags."""
    return "```json\n" + json.dumps(list(objects)) + "\n```"


def precision(completion, gold, **options):
    return box_precision([completion], answer=[gold], **options)[0]


def recall(completion, gold, **options):
    return box_recall([completion], answer=[gold], **options)[0]


def test_assignment_is_a_minimum_cost_matching():
    rng = random.Random(0)  # seeds tried: 0 (300 random matrices up to 5 x 5, both orientations)
    for _ in range(300):
        n, m = rng.randint(1, 5), rng.randint(1, 5)
        cost = [[rng.uniform(-3, 10) for _ in range(m)] for _ in range(n)]
        pairs = assignment(cost)
        assert len(pairs) == min(n, m) and len({i for i, _ in pairs}) == len({j for _, j in pairs}) == len(pairs)
        if n <= m:
            best = min(sum(cost[i][c[i]] for i in range(n)) for c in itertools.permutations(range(m), n))
        else:
            best = min(sum(cost[r[j]][j] for j in range(m)) for r in itertools.permutations(range(n), m))
        assert sum(cost[i][j] for i, j in pairs) == pytest.approx(best)
    assert assignment([]) == [] and assignment([[]]) == []


def test_precision_keeps_middle_gious_and_rounds_the_others():
    assert precision(said(cat(80)), [CAT]) == 1.0  # 0.8 > 0.75
    assert precision(said(cat(60)), [CAT]) == pytest.approx(0.6)  # kept as it is
    assert precision(said(cat(40)), [CAT]) == 0.0  # 0.4 < 0.5
    assert precision(said(DOG, cat(60)), [CAT, DOG]) == pytest.approx((1.0 + 0.6) / 2)  # matched whatever the order


def test_precision_rules_tighten_at_the_refine_step():
    assert precision(said(cat(80)), [CAT], trainer_state=SimpleNamespace(global_step=1499)) == 1.0
    assert precision(said(cat(80)), [CAT], trainer_state=REFINED) == pytest.approx(0.8)  # 0.75 <= 0.8 <= 0.9
    assert precision(said(cat(60)), [CAT], trainer_state=REFINED) == 0.0
    assert precision(said(cat(95)), [CAT], trainer_state=REFINED) == 1.0
    assert precision(said(cat(60)), [CAT], trainer_state=REFINED, refine_step=None) == pytest.approx(0.6)


def test_released_script_rules_clip_giou_at_zero():
    fixed = {"bounds": [0, 1], "refine_step": None}  # run_qwen_vision_r1.sh passes no --adaptive
    assert precision(said(cat(40)), [CAT], **fixed) == pytest.approx(0.4)
    far = {"bbox_2d": [300, 300, 400, 400], "label": "cat"}  # GIoU < 0
    assert precision(said(far), [CAT], **fixed) == 0.0


def test_precision_ignores_extra_boxes_and_recall_counts_the_missed():
    assert precision(said(CAT, DOG, BIRD), [CAT]) == 1.0  # only min(3, 1) pairs are matched
    assert recall(said(CAT), [CAT, DOG]) == 0.5  # 1 of 2: kept, neither < 0.5 nor > 0.75
    assert recall(said(CAT), [CAT, DOG, BIRD]) == 0.0  # 1/3 < 0.5
    assert recall(said(CAT, DOG, BIRD), [CAT, DOG, BIRD]) == 1.0
    assert recall(said(CAT), [CAT, DOG, BIRD], bounds=[0, 1], refine_step=None) == pytest.approx(1 / 3)


def test_recall_match_threshold_tightens_at_the_refine_step():
    assert recall(said(cat(60)), [CAT]) == 1.0  # 0.6 > 0.5: found
    assert recall(said(cat(60)), [CAT], trainer_state=REFINED) == 0.0  # 0.6 < 0.75: missed
    assert recall(said(cat(80)), [CAT], trainer_state=REFINED) == 1.0


def test_unreadable_boxes_are_left_out_and_no_box_scores_zero():
    reversed_box = {"bbox_2d": [100, 100, 0, 0], "label": "cat"}
    assert precision(said(reversed_box, DOG), [DOG]) == 1.0  # the reversed box is dropped, as Vision-R1 does
    assert precision("I cannot see any cat.", [CAT]) == 0.0
    assert recall(chat("[]"), [CAT]) == 0.0
    assert precision("[]", []) == 1.0 and recall(said(CAT), []) == 0.0
    assert box_precision([said(CAT)], answer=["not boxes"]) == [None]


def test_json_format_is_dual_and_inverted_for_empty_images():
    assert box_json_format([said(CAT, DOG), json.dumps([CAT]), chat(said(CAT))], answer=[[CAT]] * 3) == [1.0] * 3
    bad = said({"bbox_2d": [0, 0, 100], "label": "cat"})  # three coordinates: the content format fails
    assert box_json_format([bad, "<think>x</think>" + said(CAT), "The cat is at [0, 0, 100, 100]."],
                           answer=[[CAT]] * 3) == [0.0] * 3
    assert box_json_format(["none", said(CAT)], answer=[[], []]) == [1.0, 0.0]
    assert box_json_format(["[" * 100_000], answer=[[CAT]]) == [0.0]  # too deep for json: no raise


def test_options_are_checked_when_the_recipe_is_read():
    with pytest.raises(UserError, match="bounds"):
        resolve("box_precision", bounds=[0.8, 0.5])
    with pytest.raises(UserError, match="refine_step"):
        resolve("box_recall", refine_step=-1)
    with pytest.raises(UserError, match="match_threshold"):
        resolve("box_recall", match_threshold=1.5)
    fn = resolve("box_recall", match_threshold=0.5, refined_match_threshold=0.75, refine_step=10, bounds=[0, 1])
    assert fn([said(cat(60))], answer=[[CAT]], trainer_state=SimpleNamespace(global_step=10)) == [0.0]
