"""Web benchmark that prints figures (never asserted by the tests). See bench/README.md.

The month view with 2,000 posts in that month, rendered on the server through the real app
(`loa serve`'s builder, a signed-in editor, FastAPI's TestClient: routing, session lookup, the
calendar query, the templates and the security middleware all included).

.venv/bin/python -m bench.bench_web [--posts 2000] [--runs 30] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import insert
from sqlmodel import select

from bench.bench_queue import PLACES, SUBJECTS, p95, record, results, summary, workspace
from content.calendar import entries, month_window
from content.models import Delivery, Post, User
from content.users import UserService
from loa.app import App
from loa.web_app import build_web_app
from web.pages import calendar as pages_calendar

PASSWORD = "Huế-ASEAN-2026!"
MONTH = (2026, 8)  # August: ASEAN Day falls in it, so the observance is drawn too
GOAL_MS = 300.0
CHANNELS = ["web-asean", "fb-asean-hue", "zalo-asean-hue", "yt-hue-asean"]


def seed_month(app: App, count: int, others: int, rng: random.Random) -> None:
    """`count` posts in the month (1-3 deliveries each), `others` around it; bulk inserts."""
    tz = app.config.zone
    departments = [d.code for d in app.config.departments]
    first = datetime(*MONTH, 1, tzinfo=tz)
    now = datetime.now(UTC)
    with app.db.write() as session:
        author_id = session.exec(select(User.id).where(User.username == "bientap")).one()
        posts: list[dict[str, Any]] = []
        deliveries: list[dict[str, Any]] = []
        for post_id in range(1, count + others + 1):
            if post_id <= count:
                day = first + timedelta(days=rng.randrange(31))
            else:
                day = first + timedelta(days=rng.randrange(-365, 365))
            at = day.replace(hour=rng.randint(6, 22), minute=rng.choice((0, 15, 30, 45)))
            state = rng.choices(["approved", "draft", "in_review", "cancelled"], [85, 8, 5, 2])[0]
            posts.append({
                "id": post_id, "title": f"{rng.choice(SUBJECTS)} {rng.choice(PLACES)}",
                "body": "", "hashtags": ["ASEAN"], "pillar": rng.choice(["APSC", "AEC", "ASCC"]),
                "topic": rng.choice("abcdefghi"), "department_code": rng.choice(departments),
                "author_id": author_id, "state": state, "scheduled_at": at,
                "missed_policy": "publish_late", "grace_minutes": 60, "version": 1,
                "created_at": at - timedelta(days=7), "updated_at": at - timedelta(days=7),
            })  # fmt: skip
            sent = "published" if at < now else "scheduled"
            d_state = {"cancelled": "cancelled", "approved": sent}.get(state, "pending")
            deliveries += [{
                "post_id": post_id, "channel_id": channel, "overrides": {}, "state": d_state,
                "due_at": at, "attempts": int(d_state == "published"), "created_at": at,
                "updated_at": at,
            } for channel in rng.sample(CHANNELS, rng.randint(1, 3))]  # fmt: skip
        session.execute(insert(Post), posts)
        session.execute(insert(Delivery), deliveries)


class Parts:
    """Times (and, when asked, profiles) the route's two halves inside the server's thread:
    `load_page` (the query and the chips) and `render` (the templates). cProfile sees only
    the thread it runs in, and the TestClient runs the app in another one."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {"load": [], "render": []}
        self.profiler = cProfile.Profile()

    def median(self, name: str) -> float:
        return statistics.median(self.times[name][1:] or [0.0])

    @contextmanager
    def watching(self, profiler: cProfile.Profile | None = None) -> Iterator[None]:
        for values in self.times.values():
            values.clear()
        route: Any = pages_calendar  # the names the route looks up when it runs
        originals = route.load_page, route.render

        def wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
            def timed(*args: Any, **kwargs: Any) -> Any:
                began = time.perf_counter()
                if profiler is not None:
                    profiler.enable()
                try:
                    return function(*args, **kwargs)
                finally:
                    if profiler is not None:
                        profiler.disable()
                    self.times[name].append((time.perf_counter() - began) * 1000)

            return timed

        route.load_page = wrap("load", originals[0])
        route.render = wrap("render", originals[1])
        try:
            yield
        finally:
            route.load_page, route.render = originals


@dataclass(frozen=True)
class Views:
    """One page viewed again and again: the first view warms the caches and is not counted."""

    timings: list[float]  # ms a view, the first included
    response: Response  # the last view's
    full_collections: int  # generation-2 garbage collections meanwhile: the gap to the p95

    @property
    def counted(self) -> list[float]:
        return self.timings[1:]


def timed_views(client: TestClient, path: str, runs: int) -> Views:
    """`runs` views of `path`, after one that warms the caches, each timed."""
    timings: list[float] = []
    full_collections = gc.get_stats()[2]["collections"]
    for _ in range(runs + 1):
        began = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.text[:500]
    return Views(timings, response, gc.get_stats()[2]["collections"] - full_collections)


def profile_if_over(asked: bool, parts: Parts, client: TestClient, path: str, what: str) -> None:
    """cProfile's top 25 of one view of `path`, when asked or when a figure missed its goal."""
    over = any(value >= (target or 0) for _, value, target, _ in results if target)
    if asked or over:
        print(f"\n  cProfile of {what}, one request (top 25 by own time):")
        with parts.watching(parts.profiler):
            client.get(path)
        stats = pstats.Stats(parts.profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(25)


def signed_in(app: App) -> TestClient:
    UserService(app.db).set_password("bench", "bientap", PASSWORD)
    client = TestClient(build_web_app(app))
    page = client.get("/login").text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"username": "bientap", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def bench_month(count: int, others: int, runs: int, profile: bool) -> None:
    print(f"\nmonth view {MONTH[0]}-{MONTH[1]:02d}, {count:,} posts in it ({others:,} around it)")
    with workspace() as app:
        seconds = time.perf_counter()
        seed_month(app, count, others, random.Random(88))
        print(f"  setup (bulk insert, not a figure): {time.perf_counter() - seconds:.1f} s")
        start, end = month_window(*MONTH, app.config.zone)
        with app.db.read() as session:
            found = entries(session, start, end)
        print(f"  entries in the month (deliveries, cancelled left out): {len(found):,}")
        client = signed_in(app)
        url = f"/calendar?view=month&date={MONTH[0]}-{MONTH[1]:02d}-01"
        parts = Parts()
        for label, path in (
            ("editor, all", url),
            ("editor, one channel", url + "&channel=web-asean"),
        ):
            with parts.watching():
                views = timed_views(client, path, runs)
            chips = views.response.text.count('class="chip ')
            size = len(views.response.content)
            print(f"  {label}: {chips:,} entries drawn, page {size / 1024:,.0f} KiB; median of"
                  f" the query and chips {parts.median('load'):.0f} ms, of the templates"
                  f" {parts.median('render'):.0f} ms")  # fmt: skip
            record(f"month view ({label}) median", statistics.median(views.counted), GOAL_MS, "ms")
            record(f"month view ({label}) p95", p95(views.counted), GOAL_MS, "ms")
        profile_if_over(profile, parts, client, url, "the route's work")
        client.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Loa web benchmark (figures, not tests)")
    parser.add_argument("--posts", type=int, default=2_000, help="posts in the month")
    parser.add_argument("--others", type=int, default=8_000, help="posts in other months")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top 25")
    args = parser.parse_args(argv)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Loa web benchmark, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {load}")
    bench_month(args.posts, args.others, args.runs, args.profile)
    summary()


if __name__ == "__main__":
    main()
