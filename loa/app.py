"""Wiring: configuration in, a ready database and services out.

The one place that knows every package: `content` for the queue, `channels` for the adapters'
checks, and `scheduler` for turning posts into publications.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from content import audit
from content.db import Database
from content.errors import UserError
from content.inputs import Vocabulary
from content.media import MediaLimits, MediaStore
from content.models import Channel, ChannelState, Delivery, DeliveryState, Department, User
from content.posts import PostService
from content.reasons import Reason
from content.timeutil import utcnow
from loa.config import ChannelConfig, LoaConfig, load_config
from scheduler.publication import channel_checker

log = logging.getLogger(__name__)


@dataclass
class App:
    config: LoaConfig
    db: Database
    media: MediaStore
    posts: PostService
    # Each channel's memo (channels.base.NEED_MEMO), shared by the adapters this process builds
    # for it (one per publishing thread), by channel id
    memos: dict[str, dict[str, Any]] = field(default_factory=dict)
    config_path: Path | None = None  # where `config` was read from (a worker reloads it)

    def close(self) -> None:
        self.db.dispose()


def open_app(config_path: Path, *, migrate: bool = False) -> App:
    """Load the configuration and open its database, which must be at the latest schema.

    `migrate=True` (for `loa init`, `loa db upgrade`, the demo) brings the schema up to date
    first; otherwise an old schema is an error that says what to run.
    """
    config = load_config(config_path)
    db = Database(config.database_url)
    if migrate:
        db.upgrade()
    elif db.current_revision() != db.head_revision():
        db.dispose()
        raise UserError(
            f"the database {config.database} is not at the latest schema; run `loa db upgrade`",
            f"Cơ sở dữ liệu {config.database} chưa được cập nhật; hãy chạy `loa db upgrade`.",
        )
    sync_reference_data(db, config)
    media = MediaStore(
        config.media_path,
        MediaLimits(
            max_total_bytes=config.media_max_total_bytes,
            min_free_bytes=config.media_min_free_bytes,
        ),
    )
    posts = PostService(
        db,
        Vocabulary(frozenset(config.topic_codes), frozenset(config.pillar_codes)),
        config.zone,
        checker=channel_checker(media.path_of),
        default_grace_minutes=config.worker.default_grace_minutes,
    )
    return App(config, db, media, posts, config_path=config_path)


def sync_reference_data(db: Database, config: LoaConfig) -> None:
    """Make departments, seed users and channels in the database match the configuration.

    Reads first and writes only when something differs, so an ordinary command does not take
    the write lock. Users are only seeded: once created they are managed by admins. A channel
    no longer in the configuration is retired (never used, its queued posts held with the
    reason); listed again, it is active again and its held posts go out.
    """
    with db.read() as session:
        stale = _differences(session, config)
    if not stale:
        return
    with db.write() as session:
        for department in config.departments:
            session.merge(
                Department(
                    code=department.code, name_vi=department.name_vi, name_en=department.name_en
                )
            )
        session.flush()
        existing_users = set(session.exec(select(User.username)).all())
        for user in config.users:
            if user.username not in existing_users:
                session.add(
                    User(
                        username=user.username,
                        full_name=user.full_name,
                        role=user.role,
                        department_code=user.department,
                    )
                )
        for wanted in config.channels:
            channel = session.get(Channel, wanted.id) or Channel(
                id=wanted.id, type=wanted.type, department_code=wanted.department
            )
            _apply_channel(channel, _channel_values(wanted))
            if channel.state == ChannelState.retired:
                _reactivate(session, channel)
            session.add(channel)
        listed = {wanted.id for wanted in config.channels}
        for channel in session.exec(select(Channel)).all():
            if channel.id not in listed and channel.state != ChannelState.retired:
                _retire(session, channel)
    log.info("reference data synchronised from configuration: %s", ", ".join(stale))


RETIRED_REASON = Reason(
    "Kênh đã bị gỡ khỏi config.yaml: bài chờ đến khi kênh được thêm lại",
    "the channel was removed from config.yaml: waiting until it is added back",
).encode()
# As databases written before reasons were structured hold it.
_RETIRED_BEFORE = (
    "kênh đã bị gỡ khỏi config.yaml: bài chờ đến khi kênh được thêm lại"
    " / the channel was removed from config.yaml: waiting until it is added back"
)
_WAITING = (DeliveryState.scheduled, DeliveryState.reconciling)


def _retire(session: Session, channel: Channel) -> None:
    """Out of config.yaml: no worker uses it, and its waiting posts say why they wait."""
    now = utcnow()
    audit.record(session, "config", "channel.retired", channel_id=channel.id, state=channel.state)
    channel.state, channel.updated_at = ChannelState.retired, now
    session.add(channel)
    session.execute(
        update(Delivery)
        .where(col(Delivery.channel_id) == channel.id, col(Delivery.state).in_(_WAITING))
        .values(last_error=RETIRED_REASON, updated_at=now)
    )
    log.warning("channel %s is no longer in the configuration: retired", channel.id)


def _reactivate(session: Session, channel: Channel) -> None:
    """Back in config.yaml: active again; the posts held meanwhile go out now, late rather than
    lost (as after a reconnection)."""
    now = utcnow()
    audit.record(session, "config", "channel.reactivated", channel_id=channel.id)
    channel.state, channel.updated_at = ChannelState.active, now
    retired = col(Delivery.last_error).in_([RETIRED_REASON, _RETIRED_BEFORE])
    held = (col(Delivery.channel_id) == channel.id, retired)
    session.execute(
        update(Delivery)
        .where(*held, col(Delivery.state) == DeliveryState.scheduled, col(Delivery.due_at) < now)
        .values(due_at=now)
    )
    session.execute(
        update(Delivery)
        .where(*held, col(Delivery.state).in_(_WAITING))
        .values(last_error=None, updated_at=now)
    )
    log.info("channel %s is in the configuration again: active", channel.id)


def _channel_values(wanted: ChannelConfig) -> dict[str, Any]:
    return {
        "type": wanted.type,
        "department_code": wanted.department,
        "name": wanted.name,
        "settings": {**wanted.settings, "bases": wanted.bases},
        "slots": list(wanted.slots),
    }


def _apply_channel(channel: Channel, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(channel, name, value)


def _differences(session: Session, config: LoaConfig) -> list[str]:
    stale: list[str] = []
    departments = {row.code: row for row in session.exec(select(Department)).all()}
    for department in config.departments:
        row = departments.get(department.code)
        if row is None or (row.name_vi, row.name_en) != (department.name_vi, department.name_en):
            stale.append(f"department {department.code}")
    usernames = set(session.exec(select(User.username)).all())
    stale += [f"user {u.username}" for u in config.users if u.username not in usernames]
    channels = {row.id: row for row in session.exec(select(Channel)).all()}
    for wanted in config.channels:
        channel = channels.get(wanted.id)
        values = _channel_values(wanted)
        if channel is None or any(getattr(channel, k) != v for k, v in values.items()):
            stale.append(f"channel {wanted.id}")
        elif channel.state == ChannelState.retired:
            stale.append(f"channel {wanted.id} (back in the configuration)")
    listed = {wanted.id for wanted in config.channels}
    stale += [
        f"channel {row.id} (removed from the configuration)"
        for row in channels.values()
        if row.id not in listed and row.state != ChannelState.retired
    ]
    return stale
