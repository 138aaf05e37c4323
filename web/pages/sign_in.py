"""Logging in and out.

The login form has no session yet, so its CSRF token is a double-submit cookie scoped to
/login: a page on another site cannot read it, so cannot sign a browser into its own account.
A new session id is made at every login (the old one, if any, is ended): no session fixation.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from content.users import LoginRefused, LoginThrottled
from web.access_errors import CsrfFailed
from web.auth import SESSION_COOKIE, clear_session_cookie, load_session, set_session_cookie
from web.i18n import t
from web.render import lang_of, render
from web.security import client_address, is_https
from web.services import services_of

router = APIRouter()

LOGIN_CSRF_COOKIE = "loa_login_csrf"
HOME = "/calendar"


def safe_next(target: str | None) -> str:
    """Only a path on this site: never `//evil.example` or `https://...` (an open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return HOME
    if any(char in target for char in "\r\n\\"):
        return HOME
    return target


@router.get("/")
async def home() -> Response:
    return RedirectResponse(HOME, status_code=302)


@router.get("/login")
async def login_page(request: Request, next: str = "") -> Response:
    if await load_session(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    notice = t("login.expired", lang_of(request)) if next else ""
    return _login_form(request, next=next, notice=notice)


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    services = services_of(request)
    old = await load_session(request)
    if old is None:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not expected or not hmac.compare_digest(expected.encode(), csrf_token.encode()):
            raise CsrfFailed()
    lang = lang_of(request)
    client = client_address(request, services)
    try:
        user = await run_in_threadpool(services.users.authenticate, username, password, client)
    except LoginThrottled as error:
        return _login_form(
            request, next=next, username=username, error=error.text(lang), status=429
        )
    except LoginRefused as error:
        return _login_form(
            request, next=next, username=username, error=error.text(lang), status=401
        )
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        await run_in_threadpool(services.users.end_session, previous)
    secret, _ = await run_in_threadpool(services.users.create_session, user, lang)
    response = RedirectResponse(safe_next(next), status_code=303)
    max_age = int(services.users.session_max_age.total_seconds())
    set_session_cookie(response, request, secret, max_age)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    # csrf_protect (app-wide) has checked the token of the session being ended.
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        await run_in_threadpool(services_of(request).users.end_session, secret)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, request)
    return response


def _login_form(
    request: Request,
    *,
    next: str,
    username: str = "",
    error: str = "",
    notice: str = "",
    status: int = 200,
) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request,
        "sign_in/login.html",
        {
            "login_csrf": token,
            "next": safe_next(next) if next else "",
            "username": username,
            "error": error,
            "notice": notice,
        },
        status_code=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=is_https(request, services_of(request)),
    )
    return response
