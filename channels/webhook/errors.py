"""A webhook receiver's HTTP statuses on the error tree, in one place.

    2xx with an answer matching answer.schema.json   -> the receipt
    2xx with any other answer                        -> Rejected, naming what is wrong
    401, 403                                         -> AuthRequired: the receiver refused the
                                                        signature (another secret, a clock more
                                                        than 5 minutes off); the channel is held
    408, 409, 425                                    -> Retryable (Retry-After honoured)
    429                                              -> RateLimited (Retry-After honoured)
    other 4xx, 3xx                                   -> Rejected: sending it again cannot help
    5xx                                              -> Retryable: the receiver drops a repeated
                                                        webhook-id, so trying again is safe
    no answer after sending                          -> OutcomeUnknown (channels.http), settled
                                                        by the lookup endpoint

What the receiver said (`{"error": ...}` or `{"message": ...}`, else the start of its page)
is kept as the error's detail, masked and cut short.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from channels.base import AuthRequired, ChannelError, RateLimited, Rejected, Retryable
from channels.http import json_or_none, mask
from channels.webhook.payload import mismatches

RETRY_STATUSES = frozenset({408, 409, 425})
DEFAULT_WAIT = {408: 30.0, 409: 30.0, 425: 60.0, 429: 60.0}
SERVER_WAIT = 60.0
SAID_CHARS = 300


def error_for(response: requests.Response, what: str, channel: str) -> ChannelError:
    """The error for an answer that is not a success (anything but 2xx)."""
    status = response.status_code
    said = receiver_said(response)
    if status in (401, 403):
        return AuthRequired(
            f"máy nhận từ chối chữ ký của Loa (HTTP {status}): khoá ký của kênh {channel} khác"
            " khoá máy nhận đang dùng, hoặc đồng hồ hai máy lệch nhau quá 5 phút. Hãy đặt đúng"
            f" khoá rồi chạy `loa channels connect {channel}`",
            f"the receiver refused Loa's signature (HTTP {status}): channel {channel}'s signing"
            " secret differs from the receiver's, or the two clocks are more than 5 minutes"
            f" apart. Set the right secret and run `loa channels connect {channel}`",
            said, step=what,
        )  # fmt: skip
    if status == 429:
        return RateLimited(
            "máy nhận yêu cầu gửi chậm lại (HTTP 429)", "the receiver asks to slow down (HTTP 429)",
            said, step=what, retry_after=retry_after(response, DEFAULT_WAIT[429]),
        )  # fmt: skip
    if status in RETRY_STATUSES:
        return Retryable(
            f"máy nhận chưa nhận được lúc này (HTTP {status}), Loa sẽ gửi lại",
            f"the receiver cannot take it now (HTTP {status}); Loa will send it again",
            said, step=what, retry_after=retry_after(response, DEFAULT_WAIT[status]),
        )  # fmt: skip
    if status >= 500:
        return Retryable(
            f"máy nhận gặp lỗi (HTTP {status}), Loa sẽ gửi lại",
            f"the receiver had an error (HTTP {status}); Loa will send it again",
            said, step=what, retry_after=retry_after(response, SERVER_WAIT),
        )  # fmt: skip
    if 300 <= status < 400:
        where = response.headers.get("Location", "")
        return Rejected(
            f"máy nhận chuyển hướng sang địa chỉ khác (HTTP {status}): hãy đặt địa chỉ mới vào"
            " settings của kênh",
            f"the receiver redirects elsewhere (HTTP {status}): put the new address in the"
            " channel's settings",
            mask(f"Location: {where}"), step=what,
        )  # fmt: skip
    return Rejected(
        f"máy nhận từ chối bài (HTTP {status}); gửi lại cũng không được",
        f"the receiver refused the post (HTTP {status}); sending it again would not help",
        said, step=what,
    )  # fmt: skip


def answer_of(response: requests.Response, schema: str, what: str) -> dict[str, Any]:
    """A 2xx answer that matches schemas/<schema>.schema.json, or Rejected naming the fault."""
    body = json_or_none(response)
    if body is None:
        kind = response.headers.get("Content-Type", "")
        raise Rejected(
            "máy nhận đã nhận nhưng trả lời không phải JSON như lược đồ"
            f" {schema}.schema.json yêu cầu (Content-Type: {kind or 'không có'})",
            "the receiver took it but its answer is not the JSON that"
            f" {schema}.schema.json describes (Content-Type: {kind or 'none'})",
            receiver_said(response), step=what,
        )  # fmt: skip
    wrong = mismatches(schema, body)
    if wrong:
        first = wrong[0]
        raise Rejected(
            f"máy nhận đã nhận nhưng câu trả lời sai lược đồ {schema}.schema.json: {first.vi}",
            f"the receiver took it but its answer does not match {schema}.schema.json:"
            f" {first.en}",
            mask("; ".join(m.detail for m in wrong))[:SAID_CHARS], step=what,
        )  # fmt: skip
    return dict(body)


def receiver_said(response: requests.Response) -> str:
    body = json_or_none(response)
    words: Any = None
    if body is not None:
        words = body.get("error") or body.get("message") or body.get("detail")
        if isinstance(words, dict):
            words = words.get("message") or words
    if words is None:
        words = re.sub(r"<[^>]*>", " ", response.text or "")
    text = re.sub(r"\s+", " ", str(words)).strip()[:SAID_CHARS]
    return mask(f"the receiver says: {text} (HTTP {response.status_code})" if text else
                f"HTTP {response.status_code}")  # fmt: skip


def retry_after(response: requests.Response, default: float) -> float:
    """Retry-After in seconds or as an HTTP date; `default` when absent or unreadable."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
