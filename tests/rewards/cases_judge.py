"""Model-scored rewards need a judge service or the policy: their hostile-output tests live with them."""

TESTED_ELSEWHERE = {
    "judge": "tests/rewards/test_judge.py",
    "judge_equivalence": "tests/rewards/test_judge.py",
    "judge_thinking": "tests/rewards/test_judge.py",
    "judge_consistency": "tests/rewards/test_judge.py",
    "trust_thinking": "tests/rewards/test_trust.py",
    "verifree": "tests/rewards/test_verifree.py",
}
