"""Administrators' pages: the publishing pause, and retrying a channel's failed deliveries.

`/admin/publishing` shows whether publishing is paused, who paused it, when and why, and pauses
(with a reason, which everyone sees) or resumes it, through `content.control` as `loa pause` and
the REST API do, each change in the audit trail. The same page links the audit trail
(web/pages/admin_audit.py), the import (web/pages/admin_import.py) and the export
(web/pages/admin_export.py), which share this menu.

A channel's failed deliveries are retried at once from the channels page: its button leads to
`/admin/channels/ID/retry-failed`, which says how many and asks to confirm; the retry itself is
`DeliveryService.retry_failed_on_channel` (one transaction, audited).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from content.control import read_pause, set_paused
from content.deliveries import DeliveryService, failed_counts
from content.errors import InvalidInput, NotFound
from content.models import Channel, Role
from content.workflow import Actor
from web.auth import require_admin
from web.render import NAV, NavItem, field_errors, lang_of, render
from web.services import WebServices, services_of

router = APIRouter(prefix="/admin")
Admin = Annotated[Actor, Depends(require_admin)]
Reason = Annotated[str, Form(max_length=2000)]

NAV.append(NavItem("/admin/publishing", "nav.admin", frozenset({Role.admin})))

# The admin pages' menu: (path, i18n key), shown by admin/tabs.html.
TABS = (
    ("/admin/publishing", "admin.tab.publishing"),
    ("/admin/audit", "admin.tab.audit"),
    ("/admin/import", "admin.tab.import"),
    ("/admin/export", "admin.tab.export"),
)


def deliveries_service(services: WebServices) -> DeliveryService:
    return DeliveryService(services.db, services.zone, clock=services.posts.clock)


@router.get("/publishing")
def publishing_page(request: Request, actor: Admin, done: str = "") -> Response:
    return _publishing(request, done=done if done in ("paused", "resumed") else "")


def _publishing(
    request: Request,
    *,
    done: str = "",
    errors: dict[str, list[str]] | None = None,
    reason: str = "",
    status_code: int = 200,
) -> Response:
    services = services_of(request)
    context = {
        "tabs": TABS,
        "control": read_pause(services.db),
        "done": done,
        "errors": errors or {},
        "reason": reason,
    }
    return render(request, "admin/publishing.html", context, status_code=status_code)


@router.post("/publishing/pause")
def pause(request: Request, actor: Admin, reason: Reason = "") -> Response:
    services = services_of(request)
    try:
        set_paused(services.db, True, actor.username, reason, services.posts.clock())
    except InvalidInput as error:
        errors = field_errors(error, lang_of(request))
        return _publishing(request, errors=errors, reason=reason, status_code=422)
    return RedirectResponse("/admin/publishing?done=paused", status_code=303)


@router.post("/publishing/resume")
def resume(request: Request, actor: Admin) -> Response:
    services = services_of(request)
    set_paused(services.db, False, actor.username, None, services.posts.clock())
    return RedirectResponse("/admin/publishing?done=resumed", status_code=303)


def _channel_name(services: WebServices, channel_id: str) -> str:
    with services.db.read() as session:
        channel = session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(f"no channel {channel_id!r}", f"Không có kênh “{channel_id}”.")
    display = services.channel(channel_id)
    return (display.name if display else "") or channel.name or channel_id


@router.get("/channels/{channel_id}/retry-failed")
def retry_failed_page(
    request: Request, actor: Admin, channel_id: str, retried: int | None = None
) -> Response:
    services = services_of(request)
    name = _channel_name(services, channel_id)
    with services.db.read() as session:
        count = failed_counts(session).get(channel_id, 0)
    context = {"channel_id": channel_id, "name": name, "count": count, "retried": retried}
    return render(request, "admin/retry.html", context)


@router.post("/channels/{channel_id}/retry-failed")
def retry_failed(request: Request, actor: Admin, channel_id: str) -> Response:
    services = services_of(request)
    count = deliveries_service(services).retry_failed_on_channel(actor, channel_id)
    target = f"/admin/channels/{quote(channel_id, safe='')}/retry-failed?retried={count}"
    return RedirectResponse(target, status_code=303)
