"""Talking to Zalo: OAuth v4 tokens with single-use refresh rotation, and the OA API envelope.

The refresh token works once. If two workers refresh at the same moment, or one crashes between
refreshing and saving, the chain breaks and a person has to re-authorise the OA. So a refresh
happens only inside `credentials.exclusive()` (a database write lock every process respects): the
stored pair is read again under the lock, because another process may have refreshed while we
waited, and the new pair is saved inside the lock, so it is committed before anyone uses it.

Every OA API answer is HTTP 200 with `{"error": 0, "message": "Success", "data": {...}}`, and
failures are HTTP 200 too: the verdict is `error`, never the status code.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from channels.base import (
    AuthRequired,
    ChannelError,
    ChannelSetup,
    CredentialStore,
    OutcomeUnknown,
    Rejected,
    Retryable,
)
from channels.errors import Step
from channels.http import json_or_none, mask, transport_error, unreadable_answer
from channels.zalo.errors import TOKEN_ERRORS, oauth_error, reauthorise, zalo_error

log = logging.getLogger(__name__)

ACCESS_LIFETIME = 90_000  # seconds (25 h), used when Zalo's `expires_in` is unreadable
REFRESH_LIFETIME = timedelta(days=90)  # Zalo: 3 months
REFRESH_MARGIN = timedelta(minutes=5)  # refresh before a call rather than fail half-way


def parse_time(value: Any) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class ZaloAPI:
    """One OA's tokens and calls. `call` returns `data` or raises from the error tree."""

    def __init__(
        self, setup: ChannelSetup, credentials: CredentialStore, session: requests.Session
    ) -> None:
        self.setup = setup
        self.credentials = credentials
        self.session = session

    # -- OAuth -------------------------------------------------------------------------------

    def exchange(self, form: Mapping[str, str], what: str) -> dict[str, Any]:
        """POST the token endpoint; the new pair as stored credentials (not yet saved)."""
        secret = self.setup.secret("app_secret")
        url = self.setup.base("oauth_base") + "/v4/oa/access_token"
        try:
            response = self.session.post(url, data=dict(form), headers={"secret_key": secret})
        except requests.RequestException as exc:
            # Whatever happened, nothing was published: never let the worker reconcile a post
            # over a token request. If Zalo did rotate, the next refresh will say so (-14014).
            error = transport_error(exc, "POST", what)
            raise Retryable(error.vi, error.en, error.detail, retry_after=60) from exc
        body = json_or_none(response)
        if body is None:
            error = unreadable_answer(response, "GET", what)
            raise Retryable(error.vi, error.en, error.detail, retry_after=60)
        code = _code(body.get("error", 0))
        if code is None or code < 0:
            description = str(body.get("error_description") or body.get("error_name") or "")
            raise oauth_error(code or -1, description, what, self.setup.id)
        if not body.get("access_token") or not body.get("refresh_token"):
            raise Retryable(
                "Zalo trả lời thiếu cặp mã", "Zalo's token answer has no token pair",
                step=what, retry_after=60,
            )  # fmt: skip
        now = datetime.now(UTC)
        try:
            lifetime = int(float(str(body.get("expires_in", ACCESS_LIFETIME))))
        except ValueError:
            lifetime = ACCESS_LIFETIME
        return {
            "access_token": str(body["access_token"]),
            "refresh_token": str(body["refresh_token"]),
            "access_expires_at": (now + timedelta(seconds=lifetime)).isoformat(),
            "refresh_expires_at": (now + REFRESH_LIFETIME).isoformat(),
        }

    def access_token(self) -> str:
        stored = self.credentials.load()
        if not stored or not stored.get("access_token"):
            raise AuthRequired(
                f"kênh Zalo chưa được kết nối: loa channels connect {self.setup.id}",
                f"the Zalo channel is not connected: loa channels connect {self.setup.id}",
            )
        if _expiring(stored):
            return self.refresh(stale=str(stored["access_token"]))
        return str(stored["access_token"])

    def refresh(self, stale: str) -> str:
        """A working access token, refreshing at most once, one process at a time."""
        with self.credentials.exclusive() as current:
            if not current or not current.get("refresh_token"):
                raise AuthRequired(*reauthorise(self.setup.id))
            if current.get("access_token") != stale and not _expiring(current):
                log.info("zalo %s: another process refreshed the token already", self.setup.id)
                return str(current["access_token"])
            expires = parse_time(current.get("refresh_expires_at"))
            if expires is not None and expires <= datetime.now(UTC):
                raise AuthRequired(*reauthorise(self.setup.id), "refresh token expired")
            form = {
                "app_id": self.app_id(),
                "grant_type": "refresh_token",
                "refresh_token": str(current["refresh_token"]),
            }
            fresh = self.exchange(form, Step("Zalo token refresh", "làm mới mã Zalo"))
            if current.get("oa_id"):
                fresh["oa_id"] = current["oa_id"]
            self.credentials.save(fresh)
            log.info("zalo %s: token refreshed, new pair saved", self.setup.id)
        # exclusive() has ended: the new pair is committed, so it may be used now.
        return str(fresh["access_token"])

    def app_id(self) -> str:
        value = self.setup.settings.get("app_id")
        if not value:
            raise AuthRequired(
                "chưa cấu hình mã ứng dụng Zalo (settings.app_id)",
                f"channel {self.setup.id}: settings.app_id is not configured",
            )
        return str(value)

    # -- OA API ------------------------------------------------------------------------------

    def call(
        self, method: str, path: str, what: str, headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:  # fmt: skip
        """One OA API request; after a token error, one refresh and one retry."""
        code, body = self.ask(method, path, what, headers, **kwargs)
        if code != 0:
            raise self.error(code, body, what)
        data = body.get("data")
        return dict(data) if isinstance(data, Mapping) else {}

    def ask(
        self, method: str, path: str, what: str, headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> tuple[int, Mapping[str, Any]]:  # fmt: skip
        """Zalo's `error` code and whole answer, for a caller that reads a refusal itself."""
        url = self.setup.base("api_base") + path
        token = self.access_token()
        code, body = self._send(method, url, token, what, headers, kwargs)
        if code in TOKEN_ERRORS:
            log.info("zalo %s: %s answered %s, refreshing once", self.setup.id, path, code)
            token = self.refresh(stale=token)
            code, body = self._send(method, url, token, what, headers, kwargs)
        return code, body

    def error(self, code: int, body: Mapping[str, Any], what: str) -> ChannelError:
        return zalo_error(code, str(body.get("message", "")), what, self.setup.id)

    def _send(
        self, method: str, url: str, token: str, what: str, headers: Mapping[str, str] | None,
        kwargs: Mapping[str, Any],
    ) -> tuple[int, Mapping[str, Any]]:  # fmt: skip
        try:
            response = self.session.request(
                method, url, headers={**(headers or {}), "access_token": token}, **kwargs
            )
        except requests.RequestException as exc:
            raise transport_error(exc, method, what) from exc
        body = json_or_none(response)
        code = _code(body.get("error")) if body is not None else None
        if body is None or code is None:
            raise unreadable_answer(response, method, what)
        return code, body


def after_create(error: ChannelError, what: str) -> ChannelError:
    """Once Zalo accepted an article, only a refusal is certain: anything else may have landed."""
    if isinstance(error, Rejected | OutcomeUnknown):
        return error
    return OutcomeUnknown(
        "Zalo đã nhận bài nhưng chưa xác nhận; Loa sẽ đối chiếu",
        "Zalo accepted the article but did not confirm it; Loa will reconcile",
        mask(str(error)), step=what,
    )  # fmt: skip


def _code(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _expiring(stored: Mapping[str, Any]) -> bool:
    expires = parse_time(stored.get("access_expires_at"))
    return expires is None or expires - REFRESH_MARGIN <= datetime.now(UTC)
