"""Errors a person can act on, worded in Vietnamese first and English second.

`str(error)` is the English text (logs are in English); user interfaces pick `.vi` or `.en`.
"""

from __future__ import annotations

from dataclasses import dataclass


class UserError(Exception):
    """A refusal caused by what someone asked for, never by a bug. Carries no secrets."""

    def __init__(self, en: str, vi: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.vi = vi or en

    def text(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


class NotFound(UserError):
    pass


class PermissionDenied(UserError):
    pass


class TransitionRefused(UserError):
    pass


class Conflict(UserError):
    """Someone else changed the thing first, or the worker is publishing it right now."""


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field of an input, and where (a channel, a file row)."""

    field: str
    vi: str
    en: str
    where: str = ""

    def text(self, lang: str = "vi") -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.field}: {self.vi if lang == 'vi' else self.en}"


class InvalidInput(UserError):
    """Several problems found at once; nothing was saved."""

    def __init__(self, problems: list[FieldProblem], what: str = "") -> None:
        self.problems = problems
        self.what = what
        head_en = f"{what}: " if what else ""
        en = head_en + "; ".join(problem.text("en") for problem in problems)
        vi = head_en + "; ".join(problem.text("vi") for problem in problems)
        super().__init__(en, vi)

    def lines(self, lang: str = "vi") -> list[str]:
        return [problem.text(lang) for problem in self.problems]
