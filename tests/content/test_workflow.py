"""The editorial workflow through PostService: every action from every state, who may act,
what happens to deliveries, what the audit trail says, and that refusals change nothing."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import func, select

from content.db import Database
from content.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TransitionRefused,
    UserError,
)
from content.inputs import MediaRef
from content.models import AuditEvent, Delivery, Media, Post, User
from content.posts import PostService
from content.queries import deliveries_of
from content.timeutil import zone
from content.workflow import state_label
from scheduler.publication import channel_checker
from tests.factories import VOCABULARY, Clock, post_input

TZ = zone("Asia/Ho_Chi_Minh")
# The clock starts at 2026-12-01 01:00 UTC (08:00 in Hue, a Tuesday).
WHEN = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # Wed 09:00 in Hue
LATER = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)  # Thu 14:00 in Hue
TWO_CHANNELS = ["fb-asean-hue", "web-asean"]

OFFICER = "cbtt.stttt"  # officer of STTTT, the author of the posts below
OTHER_OFFICER = "cbtt.sdl"  # officer of SDL
EDITOR = "bientap"  # editor of STTTT
OTHER_EDITOR = "bientap2"  # editor of SDL

STATES = ["draft", "in_review", "approved", "rejected", "cancelled"]
ACTIONS = ["edit", "submit", "approve", "reject", "cancel", "reschedule"]

# (action, from state) -> the state it lands in; a missing pair is refused. Edit, submit,
# cancel and reschedule are taken by the officer who wrote the post, approve and reject by an
# editor of the same department.
OUTCOME: dict[tuple[str, str], str] = {
    ("edit", "draft"): "draft",
    ("edit", "in_review"): "in_review",
    ("edit", "approved"): "in_review",
    ("edit", "rejected"): "draft",
    ("submit", "draft"): "in_review",
    ("approve", "in_review"): "approved",
    ("reject", "in_review"): "rejected",
    ("cancel", "draft"): "cancelled",
    ("cancel", "in_review"): "cancelled",
    ("cancel", "approved"): "cancelled",
    ("cancel", "rejected"): "cancelled",
    ("reschedule", "draft"): "draft",
    ("reschedule", "in_review"): "in_review",
    ("reschedule", "approved"): "in_review",  # an officer moving it needs a fresh review
    ("reschedule", "rejected"): "draft",
}
DELIVERY_STATE_FOR = {
    "draft": "pending",
    "in_review": "pending",
    "rejected": "pending",
    "approved": "scheduled",
    "cancelled": "cancelled",
}
AUDIT_ACTION = {
    "edit": "post.edited",
    "submit": "post.submitted",
    "approve": "post.approved",
    "reject": "post.rejected",
    "cancel": "post.cancelled",
    "reschedule": "post.rescheduled",
}


# -- helpers ----------------------------------------------------------------------------------


def is_vietnamese(text: str) -> bool:
    decomposed = unicodedata.normalize("NFD", text)
    return "đ" in text.lower() or any(unicodedata.combining(char) for char in decomposed)


def make_post(
    service: PostService, state: str = "draft", *, author: str = OFFICER, **fields: Any
) -> int:
    """A post by `author` brought to `state` through the service itself."""
    writer = service.actor(author)
    editor = service.actor(OTHER_EDITOR if author == EDITOR else EDITOR)
    fields.setdefault("scheduled_at", WHEN)
    fields.setdefault("channels", list(TWO_CHANNELS))
    post = service.create(writer, post_input(**fields))
    assert post.id is not None
    if state == "cancelled":
        service.cancel(writer, post.id, "không cần nữa")
    elif state != "draft":
        service.submit(writer, post.id)
        if state == "approved":
            service.approve(editor, post.id)
        elif state == "rejected":
            service.reject(editor, post.id, "Tiêu đề cần ngắn gọn hơn.")
    assert service.detail(post.id).post.state == state
    return post.id


def snapshot(db: Database, post_id: int) -> tuple[Any, ...]:
    """Everything a refused change must leave as it was."""
    with db.read() as session:
        post = session.get(Post, post_id)
        assert post is not None
        deliveries = [d.model_dump() for d in deliveries_of(session, post_id)]
        events = session.exec(select(func.count()).select_from(AuditEvent)).one()
        posts = session.exec(select(func.count()).select_from(Post)).one()
        return post.model_dump(), deliveries, events, posts


def count(db: Database, table: type[Any]) -> int:
    with db.read() as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def set_delivery(db: Database, post_id: int, channel_id: str, **values: Any) -> None:
    with db.write() as session:
        delivery = session.exec(
            select(Delivery).where(Delivery.post_id == post_id, Delivery.channel_id == channel_id)
        ).one()
        for name, value in values.items():
            setattr(delivery, name, value)
        session.add(delivery)


def delivery_states(service: PostService, post_id: int) -> dict[str, str]:
    return {d.channel_id: d.state for d in service.detail(post_id).deliveries}


def run(service: PostService, action: str, post_id: int, username: str | None = None) -> Post:
    """Take `action` as the usual actor for it (or as `username`)."""
    default = EDITOR if action in ("approve", "reject") else OFFICER
    who = service.actor(username or default)
    if action == "edit":
        return service.edit(who, post_id, {"title": "Tuần Văn hóa ASEAN tại Huế"})
    if action == "submit":
        return service.submit(who, post_id)
    if action == "approve":
        return service.approve(who, post_id, "Được.")
    if action == "reject":
        return service.reject(who, post_id, "Cần thêm ảnh.")
    if action == "cancel":
        return service.cancel(who, post_id, "Trùng lịch.")
    if action == "reschedule":
        return service.reschedule(who, post_id, LATER)
    raise AssertionError(action)


def problem_fields(error: InvalidInput) -> list[str]:
    return [p.field for p in error.problems]


# -- every action from every state ------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_action_from_state(service: PostService, db: Database, action: str, state: str) -> None:
    post_id = make_post(service, state)
    expected = OUTCOME.get((action, state))
    if expected is None:
        before = snapshot(db, post_id)
        with pytest.raises(TransitionRefused) as refused:
            run(service, action, post_id)
        assert f"post #{post_id}" in refused.value.en
        assert f"it is {state_label(state, 'en').lower()}" in refused.value.en
        assert f"#{post_id}" in refused.value.vi
        assert f"“{state_label(state, 'vi')}”" in refused.value.vi
        assert is_vietnamese(refused.value.vi)
        assert str(refused.value) == refused.value.en
        assert snapshot(db, post_id) == before
        return

    version_before = service.detail(post_id).post.version
    events_before = len(service.detail(post_id).events)
    returned = run(service, action, post_id)
    assert returned.state == expected
    detail = service.detail(post_id)
    assert detail.post.state == expected
    assert detail.post.version == version_before + 1
    expected_at = LATER if action == "reschedule" else WHEN
    assert detail.post.scheduled_at == expected_at
    assert sorted(d.channel_id for d in detail.deliveries) == TWO_CHANNELS
    for delivery in detail.deliveries:
        assert delivery.state == DELIVERY_STATE_FOR[expected]
        assert delivery.due_at == expected_at
    assert len(detail.events) == events_before + 1
    last = detail.events[-1]
    assert last.action == AUDIT_ACTION[action]
    assert last.actor == (EDITOR if action in ("approve", "reject") else OFFICER)
    assert last.detail["state"] == [state, expected]


def test_transition_hint_explains_what_to_do(service: PostService) -> None:
    post_id = make_post(service, "rejected")
    with pytest.raises(TransitionRefused) as refused:
        service.submit(service.actor(OFFICER), post_id)
    assert "edit it to address the editor's comment first" in refused.value.en
    assert "hãy sửa bài theo góp ý" in refused.value.vi


def test_unknown_post_is_not_found(service: PostService) -> None:
    with pytest.raises(NotFound) as missing:
        service.submit(service.actor(OFFICER), 9999)
    assert "#9999" in missing.value.en


# -- what edits and reschedules do to the state and the deliveries ----------------------------


def test_editing_an_approved_post_returns_it_to_review(service: PostService, db: Database) -> None:
    post_id = make_post(service, "approved")
    assert set(delivery_states(service, post_id).values()) == {"scheduled"}
    post = service.edit(service.actor(EDITOR), post_id, {"body": "Nội dung mới."})
    assert post.state == "in_review"
    assert set(delivery_states(service, post_id).values()) == {"pending"}
    last = service.detail(post_id).events[-1]
    assert (last.actor, last.action) == (EDITOR, "post.edited")
    assert last.detail["changes"] == {"body": [post_input().body, "Nội dung mới."]}
    assert last.detail["state"] == ["approved", "in_review"]


def test_editor_rescheduling_an_approved_post_keeps_it_approved(service: PostService) -> None:
    post_id = make_post(service, "approved")
    post = service.reschedule(service.actor(OTHER_EDITOR), post_id, LATER)
    assert post.state == "approved"
    detail = service.detail(post_id)
    assert detail.post.scheduled_at == LATER
    assert [(d.state, d.due_at) for d in detail.deliveries] == [("scheduled", LATER)] * 2
    last = detail.events[-1]
    assert (last.actor, last.action) == (OTHER_EDITOR, "post.rescheduled")
    assert last.detail["changes"]["scheduled_at"] == [WHEN.isoformat(), LATER.isoformat()]
    assert last.detail["state"] == ["approved", "approved"]


def test_editor_editing_only_the_time_keeps_approval(service: PostService) -> None:
    post_id = make_post(service, "approved")
    post = service.edit(service.actor(EDITOR), post_id, {"scheduled_at": LATER})
    assert post.state == "approved"
    assert {d.due_at for d in service.detail(post_id).deliveries} == {LATER}


def test_officer_rescheduling_an_approved_post_sends_it_back(service: PostService) -> None:
    post_id = make_post(service, "approved")
    post = service.reschedule(service.actor(OFFICER), post_id, LATER)
    assert post.state == "in_review"
    detail = service.detail(post_id)
    assert [(d.state, d.due_at) for d in detail.deliveries] == [("pending", LATER)] * 2


def test_editing_a_rejected_post_returns_it_to_draft(service: PostService) -> None:
    post_id = make_post(service, "rejected")
    assert service.detail(post_id).post.review_comment == "Tiêu đề cần ngắn gọn hơn."
    post = service.edit(service.actor(OFFICER), post_id, {"title": "Tiêu đề ngắn"})
    assert post.state == "draft"
    # From draft it can be submitted again.
    assert service.submit(service.actor(OFFICER), post_id).state == "in_review"


def test_an_edit_that_changes_nothing_writes_nothing(service: PostService, db: Database) -> None:
    post_id = make_post(service, "approved")
    before = snapshot(db, post_id)
    post = service.edit(service.actor(EDITOR), post_id, {"title": post_input().title})
    assert post.state == "approved"
    assert snapshot(db, post_id) == before


def test_reschedule_needs_exactly_one_of_time_and_next_slot(
    service: PostService, db: Database
) -> None:
    post_id = make_post(service)
    before = snapshot(db, post_id)
    officer = service.actor(OFFICER)
    for when, next_slot in ((None, False), (LATER, True)):
        with pytest.raises(InvalidInput) as refused:
            service.reschedule(officer, post_id, when, next_slot=next_slot)
        assert problem_fields(refused.value) == ["at"]
    with pytest.raises(InvalidInput) as past:
        service.reschedule(officer, post_id, datetime(2026, 11, 30, 1, 0, tzinfo=UTC))
    assert "2026-11-30 08:00" in past.value.en  # shown in the configured zone
    assert "đã qua" in past.value.vi
    assert snapshot(db, post_id) == before


def test_unknown_edit_field_is_refused(service: PostService, db: Database) -> None:
    post_id = make_post(service)
    before = snapshot(db, post_id)
    with pytest.raises(InvalidInput) as refused:
        service.edit(service.actor(OFFICER), post_id, {"colour": "red", "state": "approved"})
    assert problem_fields(refused.value) == ["colour", "state"]
    assert snapshot(db, post_id) == before


def test_editor_cannot_move_an_approved_post_into_the_past(
    service: PostService, db: Database
) -> None:
    post_id = make_post(service, "approved")
    before = snapshot(db, post_id)
    past = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        service.edit(service.actor(EDITOR), post_id, {"scheduled_at": past})
    assert snapshot(db, post_id) == before


# -- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "state"),
    [
        (action, state)
        for action in ("edit", "submit", "cancel", "reschedule")
        for state in ("draft", "in_review", "approved", "rejected")
        if (action, state) in OUTCOME
    ],
)
def test_officer_of_another_department_is_refused(
    service: PostService, db: Database, action: str, state: str
) -> None:
    post_id = make_post(service, state)
    before = snapshot(db, post_id)
    with pytest.raises(NotFound) as denied:
        run(service, action, post_id, OTHER_OFFICER)
    # the words of a post that does not exist: neither its department nor its existence told
    assert (denied.value.vi, denied.value.en) == (
        f"Không có bài #{post_id}.",
        f"no post #{post_id}",
    )
    assert snapshot(db, post_id) == before


@pytest.mark.parametrize("action", ["approve", "reject"])
@pytest.mark.parametrize("username", [OFFICER, OTHER_OFFICER])
def test_officers_cannot_review(
    service: PostService, db: Database, action: str, username: str
) -> None:
    post_id = make_post(service, "in_review")
    before = snapshot(db, post_id)
    with pytest.raises(PermissionDenied) as denied:
        run(service, action, post_id, username)
    assert f"only editors may {action}" in denied.value.en
    assert "Chỉ biên tập viên" in denied.value.vi
    assert snapshot(db, post_id) == before


@pytest.mark.parametrize("author", [EDITOR, "admin"])
def test_an_editor_cannot_approve_their_own_post(
    service: PostService, db: Database, author: str
) -> None:
    post_id = make_post(service, "in_review", author=author)
    before = snapshot(db, post_id)
    with pytest.raises(PermissionDenied) as denied:
        service.approve(service.actor(author), post_id)
    assert f"{author} wrote this post" in denied.value.en
    assert is_vietnamese(denied.value.vi)
    assert snapshot(db, post_id) == before
    # Another editor, of another department, may.
    assert service.approve(service.actor(OTHER_EDITOR), post_id).state == "approved"


def test_an_author_editor_may_still_reject_their_own_post(service: PostService) -> None:
    post_id = make_post(service, "in_review", author=EDITOR)
    assert service.reject(service.actor(EDITOR), post_id, "Rút lại.").state == "rejected"


def test_editors_act_on_every_department(service: PostService) -> None:
    # A post of SDL on SDL's own page, written by SDL's officer.
    post_id = make_post(service, author=OTHER_OFFICER, department="SDL", channels=["fb-dulich-hue"])
    editor = service.actor(EDITOR)  # of STTTT
    assert service.edit(editor, post_id, {"audience": "Thanh niên"}).state == "draft"
    assert service.reschedule(editor, post_id, LATER).scheduled_at == LATER
    assert service.submit(editor, post_id).state == "in_review"
    assert service.reject(editor, post_id, "Thiếu ảnh.").state == "rejected"
    service.edit(service.actor(OTHER_OFFICER), post_id, {"body": "Có ảnh rồi."})
    service.submit(service.actor(OTHER_OFFICER), post_id)
    assert service.approve(editor, post_id).state == "approved"
    assert service.cancel(service.actor("admin"), post_id).state == "cancelled"
    actors = [(e.actor, e.action) for e in service.detail(post_id).events]
    assert actors == [
        (OTHER_OFFICER, "post.created"),
        (EDITOR, "post.edited"),
        (EDITOR, "post.rescheduled"),
        (EDITOR, "post.submitted"),
        (EDITOR, "post.rejected"),
        (OTHER_OFFICER, "post.edited"),
        (OTHER_OFFICER, "post.submitted"),
        (EDITOR, "post.approved"),
        ("admin", "post.cancelled"),
    ]


def test_a_disabled_user_cannot_act(service: PostService, db: Database) -> None:
    assert service.actor(OFFICER).department_code == "STTTT"
    with db.write() as session:
        user = session.exec(select(User).where(User.username == OFFICER)).one()
        user.active = False
        session.add(user)
    with pytest.raises(PermissionDenied) as denied:
        service.actor(OFFICER)
    assert "disabled" in denied.value.en
    assert is_vietnamese(denied.value.vi)
    with pytest.raises(NotFound):
        service.actor("nobody")


def test_officers_cannot_use_another_departments_private_channel(
    service: PostService, db: Database
) -> None:
    posts = count(db, Post)
    with pytest.raises(InvalidInput) as refused:
        service.create(service.actor(OFFICER), post_input(channels=["fb-dulich-hue", "web-asean"]))
    assert problem_fields(refused.value) == ["channels"]
    assert "fb-dulich-hue belongs to SDL" in refused.value.en
    assert count(db, Post) == posts
    # Its own department's officer, and any editor, may use it.
    own = service.create(
        service.actor(OTHER_OFFICER), post_input(department="SDL", channels=["fb-dulich-hue"])
    )
    assert own.department_code == "SDL"
    service.create(service.actor(EDITOR), post_input(channels=["fb-dulich-hue"]))
    assert count(db, Post) == posts + 2
    # Adding it by an edit is refused just the same.
    post_id = make_post(service)
    before = snapshot(db, post_id)
    with pytest.raises(InvalidInput):
        service.edit(service.actor(OFFICER), post_id, {"channels": ["web-asean", "fb-dulich-hue"]})
    assert snapshot(db, post_id) == before


def test_officers_write_only_for_their_own_department(service: PostService, db: Database) -> None:
    posts = count(db, Post)
    with pytest.raises(InvalidInput) as refused:
        service.create(service.actor(OFFICER), post_input(department="SDL"))
    assert problem_fields(refused.value) == ["department"]
    assert "may only write posts for STTTT" in refused.value.en
    assert count(db, Post) == posts
    post_id = make_post(service)
    before = snapshot(db, post_id)
    with pytest.raises(InvalidInput):
        service.edit(service.actor(OFFICER), post_id, {"department": "SDL"})
    assert snapshot(db, post_id) == before
    # An editor may write for any department.
    assert service.create(service.actor(EDITOR), post_input(department="SDL")).id is not None


# -- reject, cancel, conflicts ----------------------------------------------------------------


@pytest.mark.parametrize("comment", ["", "   \n"])
def test_reject_requires_a_comment(service: PostService, db: Database, comment: str) -> None:
    post_id = make_post(service, "in_review")
    before = snapshot(db, post_id)
    with pytest.raises(InvalidInput) as refused:
        service.reject(service.actor(EDITOR), post_id, comment)
    assert problem_fields(refused.value) == ["comment"]
    assert snapshot(db, post_id) == before


def test_reject_keeps_the_comment_for_the_author(service: PostService) -> None:
    post_id = make_post(service, "in_review")
    service.reject(service.actor(EDITOR), post_id, "  Thiếu nguồn ảnh.  ")
    detail = service.detail(post_id)
    assert detail.post.review_comment == "Thiếu nguồn ảnh."
    assert detail.events[-1].detail["comment"] == "  Thiếu nguồn ảnh.  "


def test_cancel_cancels_only_deliveries_that_are_not_final(service: PostService) -> None:
    channels = ["fb-asean-hue", "web-asean", "yt-hue-asean", "zalo-asean-hue"]
    post_id = make_post(service, "approved", channels=channels)
    db = service.db
    set_delivery(db, post_id, "web-asean", state="published", remote_id="wp-1")
    set_delivery(db, post_id, "yt-hue-asean", state="failed", last_error="quota")
    set_delivery(db, post_id, "zalo-asean-hue", state="needs_review")
    post = service.cancel(service.actor(OFFICER), post_id, "Thay đổi kế hoạch")
    assert post.state == "cancelled"
    assert delivery_states(service, post_id) == {
        "fb-asean-hue": "cancelled",
        "web-asean": "published",
        "yt-hue-asean": "failed",
        "zalo-asean-hue": "cancelled",
    }
    last = service.detail(post_id).events[-1]
    assert (last.actor, last.action) == (OFFICER, "post.cancelled")
    assert last.detail["reason"] == "Thay đổi kế hoạch"


def test_cancelling_a_post_published_everywhere_is_a_conflict(
    service: PostService, db: Database
) -> None:
    post_id = make_post(service, "approved")
    for channel_id in TWO_CHANNELS:
        set_delivery(db, post_id, channel_id, state="published")
    before = snapshot(db, post_id)
    with pytest.raises(Conflict) as conflict:
        service.cancel(service.actor(OFFICER), post_id)
    assert "already published on every channel" in conflict.value.en
    assert snapshot(db, post_id) == before


@pytest.mark.parametrize("flight_state", ["claimed", "sending", "reconciling"])
@pytest.mark.parametrize("action", ["edit", "cancel", "reschedule"])
def test_a_delivery_in_flight_blocks_changes(
    service: PostService, db: Database, action: str, flight_state: str
) -> None:
    post_id = make_post(service, "approved")
    set_delivery(db, post_id, "fb-asean-hue", state=flight_state)
    before = snapshot(db, post_id)
    with pytest.raises(Conflict) as conflict:
        run(service, action, post_id)
    assert "being published on fb-asean-hue right now" in conflict.value.en
    assert is_vietnamese(conflict.value.vi)
    assert snapshot(db, post_id) == before


def test_expected_version_mismatch_is_a_conflict(service: PostService, db: Database) -> None:
    post_id = make_post(service)
    officer = service.actor(OFFICER)
    version = service.detail(post_id).post.version
    service.edit(officer, post_id, {"body": "Lần 1"}, expected_version=version)
    before = snapshot(db, post_id)
    with pytest.raises(Conflict) as conflict:
        service.edit(officer, post_id, {"body": "Lần 2"}, expected_version=version)
    assert "changed by someone else" in conflict.value.en
    assert snapshot(db, post_id) == before
    post = service.edit(officer, post_id, {"body": "Lần 2"}, expected_version=version + 1)
    assert (post.body, post.version) == ("Lần 2", version + 2)


# -- removing a channel -----------------------------------------------------------------------


def test_removing_an_untouched_channel_deletes_its_delivery(
    service: PostService, db: Database
) -> None:
    post_id = make_post(service, "approved")
    deliveries = count(db, Delivery)
    service.edit(service.actor(EDITOR), post_id, {"channels": ["web-asean"]})
    assert delivery_states(service, post_id) == {"web-asean": "pending"}
    assert count(db, Delivery) == deliveries - 1
    assert service.detail(post_id).post.state == "in_review"


def test_removing_a_tried_channel_cancels_its_delivery(service: PostService, db: Database) -> None:
    post_id = make_post(service)
    set_delivery(db, post_id, "fb-asean-hue", attempts=1, last_error="timeout")
    deliveries = count(db, Delivery)
    service.edit(service.actor(OFFICER), post_id, {"channels": ["web-asean"]})
    assert delivery_states(service, post_id) == {
        "fb-asean-hue": "cancelled",
        "web-asean": "pending",
    }
    assert count(db, Delivery) == deliveries
    # Choosing the channel again brings the same delivery back.
    service.edit(service.actor(OFFICER), post_id, {"channels": TWO_CHANNELS})
    assert delivery_states(service, post_id) == {"fb-asean-hue": "pending", "web-asean": "pending"}
    assert count(db, Delivery) == deliveries


def test_removing_a_published_channel_is_a_conflict(service: PostService, db: Database) -> None:
    post_id = make_post(service, "approved")
    set_delivery(db, post_id, "fb-asean-hue", state="published", remote_id="1_2")
    before = snapshot(db, post_id)
    with pytest.raises(Conflict) as conflict:
        service.edit(service.actor(EDITOR), post_id, {"channels": ["web-asean"]})
    assert "already published on fb-asean-hue" in conflict.value.en
    assert snapshot(db, post_id) == before


# -- the audit trail --------------------------------------------------------------------------


def test_every_change_is_audited_with_actor_and_action(service: PostService) -> None:
    officer, editor = service.actor(OFFICER), service.actor(EDITOR)
    post_id = service.create(officer, post_input(scheduled_at=WHEN, channels=["web-asean"])).id
    assert post_id is not None
    service.edit(officer, post_id, {"hashtags": ["#ASEAN", "Hue2026"]})
    service.reschedule(officer, post_id, LATER)
    service.submit(officer, post_id)
    service.reject(editor, post_id, "Sai chính tả.")
    service.edit(officer, post_id, {"title": "Ngày ASEAN 8/8 tại Huế"})
    service.submit(officer, post_id)
    service.approve(service.actor(OTHER_EDITOR), post_id, "Tốt.")
    service.reschedule(editor, post_id, WHEN)
    service.cancel(service.actor("admin"), post_id, "Hoãn sự kiện")
    events = service.detail(post_id).events
    assert [(e.actor, e.action, e.post_id) for e in events] == [
        (OFFICER, "post.created", post_id),
        (OFFICER, "post.edited", post_id),
        (OFFICER, "post.rescheduled", post_id),
        (OFFICER, "post.submitted", post_id),
        (EDITOR, "post.rejected", post_id),
        (OFFICER, "post.edited", post_id),
        (OFFICER, "post.submitted", post_id),
        (OTHER_EDITOR, "post.approved", post_id),
        (EDITOR, "post.rescheduled", post_id),
        ("admin", "post.cancelled", post_id),
    ]
    assert events[0].detail == {"title": post_input().title, "channels": ["web-asean"]}
    assert events[1].detail["changes"] == {"hashtags": [["ASEAN", "Hue"], ["ASEAN", "Hue2026"]]}
    assert [e.detail["state"] for e in events[1:]] == [
        ["draft", "draft"],
        ["draft", "draft"],
        ["draft", "in_review"],
        ["in_review", "rejected"],
        ["rejected", "draft"],
        ["draft", "in_review"],
        ["in_review", "approved"],
        ["approved", "approved"],
        ["approved", "cancelled"],
    ]
    assert all(e.at.tzinfo is not None for e in events)


# -- submit and approve check the whole post at once ------------------------------------------


def test_submit_lists_every_problem_at_once(service: PostService, db: Database) -> None:
    post_id = make_post(service, channels=[], scheduled_at=None)
    before = snapshot(db, post_id)
    with pytest.raises(InvalidInput) as refused:
        service.submit(service.actor(OFFICER), post_id)
    assert problem_fields(refused.value) == ["channels", "at"]
    assert f"post #{post_id} cannot be submitted" in refused.value.en
    assert len(refused.value.lines("vi")) == 2
    assert all(is_vietnamese(line) for line in refused.value.lines("vi"))
    assert snapshot(db, post_id) == before


def test_submit_refuses_a_time_in_the_past(service: PostService, clock: Clock) -> None:
    post_id = make_post(service)
    clock.advance(days=2)
    with pytest.raises(InvalidInput) as refused:
        service.submit(service.actor(OFFICER), post_id)
    assert problem_fields(refused.value) == ["at"]
    assert "the time 2026-12-02 09:00 is in the past" in refused.value.en


def test_approve_refuses_a_time_that_passed_during_review(
    service: PostService, db: Database, clock: Clock
) -> None:
    post_id = make_post(service, "in_review")
    clock.now = WHEN  # exactly at the time is too late as well
    before = snapshot(db, post_id)
    with pytest.raises(InvalidInput) as refused:
        service.approve(service.actor(EDITOR), post_id)
    assert problem_fields(refused.value) == ["at"]
    assert "cannot be approved" in refused.value.en
    assert snapshot(db, post_id) == before


def test_submit_with_only_cancelled_deliveries_has_no_channel(
    service: PostService, db: Database
) -> None:
    post_id = make_post(service, channels=["fb-asean-hue"])
    set_delivery(db, post_id, "fb-asean-hue", attempts=2)
    service.edit(service.actor(OFFICER), post_id, {"channels": []})
    with pytest.raises(InvalidInput) as refused:
        service.submit(service.actor(OFFICER), post_id)
    assert problem_fields(refused.value) == ["channels"]


@pytest.fixture
def checked(db: Database, clock: Clock, tmp_path: Path) -> PostService:
    """A service that also runs each channel adapter's own checks."""

    def media_path(item: Media) -> Path:
        return tmp_path / item.sha256

    checker = channel_checker(media_path)
    return PostService(db, VOCABULARY, TZ, clock=clock, checker=checker)


def test_submit_reports_channel_problems_per_channel(checked: PostService, db: Database) -> None:
    title = "Hội nghị ASEAN " + "x" * 185
    assert len(title) == 200
    past = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    post_id = make_post(
        checked, channels=["yt-hue-asean", "zalo-asean-hue"], title=title, scheduled_at=past
    )
    before = snapshot(db, post_id)
    with pytest.raises(InvalidInput) as refused:
        checked.submit(checked.actor(OFFICER), post_id)
    found = {(p.where, p.field) for p in refused.value.problems}
    assert found == {
        ("", "at"),
        ("zalo-asean-hue", "title"),
        ("zalo-asean-hue", "media"),
        ("yt-hue-asean", "title"),
        ("yt-hue-asean", "media"),
    }
    by_where = {(p.where, p.field): p for p in refused.value.problems}
    zalo_title, youtube_title = (
        by_where["zalo-asean-hue", "title"],
        by_where["yt-hue-asean", "title"],
    )
    assert zalo_title.vi == "Zalo OA giới hạn tiêu đề 149 ký tự — bài này có 200"
    assert zalo_title.en == "Zalo OA limits titles to 149 characters — this one has 200"
    assert youtube_title.en == "YouTube limits titles to 100 characters — this one has 200"
    assert "needs a video" in by_where["yt-hue-asean", "media"].en
    assert "cover" in by_where["zalo-asean-hue", "media"].en
    assert "yt-hue-asean: media: " in refused.value.en
    assert snapshot(db, post_id) == before


def test_approve_runs_the_channel_checks_again(checked: PostService, db: Database) -> None:
    post_id = make_post(checked, "in_review", channels=["web-asean"])
    editor = checked.actor(EDITOR)
    # An editor's edit keeps it in review, and adds a channel the post does not fit.
    checked.edit(editor, post_id, {"channels": ["web-asean", "yt-hue-asean"]})
    assert checked.detail(post_id).post.state == "in_review"
    before = snapshot(db, post_id)
    with pytest.raises(InvalidInput) as refused:
        checked.approve(checked.actor(OTHER_EDITOR), post_id)
    assert {(p.where, p.field) for p in refused.value.problems} == {("yt-hue-asean", "media")}
    assert snapshot(db, post_id) == before
    checked.edit(editor, post_id, {"channels": ["web-asean"]})
    assert checked.approve(checked.actor(OTHER_EDITOR), post_id).state == "approved"


def test_a_post_that_fits_its_channels_passes_the_checker(checked: PostService) -> None:
    post_id = make_post(checked, channels=["fb-asean-hue", "web-asean"])
    assert checked.submit(checked.actor(OFFICER), post_id).state == "in_review"


# -- validation of the input ------------------------------------------------------------------

BAD_INPUT: dict[str, Any] = {
    "topic": "z",
    "pillar": "NATO",
    "department": "BOGUS",
    "channels": ["web-asean", "tiktok-hue"],
    "link": "asean.thuathienhue.gov.vn/tin",
    "hashtags": ["ASEAN", "Hội nghị"],
    "overrides": {"fb-asean-hue": {"title": "x"}, "web-asean": {"colour": "red"}},
}
BAD_FIELDS = [
    "topic",
    "pillar",
    "department",
    "link",
    "hashtags",
    "channels",
    "overrides.fb-asean-hue",
    "overrides.web-asean",
]


def test_every_validation_problem_is_reported_together(service: PostService, db: Database) -> None:
    posts, deliveries, events = count(db, Post), count(db, Delivery), count(db, AuditEvent)
    with pytest.raises(InvalidInput) as refused:
        service.create(service.actor(EDITOR), post_input(**BAD_INPUT))
    assert problem_fields(refused.value) == BAD_FIELDS
    text = refused.value.en
    assert text.startswith("post not saved: ")
    for needle in ("'z'", "'NATO'", "'BOGUS'", "'tiktok-hue'", "'Hội nghị'", "colour"):
        assert needle in text
    assert all(is_vietnamese(line) for line in refused.value.lines("vi"))
    assert (count(db, Post), count(db, Delivery), count(db, AuditEvent)) == (
        posts,
        deliveries,
        events,
    )


def test_an_officer_gets_the_department_problem_too(service: PostService, db: Database) -> None:
    posts = count(db, Post)
    with pytest.raises(InvalidInput) as refused:
        service.create(service.actor(OFFICER), post_input(**BAD_INPUT))
    assert problem_fields(refused.value) == [*BAD_FIELDS, "department"]
    assert count(db, Post) == posts


def test_invalid_edit_changes_nothing(service: PostService, db: Database) -> None:
    post_id = make_post(service, "approved")
    before = snapshot(db, post_id)
    changes = {key: value for key, value in BAD_INPUT.items() if key != "department"}
    with pytest.raises(InvalidInput) as refused:
        service.edit(service.actor(EDITOR), post_id, changes)
    assert f"post #{post_id} not changed" in refused.value.en
    assert len(refused.value.problems) == len(BAD_FIELDS) - 1
    assert snapshot(db, post_id) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"missed_policy": "retry"}, "missed"),
        ({"grace_minutes": -1}, "grace_minutes"),
        ({"channels": ["web-asean", "web-asean"]}, "channels"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"scheduled_at": LATER, "next_slot": True}, "at"),
    ],
)
def test_single_field_problems(
    service: PostService, db: Database, changes: dict[str, Any], field: str
) -> None:
    posts = count(db, Post)
    with pytest.raises(InvalidInput) as refused:
        service.create(service.actor(OFFICER), post_input(**changes))
    assert problem_fields(refused.value) == [field]
    assert count(db, Post) == posts


def test_hashtags_are_normalised(service: PostService) -> None:
    post = service.create(
        service.actor(OFFICER), post_input(hashtags=["#ASEAN", " ASEAN ", "#", "Huế"])
    )
    assert post.hashtags == ["ASEAN", "Huế"]


def refuse(call: Callable[[], Any]) -> UserError:
    with pytest.raises(UserError) as refused:
        call()
    return refused.value


def test_every_refusal_is_a_user_error_with_both_languages(service: PostService) -> None:
    post_id = make_post(service, "cancelled")
    officer = service.actor(OFFICER)
    errors = [
        refuse(lambda: service.edit(officer, post_id, {"title": "x"})),
        refuse(lambda: service.approve(officer, post_id)),
        refuse(lambda: service.create(officer, post_input(topic="q"))),
    ]
    assert [type(e) for e in errors] == [TransitionRefused, PermissionDenied, InvalidInput]
    for error in errors:
        assert error.text("en") == error.en
        assert error.text("vi") == error.vi
        assert error.vi != error.en


def test_clock_is_eight_in_the_morning_in_hue(clock: Clock) -> None:
    # The tests above rely on the fixture's starting time.
    assert clock().astimezone(TZ).strftime("%a %H:%M") == "Tue 08:00"
    assert WHEN - clock() == timedelta(hours=25)


def test_an_attached_video_satisfies_youtube(
    checked: PostService, db: Database, tmp_path: Path
) -> None:
    sha = "ab" * 32
    with db.write() as session:
        session.add(
            Media(sha256=sha, kind="video", mime="video/mp4", size_bytes=5_000_000, alt_text="")
        )
    post_id = make_post(
        checked, channels=["yt-hue-asean"], media=[MediaRef(sha, "Lễ thượng cờ ASEAN")]
    )
    assert checked.submit(checked.actor(OFFICER), post_id).state == "in_review"
    assert [m.sha256 for m, _ in checked.detail(post_id).media] == [sha]
