"""REST API tokens and iCalendar feed tokens: random secrets of which only the sha256 is kept.

A secret is returned once, when it is made; afterwards nobody (not even an administrator with
the database) can read it back, only revoke it. Reached as `UserService.tokens`. A password
change or a disabled account ends every API token of that user (`end_api_tokens`): a token is
a standing sign-in, and re-enabling an account must not bring back what was out of its hands.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from content import audit
from content.db import Database
from content.errors import FieldProblem, InvalidInput, NotFound
from content.identity import UserInfo, digest
from content.models import ApiToken, Channel, Department, FeedScope, FeedToken, User
from content.timeutil import utcnow

log = logging.getLogger(__name__)

API_TOKEN_PREFIX = "loa_"  # lets secret scanners and people recognise a leaked Loa token
FEED_SCOPES = tuple(scope.value for scope in FeedScope)


@dataclass(frozen=True)
class TokenInfo:
    id: int
    username: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class FeedTokenInfo:
    id: int
    scope_kind: str
    scope_value: str | None
    created_by: str
    created_at: datetime
    revoked_at: datetime | None


class TokenService:
    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime] = utcnow,
        touch_interval: timedelta = timedelta(minutes=1),
    ) -> None:
        self.db = db
        self.clock = clock
        self.touch_interval = touch_interval

    # --- API tokens -----------------------------------------------------------------------

    def create(self, by: str, username: str, name: str) -> tuple[str, TokenInfo]:
        """A new token for `username`: returns the secret (shown once) and its details."""
        name = name.strip()
        if not name or len(name) > 100:
            raise InvalidInput(
                [
                    FieldProblem(
                        "name",
                        "Cần đặt tên cho mã (tối đa 100 ký tự), ví dụ “Ứng dụng HueS”.",
                        "give the token a name (at most 100 characters), e.g. 'HueS app'",
                    )
                ]
            )
        secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.db.write() as session:
            user = _active_user(session, username)
            assert user.id is not None
            row = ApiToken(user_id=user.id, name=name, token_hash=digest(secret))
            row.created_at = self.clock()
            session.add(row)
            session.flush()
            audit.record(
                session, by, "token.create", username=user.username, token_id=row.id, name=name
            )
            return secret, _token_info(row, user.username)

    def verify(self, secret: str) -> UserInfo | None:
        """The active user a live token belongs to, or None."""
        if not secret.startswith(API_TOKEN_PREFIX):
            return None
        now = self.clock()
        with self.db.read() as session:
            row = session.exec(
                select(ApiToken).where(ApiToken.token_hash == digest(secret))
            ).first()
            user = session.get(User, row.user_id) if row is not None else None
        if row is None or user is None or row.revoked_at is not None or not user.active:
            return None
        if row.last_used_at is None or now - row.last_used_at >= self.touch_interval:
            with self.db.write() as session:
                fresh = session.get(ApiToken, row.id)
                if fresh is not None:
                    fresh.last_used_at = now
                    session.add(fresh)
        return UserInfo.of(user)

    def api_tokens(self, username: str | None = None) -> list[TokenInfo]:
        query = select(ApiToken, User.username).join(User, col(User.id) == ApiToken.user_id)
        if username is not None:
            query = query.where(User.username == username)
        with self.db.read() as session:
            rows = session.exec(query.order_by(col(ApiToken.id))).all()
            return [_token_info(row, name) for row, name in rows]

    def revoke(self, by: str, token_id: int, *, owner: str | None = None) -> TokenInfo:
        """Revoke a token; with `owner`, only one of that user's (others are not found)."""
        with self.db.write() as session:
            row = session.get(ApiToken, token_id)
            user = session.get(User, row.user_id) if row is not None else None
            if row is None or user is None or (owner is not None and user.username != owner):
                raise NotFound(f"no API token #{token_id}", f"Không có mã API số {token_id}.")
            if row.revoked_at is None:
                row.revoked_at = self.clock()
                session.add(row)
                audit.record(session, by, "token.revoke", username=user.username, token_id=token_id)
            return _token_info(row, user.username)

    # --- feed tokens ----------------------------------------------------------------------

    def create_feed(
        self, by: str, kind: str = FeedScope.all, value: str | None = None
    ) -> tuple[str, FeedTokenInfo]:
        """A new feed secret for the schedule of everything, a department or a channel."""
        value = (value or "").strip() or None
        secret = secrets.token_urlsafe(32)
        with self.db.write() as session:
            _check_scope(session, kind, value)
            creator = _active_user(session, by)
            assert creator.id is not None
            row = FeedToken(
                token_hash=digest(secret),
                scope_kind=kind,
                scope_value=None if kind == FeedScope.all else value,
                created_by=creator.id,
                created_at=self.clock(),
            )
            session.add(row)
            session.flush()
            audit.record(session, by, "feed_token.create", token_id=row.id, scope=kind, value=value)
            return secret, _feed_info(row, creator.username)

    def verify_feed(self, secret: str) -> FeedTokenInfo | None:
        with self.db.read() as session:
            found = session.exec(
                select(FeedToken, User.username)
                .join(User, col(User.id) == FeedToken.created_by)
                .where(FeedToken.token_hash == digest(secret))
            ).first()
        if found is None or found[0].revoked_at is not None:
            return None
        return _feed_info(*found)

    def feeds(self) -> list[FeedTokenInfo]:
        with self.db.read() as session:
            rows = session.exec(
                select(FeedToken, User.username)
                .join(User, col(User.id) == FeedToken.created_by)
                .order_by(col(FeedToken.id))
            ).all()
            return [_feed_info(row, name) for row, name in rows]

    def revoke_feed(self, by: str, token_id: int) -> None:
        with self.db.write() as session:
            row = session.get(FeedToken, token_id)
            if row is None:
                raise NotFound(
                    f"no feed address #{token_id}", f"Không có địa chỉ lịch số {token_id}."
                )
            if row.revoked_at is None:
                row.revoked_at = self.clock()
                session.add(row)
                audit.record(session, by, "feed_token.revoke", token_id=token_id)


def end_api_tokens(session: Session, user_id: int, now: datetime) -> int:
    """Revoke every live API token of a user, in the caller's transaction; how many ended."""
    live = session.exec(
        select(ApiToken).where(ApiToken.user_id == user_id, col(ApiToken.revoked_at).is_(None))
    ).all()
    for row in live:
        row.revoked_at = now
        session.add(row)
    return len(live)


def _active_user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        raise NotFound(
            f"no active user {username!r}", f"Không có người dùng đang hoạt động “{username}”."
        )
    return user


def _check_scope(session: Session, kind: str, value: str | None) -> None:
    problem: FieldProblem | None = None
    if kind not in FEED_SCOPES:
        problem = FieldProblem(
            "scope",
            f"Phạm vi “{kind}” không có; chọn một trong: {', '.join(FEED_SCOPES)}.",
            f"unknown scope {kind!r}; choose one of: {', '.join(FEED_SCOPES)}",
        )
    elif kind == FeedScope.department and (value is None or not session.get(Department, value)):
        problem = FieldProblem(
            "scope_value", f"Không có đơn vị “{value}”.", f"unknown department {value!r}"
        )
    elif kind == FeedScope.channel and (value is None or not session.get(Channel, value)):
        problem = FieldProblem(
            "scope_value", f"Không có kênh “{value}”.", f"unknown channel {value!r}"
        )
    if problem is not None:
        raise InvalidInput([problem])


def _token_info(row: ApiToken, username: str) -> TokenInfo:
    assert row.id is not None
    return TokenInfo(row.id, username, row.name, row.created_at, row.last_used_at, row.revoked_at)


def _feed_info(row: FeedToken, username: str) -> FeedTokenInfo:
    assert row.id is not None
    return FeedTokenInfo(
        row.id, row.scope_kind, row.scope_value, username, row.created_at, row.revoked_at
    )
