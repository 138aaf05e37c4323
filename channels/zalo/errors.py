"""Zalo's error codes on the error tree (CHANNELS.md, "Zalo Official Account", "Errors").

Zalo answers HTTP 200 to nearly everything and puts the verdict in a negative `error`, so the
whole mapping is a table of codes. Messages are for a communications officer: what happened in
Vietnamese and English, then Zalo's own words and code for whoever has to write to Zalo.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from channels.base import (
    AuthRequired,
    ChannelError,
    QuotaExceeded,
    RateLimited,
    Rejected,
    Retryable,
)
from channels.http import mask

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
RATE_LIMIT_PAUSE = 60.0  # -32 is a per-minute limit
PROCESSING_PAUSE = 30.0
NIGHT_ENDS = time(6, 0)  # promotional sends are refused 22:00-06:00, Vietnam time

TOKEN_ERRORS = frozenset({-216, -220, -124})
PROCESSING = -214
REAUTHORISE = frozenset({-14014, -14020})
BAD_CODE = frozenset({-14005, -14019})

REJECTIONS: dict[int, tuple[str, str]] = {  # code -> (Vietnamese, English)
    -201: ("Zalo từ chối một tham số của bài viết", "a parameter of the article was refused"),
    -209: ("ứng dụng Zalo chưa được đăng ký API này",
           "the Zalo app is not registered for this API"),
    -212: ("OA chưa đăng ký API này", "the OA has not registered this API"),
    -223: ("OA không được phép dùng API này", "the OA is not allowed to use this API"),
    -219: ("ứng dụng Zalo đã bị vô hiệu hóa", "the Zalo app has been disabled"),
    -221: ("OA chưa được xác thực", "the OA is not verified"),
    -224: ("OA chưa mua gói dịch vụ cần cho API này",
           "the OA lacks the service package for this API"),
    -240: ("Zalo đã ngừng phiên bản API này", "Zalo has shut down this API version"),
    -248: ("Zalo từ chối vì vi phạm chính sách nội dung", "content policy violation"),
    -320: ("ứng dụng chưa liên kết tài khoản Zalo Cloud",
           "the app is not linked to a Zalo Cloud account"),
    -321: ("tài khoản Zalo Cloud hết số dư", "the Zalo Cloud account is out of balance"),
}  # fmt: skip


class StillProcessing(Retryable):
    """-214: Zalo has the article or video and is still working on it; ask again shortly."""


def reauthorise(channel_id: str) -> tuple[str, str]:
    """ "A person must sign in to the OA again", in Vietnamese and English."""
    return (
        f"cần đăng nhập lại Zalo OA: loa channels connect {channel_id}",
        f"a person must re-authorise the Zalo OA: loa channels connect {channel_id}",
    )


def zalo_error(
    code: int, message: str, what: str, channel_id: str, now: datetime | None = None
) -> ChannelError:
    """The error-tree member for a negative `error` from the OA API."""
    now = now or datetime.now(UTC)
    said = f"Zalo error {code}: {mask(message) or 'no message'}"
    if code in TOKEN_ERRORS:
        return AuthRequired(*reauthorise(channel_id), said, step=what)
    if code == -32:
        return RateLimited(
            "Zalo giới hạn số lần gọi mỗi phút", "Zalo's per-minute rate limit", said,
            step=what, retry_after=RATE_LIMIT_PAUSE,
        )  # fmt: skip
    if code == PROCESSING:
        return StillProcessing(
            "Zalo vẫn đang xử lý", "Zalo is still processing", said,
            step=what, retry_after=PROCESSING_PAUSE,
        )  # fmt: skip
    if code == -211:
        return QuotaExceeded(
            "đã hết hạn mức hôm nay của Zalo", "Zalo's quota for today is spent", said,
            step=what, until=next_midnight(now),
        )  # fmt: skip
    if code == -234:
        wait = (night_end(now) - now).total_seconds()
        return Retryable(
            "Zalo không gửi tin quảng bá từ 22:00 đến 06:00; hãy dời lịch sang ban ngày",
            "Zalo refuses promotional sends at night: reschedule after 06:00",
            said, step=what, retry_after=wait,
        )  # fmt: skip
    vi, en = REJECTIONS.get(code, ("Zalo từ chối yêu cầu", "Zalo refused the request"))
    return Rejected(vi, en, said, step=what)


def oauth_error(code: int, description: str, what: str, channel_id: str) -> ChannelError:
    """A negative `error` from oauth.zaloapp.com: the token chain, not the content."""
    said = f"Zalo error {code}: {mask(description) or 'no description'}"
    if code in REAUTHORISE:
        return AuthRequired(*reauthorise(channel_id), said, step=what)
    if code in BAD_CODE:
        return AuthRequired(
            "mã xác thực hết hạn hoặc không hợp lệ: hãy chạy lại"
            f" loa channels connect {channel_id}",
            f"the authorisation code expired or is invalid: run loa channels connect {channel_id}"
            " again",
            said, step=what,
        )  # fmt: skip
    if code == -32:
        return RateLimited(
            "Zalo giới hạn số lần gọi", "Zalo's rate limit", said,
            step=what, retry_after=RATE_LIMIT_PAUSE,
        )  # fmt: skip
    return AuthRequired(
        "Zalo từ chối cấp mã; hãy kiểm tra app_id và khoá bí mật ứng dụng",
        "Zalo refused to issue a token: check the app id and app secret",
        said, step=what,
    )  # fmt: skip


def next_midnight(now: datetime) -> datetime:
    local = now.astimezone(VIETNAM)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0, 0), VIETNAM)
    return midnight.astimezone(UTC)


def night_end(now: datetime) -> datetime:
    local = now.astimezone(VIETNAM)
    today = datetime.combine(local.date(), NIGHT_ENDS, VIETNAM)
    end = today if local < today else today + timedelta(days=1)
    return end.astimezone(UTC)
