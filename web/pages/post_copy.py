"""The post page's extras: "Nhân bản" (a draft copy of the post, opened in the composer),
"Lặp lại hằng tuần" (/posts/{id}/repeat: one post a week until an end date, created at once),
and the words of the page header's delivery summary ("1/2 kênh đã đăng, 1 thất bại").

A copy has no time: the composer is where the officer gives it one, so the copy opens there.
A series opens in "Bài của tôi", filtered to its posts.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from content.errors import InvalidInput
from content.inputs import problem
from content.post_copies import MAX_SERIES, duplicate, weekly_series
from content.timeutil import to_local
from content.workflow import Actor
from web.auth import current_actor
from web.pages.posts import load_visible
from web.path_ids import PathId
from web.render import field_errors, lang_of, render
from web.services import services_of

router = APIRouter(prefix="/posts")
Signed = Annotated[Actor, Depends(current_actor)]


@router.post("/{post_id}/duplicate")
def duplicate_post(request: Request, actor: Signed, post_id: PathId) -> Response:
    copy = duplicate(services_of(request).posts, actor, post_id)
    return RedirectResponse(f"/posts/{copy.id}/edit", status_code=303)


def _repeat_page(
    request: Request,
    actor: Actor,
    post_id: int,
    *,
    until: str = "",
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    services = services_of(request)
    post = load_visible(services, actor, post_id).post
    first = to_local(post.scheduled_at, services.zone) if post.scheduled_at else None
    earliest = (first.date() + timedelta(weeks=1)).isoformat() if first else ""
    context: dict[str, Any] = {
        "post": post,
        "until": until or earliest,
        "earliest": earliest,
        "max_posts": MAX_SERIES,
        "errors": errors or {},
    }
    return render(request, "posts/repeat.html", context, status_code=status)


@router.get("/{post_id}/repeat")
def repeat_page(request: Request, actor: Signed, post_id: PathId) -> Response:
    return _repeat_page(request, actor, post_id)


@router.post("/{post_id}/repeat")
def repeat_post(
    request: Request,
    actor: Signed,
    post_id: PathId,
    until: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    services = services_of(request)
    load_visible(services, actor, post_id)
    try:
        posts = weekly_series(services.posts, actor, post_id, _read_day(until))
    except InvalidInput as error:
        errors = field_errors(error, lang_of(request))
        return _repeat_page(request, actor, post_id, until=until, errors=errors, status=422)
    series = posts[0].series_id if posts else ""
    return RedirectResponse(f"/my-posts?scope=all&series={series}", status_code=303)


def _read_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            [
                problem(
                    "until",
                    f"Không đọc được ngày “{text}”; hãy chọn một ngày (năm-tháng-ngày).",
                    f"cannot read the date {text!r}; choose a day (year-month-day)",
                )
            ]
        ) from None
