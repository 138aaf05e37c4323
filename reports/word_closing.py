"""The DOCX report's closing (Decree 30/2020, Appendix I): "Nơi nhận" bottom-left, the signer
bottom-right, from config.yaml's `report:` where the office set it, else dotted lines to fill.
"""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from reports import docx_kit as kit
from reports.word_parts import Context
from reports.wording import TO_FILL, Formalities

DOTS = "………………………"
COMPILER = "Sở Thông tin và Truyền thông (để tổng hợp)"
SIGN_HINT = "(Ký, ghi rõ họ tên và đóng dấu)"
SIGNATURE_LINES = 4  # the room for the signature and the seal


def recipients(formalities: Formalities, department: bool) -> list[str]:
    """The "Nơi nhận" lines: "- <entry>;" each, the filing line "- Lưu: VT, <code>." last."""
    entries = list(formalities.recipients)
    if not entries:
        first = (
            "Sở Thông tin và Truyền thông (để tổng hợp)" if department else f"{DOTS} (để báo cáo)"
        )
        entries = [first, DOTS]
    filing = entries.pop() if entries[-1].startswith("Lưu") else None
    if filing is None:
        filing = f"Lưu: VT, {formalities.filed_by or TO_FILL}"
    return [f"- {entry};" for entry in entries] + [f"- {filing.rstrip('.;')}."]


def signer(formalities: Formalities) -> list[tuple[str, bool, bool]]:
    """The signature block's lines as (text, bold, italic): the title, room for the signature
    (with a hint when nobody is named), the name."""
    titles = [title.upper() for title in formalities.signer_title] or [DOTS]
    lines = [(title, True, False) for title in titles]
    if not formalities.signer_name:
        lines.append((SIGN_HINT, False, True))
    lines += [("", False, False)] * SIGNATURE_LINES
    lines.append((formalities.signer_name or DOTS, True, False))
    return lines


def closing(ctx: Context) -> None:
    doc = ctx.doc
    spacer = doc.add_paragraph()
    spacer.paragraph_format.space_after = Pt(0)
    width = kit.text_width_mm(doc.sections[0])
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    kit.borderless(table)
    kit.fix_widths(table, (width * 0.45, width * 0.55))
    left, right = table.cell(0, 0), table.cell(0, 1)
    heading = left.paragraphs[0]
    ctx.line(heading, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in recipients(ctx.formalities, ctx.department_name is not None):
        ctx.line(left.add_paragraph(), line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    paragraph = right.paragraphs[0]
    for number, (text, bold, italic) in enumerate(signer(ctx.formalities)):
        paragraph = paragraph if number == 0 else right.add_paragraph()
        ctx.line(paragraph, text, size=13, bold=bold, italic=italic)
