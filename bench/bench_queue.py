"""Queue benchmarks that print figures (never asserted by the tests). See bench/README.md.

.venv/bin/python -m bench.bench_queue [--posts-import 10000] [--posts-calendar 100000]
                                      [--postgres postgresql+psycopg://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import csv
import gc
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy import event, func, insert
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from content.calendar import CalendarFilter, entries, month_window
from content.importer import Importer
from content.models import Delivery, DeliveryState, Post, User
from loa.app import App, open_app
from loa.config import load_config

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config.yaml"
VENV_BIN = Path(sys.executable).parent
Result = tuple[str, float, float | None, str]  # figure, value, target, unit
results: list[Result] = []

SUBJECTS = ["Lễ thượng cờ ASEAN", "Tuần Văn hóa ASEAN", "Hội thảo kinh tế số", "Diễn đàn du lịch",
            "Festival Huế", "Hợp tác tiểu vùng Mê Kông", "Chuyển đổi số trong giáo dục",
            "Giao lưu thanh niên ASEAN", "Xúc tiến đầu tư", "Thành phố Văn hóa ASEAN"]  # fmt: skip
PLACES = ["tại Trung tâm Hành chính tỉnh", "ở Đại Nội Huế", "bên sông Hương", "tại Phong Điền",
          "ở cảng Chân Mây", "tại Đại học Huế", "ở phố đi bộ Nguyễn Đình Chiểu"]  # fmt: skip
SENTENCES = [
    "Sự kiện thu hút đông đảo người dân, du khách và cộng đồng người Việt tại các nước ASEAN.",
    "Đại diện Sở Ngoại vụ nhấn mạnh vai trò của Việt Nam trong việc xây dựng Cộng đồng ASEAN.",
    "Chương trình góp phần quảng bá Huế - Thành phố Du lịch sạch ASEAN tới bạn bè quốc tế.",
    "Các doanh nghiệp trẻ được giới thiệu cơ hội từ các hiệp định thương mại tự do trong khu vực.",
    "Học sinh, sinh viên tham gia cuộc thi tìm hiểu về bản sắc và lịch sử hình thành ASEAN.",
    "Nhiều sản phẩm thủ công truyền thống của Thừa Thiên Huế được trưng bày và giới thiệu.",
]
HEADER = ["title", "body", "link", "hashtags", "topic", "pillar", "audience", "department",
          "author", "channels", "at", "media", "media_alt", "state"]  # fmt: skip
POST_STATES = ["approved", "draft", "in_review", "cancelled"]
AUDIENCES = ["thanh niên", "doanh nghiệp", "người Việt ở ASEAN", "du khách", None]


def record(name: str, value: float, target: float | None, unit: str) -> None:
    results.append((name, value, target, unit))
    shown = f"{value:,.3f} {unit}" if unit != "MB" else f"{value:,.0f} MB"
    print(f"  {name}: {shown}" + (f" (target < {target:g} {unit})" if target else ""))


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


@contextmanager
def workspace(database: str | None = None) -> Iterator[App]:
    """A temporary copy of config.yaml (so data/loa.db lands beside it), opened and migrated."""
    with tempfile.TemporaryDirectory(prefix="loa-bench-") as tmp:
        cfg = Path(tmp) / "config.yaml"
        shutil.copy(CONFIG, cfg)
        if database:
            raw = cfg.read_text(encoding="utf-8")
            cfg.write_text(re.sub(r"(?m)^database: .*$", f"database: {database}", raw), "utf-8")
        app = open_app(cfg, migrate=True)
        try:
            yield app
        finally:
            app.close()


def officers() -> dict[str, str]:
    """department -> the officer who writes for it, from the configuration."""
    config = load_config(CONFIG)
    return {u.department or "": u.username for u in config.users if u.role == "officer"}


def body_text(rng: random.Random) -> str:
    parts: list[str] = []
    target = rng.randint(300, 800)
    while sum(len(p) + 1 for p in parts) < target:
        parts.append(rng.choice(SENTENCES))
    return " ".join(parts)[:target]


def write_import_csv(path: Path, count: int, rng: random.Random) -> None:
    image = path.parent / "cover.png"
    picture = Image.new("RGB", (1200, 630), (0, 82, 147))
    ImageDraw.Draw(picture).ellipse((450, 165, 750, 465), fill=(255, 205, 0))
    picture.save(image)
    writers = officers()  # for the departments; every row's author is the importer, bientap
    tz = load_config(CONFIG).zone
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n in range(count):
            department = rng.choice(sorted(writers))
            channels = ["web-asean", "fb-asean-hue"] + (["fb-dulich-hue"] * (department == "SDL"))
            channels += ["zalo-asean-hue"] * (rng.random() < 0.15)  # with the shared PNG as cover
            channels = rng.sample(channels, rng.randint(1, min(3, len(channels))))
            with_image = "zalo-asean-hue" in channels or rng.random() < 0.1
            at = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
            title = f"{rng.choice(SUBJECTS)} {rng.choice(PLACES)} (số {n + 1})"
            out.writerow([
                title, body_text(rng), f"https://asean.thuathienhue.gov.vn/tin/{n + 1}",
                "ASEAN Hue " + rng.choice(["ThanhPhoVanHoa", "DuLich", "KinhTeSo"]),
                rng.choice("abcdefghi"), rng.choice(["APSC", "AEC", "ASCC"]),
                rng.choice(AUDIENCES) or "", department, "bientap", " ".join(channels),
                at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), "cover.png" if with_image else "",
                "Biểu trưng ASEAN trên nền xanh" if with_image else "", "draft",
            ])  # fmt: skip


def bench_import(count: int) -> None:
    print(f"\n1. import {count:,} posts (CSV, as editor bientap)")
    with tempfile.TemporaryDirectory(prefix="loa-bench-csv-") as tmp:
        source = Path(tmp) / "posts.csv"
        write_import_csv(source, count, random.Random(275))
        print(f"  CSV: {source.stat().st_size / 1e6:.1f} MB")
        for label, dry in (("run 1", False), ("run 2, fresh DB", False), ("dry run", True)):
            with workspace() as app:
                importer = Importer(app.posts, app.media)
                actor = app.posts.actor("bientap")
                seconds, report = timed(lambda: importer.run(actor, source, dry_run=dry))  # noqa: B023
                assert sum(report.by_state.values()) == count
                record(f"import {count:,} ({label})", seconds, None if dry else 10.0, "s")


def seed_calendar(app: App, count: int, rng: random.Random, chunk: int = 10_000) -> None:
    """Fast setup (not measured): bulk inserts of posts over five years and 1-3 deliveries each."""
    departments = sorted(officers())
    first, now = datetime(2024, 1, 1, tzinfo=UTC), datetime.now(UTC)
    with app.db.write() as session:
        author_id = session.exec(select(User.id).where(User.username == "bientap")).one()
        for offset in range(0, count, chunk):
            posts: list[dict[str, Any]] = []
            deliveries: list[dict[str, Any]] = []
            for post_id in range(offset + 1, min(count, offset + chunk) + 1):
                day = first + timedelta(days=rng.randrange(5 * 365))
                at = day.replace(hour=rng.randint(0, 14), minute=rng.choice((0, 15, 30, 45)))
                department = rng.choice(departments)
                state = rng.choices(POST_STATES, [85, 8, 5, 2])[0]
                posts.append({
                    "id": post_id, "title": f"{rng.choice(SUBJECTS)} {rng.choice(PLACES)}",
                    "body": body_text(rng), "hashtags": ["ASEAN", "Hue"], "pillar": rng.choice(
                    ["APSC", "AEC", "ASCC"]), "topic": rng.choice("abcdefghi"), "department_code":
                    department, "author_id": author_id, "state": state, "scheduled_at": at,
                    "missed_policy": "publish_late", "grace_minutes": 60, "version": 1,
                    "created_at": at - timedelta(days=7), "updated_at": at - timedelta(days=7),
                })  # fmt: skip
                sent = DeliveryState.published if at < now else DeliveryState.scheduled
                d_state = {"cancelled": "cancelled", "approved": sent}.get(state, "pending")
                channels = ["web-asean", "fb-asean-hue", "zalo-asean-hue", "yt-hue-asean"]
                channels += ["fb-dulich-hue"] if department == "SDL" else []
                deliveries += [{
                    "post_id": post_id, "channel_id": channel, "overrides": {}, "state": d_state,
                    "due_at": at, "attempts": int(d_state == "published"), "created_at": at,
                    "updated_at": at, "published_at": at if d_state == "published" else None,
                } for channel in rng.sample(channels, rng.randint(1, 3))]  # fmt: skip
            session.execute(insert(Post), posts)
            session.execute(insert(Delivery), deliveries)
    if not app.db.is_sqlite:  # autovacuum would soon do it; SQLite never analyses by itself
        with app.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


@contextmanager
def full_gc_pauses() -> Iterator[list[float]]:
    """The durations (ms) of the full (generation 2) garbage collections while inside."""
    pauses: list[float] = []
    started = [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if info["generation"] == 2 and phase == "start":
            started[0] = time.perf_counter()
        elif info["generation"] == 2:
            pauses.append((time.perf_counter() - started[0]) * 1000)

    gc.callbacks.append(callback)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(callback)


def capture_sql(app: App, action: Callable[[], Any]) -> tuple[str, Any]:
    """The SQL statement and parameters that `action` sends (to EXPLAIN the very same query)."""
    seen: list[tuple[str, Any]] = []

    def listen(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        seen.append((statement, params))

    event.listen(app.db.engine, "before_cursor_execute", listen)
    try:
        action()
    finally:
        event.remove(app.db.engine, "before_cursor_execute", listen)
    return next(item for item in seen if "delivery.due_at" in item[0])


def bench_calendar(app: App, label: str, count: int, runs: int = 50) -> None:
    print(f"\n2. calendar month query on {label}, {count:,} posts")
    seconds, _ = timed(lambda: seed_calendar(app, count, random.Random(8)))
    print(f"  setup (bulk insert, not a figure): {seconds:.1f} s")
    tz = app.config.zone
    start, end = month_window(2026, 10, tz)  # the month before the 1 November report
    with app.db.read() as session:
        in_month = (col(Post.scheduled_at) >= start) & (col(Post.scheduled_at) < end)
        posts = session.exec(select(func.count()).select_from(Post).where(in_month)).one()
        print(f"  month 2026-10: {posts:,} posts")
    busy = CalendarFilter(departments=["STTTT", "SDL"], channels=["fb-asean-hue"])
    for name, where in (("month", CalendarFilter()), ("month, dept+channel filter", busy)):
        timings: list[float] = []
        found: list[Any] = []
        with full_gc_pauses() as pauses:
            for _ in range(runs + 1):  # the first run warms the caches and is not counted
                with app.db.read() as session:
                    seconds, found = timed(lambda: entries(session, start, end, where))  # noqa: B023
                timings.append(seconds * 1000)
        mean = statistics.mean(pauses) if pauses else 0.0
        print(f"  {name}: {len(found):,} entries; {len(pauses)} full GCs (mean {mean:.0f} ms)")
        record(f"calendar {name} {label} median", statistics.median(timings[1:]), 50.0, "ms")
        record(f"calendar {name} {label} p95", p95(timings[1:]), 50.0, "ms")
    for where in (CalendarFilter(), busy):
        with app.db.read() as session:
            sql, params = capture_sql(app, lambda: entries(session, start, end, where))  # noqa: B023
            explain = "EXPLAIN QUERY PLAN " if app.db.is_sqlite else "EXPLAIN ANALYZE "
            plan = session.connection().exec_driver_sql(explain + sql, params).all()
        print(f"  plan ({'filtered' if where is busy else 'no filter'}):")
        for row in plan:
            print("    " + " ".join(str(c) for c in row[-1:] if c is not None))


@contextmanager
def postgres_database(url: str) -> Iterator[str]:
    """A fresh database `loa_bench_<random>` on the server of `url`, dropped afterwards."""
    import psycopg

    server = make_url(url)
    name = f"loa_bench_{uuid.uuid4().hex[:8]}"
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_help(runs: int = 10) -> None:
    print(f"\n3. `loa --help`, {runs} runs of the installed console script")
    timings: list[float] = []
    command = [str(VENV_BIN / "loa"), "--help"]
    for _ in range(runs):
        timings.append(timed(lambda: subprocess.run(command, check=True, capture_output=True))[0])
    record("loa --help median", statistics.median(timings), 0.5, "s")
    record("loa --help max", max(timings), 0.5, "s")
    code = "import sys; sys.argv = ['loa', '--help']; from loa.cli import main; main()"
    command = [sys.executable, "-X", "importtime", "-c", code]
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    rows = [line.split("|") for line in done.stderr.splitlines() if line.startswith("import time:")]
    found = [(int(r[1]), r[2].rstrip()) for r in rows if r[1].strip().isdigit()]
    print("  top 5 imports by cumulative time (-X importtime):")
    for micros, module in sorted(found, reverse=True)[:5]:
        print(f"    {micros / 1000:7.1f} ms {module}")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def summary() -> None:
    record("peak RSS, whole run", peak_rss_mb(), None, "MB")
    print(f"\n{'figure':<54} {'value':>12} {'target':>10}  verdict")
    for name, value, target, unit in results:
        verdict = "-" if target is None else ("ok" if value < target else "OVER")
        shown_target = "-" if target is None else f"< {target:g} {unit}"
        shown = f"{value:>9,.0f}" if unit == "MB" else f"{value:>9,.3f}"
        print(f"{name:<54} {shown} {unit:<2} {shown_target:>10}  {verdict}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Loa queue benchmarks (figures, not tests)")
    parser.add_argument("--posts-import", type=int, default=10_000)
    parser.add_argument("--posts-calendar", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="URL", help="also time the calendar on PostgreSQL")
    args = parser.parse_args(argv)
    print(f"Loa benchmarks, Python {sys.version.split()[0]}")
    bench_import(args.posts_import)
    record("peak RSS after the imports", peak_rss_mb(), None, "MB")
    with workspace() as app:
        bench_calendar(app, "SQLite", args.posts_calendar)
    if args.postgres:
        with postgres_database(args.postgres) as url, workspace(url) as app:
            bench_calendar(app, "PostgreSQL", args.posts_calendar)
    bench_help()
    summary()


if __name__ == "__main__":
    main()
