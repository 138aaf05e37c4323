"""How an adapter fails: the error tree, each error worded in Vietnamese and in English.

Errors are data: the worker decides what to do from the class alone, so every platform error
code and every transport failure maps to exactly one class::

    ChannelError                      anything an adapter raises on purpose
     ├── Retryable(retry_after)       try again later (5xx, timeouts before sending, -214 ...)
     │    └── RateLimited             the platform says slow down: the channel cools down
     ├── QuotaExceeded(until)         the day's quota is spent: wait for its reset
     ├── AuthRequired                 credentials no longer work: a person must reconnect
     ├── Rejected                     permanent: the platform refused this content (reason kept)
     └── OutcomeUnknown               the request may have landed: reconcile, never blind-retry

Every error says what happened twice, `vi` and `en` (people read Vietnamese first), and keeps
what the platform itself said apart as `detail`. `step` names what Loa was doing ("đăng bài" /
"publishing the post"); it leads both sentences. `str(error)` is both, Vietnamese first, and
the detail: what a person reads wherever an error is shown whole (a CLI line, a log). Messages
and details never carry secrets (see `channels.http.mask`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from content.reasons import Reason


class Step(str):
    """What an adapter was doing, in English (the string itself, for logs) and in Vietnamese."""

    vi: str

    def __new__(cls, en: str, vi: str) -> Step:
        step = super().__new__(cls, en)
        step.vi = vi
        return step


def step_vi(step: str) -> str:
    """The Vietnamese of a step; a plain string (no translation known) gives ""."""
    return step.vi if isinstance(step, Step) else ""


class ChannelError(Exception):
    """Base of every error an adapter raises on purpose. Messages never carry secrets."""

    def __init__(self, vi: str, en: str, detail: str = "", *, step: str = "") -> None:
        step_in_vi = step_vi(step)
        self.vi = f"{_capital(step_in_vi)}: {vi}" if step_in_vi else _capital(vi)
        self.en = f"{step}: {en}" if step else en
        self.detail = detail
        super().__init__(self.reason.text("vi"))

    def scrub(self, clean: Callable[[str], str]) -> None:
        """Pass every text of the error through `clean` (blanking a channel's own secrets)."""
        self.vi, self.en, self.detail = clean(self.vi), clean(self.en), clean(self.detail)
        self.args = (self.reason.text("vi"),)

    @property
    def reason(self) -> Reason:
        return Reason(self.vi, self.en, self.detail)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class Retryable(ChannelError):
    def __init__(
        self,
        vi: str,
        en: str,
        detail: str = "",
        *,
        step: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(vi, en, detail, step=step)
        self.retry_after = retry_after


class RateLimited(Retryable):
    pass


class QuotaExceeded(ChannelError):
    def __init__(
        self, vi: str, en: str, detail: str = "", *, step: str = "", until: datetime | None = None
    ) -> None:
        super().__init__(vi, en, detail, step=step)
        self.until = until


class AuthRequired(ChannelError):
    pass


class Rejected(ChannelError):
    pass


class OutcomeUnknown(ChannelError):
    pass


ERROR_CLASSES = (ChannelError, Retryable, RateLimited, QuotaExceeded, AuthRequired, Rejected,
                 OutcomeUnknown)  # fmt: skip


VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # adapters know no configured zone; Loa's users are here


def vietnam_time(moment: datetime) -> str:
    """A time inside a message as people in Vietnam write it: 25/12/2026 08:30."""
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def worded(error: BaseException, lang: str = "vi") -> str:
    """An error as one line in the reader's language first (the other second, then the
    platform's words) when it is one of the tree's; anything else as it says itself."""
    return error.reason.text(lang) if isinstance(error, ChannelError) else str(error)
