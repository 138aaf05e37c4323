"""What one collection round works from and tells: the quota left for figures, the readings made
of an adapter's answer, and the summary a person reads (`loa stats collect`).

Kept apart from `scheduler.collect`, which does the claiming, calling and recording.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from channels.base import METRICS, Capabilities, Figures, Measurable
from channels.errors import vietnam_time
from content import metrics
from content.models import (
    Channel,
    ChannelState,
    Delivery,
    DeliveryState,
)
from content.quota import quota_day, units_used, uploads_cost
from content.timeutil import as_utc

D = DeliveryState
# Uploads not made yet: their units are still to be spent today (an upload in `sending` or
# later already has its Attempt row, which `units_used` counts).
NOT_UPLOADED = (D.pending, D.scheduled, D.claimed)
DEFAULT_CALL_COST = 1  # videos.list: 1 unit a call, whatever the number of ids (up to 50)
NO_ADAPTER = ("không dựng được kết nối tới kênh", "the channel's adapter cannot be built")
NO_METRICS = ("nền tảng không có số liệu", "the platform reports no figures")
NEEDS_AUTH = ("kênh cần kết nối lại", "the channel needs reconnecting")
KEPT_FOR_UPLOADS = (
    "để dành hạn mức cho video đã lên lịch hôm nay, đọc lại khi hạn mức mới bắt đầu",
    "the quota left is kept for today's planned uploads; read when the quota resets",
)
STATES: dict[str, tuple[str, str]] = {
    ChannelState.needs_auth: NEEDS_AUTH,
    ChannelState.paused: ("kênh đang tạm dừng", "the channel is paused"),
    ChannelState.retired: ("kênh đã gỡ khỏi cấu hình", "the channel is retired"),
}
# Why a channel's reading stopped this round, by the outcome logged for its call.
STOPPED = {
    "auth": NEEDS_AUTH,
    "rate_limited": ("nền tảng yêu cầu chậm lại", "the platform asks to slow down"),
    "quota": ("hết hạn mức trong ngày", "the daily quota is spent"),
    "retry": (
        "lỗi tạm thời, đọc lại sau ít phút",
        "a temporary fault; read again in a few minutes",
    ),
    "error": ("lỗi khi đọc số liệu, đọc lại sau", "reading the figures failed; read again later"),
    "kept": KEPT_FOR_UPLOADS,
}
SHORT_COOLDOWN = timedelta(seconds=60)
NO_FIGURE = (
    "nền tảng không báo số liệu này",
    "the platform did not report this figure",
)
NO_ANSWER = (
    "nền tảng không trả lời về bài này",
    "the platform gave no answer about this post",
)


# A round's claims are read within this, well inside CLAIM_HOLD: a claim sized by the channel's
# pace never outlives its hold, so two workers never read the same post.
ROUND_SECONDS = 300.0


@dataclass
class Lane:
    """One channel being read this round: its adapter, pace and what is left to read."""

    channel_id: str
    reader: Measurable
    caps: Capabilities
    interval: float  # seconds between calls (0: no pacing)
    units: int  # quota units a call costs
    budget: QuotaBudget | None = None
    calls_left: int | None = None  # None: no quota
    due: list[metrics.Due] = field(default_factory=list)
    next_at: float = 0.0  # monotonic time of the next call allowed
    stopped: bool = False  # not read again this round (auth, cooldown, quota kept, error)

    @property
    def batch(self) -> int:
        return max(1, self.caps.metrics_batch)

    def claim_limit(self, limit: int, seconds: float) -> int:
        """No more than the pace lets a round read (a claim is held for CLAIM_HOLD only)."""
        if not self.interval:
            return limit
        calls = max(1, int(min(seconds, ROUND_SECONDS) / self.interval))
        return max(self.batch, min(limit, calls * self.batch))


@dataclass
class ChannelTally:
    """What collecting did on one channel: read, gone, missing figures and why, left for later."""

    channel_id: str
    read: int = 0  # posts whose figures were recorded (gone ones included)
    gone: int = 0
    calls: int = 0
    units: int = 0
    postponed: int = 0
    # (metric, vi, en) -> how many posts lack that figure for that reason
    missing: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    skipped: tuple[str, str] | None = None  # (vi, en): why the channel was not read at all
    waiting: int = 0  # readings in scope left unread because the channel was skipped
    stopped: tuple[str, str] | None = None  # (vi, en): what stopped reading it this round


@dataclass
class Summary:
    channels: dict[str, ChannelTally] = field(default_factory=dict)

    def of(self, channel_id: str) -> ChannelTally:
        return self.channels.setdefault(channel_id, ChannelTally(channel_id))

    @property
    def read(self) -> int:
        return sum(tally.read for tally in self.channels.values())

    @property
    def calls(self) -> int:
        return sum(tally.calls for tally in self.channels.values())


@dataclass(frozen=True)
class QuotaBudget:
    """The units figures may spend on a quota-limited channel for the rest of its quota day."""

    day_end: datetime  # when the quota resets: readings that do not fit wait until then
    quota: int
    used: int  # by today's uploads and today's figures
    planned: int  # by the uploads still to come today
    call_cost: int

    @property
    def calls(self) -> int:
        spare = self.quota - self.used - self.planned
        return max(0, spare // self.call_cost) if self.call_cost > 0 else 1_000_000


def quota_budget(
    session: Session, channel_id: str, caps: Capabilities, now: datetime
) -> QuotaBudget | None:
    """None for a channel without a daily quota. Otherwise what is left once today's uploads,
    made and planned, and today's figures are counted."""
    channel = session.get(Channel, channel_id)
    settings: Mapping[str, object] = channel.settings if channel is not None else {}
    quota = int(str(settings.get("daily_quota_units", caps.daily_quota_units or 0)))
    if not quota:
        return None
    costs = {**caps.quota_cost, **dict(settings.get("quota_cost") or {})}  # type: ignore[call-overload]
    playlist = bool(settings.get("playlist_id"))
    _, start, end = quota_day(now)
    used = units_used(session, channel_id, costs, quota, now, with_playlist=playlist).used
    used += metrics.units_spent(session, channel_id, start, end)
    planned_posts = set(
        session.exec(
            select(Delivery.post_id).where(
                Delivery.channel_id == channel_id,
                col(Delivery.state).in_(NOT_UPLOADED),
                col(Delivery.due_at) < end,
            )
        ).all()
    )
    planned = uploads_cost(session, planned_posts, costs, playlist)
    cost = int(costs.get("videos.list", DEFAULT_CALL_COST))
    return QuotaBudget(end, quota, used, planned, cost)


def call_units(caps: Capabilities, settings: Mapping[str, object]) -> int:
    """What one `read_metrics` call costs in quota units (0 where the platform has no quota)."""
    if not (settings.get("daily_quota_units") or caps.daily_quota_units):
        return 0
    costs = {**caps.quota_cost, **dict(settings.get("quota_cost") or {})}  # type: ignore[call-overload]
    return int(costs.get("videos.list", DEFAULT_CALL_COST))


def readings_of(
    answers: Sequence[Figures],
    due: Sequence[metrics.Due],
    declared: frozenset[str],
    tally: ChannelTally,
) -> tuple[list[metrics.Reading], list[int]]:
    """The readings to record, and the deliveries the platform said nothing about.

    A metric the platform declares but left out of its answer is recorded as None, so the
    latest view tells "read, not reported" from "never read"; the figures' notes say why.
    """
    by_remote: dict[str, list[metrics.Due]] = {}
    for item in due:
        by_remote.setdefault(item.remote_id, []).append(item)
    answered = {str(figures.remote_id): figures for figures in answers}
    readings: list[metrics.Reading] = []
    unanswered: list[int] = []
    for remote_id, items in by_remote.items():
        figures = answered.get(remote_id)
        if figures is None:
            unanswered.extend(item.delivery_id for item in items)
            continue
        values: dict[str, int | None] = {}
        if not figures.gone:
            values = {metric: None for metric in declared if metric in METRICS}
            values.update(
                (metric, None if value is None else int(value))
                for metric, value in figures.values.items()
                if metric in METRICS
            )
        notes = [{"field": n.field, "vi": n.vi, "en": n.en} for n in figures.notes]
        for item in items:
            readings.append(metrics.Reading(item.delivery_id, values, notes, figures.gone))
            tally.read += 1
            tally.gone += figures.gone
            for metric, value in values.items():
                if value is None:
                    vi, en = _reason(metric, figures)
                    tally.missing[(metric, vi, en)] += 1
    return readings, unanswered


def _reason(metric: str, figures: Figures) -> tuple[str, str]:
    for note in figures.notes:
        if note.field == metric:
            return note.vi, note.en
    for note in figures.notes:
        if note.field == "*":
            return note.vi, note.en
    return NO_FIGURE


def unusable(row: Channel, now: datetime, known: Collection[str] | None) -> tuple[str, str] | None:
    """Why a channel is not read now (None: it is)."""
    if row.state != ChannelState.active:
        other = (f"kênh ở trạng thái {row.state}", f"the channel is {row.state}")
        return STATES.get(row.state, other)
    # A cooldown of a few seconds is publishing's own pace (scheduler.dispatch): the channel is
    # read once it ends. A longer one is a platform's "slow down" or a spent quota.
    if row.cooldown_until is not None and as_utc(row.cooldown_until) > now + SHORT_COOLDOWN:
        at = vietnam_time(as_utc(row.cooldown_until))
        return (
            f"kênh đang tạm nghỉ đến {at} giờ Việt Nam",
            f"the channel is cooling down until {at} Vietnam time",
        )
    if known is not None and row.id not in known:
        return ("kênh không có trong config.yaml", "the channel is not in config.yaml")
    return None
