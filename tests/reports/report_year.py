"""A year of published posts in a real SQLite database, and its report as content.report_data
reads it: the data the report files are written from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from content import metrics
from content.db import Database
from content.models import Delivery, DeliveryState, Post
from content.observances import Observance
from content.report_data import ReportData, build
from content.targets import Names, Targets
from content.timeutil import zone
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


@dataclass
class Year:
    db: Database
    deliveries: list[int]


def _at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=HCM).astimezone(UTC)


def seed_year(db: Database) -> Year:
    """Five published deliveries in the period, one before it, one failed; figures for three."""
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
        metrics.record(
            session,
            [
                metrics.Reading(made[0], {"views": 1200, "reactions": 40}),
                metrics.Reading(made[1], {"views": 150}),
                metrics.Reading(made[2], {"comments": 2, "views": None}),
            ],
            _at(10, 5),
            HCM,
        )
    return Year(db, made)


def report_of(db: Database, departments: list[str] | None = None) -> ReportData:
    with db.read() as session:
        return build(
            session,
            START,
            END,
            HCM,
            now=NOW,
            departments=departments,
            all_departments=["STTTT", "SDL", "SVHTT"],
            topics=["a", "h"],
            pillars=["ASCC", "AEC"],
            targets=Targets(),
            names=NAMES,
            observances=[ASEAN_DAY],
        )
