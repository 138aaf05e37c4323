"""The calendar in a real browser: the month view, and moving a post by drag and drop."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

from playwright.sync_api import Page, expect

from content.models import Post
from content.timeutil import to_local
from tests.browser.conftest import EDITOR, OFFICER, Shoot, Site
from tests.browser.helpers import drag, log_in
from tests.factories import post_input


def a_day_ahead(site: Site) -> date:
    """Tomorrow, or the 2nd of next month near a month's end: its next day is then in the
    same month grid, and its week holds both."""
    zone = site.app.config.zone
    day = to_local(datetime.now(zone), zone).date() + timedelta(days=1)
    if day.day >= 28:
        day = (day.replace(day=1) + timedelta(days=32)).replace(day=2)
    return day


def approved_post(site: Site, title: str, when: datetime, channels: list[str]) -> int:
    """A post written by the officer and approved by the editor, through the services."""
    posts = site.app.posts
    officer, editor = posts.actor(OFFICER), posts.actor(EDITOR)
    post = posts.create(officer, post_input(title=title, channels=channels, scheduled_at=when))
    assert post.id is not None
    posts.submit(officer, post.id)
    posts.approve(editor, post.id)
    return post.id


def scheduled_at(site: Site, post_id: int) -> datetime:
    with site.app.db.read() as session:
        post = session.get(Post, post_id)
        assert post is not None and post.scheduled_at is not None
        return to_local(post.scheduled_at, site.app.config.zone)


def test_the_month_view_shows_posts_and_a_drag_moves_one_to_another_day_and_hour(
    new_page: Callable[[], Page], site: Site, shoot: Shoot
) -> None:
    zone = site.app.config.zone
    day = a_day_ahead(site)
    when = datetime.combine(day, datetime.min.time()).replace(hour=10, minute=15, tzinfo=zone)
    post_id = approved_post(site, "Tuần Văn hóa ASEAN tại Huế", when, ["web-asean"])
    approved_post(site, "Ngày ASEAN: lễ thượng cờ", when + timedelta(hours=4), ["web-asean"])

    page = new_page()
    log_in(page, EDITOR)
    page.goto(f"/calendar?view=month&date={day.isoformat()}")
    cell = page.locator(f".cal-day[data-drop-date='{day.isoformat()}']")
    chip = cell.locator(f".chip[data-post='{post_id}']")
    expect(chip).to_contain_text("10:15")
    expect(chip).to_contain_text("Tuần Văn hóa ASEAN tại Huế")
    expect(chip).to_have_attribute("draggable", "true")  # the editor may move it
    shoot(page, "calendar-month")

    # The week of that day, one row per hour: drag the post from 10:00 to 12:00.
    page.goto(f"/calendar?view=week&date={day.isoformat()}")
    chip = page.locator(f".chip[data-post='{post_id}']")
    slot = f".slot[data-drop-date='{day.isoformat()}'][data-drop-hour='{{}}']"
    expect(page.locator(slot.format(10)).locator(chip)).to_be_visible()
    drag(page, chip, page.locator(slot.format(12)))
    status = page.locator("#cal-status")
    expect(status).to_contain_text(f"#{post_id}")
    expect(status).to_contain_text("12:15")
    expect(page.locator(slot.format(12)).locator(chip)).to_contain_text("12:15")
    assert scheduled_at(site, post_id) == when + timedelta(hours=2)

    # Undo puts it back where it was.
    status.get_by_role("button", name="Hoàn tác").click()
    expect(page.locator(slot.format(10)).locator(chip)).to_contain_text("10:15")
    assert scheduled_at(site, post_id) == when

    # In the month view a drop on another day keeps the time.
    after = day + timedelta(days=1)
    page.goto(f"/calendar?view=month&date={day.isoformat()}")
    target = page.locator(f".cal-day[data-drop-date='{after.isoformat()}']")
    chip = page.locator(f".chip[data-post='{post_id}']")
    drag(page, chip, target)
    expect(target.locator(chip)).to_contain_text("10:15")
    expect(status).to_contain_text(f"{after:%d/%m/%Y} 10:15")
    assert scheduled_at(site, post_id) == when + timedelta(days=1)
    page.reload()  # and it stays there
    expect(target.locator(chip)).to_contain_text("10:15")
    expect(page).to_have_url(re.compile(r"/calendar\?view=month"))

    # The officer who wrote it sees it, but may no longer move it: it is approved.
    officer = new_page()
    log_in(officer, OFFICER)
    officer.goto(f"/calendar?view=month&date={day.isoformat()}")
    theirs = officer.locator(
        f".cal-day[data-drop-date='{after.isoformat()}'] .chip[data-post='{post_id}']"
    )
    expect(theirs).to_contain_text("Tuần Văn hóa ASEAN tại Huế")
    expect(theirs).not_to_have_attribute("draggable", "true")


def test_on_a_phone_the_pages_fit_the_screen(
    new_page: Callable[..., Page], site: Site, shoot: Shoot
) -> None:
    zone = site.app.config.zone
    day = a_day_ahead(site)
    when = datetime(day.year, day.month, day.day, 9, tzinfo=zone)
    approved_post(site, "Tuần lễ ASEAN trên điện thoại", when, ["web-asean"])
    page = new_page(phone=True)
    log_in(page, EDITOR)
    for path in ("/calendar?view=month", "/calendar?view=week", "/compose", "/review"):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} is {overflow} px wider than a phone's screen"
    page.goto(f"/calendar?view=month&date={day.isoformat()}")
    expect(page.get_by_text("Tuần lễ ASEAN trên điện thoại").first).to_be_visible()
    shoot(page, "calendar-phone")
