"""How a post will look on each platform, with the limit counters of each, for the composer.

Two halves, both driven by the adapters themselves so the preview cannot drift from what is sent:

- `all_limits()` / `channel_limits(type)`: JSON-ready data for the browser to count characters
  live as an officer types: each field's limit (with the safety margins the checks use), how it
  is counted (`MEASURES`, code points or UTF-8 bytes), hashtag rules, media kinds and counts,
  whether a cover is needed.
- `preview(pub, type)`: the server's answer for one chosen channel: each field's text as the
  platform will show it, composed by the adapter's own functions (Facebook's message, Zalo's
  description, YouTube's snippet, WordPress's categories), with its length, limit and an
  over/near flag, plus every problem `adapter.check` reports.

Preview text is data, never HTML: the pages escape it like anything else an officer wrote.
Lengths count what the channel's check counts, so "over" here is exactly a problem there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from channels import render
from channels.base import Capabilities, MediaFile, Problem, Publication
from channels.facebook_page import FacebookPage
from channels.registry import RegistryError, adapter_class, known_types
from channels.wordpress import category_names
from channels.youtube import DESCRIPTION_MAX_BYTES, TAGS_MAX_CHARACTERS, video_snippet
from channels.zalo_oa import AUTHOR_MAX, DESCRIPTION_CUT, description
from content.inputs import HASHTAG_MAX, normalise_hashtags

NEAR_RATIO = 0.9  # a counter turns amber from 90 % of the limit
Unit = Literal["characters", "bytes"]

# How each counter counts, for the browser to do the same. "Characters" are Unicode code
# points: count them in JavaScript with [...text].length, not text.length (emoji are two).
# hashtag_line = the tags as "#tag" joined by one space.
MEASURES: dict[str, dict[str, str]] = {
    "title": {
        "vi": "Tiêu đề, bỏ khoảng trắng ở hai đầu.",
        "en": "The title, trimmed.",
    },
    "text_with_hashtags": {
        "vi": "Nội dung, một dòng trống, rồi dòng hashtag (bỏ phần trống).",
        "en": "The text, a blank line, then the hashtag line (empty parts left out).",
    },
    "plain_text": {
        "vi": "Nội dung (bỏ khoảng trắng hai đầu), liên kết nếu chưa có trong nội dung, dòng"
        " hashtag; cách nhau bởi một dòng trống.",
        "en": "The trimmed text, the link unless the text has it, the hashtag line; separated"
        " by blank lines.",
    },
    "summary": {
        "vi": "Mô tả ngắn (tóm tắt) của kênh.",
        "en": "The channel's summary (short description).",
    },
    "tag_characters": {
        "vi": "Tổng số ký tự của các thẻ, không tính dấu #.",
        "en": "The tags' characters added up, without the #.",
    },
}


@dataclass(frozen=True)
class FieldRule:
    """One counted field of one platform."""

    field: str  # "title", "description", "body", "message", "tags", "excerpt", "content"
    vi: str
    en: str
    measure: str  # a key of MEASURES
    max: int | None
    unit: Unit = "characters"
    required: bool = False
    auto_cut: int | None = None  # made from the text, cut at this length, when left empty


@dataclass(frozen=True)
class PlatformRules:
    """What `Capabilities` does not say: where things go on the page, what is mandatory."""

    fields: Callable[[Capabilities], tuple[FieldRule, ...]]
    hashtags_vi: str
    hashtags_en: str
    tags_max_total: int | None = None
    link_vi: str = "Liên kết đặt cuối nội dung."
    link_en: str = "The link goes at the end of the text."
    cover_required: bool = False


def _zalo_fields(caps: Capabilities) -> tuple[FieldRule, ...]:
    return (
        FieldRule("title", "Tiêu đề", "Title", "title", caps.title_max, required=True),
        FieldRule(
            "description",
            "Mô tả ngắn",
            "Description",
            "summary",
            caps.summary_max,
            auto_cut=DESCRIPTION_CUT,
        ),
        FieldRule("body", "Nội dung", "Body", "plain_text", caps.text_max),
    )


def _facebook_fields(caps: Capabilities) -> tuple[FieldRule, ...]:
    return (FieldRule("message", "Nội dung", "Message", "text_with_hashtags", caps.text_max),)


def _youtube_fields(caps: Capabilities) -> tuple[FieldRule, ...]:
    return (
        FieldRule("title", "Tiêu đề", "Title", "title", caps.title_max, required=True),
        FieldRule(
            "description", "Mô tả", "Description", "plain_text", DESCRIPTION_MAX_BYTES, "bytes"
        ),
        FieldRule("tags", "Thẻ", "Tags", "tag_characters", TAGS_MAX_CHARACTERS),
    )


def _wordpress_fields(caps: Capabilities) -> tuple[FieldRule, ...]:
    return (
        FieldRule("title", "Tiêu đề", "Title", "title", caps.title_max, required=True),
        FieldRule("excerpt", "Tóm tắt", "Excerpt", "summary", caps.summary_max),
        FieldRule("content", "Nội dung", "Content", "plain_text", caps.text_max),
    )


def _generic_fields(caps: Capabilities) -> tuple[FieldRule, ...]:
    rules = []
    if caps.title_max is not None or caps.title_required:
        rules.append(
            FieldRule(
                "title",
                "Tiêu đề",
                "Title",
                "title",
                caps.title_max,
                "characters",
                caps.title_required,
            )
        )
    if caps.summary_max is not None:
        rules.append(FieldRule("summary", "Mô tả ngắn", "Summary", "summary", caps.summary_max))
    rules.append(FieldRule("body", "Nội dung", "Text", "text_with_hashtags", caps.text_max))
    return tuple(rules)


PLATFORMS: dict[str, PlatformRules] = {
    "zalo_oa": PlatformRules(
        _zalo_fields,
        "Hashtag thành một đoạn cuối bài viết.",
        "Hashtags become the article's last paragraph.",
        cover_required=True,
    ),
    "facebook_page": PlatformRules(
        _facebook_fields,
        "Hashtag ở dòng cuối của bài.",
        "Hashtags on the post's last line.",
        link_vi="Bài không có ảnh/video: liên kết hiện thành thẻ xem trước; có ảnh/video:"
        " liên kết nằm trong nội dung.",
        link_en="Without photos or video the link shows as a preview card; with them it stays"
        " in the text.",
    ),
    "youtube": PlatformRules(
        _youtube_fields,
        "Hashtag ở cuối mô tả và làm thẻ (tags) của video.",
        "Hashtags end the description and become the video's tags.",
        tags_max_total=TAGS_MAX_CHARACTERS,
        link_vi="Liên kết đặt cuối mô tả.",
        link_en="The link goes at the end of the description.",
    ),
    "wordpress": PlatformRules(
        _wordpress_fields,
        "Hashtag thành đoạn cuối bài và thành thẻ (tags) của trang.",
        "Hashtags become the last paragraph and the site's tags.",
    ),
}
GENERIC = PlatformRules(
    _generic_fields,
    "Hashtag ở cuối nội dung.",
    "Hashtags at the end of the text.",
)


# --- limits for the browser -------------------------------------------------------------------


def _platform(channel_type: str) -> PlatformRules:
    return PLATFORMS.get(channel_type, GENERIC)


def field_rules(channel_type: str) -> tuple[FieldRule, ...]:
    caps = adapter_class(channel_type).capabilities
    return _platform(channel_type).fields(caps)


def channel_limits(channel_type: str) -> dict[str, Any]:
    """One platform's limits as plain JSON data (see the module docstring)."""
    caps = adapter_class(channel_type).capabilities
    platform = _platform(channel_type)
    return {
        "type": channel_type,
        "fields": [asdict(rule) for rule in platform.fields(caps)],
        "hashtags": {
            "max_each": HASHTAG_MAX,
            "spaces_allowed": False,
            "max_total_characters": platform.tags_max_total,
            "where": {"vi": platform.hashtags_vi, "en": platform.hashtags_en},
        },
        "link": {"vi": platform.link_vi, "en": platform.link_en},
        "media": {
            "image": _media_kind(caps.image_mimes, caps.max_images, caps.max_image_bytes),
            "video": _media_kind(caps.video_mimes, caps.max_videos, caps.max_video_bytes),
            "min_image_side": caps.min_image_side,
            "requires": sorted(caps.requires),
            "mixes_images_and_video": caps.mixes_images_and_video,
            "cover_required": platform.cover_required,
            "alt_text_required": bool(caps.max_images),
        },
        "takes_html": caps.takes_html,
        "can_schedule_natively": caps.can_schedule_natively,
    }


def _media_kind(mimes: frozenset[str], most: int, max_bytes: int) -> dict[str, Any]:
    return {"max_count": most, "mimes": sorted(mimes), "max_bytes": max_bytes or None}


def all_limits(channel_types: Iterable[str] | None = None) -> dict[str, Any]:
    """Every registered platform's limits, with how the counters count, for the composer page."""
    types = known_types() if channel_types is None else sorted(set(channel_types))
    return {
        "near_ratio": NEAR_RATIO,
        "measures": MEASURES,
        "channels": {channel_type: channel_limits(channel_type) for channel_type in types},
    }


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

    def to_dict(self) -> dict[str, Any]:
        vi, en = MEDIA_ROLES[self.role]
        return {**asdict(self), "role_vi": vi, "role_en": en}


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

    @property
    def ok(self) -> bool:
        return not self.problems

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
        }


def measure(name: str, pub: Publication) -> int:
    """A field's length as the checks count it (see MEASURES)."""
    if name == "title":
        return len(pub.title.strip())
    if name == "text_with_hashtags":
        return len(pub.text_with_hashtags)
    if name == "plain_text":
        return len(render.plain_text(pub))
    if name == "summary":
        return len(str(pub.settings.get("summary") or ""))
    if name == "tag_characters":
        return sum(len(tag) for tag in pub.hashtags)
    raise ValueError(f"unknown measure {name!r}")


def _field(rule: FieldRule, text: str, pub: Publication, *, auto: bool = False) -> FieldPreview:
    if rule.unit == "bytes":
        length = len(text.encode("utf-8"))
    else:
        length = len(text) if auto else measure(rule.measure, pub)
    return FieldPreview(rule.field, rule.vi, rule.en, text, length, rule.max, rule.unit, auto)


def preview(pub: Publication, channel_type: str) -> ChannelPreview:
    """How `pub` (overrides and channel settings already applied) looks on `channel_type`."""
    try:
        adapter = adapter_class(channel_type)
    except RegistryError as error:
        problem = Problem("channel", f"Loại kênh không được hỗ trợ: {error}", str(error))
        return ChannelPreview(pub.channel_id, channel_type, (), (problem,))
    caps = adapter.capabilities
    rules = {rule.field: rule for rule in _platform(channel_type).fields(caps)}
    problems = tuple(adapter.check(pub))
    base = ChannelPreview(pub.channel_id, channel_type, (), problems)
    composer = COMPOSERS.get(channel_type, _generic)
    return composer(pub, rules, base)


Composer = Callable[[Publication, Mapping[str, FieldRule], ChannelPreview], ChannelPreview]


def _zalo(pub: Publication, rules: Mapping[str, FieldRule], base: ChannelPreview) -> ChannelPreview:
    summary = str(pub.settings.get("summary") or "").strip()
    images, videos = pub.media_of("image"), pub.media_of("video")
    media = [
        MediaPreview(item.path.name, "image", "cover" if n == 0 else "body", item.alt_text)
        for n, item in enumerate(images)
    ]
    if not images and pub.settings.get("default_cover_url"):
        media.append(MediaPreview(str(pub.settings["default_cover_url"]), "image", "cover"))
    media += [MediaPreview(item.path.name, "video", "body", item.alt_text) for item in videos]
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
        media=tuple(
            MediaPreview(m.path.name, m.kind, "video" if m.kind == "video" else "photo", m.alt_text)
            for m in shown
        ),
        link_card=FacebookPage.link_card(pub),
    )


def _youtube(
    pub: Publication, rules: Mapping[str, FieldRule], base: ChannelPreview
) -> ChannelPreview:
    snippet = video_snippet(pub, pub.settings)
    media = [MediaPreview(m.path.name, "video", "video") for m in pub.media_of("video")[:1]]
    media += [
        MediaPreview(m.path.name, "image", "thumbnail", m.alt_text)
        for m in pub.media_of("image")[:1]
    ]
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
    media = [
        MediaPreview(m.path.name, "image", "featured" if n == 0 else "body", m.alt_text)
        for n, m in enumerate(images)
    ]
    media += [MediaPreview(m.path.name, "video", "body", m.alt_text) for m in pub.media_of("video")]
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
        media=tuple(MediaPreview(m.path.name, m.kind, "attachment", m.alt_text) for m in pub.media),
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
    )


def preview_draft(
    draft: Draft, channels: Iterable[tuple[str, str, Mapping[str, Any]]]
) -> list[ChannelPreview]:
    """Previews of a draft on each chosen channel, given as (id, type, settings)."""
    return [
        preview(publication_for(draft, channel_id, settings), channel_type)
        for channel_id, channel_type, settings in channels
    ]
