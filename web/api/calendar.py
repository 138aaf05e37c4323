"""The calendar window in the REST API: every delivery due between two instants.

Instants go in with their offset (UTC or any); each entry comes out in UTC and in the
configured zone (its local date and time, as the calendar pages show it). Officers see their
own department's posts, as on the calendar page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Query
from pydantic import AwareDatetime

from content.calendar import CalendarFilter, entries
from content.models import DeliveryState, EditorialState
from content.timeutil import to_local
from web.api.common import (
    Caller,
    Services,
    api_router,
    require_period,
    require_vocabulary,
    visible_departments,
)
from web.api.models import CalendarEntryOut, CalendarOut, Pillar, Topic, errors

router = api_router("calendar")

MAX_WINDOW = timedelta(days=366)
Many = Query(max_length=50)


@router.get("/calendar", response_model=CalendarOut, responses=errors())
def calendar_window(
    actor: Caller,
    services: Services,
    start: Annotated[AwareDatetime, Query(alias="from", description="From (included).")],
    end: Annotated[AwareDatetime, Query(alias="to", description="To (excluded).")],
    department: Annotated[list[Annotated[str, Query(max_length=32)]], Many] = [],  # noqa: B006
    channel: Annotated[list[Annotated[str, Query(max_length=64)]], Many] = [],  # noqa: B006
    topic: Annotated[list[Topic], Many] = [],  # noqa: B006
    pillar: Annotated[list[Pillar], Many] = [],  # noqa: B006
    state: Annotated[list[EditorialState], Many] = [],  # noqa: B006
    delivery_state: Annotated[list[DeliveryState], Many] = [],  # noqa: B006
) -> CalendarOut:
    """Deliveries due in [from, to), at most a year apart, in time order; cancelled ones only
    when `delivery_state=cancelled` is asked for. Each filter may be repeated."""
    start, end = require_period(start, end, MAX_WINDOW, "366 ngày", "366 days")
    vocabulary = services.posts.vocabulary
    require_vocabulary("topic", topic, vocabulary.topics)
    require_vocabulary("pillar", pillar, vocabulary.pillars)
    where = CalendarFilter(
        departments=visible_departments(actor, list(department)),
        channels=channel,
        topics=topic,
        pillars=pillar,
        post_states=state,
        delivery_states=delivery_state,
    )
    zone = services.zone
    with services.db.read() as session:
        found = entries(session, start, end, where)
    return CalendarOut(
        start=start,
        end=end,
        zone=str(zone),
        entries=[
            CalendarEntryOut(
                post_id=entry.post_id,
                delivery_id=entry.delivery_id,
                channel_id=entry.channel_id,
                due_at=entry.due_at,
                due_at_local=to_local(entry.due_at, zone).isoformat(),
                local_date=to_local(entry.due_at, zone).date(),
                local_time=f"{to_local(entry.due_at, zone):%H:%M}",
                title=entry.title,
                post_state=entry.post_state,
                delivery_state=entry.delivery_state,
                department=entry.department_code,
                topic=entry.topic,
                pillar=entry.pillar,
            )
            for entry in found
        ],
    )
