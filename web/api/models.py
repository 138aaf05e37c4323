"""The shapes of the REST API (/api/v1): what it accepts and what it answers, for the OpenAPI file.

Requests forbid unknown fields, so a misspelt field is refused by name instead of ignored.
Times go in as ISO 8601 (`TimeText`: with an offset, or naive meaning the configured zone) and
come out twice: `*_at` in UTC and `*_at_local` in the configured zone with its offset. Topics and
pillars are the configuration's controlled lists; `web.api.schema` writes them into the OpenAPI
description as enums (the `x-loa-vocabulary` mark below says which list).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from content.inputs import GRACE_MAX_MINUTES, HASHTAG_MAX, TITLE_MAX
from content.models import ChannelState, DeliveryState, EditorialState, MediaKind, MissedPolicy
from content.reasons import Reason
from content.timeutil import EARLIEST, LATEST

ErrorCode = Literal[
    "invalid_input", "invalid_query", "forbidden", "csrf", "not_found", "throttled",
    "transition_refused", "conflict", "refused", "unauthenticated", "method_not_allowed", "http",
    "server_error",
]  # fmt: skip

# A time in the examples: in the range Loa accepts, and in the future for decades to come (a
# fixed date such as 2026-08-08 soon becomes a time an example request is refused for).
EXAMPLE_AT = f"{LATEST.year - 1}-08-08T07:30:00+07:00"
TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$"
TimeText = Annotated[
    str,
    Field(
        pattern=TIME_PATTERN,
        max_length=40,
        description=f"ISO 8601. With an offset (`{EXAMPLE_AT}`, `...Z`) it is that instant;"
        f" without one (`{EXAMPLE_AT[:10]} 07:30`) it is a wall-clock time in the configured"
        f" zone (Asia/Ho_Chi_Minh by default); from {EARLIEST.year} to the end of"
        f" {LATEST.year - 1}.",
        examples=[EXAMPLE_AT, f"{EXAMPLE_AT[:10]} 07:30"],
    ),
]
LocalText = Annotated[
    str,
    Field(
        description="The same instant in the configured zone, ISO 8601 with its offset.",
        examples=[EXAMPLE_AT],
    ),
]
Topic = Annotated[
    str,
    Field(
        max_length=8,
        description="A topic code of the provincial plan (a-i).",
        json_schema_extra={"x-loa-vocabulary": "topics"},
    ),
]
Pillar = Annotated[
    str,
    Field(
        max_length=8,
        description="An ASEAN Community pillar.",
        json_schema_extra={"x-loa-vocabulary": "pillars"},
    ),
]
SHA256_PATTERN = r"^[0-9a-f]{64}$"
Sha256 = Annotated[str, Field(pattern=SHA256_PATTERN, description="sha256 of the file, hex")]
ChannelId = Annotated[str, Field(min_length=1, max_length=64)]
Hashtag = Annotated[str, Field(max_length=HASHTAG_MAX + 1)]
Text = Annotated[str, Field(max_length=100_000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- errors ---------------------------------------------------------------------------------


class Problem(BaseModel):
    field: str
    message: str = Field(description="In the language asked for, as the error's `message`.")


MESSAGE_LANGUAGES = (
    "In the language asked for (`?lang=`, then Accept-Language; Vietnamese by default). A request"
    " the API cannot read (a missing or misspelt field, a value of the wrong type, too long, out"
    " of range) is told Vietnamese first, naming the field by its Vietnamese label and its JSON"
    " name, then ` / ` and the English: `Tiêu đề (title): bắt buộc phải có / title: required`;"
    " with `?lang=en` the English alone (`title: required`). Messages are for people: programs"
    " should read `code` and `field` (and each problem's `field`), which never change with the"
    " language."
)


class ErrorBody(BaseModel):
    code: ErrorCode
    message: str = Field(description=MESSAGE_LANGUAGES)
    field: str | None = Field(description="The field the refusal is about, if one.")
    problems: list[Problem] = Field(
        default_factory=list, description="Every problem found, when the input had several."
    )


class ErrorResponse(BaseModel):
    error: ErrorBody


ERROR_TEXT = {
    400: "A body that cannot be read (not JSON, not UTF-8, a broken form), or a query date or"
    " time (`from`, `to`) that cannot be read or is off the calendar (`invalid_query`).",
    401: "No valid API token: send `Authorization: Bearer loa_...`.",
    403: "The account may not do this (role or department).",
    404: "No such post, delivery, medium or channel.",
    409: "Not in a state that allows it, or changed meanwhile (reload and try again).",
    422: "Invalid input; `field` names the first bad field, `problems` lists them all.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, each with the JSON error shape."""
    found: dict[int | str, dict[str, Any]] = {}
    for status in sorted({400, 401, 422, *statuses}):
        entry: dict[str, Any] = {"model": ErrorResponse, "description": ERROR_TEXT[status]}
        if status == 401:
            entry["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        found[status] = entry
    return found


# -- posts ----------------------------------------------------------------------------------


class MediaRefIn(Strict):
    sha256: Sha256
    alt_text: str | None = Field(default=None, max_length=1000)


class OverrideIn(Strict):
    """What one channel shows differently from the post."""

    title: str | None = Field(default=None, max_length=TITLE_MAX)
    body: Text | None = None
    hashtags: list[Hashtag] | None = Field(default=None, max_length=50)
    link: str | None = Field(default=None, max_length=2000)
    summary: str | None = Field(default=None, max_length=5000)


class PostCreate(Strict):
    title: str = Field(max_length=TITLE_MAX + 50, examples=["Ngày ASEAN 8/8 tại Huế"])
    topic: Topic
    department: str | None = Field(
        default=None, max_length=32, description="Default: the caller's own department."
    )
    channels: list[ChannelId] = Field(default_factory=list, max_length=50)
    body: Text = ""
    link: str | None = Field(default=None, max_length=2000, description="http(s) address")
    hashtags: list[Hashtag] = Field(default_factory=list, max_length=50)
    pillar: Pillar | None = None
    audience: str | None = Field(default=None, max_length=200)
    scheduled_at: TimeText | None = None
    next_slot: bool = Field(default=False, description="Take the next free slot of the channels.")
    missed_policy: MissedPolicy = MissedPolicy.publish_late
    grace_minutes: int | None = Field(default=None, ge=0, le=GRACE_MAX_MINUTES)
    media: list[MediaRefIn] = Field(default_factory=list, max_length=50)
    overrides: dict[ChannelId, OverrideIn] = Field(default_factory=dict)


def unset(schema: dict[str, Any]) -> None:
    """A PATCH field's default only means "not sent": the description shows none."""
    schema.pop("default", None)


def unset_from(vocabulary: str) -> Callable[[dict[str, Any]], None]:
    def mark(schema: dict[str, Any]) -> None:
        unset(schema)
        (schema["anyOf"][0] if "anyOf" in schema else schema)["x-loa-vocabulary"] = vocabulary

    return mark


class PostPatch(Strict):
    """Only the fields sent change (`null` clears the nullable ones). Editing an approved post's
    content sends it back to review (an editor moving only its time keeps it approved)."""

    title: str = Field(default="", max_length=TITLE_MAX + 50, json_schema_extra=unset)
    topic: str = Field(default="", max_length=8, json_schema_extra=unset_from("topics"))
    department: str = Field(default="", max_length=32, json_schema_extra=unset)
    channels: list[ChannelId] = Field(default_factory=list, max_length=50, json_schema_extra=unset)
    body: Text = Field(default="", json_schema_extra=unset)
    link: str | None = Field(default=None, max_length=2000, json_schema_extra=unset)
    hashtags: list[Hashtag] = Field(default_factory=list, max_length=50, json_schema_extra=unset)
    pillar: str | None = Field(default=None, max_length=8, json_schema_extra=unset_from("pillars"))
    audience: str | None = Field(default=None, max_length=200, json_schema_extra=unset)
    scheduled_at: TimeText | None = Field(default=None, json_schema_extra=unset)
    next_slot: bool = Field(default=False, json_schema_extra=unset)
    missed_policy: MissedPolicy = Field(default=MissedPolicy.publish_late, json_schema_extra=unset)
    grace_minutes: int | None = Field(
        default=None, ge=0, le=GRACE_MAX_MINUTES, json_schema_extra=unset
    )
    media: list[MediaRefIn] = Field(default_factory=list, max_length=50, json_schema_extra=unset)
    overrides: dict[ChannelId, OverrideIn] = Field(default_factory=dict, json_schema_extra=unset)
    expected_version: int | None = Field(
        default=None,
        ge=1,
        description="Refuse (409) if the post's version is no longer this.",
        json_schema_extra=unset,
    )


class ApproveIn(Strict):
    comment: str | None = Field(default=None, max_length=5000)


class RejectIn(Strict):
    comment: str = Field(min_length=1, max_length=5000, description="Why: required.")


class CancelIn(Strict):
    reason: str | None = Field(default=None, max_length=5000)


class RetryIn(Strict):
    at: TimeText | None = Field(default=None, description="A later time; default: at once.")


class RescheduleIn(Strict):
    at: TimeText | None = None
    next_slot: bool = Field(default=False, description="Instead of `at`: the next free slot.")


class PostMediaOut(BaseModel):
    sha256: str
    position: int
    kind: MediaKind
    mime: str
    width: int | None
    height: int | None
    alt_text: str
    thumbnail_url: str | None


class ReasonOut(BaseModel):
    """Why something failed: Vietnamese, English, and the platform's own words."""

    vi: str = Field(
        description="In Vietnamese; empty for a reason kept before reasons were bilingual."
    )
    en: str = Field(description="In English.")
    detail: str = Field(description="What the platform itself said (its error code and message).")

    @classmethod
    def of(cls, stored: str | None) -> ReasonOut | None:
        reason = Reason.decode(stored)
        return cls(**reason.as_dict()) if reason else None


class AttemptOut(BaseModel):
    number: int
    started_at: datetime
    started_at_local: LocalText
    finished_at: datetime | None
    finished_at_local: LocalText | None
    outcome: str
    error_kind: str | None
    error_message: str | None = Field(description="The reason in English (see `reason`).")
    reason: ReasonOut | None = None


class DeliveryOut(BaseModel):
    id: int
    post_id: int
    channel_id: str
    state: DeliveryState
    due_at: datetime | None
    due_at_local: LocalText | None
    attempt_count: int
    overrides: dict[str, Any]
    remote_id: str | None
    remote_url: str | None
    published_at: datetime | None
    published_at_local: LocalText | None
    last_error: str | None = Field(description="The last failure in English (see `reason`).")
    reason: ReasonOut | None = Field(
        default=None, description="The last failure, in Vietnamese and English, with the detail."
    )
    updated_at: datetime
    metrics: dict[str, int | None] = Field(
        default_factory=dict,
        description="The latest figures the platform reported (views, reach, reactions, "
        "comments, shares, video_views): null is no figure (not reported), never 0. Empty "
        "until the first reading, about an hour after publishing.",
    )
    metrics_collected_at: datetime | None = Field(
        default=None, description="When the figures were last read."
    )


class DeliveryDetailOut(DeliveryOut):
    attempts: list[AttemptOut] = Field(description="Every try, oldest first.")
    retryable: bool
    cancellable: bool


class PostOut(BaseModel):
    id: int
    title: str
    body: str
    link: str | None
    hashtags: list[str]
    topic: str
    pillar: str | None
    audience: str | None
    department: str
    author: str | None = Field(description="The author's username.")
    state: EditorialState
    scheduled_at: datetime | None
    scheduled_at_local: LocalText | None
    missed_policy: MissedPolicy
    grace_minutes: int
    review_comment: str | None
    version: int
    channels: list[str] = Field(description="The channels it goes to (not cancelled).")
    created_at: datetime
    updated_at: datetime


class PostDetailOut(PostOut):
    media: list[PostMediaOut]
    deliveries: list[DeliveryOut]
    warnings: list[str] = Field(
        default_factory=list,
        description="What the action warns about (e.g. a YouTube quota day over-run on approval),"
        " in the language asked for.",
    )


class PostPage(BaseModel):
    items: list[PostOut]
    total: int
    limit: int
    offset: int
    next_offset: int | None = Field(description="The `offset` of the next page; null at the end.")


# -- media ----------------------------------------------------------------------------------


class MediaOut(BaseModel):
    sha256: str
    kind: MediaKind
    mime: str
    size_bytes: int
    width: int | None
    height: int | None
    duration_seconds: float | None
    original_name: str
    alt_text: str
    thumbnail_url: str | None = Field(description="A 320-pixel JPEG, for images only.")
    created_at: datetime


# -- channels, calendar, pause --------------------------------------------------------------


class ChannelOut(BaseModel):
    id: str
    type: str
    name: str
    department: str
    state: ChannelState
    cooldown_until: datetime | None
    cooldown_until_local: LocalText | None
    cooling_down: bool
    last_success_at: datetime | None
    last_success_at_local: LocalText | None
    last_success_url: str | None
    last_failure_at: datetime | None
    last_failure_at_local: LocalText | None
    last_failure: str | None = Field(description="The last error, in English (see below).")
    last_failure_reason: ReasonOut | None = Field(
        default=None, description="The last error in Vietnamese and English, with the detail."
    )


class CalendarEntryOut(BaseModel):
    post_id: int
    delivery_id: int
    channel_id: str
    due_at: datetime
    due_at_local: LocalText
    local_date: date
    local_time: str = Field(pattern=r"^\d{2}:\d{2}$")
    title: str
    post_state: EditorialState
    delivery_state: DeliveryState
    department: str
    topic: str
    pillar: str | None


class CalendarOut(BaseModel):
    start: datetime
    end: datetime
    zone: str
    entries: list[CalendarEntryOut]


class PauseOut(BaseModel):
    paused: bool
    reason: str | None
    changed_by: str
    changed_at: datetime
    changed_at_local: LocalText


class PauseIn(Strict):
    paused: bool
    reason: str | None = Field(
        default=None, max_length=1000, description="Required when pausing: why (shown to all)."
    )
