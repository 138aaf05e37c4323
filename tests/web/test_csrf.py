"""CSRF: every state-changing request made with a session cookie carries the session's token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from content.users import UserService
from tests.web.helpers import csrf_of


def test_a_form_without_the_token_is_a_clear_403(editor_client: TestClient) -> None:
    response = editor_client.post("/account/tokens", data={"name": "HueS"})
    assert response.status_code == 403
    assert "thiếu mã bảo vệ CSRF" in response.text
    assert "missing CSRF protection token" in response.text  # the page is bilingual
    assert editor_client.get("/account/tokens").text.count("<code") == 0


@pytest.mark.parametrize("wrong", ["", "x", "0" * 43])
def test_a_wrong_token_is_refused(editor_client: TestClient, wrong: str) -> None:
    response = editor_client.post("/account/tokens", data={"name": "HueS", "csrf_token": wrong})
    assert response.status_code == 403


def test_another_sessions_token_is_refused(client_for: object) -> None:
    make = client_for  # type: ignore[assignment]
    editor, officer = make("bientap"), make("cbtt.stttt")  # type: ignore[operator]
    response = editor.post("/account/tokens", data={"name": "HueS", "csrf_token": csrf_of(officer)})
    assert response.status_code == 403


def test_the_right_token_in_the_form_or_the_header_is_accepted(
    editor_client: TestClient, users: UserService
) -> None:
    token = csrf_of(editor_client)
    by_form = editor_client.post("/account/tokens", data={"name": "HueS", "csrf_token": token})
    assert by_form.status_code == 201
    by_header = editor_client.post(
        "/account/tokens", data={"name": "Tòa soạn"}, headers={"X-CSRF-Token": token}
    )
    assert by_header.status_code == 201
    assert [t.name for t in users.tokens.api_tokens("bientap")] == ["HueS", "Tòa soạn"]


def test_logout_needs_the_token_too(editor_client: TestClient) -> None:
    refused = editor_client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403
    assert editor_client.get("/account/tokens").status_code == 200  # still signed in


def test_a_bearer_token_request_needs_no_csrf_token_and_ignores_cookies(
    editor_client: TestClient, users: UserService
) -> None:
    secret, info = users.tokens.create("bientap", "bientap", "script")
    revoked = editor_client.post(
        f"/account/tokens/{info.id}/revoke",
        headers={"Authorization": f"Bearer {secret}"},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert users.tokens.api_tokens("bientap")[0].revoked_at is not None
    # With an Authorization header the cookie does not count: a bad token is a bad token.
    response = editor_client.post(
        "/account/tokens", data={"name": "x"}, headers={"Authorization": "Bearer loa_nope"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert len(users.tokens.api_tokens("bientap")) == 1
