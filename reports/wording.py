"""The words every report file uses, Vietnamese first: titles, headings, column names.

One place, so the DOCX, the XLSX and the CSV name the same things the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from content.labels import metric_label
from content.targets import Progress

ISSUER = "ỦY BAN NHÂN DÂN TỈNH THỪA THIÊN HUẾ"
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
PLACE = "Thừa Thiên Huế"
TITLE = "BÁO CÁO"


def subject(year: int) -> str:
    return f"Kết quả thực hiện công tác tuyên truyền, quảng bá ASEAN năm {year}"


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
    local = moment.astimezone(tz)
    day = f"{local.day:02d}" if local.day < 10 else str(local.day)
    month = f"{local.month:02d}" if local.month < 3 else str(local.month)
    return f"{PLACE}, ngày {day} tháng {month} năm {local.year}"
