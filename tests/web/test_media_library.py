"""The media library (/media) through the real app: who sees which files, the names they were
uploaded under (never their sha256), the search by name and alt text in Vietnamese (case,
decomposed names, no diacritics), paging, “Đã dùng trong” with each post's stage, and “Dùng trong
bài mới”: the composer opened with the file, refused for another department's private file.
The visibility query also runs on PostgreSQL."""

from __future__ import annotations

import io
import re
import unicodedata
from html import unescape

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import select

from content.db import Database
from content.errors import PermissionDenied, UserError
from content.inputs import MediaRef
from content.media_library import attachable, find_media, matches
from content.models import Media, PostMedia
from content.posts import PostService
from content.timeutil import zone
from tests.factories import VOCABULARY, Clock, post_input
from tests.web.helpers import csrf_of
from web.services import WebServices


def png(shade: int, width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (shade, 90, 140)).save(out, "PNG")
    return out.getvalue()


def upload(client: TestClient, name: str, content: bytes, alt: str = "") -> str:
    answer = client.post(
        "/media",
        files={"file": (name, content, "image/png")},
        data={"alt_text": alt},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert answer.status_code == 201, answer.text
    sha: str = answer.json()["sha256"]
    return sha


def plain(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def item(html: str, sha: str) -> str:
    start = html.index(f'id="media-{sha[:16]}"')
    return plain(html[start : html.index('class="button primary media-reuse"', start)])


def names_on(html: str) -> list[str]:
    return [unescape(n) for n in re.findall(r'<h2 class="media-name">([^<]*)</h2>', html)]


def test_each_person_sees_their_files_by_name_with_facts_uses_and_the_menu_entry(
    service: PostService,
    officer_client: TestClient,
    officer_sdl_client: TestClient,
    editor_client: TestClient,
) -> None:
    festival = upload(officer_client, "Lễ hội Huế.png", png(10), "Áo dài trên cầu Trường Tiền")
    beach = upload(officer_sdl_client, "Biển Lăng Cô.png", png(20))
    logo = upload(editor_client, "Logo ASEAN.png", png(30))
    post = service.create(
        service.actor("cbtt.stttt"),
        post_input(title="Festival Huế 2026", media=[MediaRef(festival, "Lễ thượng cờ")]),
    )
    other = service.create(
        service.actor("cbtt.sdl"),
        post_input(title="Bài Sở Du lịch", department="SDL", media=[MediaRef(logo, None)]),
    )

    page = officer_client.get("/media")
    assert page.status_code == 200
    html = page.text
    assert '<a href="/media" aria-current="page">Thư viện ảnh</a>' in html
    assert names_on(html) == ["Logo ASEAN.png", "Lễ hội Huế.png"]  # newest first; not SDL's
    shown = plain(html)
    assert festival not in shown and logo not in shown  # the sha256 only in links
    card = item(html, festival)
    assert "ảnh" in card and "Sở Thông tin và Truyền thông" in card
    assert re.search(r"Tải lên ngày \d\d/\d\d/\d{4}", card)
    assert re.search(r"\d+,?\d* KB|\d+ byte", card)
    assert "Áo dài trên cầu Trường Tiền" in card and "Lễ thượng cờ" in card
    assert f'href="/posts/{post.id}"' in html and "Festival Huế 2026" in card and "Nháp" in card
    shared = item(html, logo)
    assert "Dùng chung" in shared
    assert "và 1 bài của đơn vị khác" in shared and f'href="/posts/{other.id}"' not in html
    assert f'href="/compose?media={festival}"' in html

    everything = editor_client.get("/media").text
    assert names_on(everything) == ["Logo ASEAN.png", "Biển Lăng Cô.png", "Lễ hội Huế.png"]
    assert f'href="/posts/{other.id}"' in everything  # editors open every department's posts
    assert beach in everything
    english = editor_client.get("/media?lang=en").text
    assert "Used in" in english and "Use in a new post" in english and "Shared" in english


def test_search_by_name_and_alt_text_in_vietnamese_and_paging(
    web_services: WebServices, officer_client: TestClient
) -> None:
    decomposed = unicodedata.normalize("NFD", "Đêm nhạc Trịnh.png")  # as a Mac uploads it
    upload(officer_client, decomposed, png(1), "Sân khấu bên sông Hương")
    upload(officer_client, "Lễ hội Huế.png", png(2))
    upload(officer_client, "cau-truong-tien.png", png(3), "Cầu Trường Tiền lúc hoàng hôn")

    def found(query: str) -> list[str]:
        page = officer_client.get("/media", params={"q": query})
        assert page.status_code == 200
        return [unicodedata.normalize("NFC", n) for n in names_on(page.text)]

    assert found("LỄ HỘI") == ["Lễ hội Huế.png"]
    assert found("le hoi") == ["Lễ hội Huế.png"]  # typed without diacritics
    assert found("lê hôi") == []  # with diacritics, they count
    assert found("đêm nhạc") == ["Đêm nhạc Trịnh.png"]
    assert found("sông hương") == ["Đêm nhạc Trịnh.png"]  # the alt text
    assert found("trường tiền hoàng") == ["cau-truong-tien.png"]
    assert found("png") == ["cau-truong-tien.png", "Lễ hội Huế.png", "Đêm nhạc Trịnh.png"]
    empty = officer_client.get("/media", params={"q": "Hội An"}).text
    assert "Không có tệp nào khớp." in empty and "0 tệp khớp với “Hội An”" in plain(empty)

    store = web_services.media
    with web_services.db.write() as session:
        for n in range(27):
            store.add(session, png(100 + n), name=f"Ảnh lễ hội {n:02}.png", department_code="STTTT")
    first = officer_client.get("/media", params={"q": "lễ hội"}).text
    assert len(names_on(first)) == 24 and "Trang 1/2" in first
    assert 'href="/media?q=l%E1%BB%85+h%E1%BB%99i&amp;page=2"' in first
    second = officer_client.get("/media", params={"q": "lễ hội", "page": 2}).text
    assert len(names_on(second)) == 4 and "Trang 2/2" in second and "Trang trước" in second
    assert set(names_on(first)).isdisjoint(names_on(second))
    unfiltered = officer_client.get("/media", params={"page": 2}).text
    assert len(names_on(unfiltered)) == 30 - 24
    assert "Trang 2/2" in officer_client.get("/media", params={"page": 99}).text  # clamped


def test_reuse_opens_the_composer_with_the_file_and_refuses_what_one_may_not_attach(
    db: Database,
    service: PostService,
    officer_client: TestClient,
    officer_sdl_client: TestClient,
    editor_client: TestClient,
) -> None:
    private = upload(officer_client, "Ảnh nội bộ.png", png(40), "Hội nghị tổng kết")
    shared = upload(editor_client, "Logo ASEAN.png", png(50))

    page = officer_client.get("/compose", params={"media": [private, shared]})
    assert page.status_code == 200
    assert page.text.count('name="media_sha"') == 2
    assert f'value="{private}"' in page.text and "Tệp 1: Ảnh nội bộ.png" in page.text
    assert 'value="Hội nghị tổng kết"' in page.text  # its alt text comes along

    refused = officer_sdl_client.get("/compose", params={"media": private})
    assert refused.status_code == 403
    message = plain(refused.text)
    assert "Tệp này thuộc Sở Thông tin và Truyền thông và không được dùng chung" in message
    assert officer_sdl_client.get("/compose", params={"media": shared}).status_code == 200
    assert editor_client.get("/compose", params={"media": private}).status_code == 200
    for wrong in ("0" * 64, "../../etc/passwd"):
        unknown = officer_client.get("/compose", params={"media": wrong})
        assert unknown.status_code == 400
        assert "trong thư viện ảnh" in plain(unknown.text)
    english = officer_sdl_client.get("/compose", params={"media": private, "lang": "en"})
    assert "belongs to Department of Information and Communications" in plain(english.text)

    data = {
        "csrf_token": csrf_of(officer_client),
        "title": "Tổng kết năm 2026",
        "body": "Hội nghị tổng kết công tác truyền thông.",
        "topic": "a",
        "channels": ["web-asean"],
        "timing": "later",
        "missed_policy": "publish_late",
        "media_sha": [private],
        "media_alt": ["Hội nghị tổng kết"],
        "action": "draft",
    }
    saved = officer_client.post("/compose", data=data, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    post_id = int(saved.headers["location"].split("/")[2].split("?")[0])
    with db.read() as session:
        linked = session.exec(select(PostMedia).where(PostMedia.post_id == post_id)).one()
    assert linked.media_sha256 == private
    card = item(officer_client.get("/media").text, private)
    assert f"#{post_id} · Tổng kết năm 2026" in card and "Nháp" in card

    # A file uploaded without alt text comes back with the one its latest post gave it.
    bare = upload(officer_client, "Cờ ASEAN.png", png(45))
    for alt in ("Cờ cũ", "Lá cờ ASEAN tung bay"):
        post = service.create(service.actor("cbtt.stttt"), post_input(media=[MediaRef(bare, alt)]))
        assert post.id is not None
    reused = officer_client.get("/compose", params={"media": bare}).text
    assert 'value="Lá cờ ASEAN tung bay"' in reused and 'value="Cờ cũ"' not in reused


def test_uploads_belong_to_the_officers_department_and_are_shared_by_editors(
    db: Database, officer_sdl_client: TestClient, admin_client: TestClient
) -> None:
    mine = upload(officer_sdl_client, "a.png", png(60))
    theirs = upload(admin_client, "b.png", png(70))
    with db.read() as session:
        assert session.get(Media, mine).department_code == "SDL"  # type: ignore[union-attr]
        assert session.get(Media, theirs).department_code is None  # type: ignore[union-attr]


def test_the_library_query_on_each_database(any_db: Database, clock: Clock) -> None:
    posts = PostService(any_db, VOCABULARY, zone("Asia/Ho_Chi_Minh"), clock=clock)
    sdl_officer, stttt_officer = posts.actor("cbtt.sdl"), posts.actor("cbtt.stttt")
    editor = posts.actor("bientap")
    with any_db.write() as session:
        for shade, (name, department) in enumerate(
            [("Biển Lăng Cô.png", "SDL"), ("Lễ hội Huế.png", "STTTT"), ("Logo.png", None)]
        ):
            sha = f"{shade:064x}"
            session.add(
                Media(
                    sha256=sha,
                    kind="image",
                    mime="image/png",
                    size_bytes=1000 + shade,
                    original_name=name,
                    alt_text="",
                    department_code=department,
                )
            )
    festival, beach = f"{1:064x}", f"{0:064x}"
    # The SDL officer reused STTTT's photo through an editor: the post makes it findable.
    used = posts.create(
        editor,
        post_input(
            title="Du lịch mùa lễ hội", department="SDL", media=[MediaRef(festival, "Đèn lồng")]
        ),
    )
    with any_db.read() as session:
        sdl = find_media(session, sdl_officer, "")
        assert {i.media.original_name for i in sdl.items} == {
            "Biển Lăng Cô.png",
            "Lễ hội Huế.png",
            "Logo.png",
        }
        stttt = find_media(session, stttt_officer, "")
        assert {i.media.original_name for i in stttt.items} == {"Lễ hội Huế.png", "Logo.png"}
        assert stttt.total == 2
        by_alt = find_media(session, sdl_officer, "đèn lồng")
        assert [i.media.sha256 for i in by_alt.items] == [festival]
        (item_,) = by_alt.items
        assert [(u.post_id, u.stage) for u in item_.uses] == [(used.id, "draft")]
        assert item_.alt_texts == ["Đèn lồng"]
        hidden = find_media(session, stttt_officer, "le hoi").items[0]
        assert hidden.uses == [] and hidden.hidden_uses == 1
        assert find_media(session, editor, "", page=1, per_page=2).pages == 2
        assert attachable(session, sdl_officer, festival).sha256 == festival
        with pytest.raises(PermissionDenied):
            attachable(session, stttt_officer, beach)
        with pytest.raises(UserError):
            attachable(session, editor, "f" * 64)


def test_matching_folds_case_and_marks_only_when_typed_without_them() -> None:
    assert matches("ĐÀ NẴNG", ["đà nẵng.jpg"])
    assert matches("da nang", ["Đà Nẵng.jpg"])
    assert not matches("đà năng", ["Đà Nẵng.jpg"])
    assert matches("  ", ["anything"])
    assert not matches("huế hội", ["Lễ hội.png"])
