"""Writing a post's rows: its fields, media links and deliveries, kept in step with its state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from content.corrections import handover_due
from content.errors import Conflict, InvalidInput
from content.inputs import EDITABLE_FIELDS, MediaRef, PostInput, normalise_hashtags, problem
from content.models import (
    FINAL_DELIVERY_STATES,
    Channel,
    Delivery,
    DeliveryState,
    EditorialState,
    Media,
    Post,
    PostMedia,
)
from content.queries import deliveries_of

D = DeliveryState


def changed_fields(before: PostInput, after: PostInput) -> set[str]:
    return {name for name in EDITABLE_FIELDS if getattr(before, name) != getattr(after, name)}


def apply_input(post: Post, data: PostInput) -> None:
    post.title = data.title.strip()
    post.body = data.body
    post.link = data.link or None
    post.hashtags = normalise_hashtags(data.hashtags)
    post.topic = data.topic
    post.pillar = data.pillar
    post.audience = data.audience
    post.department_code = data.department
    post.scheduled_at = data.scheduled_at
    post.missed_policy = data.missed_policy
    if data.grace_minutes is not None:
        post.grace_minutes = data.grace_minutes


def check_media_refs(
    session: Session, refs: Sequence[MediaRef], items: Sequence[tuple[PostInput, Any]]
) -> None:
    """Every referenced file is in the store, and no post attaches the same file twice."""
    for data, _ in items:
        wanted = [ref.sha256 for ref in data.media]
        if len(set(wanted)) != len(wanted):
            raise InvalidInput(
                [problem("media", "Một tệp được đính kèm hai lần.", "a file is attached twice")]
            )
    shas = {ref.sha256 for ref in refs}
    if not shas:
        return
    found = set(session.exec(select(Media.sha256).where(col(Media.sha256).in_(shas))).all())
    missing = sorted(shas - found)
    if missing:
        raise InvalidInput(
            [
                problem("media", f"Không có tệp {sha[:12]}… trong kho.", f"no media {sha[:12]}...")
                for sha in missing
            ]
        )


def sync_media(session: Session, post_id: int, refs: list[MediaRef]) -> None:
    check_media_refs(session, refs, [(PostInput("", "", "", media=refs), None)])
    wanted = [ref.sha256 for ref in refs]
    existing = {
        row.media_sha256: row
        for row in session.exec(select(PostMedia).where(PostMedia.post_id == post_id)).all()
    }
    for sha, row in existing.items():
        if sha not in wanted:
            session.delete(row)
    for position, ref in enumerate(refs):
        row = existing.get(ref.sha256) or PostMedia(post_id=post_id, media_sha256=ref.sha256)
        row.position = position
        row.alt_text = ref.alt_text
        session.add(row)


def sync_deliveries(
    session: Session,
    post: Post,
    channel_ids: list[str],
    overrides: Mapping[str, dict[str, Any]],
    deliveries: Sequence[Delivery],
) -> None:
    """One delivery per chosen channel; a channel taken away cancels its delivery.

    Deliveries with history (attempts, a publication) are never deleted: they are evidence.
    """
    existing = {d.channel_id: d for d in deliveries}
    for channel_id, delivery in existing.items():
        if channel_id in channel_ids or delivery.state in (D.cancelled, D.handed_over):
            continue  # a handed-over one is removed from its platform first (the caller queues it)
        if delivery.state == D.published:
            raise Conflict(
                f"post #{post.id} is already published on {channel_id}; it cannot be taken off",
                f"Bài #{post.id} đã đăng trên {channel_id}; không thể bỏ kênh này.",
            )
        if delivery.attempts == 0:
            session.delete(delivery)
        else:
            delivery.state = D.cancelled
    for channel_id in channel_ids:
        found = existing.get(channel_id)
        delivery = found or Delivery(post_id=post.id or 0, channel_id=channel_id)
        if delivery.state == D.cancelled:
            delivery.state = D.pending
        delivery.overrides = dict(overrides.get(channel_id, {}))
        if delivery.state not in FINAL_DELIVERY_STATES:
            delivery.due_at = post.scheduled_at
        session.add(delivery)
    session.flush()


def follow_editorial_state(session: Session, post: Post, now: datetime) -> None:
    """Deliveries follow the post: scheduled once approved, held while under review.

    A delivery handed over to its platform stays so: it is there, and only a change sent to
    the platform (content.corrections) moves or removes it."""
    for delivery in deliveries_of(session, post.id or 0):
        if post.state == EditorialState.approved:
            if delivery.state in (D.pending, D.scheduled, D.failed, D.missed):
                delivery.state = D.scheduled
                delivery.due_at = _due_at(session, post, delivery, now)
                delivery.attempts = 0
                delivery.last_error = None
        elif post.state == EditorialState.cancelled:
            if delivery.state not in FINAL_DELIVERY_STATES | {D.handed_over}:
                delivery.state = D.cancelled
        elif delivery.state in (D.scheduled, D.failed, D.missed):
            delivery.state = D.pending
        delivery.updated_at = now
        session.add(delivery)


def _due_at(session: Session, post: Post, delivery: Delivery, now: datetime) -> datetime | None:
    """The planned time, or earlier for a channel that schedules natively: the worker hands the
    post to the platform ahead, and the platform publishes it at its time."""
    channel = session.get(Channel, delivery.channel_id)
    ahead = handover_due(channel.settings, post.scheduled_at, now) if channel else None
    return ahead or post.scheduled_at
