"""The yearly report as a DOCX laid out as a Vietnamese administrative report (Decree 30/2020).

Decree 30/2020/NĐ-CP, Appendix I: the layout of administrative documents.

A4 with the decree's margins, Times New Roman 13, the issuing body and the national motto at the
top, a number line and the place-and-date line, the title "BÁO CÁO" and its subject; then
I. results, II. assessment (facts pre-filled, room for the officer's words), III. direction for
next year, the "Nơi nhận" and signature blocks, and an appendix listing every published item.
The officer finishes and signs it in Word or LibreOffice.

The same ReportData gives the same document: nothing here reads a clock (the generation time is
the data's) and every list is in the data's order. The file is written whole or not at all.
"""

from __future__ import annotations

import io
from datetime import timedelta, tzinfo
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Pt

from content.report_data import ReportData
from content.targets import Names
from reports import docx_kit as kit
from reports import docx_stream
from reports import word_parts as parts
from reports.word_closing import closing
from reports.wording import (
    MOTTO,
    TITLE,
    Formalities,
    date_vi,
    place_and_date,
    plan_reference,
    subject,
)

NUMBER_LINE = "Số: ……/BC-……"
# The first page's two blocks; the table reaches 5 mm into the left margin so that the motto
# (about 98 mm at 12 pt bold) holds on one line, as the decree draws it.
LEFT_MM, RIGHT_MM, INDENT_MM = 65.0, 105.0, -5.0


def write_docx(
    data: ReportData,
    path: Path,
    *,
    tz: tzinfo,
    names: Names,
    year: int,
    issuer: str,
    department_name: str | None,
    version: str,
    formalities: Formalities | None = None,
) -> None:
    """Write the report of `data` to `path` atomically (a temporary file beside it, renamed).

    python-docx lays the document out with the appendix's header row only; its rows go
    straight into the file as it is written (reports.docx_stream). `formalities`: the signer,
    the recipients and the plan's date from config.yaml; without them, dotted lines to fill.
    """
    ctx = parts.Context(
        data, tz, names, year, issuer, department_name, version, formalities or Formalities()
    )
    document = build(ctx)
    package = io.BytesIO()
    document.save(package)
    del document  # the tree is no longer needed while the rows stream
    ctx.doc = ctx.links = None
    package.seek(0)
    when = data.generated_at.astimezone(tz)
    docx_stream.write(package, Path(path), ctx.streamed, when=when)


def build(ctx: parts.Context) -> DocxDocument:
    doc = Document()
    ctx.attach(doc)
    kit.style_document(doc)
    section = doc.sections[0]
    kit.page_setup(section)
    kit.page_numbers(section)
    _properties(ctx)
    _heading_blocks(ctx)
    _title(ctx)
    parts.results(ctx)
    parts.assessment(ctx)
    parts.direction(ctx)
    closing(ctx)
    parts.appendix(ctx)
    return doc


def _properties(ctx: parts.Context) -> None:
    props = ctx.doc.core_properties
    props.title = f"{TITLE} {subject(ctx.year)}"
    props.subject = subject(ctx.year)
    props.author = ctx.department_name or ctx.issuer
    props.last_modified_by = f"Loa {ctx.version}"
    props.comments = f"Loa {ctx.version}"
    props.created = props.modified = ctx.data.generated_at.replace(tzinfo=None)
    props.revision = 1


def _heading_blocks(ctx: parts.Context) -> None:
    """The issuing body (left) and the national motto (right), the number and the date below."""
    doc = ctx.doc
    table = doc.add_table(rows=2, cols=2)
    table.autofit = False
    kit.borderless(table)
    kit.fix_widths(table, (LEFT_MM, RIGHT_MM), indent_mm=INDENT_MM)
    left, right = table.cell(0, 0), table.cell(0, 1)
    # The body above (in regular type) and the issuing body itself (bold), Decree 30's item 2.
    names = (
        [(ctx.issuer, False), (ctx.department_name, True)]
        if ctx.department_name
        else [(ctx.issuer, True)]
    )
    paragraph = left.paragraphs[0]
    for number, (name, bold) in enumerate(names):
        for index, text in enumerate(kit.balanced_lines((name or "").upper())):
            paragraph = paragraph if number == 0 and index == 0 else left.add_paragraph()
            ctx.line(paragraph, text, size=12, bold=bold)
    rule = left.add_paragraph()
    ctx.line(rule, "", size=2)
    kit.rule_below(rule, indent_mm=LEFT_MM / 2 - 12)
    motto = right.paragraphs[0]
    ctx.line(motto, MOTTO[0], size=12, bold=True)
    words = right.add_paragraph()
    ctx.line(words, MOTTO[1], size=13, bold=True)
    rule = right.add_paragraph()
    ctx.line(rule, "", size=2)
    # The rule is as long as "Độc lập - Tự do - Hạnh phúc" (about 62 mm at 13 pt bold).
    kit.rule_below(rule, indent_mm=(RIGHT_MM - 62) / 2 - 1)
    ctx.line(table.cell(1, 0).paragraphs[0], NUMBER_LINE, size=13)
    when = place_and_date(ctx.data.generated_at, ctx.tz)
    ctx.line(table.cell(1, 1).paragraphs[0], when, size=13, italic=True)
    for cell in (table.cell(1, 0), table.cell(1, 1)):
        cell.paragraphs[0].paragraph_format.space_before = Pt(6)


def _title(ctx: parts.Context) -> None:
    doc = ctx.doc
    title = doc.add_paragraph()
    ctx.line(title, TITLE, size=14, bold=True)
    title.paragraph_format.space_before = Pt(18)
    title.paragraph_format.space_after = Pt(0)
    about = doc.add_paragraph()
    ctx.line(about, subject(ctx.year), size=14, bold=True)
    about.paragraph_format.space_after = Pt(0)
    rule = doc.add_paragraph()
    ctx.line(rule, "", size=2)
    kit.rule_below(rule, indent_mm=kit.text_width_mm(doc.sections[0]) / 2 - 25)
    rule.paragraph_format.space_after = Pt(12)
    data = ctx.data
    last_day = data.end - timedelta(microseconds=1)
    scope = f"{ctx.department_name}" if ctx.department_name else "toàn tỉnh"
    ctx.body(
        f"Kỳ báo cáo: từ ngày {date_vi(data.start, ctx.tz)} đến ngày "
        f"{date_vi(last_day, ctx.tz)}; phạm vi: {scope}.",
        italic=True,
    )
    made = data.generated_at.astimezone(ctx.tz)
    read = data.figures_read_at
    figures = (
        f"số liệu tương tác đọc đến ngày {date_vi(read, ctx.tz)}"
        if read is not None
        else "chưa có số liệu tương tác"
    )
    ctx.body(
        f"Số liệu do phần mềm Loa phiên bản {ctx.version} tổng hợp lúc {made:%H:%M} ngày "
        f"{date_vi(made, ctx.tz)}; {figures}.",
        italic=True,
    )
    ctx.body(
        f"Thực hiện {plan_reference(ctx.formalities.plan_date)}, kết quả thực hiện trong kỳ "
        "báo cáo như sau:"
    )
