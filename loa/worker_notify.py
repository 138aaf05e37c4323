"""The worker's notification jobs built from the configuration (scheduler.notify, notify_mail).

The configuration is read afresh on every run, so a reload (a new SMTP server, another review
wait, the public address) applies from the next run on; the SMTP password is read from its
environment variable each time, so a rotated secret needs no restart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from content.timeutil import utcnow
from loa.app import App
from scheduler.notify import Notifier, NotifySettings, tell_reminder
from scheduler.notify_mail import Mailer, SmtpSettings, smtp_from_env
from scheduler.reminder_text import Words
from scheduler.worker import Worker


def smtp_settings(app: App) -> SmtpSettings | None:
    smtp = app.config.notifications.smtp
    if smtp is None:
        return None
    return smtp_from_env(
        smtp.host, smtp.sender, smtp.password, port=smtp.port, security=smtp.security,
        username=smtp.username, sender_name=smtp.sender_name,
    )  # fmt: skip


def build_notifier(app: App, clock: Callable[[], datetime] = utcnow) -> Notifier:
    def settings() -> NotifySettings:
        hours = app.config.notifications.review_wait_hours
        return NotifySettings(review_wait=timedelta(hours=hours))

    return Notifier(app.db, settings, clock)


def build_mailer(app: App, worker_id: str, clock: Callable[[], datetime] = utcnow) -> Mailer:
    return Mailer(
        app.db, worker_id, lambda: smtp_settings(app), lambda: str(app.config.public_url), clock
    )


def reminder_teller(app: App) -> Callable[[str, str | None, Words, datetime], int]:
    """Reminders (scheduler.reminders) told to the people they concern."""

    def tell(key: str, department: str | None, words: Words, now: datetime) -> int:
        return tell_reminder(app.db, key, department, words.subject, words.body, now)

    return tell


def add_notification_jobs(app: App, worker: Worker) -> None:
    every = app.config.notifications.interval_seconds
    notifier = build_notifier(app, worker.clock)
    mailer = build_mailer(app, worker.worker_id, worker.clock)
    worker.add_job("notifications", notifier.run_once, {"seconds": every})
    worker.add_job("notification_mail", mailer.run_once, {"seconds": every})
