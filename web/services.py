"""What the web pages are given by whoever builds them (`loa serve`, the tests).

`web` imports `content` and `channels` only; `loa` fills this in from the configuration. Add a
field with a default when a page needs something new, so existing callers keep working.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from starlette.requests import Request

from content.db import Database
from content.media import MediaStore
from content.observances import Observance
from content.posts import PostService
from content.report_data import ReportData
from content.targets import Names
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


@dataclass(frozen=True)
class Choice:
    """A code of a controlled list (a topic, a pillar) with its names."""

    code: str
    vi: str
    en: str

    def label(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


# The plan's themes and the three pillars (DESIGN.md); `loa serve` passes config.yaml's own.
DEFAULT_TOPICS = tuple(
    Choice(code, vi, en)
    for code, vi, en in (
        ("a", "Sự kiện thường niên của ASEAN", "ASEAN's regular events"),
        ("b", "Chính trị - ngoại giao, kinh tế, hợp tác", "Politics, economy, cooperation"),
        ("c", "Câu chuyện, điển hình về lợi ích của ASEAN", "Stories of ASEAN's benefits"),
        ("d", "Việt Nam trong ba trụ cột", "Vietnam in the three pillars"),
        ("e", "Cộng đồng ASEAN, bản sắc ASEAN", "The ASEAN Community, ASEAN identity"),
        ("f", "Tầm quan trọng của ASEAN với Việt Nam", "Why ASEAN matters to Vietnam"),
        ("g", "Vai trò của Việt Nam trong ASEAN", "Vietnam's role in ASEAN"),
        ("h", "Quảng bá Việt Nam và văn hóa ASEAN", "Promoting Vietnam, ASEAN cultures"),
        ("i", "Hình ảnh và danh hiệu của Huế", "Huế's image and titles"),
    )
)
DEFAULT_PILLARS = (
    Choice("APSC", "Cộng đồng Chính trị - An ninh", "Political-Security Community"),
    Choice("AEC", "Cộng đồng Kinh tế", "Economic Community"),
    Choice("ASCC", "Cộng đồng Văn hóa - Xã hội", "Socio-Cultural Community"),
)


@dataclass(frozen=True)
class ConnectStart:
    """How an administrator connects a channel: "oauth" (go to `url`, the platform's consent
    page, which sends the browser back to the callback), "token" or "password" (paste it)."""

    kind: str
    url: str = ""


class ChannelConnector(Protocol):
    """Connecting a channel's account from the web, through the same adapter methods as
    `loa channels connect`. Refusals are `content.errors.UserError`s (they carry no secrets).

    `owner` identifies the administrator's session: a consent started by one session is
    completed only by the same session, once, before it expires.
    """

    def kind(self, channel_id: str) -> str: ...

    def begin(self, channel_id: str, redirect_uri: str, owner: str) -> ConnectStart: ...

    def finish(self, channel_id: str, state: str, code: str, owner: str, actor: str) -> str:
        """Exchange the platform's code; the connected account's name, for the page."""
        ...

    def complete_secret(self, channel_id: str, secret: str, actor: str) -> str:
        """A pasted user token (Facebook) or application password (WordPress)."""
        ...


class MediaLinkChecker(Protocol):
    """Whether a public media address (`/media/public/{sha256}?expires=&signature=`) is one Loa
    signed and has not expired: `loa.media_links.MediaLinks` (web does not import loa)."""

    def verify(self, sha256: str, expires: str | int, signature: str) -> bool: ...


@dataclass(frozen=True)
class ReportTools:
    """The yearly report as `loa` reads and writes it (config.yaml's names, targets and
    reporting year), for `/reports`: web does not import loa.

    `read(start, end, department, year, now)`: the report of [start, end) for one department
    (None: the province) against `year`'s targets. `write(data, path, kind, year, department)`:
    the file of `kind` ("docx", "xlsx", "csv") at `path`. `year_period(year, now)`: the
    reporting year's [start, end), ending at `now` if the year has not ended.
    """

    names: Names
    departments: tuple[str, ...]  # codes, in config.yaml's order
    current_year: Callable[[datetime], int]
    year_period: Callable[[int, datetime], tuple[datetime, datetime]]
    read: Callable[[datetime, datetime, str | None, int, datetime], ReportData]
    write: Callable[[ReportData, Path, str, int, str | None], None]


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
    # Where people and platforms reach Loa (config.yaml's `public_url`, no trailing slash): feed
    # and OAuth addresses are built from it, never from a request's Host header.
    public_url: str = "http://127.0.0.1:8000"
    # The composer's lists, with their names (config.yaml's topics and pillars).
    topics: tuple[Choice, ...] = DEFAULT_TOPICS
    pillars: tuple[Choice, ...] = DEFAULT_PILLARS
    # Recurring ASEAN observances from config.yaml, shown on the calendar and in the feeds.
    observances: tuple[Observance, ...] = ()
    # Warnings after approving a post, (vi, en) each, such as a YouTube quota day over-run:
    # `loa serve` wires the worker's quota planning in (web does not import the scheduler).
    approval_warnings: Callable[[int], list[tuple[str, str]]] | None = None
    # Reconnecting a channel from /channels/ID/connect; None: the page shows the CLI command.
    connector: ChannelConnector | None = None
    # The yearly report for /reports; None: the page says it is not set up.
    reports: ReportTools | None = None
    # How old the totals /reports shows may be while a recount runs in the background after
    # the data moved (figures are read every few minutes); zero: always counted in the request.
    # The downloads and the digest are always exact.
    report_stale_after: timedelta = timedelta(minutes=30)
    # Checks the signed addresses under /media/public/ that platforms fetch images from (Zalo,
    # webhook receivers) without signing in; None: Loa hands out no such address, all are 404.
    public_media: MediaLinkChecker | None = None

    def channel(self, channel_id: str) -> ChannelDisplay | None:
        return next((item for item in self.channels if item.id == channel_id), None)


def services_of(request: Request) -> WebServices:
    """What `loa serve` (or a test) gave the app; also a FastAPI dependency, so `Request` is
    imported at run time for FastAPI to read the signature."""
    services: WebServices = request.app.state.services
    return services
