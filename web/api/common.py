"""What every REST API module shares: the caller, the language, times out and in, rows to JSON.

    actor: Caller          # the token's (or the session's) user, as an `Actor`
    services: Services     # the `WebServices`
    lang: Lang             # "vi" or "en": ?lang=, then Accept-Language, then Vietnamese

Officers see their own department's posts; editors and admins see everything (the same rule
as the pages). Times: `time_in` reads ISO 8601 (naive means the configured zone) and `local`
writes the configured zone's ISO 8601 beside each UTC time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta, tzinfo
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Security
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from content.errors import FieldProblem, InvalidInput
from content.inputs import time_problem
from content.metrics import Latest
from content.models import Delivery, Media, MediaKind, Post, PostMedia
from content.reasons import english
from content.timeutil import EARLIEST, LATEST, as_utc, parse_local, to_local
from content.users import UserInfo
from content.workflow import Actor, post_not_found
from web.api.models import EXAMPLE_AT, DeliveryOut, PostMediaOut, PostOut, ReasonOut
from web.auth import current_user
from web.query_errors import InvalidQuery
from web.render import lang_of
from web.services import WebServices, services_of

PREFIX = "/api/v1"

BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    bearerFormat="loa_...",
    description="A personal API token: `loa users token create USERNAME --name NAME`, or the"
    " page /account/tokens. Sent as `Authorization: Bearer loa_...`.",
)


async def api_actor(
    _token: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
    user: Annotated[UserInfo, Depends(current_user)],
) -> Actor:
    return user.actor


def lang_param(
    lang: Annotated[
        Literal["vi", "en"] | None,
        Query(description="Language of messages; else Accept-Language; default Vietnamese."),
    ] = None,
) -> None:
    """Only declares `?lang=` in the OpenAPI description: `lang_of` reads it."""


def api_router(tag: str) -> APIRouter:
    """A router under /api/v1 that needs a token (or a session) and knows `?lang=`."""
    return APIRouter(
        prefix=PREFIX,
        tags=[tag],
        dependencies=[Depends(api_actor), Depends(lang_param)],
        generate_unique_id_function=operation_id,
    )


def operation_id(route: APIRoute) -> str:
    """The operation's name in the OpenAPI description: its function's (`create_post`)."""
    return route.name


def request_lang(request: Request) -> str:
    return lang_of(request)


Caller = Annotated[Actor, Depends(api_actor)]
Services = Annotated[WebServices, Depends(services_of)]
Lang = Annotated[str, Depends(request_lang)]


# -- permissions ----------------------------------------------------------------------------


def require_visible(actor: Actor, department: str, post_id: int) -> None:
    """Another department's post is "not found" to an officer, as if it did not exist."""
    if actor.reviews or actor.department_code == department:
        return
    raise post_not_found(post_id)


def visible_departments(actor: Actor, asked: list[str]) -> list[str]:
    """The departments a listing covers: officers only ever their own (empty: every one)."""
    if actor.reviews:
        return asked
    own = actor.department_code or "\x00"  # no department: sees nothing, not everything
    return [own] if not asked or own in asked else ["\x00"]


def require_vocabulary(field: str, asked: Iterable[str | None], known: Iterable[str]) -> None:
    """Refuse (422) a filter by a topic or pillar the configuration does not have: the OpenAPI
    description lists them as an enum, so the server holds to it too."""
    choices = sorted(known)
    unknown = [value for value in asked if value is not None and value not in choices]
    if not unknown:
        return
    vi_name, en_name = {"topic": ("Chủ đề", "topic"), "pillar": ("Trụ cột", "pillar")}[field]
    listed = ", ".join(choices)
    raise InvalidInput(
        [
            FieldProblem(
                field,
                f"{vi_name} “{value}” không có; chọn một trong: {listed}.",
                f"unknown {en_name} {value!r}; choose one of {listed}",
            )
            for value in unknown
        ]
    )


# -- times ----------------------------------------------------------------------------------


def local(value: datetime | None, zone: tzinfo) -> str | None:
    return None if value is None else to_local(value, zone).isoformat()


def time_in(text: str | None, zone: tzinfo, field: str) -> datetime | None:
    """An ISO 8601 time from a request: with an offset as given, naive in the configured zone."""
    if text is None:
        return None
    try:
        when = parse_local(text, zone)
    except ValueError as error:
        raise InvalidInput(
            [
                FieldProblem(
                    field,
                    f"Không đọc được thời điểm “{text}”: cần dạng ISO 8601, ví dụ"
                    f" {EXAMPLE_AT} (không có múi giờ: giờ địa phương),"
                    f" từ năm {EARLIEST.year} đến hết năm {LATEST.year - 1}.",
                    f"cannot read the time {text!r}: {error}",
                )
            ]
        ) from None
    require_in_range(field, when, text)
    return when


def require_in_range(field: str, when: datetime | None, typed: str = "") -> None:
    """Refuse (422, naming `field`) a time outside the range Loa accepts."""
    found = None if when is None else time_problem(field, when, typed)
    if found is not None:
        raise InvalidInput([found])


def require_query_time(field: str, when: datetime | None) -> None:
    """Refuse (400, naming the query parameter `field`) a time outside the range Loa accepts."""
    try:
        require_in_range(field, when)
    except InvalidInput as error:
        raise InvalidQuery.of(error) from None


def require_period(
    start: datetime, end: datetime, longest: timedelta, vi_longest: str, en_longest: str
) -> tuple[datetime, datetime]:
    """The query's `from` and `to` as UTC, refused (400 naming the parameter) when out of range,
    reversed or further apart than `longest` (told as "3 năm" / "3 years")."""
    require_query_time("from", start)
    require_query_time("to", end)
    start, end = as_utc(start), as_utc(end)
    if end <= start or end - start > longest:
        raise InvalidQuery(
            [
                FieldProblem(
                    "to",
                    f"“to” phải sau “from” và cách không quá {vi_longest}.",
                    f"'to' must be after 'from', and at most {en_longest} later",
                )
            ]
        )
    return start, end


@contextmanager
def fields_named(names: Mapping[str, str]) -> Iterator[None]:
    """Problems about the service's field names (`at`) told by the API's (`scheduled_at`)."""
    try:
        yield
    except InvalidInput as error:
        renamed = [replace(p, field=names.get(p.field, p.field)) for p in error.problems]
        raise InvalidInput(renamed, error.what) from None


# -- rows to JSON ---------------------------------------------------------------------------


def thumbnail_url(sha256: str, kind: str) -> str | None:
    return f"{PREFIX}/media/{sha256}/thumbnail" if kind == MediaKind.image else None


def post_out(post: Post, channels: list[str], author: str | None, zone: tzinfo) -> PostOut:
    assert post.id is not None
    return PostOut(
        id=post.id,
        title=post.title,
        body=post.body,
        link=post.link,
        hashtags=list(post.hashtags),
        topic=post.topic,
        pillar=post.pillar,
        audience=post.audience,
        department=post.department_code,
        author=author,
        state=post.state,
        scheduled_at=post.scheduled_at,
        scheduled_at_local=local(post.scheduled_at, zone),
        missed_policy=post.missed_policy,
        grace_minutes=post.grace_minutes,
        review_comment=post.review_comment,
        version=post.version,
        channels=channels,
        created_at=post.created_at,
        updated_at=post.updated_at,
    )


def delivery_out(delivery: Delivery, zone: tzinfo, figures: Latest | None = None) -> DeliveryOut:
    return DeliveryOut(**delivery_fields(delivery, zone, figures))


def delivery_fields(
    delivery: Delivery, zone: tzinfo, figures: Latest | None = None
) -> dict[str, Any]:
    assert delivery.id is not None
    return {
        "metrics": dict(figures.figures) if figures else {},
        "metrics_collected_at": figures.collected_at if figures else None,
        "id": delivery.id,
        "post_id": delivery.post_id,
        "channel_id": delivery.channel_id,
        "state": delivery.state,
        "due_at": delivery.due_at,
        "due_at_local": local(delivery.due_at, zone),
        "attempt_count": delivery.attempts,
        "overrides": dict(delivery.overrides),
        "remote_id": delivery.remote_id,
        "remote_url": delivery.remote_url,
        "published_at": delivery.published_at,
        "published_at_local": local(delivery.published_at, zone),
        "last_error": english(delivery.last_error),
        "reason": ReasonOut.of(delivery.last_error),
        "updated_at": delivery.updated_at,
    }


def post_media_out(media: Media, link: PostMedia) -> PostMediaOut:
    return PostMediaOut(
        sha256=media.sha256,
        position=link.position,
        kind=media.kind,
        mime=media.mime,
        width=media.width,
        height=media.height,
        alt_text=link.alt_text or media.alt_text,
        thumbnail_url=thumbnail_url(media.sha256, media.kind),
    )
