"""Charts of the report: drawn with the packaged font, the same bytes every time, on any thread."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

from matplotlib import font_manager
from PIL import Image

from content.db import Database
from reports.charts import Chart, breakdown_chart, font_files, png, svg
from tests.reports.year_data import HCM, NAMES, report_of

TOPICS = Chart("Số bài đăng theo chủ đề", ["a. Cộng đồng ASEAN", "h. Du lịch"], [3, 1234],
               horizontal=True)  # fmt: skip


def test_the_packaged_font_is_registered_for_vietnamese() -> None:
    files = font_files()
    assert files is not None and files[0].name == "SourceSansPro-Regular.ttf"
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    assert "Source Sans Pro" in names


def test_a_png_for_the_document_and_an_svg_for_the_page() -> None:
    image = Image.open(io.BytesIO(png(TOPICS)))
    assert image.format == "PNG" and image.width > 1000
    drawing = svg(TOPICS)
    assert drawing.startswith("<?xml") and "<svg" in drawing
    # Nothing the page's Content-Security-Policy would refuse: no script, nothing fetched.
    assert "<script" not in drawing and "http://www.w3.org" in drawing
    assert 'xlink:href="http' not in drawing and "<image" not in drawing


def test_the_same_chart_gives_the_same_bytes_on_any_thread() -> None:
    charts = [TOPICS, Chart("Số bài đăng theo tháng", ["11/2025", "12/2025"], [0, 7])] * 4
    alone = [png(chart) for chart in charts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(png, charts))
        drawings = list(pool.map(svg, charts))
    assert together == alone
    assert drawings == [svg(chart) for chart in charts]


def test_the_month_chart_shows_every_month_of_the_period(year: Database) -> None:
    data = report_of(year)
    chart = breakdown_chart(data.breakdowns["month"], NAMES, HCM)
    assert chart.labels[0] == "11/2025" and chart.labels[-1] == "10/2026"
    assert len(chart.labels) == 12
    by_month = dict(zip(chart.labels, chart.values, strict=True))
    assert by_month["08/2026"] == 2 and by_month["11/2025"] == 0
    assert sum(chart.values) == data.total.total.posts
    topics = breakdown_chart(data.breakdowns["topic"], NAMES, HCM)
    assert topics.labels == ["a. Cộng đồng ASEAN", "h. Du lịch"] and not chart.horizontal


def test_a_topics_full_name_is_wrapped_and_the_bars_keep_their_room() -> None:
    """The plan's topic names run past sixty characters: drawn as they are, the layout gave up
    (a warning, so an error in the tests and the demo's report failed)."""
    from reports.charts import Chart, draw

    name = "a. Các sự kiện thường niên, các ngày kỷ niệm của ASEAN và hoạt động của Việt Nam"
    fig = draw(Chart("Số bài theo chủ đề", [name] * 9, list(range(9)), horizontal=True))
    labels = [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    assert all(len(line) <= 30 for label in labels for line in label.split("\n"))
    assert all(label.count("\n") <= 1 and label.endswith("…") for label in labels)
