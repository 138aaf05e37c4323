"""Graph API failures mapped onto the error tree (CHANNELS.md, "Facebook Pages", Errors).

Facebook says what went wrong in `code`, `error_subcode` and `is_transient`; the HTTP status is
only a tie-breaker for codes the table below does not know. The order of the decisions matters:

1. rate limits (4, 17, 32, 613, 80001, 341) -> RateLimited, waiting what the
   `X-Business-Use-Case-Usage` header says (it is often sent with `is_transient: true`, and the
   wait would be lost if that flag were read first)
2. `is_transient: true` -> Retryable, whatever the code
3. 1, 2 -> Retryable; 368 (temporary policy block) -> Retryable after an hour
4. 190, or a token subcode (458, 460, 463, 467...) -> AuthRequired
5. 10 and 200-299 -> Rejected (the token lacks a permission); 100 -> Rejected (a bad parameter);
   1609005 -> Rejected (the link could not be read)
6. 506 (duplicate post) -> OutcomeUnknown: the same text was probably published already
7. anything else: Retryable on a 5xx, Rejected otherwise
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from channels.base import (
    AuthRequired,
    ChannelError,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    Retryable,
)
from channels.http import mask

log = logging.getLogger(__name__)

USAGE_HEADER = "X-Business-Use-Case-Usage"
RATE_CODES = frozenset({4, 17, 32, 613, 80001, 341})
DEFAULT_RATE_WAIT = 300.0  # seconds, when the usage header gives no estimate
POLICY_BLOCK_WAIT = 3600.0
LINK_UNREADABLE = 1609005
TOKEN_SUBCODES = {  # subcode -> (Vietnamese, English)
    458: ("người kết nối Trang đã gỡ ứng dụng Facebook của Loa",
          "the person who connected the page removed Loa's Facebook app"),
    459: ("tài khoản Facebook đang bị khoá tại bước kiểm tra bảo mật",
          "the Facebook account is locked at a checkpoint"),
    460: ("mật khẩu tài khoản Facebook đã đổi", "the password of the Facebook account changed"),
    463: ("mã truy cập đã hết hạn", "the token expired"),
    464: ("tài khoản Facebook chưa được xác nhận", "the Facebook account is not confirmed"),
    467: ("mã truy cập không còn hiệu lực (người dùng đã đăng xuất)",
          "the token is no longer valid (the person logged out)"),
}  # fmt: skip
BAD_TOKEN = ("mã truy cập của Trang không hợp lệ", "the page token is not valid")


@dataclass(frozen=True)
class GraphFault:
    """The `error` object of a Graph answer."""

    code: int | None
    subcode: int | None
    type: str
    message: str
    user_message: str = ""
    transient: bool = False
    trace: str = ""

    @classmethod
    def parse(cls, body: Any) -> GraphFault | None:
        error = body.get("error") if isinstance(body, Mapping) else None
        if not isinstance(error, Mapping):
            return None
        return cls(
            code=_int(error.get("code")),
            subcode=_int(error.get("error_subcode")),
            type=str(error.get("type") or ""),
            message=str(error.get("message") or ""),
            user_message=str(error.get("error_user_msg") or ""),
            transient=error.get("is_transient") is True,
            trace=str(error.get("fbtrace_id") or ""),
        )

    def said(self) -> str:
        """Facebook's own words, with the numbers support staff ask for."""
        words = self.message
        if self.user_message and self.user_message not in words:
            words = f"{words} {self.user_message}".strip()
        ids = f"code {self.code}" + (f"/{self.subcode}" if self.subcode else "")
        if self.trace:
            ids += f", trace {self.trace}"
        return mask(f"Facebook said: {words} [{ids}]")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def classify(
    fault: GraphFault, *, what: str, status: int, headers: Mapping[str, str]
) -> ChannelError:
    """The one error-tree member for a Graph error answer."""
    code, said = fault.code, fault.said()
    if code in RATE_CODES:
        wait = regain_seconds(headers) or DEFAULT_RATE_WAIT
        minutes = f"{wait / 60:.0f}"
        return RateLimited(
            f"Facebook yêu cầu Loa gọi chậm lại trong {minutes} phút",
            f"Facebook asks Loa to slow down for {minutes} minutes",
            said, step=what, retry_after=wait,
        )  # fmt: skip
    if fault.transient or code in (1, 2):
        return Retryable(
            "Facebook đang gặp sự cố tạm thời", "Facebook had a temporary problem",
            said, step=what, retry_after=60,
        )  # fmt: skip
    if code == 368:
        return Retryable(
            "Facebook tạm chặn đăng bài từ Trang này vì lý do chính sách; Loa chờ một giờ",
            "Facebook temporarily blocks posting from this page for policy reasons;"
            " Loa waits an hour",
            said, step=what, retry_after=POLICY_BLOCK_WAIT,
        )  # fmt: skip
    if code in (102, 190) or fault.subcode in TOKEN_SUBCODES:
        vi, en = TOKEN_SUBCODES.get(fault.subcode or 0, BAD_TOKEN)
        return AuthRequired(
            f"Facebook không còn chấp nhận mã truy cập của Trang: {vi}. Hãy kết nối lại kênh"
            " (`loa channels connect`)",
            f"Facebook no longer accepts the page's token: {en}. Reconnect the"
            " channel with `loa channels connect`",
            said, step=what,
        )  # fmt: skip
    if LINK_UNREADABLE in (code, fault.subcode):
        return Rejected(
            "Facebook không đọc được liên kết; hãy kiểm tra địa chỉ mở được với mọi người",
            "Facebook could not read the link; check that the address opens for the public",
            said, step=what,
        )  # fmt: skip
    if code == 10 or (code is not None and 200 <= code <= 299):
        return Rejected(
            "mã của Trang thiếu quyền cần cho việc này: hãy để người quản lý Trang kết nối lại"
            " với quyền pages_manage_posts",
            "the page token lacks a permission this needs: reconnect with"
            " pages_manage_posts, by a person who manages the page",
            said, step=what,
        )  # fmt: skip
    if code == 100:
        return Rejected(
            "Facebook từ chối một giá trị trong bài", "Facebook refused a value in the post",
            said, step=what,
        )  # fmt: skip
    if code == 506:
        return OutcomeUnknown(
            "Facebook báo bài giống hệt vừa được đăng; có lẽ bài đã lên, Loa kiểm tra lại Trang",
            "Facebook says the same post was just published; it was probably"
            " published already, Loa checks the page",
            said, step=what,
        )  # fmt: skip
    if status >= 500:
        return Retryable("Facebook gặp lỗi", "Facebook failed", said, step=what, retry_after=60)
    return Rejected("Facebook từ chối yêu cầu", "Facebook refused it", said, step=what)


def _usage_entries(headers: Mapping[str, str]) -> list[Mapping[str, Any]]:
    raw = headers.get(USAGE_HEADER)
    if not raw:
        return []
    try:
        data = json.loads(raw)
    except ValueError:
        log.warning("unreadable %s header: %.200s", USAGE_HEADER, raw)
        return []
    if not isinstance(data, Mapping):
        return []
    return [
        entry
        for entries in data.values()
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, Mapping)
    ]


def regain_seconds(headers: Mapping[str, str]) -> float | None:
    """`estimated_time_to_regain_access` (minutes) as seconds, or None when none is given."""
    minutes = [_number(e.get("estimated_time_to_regain_access")) for e in _usage_entries(headers)]
    longest = max(minutes, default=0.0)
    return longest * 60 if longest > 0 else None


def usage_peak(headers: Mapping[str, str]) -> float:
    """The highest share of a limit used, in percent (call count, time, CPU time)."""
    keys = ("call_count", "total_time", "total_cputime")
    return max(
        (_number(entry.get(key)) for entry in _usage_entries(headers) for key in keys),
        default=0.0,
    )


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0
