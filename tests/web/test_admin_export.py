"""The administrators' export: filters, outcomes and public links, as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import select

from content.db import Database
from content.import_files import COLUMNS
from content.models import Delivery, DeliveryState, Post, User

AUG_8 = datetime(2026, 8, 8, 0, 30, tzinfo=UTC)  # 07:30 in Vietnam
SEP_2 = datetime(2026, 9, 2, 2, 0, tzinfo=UTC)


def _post(
    db: Database,
    title: str,
    at: datetime,
    department: str,
    outcomes: list[tuple[str, str, str | None]],
) -> int:
    """A post with one delivery per (channel, state, url) given."""
    with db.write() as session:
        author = session.exec(select(User).where(User.username == "cbtt.stttt")).one()
        assert author.id is not None
        post = Post(
            title=title,
            topic="a",
            pillar="ASCC",
            author_id=author.id,
            department_code=department,
            state="approved",
            scheduled_at=at,
        )
        session.add(post)
        session.flush()
        assert post.id is not None
        for channel_id, state, url in outcomes:
            published = at if state == DeliveryState.published else None
            session.add(
                Delivery(
                    post_id=post.id,
                    channel_id=channel_id,
                    state=state,
                    due_at=at,
                    remote_url=url,
                    published_at=published,
                    last_error=None if published else "HTTP 500 từ máy chủ",
                )
            )
        return post.id


def _seed(db: Database) -> tuple[int, int]:
    first = _post(
        db,
        '=HYPERLINK("http://x") Ngày ASEAN',
        AUG_8,
        "STTTT",
        [
            ("web-asean", DeliveryState.published, "https://asean.hue.gov.vn/ngay-asean"),
            ("fb-asean-hue", DeliveryState.failed, None),
        ],
    )
    second = _post(
        db,
        "Lễ hội Huế",
        SEP_2,
        "SDL",
        [("fb-dulich-hue", DeliveryState.published, "https://facebook.com/dulich/posts/1")],
    )
    return first, second


def _csv(response_bytes: bytes) -> list[list[str]]:
    assert response_bytes.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response_bytes.decode("utf-8-sig"))))


def test_export_page_counts_and_shows_outcomes(admin_client: TestClient, db: Database) -> None:
    _seed(db)
    page = admin_client.get("/admin/export")
    assert page.status_code == 200 and "3 dòng khớp bộ lọc" in page.text
    assert "https://asean.hue.gov.vn/ngay-asean" in page.text and "Thất bại" in page.text
    assert "08/08/2026 07:30" in page.text
    filtered = admin_client.get("/admin/export?department=SDL")
    assert "1 dòng khớp" in filtered.text and "Lễ hội Huế" in filtered.text
    assert 'href="/admin/export.xlsx?department=SDL"' in filtered.text
    none = admin_client.get("/admin/export?from=01/01/2027")
    assert "0 dòng khớp" in none.text and "Không có dòng nào" in none.text


def test_export_csv_has_outcomes_links_and_the_formula_guard(
    admin_client: TestClient, db: Database
) -> None:
    first, _ = _seed(db)
    rows = _csv(admin_client.get("/admin/export.csv?from=2026-08-01&to=2026-08-31").content)
    assert rows[0][0] == "Bài số / Post" and "Đường dẫn công khai / Public link" in rows[0]
    assert len(rows) == 3  # the September post is outside the period
    by_channel = {row[8]: row for row in rows[1:]}
    web = by_channel["web-asean"]
    assert web[0] == str(first)
    assert web[1] == '\'=HYPERLINK("http://x") Ngày ASEAN'
    assert web[2] == "Sở Thông tin và Truyền thông"
    assert web[9] == "Trang web" and web[10] == "Đã đăng" and web[11] == "published"
    assert web[7] == "08/08/2026 07:30" and web[12] == "08/08/2026 07:30"
    assert web[13] == "https://asean.hue.gov.vn/ngay-asean" and web[14] == ""
    failed = by_channel["fb-asean-hue"]
    assert failed[10] == "Thất bại" and failed[12] == "" and failed[14] == "HTTP 500 từ máy chủ"

    only_failed = _csv(admin_client.get("/admin/export.csv?state=failed").content)
    assert [row[8] for row in only_failed[1:]] == ["fb-asean-hue"]
    on_channel = _csv(admin_client.get("/admin/export.csv?channel=fb-dulich-hue").content)
    assert [row[1] for row in on_channel[1:]] == ["Lễ hội Huế"]


def test_export_xlsx_keeps_titles_as_text_and_times_as_dates(
    admin_client: TestClient, db: Database
) -> None:
    _seed(db)
    response = admin_client.get("/admin/export.xlsx?state=published")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][13] == "Đường dẫn công khai / Public link"
    assert len(rows) == 3
    title_cell = sheet.cell(row=2, column=2)
    assert title_cell.value == '=HYPERLINK("http://x") Ngày ASEAN' and title_cell.data_type == "s"
    # local wall-clock time, a real date cell
    assert rows[1][7] == datetime(2026, 8, 8, 7, 30, tzinfo=UTC).replace(tzinfo=None)
    assert rows[2][13] == "https://facebook.com/dulich/posts/1"


def test_export_of_posts_in_the_import_columns(admin_client: TestClient, db: Database) -> None:
    _seed(db)
    rows = _csv(admin_client.get("/admin/export-posts.csv?department=SDL").content)
    assert tuple(rows[0][: len(COLUMNS)]) == COLUMNS
    assert [row[0] for row in rows[1:]] == ["Lễ hội Huế"]


def test_bad_export_filters_name_what_to_fix(admin_client: TestClient, db: Database) -> None:
    response = admin_client.get("/admin/export.csv?from=32/13/2026&state=gone")
    assert response.status_code == 400
    assert "Từ ngày: không đọc được ngày “32/13/2026”" in response.text
    assert "Không có kết quả đăng “gone”" in response.text


def test_export_is_for_administrators(editor_client: TestClient) -> None:
    for path in ("/admin/export", "/admin/export.csv", "/admin/export.xlsx"):
        assert editor_client.get(path).status_code == 403
