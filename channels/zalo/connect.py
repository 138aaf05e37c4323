"""Connecting a Zalo OA: OAuth v4 consent with PKCE, then the first token pair (CHANNELS.md).

A mixin of `ZaloOA`, which owns the setup, the credential store and the API client: the consent
address carries a code challenge, `complete` exchanges the code with its verifier, saves the pair
and remembers the OA's id from `getoa`. `connect_token` starts from a refresh token obtained
elsewhere (Zalo's developer tools, another installation): exchanged once, since it works only
once, and the new pair stored exactly as after a consent.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from urllib.parse import urlencode

from channels.base import Account, Authorization, AuthRequired, ChannelSetup, CredentialStore
from channels.errors import Step
from channels.zalo.api import ZaloAPI

log = logging.getLogger(__name__)


class ZaloConnecting:
    setup: ChannelSetup
    credentials: CredentialStore
    api: ZaloAPI

    def authorize(self, redirect_uri: str) -> Authorization:
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        state = secrets.token_urlsafe(16)
        query = urlencode(
            {
                "app_id": self.api.app_id(),
                "redirect_uri": redirect_uri,
                "code_challenge": challenge.rstrip(b"=").decode(),
                "state": state,
            }
        )
        url = f"{self.setup.base('oauth_base')}/v4/oa/permission?{query}"
        return Authorization(url, state, verifier, redirect_uri)

    def complete(self, authorization: Authorization, code: str) -> Account:
        form = {
            "app_id": self.api.app_id(),
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": authorization.code_verifier,
        }
        self.credentials.save(self.api.exchange(form, Step("Zalo authorisation", "cấp quyền Zalo")))
        return self._connected()

    def connect_token(self, token: str) -> Account:
        refresh = token.strip()
        if not refresh:
            raise AuthRequired("chưa có mã làm mới Zalo", "no Zalo refresh token was given")
        form = {
            "app_id": self.api.app_id(),
            "grant_type": "refresh_token",
            "refresh_token": refresh,
        }
        # Under the lock a refreshing worker takes: the pair is committed before anyone uses it.
        with self.credentials.exclusive():
            try:
                pair = self.api.exchange(
                    form, Step("redeeming the refresh token", "dùng mã làm mới")
                )
            except AuthRequired as error:
                raise AuthRequired(
                    "Zalo không chấp nhận mã làm mới này (đã dùng, hết hạn hoặc sai)",
                    "Zalo does not accept this refresh token (used, expired or wrong)",
                    error.detail,
                ) from None
            self.credentials.save(pair)
        return self._connected()

    def _connected(self) -> Account:
        """The OA behind the stored pair, its id kept beside the pair."""
        account = self.verify()
        with self.credentials.exclusive() as stored:
            if stored:
                self.credentials.save({**stored, "oa_id": account.id})
        log.info("zalo %s: connected to OA %s", self.setup.id, account.id)
        return account

    def verify(self) -> Account:
        data = self.api.call("GET", "/v2.0/oa/getoa", Step("Zalo OA profile", "đọc hồ sơ Zalo OA"))
        oa_id = str(data.get("oa_id") or data.get("oaid") or "")
        return Account(oa_id, str(data.get("name", "")), f"https://zalo.me/{oa_id}")
