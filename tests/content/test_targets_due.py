"""A target is judged only over a period at least as long as its unit (a month, a quarter).

Prorated over one day, "4 posts a month" rounds to 0 posts and would count as met with nothing
published; it is "chưa đến kỳ đánh giá / not due yet" instead, unless already reached in full.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from content.db import Database
from content.report_data import ReportData, build
from content.targets import Names, Progress, Targets
from content.timeutil import zone
from tests.factories import published_deliveries

HCM = zone("Asia/Ho_Chi_Minh")
NAMES = Names(departments={"STTTT": ("Sở Thông tin và Truyền thông", "Information")})


def _report(db: Database, start: datetime, end: datetime) -> ReportData:
    with db.read() as session:
        return build(
            session,
            start.astimezone(UTC),
            end.astimezone(UTC),
            HCM,
            now=end.astimezone(UTC),
            departments=None,
            all_departments=["STTTT", "SDL"],
            topics=["a", "g"],
            pillars=["APSC", "ASCC"],
            targets=Targets(posts_per_month=4, department_posts_per_month={"SDL": 2}),
            names=NAMES,
        )


def _by(report: ReportData) -> dict[tuple[str, str], Progress]:
    return {(p.kind, p.subject): p for p in report.progress}


def test_over_one_day_nothing_unpublished_counts_as_met(db: Database) -> None:
    day = datetime(2026, 3, 10, tzinfo=HCM)
    published_deliveries(db, 2, (day + timedelta(hours=9)).astimezone(UTC), pillar="ASCC")
    published_deliveries(
        db,
        2,
        (day + timedelta(hours=10)).astimezone(UTC),
        channel_id="fb-dulich-hue",
        department="SDL",
        author="cbtt.sdl",
        topic="a",
        pillar="ASCC",
    )
    report = _report(db, day, day + timedelta(days=1))
    by = _by(report)
    stttt, sdl = by[("department", "STTTT")], by[("department", "SDL")]
    # The whole month's figure, not 4 x 1/30 rounded to 0; two of four is not a miss yet.
    assert (stttt.actual, stttt.target, stttt.state) == (2, 4, "not_due")
    assert stttt.not_due and not stttt.met and not stttt.missed
    # SDL has already published its whole month (2): met, however short the period.
    assert (sdl.actual, sdl.target, sdl.state) == (2, 2, "met")
    assert by[("topic", "a")].state == "met"
    assert by[("topic", "g")].state == "not_due" and by[("topic", "g")].target == 1
    assert by[("pillar", "ASCC")].state == "met"
    assert by[("pillar", "APSC")].state == "not_due"
    assert by[("channel", "web-asean")].state == "not_due"
    # Nothing published under a target is ever met by default over a short period.
    assert all(p.actual > 0 for p in report.progress if p.met)
    assert not any(p.missed for p in report.progress)


def test_a_whole_month_is_judged_and_a_quarter_not_yet(db: Database) -> None:
    # February 2026: 28 days, the shortest month, is a month; it is not a quarter.
    start, end = datetime(2026, 2, 1, tzinfo=HCM), datetime(2026, 3, 1, tzinfo=HCM)
    published_deliveries(db, 1, datetime(2026, 2, 3, 2, tzinfo=UTC), pillar="ASCC")
    by = _by(_report(db, start, end))
    stttt = by[("department", "STTTT")]
    assert (stttt.actual, stttt.target, stttt.state) == (1, 4, "missed")
    assert by[("department", "SDL")].state == "missed"
    assert by[("pillar", "APSC")].state == "missed"
    assert by[("topic", "g")].state == "not_due"
    assert by[("topic", "a")].state == "met"


def test_a_quarter_judges_every_target(db: Database) -> None:
    start, end = datetime(2026, 1, 1, tzinfo=HCM), datetime(2026, 4, 1, tzinfo=HCM)
    report = _report(db, start, end)
    assert {p.state for p in report.progress} == {"missed"}
    stttt = _by(report)[("department", "STTTT")]
    assert stttt.target == round(4 * (end - start) / timedelta(days=365.25 / 12))
