"""A stand-in for the calendar (issue 5): replaced by the calendar pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from content.timeutil import utcnow
from content.workflow import Actor
from web.auth import current_actor
from web.render import render

router = APIRouter()


@router.get("/calendar")
def calendar_page(request: Request, actor: Annotated[Actor, Depends(current_actor)]) -> Response:
    return render(request, "calendar_placeholder.html", {"now": utcnow()})
