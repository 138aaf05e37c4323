"""The XLSX report opened with openpyxl (and LibreOffice): sheets, headers, links, formats,
charts, and every total held against a recount straight from the database."""

from __future__ import annotations

import csv
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart
from openpyxl.styles.numbers import is_date_format
from openpyxl.workbook import Workbook

from content.db import Database
from content.labels import metric_label
from content.report_data import ReportData
from reports.excel import EMPTY, SUMMARY_SHEET, write_xlsx
from reports.excel_evidence import DATE_FORMAT, EVIDENCE_SHEET, NUMBER_FORMAT
from reports.wording import BREAKDOWN_TITLES, EVIDENCE_COLUMNS, EVIDENCE_METRICS
from tests.reports.year_data import (
    END,
    FORMULA_TITLE,
    HCM,
    NAMES,
    START,
    TITLES,
    count_by,
    published,
    report_of,
    retitle_first_post,
)

BREAKDOWN_SHEETS = [vi for vi, _en in BREAKDOWN_TITLES.values()]
GROUP_KEYS = {"channel": "channel", "department": "department", "topic": "topic", "month": "month"}


def _wall(*parts: int) -> datetime:
    """A local wall-clock time as Excel holds it (no zone)."""
    return datetime(*parts, tzinfo=HCM).replace(tzinfo=None)  # type: ignore[misc]


def _written(data: ReportData, folder: Path, name: str = "bao-cao.xlsx") -> tuple[Path, Workbook]:
    path = folder / name
    write_xlsx(data, path, tz=HCM, names=NAMES, year=2026, title="BÁO CÁO", version="9.8.7")
    return path, load_workbook(path)


def _summary_values(book: Workbook) -> dict[str, object]:
    sheet = book[SUMMARY_SHEET]
    return {row[0].value: row[1].value for row in sheet.iter_rows() if row[0].value}


def test_sheets_vietnamese_first_summary_breakdowns_then_the_evidence(
    year: Database, tmp_path: Path
) -> None:
    _, book = _written(report_of(year), tmp_path)
    assert book.sheetnames == [SUMMARY_SHEET, *BREAKDOWN_SHEETS, EVIDENCE_SHEET]
    summary = _summary_values(book)
    assert book[SUMMARY_SHEET]["A1"].value == "BÁO CÁO"
    assert "ASEAN năm 2026" in str(book[SUMMARY_SHEET]["A2"].value)
    assert summary["Từ ngày / From"] == _wall(2025, 11, 1)
    assert summary["Đến ngày / To"] == _wall(2026, 10, 31)
    assert summary["Lập lúc / Generated at"] == _wall(2026, 10, 20, 16, 5)  # Huế's clock
    assert summary["Số liệu đọc lúc / Figures read at"] == _wall(2026, 10, 5, 9, 0)
    assert summary["Phiên bản Loa / Loa version"] == "9.8.7"
    assert summary["Phạm vi / Scope"] == "Toàn tỉnh / Whole province"


def test_the_evidence_list_links_filters_and_formats(year: Database, tmp_path: Path) -> None:
    _, book = _written(report_of(year), tmp_path)
    sheet = book[EVIDENCE_SHEET]
    expected = published(year, START, END)
    headers = [cell.value for cell in sheet[1]]
    assert headers[: len(EVIDENCE_COLUMNS)] == [f"{vi}\n{en}" for _k, vi, en in EVIDENCE_COLUMNS]
    assert headers[len(EVIDENCE_COLUMNS) :] == [
        f"{metric_label(m)}\n{metric_label(m, 'en')}" for m in EVIDENCE_METRICS
    ]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:N{len(expected) + 1}"
    assert sheet.max_row == len(expected) + 1 == 6
    assert sheet.column_dimensions["E"].width >= 50
    for item, row in zip(expected, sheet.iter_rows(min_row=2), strict=True):
        day, department, channel, platform, title, _topic, _pillar, link, *figures = row
        assert day.value == datetime.combine(
            item.published_at.astimezone(HCM).date(), datetime.min.time()
        )
        assert day.number_format == DATE_FORMAT and day.is_date
        assert department.value == NAMES.of("department", item.department)[0]
        assert channel.value == NAMES.of("channel", item.channel)[0]
        assert platform.value in {"Facebook", "Trang web"}
        assert title.value == item.title
        assert link.value == item.url and link.hyperlink is not None
        assert link.hyperlink.target == item.url
        assert link.style == "Hyperlink"
        for metric, cell in zip(EVIDENCE_METRICS, figures, strict=True):
            # A figure the platform did not give is an empty cell, never a zero.
            assert cell.value == item.figures.get(metric)
            if cell.value is not None:
                assert cell.number_format == NUMBER_FORMAT
    assert {cell.value for cell in sheet["E"][1:]} == set(TITLES)
    assert sheet["C4"].value == "Fanpage ASEAN Huế"  # a channel's name, not its code


def test_the_number_format_is_a_number_format_and_the_date_one_a_date() -> None:
    # Numbers stay numbers: not text ("@"), not a date; each section shows digits.
    assert NUMBER_FORMAT != "@" and not is_date_format(NUMBER_FORMAT)
    assert all("0" in section for section in NUMBER_FORMAT.split(";"))
    assert is_date_format(DATE_FORMAT)


def test_every_total_equals_a_recount_from_the_database(year: Database, tmp_path: Path) -> None:
    _, book = _written(report_of(year), tmp_path)
    items = published(year, START, END)
    whole = count_by(items, "channel", HCM)["*"]
    summary = _summary_values(book)
    assert summary["Số bài / Posts"] == len(whole.posts) == 5
    assert summary["Số lượt đăng / Deliveries"] == whole.deliveries
    assert summary["Có số liệu / With figures"] == whole.with_figures == 3
    assert summary["Chưa có số liệu / Without figures"] == whole.deliveries - whole.with_figures
    for metric in EVIDENCE_METRICS:
        label = f"{metric_label(metric)} / {metric_label(metric, 'en')}"
        assert summary[label] == whole.totals.get(metric)  # None (empty) where nothing reported
    assert whole.totals == {"views": 1350, "reactions": 40, "comments": 2}
    for by, key in GROUP_KEYS.items():
        sheet = book[BREAKDOWN_TITLES[by][0]]
        counts = count_by(items, key, HCM)
        rows = {row[0].value: row for row in sheet.iter_rows(min_row=5) if row[0].value}
        assert len(rows) == len(counts)  # every group and the total line
        total = rows["Tổng cộng / Total"]
        assert [c.value for c in total[1:5]] == [5, 5, 3, 2]
        for code, count in counts.items():
            if code == "*":
                continue
            name = {
                "month": f"{code[5:]}/{code[:4]}",
                "channel": NAMES.of("channel", code)[0],
                "department": NAMES.of("department", code)[0],
                "topic": f"{code}. {NAMES.of('topic', code)[0]}",
            }[by]
            row = rows[name]
            assert row[1].value == len(count.posts) and row[2].value == count.deliveries
            assert row[3].value == count.with_figures
            assert [c.value for c in row[5:11]] == [count.totals.get(m) for m in EVIDENCE_METRICS]


def test_each_breakdown_sheet_has_a_native_chart_of_its_cells(
    year: Database, tmp_path: Path
) -> None:
    _, book = _written(report_of(year), tmp_path)
    for by, (vi, _en) in BREAKDOWN_TITLES.items():
        sheet = book[vi]
        assert sheet.freeze_panes == "B5"
        (chart,) = sheet._charts
        assert isinstance(chart, LineChart if by == "month" else BarChart)
        references = [series.val.numRef.f for series in chart.series]
        assert len(references) == 2  # posts and deliveries
        assert all(ref.startswith(f"'{vi}'!$") for ref in references)


def test_a_title_that_looks_like_a_formula_stays_text(year: Database, tmp_path: Path) -> None:
    attack = FORMULA_TITLE
    retitle_first_post(year, attack)
    path, book = _written(report_of(year), tmp_path)
    (cell,) = [c for c in book[EVIDENCE_SHEET]["E"] if c.value == attack]
    assert cell.data_type == "s"
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet8.xml").decode()
    assert "<f>" not in sheet_xml and "HYPERLINK(&quot;" in sheet_xml


def test_a_department_report_covers_only_it(year: Database, tmp_path: Path) -> None:
    _, book = _written(report_of(year, ["SDL"]), tmp_path)
    assert _summary_values(book)["Phạm vi / Scope"] == "Sở Du lịch"
    departments = {row[1].value for row in book[EVIDENCE_SHEET].iter_rows(min_row=2)}
    assert departments == {"Sở Du lịch"}


def test_a_period_with_nothing_published_is_a_valid_workbook_that_says_so(
    db: Database, tmp_path: Path
) -> None:
    _, book = _written(report_of(db), tmp_path)
    assert book.sheetnames == [SUMMARY_SHEET, *BREAKDOWN_SHEETS, EVIDENCE_SHEET]
    summary = _summary_values(book)
    assert EMPTY in summary
    assert summary["Số bài / Posts"] == 0
    assert summary["Lượt xem / Views"] is None
    assert summary["Số liệu đọc lúc / Figures read at"] == "Chưa có số liệu / No figures yet"
    for name in BREAKDOWN_SHEETS:
        assert book[name]["A5"].value == EMPTY and book[name]._charts == []
    evidence = book[EVIDENCE_SHEET]
    assert evidence.auto_filter.ref == "A1:N1" and evidence["A2"].value == EMPTY


def test_a_list_beyond_excels_link_limit_continues_on_further_sheets(
    year: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reports.excel_evidence.HYPERLINKS_PER_SHEET", 2)
    monkeypatch.setattr("reports.excel.HYPERLINKS_PER_SHEET", 2)
    _, book = _written(report_of(year), tmp_path)
    parts = [EVIDENCE_SHEET, f"{EVIDENCE_SHEET} (2)", f"{EVIDENCE_SHEET} (3)"]
    assert book.sheetnames[-3:] == parts
    urls = []
    for name, rows in zip(parts, (2, 2, 1), strict=True):
        sheet = book[name]
        assert sheet.max_row == rows + 1 and sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:N{rows + 1}"
        urls += [cell.hyperlink.target for cell in sheet["H"][1:] if cell.hyperlink]
    assert urls == [item.url for item in published(year, START, END)]
    assert any("nhiều trang tính" in str(key) for key in _summary_values(book))


def test_writing_replaces_the_file_whole_and_leaves_nothing_behind(
    year: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    target = folder / "bao-cao.xlsx"
    target.write_bytes(b"an older report")
    _written(report_of(year), folder)
    assert zipfile.is_zipfile(target)
    assert [p.name for p in folder.iterdir()] == ["bao-cao.xlsx"]


def _calc_missing() -> str | None:
    soffice = shutil.which("soffice")
    if soffice is None:
        return "LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"
    program = Path(soffice).resolve().parent
    if not any(program.glob("libsclo.so*")):
        return "LibreOffice Calc is not installed (apt-get install libreoffice-calc-nogui)"
    return None


@pytest.mark.skipif(_calc_missing() is not None, reason=str(_calc_missing()))
def test_libreoffice_opens_it_and_shows_vietnamese_numbers_and_dates(
    year: Database, tmp_path: Path
) -> None:
    path, _ = _written(report_of(year), tmp_path)
    # Every sheet to CSV as LibreOffice displays it (its locale is not Vietnamese here).
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    # 76: UTF-8; the 9th, true: cells as shown; the last, -1: every sheet into its own file.
    options = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
    command = ["soffice", "--headless", profile, "--convert-to", options]
    command += ["--outdir", str(tmp_path / "out"), str(path)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    with (tmp_path / "out" / f"bao-cao-{EVIDENCE_SHEET}.csv").open(encoding="utf-8") as text:
        rows = list(csv.reader(text))
    first = rows[3]  # the ASEAN Day post, 1.200 views
    assert first[0] == "06/08/2026" and first[4] == TITLES[0] and first[8] == "1.200"
