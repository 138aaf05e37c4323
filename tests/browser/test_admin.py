"""The administrators' pages in a real browser: pausing publishing with a reason, importing a
file through its checked preview, the audit trail with filters and its CSV, the export with
outcomes as XLSX, and retrying a channel's failed deliveries; on a desktop and on a phone."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from content.control import read_pause, set_paused
from content.models import Delivery, DeliveryState, Post, User
from content.timeutil import format_local, utcnow
from tests.browser.conftest import ADMIN, Shoot, Site
from tests.browser.helpers import log_in

IMPORT_TITLE = "Tuần Văn hóa ASEAN tại Huế (nhập từ tệp)"


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 1, f"the page scrolls {width}px sideways"


def _failed_deliveries(site: Site, count: int) -> list[int]:
    """`count` approved posts whose delivery to the website failed."""
    now = utcnow()
    ids = []
    with site.app.db.write() as session:
        author = session.exec(select(User).where(User.username == "cbtt.stttt")).one()
        assert author.id is not None
        for number in range(count):
            post = Post(title=f"Bài lỗi {number}", topic="a", author_id=author.id,
                        department_code="STTTT", state="approved",
                        scheduled_at=now - timedelta(hours=2))  # fmt: skip
            session.add(post)
            session.flush()
            assert post.id is not None
            delivery = Delivery(post_id=post.id, channel_id="web-asean", attempts=5,
                                state=DeliveryState.failed, due_at=now - timedelta(hours=2),
                                last_error="HTTP 503")  # fmt: skip
            session.add(delivery)
            session.flush()
            assert delivery.id is not None
            ids.append(delivery.id)
    return ids


def test_pause_with_a_reason_then_resume(page: Page, site: Site, shoot: Shoot) -> None:
    log_in(page, ADMIN)
    page.get_by_role("link", name="Quản trị", exact=True).click()
    expect(page.get_by_role("heading", name="Tạm dừng / tiếp tục đăng bài")).to_be_visible()
    try:
        page.get_by_role("button", name="Tạm dừng mọi việc đăng bài").click()
        expect(page.locator(".field-error")).to_contain_text("Hãy ghi lý do tạm dừng")
        assert not read_pause(site.app.db).paused
        page.get_by_label("Lý do").fill("Quốc tang: dừng mọi bài đăng")
        page.get_by_role("button", name="Tạm dừng mọi việc đăng bài").click()
        expect(page.locator("#publishing-state")).to_contain_text("Đang TẠM DỪNG")
        expect(page.locator("#publishing-state .reason")).to_have_text(
            "Quốc tang: dừng mọi bài đăng"
        )
        expect(page.locator("#publishing-state .changed-by")).to_have_text(ADMIN)
        state = read_pause(site.app.db)
        shown = format_local(state.changed_at, site.app.config.zone, "%d/%m/%Y %H:%M")
        expect(page.locator("#publishing-state .changed-at")).to_have_text(shown)
        shoot(page, "admin-publishing-paused")
        page.get_by_role("button", name="Tiếp tục đăng bài").click()
        expect(page.get_by_role("status")).to_have_text("Đã tiếp tục đăng bài.")
    finally:
        if read_pause(site.app.db).paused:  # the other tests publish: never leave it paused
            set_paused(site.app.db, False, "test", None, utcnow())
    assert not read_pause(site.app.db).paused


def test_import_preview_then_all(page: Page, site: Site, shoot: Shoot, tmp_path: Path) -> None:
    # Beyond the current month, which the dense-month test seeds and counts day by day.
    at = format_local(utcnow() + timedelta(days=45), site.app.config.zone, "%Y-%m-%d 07:30")
    bad = tmp_path / "bai-nhap-sai.csv"
    bad.write_text(
        "title,topic,department,channels,at\r\n"
        f"{IMPORT_TITLE},h,STTTT,web-asean,{at}\r\n"
        f",h,STTTT,kenh-khong-co,{at}\r\n",
        encoding="utf-8-sig",
    )
    good = tmp_path / "bai-nhap.csv"
    good.write_text(
        f"title,topic,department,channels,at\r\n{IMPORT_TITLE},h,STTTT,web-asean,{at}\r\n",
        encoding="utf-8-sig",
    )
    log_in(page, ADMIN)
    page.goto("/admin/import")
    page.get_by_label("Tệp cần nhập").set_input_files(str(bad))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("alert")).to_contain_text("1/2 dòng có lỗi; không bài nào được lưu.")
    rows = page.locator("table.import-rows tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("hợp lệ")
    expect(rows.nth(1)).to_contain_text("Tiêu đề: Bắt buộc, đang để trống.")
    expect(page.get_by_role("button", name="Nhập tất cả")).to_have_count(0)
    shoot(page, "admin-import-problems")

    page.get_by_label("Tệp cần nhập").set_input_files(str(good))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("status")).to_contain_text("Cả 1 bài đều hợp lệ")
    shoot(page, "admin-import-preview")
    with site.app.db.read() as session:
        assert session.exec(select(Post).where(Post.title == IMPORT_TITLE)).first() is None
    page.get_by_role("button", name="Nhập tất cả 1 bài").click()
    expect(page.get_by_role("status")).to_contain_text("Đã nhập 1 bài (Nháp: 1)")
    with site.app.db.read() as session:
        assert session.exec(select(Post).where(Post.title == IMPORT_TITLE)).one().state == "draft"


def test_audit_filters_and_csv(
    page: Page, new_page: Callable[..., Page], site: Site, shoot: Shoot
) -> None:
    set_paused(site.app.db, True, ADMIN, "Kiểm tra nhật ký", utcnow())
    set_paused(site.app.db, False, ADMIN, None, utcnow())
    log_in(page, ADMIN)
    page.goto("/admin/audit")
    page.get_by_label("Thao tác", exact=True).select_option(label="tạm dừng mọi việc đăng bài")
    today = format_local(utcnow(), site.app.config.zone, "%Y-%m-%d")
    page.get_by_label("Từ ngày").fill(today)
    page.get_by_label("Đến ngày").fill(today)
    page.get_by_role("button", name="Lọc").click()
    table = page.locator("table.audit-list")
    expect(table).to_contain_text("reason: Kiểm tra nhật ký")
    expect(table.locator("tbody tr td:nth-child(3)").first).to_have_text(
        "tạm dừng mọi việc đăng bài"
    )
    shoot(page, "admin-audit")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải CSV").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "Thời điểm / Time" and len(rows) >= 2
    assert {row[3] for row in rows[1:]} == {"publishing.paused"}

    phone = new_page(phone=True)
    log_in(phone, ADMIN)
    phone.goto("/admin/audit")
    expect(phone.locator("table.audit-list")).to_be_visible()
    _no_sideways_scroll(phone)
    shoot(phone, "admin-audit-phone")


def test_export_with_outcomes_as_xlsx(page: Page, site: Site, shoot: Shoot) -> None:
    _failed_deliveries(site, 1)
    log_in(page, ADMIN)
    page.goto("/admin/export")
    page.get_by_label("Kênh", exact=True).select_option("web-asean")
    page.get_by_label("Kết quả đăng").select_option(label="Thất bại")
    page.get_by_role("button", name="Xem").click()
    expect(page.locator(".export-count")).to_contain_text("dòng khớp bộ lọc")
    expect(page.locator("table.export-list")).to_contain_text("Bài lỗi 0")
    shoot(page, "admin-export")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải Excel (XLSX)").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][10] == "Kết quả / Outcome"
    assert {row[9] for row in rows[1:]} == {"Trang web"}  # the platform, by its name
    assert {row[11] for row in rows[1:]} == {"failed"}


def test_retry_a_channels_failed_deliveries(page: Page, site: Site, shoot: Shoot) -> None:
    made = _failed_deliveries(site, 2)
    with site.app.db.read() as session:
        failed = session.exec(
            select(Delivery.id).where(
                Delivery.channel_id == "web-asean", Delivery.state == DeliveryState.failed
            )
        ).all()
    log_in(page, ADMIN)
    page.goto("/channels")
    button = page.locator("#channel-web-asean .retry-failed-link")
    expect(button).to_have_text(f"Thử lại {len(failed)} lượt đăng thất bại")
    button.click()
    expect(page.locator(".retry-count")).to_contain_text(f"Kênh này có {len(failed)} lượt")
    shoot(page, "admin-retry-confirm")
    page.get_by_role("button", name="Thử lại tất cả").click()
    expect(page.get_by_role("status")).to_contain_text(f"Đã đặt lại {len(failed)} lượt đăng")
    with site.app.db.read() as session:
        states = session.exec(select(Delivery.state).where(col(Delivery.id).in_(made))).all()
    assert DeliveryState.failed not in states
    page.goto("/channels")
    expect(page.locator("#channel-web-asean .retry-failed-link")).to_have_count(0)
