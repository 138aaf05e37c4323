"""Finding posts by text, hashtag, topic, department or author, each with the stage a person
thinks of it in ("Bị trả lại", "Thất bại", "Đã đăng") rather than the editorial state alone.

Officers find only their own department's posts (`content.workflow.require_permission`'s rule);
editors and administrators every department's. Reads two queries whatever the result's size.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import String, cast, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from content.models import Delivery, DeliveryState, EditorialState, Post
from content.workflow import Actor

D = DeliveryState
S = EditorialState

# The stages, in the order a person deals with them: what needs them first.
STAGES: dict[str, tuple[str, str]] = {
    "rejected": ("Bị trả lại", "Sent back"),
    "failed": ("Thất bại", "Failed"),
    "draft": ("Nháp", "Drafts"),
    "in_review": ("Chờ duyệt", "Waiting for review"),
    "approved": ("Đã duyệt, chờ đăng", "Approved, waiting for their time"),
    "partly": ("Đã đăng một phần", "Partly published"),
    "published": ("Đã đăng", "Published"),
    "cancelled": ("Đã hủy", "Cancelled"),
}
TROUBLE = frozenset({D.failed, D.missed, D.needs_review})
LIKE_ESCAPE = "!"


@dataclass(frozen=True)
class PostFilter:
    text: str = ""  # in the title or the body
    hashtag: str = ""  # one tag, with or without "#"
    topic: str = ""
    department: str = ""  # ignored for officers: theirs only
    author_id: int | None = None
    series_id: str = ""  # the posts of one weekly series
    limit: int = 300


@dataclass(frozen=True)
class FoundPost:
    post: Post
    stage: str
    channel_ids: list[str] = field(default_factory=list)
    published: int = 0
    failed: int = 0


def stage_of(state: str, delivery_states: Sequence[str]) -> str:
    if state != S.approved:
        return state
    live = [s for s in delivery_states if s != D.cancelled]
    if any(s in TROUBLE for s in live):
        return "failed"
    published = sum(s == D.published for s in live)
    if live and published == len(live):
        return "published"
    return "partly" if published else "approved"


def find_posts(session: Session, actor: Actor, wanted: PostFilter) -> tuple[list[FoundPost], bool]:
    """The posts `actor` may see that match `wanted`, most recently changed first, and whether
    there were more than `wanted.limit`."""
    query = _filtered(select(Post), actor, wanted)
    query = query.order_by(col(Post.updated_at).desc(), col(Post.id).desc())
    posts = list(session.exec(query.limit(wanted.limit + 1)).all())
    more = len(posts) > wanted.limit
    posts = posts[: wanted.limit]
    ids = [post.id for post in posts if post.id is not None]
    deliveries: dict[int, list[tuple[str, str]]] = {}
    for post_id, channel_id, state in session.exec(
        select(Delivery.post_id, Delivery.channel_id, Delivery.state)
        .where(col(Delivery.post_id).in_(ids))
        .order_by(col(Delivery.channel_id))
    ).all():
        deliveries.setdefault(post_id, []).append((channel_id, state))
    found = []
    for post in posts:
        rows = deliveries.get(post.id or 0, [])
        live = [(c, s) for c, s in rows if s != D.cancelled]
        found.append(
            FoundPost(
                post,
                stage_of(post.state, [s for _, s in rows]),
                [c for c, _ in live],
                sum(s == D.published for _, s in live),
                sum(s in TROUBLE for _, s in live),
            )
        )
    return found, more


def by_stage(found: Sequence[FoundPost]) -> list[tuple[str, list[FoundPost]]]:
    """The posts grouped by stage, in `STAGES`' order, leaving out empty stages."""
    groups: dict[str, list[FoundPost]] = {stage: [] for stage in STAGES}
    for item in found:
        groups.setdefault(item.stage, []).append(item)
    return [(stage, items) for stage, items in groups.items() if items]


def _filtered(
    query: SelectOfScalar[Post], actor: Actor, wanted: PostFilter
) -> SelectOfScalar[Post]:
    if not actor.reviews:
        query = query.where(Post.department_code == (actor.department_code or ""))
    elif wanted.department:
        query = query.where(Post.department_code == wanted.department)
    if wanted.author_id is not None:
        query = query.where(Post.author_id == wanted.author_id)
    if wanted.series_id:
        query = query.where(Post.series_id == wanted.series_id)
    if wanted.topic:
        query = query.where(Post.topic == wanted.topic)
    text = wanted.text.strip()
    if text:
        pattern = f"%{_escaped(text)}%"
        query = query.where(
            or_(
                col(Post.title).ilike(pattern, escape=LIKE_ESCAPE),
                col(Post.body).ilike(pattern, escape=LIKE_ESCAPE),
            )
        )
    tag = wanted.hashtag.strip().lstrip("#").strip()
    if tag:
        # Hashtags are a JSON list stored as json.dumps writes it (non-ASCII as \\u escapes) on
        # both databases: the tag, written the same way and quoted, matches one whole tag.
        pattern = f"%{_escaped(json.dumps(tag))}%"
        query = query.where(cast(Post.hashtags, String).ilike(pattern, escape=LIKE_ESCAPE))
    return query


def _escaped(text: str) -> str:
    for special in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, LIKE_ESCAPE + special)
    return text
