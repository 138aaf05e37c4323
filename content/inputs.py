"""What a person types to create or change a post, and the checks of its fields.

Validation collects every problem before anything is written, so one answer lists all that
needs fixing, and a refused input leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from content.errors import FieldProblem
from content.models import MissedPolicy

TITLE_MAX = 300
HASHTAG_MAX = 100
GRACE_MAX_MINUTES = 7 * 24 * 60
OVERRIDABLE = frozenset({"title", "body", "hashtags", "link", "summary"})


@dataclass(frozen=True)
class Vocabulary:
    """The controlled lists from configuration that posts are checked against."""

    topics: frozenset[str]
    pillars: frozenset[str]


@dataclass(frozen=True)
class ChannelInfo:
    id: str
    type: str
    department_code: str
    shared: bool
    slots: tuple[str, ...]


@dataclass(frozen=True)
class MediaRef:
    sha256: str
    alt_text: str | None = None


@dataclass
class PostInput:
    title: str
    topic: str
    department: str
    channels: list[str] = field(default_factory=list)
    body: str = ""
    link: str | None = None
    hashtags: list[str] = field(default_factory=list)
    pillar: str | None = None
    audience: str | None = None
    scheduled_at: datetime | None = None
    next_slot: bool = False
    missed_policy: str = MissedPolicy.publish_late
    grace_minutes: int | None = None
    media: list[MediaRef] = field(default_factory=list)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)


EDITABLE_FIELDS = frozenset(PostInput.__dataclass_fields__) - {"next_slot"}


def problem(field_name: str, vi: str, en: str) -> FieldProblem:
    return FieldProblem(field_name, vi, en)


def normalise_hashtags(tags: list[str]) -> list[str]:
    cleaned = [tag.strip().lstrip("#").strip() for tag in tags]
    return list(dict.fromkeys(tag for tag in cleaned if tag))


def validate_input(
    data: PostInput,
    vocabulary: Vocabulary,
    channels: Mapping[str, ChannelInfo],
    departments: frozenset[str],
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    title = data.title.strip()
    if not title:
        problems.append(problem("title", "Cần có tiêu đề.", "A title is required."))
    elif len(title) > TITLE_MAX:
        problems.append(
            problem(
                "title",
                f"Tiêu đề dài {len(title)} ký tự, tối đa {TITLE_MAX}.",
                f"the title is {len(title)} characters; at most {TITLE_MAX}",
            )
        )
    if data.topic not in vocabulary.topics:
        known = ", ".join(sorted(vocabulary.topics))
        problems.append(
            problem(
                "topic",
                f"Chủ đề “{data.topic}” không có; chọn một trong: {known}.",
                f"unknown topic {data.topic!r}; choose one of {known}",
            )
        )
    if data.pillar is not None and data.pillar not in vocabulary.pillars:
        known = ", ".join(sorted(vocabulary.pillars))
        problems.append(
            problem(
                "pillar",
                f"Trụ cột “{data.pillar}” không có; chọn một trong: {known}.",
                f"unknown pillar {data.pillar!r}; choose one of {known}",
            )
        )
    if data.department not in departments:
        problems.append(
            problem(
                "department",
                f"Đơn vị “{data.department}” không có trong cấu hình.",
                f"unknown department {data.department!r}",
            )
        )
    problems += _check_link(data.link)
    problems += _check_hashtags(data.hashtags)
    problems += _check_channels(data, channels)
    problems += _check_timing(data)
    return problems


def _check_link(link: str | None) -> list[FieldProblem]:
    if not link:
        return []
    parsed = urlparse(link)
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return []
    return [
        problem(
            "link",
            f"Liên kết “{link}” không hợp lệ; cần dạng https://…",
            f"{link!r} is not a web address; write it as https://...",
        )
    ]


def _check_hashtags(tags: list[str]) -> list[FieldProblem]:
    problems = []
    for tag in normalise_hashtags(tags):
        if any(char.isspace() for char in tag) or len(tag) > HASHTAG_MAX:
            problems.append(
                problem(
                    "hashtags",
                    f"Hashtag “{tag}” không được có khoảng trắng và tối đa {HASHTAG_MAX} ký tự.",
                    f"hashtag {tag!r} must have no spaces and at most {HASHTAG_MAX} characters",
                )
            )
    return problems


def _check_channels(data: PostInput, channels: Mapping[str, ChannelInfo]) -> list[FieldProblem]:
    problems = []
    known = ", ".join(sorted(channels))
    if len(set(data.channels)) != len(data.channels):
        problems.append(
            problem("channels", "Một kênh được chọn hai lần.", "a channel is listed twice")
        )
    for channel_id in data.channels:
        if channel_id not in channels:
            problems.append(
                problem(
                    "channels",
                    f"Kênh “{channel_id}” không có; các kênh: {known}.",
                    f"unknown channel {channel_id!r}; known: {known}",
                )
            )
    for channel_id, changes in data.overrides.items():
        if channel_id not in data.channels:
            problems.append(
                problem(
                    f"overrides.{channel_id}",
                    "Tùy chỉnh cho một kênh không được chọn.",
                    "overrides for a channel the post does not go to",
                )
            )
        unknown = sorted(set(changes) - OVERRIDABLE)
        if unknown:
            problems.append(
                problem(
                    f"overrides.{channel_id}",
                    f"Không tùy chỉnh được: {', '.join(unknown)}"
                    f" (được: {', '.join(sorted(OVERRIDABLE))}).",
                    f"cannot override {', '.join(unknown)};"
                    f" overridable: {', '.join(sorted(OVERRIDABLE))}",
                )
            )
    return problems


def _check_timing(data: PostInput) -> list[FieldProblem]:
    problems = []
    if data.missed_policy not in set(MissedPolicy):
        problems.append(
            problem(
                "missed",
                "Khi lỡ giờ: chọn publish_late (đăng muộn trong thời gian cho phép) hoặc skip.",
                f"unknown missed policy {data.missed_policy!r}; use publish_late or skip",
            )
        )
    if data.grace_minutes is not None and not 0 <= data.grace_minutes <= GRACE_MAX_MINUTES:
        problems.append(
            problem(
                "grace_minutes",
                f"Thời gian đăng muộn cho phép phải từ 0 đến {GRACE_MAX_MINUTES} phút.",
                f"grace must be between 0 and {GRACE_MAX_MINUTES} minutes",
            )
        )
    if data.next_slot and data.scheduled_at is not None:
        problems.append(
            problem(
                "at",
                "Chọn giờ đăng hoặc khung giờ trống kế tiếp, không chọn cả hai.",
                "give a time or ask for the next free slot, not both",
            )
        )
    return problems
