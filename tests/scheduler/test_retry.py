"""RetryPolicy.decide: what each adapter error leads to, and the backoff's bounds."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from channels.base import (
    AuthRequired,
    ChannelError,
    OutcomeUnknown,
    QuotaExceeded,
    RateLimited,
    Rejected,
    Retryable,
)
from scheduler.retry import Next, RetryPolicy

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
POLICY = RetryPolicy(base_seconds=30, factor=2, cap_seconds=600, max_attempts=5)


def test_backoff_is_full_jitter_between_base_and_a_capped_exponential() -> None:
    rng = random.Random(7)
    for attempt, ceiling in [(1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 600), (20, 600)]:
        waits = [POLICY.backoff(attempt, rng) for _ in range(300)]
        assert min(waits) >= 30 and max(waits) <= ceiling
        if ceiling > 30:
            assert max(waits) - min(waits) > (ceiling - 30) / 2  # spread out, not one value


def test_a_retryable_error_waits_at_least_what_the_platform_asks() -> None:
    decision = POLICY.decide(Retryable("lỗi 5xx", "5xx", retry_after=90), 1, NOW, random.Random(1))
    assert decision.next is Next.retry and decision.cooldown_until is None
    assert NOW + timedelta(seconds=90) <= decision.at <= NOW + timedelta(seconds=90.001)
    plain = POLICY.decide(Retryable("lỗi 5xx", "5xx"), 3, NOW, random.Random(1))
    assert NOW + timedelta(seconds=30) <= plain.at <= NOW + timedelta(seconds=120)
    assert (plain.reason.vi, plain.reason.en) == ("Lỗi 5xx", "5xx")


def test_the_last_allowed_attempt_fails_with_the_reason() -> None:
    decision = POLICY.decide(
        Retryable("trang web gặp lỗi", "the site had an error", "HTTP 502"), 5, NOW
    )
    assert decision.next is Next.fail
    assert decision.reason.en == "gave up after 5 tries: the site had an error"
    assert decision.reason.vi == "Đã thử 5 lần, Loa dừng lại: Trang web gặp lỗi"
    assert decision.reason.detail == "HTTP 502"
    assert POLICY.decide(Retryable("x", "x"), 4, NOW).next is Next.retry


def test_rate_limits_cool_the_channel_down() -> None:
    told = POLICY.decide(RateLimited("chậm lại", "slow down", retry_after=120), 1, NOW)
    assert told.next is Next.retry
    assert told.at == told.cooldown_until == NOW + timedelta(seconds=120)
    untold = POLICY.decide(RateLimited("chậm lại", "slow down"), 1, NOW)
    assert untold.cooldown_until == NOW + timedelta(seconds=POLICY.rate_limit_seconds)
    assert POLICY.decide(RateLimited("chậm lại", "slow down"), 5, NOW).next is Next.fail


def test_quota_waits_for_the_reset_whatever_the_attempts() -> None:
    reset = NOW + timedelta(hours=9)
    for attempts in (1, 5, 50):
        decision = POLICY.decide(QuotaExceeded("hết hạn mức", "quota", until=reset), attempts, NOW)
        assert (decision.next, decision.at, decision.cooldown_until) == (Next.retry, reset, reset)
    unknown = POLICY.decide(QuotaExceeded("hết hạn mức", "quota"), 1, NOW)
    assert unknown.at == unknown.cooldown_until == NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OutcomeUnknown("hết giờ sau khi gửi", "timeout after sending"), Next.reconcile),
        (AuthRequired("mã bị thu hồi", "token revoked"), Next.hold),
        (
            Rejected("Facebook từ chối", "Facebook refused it", "(#100) Invalid parameter"),
            Next.fail,
        ),
        (ChannelError("điều mới", "something new"), Next.fail),
    ],
)
def test_errors_that_are_never_blindly_retried(error: ChannelError, expected: Next) -> None:
    for attempts in (1, 99):  # not even the attempt count changes these
        decision = POLICY.decide(error, attempts, NOW)
        assert decision.next is expected
        assert error.en in decision.reason.en and error.vi in decision.reason.vi
        assert decision.reason.detail == error.detail
        assert decision.cooldown_until is None
