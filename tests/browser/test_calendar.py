"""The calendar in a real browser: the month view, moving a post by drag and drop, and a busy
month (one entry per post, badges per channel, "+N bài nữa", a legend) on a desktop and a phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

from playwright.sync_api import Page, ViewportSize, expect

from content.models import Post
from content.timeutil import to_local
from tests.browser.conftest import EDITOR, OFFICER, Shoot, Site
from tests.browser.dense import BUSIEST_POSTS, dense_month
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
    expect(chip.locator(".badge")).to_have_text(["◷ Trang web: Chờ đăng"])  # its one channel
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


MONTH_CELL_POSTS = 3
DESKTOP: ViewportSize = {"width": 1440, "height": 900}


def sideways(page: Page) -> int:
    """How far the page scrolls sideways (0: it fits its window)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def test_a_busy_month_is_one_entry_per_post_with_badges_overflow_and_a_legend(
    new_page: Callable[..., Page], site: Site, shoot: Shoot
) -> None:
    dense = dense_month(site)
    assert len(dense.posts) == 128 and dense.deliveries == 300
    per_day = dense.per_day()
    assert per_day[dense.busiest] >= BUSIEST_POSTS > MONTH_CELL_POSTS
    month = f"/calendar?view=month&date={dense.first.isoformat()}"
    page = new_page()
    page.set_viewport_size(DESKTOP)
    log_in(page, EDITOR)
    page.goto(month)
    grid = page.locator(".month")
    # One entry per post (never per delivery), at most three a day, "+N bài nữa" for the rest.
    for day, count in per_day.items():
        cell = grid.locator(f".cal-day[data-drop-date='{day.isoformat()}']")
        entries = cell.locator(".chip")
        expect(entries).to_have_count(min(count, MONTH_CELL_POSTS))
        posts = [entry.get_attribute("data-post") for entry in entries.all()]
        assert len(set(posts)) == len(posts), f"{day}: a post shown twice"
        more = cell.locator(".more a")
        if count > MONTH_CELL_POSTS:
            expect(more).to_have_text(f"+{count - MONTH_CELL_POSTS} bài nữa")
        else:
            expect(more).to_have_count(0)
    # Channels are labelled by platform, with their state; the legend says what marks mean.
    badges = grid.locator(".badge")
    for platform in ("Facebook", "Zalo OA", "YouTube", "Trang web"):
        expect(badges.filter(has_text=platform).first).to_be_visible()
    assert badges.count() < sum(min(c, MONTH_CELL_POSTS) for c in per_day.values()) * 4
    legend = page.locator(".cal-legend")
    expect(legend).to_contain_text("Trang web")
    expect(legend).to_contain_text("✗ Thất bại")
    expect(legend).to_contain_text("↩ Bị trả lại")
    # A rejected post and one waiting for review do not look alike.
    rejected = grid.locator(".post-state.ps-rejected").first
    waiting = grid.locator(".post-state.ps-in_review").first
    expect(rejected).to_contain_text("Bị trả lại")
    expect(waiting).to_contain_text("Chờ duyệt")
    looks = [
        locator.evaluate(
            "e => getComputedStyle(e).backgroundColor + getComputedStyle(e).borderColor"
        )
        for locator in (rejected, waiting)
    ]
    assert looks[0] != looks[1]
    # The grid keeps to the window, and no week row stretches past the others.
    assert sideways(page) <= 0, f"the month scrolls {sideways(page)} px sideways at 1440 px"
    heights = [
        box["height"] for box in (c.bounding_box() for c in grid.locator(".cal-day").all()) if box
    ]
    assert max(heights) <= 1.5 * min(heights), heights  # one busy day no longer stretches
    shoot(page, "calendar-dense")  # README's picture: docs/screenshots/calendar-dense.png

    # "+N bài nữa" opens the day, which lists all of its posts.
    grid.locator(f".cal-day[data-drop-date='{dense.busiest.isoformat()}'] .more a").click()
    expect(page).to_have_url(re.compile(rf"view=day&date={dense.busiest.isoformat()}"))
    expect(page.locator(".day-view .chip")).to_have_count(per_day[dense.busiest])
    assert sideways(page) <= 0

    # A drag still moves a post in the busy month: from a day ahead to the month's last day
    # (near the month's end no day is far enough ahead, and the other tests drag instead).
    page.goto(month)
    last_day = (dense.first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    ahead = [day for day in sorted(per_day) if dense.today + timedelta(days=2) < day < last_day]
    for day in ahead:
        found = grid.locator(f".cal-day[data-drop-date='{day.isoformat()}'] .chip[draggable]")
        if found.count():
            post_id = int(found.first.get_attribute("data-post") or 0)
            before = scheduled_at(site, post_id)
            target = grid.locator(f".cal-day[data-drop-date='{last_day.isoformat()}']")
            drag(page, found.first, target)
            expect(page.locator("#cal-status")).to_contain_text(f"#{post_id}")
            expect(target.locator(f".chip[data-post='{post_id}']")).to_be_visible()
            assert scheduled_at(site, post_id) == before + (last_day - day)
            break
    else:
        assert not ahead or len(ahead) < 3, "no post ahead may be moved"

    # On a phone: the month is a list of days, with the same entries, and fits the screen.
    phone = new_page(phone=True)
    log_in(phone, EDITOR)
    phone.goto(month)
    expect(phone.locator(".cal-day .more a").first).to_be_visible()
    assert sideways(phone) <= 0, f"the month scrolls {sideways(phone)} px sideways on a phone"
    shoot(phone, "calendar-dense-phone")
