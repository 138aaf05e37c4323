"""Google's side of the YouTube sandbox: the error envelope and the OAuth endpoints.

The consent page approves at once and sends the browser back with a single-use code; the token
endpoint checks PKCE on the code exchange and answers `invalid_grant` for revoked refresh
tokens, as accounts.google.com and oauth2.googleapis.com do. Access tokens last an hour.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from channels.sandbox.server import Request, Response, page

UPLOAD = "https://www.googleapis.com/auth/youtube.upload"
MANAGE = "https://www.googleapis.com/auth/youtube"
READ = "https://www.googleapis.com/auth/youtube.readonly"
STATUS_TEXT = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
ERRORS: dict[str, tuple[int, str, str]] = {  # code -> (status, domain, message)
    "quotaExceeded": (
        403,
        "youtube.quota",
        "The request cannot be completed because you have"
        ' exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
    ),
    "uploadLimitExceeded": (
        400,
        "youtube.video",
        "The user has exceeded the number of videos they may upload.",
    ),
    "rateLimitExceeded": (403, "usageLimits", "Rate Limit Exceeded"),
    "userRateLimitExceeded": (403, "usageLimits", "User Rate Limit Exceeded"),
    "429": (429, "usageLimits", "Too many requests."),
    "401": (
        401,
        "global",
        "Request had invalid authentication credentials. Expected OAuth 2"
        " access token, login cookie or other valid authentication credential.",
    ),
    "forbidden": (403, "youtube.video", "The request is not properly authorized."),
    "insufficientPermissions": (403, "global", "Request had insufficient authentication scopes."),
    "invalidTitle": (
        400,
        "youtube.video",
        "The request metadata specifies an invalid or empty video title.",
    ),
    "invalidDescription": (
        400,
        "youtube.video",
        "The request metadata specifies an invalid video description.",
    ),
    "invalidTags": (400, "youtube.video", "The request metadata specifies invalid video keywords."),
    "invalidCategoryId": (
        400,
        "youtube.video",
        "The snippet.categoryId property specifies an invalid category ID.",
    ),
    "invalidPublishAt": (
        400,
        "youtube.video",
        "The request metadata specifies an invalid scheduled publishing time.",
    ),
    "mediaBodyRequired": (400, "youtube.video", "The request does not include the video content."),
    "videoNotFound": (
        404,
        "youtube.video",
        "The video that you are trying to use cannot be found.",
    ),
    "playlistNotFound": (
        404,
        "youtube.playlistItem",
        "The playlist identified with the request's playlistId parameter cannot be found.",
    ),
    "500": (500, "global", "Backend Error"),
    "503": (503, "global", "The service is currently unavailable."),
}
OAUTH_ERRORS = {
    "invalid_grant": (400, "Token has been expired or revoked."),
    "invalid_client": (401, "The OAuth client was not found."),
}


def fail(status: int, reason: str, message: str, domain: str = "youtube.video") -> Response:
    """An answer in Google's error envelope."""
    envelope = {
        "code": status,
        "message": message,
        "errors": [{"message": message, "domain": domain, "reason": reason}],
        "status": STATUS_TEXT.get(status, "FAILED_PRECONDITION"),
    }
    www = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'}
    return Response.json({"error": envelope}, status, www if status == 401 else None)


def google_error(code: str) -> Response:
    status, domain, message = ERRORS[code]
    reason = {
        "401": "authError",
        "429": "rateLimitExceeded",
        "500": "backendError",
        "503": "backendError",
    }.get(code, code)
    return fail(status, reason, message, domain)


def oauth_error(code: str, description: str | None = None) -> Response:
    status, text = OAUTH_ERRORS.get(code, (400, code))
    return Response.json({"error": code, "error_description": description or text}, status)


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id(length: int = 11) -> str:
    return secrets.token_urlsafe(length)[:length]


def now() -> datetime:
    return datetime.now(UTC)


def parse_time(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class GoogleAccounts:
    """Consent codes, access tokens and refresh tokens, as Google's OAuth servers keep them."""

    def __init__(self) -> None:
        self.codes: dict[str, dict[str, Any]] = {}
        self.access: dict[str, dict[str, Any]] = {}  # token -> {expires, scopes}
        self.refresh: dict[str, dict[str, Any]] = {}  # token -> {scopes, revoked}

    def grant(self, request: Request) -> dict[str, Any] | Response:
        """What the request's bearer token allows, or Google's 401."""
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else request.query.get("access_token")
        grant = self.access.get(token or "")
        if grant is None or grant["expires"] < time.time():
            return google_error("401")
        return grant

    def expire(self) -> int:
        for grant in self.access.values():
            grant["expires"] = 0.0
        return len(self.access)

    def revoke(self) -> int:
        for grant in self.refresh.values():
            grant["revoked"] = True
        self.access.clear()
        return len(self.refresh)

    def consent(self, request: Request) -> Response:
        """The person "approves" at once: straight back to the app with a single-use code."""
        q = request.query
        if not q.get("client_id") or not q.get("redirect_uri") or q.get("response_type") != "code":
            body = "<p>Lỗi 400: invalid_request. Required parameter is missing.</p>"
            return Response.html(page("Google · Đăng nhập", body), 400)
        code = "4/sandbox-" + secrets.token_urlsafe(24)
        self.codes[code] = {
            "client_id": q["client_id"],
            "redirect_uri": q["redirect_uri"],
            "scopes": q.get("scope", "").split(),
            "challenge": q.get("code_challenge"),
            "method": q.get("code_challenge_method", "plain"),
            "expires": time.time() + 600,
        }
        glue = "&" if "?" in q["redirect_uri"] else "?"
        answer = {"state": q.get("state", ""), "code": code, "scope": q.get("scope", "")}
        return Response.empty(302, {"Location": q["redirect_uri"] + glue + urlencode(answer)})

    def token(self, request: Request) -> Response:
        form = request.form()
        client_id, secret = form.get("client_id"), form.get("client_secret")
        basic = request.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        if not client_id or not secret:
            return oauth_error("invalid_client")
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            grant = self.codes.pop(form.get("code", ""), None)
            if grant is None or grant["expires"] < time.time():
                return oauth_error("invalid_grant", "Malformed auth code.")
            if grant["redirect_uri"] != form.get("redirect_uri"):
                return oauth_error("redirect_uri_mismatch", "Bad Request")
            if grant["client_id"] != client_id:
                return oauth_error("invalid_grant", "Unauthorized")
            if grant["challenge"]:
                verifier = form.get("code_verifier", "")
                if not verifier:
                    return oauth_error("invalid_grant", "Missing code verifier.")
                digest = hashlib.sha256(verifier.encode()).digest()
                computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
                if (computed if grant["method"] == "S256" else verifier) != grant["challenge"]:
                    return oauth_error("invalid_grant", "Invalid code verifier.")
            return Response.json(self.issue(grant["scopes"], 3599, refresh=None))
        if grant_type == "refresh_token":
            refresh = form.get("refresh_token", "")
            held = self.refresh.get(refresh)
            if held is None or held["revoked"]:
                return oauth_error("invalid_grant")
            if set(form.get("scope", "").split()) - set(held["scopes"]):
                return oauth_error("invalid_scope", "Some requested scopes were invalid.")
            return Response.json(self.issue(held["scopes"], 3599, refresh=refresh))
        return oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant_type}")

    def issue(self, scopes: list[str], expires_in: int, refresh: str | None) -> dict[str, Any]:
        """A new access token; with a new refresh token too unless one was used to ask."""
        access = "ya29.sandbox-" + secrets.token_urlsafe(24)
        self.access[access] = {"expires": time.time() + expires_in, "scopes": set(scopes)}
        answer: dict[str, Any] = {
            "access_token": access,
            "expires_in": expires_in,
            "scope": " ".join(scopes),
            "token_type": "Bearer",
        }
        if refresh is None:
            refresh = "1//sandbox-" + secrets.token_urlsafe(32)
            self.refresh[refresh] = {"scopes": scopes, "revoked": False}
            answer["refresh_token"] = refresh
        return answer
