"""/reports through the real app on a real SQLite database: who sees which department, the
numbers against content.stats, progress and gaps, the charts, the three downloads, refused
periods, and the page in English.

The report is read and written by the real content.report_data and reports/ code, wired the
way loa/web_app.py wires it (web never imports loa; loa.report_inputs' pure period functions
are used here as loa uses them)."""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from content.db import Database
from content.report_cache import TOTALS
from content.report_data import ReportData, build
from content.stats import stats
from content.stats import summarise as real_summarise
from content.targets import Names, Targets
from content.timeutil import zone
from loa.report_inputs import current_year, reporting_year
from reports.evidence_csv import write_csv
from reports.excel import write_xlsx
from reports.word import write_docx
from tests.factories import CHANNELS, DEPARTMENTS, published_deliveries
from tests.reports.year_data import seed_year
from web.services import DEFAULT_PILLARS, DEFAULT_TOPICS, ReportTools, WebServices

HCM = zone("Asia/Ho_Chi_Minh")
YEAR = 2026  # the seeded posts' reporting year; the test clock (1 Dec 2026) is in 2027's
START, END = reporting_year(YEAR, HCM, datetime(2027, 1, 1, tzinfo=HCM))
NAMES = Names(
    departments={code: (vi, en) for code, vi, en in DEPARTMENTS},
    topics={c.code: (c.vi, c.en) for c in DEFAULT_TOPICS},
    pillars={c.code: (c.vi, c.en) for c in DEFAULT_PILLARS},
    channels={c[0]: (f"Kênh {c[0]}", f"Channel {c[0]}") for c in CHANNELS},
)


def tools_for(db: Database) -> ReportTools:
    def read(
        start: datetime, end: datetime, department: str | None, year: int, now: datetime
    ) -> ReportData:
        with db.read() as session:
            return build(
                session, start, end, HCM, now=now,
                departments=[department] if department else None,
                all_departments=[code for code, _, _ in DEPARTMENTS],
                topics=[c.code for c in DEFAULT_TOPICS],
                pillars=[c.code for c in DEFAULT_PILLARS],
                targets=Targets(), names=NAMES,
            )  # fmt: skip

    def write(data: ReportData, path: Path, kind: str, year: int, department: str | None) -> None:
        name = NAMES.of("department", department)[0] if department else None
        if kind == "docx":
            write_docx(data, path, tz=HCM, names=NAMES, year=year, issuer="SỞ TTTT",
                       department_name=name, version="test")  # fmt: skip
        elif kind == "xlsx":
            write_xlsx(data, path, tz=HCM, names=NAMES, year=year, title="Báo cáo", version="t")
        else:
            write_csv(data, path, tz=HCM, names=NAMES)

    return ReportTools(
        names=NAMES,
        departments=tuple(code for code, _, _ in DEPARTMENTS),
        current_year=lambda now: current_year(now, HCM),
        year_period=lambda year, now: reporting_year(year, HCM, now),
        read=read,
        write=write,
    )


@pytest.fixture
def web_services(web_services: WebServices, db: Database) -> WebServices:
    seed_year(db)
    web_services.reports = tools_for(db)
    return web_services


def section(html: str, name: str) -> str:
    start = html.index(f'id="{name}"')
    return html[start : html.find("</section>", start)]


def cells(html: str, label: str) -> list[str]:
    """The numbers of a table row headed `label`."""
    found = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', html)
    assert found is not None, label
    return re.findall(r"<td>([^<]*)</td>", found.group(1))


def test_an_editor_sees_every_department_with_the_numbers_of_content_stats(
    db: Database, editor_client: TestClient
) -> None:
    page = editor_client.get("/reports", params={"year": YEAR})
    assert page.status_code == 200, page.text
    html = page.text
    assert 'href="/reports" aria-current="page"' in html  # in the menu
    assert "Toàn tỉnh (mọi đơn vị)" in html and "01/11/2025 – 31/10/2026" in html
    with db.read() as session:
        by_department = stats(session, START, END, "department", HCM)
        by_month = stats(session, START, END, "month", HCM)
    total = by_department.total
    summary = section(html, "summary")
    assert f"<dt>Bài đăng</dt><dd>{total.posts}</dd>" in summary
    assert f"<dt>Lượt đăng</dt><dd>{total.deliveries}</dd>" in summary
    assert f"{total.with_figures}/{total.deliveries} lượt đăng có số liệu" in summary
    assert "<dt>Lượt xem</dt><dd>1.350</dd>" in summary  # 1200 + 150, Vietnamese digits
    departments = section(html, "by-department")
    for group in by_department.groups:
        name = NAMES.of("department", group.key)[0]
        assert cells(departments, name)[:3] == [
            str(group.posts), str(group.deliveries), str(group.with_figures)
        ]  # fmt: skip
    assert "Sở Văn hóa và Thể thao" not in departments  # silent: a gap below, not a row
    months = section(html, "by-month")
    assert len(re.findall(r'<th scope="row">\d\d/20\d\d</th>', months)) == 12  # every month
    for group in by_month.groups:
        month, year = group.key[5:], group.key[:4]
        assert cells(months, f"{month}/{year}")[0] == str(group.posts)
    topics = section(html, "by-topic")
    assert "a. Sự kiện thường niên của ASEAN" in topics and ">a<" not in topics  # names
    assert "Facebook" in section(html, "by-platform")
    assert 'src="/reports/charts/month.svg?year=2026&amp;lang=vi"' in months


def test_progress_gaps_and_failures_are_shown(editor_client: TestClient) -> None:
    html = editor_client.get("/reports", params={"year": YEAR}).text
    targets = section(html, "targets")
    assert "Sở Du lịch: 1/48 bài (4 bài/tháng)" in targets
    assert re.search(r'class="target missed">\s*<span class="target-text">Sở Du lịch', targets)
    assert "<progress" in targets and "Chưa đạt" in targets and "Đạt" in targets
    assert "Đạt " in targets and " chỉ tiêu" in targets
    gaps = section(html, "gaps")
    assert "Sở Văn hóa và Thể thao chưa đăng bài nào trong kỳ này" in gaps
    assert "chưa có bài trong quý này" in gaps
    shortfalls = section(html, "shortfalls")
    assert "thất bại" in shortfalls and "Kênh zalo-asean-hue" in shortfalls


def test_an_officer_sees_only_their_own_department(
    officer_sdl_client: TestClient, officer_client: TestClient
) -> None:
    page = officer_sdl_client.get("/reports", params={"year": YEAR})
    assert page.status_code == 200
    html = page.text
    assert 'name="department"' not in html  # no choice to make
    assert '<span class="report-scope">Sở Du lịch</span>' in html
    assert "<dt>Bài đăng</dt><dd>1</dd>" in section(html, "summary")  # SDL's one post
    assert "by-department" not in html
    assert "Ẩm thực cung đình Huế" not in html  # STTTT's posts stay out
    for path in ("/reports", "/reports/charts/month.svg", "/reports/file.csv"):
        other = officer_sdl_client.get(path, params={"year": YEAR, "department": "STTTT"})
        assert other.status_code == 404, path
    own = officer_client.get("/reports", params={"year": YEAR, "department": "STTTT"})
    assert own.status_code == 200 and "<dt>Bài đăng</dt><dd>4</dd>" in section(own.text, "summary")


def test_an_editor_may_choose_one_department(editor_client: TestClient) -> None:
    html = editor_client.get("/reports", params={"year": YEAR, "department": "SDL"}).text
    assert '<option value="SDL" selected>Sở Du lịch</option>' in html
    assert "<dt>Bài đăng</dt><dd>1</dd>" in section(html, "summary")
    missing = editor_client.get("/reports", params={"department": "NOPE"})
    assert missing.status_code == 404


def test_the_chart_route_answers_svg_under_the_same_rules(
    editor_client: TestClient, officer_sdl_client: TestClient
) -> None:
    for by in ("month", "channel", "platform", "topic", "pillar", "department"):
        chart = editor_client.get(f"/reports/charts/{by}.svg", params={"year": YEAR})
        assert chart.status_code == 200, by
        assert chart.headers["content-type"] == "image/svg+xml"
        assert chart.text.lstrip().startswith("<?xml") and "<script" not in chart.text
        assert "script-src" not in chart.headers["content-security-policy"]
    own = officer_sdl_client.get("/reports/charts/topic.svg", params={"year": YEAR})
    assert own.status_code == 200
    assert editor_client.get("/reports/charts/nope.svg").status_code == 404


def test_the_downloads_open_and_carry_a_vietnamese_file_name(
    editor_client: TestClient, officer_sdl_client: TestClient, db: Database
) -> None:
    with db.read() as session:
        deliveries = stats(session, START, END, "channel", HCM).total.deliveries
    answers = {}
    for kind in ("docx", "xlsx", "csv"):
        answer = editor_client.get(f"/reports/file.{kind}", params={"year": YEAR})
        assert answer.status_code == 200, answer.text
        disposition = answer.headers["content-disposition"]
        assert disposition.startswith("attachment; filename=")
        encoded = disposition.split("filename*=UTF-8''")[1]
        assert unquote(encoded) == f"Báo cáo ASEAN 2026 - Toàn tỉnh.{kind}"
        assert disposition.encode("latin-1")  # the header itself stays ASCII
        answers[kind] = answer.content
    document = Document(io.BytesIO(answers["docx"]))
    assert any("BÁO CÁO" in p.text for p in document.paragraphs)
    workbook = load_workbook(io.BytesIO(answers["xlsx"]))
    assert workbook.sheetnames[0] == "Tổng hợp"
    rows = list(csv.reader(io.StringIO(answers["csv"].decode("utf-8-sig"))))
    assert len(rows) == 1 + deliveries
    sdl = officer_sdl_client.get(
        "/reports/file.csv", params={"from": "2026-01-01", "to": "2026-06-30"}
    )
    assert sdl.status_code == 200
    name = unquote(sdl.headers["content-disposition"].split("filename*=UTF-8''")[1])
    assert name == "Báo cáo ASEAN 01-01-2026 đến 30-06-2026 - Sở Du lịch.csv"
    assert len(list(csv.reader(io.StringIO(sdl.content.decode("utf-8-sig"))))) == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-02-30"}, "from"),
        ({"to": "hôm qua"}, "to"),
        ({"year": "20x6"}, "year"),
        ({"year": "1999"}, "year"),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "to"),
    ],
)
def test_a_bad_period_is_a_clear_400(
    editor_client: TestClient, params: dict[str, str], field: str
) -> None:
    for path in ("/reports", "/reports/file.docx", "/reports/charts/month.svg"):
        answer = editor_client.get(path, params=params)
        assert answer.status_code == 400, (path, answer.text)
    html = editor_client.get("/reports", params=params).text
    vietnamese = html.index("Kỳ báo cáo" if field == "to" and "from" in params else "không hợp lệ")
    assert vietnamese < html.index('class="other-lang"')  # Vietnamese first


def test_a_period_without_posts_is_a_page_that_says_so(editor_client: TestClient) -> None:
    answer = editor_client.get("/reports", params={"from": "2020-01-01", "to": "2020-03-31"})
    assert answer.status_code == 200
    assert "Không có bài nào được đăng trong kỳ này." in answer.text
    assert "01/01/2020 – 31/03/2020" in answer.text
    assert "<img" not in answer.text  # no empty charts
    assert editor_client.get("/reports/file.xlsx", params={"year": 2020}).status_code == 200


def test_the_page_in_english(editor_client: TestClient) -> None:
    html = editor_client.get("/reports", params={"year": YEAR, "lang": "en"}).text
    assert "ASEAN communication report" in html and "Progress against the targets" in html
    assert "Department of Tourism: 1/48 posts (4 a month)" in html
    assert "Department of Culture and Sports has published nothing in this period" in html
    assert "<dt>Views</dt><dd>1,350</dd>" in html
    assert '<th scope="row">Aug 2026</th>' in html
    chart = editor_client.get("/reports/charts/month.svg", params={"year": YEAR, "lang": "en"})
    assert "Posts by month" in chart.text or "Aug" in chart.text


def test_a_day_is_too_short_to_judge_a_monthly_target(editor_client: TestClient) -> None:
    # 6 August: two of STTTT's posts. Prorated to one day, 4 a month rounds to 0; the page shows
    # the whole month's figure as not due yet, never met with nothing published.
    html = editor_client.get("/reports", params={"from": "2026-08-06", "to": "2026-08-06"}).text
    targets = section(html, "targets")
    tourism = re.search(
        r'class="target (\w+)">\s*<span class="target-text">Sở Du lịch: 0/4', targets
    )
    assert tourism is not None and tourism.group(1) == "not_due"
    assert "Chưa đến kỳ đánh giá" in targets and "chưa đến kỳ đánh giá" in targets
    met = re.search(r"Đạt (\d+)/(\d+) chỉ tiêu; (\d+) chưa đến kỳ đánh giá", targets)
    assert met is not None
    assert int(met.group(1)) + int(met.group(3)) <= int(met.group(2))
    assert targets.count('class="target met"') == int(met.group(1))
    assert targets.count('class="target not_due"') == int(met.group(3))
    assert 'class="target missed"' not in targets
    english = editor_client.get(
        "/reports", params={"from": "2026-08-06", "to": "2026-08-06", "lang": "en"}
    ).text
    assert "Not due yet" in section(english, "targets")


@pytest.fixture
def recounts_ended() -> Iterator[None]:
    TOTALS.clear()
    yield
    TOTALS.wait(timeout=30)
    TOTALS.clear()


def deliveries_shown(html: str) -> int:
    found = re.search(r'figure-deliveries"><dt>[^<]*</dt><dd>([\d.,]+)</dd>', html)
    assert found is not None
    return int(found.group(1).replace(".", "").replace(",", ""))


COUNTED_AT = datetime(2026, 12, 5, 5, 34, tzinfo=UTC)  # 12:34 in Hà Nội / Ho Chi Minh City


def test_after_a_change_the_page_shows_the_kept_totals_and_when_they_were_counted(
    editor_client: TestClient,
    db: Database,
    web_services: WebServices,
    monkeypatch: pytest.MonkeyPatch,
    recounts_ended: None,
) -> None:
    monkeypatch.setattr(TOTALS, "clock", lambda: COUNTED_AT)
    first = editor_client.get("/reports", params={"year": YEAR}).text
    assert "report-counted-at" not in first  # nothing kept: counted in the request, fresh
    before = deliveries_shown(first)
    published_deliveries(db, 1, datetime(2026, 6, 1, 3, tzinfo=UTC))  # a publication, later
    # The recount waits until both languages have been seen stale (it is fast on test data).
    release = threading.Event()

    def held(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(timeout=30)
        return real_summarise(*args, **kwargs)

    monkeypatch.setattr("content.report_data.summarise", held)
    stale = editor_client.get("/reports", params={"year": YEAR}).text
    assert deliveries_shown(stale) == before
    assert "Số liệu tính lúc 12:34 05/12/2026 (đang cập nhật)" in stale
    english = editor_client.get("/reports", params={"year": YEAR, "lang": "en"}).text
    assert "Totals as of 12:34 05/12/2026 (updating)" in english
    assert TOTALS.recounting() == 1
    release.set()
    TOTALS.wait(timeout=30)
    fresh = editor_client.get("/reports", params={"year": YEAR}).text
    assert deliveries_shown(fresh) == before + 1
    assert "report-counted-at" not in fresh and "Số liệu tính lúc" not in fresh


def test_the_downloads_are_exact_while_the_page_is_not(
    editor_client: TestClient,
    db: Database,
    web_services: WebServices,
    monkeypatch: pytest.MonkeyPatch,
    recounts_ended: None,
) -> None:
    tools = web_services.reports
    assert tools is not None
    written: list[int] = []

    def write(data: ReportData, path: Path, kind: str, year: int, department: str | None) -> None:
        written.append(data.total.total.deliveries)
        tools.write(data, path, kind, year, department)

    web_services.reports = replace(tools, write=write)
    before = deliveries_shown(editor_client.get("/reports", params={"year": YEAR}).text)
    published_deliveries(db, 1, datetime(2026, 6, 1, 3, tzinfo=UTC))
    assert "Số liệu tính lúc" in editor_client.get("/reports", params={"year": YEAR}).text
    for kind in ("csv", "xlsx"):
        assert editor_client.get(f"/reports/file.{kind}", params={"year": YEAR}).status_code == 200
    assert written == [before + 1, before + 1]


def test_with_no_allowance_the_page_counts_every_change_at_once(
    editor_client: TestClient, db: Database, web_services: WebServices, recounts_ended: None
) -> None:
    web_services.report_stale_after = timedelta(0)
    before = deliveries_shown(editor_client.get("/reports", params={"year": YEAR}).text)
    published_deliveries(db, 1, datetime(2026, 6, 1, 3, tzinfo=UTC))
    html = editor_client.get("/reports", params={"year": YEAR}).text
    assert deliveries_shown(html) == before + 1 and "Số liệu tính lúc" not in html
    assert TOTALS.recounting() == 0
