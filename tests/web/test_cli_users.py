"""`loa users ...` and `loa serve`'s wiring, through the real command line (loa.cli.main)."""

from __future__ import annotations

import io
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer._click import termui  # typer's own copy of click

from loa.app import open_app
from loa.cli import main
from loa.serve import RedactSecrets
from loa.web_app import build_web_app
from tests.web.helpers import login

ROOT = Path(__file__).resolve().parents[2]
STRONG = "Mật-khẩu-Huế-2026"


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("LOA_CONFIG", "LOA_USER", "LOA_LANG", "LOA_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "ws" / "config.yaml"
    path.parent.mkdir()
    shutil.copy(ROOT / "config.yaml", path)
    assert main(["--config", str(path), "db", "upgrade"]) == 0
    return path


@pytest.fixture
def loa(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Run:
    """loa("users", "list", stdin="...") runs the command line and returns what it showed."""

    def run(*args: str, stdin: str = "") -> Result:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = main(["--config", str(workspace), *args])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.out + captured.err
        return Result(code, captured.out, captured.err)

    return run


def database_bytes(workspace: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (workspace.parent / "data").glob("loa.db*"))


def test_add_list_passwd_disable_enable(loa: Run, workspace: Path) -> None:
    added = loa(
        "--as", "admin", "users", "add", "cbtt.moi", "--full-name", "Nguyễn Văn Mới",
        "--department", "SDL", "--password-stdin", stdin=STRONG + "\n",
    )  # fmt: skip
    assert added.code == 0, added
    assert added.out.strip() == "Đã thêm cbtt.moi (officer)."
    assert STRONG not in added.out + added.err
    listed = loa("users", "list")
    line = next(row for row in listed.out.splitlines() if row.startswith("cbtt.moi"))
    assert line.split()[:4] == ["cbtt.moi", "officer", "SDL", "hoạt"]
    assert "Nguyễn Văn Mới" in line
    seeded = next(row for row in listed.out.splitlines() if row.startswith("bientap "))
    assert "chưa có mật khẩu" in seeded
    changed = loa("users", "passwd", "bientap", "--password-stdin", stdin="Biên-tập-2026\n")
    assert changed.code == 0 and changed.out.strip() == "Đã đổi mật khẩu của bientap."
    assert loa("users", "disable", "cbtt.moi").out.strip() == "Đã khóa cbtt.moi."
    assert "đã khóa" in next(
        row for row in loa("users", "list").out.splitlines() if row.startswith("cbtt.moi")
    )
    assert loa("--lang", "en", "users", "enable", "cbtt.moi").out.strip() == "Enabled cbtt.moi."
    assert STRONG.encode() not in database_bytes(workspace)
    loaded = open_app(workspace)
    try:
        from content.users import UserService

        users = UserService(loaded.db)
        assert users.authenticate("cbtt.moi", STRONG).department_code == "SDL"
        assert users.authenticate("bientap", "Biên-tập-2026").role == "editor"
    finally:
        loaded.close()


def test_the_password_is_asked_hidden_twice(loa: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    hidden_reads: list[str] = []

    def read_hidden(prompt: str) -> str:
        hidden_reads.append(prompt)
        return STRONG

    monkeypatch.setattr(termui, "hidden_prompt_func", read_hidden)
    result = loa("users", "passwd", "admin")
    assert result.code == 0, result
    assert len(hidden_reads) == 2
    assert "Mật khẩu / Password:" in result.out
    assert "Nhập lại mật khẩu / Repeat the password:" in result.out
    assert STRONG not in result.out + result.err


def test_mistakes_are_one_clear_line_naming_the_field(loa: Run) -> None:
    weak = loa(
        "users", "add", "bt.moi", "--full-name", "Bình", "--role", "editor", "--password-stdin",
        stdin="123\n",
    )  # fmt: skip
    assert weak.code == 1
    assert "password: Mật khẩu phải có ít nhất 10 ký tự." in weak.err
    assert "123" not in weak.err.replace("10", "")
    no_department = loa(
        "--lang", "en", "users", "add", "cbtt.x", "--full-name", "X Y", "--password-stdin",
        stdin=STRONG + "\n",
    )  # fmt: skip
    assert no_department.code == 1
    assert "department: an officer needs a department" in no_department.err
    unknown = loa("users", "passwd", "khong-co-ai", "--password-stdin", stdin=STRONG + "\n")
    assert unknown.code == 1 and "Không có người dùng “khong-co-ai”." in unknown.err
    empty = loa("users", "passwd", "admin", "--password-stdin", stdin="")
    assert empty.code == 1 and "Không đọc được mật khẩu" in empty.err


def test_edit_a_user_from_the_command_line(loa: Run, workspace: Path) -> None:
    edited = loa(
        "--as", "admin", "users", "edit", "cbtt.sdl", "--full-name", "Lê Thị Thu Hà",
        "--role", "editor", "--department", "SVHTT",
    )  # fmt: skip
    assert edited.code == 0, edited
    assert edited.out.strip() == "Đã cập nhật cbtt.sdl (editor, SVHTT, Lê Thị Thu Hà)."
    line = next(row for row in loa("users", "list").out.splitlines() if row.startswith("cbtt.sdl"))
    assert line.split()[:3] == ["cbtt.sdl", "editor", "SVHTT"] and "Lê Thị Thu Hà" in line
    cleared = loa("--lang", "en", "users", "edit", "cbtt.sdl", "--department", "")
    assert cleared.out.strip() == "Updated cbtt.sdl (editor, -, Lê Thị Thu Hà)."
    officer = loa("--lang", "en", "users", "edit", "cbtt.sdl", "--role", "officer")
    assert officer.code == 1
    assert "department: an officer needs a department" in officer.err
    unknown = loa("users", "edit", "cbtt.sdl", "--role", "boss", "--department", "SKHONG")
    assert unknown.code == 1
    assert "role: Vai trò “boss” không có" in unknown.err
    assert "department: Không có đơn vị “SKHONG”." in unknown.err
    myself = loa("--as", "admin", "users", "edit", "admin", "--role", "editor")
    assert myself.code == 1
    assert "role: Bạn không thể tự bỏ vai trò quản trị viên của mình." in myself.err
    nothing = loa("users", "edit", "cbtt.sdl")
    assert nothing.code == 1 and nothing.err.count("\n") == 1
    assert "Không có gì để sửa" in nothing.err
    missing = loa("users", "edit", "khong-co-ai", "--full-name", "Ai")
    assert missing.code == 1 and "Không có người dùng “khong-co-ai”." in missing.err
    loaded = open_app(workspace)
    try:
        from sqlmodel import select

        from content.models import AuditEvent

        with loaded.db.read() as session:
            events = session.exec(
                select(AuditEvent).where(AuditEvent.action == "user.update")
            ).all()
        assert [event.actor for event in events] == ["admin", "cli"]
        assert events[0].detail["changes"]["role"] == ["officer", "editor"]
    finally:
        loaded.close()


def test_an_email_address_is_set_checked_cleared_and_audited(loa: Run, workspace: Path) -> None:
    added = loa(
        "--as", "admin", "users", "add", "cbtt.mail", "--full-name", "Trần Thị Thư",
        "--department", "SDL", "--email", " thu@sdl.hue.gov.vn ", "--password-stdin",
        stdin=STRONG + "\n",
    )  # fmt: skip
    assert added.code == 0, added
    wrong = loa("users", "edit", "cbtt.mail", "--email", "thu at sdl")
    assert wrong.code == 1
    assert "email: Địa chỉ e-mail chưa đúng (ví dụ: ten@thuathienhue.gov.vn)." in wrong.err
    wrong_en = loa(
        "--lang", "en", "users", "add", "cbtt.x2", "--full-name", "X Y", "--department", "SDL",
        "--email", "x@", "--password-stdin", stdin=STRONG + "\n",
    )  # fmt: skip
    assert wrong_en.code == 1 and "email: that is not an e-mail address" in wrong_en.err
    assert (
        loa("--as", "admin", "users", "edit", "cbtt.mail", "--email", "ha@sdl.hue.gov.vn").code == 0
    )
    assert loa("users", "edit", "cbtt.mail", "--email", "").code == 0
    loaded = open_app(workspace)
    try:
        from sqlmodel import select

        from content.models import AuditEvent
        from content.users import UserService

        assert UserService(loaded.db).get("cbtt.mail").email is None
        with loaded.db.read() as session:
            events = session.exec(
                select(AuditEvent)
                .where(AuditEvent.action.in_(["user.add", "user.update"]))  # type: ignore[attr-defined]
                .order_by(AuditEvent.id)
            ).all()
        mine = [e for e in events if e.detail.get("username") == "cbtt.mail"]
        assert [e.detail.get("email") for e in mine[:1]] == ["thu@sdl.hue.gov.vn"]
        assert [e.detail["changes"]["email"] for e in mine[1:]] == [
            ["thu@sdl.hue.gov.vn", "ha@sdl.hue.gov.vn"],
            ["ha@sdl.hue.gov.vn", None],
        ]
        assert [e.actor for e in mine] == ["admin", "admin", "cli"]
        assert "cbtt.x2" not in {e.detail.get("username") for e in events}
    finally:
        loaded.close()


def test_api_tokens_from_the_command_line(loa: Run, workspace: Path) -> None:
    created = loa("--as", "admin", "users", "token", "create", "bientap", "--name", "HueS")
    assert created.code == 0, created
    secret = created.out.strip()
    assert secret.startswith("loa_") and "\n" not in secret
    assert "sẽ không hiện lại" in created.err and secret not in created.err
    listed = loa("users", "token", "list")
    assert "bientap" in listed.out and "HueS" in listed.out and "còn hiệu lực" in listed.out
    assert secret not in listed.out
    assert secret.encode() not in database_bytes(workspace)
    revoked = loa("users", "token", "revoke", "1")
    assert revoked.code == 0 and "Đã thu hồi mã API số 1 (bientap)." in revoked.out
    assert "đã thu hồi" in loa("users", "token", "list", "--user", "bientap").out
    assert loa("users", "token", "revoke", "99").code == 1


def test_serve_builds_the_web_app_from_the_configuration(loa: Run, workspace: Path) -> None:
    assert loa("users", "passwd", "bientap", "--password-stdin", stdin=STRONG + "\n").code == 0
    loaded = open_app(workspace)
    try:
        web_app = build_web_app(loaded, trusted_proxies=frozenset({"10.0.0.1"}))
        services = web_app.state.services
        assert [c.id for c in services.channels][:2] == ["zalo-asean-hue", "fb-asean-hue"]
        assert services.zone.key == "Asia/Ho_Chi_Minh"
        with TestClient(web_app) as browser:
            assert login(browser, "bientap", STRONG).status_code == 303
            assert browser.get("/api/v1/me").json()["role"] == "editor"
    finally:
        loaded.close()


def test_access_logs_have_secrets_in_addresses_masked() -> None:
    secret = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/feeds/{secret}.ics", "1.1", 200), None,
    )  # fmt: skip
    assert RedactSecrets().filter(record)
    message = record.getMessage()
    assert secret not in message and "/feeds/***.ics" in message
