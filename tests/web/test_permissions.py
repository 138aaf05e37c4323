"""Who may open what: refusal pages per role, the admin's user pages, one's own tokens."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from content.users import UserService
from tests.web.conftest import ClientFor
from tests.web.helpers import PASSWORD, csrf_of, login

ADMIN_PAGES = ("/admin/users", "/admin/users/bientap")


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("username", ["cbtt.stttt", "bientap"])
def test_officers_and_editors_cannot_open_the_admin_pages(
    client_for: ClientFor, username: str, path: str
) -> None:
    response = client_for(username).get(path)
    assert response.status_code == 403
    assert "Không có quyền" in response.text and "Not allowed" in response.text
    assert "Người dùng" not in re.sub(r"<main.*", "", response.text, flags=re.S)  # no menu entry


@pytest.mark.parametrize("username", ["cbtt.stttt", "bientap"])
def test_non_admins_cannot_change_users_even_with_a_valid_form(
    client_for: ClientFor, users: UserService, username: str
) -> None:
    signed = client_for(username)
    token = csrf_of(signed)
    assert (
        signed.post("/admin/users/cbtt.sdl/disable", data={"csrf_token": token}).status_code == 403
    )
    added = signed.post(
        "/admin/users",
        data={"csrf_token": token, "username": "ke.gian", "full_name": "Kẻ Gian", "role": "admin",
              "password": PASSWORD, "password2": PASSWORD},
    )  # fmt: skip
    assert added.status_code == 403
    assert users.get("cbtt.sdl").active
    assert "ke.gian" not in [u.username for u in users.all()]


def test_anonymous_visitors_are_sent_to_log_in(client: TestClient) -> None:
    for path in (*ADMIN_PAGES, "/account/tokens", "/calendar"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")
    assert client.post("/admin/users/bientap/disable", follow_redirects=False).status_code == 303


def test_the_menu_follows_the_role(client_for: ClientFor) -> None:
    def menu(username: str) -> list[str]:
        html = client_for(username).get("/calendar").text
        nav = html.split('<nav class="menu"', 1)[1].split("</nav>", 1)[0]
        return re.findall(r'<a href="([^"]+)"', nav)

    assert menu("cbtt.stttt") == ["/calendar", "/compose", "/my-posts", "/media", "/reports"]
    assert menu("bientap") == [
        "/calendar", "/compose", "/my-posts", "/media", "/review", "/channels", "/reports"
    ]  # fmt: skip
    assert menu("admin") == [
        "/calendar", "/compose", "/my-posts", "/media", "/review", "/channels", "/reports",
        "/admin/users",
        "/admin/publishing",
    ]  # fmt: skip


def test_an_admin_adds_a_user_who_can_then_log_in(
    admin_client: TestClient, client: TestClient
) -> None:
    page = admin_client.get("/admin/users")
    assert page.status_code == 200 and "cbtt.sdl" in page.text
    response = admin_client.post(
        "/admin/users",
        data={"csrf_token": csrf_of(admin_client), "username": "cbtt.svhtt",
              "full_name": "Phạm Quốc Huy", "role": "officer", "department": "SVHTT",
              "password": "Mật-khẩu-Huế-1", "password2": "Mật-khẩu-Huế-1"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    listed = admin_client.get(response.headers["location"])
    assert "Đã lưu." in listed.text and "Phạm Quốc Huy" in listed.text
    assert login(client, "cbtt.svhtt", "Mật-khẩu-Huế-1").status_code == 303


def test_form_mistakes_come_back_on_the_form_without_the_password(
    admin_client: TestClient, users: UserService
) -> None:
    response = admin_client.post(
        "/admin/users",
        data={"csrf_token": csrf_of(admin_client), "username": "cbtt.moi",
              "full_name": "<b>Ngô</b>", "role": "officer", "department": "",
              "password": "ngan-1", "password2": "ngan-1"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Hãy sửa các mục sau:" in response.text
    assert "Mật khẩu phải có ít nhất 10 ký tự." in response.text
    assert "Cán bộ truyền thông phải thuộc một đơn vị." in response.text
    assert 'value="cbtt.moi"' in response.text
    assert 'value="&lt;b&gt;Ngô&lt;/b&gt;"' in response.text  # escaped, kept
    assert "ngan-1" not in response.text
    mismatch = admin_client.post(
        "/admin/users",
        data={"csrf_token": csrf_of(admin_client), "username": "cbtt.moi", "full_name": "Ngô",
              "role": "editor", "password": PASSWORD, "password2": PASSWORD + "!"},
    )  # fmt: skip
    assert mismatch.status_code == 422 and "không khớp" in mismatch.text
    assert "cbtt.moi" not in [u.username for u in users.all()]


def test_an_admin_resets_a_password_and_disables_and_enables(
    admin_client: TestClient, client_for: ClientFor, users: UserService
) -> None:
    officer = client_for("cbtt.sdl")
    token = csrf_of(admin_client)
    weak = admin_client.post(
        "/admin/users/cbtt.sdl/password",
        data={"csrf_token": token, "password": "cbtt.sdl-123456", "password2": "cbtt.sdl-123456"},
    )
    assert weak.status_code == 422 and "không được chứa tên đăng nhập" in weak.text
    reset = admin_client.post(
        "/admin/users/cbtt.sdl/password",
        data={"csrf_token": token, "password": "Đổi-mật-khẩu-9", "password2": "Đổi-mật-khẩu-9"},
    )
    assert reset.status_code == 200 and "Đã lưu." in reset.text
    assert officer.get("/calendar", follow_redirects=False).status_code == 303  # logged out
    assert users.authenticate("cbtt.sdl", "Đổi-mật-khẩu-9").username == "cbtt.sdl"
    disabled = admin_client.post("/admin/users/cbtt.sdl/disable", data={"csrf_token": token})
    assert disabled.status_code == 200 and "Đã khóa" in disabled.text
    assert not users.get("cbtt.sdl").active
    admin_client.post("/admin/users/cbtt.sdl/enable", data={"csrf_token": token})
    assert users.get("cbtt.sdl").active


def test_an_admin_cannot_disable_themselves(admin_client: TestClient, users: UserService) -> None:
    response = admin_client.post(
        "/admin/users/admin/disable", data={"csrf_token": csrf_of(admin_client)}
    )
    assert response.status_code == 400
    assert "Bạn không thể tự khóa tài khoản của mình." in response.text
    assert users.get("admin").active


def test_an_unknown_user_is_a_404_page(admin_client: TestClient) -> None:
    response = admin_client.get("/admin/users/khong-co-ai")
    assert response.status_code == 404
    assert "Không có người dùng “khong-co-ai”." in response.text


def test_api_tokens_page_shows_the_secret_once_and_only_ones_own_tokens(
    client_for: ClientFor, users: UserService
) -> None:
    editor, officer = client_for("bientap"), client_for("cbtt.stttt")
    created = editor.post(
        "/account/tokens", data={"name": "Ứng dụng HueS", "csrf_token": csrf_of(editor)}
    )
    assert created.status_code == 201
    secret = re.search(r'<code class="token" id="new-token">([^<]+)</code>', created.text)
    assert secret is not None
    assert users.tokens.verify(secret.group(1)) is not None
    again = editor.get("/account/tokens")
    assert "Ứng dụng HueS" in again.text and secret.group(1) not in again.text
    assert "Ứng dụng HueS" not in officer.get("/account/tokens").text
    token_id = users.tokens.api_tokens("bientap")[0].id
    foreign = officer.post(
        f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_of(officer)}
    )
    assert foreign.status_code == 404
    assert users.tokens.verify(secret.group(1)) is not None
    mine = editor.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_of(editor)})
    assert mine.status_code == 200 and "Đã thu hồi" in mine.text
    assert users.tokens.verify(secret.group(1)) is None


def test_a_token_without_a_name_comes_back_with_the_problem(editor_client: TestClient) -> None:
    response = editor_client.post(
        "/account/tokens", data={"name": " ", "csrf_token": csrf_of(editor_client)}
    )
    assert response.status_code == 422
    assert "Cần đặt tên cho mã" in response.text
