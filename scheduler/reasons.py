"""What the scheduler itself says about a delivery, and its alerts' words, in both languages.

Adapters word their own failures (`channels.errors`); these are the reasons that come from Loa:
a lease that expired, a missed slot, a channel this process cannot use, what reconciling found.
Alerts name a channel as people know it ("Facebook · Sở Văn hoá"), never by its config id.
"""

from __future__ import annotations

from content.labels import channel_label
from content.models import Channel
from content.reasons import Reason

STOPPED_WHILE_SENDING = Reason(
    "Tiến trình đăng dừng giữa lúc gửi: Loa đang kiểm tra trên nền tảng xem bài đã lên chưa",
    "the worker stopped while sending: checking the platform",
)
MISSED = Reason(
    "Lỡ giờ đăng: lúc đó Loa không chạy và đã quá thời gian chờ cho phép",
    "missed: Loa was not publishing at the time, and the grace ran out",
)
NOT_FOUND_REVIEW = Reason(
    "Không thấy bài trên nền tảng sau một lần gửi không rõ kết quả: cần người kiểm tra",
    "not found on the platform after an unknown outcome",
)
NOT_FOUND_AGAIN = Reason(
    "Không thấy bài trên nền tảng: Loa gửi lại", "not found on the platform: sending again"
)
REMOVED = Reason("Đã gỡ khỏi nền tảng", "removed from the platform")


def not_usable(failure: BaseException, *, checked: bool = False) -> Reason:
    """The channel's adapter cannot be built in this process (unknown type, missing setting)."""
    detail = f"{type(failure).__name__}: {failure}"
    if checked:
        return Reason(
            "Chưa kiểm tra được: máy này không dùng được kênh",
            "not checked, the channel cannot be used here",
            detail,
        )
    return Reason(
        "Chưa gửi: máy này không dùng được kênh",
        "not sent, the channel cannot be used here",
        detail,
    )


def unexpected(failure: BaseException) -> Reason:
    return Reason(
        "Lỗi không lường trước trong Loa",
        "unexpected error",
        f"{type(failure).__name__}: {failure}",
    )


def waiting_for_reconnect(reason: Reason) -> Reason:
    return reason.prefixed("Chờ kết nối lại kênh", "waiting for the channel to be reconnected")


def could_not_ask(reason: Reason) -> Reason:
    return reason.prefixed("Không hỏi được nền tảng", "the platform could not be asked")


def asking_again(reason: Reason) -> Reason:
    return reason.prefixed(
        "Kiểm tra trên nền tảng không được, Loa sẽ hỏi lại",
        "checking the platform failed, asking again",
    )


def channel_names(channel: Channel | None, channel_id: str) -> tuple[str, str]:
    """The channel as people name it, in Vietnamese and English: "Trang web · Sở Du lịch"."""
    if channel is None:
        return channel_id, channel_id
    name = channel.name or channel.id
    return channel_label(channel.type, name, "vi"), channel_label(channel.type, name, "en")


def alert_body(reason: Reason, *more: tuple[str, str]) -> str:
    """An alert's text: Vietnamese, then English, then what the platform said."""
    lines = [reason.vi or reason.en, reason.en] if reason.vi else [reason.en]
    lines += [f"{vi}\n{en}" for vi, en in more]
    if reason.detail:
        lines.append(f"Chi tiết / Detail: {reason.detail}")
    return "\n\n".join(lines)
