"""Correcting and removing a post on WordPress: the sandbox's update and delete routes (one test
per WordPress rule) and the adapter's `update` / `remove`, over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from channels.base import AuthRequired, Editable, Receipt
from channels.sandbox.server import SandboxServer
from tests.channels.test_sandbox_wordpress import gmt, refused, rest
from tests.channels.test_wordpress import make_adapter, publication, state


def created(sandbox: SandboxServer, **fields: Any) -> dict[str, Any]:
    body = {"title": "Bài gốc", "content": "Nội dung gốc", "status": "publish"} | fields
    answer = rest(sandbox, "POST", "/wp/v2/posts", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


# -- the sandbox: POST /wp/v2/posts/<id> -------------------------------------------------------


def test_an_update_changes_only_the_fields_sent(sandbox: SandboxServer) -> None:
    post = created(sandbox, slug="loa-giu-nguyen")
    answer = rest(sandbox, "POST", f"/wp/v2/posts/{post['id']}", json={"title": "Bài đã sửa"})
    assert answer.status_code == 200
    changed = answer.json()
    assert changed["title"]["raw"] == "Bài đã sửa" and changed["content"]["raw"] == "Nội dung gốc"
    assert (changed["slug"], changed["status"], changed["date_gmt"]) == (
        "loa-giu-nguyen", "publish", post["date_gmt"],
    )  # fmt: skip


def test_an_update_of_an_unknown_post_is_rest_post_invalid_id(sandbox: SandboxServer) -> None:
    refused(
        rest(sandbox, "POST", "/wp/v2/posts/9999", json={"title": "x"}), 404, "rest_post_invalid_id"
    )


def test_an_update_without_login_is_rest_cannot_edit(sandbox: SandboxServer) -> None:
    post = created(sandbox)
    answer = rest(sandbox, "POST", f"/wp/v2/posts/{post['id']}", json={"title": "x"}, auth=None)
    refused(answer, 401, "rest_cannot_edit")


def test_an_update_with_an_unknown_status_is_rest_invalid_param(sandbox: SandboxServer) -> None:
    post = created(sandbox)
    answer = rest(sandbox, "POST", f"/wp/v2/posts/{post['id']}", json={"status": "trash"})
    assert "status" in refused(answer, 400, "rest_invalid_param")["data"]["params"]


def test_an_update_emptying_title_content_and_excerpt_is_empty_content(
    sandbox: SandboxServer,
) -> None:
    post = created(sandbox)
    answer = rest(sandbox, "POST", f"/wp/v2/posts/{post['id']}", json={"title": "", "content": ""})
    refused(answer, 400, "empty_content")


def test_a_held_post_moves_with_its_date_and_a_past_date_publishes_it(
    sandbox: SandboxServer,
) -> None:
    post = created(sandbox, status="future", date_gmt=gmt(timedelta(hours=2)))
    route = f"/wp/v2/posts/{post['id']}"
    later = gmt(timedelta(days=1))
    moved = rest(sandbox, "POST", route, json={"status": "future", "date_gmt": later}).json()
    assert (moved["status"], moved["date_gmt"]) == ("future", later)
    now = rest(sandbox, "POST", route, json={"status": "future", "date_gmt": gmt(-timedelta(1))})
    assert now.json()["status"] == "publish"


# -- the sandbox: DELETE /wp/v2/posts/<id> -----------------------------------------------------


def test_a_delete_moves_the_post_to_the_trash_once(sandbox: SandboxServer) -> None:
    post = created(sandbox, slug="loa-bai-xoa")
    trashed = rest(sandbox, "DELETE", f"/wp/v2/posts/{post['id']}")
    assert trashed.status_code == 200
    assert (trashed.json()["status"], trashed.json()["slug"]) == ("trash", "loa-bai-xoa__trashed")
    public = requests.get(f"{sandbox.url}/wordpress/loa-bai-xoa/", timeout=5)
    assert public.status_code == 404
    refused(rest(sandbox, "DELETE", f"/wp/v2/posts/{post['id']}"), 410, "rest_already_trashed")


def test_a_forced_delete_removes_the_post_for_good(sandbox: SandboxServer) -> None:
    post = created(sandbox)
    answer = rest(sandbox, "DELETE", f"/wp/v2/posts/{post['id']}", params={"force": "true"})
    assert answer.json()["deleted"] is True and answer.json()["previous"]["id"] == post["id"]
    refused(rest(sandbox, "GET", f"/wp/v2/posts/{post['id']}"), 404, "rest_post_invalid_id")


def test_a_delete_without_login_is_rest_cannot_delete(sandbox: SandboxServer) -> None:
    post = created(sandbox)
    refused(
        rest(sandbox, "DELETE", f"/wp/v2/posts/{post['id']}", auth=None), 401, "rest_cannot_delete"
    )


def test_force_must_be_a_boolean(sandbox: SandboxServer) -> None:
    post = created(sandbox)
    answer = rest(sandbox, "DELETE", f"/wp/v2/posts/{post['id']}", params={"force": "maybe"})
    assert "force" in refused(answer, 400, "rest_invalid_param")["data"]["params"]


# -- the adapter -----------------------------------------------------------------------------


def test_the_adapter_is_editable_and_a_native_publish_says_when_it_goes_public(
    sandbox: SandboxServer,
) -> None:
    adapter = make_adapter(sandbox)
    assert isinstance(adapter, Editable)
    when = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0)
    receipt = adapter.publish(publication(scheduled_at=when, settings={"native_schedule": True}))
    assert receipt.scheduled_for == when
    found = adapter.find(publication(), datetime.now(UTC) - timedelta(minutes=5))
    assert found is not None and found.scheduled_for == when


def test_update_corrects_a_published_post_and_keeps_its_date(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    sent = adapter.publish(publication())
    fixed = publication(title="Huế - Thành phố Văn hóa ASEAN (đính chính)", hashtags=("ASEAN",))

    receipt = adapter.update(fixed, sent)

    (post,) = state(sandbox)["posts"]
    assert post["title"] == "Huế - Thành phố Văn hóa ASEAN (đính chính)"
    assert post["tags"] == ["ASEAN"] and post["status"] == "publish"
    assert receipt.remote_id == sent.remote_id and receipt.scheduled_for is None
    assert receipt.published_at == sent.published_at


def test_update_moves_a_held_post_to_its_new_time(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    first = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0)
    native = {"native_schedule": True}
    sent = adapter.publish(publication(scheduled_at=first, settings=native))
    later = first + timedelta(days=1)

    receipt = adapter.update(publication(scheduled_at=later, settings=native), sent)

    (post,) = state(sandbox)["posts"]
    assert (post["status"], post["date_gmt"]) == ("future", f"{later:%Y-%m-%dT%H:%M:%S}")
    assert receipt.scheduled_for == later


def test_remove_trashes_the_post_and_a_post_already_gone_is_fine(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    sent = adapter.publish(publication())

    adapter.remove(sent)
    adapter.remove(sent)  # already in the trash
    adapter.remove(Receipt("9999", None))  # never there, or deleted for good

    (post,) = state(sandbox)["posts"]
    assert post["status"] == "trash"
    assert adapter.find(publication(), datetime.now(UTC) - timedelta(minutes=5)) is None


def test_update_with_a_revoked_password_needs_auth(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    sent = adapter.publish(publication())
    sandbox.platform("wordpress").control("revoke_app_passwords", {})
    with pytest.raises(AuthRequired):
        adapter.update(publication(title="Sửa"), sent)
    with pytest.raises(AuthRequired):
        adapter.remove(sent)
