"""Collecting figures for 10,000 published deliveries: requests, time, memory, and what it does to
publishing's lateness. Prints figures; never asserted by the tests. See bench/README.md.

.venv/bin/python -m bench.bench_metrics                  # 10,000 deliveries, both parts (~5-8 min)
.venv/bin/python -m bench.bench_metrics --count 2000     # a quicker run
.venv/bin/python -m bench.bench_metrics --only requests  # one part: requests | lateness

The deliveries are spread over the four platforms (a quarter each; Facebook's split over its two
pages). They are put straight into the sandbox's stores and into the database as published an
hour and a half ago (publishing them one by one would take the benchmark's whole time, and
YouTube's quota would refuse all but six), with their first reading due. Then:

  requests   `Collector.collect` in this process until nothing is due: the sandbox counts the
             requests per platform; wall time; peak RSS of this process (the sandbox included).
  lateness   a `loa worker` process (its figures job every 5 seconds) collects them all while it
             publishes a steady queue on the website and the two Facebook pages (50 ms sandbox
             latency); lateness = first attempt's start - due time. Its peak RSS (VmHWM).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import col, select

from bench.bench_worker import Sandbox, percentile, timings
from bench.bench_worker import queue as queue_posts
from bench.crash import (
    FB,
    FB2,
    PAGES,
    WEB,
    YOUTUBE,
    ZALO,
    WorkerProcess,
    secrets_environment,
    write_config,
)
from channels.base import Measurable
from channels.sandbox.graph_model import Item
from content import metrics
from content.models import Delivery, DeliveryMetrics, DeliveryState, Post, User
from content.timeutil import utcnow
from loa.adapters import build_adapter
from loa.app import App, open_app
from loa.sandbox_setup import connect_all
from loa.worker_app import build_collector

D = DeliveryState
PLATFORMS = {WEB: "wordpress", FB: "graph", FB2: "graph", ZALO: "zalo", YOUTUBE: "youtube"}
PREFIXES = {
    "/wordpress": "wordpress",
    "/graph": "graph",
    "/zalo-openapi": "zalo",
    "/youtube": "youtube",
}
EVERY = (WEB, FB, FB2, ZALO, YOUTUBE)
PUBLISHING = (WEB, FB, FB2)  # the steady queue: fast channels, as bench_worker's lateness


# -- seeding -----------------------------------------------------------------------------------


def shares(count: int) -> list[str]:
    """A channel per delivery: a quarter per platform, Facebook's quarter over its two pages."""
    per_platform = (WEB, "facebook", ZALO, YOUTUBE)
    out = []
    for number in range(count):
        platform = per_platform[number % 4]
        out.append(((FB, FB2)[(number // 4) % 2]) if platform == "facebook" else platform)
    return out


def seed_sandbox(sandbox: Sandbox, channel_id: str, number: int, title: str) -> str:
    """One published post put straight into the platform's store; its remote id, as the
    adapter's `publish` would have given it."""
    platform = sandbox.server.platform(PLATFORMS[channel_id])
    if channel_id == WEB:
        site: Any = platform.site  # type: ignore[attr-defined]
        post_id = site.new_id()
        now = datetime.now(UTC).replace(microsecond=0)
        site.posts[post_id] = {
            "id": post_id, "slug": f"tin-asean-{number}", "status": "publish", "title": title,
            "content": f"<p>{title}</p>", "excerpt": "", "date_gmt": now, "modified_gmt": now,
            "author": next(iter(site.users)), "featured_media": 0, "categories": [1], "tags": [],
        }  # fmt: skip
        return str(post_id)
    if channel_id in (FB, FB2):
        graph: Any = platform
        item = Item(f"{PAGES[channel_id]}_{graph._next()}", PAGES[channel_id], "post", title)
        graph.items[item.id] = item
        return item.id
    if channel_id == ZALO:
        zalo: Any = platform
        article_id = uuid.uuid4().hex
        stamp = int(time.time() * 1000)
        zalo.articles[article_id] = {
            "id": article_id, "type": "normal", "title": title, "author": "Loa",
            "description": title, "body": [], "status": "show", "comment": "show",
            "create_date": stamp, "update_date": stamp, "url": f"{sandbox.url}/#{article_id}",
        }  # fmt: skip
        return article_id
    youtube: Any = platform
    return str(
        youtube._create_video(
            {
                "metadata": {"snippet": {"title": title}, "status": {"privacyStatus": "public"}},
                "data": b"",
                "mime": "video/mp4",
                "stats": {},
            }
        )
    )


def seed(app: App, sandbox: Sandbox, count: int) -> Counter[str]:
    """`count` published deliveries, on the platforms and in the database, first reading due."""
    channels = shares(count)
    published = utcnow() - timedelta(minutes=90)
    run = uuid.uuid4().hex[:6]
    with app.db.write() as session:
        author = session.exec(select(User.id).where(User.username == "bientap")).one()
        first = (session.exec(select(func.max(Post.id))).one() or 0) + 1
        posts, deliveries = [], []
        for number, channel_id in enumerate(channels):
            title = f"Tin ASEAN [{run}-{number:06d}]"
            remote_id = seed_sandbox(sandbox, channel_id, number, title)
            posts.append({
                "id": first + number, "title": title, "body": title, "hashtags": [],
                "topic": "a", "pillar": "ASCC", "department_code": "STTTT", "author_id": author,
                "state": "approved", "scheduled_at": published, "missed_policy": "publish_late",
                "grace_minutes": 60, "version": 1, "created_at": published,
                "updated_at": published,
            })  # fmt: skip
            deliveries.append({
                "post_id": first + number, "channel_id": channel_id, "overrides": {},
                "state": D.published, "due_at": published, "attempts": 1,
                "remote_id": remote_id, "published_at": published, "created_at": published,
                "updated_at": published,
            })  # fmt: skip
        session.execute(insert(Post), posts)
        session.execute(insert(Delivery), deliveries)
    with app.db.write() as session:
        metrics.schedule_new(session)
    return Counter(PLATFORMS[c] for c in channels)


def measurable(app: App) -> dict[str, bool]:
    return {c: isinstance(build_adapter(app, c), Measurable) for c in EVERY}


def read_so_far(app: App) -> int:
    with app.db.read() as session:
        return int(
            session.exec(
                select(func.count())
                .select_from(DeliveryMetrics)
                .where(col(DeliveryMetrics.readings) > 0)
            ).one()
        )


@contextmanager
def workspace(sandbox: Sandbox, worker: Mapping[str, Any] | None = None) -> Iterator[App]:
    with tempfile.TemporaryDirectory(prefix="loa-bench-metrics-") as tmp:
        config = write_config(
            Path(tmp), sandbox.url, channels=EVERY,
            worker={"lease_seconds": 60, "shutdown_grace_seconds": 10, **(worker or {})},
        )  # fmt: skip
        app = open_app(config, migrate=True)
        try:
            connect_all(app, sandbox.url)
            sandbox.counts.clear()
            yield app
        finally:
            app.close()


def count_by_prefix(sandbox: Sandbox) -> Counter[str]:
    """From now on, every request the sandbox answers, counted by its platform's prefix."""
    counts: Counter[str] = Counter()
    inner = sandbox.server.dispatch

    def counted(request: Any, path: str) -> Any:
        counts["/" + path.lstrip("/").split("/", 1)[0]] += 1
        return inner(request, path)

    sandbox.server.dispatch = counted  # type: ignore[method-assign]
    return counts


def by_platform(counts: Counter[str]) -> Counter[str]:
    return Counter({PREFIXES[p]: n for p, n in counts.items() if p in PREFIXES})


# -- the parts ---------------------------------------------------------------------------------


def part_requests(sandbox: Sandbox, count: int) -> None:
    print(f"requests: {count} published deliveries, collected in this process, no latency")
    sandbox.reset()
    with workspace(sandbox) as app:
        can = measurable(app)
        seeded = seed(app, sandbox, count)
        counts = count_by_prefix(sandbox)
        collector = build_collector(app, "bench-metrics", lambda alert: None)
        began = time.perf_counter()
        rounds = 0
        while collector.collect().read:
            rounds += 1
        wall = time.perf_counter() - began
        done = read_so_far(app)
    requests = by_platform(counts)
    print(f"  read {done} of {count} in {wall:.1f} s ({rounds} rounds)")
    for platform in ("graph", "youtube", "zalo", "wordpress"):
        made, posts = requests[platform], seeded[platform]
        channels = [c for c, p in PLATFORMS.items() if p == platform]
        ready = all(can[c] for c in channels)
        goal = platform in ("graph", "youtube")
        per = made / posts if posts else 0.0
        verdict = "" if not (goal and ready) else ("  ok" if per <= 1 / 40 else "  OVER")
        state = "" if ready else "  (adapter not Measurable yet: nothing read)"
        print(
            f"  {platform}: {made} requests for {posts} deliveries = {per:.4f} per delivery"
            f" (1 per {posts / made if made else float('inf'):.0f})"
            + (" (goal <= 1 per 40)" if goal else "") + verdict + state
        )  # fmt: skip
    print(f"  wall time: {wall:.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS of this process (sandbox and 10,000 stored posts included): {peak:.0f} MiB")


def part_lateness(sandbox: Sandbox, env: Mapping[str, str], count: int, publish: int) -> None:
    window, threads = 60.0, 8
    print(
        f"lateness: a `loa worker --threads {threads}` collects {count} deliveries while"
        f" publishing {publish} posts due over {window:.0f} s on {', '.join(PUBLISHING)}"
        " (50 ms sandbox latency, SQLite)"
    )
    sandbox.reset(latency_ms=50)
    with workspace(sandbox, worker={"metrics_interval_seconds": 5}) as app:
        seed(app, sandbox, count)
        config = app.config_path
        assert config is not None
        worker = WorkerProcess(config, env, config.parent / "worker.log", threads).start()
        worker.wait_started()
        began = time.perf_counter()
        start = utcnow() + timedelta(seconds=1)
        queue_posts(
            app,
            [(PUBLISHING[n % 3], start + timedelta(seconds=window * n / publish))
             for n in range(publish)],
        )  # fmt: skip
        can = [c for c, ok in measurable(app).items() if ok]
        collected_at = wait_until(lambda: unread_due(app, can) == 0, 1200)
        wait_until(lambda: published_since(app, start) >= publish, window + 60)
        peak = vm_hwm(worker.pid)
        worker.terminate(30)
        found = [t for t in timings(app) if t.due >= start]
        done = read_so_far(app)
    late = [(t.started - t.due).total_seconds() for t in found]
    wall = (collected_at or time.perf_counter()) - began
    print(f"  collected {done} of {count} in {wall:.1f} s while publishing")
    if late:
        p99 = percentile(late, 0.99)
        print(f"  published {len(found)} of {publish}")
        print(f"  lateness p50: {statistics.median(late):.3f} s")
        print(f"  lateness p99: {p99:.3f} s (goal < 1 s){'  ok' if p99 < 1 else '  OVER'}")
        print(f"  lateness max: {max(late):.3f} s")
    print(f"  peak RSS of the worker process (VmHWM): {peak / 1024:.0f} MiB")


def unread_due(app: App, channels: Sequence[str]) -> int:
    """Readings of these channels due now and not made yet (the steady queue's are an hour
    away)."""
    with app.db.read() as session:
        return int(
            session.exec(
                select(func.count())
                .select_from(DeliveryMetrics)
                .where(
                    col(DeliveryMetrics.channel_id).in_(channels),
                    col(DeliveryMetrics.readings) == 0,
                    col(DeliveryMetrics.next_due_at) <= utcnow(),
                )
            ).one()
        )


def published_since(app: App, start: datetime) -> int:
    """Deliveries of the steady queue published so far (the seeded ones are older)."""
    with app.db.read() as session:
        return int(
            session.exec(
                select(func.count())
                .select_from(Delivery)
                .where(col(Delivery.state) == D.published, col(Delivery.due_at) >= start)
            ).one()
        )


def wait_until(done: Callable[[], bool], timeout: float, poll: float = 0.5) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return time.perf_counter()
        time.sleep(poll)
    return None


def vm_hwm(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--publish", type=int, default=300)
    parser.add_argument("--only", action="append", choices=("requests", "lateness"))
    args = parser.parse_args(argv)
    parts = args.only or ["requests", "lateness"]
    sandbox = Sandbox()
    try:
        with secrets_environment() as env:
            if "requests" in parts:
                part_requests(sandbox, args.count)
            if "lateness" in parts:
                part_lateness(sandbox, env, args.count, args.publish)
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
