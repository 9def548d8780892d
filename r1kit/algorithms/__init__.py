"""RL variants beyond TRL's options, one module each: its schema, its checks, its trainer hook.

- presets (r1kit/conf/algorithm/<name>.yaml, the Hydra group `algorithm`): grpo, dr_grpo, dapo,
  gspo, bnpo, stable_reinforce. A preset is data: TRL options plus the switches below, merged
  under a grpo stage's own keys (`algorithm: dapo`).
- stable_reinforce: R1-Reward's clamped ratio and advantage filter (hooks into TRL's loss).
- dynamic_sampling: DAPO's regeneration of groups without reward signal.
- domain_sampling: RuleReasoner-style sampling of data sources by recent reward.
- reward_schedule, stage_schedules: reward weights that move during a stage; what a stage logs of them.
- scored_batch: the rewards and columns of the batch just scored, which the hooks above read.

A grpo stage (r1kit/stages/grpo.py) puts the hooks on its trainer; the tests in
tests/algorithms pin the TRL methods they override (`_calculate_rewards`,
`_generate_and_score_completions`, `_compute_loss`, `_get_per_token_logps_and_entropies`,
`_get_train_sampler`).
"""

from r1kit.conf import CONF_DIR, group_options

PRESETS = CONF_DIR / "algorithm"


def algorithm_names() -> list[str]:
    """The presets a grpo stage can name in `algorithm:`."""
    return group_options("algorithm")
