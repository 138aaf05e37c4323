"""A report of one day in the files: targets of a month or a quarter are "not due yet".

Prorated to one day, 4 posts a month rounds to 0 posts and a department that published nothing
was listed among the targets met. Both files open here with python-docx and openpyxl.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from content.db import Database
from reports.excel import SUMMARY_SHEET, write_xlsx
from reports.word import write_docx
from tests.reports.year_data import HCM, NAMES, report_of

DAY = datetime(2026, 8, 6, tzinfo=HCM)  # two of STTTT's posts, on ASEAN Day's eve
NEXT_DAY = datetime(2026, 8, 7, tzinfo=HCM)


def _headed(texts: list[str], heading: str) -> list[str]:
    """The paragraphs under the level-2 heading that ends with `heading`, up to the next one."""
    start = next(i for i, text in enumerate(texts) if text.endswith(heading)) + 1
    end = next(i for i in range(start, len(texts)) if texts[i][:2] in {f"{n}." for n in range(10)})
    return texts[start:end]


def test_the_docx_lists_targets_not_due_apart_from_met_and_missed(
    year: Database, tmp_path: Path
) -> None:
    data = report_of(year, start=DAY, end=NEXT_DAY)
    path = tmp_path / "mot-ngay.docx"
    write_docx(data, path, tz=HCM, names=NAMES, year=2026, issuer="UBND TỈNH",
               department_name=None, version="t")  # fmt: skip
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs if p.text]
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert "3. Các chỉ tiêu chưa đến kỳ đánh giá" in headings
    assert (
        "4. Những nội dung còn thiếu" in headings and "6. Nhận xét, đánh giá của đơn vị" in headings
    )
    met = _headed(texts, "Các chỉ tiêu đã đạt")
    assert "- Sở Du lịch: 0/4 bài (4 bài/tháng)." not in met
    assert all("0/" not in line for line in met)  # nothing published is never met
    assert _headed(texts, "Các chỉ tiêu chưa đạt") == ["Không có chỉ tiêu nào chưa đạt."]
    not_due = _headed(texts, "Các chỉ tiêu chưa đến kỳ đánh giá")
    assert not_due[0].startswith("Kỳ báo cáo ngắn hơn đơn vị tính")
    assert "- Sở Du lịch: 0/4 bài (4 bài/tháng)." in not_due
    assert "- Sở Thông tin và Truyền thông: 2/4 bài (4 bài/tháng)." in not_due
    assert len(met) + len(not_due) - 1 == len(data.progress)


def test_the_year_has_no_targets_not_due(year: Database, tmp_path: Path) -> None:
    path = tmp_path / "nam.docx"
    write_docx(report_of(year), path, tz=HCM, names=NAMES, year=2026, issuer="UBND TỈNH",
               department_name=None, version="t")  # fmt: skip
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert not any("chưa đến kỳ đánh giá" in h for h in headings)
    assert "3. Những nội dung còn thiếu" in headings


def test_the_xlsx_marks_targets_not_due(year: Database, tmp_path: Path) -> None:
    data = report_of(year, start=DAY, end=NEXT_DAY)
    path = tmp_path / "mot-ngay.xlsx"
    write_xlsx(data, path, tz=HCM, names=NAMES, year=2026, title="BÁO CÁO", version="t")
    sheet = load_workbook(path)[SUMMARY_SHEET]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    met = sum(1 for p in data.progress if p.met)
    not_due = len(data.progress) - met
    heading = (
        f"Chỉ tiêu của kế hoạch: đạt {met}/{len(data.progress)} chỉ tiêu, {not_due} chưa đến kỳ "
        f"đánh giá / {met} of {len(data.progress)} targets met, {not_due} not due yet"
    )
    assert [heading] in [[v for v in row if v] for row in rows]
    states = {row[1]: row[0] for row in rows if row[0] and " / " in str(row[0]) and row[1]}
    assert states["Sở Du lịch: 0/4 bài (4 bài/tháng)"] == "Chưa đến kỳ đánh giá / Not due yet"
    assert "Chưa đạt / Not met" not in states.values()
    assert list(states.values()).count("Đạt / Met") == met > 0
