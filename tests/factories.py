"""Reference data and helpers for tests: a small province with five channels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from content.db import Database
from content.inputs import PostInput, Vocabulary
from content.models import Channel, Delivery, DeliveryState, Department, Post, Role, User

VOCABULARY = Vocabulary(topics=frozenset("abcdefghi"), pillars=frozenset({"APSC", "AEC", "ASCC"}))

DEPARTMENTS = [
    ("STTTT", "Sở Thông tin và Truyền thông", "Department of Information and Communications"),
    ("SDL", "Sở Du lịch", "Department of Tourism"),
    ("SVHTT", "Sở Văn hóa và Thể thao", "Department of Culture and Sports"),
]
USERS = [
    ("admin", Role.admin, "STTTT"),
    ("bientap", Role.editor, "STTTT"),
    ("bientap2", Role.editor, "SDL"),
    ("cbtt.stttt", Role.officer, "STTTT"),
    ("cbtt.sdl", Role.officer, "SDL"),
]
# Loa gives every Zalo channel an author (loa/zalo_config.py): Zalo refuses articles without one.
ZALO_SETTINGS = {"shared": True, "author": "Sở Thông tin và Truyền thông"}
CHANNELS: list[tuple[str, str, str, dict[str, Any], list[str]]] = [
    ("zalo-asean-hue", "zalo_oa", "STTTT", ZALO_SETTINGS, ["mon-fri 08:00", "sat 09:00"]),
    ("fb-asean-hue", "facebook_page", "STTTT", {"shared": True}, ["daily 09:00", "daily 20:00"]),
    ("fb-dulich-hue", "facebook_page", "SDL", {}, ["daily 10:00"]),
    ("yt-hue-asean", "youtube", "STTTT", {"shared": True}, ["tue,thu 17:00"]),
    ("web-asean", "wordpress", "STTTT", {"shared": True}, ["mon-fri 07:30", "mon-fri 14:00"]),
]


def seed(db: Database) -> None:
    with db.write() as session:
        for code, vi, en in DEPARTMENTS:
            session.add(Department(code=code, name_vi=vi, name_en=en))
        session.flush()
        for username, role, department in USERS:
            session.add(User(username=username, role=role, department_code=department))
        for channel_id, kind, department, settings, slots in CHANNELS:
            session.add(
                Channel(
                    id=channel_id,
                    type=kind,
                    department_code=department,
                    name=channel_id,
                    settings=settings,
                    slots=slots,
                )
            )


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def post_input(**fields: Any) -> PostInput:
    """A valid text post for the website, one day after the test clock's start."""
    values: dict[str, Any] = {
        "title": "Ngày ASEAN 8/8: lễ thượng cờ tại Trung tâm Hành chính tỉnh",
        "body": "Sáng 8/8, tỉnh Thừa Thiên Huế tổ chức lễ thượng cờ ASEAN.",
        "topic": "a",
        "pillar": "ASCC",
        "department": "STTTT",
        "channels": ["web-asean"],
        "hashtags": ["ASEAN", "Hue"],
    }
    values.update(fields)
    return PostInput(**values)


DEMO_CONFIG = Path(__file__).resolve().parents[1] / "config.yaml"
DEMO_SANDBOX_URL = "http://127.0.0.1:8765"


def demo_config_at(folder: Path, sandbox_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo's config.yaml in `folder` with every base URL pointing at this sandbox, and the
    channels' secrets in the environment (no key and no WordPress password: Loa makes those)."""
    config = folder / "config.yaml"
    text = DEMO_CONFIG.read_text(encoding="utf-8").replace(DEMO_SANDBOX_URL, sandbox_url)
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("LOA_ZALO_APP_SECRET", "zalo-app-secret")
    monkeypatch.setenv("LOA_FB_APP_SECRET", "sandbox-facebook-app-secret")
    monkeypatch.setenv("LOA_YOUTUBE_CLIENT_SECRET", "youtube-client-secret")
    monkeypatch.delenv("LOA_SECRET_KEY", raising=False)
    monkeypatch.delenv("LOA_WP_APP_PASSWORD", raising=False)
    return config


def published_deliveries(
    db: Database,
    count: int,
    at: datetime,
    *,
    channel_id: str = "fb-asean-hue",
    department: str = "STTTT",
    author: str = "cbtt.stttt",
    topic: str = "a",
    pillar: str | None = None,
) -> list[int]:
    """`count` posts already published on `channel_id` at `at`: their delivery ids."""
    ids = []
    with db.write() as session:
        user = session.exec(select(User).where(User.username == author)).one()
        assert user.id is not None
        for number in range(count):
            post = Post(title=f"Bài {number}", topic=topic, pillar=pillar, author_id=user.id,
                        department_code=department, state="approved", scheduled_at=at)  # fmt: skip
            session.add(post)
            session.flush()
            assert post.id is not None
            delivery = Delivery(post_id=post.id, channel_id=channel_id, due_at=at,
                                state=DeliveryState.published, remote_id=f"{channel_id}-{post.id}",
                                published_at=at)  # fmt: skip
            session.add(delivery)
            session.flush()
            assert delivery.id is not None
            ids.append(delivery.id)
    return ids
