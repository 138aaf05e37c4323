"""Names people read instead of Loa's internal ones, and numbers in their language's form.

Figures are written as people in Vietnam write them (1.234.567) and "—" where there is no
figure: a missing figure must never look like a zero.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

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
    "static_site": ("Trang tĩnh", "Static site"),
    "webhook": ("Hệ thống nhận bài", "Webhook"),  # HueS, a district radio: whatever takes them
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "vi" else pair[1]


def metric_label(metric: str, lang: str = "vi") -> str:
    return _pick(METRIC_LABELS.get(metric, (metric, metric)), lang)


def platform_name(kind: str, lang: str = "vi") -> str:
    return _pick(PLATFORM_NAMES.get(kind, (kind, kind)), lang)


def channel_label(kind: str, name: str, lang: str = "vi") -> str:
    """A channel as people know it: its platform, then its name ("Trang web · Sở Du lịch"); the
    name alone when it says the platform already ("Zalo OA Thông tin đối ngoại")."""
    platform = platform_name(kind, lang)
    return name if name.casefold().startswith(platform.casefold()) else f"{platform} · {name}"


def figure(value: int | None, lang: str = "vi") -> str:
    """A figure as its reader writes numbers; "—" for no figure."""
    if value is None:
        return NO_FIGURE
    return format_decimal(value, locale="vi" if lang == "vi" else "en")


# Zones people in Vietnam know as their own time: shown as "giờ Việt Nam", not by the IANA name.
VIETNAM_ZONES = frozenset(
    {"Asia/Ho_Chi_Minh", "Asia/Saigon", "Asia/Bangkok", "Asia/Jakarta", "Asia/Phnom_Penh",
     "Asia/Vientiane", "Etc/GMT-7"}
)  # fmt: skip


def zone_label(zone: tzinfo, lang: str = "vi", at: datetime | None = None) -> str:
    """The configured zone as people say it: "giờ Việt Nam (GMT+7)", else "giờ Europe/Paris
    (GMT+1)"; the offset is the one in force at `at` (now by default)."""
    name = getattr(zone, "key", None) or str(zone)
    offset = (at or datetime.now(zone)).astimezone(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    gmt = f"GMT{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")
    if name in VIETNAM_ZONES and gmt == "GMT+7":
        return f"giờ Việt Nam ({gmt})" if lang == "vi" else f"Vietnam time ({gmt})"
    return f"giờ {name} ({gmt})" if lang == "vi" else f"{name} time ({gmt})"


def vietnamese_datetime(value: datetime, zone: tzinfo | None = None) -> str:
    """A time inside a sentence as people in Vietnam write it: 25/12/2026 08:30."""
    return (value.astimezone(zone) if zone is not None else value).strftime("%d/%m/%Y %H:%M")
