"""Channels in the REST API: each account's state, cooldown, last success and last failure.

Never a secret: credentials stay in the database, settings are not shown.
"""

from __future__ import annotations

from content.channel_admin import overviews
from content.reasons import english
from web.api.common import Caller, Services, api_router, local
from web.api.models import ChannelOut, ReasonOut, errors

router = api_router("channels")


@router.get("/channels", response_model=list[ChannelOut], responses=errors())
def list_channels(actor: Caller, services: Services) -> list[ChannelOut]:
    """Every configured channel (officers need them to compose, so everyone may list them)."""
    now = services.posts.clock()
    zone = services.zone
    with services.db.read() as session:
        found = overviews(session)
    return [
        ChannelOut(
            id=item.id,
            type=item.type,
            name=item.name,
            department=item.department_code,
            state=item.state,
            cooldown_until=item.cooldown_until,
            cooldown_until_local=local(item.cooldown_until, zone),
            cooling_down=item.cooling_down(now),
            last_success_at=item.last_success.at if item.last_success else None,
            last_success_at_local=local(item.last_success.at, zone) if item.last_success else None,
            last_success_url=(item.last_success.detail or None) if item.last_success else None,
            last_failure_at=item.last_failure.at if item.last_failure else None,
            last_failure_at_local=local(item.last_failure.at, zone) if item.last_failure else None,
            last_failure=english(item.last_failure.detail) if item.last_failure else None,
            last_failure_reason=ReasonOut.of(
                item.last_failure.detail if item.last_failure else None
            ),
        )
        for item in found
    ]
