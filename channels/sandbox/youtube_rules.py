"""What the YouTube sandbox refuses in a video's metadata, as videos.insert and videos.update do.

Each rule answers with the reason code and message YouTube gives (Google's error envelope):

- snippet.title: required, at most 100 characters, no `<` or `>`          invalidTitle
- snippet.description: at most 5,000 bytes in UTF-8, no `<` or `>`         invalidDescription
- snippet.tags: at most 500 characters in all, counting the commas between
  tags and the quotes around a tag with a space                            invalidTags
- snippet.categoryId: one of the assignable categories; videos.update
  needs it whenever it sends the snippet                                   invalidCategoryId
- status.privacyStatus: private, public or unlisted                        invalid (bad enum)
- status.publishAt: only with privacyStatus private, in the future, and
  only for a video that has never been public                              invalidPublishAt
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels.sandbox.server import Response
from channels.sandbox.youtube_google import fail, google_error, now, parse_time

CATEGORIES = frozenset(
    {"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29"}
)
PRIVACY = ("private", "public", "unlisted")
TITLE_MAX = 100
DESCRIPTION_MAX_BYTES = 5000
TAGS_MAX = 500


def tag_characters(tags: list[str]) -> int:
    """How YouTube counts the tags against their 500: commas between, quotes around spaces."""
    quoted = sum(len(tag) + (2 if " " in tag else 0) for tag in tags)
    return quoted + max(len(tags) - 1, 0)


def refused_metadata(
    metadata: Mapping[str, Any], *, updating: bool = False, ever_public: bool = False
) -> Response | None:
    """YouTube's answer to metadata it refuses, or None when it takes it."""
    snippet, status = metadata.get("snippet"), metadata.get("status")
    if snippet is not None or not updating:
        refused = _refused_snippet(dict(snippet or {}), updating)
        if refused is not None:
            return refused
    if status is not None:
        return _refused_status(dict(status), ever_public)
    return None


def _refused_snippet(snippet: Mapping[str, Any], updating: bool) -> Response | None:
    title = str(snippet.get("title") or "")
    if not title.strip() or len(title) > TITLE_MAX or "<" in title or ">" in title:
        return google_error("invalidTitle")
    description = str(snippet.get("description") or "")
    if (
        len(description.encode()) > DESCRIPTION_MAX_BYTES
        or "<" in description
        or ">" in description
    ):
        return google_error("invalidDescription")
    if tag_characters([str(tag) for tag in snippet.get("tags") or []]) > TAGS_MAX:
        return google_error("invalidTags")
    category = snippet.get("categoryId")
    if category is None and not updating:
        category = "22"  # an upload without a category lands in People & Blogs
    if str(category) not in CATEGORIES:
        return google_error("invalidCategoryId")
    return None


def _refused_status(status: Mapping[str, Any], ever_public: bool) -> Response | None:
    privacy = status.get("privacyStatus", "public")
    if privacy not in PRIVACY:
        message = (
            "Invalid value at 'resource.status.privacy_status'"
            f' (type.googleapis.com/youtube.api.v3.PrivacyStatusWrapper.PrivacyStatus), "{privacy}"'
        )
        return fail(400, "invalid", message, "global")
    if status.get("publishAt"):
        when = parse_time(status["publishAt"])
        if privacy != "private" or when is None or when <= now() or ever_public:
            return google_error("invalidPublishAt")
    return None
