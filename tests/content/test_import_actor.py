"""An import speaks only for the person importing: the posts are theirs, the audit trail names
them, and nobody approves their own post by importing it "approved"."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select

from content.db import Database
from content.errors import InvalidInput
from content.importer import Importer
from content.media import MediaStore
from content.models import AuditEvent, Post, User
from content.posts import PostService
from content.timeutil import zone
from scheduler.publication import channel_checker
from tests.factories import VOCABULARY, Clock

TZ = zone("Asia/Ho_Chi_Minh")
HEADER = "title,body,topic,department,channels,at,author,state\n"


@pytest.fixture
def posts(db: Database, clock: Clock, tmp_path: Path) -> PostService:
    store = MediaStore(tmp_path / "media")
    return PostService(db, VOCABULARY, TZ, checker=channel_checker(store.path_of), clock=clock)


@pytest.fixture
def importer(posts: PostService, tmp_path: Path) -> Importer:
    return Importer(posts, MediaStore(tmp_path / "media"))


def write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "bai.csv"
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def saved(db: Database) -> tuple[list[Post], list[tuple[str, str, int | None]]]:
    with db.read() as session:
        rows = list(session.exec(select(Post)).all())
        events = session.exec(
            select(AuditEvent.action, AuditEvent.actor, AuditEvent.post_id).order_by(
                col(AuditEvent.id)
            )
        ).all()
        return rows, [tuple(event) for event in events if event[0].startswith("post.")]


def username(db: Database, user_id: int) -> str:
    with db.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.username


def test_an_editor_cannot_approve_a_post_written_in_another_editors_name(
    importer: Importer, posts: PostService, db: Database, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "Bài mượn tên,Nội dung,a,SDL,web-asean,2026-12-05 09:00,bientap2,approved",
    )
    with pytest.raises(InvalidInput) as refused:
        importer.run(posts.actor("bientap"), path)
    found = {(p.where, p.field): p for p in refused.value.problems}
    assert set(found) == {("row 2", "author"), ("row 2", "state")}
    assert "bientap2" in found["row 2", "author"].en
    assert "Tệp nhập chỉ ghi bài của chính bạn" in found["row 2", "author"].vi
    assert "nobody approves their own post" in found["row 2", "state"].en
    assert saved(db) == ([], [])


def test_an_editor_cannot_approve_their_own_imported_post(
    importer: Importer, posts: PostService, db: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "Tự duyệt,Nội dung,a,STTTT,web-asean,2026-12-05 09:00,,approved")
    with pytest.raises(InvalidInput) as refused:
        importer.run(posts.actor("bientap"), path)
    assert [(p.where, p.field) for p in refused.value.problems] == [("row 2", "state")]
    assert "Không ai tự duyệt bài của mình" in refused.value.problems[0].vi
    assert saved(db) == ([], [])


def test_nobody_submits_in_an_officers_name_by_import(
    importer: Importer, posts: PostService, db: Database, tmp_path: Path
) -> None:
    path = write(
        tmp_path, "Bài thay cán bộ,Nội dung,a,STTTT,web-asean,2026-12-05 09:00,cbtt.stttt,in_review"
    )
    with pytest.raises(InvalidInput) as refused:
        importer.run(posts.actor("bientap"), path)
    assert [(p.where, p.field) for p in refused.value.problems] == [("row 2", "author")]
    assert saved(db) == ([], [])


def test_the_audit_trail_names_who_really_imported_and_submitted(
    importer: Importer, posts: PostService, db: Database, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "Bài của tôi,Nội dung,a,STTTT,web-asean,2026-12-05 09:00,cbtt.stttt,in_review",
        "Bản nháp,Nội dung,a,STTTT,web-asean,,,draft",
    )
    report = importer.run(posts.actor("cbtt.stttt"), path)
    rows, events = saved(db)
    assert [(username(db, p.author_id), p.state) for p in rows] == [
        ("cbtt.stttt", "in_review"),
        ("cbtt.stttt", "draft"),
    ]
    first, second = report.post_ids
    assert events == [
        ("post.created", "cbtt.stttt", first),
        ("post.created", "cbtt.stttt", second),
        ("post.submitted", "cbtt.stttt", first),
    ]
    # Another editor approves it, as by hand.
    assert posts.approve(posts.actor("bientap"), first).state == "approved"
