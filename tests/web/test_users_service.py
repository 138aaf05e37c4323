"""content.users and content.tokens: passwords, throttling, sessions, tokens, audit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlmodel import col, select

from content.db import Database
from content.errors import InvalidInput, NotFound, UserError
from content.models import ApiToken, AuditEvent, FeedToken, User, WebSession
from content.users import LoginRefused, LoginThrottled, UserService, digest, password_problems
from tests.factories import Clock
from tests.web.conftest import FAST_HASHER
from tests.web.helpers import PASSWORD


def stored_hash(db: Database, username: str) -> str:
    with db.read() as session:
        row = session.exec(select(User).where(User.username == username)).one()
    assert row.password_hash is not None
    return row.password_hash


def actions(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.exec(select(AuditEvent.action).order_by(col(AuditEvent.id))).all())


# --- passwords -----------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes_and_verified(
    users: UserService, db: Database
) -> None:
    hashed = stored_hash(db, "bientap")
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    user = users.authenticate("bientap", PASSWORD, "10.0.0.1")
    assert (user.username, user.role, user.department_code) == ("bientap", "editor", "STTTT")
    assert users.authenticate("  BienTap ", PASSWORD).username == "bientap"


def test_a_hash_made_with_older_parameters_is_replaced_at_the_next_sign_in(
    db: Database, clock: Clock
) -> None:
    old = UserService(db, hasher=FAST_HASHER, clock=clock)
    old.set_password("test", "bientap", PASSWORD)
    before = stored_hash(db, "bientap")
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    UserService(db, hasher=stronger, clock=clock).authenticate("bientap", PASSWORD)
    after = stored_hash(db, "bientap")
    assert after != before
    assert "m=16,t=2,p=1" in after and "m=8,t=1,p=1" in before
    assert not stronger.check_needs_rehash(after)
    # Same parameters: nothing to change.
    UserService(db, hasher=stronger, clock=clock).authenticate("bientap", PASSWORD)
    assert stored_hash(db, "bientap") == after


def test_wrong_passwords_and_unknown_users_get_the_same_answer(users: UserService) -> None:
    with pytest.raises(LoginRefused) as wrong:
        users.authenticate("bientap", PASSWORD + "x")
    with pytest.raises(LoginRefused) as unknown:
        users.authenticate("khong-co-ai", PASSWORD)
    assert wrong.value.en == unknown.value.en == "wrong username or password"
    assert wrong.value.vi == "Sai tên đăng nhập hoặc mật khẩu."
    assert PASSWORD not in wrong.value.en + wrong.value.vi


def test_a_disabled_user_cannot_sign_in(users: UserService) -> None:
    users.set_active("admin", "cbtt.sdl", False)
    with pytest.raises(LoginRefused) as refused:
        users.authenticate("cbtt.sdl", PASSWORD)
    assert "disabled" in refused.value.en and "đã bị khóa" in refused.value.vi
    users.set_active("admin", "cbtt.sdl", True)
    assert users.authenticate("cbtt.sdl", PASSWORD).active


def test_a_user_without_a_password_cannot_sign_in(db: Database, clock: Clock) -> None:
    fresh = UserService(db, hasher=FAST_HASHER, clock=clock)  # seeded users have no password
    with pytest.raises(LoginRefused):
        fresh.authenticate("bientap", "")


@pytest.mark.parametrize(
    ("password", "english"),
    [
        ("ngắn-1", "at least 10 characters"),
        ("aaaaabbbbbaaaaa", "too simple"),
        ("xin-chao-bientap-99", "must not contain the username"),
    ],
)
def test_the_password_rule_names_the_field(password: str, english: str) -> None:
    problems = password_problems(password, "bientap")
    assert [p.field for p in problems] == ["password"]
    assert english in problems[0].en
    assert "Mật khẩu" in problems[0].vi


# --- throttling ----------------------------------------------------------------------------


def test_sign_in_is_throttled_per_username_and_client_across_services(
    users: UserService, db: Database, clock: Clock
) -> None:
    for _ in range(5):
        with pytest.raises(LoginRefused):
            users.authenticate("bientap", "sai-mat-khau-1", "10.0.0.9")
    # Another process (another service on the same database) sees the same failures.
    other_process = UserService(db, hasher=FAST_HASHER, clock=clock)
    with pytest.raises(LoginThrottled) as throttled:
        other_process.authenticate("bientap", PASSWORD, "10.0.0.9")
    assert throttled.value.minutes == 15
    assert "try again in 15 minutes" in throttled.value.en
    assert "thử lại sau 15 phút" in throttled.value.vi
    # Another address, or another account, is not locked out.
    assert users.authenticate("bientap", PASSWORD, "10.0.0.10").username == "bientap"
    assert users.authenticate("admin", PASSWORD, "10.0.0.9").username == "admin"
    clock.advance(minutes=10)
    with pytest.raises(LoginThrottled) as later:
        users.authenticate("bientap", PASSWORD, "10.0.0.9")
    assert later.value.minutes == 5
    clock.advance(minutes=5, seconds=1)
    assert users.authenticate("bientap", PASSWORD, "10.0.0.9").username == "bientap"


def test_a_successful_sign_in_clears_the_failures(users: UserService) -> None:
    for _ in range(4):
        with pytest.raises(LoginRefused):
            users.authenticate("bientap", "sai-mat-khau-1", "c")
    users.authenticate("bientap", PASSWORD, "c")
    for _ in range(4):
        with pytest.raises(LoginRefused):
            users.authenticate("bientap", "sai-mat-khau-1", "c")
    assert users.authenticate("bientap", PASSWORD, "c").username == "bientap"


# --- accounts ------------------------------------------------------------------------------


def test_add_checks_every_field_at_once_and_saves_nothing(users: UserService) -> None:
    with pytest.raises(InvalidInput) as refused:
        users.add("admin", "Bad Name!", "", "boss", "NOWHERE", "short")
    fields = [problem.field for problem in refused.value.problems]
    assert fields == ["username", "full_name", "role", "password", "department"]
    assert "Không có đơn vị “NOWHERE”." in refused.value.vi
    assert [u.username for u in users.all()] == [
        "admin", "bientap", "bientap2", "cbtt.sdl", "cbtt.stttt",
    ]  # fmt: skip


def test_officers_need_a_department_and_usernames_are_unique(users: UserService) -> None:
    with pytest.raises(InvalidInput) as no_department:
        users.add("admin", "cbtt.moi", "Nguyễn Văn Mới", "officer", None, PASSWORD)
    assert no_department.value.problems[0].field == "department"
    assert "phải thuộc một đơn vị" in no_department.value.vi
    with pytest.raises(InvalidInput) as taken:
        users.add("admin", "bientap", "Ai Đó", "editor", None, PASSWORD)
    assert taken.value.problems[0].field == "username"
    added = users.add("admin", "BT.Moi", "Trần Thị Mới", "editor", None, PASSWORD)
    assert (added.username, added.role, added.department_code) == ("bt.moi", "editor", None)
    assert users.authenticate("bt.moi", PASSWORD).id == added.id
    assert "user.add" in actions(users.db)


def test_changing_a_password_or_disabling_ends_every_session(
    users: UserService, db: Database
) -> None:
    editor = users.get("bientap")
    first, _ = users.create_session(editor)
    second, _ = users.create_session(editor)
    assert users.session(first) is not None and users.session(second) is not None
    users.set_password("admin", "bientap", "Mật-khẩu-mới-2027")
    assert users.session(first) is None and users.session(second) is None
    third, _ = users.create_session(editor)
    users.set_active("admin", "bientap", False)
    assert users.session(third) is None
    with db.read() as session:
        assert session.exec(select(WebSession)).all() == []
    assert actions(db)[-3:] == ["user.password", "user.login", "user.disable"]


def test_nobody_disables_themselves_or_the_last_admin(users: UserService) -> None:
    with pytest.raises(UserError) as self_disable:
        users.set_active("bientap", "bientap", False)
    assert "tự khóa" in self_disable.value.vi
    with pytest.raises(UserError) as last_admin:
        users.set_active("cli", "admin", False)
    assert "last active administrator" in last_admin.value.en
    with pytest.raises(NotFound):
        users.set_active("admin", "khong-co-ai", False)


# --- sessions ------------------------------------------------------------------------------


def test_sessions_store_only_a_hash_slide_when_used_and_expire(
    users: UserService, db: Database, clock: Clock
) -> None:
    secret, info = users.create_session(users.get("cbtt.stttt"), "en")
    assert (info.lang, info.actor.username, info.actor.department_code) == (
        "en",
        "cbtt.stttt",
        "STTTT",
    )
    with db.read() as session:
        row = session.exec(select(WebSession)).one()
    assert row.id == digest(secret) and secret not in row.id
    clock.advance(hours=11)
    assert users.session(secret) is not None  # used: good for 12 more hours
    clock.advance(hours=11)
    assert users.session(secret) is not None
    clock.advance(hours=12, seconds=1)  # idle too long
    assert users.session(secret) is None
    assert users.session("not-a-session") is None


def test_a_session_ends_after_its_maximum_age_however_busy(
    users: UserService, clock: Clock
) -> None:
    secret, _ = users.create_session(users.get("bientap"))
    end = clock.now + timedelta(days=7)
    while clock.now + timedelta(hours=11) < end:
        clock.advance(hours=11)
        assert users.session(secret) is not None
    clock.now = end + timedelta(seconds=1)
    assert users.session(secret) is None


def test_end_session_logs_out_one_browser(users: UserService, db: Database) -> None:
    keep, _ = users.create_session(users.get("bientap"))
    drop, _ = users.create_session(users.get("bientap"))
    users.end_session(drop)
    assert users.session(drop) is None and users.session(keep) is not None
    assert actions(db)[-1] == "user.logout"


# --- tokens --------------------------------------------------------------------------------


def test_api_tokens_are_hashed_at_rest_and_revocable(
    users: UserService, db: Database, sqlite_url: str
) -> None:
    secret, info = users.tokens.create("bientap", "bientap", "Ứng dụng HueS")
    assert secret.startswith("loa_") and len(secret) > 40
    verified = users.tokens.verify(secret)
    assert verified is not None and verified.username == "bientap"
    assert users.tokens.verify(secret + "x") is None and users.tokens.verify("") is None
    with db.read() as session:
        row = session.exec(select(ApiToken)).one()
    assert row.token_hash == digest(secret) and row.last_used_at is not None
    db.engine.dispose()
    folder = Path(sqlite_url.removeprefix("sqlite:///")).parent
    database_bytes = b"".join(path.read_bytes() for path in folder.glob("loa.db*"))
    assert secret.encode() not in database_bytes
    assert digest(secret).encode() in database_bytes
    listed = users.tokens.api_tokens("bientap")
    assert [(t.id, t.name, t.active) for t in listed] == [(info.id, "Ứng dụng HueS", True)]
    with pytest.raises(NotFound):
        users.tokens.revoke("cbtt.sdl", info.id, owner="cbtt.sdl")  # not theirs
    users.tokens.revoke("bientap", info.id, owner="bientap")
    assert users.tokens.verify(secret) is None
    assert users.tokens.api_tokens()[0].revoked_at is not None
    assert actions(db)[-2:] == ["token.create", "token.revoke"]


def test_disabling_an_account_ends_its_tokens_and_enabling_it_does_not_revive_them(
    users: UserService, db: Database
) -> None:
    secret, _ = users.tokens.create("admin", "cbtt.sdl", "script")
    others, _ = users.tokens.create("admin", "bientap", "script")
    users.set_active("admin", "cbtt.sdl", False)
    assert users.tokens.verify(secret) is None
    users.set_active("admin", "cbtt.sdl", True)
    assert users.tokens.verify(secret) is None
    assert [t.active for t in users.tokens.api_tokens("cbtt.sdl")] == [False]
    assert users.tokens.verify(others) is not None  # nobody else's token is touched
    with db.read() as session:
        disabled = session.exec(select(AuditEvent).where(AuditEvent.action == "user.disable")).one()
    assert disabled.detail["tokens_ended"] == 1


def test_a_password_change_ends_every_api_token_of_that_user(users: UserService) -> None:
    first, _ = users.tokens.create("admin", "cbtt.sdl", "script")
    second, _ = users.tokens.create("cbtt.sdl", "cbtt.sdl", "HueS")
    assert users.tokens.verify(first) is not None and users.tokens.verify(second) is not None
    users.set_password("admin", "cbtt.sdl", "Mật-khẩu-mới-2027")
    assert users.tokens.verify(first) is None and users.tokens.verify(second) is None
    assert [t.active for t in users.tokens.api_tokens("cbtt.sdl")] == [False, False]
    fresh, _ = users.tokens.create("cbtt.sdl", "cbtt.sdl", "HueS again")
    assert users.tokens.verify(fresh) is not None


def test_a_token_needs_a_name(users: UserService) -> None:
    with pytest.raises(InvalidInput) as refused:
        users.tokens.create("bientap", "bientap", "  ")
    assert refused.value.problems[0].field == "name"


def test_feed_tokens_by_scope(users: UserService, db: Database) -> None:
    secret, info = users.tokens.create_feed("bientap", "channel", "fb-dulich-hue")
    found = users.tokens.verify_feed(secret)
    assert found is not None
    assert (found.scope_kind, found.scope_value, found.created_by) == (
        "channel", "fb-dulich-hue", "bientap",
    )  # fmt: skip
    everything, _ = users.tokens.create_feed("bientap")
    assert users.tokens.verify_feed(everything) is not None
    with db.read() as session:
        hashes = session.exec(select(FeedToken.token_hash)).all()
    assert secret not in hashes and digest(secret) in hashes
    for kind, value, field in (
        ("department", "NOWHERE", "scope_value"),
        ("channel", None, "scope_value"),
        ("planet", None, "scope"),
    ):
        with pytest.raises(InvalidInput) as refused:
            users.tokens.create_feed("bientap", kind, value)
        assert refused.value.problems[0].field == field
    users.tokens.revoke_feed("bientap", info.id)
    assert users.tokens.verify_feed(secret) is None
    assert [f.revoked_at is None for f in users.tokens.feeds()] == [False, True]
