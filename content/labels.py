"""Names people read instead of Loa's internal ones, and numbers in their language's form.

Figures are written as people in Vietnam write them (1.234.567) and "—" where there is no
figure: a missing figure must never look like a zero.
"""

from __future__ import annotations

from babel.numbers import format_decimal

NO_FIGURE = "—"

METRIC_LABELS = {
    "views": ("Lượt xem", "Views"),
    "reach": ("Người tiếp cận", "Reach"),
    "reactions": ("Lượt thích, cảm xúc", "Reactions"),
    "comments": ("Bình luận", "Comments"),
    "shares": ("Chia sẻ", "Shares"),
    "video_views": ("Lượt xem video", "Video views"),
}

PLATFORM_NAMES = {
    "facebook_page": ("Facebook", "Facebook"),
    "zalo_oa": ("Zalo OA", "Zalo OA"),
    "youtube": ("YouTube", "YouTube"),
    "wordpress": ("Trang web", "Website"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "vi" else pair[1]


def metric_label(metric: str, lang: str = "vi") -> str:
    return _pick(METRIC_LABELS.get(metric, (metric, metric)), lang)


def platform_name(kind: str, lang: str = "vi") -> str:
    return _pick(PLATFORM_NAMES.get(kind, (kind, kind)), lang)


def figure(value: int | None, lang: str = "vi") -> str:
    """A figure as its reader writes numbers; "—" for no figure."""
    if value is None:
        return NO_FIGURE
    return format_decimal(value, locale="vi" if lang == "vi" else "en")
