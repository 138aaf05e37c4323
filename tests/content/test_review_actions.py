"""Deciding on several posts at once and undoing a decision (content.review_actions), on SQLite
and PostgreSQL: all or nothing, the refusal naming the post, every change audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from content.db import Database
from content.errors import PermissionDenied
from content.models import AuditEvent, Delivery, DeliveryState, Post
from content.posts import PostService
from content.review_actions import BatchRefused, Decision, decide
from content.timeutil import zone
from tests.factories import VOCABULARY, Clock, post_input

WHEN = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
D = DeliveryState


@pytest.fixture
def posts(any_db: Database, clock: Clock) -> PostService:
    return PostService(any_db, VOCABULARY, zone("Asia/Ho_Chi_Minh"), clock=clock)


def waiting(posts: PostService, count: int) -> list[int]:
    officer = posts.actor("cbtt.stttt")
    ids = []
    for number in range(count):
        post = posts.create(
            officer, post_input(title=f"Bài {number}", scheduled_at=WHEN, channels=["web-asean"])
        )
        assert post.id is not None
        posts.submit(officer, post.id)
        ids.append(post.id)
    return ids


def states(db: Database, ids: list[int]) -> list[str]:
    with db.read() as session:
        return [p.state for p in (session.get(Post, i) for i in ids) if p is not None]


def test_approve_reject_and_reopen_several(posts: PostService) -> None:
    editor = posts.actor("bientap")
    ids = waiting(posts, 3)
    decide(posts, editor, ids[:2], Decision.approve, "Tốt")
    decide(posts, editor, ids[2:], Decision.reject, "Thiếu ảnh")
    assert states(posts.db, ids) == ["approved", "approved", "rejected"]
    decide(posts, editor, ids, Decision.reopen)
    assert states(posts.db, ids) == ["in_review"] * 3
    with posts.db.read() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "post.reopened")).all()
        deliveries = session.exec(select(Delivery).where(Delivery.post_id.in_(ids))).all()  # type: ignore[attr-defined]
    assert sorted((e.post_id, e.detail["undone"]) for e in events) == [
        (ids[0], "approved"), (ids[1], "approved"), (ids[2], "rejected")
    ]  # fmt: skip
    assert {d.state for d in deliveries} == {D.pending}


def test_one_refusal_changes_nothing_and_names_the_post(posts: PostService) -> None:
    editor = posts.actor("bientap")
    ids = waiting(posts, 3)
    posts.approve(editor, ids[1])  # no longer waiting: approving it again is refused
    with pytest.raises(BatchRefused) as refused:
        decide(posts, editor, ids, Decision.approve)
    assert refused.value.post_id == ids[1]
    assert f"#{ids[1]} “Bài 1”" in refused.value.vi and "Không bài nào" in refused.value.vi
    assert states(posts.db, ids) == ["in_review", "approved", "in_review"]


def test_an_editor_cannot_approve_their_own_post_in_a_batch(posts: PostService) -> None:
    ids = waiting(posts, 1)
    editor = posts.actor("bientap")
    own = posts.create(editor, post_input(scheduled_at=WHEN, channels=["web-asean"]))
    assert own.id is not None
    posts.submit(editor, own.id)
    with pytest.raises(BatchRefused) as refused:
        decide(posts, editor, [ids[0], own.id], Decision.approve)
    assert isinstance(refused.value.__cause__, PermissionDenied)
    assert states(posts.db, [ids[0], own.id]) == ["in_review", "in_review"]
