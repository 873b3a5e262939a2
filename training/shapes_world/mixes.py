"""The five mixes: which recipes a data set holds and in what shares, which phrasing split its
questions use, which answer style it writes, and how scenes are drawn."""
import math
import random

from recipes import LANGUAGE_RECIPES

# The joint instruction mix (MultiModal-GPT's stage 2): 23 % language-only samples.
FULL_WEIGHTS = {
    "count": 13, "color": 6, "kind": 6, "exists": 8, "position": 8,
    "caption_detailed": 9, "caption_short": 5,
    "compare_one_message": 4, "compare_two_turns": 4, "dialogue": 14,
    "arithmetic": 4, "reverse": 3, "letter_count": 3, "shape_facts": 3, "color_mixing": 3,
    "greeting": 2, "list": 3, "language_dialogue": 2,
}
VISION_WEIGHTS = {k: w for k, w in FULL_WEIGHTS.items() if k not in LANGUAGE_RECIPES}
# Eval: every recipe of the instruction mix equally often.
EVAL_WEIGHTS = {k: 1 for k in FULL_WEIGHTS}

# Training mixes reuse each image for this many samples on average (pool = 0.4 x samples).
POOL_PER_SAMPLE = 0.4

MIXES = {
    # weights, phrasing split, answer style, whether images come from a reused pool
    "base": ({"caption": 1}, "train", "full", False),
    "full": (FULL_WEIGHTS, "train", "full", True),
    "short": (FULL_WEIGHTS, "train", "short", True),
    "vision": (VISION_WEIGHTS, "train", "full", True),
    "eval": (EVAL_WEIGHTS, "eval", "full", False),
}


def quotas(weights, samples):
    """Exact sample counts per recipe (largest remainder), in the weights' order."""
    total = sum(weights.values())
    raw = {k: samples * w / total for k, w in weights.items()}
    counts = {k: math.floor(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: counts[k] - raw[k])[: samples - sum(counts.values())]:
        counts[k] += 1
    return counts


def recipe_order(mix, seed, samples):
    """The recipe of every sample: the quotas, shuffled by the seed."""
    order = [k for k, n in quotas(MIXES[mix][0], samples).items() for _ in range(n)]
    random.Random(f"{seed}/{mix}/order").shuffle(order)
    return order
