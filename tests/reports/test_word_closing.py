"""The DOCX's "Nơi nhận" and signature blocks and the plan's citation (Decree 30/2020), opened
with python-docx: from config.yaml's `report:` where the office set it, dotted lines otherwise."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.table import Table

from content.db import Database
from reports.word import write_docx
from reports.word_closing import DOTS, SIGN_HINT
from reports.wording import Formalities
from tests.reports.year_data import HCM, NAMES, report_of

SDL = Formalities(
    signer_title=("KT. GIÁM ĐỐC", "Phó Giám đốc"),
    signer_name="Trần Thị Bích Hằng",
    recipients=("Như trên", "Sở Thông tin và Truyền thông (để tổng hợp)", "Lãnh đạo Sở"),
    filed_by="SDL",
    plan_date=date(2021, 8, 5),
)


def _closing(
    year: Database, path: Path, formalities: Formalities | None, department: bool
) -> tuple[DocxDocument, Table]:
    write_docx(report_of(year, ["SDL"] if department else None), path, tz=HCM, names=NAMES,
               year=2026, issuer="Ủy ban nhân dân tỉnh Thừa Thiên Huế",
               department_name="Sở Du lịch" if department else None, version="t",
               formalities=formalities)  # fmt: skip
    doc = Document(str(path))
    (table,) = [t for t in doc.tables if t.cell(0, 0).paragraphs[0].text == "Nơi nhận:"]
    return doc, table


def _cell_lines(table: Table, column: int) -> list[tuple[str, bool, bool]]:
    return [
        (p.text, bool(p.runs and p.runs[0].bold), bool(p.runs and p.runs[0].italic))
        for p in table.cell(0, column).paragraphs
    ]


def test_the_departments_signer_recipients_and_plan_from_its_settings(
    year: Database, tmp_path: Path
) -> None:
    doc, table = _closing(year, tmp_path / "sdl.docx", SDL, department=True)
    recipients = [text for text, *_ in _cell_lines(table, 0)]
    assert recipients == [
        "Nơi nhận:",
        "- Như trên;",
        "- Sở Thông tin và Truyền thông (để tổng hợp);",
        "- Lãnh đạo Sở;",
        "- Lưu: VT, SDL.",
    ]
    signer = _cell_lines(table, 1)
    assert signer[:2] == [("KT. GIÁM ĐỐC", True, False), ("PHÓ GIÁM ĐỐC", True, False)]
    assert signer[-1] == ("Trần Thị Bích Hằng", True, False)
    assert [text for text, *_ in signer[2:-1]] == [""] * 4  # room to sign and seal
    text = "\n".join(p.text for p in doc.paragraphs)
    assert (
        "Thực hiện Kế hoạch số 275/KH-UBND ngày 05 tháng 8 năm 2021 của Ủy ban nhân dân tỉnh "
        "Thừa Thiên Huế về triển khai Chương trình hành động của Chính phủ về tuyên truyền, "
        "quảng bá ASEAN trên địa bàn tỉnh Thừa Thiên Huế giai đoạn 2021 - 2025, tầm nhìn 2030, "
        "kết quả thực hiện trong kỳ báo cáo như sau:"
    ) in text
    # The closing comes after section III and before the appendix.
    body = list(doc.element.body.iterchildren())
    appendix = next(i for i, b in enumerate(body) if b.xpath("string(.)") == "PHỤ LỤC")
    direction = next(i for i, b in enumerate(body) if b.xpath("string(.)").startswith("III. "))
    assert direction < body.index(table._tbl) < appendix


def test_what_the_office_did_not_set_is_left_to_fill_in(year: Database, tmp_path: Path) -> None:
    doc, table = _closing(year, tmp_path / "tinh.docx", None, department=False)
    assert [text for text, *_ in _cell_lines(table, 0)] == [
        "Nơi nhận:",
        f"- {DOTS} (để báo cáo);",
        f"- {DOTS};",
        "- Lưu: VT, …….",
    ]
    signer = _cell_lines(table, 1)
    assert signer[0] == (DOTS, True, False) and signer[1] == (SIGN_HINT, False, True)
    assert signer[-1] == (DOTS, True, False)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Kế hoạch số 275/KH-UBND ngày …… tháng …… năm …… của Ủy ban nhân dân tỉnh" in text


def test_a_departments_report_goes_to_the_compiler_by_default(
    year: Database, tmp_path: Path
) -> None:
    _, table = _closing(year, tmp_path / "sdl.docx", Formalities(filed_by="SDL"), department=True)
    assert [text for text, *_ in _cell_lines(table, 0)] == [
        "Nơi nhận:",
        "- Sở Thông tin và Truyền thông (để tổng hợp);",
        f"- {DOTS};",
        "- Lưu: VT, SDL.",
    ]


def test_a_filing_line_of_the_offices_own_is_kept(year: Database, tmp_path: Path) -> None:
    own = Formalities(signer_title=("Chủ tịch",), recipients=("Bộ Ngoại giao", "Lưu: VT, NgV"))
    _, table = _closing(year, tmp_path / "tinh.docx", own, department=False)
    assert [text for text, *_ in _cell_lines(table, 0)][1:] == [
        "- Bộ Ngoại giao;",
        "- Lưu: VT, NgV.",
    ]
    signer = _cell_lines(table, 1)
    assert signer[0] == ("CHỦ TỊCH", True, False) and signer[1] == (SIGN_HINT, False, True)
