"""The plan's targets for a reporting year, and how far a period has come towards them.

Plan 275/KH-UBND asks for "regular, continuous" publishing on every outlet it names, across its
topics (a-i) and the ASEAN Community's three pillars. Administrators set the figures in
config.yaml (`targets:`); without them these defaults apply: four posts a month from each
department, each topic at least once a quarter, each pillar at least 15 % of the posts, and
every configured channel used at least once a month.

Pure functions of the published rows (content.stats.PublishedRow) and dates: the `/reports`
page, the report files and the monthly digest all judge progress the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from content.stats import PublishedRow

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


def progress(
    rows: Iterable[PublishedRow],
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

    `departments`, `topics`, `pillars` and `channels` are the ones the report covers (those
    with nothing published are exactly the ones to show).
    """
    posts_by_department: dict[str, set[int]] = {}
    posts_by_topic: dict[str, set[int]] = {}
    posts_by_pillar: dict[str, set[int]] = {}
    posts_by_channel: dict[str, set[int]] = {}
    every_post: set[int] = set()
    for row in rows:
        every_post.add(row.post_id)
        posts_by_department.setdefault(row.department, set()).add(row.post_id)
        posts_by_topic.setdefault(row.topic, set()).add(row.post_id)
        if row.pillar:
            posts_by_pillar.setdefault(row.pillar, set()).add(row.post_id)
        posts_by_channel.setdefault(row.channel_id, set()).add(row.post_id)
    months = months_in(start, end)
    quarters = max(months / 3, 1 / 3)
    # Over a period shorter than a target's unit the prorated figure can round to nothing
    # (4 a month over one day is 0): the whole unit's figure is shown instead, not yet due.
    month_early, quarter_early = shorter_than(start, end, 1), shorter_than(start, end, 3)
    found: list[Progress] = []
    for code in departments:
        monthly = targets.monthly_posts(code)
        target = monthly if month_early else round(monthly * months)
        done = len(posts_by_department.get(code, ()))
        vi, en = names.of("department", code)
        found.append(
            Progress(
                "department",
                code,
                target,
                done,
                f"{vi}: {done}/{target} bài ({targets.monthly_posts(code)} bài/tháng)",
                f"{en}: {done}/{target} posts ({targets.monthly_posts(code)} a month)",
                month_early,
            )
        )
    for code in topics:
        per = targets.topic_min_per_quarter
        target = max(per if quarter_early else round(per * quarters), 1)
        done = len(posts_by_topic.get(code, ()))
        vi, en = names.of("topic", code)
        found.append(
            Progress(
                "topic",
                code,
                target,
                done,
                f"Chủ đề {code} ({vi}): {done}/{target} bài",
                f"Topic {code} ({en}): {done}/{target} posts",
                quarter_early,
            )
        )
    total = len(every_post)
    least = f"{targets.pillar_min_share:.0%}"
    for code in pillars:
        share = len(posts_by_pillar.get(code, ())) / total if total else 0.0
        vi, en = names.of("pillar", code)
        found.append(
            Progress(
                "pillar",
                code,
                targets.pillar_min_share,
                share,
                f"Trụ cột {code} ({vi}): {share:.0%} số bài (tối thiểu {least})",
                f"Pillar {code} ({en}): {share:.0%} of posts (at least {least})",
                month_early,
            )
        )
    expected = list(targets.channels) if targets.channels is not None else list(channels)
    for code in expected:
        target = max(round(months), 1)
        done = len(posts_by_channel.get(code, ()))
        vi, en = names.of("channel", code)
        found.append(
            Progress(
                "channel",
                code,
                target,
                done,
                f"Kênh {vi}: {done}/{target} bài",
                f"Channel {en}: {done}/{target} posts",
                month_early,
            )
        )
    return found


def gaps(
    rows: Sequence[PublishedRow],
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

    `last_published` gives each department's last publication before the period (so a silence
    that started earlier is counted in full); `rows` are the period's, oldest first.
    """
    last: dict[str, datetime] = dict(last_published or {})
    last_channel: dict[str, datetime] = {}
    quarter = quarter_start(end, tz)
    quarter_topics: set[str] = set()
    for row in rows:
        if row.department not in last or row.published_at > last[row.department]:
            last[row.department] = row.published_at
        last_channel[row.channel_id] = max(
            last_channel.get(row.channel_id, row.published_at), row.published_at
        )
        if row.published_at >= quarter:
            quarter_topics.add(row.topic)
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
