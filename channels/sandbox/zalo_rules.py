"""What Zalo's article API refuses, as the sandbox checks it (CHANNELS.md, "Zalo Official Account").

Every refusal is Zalo's -201, and its message names the field: "Invalid parameter: author". The
rules come from CHANNELS.md and Zalo's article API v2.0 as its client SDKs document it: a normal
article needs a title, an author, a description, a cover and a body; a video article needs a
video id and an avatar. Zalo refused titles of exactly 150 and descriptions of exactly 300
characters, so the limits below are exclusive.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from typing import Any

TITLE_LIMIT = 150  # refused at 150 and above
DESCRIPTION_LIMIT = 300  # refused at 300 and above
AUTHOR_MAX = 50  # accepted up to 50
ARTICLE_TYPES = ("normal", "video")
VISIBILITY = ("show", "hide")  # status, comment and cover.status
COVER_TYPES = ("photo", "video")
BODY_TYPES = ("text", "image", "video", "product")

Public = Callable[[Any], bool]


def _known(value: Any, videos: Container[Any]) -> bool:
    return isinstance(value, str) and value in videos


def invalid(field: str) -> str:
    return f"Invalid parameter: {field}"


def _text(value: Any) -> str | None:
    """A string with something in it, else None (Zalo takes no number or list for a text)."""
    return value if isinstance(value, str) and value.strip() else None


def _bounded(body: Mapping[str, Any], field: str, below: int) -> str | None:
    value = _text(body.get(field))
    return invalid(field) if value is None or len(value) >= below else None


def _enum(
    body: Mapping[str, Any], field: str, allowed: tuple[str, ...], where: str = ""
) -> str | None:
    """Optional fields default to "show" at Zalo; when present they must be one of `allowed`."""
    if field in body and body[field] not in allowed:
        return invalid(where + field)
    return None


def article_problem(body: Mapping[str, Any], videos: Container[Any], public: Public) -> str | None:
    """Zalo's -201 message for the first rule this create/update body breaks, or None."""
    kind = body.get("type")
    if kind not in ARTICLE_TYPES:
        return invalid("type")
    for check in (
        _bounded(body, "title", TITLE_LIMIT),
        _bounded(body, "description", DESCRIPTION_LIMIT),
        _enum(body, "status", VISIBILITY),
        _enum(body, "comment", VISIBILITY),
    ):
        if check:
            return check
    if kind == "video":
        if not _known(body.get("video_id"), videos):
            return invalid("video_id")
        return None if public(body.get("avatar")) else invalid("avatar")
    author = _text(body.get("author"))
    if author is None or len(author) > AUTHOR_MAX:
        return invalid("author")
    return _cover_problem(body.get("cover"), videos, public) or _body_problem(
        body.get("body"), videos, public
    )


def _cover_problem(cover: Any, videos: Container[Any], public: Public) -> str | None:
    if not isinstance(cover, Mapping):
        return invalid("cover")
    kind = cover.get("cover_type")
    if kind not in COVER_TYPES:
        return invalid("cover.cover_type")
    if kind == "photo" and not public(cover.get("photo_url")):
        return invalid("cover.photo_url")
    if kind == "video" and not _known(cover.get("video_id"), videos):
        return invalid("cover.video_id")
    if cover.get("status") not in VISIBILITY:
        return invalid("cover.status")
    return None


def _body_problem(blocks: Any, videos: Container[Any], public: Public) -> str | None:
    if not isinstance(blocks, list) or not blocks:
        return invalid("body")
    for number, block in enumerate(blocks):
        where = f"body[{number}]"
        kind = block.get("type") if isinstance(block, Mapping) else None
        if kind not in BODY_TYPES:
            return invalid(f"{where}.type")
        assert isinstance(block, Mapping)
        if kind == "text" and _text(block.get("content")) is None:
            return invalid(f"{where}.content")
        if kind == "image" and not public(block.get("url")):
            return invalid(f"{where}.url")
        if kind == "video" and not (
            _known(block.get("video_id"), videos) or public(block.get("url"))
        ):
            return invalid(f"{where}.video_id")
        if kind == "product" and _text(block.get("id")) is None:
            return invalid(f"{where}.id")
    return None
