"""The `/reports` page of bench_report's year, through the real web app (FastAPI's TestClient, a
signed-in editor): the page's time p50/p95, each chart's, and a whole view (the page and its six
charts, one after the other as a browser on one connection would). Figures, not tests.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path

from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from content.db import Database
from content.media import MediaStore
from content.posts import PostService
from content.report_data import ReportData
from content.targets import Names
from content.users import UserService
from loa.report_inputs import current_year, reporting_year
from tests.factories import CHANNELS, VOCABULARY, Clock
from web.app import create_app
from web.reports_view import BREAKDOWNS
from web.services import ReportTools, WebServices, channel_displays

PASSWORD = "bench-report-page"
GOAL_MS = 500


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _client(
    db: Database, tz: tzinfo, now: datetime, names: Names, read: Callable[..., ReportData]
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
    first = _timed(client, page)
    pages: list[float] = []
    chart_times: list[float] = []
    views: list[float] = []
    for _ in range(runs):
        began = time.perf_counter()
        pages.append(_timed(client, page))
        chart_times.extend(_timed(client, chart) for chart in charts)
        views.append((time.perf_counter() - began) * 1000)
    client.close()
    print(f"{'/reports, first view':<34} {first:8.0f} ms")
    goal = f"(goal p95 < {GOAL_MS} ms)"
    print(
        f"{'/reports page, ' + str(runs) + ' views':<34} p50 {statistics.median(pages):6.0f} ms"
        f"   p95 {p95(pages):6.0f} ms {goal}"
    )
    print(
        f"{'  each chart (6 a view)':<34} p50 {statistics.median(chart_times):6.0f} ms"
        f"   p95 {p95(chart_times):6.0f} ms"
    )
    print(
        f"{'  a whole view (page + charts)':<34} p50 {statistics.median(views):6.0f} ms"
        f"   p95 {p95(views):6.0f} ms"
    )
