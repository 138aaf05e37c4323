"""The evidence sheets of the XLSX, streamed: 250,000 rows in seconds, within bounded memory.

openpyxl builds each evidence sheet's frame (header row, frozen pane, filter, column widths,
the cell styles); then, while the workbook is copied into its final file, the rows are written
straight into that sheet's XML. openpyxl's own cells cost about 50 µs each, and a year's list
holds 3.5 million of them: far beyond the report's 15 seconds.

Excel keeps at most 65,530 hyperlinks in a worksheet, so a longer list continues on further
sheets ("Danh sách bài đăng (2)", ...), each with its own header, filter and links.
"""

from __future__ import annotations

import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path

from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from content.labels import metric_label
from content.stats import PublishedRow
from reports.evidence import Evidence
from reports.wording import EVIDENCE_COLUMNS, EVIDENCE_METRICS

EVIDENCE_SHEET = "Danh sách bài đăng"
HYPERLINKS_PER_SHEET = 65_530  # Excel's limit of hyperlinks in one worksheet
# Figures read 1.234.567 whatever the reader's locale: the dots are literal characters, so an
# English-locale Excel does not turn them into commas. The cells stay numbers (they add up).
NUMBER_FORMAT = r"[>=1000000]#\.###\.##0;[>=1000]#\.##0;0"
DATE_FORMAT = r"dd\/mm\/yyyy"  # "\/": a literal slash, not the locale's date separator
WIDTHS = (12, 30, 28, 14, 60, 28, 22, 50) + (13,) * len(EVIDENCE_METRICS)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
EXCEL_EPOCH = date(1899, 12, 30)
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_LINK_TYPE = _REL_NS + "/hyperlink"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
# Characters XML 1.0 cannot carry at all: Excel refuses the whole file if one slips in.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MARKUP = re.compile('[&<>"]')
_CHUNK_ROWS = 2000
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


def evidence_headers_two_lines() -> list[str]:
    """Each column's name, Vietnamese on the first line and English under it."""
    names = [f"{vi}\n{en}" for _key, vi, en in EVIDENCE_COLUMNS]
    names += [f"{metric_label(m, 'vi')}\n{metric_label(m, 'en')}" for m in EVIDENCE_METRICS]
    return names


def part_names(count: int) -> list[str]:
    """The evidence sheets `count` rows need (at least one, even for an empty period)."""
    parts = max(1, -(-count // HYPERLINKS_PER_SHEET))
    return [EVIDENCE_SHEET if n == 1 else f"{EVIDENCE_SHEET} ({n})" for n in range(1, parts + 1)]


@dataclass(frozen=True)
class _Styles:
    date: int
    number: int
    link: int


@dataclass(frozen=True)
class EvidenceFrame:
    """What the streaming needs of the frames openpyxl wrote: the sheets' files, the styles."""

    sheet_files: list[str]  # zip member of each evidence sheet, in order
    styles: _Styles


def add_frames(workbook: Workbook, count: int, empty_note: str) -> EvidenceFrame:
    """Evidence sheets with their header row, frozen pane, filter and widths, rows to come."""
    columns = len(WIDTHS)
    last_column = get_column_letter(columns)
    files = []
    names = part_names(count)
    for number, name in enumerate(names):
        sheet = workbook.create_sheet(name)
        for column, header in enumerate(evidence_headers_two_lines(), start=1):
            cell = sheet.cell(row=1, column=column, value=header)
            cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
        for column, width in enumerate(WIDTHS, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.row_dimensions[1].height = 32
        sheet.freeze_panes = "A2"
        rows = min(HYPERLINKS_PER_SHEET, count - number * HYPERLINKS_PER_SHEET)
        sheet.auto_filter.ref = f"A1:{last_column}{1 + max(rows, 0)}"
        if count == 0:
            sheet.cell(row=2, column=1, value=empty_note).font = Font(italic=True)
        files.append(f"xl/worksheets/sheet{workbook.worksheets.index(sheet) + 1}.xml")
    # Cells never added to a sheet: only their styles are registered with the workbook.
    anchor = workbook.worksheets[0]
    dated, number_cell, link = (Cell(anchor, row=1, column=1) for _ in range(3))
    dated.number_format = DATE_FORMAT
    number_cell.number_format = NUMBER_FORMAT
    link.style = "Hyperlink"
    return EvidenceFrame(files, _Styles(dated.style_id, number_cell.style_id, link.style_id))


def save_with_evidence(
    workbook: Workbook,
    frame: EvidenceFrame,
    rows: Iterable[PublishedRow],
    count: int,
    evidence: Evidence,
    path: Path,
) -> None:
    """The workbook into `path`, the `count` evidence `rows` streamed into the frames' sheets in
    turn (each holds HYPERLINKS_PER_SHEET): the rows are read once and never held."""
    built = BytesIO()
    workbook.save(built)
    pending = iter(rows)
    with (
        zipfile.ZipFile(built) as source,
        # Level 1: the evidence compresses about as well and several times faster than level 6.
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        present = set(source.namelist())
        for name in frame.sheet_files:
            if name not in present or _rels_of(name) in present:
                raise RuntimeError(f"unexpected layout of the evidence sheet {name}")
        sizes = {
            name: max(0, min(HYPERLINKS_PER_SHEET, count - number * HYPERLINKS_PER_SHEET))
            for number, name in enumerate(frame.sheet_files)
        }
        for info in source.infolist():
            size = sizes.get(info.filename)
            if not size:
                target.writestr(info, source.read(info))
                continue
            xml = source.read(info).decode("utf-8")
            part = itertools.islice(pending, size)
            links = _stream_sheet(xml, part, size, evidence, frame.styles, target, info.filename)
            if links:
                target.writestr(_rels_of(info.filename), _rels_xml(links))


def _rels_of(sheet_file: str) -> str:
    folder, _, name = sheet_file.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


def _stream_sheet(
    xml: str,
    rows: Iterator[PublishedRow],
    count: int,
    evidence: Evidence,
    styles: _Styles,
    target: zipfile.ZipFile,
    name: str,
) -> list[tuple[int, str]]:
    """The frame's XML with `rows` after its header row; returns the links and their rows."""
    head, found, rest = xml.partition("</sheetData>")
    if not found:
        raise RuntimeError(f"no sheetData in {name}")
    last_column = get_column_letter(len(WIDTHS))
    head = head.replace('<worksheet xmlns="', f'<worksheet xmlns:r="{_REL_NS}" xmlns="', 1)
    head = re.sub(
        r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last_column}{count + 1}"/>', head
    )
    links: list[tuple[int, str]] = []
    escaped: dict[str, str] = {}  # names repeat on every row: escaped once
    with target.open(name, "w", force_zip64=True) as out:
        out.write(head.encode("utf-8"))
        first = 2
        while chunk := list(itertools.islice(rows, _CHUNK_ROWS)):
            out.write(_rows_xml(chunk, first, evidence, styles, links, escaped).encode("utf-8"))
            first += len(chunk)
        tail = found + rest
        if links:
            marks = "".join(
                f'<hyperlink ref="H{row}" r:id="rId{n}"/>' for n, (row, _) in enumerate(links, 1)
            )
            at = _hyperlinks_position(tail)
            tail = f"{tail[:at]}<hyperlinks>{marks}</hyperlinks>{tail[at:]}"
        out.write(tail.encode("utf-8"))
    return links


def _rows_xml(
    rows: Sequence[PublishedRow],
    first: int,
    evidence: Evidence,
    styles: _Styles,
    links: list[tuple[int, str]],
    escaped: dict[str, str],
) -> str:
    sd, sn, sl = styles.date, styles.number, styles.link
    out: list[str] = []
    for number, published in enumerate(rows, first):
        row = evidence.row(published)
        day = (row.published - EXCEL_EPOCH).days
        out.append(f'<row r="{number}"><c r="A{number}" s="{sd}"><v>{day}</v></c>')
        for column, value in zip(
            "BCDFG", (row.department, row.channel, row.platform, row.topic, row.pillar), strict=True
        ):
            if value:
                text = escaped.get(value)
                if text is None:
                    text = escaped.setdefault(value, _escape(value))
                out.append(f'<c r="{column}{number}" t="inlineStr"><is><t>{text}</t></is></c>')
        title = _escape(row.title)
        out.append(
            f'<c r="E{number}" t="inlineStr"><is><t xml:space="preserve">{title}</t></is></c>'
        )
        if row.url:
            url = _escape(row.url)
            links.append((number, url))
            out.append(f'<c r="H{number}" s="{sl}" t="inlineStr"><is><t>{url}</t></is></c>')
        for column, figure in zip("IJKLMN", row.figures, strict=True):
            if figure is not None:
                out.append(f'<c r="{column}{number}" s="{sn}"><v>{figure}</v></c>')
        out.append("</row>")
    return "".join(out)


def _escape(text: str) -> str:
    if _NOT_XML.search(text):
        text = _NOT_XML.sub("", text)
    if _MARKUP.search(text):
        # Chained replaces: str.translate is several times slower on Vietnamese text.
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = text.replace('"', "&quot;")
    return text


def _hyperlinks_position(tail: str) -> int:
    """Where <hyperlinks> goes: before the first element the schema puts after it."""
    for tag in (
        "<printOptions",
        "<pageMargins",
        "<pageSetup",
        "<headerFooter",
        "<drawing",
        "</worksheet>",
    ):
        at = tail.find(tag)
        if at >= 0:
            return at
    raise RuntimeError("no end to the worksheet")


def _rels_xml(links: list[tuple[int, str]]) -> str:
    items = "".join(
        f'<Relationship Id="rId{n}" Type="{_LINK_TYPE}" Target="{url}" TargetMode="External"/>'
        for n, (_, url) in enumerate(links, 1)
    )
    return f'{_XML_DECLARATION}<Relationships xmlns="{_PKG_RELS}">{items}</Relationships>'
