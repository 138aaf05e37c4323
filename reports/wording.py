"""The words every report file uses, Vietnamese first: titles, headings, column names.

One place, so the DOCX, the XLSX and the CSV name the same things the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from content.labels import metric_label
from content.targets import Progress

ISSUER = "ỦY BAN NHÂN DÂN TỈNH THỪA THIÊN HUẾ"
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
PLACE = "Thừa Thiên Huế"
TITLE = "BÁO CÁO"


def subject(year: int) -> str:
    return f"Kết quả thực hiện công tác tuyên truyền, quảng bá ASEAN năm {year}"


# The plan as the province published it (sxd.thuathienhue.gov.vn, 8 September 2021: "Kế hoạch
# triển khai Chương trình hành động của Chính phủ về tuyên truyền, quảng bá ASEAN trên địa bàn
# tỉnh Thừa Thiên Huế giai đoạn 2021 - 2025, tầm nhìn 2030", its topics a-i those of config.yaml).
# Its date of issue is not known here: `report: plan_date` in config.yaml, else a fill-in.
PLAN_NUMBER = "275/KH-UBND"
PLAN_ISSUER = "Ủy ban nhân dân tỉnh Thừa Thiên Huế"
PLAN_TITLE = (
    "triển khai Chương trình hành động của Chính phủ về tuyên truyền, quảng bá ASEAN trên địa "
    "bàn tỉnh Thừa Thiên Huế giai đoạn 2021 - 2025, tầm nhìn 2030"
)
TO_FILL = "……"


@dataclass(frozen=True)
class Formalities:
    """What the DOCX's opening and closing take from the office (config.yaml's `report:`);
    whatever is empty is printed as dotted lines to fill in."""

    signer_title: tuple[str, ...] = ()  # ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")
    signer_name: str = ""
    recipients: tuple[str, ...] = ()  # "Nơi nhận" entries, without the "- " and ";"
    filed_by: str = ""  # the drafting unit's code in "Lưu: VT, <code>."
    plan_date: date | None = None


def long_date(day: date | None) -> str:
    """ "ngày 05 tháng 8 năm 2021" (Decree 30's zeros, as place_and_date), or a fill-in."""
    if day is None:
        return f"ngày {TO_FILL} tháng {TO_FILL} năm {TO_FILL}"
    number = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {number} tháng {month} năm {day.year}"


def plan_reference(plan_date: date | None) -> str:
    """The plan cited in full: number, date, issuer and title."""
    return f"Kế hoạch số {PLAN_NUMBER} {long_date(plan_date)} của {PLAN_ISSUER} về {PLAN_TITLE}"


# A target's state (content.targets.Progress.state): "not_due" when the period is shorter than
# the target's unit (a month, a quarter) and it is not reached yet, neither met nor missed.
TARGET_STATES = {
    "met": ("Đạt", "Met"),
    "missed": ("Chưa đạt", "Not met"),
    "not_due": ("Chưa đến kỳ đánh giá", "Not due yet"),
}
STATE_ORDER = ("missed", "not_due", "met")  # what needs doing first


def targets_tally(progress: Sequence[Progress]) -> str:
    """ "đạt 3/30 chỉ tiêu, 27 chưa đến kỳ đánh giá / 3 of 30 targets met, 27 not due yet"."""
    met = sum(1 for p in progress if p.met)
    not_due = sum(1 for p in progress if p.not_due)
    vi, en = f"đạt {met}/{len(progress)} chỉ tiêu", f"{met} of {len(progress)} targets met"
    if not_due:
        vi, en = f"{vi}, {not_due} chưa đến kỳ đánh giá", f"{en}, {not_due} not due yet"
    return f"{vi} / {en}"


BREAKDOWN_TITLES = {
    "month": ("Theo tháng", "By month"),
    "channel": ("Theo kênh", "By channel"),
    "platform": ("Theo nền tảng", "By platform"),
    "topic": ("Theo chủ đề", "By topic"),
    "pillar": ("Theo trụ cột", "By pillar"),
    "department": ("Theo đơn vị", "By department"),
}

# The evidence list: one row per published item, in this order, in every format.
EVIDENCE_COLUMNS = (
    ("date", "Ngày đăng", "Published"),
    ("department", "Đơn vị", "Department"),
    ("channel", "Kênh", "Channel"),
    ("platform", "Nền tảng", "Platform"),
    ("title", "Tiêu đề", "Title"),
    ("topic", "Chủ đề", "Topic"),
    ("pillar", "Trụ cột", "Pillar"),
    ("url", "Liên kết công khai", "Public link"),
)
EVIDENCE_METRICS = ("views", "reach", "reactions", "comments", "shares", "video_views")


def evidence_headers(lang: str = "vi") -> list[str]:
    """Column names: "Ngày đăng / Published" style when `lang` is "both"."""
    names = []
    for _key, vi, en in EVIDENCE_COLUMNS:
        names.append(_pick(vi, en, lang))
    for metric in EVIDENCE_METRICS:
        names.append(_pick(metric_label(metric, "vi"), metric_label(metric, "en"), lang))
    return names


def _pick(vi: str, en: str, lang: str) -> str:
    if lang == "both":
        return f"{vi} / {en}"
    return vi if lang == "vi" else en


def date_vi(moment: datetime, tz: tzinfo) -> str:
    """05/12/2026: how dates are written in Vietnamese documents."""
    return f"{moment.astimezone(tz):%d/%m/%Y}"


def place_and_date(moment: datetime, tz: tzinfo) -> str:
    """ "Thừa Thiên Huế, ngày 05 tháng 12 năm 2026": Decree 30/2020 writes a 0 before days 1-9
    and before months 1 and 2 (and only those)."""
    return f"{PLACE}, {long_date(moment.astimezone(tz).date())}"
