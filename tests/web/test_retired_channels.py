"""A channel removed from config.yaml (retired) through the pages and the API: shown as removed,
never offered for connecting, and refused by name for a new post or an edit; a post already
published there may still be corrected elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from content.db import Database
from content.errors import InvalidInput
from content.models import Channel, ChannelState, Delivery
from content.posts import PostService
from content.users import UserService
from tests.factories import Clock, post_input, published_deliveries
from tests.web.api_support import caller, error_of, make_tokens
from tests.web.helpers import csrf_of

RETIRED = "fb-dulich-hue"  # SDL's channel; the reviewers may post to it
WHEN = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def retire(db: Database) -> None:
    with db.write() as session:
        channel = session.get(Channel, RETIRED)
        assert channel is not None
        channel.state = ChannelState.retired


def section(html: str, channel_id: str) -> str:
    start = html.index(f'id="channel-{channel_id}"')
    return html[start : html.find("</section>", start)]


def test_the_channels_page_shows_it_removed_with_nothing_to_connect(
    admin_client: TestClient,
) -> None:
    html = admin_client.get("/channels").text
    retired = section(html, RETIRED)
    assert "Đã gỡ khỏi cấu hình" in retired and "không kết nối lại được" in retired
    assert "/connect" not in retired and "loa channels connect" not in retired
    assert 'href="/channels/web-asean/connect"' in section(html, "web-asean")
    english = section(admin_client.get("/channels?lang=en").text, RETIRED)
    assert "Removed from the configuration" in english and "/connect" not in english
    page = admin_client.get(f"/channels/{RETIRED}/connect")
    assert page.status_code == 409 and "đã gỡ khỏi cấu hình" in page.text


def compose(client: TestClient, url: str = "/compose", **changes: Any) -> Any:
    data: dict[str, Any] = {
        "csrf_token": csrf_of(client), "title": "Lễ hội Huế", "body": "Nội dung", "link": "",
        "hashtags": "", "topic": "a", "pillar": "ASCC", "channels": [RETIRED, "web-asean"],
        "timing": "at", "at": "2026-12-03T14:00", "missed_policy": "publish_late",
        "action": "draft",
    }  # fmt: skip
    data.update(changes)
    return client.post(url, data=data, follow_redirects=False)


def test_the_composer_neither_offers_nor_accepts_it(
    db: Database, editor_client: TestClient
) -> None:
    page = editor_client.get("/compose").text
    assert f'value="{RETIRED}"' not in page and 'value="web-asean"' in page
    refused = compose(editor_client)
    assert refused.status_code == 422
    assert f"Kênh “{RETIRED}” đã gỡ khỏi cấu hình" in refused.text
    with db.read() as session:
        assert session.exec(select(Delivery)).first() is None


def test_an_edit_that_keeps_it_is_refused_naming_it(
    service: PostService, editor_client: TestClient
) -> None:
    editor = service.actor("bientap")
    with pytest.raises(InvalidInput):  # the service refuses it too (the CLI and import use it)
        service.create(editor, post_input(channels=[RETIRED], scheduled_at=WHEN))
    post = service.create(editor, post_input(channels=["web-asean"], scheduled_at=WHEN))
    with service.db.write() as session:  # created before the channel left the configuration
        session.add(Delivery(post_id=post.id, channel_id=RETIRED, due_at=WHEN, state="pending"))
    url = f"/posts/{post.id}/edit"
    form = editor_client.get(url).text
    assert f'value="{RETIRED}" data-type="facebook_page" checked' in form
    assert "Đã gỡ khỏi cấu hình" in form  # shown, marked, so it is not dropped unseen
    refused = compose(editor_client, url, title="Sửa", version=str(post.version))
    assert refused.status_code == 422 and f"Kênh “{RETIRED}”" in refused.text
    dropped = compose(editor_client, url, title="Sửa", channels=["web-asean"],
                      version=str(post.version))  # fmt: skip
    assert dropped.status_code == 303


def test_a_post_published_there_may_still_be_edited(
    db: Database, service: PostService, clock: Clock
) -> None:
    (delivery_id,) = published_deliveries(db, 1, clock.now, channel_id=RETIRED, department="SDL",
                                          author="cbtt.sdl")  # fmt: skip
    with db.read() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        post_id = delivery.post_id
    edited = service.edit(service.actor("bientap"), post_id, {"title": "Bài đã sửa"})
    assert edited.title == "Bài đã sửa"


def test_the_api_refuses_it_for_a_new_post_and_an_edit(
    client: TestClient, users: UserService, service: PostService
) -> None:
    call = caller(client, make_tokens(users))
    body = {"title": "Lễ hội Huế", "topic": "a", "channels": [RETIRED]}
    error = error_of(call("bientap", "POST", "/api/v1/posts", json=body), 422)
    assert (
        error["field"] == "channels"
        and f"Kênh “{RETIRED}” đã gỡ khỏi cấu hình" in (error["message"])
    )
    english = call("bientap", "POST", "/api/v1/posts?lang=en", json=body)
    assert f"the channel '{RETIRED}' was removed" in error_of(english, 422)["message"]
    post = service.create(service.actor("bientap"), post_input(scheduled_at=WHEN))
    patch = {"channels": ["web-asean", RETIRED]}
    edited = call("bientap", "PATCH", f"/api/v1/posts/{post.id}", json=patch)
    assert error_of(edited, 422)["field"] == "channels"
