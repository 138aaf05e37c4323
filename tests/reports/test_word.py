"""The DOCX report opened with python-docx: Decree 30's layout, figures that match the database.

The totals are checked against a recount made here with plain queries on Delivery rows, not
against ReportData, so a mistake in the report's reading or in its writing both show.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from sqlmodel import select

from content.db import Database
from content.labels import figure
from content.models import Channel, Delivery, DeliveryMetrics, DeliveryState, Post
from content.report_data import ReportData
from content.stats import PublishedRow
from content.timeutil import as_utc
from reports.word import write_docx
from reports.word_parts import NOTHING_PUBLISHED, grouped
from tests.reports.year_data import END, HCM, NAMES, START, TITLES, report_of

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("LOA_TEST_REPORTS") or ROOT / "test-artifacts/reports")
IN_CI = os.environ.get("CI", "").lower() == "true"
VERSION = "0.1.0-test"


def _write(data: ReportData, path: Path, department_name: str | None = None) -> DocxDocument:
    write_docx(data, path, tz=HCM, names=NAMES, year=2026,
               issuer="Ủy ban nhân dân tỉnh Thừa Thiên Huế",
               department_name=department_name, version=VERSION)  # fmt: skip
    return Document(str(path))


@pytest.fixture
def docx_path(year: Database, tmp_path: Path) -> Path:
    path = tmp_path / "bao-cao-2026.docx"
    _write(report_of(year), path, "Sở Thông tin và Truyền thông")
    return path


def _blocks(doc: DocxDocument) -> Iterator[Paragraph | Table]:
    """The body's paragraphs and tables in document order."""
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, doc)
        elif child.tag == qn("w:tbl"):
            yield Table(child, doc)


def _captioned_tables(doc: DocxDocument) -> dict[str, Table]:
    """Each data table by the caption above it ("Bảng 2. Số bài đăng theo kênh")."""
    found, caption = {}, None
    for block in _blocks(doc):
        if isinstance(block, Paragraph):
            if block.text.startswith("Bảng "):
                caption = block.text.split(". ", 1)[1]
        elif caption is not None:
            found[caption] = block
            caption = None
    return found


def _number(text: str) -> int:
    return int(text.replace(".", ""))


def _published(db: Database) -> list[tuple[Any, ...]]:
    """The recount: published deliveries of the period, straight from the tables."""
    with db.read() as session:
        query = (
            select(Delivery, Post, Channel, DeliveryMetrics)
            .join(Post, Post.id == Delivery.post_id)  # type: ignore[arg-type]
            .join(Channel, Channel.id == Delivery.channel_id)  # type: ignore[arg-type]
            .outerjoin(DeliveryMetrics, DeliveryMetrics.delivery_id == Delivery.id)  # type: ignore[arg-type]
            .where(
                Delivery.state == DeliveryState.published,
                Delivery.published_at >= START,  # type: ignore[operator]
                Delivery.published_at < END,  # type: ignore[operator]
            )
        )
        return [tuple(row) for row in session.exec(query).all()]


def test_the_first_page_has_the_decree_30_blocks(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    top = doc.tables[0]
    left = [p for p in top.cell(0, 0).paragraphs if p.text]
    # Each name in two balanced lines: the body above in regular type, the issuer in bold.
    assert [p.text for p in left] == ["ỦY BAN NHÂN DÂN", "TỈNH THỪA THIÊN HUẾ",
                                      "SỞ THÔNG TIN VÀ", "TRUYỀN THÔNG"]  # fmt: skip
    assert [bool(p.runs[0].bold) for p in left] == [False, False, True, True]
    motto = [p for p in top.cell(0, 1).paragraphs if p.text]
    assert [p.text for p in motto] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                       "Độc lập - Tự do - Hạnh phúc"]  # fmt: skip
    assert all(p.runs[0].bold for p in motto)
    # The line under the motto: a bottom border on the paragraph right below it.
    under = top.cell(0, 1).paragraphs[2]._p.pPr
    assert under is not None
    assert under.find(f"{qn('w:pBdr')}/{qn('w:bottom')}") is not None
    assert top.cell(1, 0).text.startswith("Số: ") and "/BC-" in top.cell(1, 0).text
    date_line = top.cell(1, 1).paragraphs[0]
    # 20 October 2026, 16:05 in Huế.
    assert date_line.text == "Thừa Thiên Huế, ngày 20 tháng 10 năm 2026"
    assert date_line.runs[0].italic
    texts = [p.text for p in doc.paragraphs]
    title = doc.paragraphs[texts.index("BÁO CÁO")]
    assert title.runs[0].bold and title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    subject = doc.paragraphs[texts.index("BÁO CÁO") + 1]
    assert subject.text == "Kết quả thực hiện công tác tuyên truyền, quảng bá ASEAN năm 2026"


def test_a4_with_the_decrees_margins_times_new_roman_and_page_numbers(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    first, appendix = doc.sections
    # Word stores twips: 210 mm is 11906 of them, a few hundredths of a millimetre off.
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)  # type: ignore[union-attr]
    assert (round(appendix.page_width.mm), round(appendix.page_height.mm)) == (297, 210)  # type: ignore[union-attr]
    for section in doc.sections:
        assert 20 <= round(section.top_margin.mm) <= 25  # type: ignore[union-attr]
        assert 20 <= round(section.bottom_margin.mm) <= 25  # type: ignore[union-attr]
        assert 30 <= round(section.left_margin.mm) <= 35  # type: ignore[union-attr]
        assert 15 <= round(section.right_margin.mm) <= 20  # type: ignore[union-attr]
    for name in ("Normal", "Heading 1", "Heading 2"):
        style = doc.styles[name]
        fonts = style.element.rPr.find(qn("w:rFonts"))
        assert {fonts.get(qn(f"w:{k}")) for k in ("ascii", "hAnsi", "eastAsia", "cs")} == {
            "Times New Roman"
        }
        assert not [key for key in fonts.attrib if key.endswith("Theme")]
    assert doc.styles["Normal"].font.size.pt == 13
    # The page number: a PAGE field in the header, not on the first page (Decree 30).
    assert first.different_first_page_header_footer
    instructions = [t.text for t in first.header._element.iter(qn("w:instrText"))]
    assert [i.strip() for i in instructions] == ["PAGE"]


def test_numbered_headings_for_results_assessment_and_next_year(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    top = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert top == ["I. KẾT QUẢ THỰC HIỆN", "II. ĐÁNH GIÁ", "III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2027"]
    second = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert "2. Kết quả theo tháng" in second and "8. Các ngày kỷ niệm, sự kiện ASEAN" in second
    assert "5. Nhận xét, đánh giá của đơn vị" in second and "4. Kiến nghị, đề xuất" in second
    texts = [p.text for p in doc.paragraphs]
    assert "PHỤ LỤC" in texts and "Nơi nhận:" in "".join(c.text for c in doc.tables[-2]._cells)


def test_period_generation_time_figures_date_and_version_are_printed(docx_path: Path) -> None:
    text = "\n".join(p.text for p in Document(str(docx_path)).paragraphs)
    assert "Kỳ báo cáo: từ ngày 01/11/2025 đến ngày 31/10/2026" in text
    assert "Loa phiên bản 0.1.0-test tổng hợp lúc 16:05 ngày 20/10/2026" in text
    assert "số liệu tương tác đọc đến ngày 05/10/2026" in text


def test_every_data_table_repeats_its_header_row(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    data_tables = [t for t in doc.tables if t.style is not None and t.style.name == "Table Grid"]
    assert len(data_tables) == 9  # six breakdowns, the widest reach, the shortfalls, the appendix
    for table in data_tables:
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])


def test_every_total_equals_a_recount_from_the_database(year: Database, docx_path: Path) -> None:
    recount = _published(year)
    assert len(recount) == 5
    keys = {
        "Số bài đăng theo kênh": lambda d, p, c: NAMES.of("channel", d.channel_id)[0],
        "Số bài đăng theo đơn vị": lambda d, p, c: NAMES.of("department", p.department_code)[0],
        "Số bài đăng theo tháng": lambda d, p, c: f"{as_utc(d.published_at).astimezone(HCM):%m/%Y}",
    }
    tables = _captioned_tables(Document(str(docx_path)))
    views = sum((m.figures.get("views") or 0) for *_, m in recount if m is not None)
    for caption, key in keys.items():
        deliveries: Counter[str] = Counter()
        posts: dict[str, set[int]] = defaultdict(set)
        for delivery, post, channel, _ in recount:
            deliveries[key(delivery, post, channel)] += 1
            posts[key(delivery, post, channel)].add(post.id)
        table = tables[caption]
        headers = [cell.text for cell in table.rows[0].cells]
        body = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows[1:]}
        total = body.pop("Tổng cộng")
        assert {k: _number(v[2]) for k, v in body.items()} == dict(deliveries)
        assert {k: _number(v[1]) for k, v in body.items()} == {k: len(v) for k, v in posts.items()}
        assert _number(total[2]) == len(recount) and _number(total[1]) == len(
            {post.id for _, post, _, _ in recount}
        )
        assert _number(total[headers.index("Lượt xem")]) == views == 1350


def test_the_appendix_lists_every_item_with_a_real_hyperlink(
    year: Database, docx_path: Path
) -> None:
    doc = Document(str(docx_path))
    appendix = doc.tables[-1]
    assert [c.text for c in appendix.rows[0].cells][:5] == ["STT", "Ngày đăng", "Đơn vị", "Kênh",
                                                            "Tiêu đề"]  # fmt: skip
    recount = sorted(_published(year), key=lambda r: (r[0].published_at, r[0].id))
    rows = appendix.rows[1:]
    assert len(rows) == len(recount)
    rels = doc.part.rels
    for row, (delivery, post, _, metrics) in zip(rows, recount, strict=True):
        cells = row.cells
        assert cells[4].text == post.title
        links = list(cells[5]._tc.iter(qn("w:hyperlink")))
        assert len(links) == 1
        rel = rels[links[0].get(qn("r:id"))]
        assert rel.is_external and rel.target_ref == delivery.remote_url
        assert cells[5].text == delivery.remote_url
        if metrics is not None and metrics.figures.get("views"):
            assert f"Lượt xem: {metrics.figures['views']:,}".replace(",", ".") in cells[6].text
    assert "Lượt xem: 1.200" in rows[2].cells[6].text  # 6 August, the first of ASEAN Day's


def test_vietnamese_diacritics_survive_the_file(docx_path: Path) -> None:
    with zipfile.ZipFile(docx_path) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    for title in TITLES:
        assert title in xml
    assert "Ngày ASEAN, kỷ niệm 59 năm (08/08/2026): 2 bài" in xml


def test_assessment_prefilled_with_targets_gaps_and_failures(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "- Sở Thông tin và Truyền thông: 4/48 bài (4 bài/tháng)." in text
    assert "- Sở Văn hóa và Thể thao chưa đăng bài nào trong kỳ này." in text
    failures = _captioned_tables(doc)["Bài đăng không thành công hoặc bị lỡ"]
    (row,) = failures.rows[1:]
    assert row.cells[4].text == "Không thành công"
    assert row.cells[5].text.startswith("Zalo từ chối: ảnh bìa quá nhỏ")


def test_a_period_without_posts_is_a_valid_report_that_says_so(
    db: Database, tmp_path: Path
) -> None:
    data = report_of(db)
    assert data.empty
    doc = _write(data, tmp_path / "trong.docx")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert NOTHING_PUBLISHED in text and "chưa có số liệu tương tác" in text
    assert next(p.text for p in doc.paragraphs if p.style.name == "Heading 1").startswith("I. ")
    data_tables = [t for t in doc.tables if t.style is not None and t.style.name == "Table Grid"]
    assert data_tables == []
    assert not list(doc.element.body.iter(qn("w:drawing")))


def test_the_same_data_gives_the_same_document_written_atomically(
    year: Database, tmp_path: Path
) -> None:
    data = report_of(year)
    first, second = tmp_path / "a" / "bao-cao.docx", tmp_path / "b" / "bao-cao.docx"
    first.parent.mkdir()
    second.parent.mkdir()
    second.write_bytes(b"an older report")
    _write(data, first)
    _write(data, second)
    with zipfile.ZipFile(first) as one, zipfile.ZipFile(second) as two:
        assert one.namelist() == two.namelist()
        for name in one.namelist():
            assert one.read(name) == two.read(name), name
        # Every member dated by the report's generation time, not by the clock.
        assert {info.date_time for info in one.infolist()} == {(2026, 10, 20, 16, 5, 0)}
    assert first.read_bytes() == second.read_bytes()
    assert [p.name for p in second.parent.iterdir()] == ["bao-cao.docx"]  # no temporary left
    with pytest.raises(FileNotFoundError):
        _write(data, tmp_path / "missing" / "bao-cao.docx")


def _many_rows(data: ReportData, count: int) -> ReportData:
    """`data` with `count` published items in its appendix, titles and links that need
    escaping among them (markup, quotes, a character XML 1.0 forbids); every third item has
    no figures."""
    first = next(iter(data.rows))

    def title(n: int) -> str:
        return f'Bài số {n}: Huế & ASEAN <{n}> "đặc biệt"\x01' if n % 500 == 7 else f"Bài số {n}"

    rows = [
        PublishedRow(
            delivery_id=10_000 + n,
            post_id=10_000 + n,
            title=title(n),
            channel_id=first.channel_id,
            platform=first.platform,
            topic=first.topic,
            pillar=first.pillar,
            department=first.department,
            published_at=first.published_at + timedelta(minutes=17 * n),
            url=f"https://asean.thuathienhue.gov.vn/bai?id={n}&lang='vi'",
            figures={"views": n * 37, "comments": None} if n % 3 else {},
            collected_at=first.collected_at,
        )
        for n in range(1, count + 1)
    ]
    return ReportData(**{**data.__dict__, "rows": rows})


def _appendix_links(doc: DocxDocument) -> list[tuple[str, str, str]]:
    """Each appendix row's number, title and the target of its hyperlink's relationship."""
    appendix = doc.tables[-1]
    rels = doc.part.rels
    found = []
    for row in appendix.rows[1:]:
        cells = row.cells
        (link,) = cells[5]._tc.iter(qn("w:hyperlink"))
        rel = rels[link.get(qn("r:id"))]
        assert rel.is_external and cells[5].text == rel.target_ref
        found.append((cells[0].text, cells[4].text, rel.target_ref))
    return found


def test_a_long_appendix_has_every_hyperlink_resolving(year: Database, tmp_path: Path) -> None:
    """3,000 items: each its own row, its link a relationship of the document's part."""
    data = _many_rows(report_of(year), 3000)
    path = tmp_path / "dai.docx"
    doc = _write(data, path)
    found = _appendix_links(doc)
    assert len(found) == 3000
    assert found == [
        (str(n), row.title.replace("\x01", ""), row.url) for n, row in enumerate(data.rows, start=1)
    ]
    appendix = doc.tables[-1]
    assert [row._tr.trPr.find(qn("w:tblHeader")) is not None for row in appendix.rows[:2]] == [
        True,
        False,
    ]
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None
        rels = package.read("word/_rels/document.xml.rels").decode()
        xml = package.read("word/document.xml").decode()
    ids = re.findall(r'Id="([^"]+)"', rels)
    assert len(ids) == len(set(ids))  # no relationship id used twice
    assert len(re.findall(r"<w:hyperlink ", xml)) == 3000
    assert "<!--" not in xml  # the marker the rows replaced is gone
    assert "Lượt xem: 1.147" in xml and "Lượt xem: 110.963" in xml  # items 31 and 2999
    appendix_xml = xml[xml.index("PHỤ LỤC") :]
    assert appendix_xml.count(">—</w:t>") == 1000  # no figures: a dash, as in the short list


def test_a_long_appendix_opens_in_libreoffice(year: Database, tmp_path: Path) -> None:
    soffice = _tool("soffice (apt-get install libreoffice-writer)", "soffice")
    path = tmp_path / "dai.docx"
    data = _many_rows(report_of(year), 3000)
    _write(data, path)
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         "txt:Text (encoded):UTF8", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    text = (tmp_path / "dai.txt").read_text(encoding="utf-8-sig")
    for row in (data.rows[0], data.rows[6], data.rows[-1]):
        assert row.title.replace("\x01", "") in text
        assert row.url is not None and row.url in text


def _tool(hint: str, name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if IN_CI:
            pytest.fail(f"{hint} not installed; CI=true requires the DOCX tests with it to run")
        pytest.skip(f"{hint} not installed")
    return found


def test_the_first_page_rendered_by_libreoffice(docx_path: Path, tmp_path: Path) -> None:
    """The first page as LibreOffice draws it, in test-artifacts/reports/ for people to see."""
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    missing = [name for name, found in (("soffice (apt-get install libreoffice-writer)", soffice),
               ("pdftoppm (apt-get install poppler-utils)", pdftoppm)) if not found]  # fmt: skip
    if missing:
        reason = f"{' and '.join(missing)} not installed"
        if IN_CI:
            pytest.fail(f"{reason}; CI=true requires the DOCX rendering test to run")
        pytest.skip(f"{reason}: the DOCX's first page cannot be rendered")
    assert soffice and pdftoppm
    profile = tmp_path / "lo-profile"  # its own profile: no clash with a running LibreOffice
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         "pdf", "--outdir", str(tmp_path), str(docx_path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "bao-cao-2026.pdf"
    assert pdf.is_file()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / "bao-cao-2026-trang-1"
    subprocess.run([pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(target)], check=True, capture_output=True, timeout=60)  # fmt: skip
    png = target.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        first = subprocess.run([pdftotext, "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
                               check=True, capture_output=True, text=True).stdout  # fmt: skip
        for line in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "BÁO CÁO", "Thừa Thiên Huế, ngày 20 tháng 10 năm 2026"):  # fmt: skip
            assert line in first


def test_generation_time_is_the_only_clock(year: Database, tmp_path: Path) -> None:
    data = report_of(year)
    later = ReportData(**{**data.__dict__, "generated_at": datetime(2026, 10, 21, 2, tzinfo=HCM)})
    doc = _write(later, tmp_path / "sau.docx")
    assert doc.tables[0].cell(1, 1).text == "Thừa Thiên Huế, ngày 21 tháng 10 năm 2026"


@pytest.mark.parametrize("value", [None, 0, 7, 999, 1000, 1234567, 10**12])
def test_the_appendix_writes_figures_as_the_rest_of_loa_does(value: int | None) -> None:
    assert grouped(value) == figure(value)
