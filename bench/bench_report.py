"""The yearly report at the issue's size: 100,000 posts and 250,000 deliveries with figures in the
year. Times the `/reports` page (p50/p95 through the real web app, and its charts), then
content.report_data.build, the XLSX, the CSV and the DOCX, and the peak RSS after each. Prints
figures; never asserted by the tests. See bench/README.md.

.venv/bin/python -m bench.bench_report                            # the issue's size (a few minutes)
.venv/bin/python -m bench.bench_report --posts 10000 --deliveries 25000   # a quicker run
.venv/bin/python -m bench.bench_report --skip-docx                  # the XLSX and CSV alone
.venv/bin/python -m bench.bench_report --page-runs 0                # the files alone

Goals (issue 13): the page < 500 ms p95, XLSX < 15 s, DOCX < 10 s, memory < 500 MB.
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import select

from bench.bench_report_page import bench_page
from content.db import Database
from content.metrics import FIGURE_COLUMNS
from content.models import Delivery, DeliveryMetrics, DeliveryState, Post, User
from content.observances import Observance
from content.report_cache import TOTALS
from content.report_data import ReportData, build
from content.targets import Names, Targets
from content.timeutil import zone
from reports.evidence_csv import write_csv
from reports.excel import write_xlsx
from tests.factories import CHANNELS, DEPARTMENTS, seed

HCM = zone("Asia/Ho_Chi_Minh")
START = datetime(2025, 11, 1, tzinfo=HCM)
END = datetime(2026, 11, 1, tzinfo=HCM)
BATCH = 10_000
TOPICS = "abcdefghi"
PILLARS = ("APSC", "AEC", "ASCC", None)
TITLE = "Thừa Thiên Huế tuyên truyền Cộng đồng ASEAN: hội nghị, lễ hội và du lịch, bài số {}"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fill(db: Database, posts: int, deliveries: int) -> None:
    """`posts` posts and `deliveries` published deliveries over the year, all with figures."""
    with db.read() as session:
        author = session.exec(select(User)).first()
        assert author is not None and author.id is not None
        author_id = author.id
    departments = [code for code, _vi, _en in DEPARTMENTS]
    channels = [channel_id for channel_id, *_ in CHANNELS]
    seconds = int((END - START).total_seconds())
    now = datetime.now(UTC)
    delivery_id = 0
    with db.write() as session:
        for first in range(1, posts + 1, BATCH):
            post_rows, delivery_rows = [], []
            metric_rows: list[dict[str, object]] = []
            for post_id in range(first, min(first + BATCH, posts + 1)):
                at = (START + timedelta(seconds=(post_id * 7919) % seconds)).astimezone(UTC)
                post_rows.append(
                    {
                        "id": post_id, "title": TITLE.format(post_id),
                        "topic": TOPICS[post_id % 9], "pillar": PILLARS[post_id % 4],
                        "department_code": departments[post_id % len(departments)],
                        "author_id": author_id, "state": "approved", "scheduled_at": at,
                        "created_at": now, "updated_at": now, "hashtags": [],
                    }
                )  # fmt: skip
                # Deliveries spread evenly: posts * share per post on average.
                share = deliveries * post_id // posts - deliveries * (post_id - 1) // posts
                for n in range(share):
                    delivery_id += 1
                    channel = channels[(post_id + n) % len(channels)]
                    delivery_rows.append(
                        {
                            "id": delivery_id, "post_id": post_id, "channel_id": channel,
                            "state": DeliveryState.published, "due_at": at, "published_at": at,
                            "remote_id": f"{channel}-{delivery_id}",
                            "remote_url": f"https://www.facebook.com/aseanhue/posts/{delivery_id}",
                            "overrides": {}, "created_at": now, "updated_at": now,
                        }
                    )  # fmt: skip
                    figures = {"views": delivery_id % 5000, "reactions": delivery_id % 97}
                    if delivery_id % 3:
                        figures["comments"] = delivery_id % 11
                    metric_rows.append(
                        {
                            "delivery_id": delivery_id, "channel_id": channel, "figures": figures,
                            "notes": [], "readings": 1, "collected_at": now, "gone": False,
                            **{m: figures.get(m) for m in FIGURE_COLUMNS},
                        }
                    )  # fmt: skip
            session.execute(insert(Post), post_rows)
            session.execute(insert(Delivery), delivery_rows)
            session.execute(insert(DeliveryMetrics), metric_rows)


def rss_mb() -> float:
    """The resident memory now (Linux), in MB."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def timed(label: str, action: Callable[[], object]) -> object:
    """Runs `action`; prints its time, the process's peak so far, and the step's own peak
    (sampled every 10 ms: the setup's bulk insert sets the process's peak, not the report)."""
    step_peak = [rss_mb()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            step_peak[0] = max(step_peak[0], rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        result = action()
    finally:
        done.set()
        sampler.join()
    print(
        f"{label:<34} {time.perf_counter() - started:8.2f} s   peak RSS {peak_mb():7.0f} MB"
        f"   (during it {max(step_peak[0], rss_mb()):5.0f} MB)"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--deliveries", type=int, default=250_000)
    parser.add_argument("--skip-docx", action="store_true", help="time the XLSX and CSV alone")
    parser.add_argument("--page-runs", type=int, default=20, help="views of /reports (0: none)")
    args = parser.parse_args()
    names = Names(departments={code: (vi, en) for code, vi, en in DEPARTMENTS})
    with tempfile.TemporaryDirectory(prefix="loa-bench-report-") as folder:
        out = Path(folder)
        db = Database(f"sqlite:///{out / 'loa.db'}")
        db.upgrade()
        seed(db)
        setup = f"setup: {args.posts:,} posts, {args.deliveries:,} deliveries"
        timed(setup, lambda: fill(db, args.posts, args.deliveries))
        print(f"{'peak RSS before the report':<34} {'':>10}   peak RSS {peak_mb():7.0f} MB")

        def read_period(
            start: datetime, end: datetime, department: str | None, _year: int, now: datetime
        ) -> ReportData:
            with db.read() as session:
                return build(
                    session, start, end, HCM, now=now,
                    departments=[department] if department else None,
                    all_departments=list(names.departments), topics=list(TOPICS),
                    pillars=["APSC", "AEC", "ASCC"], targets=Targets(), names=names,
                    observances=[Observance("Ngày ASEAN", "ASEAN Day", 8, 8, year=1967)],
                )  # fmt: skip

        if args.page_runs:
            bench_page(db, HCM, END, 2026, names, read_period, args.page_runs)
            print(f"{'peak RSS after the page':<34} {'':>10}   peak RSS {peak_mb():7.0f} MB")
        TOTALS.clear()  # counted afresh, as the first reading after a change would
        data = timed("ReportData build (cold)", lambda: read_period(START, END, None, 2026, END))
        assert isinstance(data, ReportData) and len(data.rows) == args.deliveries
        kwargs = {"tz": HCM, "names": names}
        timed("XLSX (goal < 15 s)", lambda: write_xlsx(data, out / "r.xlsx", year=2026,
              title="BÁO CÁO", version="bench", **kwargs))  # type: ignore[arg-type]  # fmt: skip
        print(f"{'  XLSX size':<34} {(out / 'r.xlsx').stat().st_size / 1e6:8.1f} MB")
        timed("CSV", lambda: write_csv(data, out / "r.csv", **kwargs))  # type: ignore[arg-type]
        if args.skip_docx:
            print("DOCX: skipped (--skip-docx)")
        elif importlib.util.find_spec("reports.word") is not None:
            from reports.word import write_docx  # written by another change

            timed("DOCX (goal < 10 s)", lambda: write_docx(data, out / "r.docx", year=2026,
                  issuer="UBND TỈNH THỪA THIÊN HUẾ", department_name=None, version="bench",
                  **kwargs))  # type: ignore[arg-type]  # fmt: skip
        else:
            print("DOCX: reports.word is not there yet")
        whole = "peak RSS, whole run (goal < 500 MB)"
        print(f"{whole:<34} {'':>10}   peak RSS {peak_mb():7.0f} MB")
        db.dispose()


if __name__ == "__main__":
    main()
