"""From database rows to the plain `Publication` an adapter sees, and the channel checks.

This is the one place that knows both the content tables and the adapter contract: the worker
publishes what it builds, and the editorial workflow checks the very same thing, so a post that
passes its checks is the post that gets sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlmodel import Session

from channels.base import MediaFile, Publication
from channels.registry import RegistryError, adapter_class
from content.errors import FieldProblem
from content.models import Channel, Delivery, Media, Post
from content.posts import Checker
from content.queries import media_of

MediaPath = Callable[[Media], Path]


def marker_for(post_id: int, channel_id: str) -> str:
    """A slug unique per post and channel, which `find` uses to recognise our own posts."""
    return f"loa-{post_id}-{channel_id}"


def build_publication(
    session: Session, post: Post, delivery: Delivery, channel: Channel, media_path: MediaPath
) -> Publication:
    overrides: dict[str, Any] = dict(delivery.overrides)
    media = tuple(
        MediaFile(
            path=media_path(item),
            kind=item.kind,
            mime=item.mime,
            sha256=item.sha256,
            size_bytes=item.size_bytes,
            width=item.width,
            height=item.height,
            alt_text=attached.alt_text if attached.alt_text is not None else item.alt_text,
        )
        for item, attached in media_of(session, post.id or 0)
    )
    settings = dict(channel.settings)
    if "summary" in overrides:
        settings["summary"] = overrides["summary"]
    return Publication(
        post_id=post.id or 0,
        channel_id=channel.id,
        title=str(overrides.get("title", post.title)),
        text=str(overrides.get("body", post.body)),
        link=overrides.get("link", post.link),
        hashtags=tuple(overrides.get("hashtags", post.hashtags)),
        media=media,
        marker=marker_for(post.id or 0, channel.id),
        scheduled_at=delivery.due_at or post.scheduled_at,
        topic=post.topic,
        pillar=post.pillar,
        settings=settings,
    )


def channel_checker(media_path: MediaPath) -> Checker:
    """A `content.posts.Checker` that asks each chosen channel's adapter."""

    def check(session: Session, post: Post, deliveries: Sequence[Delivery]) -> list[FieldProblem]:
        problems: list[FieldProblem] = []
        for delivery in deliveries:
            channel = session.get(Channel, delivery.channel_id)
            if channel is None:
                continue
            try:
                adapter = adapter_class(channel.type)
            except RegistryError as error:
                problems.append(FieldProblem("channel", str(error), str(error), channel.id))
                continue
            publication = build_publication(session, post, delivery, channel, media_path)
            problems += [
                FieldProblem(found.field, found.vi, found.en, channel.id)
                for found in adapter.check(publication)
            ]
        return problems

    return check
