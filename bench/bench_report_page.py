"""The `/reports` page of bench_report's year, through the real web app (FastAPI's TestClient, a
signed-in editor): the page's time p50/p95, each chart's, and a whole view (the page and its six
charts, one after the other as a browser on one connection would). Figures, not tests.

"Live": a figure reading is written between two views, as the worker does every few minutes, so
every view finds the data moved; timed with the page counting in the request (no allowance,
before) and serving the kept totals while a recount runs behind (the default allowance, after).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlmodel import col

from content.db import Database
from content.media import MediaStore
from content.models import DeliveryMetrics
from content.posts import PostService
from content.report_cache import TOTALS
from content.report_data import ReportData
from content.targets import Names
from content.users import UserService
from loa.report_inputs import current_year, reporting_year
from tests.factories import CHANNELS, VOCABULARY, Clock
from web.app import create_app
from web.pages.reports_view import BREAKDOWNS
from web.services import ReportTools, WebServices, channel_displays

PASSWORD = "bench-report-page"
GOAL_MS = 500


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _client(
    db: Database,
    tz: tzinfo,
    now: datetime,
    names: Names,
    read: Callable[..., ReportData],
    stale_after: timedelta = WebServices.report_stale_after,
) -> TestClient:
    users = UserService(db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    users.set_password("bench", "bientap", PASSWORD)
    services = WebServices(
        db=db,
        posts=PostService(db, VOCABULARY, tz, clock=Clock(now)),
        media=MediaStore(Path(tempfile.mkdtemp(prefix="loa-bench-media-"))),
        zone=tz,  # type: ignore[arg-type]
        users=users,
        channels=channel_displays([(c[0], c[1], c[0], c[2]) for c in CHANNELS]),
        report_stale_after=stale_after,
    )
    services.reports = ReportTools(
        names=names,
        departments=tuple(names.departments),
        current_year=lambda at: current_year(at, tz),
        year_period=lambda year, at: reporting_year(year, tz, at),
        read=read,
        write=lambda *_: None,
    )
    client = TestClient(create_app(services))
    page = client.get("/login").text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"username": "bientap", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    return client


def _timed(client: TestClient, path: str) -> float:
    began = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - began) * 1000
    assert response.status_code == 200, response.text[:300]
    return elapsed


@dataclass
class Views:
    """The times (ms) of a page viewed again and again, each view with its charts, if any."""

    first: float  # the first view: the caches cold, not among the others
    pages: list[float] = field(default_factory=list)
    charts: list[float] = field(default_factory=list)
    views: list[float] = field(default_factory=list)  # each page and its charts together


def _views(
    client: TestClient,
    page: str,
    runs: int,
    charts: Sequence[str] = (),
    before_each: Callable[[int], object] = lambda run: None,
) -> Views:
    """`runs` views of `page` and its `charts` one after the other, as a browser on one
    connection would, after a first one; `before_each(run)` is not timed."""
    found = Views(_timed(client, page))
    for run in range(runs):
        before_each(run)
        began = time.perf_counter()
        found.pages.append(_timed(client, page))
        found.charts.extend(_timed(client, chart) for chart in charts)
        found.views.append((time.perf_counter() - began) * 1000)
    return found


def bench_page(
    db: Database,
    tz: tzinfo,
    now: datetime,
    year: int,
    names: Names,
    read: Callable[..., ReportData],
    runs: int,
) -> None:
    """`runs` views of the reporting year's page for the whole province."""
    client = _client(db, tz, now, names, read)
    page = f"/reports?year={year}"
    charts = [f"/reports/charts/{by}.svg?year={year}&lang=vi" for by in BREAKDOWNS]
    quiet = _views(client, page, runs, charts)
    client.close()
    bench_live_page(db, tz, now, year, names, read, runs)
    print(f"{'/reports, first view':<34} {quiet.first:8.0f} ms")
    goal = f"(goal p95 < {GOAL_MS} ms)"
    print(
        f"{'/reports page, ' + str(runs) + ' views':<34} p50"
        f" {statistics.median(quiet.pages):6.0f} ms   p95 {p95(quiet.pages):6.0f} ms {goal}"
    )
    print(
        f"{'  each chart (6 a view)':<34} p50 {statistics.median(quiet.charts):6.0f} ms"
        f"   p95 {p95(quiet.charts):6.0f} ms"
    )
    print(
        f"{'  a whole view (page + charts)':<34} p50 {statistics.median(quiet.views):6.0f} ms"
        f"   p95 {p95(quiet.views):6.0f} ms"
    )


def _read_figures(db: Database, at: datetime) -> None:
    """One figure reading, as the worker writes it: the report's stamp moves."""
    with db.write() as session:
        first = session.execute(select(func.min(col(DeliveryMetrics.delivery_id)))).scalar_one()
        session.execute(
            update(DeliveryMetrics)
            .where(col(DeliveryMetrics.delivery_id) == first)
            .values(readings=col(DeliveryMetrics.readings) + 1, collected_at=at)
        )


def bench_live_page(
    db: Database,
    tz: tzinfo,
    now: datetime,
    year: int,
    names: Names,
    read: Callable[..., ReportData],
    runs: int,
) -> None:
    """`runs` views of the page with a figure reading written before each, counted in the
    request (before) and served from the kept totals while a recount runs (after)."""
    page = f"/reports?year={year}"
    for label, allowance in (("no allowance", timedelta(0)), ("30 min allowance", None)):
        stale_after = WebServices.report_stale_after if allowance is None else allowance
        client = _client(db, tz, now, names, read, stale_after)
        pages = _views(client, page, runs, before_each=lambda run: _moved(db, now, run)).pages
        TOTALS.wait()
        client.close()
        print(
            f"{'live /reports, ' + label:<34} p50 {statistics.median(pages):6.0f} ms"
            f"   p95 {p95(pages):6.0f} ms (goal p95 < {GOAL_MS} ms)"
        )


def _moved(db: Database, now: datetime, run: int) -> None:
    """A view a while after the last (the recount it started has had its time), the figures
    read again meanwhile."""
    TOTALS.wait()
    _read_figures(db, now + timedelta(seconds=run + 1))
