"""The report's one reading: breakdowns, widest reach, shortfalls, observances, targets, gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from content import metrics
from content.db import Database
from content.models import Delivery, DeliveryState
from content.observances import Observance
from content.report_data import OBSERVANCE_SHOWN, ReportData, build
from content.targets import Names, Targets
from content.timeutil import zone
from tests.factories import published_deliveries

HCM = zone("Asia/Ho_Chi_Minh")
START = datetime(2025, 11, 1, tzinfo=HCM)
END = datetime(2026, 11, 1, tzinfo=HCM)
ASEAN_DAY = Observance("Ngày ASEAN", "ASEAN Day", 8, 8, year=1967)
NAMES = Names(
    departments={
        "STTTT": ("Sở Thông tin và Truyền thông", "Department of Information"),
        "SDL": ("Sở Du lịch", "Department of Tourism"),
        "SVHTT": ("Sở Văn hóa và Thể thao", "Department of Culture"),
    },
    topics={"a": ("Cộng đồng ASEAN", "The ASEAN Community"), "g": ("Vai trò Việt Nam", "Role")},
)


def _at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=HCM).astimezone(UTC)


@pytest.fixture
def published(any_db: Database) -> dict[str, list[int]]:
    made = {
        "aug": published_deliveries(any_db, 2, _at(8, 6), topic="a", pillar="ASCC"),
        "oct": published_deliveries(
            any_db, 1, _at(10, 1), channel_id="web-asean", topic="a", pillar="APSC"
        ),
        "sdl": published_deliveries(
            any_db,
            1,
            _at(3, 2),
            channel_id="fb-dulich-hue",
            department="SDL",
            author="cbtt.sdl",
            topic="h",
            pillar="AEC",
        ),
        "before": published_deliveries(any_db, 1, _at(10, 20, 2025), topic="a"),
    }
    failed = published_deliveries(any_db, 1, _at(9, 1), channel_id="zalo-asean-hue")[0]
    with any_db.write() as session:
        row = session.get(Delivery, failed)
        assert row is not None
        row.state, row.published_at, row.remote_id = DeliveryState.failed, None, None
        row.last_error = "Zalo từ chối: ảnh bìa quá nhỏ / Zalo refused: cover too small"
        session.add(row)
        session.flush()
        metrics.schedule_new(session)
        metrics.record(
            session,
            [
                metrics.Reading(made["aug"][0], {"views": 900, "reactions": 40}),
                metrics.Reading(made["aug"][1], {"views": 150}),
                metrics.Reading(made["oct"][0], {"comments": 2, "views": None}),
            ],
            _at(10, 5),
            HCM,
        )
    return made


def _report(db: Database, departments: list[str] | None = None) -> ReportData:
    with db.read() as session:
        return build(
            session,
            START,
            END,
            HCM,
            now=datetime(2026, 10, 20, tzinfo=UTC),
            departments=departments,
            all_departments=["STTTT", "SDL", "SVHTT"],
            topics=["a", "g", "h"],
            pillars=["APSC", "AEC", "ASCC"],
            targets=Targets(),
            names=NAMES,
            observances=[ASEAN_DAY],
        )


def test_the_evidence_and_every_breakdown_agree_with_a_recount(
    any_db: Database, published: dict[str, list[int]]
) -> None:
    report = _report(any_db)
    with any_db.read() as session:
        recount = session.exec(
            select(Delivery).where(
                Delivery.state == DeliveryState.published,
                Delivery.published_at >= START,  # type: ignore[operator]
                Delivery.published_at < END,  # type: ignore[operator]
            )
        ).all()
    assert sorted(r.delivery_id for r in report.rows) == sorted(d.id for d in recount)
    assert [r.published_at for r in report.rows] == sorted(r.published_at for r in report.rows)
    for stats in report.breakdowns.values():
        assert sum(g.deliveries for g in stats.groups) == len(recount) == 4
        assert stats.total.totals == {"views": 1050, "reactions": 40, "comments": 2}
    assert report.figures_read_at == _at(10, 5)
    assert not report.empty


def test_the_widest_reach_first_and_posts_without_figures_left_out(
    any_db: Database, published: dict[str, list[int]]
) -> None:
    report = _report(any_db)
    assert [r.delivery_id for r in report.top] == published["aug"]


def test_failed_and_missed_deliveries_with_their_reasons(
    any_db: Database, published: dict[str, list[int]]
) -> None:
    (shortfall,) = _report(any_db).shortfalls
    assert shortfall.state == "failed" and shortfall.channel_id == "zalo-asean-hue"
    assert shortfall.reason.startswith("Zalo từ chối")


def test_what_was_published_around_asean_day(
    any_db: Database, published: dict[str, list[int]]
) -> None:
    (coverage,) = _report(any_db).observances
    assert coverage.occurrence.date.isoformat() == "2026-08-08"
    assert coverage.occurrence.label() == "Ngày ASEAN, kỷ niệm 59 năm"
    assert sorted(r.delivery_id for r in coverage.rows) == published["aug"]
    assert (coverage.posts, coverage.deliveries) == (2, 2)  # counted, not only listed


def test_a_busy_observance_is_counted_whole_and_lists_its_first_posts(
    any_db: Database, published: dict[str, list[int]]
) -> None:
    more = published_deliveries(any_db, OBSERVANCE_SHOWN + 5, _at(8, 7), topic="h")
    (coverage,) = _report(any_db).observances
    assert (coverage.posts, coverage.deliveries) == (len(more) + 2, len(more) + 2)
    assert len(coverage.rows) == OBSERVANCE_SHOWN  # the page and the DOCX list these
    assert len({row.post_id for row in coverage.rows}) == OBSERVANCE_SHOWN
    assert [r.published_at for r in coverage.rows] == sorted(r.published_at for r in coverage.rows)


def test_targets_progress_and_gaps_in_plain_words(
    any_db: Database, published: dict[str, list[int]]
) -> None:
    report = _report(any_db)
    by = {(p.kind, p.subject): p for p in report.progress}
    stttt = by[("department", "STTTT")]
    assert (stttt.actual, stttt.target, stttt.met) == (3, 48, False)
    assert by[("topic", "a")].actual == 3 and by[("topic", "g")].actual == 0
    assert by[("pillar", "ASCC")].actual == pytest.approx(2 / 4)
    words = [gap.vi for gap in report.gaps]
    # SDL's last post was on 2 March; the report is read on 20 October (7 months and more).
    assert "Sở Du lịch chưa đăng bài nào trong 231 ngày" in words
    assert "Sở Văn hóa và Thể thao chưa đăng bài nào trong kỳ này" in words
    assert "Chủ đề g (Vai trò Việt Nam) chưa có bài trong quý này" in words
    # Four posts a month: silent for more than twice a week's cadence (15 days) is a gap.
    assert "Sở Thông tin và Truyền thông chưa đăng bài nào trong 18 ngày" in words
    with any_db.read() as session:
        earlier = build(
            session,
            START,
            END,
            HCM,
            now=datetime(2026, 10, 10, tzinfo=UTC),
            departments=None,
            all_departments=["STTTT"],
            topics=[],
            pillars=[],
            targets=Targets(),
            names=NAMES,
        )
    assert not any(gap.kind == "department" for gap in earlier.gaps)


def test_a_departments_report_covers_only_it(
    any_db: Database, published: dict[str, list[int]]
) -> None:
    report = _report(any_db, ["SDL"])
    assert [r.department for r in report.rows] == ["SDL"]
    assert report.shortfalls == []
    assert {p.subject for p in report.progress if p.kind == "department"} == {"SDL"}


def test_a_period_with_nothing_published_is_a_valid_empty_report(db: Database) -> None:
    report = _report(db)
    assert report.empty and report.top == [] and report.figures_read_at is None
    assert all(stats.groups == [] for stats in report.breakdowns.values())
    assert any(gap.kind == "department" for gap in report.gaps)


def test_an_observance_outside_the_period_is_not_listed(db: Database) -> None:
    with db.read() as session:
        report = build(
            session,
            START,
            START + timedelta(days=30),
            HCM,
            now=END,
            departments=None,
            all_departments=["STTTT"],
            topics=["a"],
            pillars=[],
            targets=Targets(),
            names=NAMES,
            observances=[ASEAN_DAY],
        )
    assert report.observances == []
