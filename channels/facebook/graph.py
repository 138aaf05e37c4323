"""Calling the Graph API: facebook-sdk on the graph host, plain `requests` for video uploads.

facebook-sdk 3.1.0 (2018, unmaintained) has no notion of a base URL: it builds every address
from the module global `facebook.FACEBOOK_GRAPH_URL`, read when a request is made. Loa points
each channel at its own `api_base` (the real Graph, the sandbox, a proxy), possibly several in
one process, so the global is set under a module-wide lock for each call and restored after.
The lock is released as soon as the SDK hands its request to the session (the address is built
by then), so a page that answers slowly does not hold up the other pages.

Every answer's `X-Business-Use-Case-Usage` header is noted per adapter: once a page has used 95%
of a limit, further calls are refused with RateLimited for Facebook's estimated wait, before
Facebook itself starts refusing (and counting the refusals against the page).
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import requests

from channels.base import ChannelError, RateLimited, Retryable
from channels.facebook.errors import GraphFault, classify, regain_seconds, usage_peak
from channels.http import json_or_none, mask, transport_error, unreadable_answer

with warnings.catch_warnings():
    # facebook-sdk has an invalid escape in a regex literal, reported when its module is
    # compiled (DeprecationWarning, SyntaxWarning from 3.12): silence that message only.
    warnings.filterwarnings("ignore", "invalid escape sequence", DeprecationWarning)
    warnings.filterwarnings("ignore", "invalid escape sequence", SyntaxWarning)
    import facebook

log = logging.getLogger(__name__)

HOT_PERCENT = 95.0
HOT_DEFAULT_WAIT = 60.0  # seconds, when a page is near its limit and Facebook gives no estimate
_GRAPH_URL_LOCK = threading.Lock()


def safe_method(publishes: bool) -> str:
    """How `channels.http` should judge a failed request: only a request that makes a post
    visible can leave an unknown outcome; an unpublished photo or an upload chunk is safe to
    send again, so its failures are plain Retryable, as for a read."""
    return "POST" if publishes else "GET"


class UsageNote:
    """When this adapter's page may call Facebook again, from the usage headers it saw."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until = 0.0  # time.monotonic()

    def note(self, headers: Mapping[str, str]) -> None:
        peak = usage_peak(headers)
        if peak < HOT_PERCENT:
            return
        wait = regain_seconds(headers) or HOT_DEFAULT_WAIT
        with self._lock:
            self._until = max(self._until, time.monotonic() + wait)
        log.warning("Facebook page usage at %.0f%%: pausing calls for %.0f s", peak, wait)

    def refuse_if_hot(self, what: str) -> None:
        with self._lock:
            remaining = self._until - time.monotonic()
        if remaining > 0:
            minutes = f"{remaining / 60:.0f}"
            raise RateLimited(
                f"Trang đã dùng gần hết hạn mức gọi của Facebook; Loa chờ thêm {minutes} phút"
                " rồi mới gọi lại",
                f"the page has used almost all of Facebook's call allowance; Loa"
                f" waits {minutes} more minutes before calling again",
                step=what, retry_after=remaining,
            )  # fmt: skip


class _CallSession:
    """The session the SDK sees for one call: it releases the Graph-URL lock when the SDK
    sends, applies the timeout the SDK would leave out, and keeps the answer for errors."""

    def __init__(self, inner: requests.Session, timeout: float, release: Callable[[], None]):
        self._inner, self._timeout, self._release = inner, timeout, release
        self.response: requests.Response | None = None

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self._release()
        if kwargs.get("timeout") is None:  # the SDK passes timeout=None explicitly
            kwargs["timeout"] = self._timeout
        self.response = self._inner.request(method, url, **kwargs)
        return self.response


class Graph:
    """One page's connection to the Graph API, its secrets scrubbed from every error."""

    def __init__(
        self,
        *,
        api_base: str,
        version: str,
        session: requests.Session,
        timeout: float,
        usage: UsageNote,
        secrets: Callable[[], list[str]],
    ) -> None:
        self.api_base, self.version = api_base, version
        self.session, self.timeout, self.usage = session, timeout, usage
        self._secrets = secrets

    def sdk(
        self,
        token: str,
        what: str,
        action: Callable[[Any], Any],
        *,
        publishes: bool,
        on_fault: Callable[[GraphFault], ChannelError | None] | None = None,
    ) -> Any:
        """Run `action(graph_api)` with the SDK pointed at this channel's `api_base`;
        `on_fault` may classify a Graph error differently where the context says more."""
        self.usage.refuse_if_hot(what)
        _GRAPH_URL_LOCK.acquire()
        previous = facebook.FACEBOOK_GRAPH_URL
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                facebook.FACEBOOK_GRAPH_URL = previous
                _GRAPH_URL_LOCK.release()

        call = _CallSession(self.session, self.timeout, release)
        try:
            facebook.FACEBOOK_GRAPH_URL = self.api_base + "/"
            # No version here: the SDK's check accepts only 2.8-3.1 and rejects "v21.0".
            api = facebook.GraphAPI(access_token=token, timeout=self.timeout, session=call)
            api.version = self.version
            return action(api)
        except facebook.GraphAPIError as error:
            fault = GraphFault.parse(getattr(error, "result", None))
            special = on_fault(fault) if on_fault and fault else None
            mapped = special or self._sdk_error(error, call.response, what, publishes)
            raise self._scrubbed(mapped) from None
        except KeyError:
            # The SDK reads headers["content-type"] blindly: an answer without one.
            if call.response is None or "content-type" in call.response.headers:
                raise
            raise self._scrubbed(
                unreadable_answer(call.response, safe_method(publishes), what)
            ) from None
        except requests.JSONDecodeError:
            assert call.response is not None
            raise self._scrubbed(
                unreadable_answer(call.response, safe_method(publishes), what)
            ) from None
        except requests.RequestException as error:
            raise self._scrubbed(transport_error(error, safe_method(publishes), what)) from None
        finally:
            release()
            if call.response is not None:
                self.usage.note(call.response.headers)

    def raw(
        self, method: str, url: str, what: str, *, publishes: bool, **kwargs: Any
    ) -> Mapping[str, Any]:
        """A Graph call through `requests` alone (video uploads: the SDK has none)."""
        self.usage.refuse_if_hot(what)
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as error:
            raise self._scrubbed(transport_error(error, safe_method(publishes), what)) from None
        self.usage.note(response.headers)
        body = json_or_none(response)
        if body is None:
            raise self._scrubbed(unreadable_answer(response, safe_method(publishes), what))
        fault = GraphFault.parse(body)
        if fault is None and response.status_code >= 400:
            fault = GraphFault(None, None, "", f"HTTP {response.status_code}")
        if fault is not None:
            raise self._scrubbed(
                classify(fault, what=what, status=response.status_code, headers=response.headers)
            )
        return body

    def _sdk_error(
        self,
        error: Exception,
        response: requests.Response | None,
        what: str,
        publishes: bool,
    ) -> ChannelError:
        fault = GraphFault.parse(getattr(error, "result", None))
        if fault is None:
            # "Maintype was not text, image, or querystring": an HTML page from a proxy.
            if response is not None:
                return unreadable_answer(response, safe_method(publishes), what)
            return Retryable(
                "Facebook trả lời không đọc được", "Facebook's answer could not be read",
                mask(str(error)), step=what, retry_after=60,
            )  # fmt: skip
        if response is None:
            return classify(fault, what=what, status=400, headers={})
        return classify(fault, what=what, status=response.status_code, headers=response.headers)

    def _scrubbed(self, error: ChannelError) -> ChannelError:
        """The same error with every token and secret of this channel blanked out."""
        secrets = [secret for secret in self._secrets() if secret]

        def clean(text: str) -> str:
            text = mask(text)
            for secret in secrets:
                text = text.replace(secret, "***")
            return text

        error.scrub(clean)
        return error


def required(answer: Mapping[str, Any], key: str, what: str, error: type[ChannelError]) -> str:
    """A value Facebook always sends on success; without it the outcome is `error`."""
    value = answer.get(key) if isinstance(answer, Mapping) else None
    if value in (None, ""):
        raise error(
            f"Facebook trả lời thiếu trường {key!r}", f"Facebook answered without {key!r}",
            step=what,
        )  # fmt: skip
    return str(value)
