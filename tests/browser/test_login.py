"""Signing in and out, the language switch and the users page, in a real browser."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, EDITOR, OFFICER, Shoot, Site
from tests.browser.helpers import PASSWORD, log_in, log_out

EXPIRED = "Phiên làm việc đã hết hạn hoặc bạn chưa đăng nhập."


def test_a_wrong_password_is_refused_then_the_right_one_signs_in(
    page: Page, site: Site, shoot: Shoot
) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fcalendar$"))
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(EXPIRED)
    shoot(page, "login")

    page.get_by_label("Tên đăng nhập").fill(ADMIN)
    page.get_by_label("Mật khẩu").fill(PASSWORD + "x")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_have_text("Sai tên đăng nhập hoặc mật khẩu.")
    expect(page.get_by_label("Tên đăng nhập")).to_have_value(ADMIN)  # kept
    expect(page.get_by_label("Mật khẩu")).to_have_value("")  # never sent back
    assert not [c for c in page.context.cookies() if c["name"] == "loa_session"]

    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(f"{site.url}/calendar")  # the `next` it was sent away from
    expect(page.locator("header .who")).to_have_text("Quản trị hệ thống")
    [session] = [c for c in page.context.cookies() if c["name"] == "loa_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    menu = page.get_by_role("navigation", name="Danh mục")
    expect(menu.get_by_role("link", name="Người dùng")).to_be_visible()  # an administrator


def test_vietnamese_first_english_by_the_switch_and_the_choice_stays(page: Page) -> None:
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Username").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Remembered by its cookie: the next page, without ?lang=, is still in English.
    page.wait_for_url(re.compile(r"/calendar"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    menu = page.get_by_role("navigation", name="Menu")
    expect(menu.get_by_role("link", name="Calendar")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    page.goto("/calendar")
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def test_an_administrator_adds_a_user_who_can_then_sign_in(
    new_page: Callable[[], Page], shoot: Shoot
) -> None:
    admin = new_page()
    log_in(admin, ADMIN)
    admin.get_by_role("navigation", name="Danh mục").get_by_role("link", name="Người dùng").click()
    expect(admin).to_have_url(re.compile(r"/admin/users$"))
    expect(admin.get_by_role("heading", name="Người dùng", exact=True)).to_be_visible()
    table = admin.locator("table.list")
    for username in (ADMIN, EDITOR, OFFICER):
        expect(table.get_by_role("link", name=username, exact=True)).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="cbtt.sdl")).to_contain_text("chưa có mật khẩu")

    form = admin.locator("form[action='/admin/users']")
    form.get_by_label("Tên đăng nhập").fill("cbtt.browser")
    form.get_by_label("Họ và tên").fill("Nguyễn Văn Trình Duyệt")
    form.get_by_label("Vai trò").select_option("officer")
    form.get_by_label("Đơn vị").select_option("SNGV")
    form.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    form.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    form.get_by_role("button", name="Thêm người dùng").click()
    expect(admin.get_by_role("status")).to_contain_text("Đã lưu.")
    row = table.get_by_role("row").filter(has_text="cbtt.browser")
    expect(row).to_contain_text("Nguyễn Văn Trình Duyệt")
    expect(row).to_contain_text("SNGV")
    expect(row).not_to_contain_text("chưa có mật khẩu")
    shoot(admin, "users")

    newcomer = new_page()
    log_in(newcomer, "cbtt.browser")
    expect(newcomer.locator("header .who")).to_have_text("Nguyễn Văn Trình Duyệt")
    menu = newcomer.get_by_role("navigation", name="Danh mục")
    expect(menu.get_by_role("link", name="Người dùng")).to_have_count(0)  # an officer
    response = newcomer.goto("/admin/users")
    assert response is not None and response.status == 403
    expect(newcomer.get_by_role("heading", name="Không có quyền")).to_be_visible()


def test_logging_out_ends_the_session(page: Page, site: Site) -> None:
    log_in(page, OFFICER)
    expect(page.locator("header .who")).to_have_text("Trần Văn Minh")
    log_out(page)
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "loa_session"]
    page.goto("/calendar")  # no session any more: back to the form, which says why
    expect(page).to_have_url(f"{site.url}/login?next=%2Fcalendar")
    expect(page.get_by_role("status")).to_have_text(EXPIRED)
