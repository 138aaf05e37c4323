"""HTTP for the WordPress REST API: application passwords, error envelopes, plain permalinks.

Every answer of the REST API is JSON; a failure is `{"code", "message", "data": {"status"}}`.
The error tree is chosen from the status and the code, in one place (`error_for`).

Sites without pretty permalinks have no `/wp-json/` path: WordPress then answers 404
`rest_no_route` (or the web server an HTML 404 page) and serves the same routes through the front
controller as `index.php?rest_route=/wp/v2/...`. The client tries the pretty form first and, on
such a 404, the query form, and then keeps using whichever worked. A 404 means the route was never
reached, so sending a write again in the other form cannot publish twice.
"""

from __future__ import annotations

import base64
import html
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO

import nh3
import requests

from channels.base import (
    AuthRequired,
    ChannelError,
    ChannelSetup,
    CredentialStore,
    RateLimited,
    Rejected,
    Retryable,
)
from channels.http import mask, transport_error, unreadable_answer

log = logging.getLogger(__name__)

PLAIN_ENTRY = "/index.php"  # the front controller: `/?rest_route=` and this are the same
RETRY_SERVER_ERROR = 60.0
# WordPress answers a file type it refuses with a 500: retrying would never help.
PERMANENT_CODES = frozenset({"rest_upload_sideload_error", "rest_upload_file_too_big"})
AUTH_HINT_VI = (
    "Hãy tạo mật khẩu ứng dụng mới cho người dùng này trong WordPress (Người dùng > Hồ sơ >"
    " Mật khẩu ứng dụng) rồi chạy `loa channels connect {channel}`."
)
AUTH_HINT = (
    "Create a new application password for this user in WordPress (Users > Profile >"
    " Application Passwords) and run `loa channels connect {channel}`."
)
BAD_ADDRESS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)
RIGHTS_HINT_VI = "Hãy cấp vai trò Biên tập viên cho người dùng WordPress để có thể đăng bài."
RIGHTS_HINT = "Give the WordPress user the Editor role so it can publish."


@dataclass(frozen=True)
class Upload:
    """A file sent as the raw request body, read in blocks so progress can be reported."""

    path: Path
    on_read: Callable[[int], None] | None = None


class _Reader:
    """A file body for requests: the length is known (Content-Length), reads are counted."""

    def __init__(self, file: BinaryIO, size: int, on_read: Callable[[int], None] | None) -> None:
        self._file, self.len, self._on_read, self._done = file, size, on_read, 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._file.read(size)
        if chunk and self._on_read is not None:
            self._done += len(chunk)
            self._on_read(self._done)
        return chunk

    def __iter__(self) -> Any:
        return iter(lambda: self.read(64 * 1024), b"")

    def close(self) -> None:
        self._file.close()


class WordPressAPI:
    def __init__(
        self, setup: ChannelSetup, credentials: CredentialStore, session: requests.Session
    ) -> None:
        self.setup = setup
        self.credentials = credentials
        self.session = session
        self.plain_routes = False  # learnt from the first 404 rest_no_route

    def login(self) -> tuple[str, str]:
        """The user and application password: the stored pair first, else the configured secret."""
        stored = self.credentials.load() or {}
        username = stored.get("username") or self.setup.settings.get("username")
        password = stored.get("app_password") or self.setup.secrets.get("app_password")
        if not username:
            raise AuthRequired(
                "chưa cấu hình người dùng WordPress (settings: username)",
                f"channel {self.setup.id}: no WordPress user is configured (settings: username)",
            )
        if not password:
            raise AuthRequired(
                "chưa có mật khẩu ứng dụng WordPress (khoá bí mật app_password). "
                + AUTH_HINT_VI.format(channel=self.setup.id),
                f"channel {self.setup.id}: no application password is stored or configured"
                " (secret app_password). " + AUTH_HINT.format(channel=self.setup.id),
            )
        return str(username), str(password)

    def call(
        self,
        method: str,
        route: str,
        *,
        what: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        upload: Upload | None = None,
        headers: Mapping[str, str] | None = None,
        login: tuple[str, str] | None = None,
        tolerate: frozenset[str] = frozenset(),
    ) -> tuple[Any, requests.Response]:
        """One REST call -> (decoded JSON, response). Error codes in `tolerate` are returned."""
        auth = login or self.login()
        args = (method, route, params or {}, json, upload, headers or {}, auth, what)
        response = self._send(*args, plain=self.plain_routes)
        if not self.plain_routes and _no_route(response):
            log.info("channel %s: no /wp-json/ route; trying ?rest_route=", self.setup.id)
            plain = self._send(*args, plain=True)
            if not _no_route(plain):
                self.plain_routes = True
            response = plain
        body = _decode(response)
        if response.status_code < 400 and body is not None:
            return body, response
        if isinstance(body, dict) and body.get("code") in tolerate:
            return body, response
        raise error_for(response, body, method, what, self.setup.id)

    def _send(
        self,
        method: str,
        route: str,
        params: Mapping[str, Any],
        json: Any,
        upload: Upload | None,
        headers: Mapping[str, str],
        auth: tuple[str, str],
        what: str,
        *,
        plain: bool,
    ) -> requests.Response:
        base = self.setup.base()
        if plain:
            url, params = base + PLAIN_ENTRY, {"rest_route": route, **params}
        else:
            url = f"{base}/wp-json{route}"
        data = None
        if upload is not None:
            try:
                data = _Reader(upload.path.open("rb"), upload.path.stat().st_size, upload.on_read)
            except OSError as error:  # nothing was sent
                raise Rejected(
                    "không đọc được tệp", "the file cannot be read", str(error.strerror),
                    step=what,
                ) from error  # fmt: skip
        try:
            return self.session.request(
                method,
                url,
                params=params,
                json=json,
                data=data,
                headers={**headers, **_basic(auth)},
                timeout=self.setup.timeout,
            )
        except BAD_ADDRESS as error:
            raise Rejected(
                f"địa chỉ trang web đã cấu hình {base!r} không hợp lệ",
                f"the configured address {base!r} is not valid",
                step=what,
            ) from error
        except requests.RequestException as error:
            raise transport_error(error, method, what) from error
        finally:
            if data is not None:
                data.close()


def _basic(login: tuple[str, str]) -> dict[str, str]:
    """UTF-8, as WordPress reads it (requests' own basic auth encodes Latin-1)."""
    token = base64.b64encode(f"{login[0]}:{login[1]}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def _decode(response: requests.Response) -> Any:
    if "json" not in response.headers.get("Content-Type", ""):
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _no_route(response: requests.Response) -> bool:
    """/wp-json/ is not served: WordPress's own 404 rest_no_route, or a plain HTML 404 page."""
    if response.status_code != 404:
        return False
    body = _decode(response)
    return not isinstance(body, dict) or body.get("code") == "rest_no_route"


def error_for(
    response: requests.Response, body: Any, method: str, what: str, channel: str
) -> ChannelError:
    status = response.status_code
    if not isinstance(body, dict) or "code" not in body:
        if status == 429:
            return RateLimited(
                "trang web yêu cầu gửi chậm lại", "the site asks to slow down", "HTTP 429",
                step=what, retry_after=retry_after(response),
            )  # fmt: skip
        if status == 413:
            return Rejected(
                "máy chủ web từ chối tệp vì quá lớn",
                "the web server refused the file as too large",
                "HTTP 413", step=what,
            )  # fmt: skip
        return unreadable_answer(response, method, what)
    code = str(body["code"])
    data: dict[str, Any] = body["data"] if isinstance(body.get("data"), dict) else {}
    said = f"WordPress says: {plain(body.get('message'))} ({code}, HTTP {status})"
    if status == 429:
        return RateLimited(
            "trang web yêu cầu gửi chậm lại", "the site asks to slow down", said,
            step=what, retry_after=retry_after(response),
        )  # fmt: skip
    if status == 401:
        return AuthRequired(
            "WordPress từ chối đăng nhập. " + AUTH_HINT_VI.format(channel=channel),
            "WordPress refused the login. " + AUTH_HINT.format(channel=channel),
            said, step=what,
        )  # fmt: skip
    if status == 403:
        return AuthRequired(
            f"người dùng WordPress thiếu quyền. {RIGHTS_HINT_VI}",
            f"the WordPress user lacks a right. {RIGHTS_HINT}",
            said, step=what,
        )  # fmt: skip
    if code == "rest_invalid_param" and isinstance(data.get("params"), dict):
        fields = "; ".join(f"{name}: {plain(why)}" for name, why in data["params"].items())
        return Rejected(
            f"trang web từ chối các trường: {fields}", f"the site refused these fields: {fields}",
            said, step=what,
        )  # fmt: skip
    if code in PERMANENT_CODES:
        return Rejected("trang web từ chối tệp", "the site refused the file", said, step=what)
    if status >= 500:
        return Retryable(
            "trang web gặp lỗi", "the site had an error", said,
            step=what, retry_after=RETRY_SERVER_ERROR,
        )  # fmt: skip
    if code == "rest_no_route":
        return Rejected(
            "REST API của trang web đang tắt hoặc địa chỉ sai",
            "the site's REST API is switched off or the address is wrong",
            said, step=what,
        )  # fmt: skip
    return Rejected("trang web từ chối yêu cầu", "the site refused it", said, step=what)


def unexpected(what: str) -> ChannelError:
    """A JSON answer without the fields every WordPress answer has: not a WordPress site?"""
    return Retryable(
        "trang web trả lời thiếu các trường cần có (có phải trang WordPress không?)",
        "the site answered without the expected fields",
        step=what, retry_after=RETRY_SERVER_ERROR,
    )  # fmt: skip


def plain(message: Any) -> str:
    """A WordPress message as plain words: some carry HTML (`<strong>Error:</strong> ...`)."""
    text = html.unescape(nh3.clean(str(message or ""), tags=set()))
    return mask(re.sub(r"\s+", " ", text).strip())


def retry_after(response: requests.Response, default: float = 60.0) -> float:
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
