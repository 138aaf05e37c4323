"""A person's own e-mail address, as the notification preferences page saves it: audited as the
same user change an administrator's edit makes, only when it changes (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from content.db import Database
from content.errors import InvalidInput
from content.models import AuditEvent
from content.users import UserService, set_own_email


def user_changes(db: Database) -> list[AuditEvent]:
    with db.read() as session:
        query = select(AuditEvent).where(AuditEvent.action == "user.update")
        return list(session.exec(query.order_by(col(AuditEvent.id))).all())


def test_changing_ones_own_email_is_in_the_audit_trail(any_db: Database) -> None:
    me = UserService(any_db).get("cbtt.stttt").id
    with any_db.write() as session:
        assert set_own_email(session, me, " cbtt@stttt.hue.gov.vn ") == "cbtt@stttt.hue.gov.vn"
    with any_db.write() as session:  # saved again unchanged, with the rest of the page
        assert set_own_email(session, me, "cbtt@stttt.hue.gov.vn") == "cbtt@stttt.hue.gov.vn"
    with any_db.write() as session:
        assert set_own_email(session, me, "") is None

    changed, cleared = user_changes(any_db)
    assert changed.actor == cleared.actor == "cbtt.stttt"  # by the person themselves
    assert changed.detail == {
        "username": "cbtt.stttt",
        "changes": {"email": [None, "cbtt@stttt.hue.gov.vn"]},
        "sessions_ended": 0,
    }
    assert cleared.detail["changes"] == {"email": ["cbtt@stttt.hue.gov.vn", None]}
    # The same event an administrator's change of the address makes.
    UserService(any_db).update("admin", "cbtt.stttt", email="minh@stttt.hue.gov.vn")
    by_admin = user_changes(any_db)[-1]
    assert by_admin.actor == "admin" and by_admin.detail == {
        "username": "cbtt.stttt",
        "changes": {"email": [None, "minh@stttt.hue.gov.vn"]},
        "sessions_ended": 0,
    }


def test_a_refused_address_is_neither_saved_nor_recorded(any_db: Database) -> None:
    me = UserService(any_db).get("cbtt.stttt").id
    with any_db.write() as session, pytest.raises(InvalidInput) as refused:
        set_own_email(session, me, "không phải địa chỉ")
    assert refused.value.problems[0].field == "email"
    assert user_changes(any_db) == []
    assert UserService(any_db).get("cbtt.stttt").email is None
