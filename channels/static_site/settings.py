"""The static subpage's settings: where it is written, where it is served, how it looks.

Read from the channel's `settings:` in config.yaml. `problems` words every bad setting in
Vietnamese first, then English, naming the key; `loa config check` reports them (through
loa.static_site_config) and the adapter refuses to write anything with them (`Rejected`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from channels.errors import Rejected

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
DEFAULT_COLOR = "#b3151b"  # the red of provincial portals; 6.9:1 against white
DEFAULT_NAME = "Trang thông tin ASEAN"
MIN_CONTRAST = 4.5  # WCAG 2.x AA for body text: white words on the banner, coloured links on white
LOGO_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"})
TEXT_MAX = 200

# The plan's themes and the ASEAN Community's pillars, as Loa's pages name them in short: the
# menu when the settings give none. Loa passes config.yaml's own lists as `settings.topics` /
# `settings.pillars` (channels never read Loa's tables), with the channel's own names for some
# codes, if it sets any (shorter ones for its menu).
TOPICS = {
    "a": "Sự kiện thường niên của ASEAN",
    "b": "Chính trị - ngoại giao, kinh tế, hợp tác",
    "c": "Câu chuyện, điển hình về lợi ích của ASEAN",
    "d": "Việt Nam trong ba trụ cột",
    "e": "Cộng đồng ASEAN, bản sắc ASEAN",
    "f": "Tầm quan trọng của ASEAN với Việt Nam",
    "g": "Vai trò của Việt Nam trong ASEAN",
    "h": "Quảng bá Việt Nam và văn hóa ASEAN",
    "i": "Hình ảnh và danh hiệu của Huế",
}
PILLARS = {
    "APSC": "Cộng đồng Chính trị - An ninh",
    "AEC": "Cộng đồng Kinh tế",
    "ASCC": "Cộng đồng Văn hóa - Xã hội",
}

Found = list[tuple[str, str, str]]  # (setting, Vietnamese, English)


@dataclass(frozen=True)
class SiteSettings:
    output_dir: Path
    public_url: str  # always ends with "/": pages' addresses are joined onto it
    site_name: str
    agency: str  # the body that runs the portal, in the banner and the footer
    logo: Path | None
    primary_color: str
    page_size: int
    topics: Mapping[str, str]
    pillars: Mapping[str, str]

    def url(self, relative: str) -> str:
        return self.public_url + ("" if relative == "index.html" else relative)


def output_dir(settings: Mapping[str, Any]) -> Path:
    """The folder a static_site channel writes, for whoever serves it (`loa serve`, a test)."""
    value = settings.get("output_dir")
    if not isinstance(value, str) or not value.strip():
        raise Rejected(
            "thiết lập output_dir trống: chưa biết ghi trang vào thư mục nào",
            "the setting output_dir is empty: there is no folder to write the pages to",
        )
    return Path(value).expanduser()


def parse(settings: Mapping[str, Any], channel_id: str = "") -> SiteSettings:
    """The settings, or Rejected naming every bad one (a setting to fix, not a post)."""
    found = problems(settings)
    if found:
        where_vi = f"kênh {channel_id}: " if channel_id else ""
        where_en = f"channel {channel_id}: " if channel_id else ""
        raise Rejected(
            where_vi + "; ".join(f"settings.{key}: {vi}" for key, vi, _ in found),
            where_en + "; ".join(f"settings.{key}: {en}" for key, _, en in found),
        )
    logo = settings.get("logo")
    return SiteSettings(
        output_dir=output_dir(settings),
        public_url=str(settings["public_url"]).rstrip("/") + "/",
        site_name=str(settings.get("site_name") or DEFAULT_NAME).strip(),
        agency=str(settings.get("agency") or "").strip(),
        logo=Path(logo).expanduser() if logo else None,
        primary_color=str(settings.get("primary_color") or DEFAULT_COLOR).lower(),
        page_size=int(settings.get("page_size") or DEFAULT_PAGE_SIZE),
        # Given, a table is the whole list (Loa gives config.yaml's, in its order).
        topics=dict(settings.get("topics") or TOPICS),
        pillars=dict(settings.get("pillars") or PILLARS),
    )


_REQUIRED = {
    "output_dir": (
        "cần thư mục ghi trang (output_dir), ví dụ loa-site/asean",
        "the folder the pages are written to (output_dir) is required, e.g. loa-site/asean",
    ),
    "public_url": (
        "cần địa chỉ công khai của thư mục (public_url), ví dụ https://asean.thuathienhue.gov.vn/",
        "the folder's public address (public_url) is required,"
        " e.g. https://asean.thuathienhue.gov.vn/",
    ),
}


def problems(settings: Mapping[str, Any]) -> Found:
    """Every setting the static subpage cannot use, as (key, Vietnamese, English)."""
    found: Found = []
    for key, (vi, en) in _REQUIRED.items():
        value = settings.get(key)
        if not isinstance(value, str) or not value.strip():
            found.append((key, vi, en))
    url = settings.get("public_url")
    if isinstance(url, str) and url.strip() and not re.fullmatch(r"https?://[^\s/?#]+(/\S*)?", url):
        found.append(
            (
                "public_url",
                f"{url!r} không phải địa chỉ http(s)",
                f"{url!r} is not an http(s) address",
            )
        )
    for key in ("site_name", "agency"):
        found += _text_problem(settings, key)
    found += _logo_problems(settings.get("logo"))
    found += _color_problems(settings.get("primary_color"))
    found += _page_size_problems(settings.get("page_size"))
    for key, known in (("topics", TOPICS), ("pillars", PILLARS)):
        found += _names_problems(key, settings.get(key), known)
    return found


def _text_problem(settings: Mapping[str, Any], key: str) -> Found:
    if key not in settings:
        return []
    value = settings[key]
    if not isinstance(value, str) or not value.strip():
        return [(key, "không được để trống", "should not be empty")]
    if len(value) > TEXT_MAX:
        return [
            (
                key,
                f"dài {len(value)} ký tự, tối đa {TEXT_MAX}",
                f"is {len(value)} characters long; at most {TEXT_MAX}",
            )
        ]
    return []


def _logo_problems(logo: Any) -> Found:
    if logo is None:
        return []
    if not isinstance(logo, str) or not logo.strip():
        return [("logo", "phải là đường dẫn tệp ảnh", "should be the path of an image file")]
    path = Path(logo).expanduser()
    if path.suffix.lower() not in LOGO_SUFFIXES:
        kinds = ", ".join(sorted(LOGO_SUFFIXES))
        return [("logo", f"{logo}: cần tệp ảnh ({kinds})", f"{logo}: not an image ({kinds})")]
    if not path.is_file():
        return [("logo", f"không có tệp {logo}", f"there is no file {logo}")]
    return []


def _color_problems(color: Any) -> Found:
    if color is None:
        return []
    if not isinstance(color, str) or not re.fullmatch(r"#([0-9a-fA-F]{3}){1,2}", color):
        return [
            (
                "primary_color",
                f"{color!r} không phải mã màu như #b3151b",
                f"{color!r} is not a colour like #b3151b",
            )
        ]
    ratio = contrast(color, "#ffffff")
    if ratio < MIN_CONTRAST:
        return [
            (
                "primary_color",
                f"màu {color} quá nhạt: chữ trắng trên nền này chỉ tương phản {ratio:.1f}:1,"
                f" cần ít nhất {MIN_CONTRAST}:1 để dễ đọc; hãy chọn màu đậm hơn",
                f"the colour {color} is too light: white text on it has a contrast of only"
                f" {ratio:.1f}:1, at least {MIN_CONTRAST}:1 is needed; choose a darker one",
            )
        ]
    return []


def _page_size_problems(size: Any) -> Found:
    if size is None:
        return []
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
        return [
            (
                "page_size",
                f"số bài mỗi trang phải là số nguyên từ 1 đến {MAX_PAGE_SIZE}",
                f"the posts per page should be a whole number from 1 to {MAX_PAGE_SIZE}",
            )
        ]
    return []


def _names_problems(key: str, names: Any, known: Mapping[str, str]) -> Found:
    if names is None:
        return []
    if not isinstance(names, dict):
        return [(key, "phải là một bảng mã: tên", "should be a mapping of code: name")]
    found: Found = []
    for code, name in names.items():
        if not isinstance(name, str) or not name.strip():
            found.append((f"{key}.{code}", "tên trống", "the name is empty"))
    if key == "pillars":
        unknown = sorted(str(code) for code in names if code not in known)
        if unknown:
            listed = ", ".join(known)
            found.append(
                (key, f"trụ cột không có: {unknown}; có: {listed}", f"unknown pillars {unknown};"
                 f" known: {listed}")
            )  # fmt: skip
    return found


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours written #rgb or #rrggbb (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(color: str) -> float:
    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
