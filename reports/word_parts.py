"""The DOCX report's sections: I. results, II. assessment, III. direction, and the appendix.

Every figure comes from the ReportData as it is: the tables add nothing up themselves, so the
file, the spreadsheet and the `/reports` page cannot disagree.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from docx.document import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Mm, Pt

from content.labels import figure, metric_label
from content.report_data import ReportData, reach_of
from content.stats import Stats, metric_names
from content.targets import Names
from reports import charts, docx_stream
from reports import docx_kit as kit
from reports.wording import BREAKDOWN_TITLES, EVIDENCE_METRICS, Formalities, date_vi

NOTHING_PUBLISHED = "Trong kỳ báo cáo không có bài nào được đăng trên các kênh của đơn vị."
CHARTED = ("month", "topic")
ORDER = ("month", "channel", "platform", "topic", "pillar", "department")
STATES = {"failed": "Không thành công", "missed": "Bị lỡ"}
ALL_MET = "Tất cả các chỉ tiêu đều đã đạt."
NOT_DUE_NOTE = (
    "Kỳ báo cáo ngắn hơn đơn vị tính của các chỉ tiêu sau (tháng, quý): chỉ tiêu được ghi theo "
    "cả tháng, cả quý và sẽ được đánh giá khi hết kỳ."
)


@dataclass
class Context:
    data: ReportData
    tz: tzinfo
    names: Names
    year: int
    issuer: str
    department_name: str | None
    version: str
    formalities: Formalities = field(default_factory=Formalities)
    doc: Any = None
    links: Any = None
    numbers: dict[str, int] = field(default_factory=lambda: {"table": 0, "chart": 0})
    streamed: docx_stream.Streamed | None = None

    def attach(self, doc: Document) -> None:
        self.doc = doc
        self.links = kit.Links(doc.part)

    def line(
        self,
        paragraph: Any,
        text: str,
        *,
        size: float | None = None,
        bold: bool = False,
        italic: bool = False,
        align: Any = WD_ALIGN_PARAGRAPH.CENTER,
    ) -> Any:
        paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.first_line_indent = Mm(0)
        run = paragraph.add_run(kit.clean(text))
        run.bold, run.italic = bold or None, italic or None
        if size is not None:
            run.font.size = Pt(size)
        return paragraph

    def body(self, text: str, *, italic: bool = False, indent: bool = True) -> Any:
        """A body paragraph: justified, the first line indented 10 mm (Decree 30)."""
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            paragraph.paragraph_format.first_line_indent = Mm(10)
        run = paragraph.add_run(kit.clean(text))
        run.italic = italic or None
        return paragraph

    def bodies(self, texts: Iterable[str]) -> None:
        """Body paragraphs as `body` writes them, for lists that can run to thousands of lines."""
        head = (
            f'<w:p><w:pPr><w:ind w:firstLine="{Mm(10).twips}"/><w:jc w:val="both"/></w:pPr>'
            '<w:r><w:t xml:space="preserve">'
        )
        end = "</w:t></w:r></w:p>"
        kit.add_paragraphs(self.doc, (f"{head}{kit.xml_text(text)}{end}" for text in texts))

    def heading(self, text: str, level: int) -> None:
        self.doc.add_heading(kit.clean(text), level=level)

    def caption(self, kind: str, text: str) -> None:
        self.numbers[kind] += 1
        word = "Bảng" if kind == "table" else "Biểu đồ"
        paragraph = self.doc.add_paragraph()
        self.line(paragraph, f"{word} {self.numbers[kind]}. {text}", size=12, bold=True)
        paragraph.paragraph_format.space_before = Pt(6)
        paragraph.paragraph_format.space_after = Pt(3)
        paragraph.paragraph_format.keep_with_next = True

    def table(self, headers: Sequence[str], rows: Any, widths: Sequence[float], **kw: Any) -> None:
        kit.add_table(self.doc, headers, rows, widths, self.links, **kw)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)

    def streamed_table(
        self,
        headers: Sequence[str],
        rows: Callable[[kit.RowXml], Iterable[bytes]],
        widths: Sequence[float],
        numeric: Sequence[int],
    ) -> None:
        """A table of only its header row here; its `rows` are written into the file as it is
        saved (reports.docx_stream), never held as python-docx elements."""
        if self.streamed is not None:
            raise ValueError("one streamed table per document")
        self.table(headers, (), widths, numeric=numeric, marker=docx_stream.marker())
        self.streamed = docx_stream.Streamed(rows, widths, numeric)

    def to_fill(self, lines: int = 3) -> None:
        """Dotted lines to write on, each exactly one line long (a tab with a dotted leader to
        the right margin), whatever the font and the printer."""
        width = Mm(kit.text_width_mm(self.doc.sections[-1]))
        for _ in range(lines):
            paragraph = self.doc.add_paragraph()
            paragraph.paragraph_format.tab_stops.add_tab_stop(
                width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
            )
            paragraph.add_run("\t")

    def channel(self, code: str) -> str:
        return self.names.of("channel", code)[0]

    def department(self, code: str) -> str:
        return self.names.of("department", code)[0]


# --- I. results --------------------------------------------------------------------------------


def results(ctx: Context) -> None:
    data = ctx.data
    ctx.heading("I. KẾT QUẢ THỰC HIỆN", 1)
    ctx.heading("1. Tổng quan", 2)
    total = data.total.total
    if data.empty:
        ctx.body(NOTHING_PUBLISHED)
    else:
        channels = len(data.breakdowns["channel"].groups)
        ctx.body(
            f"Trong kỳ báo cáo đã đăng {figure(total.posts)} bài với "
            f"{figure(total.deliveries)} lượt đăng trên {figure(channels)} kênh; "
            f"{figure(total.with_figures)} lượt đăng có số liệu tương tác, "
            f"{figure(total.without_figures)} lượt đăng chưa có số liệu."
        )
        reported = metric_names([total])
        if reported:
            sums = "; ".join(f"{metric_label(m)}: {figure(total.totals[m])}" for m in reported)
            ctx.body(f"Tổng số liệu tương tác đã ghi nhận: {sums}.")
    number = 2
    for by in ORDER:
        title = BREAKDOWN_TITLES[by][0]
        ctx.heading(f"{number}. Kết quả {title[0].lower()}{title[1:]}", 2)
        number += 1
        stats = data.breakdowns[by]
        if data.empty:
            ctx.body(NOTHING_PUBLISHED)
            continue
        ctx.caption("table", f"Số bài đăng {title[0].lower()}{title[1:]}")
        breakdown_table(ctx, stats)
        if by in CHARTED:
            chart = charts.breakdown_chart(stats, ctx.names, ctx.tz)
            ctx.caption("chart", chart.title)
            picture = ctx.doc.add_paragraph()
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            image = charts.png(chart, titled=False)  # the caption above names it
            picture.add_run().add_picture(io.BytesIO(image), width=Mm(150))
    ctx.heading(f"{number}. Các ngày kỷ niệm, sự kiện ASEAN", 2)
    observances(ctx)
    ctx.heading(f"{number + 1}. Các bài đăng có lượt tiếp cận rộng nhất", 2)
    widest(ctx)


def breakdown_table(ctx: Context, stats: Stats) -> None:
    metrics = metric_names([*stats.groups, stats.total])
    headers = [
        BREAKDOWN_TITLES[stats.by][0].removeprefix("Theo ").capitalize(),
        "Số bài",
        "Lượt đăng",
        "Có số liệu",
        *(metric_label(m) for m in metrics),
    ]
    rows = [
        [
            charts.group_label(stats.by, group.key, ctx.names),
            figure(group.posts),
            figure(group.deliveries),
            figure(group.with_figures),
            *(figure(group.totals.get(m)) for m in metrics),
        ]
        for group in stats.groups
    ]
    total = stats.total
    closing = [
        "Tổng cộng",
        figure(total.posts),
        figure(total.deliveries),
        figure(total.with_figures),
        *(figure(total.totals.get(m)) for m in metrics),
    ]
    width = kit.text_width_mm(ctx.doc.sections[-1])
    rest = [17.0] * (len(headers) - 1)
    ctx.table(
        headers, rows, [width - sum(rest), *rest], total=closing, numeric=range(1, len(headers))
    )


def observances(ctx: Context) -> None:
    found = ctx.data.observances
    if not found:
        ctx.body("Trong kỳ báo cáo không có ngày kỷ niệm nào được cấu hình.")
        return
    for coverage in found:
        occurrence = coverage.occurrence
        count = coverage.posts
        ctx.body(
            f"{occurrence.label('vi')} ({occurrence.date:%d/%m/%Y}): "
            + (f"{figure(count)} bài được đăng trong dịp này." if count else "chưa có bài nào.")
        )
        ctx.bodies(
            f"- {date_vi(row.published_at, ctx.tz)}, {ctx.channel(row.channel_id)}: {row.title}"
            for row in coverage.rows
        )


def widest(ctx: Context) -> None:
    top = ctx.data.top
    if not top:
        ctx.body("Chưa có số liệu về lượt xem, lượt tiếp cận của các bài đăng.")
        return
    ctx.caption("table", "Các bài đăng có lượt tiếp cận rộng nhất")
    rows = [
        [
            str(number),
            date_vi(row.published_at, ctx.tz),
            ctx.channel(row.channel_id),
            row.title,
            figure(reach_of(row)),
        ]
        for number, row in enumerate(top, start=1)
    ]
    width = kit.text_width_mm(ctx.doc.sections[-1])
    ctx.table(
        ["STT", "Ngày đăng", "Kênh", "Tiêu đề", "Lượt xem, tiếp cận"],
        rows,
        [12, 24, 38, width - 12 - 24 - 38 - 26, 26],
        numeric=(0, 4),
    )


# --- II. assessment ----------------------------------------------------------------------------


def assessment(ctx: Context) -> None:
    data = ctx.data
    ctx.heading("II. ĐÁNH GIÁ", 1)
    met = [p.vi for p in data.progress if p.met]
    missed = [p.vi for p in data.progress if p.missed]
    not_due = [p.vi for p in data.progress if p.not_due]
    ctx.heading("1. Các chỉ tiêu đã đạt", 2)
    _list(ctx, met, "Chưa có chỉ tiêu nào đạt.")
    ctx.heading("2. Các chỉ tiêu chưa đạt", 2)
    _list(ctx, missed, "Không có chỉ tiêu nào chưa đạt." if not_due else ALL_MET)
    number = 3
    if not_due:  # a period shorter than a target's month or quarter: judged at its end
        ctx.heading(f"{number}. Các chỉ tiêu chưa đến kỳ đánh giá", 2)
        ctx.body(NOT_DUE_NOTE, italic=True)
        _list(ctx, not_due, "")
        number += 1
    ctx.heading(f"{number}. Những nội dung còn thiếu", 2)
    _list(ctx, [gap.vi for gap in data.gaps], "Không có nội dung nào còn thiếu.")
    ctx.heading(f"{number + 1}. Bài đăng không thành công hoặc bị lỡ", 2)
    if not data.shortfalls:
        ctx.body("Không có bài đăng nào không thành công hoặc bị lỡ trong kỳ báo cáo.")
    else:
        ctx.caption("table", "Bài đăng không thành công hoặc bị lỡ")
        rows = [
            [
                date_vi(s.due_at, ctx.tz) if s.due_at else "—",
                ctx.department(s.department),
                ctx.channel(s.channel_id),
                s.title,
                STATES.get(s.state, s.state),
                s.reason or "—",
            ]
            for s in data.shortfalls
        ]
        width = kit.text_width_mm(ctx.doc.sections[-1])
        ctx.table(
            ["Ngày dự kiến", "Đơn vị", "Kênh", "Tiêu đề", "Tình trạng", "Lý do"],
            rows,
            [22, 28, 26, 35, 20, width - 131],
        )
    ctx.heading(f"{number + 2}. Nhận xét, đánh giá của đơn vị", 2)
    ctx.body("(Ưu điểm, hạn chế và nguyên nhân; phần này do đơn vị tự viết.)", italic=True)
    ctx.to_fill(5)


def _list(ctx: Context, items: Sequence[str], none: str) -> None:
    if not items:
        ctx.body(none)
    for item in items:
        ctx.body(f"- {item}.")


# --- III. direction ----------------------------------------------------------------------------


def direction(ctx: Context) -> None:
    ctx.heading(f"III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {ctx.year + 1}", 1)
    for number, title in enumerate(
        ("Mục tiêu", "Nhiệm vụ trọng tâm", "Giải pháp thực hiện", "Kiến nghị, đề xuất"), start=1
    ):
        ctx.heading(f"{number}. {title}", 2)
        ctx.to_fill(2)


# --- the appendix ------------------------------------------------------------------------------

APPENDIX_HEADERS = (
    "STT",
    "Ngày đăng",
    "Đơn vị",
    "Kênh",
    "Tiêu đề",
    "Liên kết công khai",
    "Số liệu tương tác",
)
APPENDIX_WIDTHS = (12.0, 22.0, 36.0, 34.0, 70.0, 46.0, 32.0)  # 252 mm: landscape A4


def appendix(ctx: Context) -> None:
    """Every published item, on landscape pages (the decree allows them for wide tables)."""
    section = ctx.doc.add_section(WD_SECTION.NEW_PAGE)
    kit.page_setup(section, landscape=True)
    section.different_first_page_header_footer = False
    ctx.line(ctx.doc.add_paragraph(), "PHỤ LỤC", size=13, bold=True)
    ctx.line(ctx.doc.add_paragraph(), "DANH SÁCH BÀI ĐÃ ĐĂNG TRONG KỲ BÁO CÁO", size=13, bold=True)
    note = ctx.doc.add_paragraph()
    ctx.line(
        note,
        "(Kèm theo Báo cáo số ……/BC-…… ngày …… tháng …… năm ……)",
        size=13,
        italic=True,
    )
    note.paragraph_format.space_after = Pt(12)
    if ctx.data.empty:
        ctx.body(NOTHING_PUBLISHED)
        return
    ctx.streamed_table(
        APPENDIX_HEADERS, lambda xml: _evidence(ctx, xml), APPENDIX_WIDTHS, numeric=(0,)
    )


def grouped(value: int | None) -> str:
    """An integer as content.labels.figure writes it in Vietnamese (1.234.567), without Babel's
    cost per call: a year's appendix writes a million figures."""
    return figure(value) if value is None or value < 0 else f"{value:,}".replace(",", ".")


def _evidence(ctx: Context, xml: kit.RowXml) -> Iterator[bytes]:
    """The appendix's rows as XML (UTF-8), one per published item: number, date, department,
    channel, title, public link, figures.

    A year holds 250,000 rows but a few hundred days and a few dozen names: each is made into
    XML once. The rows come oldest first, so a day is worked out again only when a row leaves
    the bounds of the one before (in any order the result would be the same, only slower).
    """
    linked = xml.template([False, False, False, False, False, True, False])
    unlinked = xml.template([False] * 7)
    labels = [(metric, kit.xml_text(f"{metric_label(metric)}: ")) for metric in EVIDENCE_METRICS]
    none = "—".encode()
    orders: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    departments: dict[str, bytes] = {}
    channels: dict[str, bytes] = {}
    day, day_from, day_to = b"", None, None
    rid, text, line_break = xml.rid, kit.xml_text, kit.LINE_BREAK
    for number, row in enumerate(ctx.data.rows, start=1):
        moment = row.published_at
        if day_from is None or not day_from <= moment < day_to:  # type: ignore[operator]
            day, day_from, day_to = _day_of(moment, ctx.tz)
        department = departments.get(row.department)
        if department is None:
            name = ctx.department(row.department)
            department = departments[row.department] = text(name).encode()
        channel = channels.get(row.channel_id)
        if channel is None:
            name = ctx.channel(row.channel_id)
            channel = channels[row.channel_id] = text(name).encode()
        values = row.figures
        present = orders.get(tuple(values))
        if present is None:  # a set of metrics not seen yet: which of them, in the list's order
            present = orders[tuple(values)] = [(m, label) for m, label in labels if m in values]
        figures = []
        for metric, label in present:
            value = values[metric]
            if value is not None:
                figures.append(label + (str(value) if 0 <= value < 1000 else grouped(value)))
        shown = line_break.join(figures).encode() if figures else none
        title = text(row.title).encode()
        url = row.url
        if url:
            address = text(url).encode()
            link = rid(url).encode()
            yield linked % (b"%d" % number, day, department, channel, title, link, address, shown)
        else:
            yield unlinked % (b"%d" % number, day, department, channel, title, none, shown)


def _day_of(moment: datetime, tz: tzinfo) -> tuple[bytes, datetime, datetime]:
    """`moment`'s local date as the appendix writes it, and that day's bounds, in `moment`'s
    zone (comparing datetimes of one zone needs no offset lookup)."""
    local = moment.astimezone(tz)
    start = datetime(local.year, local.month, local.day, tzinfo=tz)
    end = datetime.combine(start.date() + timedelta(days=1), time(), tzinfo=tz)
    zone = moment.tzinfo
    return date_vi(moment, tz).encode(), start.astimezone(zone), end.astimezone(zone)
