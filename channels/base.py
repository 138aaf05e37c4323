"""The adapter contract: what Loa hands an adapter, what it gets back, and how it fails.

An adapter never sees a database object. It gets a plain `Publication` and returns a `Receipt`,
or raises one of the errors of `channels.errors` (re-exported here), each worded in Vietnamese
and English with the platform's own words kept apart.

What a platform accepts is declared as frozen `Capabilities` data, so `check` needs no I/O and
runs when a post is queued and again when it is approved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from channels.errors import (
    AuthRequired,
    ChannelError,
    OutcomeUnknown,
    QuotaExceeded,
    RateLimited,
    Rejected,
    Retryable,
    Step,
)

# Adapters and the scheduler import the error tree from here.
__all__ = [
    "AuthRequired",
    "ChannelError",
    "OutcomeUnknown",
    "QuotaExceeded",
    "RateLimited",
    "Rejected",
    "Retryable",
    "Step",
]

MiB = 1024 * 1024


@dataclass(frozen=True)
class Capabilities:
    """What one platform accepts. Limits are in characters unless named otherwise."""

    title_max: int | None = None  # None: the platform has no title field
    title_required: bool = False
    text_max: int | None = None  # the main text as sent, hashtags included
    summary_max: int | None = None  # a separate short description (Zalo), if any
    takes_html: bool = False  # True: the body is sent as sanitized HTML
    image_mimes: frozenset[str] = frozenset()
    video_mimes: frozenset[str] = frozenset()
    max_images: int = 0
    max_videos: int = 0
    max_image_bytes: int = 0
    max_video_bytes: int = 0
    min_image_side: int = 1
    requires: frozenset[str] = frozenset()  # media kinds a post must carry ("video" for YouTube)
    mixes_images_and_video: bool = False
    can_schedule_natively: bool = False  # the platform itself can hold a post until a time
    # What `Editable.update` can change on the platform once a post is there (a subset of
    # EDITABLE_FIELDS); empty: a sent post cannot be corrected through the API.
    editable: frozenset[str] = frozenset()
    can_remove: bool = False  # `Editable.remove` takes a sent (or platform-scheduled) post down
    requests_per_minute: float | None = None  # our own pacing, below the platform's limit
    daily_quota_units: int | None = None
    quota_cost: Mapping[str, int] = field(default_factory=dict)  # operation -> units
    # The figures `Measurable.read_metrics` can report (a subset of METRICS; empty: none), and
    # how many posts one call reads at most (the platform's own batch: 50 for Graph `?ids=` and
    # YouTube `videos.list`).
    metrics: frozenset[str] = frozenset()
    metrics_batch: int = 1


@dataclass(frozen=True)
class MediaFile:
    path: Path
    kind: str  # "image" | "video"
    mime: str
    sha256: str
    size_bytes: int
    width: int | None = None
    height: int | None = None
    alt_text: str = ""
    original_name: str = ""  # the file's name as the officer uploaded it ("Lễ hội Huế.jpg")


@dataclass(frozen=True)
class Publication:
    """One post as one channel will publish it, overrides already applied."""

    post_id: int
    channel_id: str
    title: str
    text: str  # plain text, without hashtags
    link: str | None = None
    hashtags: tuple[str, ...] = ()
    media: tuple[MediaFile, ...] = ()
    # A slug unique to this installation, post and channel (see channels.markers): `find` counts a
    # post on the platform as ours only if it carries it.
    marker: str = ""
    scheduled_at: datetime | None = None
    topic: str = ""
    pillar: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    department: str = ""  # the code of the department responsible for the post ("STTTT")

    @property
    def hashtag_line(self) -> str:
        return " ".join(f"#{tag}" for tag in self.hashtags)

    @property
    def text_with_hashtags(self) -> str:
        return "\n\n".join(part for part in (self.text, self.hashtag_line) if part)

    def media_of(self, kind: str) -> tuple[MediaFile, ...]:
        return tuple(item for item in self.media if item.kind == kind)


@dataclass(frozen=True)
class Problem:
    """Why a post cannot go to a channel as it is, in Vietnamese and in English."""

    field: str
    vi: str
    en: str


@dataclass(frozen=True)
class Receipt:
    remote_id: str
    url: str | None
    published_at: datetime | None = None
    # Set when the platform holds the post until this time (WordPress `future`, YouTube
    # `publishAt`): it is there, but not public yet.
    scheduled_for: datetime | None = None


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    url: str | None = None


class Progress(Protocol):
    def __call__(self, done: int, total: int) -> None: ...


@dataclass(frozen=True)
class ChannelSetup:
    """Everything an adapter is built from: plain values, secrets already resolved.

    `bases` holds every base URL from the configuration (`api_base`, `oauth_base`, ...), so the
    same adapter talks to the real platform, the sandbox or any compatible server.
    """

    id: str
    type: str
    name: str = ""
    bases: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    timeout: float = 30.0  # seconds for one HTTP exchange; uploads go chunk by chunk

    def base(self, key: str = "api_base") -> str:
        try:
            return self.bases[key].rstrip("/")
        except KeyError:
            raise Rejected(
                f"kênh {self.id}: chưa cấu hình địa chỉ `{key}`",
                f"channel {self.id}: `{key}` is not configured",
            ) from None

    def secret(self, name: str) -> str:
        try:
            return self.secrets[name]
        except KeyError:
            raise AuthRequired(
                f"kênh {self.id}: chưa cấu hình khoá bí mật {name!r}",
                f"channel {self.id}: the secret {name!r} is not configured",
            ) from None


class CredentialStore(Protocol):
    """Where an adapter keeps its tokens: encrypted at rest, shared by every worker process.

    `exclusive()` is for rotating credentials (Zalo's refresh token is single-use): it holds a
    lock that every process respects, yields the credentials as stored right now, and commits
    what `save` wrote inside it before it returns, so a new token pair is durable before use.
    """

    def load(self) -> dict[str, Any] | None: ...

    def save(self, credentials: dict[str, Any]) -> None: ...

    def exclusive(self) -> AbstractContextManager[dict[str, Any] | None]: ...


class MediaHost(Protocol):
    """Gives a file a public HTTPS address (Zalo takes images only by URL).

    An adapter whose class has `public_url` is a media host itself (the website's library, the
    static subpage): Loa offers it to the channels that need one.
    """

    def public_url(self, media: MediaFile) -> str: ...


# What an adapter may need from Loa. An adapter declares its needs as class data,
#     needs: ClassVar[frozenset[str]] = frozenset({NEED_MEDIA_HOST})
# and receives each one as the keyword argument of the same name in its constructor:
#     def __init__(self, setup, credentials, *, media_host: MediaHost | None = None): ...
# Loa provides every need to every adapter alike, whatever its type; an adapter that declares a
# need Loa does not know is refused when the configuration is checked.
NEED_MEDIA_HOST = "media_host"
"""A `MediaHost`, or None when nothing configured can host files. Loa takes the channel's
`settings.media_host` (the id of a channel whose adapter has `public_url`), else the first
configured channel whose adapter is a media host, else its own signed, expiring addresses served
by `loa serve` when `public_url` in config.yaml is https. Loa also sets the channel's
`settings["public_media"]` (True or False), so `check` can refuse media with nowhere to go
without any I/O."""
NEED_MEMO = "memo"
"""A `MutableMapping[str, Any]` of the channel's own, kept as long as the process and shared by
every adapter of that channel (the worker builds one per publishing thread): what the adapter has
learnt of the remote side (ids of terms, files already uploaded). Plain dict semantics: two
threads may both miss a key and both look it up. Emptied when the configuration is reloaded."""
NEEDS = frozenset({NEED_MEDIA_HOST, NEED_MEMO})


def needs_of(adapter: type[Any]) -> frozenset[str]:
    """What an adapter class declares it needs (`needs`, nothing if it declares nothing)."""
    declared: Any = getattr(adapter, "needs", frozenset())
    if isinstance(declared, str) or not all(isinstance(need, str) for need in declared):
        raise TypeError(f"{adapter.__name__}.needs must be a set of names, not {declared!r}")
    return frozenset(declared)


@dataclass(frozen=True)
class Authorization:
    """Step one of connecting an OAuth account: where the person must go to consent."""

    url: str
    state: str
    code_verifier: str
    redirect_uri: str


ConnectKind = Literal["oauth", "token", "password", "none"]


@runtime_checkable
class Channel(Protocol):
    """One platform. Built as `Adapter(setup, credentials, **needs)`: each need the class
    declares in `needs` (NEED_MEDIA_HOST, NEED_MEMO) comes as the keyword argument of its name.

    Connecting an account: `connect_kind` says how. "oauth": `authorize(redirect_uri)` gives the
    consent URL and `complete(authorization, code)` exchanges the code; "token": `complete_token
    (token)` turns a token a person pasted (Facebook: a user token) into stored credentials;
    "password": `complete_token(password)` stores an application password (WordPress); "none":
    there is no account to connect (the static subpage is a folder Loa writes), `verify` alone
    says whether the channel works. For "token" and "password", optional class data
    `connect_prompt: ClassVar[tuple[str, str]]` words what `loa channels connect` asks for,
    Vietnamese first ("Dán khoá API do đài cấp", "Paste the API key the station gave you").
    """

    type: ClassVar[str]
    capabilities: ClassVar[Capabilities]
    connect_kind: ClassVar[ConnectKind]

    @classmethod
    def check(cls, pub: Publication) -> list[Problem]:
        """No I/O: a class method, so posts are checked without credentials or a connection."""
        ...

    def publish(self, pub: Publication, progress: Progress | None = None) -> Receipt: ...

    def find(self, pub: Publication, since: datetime) -> Receipt | None: ...

    def verify(self) -> Account: ...


@runtime_checkable
class TokenConnectable(Protocol):
    """An adapter that turns a token obtained elsewhere into its stored credentials.

    `connect_token(token)` takes what a script or a person already holds (`loa channels connect
    ID --token-stdin`): a Facebook Page token, or a user or Business Manager system-user token
    that manages the Page; a Zalo OA or YouTube refresh token; a WordPress application password.
    The adapter verifies it with the platform, stores credentials in its own shape through its
    `CredentialStore` and answers the account. A token the platform refuses raises AuthRequired
    (or Rejected for a setting to fix), with the reason in Vietnamese first, then English; the
    token never appears in the message.
    """

    def connect_token(self, token: str) -> Account: ...


# The fields of a Publication that a correction may change, as named in `Capabilities.editable`.
EDITABLE_FIELDS = frozenset({"title", "text", "link", "hashtags", "media", "scheduled_at"})


@runtime_checkable
class Editable(Protocol):
    """An adapter that can correct or take down what it sent: an optional capability.

    `update` sends the fields named in `capabilities.editable` from `pub` to the post that `sent`
    describes, and returns its receipt as it stands now; the caller decides whether the change
    is within what the platform can edit. `remove` deletes it (or, where the platform cannot
    delete, hides it); a post already gone is not an error. Both raise the errors below.
    """

    def update(self, pub: Publication, sent: Receipt) -> Receipt: ...

    def remove(self, sent: Receipt) -> None: ...


# Figures about a published post, as Loa names them across platforms:
#   views        times the post was seen (Facebook `post_media_view`, YouTube `viewCount`,
#                Zalo `total_view`, a WordPress statistics endpoint)
#   reach        distinct people who saw it (Facebook `post_total_media_view_unique`)
#   reactions    likes and other reactions (Facebook reactions, YouTube `likeCount`)
#   comments     comments (Facebook, YouTube `commentCount`, WordPress comments)
#   shares       shares (Facebook `shares`, Zalo `total_share`)
#   video_views  plays of a video (Facebook `total_video_views`)
METRICS = ("views", "reach", "reactions", "comments", "shares", "video_views")


@dataclass(frozen=True)
class Figures:
    """What a platform reported about one sent post at one reading.

    A metric absent from `values`, or None there, is "no figure" (the platform does not report
    it, or did not this time): never 0. `notes` say why figures are missing, in Vietnamese and
    English (`Problem.field` names the metric, or "*" for all). `gone`: the post is no longer
    on the platform (deleted, made private), so nothing more will be read about it.
    """

    remote_id: str
    values: Mapping[str, int | None] = field(default_factory=dict)
    notes: tuple[Problem, ...] = ()
    gone: bool = False


def as_count(value: Any) -> int | None:
    """A count as platforms write it (a number, or a numeric string: YouTube, Zalo); anything
    else (absent, negative, a boolean, text) is no figure."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


@runtime_checkable
class Measurable(Protocol):
    """An adapter that reads figures for sent posts: an optional capability.

    `read_metrics` gets at most `capabilities.metrics_batch` remote ids (as the adapter's receipts
    gave them) and answers one `Figures` per id, in any order, an id the platform no longer
    knows included (`gone=True`). It makes as few requests as the platform allows (one batched
    call where there is one) and raises the errors below like publishing does: AuthRequired,
    RateLimited, QuotaExceeded, Retryable. A missing permission or an ineligible account is not
    an error: the figures it hides are None, with a note.
    """

    def read_metrics(self, remote_ids: Sequence[str]) -> list[Figures]: ...
