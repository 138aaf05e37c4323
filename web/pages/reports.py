"""The report page: what was published in a period, against the plan's targets, with downloads.

    GET /reports?year=2026 | ?from=YYYY-MM-DD&to=YYYY-MM-DD  [&department=SDL]
    GET /reports/charts/{month|channel|platform|topic|pillar|department}.svg  (same query)
    GET /reports/file.docx | /reports/file.xlsx | /reports/file.csv          (same query)

Editors and administrators see every department (or one, chosen); officers only their own: any
other department is answered as not found. The report is read once through `loa`'s
`ReportTools` (web does not import loa), so the page, the charts and the files agree with
`loa report`. Routes are plain `def`: FastAPI runs them in its thread pool, so drawing a chart
or writing a workbook never holds up the event loop or other pages.
"""

from __future__ import annotations

import io
import tempfile
import unicodedata
from datetime import timedelta, tzinfo
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from matplotlib.backends.backend_svg import FigureCanvasSVG
from starlette.responses import Response

from content.errors import NotFound
from content.labels import figure, metric_label
from content.models import Role
from content.report_cache import Allowance, stale_allowed
from content.report_data import ReportData, reach_of, totals
from content.stats import metric_names
from content.timeutil import to_local
from content.workflow import Actor, delivery_state_words
from reports.charts import Chart, draw
from web.auth import current_actor
from web.i18n import format_date
from web.pages.posts import CHART_HEADERS
from web.pages.reports_view import BREAKDOWNS, ReportQuery, breakdown, chart_alt, report_query
from web.render import lang_of, render
from web.services import ReportTools, WebServices, services_of

router = APIRouter(prefix="/reports")
Signed = Annotated[Actor, Depends(current_actor)]

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _tools(services: WebServices) -> ReportTools:
    if services.reports is None:
        raise NotFound("reports are not set up", "Báo cáo chưa được cấu hình trên máy chủ này.")
    return services.reports


def _query(request: Request, actor: Actor) -> tuple[ReportTools, ReportQuery]:
    services = services_of(request)
    tools = _tools(services)
    now = services.posts.clock()
    params = dict(request.query_params)
    return tools, report_query(params, actor, tools, now, services.zone)


def _read(request: Request, tools: ReportTools, query: ReportQuery) -> ReportData:
    now = services_of(request).posts.clock()
    return tools.read(query.start, query.end, query.department, query.year, now)


def _read_page(
    request: Request, tools: ReportTools, query: ReportQuery
) -> tuple[ReportData, Allowance]:
    """The page's report: kept totals a while old are taken at once (a recount runs behind)."""
    with stale_allowed(services_of(request).report_stale_after) as allowance:
        return _read(request, tools, query), allowance


def counted_note(allowance: Allowance, zone: tzinfo) -> str:
    """When the totals shown were counted, "12:34 05/12/2026" in `zone`; "" when fresh."""
    if allowance.served_from is None:
        return ""
    return f"{to_local(allowance.served_from, zone):%H:%M %d/%m/%Y}"


def _period_text(query: ReportQuery, request: Request, lang: str) -> tuple[str, str]:
    """The period's first and last day, as the reader writes dates."""
    zone = services_of(request).zone
    first = to_local(query.start, zone).date()
    last = to_local(query.end - timedelta(microseconds=1), zone).date()
    return (
        format_date(first, lang, with_weekday=False),
        format_date(last, lang, with_weekday=False),
    )


@router.get("")
def reports_page(request: Request, actor: Signed) -> Response:
    services = services_of(request)
    lang = lang_of(request)
    if services.reports is None:
        return render(request, "reports/index.html", {"ready": False}, status_code=404)
    tools, query = _query(request, actor)
    data, allowance = _read_page(request, tools, query)
    pick = 0 if lang == "vi" else 1
    names = tools.names
    total = data.total.total
    shown = [by for by in BREAKDOWNS if by != "department" or query.department is None]
    breakdowns = [breakdown(data.breakdowns[by], names, services.zone, lang) for by in shown]
    params = query.params()
    chart_query = urlencode({**params, "lang": lang})
    kinds = ("department", "topic", "pillar", "channel")
    context: dict[str, Any] = {
        "ready": True,
        "query": query,
        "period": _period_text(query, request, lang),
        "reviewer": actor.role in (Role.editor, Role.admin),
        "departments": [(code, names.of("department", code)[pick]) for code in tools.departments],
        "scope_name": (names.of("department", query.department)[pick] if query.department else ""),
        "data": data,
        "counted_at": counted_note(allowance, services.zone),
        "total": total,
        "figure": lambda value: figure(value, lang),
        "metrics": [
            (metric_label(m, lang), figure(total.totals.get(m), lang))
            for m in metric_names([total])
        ],
        "breakdowns": [
            (item, f"/reports/charts/{item.by}.svg?{chart_query}", chart_alt(item.chart, lang))
            for item in breakdowns
        ],
        "progress": [
            (kind, [p for p in data.progress if p.kind == kind])
            for kind in kinds
            if any(p.kind == kind for p in data.progress)
        ],
        "met": sum(1 for p in data.progress if p.met),
        "not_due": sum(1 for p in data.progress if p.not_due),
        "shortfalls": [
            (s, names.of("channel", s.channel_id)[pick], delivery_state_words(s.state, lang))
            for s in data.shortfalls
        ],
        "top": [
            (row, names.of("channel", row.channel_id)[pick], reach_of(row)) for row in data.top
        ],
        # Posts, not deliveries: one post on three channels around ASEAN Day is one post.
        "observances": [(item.occurrence, item.posts, item.rows) for item in data.observances],
        "downloads": [(kind, f"/reports/file.{kind}?{urlencode(params)}") for kind in FORMATS],
    }
    return render(request, "reports/index.html", context)


@router.get("/charts/{by}.svg")
def report_chart(request: Request, actor: Signed, by: str) -> Response:
    if by not in BREAKDOWNS:
        raise NotFound(f"no chart {by!r}", f"Không có biểu đồ “{by[:40]}”.")
    services = services_of(request)
    tools, query = _query(request, actor)
    departments = [query.department] if query.department else None
    # The page's own totals (kept while nothing they count changes), never the whole report;
    # as old as the page's may be, so a chart agrees with the page it is on.
    with stale_allowed(services.report_stale_after), services.db.read() as session:
        found = totals(session, query.start, query.end, services.zone, departments)[by]
    chart = breakdown(found, tools.names, services.zone, lang_of(request)).chart
    return Response(chart_svg(chart), media_type="image/svg+xml", headers=CHART_HEADERS)


# Narrower than the DOCX's charts (6.3 in): shrunk to a phone's width, the words stay readable.
PAGE_CHART_WIDTH_IN = 4.6


def chart_svg(chart: Chart) -> str:
    """The chart as the page shows it: an SVG drawn at a width a phone can read."""
    fig = draw(chart)
    fig.set_size_inches(PAGE_CHART_WIDTH_IN, fig.get_figheight())
    FigureCanvasSVG(fig)
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})  # the same chart, the same bytes
    return out.getvalue()


def ascii_name(text: str) -> str:
    """The file name for browsers that do not read `filename*`: no marks, no spaces."""
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    kept = "".join(c for c in plain if c.isascii() and (c.isalnum() or c in "-_."))
    return kept or "bao-cao"


def file_name(query: ReportQuery, tools: ReportTools, kind: str, request: Request) -> str:
    """ "Báo cáo ASEAN 2026 - Sở Du lịch.docx"; a chosen period names its dates."""
    zone = services_of(request).zone
    if query.custom:
        first = to_local(query.start, zone)
        last = to_local(query.end - timedelta(microseconds=1), zone)
        period = f"{first:%d-%m-%Y} đến {last:%d-%m-%Y}"
    else:
        period = str(query.year)
    scope = tools.names.of("department", query.department)[0] if query.department else "Toàn tỉnh"
    return f"Báo cáo ASEAN {period} - {scope}.{kind}"


def content_disposition(name: str) -> str:
    """RFC 6266 with RFC 5987's `filename*` for the Vietnamese name, an ASCII one beside it."""
    fallback = ascii_name(name.replace(" ", "-"))
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _download(request: Request, actor: Actor, kind: str) -> Response:
    tools, query = _query(request, actor)
    data = _read(request, tools, query)
    name = file_name(query, tools, kind, request)
    # Written whole in a folder of its own, read back, and the folder removed: nothing is left
    # on the server and two downloads at once never share a file.
    with tempfile.TemporaryDirectory(prefix="loa-report-") as folder:
        path = Path(folder) / f"report.{kind}"
        tools.write(data, path, kind, query.year, query.department)
        body = path.read_bytes()
    headers = {"content-disposition": content_disposition(name)}
    return Response(body, media_type=FORMATS[kind], headers=headers)


@router.get("/file.docx")
def download_docx(request: Request, actor: Signed) -> Response:
    return _download(request, actor, "docx")


@router.get("/file.xlsx")
def download_xlsx(request: Request, actor: Signed) -> Response:
    return _download(request, actor, "xlsx")


@router.get("/file.csv")
def download_csv(request: Request, actor: Signed) -> Response:
    return _download(request, actor, "csv")
