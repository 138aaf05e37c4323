"""A failure reason as people read it: on the post page and the channels page the reader's
language first, the other second, the platform's own words apart; the API gives both and the
detail as a `reason` object beside the older English field. The reason is the one a real
adapter error carries (Facebook's link refusal, mapped by channels.facebook.errors)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import unquote

from fastapi.testclient import TestClient
from sqlmodel import select

from channels.errors import Step
from channels.facebook.errors import GraphFault, classify
from content.db import Database
from content.models import Attempt, Delivery, DeliveryState
from content.posts import PostService
from content.users import UserService
from tests.web.api_support import bearer
from tests.web.test_composer import png, upload
from tests.web.test_post_page import WHEN, make_post

FAULT = {"error": {"message": "(#100) The link could not be read", "code": 100,
                   "error_subcode": 1609005, "fbtrace_id": "AbC"}}  # fmt: skip
VI = "Đăng bài: Facebook không đọc được liên kết"
EN = "publishing the post: Facebook could not read the link"


def fail_with_a_real_reason(db: Database, post_id: int) -> int:
    fault = GraphFault.parse(FAULT)
    assert fault is not None
    error = classify(fault, what=Step("publishing the post", "đăng bài"), status=400, headers={})
    with db.write() as session:
        delivery = session.exec(
            select(Delivery).where(
                Delivery.post_id == post_id, Delivery.channel_id == "fb-asean-hue"
            )
        ).one()
        assert delivery.id is not None
        delivery.state, delivery.attempts = DeliveryState.failed, 1
        delivery.last_error = error.reason.encode()
        session.add(
            Attempt(
                delivery_id=delivery.id, number=1, worker_id="w1", started_at=WHEN,
                finished_at=WHEN + timedelta(seconds=2), outcome="fail",
                error_kind=type(error).__name__, error_message=error.reason.encode(),
            )
        )  # fmt: skip
        return delivery.id


def text_of(html: str) -> str:
    return unescape(html)


def test_the_post_page_shows_the_readers_language_first_and_the_platforms_words(
    db: Database, service: PostService, editor_client: TestClient
) -> None:
    post_id = make_post(service, "approved", link="https://asean.example/tin")
    fail_with_a_real_reason(db, post_id)
    vi = text_of(editor_client.get(f"/posts/{post_id}").text)
    assert VI in vi and EN in vi and vi.index(VI) < vi.index(EN)
    assert "Facebook said: (#100) The link could not be read [code 100/1609005" in vi
    assert '{"vi"' not in vi  # the stored form never reaches a page
    en = text_of(editor_client.get(f"/posts/{post_id}?lang=en").text)
    assert en.index(EN) < en.index(VI)


def test_the_channels_page_shows_the_last_failure_in_both_languages(
    db: Database, service: PostService, editor_client: TestClient
) -> None:
    fail_with_a_real_reason(db, make_post(service, "approved"))
    page = text_of(editor_client.get("/channels").text)
    assert page.index(VI) < page.index(EN) and '{"vi"' not in page
    assert "facebook_page" not in page  # the platform by its name
    assert "Facebook" in page


def test_the_api_gives_the_reason_as_an_object_beside_the_english_field(
    db: Database, service: PostService, users: UserService, client: TestClient
) -> None:
    post_id = make_post(service, "approved")
    delivery_id = fail_with_a_real_reason(db, post_id)
    secret = users.tokens.create("bientap", "bientap", "tests")[0]
    body = client.get(f"/api/v1/deliveries/{delivery_id}", headers=bearer(secret)).json()
    detail = "Facebook said: (#100) The link could not be read [code 100/1609005, trace AbC]"
    assert body["reason"]["vi"].startswith(VI) and body["reason"]["en"].startswith(EN)
    assert body["reason"]["detail"] == detail
    assert body["last_error"].startswith(EN) and body["last_error"].endswith(f"({detail})")
    [attempt] = body["attempts"]
    assert attempt["reason"] == body["reason"] and attempt["error_message"] == body["last_error"]
    channels = client.get("/api/v1/channels", headers=bearer(secret)).json()
    [facebook] = [item for item in channels if item["id"] == "fb-asean-hue"]
    assert facebook["last_failure_reason"] == body["reason"]


def test_a_reason_kept_before_reasons_were_bilingual_is_still_shown(
    db: Database, service: PostService, users: UserService, client: TestClient,
    editor_client: TestClient,
) -> None:  # fmt: skip
    post_id = make_post(service, "approved")
    delivery_id = fail_with_a_real_reason(db, post_id)
    with db.write() as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None
        row.last_error = "Rejected: (#100) link not allowed"
    assert "Rejected: (#100) link not allowed" in editor_client.get(f"/posts/{post_id}").text
    secret = users.tokens.create("bientap", "bientap", "tests")[0]
    body = client.get(f"/api/v1/deliveries/{delivery_id}", headers=bearer(secret)).json()
    assert body["reason"] == {"vi": "", "en": "Rejected: (#100) link not allowed", "detail": ""}


def test_the_post_page_names_things_as_people_know_them(
    db: Database, service: PostService, editor_client: TestClient
) -> None:
    post_id = make_post(service, "approved", topic="a")
    page = text_of(editor_client.get(f"/posts/{post_id}").text)
    facts = page.split('<dl class="facts card">', 1)[1].split("</dl>", 1)[0]
    assert "<dd>Sở Thông tin và Truyền thông</dd>" in facts and "STTTT" not in facts
    assert "<dd>Sự kiện thường niên của ASEAN</dd>" in facts  # the topic's name, no bare letter
    deliveries = page.split('id="delivery-', 1)[1]
    assert "<h3>Facebook · " in deliveries
    assert "facebook_page" not in re.sub(r"<[^>]*>", " ", page)  # not in what people read
    english = text_of(editor_client.get(f"/posts/{post_id}?lang=en").text)
    assert "Department of Information and Communications" in english
    assert "Website · " in english


def test_the_composer_names_the_zone_as_people_do(officer_client: TestClient) -> None:
    vi = text_of(officer_client.get("/compose").text)
    assert "Vào lúc (giờ Việt Nam (GMT+7))" in vi and "Asia/Ho_Chi_Minh" not in vi
    assert "At (Vietnam time (GMT+7))" in text_of(officer_client.get("/compose?lang=en").text)


def test_a_file_is_saved_under_the_name_it_was_uploaded_with(officer_client: TestClient) -> None:
    answer = upload(officer_client, "Lễ hội Huế.png", png())
    assert answer.status_code == 201, answer.text
    served = officer_client.get(f"/media/{answer.json()['sha256']}")
    disposition = served.headers["content-disposition"]
    assert disposition.startswith("inline; ") and 'filename="Le-hoi-Hue.png"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Lễ hội Huế.png"
    assert answer.json()["sha256"] not in disposition


def test_the_composer_offers_channels_by_platform_and_department_name(
    editor_client: TestClient,
) -> None:
    page = re.sub(r"<[^>]*>", " ", editor_client.get("/compose").text)
    assert "Facebook · Sở Thông tin và Truyền thông" in page
    assert "facebook_page" not in page and "· STTTT" not in page
