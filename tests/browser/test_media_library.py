"""The media library in Chromium: an officer uploads a photo while writing a post, finds it on
“Thư viện ảnh” by typing its name without diacritics, reuses it in a new post from
“Dùng trong bài mới”, and then sees both posts under “Đã dùng trong”. Screenshots on desktop
and phone; the page does not scroll sideways on either, and axe-core finds nothing serious on it
(the same check as tests/browser/test_accessibility.py, which lists the other main pages)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import IN_CI, OFFICER, ROOT, TIMEOUT_MS, Shoot, Site
from tests.browser.helpers import log_in

AXE = ROOT / "node_modules/axe-core/axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + ": " + v.help + " :: " + v.nodes.slice(0, 3).map(n => n.target).join(" | "));
}"""

NAME = "Đêm hội Trịnh Công Sơn.png"
ALT = "Sân khấu bên bờ sông Hương"


def photo(path: Path) -> Path:
    image = Image.new("RGB", (900, 600), (120, 40, 90))
    for y in range(0, 600, 60):
        image.paste((240, 190, 60), (0, y, 900, y + 20))
    image.save(path, "PNG")
    return path


def save_draft(page: Page, title: str) -> str:
    page.locator("#f-title").fill(title)
    page.locator("#f-body").fill("Đêm nhạc tưởng nhớ Trịnh Công Sơn bên bờ sông Hương, Huế.")
    page.locator("input[name=channels][value='web-asean']").check()
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator(".alert.info[role=status]")).to_have_text("Đã lưu bài.")
    return page.url.split("/posts/")[1].split("?")[0]


def test_find_a_photo_reuse_it_in_a_new_post_and_see_where_it_was_used(
    page: Page, new_page: Callable[..., Page], shoot: Shoot, tmp_path: Path
) -> None:
    log_in(page, OFFICER)
    page.goto("/compose")
    page.get_by_label("Chọn ảnh hoặc video").set_input_files(str(photo(tmp_path / NAME)))
    expect(page.locator("#media-rows .media-row")).to_have_count(1)
    page.get_by_label("Mô tả ảnh của tệp 1 (cho người khiếm thị)").fill(ALT)
    first = save_draft(page, "Đêm nhạc Trịnh bên sông Hương")

    page.get_by_role("link", name="Thư viện ảnh").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thư viện ảnh")
    page.get_by_label("Tìm theo tên tệp hoặc mô tả ảnh").fill("dem hoi trinh")
    page.get_by_role("button", name="Tìm", exact=True).click()
    card = page.locator(".media-item")
    expect(card).to_have_count(1)
    expect(card.locator(".media-name")).to_have_text(NAME)
    expect(card).to_contain_text(ALT)
    expect(card).to_contain_text("ảnh")
    expect(card).to_contain_text("Đã dùng trong")
    expect(
        card.get_by_role("link", name=f"#{first} · Đêm nhạc Trịnh bên sông Hương")
    ).to_be_visible()
    thumb = card.locator(".media-thumb img")
    expect(thumb).to_have_attribute("alt", ALT)
    assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")

    card.get_by_role("link", name=f"Dùng trong bài mới: {NAME}").click()
    expect(page).to_have_url(re.compile(r"/compose\?media=[0-9a-f]{64}$"))
    row = page.locator("#media-rows .media-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"Tệp 1: {NAME}")
    expect(page.get_by_label("Mô tả ảnh của tệp 1 (cho người khiếm thị)")).to_have_value(ALT)
    second = save_draft(page, "Nhìn lại đêm nhạc Trịnh")

    page.goto("/media?q=sông hương")
    card = page.locator(".media-item")
    expect(card).to_have_count(1)
    uses = card.locator(".media-uses li")
    expect(uses).to_have_count(2)
    expect(uses.first).to_contain_text(f"#{second} · Nhìn lại đêm nhạc Trịnh")
    expect(uses.first.locator(".state")).to_have_text("Nháp")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"the media library scrolls sideways: {width}px"
    shoot(page, "media-library-desktop")

    phone = new_page(phone=True)
    log_in(phone, OFFICER)
    phone.goto("/media?q=trinh cong son")
    expect(phone.locator(".media-item .media-uses li")).to_have_count(2)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the media library scrolls sideways on a phone: {width}px"
    shoot(phone, "media-library-phone")


@pytest.mark.parametrize("width", [1440, 390])
def test_axe_finds_nothing_serious_on_the_media_library(
    browser: Browser, site: Site, width: int
) -> None:
    if not AXE.is_file():
        reason = f"axe-core is not installed ({AXE.relative_to(ROOT)} is missing)"
        if IN_CI:
            pytest.fail(f"{reason}; CI=true requires the accessibility check")
        pytest.skip(reason)
    context = browser.new_context(
        base_url=site.url,
        locale="vi-VN",
        viewport={"width": width, "height": 900},
        is_mobile=width < 600,
        bypass_csp=True,  # axe is injected as an inline script; the page's own CSP is tested above
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        log_in(page, OFFICER)
        page.goto("/media")
        page.add_script_tag(path=str(AXE))
        assert page.evaluate(RUN_AXE) == []
    finally:
        context.close()
