"""A post over a chosen channel's limit is refused at submit, at approve and by `loa import`, in
the name of the platform that sets the limit (channels.limits), with nothing saved."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from content.db import Database
from content.errors import FieldProblem, InvalidInput
from content.importer import Importer
from content.models import AuditEvent, Delivery, Post
from content.posts import PostService
from tests.factories import post_input

LATER = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
LONG_TITLE = "Lễ hội Huế " + "T" * 152  # 163 characters
ZALO_VI = "Zalo OA giới hạn tiêu đề 149 ký tự — bài này có 163"
ZALO_EN = "Zalo OA limits titles to 149 characters — this one has 163"


def title_problems(error: InvalidInput) -> list[FieldProblem]:
    return [p for p in error.problems if p.field == "title"]


def counted(db: Database) -> tuple[int, int, int]:
    with db.read() as session:
        return tuple(  # type: ignore[return-value]
            int(session.exec(select(func.count()).select_from(model)).one())
            for model in (Post, Delivery, AuditEvent)
        )


def test_the_zalo_title_limit_is_refused_at_submit_by_name(
    posts: PostService, db: Database
) -> None:
    assert len(LONG_TITLE) == 163
    officer = posts.actor("cbtt.stttt")
    data = post_input(title=LONG_TITLE, channels=["zalo-asean-hue"], scheduled_at=LATER)
    post = posts.create(officer, data)  # a draft may be over a limit
    assert post.id is not None
    before = counted(db)
    with pytest.raises(InvalidInput) as refused:
        posts.submit(officer, post.id)
    (problem,) = title_problems(refused.value)
    assert (problem.where, problem.vi, problem.en) == ("zalo-asean-hue", ZALO_VI, ZALO_EN)
    assert ZALO_VI in refused.value.vi and ZALO_EN in str(refused.value)
    assert counted(db) == before
    assert posts.detail(post.id).post.state == "draft"


def test_approve_refuses_a_title_made_too_long_in_review(posts: PostService, db: Database) -> None:
    officer, editor, other = (posts.actor(n) for n in ("cbtt.stttt", "bientap", "bientap2"))
    post = posts.create(officer, post_input(title="Lễ hội Huế", scheduled_at=LATER))
    assert post.id is not None
    posts.submit(officer, post.id)
    posts.edit(editor, post.id, {"title": "Lễ hội Huế " + "x" * 90 + "!"})  # 102 characters
    posts.edit(editor, post.id, {"channels": ["web-asean", "yt-hue-asean"]})
    before = counted(db)
    with pytest.raises(InvalidInput) as refused:
        posts.approve(other, post.id)
    (problem,) = title_problems(refused.value)
    assert problem.where == "yt-hue-asean"
    assert problem.vi == "YouTube giới hạn tiêu đề 100 ký tự — bài này có 102"
    assert counted(db) == before
    assert posts.detail(post.id).post.state == "in_review"


def test_loa_import_refuses_the_whole_file_by_the_platforms_name(
    importer: Importer, db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "bai.yaml"
    path.write_text(
        f"""\
- title: "Bài ngắn, hợp lệ"
  body: "Nội dung."
  topic: a
  department: STTTT
  channels: [web-asean]
  at: "2026-12-05 09:00"
  state: in_review
- title: "{LONG_TITLE}"
  body: "Nội dung."
  topic: a
  department: STTTT
  channels: [zalo-asean-hue]
  at: "2026-12-05 09:00"
  state: in_review
""",
        encoding="utf-8",
    )
    before = counted(db)
    with pytest.raises(InvalidInput) as refused:
        importer.run(importer.service.actor("bientap"), path)
    (problem,) = title_problems(refused.value)
    assert (problem.vi, problem.en) == (ZALO_VI, ZALO_EN)
    assert "zalo-asean-hue" in problem.where
    assert counted(db) == before  # the valid first post is not kept either
