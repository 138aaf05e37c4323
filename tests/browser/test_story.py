"""The whole story of issue 5, in a real browser, against a real Loa, sandbox and worker.

An officer composes a post with an image (alt text, two channels, a time two minutes ahead)
and submits it; the editor finds it in the review queue and approves it; on the calendar the
editor drags it an hour later; the worker publishes it to the sandbox at its new time (the
worker's clock is moved there, the only thing not real) and the post page shows both
deliveries published, with public links to the sandbox's pages, which show the post.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Locator, Page, expect

from content.models import Post
from content.timeutil import to_local
from tests.browser.conftest import EDITOR, OFFICER, Shoot, Site
from tests.browser.helpers import drag, log_in

CHANNELS = ("web-asean", "zalo-asean-hue")  # both shared: open to every department's officers


def infographic(path: Path) -> Path:
    """A real PNG, made here: a banner with a few coloured bars (a chart, as the office's are)."""
    image = Image.new("RGB", (1200, 630), (21, 101, 192))
    draw = ImageDraw.Draw(image)
    for number, height in enumerate((180, 260, 340, 420)):
        left = 160 + number * 240
        draw.rectangle((left, 560 - height, left + 160, 560), fill=(255, 193, 7))
    draw.rectangle((0, 0, 1200, 90), fill=(255, 255, 255))
    image.save(path, format="PNG")
    return path


def when_ahead(site: Site) -> datetime:
    """Two minutes ahead, on the minute; outside 23:00-23:59, so an hour later is the same day
    (the week view's hour rows then hold both)."""
    zone = site.app.config.zone
    when = to_local(datetime.now(zone), zone).replace(second=0, microsecond=0)
    when += timedelta(minutes=2)
    if when.hour == 23:
        when += timedelta(hours=1)
    return when


def reload_until(page: Page, locator: Locator, count: int, timeout: float = 45.0) -> None:
    """Reload the page until `locator` matches `count` elements (the worker works meanwhile)."""
    deadline = time.monotonic() + timeout
    while locator.count() != count:
        if time.monotonic() > deadline:
            expect(locator).to_have_count(count, timeout=1)  # fails with what is there
        time.sleep(0.5)
        page.reload()


def test_compose_review_approve_drag_and_see_it_published(
    new_page: Callable[[], Page],
    site: Site,
    shoot: Shoot,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    title = f"Huế đón Tuần Văn hóa ASEAN 2026 ({uuid.uuid4().hex[:6]})"
    alt = "Biểu đồ cột: lượng khách ASEAN đến Huế tăng qua bốn năm"
    when = when_ahead(site)

    # --- the officer composes and submits -------------------------------------------------
    officer = new_page()
    log_in(officer, OFFICER)
    officer.get_by_role("navigation", name="Danh mục").get_by_role("link", name="Soạn bài").click()
    expect(officer.get_by_role("heading", name="Soạn bài")).to_be_visible()
    form = officer.locator("form#composer")
    form.locator("#f-title").fill(title)
    form.locator("#f-body").fill(
        "Tuần Văn hóa ASEAN tại Huế giới thiệu ẩm thực, âm nhạc và nghề thủ công của mười"
        " nước thành viên, từ ngày 8 đến 14/8 tại Trung tâm Văn hóa Phương Nam."
    )
    form.locator("#f-hashtags").fill("ASEAN Hue")
    form.locator("#f-pillar").select_option("ASCC")
    officer.locator("#f-upload").set_input_files(str(infographic(tmp_path / "bieu-do.png")))
    row = officer.locator("#media-rows .media-row")
    expect(row).to_have_count(1)
    expect(row.locator("img")).to_be_visible()  # its thumbnail, from the server
    row.get_by_label("Mô tả ảnh").fill(alt)
    for channel in CHANNELS:
        form.locator(f"input[name=channels][value='{channel}']").check()
    form.locator("input[name=timing][value=at]").check()
    officer.locator("#f-at").fill(f"{when:%Y-%m-%dT%H:%M}")

    # The live preview: one card per chosen channel, with the image and its alt text.
    cards = officer.locator("#live-preview .preview-card")
    expect(cards).to_have_count(len(CHANNELS))
    for card in cards.all():
        expect(card).to_contain_text(title)
        expect(card).to_contain_text(alt)
    expect(officer.locator("#live-preview .has-problems")).to_have_count(0)
    shoot(officer, "composer")

    form.get_by_role("button", name="Gửi duyệt").click()
    expect(officer.get_by_role("status")).to_have_text("Đã gửi duyệt.")
    found = re.search(r"/posts/(\d+)\?done=submitted$", officer.url)
    assert found, officer.url
    post_id = int(found.group(1))
    expect(officer.locator("h1.post-title")).to_have_text(title)

    # --- the editor approves it from the review queue ------------------------------------
    editor = new_page()
    log_in(editor, EDITOR)
    editor.get_by_role("navigation", name="Danh mục").get_by_role("link", name="Duyệt bài").click()
    item = editor.locator(f"#review-{post_id}")
    expect(item).to_contain_text(title)
    expect(item).to_contain_text("Trần Văn Minh")
    expect(item).to_contain_text(f"{when:%d/%m/%Y %H:%M}")
    shoot(editor, "review-queue")
    item.get_by_label("Góp ý (không bắt buộc)").fill("Đạt, đăng đúng giờ.")
    item.get_by_role("button", name="Duyệt", exact=True).click()
    expect(editor.locator(f"#review-{post_id}")).to_have_count(0)
    with site.app.db.read() as session:
        post = session.get(Post, post_id)
        assert post is not None and post.state == "approved"

    # --- the editor drags it an hour later on the calendar --------------------------------
    later = when + timedelta(hours=1)
    editor.goto(f"/calendar?view=week&date={when:%Y-%m-%d}")
    entry = editor.locator(f".chip[data-post='{post_id}']")
    expect(entry).to_have_count(1)  # one entry per post, its channels as badges
    slot = f".slot[data-drop-date='{when:%Y-%m-%d}'][data-drop-hour='{{}}']"
    badges = editor.locator(slot.format(when.hour)).locator(entry).locator(".badge")
    expect(badges).to_have_text(["◷ Zalo OA: Chờ đăng", "◷ Trang web: Chờ đăng"])  # both waiting
    drag(editor, entry, editor.locator(slot.format(later.hour)))
    status = editor.locator("#cal-status")
    expect(status).to_contain_text(f"#{post_id}")
    expect(status).to_contain_text(f"{later:%d/%m/%Y %H:%M}")
    moved = editor.locator(slot.format(later.hour)).locator(entry)
    expect(moved).to_have_count(1)
    expect(moved).to_contain_text(f"{later:%H:%M}")
    editor.reload()  # the server has both deliveries there too
    badges = editor.locator(slot.format(later.hour)).locator(entry).locator(".badge")
    expect(badges).to_have_count(len(CHANNELS))
    expect(editor.locator(slot.format(when.hour)).locator(entry)).to_have_count(0)

    # --- the worker publishes it at its new time ------------------------------------------
    request.getfixturevalue("worker")  # started only now: nothing could go out before the move
    site.clock.jump_to(later.astimezone(site.app.config.zone) + timedelta(seconds=1))
    editor.goto(f"/posts/{post_id}")
    reload_until(editor, editor.locator("section.delivery-published"), len(CHANNELS))
    links = editor.locator("section.delivery-published a[href^='http']")
    expect(links).to_have_count(len(CHANNELS))
    hrefs = [link.get_attribute("href") or "" for link in links.all()]
    assert all(href.startswith(site.sandbox.url + "/") for href in hrefs), hrefs
    expect(editor.locator("section.delivery").first).to_contain_text(f"{later:%d/%m/%Y %H:%M}")
    expect(editor.locator("ol.history")).to_contain_text("đổi lịch")
    shoot(editor, "post")
    # Other tests share this site and may leave posts the worker then finds late: only this
    # post's alerts matter here.
    ours = [alert for alert in site.alerts if alert.post_id == post_id]
    assert not ours, ours

    # The public links lead to the sandbox's pages of the post.
    reader = new_page()
    for href in hrefs:
        response = reader.goto(href)
        assert response is not None and response.ok, href
        expect(reader.locator("body")).to_contain_text(title.split(" (", maxsplit=1)[0])

    # --- the channels page shows the success --------------------------------------------
    editor.get_by_role("navigation", name="Danh mục").get_by_role("link", name="Kênh").click()
    for channel in CHANNELS:
        card = editor.locator(f"#channel-{channel}")
        expect(card.locator(".state")).to_have_text("Đang hoạt động")
        expect(card.locator(".last-success")).to_contain_text(f"bài #{post_id}")
    shoot(editor, "channels")
