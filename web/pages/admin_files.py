"""What the administrators' lists share: reading a day typed in a filter, a local period as UTC,
and a table as a CSV or XLSX download.

CSV downloads are UTF-8 with a byte order mark (Excel reads a CSV without one in the machine's
code page and the diacritics come out garbled), CRLF as RFC 4180 says, and every text cell a
spreadsheet would run as a formula neutralised as `loa export` and the report's CSV do
(`content.import_files.neutralise_formula`). In XLSX every text cell is written as text, which
no spreadsheet evaluates, so a title is kept exactly as typed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from starlette.responses import Response

from content.errors import FieldProblem
from content.import_files import neutralise_formula
from content.timeutil import EARLIEST, LATEST
from web.pages.reports import content_disposition

Cell = str | int | float | datetime | None  # datetimes: local wall-clock, naive
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
VI_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def read_day(
    text: str, field: str, label: tuple[str, str]
) -> tuple[date | None, FieldProblem | None]:
    """A day typed as 2026-08-08 (a date input) or 08/08/2026; empty is no limit."""
    text = text.strip()
    if not text:
        return None, None
    iso, vietnamese = ISO_DAY.match(text), VI_DAY.match(text)
    try:
        if iso:
            day = date(int(iso[1]), int(iso[2]), int(iso[3]))
        elif vietnamese:
            day = date(int(vietnamese[3]), int(vietnamese[2]), int(vietnamese[1]))
        else:
            raise ValueError(text)
        if not EARLIEST.date() <= day < LATEST.date():
            raise ValueError(text)
    except ValueError:
        shown = text[:40]
        return None, FieldProblem(
            field,
            f"{label[0]}: không đọc được ngày “{shown}”; hãy ghi dạng dd/mm/yyyy, ví dụ"
            f" 08/08/2026, từ năm {EARLIEST.year} đến {LATEST.year - 1}.",
            f"{label[1]}: cannot read the day {shown!r}; write it as dd/mm/yyyy, e.g."
            f" 08/08/2026, from {EARLIEST.year} to {LATEST.year - 1}",
        )
    return day, None


def period_problem(first: date | None, last: date | None) -> FieldProblem | None:
    if first is not None and last is not None and last < first:
        return FieldProblem(
            "to",
            "Ngày kết thúc đứng trước ngày bắt đầu; hãy đổi lại.",
            "the last day comes before the first; swap them",
        )
    return None


def local_period(
    first: date | None, last: date | None, zone: tzinfo
) -> tuple[datetime | None, datetime | None]:
    """Whole local days [first, last] as [start, end) instants (aware, in `zone`)."""
    start = datetime.combine(first, time(), zone) if first is not None else None
    end = datetime.combine(last + timedelta(days=1), time(), zone) if last is not None else None
    return start, end


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    return neutralise_formula(value) if isinstance(value, str) else value


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(sheet: Any, value: Cell) -> Any:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "dd/mm/yyyy hh:mm"  # a real date: sorts and filters as one
        return cell
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"  # never "f": a title starting with "=" stays a title
    return cell


def download(body: bytes, name: str, kind: str) -> Response:
    media_type = CSV_TYPE if kind == "csv" else XLSX_TYPE
    return Response(
        body, media_type=media_type, headers={"content-disposition": content_disposition(name)}
    )
