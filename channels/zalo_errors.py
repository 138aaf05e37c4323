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

REJECTIONS: dict[int, str] = {
    -201: "Zalo từ chối một tham số của bài viết / a parameter of the article was refused",
    -209: "ứng dụng Zalo chưa được đăng ký API này / the Zalo app is not registered for this API",
    -212: "OA chưa đăng ký API này / the OA has not registered this API",
    -223: "OA không được phép dùng API này / the OA is not allowed to use this API",
    -219: "ứng dụng Zalo đã bị vô hiệu hóa / the Zalo app has been disabled",
    -221: "OA chưa được xác thực / the OA is not verified",
    -224: "OA chưa mua gói dịch vụ cần cho API này / the OA lacks the service package for this API",
    -240: "Zalo đã ngừng phiên bản API này / Zalo has shut down this API version",
    -248: "Zalo từ chối vì vi phạm chính sách nội dung / content policy violation",
    -320: "ứng dụng chưa liên kết tài khoản Zalo Cloud / the app is not linked to a Zalo Cloud"
    " account",
    -321: "tài khoản Zalo Cloud hết số dư / the Zalo Cloud account is out of balance",
}


class StillProcessing(Retryable):
    """-214: Zalo has the article or video and is still working on it; ask again shortly."""


def reauthorise_message(channel_id: str) -> str:
    return (
        f"Zalo: cần đăng nhập lại OA / a person must re-authorise the OA:"
        f" loa channels connect {channel_id}"
    )


def zalo_error(
    code: int, message: str, what: str, channel_id: str, now: datetime | None = None
) -> ChannelError:
    """The error-tree member for a negative `error` from the OA API."""
    now = now or datetime.now(UTC)
    said = f"(Zalo error {code}: {mask(message) or 'no message'})"
    if code in TOKEN_ERRORS:
        return AuthRequired(f"{what}: {reauthorise_message(channel_id)} {said}")
    if code == -32:
        return RateLimited(
            f"{what}: Zalo giới hạn số lần gọi mỗi phút / Zalo's per-minute rate limit {said}",
            retry_after=RATE_LIMIT_PAUSE,
        )
    if code == PROCESSING:
        return StillProcessing(
            f"{what}: Zalo vẫn đang xử lý / Zalo is still processing {said}",
            retry_after=PROCESSING_PAUSE,
        )
    if code == -211:
        return QuotaExceeded(
            f"{what}: đã hết hạn mức hôm nay của Zalo / Zalo's quota for today is spent {said}",
            until=next_midnight(now),
        )
    if code == -234:
        wait = (night_end(now) - now).total_seconds()
        return Retryable(
            f"{what}: Zalo không gửi tin quảng bá từ 22:00 đến 06:00; hãy dời lịch sang ban ngày"
            f" / Zalo refuses promotional sends at night: reschedule after 06:00 {said}",
            retry_after=wait,
        )
    if code in REJECTIONS:
        return Rejected(f"{what}: {REJECTIONS[code]} {said}")
    return Rejected(f"{what}: Zalo từ chối yêu cầu / Zalo refused the request {said}")


def oauth_error(code: int, description: str, what: str, channel_id: str) -> ChannelError:
    """A negative `error` from oauth.zaloapp.com: the token chain, not the content."""
    said = f"(Zalo error {code}: {mask(description) or 'no description'})"
    if code in REAUTHORISE:
        return AuthRequired(f"{what}: {reauthorise_message(channel_id)} {said}")
    if code in BAD_CODE:
        return AuthRequired(
            f"{what}: mã xác thực hết hạn hoặc không hợp lệ / the authorisation code expired or"
            f" is invalid: run loa channels connect {channel_id} again {said}"
        )
    if code == -32:
        return RateLimited(f"{what}: Zalo's rate limit {said}", retry_after=RATE_LIMIT_PAUSE)
    return AuthRequired(
        f"{what}: Zalo từ chối cấp token; kiểm tra app_id và app secret / Zalo refused to issue"
        f" a token: check the app id and app secret {said}"
    )


def next_midnight(now: datetime) -> datetime:
    local = now.astimezone(VIETNAM)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0, 0), VIETNAM)
    return midnight.astimezone(UTC)


def night_end(now: datetime) -> datetime:
    local = now.astimezone(VIETNAM)
    today = datetime.combine(local.date(), NIGHT_ENDS, VIETNAM)
    end = today if local < today else today + timedelta(days=1)
    return end.astimezone(UTC)
