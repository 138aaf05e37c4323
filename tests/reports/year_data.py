"""A year of published posts in a real database for the report files' tests (DOCX, XLSX, CSV,
charts, the `/reports` page), its report as content.report_data reads it, and an independent
recount straight from the tables to hold the files' totals against (no content.stats or
report_data code in the recount)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from sqlalchemy import select

from content import metrics
from content.db import Database
from content.models import Delivery, DeliveryMetrics, DeliveryState, Post
from content.observances import Observance
from content.report_data import ReportData, build
from content.targets import Names, Targets
from content.timeutil import as_utc, zone
from tests.factories import published_deliveries

HCM = zone("Asia/Ho_Chi_Minh")
START = datetime(2025, 11, 1, tzinfo=HCM)
END = datetime(2026, 11, 1, tzinfo=HCM)
NOW = datetime(2026, 10, 20, 9, 5, tzinfo=UTC)
ASEAN_DAY = Observance("Ngày ASEAN", "ASEAN Day", 8, 8, year=1967)
NAMES = Names(
    departments={
        "STTTT": ("Sở Thông tin và Truyền thông", "Department of Information"),
        "SDL": ("Sở Du lịch", "Department of Tourism"),
        "SVHTT": ("Sở Văn hóa và Thể thao", "Department of Culture"),
    },
    topics={"a": ("Cộng đồng ASEAN", "The ASEAN Community"), "h": ("Du lịch", "Tourism")},
    pillars={"ASCC": ("Văn hóa - Xã hội", "Socio-Cultural"), "AEC": ("Kinh tế", "Economic")},
    channels={"fb-asean-hue": ("Fanpage ASEAN Huế", "ASEAN Hue page")},
)
# Titles with every kind of Vietnamese mark, so a lost diacritic shows.
TITLES = [
    "Ngày ASEAN 8/8: lễ thượng cờ tại Trung tâm Hành chính tỉnh",
    "Huế đón đoàn khách ASEAN đầu tiên của mùa lễ hội",
    "Thừa Thiên Huế: hội nghị xúc tiến du lịch với các nước Đông Nam Á",
    "Ẩm thực cung đình Huế giới thiệu tại Diễn đàn ASEAN",
    "Trường Đại học Huế kết nối sinh viên các nước ASEAN",
]


def _at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=HCM).astimezone(UTC)


def seed_year(db: Database) -> list[int]:
    """Five published deliveries in the year (three with figures, one figure missing), one
    before it and one failed: the delivery ids of the five."""
    made = [
        *published_deliveries(db, 2, _at(8, 6), topic="a", pillar="ASCC"),
        *published_deliveries(db, 1, _at(10, 1), channel_id="web-asean", pillar="ASCC"),
        *published_deliveries(
            db,
            1,
            _at(3, 2),
            channel_id="fb-dulich-hue",
            department="SDL",
            author="cbtt.sdl",
            topic="h",
            pillar="AEC",
        ),
        *published_deliveries(db, 1, _at(12, 15, 2025), channel_id="web-asean", topic="h"),
    ]
    # One delivery outside the period and one that failed, neither counted as published.
    published_deliveries(db, 1, _at(10, 20, 2025))
    failed = published_deliveries(db, 1, _at(9, 1), channel_id="zalo-asean-hue")[0]
    with db.write() as session:
        for number, delivery_id in enumerate(made):
            delivery = session.get(Delivery, delivery_id)
            assert delivery is not None
            delivery.remote_url = f"https://asean.thuathienhue.gov.vn/bai-viet/{delivery.id}"
            post = session.get(Post, delivery.post_id)
            assert post is not None
            post.title = TITLES[number]
            session.add_all([delivery, post])
        row = session.get(Delivery, failed)
        assert row is not None
        row.state, row.published_at, row.remote_id = DeliveryState.failed, None, None
        row.last_error = "Zalo từ chối: ảnh bìa quá nhỏ / Zalo refused: cover too small"
        session.add(row)
        session.flush()
        metrics.schedule_new(session)
        readings = [
            metrics.Reading(made[0], {"views": 1200, "reactions": 40}),
            metrics.Reading(made[1], {"views": 150}),
            metrics.Reading(made[2], {"comments": 2, "views": None}),
        ]
        metrics.record(session, readings, _at(10, 5), HCM)
    return made


def report_of(
    db: Database,
    departments: list[str] | None = None,
    *,
    start: datetime = START,
    end: datetime = END,
) -> ReportData:
    with db.read() as session:
        return build(
            session,
            as_utc(start),
            as_utc(end),
            HCM,
            now=NOW if end == END else as_utc(end),
            departments=departments,
            all_departments=["STTTT", "SDL", "SVHTT"],
            topics=["a", "h"],
            pillars=["ASCC", "AEC"],
            targets=Targets(),
            names=NAMES,
            observances=[ASEAN_DAY],
        )


FORMULA_TITLE = '=HYPERLINK("https://example.invalid/steal","Bấm vào đây")'


def retitle_first_post(db: Database, title: str) -> None:
    with db.write() as session:
        post = session.get(Post, 1)
        assert post is not None
        post.title = title
        session.add(post)


@dataclass
class Count:
    posts: set[int] = field(default_factory=set)
    deliveries: int = 0
    with_figures: int = 0
    totals: dict[str, int] = field(default_factory=dict)


@dataclass
class Published:
    delivery_id: int
    post_id: int
    title: str
    department: str
    channel: str
    topic: str
    published_at: datetime
    url: str | None
    figures: dict[str, int | None]


def published(db: Database, start: datetime, end: datetime) -> list[Published]:
    with db.read() as session:
        found = session.execute(
            select(Delivery, Post, DeliveryMetrics.figures)  # type: ignore[call-overload]
            .join(Post, Post.id == Delivery.post_id)  # type: ignore[arg-type]
            .outerjoin(DeliveryMetrics, DeliveryMetrics.delivery_id == Delivery.id)  # type: ignore[arg-type]
            .where(Delivery.state == DeliveryState.published)  # type: ignore[arg-type]
        ).all()
    items = []
    for delivery, post, figures in found:
        if start <= delivery.published_at < end:
            items.append(
                Published(
                    delivery.id,
                    post.id,
                    post.title,
                    post.department_code,
                    delivery.channel_id,
                    post.topic,
                    delivery.published_at,
                    delivery.remote_url,
                    dict(figures or {}),
                )
            )
    return sorted(items, key=lambda item: (item.published_at, item.delivery_id))


def count_by(items: list[Published], key: str, tz: tzinfo) -> dict[str, Count]:
    counts: dict[str, Count] = defaultdict(Count)
    for item in items:
        code = f"{item.published_at.astimezone(tz):%Y-%m}" if key == "month" else getattr(item, key)
        for group in (counts[code], counts["*"]):
            group.posts.add(item.post_id)
            group.deliveries += 1
            reported = {m: v for m, v in item.figures.items() if v is not None}
            group.with_figures += bool(reported)
            for metric, value in reported.items():
                group.totals[metric] = group.totals.get(metric, 0) + value
    return counts
