"""What each platform limits, for the composer's counters and previews (web.pages.preview).

The counted fields, their limits and how they are counted (`FieldRule`, `MEASURES`) come from
channels.limits, the same rules submitting and approving refuse by; this module adds where
hashtags, links and covers go. `all_limits()` is the JSON the browser counts with as one types.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from channels.limits import MEASURES, FieldRule, Unit, field_rules
from channels.registry import adapter_class, known_types
from content.inputs import HASHTAG_MAX

__all__ = [
    "MEASURES",
    "NEAR_RATIO",
    "FieldRule",
    "PlatformRules",
    "Unit",
    "all_limits",
    "channel_limits",
    "field_rules",
    "platform_rules",
]

NEAR_RATIO = 0.9  # a counter turns amber from 90 % of the limit


@dataclass(frozen=True)
class PlatformRules:
    """What `Capabilities` does not say: where things go on the page, what is mandatory."""

    hashtags_vi: str
    hashtags_en: str
    link_vi: str = "Liên kết đặt cuối nội dung."
    link_en: str = "The link goes at the end of the text."
    cover_required: bool = False


PLATFORMS: dict[str, PlatformRules] = {
    "zalo_oa": PlatformRules(
        "Hashtag thành một đoạn cuối bài viết.",
        "Hashtags become the article's last paragraph.",
        cover_required=True,
    ),
    "facebook_page": PlatformRules(
        "Hashtag ở dòng cuối của bài.",
        "Hashtags on the post's last line.",
        link_vi="Bài không có ảnh/video: liên kết hiện thành thẻ xem trước; có ảnh/video:"
        " liên kết nằm trong nội dung.",
        link_en="Without photos or video the link shows as a preview card; with them it stays"
        " in the text.",
    ),
    "youtube": PlatformRules(
        "Hashtag ở cuối mô tả và làm thẻ (tags) của video.",
        "Hashtags end the description and become the video's tags.",
        link_vi="Liên kết đặt cuối mô tả.",
        link_en="The link goes at the end of the description.",
    ),
    "wordpress": PlatformRules(
        "Hashtag thành đoạn cuối bài và thành thẻ (tags) của trang.",
        "Hashtags become the last paragraph and the site's tags.",
    ),
}
GENERIC = PlatformRules(
    "Hashtag ở cuối nội dung.",
    "Hashtags at the end of the text.",
)


# --- limits for the browser -------------------------------------------------------------------


def platform_rules(channel_type: str) -> PlatformRules:
    return PLATFORMS.get(channel_type, GENERIC)


def channel_limits(channel_type: str) -> dict[str, Any]:
    """One platform's limits as plain JSON data (see the module docstring)."""
    caps = adapter_class(channel_type).capabilities
    platform = platform_rules(channel_type)
    rules = field_rules(channel_type)
    tags_max = next((rule.max for rule in rules if rule.measure == "tag_characters"), None)
    return {
        "type": channel_type,
        "fields": [asdict(rule) for rule in rules],
        "hashtags": {
            "max_each": HASHTAG_MAX,
            "spaces_allowed": False,
            "max_total_characters": tags_max,
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
