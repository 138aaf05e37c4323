"""HTTP for adapters: one `requests` session with a timeout on every call and no hidden retries.

Retries belong to the worker, which knows about leases, backoff and reconciling; a client that
retries on its own can publish a post twice. Transport failures map onto the error tree here, in
one place:

- the connection could not be made (refused, DNS, connect timeout): nothing was sent -> Retryable
- the request was sent but no answer came (read timeout, reset): for a write the platform may
  have acted on it -> OutcomeUnknown; for a read nothing changed -> Retryable
- an answer that is not what the platform speaks (an HTML error page, no content type) on a
  write -> OutcomeUnknown when it is a 5xx page (a proxy may stand before a working server),
  Retryable otherwise
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.sessions import merge_setting
from requests.utils import get_environ_proxies

from channels.base import ChannelError, OutcomeUnknown, Retryable

if TYPE_CHECKING:
    from requests.sessions import _Settings

_merge = cast(Callable[[Any, Any], Any], merge_setting)  # untyped in requests

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SECRET_PARAMS = re.compile(
    r"(access_token|refresh_token|client_secret|secret_key|code_verifier|password|code"
    r"|fb_exchange_token|input_token|key)=([^&\s]+)",
    re.IGNORECASE,
)


class MaskSecrets(logging.Filter):
    """Masks tokens in log records of the HTTP libraries, which log whole request lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


for _name in ("urllib3.connectionpool", "httplib2", "googleapiclient.discovery"):
    logging.getLogger(_name).addFilter(MaskSecrets())


class TimeoutSession(requests.Session):
    """A session that applies a default timeout and never retries by itself."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, user_agent: str = "Loa/0.1") -> None:
        super().__init__()
        self.default_timeout = timeout
        adapter = HTTPAdapter(max_retries=0)
        self.mount("http://", adapter)
        self.mount("https://", adapter)
        self.headers["User-Agent"] = user_agent
        self._environment: dict[str, tuple[dict[str, str], str | None]] = {}

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if kwargs.get("timeout") is None:  # facebook-sdk passes timeout=None explicitly
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> _Settings:
        """The environment's proxies and CA bundle, as requests reads them, but once per host:
        requests reads them on every call by walking os.environ twice (a millisecond a post on
        a slow machine), and an adapter talks to one host all its life."""
        if not self.trust_env or (proxies or {}).get("no_proxy") is not None:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        known = self._environment.get(key)
        if known is None:
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            known = self._environment[key] = (get_environ_proxies(url), bundle)
        environ_proxies, bundle = known
        if proxies is not None:
            for scheme, proxy in environ_proxies.items():
                proxies.setdefault(scheme, proxy)
        if (verify is True or verify is None) and bundle:
            verify = bundle
        return {
            "proxies": _merge(proxies, self.proxies),
            "stream": _merge(stream, self.stream),
            "verify": _merge(verify, self.verify),
            "cert": _merge(cert, self.cert),
        }


def mask(text: str) -> str:
    """Hide token values in anything that may reach a log line or an error message."""
    return SECRET_PARAMS.sub(lambda m: f"{m.group(1)}=***", text)


def transport_error(error: Exception, method: str, what: str) -> ChannelError:
    """The error-tree member for a failure below HTTP (no usable answer)."""
    write = method.upper() not in SAFE_METHODS
    detail = mask(f"{type(error).__name__}: {error}")
    if isinstance(error, requests.ConnectTimeout | requests.exceptions.SSLError) or (
        isinstance(error, requests.ConnectionError) and not _was_sent(error)
    ):
        return Retryable(
            "không kết nối được", "could not connect", detail, step=what, retry_after=30
        )
    if write:
        return OutcomeUnknown(
            "đã gửi nhưng không nhận được trả lời", "sent, but no answer came", detail, step=what
        )
    return Retryable("không có trả lời", "no answer", detail, step=what, retry_after=30)


def _was_sent(error: requests.ConnectionError) -> bool:
    """A reset or a read timeout after sending; a refused connection never sent anything."""
    text = str(error).lower()
    refused = ("refused", "name or service not known", "nodename nor servname", "no route")
    return isinstance(error, requests.ReadTimeout) or not any(word in text for word in refused)


def unreadable_answer(response: requests.Response, method: str, what: str) -> ChannelError:
    """An answer the platform would never give: an HTML error page, an empty body."""
    kind = response.headers.get("Content-Type", "no content type")
    vi = "nền tảng trả lời một trang không đúng định dạng (có thể do máy chủ trung gian)"
    en = "the platform answered with a page it would never send (a proxy's, perhaps)"
    detail = f"HTTP {response.status_code} with {kind}"
    if response.status_code >= 500 and method.upper() not in SAFE_METHODS:
        return OutcomeUnknown(vi, en, detail, step=what)
    return Retryable(vi, en, detail, step=what, retry_after=60)


def json_or_none(response: requests.Response) -> Mapping[str, Any] | None:
    if "json" not in response.headers.get("Content-Type", ""):
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
