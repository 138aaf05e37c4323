"""Refusals about who is asking: raised by `web.auth`, turned into pages and JSON by `web.errors`.

They sit below both, so the session and CSRF checks never import the error pages that render them.
"""

from __future__ import annotations

from content.errors import UserError
from web.i18n import t


class NotAuthenticated(Exception):
    """No session (pages: to the login page) or no valid bearer token (API: 401).

    A request that sent a bearer token is a program, never sent to a login page: it gets 401.
    """

    def __init__(self, bearer: bool = False) -> None:
        super().__init__("not authenticated")
        self.bearer = bearer


class Forbidden(UserError):
    def __init__(self, en: str = "", vi: str = "") -> None:
        super().__init__(
            en or "your account is not allowed to do this",
            vi or "Tài khoản của bạn không được phép làm việc này.",
        )


class CsrfFailed(UserError):
    def __init__(self) -> None:
        super().__init__(t("error.csrf", "en"), t("error.csrf", "vi"))
