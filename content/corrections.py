"""Keeping what a platform holds in step with the post: corrections, new times, removals.

A delivery is on its platform once it is `published`, or `handed_over` (natively scheduled: the
platform holds it until its time). Changing such a post in Loa queues a `DeliveryChange` per
delivery, which a worker carries out through the adapter's `update` or `remove`
(scheduler.corrections): leased, retried and audited like a publication. Only the fields a
channel's post shows are compared, overrides applied, so a change of topic queues nothing.

Who may correct a published post follows the workflow's rules (content.workflow
`state_after_edit`): an editor's correction keeps the post approved and goes out at once; an
officer's (or an editor's own post's) sends the post back to review, and its changes wait until
an editor approves it, because an update always sends the post as it stands in Loa.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from content import audit
from content.inputs import PostInput
from content.models import ChangeAction, ChangeState, Delivery, DeliveryChange, DeliveryState
from content.reasons import reason_text

D = DeliveryState
ON_PLATFORM = frozenset({D.published, D.handed_over})
OPEN_CHANGES = (ChangeState.queued, ChangeState.working)
# A platform publishes at once what is due within this (WordPress: a minute), so handing it over
# ahead is pointless.
HANDOVER_MARGIN = timedelta(minutes=2)

# Fields of a post, and of a channel's overrides, as the contract names what a platform shows
# (channels.base.EDITABLE_FIELDS). Zalo's summary is part of the text people read.
_POST_FIELDS = {
    "title": "title",
    "body": "text",
    "link": "link",
    "hashtags": "hashtags",
    "media": "media",
    "scheduled_at": "scheduled_at",
}
_OVERRIDE_FIELDS = {"title": "title", "body": "text", "link": "link", "hashtags": "hashtags"}


def shown_fields(before: PostInput, after: PostInput, channel_id: str) -> set[str]:
    """What a channel's post shows differently after this edit, in the contract's names."""

    def shown(data: PostInput) -> dict[str, Any]:
        override = data.overrides.get(channel_id, {})
        values = {name: getattr(data, attr) for attr, name in _POST_FIELDS.items()}
        values |= {name: override[key] for key, name in _OVERRIDE_FIELDS.items() if key in override}
        values["summary"] = override.get("summary")
        return values

    old, new = shown(before), shown(after)
    changed = {name for name in old if old[name] != new[name]}
    if "summary" in changed:
        changed = (changed - {"summary"}) | {"text"}
    return changed


def handover_due(
    settings: Mapping[str, Any], scheduled_at: datetime | None, now: datetime
) -> datetime | None:
    """When a natively scheduled channel's delivery is handed to the platform: at approval, or
    `native_lead_hours` before its time (a large video uploaded ahead, but not weeks ahead).
    None: the worker publishes it at its time (no native scheduling, or the time is too near)."""
    if not settings.get("native_schedule") or scheduled_at is None:
        return None
    if scheduled_at - now <= HANDOVER_MARGIN:
        return None
    lead = settings.get("native_lead_hours")
    if lead is None:
        return now
    return max(now, scheduled_at - timedelta(hours=float(lead)))


def queue_change(
    session: Session,
    delivery: Delivery,
    action: ChangeAction,
    fields: Sequence[str],
    actor: str,
    now: datetime,
    *,
    post_id: int | None = None,
) -> DeliveryChange:
    """Queue a change for a delivery on its platform, folded into one still waiting."""
    assert delivery.id is not None
    waiting = session.exec(
        select(DeliveryChange).where(
            DeliveryChange.delivery_id == delivery.id,
            DeliveryChange.state == ChangeState.queued,
        )
    ).all()
    change = next((c for c in waiting if c.action == action), None)
    if action is ChangeAction.remove:
        for other in waiting:  # nothing else matters once it is taken down
            if other.action == ChangeAction.update:
                other.state, other.finished_at = ChangeState.superseded, now
                session.add(other)
    if change is None:
        change = DeliveryChange(
            delivery_id=delivery.id, action=action, fields=sorted(fields), due_at=now,
            requested_by=actor, created_at=now,
        )  # fmt: skip
    else:
        change.fields = sorted(set(change.fields) | set(fields))
        change.due_at, change.requested_by = now, actor
    session.add(change)
    audit.record(
        session,
        actor,
        "delivery.change_queued",
        post_id=post_id if post_id is not None else delivery.post_id,
        channel_id=delivery.channel_id,
        at=now,
        change=action.value,
        fields=sorted(fields),
    )
    return change


def queue_corrections(
    session: Session,
    deliveries: Sequence[Delivery],
    before: PostInput,
    after: PostInput,
    actor: str,
    now: datetime,
) -> list[DeliveryChange]:
    """An update for every delivery on its platform that shows something different now."""
    queued = []
    for delivery in deliveries:
        if delivery.state not in ON_PLATFORM or delivery.channel_id not in after.channels:
            continue
        fields = shown_fields(before, after, delivery.channel_id)
        if delivery.state == D.published:
            fields.discard("scheduled_at")  # it is out: its time is history
        if fields:
            queued.append(
                queue_change(session, delivery, ChangeAction.update, sorted(fields), actor, now)
            )
    return queued


def latest_changes(session: Session, delivery_ids: Sequence[int]) -> dict[int, DeliveryChange]:
    """Each delivery's most recent change, for the post page."""
    rows = session.exec(
        select(DeliveryChange)
        .where(col(DeliveryChange.delivery_id).in_(list(delivery_ids)))
        .order_by(col(DeliveryChange.id))
    ).all()
    return {row.delivery_id: row for row in rows}


# -- in words, for the post page -------------------------------------------------------------

PLATFORM_NAMES = {
    "facebook_page": "Facebook",
    "youtube": "YouTube",
    "zalo_oa": "Zalo",
    "wordpress": "WordPress",
}
FIELD_WORDS: dict[str, tuple[str, str]] = {
    "title": ("tiêu đề", "the title"),
    "text": ("nội dung", "the text"),
    "link": ("liên kết", "a link"),
    "hashtags": ("hashtag", "the hashtags"),
    "media": ("ảnh và video", "photos and videos"),
    "scheduled_at": ("giờ đăng", "the time"),
}


def change_words(change: DeliveryChange, channel_type: str, lang: str = "vi") -> str:
    """What became of a change on the platform, plainly: done, to do by hand, or why not."""
    name = PLATFORM_NAMES.get(channel_type, channel_type)
    vi = lang == "vi"
    removal = change.action == ChangeAction.remove
    fields = [FIELD_WORDS.get(f, (f, f))[0 if vi else 1] for f in change.unchanged if f != "remove"]
    listed = ", ".join(fields)
    by_hand = (
        (f"{name} không cho gỡ bài tự động — hãy gỡ tay" if vi
         else f"{name} cannot take the post down automatically: remove it by hand")
        if removal
        else (f"{name} không cho sửa {listed} — hãy sửa tay" if vi
              else f"{name} cannot change {listed}: edit it by hand")
    )  # fmt: skip
    if change.state == ChangeState.queued:
        return (
            "Chỉnh sửa đang chờ gửi lên nền tảng (sau khi bài được duyệt)"
            if vi
            else "The change waits to be sent to the platform (once the post is approved)"
        )
    if change.state == ChangeState.working:
        return "Đang gửi chỉnh sửa lên nền tảng" if vi else "Sending the change to the platform"
    if change.state == ChangeState.failed:
        why = reason_text(change.last_error, lang)
        return (
            f"Nền tảng không nhận chỉnh sửa: {why}"
            if vi
            else f"The platform refused the change: {why}"
        )
    if change.state == ChangeState.by_hand:
        return by_hand
    if change.state == ChangeState.superseded:
        return "Không còn gì để sửa trên nền tảng" if vi else "Nothing left to change there"
    done = (
        ("Đã gỡ khỏi nền tảng" if vi else "Removed from the platform")
        if removal
        else ("Đã sửa trên nền tảng" if vi else "Updated on the platform")
    )
    return f"{done}; {by_hand}" if fields else done


def needs_hand(change: DeliveryChange) -> bool:
    """A person must still change something on the platform (the page links to the post)."""
    return change.state == ChangeState.by_hand or bool(change.unchanged)
