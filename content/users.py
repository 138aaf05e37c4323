"""People: accounts, passwords, sign-in throttling and signed-in sessions.

Passwords are hashed with Argon2id (argon2-cffi); a hash made with older parameters is replaced
at the next successful sign-in. Session cookies, API tokens (`content.tokens`) and feed tokens
are random secrets of which only the sha256 is stored, so a copy of the database gives nobody a
way in. Failed sign-ins are rows, so throttling holds across every server process.

Nothing here knows about the web: the pages and the command line call the same methods and
refuse the same things with the same words.
"""

from __future__ import annotations

import logging
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, delete, func, select

from content import audit
from content.db import Database
from content.errors import FieldProblem, InvalidInput, NotFound, UserError
from content.identity import UserInfo, digest
from content.models import Department, LoginAttempt, Role, User, WebSession
from content.notifications import email_problems
from content.timeutil import utcnow
from content.tokens import TokenService, end_api_tokens
from content.workflow import Actor

__all__ = [  # UserInfo and digest live in content.identity, below content.tokens; still named here
    "MAX_PASSWORD_LENGTH",
    "MIN_DISTINCT_CHARACTERS",
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "USERNAME",
    "LoginRefused",
    "LoginThrottled",
    "SessionInfo",
    "UserInfo",
    "UserService",
    "digest",
    "password_problems",
]

log = logging.getLogger(__name__)

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
MIN_DISTINCT_CHARACTERS = 6
ROLES = tuple(role.value for role in Role)


class LoginRefused(UserError):
    """Wrong username or password, or a disabled account. Says nothing about which part."""


class LoginThrottled(UserError):
    def __init__(self, minutes: int) -> None:
        self.minutes = minutes
        super().__init__(
            f"too many failed sign-ins; try again in {minutes} minutes",
            f"Đăng nhập sai quá nhiều lần; hãy thử lại sau {minutes} phút.",
        )


@dataclass(frozen=True)
class SessionInfo:
    """A signed-in browser: who, its CSRF token, its language and when it ends."""

    user: UserInfo
    csrf_token: str
    lang: str
    expires_at: datetime

    @property
    def actor(self) -> Actor:
        return self.user.actor


def _name_problems(full_name: str) -> list[FieldProblem]:
    if full_name and len(full_name) <= 200:
        return []
    return [
        FieldProblem("full_name", "Cần có họ và tên (tối đa 200 ký tự).", "a full name is needed")
    ]


def _role_problems(role: str) -> list[FieldProblem]:
    if role in ROLES:
        return []
    return [
        FieldProblem(
            "role",
            f"Vai trò “{role}” không có; chọn một trong: {', '.join(ROLES)}.",
            f"unknown role {role!r}; choose one of: {', '.join(ROLES)}",
        )
    ]


def password_problems(password: str, username: str) -> list[FieldProblem]:
    """The minimum strength rule, the same for the pages and the command line."""
    found: list[FieldProblem] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        found.append(
            FieldProblem(
                "password",
                f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
                f"the password must be at least {MIN_PASSWORD_LENGTH} characters long",
            )
        )
    elif len(password) > MAX_PASSWORD_LENGTH:
        found.append(
            FieldProblem(
                "password",
                f"Mật khẩu dài quá {MAX_PASSWORD_LENGTH} ký tự.",
                f"the password is longer than {MAX_PASSWORD_LENGTH} characters",
            )
        )
    elif len(set(password)) < MIN_DISTINCT_CHARACTERS:
        found.append(
            FieldProblem(
                "password",
                f"Mật khẩu quá đơn giản: cần ít nhất {MIN_DISTINCT_CHARACTERS} ký tự khác nhau.",
                f"the password is too simple: use at least {MIN_DISTINCT_CHARACTERS}"
                " different characters",
            )
        )
    if username and username.casefold() in password.casefold():
        found.append(
            FieldProblem(
                "password",
                "Mật khẩu không được chứa tên đăng nhập.",
                "the password must not contain the username",
            )
        )
    return found


class UserService:
    """Accounts, sign-in and sessions. `by` is the username recorded in the audit trail."""

    def __init__(
        self,
        db: Database,
        *,
        hasher: PasswordHasher | None = None,
        clock: Callable[[], datetime] = utcnow,
        max_failures: int = 5,
        failure_window: timedelta = timedelta(minutes=15),
        session_idle: timedelta = timedelta(hours=12),
        session_max_age: timedelta = timedelta(days=7),
        touch_interval: timedelta = timedelta(minutes=1),
    ) -> None:
        self.db = db
        self.hasher = hasher or PasswordHasher()  # Argon2id, RFC 9106 low-memory profile
        self.clock = clock
        self.max_failures = max_failures
        self.failure_window = failure_window
        self.session_idle = session_idle
        self.session_max_age = session_max_age
        # Seeing the same session again within this interval writes nothing: SQLite has one
        # writer, and most page views must not queue behind the worker for a timestamp.
        self.touch_interval = touch_interval
        self._dummy_hash: str | None = None
        self.tokens: TokenService = TokenService(db, clock, touch_interval)

    # --- accounts ------------------------------------------------------------------------

    def add(
        self,
        by: str,
        username: str,
        full_name: str,
        role: str,
        department: str | None,
        password: str,
        email: str | None = None,
    ) -> UserInfo:
        username = username.strip().lower()
        full_name = full_name.strip()
        department = (department or "").strip() or None
        email = (email or "").strip() or None
        problems: list[FieldProblem] = []
        if not USERNAME.fullmatch(username):
            problems.append(
                FieldProblem(
                    "username",
                    "Tên đăng nhập gồm 2-64 chữ thường không dấu, số, dấu chấm, gạch ngang"
                    " hoặc gạch dưới.",
                    "the username must be 2-64 lower-case letters, digits, dots, hyphens or"
                    " underscores",
                )
            )
        problems += _name_problems(full_name) + _role_problems(role)
        problems += password_problems(password, username)
        problems += email_problems(email or "")
        with self.db.write() as session:
            if session.exec(select(User.id).where(User.username == username)).first():
                problems.insert(
                    0,
                    FieldProblem(
                        "username",
                        f"Tên đăng nhập “{username}” đã có người dùng.",
                        f"the username {username!r} is taken",
                    ),
                )
            problems += _department_problems(session, role, department)
            if problems:
                raise InvalidInput(problems)
            row = User(
                username=username,
                full_name=full_name,
                role=role,
                department_code=department,
                password_hash=self.hasher.hash(password),
                email=email,
            )
            session.add(row)
            session.flush()
            audit.record(
                session,
                by,
                "user.add",
                username=username,
                role=role,
                department=department,
                email=email,
            )
            log.info("user %s added by %s", username, by)
            return UserInfo.of(row)

    def all(self) -> list[UserInfo]:
        with self.db.read() as session:
            rows = session.exec(select(User).order_by(col(User.username))).all()
            return [UserInfo.of(row) for row in rows]

    def get(self, username: str) -> UserInfo:
        with self.db.read() as session:
            return UserInfo.of(_user(session, username))

    def update(
        self,
        by: str,
        username: str,
        *,
        full_name: str | None = None,
        role: str | None = None,
        department: str | None = None,
        email: str | None = None,
    ) -> UserInfo:
        """Change a full name, role, department or e-mail address (None leaves it; department
        or e-mail "" clears it).

        The rules are `add`'s. Nobody removes their own admin role, nor the last active
        administrator's; a new role ends that user's sessions, their permissions changed.
        """
        problems: list[FieldProblem] = []
        if full_name is not None:
            full_name = full_name.strip()
            problems += _name_problems(full_name)
        if role is not None:
            role = role.strip()
            problems += _role_problems(role)
        if email is not None:
            email = email.strip()
            problems += email_problems(email)
        with self.db.write() as session:
            row = _user(session, username)
            new_role = role if role in ROLES else row.role
            new_department = (
                row.department_code if department is None else department.strip() or None
            )
            if row.role == Role.admin and new_role != Role.admin:
                problems += _demotion_problems(session, by, row)
            if role in ROLES or department is not None:
                problems += _department_problems(session, new_role, new_department)
            if problems:
                raise InvalidInput(problems)
            changes: dict[str, list[str | None]] = {}
            if full_name is not None and full_name != row.full_name:
                changes["full_name"] = [row.full_name, full_name]
                row.full_name = full_name
            if new_role != row.role:
                changes["role"] = [row.role, new_role]
                row.role = new_role
            if new_department != row.department_code:
                changes["department"] = [row.department_code, new_department]
                row.department_code = new_department
            if email is not None and (email or None) != row.email:
                changes["email"] = [row.email, email or None]
                row.email = email or None
            if changes:
                session.add(row)
                assert row.id is not None
                ended = _end_sessions(session, row.id) if "role" in changes else 0
                _record_update(session, by, row, changes, ended)
            return UserInfo.of(row)

    def set_password(self, by: str, username: str, password: str) -> None:
        """Change a password; every session and API token of that user ends."""
        problems = password_problems(password, username)
        if problems:
            raise InvalidInput(problems)
        new_hash = self.hasher.hash(password)
        with self.db.write() as session:
            row = _user(session, username)
            row.password_hash = new_hash
            session.add(row)
            assert row.id is not None
            _end_sessions(session, row.id)
            ended = end_api_tokens(session, row.id, self.clock())
            audit.record(session, by, "user.password", username=row.username, tokens_ended=ended)

    def set_active(self, by: str, username: str, active: bool) -> None:
        """Disable (ending every session and API token) or enable an account."""
        with self.db.write() as session:
            row = _user(session, username)
            if not active and row.active:
                _refuse_locking_out(session, by, row)
            row.active = active
            session.add(row)
            assert row.id is not None
            ended = 0
            if not active:
                _end_sessions(session, row.id)
                # Ended, not just refused while disabled: enabling the account again must not
                # bring back tokens that may have leaked with it.
                ended = end_api_tokens(session, row.id, self.clock())
            audit.record(
                session,
                by,
                "user.enable" if active else "user.disable",
                username=row.username,
                tokens_ended=ended,
            )

    # --- signing in -----------------------------------------------------------------------

    def authenticate(self, username: str, password: str, client: str = "") -> UserInfo:
        """The account whose password this is, or `LoginRefused` / `LoginThrottled`.

        The hash is checked outside any transaction (it takes tens of milliseconds on purpose),
        and an unknown username costs the same work as a known one.
        """
        name = username.strip().lower()[:64]
        client = client[:64]
        now = self.clock()
        with self.db.read() as session:
            recent = session.exec(
                select(LoginAttempt.at)
                .where(
                    LoginAttempt.username == name,
                    LoginAttempt.client == client,
                    col(LoginAttempt.at) > now - self.failure_window,
                )
                .order_by(col(LoginAttempt.at).desc())
                .limit(self.max_failures)
            ).all()
            row = session.exec(select(User).where(User.username == name)).first()
        if len(recent) >= self.max_failures:
            wait = recent[-1] + self.failure_window - now
            raise LoginThrottled(max(1, math.ceil(wait.total_seconds() / 60)))
        stored = row.password_hash if row is not None else None
        if not self._verify(stored, password) or row is None:
            with self.db.write() as session:
                session.add(LoginAttempt(username=name, client=client, at=now))
                session.exec(delete(LoginAttempt).where(col(LoginAttempt.at) < now - timedelta(1)))
            log.info("failed sign-in for %r from %s", name, client or "?")
            raise LoginRefused("wrong username or password", "Sai tên đăng nhập hoặc mật khẩu.")
        if not row.active:
            raise LoginRefused(
                "this account is disabled; ask an administrator",
                "Tài khoản này đã bị khóa; hãy liên hệ quản trị viên.",
            )
        with self.db.write() as session:
            session.exec(
                delete(LoginAttempt).where(
                    col(LoginAttempt.username) == name, col(LoginAttempt.client) == client
                )
            )
            fresh = session.get(User, row.id)
            assert fresh is not None and stored is not None
            if fresh.password_hash == stored and self.hasher.check_needs_rehash(stored):
                fresh.password_hash = self.hasher.hash(password)
                session.add(fresh)
                log.info("password hash of %s upgraded to the current parameters", name)
            return UserInfo.of(fresh)

    def _verify(self, stored: str | None, password: str) -> bool:
        if stored is None:
            if self._dummy_hash is None:
                self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
            stored = self._dummy_hash
            password = password + "\0"  # never matches the dummy, whatever it is
        try:
            return self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    # --- sessions -------------------------------------------------------------------------

    def create_session(self, user: UserInfo, lang: str = "vi") -> tuple[str, SessionInfo]:
        """A new session: returns the cookie value (shown to nobody else) and its details."""
        secret = secrets.token_urlsafe(32)
        now = self.clock()
        row = WebSession(
            id=digest(secret),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=min(now + self.session_idle, now + self.session_max_age),
            lang=lang,
        )
        with self.db.write() as session:
            session.add(row)
            session.exec(delete(WebSession).where(col(WebSession.expires_at) <= now))
            audit.record(session, user.username, "user.login")
        return secret, SessionInfo(user, row.csrf_token, row.lang, row.expires_at)

    def session(self, secret: str) -> SessionInfo | None:
        """The live session behind a cookie value, or None; sliding its expiry as it is used."""
        if not secret:
            return None
        key = digest(secret)
        now = self.clock()
        with self.db.read() as session:
            row = session.get(WebSession, key)
            user = session.get(User, row.user_id) if row is not None else None
        if row is None or user is None:
            return None
        if row.expires_at <= now or not user.active:
            with self.db.write() as session:
                session.exec(delete(WebSession).where(col(WebSession.id) == key))
            return None
        if now - row.last_seen_at >= self.touch_interval:
            row.last_seen_at = now
            row.expires_at = min(now + self.session_idle, row.created_at + self.session_max_age)
            with self.db.write() as session:
                session.merge(row)
        return SessionInfo(UserInfo.of(user), row.csrf_token, row.lang, row.expires_at)

    def end_session(self, secret: str) -> None:
        key = digest(secret)
        with self.db.write() as session:
            row = session.get(WebSession, key)
            if row is None:
                return
            user = session.get(User, row.user_id)
            session.delete(row)
            if user is not None:
                audit.record(session, user.username, "user.logout")

    def end_sessions(self, by: str, username: str) -> int:
        with self.db.write() as session:
            row = _user(session, username)
            assert row.id is not None
            ended = _end_sessions(session, row.id)
            audit.record(session, by, "user.sessions_ended", username=row.username, count=ended)
            return ended


def set_own_email(session: Session, user_id: int, address: str) -> str | None:
    """A person's own e-mail address (blank: none), in the caller's transaction: the
    notification preferences page saves it with the choices. A change is audited as
    `user.update` by that person, as an administrator's change of it is (`update`)."""
    address = address.strip()
    problems = email_problems(address)
    if problems:
        raise InvalidInput(problems, "e-mail address not saved")
    row = session.get(User, user_id)
    new = address or None
    if row is not None and row.email != new:
        changes: dict[str, list[str | None]] = {"email": [row.email, new]}
        row.email = new
        session.add(row)
        _record_update(session, row.username, row, changes, sessions_ended=0)
    return new


def _record_update(
    session: Session, by: str, row: User, changes: dict[str, list[str | None]], sessions_ended: int
) -> None:
    audit.record(
        session,
        by,
        "user.update",
        username=row.username,
        changes=changes,
        sessions_ended=sessions_ended,
    )
    log.info("user %s changed by %s: %s", row.username, by, ", ".join(changes))


def _user(session: Session, username: str) -> User:
    row = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if row is None:
        raise NotFound(f"no user {username!r}", f"Không có người dùng “{username}”.")
    return row


def _end_sessions(session: Session, user_id: int) -> int:
    ids = session.exec(select(WebSession.id).where(WebSession.user_id == user_id)).all()
    session.exec(delete(WebSession).where(col(WebSession.user_id) == user_id))
    return len(ids)


def _department_problems(session: Session, role: str, department: str | None) -> list[FieldProblem]:
    if department is None:
        if role == Role.officer:
            return [
                FieldProblem(
                    "department",
                    "Cán bộ truyền thông phải thuộc một đơn vị.",
                    "an officer needs a department",
                )
            ]
        return []
    if session.get(Department, department) is None:
        return [
            FieldProblem(
                "department",
                f"Không có đơn vị “{department}”.",
                f"unknown department {department!r}",
            )
        ]
    return []


def _demotion_problems(session: Session, by: str, row: User) -> list[FieldProblem]:
    if row.username == by:
        return [
            FieldProblem(
                "role",
                "Bạn không thể tự bỏ vai trò quản trị viên của mình.",
                "you cannot remove your own administrator role",
            )
        ]
    admins = session.exec(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.admin, col(User.active).is_(True), User.id != row.id)
    ).one()
    if admins == 0:
        return [
            FieldProblem(
                "role",
                "Không thể bỏ vai trò của quản trị viên cuối cùng đang hoạt động.",
                "the last active administrator must keep the administrator role",
            )
        ]
    return []


def _refuse_locking_out(session: Session, by: str, row: User) -> None:
    if row.username == by:
        raise UserError(
            "you cannot disable your own account", "Bạn không thể tự khóa tài khoản của mình."
        )
    if row.role == Role.admin:
        admins = session.exec(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.admin, col(User.active).is_(True))
        ).one()
        if admins <= 1:
            raise UserError(
                "the last active administrator cannot be disabled",
                "Không thể khóa quản trị viên cuối cùng đang hoạt động.",
            )
