"""What happened to each post on each channel, for an administrator's export: one row per
delivery with the post, its channel, the delivery's state, when it was published and its public
link (and the last error of one that failed).

Filters combine: a period of the post's planned time [start, end) (UTC), a department (the
post's), a channel and a delivery state. The re-importable export (`loa export`,
`content.export`) is another thing: it holds posts in the import's columns and no outcomes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from content.models import Channel, Delivery, Post, User

BATCH = 2000  # rows fetched at a time: a year of deliveries is read without holding it all


@dataclass(frozen=True)
class OutcomeFilter:
    start: datetime | None = None  # aware, inclusive: the post's planned time
    end: datetime | None = None  # aware, exclusive
    department: str = ""
    channel_id: str = ""
    state: str = ""  # a DeliveryState


@dataclass(frozen=True)
class Outcome:
    post: Post
    delivery: Delivery
    channel_type: str
    channel_name: str
    author: str


def _conditions(where: OutcomeFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if where.start is not None:
        found.append(col(Post.scheduled_at) >= where.start)
    if where.end is not None:
        found.append(col(Post.scheduled_at) < where.end)
    if where.department:
        found.append(col(Post.department_code) == where.department)
    if where.channel_id:
        found.append(col(Delivery.channel_id) == where.channel_id)
    if where.state:
        found.append(col(Delivery.state) == where.state)
    return found


def count(session: Session, where: OutcomeFilter) -> int:
    query = (
        select(func.count())
        .select_from(Delivery)
        .join(Post, col(Post.id) == col(Delivery.post_id))
        .where(*_conditions(where))
    )
    return session.exec(query).one()


def outcomes(session: Session, where: OutcomeFilter, limit: int | None = None) -> Iterator[Outcome]:
    """The deliveries matching `where` (the first `limit`), by planned time, post and channel."""
    query = (
        select(Post, Delivery, Channel.type, Channel.name)
        .join(Delivery, col(Delivery.post_id) == col(Post.id))
        .join(Channel, col(Channel.id) == col(Delivery.channel_id))
        .where(*_conditions(where))
        .order_by(col(Post.scheduled_at), col(Post.id), col(Delivery.channel_id))
        .limit(limit)
        .execution_options(yield_per=BATCH)
    )
    usernames = dict(session.exec(select(User.id, User.username)).all())
    for post, delivery, kind, name in session.exec(query):
        author = usernames.get(post.author_id, "")
        yield Outcome(post, delivery, kind, name or delivery.channel_id, author)
