"""Signing in and out through the pages: cookies, sessions, throttling, redirects."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from content.db import Database
from content.models import WebSession
from content.users import digest
from tests.web.conftest import ClientFor
from tests.web.helpers import PASSWORD, csrf_from, csrf_of, login
from web.services import WebServices


def set_cookie_headers(response: object) -> list[str]:
    headers = response.headers  # type: ignore[attr-defined]
    return [value for name, value in headers.multi_items() if name == "set-cookie"]


def session_cookie_header(response: object) -> str:
    found = [h for h in set_cookie_headers(response) if h.startswith("loa_session=")]
    assert len(found) == 1, set_cookie_headers(response)
    return found[0]


def test_an_anonymous_visitor_is_sent_to_the_login_page_with_next(client: TestClient) -> None:
    response = client.get("/calendar?view=week", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fcalendar%3Fview%3Dweek"
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert "Phiên làm việc đã hết hạn hoặc bạn chưa đăng nhập." in page.text
    assert 'name="next" value="/calendar?view=week"' in page.text


def test_login_sets_a_strict_session_cookie_and_goes_to_next(
    client: TestClient, db: Database
) -> None:
    response = login(client, "bientap", next="/account/tokens")
    assert response.status_code == 303
    assert response.headers["location"] == "/account/tokens"
    cookie = session_cookie_header(response)
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "path=/" in lowered
    assert "secure" not in lowered  # plain http: a Secure cookie would never come back
    secret = cookie.split(";")[0].split("=", 1)[1]
    with db.read() as session:
        ids = session.exec(select(WebSession.id)).all()
    assert ids == [digest(secret)]  # only the hash of the cookie is stored
    page = client.get("/account/tokens")
    assert page.status_code == 200 and "bientap" in page.text


def test_the_cookie_is_secure_over_https(web_app: FastAPI) -> None:
    with TestClient(web_app, base_url="https://loa.example.vn") as secure_client:
        response = login(secure_client, "bientap")
        assert "; secure" in session_cookie_header(response).lower()
        assert secure_client.get("/account/tokens").status_code == 200


def test_cookies_are_secure_behind_a_trusted_proxy_only(
    web_app: FastAPI, web_services: WebServices
) -> None:
    forwarded = {"X-Forwarded-Proto": "https"}

    def login_cookie(client: TestClient) -> str:
        headers = set_cookie_headers(client.get("/login"))
        return next(h for h in headers if h.startswith("loa_login_csrf=")).lower()

    with TestClient(web_app, headers=forwarded) as via_unknown_proxy:
        assert "secure" not in login_cookie(via_unknown_proxy)
    web_services.trusted_proxies = frozenset({"testclient"})
    with TestClient(web_app, headers=forwarded) as via_our_proxy:
        assert "; secure" in login_cookie(via_our_proxy)


def test_throttling_counts_the_address_a_trusted_proxy_reports(
    web_app: FastAPI, web_services: WebServices
) -> None:
    web_services.trusted_proxies = frozenset({"testclient"})
    web_services.secure_cookies = False  # the test client speaks plain http
    for _ in range(5):
        with TestClient(web_app, headers={"X-Forwarded-For": "203.0.113.7"}) as attacker:
            assert login(attacker, "admin", "Sai-mat-khau-99").status_code == 401
    with TestClient(web_app, headers={"X-Forwarded-For": "203.0.113.7"}) as attacker:
        assert login(attacker, "admin").status_code == 429
    # A forged header in front of the proxy's own entry does not help.
    spoofed = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
    with TestClient(web_app, headers=spoofed) as attacker:
        assert login(attacker, "admin").status_code == 429
    with TestClient(web_app, headers={"X-Forwarded-For": "192.0.2.44"}) as colleague:
        assert login(colleague, "admin").status_code == 303


def test_secure_cookies_can_be_forced_by_configuration(
    web_app: FastAPI, web_services: WebServices
) -> None:
    web_services.secure_cookies = True
    with TestClient(web_app) as plain:
        headers = set_cookie_headers(plain.get("/login"))
        assert "; secure" in next(h for h in headers if h.startswith("loa_login_csrf=")).lower()
    web_services.secure_cookies = False  # e.g. a proxy that terminates TLS is not trusted
    with TestClient(web_app, base_url="https://loa.example.vn") as secure_client:
        assert "secure" not in session_cookie_header(login(secure_client, "bientap")).lower()


def test_a_wrong_password_shows_the_form_again_without_the_password(client: TestClient) -> None:
    response = login(client, "bientap", "Sai-mat-khau-99")
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.text
    assert 'value="bientap"' in response.text and "Sai-mat-khau-99" not in response.text
    assert not [h for h in set_cookie_headers(response) if h.startswith("loa_session=")]
    english = client.post(
        "/login?lang=en",
        data={"username": "x", "password": "y", "csrf_token": csrf_from(response.text)},
    )
    assert english.status_code == 401 and "wrong username or password" in english.text


def test_login_is_throttled_with_a_clear_message(client: TestClient) -> None:
    for _ in range(5):
        assert login(client, "admin", "Sai-mat-khau-99").status_code == 401
    throttled = login(client, "admin")
    assert throttled.status_code == 429
    assert "Đăng nhập sai quá nhiều lần; hãy thử lại sau 15 phút." in throttled.text


def test_a_disabled_user_cannot_log_in(client: TestClient, web_services: WebServices) -> None:
    web_services.users.set_active("admin", "cbtt.sdl", False)
    response = login(client, "cbtt.sdl")
    assert response.status_code == 401
    assert "Tài khoản này đã bị khóa" in response.text


def test_login_without_its_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "bientap", "password": PASSWORD})
    assert response.status_code == 403
    assert "CSRF" in response.text
    # A token from another browser (not matching this one's cookie) is no better.
    with TestClient(client.app) as other:
        foreign = csrf_from(other.get("/login").text)
    forged = client.post(
        "/login", data={"username": "bientap", "password": PASSWORD, "csrf_token": foreign}
    )
    assert forged.status_code == 403


def test_next_never_leaves_the_site(client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:1"):
        response = login(client, "bientap", next=target)
        assert response.headers["location"] == "/calendar", target
        client.cookies.clear()


def test_logout_ends_the_session_on_the_server(
    client_for: ClientFor, web_services: WebServices
) -> None:
    editor = client_for("bientap")
    stolen = editor.cookies.get("loa_session")
    assert stolen
    response = editor.post("/logout", data={"csrf_token": csrf_of(editor)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert 'loa_session=""' in session_cookie_header(response) or "Max-Age=0" in (
        session_cookie_header(response)
    )
    assert web_services.users.session(stolen) is None
    # Even someone who kept a copy of the cookie is out.
    with TestClient(editor.app, cookies={"loa_session": stolen}) as replay:
        assert replay.get("/calendar", follow_redirects=False).status_code == 303


def test_a_new_login_replaces_the_old_session(
    client_for: ClientFor, web_services: WebServices
) -> None:
    editor = client_for("bientap")
    old = editor.cookies.get("loa_session")
    assert old
    response = editor.get("/login", follow_redirects=False)
    assert response.status_code == 303  # already signed in: straight on
    token = csrf_of(editor)
    again = editor.post(
        "/login",
        data={"username": "bientap", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert web_services.users.session(old) is None
    assert editor.cookies.get("loa_session") not in (None, old)


def test_disabling_a_user_or_changing_the_password_logs_them_out(
    client_for: ClientFor, web_services: WebServices
) -> None:
    officer = client_for("cbtt.sdl")
    assert officer.get("/calendar").status_code == 200
    web_services.users.set_password("admin", "cbtt.sdl", "Mật-khẩu-khác-2027")
    assert officer.get("/calendar", follow_redirects=False).status_code == 303
    editor = client_for("bientap")
    web_services.users.set_active("admin", "bientap", False)
    assert editor.get("/calendar", follow_redirects=False).status_code == 303


def test_home_redirects_to_the_calendar(officer_client: TestClient) -> None:
    response = officer_client.get("/", follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"] == "/calendar"
