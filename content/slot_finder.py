"""The slot a post would take, read from the database: one search for the post services and the
composer, so the time stored is the time the composer's page explained.

`content.posts` places a post with `find_slot_plan` (its `.at`); the composer shows the same
plan before saving, with why it suits each channel (web.pages.compose_slot). Both read the same busy
times (every live delivery of those channels due from a day before now, the post's own left out,
plus what an import batch placed already) and each channel's spacing from its settings
(`settings.min_gap_minutes`, `settings.daily_cap`: content.slots.spacing_of).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, tzinfo

from sqlmodel import Session, col, select

from content.models import Channel, Delivery, DeliveryState
from content.slots import SlotError, SlotPlan, Spacing, parse_slot, plan_slot, spacing_of

HORIZON_DAYS = 60  # as content.posts.SLOT_HORIZON_DAYS
# Posts this far back still count: for the gap after a post just published, and for the day's
# cap (a local day starts at most a day before now).
LOOK_BACK = timedelta(days=1)


def busy_times(
    session: Session, channel_ids: Sequence[str], now: datetime, post_id: int | None = None
) -> dict[str, set[datetime]]:
    rows = session.exec(
        select(Delivery.channel_id, Delivery.due_at).where(
            col(Delivery.channel_id).in_(channel_ids),
            col(Delivery.due_at) > now - LOOK_BACK,
            col(Delivery.state) != DeliveryState.cancelled,
            col(Delivery.post_id) != (post_id or -1),
        )
    ).all()
    busy: dict[str, set[datetime]] = {}
    for channel_id, due_at in rows:
        if due_at is not None:
            busy.setdefault(channel_id, set()).add(due_at)
    return busy


def spacing_by_channel(session: Session, channel_ids: Sequence[str]) -> dict[str, Spacing]:
    rows = session.exec(
        select(Channel.id, Channel.settings).where(col(Channel.id).in_(channel_ids))
    ).all()
    return {channel_id: spacing_of(settings or {}) for channel_id, settings in rows}


def find_slot_plan(
    session: Session,
    slots_by_channel: Mapping[str, Sequence[str]],
    now: datetime,
    tz: tzinfo,
    post_id: int | None = None,
    placed: Mapping[str, set[datetime]] | None = None,
) -> SlotPlan | None:
    """The plan for a post on these channels (their slots as written in config.yaml); `placed`:
    times taken by posts not yet in the database (an import's earlier rows)."""
    try:
        slots = {cid: [parse_slot(s) for s in texts] for cid, texts in slots_by_channel.items()}
    except SlotError:
        return None  # config.yaml is checked on loading; a row changed since is no plan
    busy = busy_times(session, list(slots), now, post_id)
    for channel_id, times in (placed or {}).items():
        busy.setdefault(channel_id, set()).update(times)
    spacing = spacing_by_channel(session, list(slots))
    return plan_slot(slots, busy, now, tz, HORIZON_DAYS, spacing=spacing)
