"""/reports in a real browser: last reporting year's published posts with their figures, the
charts drawn, progress bars and gaps, a download, on a desktop and on a phone; an officer's
page of their own department."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from playwright.sync_api import Page, expect

from content import metrics
from content.models import Delivery, Post
from content.timeutil import utcnow
from loa.report_inputs import current_year, reporting_year
from tests.browser.conftest import EDITOR, OFFICER, Shoot, Site
from tests.browser.helpers import log_in
from tests.factories import published_deliveries

TITLES = (
    "Ngày ASEAN 8/8: lễ thượng cờ tại Trung tâm Hành chính tỉnh",
    "Huế đón đoàn khách ASEAN đầu tiên của mùa lễ hội",
    "Ẩm thực cung đình Huế giới thiệu tại Diễn đàn ASEAN",
    "Trường Đại học Huế kết nối sinh viên các nước ASEAN",
)


def seed_last_year(site: Site) -> int:
    """Posts published across last reporting year (some with figures): that year."""
    zone = site.app.config.zone
    year = current_year(utcnow(), zone) - 1
    start, _ = reporting_year(year, zone, utcnow())

    def at(days: int) -> datetime:
        return start + timedelta(days=days, hours=2)

    made = [
        *published_deliveries(site.app.db, 2, at(20), topic="a", pillar="ASCC"),
        *published_deliveries(site.app.db, 1, at(120), channel_id="web-asean", topic="h"),
        *published_deliveries(
            site.app.db, 1, at(279), channel_id="fb-dulich-hue", department="SDL",
            author="cbtt.sdl", topic="h", pillar="AEC",
        ),
        *published_deliveries(site.app.db, 2, at(280), channel_id="zalo-asean-hue", topic="g",
                              pillar="APSC"),
    ]  # fmt: skip
    with site.app.db.write() as session:
        for number, delivery_id in enumerate(made):
            post_id = session.get_one(Delivery, delivery_id).post_id
            post = session.get_one(Post, post_id)
            post.title = TITLES[number % len(TITLES)]
            session.add(post)
        session.flush()
        metrics.schedule_new(session)
        readings = [
            metrics.Reading(made[0], {"views": 12400, "reactions": 310, "shares": 42}),
            metrics.Reading(made[1], {"views": 3150, "reactions": 95}),
            metrics.Reading(made[3], {"views": 880, "comments": 7}),
        ]
        metrics.record(session, readings, at(290), zone)
    return year


def expect_charts_drawn(page: Page, count: int) -> None:
    """Every chart image on the page has loaded and has a size (an SVG the browser drew)."""
    charts = page.locator("img.report-chart")
    expect(charts).to_have_count(count)
    for index in range(count):
        page.wait_for_function(
            "image => image.complete && image.naturalWidth > 0",
            arg=charts.nth(index).element_handle(),
        )


def test_the_report_page_with_charts_progress_and_a_download(
    new_page: Callable[..., Page], site: Site, shoot: Shoot
) -> None:
    year = seed_last_year(site)
    for phone in (False, True):
        page = new_page(phone=phone)
        log_in(page, EDITOR)
        page.goto(f"/reports?year={year}")
        expect(page.locator("h1")).to_have_text("Báo cáo kết quả tuyên truyền ASEAN")
        expect(page.locator("#summary")).to_contain_text("lượt đăng có số liệu")
        expect(page.locator("#targets .target.missed").first).to_be_visible()
        expect(page.locator("#gaps")).to_contain_text("chưa đăng bài nào")
        expect_charts_drawn(page, 6)
        viewport = page.viewport_size
        assert viewport is not None  # nothing wider than the screen: tables scroll inside
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        shoot(page, "reports-phone" if phone else "reports-desktop")
    with page.expect_download() as download:
        page.locator(".report-downloads a", has_text="XLSX").click()
    assert download.value.suggested_filename == f"Báo cáo ASEAN {year} - Toàn tỉnh.xlsx"


def test_an_officer_sees_their_own_department_in_english(
    new_page: Callable[..., Page], site: Site, shoot: Shoot
) -> None:
    year = current_year(utcnow(), site.app.config.zone) - 1
    page = new_page(phone=True)
    log_in(page, OFFICER)
    page.goto(f"/reports?year={year}&lang=en")
    expect(page.locator(".report-scope")).to_have_text(
        "Department of Information and Communications"
    )
    expect(page.locator("select[name=department]")).to_have_count(0)
    expect(page.locator("#targets")).to_contain_text(re.compile(r"targets met"))
    if page.locator("#summary .report-empty").count() == 0:
        expect_charts_drawn(page, 5)  # no "by department": one department
    shoot(page, "reports-officer-phone-en")
