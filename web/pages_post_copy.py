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
from web.i18n import add_messages
from web.pages_posts import load_visible
from web.path_ids import PathId
from web.render import field_errors, lang_of, render
from web.services import services_of

router = APIRouter(prefix="/posts")
Signed = Annotated[Actor, Depends(current_actor)]

add_messages(
    {
        "post.duplicate": ("Nhân bản", "Duplicate"),
        "post.duplicate_hint": (
            "Tạo bài nháp mới cùng nội dung, ảnh và kênh, chưa có giờ đăng.",
            "A new draft with the same text, media and channels, without a time.",
        ),
        "post.repeat": ("Lặp lại hằng tuần", "Repeat weekly"),
        "repeat.title": ("Lặp lại bài #{id} hằng tuần", "Repeat post #{id} weekly"),
        "repeat.intro": (
            "Loa tạo ngay các bài mỗi tuần một bài, cùng giờ với bài này, đến ngày kết thúc."
            " Mỗi bài là một bài riêng (duyệt, sửa, hủy riêng) và cùng thuộc một chuỗi.",
            "Loa creates the posts now, one a week at this post's time, until the end date."
            " Each is a post of its own (reviewed, edited, cancelled on its own), all in one"
            " series.",
        ),
        "repeat.first": ("Buổi đăng đầu", "First time"),
        "repeat.until": ("Lặp đến hết ngày", "Repeat until (included)"),
        "repeat.max": ("Tối đa {n} bài.", "At most {n} posts."),
        "repeat.create": ("Tạo các bài hằng tuần", "Create the weekly posts"),
        "repeat.no_time": (
            "Bài chưa có giờ đăng: hãy sửa bài và chọn giờ trước.",
            "The post has no time yet: edit it and choose one first.",
        ),
        "repeat.back": ("Quay lại bài", "Back to the post"),
        "post.partly": (
            "{published}/{total} kênh đã đăng",
            "{published} of {total} channels published",
        ),
        "post.partly_failed": (
            "{published}/{total} kênh đã đăng, {failed} thất bại",
            "{published} of {total} channels published, {failed} failed",
        ),
    }
)


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
    return render(request, "repeat.html", context, status_code=status)


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
