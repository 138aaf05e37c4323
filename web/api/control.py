"""The publishing pause in the REST API: everyone may read it; editors and admins set it.

A pause (an emergency stop: a day of national mourning, a crisis) stops every worker from
claiming within a second; it needs a reason, shown in the calendar's banner. Both setting and
clearing are recorded in the audit trail (`content.control`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from content.control import read_pause, set_paused
from content.errors import FieldProblem, InvalidInput
from content.models import PublishingControl
from content.workflow import Actor
from web.api.common import Caller, Services, api_router, local
from web.api.models import PauseIn, PauseOut, errors
from web.auth import require_editor

router = api_router("control")


def pause_out(row: PublishingControl, services: Services) -> PauseOut:
    return PauseOut(
        paused=row.paused,
        reason=row.reason,
        changed_by=row.changed_by,
        changed_at=row.changed_at,
        changed_at_local=local(row.changed_at, services.zone) or "",
    )


@router.get("/control/pause", response_model=PauseOut, responses=errors())
def read_pause_state(actor: Caller, services: Services) -> PauseOut:
    """Whether publishing is paused, why, by whom and since when."""
    return pause_out(read_pause(services.db), services)


@router.put("/control/pause", response_model=PauseOut, responses=errors(403))
def set_pause_state(
    body: PauseIn, actor: Annotated[Actor, Depends(require_editor)], services: Services
) -> PauseOut:
    """Pause (`paused: true` with a `reason`) or resume (`paused: false`) all publishing."""
    reason = (body.reason or "").strip() or None
    if body.paused and reason is None:
        raise InvalidInput(
            [
                FieldProblem(
                    "reason",
                    "Hãy ghi lý do tạm dừng đăng bài (mọi người sẽ thấy).",
                    "say why publishing is paused (everyone will see it)",
                )
            ]
        )
    row = set_paused(
        services.db, body.paused, actor.username, reason if body.paused else None,
        services.posts.clock(),
    )  # fmt: skip
    return pause_out(row, services)
