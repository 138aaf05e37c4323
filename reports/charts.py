"""Bar charts of a report's breakdowns: PNG for the DOCX, SVG for the `/reports` page.

Drawn with matplotlib's object API (a Figure on its own Agg canvas), never pyplot: pyplot keeps
one global "current figure", which two reports drawn at once (two requests, a worker thread)
would share. The Vietnamese labels need a font that has their glyphs: the OFL font of the PyPI
package font-source-sans-pro, as the sample infographics use; DejaVu Sans, which matplotlib ships
and which also draws Vietnamese, stands in when the package is missing.

The same chart gives the same bytes: no dates in the files, fixed ids in the SVG.
"""

from __future__ import annotations

import io
import textwrap
import threading
import unicodedata
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from functools import cache
from importlib import resources
from importlib.util import find_spec
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from content.labels import figure, platform_name
from content.stats import NO_PILLAR, Stats
from content.targets import Names

FONT_PACKAGE = "font_source_sans_pro"
FALLBACK_FAMILY = "DejaVu Sans"
BAR_COLOUR = "#1f4e9c"  # ASEAN blue, as the sample infographics
TEXT_COLOUR = "#1a1a1a"
WIDTH_IN = 6.3  # the DOCX's text width (165 mm) at 100 %
DPI = 200
_lock = threading.Lock()


@dataclass(frozen=True)
class Chart:
    """What one bar chart shows: a title, and a value per label in reading order."""

    title: str
    labels: list[str]
    values: list[int]
    horizontal: bool = False  # long labels (topics, departments) read better beside the bars


@cache
def font_files() -> tuple[Path, Path] | None:
    """The packaged font's regular and bold files, registered with matplotlib (once)."""
    if find_spec(FONT_PACKAGE) is None:
        return None
    found = []
    for name in ("SourceSansPro-Regular.ttf", "SourceSansPro-Bold.ttf"):
        # The package is installed as plain files (no zip), so the path outlives the context.
        with resources.as_file(resources.files(FONT_PACKAGE) / "files" / name) as path:
            if not path.is_file():
                return None
            found.append(path)
    with _lock:
        for path in found:
            font_manager.fontManager.addfont(str(path))
        # Ids in the SVG are random unless salted: a fixed salt makes the same chart the same
        # file. Only the SVG writer reads it, so no other drawing changes.
        if matplotlib.rcParams["svg.hashsalt"] is None:
            matplotlib.rcParams["svg.hashsalt"] = "loa-reports"
    return found[0], found[1]


def _font(bold: bool = False, size: float = 9) -> FontProperties:
    files = font_files()
    if files is None:
        return FontProperties(
            family=FALLBACK_FAMILY, weight="bold" if bold else "normal", size=size
        )
    return FontProperties(fname=str(files[1] if bold else files[0]), size=size)


def _nfc(text: str) -> str:
    # Precomposed letters: a decomposed "ệ" is drawn as a base and floating marks.
    return unicodedata.normalize("NFC", text)


LABEL_WIDTH, LABEL_LINES = 30, 2


def _label(text: str) -> str:
    """A category name on at most two lines of 30 characters: a topic's full name (sixty
    characters and more) would otherwise leave no room for the bars."""
    return (
        textwrap.shorten(text, LABEL_WIDTH * LABEL_LINES, placeholder="…")
        if len(text) > LABEL_WIDTH * LABEL_LINES
        else text
    )


def _wrapped(text: str) -> str:
    return "\n".join(textwrap.wrap(_label(_nfc(text)), LABEL_WIDTH)) or text


def draw(chart: Chart, *, titled: bool = True) -> Figure:
    """The chart as a matplotlib Figure on its own canvas (nothing global). `titled=False`
    where a caption outside the image already names it (the DOCX's "Biểu đồ 1. ...")."""
    count = max(len(chart.labels), 1)
    height = 0.9 + 0.32 * count if chart.horizontal else 3.0
    # Constrained layout makes room for long labels (tight_layout gives up on them).
    fig = Figure(figsize=(WIDTH_IN, min(max(height, 2.2), 9.0)), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    regular, bold = _font(size=10), _font(bold=True, size=12)
    if titled:
        ax.set_title(_nfc(chart.title), fontproperties=bold, color=TEXT_COLOUR, loc="left")
    labels = [_wrapped(label) for label in chart.labels]
    positions = list(range(len(labels)))
    if chart.horizontal:
        bars = ax.barh(positions, chart.values, color=BAR_COLOUR, height=0.6)
        ax.set_yticks(positions, labels, fontproperties=regular)
        ax.invert_yaxis()  # the first label on top, as a table reads
        ax.xaxis.set_visible(False)
    else:
        bars = ax.bar(positions, chart.values, color=BAR_COLOUR, width=0.6)
        ax.set_xticks(positions, labels, fontproperties=regular)
        ax.yaxis.set_visible(False)
        if len(labels) > 8:
            for tick in ax.get_xticklabels():
                tick.set_rotation(45)
                tick.set_horizontalalignment("right")
    ax.bar_label(bars, labels=[figure(v) for v in chart.values], padding=2, fontproperties=regular)
    ax.margins(x=0.12 if chart.horizontal else 0.03, y=0.05 if chart.horizontal else 0.15)
    for side in ("top", "right", "left" if not chart.horizontal else "bottom"):
        ax.spines[side].set_visible(False)
    if not chart.values:
        ax.text(0.5, 0.5, "Không có số liệu", ha="center", va="center", transform=ax.transAxes,
                fontproperties=regular, color=TEXT_COLOUR)  # fmt: skip
    return fig


def png(chart: Chart, *, titled: bool = True) -> bytes:
    out = io.BytesIO()
    draw(chart, titled=titled).savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def svg(chart: Chart, *, titled: bool = True) -> str:
    """The chart as an SVG document (no script, no external reference: the page's CSP holds)."""
    fig = draw(chart, titled=titled)
    FigureCanvasSVG(fig)
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


# --- the report's charts -----------------------------------------------------------------------


def month_label(key: str) -> str:
    """ "2026-03" -> "03/2026", as Vietnamese documents write a month."""
    year, _, month = key.partition("-")
    return f"{month}/{year}"


def group_label(by: str, key: str, names: Names) -> str:
    """What people call a group's key: a month, a channel, a topic "a. Cộng đồng ASEAN"..."""
    if by == "month":
        return month_label(key)
    if by == "platform":
        return platform_name(key)
    if by == "pillar" and key == NO_PILLAR:
        return "Chưa xếp trụ cột"
    if by == "topic":
        name = names.of("topic", key)[0]
        return f"{key}. {name}" if name != key else key
    return names.of(by, key)[0]


def period_months(stats: Stats, tz: tzinfo) -> list[str]:
    """Every month of the period as "YYYY-MM", so a month without posts shows as a zero."""
    first = stats.start.astimezone(tz)
    last = (stats.end - timedelta(microseconds=1)).astimezone(tz)
    keys, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


CHART_TITLES = {
    "month": "Số bài đăng theo tháng",
    "topic": "Số bài đăng theo chủ đề",
    "channel": "Số bài đăng theo kênh",
    "platform": "Số bài đăng theo nền tảng",
    "pillar": "Số bài đăng theo trụ cột",
    "department": "Số bài đăng theo đơn vị",
}


def breakdown_chart(stats: Stats, names: Names, tz: tzinfo) -> Chart:
    """Posts per group of a breakdown (distinct posts: one post on three channels is one)."""
    counts = {group.key: group.posts for group in stats.groups}
    keys = (
        sorted(set(period_months(stats, tz)) | set(counts)) if stats.by == "month" else list(counts)
    )
    labels = [group_label(stats.by, key, names) for key in keys]
    return Chart(CHART_TITLES[stats.by], labels, [counts.get(key, 0) for key in keys],
                 horizontal=stats.by != "month")  # fmt: skip
