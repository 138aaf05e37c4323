"""Reading the queue: who is acting, reference data, a post's deliveries and media."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from content.errors import NotFound, PermissionDenied
from content.inputs import ChannelInfo, MediaRef, PostInput
from content.models import (
    Channel,
    ChannelState,
    Delivery,
    DeliveryState,
    Department,
    Media,
    Post,
    PostMedia,
    User,
)
from content.workflow import Actor

D = DeliveryState


@dataclass(frozen=True)
class WriteContext:
    """Reference data read once per transaction (and once per import, not once per row)."""

    channels: dict[str, ChannelInfo]
    departments: frozenset[str]


def actor_of(session: Session, username: str) -> Actor:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or user.id is None:
        raise NotFound(f"no user {username!r}", f"Không có người dùng “{username}”.")
    if not user.active:
        raise PermissionDenied(
            f"user {username!r} is disabled", f"Tài khoản “{username}” đã bị khóa."
        )
    return Actor(user.id, user.username, user.role, user.department_code)


def load_channels(session: Session) -> dict[str, ChannelInfo]:
    return {
        row.id: ChannelInfo(
            row.id,
            row.type,
            row.department_code,
            bool(row.settings.get("shared", False)),
            tuple(row.slots),
            row.state == ChannelState.retired,
        )
        for row in session.exec(select(Channel)).all()
    }


def load_departments(session: Session) -> frozenset[str]:
    return frozenset(session.exec(select(Department.code)).all())


def deliveries_of(session: Session, post_id: int) -> list[Delivery]:
    query = select(Delivery).where(Delivery.post_id == post_id)
    return list(session.exec(query.order_by(col(Delivery.channel_id))).all())


def media_of(session: Session, post_id: int) -> list[tuple[Media, PostMedia]]:
    query = (
        select(Media, PostMedia)
        .join(PostMedia, col(PostMedia.media_sha256) == col(Media.sha256))
        .where(PostMedia.post_id == post_id)
        .order_by(col(PostMedia.position))
    )
    return [(m, pm) for m, pm in session.exec(query).all()]


def input_of(session: Session, post: Post, deliveries: Sequence[Delivery]) -> PostInput:
    """The post as the input that would create it, so an edit is a replace plus validation."""
    return input_from(post, deliveries, media_of(session, post.id or 0))


def input_from(
    post: Post, deliveries: Sequence[Delivery], media: Sequence[tuple[Media, PostMedia]]
) -> PostInput:
    live = [d for d in deliveries if d.state != D.cancelled]
    return PostInput(
        title=post.title,
        topic=post.topic,
        department=post.department_code,
        channels=[d.channel_id for d in live],
        body=post.body,
        link=post.link,
        hashtags=list(post.hashtags),
        pillar=post.pillar,
        audience=post.audience,
        scheduled_at=post.scheduled_at,
        missed_policy=post.missed_policy,
        grace_minutes=post.grace_minutes,
        media=[MediaRef(m.sha256, pm.alt_text) for m, pm in media],
        overrides={d.channel_id: dict(d.overrides) for d in live if d.overrides},
    )
