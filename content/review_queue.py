"""What the review queue shows of each waiting post: when it was submitted, by whom, its
department's name, its channels, and its images and videos with their alt text.

Read in a fixed number of queries whatever the queue's length (one per kind of thing), so a
long queue costs no more round trips than a short one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from content.models import (
    AuditEvent,
    Delivery,
    DeliveryState,
    Department,
    EditorialState,
    Media,
    Post,
    PostMedia,
    User,
)
from content.workflow import Actor


@dataclass(frozen=True)
class Attachment:
    sha256: str
    kind: str  # "image" or "video"
    name: str  # the file name the officer uploaded
    alt_text: str


@dataclass(frozen=True)
class Waiting:
    post: Post
    submitted_at: datetime
    author: str
    department: tuple[str, str]  # (Vietnamese, English) names
    channel_ids: list[str] = field(default_factory=list)
    media: list[Attachment] = field(default_factory=list)


def waiting_posts(session: Session, actor: Actor) -> list[Waiting]:
    """Posts in review, the longest-waiting first: every department's for a reviewer, the
    officer's own department's otherwise."""
    submitted = (
        select(AuditEvent.post_id, func.max(AuditEvent.at).label("at"))
        .where(AuditEvent.action == "post.submitted")  # a decision undone keeps its place
        .group_by(col(AuditEvent.post_id))
        .subquery()
    )
    query = (
        select(Post, submitted.c.at, User, Department)
        .join(User, col(User.id) == col(Post.author_id))
        .join(Department, col(Department.code) == col(Post.department_code))
        .outerjoin(submitted, submitted.c.post_id == col(Post.id))
        .where(Post.state == EditorialState.in_review)
    )
    if not actor.reviews:
        query = query.where(Post.department_code == (actor.department_code or ""))
    rows = session.exec(query).all()
    ids = [post.id for post, *_ in rows if post.id is not None]
    channels = channels_of(session, ids)
    media = attachments_of(session, ids)
    found = [
        Waiting(
            post,
            at or post.updated_at,
            author.full_name or author.username,
            (department.name_vi, department.name_en),
            channels.get(post.id or 0, []),
            media.get(post.id or 0, []),
        )
        for post, at, author, department in rows
    ]
    return sorted(found, key=lambda item: (item.submitted_at, item.post.id or 0))


def channels_of(session: Session, post_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each post's channels (deliveries not cancelled), in channel order."""
    found: dict[int, list[str]] = {}
    for post_id, channel_id in session.exec(
        select(Delivery.post_id, Delivery.channel_id)
        .where(col(Delivery.post_id).in_(post_ids), Delivery.state != DeliveryState.cancelled)
        .order_by(col(Delivery.channel_id))
    ).all():
        found.setdefault(post_id, []).append(channel_id)
    return found


def attachments_of(session: Session, post_ids: Sequence[int]) -> dict[int, list[Attachment]]:
    found: dict[int, list[Attachment]] = {}
    query = (
        select(PostMedia, Media)
        .join(Media, col(Media.sha256) == col(PostMedia.media_sha256))
        .where(col(PostMedia.post_id).in_(post_ids))
        .order_by(col(PostMedia.post_id), col(PostMedia.position))
    )
    for link, media in session.exec(query).all():
        found.setdefault(link.post_id, []).append(
            Attachment(
                media.sha256, media.kind, media.original_name, link.alt_text or media.alt_text
            )
        )
    return found


def titles_of(session: Session, post_ids: Sequence[int], actor: Actor) -> list[Post]:
    """The posts named by `post_ids` that `actor` may see, in the order given."""
    query = select(Post).where(col(Post.id).in_(post_ids))
    if not actor.reviews:
        query = query.where(Post.department_code == (actor.department_code or ""))
    posts = {post.id: post for post in session.exec(query).all()}
    return [posts[post_id] for post_id in post_ids if post_id in posts]
