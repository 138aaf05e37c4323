"""What a report is read from: the configuration's names and targets, and the default period.

The reporting year `Y` runs from 1 November of `Y-1` (the day after last year's report was due)
to 1 November of `Y`, in the configured zone; a report asked for before the year ends covers it
up to now.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from content.labels import platform_name
from content.report_data import ReportData, build
from content.stats import reporting_year_start
from content.targets import Names
from content.timeutil import as_utc
from loa.app import App
from loa.config import LoaConfig


def report_names(config: LoaConfig) -> Names:
    return Names(
        departments={d.code: (d.name_vi, d.name_en) for d in config.departments},
        topics={t.code: (t.vi, t.en) for t in config.topics},
        pillars={p.code: (p.vi, p.en) for p in config.pillars},
        channels={
            c.id: (
                f"{c.name or c.id} ({platform_name(c.type, 'vi')})",
                f"{c.name or c.id} ({platform_name(c.type, 'en')})",
            )
            for c in config.channels
        },
    )


def reporting_year(year: int, tz: tzinfo, now: datetime) -> tuple[datetime, datetime]:
    """[1 November year-1, 1 November year), ending now if the year has not ended yet."""
    start = as_utc(datetime(year - 1, 11, 1, tzinfo=tz))
    end = as_utc(datetime(year, 11, 1, tzinfo=tz))
    return start, min(end, max(as_utc(now), start))


def current_year(now: datetime, tz: tzinfo) -> int:
    """The reporting year `now` falls in (after 1 November, next year's)."""
    return reporting_year_start(now, tz).astimezone(tz).year + 1


def read_report(
    app: App, start: datetime, end: datetime, *, department: str | None, year: int, now: datetime
) -> ReportData:
    """The report of [start, end) for one department, or the province (None)."""
    config = app.config
    with app.db.read() as session:
        return build(
            session,
            start,
            end,
            config.zone,
            now=now,
            departments=[department] if department else None,
            all_departments=[d.code for d in config.departments],
            topics=list(config.topic_codes),
            pillars=list(config.pillar_codes),
            targets=config.targets.for_year(year),
            names=report_names(config),
            observances=config.observance_rules,
        )
