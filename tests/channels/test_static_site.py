"""The static ASEAN subpage (`static_site`): the pages it writes, read back by a strict HTML
parser; pagination; topic and pillar pages; corrections, removals, `find` by marker; its media
host; its settings. Feeds and sitemap: test_static_site_feeds.py; atomic writes and two
writers: test_static_site_atomic.py. The contract test builds it with `make_adapter`.
"""

from __future__ import annotations

import atexit
import hashlib
import itertools
import json
import re
import shutil
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import html5lib
import pytest
from PIL import Image

from channels.base import (
    Account,
    AuthRequired,
    ChannelSetup,
    Editable,
    MediaFile,
    Publication,
    Receipt,
    Rejected,
    Retryable,
)
from channels.credentials import MemoryCredentials
from channels.markers import marker_for
from channels.sandbox.server import SandboxServer
from channels.static_site import StaticSite, output_dir, store
from channels.static_site import settings as site_settings

PUBLIC = "http://127.0.0.1:8000/asean/"
HTML = "{http://www.w3.org/1999/xhtml}"


def make_adapter(sandbox: SandboxServer | None = None, **settings: Any) -> StaticSite:
    """A site in a folder of its own (the contract test calls this once per test)."""
    folder = Path(tempfile.mkdtemp(prefix="loa-static-"))
    atexit.register(shutil.rmtree, folder, True)
    return site_in(folder / "asean", **settings)


def site_in(folder: Path, **settings: Any) -> StaticSite:
    wanted = {
        "output_dir": str(folder),
        "public_url": PUBLIC,
        "site_name": "Trang thông tin ASEAN tỉnh Thừa Thiên Huế",
        "agency": "Sở Thông tin và Truyền thông tỉnh Thừa Thiên Huế",
        **settings,
    }
    setup = ChannelSetup(id="web-tinh", type="static_site", name="Trang ASEAN", settings=wanted)
    return StaticSite(setup, MemoryCredentials())


def post(number: int, **fields: Any) -> Publication:
    values: dict[str, Any] = {
        "post_id": number,
        "channel_id": "web-tinh",
        "title": f"Huế đón bạn bè ASEAN số {number}",
        "text": f"Bài số {number}: Thừa Thiên Huế chào đón bạn bè ASEAN.\n\nĐoạn thứ hai.",
        "hashtags": ("ASEAN", "HueASEAN"),
        "marker": marker_for("a1b2c3", number, "web-tinh"),
        "topic": "i",
        "pillar": "ASCC",
    }
    return Publication(**(values | fields))


def parse(data: bytes | str) -> Any:
    """The page by the WHATWG rules, strictly: any parse error fails the test."""
    parser = html5lib.HTMLParser(strict=True)
    return parser.parse(data if isinstance(data, str) else data.decode("utf-8"))


def page(site: StaticSite, relative: str) -> Any:
    return parse((folder(site) / relative).read_bytes())


def folder(site: StaticSite) -> Path:
    return output_dir(site.setup.settings)


def all_of(tree: Any, tag: str) -> list[Any]:
    return list(tree.iter(HTML + tag))


def text_of(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def listed_titles(site: StaticSite, relative: str) -> list[str]:
    articles = all_of(page(site, relative), "article")
    return [text_of(next(a.iter(HTML + "h2"))) for a in articles]


def image(path: Path, alt: str, colour: tuple[int, int, int] = (120, 20, 30)) -> MediaFile:
    Image.new("RGB", (640, 400), colour).save(path, "JPEG")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    return MediaFile(path, "image", "image/jpeg", digest, len(data), 640, 400, alt_text=alt)


# --- the pages ---------------------------------------------------------------------------------


def test_the_post_page_shows_the_post_its_images_and_their_alt_text(tmp_path: Path) -> None:
    site = site_in(tmp_path / "site")
    photos = (
        image(tmp_path / "dai-noi.jpg", "Ngọ Môn, Đại Nội Huế", (150, 30, 30)),
        image(tmp_path / "song-huong.jpg", "Thuyền rồng trên sông Hương", (30, 60, 150)),
    )
    pub = post(1, media=photos, link="https://thuathienhue.gov.vn/asean", text="Mở đầu.\n\nHết.")
    receipt = site.publish(pub)
    assert receipt.url == f"{PUBLIC}bai-viet/{receipt.remote_id}.html"
    assert receipt.remote_id.startswith("1-hue-don-ban-be-asean-so-1-")
    tree = page(site, f"bai-viet/{receipt.remote_id}.html")
    assert tree.get("lang") == "vi"
    assert text_of(all_of(tree, "h1")[0]) == pub.title
    body = text_of(next(e for e in all_of(tree, "article")))
    assert "Mở đầu." in body and "Hết." in body and "#ASEAN" in body
    assert "https://thuathienhue.gov.vn/asean" in body
    figures = [img for img in all_of(tree, "img") if "emblem" not in img.get("src")]
    assert [img.get("alt") for img in figures] == [m.alt_text for m in photos]
    for img, media in zip(figures, photos, strict=True):
        copied = folder(site) / "bai-viet" / img.get("src")
        assert copied.resolve() == (folder(site) / f"media/{media.sha256}.jpg").resolve()
        assert copied.read_bytes() == media.path.read_bytes()
        assert (img.get("width"), img.get("height")) == ("640", "400")
    metas = {m.get("name"): m.get("content") for m in all_of(tree, "meta") if m.get("name")}
    assert metas["loa-marker"] == pub.marker
    canonical = next(link for link in all_of(tree, "link") if link.get("rel") == "canonical")
    assert canonical.get("href") == receipt.url


def test_every_page_is_accessible_in_its_structure(tmp_path: Path, jpeg: MediaFile) -> None:
    """Language, skip link to the main landmark, landmarks, one h1 and no skipped heading
    level, alt on every image, the current page marked: on every page written."""
    site = site_in(tmp_path / "site", page_size=2)
    for number in range(1, 4):
        site.publish(post(number, media=(jpeg,), topic="a" if number % 2 else "i"))
    pages = sorted(folder(site).rglob("*.html"))
    assert len(pages) >= 3 + 9 + 3 + 2  # posts, topics, pillars, two home pages
    for path in pages:
        tree = parse(path.read_bytes())
        where = path.relative_to(folder(site))
        assert tree.get("lang") == "vi", where
        skip = next(iter(all_of(tree, "a")))
        assert skip.get("href") == "#noi-dung" and "nội dung chính" in text_of(skip), where
        main = all_of(tree, "main")
        assert len(main) == 1 and main[0].get("id") == "noi-dung", where
        assert all_of(tree, "header") and all_of(tree, "footer") and all_of(tree, "nav"), where
        for nav in all_of(tree, "nav"):
            assert nav.get("aria-label"), where
        levels = [int(e.tag[-1]) for e in tree.iter() if re.fullmatch(rf"{HTML}h[1-6]", e.tag)]
        assert levels[0] == 1 and levels.count(1) == 1, where
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), where
        assert all(img.get("alt") is not None for img in all_of(tree, "img")), where
        title = all_of(tree, "title")[0]
        assert text_of(title).endswith("| Trang thông tin ASEAN tỉnh Thừa Thiên Huế"), where
        for link in all_of(tree, "a"):  # every link inside the site leads to a file
            href = link.get("href")
            if not href.startswith(("http", "#")):
                assert (path.parent / href).resolve().is_file(), (where, href)
    home = page(site, "index.html")
    current = [a for a in all_of(home, "a") if a.get("aria-current") == "page"]
    assert [text_of(a) for a in current] == ["Trang chủ", "1"]


def test_the_portal_look_comes_from_the_settings(tmp_path: Path) -> None:
    logo = tmp_path / "logo-tinh.png"
    Image.new("RGB", (96, 96), (200, 160, 40)).save(logo, "PNG")
    site = site_in(tmp_path / "site", logo=str(logo), primary_color="#1d4e89")
    receipt = site.publish(post(1))
    css = (folder(site) / "assets/site.css").read_text(encoding="utf-8")
    assert "--primary: #1d4e89;" in css and "{{" not in css
    assert (folder(site) / "assets/logo.png").read_bytes() == logo.read_bytes()
    tree = page(site, f"bai-viet/{receipt.remote_id}.html")
    banner = all_of(tree, "header")[0]
    assert [img.get("src") for img in all_of(banner, "img")] == ["../assets/logo.png"]
    assert "Trang thông tin ASEAN tỉnh Thừa Thiên Huế" in text_of(banner)
    footer = text_of(all_of(tree, "footer")[0])
    assert "Cơ quan chủ quản: Sở Thông tin và Truyền thông tỉnh Thừa Thiên Huế" in footer
    # A new colour reaches the pages of posts published before it.
    recoloured = site_in(tmp_path / "site", site_name="Cổng ASEAN Huế", primary_color="#7a1010")
    recoloured.publish(post(2))
    again = page(recoloured, f"bai-viet/{receipt.remote_id}.html")
    assert "Cổng ASEAN Huế" in text_of(all_of(again, "header")[0])
    assert "--primary: #7a1010;" in (folder(site) / "assets/site.css").read_text(encoding="utf-8")


def test_pages_of_ten_posts_by_default_then_of_the_page_size(tmp_path: Path) -> None:
    site = site_in(tmp_path / "site")
    for number in range(1, 12):
        site.publish(post(number))
    assert len(listed_titles(site, "index.html")) == 10
    assert listed_titles(site, "trang-2.html") == ["Huế đón bạn bè ASEAN số 1"]
    small = site_in(tmp_path / "site", page_size=4)
    small.publish(post(12))
    pages = [listed_titles(small, name) for name in ("index.html", "trang-2.html", "trang-3.html")]
    assert [len(titles) for titles in pages] == [4, 4, 4]
    assert pages[0][0] == "Huế đón bạn bè ASEAN số 12"  # newest first
    every = [title for titles in pages for title in titles]
    assert every == [f"Huế đón bạn bè ASEAN số {n}" for n in range(12, 0, -1)]
    second = page(small, "trang-2.html")
    paging = next(n for n in all_of(second, "nav") if n.get("aria-label") == "Phân trang")
    links = {text_of(a): (a.get("href"), a.get("aria-current")) for a in all_of(paging, "a")}
    assert links["2"] == ("trang-2.html", "page")
    assert links["‹ Trang trước"][0] == "index.html" and links["Trang sau ›"][0] == "trang-3.html"
    assert not (folder(small) / "trang-4.html").exists()
    for number in (12, 11, 10, 9, 8):  # fewer posts: the last page goes away
        small.remove(found(small, post(number)))
    assert not (folder(small) / "trang-3.html").exists()
    assert len(listed_titles(small, "trang-2.html")) == 3


def found(site: StaticSite, pub: Publication) -> Receipt:
    receipt = site.find(pub, datetime.now(UTC) - timedelta(hours=1))
    assert receipt is not None, pub.marker
    return receipt


def test_one_page_per_topic_and_per_pillar_with_their_names(tmp_path: Path) -> None:
    site = site_in(tmp_path / "site")
    site.publish(post(1))
    assert len(all_of(page(site, "index.html"), "aside")[0].findall(f".//{HTML}li")) == 9 + 2
    named = {"a": "Sự kiện ASEAN", "b": "Hợp tác", "i": "Hình ảnh và danh hiệu của Huế"}
    pillars = {"APSC": "Chính trị - An ninh", "AEC": "Kinh tế", "ASCC": "Văn hóa - Xã hội"}
    site = site_in(tmp_path / "site", topics=named, pillars=pillars)
    site.publish(post(1, topic="a", pillar="AEC"))
    site.publish(post(2, topic="i", pillar="ASCC"))
    site.publish(post(3, topic="a", pillar=None))
    assert listed_titles(site, "chu-de/a.html") == [post(3).title, post(1).title]
    assert listed_titles(site, "chu-de/i.html") == [post(2).title]
    assert listed_titles(site, "tru-cot/aec.html") == [post(1).title]
    assert listed_titles(site, "tru-cot/ascc.html") == [post(2).title]
    assert listed_titles(site, "tru-cot/apsc.html") == []
    empty = page(site, "chu-de/b.html")
    assert "Chưa có bài viết nào trong mục này." in text_of(all_of(empty, "main")[0])
    topic = page(site, "chu-de/a.html")
    assert text_of(all_of(topic, "h1")[0]) == "Sự kiện ASEAN"  # the channel's own name
    menu = {text_of(a): a.get("aria-current") for a in all_of(topic, "a")}
    assert menu["Sự kiện ASEAN"] == "page" and menu["Hình ảnh và danh hiệu của Huế"] is None
    assert [text_of(a) for a in all_of(all_of(topic, "aside")[0], "a")][:3] == list(named.values())
    assert not (folder(site) / "chu-de/c.html").exists()  # not a topic of this site any more
    pillar = page(site, "tru-cot/aec.html")
    assert text_of(all_of(pillar, "h1")[0]) == "Kinh tế"
    assert "Văn hóa - Xã hội" in text_of(all_of(pillar, "header")[0])


def test_a_correction_rewrites_the_page_and_the_lists(
    tmp_path: Path, jpegs: list[MediaFile]
) -> None:
    site = site_in(tmp_path / "site")
    assert isinstance(site, Editable)
    first = site.publish(post(1, media=(jpegs[0],)))
    site.publish(post(2))
    corrected = post(1, title="Huế: Thành phố Văn hóa ASEAN (đã sửa)", topic="a", media=(jpegs[1],))
    receipt = site.update(corrected, first)
    assert (receipt.remote_id, receipt.url) == (first.remote_id, first.url)
    assert receipt.published_at == first.published_at  # a correction keeps its time
    tree = page(site, f"bai-viet/{first.remote_id}.html")
    assert text_of(all_of(tree, "h1")[0]) == corrected.title
    updated = [t for t in all_of(tree, "time")]
    assert len(updated) == 2 and "Cập nhật" in text_of(all_of(tree, "article")[0])
    pictures = [i.get("alt") for i in all_of(tree, "img") if "media/" in i.get("src")]
    assert pictures == [jpegs[1].alt_text]
    assert corrected.title in listed_titles(site, "index.html")
    assert listed_titles(site, "chu-de/a.html") == [corrected.title]
    assert listed_titles(site, "chu-de/i.html") == [post(2).title]  # moved out of topic i
    with pytest.raises(Rejected, match="không còn trên trang tĩnh"):
        site.update(corrected, Receipt("99-khong-co-abcdef12", None))


def test_a_cancellation_removes_the_page_and_every_mention(tmp_path: Path) -> None:
    site = site_in(tmp_path / "site")
    gone = site.publish(post(1))
    site.publish(post(2))
    site.remove(gone)
    root = folder(site)
    assert not (root / f"bai-viet/{gone.remote_id}.html").exists()
    for relative in ("index.html", "chu-de/i.html", "tru-cot/ascc.html"):
        assert listed_titles(site, relative) == [post(2).title]
    for relative in ("atom.xml", "rss.xml", "sitemap.xml"):
        assert gone.remote_id not in (root / relative).read_text(encoding="utf-8")
    assert site.find(post(1), datetime.now(UTC) - timedelta(hours=1)) is None
    site.remove(gone)  # already gone: not an error
    manifest = json.loads((root / store.MANIFEST).read_text(encoding="utf-8"))
    assert list(manifest["posts"]) == [found(site, post(2)).remote_id]


def test_find_recognises_the_page_by_the_marker(tmp_path: Path) -> None:
    site = site_in(tmp_path / "site")
    receipt = site.publish(post(1))
    assert found(site, post(1)) == receipt
    other_install = replace(post(1), marker=marker_for("ffff00", 1, "web-tinh"))
    assert site.find(other_install, datetime.now(UTC) - timedelta(hours=1)) is None
    again = site.publish(post(1))  # the same post again (a retry): the same page, once
    assert again == receipt
    assert listed_titles(site, "index.html") == [post(1).title]
    # A page that lost its marker (overwritten by hand) is not taken as Loa's.
    path = folder(site) / f"bai-viet/{receipt.remote_id}.html"
    path.write_text(path.read_text(encoding="utf-8").replace("loa-marker", "x"), "utf-8")
    assert site.find(post(1), datetime.now(UTC) - timedelta(hours=1)) is None
    path.unlink()
    assert site.find(post(1), datetime.now(UTC) - timedelta(hours=1)) is None
    # Without a marker: by title, published since the time asked about.
    plain = replace(post(5), marker="")
    site.publish(plain)
    assert site.find(plain, datetime.now(UTC) - timedelta(minutes=5)) is not None
    assert site.find(plain, datetime.now(UTC) + timedelta(minutes=5)) is None


def test_a_video_is_embedded_with_controls(tmp_path: Path, mp4: MediaFile, jpeg: MediaFile) -> None:
    site = site_in(tmp_path / "site")
    clip = replace(mp4, alt_text="Lễ hội Huế 2026, đoạn phim ngắn")
    receipt = site.publish(post(1, media=(jpeg, clip)))
    tree = page(site, f"bai-viet/{receipt.remote_id}.html")
    video = all_of(tree, "video")[0]
    assert video.get("controls") is not None
    assert video.get("src") == f"../media/{mp4.sha256}.mp4"
    assert (folder(site) / f"media/{mp4.sha256}.mp4").read_bytes() == mp4.path.read_bytes()
    assert "Lễ hội Huế 2026" in text_of(all_of(tree, "figcaption")[0])


def test_publishing_reports_the_bytes_copied(tmp_path: Path, jpegs: list[MediaFile]) -> None:
    site = site_in(tmp_path / "site")
    seen: list[tuple[int, int]] = []
    site.publish(post(1, media=tuple(jpegs)), lambda done, total: seen.append((done, total)))
    total = sum(m.size_bytes for m in jpegs)
    assert seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


# --- the media host --------------------------------------------------------------------------


def test_the_site_gives_files_a_public_address(tmp_path: Path, jpeg: MediaFile) -> None:
    site = site_in(tmp_path / "site")
    address = site.public_url(jpeg)
    assert address == f"{PUBLIC}media/{jpeg.sha256}.jpg"
    copied = folder(site) / f"media/{jpeg.sha256}.jpg"
    assert copied.read_bytes() == jpeg.path.read_bytes()
    before = copied.stat().st_ino
    assert site.public_url(jpeg) == address and copied.stat().st_ino == before  # copied once
    changed = tmp_path / "doi.jpg"
    shutil.copy(jpeg.path, changed)
    with changed.open("ab") as more:
        more.write(b"\0")
    edited = replace(jpeg, path=changed, sha256="0" * 64, size_bytes=jpeg.size_bytes + 1)
    with pytest.raises(Rejected, match="đã bị thay đổi trên đĩa"):
        site.public_url(edited)
    assert not (folder(site) / f"media/{'0' * 64}.jpg").exists()
    missing = replace(jpeg, path=tmp_path / "khong-co.jpg", sha256="1" * 64)
    with pytest.raises(Rejected, match="không còn trong kho"):
        site.public_url(missing)


# --- settings, verify, errors ----------------------------------------------------------------


def test_verify_makes_the_folder_and_names_the_portal(tmp_path: Path) -> None:
    site = site_in(tmp_path / "chua-co" / "asean")
    account = site.verify()
    assert account == Account(PUBLIC, "Trang thông tin ASEAN tỉnh Thừa Thiên Huế", PUBLIC)
    assert folder(site).is_dir() and not list((folder(site) / store.STATE_DIR).glob("verify*"))
    (folder(site) / store.MANIFEST).write_text("{không phải JSON", encoding="utf-8")
    with pytest.raises(Rejected, match="Không đọc được mục lục"):
        site.verify()


@pytest.mark.parametrize(
    ("settings", "key", "words"),
    [
        ({"output_dir": ""}, "output_dir", "cần thư mục ghi trang"),
        ({"public_url": None}, "public_url", "cần địa chỉ công khai"),
        ({"public_url": "asean.hue.gov.vn"}, "public_url", "không phải địa chỉ http(s)"),
        ({"primary_color": "#ffcc00"}, "primary_color", "tương phản 1.5:1"),
        ({"primary_color": "red"}, "primary_color", "không phải mã màu"),
        ({"page_size": 0}, "page_size", "từ 1 đến 100"),
        ({"page_size": "10"}, "page_size", "từ 1 đến 100"),
        ({"logo": "khong-co.png"}, "logo", "không có tệp"),
        ({"logo": "logo.pdf"}, "logo", "cần tệp ảnh"),
        ({"site_name": " "}, "site_name", "không được để trống"),
        ({"pillars": {"ABC": "Khác"}}, "pillars", "trụ cột không có"),
    ],
)
def test_a_bad_setting_is_named_vietnamese_first(
    tmp_path: Path, settings: dict[str, Any], key: str, words: str
) -> None:
    site = site_in(tmp_path / "site", **settings)
    found = site_settings.problems(site.setup.settings)
    assert [k for k, _, _ in found] == [key]
    assert words in found[0][1] and not re.search("[ạ-ỹđ]", found[0][2])
    with pytest.raises(Rejected) as refused:
        site.publish(post(1))
    assert refused.value.vi.startswith(f"Kênh web-tinh: settings.{key}: ")
    assert f"channel web-tinh: settings.{key}: " in refused.value.en
    assert not (tmp_path / "site").exists()  # nothing written with a bad setting


def test_the_default_colour_is_dark_enough_for_white_text() -> None:
    assert site_settings.contrast(site_settings.DEFAULT_COLOR, "#fff") >= 4.5
    assert round(site_settings.contrast("#000", "#fff"), 1) == 21.0


@pytest.mark.parametrize(
    ("failure", "kind"),
    [
        (PermissionError(13, "Permission denied"), AuthRequired),
        (OSError(30, "Read-only file system"), AuthRequired),
        (OSError(28, "No space left on device"), Retryable),
        (OSError(5, "Input/output error"), Retryable),
    ],
)
def test_a_folder_that_cannot_be_written_is_told_plainly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: OSError, kind: type[Exception]
) -> None:
    site = site_in(tmp_path / "site")
    site.publish(post(1))

    def refuse(*_: object, **__: object) -> Path:
        raise failure

    monkeypatch.setattr(store, "stage", refuse)
    with pytest.raises(kind) as refused:
        site.publish(post(2))
    error: Any = refused.value
    assert error.vi.startswith("Đăng bài: ") and str(folder(site)) in error.vi
    assert error.en.startswith("publishing: ") and failure.strerror in error.detail
    if failure.errno == 28:
        assert error.retry_after == store.FULL_DISK_WAIT
    assert site.find(post(2), datetime.now(UTC) - timedelta(hours=1)) is None


def test_every_raise_site_of_the_package_words_vietnamese_and_english() -> None:
    """As tests/channels/test_error_words.py does for the platforms' modules."""
    import ast

    from tests.channels.test_error_words import VIETNAMESE, literal_text

    names = {"Rejected", "Retryable", "AuthRequired", "RateLimited", "QuotaExceeded",
             "OutcomeUnknown", "ChannelError"}  # fmt: skip
    package = Path(store.__file__).parent
    sites = 0
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") in names):
                continue
            sites += 1
            vi, en = (literal_text(arg) for arg in node.args[:2])
            assert len(node.args) >= 2, f"{path.name}:{node.lineno}"
            assert vi is None or VIETNAMESE.search(vi), f"{path.name}:{node.lineno}: {vi!r}"
            assert en is None or not VIETNAMESE.search(en), f"{path.name}:{node.lineno}: {en!r}"
    assert sites >= 8


def test_check_refuses_what_the_page_cannot_show(tmp_path: Path, jpeg: MediaFile) -> None:
    assert StaticSite.check(post(1, media=(jpeg,))) == []
    no_alt = replace(jpeg, alt_text=" ")
    fields = {p.field: p.vi for p in StaticSite.check(post(1, title="", text="", media=(no_alt,)))}
    assert set(fields) == {"title", "body", "media"}
    assert "alt text" in fields["media"]


def test_the_title_limit_is_said_as_loa_s_own() -> None:
    from channels.limits import channel_problems

    [problem] = channel_problems(post(1, title="x" * 251), "static_site")
    assert problem.field == "title"
    assert problem.vi.startswith("Loa giới hạn tiêu đề bài trên Trang tĩnh ở 250 ký tự")
    assert problem.en.startswith("Loa keeps titles on the static site to 250 characters")
