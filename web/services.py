"""What the web pages are given by whoever builds them (`loa serve`, the tests).

`web` imports `content` and `channels` only; `loa` fills this in from the configuration. Add a
field with a default when a page needs something new, so existing callers keep working.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from content.db import Database
from content.media import MediaStore
from content.posts import PostService
from content.users import UserService

# One colour per channel on the calendar, picked in order; readable on white with white text.
CHANNEL_COLOURS = (
    "#1565c0", "#2e7d32", "#c62828", "#6a1b9a", "#ef6c00",
    "#00838f", "#ad1457", "#4e342e", "#37474f", "#558b2f",
)  # fmt: skip


@dataclass(frozen=True)
class ChannelDisplay:
    """A channel as the pages show it."""

    id: str
    type: str
    name: str
    department: str
    colour: str = CHANNEL_COLOURS[0]


def channel_displays(rows: Sequence[tuple[str, str, str, str]]) -> list[ChannelDisplay]:
    """(id, type, name, department) rows with a stable colour each, in the order given."""
    return [
        ChannelDisplay(id_, type_, name, dept, CHANNEL_COLOURS[index % len(CHANNEL_COLOURS)])
        for index, (id_, type_, name, dept) in enumerate(rows)
    ]


@dataclass
class WebServices:
    db: Database
    posts: PostService
    media: MediaStore
    zone: ZoneInfo
    users: UserService
    channels: list[ChannelDisplay] = field(default_factory=list)
    # True/False forces the Secure flag on cookies; None decides per request (HTTPS or not).
    secure_cookies: bool | None = None
    # Addresses of reverse proxies whose X-Forwarded-Proto / X-Forwarded-For are believed.
    trusted_proxies: frozenset[str] = frozenset()

    def channel(self, channel_id: str) -> ChannelDisplay | None:
        return next((item for item in self.channels if item.id == channel_id), None)
