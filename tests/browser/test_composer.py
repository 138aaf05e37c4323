"""The composer: what an officer types is text (in the live preview and on the post page) and
runs nothing; an upload is judged by its bytes, not by its name; the previews look like each
platform, with the images and long text folded; the next free slot of several channels is
explained; on a phone the preview comes before "Gửi duyệt". Screenshots on desktop and phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import OFFICER, Shoot
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
    form = page.locator("form#composer .composer-fields").bounding_box()
    pane = page.locator("aside.preview-pane").bounding_box()
    heading = page.locator("#preview-h").bounding_box()
    assert form and pane and heading
    assert pane["x"] > form["x"] + form["width"] - 1  # side by side
    assert abs(pane["y"] - form["y"]) < 1 and abs(heading["y"] - form["y"]) < 1

    page.locator("#f-title").fill("Ngày ASEAN 8/8")
    page.locator("input[name=channels][value='web-asean']").check()
    card = page.locator("#live-preview .preview-card")
    expect(card).to_have_count(1)
    expect(card).to_have_attribute("data-channel", "web-asean")  # as compose/preview.html has it
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


THREE = ("fb-asean-hue", "web-asean", "zalo-asean-hue")
LONG_BODY = "\n".join(
    f"Đoạn {n}: Tuần Văn hóa ASEAN tại Huế giới thiệu ẩm thực và âm nhạc." for n in range(1, 10)
)


def photo(path: Path) -> Path:
    image = Image.new("RGB", (1200, 800), (11, 83, 148))
    for x in range(0, 1200, 100):
        image.paste((250, 200, 40), (x, 300, x + 50, 500))
    image.save(path, "PNG")
    return path


def fill_post(page: Page, tmp_path: Path, *, title: str = "Tuần Văn hóa ASEAN tại Huế") -> None:
    page.locator("#f-title").fill(title)
    page.locator("#f-body").fill(LONG_BODY)
    for channel in THREE:
        page.locator(f"input[name=channels][value='{channel}']").check()
    page.get_by_label("Chọn ảnh hoặc video").set_input_files(str(photo(tmp_path / "le-hoi.png")))
    expect(page.locator("#media-rows .media-row")).to_have_count(1)
    page.get_by_label("Mô tả ảnh của tệp 1 (cho người khiếm thị)").fill("Sân khấu lễ hội")
    page.locator("input[name=timing][value=next]").check()


def test_previews_look_like_the_platforms_and_the_next_slot_is_explained(
    page: Page, shoot: Shoot, tmp_path: Path
) -> None:
    log_in(page, OFFICER)
    page.goto("/compose")
    expect(page.locator("#f-upload")).to_have_accessible_name("Chọn ảnh hoặc video")
    fill_post(page, tmp_path, title="Tuần Văn hóa ASEAN " * 9)  # 171 characters

    row = page.locator("#media-rows .media-row")
    expect(row).to_contain_text("Tệp 1: le-hoi.png")  # the name the officer's file had
    expect(row.get_by_role("button", name="Bỏ tệp 1")).to_be_visible()
    advice = page.locator("#slot-advice")
    expect(advice).to_contain_text(re.compile(r"^Giờ trống gần nhất cho cả 3 kênh: Thứ .+, \d\d/"))
    expect(advice).to_contain_text("Facebook")
    expect(advice).to_contain_text("Zalo OA")
    expect(advice).to_contain_text("Trang web")

    pane = page.locator("#live-preview")
    for card in (".fb-post", ".zalo-card", ".web-article"):
        expect(pane.locator(card)).to_have_count(1)
        picture = pane.locator(f"{card} img")
        expect(picture).to_have_attribute("alt", "Sân khấu lễ hội")
        expect(picture).to_be_visible()
        assert picture.evaluate("img => img.complete && img.naturalWidth > 0"), card
    zalo = pane.locator(".preview-card[data-channel='zalo-asean-hue']")
    expect(zalo.locator(".problems")).to_contain_text(
        "Zalo OA giới hạn tiêu đề 149 ký tự — bài này có 170"  # trimmed, as Zalo counts
    )

    # Facebook folds the long text after five lines; "Xem thêm" opens it.
    fold = pane.locator(".fb-post .pv-fold")
    folded = fold.locator(".pv-clamp").bounding_box()
    assert folded is not None
    fold.get_by_text("Xem thêm").click()
    opened = fold.locator(".pv-clamp").bounding_box()
    assert opened is not None and opened["height"] > folded["height"] * 1.5
    expect(fold.get_by_text("Xem thêm")).to_be_hidden()

    # YouTube's watch card: a 16:9 picture (the photo as thumbnail), the title, the channel.
    page.locator("input[name=channels][value='yt-hue-asean']").check()
    frame = pane.locator(".yt-card .yt-frame")
    expect(frame.locator("img")).to_have_attribute("alt", "Sân khấu lễ hội")
    box = frame.bounding_box()
    assert box is not None and abs(box["width"] / box["height"] - 16 / 9) < 0.02
    expect(pane.locator(".yt-card .yt-channel")).to_contain_text("Huế - ASEAN")
    expect(page.locator("#slot-advice")).to_contain_text("cho cả 4 kênh")
    shoot(page, "composer-previews-desktop")


def test_on_a_phone_the_preview_comes_before_submitting(
    new_page: Callable[..., Page], shoot: Shoot, tmp_path: Path
) -> None:
    phone = new_page(phone=True)
    log_in(phone, OFFICER)
    phone.goto("/compose")
    fill_post(phone, tmp_path)
    expect(phone.locator("#live-preview .preview-card")).to_have_count(3)
    expect(phone.locator("#slot-advice")).to_contain_text("Giờ trống gần nhất cho cả 3 kênh")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the composer scrolls sideways on a phone: {width}px"
    shoot(phone, "composer-phone")
    preview = phone.locator("aside.preview-pane").bounding_box()
    submit = phone.get_by_role("button", name="Gửi duyệt").bounding_box()
    fields = phone.locator(".composer-fields").bounding_box()
    assert preview and submit and fields
    assert fields["y"] < preview["y"] < submit["y"]  # read the preview, then submit
    assert preview["x"] >= 0 and preview["x"] + preview["width"] <= 390
    phone.get_by_role("button", name="Gửi duyệt").click()
    expect(phone.get_by_role("status")).to_have_text("Đã gửi duyệt.")
    shoot(phone, "composer-phone-submitted")
