"""The review queue: posts waiting for review, the longest-waiting first.

Editors and administrators see every department's, each with approve (an optional comment) and
reject (a comment required) inline; the forms post to the post page's actions and come back
here. Officers see their own department's posts in review, read-only, so they know what is
waiting; reviewing is not theirs (the menu shows the page to reviewers only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func
from sqlmodel import col, select
from starlette.responses import Response

from content.models import AuditEvent, Delivery, DeliveryState, EditorialState, Post, User
from content.workflow import Actor
from web.auth import current_actor
from web.i18n import add_messages
from web.render import render
from web.services import services_of

router = APIRouter()
Signed = Annotated[Actor, Depends(current_actor)]

add_messages(
    {
        "review.title": ("Bài chờ duyệt", "Posts awaiting review"),
        "review.intro_editor": (
            "Bài chờ lâu nhất ở trên cùng. Duyệt thì bài lên lịch đăng; trả lại cần ghi lý do.",
            "The longest-waiting post is first. Approving schedules it; sending back needs a"
            " reason.",
        ),
        "review.intro_officer": (
            "Bài của đơn vị bạn đang chờ biên tập viên duyệt (chỉ xem).",
            "Your department's posts waiting for an editor (read-only).",
        ),
        "review.empty": ("Không có bài nào chờ duyệt.", "No posts are waiting for review."),
        "review.submitted": ("Gửi duyệt lúc", "Submitted"),
        "review.channels": ("Kênh", "Channels"),
        "review.when": ("Giờ đăng", "To publish"),
        "review.open": ("Mở bài", "Open"),
    }
)


@dataclass(frozen=True)
class Waiting:
    post: Post
    submitted_at: datetime
    author: str
    channels: list[str]


def waiting_posts(actor: Actor, request: Request) -> list[Waiting]:
    services = services_of(request)
    with services.db.read() as session:
        submitted = (
            select(AuditEvent.post_id, func.max(AuditEvent.at).label("at"))
            .where(AuditEvent.action == "post.submitted")
            .group_by(col(AuditEvent.post_id))
            .subquery()
        )
        query = (
            select(Post, submitted.c.at, User.full_name, User.username)
            .join(User, col(User.id) == col(Post.author_id))
            .outerjoin(submitted, submitted.c.post_id == col(Post.id))
            .where(Post.state == EditorialState.in_review)
        )
        if not actor.reviews:
            query = query.where(Post.department_code == (actor.department_code or ""))
        rows = session.exec(query).all()
        ids = [post.id for post, *_ in rows]
        channels: dict[int, list[str]] = {}
        for post_id, channel_id in session.exec(
            select(Delivery.post_id, Delivery.channel_id)
            .where(col(Delivery.post_id).in_(ids), Delivery.state != DeliveryState.cancelled)
            .order_by(col(Delivery.channel_id))
        ).all():
            channels.setdefault(post_id, []).append(channel_id)
    found = [
        Waiting(post, at or post.updated_at, full_name or username, channels.get(post.id or 0, []))
        for post, at, full_name, username in rows
    ]
    return sorted(found, key=lambda item: (item.submitted_at, item.post.id or 0))


@router.get("/review")
def review_page(request: Request, actor: Signed) -> Response:
    return render(request, "review.html", {"waiting": waiting_posts(actor, request)})
