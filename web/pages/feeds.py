"""Subscribable iCalendar feeds (RFC 5545): make one for a scope you may see, revoke it.

    GET  /feeds                   your feeds, and a form to make one
    POST /feeds                   scope = all | department:<code> | channel:<id>
    POST /feeds/{id}/revoke
    GET  /feeds/{token}.ics       no sign-in: the unguessable token is the key

Officers make feeds of their own department; editors and admins of any department, any channel
or everything. The address is shown once (only its sha256 is kept). A revoked or unknown
token, or one whose maker's account is disabled, is a plain 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from content.errors import InvalidInput, NotFound
from content.models import Channel, Department, FeedScope
from content.observances import occurrences
from content.timeutil import to_local
from content.tokens import FeedTokenInfo
from content.users import UserInfo
from content.workflow import Actor
from web.access_errors import Forbidden
from web.auth import current_actor
from web.i18n import t
from web.pages.ical import DAYS_AHEAD, DAYS_BACK, feed_entries, feed_window, render_feed
from web.path_ids import PathId
from web.render import field_errors, lang_of, render
from web.services import WebServices, services_of

router = APIRouter()
Signed = Annotated[Actor, Depends(current_actor)]
FEED_NAME = "Loa – Lịch đăng bài ASEAN"


@router.get("/feeds/{token}.ics")
def feed(request: Request, token: str) -> Response:
    services = services_of(request)
    info = services.users.tokens.verify_feed(token)
    if info is None or not _maker_active(services, info.created_by):
        raise NotFound("no such feed", "Không có lịch này.")
    now = services.posts.clock()
    department = info.scope_value if info.scope_kind == FeedScope.department else None
    channel = info.scope_value if info.scope_kind == FeedScope.channel else None
    start, end = feed_window(now, DAYS_BACK, DAYS_AHEAD)
    with services.db.read() as session:
        events = feed_entries(session, now, department=department, channel=channel)
    tz = services.zone
    names = _names(services, "vi")
    days = occurrences(services.observances, to_local(start, tz).date(), to_local(end, tz).date())
    body = render_feed(
        events,
        name=f"{FEED_NAME} · {_scope_label(names, info.scope_kind, info.scope_value, 'vi')}",
        timezone=str(tz),
        base_url=services.public_url,
        now=now,
        observances=days,
        description="Lịch đăng bài ASEAN / ASEAN publishing calendar",
    )
    return Response(body, media_type="text/calendar; charset=utf-8")


@router.get("/feeds")
def feeds_page(request: Request, actor: Signed) -> Response:
    return _page(request, actor)


@router.post("/feeds")
async def create_feed(
    request: Request, actor: Signed, scope: Annotated[str, Form(max_length=100)] = "all"
) -> Response:
    services = services_of(request)
    kind, _, value = scope.partition(":")
    try:
        _check_allowed(actor, kind, value or None)
        secret, _ = await run_in_threadpool(
            services.users.tokens.create_feed, actor.username, kind, value or None
        )
    except InvalidInput as error:
        return _page(request, actor, errors=field_errors(error, lang_of(request)), status=422)
    return _page(request, actor, secret=secret, status=201)


@router.post("/feeds/{token_id}/revoke")
def revoke_feed(request: Request, actor: Signed, token_id: PathId) -> Response:
    services = services_of(request)
    mine = [f for f in services.users.tokens.feeds() if f.id == token_id]
    if not mine or (mine[0].created_by != actor.username and actor.role != "admin"):
        raise NotFound(f"no feed address #{token_id}", f"Không có địa chỉ lịch số {token_id}.")
    services.users.tokens.revoke_feed(actor.username, token_id)
    return RedirectResponse("/feeds", status_code=303)


def _check_allowed(actor: Actor, kind: str, value: str | None) -> None:
    if actor.reviews:
        return
    if kind != FeedScope.department or value != actor.department_code:
        raise Forbidden(t("feeds.not_yours", "en"), t("feeds.not_yours", "vi"))


def _maker_active(services: WebServices, username: str) -> bool:
    try:
        maker: UserInfo = services.users.get(username)
    except NotFound:
        return False
    return maker.active


def _names(services: WebServices, lang: str) -> tuple[dict[str, str], dict[str, str]]:
    with services.db.read() as session:
        connection = session.connection()
        departments = {
            str(code): str(vi if lang == "vi" else en)
            for code, vi, en in connection.execute(
                select(col(Department.code), col(Department.name_vi), col(Department.name_en))
            )
        }
        channels = {
            str(cid): str(name or cid)
            for cid, name in connection.execute(select(col(Channel.id), col(Channel.name)))
        }
    for item in services.channels:
        channels[item.id] = item.name or channels.get(item.id, item.id)
    return departments, channels


def _scope_label(
    names: tuple[dict[str, str], dict[str, str]], kind: str, value: str | None, lang: str
) -> str:
    departments, channels = names
    if kind == FeedScope.department and value:
        return t("feeds.scope.department", lang, name=departments.get(value, value))
    if kind == FeedScope.channel and value:
        return t("feeds.scope.channel", lang, name=channels.get(value, value))
    return t("feeds.scope.all", lang)


def _choices(
    names: tuple[dict[str, str], dict[str, str]], actor: Actor, lang: str
) -> list[tuple[str, str]]:
    departments, channels = names
    if not actor.reviews:
        own = actor.department_code
        return [
            (f"department:{own}", t("feeds.scope.department", lang, name=departments[own]))
            for _ in (1,)
            if own in departments
        ]
    found = [("all", t("feeds.scope.all", lang))]
    found += [
        (f"department:{code}", t("feeds.scope.department", lang, name=name))
        for code, name in departments.items()
    ]
    found += [
        (f"channel:{cid}", t("feeds.scope.channel", lang, name=name))
        for cid, name in sorted(channels.items())
    ]
    return found


def _page(
    request: Request,
    actor: Actor,
    *,
    secret: str = "",
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    services = services_of(request)
    lang = lang_of(request)
    mine: list[FeedTokenInfo] = [
        f for f in services.users.tokens.feeds() if f.created_by == actor.username
    ]
    base = services.public_url  # configured: a request's Host header never changes it
    names = _names(services, lang)
    context: dict[str, Any] = {
        "feeds": [(f, _scope_label(names, f.scope_kind, f.scope_value, lang)) for f in mine],
        "choices": _choices(names, actor, lang),
        "secret_url": f"{base}/feeds/{secret}.ics" if secret else "",
        "webcal_url": f"webcal://{base.split('://', 1)[1]}/feeds/{secret}.ics" if secret else "",
        "errors": errors or {},
    }
    return render(request, "feeds/index.html", context, status_code=status)
