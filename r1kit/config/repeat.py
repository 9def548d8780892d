"""`repeat:` a block of consecutive stages k times without copying YAML (OpenVLThinker's SFT -> RL loop).

    repeat: {stages: [sft, rl], times: 3}

gives the stages sft, rl, sft_2, rl_2, sft_3, rl_3. Each copy is its stage's spec as composed;
a reference inside the block (`init_from: sft`, `stage:sft`) points at the same round's copy,
so round 2 continues from round 1's last stage through `init_from: previous` as written.
The expanded stages are what validation checks, the run trains and config.yaml records.
"""

import copy

from r1kit.errors import UserError


def expand_repeat(recipe: dict) -> dict:
    """The recipe's stages with the repeated block unrolled (and `repeat` cleared)."""
    spec = recipe.get("repeat")
    if spec is None:
        return recipe["stages"]
    if not isinstance(spec, dict) or set(spec) - {"stages", "times"} or "stages" not in spec:
        raise UserError(f"repeat={spec!r}: give `repeat: {{stages: [<stage>, ...], times: <k>}}`.")
    block, times = spec["stages"], spec.get("times", 2)
    names = list(recipe["stages"])
    if isinstance(block, str):
        block = [block]
    if not block or not all(b in names for b in block):
        raise UserError(f"repeat.stages={block!r}: name stages of this recipe ({', '.join(names)}).")
    start = names.index(block[0])
    if names[start:start + len(block)] != list(block):
        raise UserError(f"repeat.stages={block}: the repeated stages must follow each other in the recipe's order "
                        f"({', '.join(names)}).")
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise UserError(f"repeat.times={times!r}: a whole number of rounds, at least 1.")
    end = start + len(block)
    stages = {n: recipe["stages"][n] for n in names[:end]}
    for round_ in range(2, times + 1):
        renamed = {b: f"{b}_{round_}" for b in block}
        for b in block:
            if renamed[b] in recipe["stages"]:
                raise UserError(f"repeat: round {round_} of stage {b} would be named {renamed[b]}, which the recipe "
                                "already has; rename that stage.")
            stages[renamed[b]] = _rename_refs(copy.deepcopy(recipe["stages"][b]), renamed)
    stages.update({n: recipe["stages"][n] for n in names[end:]})
    recipe["repeat"] = None
    return stages


def _rename_refs(value, renamed: dict):
    """`init_from: <block stage>` and `stage:<block stage>` point at this round's copy."""
    if isinstance(value, dict):
        return {k: (renamed.get(v, v) if k == "init_from" and isinstance(v, str) else _rename_refs(v, renamed))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_rename_refs(v, renamed) for v in value]
    if isinstance(value, str) and value.startswith("stage:") and value[len("stage:"):] in renamed:
        return "stage:" + renamed[value[len("stage:"):]]
    return value
