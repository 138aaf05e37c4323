"""Calendar benchmark that prints figures (never asserted by the tests). See bench/README.md.

The month view with 2,000 posts in that month (about 4,000 deliveries, 8,000 posts around it),
rendered on the server through the real app as a signed-in editor (FastAPI's TestClient:
routing, session lookup, the calendar query, the grouping into one entry per post, the
templates and the security middleware all included): its server time, p50 and p95, against
the issue's goal of 300 ms p95. Also the same month filtered to one channel, and the week and
list views of that month, which draw every post rather than three a day.

.venv/bin/python -m bench.bench_calendar [--posts 2000] [--others 8000] [--runs 40] [--profile]
                                         [--gc-freeze]

The gap between p50 and p95 is full (generation 2) garbage collections, which the figures count:
a month reads thousands of rows, and a collection then walks every object of the process.
`--gc-freeze` shows what `gc.freeze()` after start-up would change.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench.bench_queue import p95, record, summary, workspace
from bench.bench_web import MONTH, Parts, profile_if_over, seed_month, signed_in, timed_views
from content.calendar import entries, month_window
from web.pages import calendar as pages_calendar

GOAL_MS = 300.0


@contextmanager
def cpu_times() -> Iterator[list[float]]:
    """The CPU time (ms) the calendar route spends in its own thread, per request: the work
    itself, whatever else the shared machine runs meanwhile (wall times include waiting)."""
    found: list[float] = []
    route: Any = pages_calendar  # the names the route looks up when it runs
    load, render = route.load_page, route.render

    def counted(function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            began = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                found.append((time.thread_time() - began) * 1000)

        return run

    route.load_page, route.render = counted(load), counted(render)
    try:
        yield found
    finally:
        route.load_page, route.render = load, render


def bench(count: int, others: int, runs: int, profile: bool, freeze: bool) -> None:
    print(f"\nmonth {MONTH[0]}-{MONTH[1]:02d}: {count:,} posts in it, {others:,} around it")
    with workspace() as app:
        began = time.perf_counter()
        seed_month(app, count, others, random.Random(88))
        print(f"  setup (bulk insert, not a figure): {time.perf_counter() - began:.1f} s")
        start, end = month_window(*MONTH, app.config.zone)
        with app.db.read() as session:
            found = entries(session, start, end)
        posts = len({entry.post_id for entry in found})
        print(f"  the month's deliveries (cancelled left out): {len(found):,}, of {posts:,} posts")
        client = signed_in(app)
        if freeze:  # what a server could do once started: its objects out of the full collections
            gc.collect()
            gc.freeze()
            print(f"  gc.freeze(): {gc.get_freeze_count():,} objects set aside")
        day = f"{MONTH[0]}-{MONTH[1]:02d}"
        pages = (
            ("month view", f"/calendar?view=month&date={day}-01"),
            ("month view, one channel", f"/calendar?view=month&date={day}-01&channel=web-asean"),
            ("week view (its busiest week)", f"/calendar?view=week&date={day}-12"),
            ("list view (every post of the month)", f"/calendar?view=list&date={day}-01"),
        )
        parts = Parts()
        for label, path in pages:
            with parts.watching(), cpu_times() as cpu:
                views = timed_views(client, path, runs)
            work = [cpu[i] + cpu[i + 1] for i in range(2, len(cpu) - 1, 2)]  # load + render
            response = views.response
            drawn = response.text.count('class="chip ')
            more = response.text.count('<li class="more">')
            print(
                f"  {label}: {drawn:,} entries drawn, {more} '+N bài nữa', page"
                f" {len(response.content) / 1024:,.0f} KiB; median of the query and entries"
                f" {parts.median('load'):.0f} ms, of the templates {parts.median('render'):.0f} ms;"
                f" CPU time of that work p50 / p95 {statistics.median(work):.0f} /"
                f" {p95(work):.0f} ms; {views.full_collections} full garbage collections"
            )
            goal = GOAL_MS if label.startswith("month") else None
            record(f"{label} p50", statistics.median(views.counted), goal, "ms")
            record(f"{label} p95", p95(views.counted), goal, "ms")
        profile_if_over(profile, parts, client, pages[0][1], "the month view's work")
        client.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Loa calendar benchmark (figures, not tests)")
    parser.add_argument("--posts", type=int, default=2_000, help="posts in the month")
    parser.add_argument("--others", type=int, default=8_000, help="posts in other months")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top 25")
    parser.add_argument(
        "--gc-freeze", action="store_true", help="gc.freeze() after start-up, as a server could"
    )
    args = parser.parse_args(argv)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Loa calendar benchmark, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs,"
          f" load {load}")  # fmt: skip
    bench(args.posts, args.others, args.runs, args.profile, args.gc_freeze)
    summary()


if __name__ == "__main__":
    main()
