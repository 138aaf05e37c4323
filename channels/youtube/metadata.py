"""A video's metadata as YouTube gets it, and the rules YouTube holds it to, without any I/O.

The same rules the sandbox enforces (channels/sandbox/youtube_rules.py), checked when a post is
queued so that an officer learns them then, in Vietnamese and English, not from a refused upload:
title required, at most 100 characters, no `<` or `>`; description at most 5,000 bytes, no `<` or
`>`; tags at most 500 characters in all as YouTube counts them (commas between, quotes around a
tag with a space), the post's marker tag included; the channel's privacy status and category
among YouTube's values.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from channels.base import Problem, Publication
from channels.render import plain_text
from channels.youtube.client import parse_time, rfc3339

TAGS_MAX_CHARACTERS = 500
DESCRIPTION_MAX_BYTES = 5000  # YouTube counts bytes: Vietnamese letters take two or three
DEFAULT_CATEGORY = "25"  # News & Politics
PRIVACY_STATUSES = ("public", "unlisted", "private")
# The categories a video can be put in (videoCategories.list, assignable=true).
CATEGORIES = frozenset(
    {"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29"}
)


def video_snippet(pub: Publication, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The video's title, description and tags as viewers and the composer's preview see them."""
    snippet: dict[str, Any] = {
        "title": pub.title.strip(),
        "description": plain_text(pub),
        "tags": list(pub.hashtags),
        "categoryId": str(settings.get("category_id", DEFAULT_CATEGORY)),
    }
    if settings.get("language"):
        snippet["defaultLanguage"] = snippet["defaultAudioLanguage"] = settings["language"]
    return snippet


def sent_snippet(pub: Publication, settings: Mapping[str, Any]) -> dict[str, Any]:
    """What goes to YouTube: the snippet plus the post's marker as one more tag, which viewers
    never see and `find` reads back."""
    snippet = video_snippet(pub, settings)
    snippet["tags"] = sent_tags(pub)
    return snippet


def sent_tags(pub: Publication) -> list[str]:
    tags = list(pub.hashtags)
    if pub.marker and pub.marker not in tags:
        tags.append(pub.marker)
    return tags


def tag_characters(tags: list[str]) -> int:
    """How YouTube counts tags against their 500: commas between, quotes around spaces."""
    quoted = sum(len(tag) + (2 if " " in tag else 0) for tag in tags)
    return quoted + max(len(tags) - 1, 0)


def check_metadata(pub: Publication) -> list[Problem]:
    """YouTube's own rules beyond the shared capability checks."""
    problems: list[Problem] = []
    if "<" in pub.title or ">" in pub.title:
        problems.append(
            Problem(
                "title",
                "Tiêu đề YouTube không được chứa dấu < hoặc >.",
                "A YouTube title may not contain < or >.",
            )
        )
    description = plain_text(pub)
    if "<" in description or ">" in description:
        problems.append(
            Problem(
                "body",
                "Mô tả video YouTube không được chứa dấu < hoặc >.",
                "A YouTube description may not contain < or >.",
            )
        )
    size = len(description.encode("utf-8"))
    if size > DESCRIPTION_MAX_BYTES:
        problems.append(
            Problem(
                "body",
                f"Mô tả dài {size} byte (UTF-8), YouTube nhận tối đa {DESCRIPTION_MAX_BYTES}.",
                f"The description is {size} bytes in UTF-8; YouTube takes at most"
                f" {DESCRIPTION_MAX_BYTES}.",
            )
        )
    counted = tag_characters(sent_tags(pub))
    if counted > TAGS_MAX_CHARACTERS:
        reserved = counted - tag_characters(list(pub.hashtags))
        problems.append(
            Problem(
                "hashtags",
                f"Tổng độ dài thẻ là {counted} ký tự (kể cả dấu phẩy và {reserved} ký tự"
                f" dành cho mã nhận diện của Loa), tối đa {TAGS_MAX_CHARACTERS}.",
                f"The tags add up to {counted} characters (commas and the {reserved}"
                f" characters of Loa's marker included); at most {TAGS_MAX_CHARACTERS}.",
            )
        )
    return problems + check_settings(pub.settings)


def check_settings(settings: Mapping[str, Any]) -> list[Problem]:
    """The channel's YouTube settings that every video carries."""
    problems: list[Problem] = []
    privacy = str(settings.get("privacy_status", "public"))
    if privacy not in PRIVACY_STATUSES:
        allowed = ", ".join(PRIVACY_STATUSES)
        problems.append(
            Problem(
                "privacy_status",
                f"Chế độ hiển thị `{privacy}` không hợp lệ; YouTube nhận: {allowed}.",
                f"The privacy status `{privacy}` is not valid; YouTube takes: {allowed}.",
            )
        )
    category = str(settings.get("category_id", DEFAULT_CATEGORY))
    if category not in CATEGORIES:
        allowed = ", ".join(sorted(CATEGORIES, key=int))
        problems.append(
            Problem(
                "category_id",
                f"Danh mục YouTube `{category}` không hợp lệ; dùng một trong: {allowed}.",
                f"The YouTube category `{category}` is not valid; use one of: {allowed}.",
            )
        )
    return problems


def uploaded_at(video: Mapping[str, Any]) -> datetime:
    return parse_time((video.get("snippet") or {}).get("publishedAt")) or datetime.max.replace(
        tzinfo=UTC
    )


def held_until(status: Mapping[str, Any]) -> datetime | None:
    """When YouTube will make the video public, if it is holding it for later."""
    when = parse_time(status.get("publishAt"))
    if status.get("privacyStatus") == "private" and when is not None and when > datetime.now(UTC):
        return when
    return None


def status_for_update(
    current: Mapping[str, Any], pub: Publication, settings: Mapping[str, Any]
) -> dict[str, Any]:
    """The status part to send back: videos.update clears what it is not given, so everything
    kept as it was, and a new publishAt when the video is still held for later."""
    kept = ("privacyStatus", "embeddable", "license", "publicStatsViewable")
    status = {key: current[key] for key in kept if key in current}
    status["selfDeclaredMadeForKids"] = bool(
        current.get("selfDeclaredMadeForKids", current.get("madeForKids", False))
    )
    if held_until(current) is None:
        return status  # published already (or never scheduled): its time is not YouTube's to move
    at = pub.scheduled_at
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if at is not None and at > datetime.now(UTC):
        status["publishAt"] = rfc3339(at)
    else:  # moved to now or earlier: out it goes, with the channel's own privacy
        status["privacyStatus"] = str(settings.get("privacy_status", "public"))
    return status
