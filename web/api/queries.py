"""The REST API's reads that the services do not offer: a page of posts, authors' names."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from content.models import Delivery, DeliveryState, Post, User


@dataclass(frozen=True)
class PostQuery:
    departments: Collection[str] = ()
    state: str | None = None
    channel: str | None = None
    topic: str | None = None
    start: datetime | None = None  # scheduled at or after (aware)
    end: datetime | None = None  # scheduled before (aware)
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class PostRows:
    posts: list[Post]
    total: int
    channels: dict[int, list[str]]
    authors: dict[int, str]


def page_of_posts(session: Session, query: PostQuery) -> PostRows:
    """Posts in time order (unscheduled last), one page, with their channels and authors."""
    where: list[ColumnElement[bool]] = []
    if query.departments:
        where.append(col(Post.department_code).in_(list(query.departments)))
    if query.state:
        where.append(col(Post.state) == query.state)
    if query.topic:
        where.append(col(Post.topic) == query.topic)
    if query.channel:
        where.append(
            col(Post.id).in_(select(Delivery.post_id).where(Delivery.channel_id == query.channel))
        )
    if query.start is not None:
        where.append(col(Post.scheduled_at) >= query.start)
    if query.end is not None:
        where.append(col(Post.scheduled_at) < query.end)
    total = session.exec(select(func.count()).select_from(Post).where(*where)).one()
    posts = list(
        session.exec(
            select(Post)
            .where(*where)
            .order_by(col(Post.scheduled_at).is_(None), col(Post.scheduled_at), col(Post.id))
            .limit(query.limit)
            .offset(query.offset)
        ).all()
    )
    ids = [post.id for post in posts if post.id is not None]
    return PostRows(
        posts, total, channels_of(session, ids), authors_of(session, [p.author_id for p in posts])
    )


def channels_of(session: Session, post_ids: Collection[int]) -> dict[int, list[str]]:
    """Each post's channels, leaving out cancelled deliveries."""
    found: dict[int, list[str]] = {post_id: [] for post_id in post_ids}
    rows = session.exec(
        select(Delivery.post_id, Delivery.channel_id)
        .where(col(Delivery.post_id).in_(list(post_ids)), Delivery.state != DeliveryState.cancelled)
        .order_by(col(Delivery.channel_id))
    ).all()
    for post_id, channel_id in rows:
        found[post_id].append(channel_id)
    return found


def authors_of(session: Session, user_ids: Collection[int]) -> dict[int, str]:
    rows = session.exec(
        select(User.id, User.username).where(col(User.id).in_(list(set(user_ids))))
    ).all()
    return {user_id: name for user_id, name in rows if user_id is not None}
