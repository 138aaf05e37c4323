"""Notifications in the page: the bell's count, /notifications, and each person's choices.

    GET  /notifications                the person's notifications, newest first
    GET  /notifications/{id}           marks it read and opens what it is about
    POST /notifications/{id}/read      marks it read (CSRF, as every form)
    POST /notifications/read-all
    GET  /account/notifications        what reaches them, in the page and by e-mail
    POST /account/notifications        their e-mail address and per-event choices

Opening a notification by its link marks it read, as people expect of a notification; it
changes nothing but the reader's own row, so a GET may do it. The bell in base.html calls
`unread_notifications(services, user)`, a template global installed by `install`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from jinja2 import Environment
from starlette.responses import RedirectResponse, Response

from content import notifications
from content.errors import InvalidInput
from content.notifications import EVENTS, Choice
from content.timeutil import utcnow
from content.users import UserInfo, set_own_email
from web.auth import current_user
from web.path_ids import PathId
from web.render import field_errors, lang_of, render
from web.services import WebServices, services_of

router = APIRouter()
Signed = Annotated[UserInfo, Depends(current_user)]


def unread_notifications(services: WebServices, user: UserInfo | None) -> int:
    if user is None:
        return 0
    with services.db.read() as session:
        return notifications.unread_count(session, user.id)


def install(environment: Environment) -> None:
    """The bell's count for base.html, on every page."""
    environment.globals["unread_notifications"] = unread_notifications


def _view(row: Any, lang: str) -> dict[str, Any]:
    vi = lang == "vi"
    return {
        "id": row.id,
        "title": row.title_vi if vi else row.title_en,
        "body": row.body_vi if vi else row.body_en,
        "link": row.link,
        "created_at": row.created_at,
        "unread": row.read_at is None,
    }


@router.get("/notifications")
def notifications_page(request: Request, user: Signed) -> Response:
    lang = lang_of(request)
    with services_of(request).db.read() as session:
        rows = [_view(row, lang) for row in notifications.recent(session, user.id)]
    return render(request, "notifications/index.html", {"items": rows})


@router.get("/notifications/{notification_id}")
def open_notification(request: Request, user: Signed, notification_id: PathId) -> Response:
    with services_of(request).db.write() as session:
        link = notifications.mark_read(session, user.id, notification_id, utcnow())
    return RedirectResponse(_safe(link), status_code=303)


@router.post("/notifications/read-all")
def mark_all_read(request: Request, user: Signed) -> Response:
    with services_of(request).db.write() as session:
        notifications.mark_all_read(session, user.id, utcnow())
    return RedirectResponse("/notifications", status_code=303)


@router.post("/notifications/{notification_id}/read")
def mark_read(request: Request, user: Signed, notification_id: PathId) -> Response:
    with services_of(request).db.write() as session:
        notifications.mark_read(session, user.id, notification_id, utcnow())
    return RedirectResponse("/notifications", status_code=303)


def _safe(link: str | None) -> str:
    # Only a path inside Loa: a stored link must never send the browser elsewhere.
    if not link or not link.startswith("/") or link.startswith("//") or "\\" in link:
        return "/notifications"
    return link


@router.get("/account/notifications")
def preferences_page(request: Request, user: Signed) -> Response:
    saved = request.query_params.get("saved") == "1"
    return _preferences(request, user, saved=saved)


@router.post("/account/notifications")
async def save_preferences(request: Request, user: Signed) -> Response:
    form = await request.form()
    chosen = {
        event: Choice(f"page:{event}" in form, f"mail:{event}" in form)
        for event in _events_for(user)
    }
    email = str(form.get("email") or "")[:400]
    db = services_of(request).db
    try:
        with db.write() as session:
            set_own_email(session, user.id, email)  # audited as the person's own change
            kept = notifications.preferences(session, user.id)  # events outside the role stay
            notifications.save_preferences(session, user.id, {**kept, **chosen})
    except InvalidInput as error:
        errors = field_errors(error, lang_of(request))
        return _preferences(request, user, errors=errors, email=email, chosen=chosen, status=422)
    return RedirectResponse("/account/notifications?saved=1", status_code=303)


def _events_for(user: UserInfo) -> list[str]:
    return [event for event, info in EVENTS.items() if user.role in info.roles]


def _preferences(
    request: Request,
    user: UserInfo,
    *,
    saved: bool = False,
    errors: dict[str, list[str]] | None = None,
    email: str | None = None,
    chosen: dict[str, Choice] | None = None,
    status: int = 200,
) -> Response:
    lang = lang_of(request)
    with services_of(request).db.read() as session:
        current = notifications.preferences(session, user.id)
        address = notifications.email_of(session, user.id)
    current.update(chosen or {})
    rows = [
        {
            "event": event,
            "label": EVENTS[event].vi if lang == "vi" else EVENTS[event].en,
            "choice": current[event],
        }
        for event in _events_for(user)
    ]
    context = {
        "rows": rows,
        "email": (address or "") if email is None else email,
        "saved": saved,
        "errors": errors or {},
    }
    return render(request, "notifications/settings.html", context, status_code=status)
