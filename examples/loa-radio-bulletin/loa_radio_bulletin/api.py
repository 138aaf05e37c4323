"""HTTP for the radio's bulletin system: the API key, the error envelope, and the error tree.

Every answer is JSON: `{"ok": true, ...}` or `{"ok": false, "error": {"code", "message",
"field"}}`. `error_for` is the one place where a status and a code become one class of Loa's
error tree (channels.errors), worded in Vietnamese and English, with the station's own words kept
as the detail:

    401, 403 (a missing, wrong or revoked key)      AuthRequired: a person must reconnect
    429 daily_limit_reached                         QuotaExceeded until midnight, Vietnam time
    429 (any other code)                            RateLimited, after Retry-After
    503                                             Retryable, after Retry-After
    other 5xx                                       OutcomeUnknown for a write, else Retryable
    400, 404, 409, 413, 415 ...                     Rejected, with the reason in plain words

Failures below HTTP (no connection, no answer, a proxy's HTML page) go through channels.http,
which every adapter shares.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import requests

from channels.base import (
    AuthRequired,
    ChannelError,
    ChannelSetup,
    CredentialStore,
    OutcomeUnknown,
    QuotaExceeded,
    RateLimited,
    Rejected,
    Retryable,
)
from channels.errors import VIETNAM
from channels.http import SAFE_METHODS, json_or_none, mask, transport_error, unreadable_answer

log = logging.getLogger(__name__)

KEY_HEADER = "X-Api-Key"
BAD_ADDRESS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)
CONNECT_HINT_VI = "Hãy xin đài một khoá API mới rồi chạy `loa channels connect {channel}`."
CONNECT_HINT = "Ask the station for a new API key and run `loa channels connect {channel}`."

# The station's refusals, in plain words: what a person reads on the post's page.
REFUSALS: dict[str, tuple[str, str]] = {
    "missing_field": ("thiếu trường bắt buộc", "a required field is missing"),
    "title_too_long": (
        "tiêu đề dài quá giới hạn của đài",
        "the title is longer than the station takes",
    ),
    "content_too_long": (
        "nội dung dài quá giới hạn của đài",
        "the text is longer than the station takes",
    ),
    "alt_too_long": ("mô tả ảnh dài quá giới hạn", "the alt text is too long"),
    "unsupported_media_type": (
        "đài không nhận loại tệp này",
        "the station does not take this type of file",
    ),
    "media_type_mismatch": (
        "nội dung tệp không khớp với loại tệp",
        "the file's content does not match its type",
    ),
    "file_too_large": ("tệp đính kèm quá lớn", "the attached file is too large"),
    "empty_file": ("tệp đính kèm rỗng", "the attached file is empty"),
    "invalid_source_url": ("địa chỉ nguồn không hợp lệ", "the source link is not valid"),
    "already_aired": (
        "bản tin đã phát sóng, không sửa được nữa",
        "the bulletin has been aired and can no longer be changed",
    ),
    "bulletin_not_found": ("đài không còn bản tin này", "the station no longer has this bulletin"),
    "duplicate_reference": (
        "đài đã có một bản tin mang mã tham chiếu này",
        "the station already holds a bulletin with this reference",
    ),
}


class StationAPI:
    """One station, one key. The key is sent in a header, never in an address, so no request
    line that urllib3 logs carries it."""

    def __init__(
        self, setup: ChannelSetup, credentials: CredentialStore, session: requests.Session
    ) -> None:
        self.setup, self.credentials, self.session = setup, credentials, session

    def key(self) -> str:
        """The key stored by `loa channels connect`, else the configured secret `api_key`."""
        stored = self.credentials.load() or {}
        key = stored.get("api_key") or self.setup.secrets.get("api_key")
        if not key:
            raise AuthRequired(
                f"kênh {self.setup.id}: chưa có khoá API của đài. "
                + CONNECT_HINT_VI.format(channel=self.setup.id),
                f"channel {self.setup.id}: no API key is stored or configured (secret api_key)."
                " " + CONNECT_HINT.format(channel=self.setup.id),
            )
        return str(key)

    def call(
        self,
        method: str,
        path: str,
        *,
        what: str,
        key: str | None = None,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, Any] | None = None,
        json: Any = None,
        tolerate: frozenset[str] = frozenset(),
    ) -> Mapping[str, Any]:
        """One call -> the decoded answer. An error whose code is in `tolerate` is returned as
        its envelope instead of raised (the caller knows what it means there)."""
        base = self.setup.base()
        try:
            response = self.session.request(
                method,
                f"{base}/api/v1{path}",
                params=params,
                data=data,
                files=files,
                json=json,
                headers={KEY_HEADER: key or self.key(), "Accept": "application/json"},
                timeout=self.setup.timeout,
            )
        except BAD_ADDRESS as error:
            raise Rejected(
                f"địa chỉ đã cấu hình {base!r} không hợp lệ",
                f"the configured address {base!r} is not valid",
                step=what,
            ) from error
        except requests.RequestException as error:
            raise transport_error(error, method, what) from error
        body = json_or_none(response)
        if body is None:
            raise unreadable_answer(response, method, what)
        if response.status_code < 400 and body.get("ok") is True:
            return body
        refusal = body.get("error")
        if isinstance(refusal, Mapping) and refusal.get("code") in tolerate:
            return body
        raise error_for(response, body, method, what, self.setup.id)


def error_for(
    response: requests.Response, body: Mapping[str, Any], method: str, what: str, channel: str
) -> ChannelError:
    """The one member of the error tree that an error answer means."""
    status = response.status_code
    error = body.get("error")
    error = error if isinstance(error, Mapping) else {}
    code, field = str(error.get("code") or ""), str(error.get("field") or "")
    detail = mask(f"HTTP {status} {code}: {error.get('message') or ''}".strip())
    if field:
        detail += f" (field {field})"
    write = method.upper() not in SAFE_METHODS
    wait = retry_after(response)
    if status in (401, 403):
        return AuthRequired(
            "đài không nhận khoá API. " + CONNECT_HINT_VI.format(channel=channel),
            "the station refuses the API key. " + CONNECT_HINT.format(channel=channel),
            detail,
            step=what,
        )
    if code == "daily_limit_reached":
        return QuotaExceeded(
            "đài đã nhận đủ số bản tin trong ngày",
            "the station has taken its bulletins for the day",
            detail,
            step=what,
            until=next_midnight(),
        )
    if status == 429:
        vi, en = "đài yêu cầu gửi chậm lại", "the station asks to slow down"
        return RateLimited(vi, en, detail, step=what, retry_after=wait or 60)
    if status == 503:
        vi, en = "hệ thống của đài đang bảo trì", "the station's system is down for maintenance"
        return Retryable(vi, en, detail, step=what, retry_after=wait or 120)
    if status >= 500 and write:
        # The station's application failed after reading the request: it may have stored it.
        return OutcomeUnknown(
            "hệ thống của đài gặp lỗi, không rõ đã nhận hay chưa",
            "the station's system failed; whether it took the request is unknown",
            detail,
            step=what,
        )
    if status >= 500:
        return Retryable("hệ thống của đài gặp lỗi", "the station's system failed", detail,
                         step=what, retry_after=wait or 60)  # fmt: skip
    vi, en = REFUSALS.get(code, ("đài từ chối yêu cầu", "the station refused the request"))
    return Rejected(vi, en, detail, step=what)


def retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.isdigit() else None


def next_midnight() -> datetime:
    """When the station's day starts again: its daily count runs on Vietnam's calendar."""
    now = datetime.now(VIETNAM)
    return datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), VIETNAM)
