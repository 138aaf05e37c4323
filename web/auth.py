"""Who is asking: the session cookie for pages, a bearer token for the API; and CSRF.

Dependencies to build on:

    actor: Annotated[Actor, Depends(current_actor)]      # signed in (cookie) or bearer token
    actor: Annotated[Actor, Depends(require_role("editor", "admin"))]
    actor: Annotated[Actor, Depends(require_editor)]     # or require_admin
    user: Annotated[UserInfo, Depends(current_user)]     # the account, with its full name

`csrf_protect` runs before every route (a dependency of the whole app): any POST, PUT, PATCH or
DELETE made with a session cookie must carry the session's token in the form field
`csrf_token` or the `X-CSRF-Token` header. A request with an `Authorization` header is judged
by that header only (never by a cookie), so it needs no CSRF token: a page on another site
cannot make a browser send one.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from content.models import Role
from content.users import SessionInfo, UserInfo
from content.workflow import Actor
from web.access_errors import CsrfFailed, Forbidden, NotAuthenticated
from web.security import is_https
from web.services import services_of

SESSION_COOKIE = "loa_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


async def load_session(request: Request) -> SessionInfo | None:
    """The session behind the cookie, looked up once per request."""
    if hasattr(request.state, "session_info"):
        found: SessionInfo | None = request.state.session_info
        return found
    secret = request.cookies.get(SESSION_COOKIE, "")
    users = services_of(request).users
    info = await run_in_threadpool(users.session, secret) if secret else None
    request.state.session_info = info
    return info


def session_of(request: Request) -> SessionInfo | None:
    """The session already loaded for this request (by a dependency), without a lookup."""
    found: SessionInfo | None = getattr(request.state, "session_info", None)
    return found


def via_token(request: Request) -> bool:
    return bool(getattr(request.state, "via_token", False))


async def current_user(request: Request) -> UserInfo:
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise NotAuthenticated(bearer=True)
        tokens = services_of(request).users.tokens
        user = await run_in_threadpool(tokens.verify, secret.strip())
        if user is None:
            raise NotAuthenticated(bearer=True)
        request.state.via_token = True
        request.state.user = user
        return user
    info = await load_session(request)
    if info is None:
        raise NotAuthenticated()
    request.state.user = info.user
    return info.user


async def current_actor(user: Annotated[UserInfo, Depends(current_user)]) -> Actor:
    return user.actor


def require_role(*roles: str) -> Callable[..., Awaitable[Actor]]:
    """A dependency: the actor, if their role is one of `roles`; a clear 403 otherwise."""
    allowed = frozenset(roles)

    async def dependency(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if actor.role not in allowed:
            raise Forbidden()
        return actor

    return dependency


require_editor = require_role(Role.editor, Role.admin)
require_admin = require_role(Role.admin)


async def csrf_protect(request: Request) -> None:
    if request.method in SAFE_METHODS or "authorization" in request.headers:
        return
    info = await load_session(request)
    if info is None:
        return  # no session, no ambient authority to abuse: the route's own check refuses
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), info.csrf_token.encode()):
        raise CsrfFailed()


def set_session_cookie(response: Response, request: Request, secret: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request, services_of(request)),
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request, services_of(request)),
    )
