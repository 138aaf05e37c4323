"""`GET /api/v1/me`: who the API token (or the session) belongs to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from content.users import UserInfo
from web.auth import current_user, via_token

router = APIRouter(prefix="/api/v1", tags=["account"])


class Me(BaseModel):
    username: str
    full_name: str
    role: str
    department: str | None
    authenticated_by: str  # "token" or "session"


@router.get("/me", response_model=Me)
def me(request: Request, user: Annotated[UserInfo, Depends(current_user)]) -> Me:
    return Me(
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        department=user.department_code,
        authenticated_by="token" if via_token(request) else "session",
    )
