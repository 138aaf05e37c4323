"""Retrying and cancelling one delivery, pausing a channel, and today's quota use: who may,
from which states, what the audit trail says, and that refusals change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from content import channel_admin
from content.db import Database
from content.deliveries import DeliveryService
from content.errors import InvalidInput, NotFound, PermissionDenied, TransitionRefused
from content.models import Attempt, AuditEvent, Channel, Delivery, DeliveryState
from content.posts import PostService
from content.quota import units_used
from content.timeutil import zone
from tests.factories import Clock, post_input

TZ = zone("Asia/Ho_Chi_Minh")
WHEN = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # Wed 09:00 in Hue
D = DeliveryState


@pytest.fixture
def deliveries(db: Database, clock: Clock) -> DeliveryService:
    return DeliveryService(db, TZ, clock=clock)


def approved_post(service: PostService, channels: list[str] | None = None) -> int:
    officer, editor = service.actor("cbtt.stttt"), service.actor("bientap")
    post = service.create(
        officer, post_input(channels=channels or ["fb-asean-hue", "web-asean"], scheduled_at=WHEN)
    )
    assert post.id is not None
    service.submit(officer, post.id)
    service.approve(editor, post.id)
    return post.id


def fail(db: Database, post_id: int, channel_id: str, state: str = D.failed) -> int:
    """Make the delivery fail as the worker would: an attempt with its error, then the state."""
    with db.write() as session:
        delivery = session.exec(
            select(Delivery).where(Delivery.post_id == post_id, Delivery.channel_id == channel_id)
        ).one()
        assert delivery.id is not None
        delivery.state = state
        delivery.attempts = 3
        delivery.last_error = "Rejected: (#100) the link is not allowed"
        session.add(
            Attempt(
                delivery_id=delivery.id,
                number=3,
                worker_id="w1",
                started_at=WHEN,
                finished_at=WHEN + timedelta(seconds=2),
                outcome="failed",
                error_kind="Rejected",
                error_message="(#100) the link is not allowed",
            )
        )
        return delivery.id


def delivery_row(db: Database, delivery_id: int) -> Delivery:
    with db.read() as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None
        return row


def events(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_retry_now_schedules_a_failed_delivery_and_keeps_its_evidence(
    db: Database, service: PostService, deliveries: DeliveryService, clock: Clock
) -> None:
    post_id = approved_post(service)
    delivery_id = fail(db, post_id, "fb-asean-hue")
    retried = deliveries.retry(service.actor("cbtt.stttt"), delivery_id)
    assert (retried.state, retried.due_at, retried.attempts) == (D.scheduled, clock.now, 0)
    (evidence,) = [e for e in deliveries.evidence(post_id) if e.delivery.id == delivery_id]
    assert [a.error_kind for a in evidence.attempts] == ["Rejected"]  # the evidence stays
    (event,) = events(db, "delivery.retried")
    assert event.actor == "cbtt.stttt" and event.channel_id == "fb-asean-hue"
    assert event.detail["state"] == ["failed", "scheduled"]
    assert "the link is not allowed" in event.detail["last_error"]


def test_retry_at_a_chosen_time_and_refusals_of_the_past(
    db: Database, service: PostService, deliveries: DeliveryService, clock: Clock
) -> None:
    post_id = approved_post(service)
    delivery_id = fail(db, post_id, "web-asean", D.missed)
    editor = service.actor("bientap")
    with pytest.raises(InvalidInput) as refused:
        deliveries.retry(editor, delivery_id, clock.now - timedelta(minutes=5))
    assert refused.value.problems[0].field == "at"
    assert "đã qua" in refused.value.vi
    assert delivery_row(db, delivery_id).state == D.missed
    later = clock.now + timedelta(hours=3)
    assert deliveries.retry(editor, delivery_id, later).due_at == later


@pytest.mark.parametrize("state", [D.scheduled, D.published, D.cancelled, D.sending, D.pending])
def test_retry_is_refused_outside_failed_missed_needs_review(
    db: Database, service: PostService, deliveries: DeliveryService, state: str
) -> None:
    post_id = approved_post(service)
    delivery_id = fail(db, post_id, "web-asean", state)
    with pytest.raises(TransitionRefused) as refused:
        deliveries.retry(service.actor("bientap"), delivery_id)
    assert "chỉ thử lại" in refused.value.vi
    assert delivery_row(db, delivery_id).state == state
    assert events(db, "delivery.retried") == []


def test_retry_of_a_post_no_longer_approved_is_refused(
    db: Database, service: PostService, deliveries: DeliveryService
) -> None:
    post_id = approved_post(service)
    delivery_id = fail(db, post_id, "web-asean", D.needs_review)
    service.cancel(service.actor("bientap"), post_id)  # needs_review is not final: cancelled
    with pytest.raises(TransitionRefused):
        deliveries.retry(service.actor("bientap"), delivery_id)


def test_who_may_retry_and_cancel(
    db: Database, service: PostService, deliveries: DeliveryService
) -> None:
    post_id = approved_post(service)
    delivery_id = fail(db, post_id, "web-asean")
    with pytest.raises(NotFound) as refused:  # another department's: as if it did not exist
        deliveries.retry(service.actor("cbtt.sdl"), delivery_id)
    assert refused.value.vi == f"Không có lượt đăng #{delivery_id}." and "STTTT" not in str(
        refused.value
    )
    with pytest.raises(NotFound):
        deliveries.cancel(service.actor("cbtt.sdl"), delivery_id)
    assert delivery_row(db, delivery_id).state == D.failed
    deliveries.retry(service.actor("bientap2"), delivery_id)  # an editor of another department
    other = fail(db, post_id, "fb-asean-hue")
    assert deliveries.cancel(service.actor("admin"), other, "sai kênh").state == D.cancelled


def test_cancel_one_delivery_leaves_the_others(
    db: Database, service: PostService, deliveries: DeliveryService
) -> None:
    post_id = approved_post(service)
    evidence = {e.delivery.channel_id: e.delivery for e in deliveries.evidence(post_id)}
    fb = evidence["fb-asean-hue"].id
    assert fb is not None
    deliveries.cancel(service.actor("cbtt.stttt"), fb, "  Trang đang bảo trì ")
    states = {e.delivery.channel_id: e.delivery.state for e in deliveries.evidence(post_id)}
    assert states == {"fb-asean-hue": D.cancelled, "web-asean": D.scheduled}
    (event,) = events(db, "delivery.cancelled")
    assert event.detail["reason"] == "Trang đang bảo trì"
    with pytest.raises(TransitionRefused) as refused:
        deliveries.cancel(service.actor("cbtt.stttt"), fb)
    assert "Đã hủy" in refused.value.vi


def test_an_unknown_delivery_is_not_found(
    deliveries: DeliveryService, service: PostService
) -> None:
    with pytest.raises(NotFound):
        deliveries.retry(service.actor("admin"), 999)


def test_only_admins_pause_and_resume_channels(
    db: Database, service: PostService, clock: Clock
) -> None:
    for who in ("bientap", "cbtt.stttt"):
        with pytest.raises(PermissionDenied):
            channel_admin.set_paused(db, service.actor(who), "web-asean", True, clock=clock)
    admin = service.actor("admin")
    channel_admin.set_paused(db, admin, "web-asean", True, clock=clock)
    with pytest.raises(TransitionRefused):
        channel_admin.set_paused(db, admin, "web-asean", True, clock=clock)
    channel_admin.set_paused(db, admin, "web-asean", False, clock=clock)
    with pytest.raises(TransitionRefused):
        channel_admin.set_paused(db, admin, "web-asean", False, clock=clock)
    with pytest.raises(NotFound):
        channel_admin.set_paused(db, admin, "nope", True, clock=clock)
    actions = [(e.action, e.channel_id) for e in events(db, "channel.paused")]
    actions += [(e.action, e.channel_id) for e in events(db, "channel.resumed")]
    assert actions == [("channel.paused", "web-asean"), ("channel.resumed", "web-asean")]


def test_overviews_give_last_success_and_failure(db: Database, service: PostService) -> None:
    post_id = approved_post(service)
    fail(db, post_id, "fb-asean-hue")
    with db.write() as session:
        web = session.exec(
            select(Delivery).where(Delivery.post_id == post_id, Delivery.channel_id == "web-asean")
        ).one()
        web.state, web.published_at = D.published, WHEN
        web.remote_url = "https://asean.example/bai-1"
    with db.read() as session:
        found = {item.id: item for item in channel_admin.overviews(session)}
    assert found["web-asean"].last_success is not None
    assert found["web-asean"].last_success.detail == "https://asean.example/bai-1"
    failure = found["fb-asean-hue"].last_failure
    assert failure is not None and failure.kind == "Rejected" and failure.post_id == post_id
    assert found["zalo-asean-hue"].last_success is None


def test_units_used_today_count_attempts_of_the_pacific_day(
    db: Database, service: PostService
) -> None:
    post_id = approved_post(service, ["yt-hue-asean"])
    delivery_id = fail(db, post_id, "yt-hue-asean")
    with db.write() as session:
        session.add(
            Attempt(
                delivery_id=delivery_id, number=4, started_at=WHEN + timedelta(minutes=1),
                outcome="published",
            )
        )  # fmt: skip
        channel = session.get(Channel, "yt-hue-asean")
        assert channel is not None
    costs = {"videos.insert": 1600, "thumbnails.set": 50}
    with db.read() as session:
        use = units_used(session, "yt-hue-asean", costs, 10_000, WHEN)
        tomorrow = units_used(session, "yt-hue-asean", costs, 10_000, WHEN + timedelta(days=1))
    assert (use.used, use.quota, use.over) == (3200, 10_000, False)
    assert tomorrow.used == 0
