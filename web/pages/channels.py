"""The channels page: each account's state, last success and failure, and today's quota.

Editors and administrators see it; administrators may pause a channel (its deliveries wait)
and resume it, each recorded in the audit trail. A channel that needs its credentials again
shows the command that reconnects it (`loa channels connect ID`, run on the server) and, for
administrators, a link to its reconnect page (web/pages/connect.py), offered for every channel
but a retired one (removed from config.yaml) and one whose platform has nothing to connect (the
static subpage): there is nothing to connect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import select
from starlette.responses import RedirectResponse, Response

from channels.registry import RegistryError, adapter_class
from content import channel_admin
from content.channel_admin import ChannelOverview
from content.deliveries import failed_counts
from content.labels import platform_name
from content.models import Department, Role
from content.quota import QuotaUse, units_used
from content.workflow import Actor, channel_state_words
from web.auth import require_admin, require_editor
from web.pages.connect import connect_kind
from web.pages.figures_view import ChannelFigures, channel_figures
from web.pages.posts import ERROR_KINDS
from web.render import lang_of, render
from web.services import WebServices, services_of

router = APIRouter(prefix="/channels")
Reviewer = Annotated[Actor, Depends(require_editor)]
Admin = Annotated[Actor, Depends(require_admin)]


@dataclass(frozen=True)
class ChannelRow:
    channel: ChannelOverview
    name: str
    colour: str
    quota: QuotaUse | None
    figures: ChannelFigures | None = None
    connect_kind: str = ""  # web.pages.connect.connect_kind: "none", nothing to connect


def declared_metrics(kind: str) -> frozenset[str]:
    """The figures a channel's platform reports (shown as "—" until some are)."""
    try:
        return adapter_class(kind).capabilities.metrics
    except RegistryError:
        return frozenset()


def quota_of(services: WebServices, channel: ChannelOverview, now: datetime) -> QuotaUse | None:
    try:
        caps = adapter_class(channel.type).capabilities
    except RegistryError:
        return None
    settings = channel.settings
    quota = int(str(settings.get("daily_quota_units") or caps.daily_quota_units or 0))
    if not quota:
        return None
    extra = settings.get("quota_cost")
    costs = {**caps.quota_cost, **(extra if isinstance(extra, dict) else {})}
    with services.db.read() as session:
        return units_used(
            session,
            channel.id,
            costs,
            quota,
            now,
            with_playlist=bool(settings.get("playlist_id")),
        )


def _department_name(department: Department | None, code: str, lang: str) -> str:
    if department is None:
        return code
    return (department.name_vi if lang == "vi" else department.name_en) or code


@router.get("")
def channels_page(request: Request, actor: Reviewer, done: str = "") -> Response:
    services = services_of(request)
    now = services.posts.clock()
    lang = lang_of(request)
    with services.db.read() as session:
        found = channel_admin.overviews(session)
        declared = {channel.id: declared_metrics(channel.type) for channel in found}
        year_start, figures = channel_figures(session, now, services.zone, declared, lang)
        failed = failed_counts(session) if actor.role == Role.admin else {}
        departments = {row.code: row for row in session.exec(select(Department)).all()}
    rows = []
    for channel in found:
        display = services.channel(channel.id)
        rows.append(
            ChannelRow(
                channel,
                (display.name if display else "") or channel.name or channel.id,
                display.colour if display else "#37474f",
                quota_of(services, channel, now),
                figures.get(channel.id),
                connect_kind(channel.type),
            )
        )
    context = {
        "rows": rows,
        "year_start": year_start,
        "now": now,
        "is_admin": actor.role == Role.admin,
        "done": done if done in ("paused", "resumed") else "",
        "error_kinds": ERROR_KINDS,
        "failed": failed,  # retryable failed deliveries per channel (web/pages/admin.py)
        "platform_name": platform_name,
        "state_words": lambda state: channel_state_words(state, lang).capitalize(),
        "department_name": lambda code: _department_name(departments.get(code), code, lang),
    }
    return render(request, "channels/index.html", context)


@router.post("/{channel_id}/pause")
def pause(request: Request, actor: Admin, channel_id: str) -> Response:
    services = services_of(request)
    channel_admin.set_paused(services.db, actor, channel_id, True, clock=services.posts.clock)
    return RedirectResponse("/channels?done=paused", status_code=303)


@router.post("/{channel_id}/resume")
def resume(request: Request, actor: Admin, channel_id: str) -> Response:
    services = services_of(request)
    channel_admin.set_paused(services.db, actor, channel_id, False, clock=services.posts.clock)
    return RedirectResponse("/channels?done=resumed", status_code=303)
