"""Exporting what was published, for administrators: `/admin/export` with filters (a period of
local days of the posts' planned time, a department, a channel, a delivery state), the count and
the first rows on the page, and the whole list as CSV or XLSX, one row per post and channel with
its outcome: the delivery's state, when it was published and its public link.

The same filters also give the posts in `loa import`'s columns (`content.export.export_csv`),
which the import page takes back. Rows come from `content.outcomes`; files are written by
web/pages/admin_files.py (BOM, formula guard).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session, col, select
from starlette.responses import Response

from content.deliveries import DELIVERY_STATE_LABELS, delivery_state_label
from content.errors import FieldProblem
from content.export import export_csv
from content.labels import platform_name
from content.models import Department
from content.outcomes import Outcome, OutcomeFilter, count, outcomes
from content.reasons import reason_text
from content.timeutil import to_local
from content.workflow import Actor, state_label
from web.auth import require_admin
from web.pages.admin import TABS
from web.pages.admin_files import (
    Cell,
    csv_bytes,
    download,
    local_period,
    period_problem,
    read_day,
    xlsx_bytes,
)
from web.render import lang_of, problems_by_field, render
from web.services import WebServices, services_of

router = APIRouter(prefix="/admin")
Admin = Annotated[Actor, Depends(require_admin)]
Param = Annotated[str, Query(max_length=64)]
Day = Annotated[str, Query(max_length=40)]
SHOWN = 20  # rows shown on the page; the files hold them all

HEADER = (
    "Bài số / Post", "Tiêu đề / Title", "Đơn vị / Department", "Chủ đề / Topic",
    "Trụ cột / Pillar", "Người soạn / Author", "Trạng thái bài / Post state",
    "Giờ dự kiến / Planned", "Kênh / Channel", "Nền tảng / Platform", "Kết quả / Outcome",
    "Mã kết quả / State code", "Đăng lúc / Published", "Đường dẫn công khai / Public link",
    "Lỗi gần nhất / Last error",
)  # fmt: skip


@dataclass(frozen=True)
class ExportQuery:
    values: dict[str, str]
    where: OutcomeFilter
    problems: list[FieldProblem]

    @property
    def link_query(self) -> str:
        return urlencode({key: value for key, value in self.values.items() if value.strip()})


def read_query(request: Request, first: str, last: str, department: str, channel: str,
               state: str) -> ExportQuery:  # fmt: skip
    zone = services_of(request).zone
    problems: list[FieldProblem] = []
    start_day, problem = read_day(first, "from", ("Từ ngày", "From"))
    problems += [problem] if problem else []
    end_day, problem = read_day(last, "to", ("Đến ngày", "To"))
    problems += [problem] if problem else []
    problem = period_problem(start_day, end_day)
    problems += [problem] if problem else []
    if state and state not in DELIVERY_STATE_LABELS:
        problems.append(
            FieldProblem(
                "state",
                f"Không có kết quả đăng “{state[:40]}”; hãy chọn trong danh sách.",
                f"there is no outcome {state[:40]!r}; pick one from the list",
            )
        )
    start, end = local_period(start_day, end_day, zone)
    where = OutcomeFilter(start, end, department.strip(), channel.strip(), state.strip())
    values = {"from": first, "to": last, "department": department, "channel": channel,
              "state": state}  # fmt: skip
    return ExportQuery(values, where, problems)


def export_filters(
    request: Request,
    first: Annotated[str, Query(alias="from", max_length=40)] = "",
    last: Annotated[str, Query(alias="to", max_length=40)] = "",
    department: Param = "",
    channel: Param = "",
    state: Param = "",
) -> ExportQuery:
    """The filters of the address, read once for the page and its three downloads."""
    return read_query(request, first, last, department, channel, state)


Filters = Annotated[ExportQuery, Depends(export_filters)]


def _refused(request: Request, query: ExportQuery) -> Response:
    return _page(request, query, status_code=400)


@router.get("/export")
def export_page(
    request: Request,
    actor: Admin,
    query: Filters,
) -> Response:
    return _page(request, query, status_code=400 if query.problems else 200)


def _page(request: Request, query: ExportQuery, *, status_code: int) -> Response:
    services = services_of(request)
    lang = lang_of(request)
    total, shown = 0, []
    with services.db.read() as session:
        departments = _departments(session, lang)
        if not query.problems:
            total = count(session, query.where)
            shown = list(outcomes(session, query.where, SHOWN))
    errors = problems_by_field(query.problems, lang)
    context: dict[str, Any] = {
        "tabs": TABS,
        "values": query.values,
        "errors": errors,
        "departments": departments,
        "channels": services.channels,
        "states": [(code, delivery_state_label(code, lang)) for code in DELIVERY_STATE_LABELS],
        "total": total,
        "shown": shown,
        "link_query": query.link_query,
        "state_words": delivery_state_label,
    }
    return render(request, "admin/export.html", context, status_code=status_code)


def _departments(session: Session, lang: str) -> list[tuple[str, str]]:
    rows = session.exec(select(Department).order_by(col(Department.code))).all()
    return [(row.code, row.name_vi if lang == "vi" else row.name_en) for row in rows]


def _rows(services: WebServices, session: Session, where: OutcomeFilter) -> Iterator[list[Cell]]:
    """Every outcome as a row of HEADER, times as local wall-clock datetimes."""
    departments = dict(_departments(session, "vi"))
    topics = {choice.code: choice.vi for choice in services.topics}
    pillars = {choice.code: choice.vi for choice in services.pillars}

    def local(value: datetime | None) -> datetime | None:
        return to_local(value, services.zone).replace(tzinfo=None) if value else None

    for item in outcomes(session, where):
        post, delivery = item.post, item.delivery
        yield [
            post.id,
            post.title,
            departments.get(post.department_code, post.department_code),
            topics.get(post.topic, post.topic),
            pillars.get(post.pillar or "", post.pillar or ""),
            item.author,
            state_label(post.state),
            local(post.scheduled_at),
            _channel_label(services, item),
            platform_name(item.channel_type),
            delivery_state_label(delivery.state),
            delivery.state,
            local(delivery.published_at),
            delivery.remote_url or "",
            "" if delivery.state == "published" else reason_text(delivery.last_error, "vi"),
        ]


def _channel_label(services: WebServices, item: Outcome) -> str:
    display = services.channel(item.delivery.channel_id)
    return (display.name if display else "") or item.channel_name


def _download(request: Request, query: ExportQuery, kind: str) -> Response:
    if query.problems:
        return _refused(request, query)
    services = services_of(request)
    with services.db.read() as session:
        rows = _rows(services, session, query.where)
        if kind == "xlsx":
            body = xlsx_bytes("Kết quả đăng", HEADER, rows)
        else:
            body = csv_bytes(HEADER, rows)
    now = to_local(services.posts.clock(), services.zone)
    return download(body, f"Kết quả đăng bài {now:%d-%m-%Y}.{kind}", kind)


@router.get("/export.csv")
def export_outcomes_csv(
    request: Request,
    actor: Admin,
    query: Filters,
) -> Response:
    return _download(request, query, "csv")


@router.get("/export.xlsx")
def export_outcomes_xlsx(
    request: Request,
    actor: Admin,
    query: Filters,
) -> Response:
    return _download(request, query, "xlsx")


@router.get("/export-posts.csv")
def export_posts_csv(
    request: Request,
    actor: Admin,
    query: Filters,
) -> Response:
    """The filtered posts in `loa import`'s columns, as `loa export` writes them."""
    if query.problems:
        return _refused(request, query)
    services = services_of(request)
    with services.db.read() as session:
        ids = sorted({item.post.id for item in outcomes(session, query.where) if item.post.id})
        text = export_csv(session, services.zone, services.media, ids)
    now = to_local(services.posts.clock(), services.zone)
    return download(text.encode("utf-8-sig"), f"Bài Loa {now:%d-%m-%Y}.csv", "csv")
