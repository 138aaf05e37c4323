"""`report:` in config.yaml: who signs the yearly report and who receives it (Decree 30/2020).

    report:                             # the province's report (loa report without --department)
      signer_title: [KT. CHỦ TỊCH, PHÓ CHỦ TỊCH]
      signer_name: Nguyễn Văn A
      recipients: ["Bộ Thông tin và Truyền thông (để báo cáo)", "Lưu: VT, VX."]
      plan_date: YYYY-MM-DD             # the date of Plan 275/KH-UBND, if the office has it
    departments:
      - code: SDL
        ...
        report: {signer_title: GIÁM ĐỐC, signer_name: Trần Thị B}

Everything is optional: what is not set is left as dotted lines for the officer to fill in.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

TITLE_LINES, TITLE_LENGTH, NAME_LENGTH = 3, 60, 100
RECIPIENTS, RECIPIENT_LENGTH = 12, 200


def _lines(value: Any) -> list[Any]:
    return value.splitlines() if isinstance(value, str) else value


def _texts(value: Any, most: int, longest: int, vi: str, en: str) -> tuple[str, ...]:
    items = _lines(value)
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ValueError(f"{vi}: ghi một dòng chữ hoặc một danh sách / {en}: text or a list")
    texts = tuple(item.strip() for item in items)
    if not 1 <= len(texts) <= most or any(not t or len(t) > longest for t in texts):
        raise ValueError(
            f"{vi}: từ 1 đến {most} dòng, không dòng nào trống hay dài quá {longest} ký tự"
            f" / {en}: 1 to {most} lines, none empty or longer than {longest} characters"
        )
    return texts


class ReportSettings(BaseModel):
    """One body's signer and recipients; unset keys stay dotted lines in the DOCX."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # "GIÁM ĐỐC", or two lines when a deputy signs for the head: [KT. GIÁM ĐỐC, PHÓ GIÁM ĐỐC].
    signer_title: tuple[str, ...] | None = None
    signer_name: str | None = None
    # "Nơi nhận": one entry a line, written "- <entry>;"; "Lưu: VT, <code>." is added unless
    # the last entry already starts with "Lưu".
    recipients: tuple[str, ...] | None = None

    @field_validator("signer_title", mode="before")
    @classmethod
    def _title(cls, value: Any) -> tuple[str, ...] | None:
        if value is None:
            return None
        return _texts(value, TITLE_LINES, TITLE_LENGTH, "chức vụ người ký", "the signer's title")

    @field_validator("signer_name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > NAME_LENGTH:
            raise ValueError(
                f"họ tên người ký: một dòng chữ, không trống, tối đa {NAME_LENGTH} ký tự"
                f" / the signer's name: one line of text, at most {NAME_LENGTH} characters"
            )
        return " ".join(value.split())

    @field_validator("recipients", mode="before")
    @classmethod
    def _recipients(cls, value: Any) -> tuple[str, ...] | None:
        if value is None:
            return None
        found = _texts(value, RECIPIENTS, RECIPIENT_LENGTH, "nơi nhận", "the recipients")
        # "- Sở Du lịch;" and "Sở Du lịch" are the same entry: the DOCX writes the marks.
        cleaned = tuple(re.sub(r"^[-–•]\s*|\s*;$", "", item).strip() for item in found)
        if not all(cleaned):
            raise ValueError("nơi nhận: có dòng trống / the recipients: an entry is empty")
        return cleaned


class ProvinceReportSettings(ReportSettings):
    """The province's report's signer and recipients, and the plan's date for its citation."""

    plan_date: date | None = None

    @field_validator("plan_date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        if value is None or isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ValueError(
                f"ngày ban hành kế hoạch: ghi YYYY-MM-DD, không phải {value!r}"
                f" / the plan's date: write YYYY-MM-DD, not {value!r}"
            ) from None
