"""Connecting a YouTube channel: Google's OAuth consent with PKCE, then the code exchange.

`access_type=offline` and `prompt=consent` make Google hand out a refresh token every time, so
reconnecting always leaves Loa with one. The code exchange uses `requests` (one POST, timeout, no
retries); later refreshes are google-auth's, through the same `token_uri`. `redeem` starts from a
refresh token obtained elsewhere (Google's OAuth playground, another installation): one refresh
proves it and says which permissions it carries.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import requests

from channels.base import (
    Authorization,
    AuthRequired,
    ChannelSetup,
    Rejected,
    Retryable,
)
from channels.errors import Step
from channels.http import json_or_none, mask
from channels.youtube.client import SCOPES, UPLOAD_SCOPE, token_uri

log = logging.getLogger(__name__)


def consent_url(setup: ChannelSetup) -> str:
    """Google's consent page lives on accounts.google.com, apart from the token endpoint."""
    for key in ("consent_base", "oauth_base", "api_base"):
        if key in setup.bases:
            return setup.base(key) + "/o/oauth2/auth"
    return setup.base() + "/o/oauth2/auth"


def client_id(setup: ChannelSetup) -> str:
    value = setup.settings.get("client_id")
    if not value:
        raise Rejected(
            "chưa cấu hình `client_id`",
            f"channel {setup.id}: the setting `client_id` is not configured",
        )
    return str(value)


def authorize(setup: ChannelSetup, redirect_uri: str) -> Authorization:
    state = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(64)  # 86 characters: within PKCE's 43-128
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = {
        "client_id": client_id(setup),
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": " ".join(SCOPES),
        "access_type": "offline",
        "prompt": "consent",
        "include_granted_scopes": "true",
        "state": state,
        "code_challenge": challenge.decode().rstrip("="),
        "code_challenge_method": "S256",
    }
    return Authorization(f"{consent_url(setup)}?{urlencode(query)}", state, verifier, redirect_uri)


def exchange(
    setup: ChannelSetup, session: requests.Session, authorization: Authorization, code: str
) -> dict[str, Any]:
    """Trade the consent code for tokens; the fields the credential store keeps."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": authorization.redirect_uri,
        "code_verifier": authorization.code_verifier,
    }
    return _tokens(
        setup, session, form, Step("connecting YouTube", "kết nối YouTube"), "the sign-in code"
    )


def redeem(setup: ChannelSetup, session: requests.Session, refresh_token: str) -> dict[str, Any]:
    """A refresh token from elsewhere, refreshed once; the fields the credential store keeps
    (Google answers no new refresh token: the one given goes on working)."""
    if not refresh_token:
        raise AuthRequired("chưa có mã làm mới Google", "no Google refresh token was given")
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return _tokens(
        setup, session, form, Step("connecting YouTube", "kết nối YouTube"), "this refresh token"
    )


def _tokens(
    setup: ChannelSetup, session: requests.Session, grant: dict[str, str], what: str, given: str
) -> dict[str, Any]:
    form = {
        **grant,
        "client_id": client_id(setup),
        "client_secret": setup.secret("client_secret"),
    }
    try:
        response = session.post(token_uri(setup), data=form, timeout=setup.timeout)
    except requests.RequestException as error:
        # A consent code is single-use and short-lived: the person simply starts again.
        detail = mask(f"{type(error).__name__}: {error}")
        raise Retryable(
            "Google không trả lời; hãy làm lại từ đầu", "Google did not answer; start again",
            detail, step=what, retry_after=30,
        ) from None  # fmt: skip
    body = dict(json_or_none(response) or {})
    if response.status_code != 200 or not body.get("access_token"):
        raise _refused(what, response.status_code, body, given)
    if grant["grant_type"] == "refresh_token":  # Google's answer to a refresh has none
        body.setdefault("refresh_token", grant["refresh_token"])
    granted = str(body.get("scope") or " ".join(SCOPES)).split()
    if UPLOAD_SCOPE not in granted and SCOPES[1] not in granted:
        raise AuthRequired(
            "quyền tải video lên chưa được cấp; hãy kết nối lại và đánh dấu mọi ô trên"
            " trang cấp quyền của Google",
            "the permission to upload videos was not granted;"
            " connect again and tick every box on Google's consent page",
            step=what,
        )
    if not body.get("refresh_token"):
        raise AuthRequired(
            "Google không cấp mã làm mới; hãy gỡ quyền truy cập của Loa tại"
            " https://myaccount.google.com/permissions rồi kết nối lại",
            "Google gave no refresh token; remove Loa's access at"
            " https://myaccount.google.com/permissions and connect again",
            step=what,
        )
    expires_in = float(body.get("expires_in") or 3600)
    return {
        "token": body["access_token"],
        "refresh_token": body["refresh_token"],
        "expiry": (datetime.now(UTC) + timedelta(seconds=expires_in)).isoformat(),
        "scopes": granted,
    }


def _refused(what: str, status: int, body: dict[str, Any] | Any, given: str) -> Exception:
    error = str(body.get("error") or f"HTTP {status}") if isinstance(body, dict) else str(status)
    said = mask(str(body.get("error_description") or error) if isinstance(body, dict) else error)
    if status >= 500 or not isinstance(body, dict) or not body:
        return Retryable(
            "dịch vụ đăng nhập của Google gặp lỗi; hãy thử lại",
            "Google's sign-in service failed; try again",
            f"HTTP {status}", step=what, retry_after=60,
        )  # fmt: skip
    if error in ("invalid_client", "unauthorized_client"):
        return Rejected(
            "Google không nhận ra ứng dụng OAuth; hãy kiểm tra `client_id` và khoá bí mật",
            "Google does not recognise the OAuth client; check `client_id` and the"
            " client secret",
            said, step=what,
        )  # fmt: skip
    return AuthRequired(
        "Google không chấp nhận mã (hết hạn, bị thu hồi hoặc sai); hãy lấy mã mới",
        f"Google refused {given} (expired, revoked or wrong): start again",
        said, step=what,
    )  # fmt: skip
