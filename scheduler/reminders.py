"""Reminders through the alerts: the monthly digest, the report deadline, observances.

A worker's periodic job (hourly by default, `worker.reminders_interval_seconds`). Each run
looks at the local date and time and works out which reminders are due now:

    digest      from 08:00 on the 1st of each month, for each department: the month just
                ended (posts, figures, progress against the targets, gaps in plain words)
    deadline    30, 14 and 7 days before 1 November (the yearly report's due date), one alert
                each, naming the date and the days left
    observance  an observance's planning window (content.observances.reminders_due) is open

Each reminder is open for a window, not only its first day: the rest of the month for a
digest, until the next deadline alert for a deadline, until the day itself for an observance.
A worker that was down on the day sends it on its first run within the window, once: the
ledger (content.reminders) records every reminder's key, and a reminder is sent only by the
worker whose claim of the key wins, however many workers run. Nothing goes out before 08:00
local time, so a worker coming back at night waits for the morning.

When the alert kinds leave out "reminder", or no alert destination is set, nothing is sent
and nothing is recorded: the reminders of the open windows go out once they are turned on.

Besides the alert, `tell` reaches the people a reminder concerns, in the page and by e-mail as
each chose (scheduler.notify): a department's digest its officers and editors, the deadline
every department's officers and editors, an observance everyone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from functools import partial

from content import reminders as ledger
from content.db import Database
from content.observances import Observance, reminders_due
from content.report_data import ReportData
from content.timeutil import as_utc, utcnow
from scheduler import reminder_text as text
from scheduler.publish import Alert

log = logging.getLogger(__name__)

KIND = "reminder"
SEND_FROM = time(8, 0)  # local: nobody should get a reminder in the middle of the night
DEADLINE = (11, 1)  # (month, day): the yearly report is sent before 1 November
DEADLINE_DAYS = (30, 14, 7)  # days before the deadline that each get one alert

# (department code, start, end, now) -> the department's report data of [start, end)
DigestReader = Callable[[str, datetime, datetime, datetime], ReportData]
# (ledger key, department code or None, words, now): tells the people concerned (the key's
# kind and the department say who: scheduler.notify.tell_reminder)
Teller = Callable[[str, str | None, text.Words, datetime], object]


@dataclass(frozen=True)
class ReminderSettings:
    """What the job reads from the configuration, afresh each run (a reload may change it)."""

    tz: tzinfo
    enabled: bool  # "reminder" in the alert kinds, and somewhere to send alerts
    departments: Sequence[tuple[str, str, str]] = ()  # (code, name_vi, name_en)
    observances: Sequence[Observance] = ()
    public_url: str = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Due:
    """A reminder due now: its ledger key, and how to write it (only if it is to be sent)."""

    key: str
    write: Callable[[], text.Words]
    people: bool = False  # told to people too (not only to the alert destinations)
    department: str | None = None  # whose people; None: everyone


@dataclass
class Reminders:
    db: Database
    worker_id: str
    alert: Callable[[Alert], None]
    settings: Callable[[], ReminderSettings]
    read_digest: DigestReader
    clock: Callable[[], datetime] = utcnow
    sent: list[str] = field(default_factory=list)  # the keys this instance sent, oldest first
    tell: Teller | None = None

    def run_once(self) -> list[str]:
        """Send the reminders due now that nobody has sent yet: their keys."""
        settings = self.settings()
        if not settings.enabled:
            return []
        now = as_utc(self.clock())
        local = now.astimezone(settings.tz)
        if local.time() < SEND_FROM:
            return []
        due = [
            *self._digests(settings, local),
            *self._deadline(settings, local),
            *self._observances(settings, local),
        ]
        with self.db.read() as session:
            done = ledger.recorded(session, (d.key for d in due))
        sent = []
        for item in due:
            if item.key in done:
                continue
            try:
                if self._send(item, now):
                    sent.append(item.key)
            except Exception:  # one reminder's failure must not stop the others
                log.exception("reminder %s could not be sent", item.key)
        self.sent.extend(sent)
        return sent

    def _send(self, item: Due, now: datetime) -> bool:
        # Written before claiming (a digest reads the database), so a claim is never left
        # without its message; written for nothing when another worker wins, which is rare.
        words = item.write()
        if not ledger.claim(self.db, item.key, KIND, words.subject, self.worker_id, now):
            log.debug("reminder %s already sent by another worker", item.key)
            return False
        try:
            self.alert(Alert(KIND, words.subject, words.body))
        except Exception:
            ledger.release(self.db, item.key, self.worker_id)
            raise
        if item.people and self.tell is not None:
            try:
                self.tell(item.key, item.department, words, now)
            except Exception:  # the alert went out: the claim stands, the people miss this one
                log.exception("reminder %s could not be told to people", item.key)
        log.info("reminder %s sent: %s", item.key, words.subject)
        return True

    def _digests(self, settings: ReminderSettings, local: datetime) -> list[Due]:
        tz = settings.tz
        end = datetime(local.year, local.month, 1, tzinfo=tz)
        start = text.month_start(end - timedelta(days=1), tz)
        return [
            Due(
                f"digest:{start:%Y-%m}:{code}",
                partial(self._digest, settings, code, (name_vi, name_en), start, end, local),
                people=True,
                department=code,
            )
            for code, name_vi, name_en in settings.departments
        ]

    def _digest(
        self,
        settings: ReminderSettings,
        code: str,
        names: tuple[str, str],
        start: datetime,
        end: datetime,
        local: datetime,
    ) -> text.Words:
        data = self.read_digest(code, as_utc(start), as_utc(end), as_utc(local))
        return text.digest(data, names, start.date(), settings.tz, settings.public_url)

    def _deadline(self, settings: ReminderSettings, local: datetime) -> list[Due]:
        alert = deadline_alert(local.date())
        if alert is None:
            return []
        due, days_before, days_left = alert
        write = partial(text.deadline, due.year, due, days_left, settings.public_url)
        return [Due(f"deadline:{due.year}:{days_before}", write, people=True)]

    def _observances(self, settings: ReminderSettings, local: datetime) -> list[Due]:
        found = []
        for reminder in reminders_due(settings.observances, local.date()):
            occurrence = reminder.occurrence
            key = f"observance:{occurrence.observance.name_en}:{occurrence.date.year}"
            write = partial(text.observance, reminder, settings.public_url)
            found.append(Due(key, write, people=True))
        return found


def deadline_alert(today: date) -> tuple[date, int, int] | None:
    """The report deadline alert whose window `today` is in: (the due date, the alert's days
    before it, the days left today); None outside the last 30 days before the deadline.

    The 30-day alert's window runs until the 14-day one's opens, and so on, so a missed alert
    is caught up while it still says something true, and never after a later one went out.
    """
    due = date(today.year, *DEADLINE)
    days_left = (due - today).days
    if days_left < 1:
        return None
    for days_before in sorted(DEADLINE_DAYS):
        if days_left <= days_before:
            return due, days_before, days_left
    return None
