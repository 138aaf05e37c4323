"""Bearer tokens on /api/v1, JSON errors under /api/, refusal pages, security headers."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from content.errors import Conflict, FieldProblem, InvalidInput
from content.users import UserService
from web.security import CONTENT_SECURITY_POLICY


@pytest.fixture
def app_with_test_routes(web_app: FastAPI) -> FastAPI:
    """A few routes that fail on purpose, to see how each failure is shown."""

    @web_app.get("/api/v1/test/number/{n}")
    def number(n: int) -> dict[str, int]:
        return {"n": n}

    @web_app.get("/api/v1/test/invalid")
    def invalid() -> None:
        raise InvalidInput([FieldProblem("title", "Cần có tiêu đề.", "a title is needed")])

    @web_app.get("/api/v1/test/conflict")
    def conflict() -> None:
        raise Conflict("the worker is publishing it", "Bài đang được đăng.")

    @web_app.get("/api/v1/test/crash")
    def api_crash() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    @web_app.get("/test/crash")
    def page_crash() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    return web_app


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_me_by_bearer_token(client: TestClient, users: UserService) -> None:
    secret, _ = users.tokens.create("cbtt.sdl", "cbtt.sdl", "HueS")
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 200
    assert response.json() == {
        "username": "cbtt.sdl",
        "full_name": "",
        "role": "officer",
        "department": "SDL",
        "authenticated_by": "token",
    }


def test_me_by_session(officer_client: TestClient) -> None:
    response = officer_client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["authenticated_by"] == "session"


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer loa_wrong", "Basic YWRtaW46YWRtaW4=", "Token abc"]
)
def test_api_without_a_valid_token_is_a_json_401(client: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    error = response.json()["error"]
    assert error["code"] == "unauthenticated" and error["field"] is None
    assert "Authorization: Bearer" in error["message"]


def test_a_revoked_token_or_a_disabled_user_is_refused(
    client: TestClient, users: UserService
) -> None:
    secret, info = users.tokens.create("bientap", "bientap", "HueS")
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    users.set_active("admin", "bientap", False)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    users.set_active("admin", "bientap", True)
    users.tokens.revoke("bientap", info.id)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_json_errors_under_api(app_with_test_routes: FastAPI) -> None:
    with TestClient(app_with_test_routes, raise_server_exceptions=False) as client:
        missing = client.get("/api/v1/khong-co")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
        bad = client.get("/api/v1/test/number/abc")
        assert bad.status_code == 422
        assert bad.json()["error"]["field"] == "path.n"
        invalid = client.get("/api/v1/test/invalid?lang=en")
        assert invalid.status_code == 422
        assert invalid.json() == {
            "error": {
                "code": "invalid_input",
                "message": "title: a title is needed",
                "field": "title",
                "problems": [{"field": "title", "message": "title: a title is needed"}],
            }
        }
        conflict = client.get("/api/v1/test/conflict?lang=vi")  # the lang cookie said en
        assert conflict.status_code == 409
        assert conflict.json()["error"] == {
            "code": "conflict", "message": "Bài đang được đăng.", "field": None,
        }  # fmt: skip
        crash = client.get("/api/v1/test/crash")
        assert crash.status_code == 500
        assert crash.json()["error"]["code"] == "server_error"
        assert "hunter2" not in crash.text and "Traceback" not in crash.text
        assert client.post("/api/v1/me").json()["error"]["code"] == "method_not_allowed"


def test_a_server_error_page_is_plain_and_bilingual(app_with_test_routes: FastAPI) -> None:
    with TestClient(app_with_test_routes, raise_server_exceptions=False) as client:
        response = client.get("/test/crash")
    assert response.status_code == 500
    assert "Lỗi hệ thống" in response.text and "Server error" in response.text
    assert "hunter2" not in response.text and "RuntimeError" not in response.text
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-frame-options"] == "DENY"


def test_a_404_page_is_bilingual_and_shows_the_menu_of_who_is_signed_in(
    editor_client: TestClient, client: TestClient
) -> None:
    response = editor_client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.text and "Page not found" in response.text
    assert 'href="/review"' in response.text
    anonymous = client.get("/khong-co-trang-nay?lang=en")
    assert anonymous.status_code == 404 and '<html lang="en">' in anonymous.text


@pytest.mark.parametrize("path", ["/login", "/khong-co", "/api/v1/me", "/static/loa.css"])
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    if path.startswith("/static/"):
        assert "no-store" not in response.headers.get("cache-control", "")
        assert response.headers["content-type"].startswith("text/css")
    else:
        assert response.headers["cache-control"] == "no-store"


def test_pages_have_no_inline_script_and_no_external_resources(
    admin_client: TestClient,
) -> None:
    for path in ("/calendar", "/admin/users", "/admin/users/bientap", "/account/tokens"):
        html = admin_client.get(path).text
        assert "<script>" not in html and "onclick" not in html and "style=" not in html
        assert "http://" not in html and "https://" not in html, path
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
