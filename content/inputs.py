"""What a person types to create or change a post, and the checks of its fields.

Validation collects every problem before anything is written, so one answer lists all that
needs fixing, and a refused input leaves the database as it was.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from content.errors import FieldProblem
from content.models import MissedPolicy
from content.timeutil import EARLIEST, LATEST, in_range

TITLE_MAX = 300
BODY_MAX = 100_000  # the same wherever a body comes from: the API, the pages, the CLI, an import
HASHTAG_MAX = 100
GRACE_MAX_MINUTES = 7 * 24 * 60
OVERRIDABLE = frozenset({"title", "body", "hashtags", "link", "summary"})
# Characters a title may not carry: they break lines on the platforms, or reorder what a
# reader sees (bidi embeddings, overrides and isolates: the "Trojan Source" trick).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


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
    retired: bool = False  # removed from config.yaml: no new post or edit may choose it


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


def retired_problem(channel_id: str) -> FieldProblem:
    return problem(
        "channels",
        f"Kênh “{channel_id}” đã gỡ khỏi cấu hình: không đăng lên kênh này được nữa;"
        " hãy bỏ chọn kênh này.",
        f"the channel {channel_id!r} was removed from the configuration: nothing can go"
        " to it any more; leave it out",
    )


def time_problem(field_name: str, value: datetime, shown: str = "") -> FieldProblem | None:
    """The refusal of a time outside [EARLIEST, LATEST) (told as `shown`, by default with its
    offset), or None when it is inside."""
    if value.tzinfo is None or in_range(value):  # naive: refused where it is written
        return None
    first, last = EARLIEST.year, LATEST.year - 1
    shown = shown or value.isoformat(sep=" ", timespec="minutes")
    return problem(
        field_name,
        f"Thời điểm {shown} nằm ngoài khoảng cho phép: từ năm {first} đến hết năm {last}.",
        f"the time {shown} is out of range: from {first} to the end of {last}",
    )


def normalise_hashtags(tags: list[str]) -> list[str]:
    cleaned = [tag.strip().lstrip("#").strip() for tag in tags]
    return list(dict.fromkeys(tag for tag in cleaned if tag))


def validate_input(
    data: PostInput,
    vocabulary: Vocabulary,
    channels: Mapping[str, ChannelInfo],
    departments: frozenset[str],
) -> list[FieldProblem]:
    problems: list[FieldProblem] = _check_title("title", data.title)
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
    problems += _check_bodies(data)
    return problems


def _check_bodies(data: PostInput) -> list[FieldProblem]:
    texts = [("body", data.body)] + [
        (f"overrides.{channel_id}.{name}", value)
        for channel_id, changes in data.overrides.items()
        for name, value in changes.items()
        if name in ("body", "summary") and isinstance(value, str)
    ]
    return [
        problem(
            name,
            f"Nội dung dài {_vi_number(len(text))} ký tự, tối đa {_vi_number(BODY_MAX)}.",
            f"the text is {len(text):,} characters; at most {BODY_MAX:,}",
        )
        for name, text in texts
        if len(text) > BODY_MAX
    ]


def _vi_number(figure: int) -> str:
    return f"{figure:,}".replace(",", ".")


def _check_title(name: str, title: str) -> list[FieldProblem]:
    title = title.strip()
    if not title:
        return [problem(name, "Cần có tiêu đề.", "A title is required.")]
    if len(title) > TITLE_MAX:
        return [
            problem(
                name,
                f"Tiêu đề dài {len(title)} ký tự, tối đa {TITLE_MAX}.",
                f"the title is {len(title)} characters; at most {TITLE_MAX}",
            )
        ]
    bad = next((char for char in title if _control(char)), None)
    if bad is not None:
        return [
            problem(
                name,
                f"Tiêu đề có ký tự điều khiển U+{ord(bad):04X} (xuống dòng, NUL, đảo chiều chữ…);"
                " hãy viết tiêu đề trên một dòng, chỉ gồm chữ thường thấy.",
                f"the title holds the control character U+{ord(bad):04X} (a line break, NUL,"
                " a bidi override...); write it on one line, in visible characters",
            )
        ]
    return []


def _control(char: str) -> bool:
    # Cc: C0/C1 controls (NUL, tab, CR, LF); Zl/Zp: Unicode line and paragraph separators;
    # Cs: a lone surrogate, which no text encoding can store.
    return char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Zl", "Zp", "Cs")


def _hashtag_char(char: str) -> bool:
    # Letters with their combining marks (Vietnamese typed decomposed), decimal digits, "_".
    return (
        char == "_" or unicodedata.category(char)[0] in "LM" or unicodedata.category(char) == "Nd"
    )


def _check_link(link: str | None, name: str = "link") -> list[FieldProblem]:
    if not link:
        return []
    parsed = urlparse(link)
    if parsed.scheme in ("http", "https") and parsed.netloc and not any(map(_control, link)):
        return []
    return [
        problem(
            name,
            f"Liên kết “{link}” không hợp lệ; cần dạng https://…",
            f"{link!r} is not a web address; write it as https://...",
        )
    ]


def _check_hashtags(tags: list[str], name: str = "hashtags") -> list[FieldProblem]:
    problems = []
    for tag in normalise_hashtags(tags):
        if not all(map(_hashtag_char, tag)) or len(tag) > HASHTAG_MAX:
            problems.append(
                problem(
                    name,
                    f"Hashtag “{tag}” chỉ gồm chữ, chữ số và dấu gạch dưới _,"
                    f" tối đa {HASHTAG_MAX} ký tự.",
                    f"hashtag {tag!r} may hold only letters, digits and underscores,"
                    f" at most {HASHTAG_MAX} characters",
                )
            )
    return problems


def _check_override(channel_id: str, changes: Mapping[str, Any]) -> list[FieldProblem]:
    """An override passes the rules of the field it replaces on that channel."""
    problems = []
    for name, value in changes.items():
        where = f"overrides.{channel_id}.{name}"
        if name == "hashtags":
            is_tags = isinstance(value, list) and all(isinstance(tag, str) for tag in value)
            if not is_tags:
                problems.append(
                    problem(where, "Cần một danh sách hashtag.", "must be a list of hashtags")
                )
            else:
                problems += _check_hashtags(value, where)
        elif name in OVERRIDABLE and not isinstance(value, str):
            problems.append(problem(where, "Cần một đoạn chữ.", "must be text"))
        elif name == "title":
            problems += _check_title(where, value)
        elif name == "link":
            problems += _check_link(value, where) if value else [_empty_link(where)]
    return problems


def _empty_link(where: str) -> FieldProblem:
    return problem(
        where,
        "Liên kết tùy chỉnh đang trống; cần dạng https://… hoặc bỏ tùy chỉnh này.",
        "the link override is empty; write it as https://... or drop the override",
    )


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
        problems += _check_override(channel_id, changes)
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
    if data.scheduled_at is not None:
        out_of_range = time_problem("at", data.scheduled_at)
        if out_of_range is not None:
            problems.append(out_of_range)
    if data.next_slot and data.scheduled_at is not None:
        problems.append(
            problem(
                "at",
                "Chọn giờ đăng hoặc khung giờ trống kế tiếp, không chọn cả hai.",
                "give a time or ask for the next free slot, not both",
            )
        )
    return problems
