"""`GET /api/v1/me`: who the API token (or the session) belongs to."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Request
from pydantic import BaseModel

from content.models import Role
from content.users import UserInfo
from web.api.common import api_router
from web.api.models import errors
from web.auth import current_user, via_token

router = api_router("account")


class Me(BaseModel):
    username: str
    full_name: str
    role: Role
    department: str | None
    authenticated_by: Literal["token", "session"]


@router.get("/me", response_model=Me, responses=errors())
def me(request: Request, user: Annotated[UserInfo, Depends(current_user)]) -> Me:
    return Me(
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        department=user.department_code,
        authenticated_by="token" if via_token(request) else "session",
    )
