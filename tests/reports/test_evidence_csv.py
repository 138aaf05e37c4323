"""The evidence list as CSV: read back with the csv module and held against the database."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from content.db import Database
from reports.evidence_csv import write_csv
from reports.wording import EVIDENCE_METRICS, evidence_headers
from tests.reports.year_data import (
    END,
    FORMULA_TITLE,
    HCM,
    NAMES,
    START,
    TITLES,
    published,
    report_of,
    retitle_first_post,
)


def _rows(path: Path) -> tuple[bytes, list[list[str]]]:
    raw = path.read_bytes()
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_every_published_item_with_names_dates_links_and_figures(
    year: Database, tmp_path: Path
) -> None:
    path = tmp_path / "bang-chung.csv"
    write_csv(report_of(year), path, tz=HCM, names=NAMES)
    raw, rows = _rows(path)
    assert raw.startswith(codecs.BOM_UTF8)  # Excel reads the diacritics right
    assert b"\r\n" in raw
    assert rows[0] == evidence_headers("both")
    assert rows[0][0] == "Ngày đăng / Published"
    expected = published(year, START, END)
    assert len(rows) - 1 == len(expected) == 5
    for item, row in zip(expected, rows[1:], strict=True):
        day, department, channel, _platform, title, _topic, _pillar, url, *figures = row
        assert day == f"{item.published_at.astimezone(HCM):%d/%m/%Y}"
        assert department == NAMES.of("department", item.department)[0]
        assert channel == NAMES.of("channel", item.channel)[0]
        assert title == item.title and url == item.url
        # No figure is an empty cell, never a zero.
        values = [item.figures.get(m) for m in EVIDENCE_METRICS]
        assert figures == ["" if v is None else str(v) for v in values]
    assert {row[4] for row in rows[1:]} == set(TITLES)
    assert rows[3][:3] == ["06/08/2026", "Sở Thông tin và Truyền thông", "Fanpage ASEAN Huế"]
    assert rows[3][8:] == ["1200", "", "40", "", "", ""]


def test_a_title_that_looks_like_a_formula_is_neutralised(year: Database, tmp_path: Path) -> None:
    attack = FORMULA_TITLE
    retitle_first_post(year, attack)
    path = tmp_path / "bang-chung.csv"
    write_csv(report_of(year), path, tz=HCM, names=NAMES)
    _, rows = _rows(path)
    titles = [row[4] for row in rows[1:]]
    assert "'" + attack in titles and attack not in titles


def test_an_empty_period_is_the_header_alone_and_the_old_file_is_replaced(
    db: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    path = folder / "bang-chung.csv"
    path.write_text("an older list")
    write_csv(report_of(db), path, tz=HCM, names=NAMES)
    _, rows = _rows(path)
    assert rows == [evidence_headers("both")]
    assert [p.name for p in folder.iterdir()] == ["bang-chung.csv"]
