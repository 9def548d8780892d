"""One valid row for each text reward, so the hostile-output tests reach their scoring code."""

CASES = {
    "rerank_setwise": {"columns": {"relevance": [0, 3, 1, 0, 2]}},
    "rerank_listwise": {"columns": {"relevance": [0, 3, 1, 0, 2]}, "options": {"k": 3}},
    "translation_bleu": {"columns": {"answer": "猫看见狗。", "lang_pair": "en-zh"}},
    "translation_chrf": {"columns": {"answer": "The cat sees the dog."}},
    "mt_r1_zero": {"columns": {"answer": "Die Katze sieht den Hund.", "lang_pair": "en-de"}},
    "code_similarity": {"columns": {"answer": "import numpy as np\nx = np.zeros(3)"}},
    "patch_similarity": {"columns": {"answer": "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n"}},
    "time_date": {"columns": {"answer": "2019-03"}},
    "time_difference": {"columns": {"answer": "Event 1: 2019-03, Event 2: 2020-01. Month difference: 10."}},
    "time_ordering": {
        "columns": {"answer": "Event 1: 2021-05, Event 2: 2019-11, Event 3: 2022-08. Event order: 2-1-3."}},
    "time_completion": {"columns": {"answer": "Event: 2021-03. Missing entity: 2019."}},
    "preference_judgment": {"columns": {"answer": "B"}},
    # Rewards that read only the completion: listed so the hostile-output tests name them.
    "reasoning_steps": {"columns": {}},
    "think_only_format": {"columns": {}},
    "repetition_zh": {"columns": {}, "options": {"ngram_size": 2}},
}
