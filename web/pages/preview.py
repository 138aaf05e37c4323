"""How a post will look on each platform, with the limit counters of each, for the composer.

Two halves, both driven by the adapters themselves so the preview cannot drift from what is sent:

- `all_limits()` / `channel_limits(type)` (web.pages.preview_rules): JSON-ready data for the browser
  to count characters live as an officer types.
- `preview(pub, type)`: the server's answer for one chosen channel: each field's text as the
  platform will show it, composed by the adapter's own functions (Facebook's message, Zalo's
  description, YouTube's snippet, WordPress's categories), with its length, limit and an
  over/near flag, plus every problem the channel would refuse (channels.limits.channel_problems,
the very check run at submit and approve): a field over its limit is told in the platform's
name ("Zalo OA giới hạn tiêu đề 149 ký tự — bài này có 163").

Preview text is data, never HTML: the pages escape it like anything else an officer wrote.
Lengths count what the channel's check counts, so "over" here is exactly a problem there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from channels import render
from channels.base import MediaFile, Problem, Publication
from channels.facebook.page import FacebookPage
from channels.limits import channel_problems, field_length, measure
from channels.registry import RegistryError
from channels.wordpress.adapter import category_names
from channels.youtube.adapter import video_snippet
from channels.zalo.oa import AUTHOR_MAX, description
from content.inputs import normalise_hashtags
from web.pages.preview_rules import (
    MEASURES,
    NEAR_RATIO,
    FieldRule,
    Unit,
    all_limits,
    channel_limits,
    field_rules,
)

__all__ = [
    "MEASURES",
    "ChannelPreview",
    "Draft",
    "FieldPreview",
    "MediaPreview",
    "all_limits",
    "channel_limits",
    "field_rules",
    "measure",
    "preview",
    "preview_draft",
    "publication_for",
]

# --- the preview of one post on one channel ---------------------------------------------------


@dataclass(frozen=True)
class FieldPreview:
    field: str
    vi: str
    en: str
    text: str  # as the platform shows it; plain text, to be escaped by whoever displays it
    length: int  # what the channel's check counts, in `unit`
    limit: int | None
    unit: Unit = "characters"
    auto: bool = False  # made by Loa (Zalo's description from the text), not typed

    @property
    def over(self) -> bool:
        return self.limit is not None and self.length > self.limit

    @property
    def near(self) -> bool:
        return self.limit is not None and not self.over and self.length >= NEAR_RATIO * self.limit

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "over": self.over, "near": self.near}


MEDIA_ROLES: dict[str, tuple[str, str]] = {
    "cover": ("ảnh bìa", "cover"),
    "photo": ("ảnh", "photo"),
    "video": ("video", "video"),
    "thumbnail": ("ảnh thu nhỏ", "thumbnail"),
    "featured": ("ảnh đại diện", "featured image"),
    "body": ("trong bài", "in the body"),
    "attachment": ("đính kèm", "attachment"),
}


@dataclass(frozen=True)
class MediaPreview:
    name: str  # the file name, or the address of a channel's default cover
    kind: str  # "image" | "video"
    role: str  # a key of MEDIA_ROLES
    alt_text: str = ""
    sha256: str = ""  # a stored file's; empty for a channel's default cover (another site's)

    @property
    def thumbnail_url(self) -> str:
        """Loa's own copy to show (web.pages.media); other sites' images are not loaded."""
        return f"/media/{self.sha256}/thumb" if self.sha256 and self.kind == "image" else ""

    def to_dict(self) -> dict[str, Any]:
        vi, en = MEDIA_ROLES[self.role]
        return {**asdict(self), "role_vi": vi, "role_en": en, "thumbnail_url": self.thumbnail_url}


def _media(item: MediaFile, role: str) -> MediaPreview:
    return MediaPreview(item.path.name, item.kind, role, item.alt_text, item.sha256)


@dataclass(frozen=True)
class ChannelPreview:
    channel_id: str
    channel_type: str
    fields: tuple[FieldPreview, ...]
    problems: tuple[Problem, ...]
    media: tuple[MediaPreview, ...] = ()
    tags: tuple[str, ...] = ()  # YouTube's and WordPress's tags
    categories: tuple[str, ...] = ()  # WordPress's categories
    link_card: str | None = None  # Facebook's link preview card
    author: str | None = None  # Zalo's author line, as cut to its limit
    scheduled_at: datetime | None = None  # the time the post would go out, if chosen
    channel_name: str = ""  # the page's, the OA's, the site's name as people know it

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def images(self) -> tuple[MediaPreview, ...]:
        return tuple(item for item in self.media if item.kind == "image")

    @property
    def videos(self) -> tuple[MediaPreview, ...]:
        return tuple(item for item in self.media if item.kind == "video")

    def text_of(self, name: str) -> str:
        """A field's text, or "" where this platform has no such field (for the templates)."""
        return next((found.text for found in self.fields if found.field == name), "")

    def field(self, name: str) -> FieldPreview:
        for found in self.fields:
            if found.field == name:
                return found
        raise KeyError(f"{self.channel_type} has no field {name!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel_id": self.channel_id,
            "channel_type": self.channel_type,
            "ok": self.ok,
            "fields": [found.to_dict() for found in self.fields],
            "problems": [asdict(problem) for problem in self.problems],
            "media": [item.to_dict() for item in self.media],
            "tags": list(self.tags),
            "categories": list(self.categories),
            "link_card": self.link_card,
            "author": self.author,
            "scheduled_at": self.scheduled_at.isoformat() if self.scheduled_at else None,
            "channel_name": self.channel_name,
        }


def _field(rule: FieldRule, text: str, pub: Publication, *, auto: bool = False) -> FieldPreview:
    length = len(text) if auto and rule.unit == "characters" else field_length(rule, pub)
    return FieldPreview(rule.field, rule.vi, rule.en, text, length, rule.max, rule.unit, auto)


def preview(pub: Publication, channel_type: str) -> ChannelPreview:
    """How `pub` (overrides and channel settings already applied) looks on `channel_type`."""
    try:
        rules = {rule.field: rule for rule in field_rules(channel_type)}
    except RegistryError as error:
        problem = Problem("channel", f"Loại kênh không được hỗ trợ: {error}", str(error))
        return ChannelPreview(pub.channel_id, channel_type, (), (problem,))
    base = ChannelPreview(pub.channel_id, channel_type, (), (), scheduled_at=pub.scheduled_at)
    composed = COMPOSERS.get(channel_type, _generic)(pub, rules, base)
    return replace(composed, problems=tuple(channel_problems(pub, channel_type)))


Composer = Callable[[Publication, Mapping[str, FieldRule], ChannelPreview], ChannelPreview]


def _zalo(pub: Publication, rules: Mapping[str, FieldRule], base: ChannelPreview) -> ChannelPreview:
    summary = str(pub.settings.get("summary") or "").strip()
    images, videos = pub.media_of("image"), pub.media_of("video")
    media = [_media(item, "cover" if n == 0 else "body") for n, item in enumerate(images)]
    if not images and pub.settings.get("default_cover_url"):
        media.append(MediaPreview(str(pub.settings["default_cover_url"]), "image", "cover"))
    media += [_media(item, "body") for item in videos]
    author = str(pub.settings.get("author") or "")[:AUTHOR_MAX] or None
    return _with(
        base,
        fields=(
            _field(rules["title"], pub.title.strip(), pub),
            _field(rules["description"], description(pub), pub, auto=not summary),
            _field(rules["body"], render.plain_text(pub), pub),
        ),
        media=tuple(media),
        author=author,
    )


def _facebook(
    pub: Publication, rules: Mapping[str, FieldRule], base: ChannelPreview
) -> ChannelPreview:
    videos = pub.media_of("video")
    # Mirrors FacebookPage.publish: a video goes alone (the photos are then refused by check).
    shown = videos[:1] or pub.media_of("image")
    return _with(
        base,
        fields=(_field(rules["message"], FacebookPage.message(pub), pub),),
        media=tuple(_media(m, "video" if m.kind == "video" else "photo") for m in shown),
        link_card=FacebookPage.link_card(pub),
    )


def _youtube(
    pub: Publication, rules: Mapping[str, FieldRule], base: ChannelPreview
) -> ChannelPreview:
    snippet = video_snippet(pub, pub.settings)
    media = [_media(m, "video") for m in pub.media_of("video")[:1]]
    media += [_media(m, "thumbnail") for m in pub.media_of("image")[:1]]
    return _with(
        base,
        fields=(
            _field(rules["title"], str(snippet["title"]), pub),
            _field(rules["description"], str(snippet["description"]), pub),
            _field(rules["tags"], ", ".join(snippet["tags"]), pub),
        ),
        media=tuple(media),
        tags=tuple(str(tag) for tag in snippet["tags"]),
    )


def _wordpress(
    pub: Publication, rules: Mapping[str, FieldRule], base: ChannelPreview
) -> ChannelPreview:
    images = pub.media_of("image")
    media = [_media(m, "featured" if n == 0 else "body") for n, m in enumerate(images)]
    media += [_media(m, "body") for m in pub.media_of("video")]
    return _with(
        base,
        fields=(
            # WordPress gets the title HTML-escaped (wordpress.as_html) and shows it as typed.
            _field(rules["title"], pub.title, pub),
            _field(rules["excerpt"], str(pub.settings.get("summary") or ""), pub),
            _field(rules["content"], render.plain_text(pub), pub),
        ),
        media=tuple(media),
        tags=tuple(dict.fromkeys(pub.hashtags)),
        categories=tuple(category_names(pub, pub.settings)),
    )


def _generic(
    pub: Publication, rules: Mapping[str, FieldRule], base: ChannelPreview
) -> ChannelPreview:
    texts = {
        "title": pub.title.strip(),
        "summary": str(pub.settings.get("summary") or ""),
        "body": pub.text_with_hashtags,
    }
    return _with(
        base,
        fields=tuple(_field(rule, texts[name], pub) for name, rule in rules.items()),
        media=tuple(_media(m, "attachment") for m in pub.media),
    )


def _with(base: ChannelPreview, **changes: Any) -> ChannelPreview:
    return replace(base, **changes)


COMPOSERS: dict[str, Composer] = {
    "zalo_oa": _zalo,
    "facebook_page": _facebook,
    "youtube": _youtube,
    "wordpress": _wordpress,
}


# --- from the composer's form to what an adapter sees -----------------------------------------


@dataclass(frozen=True)
class Draft:
    """The composer's fields, saved or not yet."""

    title: str
    body: str = ""
    link: str | None = None
    hashtags: Sequence[str] = ()
    topic: str = ""
    pillar: str | None = None
    media: Sequence[MediaFile] = ()
    scheduled_at: datetime | None = None
    post_id: int = 0
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # by channel id
    department: str = ""  # the owner's code; no preview shows it, webhooks send it


def publication_for(
    draft: Draft, channel_id: str, channel_settings: Mapping[str, Any]
) -> Publication:
    """The `Publication` a channel would get, with that channel's overrides applied the way the
    worker applies them (scheduler.publication.build_publication), hashtags normalised as saving
    normalises them."""
    overrides = dict(draft.overrides.get(channel_id) or {})
    settings = dict(channel_settings)
    if "summary" in overrides:
        settings["summary"] = overrides["summary"]
    link = overrides.get("link", draft.link)
    return Publication(
        post_id=draft.post_id,
        channel_id=channel_id,
        title=str(overrides.get("title", draft.title)),
        text=str(overrides.get("body", draft.body)),
        link=str(link) if link else None,
        hashtags=tuple(normalise_hashtags(list(overrides.get("hashtags", draft.hashtags)))),
        media=tuple(draft.media),
        scheduled_at=draft.scheduled_at,
        topic=draft.topic,
        pillar=draft.pillar,
        settings=settings,
        department=draft.department,
    )


def preview_draft(
    draft: Draft, channels: Iterable[tuple[str, str, Mapping[str, Any]]]
) -> list[ChannelPreview]:
    """Previews of a draft on each chosen channel, given as (id, type, settings)."""
    return [
        preview(publication_for(draft, channel_id, settings), channel_type)
        for channel_id, channel_type, settings in channels
    ]
