"""Property test (Hypothesis) of the importer: CSV and YAML files whose cells and values sit at
their type limits (dates near year 1 and 9999, integers past 2**63, floats, nested lists, text
with NUL, bidi overrides and huge lengths) in the encodings people send (UTF-8 with and without
BOM, UTF-16, Windows-1258, Latin-1, bytes that are no text at all).

What must hold: no traceback escapes; either every row is saved (and each saved post reads
back and exports) or the import is refused with clear problems (Vietnamese and English, each
naming its field) and nothing is saved.
"""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from content.db import Database
from content.errors import InvalidInput, UserError
from content.export import export_csv
from content.importer import Importer
from content.media import MediaStore
from content.models import Post
from content.posts import PostService
from content.timeutil import zone
from tests.factories import VOCABULARY, Clock
from tests.properties import PROPERTIES

TZ = zone("Asia/Ho_Chi_Minh")
NAMES = itertools.count()

EDGE_TEXT = [
    "", " ", "\x00", "a\x00b", "\u202egnp.exe", "line\nbreak", "\r\n", "\u2028", "=1+1",
    "'=cmd|' /C calc'!A0", "🇻🇳" * 40, "Huế" * 120, "a" * 301, "ASEAN, Huế #x", "\ufeff",
]  # fmt: skip
EDGE_TIMES = [
    "9999-12-31 23:59", "9999-12-31T23:59:59Z", "0001-01-01 00:00", "0001-01-01T00:00:00+05:00",
    "2100-01-01 00:00", "1999-12-31 23:59", "2027-02-29 10:00", "2027-06-01 09:00", "",
]  # fmt: skip
EDGE_INTS = [0, -1, 2**31, 2**63, -(2**63) - 1, 10**30]

texts = st.one_of(st.sampled_from(EDGE_TEXT), st.text(st.characters(exclude_categories=["Cs"])))
cells = st.one_of(
    texts,
    st.sampled_from(EDGE_TIMES),
    st.sampled_from([str(n) for n in EDGE_INTS]),
    st.sampled_from(["web-asean", "web-asean fb-asean-hue", "STTTT", "a", "draft", "approved"]),
)
# YAML holds real types: each may land in any key.
values = st.recursive(
    st.one_of(
        texts,
        st.sampled_from(EDGE_INTS),
        st.integers(),
        st.floats(),
        st.booleans(),
        st.none(),
        st.dates(),
        st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)), None])),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=2)),
    max_leaves=6,
)
COLUMNS = [
    "title", "body", "link", "hashtags", "topic", "pillar", "audience", "department", "author",
    "channels", "at", "next_slot", "missed", "grace_minutes", "state",
    "override.web-asean.title", "override.web-asean.link", "override.web-asean.hashtags",
]  # fmt: skip
GOOD = {"title": "Lễ thượng cờ ASEAN", "topic": "a", "department": "STTTT", "channels": "web-asean"}
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1258", "latin-1"]


class NoAliases(yaml.SafeDumper):
    """Every value written out: the importer refuses anchors and aliases, and a value the
    examples share (the same list in two posts) would otherwise become one."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


@pytest.fixture
def importer(db: Database, clock: Clock, store: MediaStore) -> Importer:
    return Importer(PostService(db, VOCABULARY, TZ, clock=clock), store)


def post_count(db: Database) -> int:
    with db.read() as session:
        return int(session.exec(select(func.count()).select_from(Post)).one())


def imports_or_refuses_clearly(importer: Importer, path: Path, db: Database) -> None:
    """The one outcome allowed: saved and readable, or refused with clear problems."""
    before = post_count(db)
    try:
        report = importer.run(importer.service.actor("bientap"), path)
    except InvalidInput as refused:
        assert refused.problems, "a refusal lists its problems"
        for found in refused.problems:
            assert found.field and found.vi and found.en, found
        assert post_count(db) == before, "a refused import saves nothing"
        return
    except UserError as refused:  # one clear refusal of the whole file
        assert refused.vi and refused.en
        assert post_count(db) == before
        return
    assert report.post_ids and post_count(db) == before + len(report.post_ids)
    for post_id in report.post_ids:
        importer.service.detail(post_id)
    with db.read() as session:
        exported = export_csv(session, TZ, importer.media, report.post_ids)
    assert exported.count("\n") >= len(report.post_ids)


def csv_bytes(header: list[str], rows: list[dict[str, str]], encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    # Characters an encoding cannot hold become "?", as a spreadsheet's "save as" does.
    return buffer.getvalue().encode(encoding, errors="replace")


@PROPERTIES
@given(
    extra=st.lists(st.sampled_from(COLUMNS), unique=True, max_size=6),
    rows=st.lists(st.dictionaries(st.sampled_from(COLUMNS), cells), min_size=1, max_size=3),
    encoding=st.sampled_from(ENCODINGS),
)
def test_a_csv_at_the_type_limits_imports_or_is_refused_clearly(
    importer: Importer,
    db: Database,
    tmp_path: Path,
    extra: list[str],
    rows: list[dict[str, str]],
    encoding: str,
) -> None:
    header = list(dict.fromkeys([*GOOD, *extra]))
    path = tmp_path / f"bai-{next(NAMES)}.csv"
    path.write_bytes(csv_bytes(header, [{**GOOD, **row} for row in rows], encoding))
    imports_or_refuses_clearly(importer, path, db)


@PROPERTIES
@given(
    noise=st.binary(max_size=300),
    text=st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=200),
    bom=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe"]),
)
def test_bytes_that_are_no_text_are_refused_clearly(
    importer: Importer, db: Database, tmp_path: Path, noise: bytes, text: str, bom: bytes
) -> None:
    # Any bytes as a CSV; as YAML, text without control characters: those have their own test
    # below (test_a_yaml_file_with_a_control_character_is_refused_clearly).
    for suffix, content in ((".csv", noise), (".yaml", text.encode("utf-8"))):
        path = tmp_path / f"bai-{next(NAMES)}{suffix}"
        path.write_bytes(bom + content)
        imports_or_refuses_clearly(importer, path, db)


@pytest.mark.parametrize("content", [b"\x01", "- title: \x80\n".encode()])
def test_a_yaml_file_with_a_control_character_is_refused_clearly(
    importer: Importer, db: Database, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / f"bai-{next(NAMES)}.yaml"
    path.write_bytes(content)
    imports_or_refuses_clearly(importer, path, db)


@PROPERTIES
@given(
    posts=st.lists(
        st.dictionaries(st.sampled_from([*COLUMNS, "overrides", "media"]), values, max_size=5),
        min_size=1,
        max_size=3,
    ),
    under_posts=st.booleans(),
)
def test_a_yaml_at_the_type_limits_imports_or_is_refused_clearly(
    importer: Importer,
    db: Database,
    tmp_path: Path,
    posts: list[dict[str, Any]],
    under_posts: bool,
) -> None:
    good = {**GOOD, "channels": ["web-asean"]}
    documents = [{**good, **post} for post in posts]
    path = tmp_path / f"bai-{next(NAMES)}.yaml"
    tree = {"posts": documents} if under_posts else documents
    text = yaml.dump(tree, Dumper=NoAliases, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    imports_or_refuses_clearly(importer, path, db)


def test_a_far_future_or_before_2000_time_in_an_import_is_refused_by_row(
    importer: Importer, db: Database, tmp_path: Path
) -> None:
    """The range of content.timeutil holds for the importer as for the API and the CLI."""
    rows = [{**GOOD, "at": "9999-12-31 23:59"}, {**GOOD, "at": "1999-12-31 23:59"}]
    path = tmp_path / "xa.csv"
    path.write_bytes(csv_bytes([*GOOD, "at"], rows, "utf-8"))
    with pytest.raises(InvalidInput) as refused:
        importer.run(importer.service.actor("bientap"), path)
    assert [(p.where, p.field) for p in refused.value.problems] == [
        ("row 2", "at"),
        ("row 3", "at"),
    ]
    assert "nằm ngoài khoảng cho phép" in refused.value.problems[0].vi
    assert post_count(db) == 0
    far = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    path = tmp_path / "xa.yaml"
    path.write_text(yaml.safe_dump([{**GOOD, "at": far}, {**GOOD, "at": date(1, 1, 1)}]))
    with pytest.raises(InvalidInput) as refused_yaml:
        importer.run(importer.service.actor("bientap"), path)
    assert {p.field for p in refused_yaml.value.problems} == {"at"}
