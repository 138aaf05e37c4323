"""Administrators manage accounts: list, add, edit, disable or enable, reset a password.

The rules are `content.users`' own, the same as `loa users ...`: a form with mistakes comes
back (422) with each problem beside its field, and never with the password filled in.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from sqlmodel import col, select
from starlette.responses import RedirectResponse, Response

from content.errors import FieldProblem, InvalidInput, UserError
from content.models import Department, Role
from content.users import MIN_DISTINCT_CHARACTERS, MIN_PASSWORD_LENGTH, ROLES
from content.workflow import Actor
from web.auth import require_admin
from web.errors import refusal_of
from web.render import field_errors, lang_of, render
from web.services import services_of

router = APIRouter(prefix="/admin/users")
Admin = Annotated[Actor, Depends(require_admin)]
Text = Annotated[str, Form(max_length=2000)]
MaybeText = Annotated[str | None, Form(max_length=2000)]

# The numbers of the password rule that both user pages state (words in the catalogue).
PASSWORD_RULE = {"length": MIN_PASSWORD_LENGTH, "distinct": MIN_DISTINCT_CHARACTERS}

MISMATCH = FieldProblem(
    "password2", "Hai lần nhập mật khẩu không khớp nhau.", "the two passwords differ"
)


@router.get("")
def users_page(request: Request, actor: Admin, saved: str = "") -> Response:
    return _list_page(request, saved=saved)


@router.post("")
def add_user(
    request: Request,
    actor: Admin,
    username: Text = "",
    full_name: Text = "",
    role: Text = Role.officer,
    department: Text = "",
    email: Text = "",
    password: Text = "",
    password2: Text = "",
) -> Response:
    values = {
        "username": username,
        "full_name": full_name,
        "role": role,
        "department": department,
        "email": email,
    }
    try:
        if password != password2:
            raise InvalidInput([MISMATCH])
        services_of(request).users.add(
            actor.username, username, full_name, role, department or None, password, email
        )
    except InvalidInput as error:
        errors = field_errors(error, lang_of(request))
        return _list_page(request, errors=errors, values=values, status=422)
    return RedirectResponse(f"/admin/users?saved={username.strip().lower()}", status_code=303)


@router.get("/{username}")
def user_page(request: Request, actor: Admin, username: str, saved: str = "") -> Response:
    return _user_page(request, username, saved=bool(saved))


@router.post("/{username}/edit")
def edit_user(
    request: Request,
    actor: Admin,
    username: str,
    full_name: Text = "",
    role: Text = "",
    department: Text = "",
    email: MaybeText = None,
    email_shown: Text = "",
) -> Response:
    # FastAPI reads an empty field as absent: the page says it showed the field, so empty
    # clears the address; a form without it (a script, an older page) leaves it alone.
    if email is None and email_shown:
        email = ""
    values = {"full_name": full_name, "role": role, "department": department, "email": email or ""}
    try:
        services_of(request).users.update(
            actor.username,
            username,
            full_name=full_name,
            role=role,
            department=department,
            email=email,
        )
    except InvalidInput as error:
        errors = field_errors(error, lang_of(request))
        return _user_page(request, username, edit_errors=errors, values=values, status=422)
    return RedirectResponse(f"/admin/users/{username}?saved=1", status_code=303)


@router.post("/{username}/password")
def reset_password(
    request: Request, actor: Admin, username: str, password: Text = "", password2: Text = ""
) -> Response:
    try:
        if password != password2:
            raise InvalidInput([MISMATCH])
        services_of(request).users.set_password(actor.username, username, password)
    except InvalidInput as error:
        errors = field_errors(error, lang_of(request))
        return _user_page(request, username, errors=errors, status=422)
    return RedirectResponse(f"/admin/users/{username}?saved=1", status_code=303)


@router.post("/{username}/disable")
def disable_user(request: Request, actor: Admin, username: str) -> Response:
    return _set_active(request, actor, username, False)


@router.post("/{username}/enable")
def enable_user(request: Request, actor: Admin, username: str) -> Response:
    return _set_active(request, actor, username, True)


def _set_active(request: Request, actor: Actor, username: str, active: bool) -> Response:
    users = services_of(request).users
    try:
        users.set_active(actor.username, username, active)
    except UserError as error:
        refusal = refusal_of(error)
        if refusal.status == 404:
            raise  # the error page: there is no account page to come back to
        return _user_page(
            request, username, error=error.text(lang_of(request)), status=refusal.status
        )
    return RedirectResponse(f"/admin/users/{username}?saved=1", status_code=303)


def _departments(request: Request) -> list[Department]:
    with services_of(request).db.read() as session:
        return list(session.exec(select(Department).order_by(col(Department.code))).all())


def _list_page(
    request: Request,
    *,
    saved: str = "",
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "users": services_of(request).users.all(),
        "departments": _departments(request),
        "roles": ROLES,
        "errors": errors or {},
        "values": values
        or {"username": "", "full_name": "", "role": "officer", "department": "", "email": ""},
        "saved": saved,
        "password_rule": PASSWORD_RULE,
    }
    return render(request, "users/index.html", context, status_code=status)


def _user_page(
    request: Request,
    username: str,
    *,
    saved: bool = False,
    errors: dict[str, list[str]] | None = None,
    edit_errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    person = services_of(request).users.get(username)
    departments = _departments(request)
    context: dict[str, Any] = {
        "person": person,
        "departments": {d.code: d for d in departments},
        "department_list": departments,
        "roles": ROLES,
        "values": values
        or {
            "full_name": person.full_name,
            "role": person.role,
            "department": person.department_code or "",
            "email": person.email or "",
        },
        "errors": errors or {},
        "edit_errors": edit_errors or {},
        "error": error,
        "saved": saved,
        "password_rule": PASSWORD_RULE,
    }
    return render(request, "users/user.html", context, status_code=status)
