"""Signed HTTP to a webhook receiver, per the Standard Webhooks specification.

Every request carries three headers, made by the `standardwebhooks` library (the specification's
own implementation), so a receiver verifies them with any Standard Webhooks library:

    webhook-id          what the receiver deduplicates by (see channels.webhook.payload)
    webhook-timestamp   seconds since 1970 (UTC); receivers refuse more than 5 minutes off
    webhook-signature   v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<signed content>">

The signed content of a POST is its body, byte for byte. A GET (the lookup and verify
endpoints) has no body: its signed content is its whole query string exactly as sent
(`marker=loa-...`; empty for verify), so a lookup cannot be replayed for another post.

The secret is `whsec_` and base64 (at least 24 random bytes), from the channel's secret
`signing_secret` (an environment variable named in config.yaml) or, once `loa channels connect`
stored one, from the credential store, which then comes first. It never appears in a message.
"""

from __future__ import annotations

import base64
import binascii
import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from standardwebhooks import Webhook as Signer

from channels.base import AuthRequired, ChannelSetup, CredentialStore, Rejected
from channels.http import TimeoutSession, transport_error

log = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
MIN_SECRET_BYTES = 24  # the specification's lower bound for a signing key
SECRET_NAME = "signing_secret"
BAD_ADDRESS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)
SECRET_HINT_VI = (
    "Hãy đặt biến môi trường ghi ở `secrets: {{signing_secret: ...}}` của kênh trong config.yaml"
    " (khoá dạng whsec_... mà máy nhận dùng), hoặc chạy `loa channels connect {channel}`."
)
SECRET_HINT = (
    "Set the environment variable named under the channel's `secrets: {{signing_secret: ...}}`"
    " in config.yaml (the whsec_... secret the receiver uses), or run"
    " `loa channels connect {channel}`."
)


def decode_secret(secret: str) -> bytes | None:
    """The key of a `whsec_...` secret, or None when it is not base64 of at least 24 bytes."""
    text = "".join(secret.split()).removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return key if len(key) >= MIN_SECRET_BYTES else None


ADDRESS_KEYS = ("url", "lookup_url", "verify_url")


def address_problem(value: Any) -> tuple[str, str] | None:
    """Why a setting cannot be one of the receiver's addresses (absolute http(s), or a path
    below api_base), in Vietnamese and English; None when it can."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return ("phải là một địa chỉ (chuỗi ký tự)", "must be an address (a string)")
    parts = urlsplit(value.strip())
    if parts.scheme in ("http", "https") and parts.netloc:
        return None
    if parts.scheme or parts.netloc or any(c.isspace() for c in value.strip()):
        return (
            f"{value!r} không phải địa chỉ http(s) tuyệt đối hay đường dẫn dưới api_base",
            f"{value!r} is neither an absolute http(s) address nor a path below api_base",
        )
    return None


class WebhookClient:
    """Addresses from the channel's settings, the signing key, and one signed exchange."""

    def __init__(self, setup: ChannelSetup, credentials: CredentialStore) -> None:
        self.setup = setup
        self.credentials = credentials
        self.session = TimeoutSession(setup.timeout)

    def address(self, key: str) -> str | None:
        """settings.<key> as an absolute address: one starting with a path is below api_base
        (so pointing a channel at the sandbox changes its base only); `url` defaults to it."""
        value = str(self.setup.settings.get(key) or "").strip()
        if value.startswith(("http://", "https://")):
            return value
        if not value and key != "url":
            return None
        base = self.setup.base()
        return f"{base}/{value.lstrip('/')}" if value else base

    def key(self, secret: str | None = None) -> bytes:
        """The signing key: `secret` when given (connecting), else the stored, else the
        configured one."""
        channel = self.setup.id
        if secret is None:
            stored = self.credentials.load() or {}
            secret = stored.get(SECRET_NAME) or self.setup.secrets.get(SECRET_NAME)
        if not secret:
            raise AuthRequired(
                "chưa có khoá ký webhook. " + SECRET_HINT_VI.format(channel=channel),
                f"channel {channel}: no webhook signing secret. "
                + SECRET_HINT.format(channel=channel),
            )
        key = decode_secret(str(secret))
        if key is None:
            raise AuthRequired(
                "khoá ký webhook không hợp lệ: cần dạng whsec_ rồi base64 của ít nhất"
                f" {MIN_SECRET_BYTES} byte ngẫu nhiên. " + SECRET_HINT_VI.format(channel=channel),
                f"channel {channel}: the webhook signing secret is not valid: it must be whsec_"
                f" and the base64 of at least {MIN_SECRET_BYTES} random bytes. "
                + SECRET_HINT.format(channel=channel),
            )
        return key

    def send(
        self,
        method: str,
        url: str,
        *,
        msg_id: str,
        what: str,
        body: bytes = b"",
        query: dict[str, str] | None = None,
        secret: str | None = None,
    ) -> requests.Response:
        """One signed request; a transport failure raised as its error-tree member (a POST
        whose answer never came is an unknown outcome). Redirects are not followed: requests
        would turn a redirected POST into a GET and lose the post."""
        target = f"{url}{'&' if '?' in url else '?'}{urlencode(query)}" if query else url
        signed = urlsplit(target).query.encode() if method == "GET" else body
        now = datetime.now(UTC)
        headers = {
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Signer(self.key(secret)).sign(msg_id, now, signed),
        }
        if method != "GET":
            headers["Content-Type"] = "application/json"
        try:
            response = self.session.request(
                method,
                target,
                data=body or None,
                headers=headers,
                allow_redirects=False,
                timeout=self.setup.timeout,
            )
        except BAD_ADDRESS as error:
            raise Rejected(
                f"địa chỉ máy nhận {host_of(url)!r} không hợp lệ (settings của kênh)",
                f"the receiver's address {host_of(url)!r} is not valid (the channel's settings)",
                step=what,
            ) from error
        except requests.RequestException as error:
            raise transport_error(error, method, what) from error
        log.debug(
            "channel %s: %s %s id=%s -> HTTP %s",
            self.setup.id, method, host_of(url), msg_id, response.status_code,
        )  # fmt: skip
        return response


def host_of(url: str) -> str:
    """The host of an address, for messages: never its path or query (which may hold a token)."""
    return urlsplit(url).netloc or url.split("/", 1)[0][:80]
