"""Wiring: configuration in, a ready database and services out.

The one place that knows every package: `content` for the queue, `channels` for the adapters'
checks, and `scheduler` for turning posts into publications.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from channels.wordpress_library import SiteMemo
from content.db import Database
from content.errors import UserError
from content.inputs import Vocabulary
from content.media import MediaStore
from content.models import Channel, Department, User
from content.posts import PostService
from loa.config import ChannelConfig, LoaConfig, load_config
from scheduler.publication import channel_checker

log = logging.getLogger(__name__)


@dataclass
class App:
    config: LoaConfig
    db: Database
    media: MediaStore
    posts: PostService
    # What the website adapters of a channel learnt of its site, shared by the adapters this
    # process builds for it (one per publishing thread), by channel id
    site_memos: dict[str, SiteMemo] = field(default_factory=dict)

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
    media = MediaStore(config.media_path)
    posts = PostService(
        db,
        Vocabulary(frozenset(config.topic_codes), frozenset(config.pillar_codes)),
        config.zone,
        checker=channel_checker(media.path_of),
        default_grace_minutes=config.worker.default_grace_minutes,
    )
    return App(config, db, media, posts)


def sync_reference_data(db: Database, config: LoaConfig) -> None:
    """Make departments, seed users and channels in the database match the configuration.

    Reads first and writes only when something differs, so an ordinary command does not take
    the write lock. Users are only seeded: once created they are managed by admins.
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
            session.add(channel)
    log.info("reference data synchronised from configuration: %s", ", ".join(stale))


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
    return stale
