"""`loa users ...`: accounts and their API tokens, from the server's command line.

Whoever runs these has the database already, so no role is asked for; `--as` only names who
is recorded in the audit trail. Passwords are asked hidden (twice) or read from standard input
with `--password-stdin`, never taken as an option: options end up in shell history and `ps`.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from loa.cli_state import State, state_of

if TYPE_CHECKING:
    from content.users import UserService

users_app = typer.Typer(help="Người dùng / Users.", no_args_is_help=True)
token_app = typer.Typer(help="Mã API của người dùng / Users' API tokens.", no_args_is_help=True)
users_app.add_typer(token_app, name="token")

Username = Annotated[str, typer.Argument(help="Tên đăng nhập / Username.")]
Email = Annotated[
    str | None,
    typer.Option(
        "--email",
        help='E-mail nhận thông báo ("" để bỏ) / E-mail address for notifications ("" for none).',
    ),
]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Đọc mật khẩu từ dòng đầu của đầu vào chuẩn / Read the password from standard input.",
    ),
]


def _service(state: State) -> UserService:
    from content.users import UserService

    return UserService(state.app().db)


def _by(state: State) -> str:
    return state.username or "cli"


def _password(state: State, from_stdin: bool) -> str:
    from content.errors import UserError

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UserError(
                "no password on standard input", "Không đọc được mật khẩu từ đầu vào chuẩn."
            )
        return password
    text: str = typer.prompt(
        "Mật khẩu / Password",
        hide_input=True,
        confirmation_prompt="Nhập lại mật khẩu / Repeat the password",
    )
    return text


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    username: Username,
    full_name: Annotated[str, typer.Option("--full-name", help="Họ và tên / Full name.")],
    role: Annotated[str, typer.Option(help="Vai trò: officer, editor, admin / Role.")] = "officer",
    department: Annotated[
        str | None, typer.Option(help="Đơn vị (bắt buộc với officer) / Department.")
    ] = None,
    email: Email = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Thêm người dùng có mật khẩu. / Add a user with a password."""
    state = state_of(ctx)
    users = _service(state)
    password = _password(state, password_stdin)
    user = users.add(_by(state), username, full_name, role, department, password, email)
    typer.echo(
        state.say(
            f"Đã thêm {user.username} ({user.role}).", f"Added {user.username} ({user.role})."
        )
    )


@users_app.command("list")
def users_list(ctx: typer.Context) -> None:
    """Liệt kê người dùng. / List the users."""
    state = state_of(ctx)
    for user in _service(state).all():
        status = (
            state.say("hoạt động", "active") if user.active else state.say("đã khóa", "disabled")
        )
        if not user.has_password:
            status += state.say(", chưa có mật khẩu", ", no password")
        department = user.department_code or "-"
        typer.echo(
            f"{user.username:<16} {user.role:<8} {department:<9} {status:<24} {user.full_name}"
        )


@users_app.command("passwd")
def users_passwd(
    ctx: typer.Context, username: Username, password_stdin: PasswordStdin = False
) -> None:
    """Đặt mật khẩu mới (đăng xuất mọi phiên). / Set a new password (ends every session)."""
    state = state_of(ctx)
    users = _service(state)
    users.get(username)  # an unknown name is refused before asking for a password
    users.set_password(_by(state), username, _password(state, password_stdin))
    typer.echo(state.say(f"Đã đổi mật khẩu của {username}.", f"Password of {username} changed."))


@users_app.command("edit")
def users_edit(
    ctx: typer.Context,
    username: Username,
    full_name: Annotated[
        str | None, typer.Option("--full-name", help="Họ và tên mới / New full name.")
    ] = None,
    role: Annotated[
        str | None, typer.Option(help="Vai trò mới: officer, editor, admin / New role.")
    ] = None,
    department: Annotated[
        str | None,
        typer.Option(help='Đơn vị mới ("" để bỏ) / New department ("" for none).'),
    ] = None,
    email: Email = None,
) -> None:
    """Sửa họ tên, vai trò, đơn vị, e-mail (đổi vai trò thì đăng xuất). / Edit a user's details."""
    from content.errors import UserError

    state = state_of(ctx)
    if full_name is None and role is None and department is None and email is None:
        raise UserError(
            "nothing to change: give --full-name, --role, --department or --email",
            "Không có gì để sửa: hãy cho --full-name, --role, --department hoặc --email.",
        )
    user = _service(state).update(
        _by(state), username, full_name=full_name, role=role, department=department, email=email
    )
    department_code = user.department_code or "-"
    typer.echo(
        state.say(
            f"Đã cập nhật {user.username} ({user.role}, {department_code}, {user.full_name}).",
            f"Updated {user.username} ({user.role}, {department_code}, {user.full_name}).",
        )
    )


@users_app.command("disable")
def users_disable(ctx: typer.Context, username: Username) -> None:
    """Khóa tài khoản (đăng xuất, vô hiệu mã API). / Disable an account (sessions, tokens)."""
    state = state_of(ctx)
    _service(state).set_active(_by(state), username, False)
    typer.echo(state.say(f"Đã khóa {username}.", f"Disabled {username}."))


@users_app.command("enable")
def users_enable(ctx: typer.Context, username: Username) -> None:
    """Mở khóa tài khoản. / Enable an account again."""
    state = state_of(ctx)
    _service(state).set_active(_by(state), username, True)
    typer.echo(state.say(f"Đã mở khóa {username}.", f"Enabled {username}."))


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    username: Username,
    name: Annotated[str, typer.Option(help="Tên mã, ví dụ “HueS” / Token name.")],
) -> None:
    """Tạo mã API (chỉ hiện một lần). / Create an API token (shown once)."""
    state = state_of(ctx)
    secret, token = _service(state).tokens.create(_by(state), username, name)
    typer.echo(
        state.say(
            f"Mã API số {token.id} cho {username} — sao chép ngay, sẽ không hiện lại:",
            f"API token #{token.id} for {username} - copy it now, it will not be shown again:",
        ),
        err=True,
    )
    typer.echo(secret)


@token_app.command("list")
def token_list(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option(help="Chỉ của người này / Only this user's.")] = None,
) -> None:
    """Liệt kê mã API (không hiện mã). / List API tokens (never their secrets)."""
    from content.timeutil import format_local

    state = state_of(ctx)
    zone = state.app().config.zone
    for token in _service(state).tokens.api_tokens(user):
        used = format_local(token.last_used_at, zone) or "-"
        status = (
            state.say("đã thu hồi", "revoked")
            if token.revoked_at
            else state.say("còn hiệu lực", "active")
        )
        typer.echo(f"{token.id:>4} {token.username:<16} {token.name:<24} {used:<17} {status}")


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context, token_id: Annotated[int, typer.Argument(help="Số mã / Token number.")]
) -> None:
    """Thu hồi mã API. / Revoke an API token."""
    state = state_of(ctx)
    token = _service(state).tokens.revoke(_by(state), token_id)
    typer.echo(
        state.say(
            f"Đã thu hồi mã API số {token.id} ({token.username}).",
            f"Revoked API token #{token.id} ({token.username}).",
        )
    )
