"""The static ASEAN subpage (`type: static_site`) in a real browser, as `loa serve` shows it.

A few posts, with infographics, are written by the real adapter into a real folder, and served
under /asean/ by the web app `loa serve` builds (loa.web_app.build_web_app, loa.static_preview).
The home page, a topic's page and a post's page are opened at a desktop's 1440 px and a phone's
390 px: nothing scrolls sideways, every image has its alt text, and axe-core finds no serious
or critical violation. Screenshots: static-site-{home,topic,post}-{desktop,phone}.png; README's
pictures are docs/screenshots/static-site-home-desktop.png and static-site-post-phone.png.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import TIMEOUT_MS, Shoot
from tests.browser.test_accessibility import WIDTHS, axe_path, axe_violations, describe

if TYPE_CHECKING:
    from loa.app import App

__all__ = ["axe_path"]  # the fixture, shared with the accessibility tests

STATIC = {
    "id": "web-tinh",
    "type": "static_site",
    "department": "STTTT",
    "name": "Chuyên trang ASEAN - Cổng thông tin điện tử Thừa Thiên Huế",
    "settings": {
        "output_dir": "loa-site/asean",
        "public_url": "http://127.0.0.1:8000/asean/",
        "agency": "Sở Thông tin và Truyền thông tỉnh Thừa Thiên Huế",
    },
}
POSTS = (
    (
        "Lễ thượng cờ ASEAN kỷ niệm 58 năm Ngày thành lập Hiệp hội các quốc gia Đông Nam Á",
        "a",
        "APSC",
        {
            "headline": "Lễ thượng cờ kỷ niệm 58 năm\nNgày thành lập ASEAN",
            "subtitle": "Trung tâm Hành chính tỉnh Thừa Thiên Huế",
            "palette": "hue-purple",
            "figures": [
                {"label": "Tuyên bố Bangkok", "value": "1967"},
                {"label": "Việt Nam gia nhập", "value": "1995"},
            ],
            "alt": "Infographic: Lễ thượng cờ kỷ niệm 58 năm Ngày thành lập ASEAN, mốc 1967 và"
            " 1995",
        },
    ),
    (
        "Huế - Thành phố Du lịch sạch ASEAN: giữ danh hiệu bằng những việc làm hằng ngày",
        "i",
        "ASCC",
        {
            "headline": "Thành phố Du lịch sạch ASEAN",
            "subtitle": "Huế giữ danh hiệu bằng việc làm hằng ngày",
            "figures": [{"label": "năm nhận danh hiệu", "value": "2018"}],
            "alt": "Infographic: Huế - Thành phố Du lịch sạch ASEAN từ năm 2018",
        },
    ),
    ("Festival Huế bốn mùa: những mùa lễ hội quanh năm chào đón bạn bè ASEAN", "i", "ASCC", None),
)


@dataclass(frozen=True)
class Preview:
    url: str  # the web app's address
    post_path: str  # a post's page, as served


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Preview]:
    from cryptography.fernet import Fernet

    from loa.app import open_app
    from loa.web_app import BackgroundServer, build_web_app
    from tests.scheduler.harness import write_config

    folder = tmp_path_factory.mktemp("static-preview")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LOA_SECRET_KEY", Fernet.generate_key().decode())
        for name in ("LOA_CONFIG", "LOA_USER"):
            env.delenv(name, raising=False)
        # Nothing here calls a platform: the sandbox's address is only written, never asked.
        app = open_app(write_config(folder, "http://127.0.0.1:9", channels=[STATIC]), migrate=True)
        try:
            addresses = _publish(app, folder)
            server = BackgroundServer(build_web_app(app)).start()
            try:
                yield Preview(server.url, addresses[0].removeprefix("http://127.0.0.1:8000"))
            finally:
                server.stop()
        finally:
            app.close()


def _publish(app: App, folder: Path) -> list[str]:
    """The posts written by the real adapter, newest last; their addresses."""
    from channels.base import MediaFile, Publication
    from channels.markers import marker_for
    from loa.adapters import build_adapter, ensure_key
    from loa.samples.media import generate_infographic

    ensure_key(app)
    adapter = build_adapter(app, "web-tinh")
    addresses = []
    for number, (title, topic, pillar, infographic) in enumerate(POSTS, start=1):
        media: tuple[MediaFile, ...] = ()
        if infographic is not None:
            path = folder / f"infographic-{number}.png"
            generate_infographic(infographic, path)
            data = path.read_bytes()
            media = (
                MediaFile(
                    path,
                    "image",
                    "image/png",
                    hashlib.sha256(data).hexdigest(),
                    len(data),
                    alt_text=str(infographic["alt"]),
                ),
            )
        receipt = adapter.publish(
            Publication(
                post_id=number,
                channel_id="web-tinh",
                title=title,
                text=f"{title}.\n\nThừa Thiên Huế chào đón bạn bè ASEAN: tin số {number} của"
                " chuyên trang, viết cho người dân, du khách và doanh nghiệp trong khu vực.",
                link="https://thuathienhue.gov.vn/",
                hashtags=("ASEAN", "HueASEAN"),
                marker=marker_for("browser", number, "web-tinh"),
                topic=topic,
                pillar=pillar,
                media=media,
            )
        )
        addresses.append(str(receipt.url))
    return addresses


def _page(browser: Browser, preview: Preview, width_id: str) -> Page:
    width, height = WIDTHS[width_id]
    phone = width < 600
    context = browser.new_context(
        base_url=preview.url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
        bypass_csp=True,  # for axe's inline script only (see test_accessibility.py)
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


@pytest.mark.parametrize("width_id", ["desktop-1440", "phone-390"])
def test_the_subpage_reads_well_on_a_desktop_and_a_phone(
    browser: Browser, preview: Preview, axe_path: Path, shoot: Shoot, width_id: str
) -> None:
    page = _page(browser, preview, width_id)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    problems: list[str] = []
    try:
        for name, path in (
            ("home", "/asean/"),
            ("topic", "/asean/chu-de/i.html"),
            ("post", preview.post_path),
        ):
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("load")
            assert page.locator("h1").count() == 1, path
            # The site's own stylesheet was served with its type and applied: the banner is
            # coloured, not the browser's default white.
            banner = page.locator("header").first.evaluate(
                "e => getComputedStyle(e).backgroundColor"
            )
            assert banner not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"), (path, banner)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} at {width_id} scrolls sideways by {overflow}px"
            images = page.locator("img")
            assert images.count() >= 1, path  # the emblem at least
            for index in range(images.count()):
                alt = images.nth(index).get_attribute("alt")
                assert alt is not None, f"{path}: image {index} has no alt"
            if name == "post":
                pictures = page.locator("main img")
                assert pictures.count() == 1 and "Lễ thượng cờ" in (
                    pictures.first.get_attribute("alt") or ""
                )
                # The picture fits the screen and was served as an image, not a 404.
                assert pictures.first.evaluate("i => i.complete && i.naturalWidth > 0")
            problems += describe(path, axe_violations(page, axe_path))
            shoot(page, f"static-site-{name}-{width_id.split('-', maxsplit=1)[0]}")
    finally:
        page.context.close()
    assert not problems, f"axe at {width_id}, serious or critical:\n" + "\n".join(problems)
    assert not errors, errors


def test_the_index_and_dot_files_are_not_served(browser: Browser, preview: Preview) -> None:
    page = _page(browser, preview, "desktop-1440")
    try:
        answer = page.goto("/asean/.loa/manifest.json")
        assert answer is not None and answer.status == 404
    finally:
        page.context.close()
