"""The slot a post would take, read from the database as the post services read it.

`content.posts` places a post with `next_free_slot`; the composer shows the same choice before
saving, with why it suits each channel (`content.slots.plan_slot`). The busy times are the
same: every live delivery due after now on those channels, except the post's own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo

from sqlmodel import Session, col, select

from content.models import Delivery, DeliveryState
from content.slots import SlotError, SlotPlan, parse_slot, plan_slot

HORIZON_DAYS = 60  # as content.posts.SLOT_HORIZON_DAYS


def busy_times(
    session: Session, channel_ids: Sequence[str], now: datetime, post_id: int | None = None
) -> dict[str, set[datetime]]:
    rows = session.exec(
        select(Delivery.channel_id, Delivery.due_at).where(
            col(Delivery.channel_id).in_(channel_ids),
            col(Delivery.due_at) > now,
            col(Delivery.state) != DeliveryState.cancelled,
            col(Delivery.post_id) != (post_id or -1),
        )
    ).all()
    busy: dict[str, set[datetime]] = {}
    for channel_id, due_at in rows:
        if due_at is not None:
            busy.setdefault(channel_id, set()).add(due_at)
    return busy


def find_slot_plan(
    session: Session,
    slots_by_channel: Mapping[str, Sequence[str]],
    now: datetime,
    tz: tzinfo,
    post_id: int | None = None,
) -> SlotPlan | None:
    """The plan for a post on these channels (their slots as written in config.yaml)."""
    try:
        slots = {cid: [parse_slot(s) for s in texts] for cid, texts in slots_by_channel.items()}
    except SlotError:
        return None  # config.yaml is checked on loading; a row changed since is no plan
    busy = busy_times(session, list(slots), now, post_id)
    return plan_slot(slots, busy, now, tz, HORIZON_DAYS)
