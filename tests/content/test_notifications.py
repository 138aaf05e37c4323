"""Notifications told where the post service moves a post, as each person chose (SQLite and
PostgreSQL): who is told, in which words, once, and the e-mail queued only with an address."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import select

from content import notifications
from content.db import Database
from content.errors import InvalidInput
from content.inputs import PostInput
from content.models import Notification, User
from content.notifications import Choice
from content.posts import PostService
from content.timeutil import zone
from content.users import set_own_email
from tests.factories import VOCABULARY, Clock
from tests.factories import post_input as any_post_input

WHEN = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


def post_input(**fields: Any) -> PostInput:
    return any_post_input(**{"scheduled_at": WHEN, **fields})


@pytest.fixture
def posts(any_db: Database, clock: Clock) -> PostService:
    return PostService(any_db, VOCABULARY, zone("Asia/Ho_Chi_Minh"), clock=clock)


def user_id(db: Database, username: str) -> int:
    with db.read() as session:
        found = session.exec(select(User).where(User.username == username)).one()
        assert found.id is not None
        return found.id


def told(db: Database, username: str) -> list[Notification]:
    with db.read() as session:
        return notifications.recent(session, user_id(db, username))


def all_rows(db: Database) -> list[Notification]:
    with db.read() as session:
        return list(session.exec(select(Notification).order_by(Notification.id)).all())


def test_submit_tells_the_departments_editors_and_admins_not_others(
    posts: PostService, any_db: Database
) -> None:
    officer = posts.actor("cbtt.sdl")
    post = posts.create(officer, post_input(department="SDL", channels=["fb-dulich-hue"]))
    assert all_rows(any_db) == []  # a draft tells nobody
    posts.submit(officer, post.id)

    assert {r.user_id for r in all_rows(any_db)} == {
        user_id(any_db, "bientap2"),  # the editor of SDL
        user_id(any_db, "admin"),
    }
    [note] = told(any_db, "bientap2")
    assert note.event == "post_submitted" and note.link == f"/posts/{post.id}"
    assert note.title_vi.startswith("Bài mới chờ duyệt: «Ngày ASEAN 8/8")
    assert note.title_en.startswith("New post to review: “Ngày ASEAN 8/8")
    assert note.read_at is None and note.email_state == "none"  # no e-mail address


def test_approve_and_reject_tell_the_author_with_the_reason(
    posts: PostService, any_db: Database
) -> None:
    officer, editor = posts.actor("cbtt.stttt"), posts.actor("bientap")
    post = posts.create(officer, post_input())
    posts.submit(officer, post.id)
    posts.reject(editor, post.id, "Ảnh chưa có chú thích")
    posts.edit(officer, post.id, {"body": "Đã thêm chú thích ảnh."})
    posts.submit(officer, post.id)
    posts.approve(editor, post.id, "Tốt")

    approved, rejected = told(any_db, "cbtt.stttt")  # newest first
    assert rejected.event == "post_rejected"
    assert "Lý do: Ảnh chưa có chú thích" in rejected.body_vi
    assert "Reason: Ảnh chưa có chú thích" in rejected.body_en
    assert approved.event == "post_approved" and "Nhận xét: Tốt" in approved.body_vi
    # The editor who acted is not told of the second submission's approval, only the
    # submissions themselves (two rounds: two notifications).
    assert [n.event for n in told(any_db, "bientap")] == ["post_submitted", "post_submitted"]


def test_nobody_is_told_what_they_did_themselves(posts: PostService, any_db: Database) -> None:
    editor, admin = posts.actor("bientap"), posts.actor("admin")
    post = posts.create(editor, post_input())
    posts.submit(editor, post.id)
    assert told(any_db, "bientap") == []  # an editor submitting is one of the reviewers
    posts.approve(admin, post.id)
    assert [n.event for n in told(any_db, "bientap")] == ["post_approved"]
    assert [n.event for n in told(any_db, "admin")] == ["post_submitted"]


def test_choices_decide_page_and_email_and_an_address_is_needed_for_email(
    posts: PostService, any_db: Database
) -> None:
    officer, editor = posts.actor("cbtt.stttt"), posts.actor("bientap")
    with any_db.write() as session:
        set_own_email(session, user_id(any_db, "cbtt.stttt"), "cbtt@stttt.hue.gov.vn")
        set_own_email(session, user_id(any_db, "admin"), "admin@stttt.hue.gov.vn")
        chosen = notifications.preferences(session, user_id(any_db, "admin"))
        chosen["post_submitted"] = Choice(in_page=False, email=False)
        notifications.save_preferences(session, user_id(any_db, "admin"), chosen)
        chosen = notifications.preferences(session, user_id(any_db, "cbtt.stttt"))
        chosen["post_approved"] = Choice(in_page=False, email=True)
        notifications.save_preferences(session, user_id(any_db, "cbtt.stttt"), chosen)
    post = posts.create(officer, post_input())
    posts.submit(officer, post.id)
    posts.approve(editor, post.id)

    rows = all_rows(any_db)
    assert user_id(any_db, "admin") not in {r.user_id for r in rows}  # turned off entirely
    [mine] = [r for r in rows if r.user_id == user_id(any_db, "cbtt.stttt")]
    assert (mine.in_page, mine.email_state, mine.email_to) == (
        False, "queued", "cbtt@stttt.hue.gov.vn",
    )  # fmt: skip
    assert told(any_db, "cbtt.stttt") == []  # not in the page
    with any_db.read() as session:
        assert notifications.unread_count(session, user_id(any_db, "cbtt.stttt")) == 0


def test_telling_the_same_thing_twice_does_nothing(any_db: Database, clock: Clock) -> None:
    title = ("Tổng kết", "Digest")
    message = notifications.Message("digest", "digest:2026-11:SDL", title, ("", ""))
    people = [user_id(any_db, "cbtt.sdl"), user_id(any_db, "bientap2")]
    with any_db.write() as session:
        assert notifications.tell(session, people, message, clock()) == 2
    with any_db.write() as session:
        assert notifications.tell(session, people, message, clock()) == 0
    assert len(all_rows(any_db)) == 2


def test_mark_read_only_ones_own_and_mark_all(posts: PostService, any_db: Database) -> None:
    officer = posts.actor("cbtt.stttt")
    for _ in range(2):
        post = posts.create(officer, post_input())
        posts.submit(officer, post.id)
    admin, editor = user_id(any_db, "admin"), user_id(any_db, "bientap")
    first, second = told(any_db, "admin")
    with any_db.write() as session:
        assert notifications.mark_read(session, editor, first.id or 0, posts.clock()) is None
        assert notifications.mark_read(session, admin, first.id or 0, posts.clock()) == first.link
    with any_db.read() as session:
        assert notifications.unread_count(session, admin) == 1
        assert notifications.unread_count(session, editor) == 2
    with any_db.write() as session:
        assert notifications.mark_all_read(session, admin, posts.clock()) == 1
    with any_db.read() as session:
        assert notifications.unread_count(session, admin) == 0
    assert second.id != first.id


def test_an_email_address_is_checked(any_db: Database) -> None:
    with any_db.write() as session, pytest.raises(InvalidInput) as refused:
        set_own_email(session, user_id(any_db, "admin"), "không phải địa chỉ")
    assert refused.value.problems[0].field == "email"
    assert "e-mail" in refused.value.problems[0].vi


def test_undoing_a_decision_tells_the_author_the_post_is_back_in_review(
    posts: PostService, any_db: Database
) -> None:
    officer, editor = posts.actor("cbtt.stttt"), posts.actor("bientap")
    post = posts.create(officer, post_input())
    posts.submit(officer, post.id)
    posts.approve(editor, post.id)
    with any_db.write() as session:
        posts.reopen_in(session, editor, post.id)
    posts.reject(editor, post.id, "Thiếu nguồn ảnh")
    with any_db.write() as session:
        posts.reopen_in(session, editor, post.id)

    second, rejected, first, approved = told(any_db, "cbtt.stttt")  # newest first
    assert (approved.event, rejected.event) == ("post_approved", "post_rejected")
    assert first.event == second.event == "post_reopened" and first.key != second.key
    assert first.link == f"/posts/{post.id}"
    assert first.title_vi.startswith("Bài chờ duyệt lại: «Ngày ASEAN 8/8")
    assert "đã hoàn tác việc duyệt bài #" in first.body_vi
    assert "undid the approval of post #" in first.body_en
    assert "đã hoàn tác việc trả lại bài #" in second.body_vi
    assert "bài đang chờ duyệt lại" in second.body_vi
    assert [n.event for n in told(any_db, "bientap")] == ["post_submitted"]  # the actor: no
