"""The audit trail as a page for administrators (`/admin/audit`), and its CSV (`/admin/audit.csv`).

Filters: who, which action, which post, which channel, and a period of local days; newest first,
50 to a page. Times are shown in the configured zone, Vietnamese style (08/08/2026 07:30). The CSV
holds every event the filters select, not just the page shown (see web/pages/admin_files.py for
its encoding and formula guard). Reading is `content.audit_trail`'s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from content.audit_trail import AuditFilter, actors_and_actions, search, stream
from content.errors import FieldProblem
from content.models import AuditEvent
from content.timeutil import to_local
from content.workflow import Actor
from web.auth import require_admin
from web.pages.admin import TABS
from web.pages.admin_files import csv_bytes, download, local_period, period_problem, read_day
from web.pages.posts import HISTORY_ACTIONS
from web.path_ids import MAX_ID
from web.render import lang_of, problems_by_field, render
from web.services import services_of

router = APIRouter(prefix="/admin")
Admin = Annotated[Actor, Depends(require_admin)]
Param = Annotated[str, Query(max_length=200)]
PER_PAGE = 50

# Every action Loa records, in words; one not listed shows its code.
ACTION_WORDS: dict[str, tuple[str, str]] = {
    **HISTORY_ACTIONS,
    "publishing.paused": ("tạm dừng mọi việc đăng bài", "paused all publishing"),
    "publishing.resumed": ("tiếp tục đăng bài", "resumed publishing"),
    "channel.paused": ("tạm dừng kênh", "paused a channel"),
    "channel.resumed": ("mở lại kênh", "resumed a channel"),
    "channel.connected": ("kết nối kênh", "connected a channel"),
    "channel.needs_auth": ("kênh cần kết nối lại", "a channel needs reconnecting"),
    "channel.retired": ("gỡ kênh khỏi cấu hình", "removed a channel from the configuration"),
    "channel.reactivated": ("dùng lại kênh", "brought a channel back"),
    "channel.failed_retried": (
        "thử lại mọi lượt đăng thất bại của kênh",
        "retried a channel's failed deliveries",
    ),
    "user.add": ("thêm người dùng", "added a user"),
    "user.update": ("sửa người dùng", "changed a user"),
    "user.disable": ("khóa tài khoản", "disabled an account"),
    "user.enable": ("mở khóa tài khoản", "enabled an account"),
    "user.password": ("đặt mật khẩu", "set a password"),
    "user.login": ("đăng nhập", "logged in"),
    "user.logout": ("đăng xuất", "logged out"),
    "user.sessions_ended": ("đăng xuất khỏi mọi thiết bị", "ended all sessions"),
    "token.create": ("tạo mã API", "created an API token"),
    "token.revoke": ("thu hồi mã API", "revoked an API token"),
    "feed_token.create": ("tạo đường dẫn lịch", "created a calendar feed"),
    "feed_token.revoke": ("thu hồi đường dẫn lịch", "revoked a calendar feed"),
}


LABELS = {
    "from": ("Từ ngày", "From"),
    "to": ("Đến ngày", "To"),
}


@dataclass(frozen=True)
class AuditQuery:
    values: dict[str, str]  # as typed, to refill the form and build links
    where: AuditFilter
    problems: list[FieldProblem]


def read_query(request: Request, who: str, action: str, post: str, channel: str,
               first: str, last: str) -> AuditQuery:  # fmt: skip
    zone = services_of(request).zone
    problems: list[FieldProblem] = []
    post_id = None
    if post.strip():
        text = post.strip().lstrip("#")
        if text.isdigit() and 1 <= int(text) <= MAX_ID:
            post_id = int(text)
        else:
            problems.append(
                FieldProblem(
                    "post",
                    f"Bài số: “{post[:40]}” không phải số bài; hãy ghi một số, ví dụ 12.",
                    f"Post number: {post[:40]!r} is not a post number; write a number, e.g. 12",
                )
            )
    start_day, problem = read_day(first, "from", LABELS["from"])
    problems += [problem] if problem else []
    end_day, problem = read_day(last, "to", LABELS["to"])
    problems += [problem] if problem else []
    problem = period_problem(start_day, end_day)
    problems += [problem] if problem else []
    start, end = local_period(start_day, end_day, zone)
    where = AuditFilter(who.strip(), action.strip(), post_id, channel.strip(), start, end)
    values = {"who": who, "action": action, "post": post, "channel": channel, "from": first,
              "to": last}  # fmt: skip
    return AuditQuery(values, where, problems)


def action_words(action: str, lang: str) -> str:
    words = ACTION_WORDS.get(action)
    if words is None:
        return action
    return words[0] if lang == "vi" else words[1]


def detail_text(event: AuditEvent) -> str:
    """The event's detail as "key: value" pairs (lists and mappings as compact JSON)."""
    parts = []
    for key, value in (event.detail or {}).items():
        if value is None or value == "":
            continue
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}: {shown}")
    return "; ".join(parts)


def audit_filters(
    request: Request,
    who: Param = "",
    action: Param = "",
    post: Param = "",
    channel: Param = "",
    first: Annotated[str, Query(alias="from", max_length=40)] = "",
    last: Annotated[str, Query(alias="to", max_length=40)] = "",
) -> AuditQuery:
    """The filters of the address, read once for the page and its CSV."""
    return read_query(request, who, action, post, channel, first, last)


Filters = Annotated[AuditQuery, Depends(audit_filters)]


@router.get("/audit")
def audit_page(
    request: Request,
    actor: Admin,
    query: Filters,
    page: Annotated[int, Query(ge=1, le=MAX_ID)] = 1,
) -> Response:
    services = services_of(request)
    lang = lang_of(request)
    with services.db.read() as session:
        actors, actions = actors_and_actions(session)
        found = None if query.problems else search(session, query.where, page, PER_PAGE)
    errors = problems_by_field(query.problems, lang)
    context: dict[str, Any] = {
        "tabs": TABS,
        "values": query.values,
        "found": found,
        "errors": errors,
        "actors": actors,
        "actions": [(code, action_words(code, lang)) for code in actions],
        "channels": services.channels,
        "action_words": action_words,
        "detail_text": detail_text,
        "links": _links(query.values),
    }
    return render(request, "admin/audit.html", context, status_code=400 if errors else 200)


def _links(values: dict[str, str]) -> dict[str, str]:
    """The same filters as a CSV link, and as a page link (for the pager)."""
    query = urlencode({key: value for key, value in values.items() if value.strip()})
    return {"csv": f"/admin/audit.csv?{query}", "page": f"/admin/audit?{query}&page="}


@router.get("/audit.csv")
def audit_csv(
    request: Request,
    actor: Admin,
    query: Filters,
) -> Response:
    services = services_of(request)
    lang = lang_of(request)
    if query.problems:
        return audit_page(request, actor, query)
    header = [
        "Thời điểm / Time", "Người thực hiện / Who", "Thao tác / Action", "Mã thao tác / Code",
        "Bài số / Post", "Kênh / Channel", "Chi tiết / Detail",
    ]  # fmt: skip
    with services.db.read() as session:
        rows = [
            [
                f"{to_local(event.at, services.zone):%d/%m/%Y %H:%M}",
                event.actor,
                action_words(event.action, lang),
                event.action,
                event.post_id,
                event.channel_id or "",
                detail_text(event),
            ]
            for event in stream(session, query.where)
        ]
    now = to_local(services.posts.clock(), services.zone)
    return download(csv_bytes(header, rows), f"Nhật ký Loa {now:%d-%m-%Y}.csv", "csv")
