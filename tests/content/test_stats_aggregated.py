"""The totals the database adds up (content.stats.summarise, the `/reports` page's reading) equal
a recount made here in Python from the rows themselves, on SQLite and on PostgreSQL.

The data is made to catch what grouping in SQL gets wrong: posts on several channels (of one
platform and of two), a post whose deliveries fall in two local months, deliveries at the UTC
instants where a local month starts, a post without a pillar, figures read as null, and
deliveries that are not published or fall outside the period.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from content import metrics
from content.db import Database
from content.models import Delivery, DeliveryState, Post, User
from content.stats import GROUPINGS, NO_PILLAR, summarise
from content.timeutil import as_utc, zone
from tests.factories import published_deliveries

HCM = zone("Asia/Ho_Chi_Minh")
START = datetime(2025, 11, 1, tzinfo=HCM)
END = datetime(2026, 11, 1, tzinfo=HCM)
# 28 February 17:00 UTC is 1 March 00:00 in Vietnam: the first instant of March there.
MARCH_STARTS = datetime(2026, 2, 28, 17, 0, tzinfo=UTC)

# (department, topic, pillar, [(channel, published at or None for not published)])
POSTS: list[tuple[str, str, str | None, list[tuple[str, datetime | None]]]] = [
    ("STTTT", "a", "APSC", [("fb-asean-hue", MARCH_STARTS), ("zalo-asean-hue", MARCH_STARTS)]),
    # One minute before March locally on one channel, in March on the other: two months.
    ("STTTT", "a", "AEC", [("fb-asean-hue", MARCH_STARTS - timedelta(minutes=1)),
                           ("web-asean", MARCH_STARTS + timedelta(hours=5))]),
    # Two Facebook pages: one post, one platform, two deliveries.
    ("SDL", "h", None, [("fb-dulich-hue", datetime(2026, 8, 7, 3, tzinfo=UTC)),
                        ("fb-asean-hue", datetime(2026, 8, 8, 1, tzinfo=UTC)),
                        ("yt-hue-asean", None)]),
    ("SDL", "i", "ASCC", [("fb-dulich-hue", as_utc(START))]),  # the period's first instant
    ("SVHTT", "h", "ASCC", [("yt-hue-asean", datetime(2026, 10, 31, 16, 59, tzinfo=UTC))]),
    ("SVHTT", "e", "APSC", [("web-asean", as_utc(END))]),  # the period's end: not in it
    ("STTTT", "g", "AEC", [("zalo-asean-hue", as_utc(START) - timedelta(seconds=1))]),
]  # fmt: skip
FIGURES: list[dict[str, int | None]] = [
    {"views": 120, "reactions": 7},
    {"views": None, "reactions": None},  # read, nothing reported
    {"views": 3, "reach": 2, "comments": 1, "shares": 0},
    {"video_views": 50},
]


@pytest.fixture
def year(any_db: Database) -> Database:
    with any_db.write() as session:
        author = session.exec(select(User).where(User.username == "admin")).one()
        published = []
        for department, topic, pillar, deliveries in POSTS:
            post = Post(title=f"Bài {topic}", topic=topic, pillar=pillar, author_id=author.id or 0,
                        department_code=department, state="approved")  # fmt: skip
            session.add(post)
            session.flush()
            for channel_id, at in deliveries:
                delivery = Delivery(
                    post_id=post.id or 0, channel_id=channel_id, due_at=at or as_utc(START),
                    state=DeliveryState.published if at else DeliveryState.scheduled,
                    remote_id=f"{channel_id}-{post.id}" if at else None, published_at=at,
                )  # fmt: skip
                session.add(delivery)
                session.flush()
                if at is not None:
                    published.append(delivery.id or 0)
        metrics.schedule_new(session)
        readings = [
            metrics.Reading(delivery_id, FIGURES[n % len(FIGURES)])
            for n, delivery_id in enumerate(published)
            if n % 5 != 4  # some are never read
        ]
        metrics.record(session, readings, datetime(2026, 11, 2, tzinfo=UTC), HCM)
    return any_db


@dataclass
class Recount:
    posts: set[int] = field(default_factory=set)
    deliveries: int = 0
    with_figures: int = 0
    totals: dict[str, int] = field(default_factory=dict)
    last_published: datetime | None = None


def recount(db: Database, departments: set[str] | None) -> dict[str, dict[str, Recount]]:
    """Every grouping's totals, from the rows (the JSON figures) read with plain SQL."""
    query = sa.text(
        "SELECT d.post_id, d.channel_id, c.type, p.topic, p.pillar, p.department_code,"
        " d.published_at, m.figures FROM delivery d JOIN post p ON p.id = d.post_id"
        " JOIN channel c ON c.id = d.channel_id LEFT JOIN deliverymetrics m"
        " ON m.delivery_id = d.id WHERE d.state = 'published'"
    )
    tables: dict[str, dict[str, Recount]] = {by: defaultdict(Recount) for by in GROUPINGS}
    with db.read() as session:
        rows: list[Any] = list(session.execute(query))
    for post_id, channel_id, platform, topic, pillar, department, stored, figures in rows:
        at = _utc(stored)
        if not as_utc(START) <= at < as_utc(END):
            continue
        if departments is not None and department not in departments:
            continue
        local = at.astimezone(HCM)
        keys = {"channel": channel_id, "platform": platform, "topic": topic,
                "pillar": pillar or NO_PILLAR, "department": department,
                "month": f"{local.year}-{local.month:02d}", "*": "*"}  # fmt: skip
        values = _json(figures)
        for by, key in keys.items():
            group = tables.setdefault(by, defaultdict(Recount))[key]
            group.posts.add(post_id)
            group.deliveries += 1
            reported = {m: v for m, v in values.items() if v is not None}
            group.with_figures += bool(reported)
            for metric, value in reported.items():
                group.totals[metric] = group.totals.get(metric, 0) + value
            group.last_published = max(group.last_published or at, at)
    return tables


def _utc(value: Any) -> datetime:
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    # SQLite answers naive UTC text when read without the ORM's column type.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _json(value: Any) -> dict[str, int | None]:
    if value is None:
        return {}
    if isinstance(value, str):
        import json

        parsed: dict[str, int | None] = json.loads(value)
        return parsed
    return dict(value)


@pytest.mark.parametrize("departments", [None, {"SDL"}, {"STTTT", "SVHTT"}])
def test_every_grouping_equals_a_recount_from_the_rows(
    year: Database, departments: set[str] | None
) -> None:
    expected = recount(year, departments)
    with year.read() as session:
        found = summarise(session, START, END, HCM, departments=departments)
    for by in GROUPINGS:
        groups = {g.key: g for g in found[by].groups}
        assert sorted(groups) == sorted(expected[by]), by
        for key, group in groups.items():
            want = expected[by][key]
            got = (group.posts, group.deliveries, group.with_figures, group.totals)
            assert got == (len(want.posts), want.deliveries, want.with_figures, want.totals), (
                by,
                key,
            )
            assert group.last_published == want.last_published
    total, want = found["channel"].total, expected["*"]["*"]
    assert (total.posts, total.deliveries, total.with_figures, total.totals) == (
        len(want.posts), want.deliveries, want.with_figures, want.totals
    )  # fmt: skip
    if departments is None:
        # The cases the data was made for did happen.
        assert expected["month"]["2026-02"].posts & expected["month"]["2026-03"].posts
        assert any(len(g.posts) < g.deliveries for g in expected["platform"].values())
        assert NO_PILLAR in expected["pillar"] and "2025-11" in expected["month"]


def test_one_grouping_alone_is_the_same_as_in_the_whole(year: Database) -> None:
    with year.read() as session:
        whole = summarise(session, START, END, HCM)
        for by in GROUPINGS:
            alone = summarise(session, START, END, HCM, (by,))[by]
            assert alone.groups == whole[by].groups and alone.total.posts == whole[by].total.posts


def test_a_period_within_one_local_month(year: Database) -> None:
    with year.read() as session:
        march = summarise(session, MARCH_STARTS, MARCH_STARTS + timedelta(days=1), HCM)
    assert [(g.key, g.posts, g.deliveries) for g in march["month"].groups] == [("2026-03", 2, 3)]


def test_the_migration_fills_the_figure_columns_from_the_json(any_db: Database) -> None:
    from alembic import command

    from content.db import alembic_config

    first, second = published_deliveries(any_db, 2, datetime(2026, 3, 1, tzinfo=UTC))
    config = alembic_config()
    with any_db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")  # the columns are gone: figures are JSON alone
        insert = sa.text(
            "INSERT INTO deliverymetrics (delivery_id, channel_id, figures, notes, readings, gone)"
            " VALUES (:id, 'fb-asean-hue', :figures, '[]', 1, false)"
        )
        connection.execute(insert, {"id": first, "figures": '{"views": 120, "reactions": 7}'})
        connection.execute(insert, {"id": second, "figures": '{"views": null, "shares": 0}'})
    any_db.upgrade()
    columns = "delivery_id, views, reactions, shares, reach"
    with any_db.read() as session:
        rows = session.execute(
            sa.text(f"SELECT {columns} FROM deliverymetrics ORDER BY delivery_id")
        ).all()
    assert [tuple(row) for row in rows] == [
        (first, 120, 7, None, None),
        (second, None, None, 0, None),
    ]
