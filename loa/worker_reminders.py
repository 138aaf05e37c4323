"""The worker's reminders job built from the configuration (scheduler.reminders).

The configuration is read afresh on every run, so a reload (new departments, observances,
alert kinds, public address) applies from the next run on. Reminders are told to the people
they concern (in the page, and by e-mail as each chose), so they go out even where no alert
URL is set.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from content.report_data import ReportData
from content.timeutil import utcnow
from loa.app import App
from loa.report_inputs import current_year, read_report
from loa.worker_notify import reminder_teller
from scheduler.publish import Alert
from scheduler.reminders import Reminders, ReminderSettings


def reminder_settings(app: App, delivers: bool = True) -> ReminderSettings:
    """`delivers`: alerts reach someone (an alert URL is set), not only the log."""
    config = app.config
    return ReminderSettings(
        tz=config.zone,
        enabled=delivers and "reminder" in config.alerts.kinds,
        departments=tuple((d.code, d.name_vi, d.name_en) for d in config.departments),
        observances=config.observance_rules,
        public_url=str(config.public_url),
    )


def build_reminders(
    app: App,
    worker_id: str,
    alert: Callable[[Alert], None],
    *,
    delivers: Callable[[], bool] = lambda: True,
    clock: Callable[[], datetime] = utcnow,
    tell_people: bool = True,
) -> Reminders:
    def read_digest(department: str, start: datetime, end: datetime, now: datetime) -> ReportData:
        # The targets of the reporting year the month belongs to (October: this year's,
        # November: the next one's), as the report of that year judges it.
        year = current_year(start, app.config.zone)
        return read_report(app, start, end, department=department, year=year, now=now)

    return Reminders(
        app.db,
        worker_id,
        alert,
        lambda: reminder_settings(app, delivers() or tell_people),
        read_digest,
        clock,
        tell=reminder_teller(app) if tell_people else None,
    )
