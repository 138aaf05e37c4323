"""The yearly report as an Excel workbook, Vietnamese first.

Sheets: "Tổng hợp" (the period, when it was made, when the figures were read, Loa's version,
the totals, the plan's targets met and missed, the gaps); one sheet per breakdown (month,
channel, platform, topic, pillar, department) with a native Excel chart drawn from its cells;
and the evidence list (excel_evidence), one row per published item with its public link.

Numbers stay numbers and dates stay dates, so the office can add up and filter them; their
formats show them the Vietnamese way (1.234; 05/12/2026) whatever the reader's locale.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from content.labels import metric_label
from content.report_data import ReportData
from content.stats import Group, Stats
from content.targets import Names
from reports.evidence import Evidence, name_of
from reports.excel_evidence import (
    DATE_FORMAT,
    EVIDENCE_SHEET,
    HEADER_ALIGNMENT,
    HEADER_FILL,
    HEADER_FONT,
    HYPERLINKS_PER_SHEET,
    NUMBER_FORMAT,
    add_frames,
    save_with_evidence,
)
from reports.files import atomic_path
from reports.wording import (
    BREAKDOWN_TITLES,
    EVIDENCE_METRICS,
    STATE_ORDER,
    TARGET_STATES,
    subject,
    targets_tally,
)

SUMMARY_SHEET = "Tổng hợp"
DATETIME_FORMAT = r"dd\/mm\/yyyy hh:mm"
EMPTY = "Không có bài nào được đăng trong kỳ này. / Nothing was published in this period."
GROUP_HEADERS = {
    "month": ("Tháng", "Month"),
    "channel": ("Kênh", "Channel"),
    "platform": ("Nền tảng", "Platform"),
    "topic": ("Chủ đề", "Topic"),
    "pillar": ("Trụ cột", "Pillar"),
    "department": ("Đơn vị", "Department"),
}
COUNT_HEADERS = (
    ("Số bài", "Posts"),
    ("Số lượt đăng", "Deliveries"),
    ("Có số liệu", "With figures"),
    ("Chưa có số liệu", "Without figures"),
)
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
MET_FONT = Font(color="006100")
MISSED_FONT = Font(color="9C0006")
NOT_DUE_FONT = Font(color="595959")


def write_xlsx(
    data: ReportData,
    path: Path,
    *,
    tz: tzinfo,
    names: Names,
    year: int,
    title: str,
    version: str,
) -> None:
    """The report of `data` as an XLSX workbook at `path` (replaced atomically)."""
    workbook = Workbook()
    summary = workbook.active
    assert isinstance(summary, Worksheet)
    summary.title = SUMMARY_SHEET
    _summary(summary, data, tz=tz, names=names, year=year, title=title, version=version)
    for by, (vi, _en) in BREAKDOWN_TITLES.items():
        _breakdown(workbook.create_sheet(vi), data.breakdowns[by], by, data, tz, names)
    count = len(data.rows)
    frame = add_frames(workbook, count, EMPTY)
    with atomic_path(path) as temporary:
        # The rows are read from the database as they are written (never held: a year's
        # 250,000 would cost half a gigabyte).
        save_with_evidence(workbook, frame, data.rows, count, Evidence(tz, names), temporary)


def period_text(data: ReportData, tz: tzinfo) -> str:
    first = f"{_local_day(data.start, tz):%d/%m/%Y}"
    last = f"{_local_day(data.end - timedelta(microseconds=1), tz):%d/%m/%Y}"
    return f"Từ ngày {first} đến ngày {last} / From {first} to {last}"


def _local_day(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def _local(moment: datetime, tz: tzinfo) -> datetime:
    """Excel has no time zones: the local wall-clock time, as the office reads it."""
    return moment.astimezone(tz).replace(tzinfo=None)


class _Lines:
    """Writes the summary sheet downwards, a label and its value per line."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet, self.row = sheet, 4

    def line(
        self,
        label: str,
        value: str | int | date | datetime | None,
        number_format: str | None = None,
    ) -> None:
        self.sheet.cell(row=self.row, column=1, value=label).font = BOLD
        cell = self.sheet.cell(row=self.row, column=2, value=value)
        if number_format is not None and value is not None:
            cell.number_format = number_format
        cell.alignment = Alignment(horizontal="left")
        self.row += 1

    def texts(self, *values: str, font: Font | None = None) -> None:
        for column, value in enumerate(values, start=1):
            cell = self.sheet.cell(row=self.row, column=column, value=value or None)
            if font is not None:
                cell.font = font
        self.row += 1

    def heading(self, text: str) -> None:
        self.row += 1
        self.texts(text, font=Font(bold=True, size=12))


def _summary(
    sheet: Worksheet,
    data: ReportData,
    *,
    tz: tzinfo,
    names: Names,
    year: int,
    title: str,
    version: str,
) -> None:
    sheet["A1"] = title
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = subject(year)
    sheet["A2"].font = Font(italic=True)
    for column, width in zip("ABC", (44, 70, 70), strict=True):
        sheet.column_dimensions[column].width = width
    lines = _Lines(sheet)
    scope = (
        "Toàn tỉnh / Whole province"
        if data.departments is None
        else "; ".join(names.of("department", code)[0] for code in data.departments)
    )
    lines.line("Kỳ báo cáo / Period", period_text(data, tz))
    lines.line("Từ ngày / From", _local_day(data.start, tz), DATE_FORMAT)
    lines.line("Đến ngày / To", _local_day(data.end - timedelta(microseconds=1), tz), DATE_FORMAT)
    lines.line("Phạm vi / Scope", scope)
    lines.line("Lập lúc / Generated at", _local(data.generated_at, tz), DATETIME_FORMAT)
    read_at = data.figures_read_at
    lines.line(
        "Số liệu đọc lúc / Figures read at",
        "Chưa có số liệu / No figures yet" if read_at is None else _local(read_at, tz),
        DATETIME_FORMAT,
    )
    lines.line("Phiên bản Loa / Loa version", version)
    _totals(lines, data)
    _targets_and_gaps(lines, data)
    if len(data.rows) > HYPERLINKS_PER_SHEET:
        lines.row += 1
        lines.texts(
            f"{EVIDENCE_SHEET}: chia thành nhiều trang tính, vì Excel giữ tối đa 65.530 liên kết "
            "mỗi trang. / The evidence list spans several sheets: Excel keeps at most 65,530 "
            "links in one sheet.",
            font=Font(italic=True),
        )


def _totals(lines: _Lines, data: ReportData) -> None:
    lines.heading("Tổng số / Totals")
    if data.empty:
        lines.texts(EMPTY, font=Font(italic=True))
    total = data.total.total
    for (vi, en), value in zip(COUNT_HEADERS, _counts(total), strict=True):
        lines.line(f"{vi} / {en}", value, NUMBER_FORMAT)
    for metric in EVIDENCE_METRICS:
        # A metric no platform reported stays empty: it is not a zero.
        label = f"{metric_label(metric, 'vi')} / {metric_label(metric, 'en')}"
        lines.line(label, total.totals.get(metric), NUMBER_FORMAT)
    lines.texts(
        "Một bài đăng trên nhiều kênh là một bài và nhiều lượt đăng; tổng số liệu chỉ cộng những "
        "lượt đăng có số liệu. / A post on several channels is one post and several deliveries; "
        "figure totals add only the deliveries with figures.",
        font=Font(italic=True, size=9),
    )


def _targets_and_gaps(lines: _Lines, data: ReportData) -> None:
    lines.heading(f"Chỉ tiêu của kế hoạch: {targets_tally(data.progress)}")
    lines.texts("Kết quả / Result", "Chỉ tiêu", "Target", font=BOLD)
    fonts = {"met": MET_FONT, "missed": MISSED_FONT, "not_due": NOT_DUE_FONT}
    for item in sorted(data.progress, key=lambda p: STATE_ORDER.index(p.state)):
        lines.texts(" / ".join(TARGET_STATES[item.state]), item.vi, item.en)
        lines.sheet.cell(row=lines.row - 1, column=1).font = fonts[item.state]
    lines.heading("Những việc còn thiếu / Gaps")
    if not data.gaps:
        lines.texts("Không có / None")
    for gap in data.gaps:
        lines.texts("", gap.vi, gap.en)


def _counts(group: Group) -> tuple[int, int, int, int]:
    return group.posts, group.deliveries, group.with_figures, group.without_figures


def _breakdown(
    sheet: Worksheet, stats: Stats, by: str, data: ReportData, tz: tzinfo, names: Names
) -> None:
    vi, en = BREAKDOWN_TITLES[by]
    sheet["A1"] = f"{vi} / {en}"
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = period_text(data, tz)
    header_row, first = 4, 5
    headers = [GROUP_HEADERS[by], *COUNT_HEADERS]
    headers += [(metric_label(m, "vi"), metric_label(m, "en")) for m in EVIDENCE_METRICS]
    for column, (vi_name, en_name) in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=column, value=f"{vi_name}\n{en_name}")
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
        sheet.column_dimensions[get_column_letter(column)].width = 34 if column == 1 else 14
    sheet.row_dimensions[header_row].height = 32
    sheet.freeze_panes = f"B{first}"
    row = first
    for group in stats.groups:
        _group_row(sheet, row, name_of(by, group.key, names), group)
        row += 1
    if not stats.groups:
        sheet.cell(row=row, column=1, value=EMPTY).font = Font(italic=True)
        return
    # The total counts each post once, though a post can sit in several groups (its channels):
    # it is Loa's total, not the sum of the rows above.
    _group_row(sheet, row, "Tổng cộng / Total", stats.total)
    for column in range(1, len(headers) + 1):
        sheet.cell(row=row, column=column).font = BOLD
    _chart(sheet, by, first, row - 1, len(headers) + 2)


def _group_row(sheet: Worksheet, row: int, name: str, group: Group) -> None:
    sheet.cell(row=row, column=1, value=name)
    values = [*_counts(group), *(group.totals.get(m) for m in EVIDENCE_METRICS)]
    for column, value in enumerate(values, start=2):
        if value is not None:
            sheet.cell(row=row, column=column, value=value).number_format = NUMBER_FORMAT


def _chart(sheet: Worksheet, by: str, first: int, last: int, at_column: int) -> None:
    """Posts and deliveries per group, drawn by Excel from the table's own cells."""
    chart: BarChart | LineChart
    if by == "month":
        chart = LineChart()
    else:
        chart = BarChart()
        chart.type = "bar"  # horizontal: long names stay readable
    vi, en = BREAKDOWN_TITLES[by]
    chart.title = f"Số bài và lượt đăng {vi.lower()} / Posts and deliveries {en.lower()}"
    chart.y_axis.title = "Số bài / Posts"
    chart.y_axis.numFmt = NUMBER_FORMAT
    chart.height = max(7.5, 0.6 * (last - first + 1) + 3) if by != "month" else 9
    chart.width = 22
    values = Reference(sheet, min_col=2, max_col=3, min_row=first - 1, max_row=last)
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first, max_row=last))
    sheet.add_chart(chart, f"{get_column_letter(at_column)}4")
