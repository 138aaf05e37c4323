"""Figures that grow like a real post's: deterministic, seeded by the post's id, never shrinking.

Every platform of the sandbox answers its metrics from `grow`, so a test that reads a post twice
sees the same figure at the same age and a larger (or equal) one later, and two runs agree. A
post's audience comes quickly and then levels off (about half of it in the first day), as
organic reach does on the platforms; `scale` is the figure the post tends to after months.
"""

from __future__ import annotations

import hashlib
import math

DAY = 86_400.0
# Typical long-run figures of a provincial page's post, by metric; each post draws its own
# between a tenth and twice this, from its id.
SCALES = {
    "views": 4_000,
    "reach": 2_500,
    "reactions": 180,
    "comments": 24,
    "shares": 30,
    "video_views": 1_500,
}


def _unit(*parts: str) -> float:
    """A number in [0, 1) drawn from `parts` alone."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def grow(key: str, metric: str, age_seconds: float, seed: str = "loa") -> int:
    """The figure `metric` of the post `key` at `age_seconds` after it went out."""
    if age_seconds <= 0:
        return 0
    scale = SCALES.get(metric, 100) * (0.1 + 1.9 * _unit(seed, key, metric))
    # 1 - e^(-t/τ) with τ = 1.4 days: 51 % after a day, 99 % after a week.
    return int(scale * (1.0 - math.exp(-age_seconds / (1.4 * DAY))))
