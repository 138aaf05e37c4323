"""The growth of one delivery's figures as a small SVG chart, drawn on the server.

One small panel per metric, each with its own scale: views in thousands beside a dozen shares
on one axis would flatten the shares into a line at zero. A reading without a figure is a gap
in the line, never a point at 0.

matplotlib is used through `Figure` and the SVG canvas directly, never `pyplot`: pyplot keeps
the current figure in global state, and pages are drawn on several threads at once.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo

from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from content.labels import figure, metric_label
from content.timeutil import to_local
from web.i18n import format_date

Series = Mapping[str, Sequence[tuple[datetime, int | None]]]

METRIC_ORDER = ("views", "reach", "reactions", "comments", "shares", "video_views")
LINE = "#0b5394"  # the pages' brand colour
WIDTH_IN = 4.2  # drawn near its shown size on a phone, so the words stay readable
PANEL_IN = 1.3


def charted(series: Series) -> list[str]:
    """The metrics worth a panel: those with at least one figure reported, in a stable order."""
    reported = {name for name, points in series.items() if any(v is not None for _, v in points)}
    return [m for m in METRIC_ORDER if m in reported] + sorted(reported - set(METRIC_ORDER))


def chart_svg(series: Series, lang: str, zone: tzinfo) -> bytes:
    """The chart of `series` (metric -> readings, oldest first) as an SVG document."""
    names = charted(series)
    fig = Figure(figsize=(WIDTH_IN, max(1, len(names)) * PANEL_IN), layout="constrained")
    FigureCanvasSVG(fig)
    axes = fig.subplots(max(1, len(names)), 1, squeeze=False)[:, 0]
    ticks = FuncFormatter(lambda value, _pos: figure(round(value), lang))
    for ax, name in zip(axes, names, strict=False):
        points = [(to_local(at, zone), value) for at, value in series[name]]
        times = [at for at, _ in points]
        # NaN breaks the line where a reading had no figure (None is not 0).
        values = [float("nan") if value is None else float(value) for _, value in points]
        (line,) = ax.plot(times, values, color=LINE, marker="o", markersize=3, linewidth=1.6)
        line.set_gid(f"series-{name}")  # lets a reader of the SVG (and the tests) find the line
        last = next((v for _, v in reversed(points) if v is not None), None)
        ax.set_title(f"{metric_label(name, lang)}: {figure(last, lang)}", loc="left", fontsize=10)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
        ax.yaxis.set_major_formatter(ticks)
        # matplotlib.dates' constructors carry no annotations (matplotlib 3.11).
        days = AutoDateLocator(tz=zone, minticks=2, maxticks=5)  # type: ignore[no-untyped-call]
        pattern = "%d/%m" if lang == "vi" else "%d %b"
        dates = DateFormatter(pattern, tz=zone)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(days)
        ax.xaxis.set_major_formatter(dates)
        ax.tick_params(labelsize=9)
        ax.grid(axis="y", color="#d5dbe1", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_ylim(bottom=0)
    if not names:
        axes[0].set_axis_off()
    out = io.BytesIO()
    # No date in the metadata: the same readings always give the same bytes.
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def alt_text(series: Series, lang: str, zone: tzinfo, channel: str) -> str:
    """What the chart shows, in words, for the <img>'s alt attribute."""
    names = charted(series)
    times = sorted({at for name in names for at, _ in series[name]})
    if not names or not times:
        return ""
    first, last = (
        format_date(to_local(at, zone).date(), lang, with_weekday=False)
        for at in (times[0], times[-1])
    )
    span = first if first == last else f"{first} – {last}"
    changes = []
    for name in names:
        reported = [value for _, value in series[name] if value is not None]
        start, end = figure(reported[0], lang), figure(reported[-1], lang)
        changes.append(f"{metric_label(name, lang)} {start} → {end}")
    if lang == "vi":
        head = f"Biểu đồ số liệu trên {channel} qua {len(times)} lần đọc ({span})"
    else:
        head = f"Chart of the figures on {channel} over {len(times)} readings ({span})"
    return f"{head}: {'; '.join(changes)}"
