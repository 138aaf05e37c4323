"""The composer's next free slot for several channels, explained; the platform-like previews
with their images; limits named by their platform; labelled media rows."""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from content.db import Database
from content.posts import PostService
from tests.factories import post_input
from tests.web.helpers import csrf_of
from tests.web.test_composer import SCRIPT, count_posts, form, only_post, png, send, upload

THREE = ["fb-asean-hue", "web-asean", "zalo-asean-hue"]


def live_preview(
    client: TestClient, url: str = "/compose/preview", **changes: object
) -> dict[str, Any]:
    answer = client.post(url, data={"csrf_token": csrf_of(client), **form(**changes)})
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def text_of(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_next_free_slot_for_facebook_website_and_zalo(
    db: Database, officer_client: TestClient
) -> None:
    # The test clock: Tue 01/12/2026 08:00 in Hue. Zalo 08:00, the website 07:30, Facebook
    # 09:00 never coincide; Wednesday 08:00 is within the hour of a free slot of each.
    shown = send(officer_client, action="preview", timing="next", at="", channels=THREE)
    assert shown.status_code == 200
    words = text_of(shown.text)
    assert (
        "Giờ trống gần nhất cho cả 3 kênh: Thứ Tư, 02/12/2026 08:00 — Zalo OA trống đúng khung"
        " giờ này; Facebook: khung 09:00, cách 1 giờ; Trang web: khung 07:30, cách 30 phút."
    ) in words
    assert "không quá 1 giờ" in words  # and why
    assert count_posts(db) == 0

    english = live_preview(
        officer_client, "/compose/preview?lang=en", timing="next", channels=THREE
    )
    assert english["slot"]["text"].startswith(
        "Next free time for all 3 channels: Wed 2 Dec 2026, 08:00 — Zalo OA has a free"
        " slot then; Facebook: its 09:00 slot, 1 hour away; Website: its 07:30 slot, 30 minutes"
        " away."
    )
    wednesday = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    assert english["slot"]["at"] == wednesday.isoformat()
    # The previews show that time too.
    assert {item["scheduled_at"] for item in english["channels"]} == {wednesday.isoformat()}

    saved = send(officer_client, action="submit", timing="next", at="", channels=THREE)
    assert saved.status_code == 303, saved.text
    assert only_post(db).scheduled_at == wednesday  # what the page said is what is stored

    after = live_preview(officer_client, "/compose/preview?lang=vi", timing="next", channels=THREE)
    assert after["slot"]["text"].startswith(
        "Giờ trống gần nhất cho cả 3 kênh: Thứ Năm, 03/12/2026 08:00"
    )  # Wednesday's slots are taken now


def test_slots_far_apart_keep_a_gap_and_say_how_long_since_the_last_post(
    service: PostService, officer_client: TestClient
) -> None:
    earlier = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # Tue 13:00 in Hue, on Zalo
    service.create(
        service.actor("cbtt.stttt"),
        post_input(channels=["zalo-asean-hue"], scheduled_at=earlier),
    )
    found = live_preview(officer_client, timing="next", channels=["zalo-asean-hue", "yt-hue-asean"])
    assert found["slot"]["text"] == (
        "Giờ trống gần nhất cho cả 2 kênh: Thứ Ba, 01/12/2026 17:00 — YouTube trống đúng khung"
        " giờ này; Zalo OA cách bài trước 4 giờ. Khung giờ của các kênh không gần nhau, nên Loa"
        " chọn giờ sớm nhất cách các bài khác của mỗi kênh ít nhất 2 giờ."
    )
    one = live_preview(officer_client, timing="at", channels=["web-asean"])
    assert one["slot"]["text"].startswith(
        "Giờ trống gần nhất của Trang web: Thứ Ba, 01/12/2026 14:00"
    )
    assert "scheduled_at" in one["channels"][0] and one["channels"][0]["scheduled_at"] is not None
    none = live_preview(officer_client, channels=[])
    assert none["slot"] == {"at": None, "text": "Chọn kênh đăng để xem giờ trống gần nhất."}


def test_previews_look_like_each_platform_with_the_images(officer_client: TestClient) -> None:
    sha = upload(officer_client, "Lễ thượng cờ.png", png(640, 480)).json()["sha256"]
    long_body = "\n".join(f"Dòng {n} {SCRIPT}" for n in range(1, 9))
    data = live_preview(
        officer_client,
        title=f"Tin {SCRIPT}",
        body=long_body,
        channels=[*THREE, "yt-hue-asean"],
        media_sha=sha,
        media_alt="Cờ ASEAN",
    )
    page = data["html"]
    assert SCRIPT not in page and "&lt;script&gt;" in page
    for card in ("fb-post", "zalo-card", "yt-card", "web-article"):
        assert f'class="{card}"' in page, card
    thumb = f'src="/media/{sha}/thumb" alt="Cờ ASEAN"'
    assert page.count(thumb) == 4  # Facebook's grid, Zalo's cover, YouTube's thumbnail, the site
    facebook = page[page.index('class="fb-post"') : page.index('class="pv-counts"')]
    assert '<strong class="fb-page">fb-asean-hue</strong>' in facebook  # the page's name
    assert "Thứ Năm, 03/12/2026 14:00" in facebook
    assert (
        'class="pv-fold pv-lines-5 is-long"' in facebook
        and "<summary>Xem thêm</summary>" in facebook
    )
    assert 'class="fb-grid n1"' in facebook
    assert "<script" not in page and "style=" not in page  # nothing the CSP would refuse


def test_a_limit_is_named_by_the_platform_that_sets_it(officer_client: TestClient) -> None:
    data = live_preview(officer_client, title="T" * 163, channels=["zalo-asean-hue", "web-asean"])
    zalo = next(item for item in data["channels"] if item["channel_id"] == "zalo-asean-hue")
    texts = [(p["vi"], p["en"]) for p in zalo["problems"]]
    assert ("Zalo OA giới hạn tiêu đề 149 ký tự — bài này có 163",
            "Zalo OA limits titles to 149 characters — this one has 163") in texts  # fmt: skip
    assert not any("Tiêu đề dài" in vi for vi, _ in texts)  # the check's own sentence, replaced
    assert "Zalo OA giới hạn tiêu đề 149 ký tự — bài này có 163" in data["html"]
    website = next(item for item in data["channels"] if item["channel_id"] == "web-asean")
    assert not any("giới hạn tiêu đề" in p["vi"] for p in website["problems"])


def test_media_rows_and_the_file_input_are_labelled(officer_client: TestClient) -> None:
    page = officer_client.get("/compose").text
    assert '<label class="file-label" for="f-upload">Chọn ảnh hoặc video</label>' in page
    first = upload(officer_client, "Lễ thượng cờ.png", png()).json()["sha256"]
    second = upload(officer_client, "Hội nghị.png", png(48, 64)).json()["sha256"]
    shown = send(officer_client, action="preview", media_sha=[first, second], media_alt=["", ""])
    html = shown.text
    for n, name in ((1, "Lễ thượng cờ.png"), (2, "Hội nghị.png")):
        assert (
            f'<label for="media-alt-{n}">Mô tả ảnh của tệp {n} (cho người khiếm thị)</label>'
            in html
        )
        assert f'id="media-alt-{n}" name="media_alt"' in html
        assert f"Tệp {n}: {name}" in html
        assert f"Bỏ tệp {n}" in html
    # The buttons follow the preview in the page (and the form holds both).
    assert (
        html.index('id="composer"') < html.index('id="live-preview"') < html.index('value="submit"')
    )
    assert html.index('value="submit"') < html.rindex("</form>")


def test_a_post_being_changed_does_not_stand_in_its_own_way(
    service: PostService, officer_client: TestClient
) -> None:
    wednesday = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    post = service.create(
        service.actor("cbtt.stttt"), post_input(channels=THREE, scheduled_at=wednesday)
    )
    page = officer_client.get(f"/posts/{post.id}/edit").text
    assert f'name="post_id" value="{post.id}"' in page
    assert "cho cả 3 kênh: Thứ Tư, 02/12/2026 08:00" in text_of(page)  # its own time is free
    other = live_preview(officer_client, timing="next", channels=THREE)
    assert "Thứ Năm, 03/12/2026 08:00" in other["slot"]["text"]  # for another post it is not
    again = live_preview(officer_client, timing="next", channels=THREE, post_id=str(post.id))
    assert "Thứ Tư, 02/12/2026 08:00" in again["slot"]["text"]
