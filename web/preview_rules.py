"""What each platform limits, for the composer's counters and previews (web.preview).

Each platform's counted fields (`FieldRule`), with the limits and safety margins the adapters'
own checks use, how they are counted (`MEASURES`: code points or UTF-8 bytes), and where
hashtags, links and covers go. `all_limits()` is the JSON the browser counts with as one types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from channels.base import Capabilities
from channels.registry import adapter_class, known_types
from channels.youtube import DESCRIPTION_MAX_BYTES, TAGS_MAX_CHARACTERS
from channels.zalo_oa import DESCRIPTION_CUT
from content.inputs import HASHTAG_MAX

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


def platform_rules(channel_type: str) -> PlatformRules:
    return PLATFORMS.get(channel_type, GENERIC)


def field_rules(channel_type: str) -> tuple[FieldRule, ...]:
    caps = adapter_class(channel_type).capabilities
    return platform_rules(channel_type).fields(caps)


def channel_limits(channel_type: str) -> dict[str, Any]:
    """One platform's limits as plain JSON data (see the module docstring)."""
    caps = adapter_class(channel_type).capabilities
    platform = platform_rules(channel_type)
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
