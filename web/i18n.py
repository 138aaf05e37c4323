"""Words of the pages, Vietnamese first and English second, and dates in each one's conventions.

The words live in the gettext catalogue `web/locale/vi/LC_MESSAGES/loa.po` (web/i18n_catalog.py,
docs/translating.md). `t(key, lang)` looks a key up there first, then in `MESSAGES`, where a page
module not yet moved to the catalogue adds its words with `add_messages({...})` at import time
(`python -m web.i18n_migrate` moves them). Templates may also say `{{ _("English words") }}`.
Vietnamese dates read "Thứ Hai, 03/08/2026 07:30"; English ones "Mon 3 Aug 2026, 07:30".
Times are shown in the configured zone.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Callable, Mapping
from datetime import date, datetime, tzinfo

from content.timeutil import to_local
from web import i18n_catalog

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# Words added by `add_messages` (computed ones, or a module not yet moved): read after the .po.
MESSAGES: dict[str, tuple[str, str]] = {}
CATALOGUE = i18n_catalog.load("vi")
ENGLISH = stdlib_gettext.NullTranslations()  # English is the source: a msgid is its own text


def add_messages(messages: Mapping[str, tuple[str, str]]) -> None:
    """Page modules register their own words; a key used twice is a mistake worth finding."""
    clash = set(messages) & (set(MESSAGES) | set(CATALOGUE.keyed))
    if clash:
        raise ValueError(f"message keys defined twice: {sorted(clash)}")
    MESSAGES.update(messages)


def pick(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def from_accept_language(header: str) -> str | None:
    """The first of our languages in an `Accept-Language` header, by its q weights, or None."""
    best: tuple[float, str] | None = None
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if base in LANGS and weight > 0 and (best is None or weight > best[0]):
            best = (weight, base)  # the first of equal weights stays
    return best[1] if best else None


def t(key: str, lang: str, **values: object) -> str:
    """The text of `key` in `lang`; an unknown key shows itself, so it is seen and fixed."""
    vi, en = CATALOGUE.keyed.get(key) or MESSAGES.get(key, (key, key))
    text = vi if lang == "vi" else en
    return text.format(**values) if values else text


def translator(lang: str) -> Callable[..., str]:
    def bound(key: str, **values: object) -> str:
        return t(key, lang, **values)

    return bound


def known(key: str) -> bool:
    return key in CATALOGUE.keyed or key in MESSAGES


def all_words() -> dict[str, tuple[str, str]]:
    """Every keyed word, from the catalogue and from modules not yet moved to it."""
    return {**MESSAGES, **CATALOGUE.keyed}


def gettext_for(lang: str) -> stdlib_gettext.NullTranslations:
    """gettext, ngettext, pgettext of `lang`, for the plain (unkeyed) words of the catalogue."""
    return CATALOGUE.translations if lang == "vi" else ENGLISH


def status_title(status: int, lang: str) -> str:
    key = f"error.{status}"
    return t(key if known(key) else "error.title", lang)


def weekday(day: date, lang: str) -> str:
    return (WEEKDAYS_VI if lang == "vi" else WEEKDAYS_EN)[day.weekday()]


def format_date(day: date, lang: str, *, with_weekday: bool = True) -> str:
    if lang == "vi":
        text = f"{day:%d/%m/%Y}"
        return f"{weekday(day, lang)}, {text}" if with_weekday else text
    text = f"{day.day} {MONTHS_EN[day.month - 1][:3]} {day.year}"
    return f"{weekday(day, lang)[:3]} {text}" if with_weekday else text


def format_time(value: datetime, zone: tzinfo) -> str:
    return f"{to_local(value, zone):%H:%M}"


def format_datetime(
    value: datetime | None, lang: str, zone: tzinfo, *, with_weekday: bool = True
) -> str:
    """An aware datetime in the configured zone: "Thứ Hai, 03/08/2026 07:30" in Vietnamese."""
    if value is None:
        return ""
    local = to_local(value, zone)
    day = format_date(local.date(), lang, with_weekday=with_weekday)
    return f"{day} {local:%H:%M}" if lang == "vi" else f"{day}, {local:%H:%M}"


def month_name(month: int, lang: str) -> str:
    return f"Tháng {month}" if lang == "vi" else MONTHS_EN[month - 1]
