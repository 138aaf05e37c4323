"""The post page's extras: "Nhân bản" (a draft copy of the post, opened in the composer) and the
words of its header's delivery summary ("1/2 kênh đã đăng, 1 thất bại").

A copy has no time: the composer is where the officer gives it one, so the copy opens there.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from content.post_copies import duplicate
from content.workflow import Actor
from web.auth import current_actor
from web.i18n import add_messages
from web.path_ids import PathId
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
