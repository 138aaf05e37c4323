"""What the pages show of figures: a delivery's latest ones on the post page, and a channel's
totals (the last 30 days, the reporting year) on the channels page.

Every figure is written with `content.labels.figure`: the reader's number form, and "—" where
the platform gave none, so a missing figure never reads as a zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from sqlmodel import Session

from content import metrics
from content.labels import figure, metric_label
from content.models import Delivery, DeliveryState
from content.stats import Group, reporting_year_start, stats
from web.pages.figures_chart import METRIC_ORDER, alt_text, charted

RECENT = timedelta(days=30)


def ordered(names: Iterable[str]) -> list[str]:
    found = set(names)
    return [m for m in METRIC_ORDER if m in found] + sorted(found - set(METRIC_ORDER))


@dataclass(frozen=True)
class ReadingRow:
    at: datetime
    values: list[str]


def reading_table(
    series: Mapping[str, Sequence[tuple[datetime, int | None]]], lang: str
) -> tuple[list[str], list[ReadingRow]]:
    """The chart's data as a table (metric labels, one row per reading) for screen readers."""
    names = charted(series)
    by_time: dict[datetime, dict[str, int | None]] = {}
    for name in names:
        for at, value in series[name]:
            by_time.setdefault(at, {})[name] = value
    rows = [
        ReadingRow(at, [figure(by_time[at].get(name), lang) for name in names])
        for at in sorted(by_time)
    ]
    return [metric_label(name, lang) for name in names], rows


@dataclass(frozen=True)
class FigureLine:
    metric: str
    label: str
    text: str  # "1.234" or "—"


@dataclass(frozen=True)
class DeliveryFigures:
    """One delivery's figures as the post page shows them; `latest` None: not read yet."""

    delivery_id: int
    latest: metrics.Latest | None
    lines: list[FigureLine]
    notes: list[str]
    # The chart's words and data, empty when no figure was ever reported (nothing to draw).
    alt: str = ""
    headers: list[str] = field(default_factory=list)
    readings: list[ReadingRow] = field(default_factory=list)


def note_text(note: Mapping[str, str], lang: str) -> str:
    text = note.get("vi" if lang == "vi" else "en") or note.get("en") or note.get("vi") or ""
    metric = note.get("field", "*")
    if metric and metric != "*":
        return f"{metric_label(metric, lang)}: {text}"
    return text


def delivery_figures(
    session: Session,
    deliveries: Sequence[Delivery],
    lang: str,
    zone: tzinfo,
    channel_names: Mapping[str, str],
) -> dict[int, DeliveryFigures]:
    """The figures of the deliveries that went out (published, or read before a later change),
    with their chart's alt text and data table. A post has a handful of deliveries: one history
    query each is cheap."""
    found = metrics.latest(session, [d.id for d in deliveries if d.id is not None])
    shown: dict[int, DeliveryFigures] = {}
    for delivery in deliveries:
        if delivery.id is None:
            continue
        latest = found.get(delivery.id)
        if latest is None and delivery.state != DeliveryState.published:
            continue
        if latest is None:
            shown[delivery.id] = DeliveryFigures(delivery.id, None, [], [])
            continue
        lines = [
            FigureLine(name, metric_label(name, lang), figure(latest.figures[name], lang))
            for name in ordered(latest.figures)
        ]
        notes = [note_text(note, lang) for note in latest.notes]
        shown[delivery.id] = DeliveryFigures(delivery.id, latest, lines, notes)
        if any(value is not None for value in latest.figures.values()):
            series = metrics.history(session, delivery.id)
            name = channel_names.get(delivery.channel_id, delivery.channel_id)
            headers, readings = reading_table(series, lang)
            shown[delivery.id] = DeliveryFigures(
                delivery.id, latest, lines, notes, alt_text(series, lang, zone, name),
                headers, readings,
            )  # fmt: skip
    return shown


@dataclass(frozen=True)
class Window:
    """One channel's totals over one period, ready to show."""

    deliveries: int
    with_figures: int
    lines: list[FigureLine]
    last_collected: datetime | None


@dataclass(frozen=True)
class ChannelFigures:
    recent: Window
    year: Window


def _window(group: Group | None, declared: Iterable[str], lang: str) -> Window:
    if group is None:
        group = Group("")
    names = ordered(set(declared) | set(group.totals))
    lines = [
        FigureLine(name, metric_label(name, lang), figure(group.totals.get(name), lang))
        for name in names
    ]
    return Window(group.deliveries, group.with_figures, lines, group.last_collected)


def channel_figures(
    session: Session,
    now: datetime,
    zone: tzinfo,
    declared: Mapping[str, Iterable[str]],
    lang: str,
) -> tuple[datetime, dict[str, ChannelFigures]]:
    """Each channel's totals for the last 30 days and for the reporting year so far.

    `declared`: channel id -> the metrics its platform reports, shown as "—" when nothing was
    reported. Returns the reporting year's start with the figures by channel id.
    """
    year_start = reporting_year_start(now, zone)
    recent = {g.key: g for g in stats(session, now - RECENT, now, "channel", zone).groups}
    year = {g.key: g for g in stats(session, year_start, now, "channel", zone).groups}
    return year_start, {
        channel_id: ChannelFigures(
            _window(recent.get(channel_id), names, lang),
            _window(year.get(channel_id), names, lang),
        )
        for channel_id, names in declared.items()
    }
