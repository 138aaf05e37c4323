"""Sending the queued notification e-mails through apprise, from the worker, once each.

The `notification` table is the outbox and its ledger. Each e-mail goes

    queued --claimed by one worker--> sending --> sent
       ^                                 | the server refused or was unreachable:
       +----- later (backoff) -----------+ queued again, or failed after MAX_ATTEMPTS
    sending, its worker gone for STALE_AFTER --> unknown (never sent again)

The claim is a conditional UPDATE (queued -> sending), so of several workers one sends each
e-mail. A worker that died while sending leaves the row `sending`: whether the server got the
message cannot be known, and a person reads every copy, so it is marked `unknown` rather than
sent a second time. Without an SMTP server configured nothing is sent and the queue waits.
The password comes from an environment variable and is never logged: only the host is.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

import apprise
from sqlalchemy import update
from sqlmodel import col, select

from content.db import Database
from content.models import Notification
from content.timeutil import as_utc, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=1)  # then 2, 4, 8, 16 minutes
STALE_AFTER = timedelta(minutes=10)  # far longer than an SMTP exchange's timeouts
BATCH = 50
FOOTER = (
    "— Loa, hệ thống đăng bài. Chọn thông báo muốn nhận tại {url}/account/notifications\n"
    "— Loa, the publishing scheduler. Choose what you receive at {url}/account/notifications"
)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    sender: str
    port: int = 587
    security: str = "starttls"  # "starttls" | "ssl" | "none"
    username: str = ""
    password: str = ""  # read from the environment; repr hides it
    sender_name: str = "Loa"

    def __repr__(self) -> str:
        return f"SmtpSettings(host={self.host!r}, port={self.port}, security={self.security!r})"

    def url(self, to: str) -> str:
        """The apprise URL for one recipient (it holds the password: never log it)."""
        scheme = "mailto" if self.security == "none" else "mailtos"
        auth = ""
        if self.username:
            auth = quote(self.username, safe="")
            auth += f":{quote(self.password, safe='')}@" if self.password else "@"
        query = {"from": self.sender, "name": self.sender_name, "to": to, "smtp": self.host}
        if self.security != "none":
            query["mode"] = self.security
        return f"{scheme}://{auth}{self.host}:{self.port}?{urlencode(query)}"


def smtp_from_env(
    host: str, sender: str, password_variable: str | None, **settings: object
) -> SmtpSettings:
    password = os.environ.get(password_variable, "") if password_variable else ""
    if password_variable and not password:
        log.warning("SMTP password variable %s is not set; sending without it", password_variable)
    return SmtpSettings(host, sender, password=password, **settings)  # type: ignore[arg-type]


@dataclass
class Mailer:
    db: Database
    worker_id: str
    smtp: Callable[[], SmtpSettings | None]
    public_url: Callable[[], str] = lambda: "http://127.0.0.1:8000"
    clock: Callable[[], datetime] = utcnow

    def run_once(self) -> int:
        """Send the e-mails due now; how many were sent."""
        smtp = self.smtp()
        if smtp is None:
            return 0
        now = as_utc(self.clock())
        self._give_up_stale(now)
        with self.db.read() as session:
            due = session.exec(
                select(col(Notification.id))
                .where(col(Notification.email_state) == "queued")
                .where(col(Notification.email_due_at) <= now)
                .order_by(col(Notification.email_due_at), col(Notification.id))
                .limit(BATCH)
            ).all()
        sent = 0
        for notification_id in due:
            row = self._claim(notification_id, now)
            if row is not None:
                sent += self._send(smtp, row)
        return sent

    def _claim(self, notification_id: int | None, now: datetime) -> Notification | None:
        with self.db.write() as session:
            claimed = session.execute(
                update(Notification)
                .where(col(Notification.id) == notification_id)
                .where(col(Notification.email_state) == "queued")
                .values(email_state="sending", email_owner=self.worker_id, email_due_at=now)
            )
            if not getattr(claimed, "rowcount", 0):
                return None  # another worker took it
            row = session.get(Notification, notification_id)
            if row is not None:
                session.expunge(row)
            return row

    def _send(self, smtp: SmtpSettings, row: Notification) -> int:
        ok, error = self._deliver(smtp, row)
        now = as_utc(self.clock())
        with self.db.write() as session:
            current = session.get(Notification, row.id)
            if current is None:
                return 0
            current.email_attempts += 1
            current.email_owner = None
            if ok:
                current.email_state, current.email_sent_at, current.email_error = "sent", now, None
                log.info("notification %s mailed (%s)", row.id, row.event)
            elif current.email_attempts >= MAX_ATTEMPTS:
                current.email_state, current.email_error = "failed", error
                log.error("notification %s not mailed after %d tries", row.id, MAX_ATTEMPTS)
            else:
                wait = FIRST_RETRY * 2 ** (current.email_attempts - 1)
                current.email_state, current.email_due_at = "queued", now + wait
                current.email_error = error
                log.warning("notification %s not mailed; again at %s", row.id, now + wait)
            session.add(current)
        return 1 if ok else 0

    def _deliver(self, smtp: SmtpSettings, row: Notification) -> tuple[bool, str | None]:
        asset = apprise.AppriseAsset(app_id="Loa", app_desc="Loa", secure_logging=True)
        target = apprise.Apprise(asset=asset)
        if not target.add(smtp.url(row.email_to or "")):
            return False, f"the SMTP settings or the address do not make a mail URL ({smtp.host})"
        try:
            # TEXT: the e-mail plugin defaults to HTML and would re-wrap the body.
            ok = bool(
                target.notify(
                    title=f"Loa: {row.title_vi} / {row.title_en}",
                    body=self.body(row),
                    body_format=apprise.NotifyFormat.TEXT,
                )
            )
        except Exception as error:  # plugin code; its message may echo the URL: not kept
            log.error("mail via %s raised %s", smtp.host, type(error).__name__)
            return False, f"{type(error).__name__} while sending through {smtp.host}"
        return ok, None if ok else f"the mail server {smtp.host} did not take the message"

    def body(self, row: Notification) -> str:
        base = self.public_url().rstrip("/")
        link = f"{base}{row.link}" if row.link else base
        english = f"\n\n{row.body_en.rstrip()}" if row.body_en != row.body_vi else ""
        return f"{row.body_vi.rstrip()}{english}\n\nXem / Open: {link}\n\n{FOOTER.format(url=base)}"

    def _give_up_stale(self, now: datetime) -> None:
        with self.db.write() as session:
            result = session.execute(
                update(Notification)
                .where(col(Notification.email_state) == "sending")
                .where(col(Notification.email_due_at) < now - STALE_AFTER)
                .values(
                    email_state="unknown",
                    email_owner=None,
                    email_error="the worker stopped while sending; not sent again",
                )
            )
        count = getattr(result, "rowcount", 0) or 0
        if count:
            log.warning(
                "%d notification e-mails left mid-send by a stopped worker: not resent", count
            )
