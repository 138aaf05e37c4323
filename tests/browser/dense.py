"""A busy month on the browser tests' site: 128 posts, 300 deliveries, every state a month holds.

The month is the current one (local), so the picture is what an editor sees today: the days
before today went out (published, a few failed, missed or to check), the days after wait
(scheduled, held by the platform, or posts still in draft, in review or sent back). Today and
the two days after stay empty: other browser tests put their own posts there, drag them, and
let the worker publish what falls due within the hour; nothing seeded here is due then, and
nothing seeded is published with a remote id, so the worker never reads figures of it.

Rows are inserted in bulk (as bench/bench_web.py does): the pages read them like any other.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select

from content.models import Attempt, Delivery, Post, User
from content.timeutil import to_local
from tests.browser.conftest import Site

POSTS, DELIVERIES = 128, 300
BUSIEST_POSTS = 7  # one day holds this many posts: its cell shows 3 and "+4 bài nữa"
SUBJECTS = (
    "Tuần Văn hóa ASEAN tại Huế", "Lễ thượng cờ ASEAN", "Hội thảo kinh tế số ASEAN",
    "Sinh viên ASEAN trải nghiệm Đại Nội", "Ẩm thực cung đình giới thiệu bạn bè ASEAN",
    "Diễn đàn du lịch ASEAN", "Giao lưu thanh niên ASEAN", "Triển lãm ảnh Cộng đồng ASEAN",
    "Hợp tác y tế trong ASEAN", "Doanh nghiệp Huế kết nối thị trường ASEAN",
    "Festival nghề truyền thống đón khách ASEAN", "Tọa đàm vai trò Việt Nam trong ASEAN",
)  # fmt: skip
PLACES = ("tại Huế", "ở Phú Vang", "tại Hương Trà", "ở A Lưới", "tại Phong Điền", "ở Lăng Cô")
# The officers' own channels and the shared ones (config.yaml).
CHANNELS = {
    "STTTT": ["zalo-asean-hue", "fb-asean-hue", "yt-hue-asean", "web-asean"],
    "SDL": ["fb-dulich-hue", "zalo-asean-hue", "web-asean", "fb-asean-hue"],
}
AUTHORS = {"STTTT": "cbtt.stttt", "SDL": "cbtt.sdl"}
LONG_LINK = (
    "/wordpress/2026/tuan-van-hoa-asean-tai-hue-gioi-thieu-am-thuc-am-nhac-va-nghe-thu-cong"
    "-cua-muoi-nuoc-thanh-vien-tu-ngay-8-den-14-thang-8-tai-trung-tam-van-hoa-phuong-nam"
)
LONG_ERROR = (
    "Facebook refused the post: (#200) The user hasn't authorized the application to perform"
    " this action; requestId=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxYz"
)


@dataclass
class DenseMonth:
    first: date  # the month's first day
    today: date
    busiest: date  # the day holding BUSIEST_POSTS posts
    posts: dict[int, date] = field(default_factory=dict)  # post id -> its local day
    deliveries: int = 0
    published_post: int = 0  # a post that went out, with a long public link and a failure

    def per_day(self) -> dict[date, int]:
        days: dict[date, int] = {}
        for day in self.posts.values():
            days[day] = days.get(day, 0) + 1
        return days


_seeded: dict[str, DenseMonth] = {}


def dense_month(site: Site) -> DenseMonth:
    """The busy month, seeded once per site."""
    if site.url not in _seeded:
        _seeded[site.url] = _seed(site, random.Random(14))
    return _seeded[site.url]


def _days(today: date) -> tuple[date, list[date], list[date]]:
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    days = [first + timedelta(days=n) for n in range((following - first).days)]
    past = [day for day in days if day < today]
    ahead = [day for day in days if day > today + timedelta(days=2)]
    return first, past, ahead


def _seed(site: Site, rng: random.Random) -> DenseMonth:
    zone = site.app.config.zone
    today = to_local(datetime.now(zone), zone).date()
    first, past, ahead = _days(today)
    days = past + ahead
    busiest = (ahead or past)[len(ahead or past) // 2]
    counts = [3] * (DELIVERIES - 2 * POSTS) + [2] * (3 * POSTS - DELIVERIES)
    rng.shuffle(counts)
    dense = DenseMonth(first, today, busiest)
    with site.app.db.write() as session:
        authors: dict[str, int] = {}
        for code, name in AUTHORS.items():
            author = session.exec(select(User.id).where(User.username == name)).one()
            assert author is not None
            authors[code] = author
        next_id = (session.exec(select(Post.id).order_by(col(Post.id).desc())).first() or 0) + 1
        posts: list[dict[str, Any]] = []
        deliveries: list[dict[str, Any]] = []
        for number, count in enumerate(counts):
            day = busiest if number < BUSIEST_POSTS else rng.choice(days)
            hour, minute = rng.randint(7, 21), rng.choice((0, 15, 30, 45))
            at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
            department = "SDL" if number % 5 == 4 else "STTTT"
            went = day < today
            state = _post_state(rng, went)
            post_id = next_id + number
            posts.append(_post(post_id, rng, at, department, authors[department], state))
            channels = CHANNELS[department][:count]
            for channel in channels:
                deliveries.append(_delivery(post_id, channel, at, state, went, rng))
            dense.posts[post_id] = day
        approved = [row for row in deliveries if row["state"] != "pending"]
        published = next((row for row in approved if row["state"] == "published"), approved[0])
        published.update(
            state="published",
            published_at=published["due_at"],
            remote_url=site.sandbox.url + LONG_LINK,
        )
        dense.published_post = published["post_id"]
        for row in deliveries:
            if row["post_id"] == dense.published_post and row is not published:
                row.update(state="failed", last_error=LONG_ERROR)
        session.execute(insert(Post), posts)
        session.execute(insert(Delivery), deliveries)
        # The failed try behind it, as the worker records one: the channels page shows it.
        failed = session.exec(
            select(Delivery).where(
                Delivery.post_id == dense.published_post, Delivery.state == "failed"
            )
        ).all()
        for delivery in failed:
            assert delivery.id is not None and delivery.due_at is not None
            session.add(
                Attempt(
                    delivery_id=delivery.id, number=1, worker_id="dense-month",
                    started_at=delivery.due_at, finished_at=delivery.due_at, outcome="failed",
                    error_kind="Rejected", error_message=LONG_ERROR,
                )
            )  # fmt: skip
    dense.deliveries = len(deliveries)
    return dense


def _post_state(rng: random.Random, went: bool) -> str:
    if went:  # what was never approved stays behind, sent back or waiting
        return rng.choices(["approved", "rejected", "in_review"], [90, 6, 4])[0]
    return rng.choices(["approved", "in_review", "draft", "rejected"], [70, 12, 8, 10])[0]


def _post(
    post_id: int, rng: random.Random, at: datetime, department: str, author: int, state: str
) -> dict[str, Any]:
    created = at - timedelta(days=10)
    return {
        "id": post_id, "title": f"{rng.choice(SUBJECTS)} {rng.choice(PLACES)}",
        "body": "Thông tin đối ngoại: hoạt động hưởng ứng Cộng đồng ASEAN của tỉnh.",
        "hashtags": ["ASEAN", "Hue"], "pillar": rng.choice(["APSC", "AEC", "ASCC"]),
        "topic": rng.choice("abcdefghi"), "department_code": department, "author_id": author,
        "state": state, "scheduled_at": at, "missed_policy": "publish_late", "grace_minutes": 60,
        "version": 1, "created_at": created, "updated_at": created,
        "review_comment": "Cần bổ sung nguồn ảnh và tên người trong ảnh." if state == "rejected"
        else None,
    }  # fmt: skip


def _delivery(
    post_id: int, channel: str, at: datetime, state: str, went: bool, rng: random.Random
) -> dict[str, Any]:
    if state != "approved":
        d_state = "pending"
    elif went:
        d_state = rng.choices(["published", "failed", "missed", "needs_review"], [85, 8, 4, 3])[0]
    elif channel in ("web-asean", "yt-hue-asean"):
        d_state = rng.choices(["scheduled", "handed_over"], [60, 40])[0]
    else:
        d_state = "scheduled"
    return {
        "post_id": post_id, "channel_id": channel, "overrides": {}, "state": d_state,
        "due_at": at, "attempts": int(went and state == "approved"), "created_at": at,
        "updated_at": at, "published_at": at if d_state == "published" else None,
        "last_error": "Zalo OA: phiên kết nối đã hết hạn." if d_state == "failed" else None,
    }  # fmt: skip
