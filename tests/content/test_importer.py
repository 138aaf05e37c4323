"""Bulk import from CSV and YAML, all or nothing, and the CSV export that imports back.

Real files in tmp_path, real PNGs from Pillow, a real SQLite database and the real channel
checks of the adapters (the same checker `loa` wires in).
"""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func
from sqlmodel import col, select

from content.db import Database
from content.errors import FieldProblem, InvalidInput
from content.export import export_csv
from content.importer import Importer
from content.media import MediaError, MediaStore
from content.models import (
    AuditEvent,
    Delivery,
    DeliveryState,
    EditorialState,
    Media,
    Post,
    PostMedia,
    User,
)
from content.posts import PostService
from content.queries import deliveries_of, media_of
from content.timeutil import zone
from scheduler.publication import channel_checker
from tests.factories import VOCABULARY, Clock, seed

TZ = zone("Asia/Ho_Chi_Minh")
# The test clock stands at 2026-12-01 08:00 in Huế: every time below is after it.
LATER = "2026-12-05 09:00"
LATER_UTC = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
PAST = "2026-11-30 09:00"

TITLE_VI = "Lễ hội Huế 2026: Đêm hoàng cung — sắc màu văn hóa các nước ASEAN"
BODY_VI = (
    "Tối 5/12, tại Đại Nội Huế, đoàn nghệ thuật của mười nước ASEAN cùng biểu diễn.\n"
    "Chương trình “Một Tầm nhìn, Một Bản sắc, Một Cộng đồng” mở cửa tự do,"
    " đón người dân và du khách."
)


# --- fixtures and helpers ----------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Where the import files and their images live (media paths are relative to it)."""
    path = tmp_path / "nhap"
    (path / "img").mkdir(parents=True)
    return path


def png(path: Path, color: tuple[int, int, int], size: tuple[int, int] = (400, 300)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, "PNG")
    return path


def sha_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding=encoding)
    return path


@dataclass(frozen=True)
class Counts:
    posts: int
    deliveries: int
    media: int
    post_media: int
    events: int


def counts(db: Database) -> Counts:
    with db.read() as session:

        def n(model: Any) -> int:
            return int(session.exec(select(func.count()).select_from(model)).one())

        return Counts(n(Post), n(Delivery), n(Media), n(PostMedia), n(AuditEvent))


def media_shas(db: Database) -> set[str]:
    with db.read() as session:
        return set(session.exec(select(Media.sha256)).all())


def actor(posts: PostService, username: str = "bientap") -> Any:
    return posts.actor(username)


def refused(importer: Importer, who: Any, path: Path, **kw: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        importer.run(who, path, **kw)
    return info.value


def where_and_field(error: InvalidInput) -> set[tuple[str, str]]:
    return {(p.where, p.field) for p in error.problems}


def by_title(db: Database) -> dict[str, Post]:
    with db.read() as session:
        return {p.title: p for p in session.exec(select(Post)).all()}


def username_of(db: Database, user_id: int) -> str:
    with db.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.username


def events_of(db: Database, post_id: int) -> list[tuple[str, str]]:
    with db.read() as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.post_id == post_id).order_by(col(AuditEvent.id))
        ).all()
        return [(e.action, e.actor) for e in rows]


GOOD_HEADER = [
    "title", "body", "hashtags", "topic", "pillar", "department", "author", "channels", "at",
    "media", "media_alt", "state", "override.web-asean.title", "override.zalo-asean-hue.hashtags",
]  # fmt: skip


def good_csv(folder: Path) -> Path:
    png(folder / "img" / "le-hoi.png", (120, 20, 90))
    png(folder / "img" / "dai-noi.png", (20, 90, 120))
    png(folder / "img" / "bien.png", (10, 160, 40))
    rows = [
        [
            TITLE_VI,
            BODY_VI,
            "#ASEAN, #Huế Festival2026",
            "i",
            "ascc",
            "STTTT",
            "bientap",
            "web-asean, zalo-asean-hue",
            LATER,
            "img/le-hoi.png|img/dai-noi.png",
            "Sân khấu Lễ hội Huế về đêm|Ngọ Môn, Đại Nội Huế",
            "in_review",
            "Đêm hoàng cung ASEAN tại Đại Nội",
            "HueASEAN ZaloHue",
        ],
        [
            "Du lịch biển Lăng Cô đón khách ASEAN",
            "Vịnh Lăng Cô là thành viên Câu lạc bộ các vịnh đẹp nhất thế giới.",
            "DuLichHue",
            "h",
            "AEC",
            "SDL",
            "",
            "fb-dulich-hue",
            "2026-12-06 10:00",
            "img/bien.png",
            "Bãi biển Lăng Cô",
            "in_review",
            "",
            "",
        ],
        [
            "Bản nháp: Tuần văn hóa ASEAN",
            "",
            "",
            "a",
            "",
            "STTTT",
            "",
            "fb-asean-hue",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    return write_csv(folder / "bai-viet.csv", GOOD_HEADER, rows)


# --- good files --------------------------------------------------------------------------


def test_a_good_csv_imports_every_row_with_its_media_overrides_and_states(
    importer: Importer, posts: PostService, db: Database, folder: Path, store: MediaStore
) -> None:
    path = good_csv(folder)
    before = counts(db)

    report = importer.run(actor(posts), path)

    assert len(report.post_ids) == 3
    assert report.by_state == {"in_review": 2, "draft": 1}
    assert counts(db).posts == before.posts + 3
    found = by_title(db)
    festival = found[TITLE_VI]
    assert festival.id == report.post_ids[0]
    assert festival.body == BODY_VI
    assert festival.hashtags == ["ASEAN", "Huế", "Festival2026"]
    assert (festival.topic, festival.pillar, festival.department_code) == ("i", "ASCC", "STTTT")
    assert festival.state == EditorialState.in_review
    assert festival.scheduled_at == LATER_UTC
    assert username_of(db, festival.author_id) == "bientap"
    with db.read() as session:
        deliveries = {d.channel_id: d for d in deliveries_of(session, festival.id or 0)}
        attached = media_of(session, festival.id or 0)
    assert set(deliveries) == {"web-asean", "zalo-asean-hue"}
    assert all(d.state == DeliveryState.pending for d in deliveries.values())
    assert all(d.due_at == LATER_UTC for d in deliveries.values())
    assert deliveries["web-asean"].overrides == {"title": "Đêm hoàng cung ASEAN tại Đại Nội"}
    assert deliveries["zalo-asean-hue"].overrides == {"hashtags": ["HueASEAN", "ZaloHue"]}
    # Media in the order given, stored by content, with their alt texts.
    assert [m.sha256 for m, _ in attached] == [
        sha_of(folder / "img" / "le-hoi.png"),
        sha_of(folder / "img" / "dai-noi.png"),
    ]
    assert [link.alt_text for _, link in attached] == [
        "Sân khấu Lễ hội Huế về đêm",
        "Ngọ Môn, Đại Nội Huế",
    ]
    assert attached[0][0].mime == "image/png" and (attached[0][0].width, attached[0][0].height) == (
        400,
        300,
    )
    assert (
        store.path_of(attached[0][0]).read_bytes() == (folder / "img" / "le-hoi.png").read_bytes()
    )
    # The importer created and submitted it: the trail names who really did.
    assert events_of(db, festival.id or 0) == [
        ("post.created", "bientap"),
        ("post.submitted", "bientap"),
    ]

    beach = found["Du lịch biển Lăng Cô đón khách ASEAN"]
    assert beach.state == EditorialState.in_review
    assert username_of(db, beach.author_id) == "bientap"
    assert beach.department_code == "SDL"
    with db.read() as session:
        assert [d.state for d in deliveries_of(session, beach.id or 0)] == [DeliveryState.pending]

    draft = found["Bản nháp: Tuần văn hóa ASEAN"]
    assert draft.state == EditorialState.draft
    assert draft.scheduled_at is None and draft.pillar is None and draft.hashtags == []
    assert username_of(db, draft.author_id) == "bientap"
    with db.read() as session:
        created = session.exec(
            select(AuditEvent).where(
                AuditEvent.post_id == draft.id, AuditEvent.action == "post.created"
            )
        ).one()
    assert created.detail["source"] == "bai-viet.csv"


YAML_LIST = f"""\
# Bài tháng 12
- title: "{TITLE_VI}"
  body: |
    Tối 5/12, tại Đại Nội Huế, đoàn nghệ thuật của mười nước ASEAN cùng biểu diễn.
    Chương trình “Một Tầm nhìn, Một Bản sắc, Một Cộng đồng” mở cửa tự do, đón người dân và du khách.
  hashtags: [ASEAN, Huế, Festival2026]
  topic: i
  pillar: ASCC
  department: STTTT
  author: bientap
  channels: [web-asean, zalo-asean-hue]
  at: "{LATER}"
  state: in_review
  media:
    - {{path: img/le-hoi.png, alt: "Sân khấu Lễ hội Huế về đêm"}}
    - {{path: img/dai-noi.png, alt: "Ngọ Môn, Đại Nội Huế"}}
  overrides:
    web-asean: {{title: "Đêm hoàng cung ASEAN tại Đại Nội"}}
    zalo-asean-hue: {{hashtags: [HueASEAN, ZaloHue]}}
- title: Du lịch biển Lăng Cô đón khách ASEAN
  body: Vịnh Lăng Cô là thành viên Câu lạc bộ các vịnh đẹp nhất thế giới.
  topic: h
  department: SDL
  channels: [fb-dulich-hue]
  at: "2026-12-06 10:00"
  grace_minutes: 30
  missed: skip
  state: in_review
"""


def posts_form(list_form: str) -> str:
    """The same posts under a `posts:` key, indented by two spaces."""
    lines = [
        ("  " + line if line and not line.startswith("#") else line)
        for line in list_form.splitlines()
    ]
    return "posts:\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize("form", ["list", "posts-key"])
def test_a_good_yaml_imports_in_list_form_and_under_posts(
    form: str, importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    png(folder / "img" / "le-hoi.png", (120, 20, 90))
    png(folder / "img" / "dai-noi.png", (20, 90, 120))
    text = YAML_LIST if form == "list" else posts_form(YAML_LIST)
    path = folder / "bai.yaml"
    path.write_text(text, encoding="utf-8")

    report = importer.run(actor(posts), path)

    assert report.by_state == {"in_review": 2}
    found = by_title(db)
    festival = found[TITLE_VI]
    assert festival.body == BODY_VI + "\n"
    assert festival.hashtags == ["ASEAN", "Huế", "Festival2026"]
    assert festival.state == EditorialState.in_review and festival.scheduled_at == LATER_UTC
    with db.read() as session:
        deliveries = {d.channel_id: d for d in deliveries_of(session, festival.id or 0)}
        attached = media_of(session, festival.id or 0)
    assert deliveries["web-asean"].overrides == {"title": "Đêm hoàng cung ASEAN tại Đại Nội"}
    assert deliveries["zalo-asean-hue"].overrides == {"hashtags": ["HueASEAN", "ZaloHue"]}
    assert [(m.sha256, link.alt_text) for m, link in attached] == [
        (sha_of(folder / "img" / "le-hoi.png"), "Sân khấu Lễ hội Huế về đêm"),
        (sha_of(folder / "img" / "dai-noi.png"), "Ngọ Môn, Đại Nội Huế"),
    ]
    beach = found["Du lịch biển Lăng Cô đón khách ASEAN"]
    assert (beach.state, beach.grace_minutes, beach.missed_policy) == ("in_review", 30, "skip")
    assert username_of(db, beach.author_id) == "bientap"


def test_two_rows_may_share_one_image(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    image = png(folder / "img" / "chung.png", (1, 2, 3))
    path = write_csv(
        folder / "chung.csv",
        ["title", "body", "topic", "department", "channels", "media", "media_alt"],
        [
            ["Bài một", "Nội dung", "a", "STTTT", "web-asean", "img/chung.png", "Ảnh chung"],
            ["Bài hai", "Nội dung", "b", "STTTT", "web-asean", str(image), "Ảnh chung"],
        ],
    )
    before = counts(db)
    importer.run(actor(posts), path)
    after = counts(db)
    assert after.media == before.media + 1
    assert after.post_media == before.post_media + 2
    assert media_shas(db) == {sha_of(image)}


# --- all or nothing -----------------------------------------------------------------------

BAD_HEADER = [
    "title",
    "body",
    "topic",
    "department",
    "author",
    "channels",
    "at",
    "media",
    "media_alt",
]


def bad_rows(folder: Path) -> list[list[str]]:
    png(folder / "img" / "tot.png", (200, 10, 10))
    (folder / "img" / "ghi-chu.png").write_text("đây không phải ảnh", encoding="utf-8")
    ok = [
        "Bài hợp lệ",
        "Nội dung",
        "a",
        "STTTT",
        "bientap",
        "web-asean",
        LATER,
        "img/tot.png",
        "Ảnh",
    ]

    def row(**change: str) -> list[str]:
        values = dict(zip(BAD_HEADER, ok, strict=True))
        values.update(change)
        return [values[name] for name in BAD_HEADER]

    return [
        row(title="Hàng 2 hợp lệ"),  # row 2
        row(title="Hàng 3", topic="z"),  # row 3: unknown topic
        row(title="Hàng 4 hợp lệ", media="", media_alt=""),  # row 4
        row(title="Hàng 5", at="thứ sáu tuần sau"),  # row 5: a time nobody can read
        row(title="Hàng 6", media="img/khong-co.png"),  # row 6: no such file
        row(title=""),  # row 7: no title
        row(title="Hàng 8", media="img/ghi-chu.png"),  # row 8: a text file named .png
        row(title="Hàng 9", channels="web-asean tiktok-hue"),  # row 9: unknown channel
        row(title="Hàng 10", author="cbtt.sdl"),  # row 10: speaking for someone else
    ]


EXPECTED_ROW_PROBLEMS = {
    ("row 3", "topic"),
    ("row 5", "at"),
    ("row 6", "media"),
    ("row 7", "title"),
    ("row 8", "media"),
    ("row 9", "channels"),
    ("row 10", "author"),
}


def test_a_csv_with_bad_rows_lists_every_problem_and_saves_nothing(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    path = write_csv(folder / "loi.csv", BAD_HEADER, bad_rows(folder))
    before, shas_before = counts(db), media_shas(db)

    error = refused(importer, actor(posts), path)

    assert where_and_field(error) == EXPECTED_ROW_PROBLEMS
    assert error.what == "loi.csv: nothing imported"
    texts = {p.where: p.en for p in error.problems}
    assert "'z'" in texts["row 3"]
    assert "thứ sáu tuần sau" in texts["row 5"] and "YYYY-MM-DD HH:MM" in texts["row 5"]
    assert "khong-co.png" in texts["row 6"] and "not found" in texts["row 6"]
    assert "ghi-chu.png" in texts["row 8"] and "PNG" in texts["row 8"]
    assert "tiktok-hue" in texts["row 9"]
    assert "cbtt.sdl" in texts["row 10"] and "only your own posts" in texts["row 10"]
    # Every problem is in both languages and names its row.
    assert all(p.vi and p.en for p in error.problems)
    assert all(line.startswith("row ") for line in error.lines("vi"))
    assert counts(db) == before
    assert media_shas(db) == shas_before


def test_an_unknown_column_is_named_with_a_suggestion(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    path = write_csv(
        folder / "cot.csv",
        ["title", "body", "topic", "department", "channels", "hashtag"],
        [["Bài", "Nội dung", "a", "STTTT", "web-asean", "ASEAN"]],
    )
    before = counts(db)
    error = refused(importer, actor(posts), path)
    assert [(p.field, p.where) for p in error.problems] == [("hashtag", "header")]
    assert "did you mean 'hashtags'?" in error.problems[0].en
    assert "hashtags" in error.problems[0].vi
    assert counts(db) == before


def test_a_missing_required_column_is_named(
    importer: Importer, posts: PostService, folder: Path
) -> None:
    path = write_csv(
        folder / "thieu.csv", ["title", "topic", "department"], [["Bài", "a", "STTTT"]]
    )
    error = refused(importer, actor(posts), path)
    assert [(p.field, p.where, p.en) for p in error.problems] == [
        ("channels", "header", "required column missing")
    ]


def test_an_unknown_column_is_reported_together_with_the_bad_rows(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    header = [*BAD_HEADER, "hashtag"]
    rows = [[*row, ""] for row in bad_rows(folder)]
    path = write_csv(folder / "loi-ca-cot.csv", header, rows)
    before = counts(db)
    error = refused(importer, actor(posts), path)
    assert ("header", "hashtag") in where_and_field(error)
    assert where_and_field(error) >= EXPECTED_ROW_PROBLEMS
    assert counts(db) == before


def test_a_yaml_with_bad_posts_names_each_post_and_its_line(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    png(folder / "img" / "tot.png", (200, 10, 10))
    (folder / "img" / "ghi-chu.png").write_bytes(b"plain text, not a picture\n")
    text = f"""\
posts:
  - title: Bài hợp lệ
    body: Nội dung
    topic: a
    department: STTTT
    channels: [web-asean]
    at: "{LATER}"
    media: [{{path: img/tot.png, alt: Ảnh}}]

  - title: Sai chủ đề
    body: Nội dung
    topic: z
    department: STTTT
    channels: [web-asean]

  - title: Sai giờ
    body: Nội dung
    topic: a
    department: STTTT
    channels: [web-asean]
    at: "ngày mai"
    hashtag: [ASEAN]

  - body: Không có tiêu đề
    topic: a
    department: STTTT
    channels: [web-asean]
  - title: Thiếu tệp
    body: Nội dung
    topic: a
    department: STTTT
    channels: [web-asean]
    media:
      - {{path: img/khong-co.png, alt: Không có}}
  - title: Ảnh giả
    body: Nội dung
    topic: a
    department: STTTT
    channels: [web-asean]
    media: [{{path: img/ghi-chu.png, alt: Giả}}]
  - title: Sai kênh
    body: Nội dung
    topic: a
    department: STTTT
    channels: [tiktok-hue]
    author: cbtt.sdl
"""
    path = folder / "loi.yaml"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    starts = [n for n, line in enumerate(lines, start=1) if line.startswith("  - ")]
    assert len(starts) == 7
    before, shas_before = counts(db), media_shas(db)

    error = refused(importer, actor(posts), path)

    where = [f"posts[{i}] (line {line})" for i, line in enumerate(starts)]
    found = where_and_field(error)
    assert (where[1], "topic") in found
    assert (where[2], "at") in found
    assert (where[2], "hashtag") in found  # an unknown key
    assert any("did you mean 'hashtags'?" in p.en for p in error.problems if p.where == where[2])
    assert (where[3], "title") in found
    assert (where[4], "media") in found
    assert (where[5], "media") in found
    assert (where[6], "channels") in found
    assert (where[6], "author") in found
    assert len(error.problems) == 8
    assert not any(p.where == where[0] for p in error.problems)
    assert counts(db) == before
    assert media_shas(db) == shas_before


def test_a_failing_submit_step_saves_nothing_at_all(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    png(folder / "img" / "a.png", (5, 5, 200))
    header = ["title", "author", "channels", "at", "state", "media", "media_alt"]
    header += ["body", "topic", "department"]
    same = ["Nội dung", "a", "STTTT"]
    path = write_csv(
        folder / "duyet.csv",
        header,
        [
            ["Bài tốt", "", "web-asean", LATER, "in_review", "img/a.png", "Ảnh", *same],
            ["Bài đã qua giờ", "", "web-asean", PAST, "in_review", "", "", *same],
            ["Zalo thiếu ảnh", "", "zalo-asean-hue", LATER, "in_review", "", "", *same],
        ],
    )
    before, shas_before = counts(db), media_shas(db)

    error = refused(importer, actor(posts), path)

    found = where_and_field(error)
    assert ("row 3", "at") in found
    assert ("row 4: zalo-asean-hue", "media") in found
    assert "2026-11-30 09:00" in next(p.en for p in error.problems if p.where == "row 3")
    assert not any(p.where.startswith("row 2") for p in error.problems)
    assert counts(db) == before
    assert media_shas(db) == shas_before


def test_a_dry_run_checks_everything_and_saves_nothing(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    path = good_csv(folder)
    before, shas_before = counts(db), media_shas(db)

    report = importer.run(actor(posts), path, dry_run=True)

    assert report.post_ids == []
    assert report.by_state == {"in_review": 2, "draft": 1}
    assert counts(db) == before
    assert media_shas(db) == shas_before
    # Then for real: the same file goes in.
    assert len(importer.run(actor(posts), path).post_ids) == 3


def test_a_dry_run_still_reports_every_problem(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    path = write_csv(folder / "loi.csv", BAD_HEADER, bad_rows(folder))
    error = refused(importer, actor(posts), path, dry_run=True)
    assert where_and_field(error) == EXPECTED_ROW_PROBLEMS


# --- encodings and Vietnamese text --------------------------------------------------------


def test_a_utf8_csv_with_a_byte_order_mark_from_excel_reads(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    path = write_csv(
        folder / "excel.csv",
        ["title", "body", "topic", "department", "channels"],
        [["Hội nghị hợp tác kinh tế Việt Nam - ASEAN", "Nội dung", "b", "STTTT", "web-asean"]],
        encoding="utf-8-sig",
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    importer.run(actor(posts), path)
    post = by_title(db)["Hội nghị hợp tác kinh tế Việt Nam - ASEAN"]
    assert post.topic == "b"


def test_vietnamese_text_round_trips_exactly(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    title = unicodedata.normalize(
        "NFC", "Ngày hội Văn hóa các dân tộc: Ê-đê, Tà Ôi, Cơ Tu ở A Lưới"
    )
    body = unicodedata.normalize(
        "NFC", "Đồng bào Tà Ôi dệt zèng; nghệ nhân Hồ Thị Xuân kể chuyện.\nỞ ấp, ở ổ, ữ ự ỳ ỵ."
    )
    tags = ["VănHóa", "ALưới"]
    path = write_csv(
        folder / "dau.csv",
        [
            "title",
            "body",
            "hashtags",
            "topic",
            "department",
            "channels",
            "override.web-asean.title",
        ],
        [[title, body, " ".join(tags), "h", "STTTT", "web-asean", "Đêm Tà Ôi"]],
    )
    importer.run(actor(posts), path)
    post = by_title(db)[title]
    assert post.title == title and post.body == body and post.hashtags == tags
    assert unicodedata.is_normalized("NFC", post.title)
    with db.read() as session:
        (delivery,) = deliveries_of(session, post.id or 0)
    assert delivery.overrides == {"title": "Đêm Tà Ôi"}


# --- export, then import into a fresh database -------------------------------------------


def snapshot(db: Database) -> list[dict[str, Any]]:
    with db.read() as session:
        users = dict(session.exec(select(User.id, User.username)).all())
        result = []
        for post in session.exec(select(Post).order_by(col(Post.title))).all():
            deliveries = [d for d in deliveries_of(session, post.id or 0) if d.state != "cancelled"]
            result.append(
                {
                    "title": post.title,
                    "body": post.body,
                    "link": post.link,
                    "hashtags": post.hashtags,
                    "topic": post.topic,
                    "pillar": post.pillar,
                    "audience": post.audience,
                    "department": post.department_code,
                    "author": users[post.author_id],
                    "state": post.state,
                    "at": post.scheduled_at,
                    "missed": post.missed_policy,
                    "grace": post.grace_minutes,
                    "channels": {d.channel_id: d.overrides for d in deliveries},
                    "media": [
                        (m.sha256, link.alt_text) for m, link in media_of(session, post.id or 0)
                    ],
                }
            )
        return result


@pytest.fixture
def fresh(tmp_path: Path, clock: Clock) -> Iterator[tuple[Database, PostService, MediaStore]]:
    database = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    database.upgrade()
    seed(database)
    media = MediaStore(tmp_path / "media-fresh")
    service = PostService(
        database, VOCABULARY, TZ, checker=channel_checker(media.path_of), clock=clock
    )
    yield database, service, media
    database.dispose()


def test_an_export_imports_back_into_a_fresh_database_as_the_same_posts(
    importer: Importer,
    posts: PostService,
    db: Database,
    folder: Path,
    store: MediaStore,
    tmp_path: Path,
    fresh: tuple[Database, PostService, MediaStore],
) -> None:
    importer.run(actor(posts), good_csv(folder))
    yaml_path = folder / "them.yaml"
    yaml_path.write_text(
        """\
- title: "Tọa đàm: Việt Nam - 30 năm gia nhập ASEAN, có dấu phẩy, và “ngoặc kép”"
  body: "Dòng một\\nDòng hai, có dấu phẩy; và | gạch đứng"
  link: https://asean.thuathienhue.gov.vn/toa-dam
  audience: sinh viên
  hashtags: [VietNamASEAN]
  topic: g
  pillar: APSC
  department: STTTT
  author: bientap
  channels: [fb-asean-hue, web-asean]
  at: "2026-12-09 19:30"
  missed: skip
  grace_minutes: 15
  state: in_review
  overrides:
    fb-asean-hue: {body: "Bản ngắn cho Facebook", link: "https://fb.example/x"}
""",
        encoding="utf-8",
    )
    importer.run(actor(posts), yaml_path)
    original = snapshot(db)
    assert len(original) == 4

    with db.read() as session:
        text = export_csv(session, TZ, store)
    exported = tmp_path / "xuat" / "posts.csv"
    exported.parent.mkdir()
    exported.write_text(text, encoding="utf-8-sig")

    fresh_db, fresh_posts, fresh_store = fresh
    report = Importer(fresh_posts, fresh_store).run(fresh_posts.actor("bientap"), exported)

    assert len(report.post_ids) == 4
    assert snapshot(fresh_db) == original
    # The files were copied into the new store, not just referenced.
    for row in snapshot(fresh_db):
        for sha, _ in row["media"]:
            assert fresh_store.path_of(sha).is_relative_to(fresh_store.root)


def test_export_of_chosen_posts_only(
    importer: Importer, posts: PostService, db: Database, folder: Path, store: MediaStore
) -> None:
    report = importer.run(actor(posts), good_csv(folder))
    with db.read() as session:
        text = export_csv(session, TZ, store, post_ids=report.post_ids[:1])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["title"] for row in rows] == [TITLE_VI]
    assert rows[0]["override.web-asean.title"] == "Đêm hoàng cung ASEAN tại Đại Nội"
    assert rows[0]["override.zalo-asean-hue.hashtags"] == "HueASEAN ZaloHue"
    assert rows[0]["channels"] == "web-asean zalo-asean-hue"
    assert rows[0]["at"] == LATER and rows[0]["state"] == "in_review"


# --- who may import what -------------------------------------------------------------------


def test_an_officer_cannot_import_posts_for_another_department(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    path = write_csv(
        folder / "sdl.csv",
        ["title", "body", "topic", "department", "channels"],
        [
            ["Bài của Sở mình", "Nội dung", "a", "STTTT", "web-asean"],
            ["Bài của Sở Du lịch", "Nội dung", "h", "SDL", "fb-dulich-hue"],
        ],
    )
    before = counts(db)
    error = refused(importer, actor(posts, "cbtt.stttt"), path)
    found = where_and_field(error)
    assert ("row 3", "department") in found
    assert ("row 3", "channels") in found  # fb-dulich-hue is SDL's and not shared
    assert not any(p.where == "row 2" for p in error.problems)
    assert counts(db) == before


def test_an_officer_cannot_import_posts_on_behalf_of_someone_else(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    path = write_csv(
        folder / "thay.csv",
        ["title", "body", "topic", "department", "channels", "author"],
        [
            ["Bài của tôi", "Nội dung", "a", "STTTT", "web-asean", "cbtt.stttt"],
            ["Bài thay người khác", "Nội dung", "a", "STTTT", "web-asean", "bientap"],
            ["Người không có", "Nội dung", "a", "STTTT", "web-asean", "ai.do"],
        ],
    )
    error = refused(importer, actor(posts, "cbtt.stttt"), path)
    assert where_and_field(error) == {("row 3", "author"), ("row 4", "author")}
    assert "only your own posts" in next(p.en for p in error.problems if p.where == "row 3")
    assert "ai.do" in next(p.en for p in error.problems if p.where == "row 4")


def test_an_officer_imports_own_posts_and_submits_them(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    path = write_csv(
        folder / "cua-toi.csv",
        ["title", "body", "topic", "department", "channels", "at", "state"],
        [["Bài gửi duyệt", "Nội dung", "a", "STTTT", "web-asean", LATER, "in_review"]],
    )
    report = importer.run(actor(posts, "cbtt.stttt"), path)
    post = by_title(db)["Bài gửi duyệt"]
    assert report.by_state == {"in_review": 1}
    assert post.state == "in_review" and username_of(db, post.author_id) == "cbtt.stttt"


def test_an_officer_cannot_import_approved_posts(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    path = write_csv(
        folder / "tu-duyet.csv",
        ["title", "body", "topic", "department", "channels", "at", "state"],
        [["Tự duyệt", "Nội dung", "a", "STTTT", "web-asean", LATER, "approved"]],
    )
    before = counts(db)
    error = refused(importer, actor(posts, "cbtt.stttt"), path)
    assert [(p.where, p.field) for p in error.problems] == [("row 2", "state")]
    assert "editor" in error.problems[0].en
    assert counts(db) == before


# --- files that are not imports -------------------------------------------------------------


def only_problem(error: InvalidInput) -> FieldProblem:
    assert len(error.problems) == 1, error.problems
    return error.problems[0]


def test_an_empty_csv_names_the_missing_columns(
    importer: Importer, posts: PostService, folder: Path
) -> None:
    path = folder / "rong.csv"
    path.write_bytes(b"")
    error = refused(importer, actor(posts), path)
    assert {(p.field, p.en) for p in error.problems} == {
        (name, "required column missing") for name in ("title", "topic", "department", "channels")
    }


def test_a_csv_with_only_a_header_holds_no_posts(
    importer: Importer, posts: PostService, folder: Path
) -> None:
    path = write_csv(folder / "tieu-de.csv", ["title", "topic", "department", "channels"], [])
    problem = only_problem(refused(importer, actor(posts), path))
    assert (problem.field, problem.en, problem.where) == (
        "posts",
        "the file holds no posts",
        "tieu-de.csv",
    )


@pytest.mark.parametrize("text", ["", "# chỉ có chú thích\n", "posts: []\n"])
def test_an_empty_yaml_is_refused_clearly(
    text: str, importer: Importer, posts: PostService, folder: Path
) -> None:
    path = folder / "rong.yaml"
    path.write_text(text, encoding="utf-8")
    problem = only_problem(refused(importer, actor(posts), path))
    assert problem.field == "posts"
    assert "list of posts" in problem.en or "holds no posts" in problem.en


def test_a_yaml_that_is_not_a_list_is_refused(
    importer: Importer, posts: PostService, folder: Path
) -> None:
    path = folder / "bang.yml"
    path.write_text("title: Một bài\ntopic: a\n", encoding="utf-8")
    problem = only_problem(refused(importer, actor(posts), path))
    assert problem.field == "posts" and "list of posts" in problem.en


def test_a_yaml_syntax_error_gives_its_line(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    path = folder / "hong.yaml"
    path.write_text(
        "- title: Bài một\n  topic: a\n- title: [chưa đóng ngoặc\n  topic: b\n", encoding="utf-8"
    )
    before = counts(db)
    problem = only_problem(refused(importer, actor(posts), path))
    assert problem.field == "yaml"
    assert problem.where.startswith("line ")
    assert int(problem.where.split()[1]) in (3, 4, 5)
    assert "YAML syntax error" in problem.en and "Lỗi cú pháp YAML" in problem.vi
    assert counts(db) == before


def test_a_yaml_item_that_is_not_a_mapping_is_refused(
    importer: Importer, posts: PostService, folder: Path
) -> None:
    path = folder / "chuoi.yaml"
    path.write_text("- title: Bài một\n  topic: a\n- chỉ là một dòng chữ\n", encoding="utf-8")
    problem = only_problem(refused(importer, actor(posts), path))
    assert (problem.field, problem.where) == ("post", "posts[1] (line 3)")


def test_a_txt_file_is_refused(importer: Importer, posts: PostService, folder: Path) -> None:
    path = folder / "bai.txt"
    path.write_text("title,topic,department,channels\nBài,a,STTTT,web-asean\n", encoding="utf-8")
    problem = only_problem(refused(importer, actor(posts), path))
    assert problem.field == "file" and ".csv" in problem.en and problem.where == "bai.txt"


def test_a_missing_file_is_refused(importer: Importer, posts: PostService, folder: Path) -> None:
    problem = only_problem(refused(importer, actor(posts), folder / "khong-co.csv"))
    assert problem.field == "file" and problem.en == "file not found"


# --- problems found only while writing -----------------------------------------------------


def test_the_same_image_twice_in_one_row_is_reported_with_its_row(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    png(folder / "img" / "mot.png", (9, 9, 9))
    path = write_csv(
        folder / "hai-lan.csv",
        ["title", "body", "topic", "department", "channels", "media", "media_alt"],
        [
            ["Bài tốt", "Nội dung", "a", "STTTT", "web-asean", "", ""],
            [
                "Ảnh hai lần",
                "Nội dung",
                "a",
                "STTTT",
                "web-asean",
                "img/mot.png|img/mot.png",
                "A|B",
            ],
        ],
    )
    before = counts(db)
    error = refused(importer, actor(posts), path)
    assert [(p.where, p.field) for p in error.problems] == [("row 3", "media")]
    assert counts(db) == before


def alt_too_long_csv(folder: Path) -> Path:
    png(folder / "img" / "dai.png", (9, 90, 9))
    return write_csv(
        folder / "alt-dai.csv",
        ["title", "body", "topic", "department", "channels", "media", "media_alt"],
        [
            ["Bài tốt", "Nội dung", "a", "STTTT", "web-asean", "", ""],
            ["Mô tả quá dài", "Nội dung", "a", "STTTT", "web-asean", "img/dai.png", "ả" * 1001],
        ],
    )


def test_an_alt_text_that_is_too_long_saves_nothing(
    importer: Importer, posts: PostService, db: Database, folder: Path
) -> None:
    path = alt_too_long_csv(folder)
    before, shas_before = counts(db), media_shas(db)
    with pytest.raises((InvalidInput, MediaError)) as info:
        importer.run(actor(posts), path)
    assert "1001" in str(info.value)
    assert counts(db) == before
    assert media_shas(db) == shas_before


def test_an_alt_text_that_is_too_long_is_reported_with_its_row(
    importer: Importer, posts: PostService, folder: Path
) -> None:
    error = refused(importer, actor(posts), alt_too_long_csv(folder))
    assert [p.where for p in error.problems] == ["row 3"]
    assert error.problems[0].field in ("media", "media_alt")


def test_every_problem_of_one_row_is_reported(
    importer: Importer, posts: PostService, folder: Path
) -> None:
    path = write_csv(
        folder / "nhieu-loi.csv",
        ["title", "body", "topic", "department", "channels", "media", "media_alt"],
        [["", "Nội dung", "a", "STTTT", "tiktok-hue", "img/khong-co.png", "Ảnh"]],
    )
    error = refused(importer, actor(posts), path)
    assert where_and_field(error) == {
        ("row 2", "title"),
        ("row 2", "channels"),
        ("row 2", "media"),
    }
