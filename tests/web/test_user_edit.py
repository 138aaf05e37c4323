"""Issue 5: an administrator edits a user's full name, role and department (page and service)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import col, select

from content.db import Database
from content.errors import InvalidInput, NotFound
from content.models import AuditEvent
from content.users import UserService
from tests.web.conftest import ClientFor
from tests.web.helpers import csrf_of


def edit(signed: TestClient, username: str, **form: str) -> Response:
    data = {"csrf_token": csrf_of(signed), **form}
    return signed.post(f"/admin/users/{username}/edit", data=data, follow_redirects=False)


def update_events(db: Database) -> list[AuditEvent]:
    with db.read() as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.action == "user.update")
                .order_by(col(AuditEvent.id))
            ).all()
        )


def test_the_user_page_has_the_edit_form_filled_in(admin_client: TestClient) -> None:
    page = admin_client.get("/admin/users/cbtt.sdl")
    assert page.status_code == 200
    assert 'action="/admin/users/cbtt.sdl/edit"' in page.text
    assert '<option value="officer" selected>Cán bộ truyền thông</option>' in page.text
    assert '<option value="SDL" selected>SDL — Sở Du lịch</option>' in page.text
    assert "Sửa thông tin" in page.text and "Đổi vai trò sẽ đăng xuất" in page.text


def test_an_admin_edits_name_role_and_department(
    admin_client: TestClient, client_for: ClientFor, users: UserService, db: Database
) -> None:
    officer = client_for("cbtt.sdl")
    response = edit(
        admin_client, "cbtt.sdl", full_name="Lê Thị Thu Hà", role="editor", department="SVHTT"
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location == "/admin/users/cbtt.sdl?saved=1"
    shown = admin_client.get(location)
    assert "Đã lưu." in shown.text and "Lê Thị Thu Hà" in shown.text
    person = users.get("cbtt.sdl")
    assert (person.full_name, person.role, person.department_code) == (
        "Lê Thị Thu Hà", "editor", "SVHTT",
    )  # fmt: skip
    assert officer.get("/calendar", follow_redirects=False).status_code == 303  # logged out
    [event] = update_events(db)
    assert event.actor == "admin"
    assert event.detail["username"] == "cbtt.sdl"
    assert event.detail["changes"] == {
        "full_name": ["", "Lê Thị Thu Hà"],
        "role": ["officer", "editor"],
        "department": ["SDL", "SVHTT"],
    }
    assert event.detail["sessions_ended"] == 1


def test_a_new_name_alone_keeps_the_sessions(
    admin_client: TestClient, client_for: ClientFor, users: UserService
) -> None:
    editor = client_for("bientap")
    response = edit(admin_client, "bientap", full_name="Trần Văn Biên", role="editor",
                    department="STTTT")  # fmt: skip
    assert response.status_code == 303
    assert users.get("bientap").full_name == "Trần Văn Biên"
    assert editor.get("/calendar", follow_redirects=False).status_code == 200


@pytest.mark.parametrize("username", ["cbtt.stttt", "bientap"])
def test_officers_and_editors_cannot_edit_users(
    client_for: ClientFor, users: UserService, username: str
) -> None:
    signed = client_for(username)
    response = edit(signed, username, full_name="Tự Phong", role="admin", department="STTTT")
    assert response.status_code == 403
    assert users.get(username).role != "admin"


def test_an_edit_without_the_csrf_token_is_refused(
    admin_client: TestClient, users: UserService
) -> None:
    response = admin_client.post(
        "/admin/users/bientap/edit", data={"full_name": "X", "role": "admin", "department": ""}
    )
    assert response.status_code == 403
    assert users.get("bientap").role == "editor"


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"role": "officer", "department": ""}, "department",
         "Cán bộ truyền thông phải thuộc một đơn vị."),
        ({"role": "editor", "department": "SKHONG"}, "department", "Không có đơn vị “SKHONG”."),
        ({"role": "superuser", "department": "SDL"}, "role", "Vai trò “superuser” không có"),
        ({"role": "editor", "department": "SDL", "full_name": "  "}, "full_name",
         "Cần có họ và tên"),
    ],
)  # fmt: skip
def test_mistakes_come_back_beside_the_field_with_the_input_kept(
    admin_client: TestClient, users: UserService, form: dict[str, str], field: str, message: str
) -> None:
    data = {"full_name": "Ngô <Mới>", **form}
    response = edit(admin_client, "bientap", **data)
    assert response.status_code == 422
    text = response.text
    assert f'<p class="field-error" id="{field}-error">{message}' in text
    assert "Hãy sửa các mục sau:" in text
    if field != "full_name":
        assert 'value="Ngô &lt;Mới&gt;"' in text
    person = users.get("bientap")
    assert (person.full_name, person.role, person.department_code) == ("", "editor", "STTTT")


def test_an_admin_cannot_remove_their_own_admin_role(
    admin_client: TestClient, users: UserService, db: Database
) -> None:
    response = edit(admin_client, "admin", full_name="Quản Trị", role="editor", department="STTTT")
    assert response.status_code == 422
    assert "Bạn không thể tự bỏ vai trò quản trị viên của mình." in response.text
    assert users.get("admin").role == "admin"
    assert admin_client.get("/admin/users").status_code == 200  # still signed in
    assert update_events(db) == []


def test_service_rules(users: UserService, db: Database) -> None:
    with pytest.raises(InvalidInput) as refused:
        users.update("cli", "admin", role="editor")  # the last active administrator
    assert refused.value.problems[0].field == "role"
    assert "last active administrator" in str(refused.value)
    users.update("admin", "bientap", role="admin")
    assert users.update("admin", "bientap", role="editor").role == "editor"  # another admin
    with pytest.raises(InvalidInput) as unknown_role:
        users.update("admin", "bientap", role="boss", department="KHONG")
    assert [p.field for p in unknown_role.value.problems] == ["role", "department"]
    with pytest.raises(InvalidInput, match="an officer needs a department"):
        users.update("admin", "bientap", role="officer", department="")
    editor = users.update("admin", "bientap2", department="")  # an editor may have none
    assert editor.department_code is None and editor.role == "editor"
    with pytest.raises(InvalidInput, match="an officer needs a department"):
        users.update("admin", "bientap2", role="officer")
    with pytest.raises(NotFound):
        users.update("admin", "khong-co-ai", full_name="Ai")
    before = len(update_events(db))
    users.update("admin", "bientap", role="editor")  # nothing changes, nothing recorded
    assert len(update_events(db)) == before


def test_an_admin_sets_checks_and_clears_a_persons_email(
    admin_client: TestClient, users: UserService, db: Database
) -> None:
    page = admin_client.get("/admin/users/cbtt.sdl")
    assert 'name="email" value=""' in page.text and "E-mail nhận thông báo" in page.text
    assert '<input type="hidden" name="email_shown" value="1">' in page.text
    form = {"full_name": "Lê Thu Hà", "role": "officer", "department": "SDL"}
    wrong = edit(admin_client, "cbtt.sdl", **form, email="cbtt.sdl@")
    assert wrong.status_code == 422
    assert (
        '<p class="field-error" id="email-error">Địa chỉ e-mail chưa đúng'
        " (ví dụ: ten@thuathienhue.gov.vn).</p>"
    ) in wrong.text
    assert 'value="cbtt.sdl@"' in wrong.text  # kept for correcting
    assert users.get("cbtt.sdl").email is None
    assert edit(admin_client, "cbtt.sdl", **form, email="ha@sdl.hue.gov.vn").status_code == 303
    assert users.get("cbtt.sdl").email == "ha@sdl.hue.gov.vn"
    assert "<dd>ha@sdl.hue.gov.vn</dd>" in admin_client.get("/admin/users/cbtt.sdl").text
    # A form without the field (a script, an older page) leaves the address alone.
    assert edit(admin_client, "cbtt.sdl", **{**form, "full_name": "Hà"}).status_code == 303
    assert users.get("cbtt.sdl").email == "ha@sdl.hue.gov.vn"
    assert edit(admin_client, "cbtt.sdl", **form, email="", email_shown="1").status_code == 303
    assert users.get("cbtt.sdl").email is None
    changes = [event.detail["changes"].get("email") for event in update_events(db)]
    assert changes == [[None, "ha@sdl.hue.gov.vn"], None, ["ha@sdl.hue.gov.vn", None]]
    assert all(event.actor == "admin" for event in update_events(db))


def test_a_new_user_may_be_given_an_email(admin_client: TestClient, users: UserService) -> None:
    form = {
        "csrf_token": csrf_of(admin_client), "username": "cbtt.moi", "full_name": "Người Mới",
        "role": "officer", "department": "SDL", "password": "Mật-khẩu-Huế-2026",
        "password2": "Mật-khẩu-Huế-2026",
    }  # fmt: skip
    wrong = admin_client.post("/admin/users", data={**form, "email": "moi@hue"})
    assert wrong.status_code == 422 and 'id="email-error">Địa chỉ e-mail chưa đúng' in wrong.text
    with pytest.raises(NotFound):
        users.get("cbtt.moi")
    done = admin_client.post(
        "/admin/users", data={**form, "email": "moi@sdl.hue.gov.vn"}, follow_redirects=False
    )
    assert done.status_code == 303 and users.get("cbtt.moi").email == "moi@sdl.hue.gov.vn"
