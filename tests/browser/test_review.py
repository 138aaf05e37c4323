"""The review queue and “Bài của tôi” in a real browser, on a desktop and a phone: what is being
approved (the image with its alt text, the long text folded, the channels by name), several
posts approved at once and undone, a post sent back, and the officer's page that leads to
fixing it; the post page's “Nhân bản”."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

from PIL import Image
from playwright.sync_api import Page, expect

from content.inputs import MediaRef
from content.models import Post
from content.timeutil import utcnow
from tests.browser.conftest import EDITOR, OFFICER, Shoot, Site
from tests.browser.helpers import log_in
from tests.factories import post_input

LONG_BODY = (
    "Sáng nay, tại Trung tâm Hành chính tỉnh, lễ thượng cờ ASEAN được tổ chức trang trọng"
    " với sự tham dự của lãnh đạo tỉnh và đại diện các sở, ngành. "
    * 8
    + "Đoạn kết: mời bạn đọc theo dõi các hoạt động tiếp theo trong Tuần lễ ASEAN."
)


def photo() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (1200, 800), "#0b5394")
    image.paste(Image.new("RGB", (600, 400), "#f2c200"), (300, 200))
    image.save(out, "PNG")
    return out.getvalue()


def submitted(site: Site, title: str, **fields: object) -> int:
    posts = site.app.posts
    officer = posts.actor(OFFICER)
    when = utcnow().replace(microsecond=0) + timedelta(days=3)
    values: dict[str, object] = {
        "title": title,
        "channels": ["fb-asean-hue", "web-asean"],
        "scheduled_at": when,
        **fields,
    }
    post = posts.create(officer, post_input(**values))
    assert post.id is not None
    posts.submit(officer, post.id)
    return post.id


def state_of(site: Site, post_id: int) -> str:
    with site.app.db.read() as session:
        post = session.get(Post, post_id)
        assert post is not None
        return post.state


def sideways(page: Page) -> int:
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def test_an_editor_sees_what_they_approve_approves_two_at_once_and_undoes_it(
    page: Page, site: Site, shoot: Shoot
) -> None:
    with site.app.db.write() as session:
        image = site.app.media.add(session, photo(), name="le-thuong-co.png")
    alt = "Lá cờ ASEAN tung bay trước Ngọ Môn"
    first = submitted(
        site, "Lễ thượng cờ ASEAN", body=LONG_BODY, media=[MediaRef(image.sha256, alt)]
    )
    second = submitted(site, "Hội chợ hàng Việt ASEAN", channels=["web-asean"])
    log_in(page, EDITOR)
    page.goto("/review")
    item = page.locator(f"#review-{first}")
    thumb = item.locator(f"img[alt='{alt}']")
    expect(thumb).to_be_visible()
    loaded = "(img) => img.complete && img.naturalWidth > 0"
    thumb.scroll_into_view_if_needed()  # lazy: other tests' posts may push it below the fold
    page.wait_for_function(loaded, arg=thumb.element_handle())  # the thumbnail itself came
    expect(item.locator(".review-channels")).to_contain_text("Facebook")
    expect(item.locator(".review-channels")).to_contain_text("Trang web")
    ending = item.locator("details.whole-text .pre")
    expect(ending).to_be_hidden()
    item.locator("details.whole-text summary").click()
    expect(ending).to_contain_text("Đoạn kết")
    shoot(page, "review-desktop")

    page.locator(f"#review-{first} input[type=checkbox]").check()
    page.locator(f"#review-{second} input[type=checkbox]").check()
    page.get_by_role("button", name="Duyệt các bài đã chọn").click()
    done = page.locator(".review-done")
    expect(done).to_contain_text(f"#{first} “Lễ thượng cờ ASEAN”")
    expect(done).to_contain_text(f"#{second} “Hội chợ hàng Việt ASEAN”")
    assert (state_of(site, first), state_of(site, second)) == ("approved", "approved")
    expect(page.locator(f"#review-{first}")).to_have_count(0)
    shoot(page, "review-approved")

    done.get_by_role("button", name="Hoàn tác").click()
    expect(page.locator(".review-done")).to_contain_text("trở lại chờ duyệt")
    expect(page.locator(f"#review-{first}")).to_be_visible()
    assert (state_of(site, first), state_of(site, second)) == ("in_review", "in_review")

    reject = page.locator(f"#review-{second} form[action$='/reject']")
    reject.locator("input[name=comment]").fill("Thiếu nguồn ảnh; hãy ghi tác giả.")
    reject.get_by_role("button", name="Trả lại").click()
    expect(page.locator(".review-done")).to_contain_text(f"Đã trả lại bài #{second}")
    assert state_of(site, second) == "rejected"


def test_on_a_phone_the_queue_and_my_posts_fit_and_lead_to_the_fix(
    new_page: Callable[..., Page], site: Site, shoot: Shoot
) -> None:
    waiting = submitted(site, "Tuần Văn hóa ASEAN trên điện thoại", body=LONG_BODY)
    sent_back = submitted(site, "Ảnh hội nghị ASEAN cần sửa")
    site.app.posts.reject(site.app.posts.actor(EDITOR), sent_back, "Ảnh mờ; hãy thay ảnh khác.")
    editor = new_page(phone=True)
    log_in(editor, EDITOR)
    editor.goto("/review")
    expect(editor.locator(f"#review-{waiting}")).to_be_visible()
    assert sideways(editor) <= 1, "the review queue scrolls sideways on a phone"
    shoot(editor, "review-phone")

    officer = new_page(phone=True)
    log_in(officer, OFFICER)
    officer.goto("/my-posts")
    assert sideways(officer) <= 1, "“Bài của tôi” scrolls sideways on a phone"
    row = officer.locator(f"#my-post-{sent_back}")
    expect(row).to_contain_text("Ảnh mờ; hãy thay ảnh khác.")
    shoot(officer, "my-posts-phone")
    row.get_by_role("link", name="Sửa và gửi lại").click()
    officer.wait_for_url(f"**/posts/{sent_back}/edit")


def test_my_posts_on_a_desktop_search_and_duplicate(page: Page, site: Site, shoot: Shoot) -> None:
    original = submitted(site, "Giao lưu thanh niên ASEAN", hashtags=["ThanhNiênASEAN"])
    log_in(page, OFFICER)
    page.goto("/my-posts")
    page.get_by_label("Hashtag").fill("#ThanhNiênASEAN")
    page.get_by_role("button", name="Tìm").click()
    titles = page.locator(".my-post-title")
    expect(titles).to_have_count(1)
    expect(titles.first).to_contain_text("Giao lưu thanh niên ASEAN")
    assert sideways(page) <= 1
    shoot(page, "my-posts-desktop")
    page.goto(f"/posts/{original}")
    page.get_by_role("button", name="Nhân bản").click()
    page.wait_for_url("**/posts/*/edit")
    copy_id = int(page.url.rstrip("/").split("/")[-2])
    assert copy_id != original and state_of(site, copy_id) == "draft"
    with site.app.db.read() as session:
        copy = session.get(Post, copy_id)
        assert copy is not None
    assert copy.title == "Giao lưu thanh niên ASEAN" and copy.scheduled_at is None


def test_a_partly_published_post_says_so_and_a_post_repeats_weekly(
    new_page: Callable[..., Page], site: Site, shoot: Shoot
) -> None:
    from sqlmodel import select

    from content.models import Delivery, DeliveryState
    from content.timeutil import to_local

    posts = site.app.posts
    partly = submitted(site, "Triển lãm ảnh ASEAN tại Huế")
    posts.approve(posts.actor(EDITOR), partly)
    with site.app.db.write() as session:
        for delivery in session.exec(select(Delivery).where(Delivery.post_id == partly)).all():
            if delivery.channel_id == "web-asean":
                delivery.state = DeliveryState.published
                delivery.remote_url = "https://asean.thuathienhue.gov.vn/trien-lam"
            else:
                delivery.state = DeliveryState.failed
    for phone in (False, True):
        page = new_page(phone=phone)
        log_in(page, OFFICER)
        page.goto(f"/posts/{partly}")
        expect(page.locator(".delivery-summary")).to_have_text("1/2 kênh đã đăng, 1 thất bại")
        shoot(page, "post-partly-" + ("phone" if phone else "desktop"))

    weekly = submitted(site, "Góc ASEAN mỗi tuần")
    with site.app.db.read() as session:
        first = session.get(Post, weekly)
        assert first is not None and first.scheduled_at is not None
        start = to_local(first.scheduled_at, site.app.config.zone).date()
    page = new_page()
    log_in(page, OFFICER)
    page.goto(f"/posts/{weekly}")
    page.get_by_role("link", name="Lặp lại hằng tuần").click()
    page.get_by_label("Lặp đến hết ngày").fill((start + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Tạo các bài hằng tuần").click()
    page.wait_for_url("**/my-posts?scope=all&series=*")
    expect(page.locator(".my-post-title")).to_have_count(3)
    expect(page.locator("#stage-in_review .my-post-title")).to_have_count(3)
    shoot(page, "weekly-series")
