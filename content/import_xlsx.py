"""An Excel workbook (.xlsx) as the CSV `loa import` reads: its first sheet, the first row the
column names, each further row a post; so the importer (`content.importer`) checks and writes it
exactly as it does a CSV, row numbers included (the sheet's row 2 is "row 2").

Cells become text as a person would type them: a date and time as 2026-08-08 07:30 (the
importer reads it in the configured zone), a whole number without ".0", TRUE/FALSE as
true/false; a formula gives the value Excel last computed. Trailing empty rows (formatting
left below the data) are dropped; an empty row inside the data stays, so numbers still match.

A workbook is a zip: it is read in openpyxl's streaming mode and refused past `MAX_ROWS` rows
or `MAX_COLUMNS` columns, so a small file that expands to millions of cells costs a refusal.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from content.errors import FieldProblem, InvalidInput

MAX_ROWS = 5000
MAX_COLUMNS = 200


def xlsx_as_csv(path: Path) -> str:
    """The first sheet of the workbook at `path` as CSV text."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise _refuse(
            "Tệp không phải bảng tính Excel (.xlsx) đọc được; hãy mở bằng Excel và lưu lại dạng"
            " “Excel Workbook (.xlsx)” hoặc “CSV UTF-8”.",
            "the file is not a readable Excel workbook (.xlsx); open it in Excel and save it as"
            " 'Excel Workbook (.xlsx)' or 'CSV UTF-8'",
            path.name,
        ) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise _refuse("Bảng tính không có trang nào.", "the workbook has no sheet", path.name)
        rows: list[list[str]] = []
        for number, values in enumerate(
            sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), start=1
        ):
            if number > MAX_ROWS + 1:
                raise _refuse(
                    f"Bảng tính có quá {MAX_ROWS} bài; hãy chia thành nhiều tệp.",
                    f"the sheet holds more than {MAX_ROWS} posts; split it into several files",
                    path.name,
                )
            cells = [_text(value) for value in values]
            while cells and not cells[-1]:
                cells.pop()
            if len(cells) > MAX_COLUMNS:
                raise _refuse(
                    f"Dòng {number} có hơn {MAX_COLUMNS} cột; bảng nhập không cần nhiều như vậy.",
                    f"row {number} has more than {MAX_COLUMNS} columns; no import needs that many",
                    path.name,
                )
            rows.append(cells)
    finally:
        book.close()
    while rows and not rows[-1]:
        rows.pop()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    width = len(rows[0]) if rows else 0
    for cells in rows:
        # A row is as wide as the header: DictReader puts extra cells under a None key.
        writer.writerow(cells + [""] * (width - len(cells)) if len(cells) < width else cells)
    return out.getvalue()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _refuse(vi: str, en: str, where: str) -> InvalidInput:
    return InvalidInput([FieldProblem("file", vi, en, where)])
