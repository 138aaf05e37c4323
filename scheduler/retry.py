"""What happens after a failed try: one small policy object with one decision method.

The adapter's error class says what kind of failure it was; the policy turns that into a next
state and a time, per channel (a YouTube upload deserves a longer pause than a Facebook post).
Backoff is exponential with full jitter and a cap, so retries of many posts after an outage
spread out instead of arriving together.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from channels.base import (
    AuthRequired,
    ChannelError,
    OutcomeUnknown,
    QuotaExceeded,
    RateLimited,
    Rejected,
    Retryable,
)
from content.reasons import Reason

NO_REASON = Reason("", "")


class Next(StrEnum):
    retry = "retry"  # scheduled again at `at`
    fail = "fail"  # failed for good; the reason is kept
    reconcile = "reconcile"  # ask the platform whether the post landed
    hold = "hold"  # the channel needs a person (needs_auth); the try does not count


@dataclass(frozen=True)
class Decision:
    next: Next
    at: datetime | None = None  # when to try again
    cooldown_until: datetime | None = None  # the whole channel waits until then
    reason: Reason = NO_REASON


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 30.0
    factor: float = 2.0
    cap_seconds: float = 3600.0
    max_attempts: int = 8
    rate_limit_seconds: float = 300.0  # when the platform says "slow down" without a figure

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Full jitter: uniform in [base, min(cap, base * factor^(attempt-1))]."""
        ceiling = min(self.cap_seconds, self.base_seconds * self.factor ** max(0, attempt - 1))
        low = min(self.base_seconds, ceiling)
        return (rng or random).uniform(low, ceiling)

    def decide(
        self, error: ChannelError, attempts: int, now: datetime, rng: random.Random | None = None
    ) -> Decision:
        reason = error.reason
        if isinstance(error, OutcomeUnknown):
            return Decision(Next.reconcile, at=now, reason=reason)
        if isinstance(error, AuthRequired):
            return Decision(Next.hold, reason=reason)
        if isinstance(error, Rejected):
            return Decision(Next.fail, reason=reason)
        if isinstance(error, QuotaExceeded):
            until = error.until or now + timedelta(hours=1)
            return Decision(Next.retry, at=until, cooldown_until=until, reason=reason)
        if attempts >= self.max_attempts:
            gave_up = reason.prefixed(
                f"Đã thử {attempts} lần, Loa dừng lại", f"gave up after {attempts} tries"
            )
            return Decision(Next.fail, reason=gave_up)
        if isinstance(error, RateLimited):
            wait = error.retry_after or self.rate_limit_seconds
            until = now + timedelta(seconds=wait)
            return Decision(Next.retry, at=until, cooldown_until=until, reason=reason)
        if isinstance(error, Retryable):
            wait = max(error.retry_after or 0.0, self.backoff(attempts, rng))
            return Decision(Next.retry, at=now + timedelta(seconds=wait), reason=reason)
        return Decision(
            Next.fail, reason=reason.prefixed("Lỗi không lường trước", "unexpected error")
        )
