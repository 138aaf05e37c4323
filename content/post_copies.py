"""New posts made from an existing one: a duplicate to start from, or a weekly series.

A copy is a new draft of its own (its own id, history and review): the same texts, media and
channels, and no time, so it is never published by accident at the original's moment.

A weekly series is created up front: one post a week after the original, at the same local
time, until an end date, each its own post (its own review, its own deliveries), all sharing a
series id with the original, so one can be changed or cancelled without touching the others.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime, timedelta, tzinfo

from sqlmodel import Session

from content.errors import InvalidInput
from content.inputs import PostInput, problem
from content.models import EditorialState, Post
from content.posts import PostService
from content.queries import WriteContext, deliveries_of, input_of
from content.timeutil import as_utc, format_local, to_local
from content.workflow import Action, Actor, post_not_found, require_permission

MAX_SERIES = 52  # a year of weeks: a longer series is more likely a slip than a plan


def duplicate(service: PostService, actor: Actor, post_id: int) -> Post:
    """A draft copy of post `post_id`, written by `actor`, without a time.

    Channels retired since are left off the copy (nothing new can go out there); any other
    problem (an officer's channel no longer shared) refuses the copy with the post's words.
    """
    with service.db.write() as session:
        original = _editable(session, actor, post_id)
        context = service.context(session)
        data = dataclasses.replace(
            _live_input(session, original, context), scheduled_at=None, next_slot=False
        )
        problems = service.validate(actor, data, context)
        if problems:
            raise InvalidInput(problems, f"post #{post_id} not copied")
        return service.insert(session, actor, data, context, source=f"post #{post_id}")


def weekly_times(first: datetime, until: date, tz: tzinfo) -> list[datetime]:
    """The times one, two, ... weeks after `first`, at its local time, up to `until` (a local
    day, included), in UTC."""
    local = to_local(first, tz)
    found = []
    week = 1
    while (later := local + timedelta(weeks=week)).date() <= until:
        found.append(as_utc(later))
        week += 1
        if week > MAX_SERIES + 1:
            break
    return found


def weekly_series(service: PostService, actor: Actor, post_id: int, until: date) -> list[Post]:
    """Posts repeating `post_id` every week until `until`, created now; they and the original
    share a new series id. Copies of a draft are drafts; copies of a post already sent to
    review (or approved) are submitted for review, each to be approved on its own."""
    with service.db.write() as session:
        original = _editable(session, actor, post_id)
        if original.scheduled_at is None:
            raise InvalidInput(
                [
                    problem(
                        "until",
                        "Hãy chọn giờ đăng cho bài trước khi lặp lại hằng tuần.",
                        "give the post a time before repeating it weekly",
                    )
                ]
            )
        if original.series_id:
            raise InvalidInput(
                [
                    problem(
                        "until",
                        f"Bài #{post_id} đã thuộc một chuỗi bài hằng tuần.",
                        f"post #{post_id} already belongs to a weekly series",
                    )
                ]
            )
        times = weekly_times(original.scheduled_at, until, service.tz)
        _check_length(times, original.scheduled_at, service)
        context = service.context(session)
        base = _live_input(session, original, context)
        problems = service.validate(actor, base, context)
        if problems:
            raise InvalidInput(problems, f"post #{post_id} not repeated")
        items = [(dataclasses.replace(base, scheduled_at=when, next_slot=False), None)
                 for when in times]  # fmt: skip
        posts = service.insert_many(
            session, actor, items, context, source=f"weekly series of post #{post_id}"
        )
        series = uuid.uuid4().hex
        for post in [original, *posts]:
            post.series_id = series
            session.add(post)
        session.flush()
        if original.state in (EditorialState.in_review, EditorialState.approved):
            for post in posts:
                service.submit_in(session, actor, post.id or 0)
        return posts


def _check_length(times: list[datetime], first: datetime, service: PostService) -> None:
    if not times:
        shown = format_local(first + timedelta(weeks=1), service.tz, "%d/%m/%Y")
        raise InvalidInput(
            [
                problem(
                    "until",
                    f"Ngày kết thúc phải từ {shown} trở đi (một tuần sau buổi đăng đầu).",
                    f"the end date must be {shown} or later (a week after the first time)",
                )
            ]
        )
    if len(times) > MAX_SERIES:
        raise InvalidInput(
            [
                problem(
                    "until",
                    f"Một chuỗi có tối đa {MAX_SERIES} bài; hãy chọn ngày kết thúc sớm hơn.",
                    f"a series holds at most {MAX_SERIES} posts; choose an earlier end date",
                )
            ]
        )


def _editable(session: Session, actor: Actor, post_id: int) -> Post:
    original = session.get(Post, post_id)
    if original is None:
        raise post_not_found(post_id)
    require_permission(
        actor,
        Action.edit,
        post_department=original.department_code,
        author_id=original.author_id,
        post_id=post_id,
    )
    return original


def _live_input(session: Session, original: Post, context: WriteContext) -> PostInput:
    """The post as an input, without the channels retired since (nothing new goes there)."""
    source = input_of(session, original, deliveries_of(session, original.id or 0))
    channels = [
        channel_id
        for channel_id in source.channels
        if channel_id in context.channels and not context.channels[channel_id].retired
    ]
    return dataclasses.replace(
        source,
        channels=channels,
        overrides={k: v for k, v in source.overrides.items() if k in channels},
    )
