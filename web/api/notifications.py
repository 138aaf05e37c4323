"""`/api/v1/me/notifications`: the caller's own notifications, as the bell and /notifications.

    GET  /api/v1/me/notifications        newest first, paged; `unread=true` for the unread only
    POST /api/v1/me/notifications/read   {"ids": [...]} or {"all": true}

Only ever the caller's own: another person's notification is "not found", as if it did not
exist, and a request naming one changes nothing. Titles and bodies come in the language asked
for (`?lang=`, then Accept-Language); `url` is the link at the configured public address.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

from content import notifications
from content.errors import FieldProblem, InvalidInput
from content.models import Notification
from content.notification_text import EVENTS
from content.timeutil import as_utc, utcnow
from web.api.common import Caller, Lang, Services, api_router, local
from web.api.models import LocalText, Strict, errors
from web.path_ids import MAX_ID

router = api_router("account")

NotificationId = Annotated[int, Field(ge=1, le=MAX_ID)]
MAX_MARKED = 500


class NotificationOut(BaseModel):
    id: int
    event: str = Field(description="What it is about: " + ", ".join(EVENTS) + ".")
    title: str = Field(description="In the language asked for.")
    body: str = Field(description="In the language asked for.")
    link: str = Field(description="The page it is about, a path inside Loa (may be empty).")
    url: str | None = Field(description="`link` at the configured public address.")
    post_id: int | None
    channel_id: str | None
    created_at: datetime
    created_at_local: LocalText
    read_at: datetime | None = Field(description="Null while unread.")
    read_at_local: LocalText | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    total: int = Field(description="How many the listing holds (the unread only with `unread`).")
    unread: int = Field(description="How many of the caller's notifications are unread.")
    limit: int
    offset: int
    next_offset: int | None = Field(description="The `offset` of the next page; null at the end.")


class MarkReadIn(Strict):
    ids: list[NotificationId] | None = Field(
        default=None, max_length=MAX_MARKED, description="These notifications (all the caller's)."
    )
    all: bool = Field(default=False, description="Every notification of the caller.")


class MarkReadOut(BaseModel):
    marked: int = Field(description="How many were unread and are now read.")
    unread: int = Field(description="How many of the caller's notifications are still unread.")


def _out(row: Notification, lang: str, public_url: str, zone: tzinfo) -> NotificationOut:
    vi = lang == "vi"
    assert row.id is not None
    return NotificationOut(
        id=row.id,
        event=row.event,
        title=row.title_vi if vi else row.title_en,
        body=row.body_vi if vi else row.body_en,
        link=row.link,
        url=f"{public_url.rstrip('/')}{row.link}" if row.link.startswith("/") else None,
        post_id=row.post_id,
        channel_id=row.channel_id,
        created_at=as_utc(row.created_at),
        created_at_local=local(row.created_at, zone) or "",
        read_at=as_utc(row.read_at) if row.read_at else None,
        read_at_local=local(row.read_at, zone),
    )


@router.get("/me/notifications", response_model=NotificationPage, responses=errors())
def list_notifications(
    actor: Caller,
    services: Services,
    lang: Lang,
    unread: Annotated[bool, Query(description="Only the unread ones.")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> NotificationPage:
    """The caller's notifications (those shown in the page), newest first."""
    with services.db.read() as session:
        rows = notifications.recent(session, actor.id, limit, offset=offset, unread_only=unread)
        total = notifications.shown_count(session, actor.id, unread_only=unread)
        unread_total = notifications.unread_count(session, actor.id)
    items = [_out(row, lang, services.public_url, services.zone) for row in rows]
    following = offset + len(items)
    return NotificationPage(
        items=items,
        total=total,
        unread=unread_total,
        limit=limit,
        offset=offset,
        next_offset=following if items and following < total else None,
    )


@router.post("/me/notifications/read", response_model=MarkReadOut, responses=errors(404))
def mark_notifications_read(body: MarkReadIn, actor: Caller, services: Services) -> MarkReadOut:
    """Mark the caller's notifications read: those of `ids`, or `all`. One of another person
    (or none such) is not found and nothing changes."""
    if body.all == (body.ids is not None):
        raise InvalidInput(
            [
                FieldProblem(
                    "ids",
                    "Hãy cho danh sách thông báo (ids) hoặc all: true, không cả hai.",
                    "give either the notifications' ids or all: true, not both",
                )
            ]
        )
    now = utcnow()
    with services.db.write() as session:
        if body.all:
            marked = notifications.mark_all_read(session, actor.id, now)
        else:
            marked = notifications.mark_these_read(session, actor.id, body.ids or [], now)
        unread_total = notifications.unread_count(session, actor.id)
    return MarkReadOut(marked=marked, unread=unread_total)
