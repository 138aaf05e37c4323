"""What python-docx does not say directly, for a Decree 30 document: fonts set on every script,
page-number fields, short rules under a line, hyperlinks, header rows that repeat, and tables
built straight in XML.

Tables are written as XML text, not through python-docx's cell objects: an appendix holds a year
of posts (hundreds of thousands of rows), and python-docx looks cells up and numbers
relationships in time that grows with the table, which a year's report cannot afford.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import parse_xml
from docx.section import Section
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

FONT = "Times New Roman"
BODY_PT = 13
TABLE_PT = 11
TABLE_STYLE = "TableText"
LINK_STYLE = "Hyperlink"
LINK_COLOUR = "0563C1"
TWIPS_PER_MM = 1440 / 25.4
# Characters XML 1.0 cannot hold: a title pasted with one must not make the file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


_NOT_PLAIN = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def xml_text(text: str) -> str:
    """`text` as XML character data, without the characters XML 1.0 forbids. Most text needs
    nothing done, and one search finds that out quicker than cleaning and escaping it."""
    if _NOT_PLAIN.search(text) is None:
        return text
    return escape(clean(text))


def set_fonts(rpr: Any) -> None:
    """Times New Roman for every script, theme fonts dropped (they would win over it)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = etree.SubElement(rpr, qn("w:rFonts"))
        rpr.remove(fonts)
        rpr.insert(0, fonts)
    for key in list(fonts.attrib):
        if key.endswith("Theme"):
            del fonts.attrib[key]
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), FONT)


def style_document(doc: Document) -> None:
    """Times New Roman 13 everywhere, black headings, a compact style for table text."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            set_fonts(rpr)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    set_fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.0
    for level in (1, 2):
        heading = doc.styles[f"Heading {level}"]
        set_fonts(heading.element.get_or_add_rPr())
        heading.font.size = Pt(BODY_PT)
        heading.font.bold = True
        heading.font.italic = False
        heading.font.color.rgb = None
        color = heading.element.rPr.find(qn("w:color"))
        if color is not None:
            heading.element.rPr.remove(color)
        heading.paragraph_format.space_before = Pt(12 if level == 1 else 6)
        heading.paragraph_format.space_after = Pt(6)
        heading.paragraph_format.keep_with_next = True
    table_text = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    table_text.font.size = Pt(TABLE_PT)
    table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.first_line_indent = Mm(0)
    link = doc.styles.add_style(LINK_STYLE, WD_STYLE_TYPE.CHARACTER)
    link.font.underline = True
    rpr = link.element.get_or_add_rPr()
    colour = etree.SubElement(rpr, qn("w:color"))
    colour.set(qn("w:val"), LINK_COLOUR)


def page_setup(section: Section, *, landscape: bool = False) -> None:
    """A4; top and bottom 20 mm, left 30 mm, right 15 mm (Decree 30/2020, Appendix I)."""
    long_side, short_side = Mm(297), Mm(210)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width = long_side if landscape else short_side
    section.page_height = short_side if landscape else long_side
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = section.footer_distance = Mm(10)


def text_width_mm(section: Section) -> float:
    width = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
    return width / 36000  # EMU per mm


def page_numbers(section: Section) -> None:
    """The page number centred in the top margin, not on the first page (Decree 30)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_field(paragraph, "PAGE", "1")


def add_field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A field Word and LibreOffice update themselves (PAGE: the page number)."""
    p = paragraph._p
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", shown),
                       ("end", None)):  # fmt: skip
        run = etree.SubElement(p, qn("w:r"))
        if kind == "instr":
            instr = etree.SubElement(run, qn("w:instrText"))
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
        elif kind == "text":
            etree.SubElement(run, qn("w:t")).text = text
        else:
            etree.SubElement(run, qn("w:fldChar")).set(qn("w:fldCharType"), kind)


def rule_below(paragraph: Paragraph, *, indent_mm: float = 0, space_pt: int = 1) -> None:
    """A solid line under `paragraph`, shortened by `indent_mm` on each side (the decree's short
    rules under the issuer's name, the motto and the subject)."""
    paragraph.paragraph_format.left_indent = Mm(indent_mm)
    paragraph.paragraph_format.right_indent = Mm(indent_mm)
    ppr = paragraph._p.get_or_add_pPr()
    borders = etree.SubElement(ppr, qn("w:pBdr"))
    # pBdr must come before the spacing/indentation elements of pPr.
    ppr.remove(borders)
    anchor = next((child for child in ppr if child.tag in _AFTER_PBDR), None)
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        ppr.append(borders)
    bottom = etree.SubElement(borders, qn("w:bottom"))
    for key, value in (
        ("val", "single"),
        ("sz", "6"),
        ("space", str(space_pt)),
        ("color", "000000"),
    ):
        bottom.set(qn(f"w:{key}"), value)


_AFTER_PBDR = {qn(f"w:{name}") for name in (
    "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct",
    "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
    "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
    "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr",
    "pPrChange")}  # fmt: skip


# --- tables ------------------------------------------------------------------------------------


@dataclass(slots=True)  # not frozen: a frozen dataclass is slow to make, and the appendix makes
class Link:  # one per row
    text: str
    url: str


Cell = str | Link | Sequence[str]  # a sequence: one line each


class Links:
    """External hyperlink relationships of one part, numbered without scanning the others."""

    def __init__(self, part: Part) -> None:
        self.part = part
        self.known: dict[str, str] = {}

    def rid(self, url: str) -> str:
        found = self.known.get(url)
        if found is None:
            found = f"rIdLink{len(self.known) + 1}"
            self.part.rels.add_relationship(RT.HYPERLINK, url, found, is_external=True)
            self.known[url] = found
        return found


def add_table(
    doc: Document,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    widths_mm: Sequence[float],
    links: Links,
    *,
    total: Sequence[str] | None = None,
    numeric: Sequence[int] = (),
    marker: Any = None,
) -> Table:
    """A bordered table whose header row repeats on every page, rows kept whole across pages.

    `numeric`: the columns aligned right (figures); `total`: a bold closing row; `marker`: an
    element put after the rows, where reports.docx_stream writes the rest of them.
    """
    table: Table = doc.add_table(rows=0, cols=len(widths_mm))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    tbl = table._tbl
    twips = [round(w * TWIPS_PER_MM) for w in widths_mm]
    for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), twips, strict=True):
        col.set(qn("w:w"), str(width))
    builder = _Rows(tbl, RowXml(twips, set(numeric), links.rid))
    builder.add(headers, header=True)
    for row in rows:
        builder.add(row)
    if total is not None:
        builder.add(total, bold=True)
    builder.flush()
    if marker is not None:
        tbl.append(marker)
    return table


class RowXml:
    """A table row as WordprocessingML text; `rid` gives the relationship id of a link's URL.

    Text, not python-docx's element classes: a year's appendix holds 250,000 rows, and building
    them element by element takes minutes. What a body cell's XML holds before and after its
    text is the same for every row of a column, so it is made once; `template` goes further
    for a table whose rows all have the same shape.
    """

    def __init__(self, twips: list[int], numeric: set[int], rid: Callable[[str], str]) -> None:
        self.twips, self.numeric, self.rid = twips, numeric, rid
        self.widths = [f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>' for width in twips]
        self.body = [
            f"{width}</w:tcPr>{_paragraph_head('right' if index in numeric else None)}"
            for index, width in enumerate(self.widths)
        ]

    def __call__(self, cells: Sequence[Cell], *, header: bool = False, bold: bool = False) -> str:
        if len(cells) != len(self.twips):
            raise ValueError(f"{len(cells)} cells in a table of {len(self.twips)} columns")
        out = ["<w:tr><w:trPr><w:cantSplit/>", "<w:tblHeader/>" if header else "", "</w:trPr>"]
        for index, cell in enumerate(cells):
            if header or bold:
                out.append(self.widths[index])
                out.append(_HEADER_SHADE if header else "")
                out.append("</w:tcPr>")
                align = "center" if header else ("right" if index in self.numeric else None)
                out.append(_paragraph_head(align))
            else:
                out.append(self.body[index])
            out.append(self._runs(cell, bold or header))
            out.append("</w:p></w:tc>")
        out.append("</w:tr>")
        return "".join(out)

    def template(self, links: Sequence[bool]) -> bytes:
        """A body row as a bytes %-format (UTF-8): each cell takes its text as XML (`xml_text`,
        lines joined by LINE_BREAK, encoded), a link cell (where `links` says) its relationship
        id then its text.

        The same XML as a row of Cells gives, at one formatting per row and no encoding of the
        whole row: the path a year's appendix takes 250,000 times.
        """
        if len(links) != len(self.twips):
            raise ValueError(f"{len(links)} cells in a table of {len(self.twips)} columns")
        out = [_ROW]
        for head, link in zip(self.body, links, strict=True):
            out.append(head.replace("%", "%%"))
            out.append(_LINK_CELL if link else _TEXT_CELL)
        out.append("</w:tr>")
        return "".join(out).encode()

    def _runs(self, cell: Cell, bold: bool) -> str:
        if isinstance(cell, Link):
            run = _run(cell.text, bold, f'<w:rStyle w:val="{LINK_STYLE}"/>')
            return f'<w:hyperlink r:id="{self.rid(cell.url)}">{run}</w:hyperlink>'
        if isinstance(cell, str):
            return _run(cell, bold)
        return "".join(_run(line, bold, br=number > 0) for number, line in enumerate(cell))


class _Rows:
    """Rows parsed into the table a chunk at a time (parsing text is far quicker than building
    elements one by one)."""

    CHUNK = 2000

    def __init__(self, tbl: Any, xml: RowXml) -> None:
        self.tbl, self.xml = tbl, xml
        self.pending: list[str] = []

    def add(self, cells: Sequence[Cell], *, header: bool = False, bold: bool = False) -> None:
        self.pending.append(self.xml(cells, header=header, bold=bold))
        if len(self.pending) >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        chunk = parse_xml(f"<w:tbl {nsdecls('w', 'r')}>{''.join(self.pending)}</w:tbl>")
        self.tbl.extend(list(chunk))
        self.pending = []


_HEADER_SHADE = '<w:shd w:val="clear" w:color="auto" w:fill="E7ECF5"/>'


def _paragraph_head(align: str | None) -> str:
    jc = f'<w:jc w:val="{align}"/>' if align else ""
    return f'<w:p><w:pPr><w:pStyle w:val="{TABLE_STYLE}"/>{jc}</w:pPr>'


_RUN = '<w:r><w:t xml:space="preserve">'
_END_RUN = "</w:t></w:r>"
_ROW = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
# Between two lines of a cell's text (XML text already): what _run writes for a second line.
LINE_BREAK = _END_RUN + '<w:r><w:br/><w:t xml:space="preserve">'
_TEXT_CELL = _RUN + "%s" + _END_RUN + "</w:p></w:tc>"
_LINK_CELL = (
    '<w:hyperlink r:id="%s"><w:r><w:rPr><w:rStyle w:val="' + LINK_STYLE + '"/></w:rPr>'
    '<w:t xml:space="preserve">%s' + _END_RUN + "</w:hyperlink></w:p></w:tc>"
)


def _run(text: str, bold: bool, style: str = "", *, br: bool = False) -> str:
    props = f"<w:rPr>{style}{'<w:b/>' if bold else ''}</w:rPr>" if (style or bold) else ""
    brk = "<w:br/>" if br else ""
    return f'<w:r>{props}{brk}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'


def add_paragraphs(doc: Document, paragraphs: Iterable[str], chunk: int = 2000) -> None:
    """`paragraphs` (each a <w:p> as XML text) at the end of the body, parsed a chunk at a
    time: python-docx's add_paragraph costs about a millisecond each, and a list can be long."""
    body = doc.element.body
    end = body.find(qn("w:sectPr"))
    pending: list[str] = []

    def flush() -> None:
        parsed = parse_xml(f"<w:body {nsdecls('w', 'r')}>{''.join(pending)}</w:body>")
        for paragraph in list(parsed):
            if end is not None:
                end.addprevious(paragraph)
            else:
                body.append(paragraph)
        pending.clear()

    for paragraph in paragraphs:
        pending.append(paragraph)
        if len(pending) >= chunk:
            flush()
    if pending:
        flush()


def borderless(table: Table) -> None:
    """No borders: the layout tables of the first page's blocks and the closing blocks."""
    tblpr = table._tbl.tblPr
    borders = etree.Element(qn("w:tblBorders"))
    later = {qn(f"w:{name}") for name in ("shd", "tblLayout", "tblCellMar", "tblLook")}
    anchor = next((child for child in tblpr if child.tag in later), None)
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        tblpr.append(borders)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        etree.SubElement(borders, qn(f"w:{side}")).set(qn("w:val"), "nil")


def fix_widths(table: Table, widths_mm: Sequence[float], *, indent_mm: float = 0) -> None:
    """Column widths both as the grid (LibreOffice reads it) and per cell (Word reads those);
    `indent_mm` < 0 lets the table reach into the left margin."""
    tbl = table._tbl
    twips = [round(w * TWIPS_PER_MM) for w in widths_mm]
    for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), twips, strict=True):
        col.set(qn("w:w"), str(width))
    for row in table.rows:
        for cell, millimetres in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(millimetres)
    if indent_mm:
        indent = etree.Element(qn("w:tblInd"))
        indent.set(qn("w:w"), str(round(indent_mm * TWIPS_PER_MM)))
        indent.set(qn("w:type"), "dxa")
        later = {qn(f"w:{name}") for name in ("tblBorders", "shd", "tblLayout", "tblCellMar",
                                              "tblLook")}  # fmt: skip
        anchor = next((child for child in tbl.tblPr if child.tag in later), None)
        if anchor is not None:
            anchor.addprevious(indent)
        else:
            tbl.tblPr.append(indent)


def balanced_lines(text: str, longest: int = 24) -> list[str]:
    """`text` in two lines of about equal length when it is longer than `longest` characters:
    "ỦY BAN NHÂN DÂN" / "TỈNH THỪA THIÊN HUẾ", not a lone "HUẾ" where the cell runs out."""
    words = text.split()
    if len(text) <= longest or len(words) < 2:
        return [text]
    best = min(range(1, len(words)), key=lambda n: (
        max(len(" ".join(words[:n])), len(" ".join(words[n:]))), -n))  # fmt: skip
    return [" ".join(words[:best]), " ".join(words[best:])]
