"""Every refusal as a clear bilingual page, or as JSON under /api/.

JSON errors look like `{"error": {"code": "not_found", "message": "...", "field": null}}`; for
several problems at once `problems` lists each `{field, message}`. A server error shows a plain
page (or JSON) that says nothing about the code; the traceback goes to the log only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Match

from content.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TransitionRefused,
    UserError,
)
from content.users import LoginThrottled
from content.validation_words import Words, field_words
from web.access_errors import CsrfFailed, Forbidden, NotAuthenticated
from web.api.models import EXAMPLE_AT, SHA256_PATTERN, TIME_PATTERN
from web.auth import load_session
from web.i18n import t
from web.query_errors import InvalidQuery, is_date_error, unreadable_time
from web.render import lang_of, render
from web.security import SECURITY_HEADERS

log = logging.getLogger(__name__)

# What the API's patterns ask for, in words: a person is shown an example, not a regex.
PATTERN_WORDS: dict[str, Words] = {
    TIME_PATTERN: (
        f"không đọc được thời điểm: cần dạng ISO 8601, ví dụ {EXAMPLE_AT}",
        f"cannot read the time: write ISO 8601, e.g. {EXAMPLE_AT}",
    ),
    SHA256_PATTERN: (
        "cần mã sha256 của tệp: 64 chữ số hệ 16 viết thường",
        "should be the file's sha256: 64 lower-case hex digits",
    ),
}


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message_vi: str
    message_en: str
    field: str | None = None
    problems: tuple[tuple[str, str, str], ...] = ()  # (field, vi, en)

    def message(self, lang: str) -> str:
        return self.message_vi if lang == "vi" else self.message_en


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def refusal_of(error: Exception) -> Refusal:
    """How a refusal raised anywhere maps to a status and a code."""
    if isinstance(error, InvalidInput):
        query = isinstance(error, InvalidQuery)  # a query string that cannot be read: 400
        status, code = (400, "invalid_query") if query else (422, "invalid_input")
        problems = tuple((p.field, p.text("vi"), p.text("en")) for p in error.problems)
        field = error.problems[0].field if error.problems else None
        return Refusal(status, code, error.vi, error.en, field, problems)
    table: tuple[tuple[type[Exception], int, str], ...] = (
        (CsrfFailed, 403, "csrf"),
        (Forbidden, 403, "forbidden"),
        (PermissionDenied, 403, "forbidden"),
        (NotFound, 404, "not_found"),
        (LoginThrottled, 429, "throttled"),
        (TransitionRefused, 409, "transition_refused"),
        (Conflict, 409, "conflict"),
    )
    assert isinstance(error, UserError)
    for kind, status, code in table:
        if isinstance(error, kind):
            return Refusal(status, code, error.vi, error.en)
    return Refusal(400, "refused", error.vi, error.en)


def validation_refusal(error: RequestValidationError) -> Refusal:
    """What FastAPI could not read, each problem named by its Vietnamese label and JSON name,
    Vietnamese first then English (content.validation_words); 422, but 400 when a date or time
    in the query string is unreadable (web.query_errors)."""
    problems = []
    unreadable_query = False
    for item in error.errors():
        loc = tuple(item.get("loc", ()))
        where = [str(part) for part in loc if part not in ("body", "query")]
        field = ".".join(where) or "request"
        if loc[:1] == ("query",) and is_date_error(str(item.get("type", ""))):
            unreadable_query = True
            found = unreadable_time(field, item.get("input", ""))
            problems.append((field, found.text("vi"), found.text("en")))
            continue
        problems.append((field, *field_words(field, item, PATTERN_WORDS)))
    first = problems[0][0] if problems else None
    text_vi = "; ".join(p[1] for p in problems) or t("error.422", "vi")
    text_en = "; ".join(p[2] for p in problems) or t("error.422", "en")
    status, code = (400, "invalid_query") if unreadable_query else (422, "invalid_input")
    return Refusal(status, code, text_vi, text_en, first, tuple(problems))


def json_error(refusal: Refusal, lang: str, headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {
        "code": refusal.code,
        "message": refusal.message(lang),
        "field": refusal.field,
    }
    if refusal.problems:
        body["problems"] = [
            {"field": field, "message": vi if lang == "vi" else en}
            for field, vi, en in refusal.problems
        ]
    return JSONResponse({"error": body}, status_code=refusal.status, headers=headers)


async def refusal_response(request: Request, refusal: Refusal) -> Response:
    if is_api(request):
        return json_error(refusal, lang_of(request))
    try:
        await load_session(request)  # so the page shows the menu of whoever is signed in
    except Exception:  # the refusal matters more than the menu
        log.exception("could not load the session for an error page")
    return render(request, "error.html", {"refusal": refusal}, status_code=refusal.status)


def install_error_handlers(app: FastAPI) -> None:
    async def user_error(request: Request, error: Exception) -> Response:
        return await refusal_response(request, refusal_of(error))

    async def not_authenticated(request: Request, error: Exception) -> Response:
        assert isinstance(error, NotAuthenticated)
        if is_api(request) or error.bearer:
            refusal = Refusal(
                401,
                "unauthenticated",
                "Cần mã API hợp lệ: Authorization: Bearer <mã>.",
                "a valid API token is needed: Authorization: Bearer <token>",
            )
            challenge = {"WWW-Authenticate": "Bearer"}
            if is_api(request):
                return json_error(refusal, lang_of(request), challenge)
            context = {"refusal": refusal}
            return render(request, "error.html", context, status_code=401, headers=challenge)
        target = "/login"
        if request.method == "GET":
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            target += "?next=" + quote(path, safe="")
        return RedirectResponse(target, status_code=303)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        status = error.status_code
        key = {404: "error.not_found", 403: "error.forbidden"}.get(status, f"error.{status}")
        vi, en = t(key, "vi"), t(key, "en")
        code = {404: "not_found", 403: "forbidden", 405: "method_not_allowed"}.get(status, "http")
        response = await refusal_response(request, Refusal(status, code, vi, en))
        for name, value in (error.headers or {}).items():
            response.headers.setdefault(name, value)
        if status == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response

    async def validation_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        if not is_api(request) and any(
            item.get("loc", ("",))[0] == "path" for item in error.errors()
        ):
            # /posts/abc or /posts/99999999999999999999: no such page (the API names the field)
            return await http_error(request, StarletteHTTPException(404))
        return await refusal_response(request, validation_refusal(error))

    async def server_error(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        headers = dict(SECURITY_HEADERS)
        if is_api(request):
            refusal = Refusal(500, "server_error", t("error.server", "vi"), t("error.server", "en"))
            return json_error(refusal, "vi", headers)
        return HTMLResponse(SERVER_ERROR_PAGE, status_code=500, headers=headers)

    app.add_exception_handler(UserError, user_error)
    app.add_exception_handler(NotAuthenticated, not_authenticated)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, server_error)


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method the request's path answers to (RFC 9110 `Allow`).

    The router names only the first route that matched the path, but there is one route per
    method: GET /posts and POST /posts are two routes, and both belong in `Allow`. So each
    method is tried against the routes, on a scope of its own (matching may write to one).
    """
    path, root = request.scope["path"], request.scope.get("root_path", "")
    return [
        method
        for method in METHODS
        if any(
            route.matches({"type": "http", "path": path, "root_path": root, "method": method})[0]
            is Match.FULL
            for route in request.app.router.routes
        )
    ]


# Built without templates: whatever broke may be the template machinery itself.
SERVER_ERROR_PAGE = f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t("error.500", "vi")} / {t("error.500", "en")} - Loa</title>
<link rel="stylesheet" href="/static/loa.css"></head>
<body><main class="page narrow"><h1>{t("error.500", "vi")}</h1><p>{t("error.server", "vi")}</p>
<h2 lang="en">{t("error.500", "en")}</h2><p lang="en">{t("error.server", "en")}</p>
<p><a href="/calendar">{t("error.home", "vi")} / {t("error.home", "en")}</a></p></main></body>
</html>
"""
