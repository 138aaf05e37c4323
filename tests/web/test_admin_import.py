"""Importing from the page: upload, a checked preview of every row, then all or nothing."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from httpx2 import Response
from openpyxl import Workbook
from sqlmodel import col, func, select

from content.db import Database
from content.models import AuditEvent, Delivery, Post

HEADER = "title,topic,department,channels,at,state\r\n"
GOOD = HEADER + (
    "Ngày ASEAN 8/8,a,STTTT,web-asean,2026-12-10 07:30,draft\r\n"
    "Lễ hội Huế,h,STTTT,web-asean fb-asean-hue,2026-12-11 09:00,in_review\r\n"
)
TOKEN = re.compile(r'name="token" value="([^"]+)"')


def _posts(db: Database) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(Post)).one()


def _upload(client: TestClient, name: str, data: bytes) -> tuple[int, str]:
    page = client.get("/admin/import")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post(
        "/admin/import", data={"csrf_token": token[1]}, files={"file": (name, data)}
    )
    return response.status_code, response.text


def _confirm(client: TestClient, html: str) -> Response:
    found = TOKEN.search(html)
    assert found is not None, "no 'Nhập tất cả' form"
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert csrf is not None
    return client.post("/admin/import/confirm", data={"csrf_token": csrf[1], "token": found[1]})


def test_upload_previews_then_imports_all(admin_client: TestClient, db: Database) -> None:
    before = _posts(db)
    status, html = _upload(admin_client, "bai-thang-12.csv", GOOD.encode("utf-8-sig"))
    assert status == 200
    assert "Cả 2 bài đều hợp lệ; chưa bài nào được lưu." in html
    assert "Dòng 2" in html and "Dòng 3" in html and "Lễ hội Huế" in html
    assert "Nhập tất cả 2 bài" in html
    assert _posts(db) == before  # the check saved nothing

    done = _confirm(admin_client, html)
    assert done.status_code == 200  # after the redirect
    assert re.search(r"Đã nhập 2 bài \([^)]*: 1, [^)]*: 1\)\.", done.text)
    assert _posts(db) == before + 2
    with db.read() as session:
        post = session.exec(select(Post).where(Post.title == "Lễ hội Huế")).one()
        assert post.state == "in_review"
        assert post.scheduled_at == datetime(2026, 12, 11, 2, 0, tzinfo=UTC)
        channels = session.exec(select(Delivery.channel_id).where(Delivery.post_id == post.id))
        assert sorted(channels.all()) == ["fb-asean-hue", "web-asean"]
        created = session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "post.created", AuditEvent.post_id == post.id
            )
        ).one()
        assert created.actor == "admin"

    again = _confirm(admin_client, html)  # the same checked file cannot be imported twice
    assert again.status_code == 409 and "Tệp đã kiểm tra không còn" in again.text
    assert _posts(db) == before + 2


def test_every_row_shows_its_problems_and_nothing_is_saved(
    admin_client: TestClient, db: Database
) -> None:
    before = _posts(db)
    bad = HEADER + (
        ",a,STTTT,web-asean,2026-12-10 07:30,draft\r\n"
        "Bài tốt,a,STTTT,web-asean,2026-12-10 08:30,draft\r\n"
        "Bài sai kênh,a,STTTT,khong-co,2026-12-10 07:30,approved\r\n"
        "Bài sai giờ,a,STTTT,web-asean,ngày mai,draft\r\n"
    )
    status, html = _upload(admin_client, "sai.csv", bad.encode())
    assert status == 422
    assert "3/4 dòng có lỗi; không bài nào được lưu." in html
    rows = re.findall(r"<tr class=\"(has-problems|valid)\">\s*<th scope=\"row\">([^<]+)</th>", html)
    assert rows == [
        ("has-problems", "Dòng 2"),
        ("valid", "Dòng 3"),
        ("has-problems", "Dòng 4"),
        ("has-problems", "Dòng 5"),
    ]
    assert "Tiêu đề: Bắt buộc, đang để trống." in html
    assert "Không ai tự duyệt bài của mình" in html
    assert "Giờ đăng: Giờ không đọc được" in html
    assert "Nhập tất cả" not in html and 'name="token"' not in html
    english = admin_client.get("/admin/import?lang=en")
    assert english.status_code == 200
    assert _posts(db) == before


def test_an_excel_workbook_is_read_as_the_csv(admin_client: TestClient, db: Database) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["title", "topic", "department", "channels", "at", "grace_minutes"])
    local_time = datetime(2026, 12, 12, 7, 30, tzinfo=UTC).replace(tzinfo=None)  # as Excel holds it
    sheet.append(["Tuần lễ văn hóa ASEAN", "a", "STTTT", "web-asean", local_time, 30])
    sheet.append([None] * 6)  # formatting left below the data
    out = io.BytesIO()
    book.save(out)
    status, html = _upload(admin_client, "bang-tinh.xlsx", out.getvalue())
    assert status == 200, html
    assert "Cả 1 bài đều hợp lệ" in html and "2026-12-12 07:30" in html
    assert _confirm(admin_client, html).status_code == 200
    with db.read() as session:
        post = session.exec(select(Post).order_by(col(Post.id).desc())).first()
    assert post is not None and post.title == "Tuần lễ văn hóa ASEAN"
    assert post.scheduled_at == datetime(2026, 12, 12, 0, 30, tzinfo=UTC)
    assert post.grace_minutes == 30


def test_unreadable_files_are_refused_with_what_to_do(admin_client: TestClient) -> None:
    status, html = _upload(admin_client, "ghi-chu.txt", b"hello")
    assert status == 422 and "chỉ nhận tệp .csv, .xlsx, .yaml hoặc .yml" in html
    status, html = _upload(admin_client, "hong.xlsx", b"not a zip at all")
    assert status == 422 and "không phải bảng tính Excel (.xlsx) đọc được" in html
    status, html = _upload(admin_client, "thieu-cot.csv", b"title,topic\r\nA,a\r\n")
    assert status == 422
    assert "Dòng tiêu đề — Đơn vị: Thiếu cột bắt buộc." in html
    assert "Dòng tiêu đề — Kênh: Thiếu cột bắt buộc." in html


def test_media_must_already_be_in_the_store(
    admin_client: TestClient, db: Database, tmp_path: Path
) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\n")
    text = "title,topic,department,channels,media\r\n" + (
        f"Ảnh lạ,a,STTTT,web-asean,{outside}\r\nẢnh tương đối,a,STTTT,web-asean,anh.jpg\r\n"
    )
    status, html = _upload(admin_client, "anh.csv", text.encode())
    assert status == 422
    assert html.count("chỉ dùng được ảnh, video đã có trong kho của Loa") == 2
    assert str(tmp_path) not in html  # no server path is shown back


def test_import_is_for_administrators(editor_client: TestClient) -> None:
    assert editor_client.get("/admin/import").status_code == 403
    page = editor_client.get("/calendar").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    refused = editor_client.post(
        "/admin/import", data={"csrf_token": csrf[1]}, files={"file": ("a.csv", GOOD.encode())}
    )
    assert refused.status_code == 403
