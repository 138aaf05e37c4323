"""Planning daily quotas: will approving this post overrun a channel's quota on its day?

YouTube grants a number of units a day, reset at midnight Pacific time, and an upload costs
many of them (the days and costs are defined in `content.quota`, which the web pages
share). Loa adds up what is already planned for that Pacific day on the channel (scheduled,
in flight or published) and warns, naming the day, before the approval turns into a failed
upload on the morning of an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from channels.registry import adapter_class
from content.models import Channel, Delivery
from content.quota import PACIFIC, PLANNED, quota_day, upload_cost, uploads_cost

__all__ = ["PACIFIC", "PLANNED", "QuotaWarning", "quota_day", "quota_warnings", "upload_cost"]


@dataclass(frozen=True)
class QuotaWarning:
    channel_id: str
    day: date  # the quota day (Pacific time)
    units: int
    quota: int

    @property
    def en(self) -> str:
        return (
            f"{self.channel_id}: {self.units} quota units planned on {self.day} (Pacific time),"
            f" above the daily {self.quota}: move a video to another day or ask Google for more"
        )

    @property
    def vi(self) -> str:
        return (
            f"{self.channel_id}: ngày {self.day:%d/%m/%Y} (giờ Thái Bình Dương) đã xếp"
            f" {self.units} đơn vị hạn mức, vượt mức {self.quota}/ngày: hãy chuyển một video"
            " sang ngày khác hoặc xin Google tăng hạn mức"
        )


def quota_warnings(session: Session, post_id: int) -> list[QuotaWarning]:
    """For each quota-limited channel of the post, the day's planned units if over quota."""
    warnings = []
    deliveries = session.exec(select(Delivery).where(Delivery.post_id == post_id)).all()
    for delivery in deliveries:
        channel = session.get(Channel, delivery.channel_id)
        if channel is None or delivery.due_at is None:
            continue
        caps = adapter_class(channel.type).capabilities
        quota = int(channel.settings.get("daily_quota_units", caps.daily_quota_units or 0))
        if not quota:
            continue
        costs = {**caps.quota_cost, **(channel.settings.get("quota_cost") or {})}
        day, start, end = quota_day(delivery.due_at)
        planned = session.exec(
            select(Delivery.post_id).where(
                Delivery.channel_id == channel.id,
                col(Delivery.state).in_(PLANNED),
                col(Delivery.due_at) >= start,
                col(Delivery.due_at) < end,
            )
        ).all()
        playlist = bool(channel.settings.get("playlist_id"))
        units = uploads_cost(session, planned, costs, playlist)
        if units > quota:
            warnings.append(QuotaWarning(channel.id, day, units, quota))
    return warnings
