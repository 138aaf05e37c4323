"""The YouTube client as Loa builds it, and how its failures map onto the error tree.

google-api-python-client is built from its bundled discovery document with the root URL from
config (the real API, the sandbox or any compatible server), over an httplib2 transport with a
timeout and no retries of its own. google-auth refreshes the access token through `token_uri`
when it runs out or a 401 comes back (once), and every refreshed token is saved.

Failures, in one place:

- HttpError: the reason code in `errors[0].reason` decides (quotaExceeded, uploadLimitExceeded,
  rateLimitExceeded, forbidden ...); 5xx and pages that are not Google's JSON are transient
- RefreshError: invalid_grant (revoked, or the 7-day limit of a consent screen in "Testing") needs
  a person; a retryable one (the token endpoint's 5xx) does not
- below HTTP (timeouts, resets, refused connections): Retryable, unless the request may have
  created the video, then OutcomeUnknown

httplib2 sends a request a second time, by itself, when the connection closes before the answer
(it takes that for a stale keep-alive connection). For a chunk the server already stored that
re-sends bytes it has; for a POST it may do the thing twice. The transport built here lets only
GET and HEAD be sent again: any other request whose answer is lost raises `AnswerLost`, and the
caller decides (the upload asks the session where it stands).
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import socket
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import google_auth_httplib2
import httplib2
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from googleapiclient import discovery_cache
from googleapiclient.discovery import build_from_document
from googleapiclient.errors import HttpError

from channels.base import (
    AuthRequired,
    ChannelError,
    ChannelSetup,
    CredentialStore,
    OutcomeUnknown,
    QuotaExceeded,
    RateLimited,
    Rejected,
    Retryable,
)
from channels.errors import vietnam_time
from channels.http import mask

log = logging.getLogger(__name__)

UPLOAD_SCOPE = "https://www.googleapis.com/auth/youtube.upload"
SCOPES = [UPLOAD_SCOPE, "https://www.googleapis.com/auth/youtube"]
PACIFIC = ZoneInfo("America/Los_Angeles")
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "tooManyRequests"})
SCOPE_REASONS = frozenset({"forbidden", "insufficientPermissions"})
AUTH_REASONS = frozenset({"authError", "youtubeSignupRequired"})


class AnswerLost(ConnectionResetError):
    """The connection closed after a request went out and before its answer came."""


class _AnswerOnce:
    """A connection whose lost answer to anything but a read is an error, not a cue to resend."""

    _method: str | None

    def getresponse(self) -> Any:
        try:
            return super().getresponse()  # type: ignore[misc]
        except (http.client.BadStatusLine, http.client.ResponseNotReady) as error:
            if self._method in ("GET", "HEAD"):
                raise  # httplib2 may send a read again: it changes nothing
            raise AnswerLost(f"the connection closed before the answer came ({error!r})") from None


class _HTTPConnection(_AnswerOnce, httplib2.HTTPConnectionWithTimeout):  # type: ignore[misc]
    pass


class _HTTPSConnection(_AnswerOnce, httplib2.HTTPSConnectionWithTimeout):  # type: ignore[misc]
    pass


_CONNECTIONS = {"http": _HTTPConnection, "https": _HTTPSConnection}


class Transport(httplib2.Http):  # type: ignore[misc]
    """httplib2 with the connections above; everything else is httplib2's own."""

    def request(self, uri: str, *args: Any, **kwargs: Any) -> Any:
        if len(args) < 5 and not kwargs.get("connection_type"):  # not given by position
            kwargs["connection_type"] = _CONNECTIONS.get(urlsplit(uri).scheme.lower())
        return super().request(uri, *args, **kwargs)


class StoredCredentials(Credentials):
    """google-auth credentials that hand every refreshed token to `on_refresh` to be saved."""

    on_refresh: Callable[[StoredCredentials], None] | None = None

    def refresh(self, request: Any) -> None:
        super().refresh(request)  # type: ignore[no-untyped-call]
        log.info("YouTube access token refreshed")
        if self.on_refresh is not None:
            self.on_refresh(self)


def token_uri(setup: ChannelSetup) -> str:
    return setup.base("oauth_base" if "oauth_base" in setup.bases else "api_base") + "/token"


def load_credentials(setup: ChannelSetup, store: CredentialStore) -> StoredCredentials:
    saved = store.load()
    if not saved or not (saved.get("token") or saved.get("refresh_token")):
        raise AuthRequired(
            f"kênh chưa được kết nối với YouTube: hãy chạy `loa channels connect {setup.id}`",
            f"channel {setup.id}: YouTube is not connected; run `loa channels connect {setup.id}`",
        )
    client_id = setup.settings.get("client_id")
    if not client_id:
        raise Rejected(
            "chưa cấu hình `client_id`",
            f"channel {setup.id}: the setting `client_id` is not configured",
        )
    credentials = StoredCredentials(  # type: ignore[no-untyped-call]
        saved.get("token"),
        refresh_token=saved.get("refresh_token"),
        token_uri=token_uri(setup),
        client_id=str(client_id),
        client_secret=setup.secret("client_secret"),
        # A refresh asking for more than was granted is refused (invalid_scope).
        scopes=list(saved.get("scopes") or SCOPES),
        expiry=_naive_utc(saved.get("expiry")),
    )

    def save(fresh: StoredCredentials) -> None:
        # A failed save loses nothing for good: Google refresh tokens do not rotate, so the next
        # run refreshes again. The upload in progress must not fail over it.
        try:
            store.save({**(store.load() or {}), **token_fields(fresh)})
        except Exception:
            log.warning("channel %s: the refreshed YouTube token was not saved", setup.id)

    credentials.on_refresh = save
    return credentials


def token_fields(credentials: Credentials) -> dict[str, Any]:
    expiry = credentials.expiry
    return {
        "token": credentials.token,
        "refresh_token": credentials.refresh_token,
        "expiry": expiry.replace(tzinfo=UTC).isoformat() if expiry else None,
    }


def _naive_utc(value: Any) -> datetime | None:
    """google-auth compares expiry with a naive UTC clock."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


@cache
def _static_document() -> str | None:
    return discovery_cache.get_static_doc("youtube", "v3")  # type: ignore[no-any-return]


def build_service(setup: ChannelSetup, credentials: Credentials) -> Any:
    """The YouTube Data API resource, aimed at `api_base`, from the bundled discovery document."""
    root = setup.base() + "/"
    text = _static_document()
    if text is None:
        raise Rejected(
            "thiếu tài liệu mô tả API YouTube trong google-api-python-client (lỗi cài đặt)",
            "the YouTube discovery document is missing from google-api-python-client",
        )
    transport = Transport(timeout=setup.timeout)
    # 308 means "resume incomplete" in the upload protocol, not a redirect to follow.
    transport.redirect_codes = transport.redirect_codes - {308}
    # One refresh and one replay on a 401; a second 401 means the grant itself is gone.
    authorized = google_auth_httplib2.AuthorizedHttp(
        credentials, http=transport, max_refresh_attempts=1
    )
    try:
        document = json.loads(text)
        document["rootUrl"] = document["mtlsRootUrl"] = root
        return build_from_document(document, http=authorized)
    except (ValueError, KeyError, TypeError) as error:
        raise Rejected(
            f"không tạo được trình kết nối YouTube cho {root}",
            f"the YouTube client could not be built for {root}",
            str(error),
        ) from None


def next_pacific_midnight(now: datetime | None = None) -> datetime:
    """When the daily quota comes back: midnight in California, as aware UTC."""
    local = (now or datetime.now(UTC)).astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=PACIFIC)
    return midnight.astimezone(UTC)


def error_reason(error: HttpError) -> tuple[str, str]:
    """(reason code, the platform's message) from Google's error envelope."""
    reason, message = "", str(error.reason or "")
    details = error.error_details
    try:
        body = json.loads(error.content.decode("utf-8"))
        details = body["error"].get("errors") or details
        message = body["error"].get("message") or message
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    if isinstance(details, list) and details and isinstance(details[0], dict):
        reason = str(details[0].get("reason") or "")
    return reason, _plain(message)


def _plain(message: str) -> str:
    """Google's quota message carries an <a> tag; officers read it as text."""
    return mask(re.sub(r"<[^>]+>", "", message)).strip()


def _is_google_json(error: HttpError) -> bool:
    kind = error.resp.get("content-type", "")
    return "json" in kind


def classify(error: BaseException, what: str, *, may_have_landed: bool = False) -> ChannelError:
    """The error-tree member for anything the YouTube client raised while doing `what`."""
    if isinstance(error, ChannelError):
        return error
    if isinstance(error, HttpError):
        return _http_error(error, what, may_have_landed=may_have_landed)
    if isinstance(error, RefreshError):
        detail = mask(str(error.args[0]) if error.args else str(error))
        if error.retryable:
            return Retryable(
                "dịch vụ đăng nhập của Google gặp lỗi", "Google's sign-in service failed",
                detail, step=what, retry_after=60,
            )  # fmt: skip
        return AuthRequired(
            "Google không còn chấp nhận đăng nhập của Loa; hãy kết nối lại kênh"
            " (`loa channels connect`)",
            "Google no longer accepts Loa's sign-in; connect the channel"
            " again with `loa channels connect`",
            detail, step=what,
        )  # fmt: skip
    brief = _brief(error)
    if isinstance(error, TransportError):  # the token endpoint could not be reached
        return Retryable(
            "dịch vụ đăng nhập của Google không trả lời",
            "Google's sign-in service did not answer",
            brief, step=what, retry_after=30,
        )  # fmt: skip
    if isinstance(error, ConnectionRefusedError | httplib2.ServerNotFoundError | socket.gaierror):
        return Retryable(
            "không kết nối được", "could not connect", brief, step=what, retry_after=30
        )
    if isinstance(error, OSError | http.client.HTTPException | httplib2.HttpLib2Error):
        if may_have_landed:
            return OutcomeUnknown(
                "đã gửi nhưng không nhận được trả lời", "sent, but no answer came", brief,
                step=what,
            )  # fmt: skip
        return Retryable("không có trả lời", "no answer", brief, step=what, retry_after=30)
    if isinstance(error, ValueError):  # a 2xx whose body is not JSON
        vi, en = "không đọc được câu trả lời của YouTube", "YouTube's answer could not be read"
        if may_have_landed:
            return OutcomeUnknown(vi, en, brief, step=what)
        return Retryable(vi, en, brief, step=what, retry_after=60)
    return Retryable("lỗi không lường trước", "unexpected failure", brief, step=what,
                     retry_after=60)  # fmt: skip


def _brief(error: BaseException) -> str:
    return mask(f"{type(error).__name__}: {error}")


def describe(error: BaseException) -> str:
    """A failure in a few words, for messages that explain something else first."""
    if isinstance(error, HttpError):
        reason, message = error_reason(error)
        return f"HTTP {error.status_code} {reason or message or ''}".strip()
    return _brief(error)


def _http_error(error: HttpError, what: str, *, may_have_landed: bool) -> ChannelError:
    status = error.status_code
    reason, message = error_reason(error)
    said = f"YouTube said: {message or status}" + (f" [{reason}]" if reason else "")
    if reason in QUOTA_REASONS:
        until = next_pacific_midnight()
        back = vietnam_time(until)
        return QuotaExceeded(
            "đã dùng hết hạn mức YouTube trong ngày của kênh; hạn mức có lại lúc nửa đêm giờ"
            f" Thái Bình Dương ({back} giờ Việt Nam)",
            "the channel's daily YouTube quota is used up; it comes back at midnight"
            f" Pacific time ({back} Vietnam time)",
            said, step=what, until=until,
        )  # fmt: skip
    if reason == "uploadLimitExceeded":
        return QuotaExceeded(
            "đã đạt giới hạn số video tải lên mỗi ngày của YouTube; hãy thử lại sau 24 giờ",
            "YouTube's limit of uploads per day is reached; try again in 24 hours",
            said, step=what, until=datetime.now(UTC) + timedelta(hours=24),
        )  # fmt: skip
    if reason in RATE_REASONS or status == 429:
        return RateLimited(
            "YouTube yêu cầu gọi chậm lại", "YouTube asks to slow down", said,
            step=what, retry_after=_retry_after(error, 60),
        )  # fmt: skip
    if status >= 500 or not _is_google_json(error):
        vi = f"YouTube đang gặp sự cố (HTTP {status})"
        en = f"YouTube is having trouble (HTTP {status})"
        if may_have_landed and status >= 500:
            return OutcomeUnknown(vi, en, said, step=what)
        return Retryable(vi, en, said, step=what, retry_after=_retry_after(error, 60))
    if status == 401 or reason in AUTH_REASONS:
        return AuthRequired(
            "YouTube không còn chấp nhận đăng nhập của Loa; hãy kết nối lại kênh",
            "YouTube no longer accepts Loa's sign-in; connect the channel again",
            said, step=what,
        )  # fmt: skip
    if reason in SCOPE_REASONS:
        return AuthRequired(
            "tài khoản đã kết nối không được tải video lên kênh này; hãy để chủ sở hữu hoặc"
            " người quản lý kênh kết nối lại với quyền youtube.upload",
            "the connected account may not upload to this channel; reconnect with the"
            " youtube.upload scope and an owner or manager of the channel",
            said, step=what,
        )  # fmt: skip
    return Rejected("YouTube từ chối yêu cầu", "YouTube refused it", said, step=what)


def _retry_after(error: HttpError, default: float) -> float:
    try:
        return float(error.resp.get("retry-after", default))
    except (TypeError, ValueError):
        return default


def rfc3339(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
