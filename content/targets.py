"""The plan's targets for a reporting year, and how far a period has come towards them.

Plan 275/KH-UBND asks for "regular, continuous" publishing on every outlet it names, across its
topics (a-i) and the ASEAN Community's three pillars. Administrators set the figures in
config.yaml (`targets:`); without them these defaults apply: four posts a month from each
department, each topic at least once a quarter, each pillar at least 15 % of the posts, and
every configured channel used at least once a month.

Pure functions of the period's totals (content.stats.Stats, added up by the database) and
dates: the `/reports` page, the report files and the monthly digest all judge progress the same
way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from content.stats import Stats

DEFAULT_POSTS_PER_MONTH = 4
DEFAULT_TOPIC_MIN_PER_QUARTER = 1
DEFAULT_PILLAR_MIN_SHARE = 0.15
AVERAGE_MONTH_DAYS = 365.25 / 12
SHORTEST_DAYS = {1: 28, 3: 90}  # February; January to March of a common year


@dataclass(frozen=True)
class Targets:
    posts_per_month: int = DEFAULT_POSTS_PER_MONTH  # every department, unless set below
    department_posts_per_month: Mapping[str, int] = field(default_factory=dict)
    topic_min_per_quarter: int = DEFAULT_TOPIC_MIN_PER_QUARTER
    pillar_min_share: float = DEFAULT_PILLAR_MIN_SHARE
    channels: Sequence[str] | None = None  # expected active; None: every configured channel

    def monthly_posts(self, department: str) -> int:
        return self.department_posts_per_month.get(department, self.posts_per_month)


@dataclass(frozen=True)
class Progress:
    """One target: what was asked, what was done, in plain words in both languages."""

    kind: str  # "department", "topic", "pillar", "channel"
    subject: str  # the code it is about
    target: float
    actual: float
    vi: str
    en: str
    # The period is shorter than the target's unit (a month, a quarter): `target` is then the
    # whole unit's, and falling short of it is not yet a miss.
    early: bool = False

    @property
    def met(self) -> bool:
        return self.actual >= self.target

    @property
    def not_due(self) -> bool:
        """Neither met nor missed: "chưa đến kỳ đánh giá / not due yet"."""
        return self.early and not self.met

    @property
    def missed(self) -> bool:
        return not self.met and not self.early

    @property
    def state(self) -> str:
        return "met" if self.met else "not_due" if self.early else "missed"


@dataclass(frozen=True)
class Gap:
    """Something the plan expects that is missing, said so that anyone can act on it."""

    kind: str
    subject: str
    vi: str
    en: str


@dataclass(frozen=True)
class Names:
    """How people call the codes: departments, topics, pillars and channels, (vi, en)."""

    departments: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    topics: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    pillars: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    channels: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def of(self, kind: str, code: str) -> tuple[str, str]:
        table = {
            "department": self.departments,
            "topic": self.topics,
            "pillar": self.pillars,
            "channel": self.channels,
        }[kind]
        return table.get(code, (code, code))


def months_in(start: datetime, end: datetime) -> float:
    """The period's length in months (an average month), at least one tenth of a month."""
    return max((end - start) / timedelta(days=AVERAGE_MONTH_DAYS), 0.1)


def shorter_than(start: datetime, end: datetime, months: int) -> bool:
    """Whether [start, end) is shorter than the shortest run of `months` calendar months (28
    days, 90 for a quarter): a target of that unit cannot be judged on it. An hour of slack for
    a zone whose day can be 23 hours."""
    return end - start + timedelta(hours=1) < timedelta(days=SHORTEST_DAYS[months])


def quarter_start(moment: datetime, tz: tzinfo) -> datetime:
    local = moment.astimezone(tz)
    return datetime(local.year, 3 * ((local.month - 1) // 3) + 1, 1, tzinfo=tz)


def _posts_by(stats: Mapping[str, Stats], by: str) -> dict[str, int]:
    found = stats.get(by)
    return {group.key: group.posts for group in found.groups} if found is not None else {}


@dataclass(frozen=True)
class _Kind:
    """How one kind of target reads: its codes, its figure for a code, and its words."""

    kind: str
    codes: Sequence[str]
    target: Callable[[str], float]
    actual: Callable[[str], float]
    words: Callable[[str, str, str, float, float], tuple[str, str]]  # code, vi, en, done, target
    early: bool


def progress(
    stats: Mapping[str, Stats],
    start: datetime,
    end: datetime,
    targets: Targets,
    names: Names,
    departments: Sequence[str],
    topics: Sequence[str],
    pillars: Sequence[str],
    channels: Sequence[str],
) -> list[Progress]:
    """Each target's progress over [start, end): departments' posts, topics, pillars, channels.

    `stats` are the period's totals by department, topic, pillar and channel (posts counted
    once per group). `departments`, `topics`, `pillars` and `channels` are the ones the report
    covers (those with nothing published are exactly the ones to show).
    """
    by = {kind: _posts_by(stats, kind) for kind in ("department", "topic", "pillar", "channel")}
    every = next(iter(stats.values())).total.posts if stats else 0
    months = months_in(start, end)
    quarters = max(months / 3, 1 / 3)
    # Over a period shorter than a target's unit the prorated figure can round to nothing
    # (4 a month over one day is 0): the whole unit's figure is shown instead, not yet due.
    month_early, quarter_early = shorter_than(start, end, 1), shorter_than(start, end, 3)
    per_quarter = targets.topic_min_per_quarter
    least = f"{targets.pillar_min_share:.0%}"
    expected = list(targets.channels) if targets.channels is not None else list(channels)

    def monthly(code: str) -> float:
        per = targets.monthly_posts(code)
        return per if month_early else round(per * months)

    kinds = (
        _Kind(
            "department", departments, monthly, lambda code: by["department"].get(code, 0),
            lambda code, vi, en, done, target: (
                f"{vi}: {done:.0f}/{target:.0f} bài ({targets.monthly_posts(code)} bài/tháng)",
                f"{en}: {done:.0f}/{target:.0f} posts ({targets.monthly_posts(code)} a month)",
            ),
            month_early,
        ),
        _Kind(
            "topic", topics,
            lambda _code: max(per_quarter if quarter_early else round(per_quarter * quarters), 1),
            lambda code: by["topic"].get(code, 0),
            lambda code, vi, en, done, target: (
                f"Chủ đề {code} ({vi}): {done:.0f}/{target:.0f} bài",
                f"Topic {code} ({en}): {done:.0f}/{target:.0f} posts",
            ),
            quarter_early,
        ),
        _Kind(
            "pillar", pillars, lambda _code: targets.pillar_min_share,
            lambda code: by["pillar"].get(code, 0) / every if every else 0.0,
            lambda code, vi, en, share, _target: (
                f"Trụ cột {code} ({vi}): {share:.0%} số bài (tối thiểu {least})",
                f"Pillar {code} ({en}): {share:.0%} of posts (at least {least})",
            ),
            month_early,
        ),
        _Kind(
            "channel", expected, lambda _code: max(round(months), 1),
            lambda code: by["channel"].get(code, 0),
            lambda _code, vi, en, done, target: (
                f"Kênh {vi}: {done:.0f}/{target:.0f} bài",
                f"Channel {en}: {done:.0f}/{target:.0f} posts",
            ),
            month_early,
        ),
    )  # fmt: skip
    found: list[Progress] = []
    for kind in kinds:
        for code in kind.codes:
            target, done = kind.target(code), kind.actual(code)
            vi, en = kind.words(code, *names.of(kind.kind, code), done, target)
            found.append(Progress(kind.kind, code, target, done, vi, en, kind.early))
    return found


def _last_published(found: Stats | None) -> dict[str, datetime]:
    if found is None:
        return {}
    return {g.key: g.last_published for g in found.groups if g.last_published is not None}


def gaps(
    stats: Mapping[str, Stats],
    end: datetime,
    tz: tzinfo,
    targets: Targets,
    names: Names,
    departments: Sequence[str],
    topics: Sequence[str],
    channels: Sequence[str],
    last_published: Mapping[str, datetime] | None = None,
) -> list[Gap]:
    """What is missing as of `end`, in plain words: departments silent for longer than twice
    their cadence, topics with nothing this quarter, channels unused for a month.

    `stats` are the period's totals by department, topic and channel (their groups' last
    publication); `last_published` gives each department's last publication before the period
    (so a silence that started earlier is counted in full).
    """
    last: dict[str, datetime] = dict(last_published or {})
    for code, latest in _last_published(stats.get("department")).items():
        if code not in last or latest > last[code]:
            last[code] = latest
    last_channel = _last_published(stats.get("channel"))
    quarter = quarter_start(end, tz)
    quarter_topics = {
        code for code, latest in _last_published(stats.get("topic")).items() if latest >= quarter
    }
    found: list[Gap] = []
    for code in departments:
        allowed = timedelta(days=2 * AVERAGE_MONTH_DAYS / max(targets.monthly_posts(code), 1))
        vi, en = names.of("department", code)
        when = last.get(code)
        if when is None:
            found.append(
                Gap(
                    "department",
                    code,
                    f"{vi} chưa đăng bài nào trong kỳ này",
                    f"{en} has published nothing in this period",
                )
            )
        elif end - when > allowed:
            days = (end - when).days
            found.append(
                Gap(
                    "department",
                    code,
                    f"{vi} chưa đăng bài nào trong {days} ngày",
                    f"{en} has published nothing for {days} days",
                )
            )
    for code in topics:
        if code not in quarter_topics:
            vi, en = names.of("topic", code)
            found.append(
                Gap(
                    "topic",
                    code,
                    f"Chủ đề {code} ({vi}) chưa có bài trong quý này",
                    f"Topic {code} ({en}) has no post this quarter",
                )
            )
    expected = list(targets.channels) if targets.channels is not None else list(channels)
    for code in expected:
        when = last_channel.get(code)
        if when is None or end - when > timedelta(days=30):
            vi, en = names.of("channel", code)
            found.append(
                Gap(
                    "channel",
                    code,
                    f"Kênh {vi} không có bài nào trong 30 ngày qua",
                    f"Channel {en} has had no post for 30 days",
                )
            )
    return found
