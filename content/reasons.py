"""Why a delivery or a change failed, in Vietnamese and English, with the platform's own words.

A reason is kept in the existing text columns (`Delivery.last_error`, `DeliveryChange.last_error`,
`Attempt.error_message`) as a small JSON object, so no schema change is needed and every reader
gets both languages. Text written before reasons were structured (a plain English sentence) is
still read: it becomes a reason with only its English side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reason:
    vi: str
    en: str
    detail: str = ""  # what the platform itself said (an error code, its message); no secrets

    def encode(self) -> str:
        return json.dumps({"vi": self.vi, "en": self.en, "detail": self.detail}, ensure_ascii=False)

    @classmethod
    def decode(cls, stored: str | None) -> Reason | None:
        """The reason kept in a column; None for no reason. Plain legacy text is English."""
        if not stored:
            return None
        if stored.startswith("{"):
            try:
                data = json.loads(stored)
            except ValueError:
                data = None
            if isinstance(data, dict) and isinstance(data.get("en"), str):
                return cls(str(data.get("vi") or ""), data["en"], str(data.get("detail") or ""))
        return cls("", stored)

    def prefixed(self, vi: str, en: str) -> Reason:
        """This reason behind a few words that place it ("Đã thử 8 lần: …")."""
        return Reason(f"{vi}: {self.vi or self.en}", f"{en}: {self.en}", self.detail)

    def pair(self, lang: str = "vi") -> tuple[str, str]:
        """The reader's language first, the other second; one text when only one is known."""
        if not self.vi or self.vi == self.en:
            return (self.en or self.vi, "")
        return (self.vi, self.en) if lang == "vi" else (self.en, self.vi)

    def text(self, lang: str = "vi", *, detail: bool = True) -> str:
        """One line: "first / second (detail)" for a CLI line, an alert, a CSV cell."""
        first, second = self.pair(lang)
        line = f"{first} / {second}" if second else first
        return f"{line} ({self.detail})" if detail and self.detail else line

    def english(self) -> str:
        """English with the detail: log lines are in English."""
        return f"{self.en} ({self.detail})" if self.detail else self.en

    def as_dict(self) -> dict[str, Any]:
        return {"vi": self.vi, "en": self.en, "detail": self.detail}


@dataclass(frozen=True)
class Shown:
    """A reason laid out for a page: the reader's language, the other, the platform's words."""

    first: str
    second: str
    second_lang: str
    detail: str


def shown(stored: str | None, lang: str = "vi") -> Shown | None:
    reason = Reason.decode(stored)
    if reason is None:
        return None
    first, second = reason.pair(lang)
    return Shown(first, second, "en" if lang == "vi" else "vi", reason.detail)


def reason_text(stored: str | None, lang: str = "vi", *, detail: bool = True) -> str:
    """A stored reason as one line in the reader's language first; "" for none."""
    reason = Reason.decode(stored)
    return reason.text(lang, detail=detail) if reason else ""


def english(stored: str | None) -> str | None:
    """A stored reason in English only (logs, the API's historical `last_error` field)."""
    reason = Reason.decode(stored)
    return reason.english() if reason else None
