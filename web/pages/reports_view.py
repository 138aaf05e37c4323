"""What `/reports` shows, read from the query and from a `ReportData`: the period and scope
asked for, and the breakdowns as rows with names (never codes) in the reader's language.

The page, its charts and its downloads read the period and scope the same way (`report_query`),
so a chart or a file is always of the period and scope the page shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from content.errors import FieldProblem, InvalidInput, NotFound
from content.labels import figure, metric_label, platform_name
from content.models import Role
from content.stats import NO_PILLAR, Group, Stats, metric_names
from content.targets import Names
from content.workflow import Actor
from reports.charts import Chart, month_label, period_months
from web.i18n import MONTHS_EN
from web.pages.calendar_view import parse_date
from web.query_errors import InvalidQuery
from web.services import ReportTools

FIRST_YEAR, LAST_YEAR = 2000, 2099
BREAKDOWNS = ("month", "channel", "platform", "topic", "pillar", "department")


@dataclass(frozen=True)
class ReportQuery:
    """The period [start, end) and scope (None: every department) a page, chart or file is of."""

    year: int
    start: datetime
    end: datetime
    department: str | None
    from_text: str = ""  # as typed, to fill the form again
    to_text: str = ""

    @property
    def custom(self) -> bool:
        return bool(self.from_text or self.to_text)

    def params(self) -> dict[str, str]:
        """The query string that asks for this period and scope again."""
        found = {"year": str(self.year)}
        if self.from_text:
            found["from"] = self.from_text
        if self.to_text:
            found["to"] = self.to_text
        if self.department:
            found["department"] = self.department
        return found


def _problem(field: str, vi: str, en: str) -> InvalidQuery:
    return InvalidQuery([FieldProblem(field, vi, en)])


def _year(text: str, default: int) -> int:
    if not text.strip():
        return default
    try:
        year = int(text.strip())
    except ValueError:
        year = 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        shown = text[:40]
        raise _problem(
            "year",
            f"Năm báo cáo “{shown}” không hợp lệ: cần một năm từ {FIRST_YEAR} đến {LAST_YEAR}.",
            f"the reporting year {shown!r} is not valid: a year from {FIRST_YEAR} to {LAST_YEAR}",
        )
    return year


def _day(text: str, field: str, tz: tzinfo) -> datetime:
    try:
        day = parse_date(text, field)
    except InvalidInput as error:
        raise InvalidQuery.of(error) from None
    return datetime.combine(day, time(0), tzinfo=tz)


def scope_of(actor: Actor, asked: str, tools: ReportTools) -> str | None:
    """The department a report is of: an officer's own, always; a reviewer's choice (None: all).

    An officer asking for another department's is answered as if it did not exist.
    """
    asked = asked.strip()
    if actor.role not in (Role.editor, Role.admin):
        own = actor.department_code or ""
        # An officer outside any department has no report of their own (never the province's).
        if not own or (asked and asked != own):
            raise NotFound(f"no department {asked!r}", f"Không có đơn vị “{asked[:40]}”.")
        return own
    if asked and asked not in tools.departments:
        raise NotFound(f"no department {asked!r}", f"Không có đơn vị “{asked[:40]}”.")
    return asked or None


def report_query(
    params: Mapping[str, str], actor: Actor, tools: ReportTools, now: datetime, tz: tzinfo
) -> ReportQuery:
    """The period and scope of `?year=&from=&to=&department=`; a 400 naming what is wrong."""
    year = _year(params.get("year", ""), tools.current_year(now))
    start, end = tools.year_period(year, now)
    from_text, to_text = params.get("from", "").strip(), params.get("to", "").strip()
    if from_text:
        start = _day(from_text, "from", tz)
    if to_text:
        end = _day(to_text, "to", tz) + timedelta(days=1)
    if end <= start:
        raise _problem(
            "to",
            "Kỳ báo cáo trống: ngày kết thúc phải từ ngày bắt đầu trở đi.",
            "the period is empty: the end date must not be before the start date",
        )
    department = scope_of(actor, params.get("department", ""), tools)
    return ReportQuery(year, start, end, department, from_text, to_text)


# --- breakdowns as rows -----------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    posts: int
    deliveries: int
    with_figures: int
    figures: list[str]  # one per metric of the table, "—" where none was reported


@dataclass(frozen=True)
class Breakdown:
    by: str
    metrics: list[str]  # the metric labels, the table's last columns
    rows: list[BreakdownRow]
    chart: Chart


def group_name(by: str, key: str, names: Names, lang: str) -> str:
    """What people call a group's key, in `lang`: "03/2026", "Facebook", "a. Cộng đồng ASEAN"."""
    pick = 0 if lang == "vi" else 1
    if by == "month":
        if lang == "vi":
            return month_label(key)
        year, _, month = key.partition("-")
        return f"{MONTHS_EN[int(month) - 1][:3]} {year}"
    if by == "platform":
        return platform_name(key, lang)
    if by == "pillar" and key == NO_PILLAR:
        return "Chưa xếp trụ cột" if lang == "vi" else "No pillar"
    name = names.of(by, key)[pick]
    if by == "topic":
        return f"{key}. {name}" if name != key else key
    return name


CHART_TITLES = {
    "month": ("Số bài đăng theo tháng", "Posts by month"),
    "channel": ("Số bài đăng theo kênh", "Posts by channel"),
    "platform": ("Số bài đăng theo nền tảng", "Posts by platform"),
    "topic": ("Số bài đăng theo chủ đề", "Posts by topic"),
    "pillar": ("Số bài đăng theo trụ cột", "Posts by pillar"),
    "department": ("Số bài đăng theo đơn vị", "Posts by department"),
}


def chart_title(by: str, lang: str) -> str:
    vi, en = CHART_TITLES[by]
    return vi if lang == "vi" else en


def breakdown(stats: Stats, names: Names, tz: tzinfo, lang: str) -> Breakdown:
    """One breakdown's table and chart (posts counted once however many channels carried them).
    Months cover the whole period, so a month without posts shows as a zero."""
    groups = {group.key: group for group in stats.groups}
    keys = (
        sorted(set(period_months(stats, tz)) | set(groups)) if stats.by == "month" else list(groups)
    )
    metrics = metric_names([stats.total])
    rows = []
    for key in keys:
        group = groups.get(key) or Group(key)
        rows.append(
            BreakdownRow(
                group_name(stats.by, key, names, lang),
                group.posts,
                group.deliveries,
                group.with_figures,
                [figure(group.totals.get(metric), lang) for metric in metrics],
            )
        )
    chart = Chart(
        chart_title(stats.by, lang),
        [row.label for row in rows],
        [row.posts for row in rows],
        horizontal=stats.by != "month",
    )
    return Breakdown(stats.by, [metric_label(m, lang) for m in metrics], rows, chart)


def chart_alt(chart: Chart, lang: str) -> str:
    """The chart in words, for the <img>'s alt text."""
    unit = "bài" if lang == "vi" else "posts"
    parts = [
        f"{label}: {figure(value, lang)} {unit}"
        for label, value in zip(chart.labels, chart.values, strict=True)
    ]
    return f"{chart.title}. {'; '.join(parts)}"
