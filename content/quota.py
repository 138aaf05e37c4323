"""Quota days and upload costs: the pure data part of YouTube's daily quota.

YouTube grants a number of units a day, reset at midnight Pacific time, and every upload costs
many of them. `scheduler.quota` warns before an approval overruns a day; the channels page shows
what today's attempts have spent. Neither needs the other: both read these definitions. What a
channel's quota and costs are comes from its adapter's capabilities and its settings, given by
the caller (content knows nothing of channels).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from content.models import Attempt, Delivery, DeliveryState, Media, MediaKind, PostMedia

PACIFIC = ZoneInfo("America/Los_Angeles")
PLANNED = (
    DeliveryState.scheduled, DeliveryState.claimed, DeliveryState.sending,
    DeliveryState.reconciling, DeliveryState.published, DeliveryState.pending,
)  # fmt: skip


def quota_day(moment: datetime) -> tuple[date, datetime, datetime]:
    """The Pacific day `moment` falls on, and its start and end (aware, Pacific)."""
    day = moment.astimezone(PACIFIC).date()
    start = datetime.combine(day, time(0), tzinfo=PACIFIC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=PACIFIC)
    return day, start, end


def upload_cost(costs: Mapping[str, int], with_thumbnail: bool, with_playlist: bool) -> int:
    units = costs.get("videos.insert", 0)
    units += costs.get("thumbnails.set", 0) if with_thumbnail else 0
    units += costs.get("playlistItems.insert", 0) if with_playlist else 0
    return units


def uploads_cost(
    session: Session, post_ids: Iterable[int], costs: Mapping[str, int], with_playlist: bool
) -> int:
    """Units the uploads of these posts cost: each its upload, its thumbnail when the post has
    an image (the first becomes the thumbnail), its playlist item when one is configured."""
    posts = set(post_ids)
    with_images = set(
        session.exec(
            select(PostMedia.post_id)
            .join(Media, col(Media.sha256) == col(PostMedia.media_sha256))
            .where(col(PostMedia.post_id).in_(posts), Media.kind == MediaKind.image)
        ).all()
    )
    return sum(upload_cost(costs, pid in with_images, with_playlist) for pid in posts)


@dataclass(frozen=True)
class QuotaUse:
    channel_id: str
    day: date  # the quota day (Pacific time)
    used: int  # units spent by today's attempts
    quota: int

    @property
    def over(self) -> bool:
        return self.used >= self.quota


def units_used(
    session: Session,
    channel_id: str,
    costs: Mapping[str, int],
    quota: int,
    now: datetime,
    *,
    with_playlist: bool = False,
) -> QuotaUse:
    """Units spent on `channel_id` during the Pacific day of `now`, from the attempts made.

    Every attempt calls videos.insert (YouTube charges a refused upload too); a published one
    also set its thumbnail (when the post has an image) and its playlist item (when configured).
    """
    day, start, end = quota_day(now)
    rows = session.exec(
        select(Attempt.outcome, Delivery.post_id)
        .join(Delivery, col(Delivery.id) == col(Attempt.delivery_id))
        .where(
            Delivery.channel_id == channel_id,
            col(Attempt.started_at) >= start,
            col(Attempt.started_at) < end,
        )
    ).all()
    published = {post_id for outcome, post_id in rows if outcome == DeliveryState.published}
    with_images = set(
        session.exec(
            select(PostMedia.post_id)
            .join(Media, col(Media.sha256) == col(PostMedia.media_sha256))
            .where(col(PostMedia.post_id).in_(published), Media.kind == MediaKind.image)
        ).all()
    )
    used = len(rows) * costs.get("videos.insert", 0)
    for post_id in published:
        used += upload_cost(costs, post_id in with_images, with_playlist) - costs.get(
            "videos.insert", 0
        )
    return QuotaUse(channel_id, day, used, quota)
