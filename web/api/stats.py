"""Reach and engagement in the REST API: totals of what was published in a period.

`GET /api/v1/stats?from=&to=&by=` adds up the latest figures of the deliveries published in
[from, to), grouped by channel, platform, topic, pillar, department or month (of the configured
zone). Every group says how many deliveries have figures and how many have none, and when the
figures were read: a total is never presented as complete when it is not. Officers see their
own department's, as everywhere.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import Query
from pydantic import AwareDatetime, BaseModel, Field

from content.stats import Group, stats
from web.api.common import Caller, Services, api_router, require_period, visible_departments
from web.api.models import errors

router = api_router("stats")

MAX_PERIOD = timedelta(days=3 * 366)
Grouping = Literal["channel", "platform", "topic", "pillar", "department", "month"]


class StatsGroupOut(BaseModel):
    key: str = Field(description="The channel id, platform type, topic letter, pillar, "
                     "department code or month (YYYY-MM); `*` for the whole period.")  # fmt: skip
    posts: int = Field(description="Distinct posts published.")
    deliveries: int = Field(description="Posts on channels (a post on three channels: 3).")
    with_figures: int = Field(description="Deliveries with at least one figure reported.")
    without_figures: int = Field(description="Deliveries with no figure (not read, or none).")
    totals: dict[str, int] = Field(
        description="Metric -> sum of the figures reported (views, reach, reactions, comments, "
        "shares, video_views). A metric no delivery reported is absent, never 0."
    )
    first_collected_at: datetime | None
    last_collected_at: datetime | None


class StatsOut(BaseModel):
    start: datetime
    end: datetime
    by: Grouping
    groups: list[StatsGroupOut]
    total: StatsGroupOut


def group_out(group: Group) -> StatsGroupOut:
    return StatsGroupOut(
        key=group.key,
        posts=group.posts,
        deliveries=group.deliveries,
        with_figures=group.with_figures,
        without_figures=group.without_figures,
        totals=dict(group.totals),
        first_collected_at=group.first_collected,
        last_collected_at=group.last_collected,
    )


@router.get("/stats", response_model=StatsOut, responses=errors())
def read_stats(
    actor: Caller,
    services: Services,
    start: Annotated[AwareDatetime, Query(alias="from", description="From (included).")],
    end: Annotated[AwareDatetime, Query(alias="to", description="To (excluded).")],
    by: Grouping = "channel",
    department: Annotated[str | None, Query(max_length=32)] = None,
) -> StatsOut:
    """Totals of the deliveries published in [from, to) (at most three years), grouped `by`."""
    start, end = require_period(start, end, MAX_PERIOD, "3 năm", "3 years")
    departments = visible_departments(actor, [department] if department else [])
    with services.db.read() as session:
        result = stats(session, start, end, by, services.zone, departments=departments or None)
    return StatsOut(
        start=result.start,
        end=result.end,
        by=by,
        groups=[group_out(group) for group in result.groups],
        total=group_out(result.total),
    )
