"""The composer's safety: what an officer types is text (in the live preview and on the post
page) and runs nothing; an upload is judged by its bytes, not by its name."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import OFFICER
from tests.browser.helpers import log_in

TITLE = '<img src=x onerror="window.pwned = 1">Tin ASEAN & "Huế"'
BODY = "<script>window.pwned = 2</script><b>Đậm</b> <a href='javascript:alert(1)'>xem</a>"


def test_markup_in_a_post_shows_as_text_and_runs_nothing(page: Page) -> None:
    log_in(page, OFFICER)
    page.goto("/compose")
    page.locator("#f-title").fill(TITLE)
    page.locator("#f-body").fill(BODY)
    page.locator("input[name=channels][value='web-asean']").check()

    card = page.locator("#live-preview .preview-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(TITLE)  # the characters themselves, not an image
    expect(card).to_contain_text("<script>window.pwned = 2</script>")
    expect(card.locator("img, script, b, a")).to_have_count(0)

    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_role("status")).to_have_text("Đã lưu bài.")
    expect(page.locator("h1.post-title")).to_have_text(TITLE)
    expect(page.locator(".post-body")).to_contain_text(BODY)
    article = page.locator("article.post-page")
    expect(article.locator("img[src='x'], script, b, a[href^='javascript']")).to_have_count(0)
    assert page.evaluate("window.pwned") is None
    assert page.title().startswith("Bài #")


def test_a_file_that_only_claims_to_be_an_image_is_refused(page: Page) -> None:
    log_in(page, OFFICER)
    page.goto("/compose")
    page.locator("#f-upload").set_input_files(
        {"name": "anh-su-kien.png", "mimeType": "image/png", "buffer": b"<?php echo 1; ?>" * 8}
    )
    error = page.locator("#upload-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("anh-su-kien.png")
    expect(error).to_contain_text("nội dung không phải ảnh hay video")
    expect(page.locator("#media-rows .media-row")).to_have_count(0)


def test_the_live_preview_matches_the_server_s_and_the_fields_are_named_apart(page: Page) -> None:
    log_in(page, OFFICER)
    page.goto("/compose")  # 1280 pixels wide: the form and the preview side by side
    form = page.locator("form#composer").bounding_box()
    pane = page.locator("aside.preview-pane").bounding_box()
    heading = page.locator("#preview-h").bounding_box()
    assert form and pane and heading
    assert pane["x"] > form["x"] + form["width"] - 1  # side by side
    assert abs(pane["y"] - form["y"]) < 1 and abs(heading["y"] - form["y"]) < 1

    page.locator("#f-title").fill("Ngày ASEAN 8/8")
    page.locator("input[name=channels][value='web-asean']").check()
    card = page.locator("#live-preview .preview-card")
    expect(card).to_have_count(1)
    expect(card).to_have_attribute("data-channel", "web-asean")  # as post_preview.html has it
    page.get_by_role("button", name="Xem trước").click()  # the server's own rendering
    expect(page.locator("#live-preview .preview-card[data-channel='web-asean']")).to_have_count(1)

    # The main fields and the channel's own fields have different names for a screen reader.
    box = page.locator("details.override[data-channel='web-asean']")
    box.locator("summary").click()
    channel = box.locator("summary").inner_text()
    for field, words in (("title", "Tiêu đề"), ("body", "Nội dung"), ("link", "Liên kết")):
        own = box.locator(f"[name='ov.web-asean.{field}']")
        expect(own).to_have_accessible_name(f"{words} riêng cho {channel}")
        expect(page.get_by_role("textbox", name=f"{words} riêng cho {channel}")).to_have_count(1)
    expect(page.locator("#f-title")).not_to_have_accessible_name(re.compile("riêng cho"))
    expect(page.locator("#f-body")).not_to_have_accessible_name(re.compile("riêng cho"))
