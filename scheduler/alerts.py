"""Alerts for deliveries that need a person (failed, missed, needs_auth, needs_review, reminders).

Alerts go out through apprise, so e-mail (`mailto://`, `mailtos://`) and any other service apprise
knows work from one URL each. Workers call the alerter from their own threads: it must never block
them (a slow SMTP server) nor fail them (a broken one), so sending happens on one daemon thread
behind a small queue, and every error is logged, never raised. Apprise URLs hold secrets (SMTP
passwords, tokens): they come from environment variables and only their scheme is ever logged.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable

import apprise

from scheduler.publish import Alert

log = logging.getLogger(__name__)

DEFAULT_KINDS = frozenset({"failed", "missed", "needs_auth", "needs_review", "reminder"})
FOOTER = "— Loa, hệ thống đăng bài / the publishing scheduler"

_Key = tuple[str, int | None, str | None, str]
_Item = tuple[_Key, float, Alert]


def _scheme(url: str) -> str:
    # The scheme is the only part of an apprise URL that never holds a secret; anything that does
    # not look like one (a URL without "://", say) may be a secret itself, so it is not echoed.
    head, sep, _ = url.partition("://")
    return head.lower() if sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,31}", head) else "?"


class Alerter:
    """Send alerts to apprise URLs in the background, once per (kind, post, channel) per window."""

    def __init__(
        self,
        urls: Iterable[str],
        kinds: Iterable[str] = DEFAULT_KINDS,
        *,
        dedup_seconds: float = 3600.0,
        queue_size: int = 100,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.kinds = frozenset(kinds)
        self.dedup_seconds = dedup_seconds
        self._clock = clock
        self._targets: list[tuple[str, apprise.Apprise]] = []
        # app_id names the sender (X-Application header, the From name when the URL has no from=);
        # secure_logging (apprise's default, made explicit) masks passwords in URLs apprise logs.
        asset = apprise.AppriseAsset(app_id="Loa", app_desc=FOOTER[2:], secure_logging=True)
        for number, url in enumerate(urls, start=1):
            # One Apprise per URL, so a failure is reported against its own URL's scheme.
            target = apprise.Apprise(asset=asset)
            # A mistyped URL is a configuration error, best seen when Loa starts rather than on
            # the day an alert is lost; the message names the URL's position, never its text.
            if not target.add(url):
                raise ValueError(f"alert URL #{number} ({_scheme(url)}://…) is not a valid URL")
            self._targets.append((_scheme(url), target))
        self._sent: dict[_Key, float] = {}
        self._lock = threading.Lock()
        self._closed = False
        # Bounded, so a dead mail server with a flood of alerts cannot grow memory without limit.
        self._queue: queue.Queue[_Item | None] = queue.Queue(maxsize=queue_size)
        self._thread = threading.Thread(target=self._run, name="loa-alerts", daemon=True)
        self._thread.start()

    def __call__(self, alert: Alert) -> None:
        try:
            if self._closed or alert.kind not in self.kinds:
                return
            key = _key(alert)
            stamp = self._claim(key)
            if stamp is None:
                log.debug("alert %s %r already sent recently; not sent again", alert.kind, key[1:3])
                return
            try:
                self._queue.put_nowait((key, stamp, alert))
            except queue.Full:
                self._forget(key, stamp)
                log.error("alert queue full; dropped %s alert %r", alert.kind, alert.subject)
        except Exception:  # an alert must never stop publishing
            log.exception("could not queue a %s alert", getattr(alert, "kind", "?"))

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued alert was sent (or failed); False when time ran out."""
        done = self._queue.all_tasks_done
        with done:
            return done.wait_for(lambda: self._queue.unfinished_tasks == 0, timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Send what is queued (within the timeout), then stop the sending thread."""
        if self._closed:
            return
        self._closed = True
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            log.warning("alert queue still full at close; unsent alerts are dropped")
            return
        self._thread.join(timeout)

    def _claim(self, key: _Key) -> float | None:
        # The same alert every dispatch tick (a channel stuck in needs_auth) would mail every
        # second; one per window is enough for a person to act on it.
        with self._lock:
            now = self._clock()
            expired = [k for k, at in self._sent.items() if now - at >= self.dedup_seconds]
            for k in expired:
                del self._sent[k]
            if key in self._sent:
                return None
            self._sent[key] = now
            return now

    def _forget(self, key: _Key, stamp: float) -> None:
        # Nobody received it, so the next identical alert must not be suppressed.
        with self._lock:
            if self._sent.get(key) == stamp:
                del self._sent[key]

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                key, stamp, alert = item
                if not self._send(alert):
                    self._forget(key, stamp)
            except Exception:  # the thread must survive anything, or every later alert is lost
                log.exception("alert thread error")
            finally:
                self._queue.task_done()

    def _send(self, alert: Alert) -> bool:
        body = f"{alert.body.rstrip()}\n\n{FOOTER}"
        delivered = False
        for scheme, target in self._targets:
            try:
                # TEXT: the e-mail plugin defaults to HTML and would escape and re-wrap the body.
                # bool(): apprise 2 returns an AppriseResult (truthy on success), 1.x a bool.
                ok = bool(
                    target.notify(
                        body=body, title=alert.subject, body_format=apprise.NotifyFormat.TEXT
                    )
                )
            except Exception as error:  # third-party plugin code; its message may echo the URL
                log.error("alert via %s:// raised %s", scheme, type(error).__name__)
                ok = False
            if ok:
                delivered = True
            else:
                log.error("could not send %s alert %r via %s://", alert.kind, alert.subject, scheme)
        return delivered


def _key(alert: Alert) -> _Key:
    # An alert tied to no post and no channel is told apart by its subject, so that unrelated
    # alerts of one kind (reminders, say) do not silence each other.
    anonymous = alert.post_id is None and alert.channel_id is None
    return (alert.kind, alert.post_id, alert.channel_id, alert.subject if anonymous else "")


_told_missing: set[str] = set()


def alerter_from_env(
    variable_names: list[str], kinds: set[str] | None = None, *, warn: bool = True
) -> Alerter | None:
    """Build an alerter from the apprise URLs in the named environment variables, if any is set.

    A variable that is not set is said once per process (a worker renews its alerter on every
    reload), and only when `warn`: a one-shot command says it when an alert is actually lost."""
    urls: list[str] = []
    for name in variable_names:
        value = os.environ.get(name, "").strip()
        if value:
            urls.append(value)
        elif warn and name not in _told_missing:
            _told_missing.add(name)
            log.warning(
                "chưa đặt biến môi trường %s (địa chỉ nhận cảnh báo): cảnh báo qua địa chỉ này"
                " sẽ không được gửi / alert URL variable %s is not set; skipping it",
                name, name,
            )  # fmt: skip
    if not urls:
        return None
    return Alerter(urls, DEFAULT_KINDS if kinds is None else kinds)
