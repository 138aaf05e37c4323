"""What every `loa` command is given: the global options, and the App opened from them once.

Below `loa.cli` and the modules that add commands to it (`loa.cli_posts`, `loa.cli_users`,
`loa.serve`), so those import it without importing the command line they are part of.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from content.workflow import Actor
    from loa.app import App


@dataclass
class State:
    config_path: str | None = None
    username: str | None = None
    lang: str = "vi"
    _app: Any = field(default=None, repr=False)

    def app(self, *, migrate: bool = False) -> App:
        if self._app is None:
            from loa.app import open_app
            from loa.config import find_config_path

            self._app = open_app(find_config_path(self.config_path), migrate=migrate)
        return self._app  # type: ignore[no-any-return]

    def actor(self) -> Actor:
        from content.errors import UserError

        if not self.username:
            raise UserError(
                "say who you are: --as USERNAME or the LOA_USER environment variable",
                "Hãy cho biết bạn là ai: --as TÊN_ĐĂNG_NHẬP hoặc biến môi trường LOA_USER.",
            )
        return self.app().posts.actor(self.username)

    def say(self, vi: str, en: str) -> str:
        return vi if self.lang == "vi" else en


def state_of(ctx: typer.Context) -> State:
    state = ctx.find_object(State)
    assert state is not None
    return state
