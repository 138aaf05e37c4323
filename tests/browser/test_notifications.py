"""People are told, in a real browser: an officer submits, an editor approves, and the officer's
bell counts it; /notifications leads to the post and the count drops. Desktop and phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from playwright.sync_api import Page, expect

from content.timeutil import utcnow
from tests.browser.conftest import EDITOR, OFFICER, Shoot, Site
from tests.browser.helpers import log_in
from tests.factories import post_input

BELL_LABEL = re.compile(r"^Thông báo: (\d+) chưa đọc$")


def bell_count(page: Page) -> int:
    """The unread count the bell says (its label, read by screen readers, and its badge)."""
    bell = page.locator("header a.bell")
    label = bell.get_attribute("aria-label") or ""
    found = BELL_LABEL.match(label)
    assert found, label
    count = int(found.group(1))
    badge = bell.locator(".bell-count")
    if count:
        expect(badge).to_have_text(str(count))
    else:
        expect(badge).to_have_count(0)
    return count


def sideways(page: Page) -> int:
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def draft(site: Site, title: str) -> int:
    posts = site.app.posts
    when = utcnow().replace(microsecond=0) + timedelta(days=4)
    post = posts.create(
        posts.actor(OFFICER), post_input(title=title, channels=["web-asean"], scheduled_at=when)
    )
    assert post.id is not None
    return post.id


def test_the_officer_is_told_of_the_approval_and_follows_it_to_the_post(
    new_page: Callable[..., Page], site: Site, shoot: Shoot
) -> None:
    title = "Ngày hội văn hóa ASEAN tại Huế"
    post_id = draft(site, title)
    officer = new_page()
    log_in(officer, OFFICER)
    officer.goto(f"/posts/{post_id}")
    before = bell_count(officer)
    officer.get_by_role("button", name="Gửi duyệt", exact=True).click()
    officer.wait_for_url(re.compile(rf"/posts/{post_id}"))

    editor = new_page()
    log_in(editor, EDITOR)
    editor.goto("/notifications")
    expect(editor.locator(".notification.unread").first).to_contain_text(
        f"Bài mới chờ duyệt: «{title}»"
    )
    editor.goto(f"/posts/{post_id}")
    editor.locator("#approve-form").get_by_role("button", name="Duyệt", exact=True).click()
    editor.wait_for_url(re.compile(rf"/posts/{post_id}"))

    officer.goto("/calendar")
    assert bell_count(officer) == before + 1
    shoot(officer, "notifications-bell-desktop")
    officer.locator("header a.bell").click()
    officer.wait_for_url("**/notifications")
    newest = officer.locator(".notification").first
    expect(newest).to_have_class(re.compile(r"\bunread\b"))
    expect(newest.locator(".notification-title")).to_contain_text(f"Bài đã được duyệt: «{title}»")
    assert sideways(officer) <= 1
    shoot(officer, "notifications-desktop")
    newest.locator(".notification-title a").click()
    officer.wait_for_url(re.compile(rf"/posts/{post_id}$"))
    expect(officer.locator("h1")).to_contain_text(title)
    assert bell_count(officer) == before
    officer.goto("/notifications")
    expect(officer.locator(".notification").first).not_to_have_class(re.compile(r"\bunread\b"))


def test_on_a_phone_the_bell_and_the_list_fit_and_mark_all_read(
    new_page: Callable[..., Page], site: Site, shoot: Shoot
) -> None:
    title = "Cuộc thi ảnh ASEAN trên điện thoại"
    post_id = draft(site, title)
    posts = site.app.posts
    posts.submit(posts.actor(OFFICER), post_id)
    posts.reject(posts.actor(EDITOR), post_id, "Ảnh thiếu chú thích; hãy bổ sung.")

    phone = new_page(phone=True)
    log_in(phone, OFFICER)
    assert bell_count(phone) >= 1
    expect(phone.locator("header a.bell")).to_be_visible()
    assert sideways(phone) <= 1, "the bell pushes the header sideways on a phone"
    shoot(phone, "notifications-bell-phone")
    phone.locator("header a.bell").click()
    phone.wait_for_url("**/notifications")
    sent_back = phone.locator(".notification", has_text=f"Bài bị trả lại: «{title}»")
    expect(sent_back).to_contain_text("Lý do: Ảnh thiếu chú thích; hãy bổ sung.")
    assert sideways(phone) <= 1, "/notifications scrolls sideways on a phone"
    shoot(phone, "notifications-phone")
    phone.get_by_role("button", name="Đánh dấu tất cả đã đọc").click()
    phone.wait_for_url("**/notifications")
    expect(phone.locator(".notification.unread")).to_have_count(0)
    assert bell_count(phone) == 0
