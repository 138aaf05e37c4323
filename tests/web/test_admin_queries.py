"""The admin pages' queries on SQLite and PostgreSQL: the audit trail's filters, pages and stream,
the outcomes' filters and count, and the channel-wide retry (its row locks on PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from content import audit, audit_trail
from content.audit_trail import AuditFilter
from content.db import Database
from content.deliveries import DeliveryService, failed_counts
from content.errors import PermissionDenied
from content.models import Delivery, DeliveryState, Post, User
from content.outcomes import OutcomeFilter, count, outcomes
from content.timeutil import zone
from content.workflow import Actor
from tests.factories import Clock

START = datetime(2026, 8, 1, tzinfo=UTC)


def _actor(db: Database, username: str) -> Actor:
    with db.read() as session:
        user = session.exec(select(User).where(User.username == username)).one()
    assert user.id is not None
    return Actor(user.id, user.username, user.role, user.department_code)


def test_audit_trail_filters_pages_and_streams(any_db: Database) -> None:
    with any_db.write() as session:
        for number in range(25):
            audit.record(
                session, "admin" if number % 2 else "bientap", "post.edited",
                post_id=number % 3 + 1, at=START + timedelta(hours=number),
            )  # fmt: skip
    with any_db.read() as session:
        everything = audit_trail.search(session, AuditFilter(), 1, 10)
        assert everything.total == 25 and everything.pages == 3
        assert [e.at for e in everything.events] == sorted(
            (e.at for e in everything.events), reverse=True
        )
        window = AuditFilter(
            actor="admin", start=START + timedelta(hours=2), end=START + timedelta(hours=12)
        )
        found = audit_trail.search(session, window, 1, 50)
        assert [e.at.hour for e in found.events] == [11, 9, 7, 5, 3]
        assert audit_trail.search(session, AuditFilter(post_id=2), 1, 50).total == 8
    with any_db.write() as session:  # events at one instant: the stream's keyset keeps them all
        for _ in range(6):
            audit.record(session, "admin", "post.created", at=START - timedelta(days=1))
    with any_db.read() as session:
        streamed = list(audit_trail.stream(session, AuditFilter(), batch=4))
        assert len(streamed) == 31 and len({e.id for e in streamed}) == 31
        actors, actions = audit_trail.actors_and_actions(session)
        assert list(actors) == ["admin", "bientap"]
        assert list(actions) == ["post.created", "post.edited"]


def _deliveries(db: Database, states: list[str], channel: str = "web-asean") -> None:
    with db.write() as session:
        author = session.exec(select(User).where(User.username == "cbtt.stttt")).one()
        assert author.id is not None
        for number, state in enumerate(states):
            post = Post(title=f"Bài {number}", topic="a", author_id=author.id,
                        department_code="STTTT", state="approved",
                        scheduled_at=START + timedelta(days=number))  # fmt: skip
            session.add(post)
            session.flush()
            assert post.id is not None
            session.add(Delivery(post_id=post.id, channel_id=channel, state=state,
                                 due_at=post.scheduled_at))  # fmt: skip


def test_outcomes_filter_and_count(any_db: Database) -> None:
    _deliveries(any_db, ["published", "failed", "published", "scheduled"])
    _deliveries(any_db, ["published"], channel="fb-asean-hue")
    with any_db.read() as session:
        assert count(session, OutcomeFilter()) == 5
        published = OutcomeFilter(state="published", channel_id="web-asean")
        assert count(session, published) == 2
        period = OutcomeFilter(start=START + timedelta(days=1), end=START + timedelta(days=3))
        assert [o.post.title for o in outcomes(session, period)] == ["Bài 1", "Bài 2"]
        assert len(list(outcomes(session, OutcomeFilter(), limit=3))) == 3
        assert count(session, OutcomeFilter(department="SDL")) == 0


def test_retry_of_a_channel_moves_only_its_failed_deliveries(
    any_db: Database, clock: Clock
) -> None:
    _deliveries(any_db, [DeliveryState.failed, DeliveryState.failed, DeliveryState.published])
    _deliveries(any_db, [DeliveryState.failed], channel="fb-asean-hue")
    service = DeliveryService(any_db, zone("Asia/Ho_Chi_Minh"), clock=clock)
    with pytest.raises(PermissionDenied):
        service.retry_failed_on_channel(_actor(any_db, "bientap"), "web-asean")
    with any_db.read() as session:
        assert failed_counts(session) == {"web-asean": 2, "fb-asean-hue": 1}
    assert service.retry_failed_on_channel(_actor(any_db, "admin"), "web-asean") == 2
    with any_db.read() as session:
        assert failed_counts(session) == {"fb-asean-hue": 1}
        states = session.exec(select(Delivery.state).where(Delivery.channel_id == "web-asean"))
        assert sorted(states.all()) == ["published", "scheduled", "scheduled"]
