"""From database rows to the plain `Publication` an adapter sees, and the channel checks.

This is the one place that knows both the content tables and the adapter contract: the worker
publishes what it builds, and the editorial workflow checks the very same thing, so a post that
passes its checks is the post that gets sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlmodel import Session

from channels.base import MediaFile, Publication
from channels.limits import channel_problems
from channels.markers import marker_for
from channels.registry import RegistryError
from content.errors import FieldProblem
from content.installation import installation_key
from content.models import Channel, Delivery, Media, Post, PostMedia
from content.posts import Checker
from content.queries import media_of

MediaPath = Callable[[Media], Path]


def build_publication(
    session: Session, post: Post, delivery: Delivery, channel: Channel, media_path: MediaPath
) -> Publication:
    return compose_publication(
        installation=installation_key(session),
        post_id=post.id or 0,
        title=post.title,
        body=post.body,
        link=post.link,
        hashtags=post.hashtags,
        topic=post.topic,
        pillar=post.pillar,
        department=post.department_code,
        scheduled_at=planned_time(delivery.due_at, post.scheduled_at, channel.settings),
        overrides=delivery.overrides,
        channel_id=channel.id,
        settings=channel.settings,
        media=media_of(session, post.id or 0),
        media_path=media_path,
    )


def publications_of(
    session: Session, delivery_ids: Sequence[int], media_path: MediaPath, *, native: bool = True
) -> dict[int, Publication]:
    """The publications of these deliveries in one read (plus one per post with media): the
    worker's hot path. `native=False` publishes at once even on a channel that schedules
    natively (`loa publish --now`)."""
    rows = session.connection().execute(_PUBLICATION_ROWS, {"ids": list(delivery_ids)})
    installation = installation_key(session)
    return {
        row.id: compose_publication(
            installation=installation,
            post_id=row.post_id,
            title=row.title,
            body=row.body,
            link=row.link,
            hashtags=row.hashtags,
            topic=row.topic,
            pillar=row.pillar,
            department=row.department_code,
            scheduled_at=planned_time(row.due_at, row.scheduled_at, row.settings, native=native),
            overrides=row.overrides,
            channel_id=row.channel_id,
            settings=row.settings,
            media=media_of(session, row.post_id) if row.media_count else [],
            media_path=media_path,
        )
        for row in rows
    }


def planned_time(
    due_at: datetime | None,
    scheduled_at: datetime | None,
    settings: Mapping[str, Any],
    *,
    native: bool = True,
) -> datetime | None:
    """The time the post should be public. Usually when the worker takes it (a retry moves
    that later); a channel that schedules natively takes it ahead, at approval, and hands the
    platform the post's own time (content.corrections.handover_due), unless told to publish
    now (`native=False`: the delivery's due time is now, so the platform publishes it)."""
    if (
        native
        and settings.get("native_schedule")
        and due_at
        and scheduled_at
        and scheduled_at > due_at
    ):
        return scheduled_at
    return due_at or scheduled_at


def compose_publication(
    *,
    installation: str,
    post_id: int,
    title: str,
    body: str,
    link: str | None,
    hashtags: Sequence[str],
    topic: str,
    pillar: str | None,
    scheduled_at: datetime | None,
    overrides: Mapping[str, Any],
    channel_id: str,
    settings: Mapping[str, Any],
    media: Sequence[tuple[Media, PostMedia]],
    media_path: MediaPath,
    department: str = "",
) -> Publication:
    files = tuple(
        MediaFile(
            path=media_path(item),
            kind=item.kind,
            mime=item.mime,
            sha256=item.sha256,
            size_bytes=item.size_bytes,
            width=item.width,
            height=item.height,
            alt_text=attached.alt_text if attached.alt_text is not None else item.alt_text,
            original_name=item.original_name,
        )
        for item, attached in media
    )
    channel_settings = dict(settings)
    if "summary" in overrides:
        channel_settings["summary"] = overrides["summary"]
    return Publication(
        post_id=post_id,
        channel_id=channel_id,
        title=str(overrides.get("title", title)),
        text=str(overrides.get("body", body)),
        link=overrides.get("link", link),
        hashtags=tuple(overrides.get("hashtags", hashtags)),
        media=files,
        marker=marker_for(installation, post_id, channel_id),
        scheduled_at=scheduled_at,
        topic=topic,
        pillar=pillar,
        settings=channel_settings,
        department=department,
    )


def _publication_rows() -> Any:
    delivery, post = Delivery.__table__, Post.__table__  # type: ignore[attr-defined]
    channel, attached = Channel.__table__, PostMedia.__table__  # type: ignore[attr-defined]
    media_count = (
        select(func.count())
        .where(attached.c.post_id == delivery.c.post_id)
        .scalar_subquery()
        .label("media_count")
    )
    return (
        select(
            delivery.c.id,
            delivery.c.post_id,
            delivery.c.channel_id,
            delivery.c.overrides,
            delivery.c.due_at,
            post.c.title,
            post.c.body,
            post.c.link,
            post.c.hashtags,
            post.c.topic,
            post.c.pillar,
            post.c.department_code,
            post.c.scheduled_at,
            channel.c.settings,
            media_count,
        )
        .join(post, post.c.id == delivery.c.post_id)
        .join(channel, channel.c.id == delivery.c.channel_id)
        .where(delivery.c.id.in_(bindparam("ids", expanding=True)))
    )


_PUBLICATION_ROWS = _publication_rows()


def channel_checker(media_path: MediaPath) -> Checker:
    """A `content.posts.Checker` that asks each chosen channel's adapter."""

    def check(session: Session, post: Post, deliveries: Sequence[Delivery]) -> list[FieldProblem]:
        problems: list[FieldProblem] = []
        for delivery in deliveries:
            channel = session.get(Channel, delivery.channel_id)
            if channel is None:
                continue
            publication = build_publication(session, post, delivery, channel, media_path)
            try:
                # Limits told in the platform's name, as the composer's preview tells them.
                found = channel_problems(publication, channel.type)
            except RegistryError as error:
                vi = f"loại kênh không được hỗ trợ: {error}"
                problems.append(FieldProblem("channel", vi, str(error), channel.id))
                continue
            problems += [FieldProblem(p.field, p.vi, p.en, channel.id) for p in found]
        return problems

    return check
