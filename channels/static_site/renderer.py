"""The subpage's pages from the index of published posts, with Jinja2 templates of this package.

Where each page lives (relative to the output folder, served under `public_url`):

    index.html, trang-2.html ...            the home page: every post, newest first
    chu-de/<code>.html, chu-de/<code>-trang-2.html      one topic of the plan (a-i)
    tru-cot/<code>.html, ...                one pillar of the ASEAN Community (apsc, aec, ascc)
    bai-viet/<id>.html                      one post, with its images (alt text) and video
    media/<sha256>.<ext>                    the posts' files (channels.static_site.media)
    assets/site.css, assets/emblem.svg      the look; assets/logo.<ext> when one is configured
    atom.xml, rss.xml, sitemap.xml          channels.static_site.feeds

Links between pages are relative, so the folder can be browsed, copied or served anywhere;
canonical addresses, feeds and the sitemap use `public_url`.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from channels.errors import VIETNAM
from channels.static_site.settings import SiteSettings

TEMPLATES = ("base.html", "list.html", "post.html", "site.css", "emblem.svg")
SUMMARY_MAX = 220

_ENV = Environment(
    loader=PackageLoader("channels.static_site", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,  # a misspelt name fails the render, not the page silently
    trim_blocks=True,
    lstrip_blocks=True,
)


def template_digest() -> str:
    """Changes when Loa's templates do, so pages rendered by an older Loa are rendered again."""
    folder = resources.files("channels.static_site").joinpath("templates")
    total = hashlib.sha256()
    for name in TEMPLATES:
        total.update(folder.joinpath(name).read_bytes())
    return total.hexdigest()


def sorted_posts(posts: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Newest first; posts published in the same second by their post number."""
    return sorted(posts, key=lambda p: (p["published_at"], p["post_id"]), reverse=True)


def post_path(remote_id: str) -> str:
    return f"bai-viet/{remote_id}.html"


def topic_path(code: str, number: int = 1) -> str:
    return f"chu-de/{code.lower()}" + (f"-trang-{number}" if number > 1 else "") + ".html"


def pillar_path(code: str, number: int = 1) -> str:
    return f"tru-cot/{code.lower()}" + (f"-trang-{number}" if number > 1 else "") + ".html"


def home_path(code: str, number: int = 1) -> str:
    return "index.html" if number == 1 else f"trang-{number}.html"


def local_time(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(VIETNAM)


class Renderer:
    def __init__(self, site: SiteSettings, logo_path: str) -> None:
        self.site = site
        self.logo = logo_path  # relative: assets/logo.png or the emblem placeholder
        self.topics = [
            {"key": f"topic:{code}", "name": name, "href": topic_path(code)}
            for code, name in site.topics.items()
        ]
        self.pillars = [
            {"key": f"pillar:{code}", "name": name, "href": pillar_path(code)}
            for code, name in site.pillars.items()
        ]

    def stylesheet(self) -> bytes:
        color = self.site.primary_color
        return (
            _ENV.get_template("site.css").render(primary=color, primary_dark=darker(color)).encode()
        )

    def list_pages(self, posts: Sequence[Mapping[str, Any]]) -> dict[str, bytes]:
        """Every list page: the home pages, each topic's and each pillar's (an empty one too,
        as the menu links to it)."""
        ordered = sorted_posts(posts)
        pages = self._listing(ordered, "home", home_path, "", "Tin bài mới nhất", "")
        for code, name in self.site.topics.items():
            chosen = [p for p in ordered if p["topic"] == code]
            intro = "Chủ đề tuyên truyền theo Kế hoạch 275/KH-UBND."
            pages |= self._listing(chosen, f"topic:{code}", topic_path, code, name, intro)
        for code, name in self.site.pillars.items():
            chosen = [p for p in ordered if p.get("pillar") == code]
            intro = "Trụ cột của Cộng đồng ASEAN."
            pages |= self._listing(chosen, f"pillar:{code}", pillar_path, code, name, intro)
        return pages

    def _listing(
        self,
        posts: Sequence[Mapping[str, Any]],
        key: str,
        path: Any,
        code: str,
        heading: str,
        intro: str,
    ) -> dict[str, bytes]:
        size = self.site.page_size
        count = max(1, math.ceil(len(posts) / size))
        pages = {}
        for number in range(1, count + 1):
            relative = path(code, number)
            chunk = posts[(number - 1) * size : number * size]
            title = heading if number == 1 else f"{heading} - trang {number}"
            paging = {
                "count": count,
                "number": number,
                "links": [(n, path(code, n)) for n in range(1, count + 1)],
                "previous": path(code, number - 1) if number > 1 else "",
                "next": path(code, number + 1) if number < count else "",
            }
            pages[relative] = self._page(
                "list.html",
                relative,
                title=title,
                description=intro or f"{self.site.site_name}: {heading}",
                current=key,
                heading=title,
                intro=intro,
                posts=[self._card(p) for p in chunk],
                pages=paging,
            )
        return pages

    def post_page(self, post: Mapping[str, Any]) -> bytes:
        relative = post_path(post["remote_id"])
        view = self._card(post)
        images = [m for m in post["media"] if m["kind"] == "image"]
        view |= {
            "marker": post["marker"],
            "body_html": post["body_html"],
            "link": post.get("link") or "",
            "hashtags": post.get("hashtags") or [],
            "images": [_media_view(m) for m in images],
            "videos": [_media_view(m) for m in post["media"] if m["kind"] == "video"],
            "pillar_name": self.site.pillars.get(post.get("pillar") or "", ""),
            "pillar_href": pillar_path(post.get("pillar") or ""),
        }
        if images:
            view["image"] = {**_media_view(images[0]), "url": self.site.url(images[0]["file"])}
        updated = post.get("updated_at")
        view["updated_iso"] = updated or ""
        view["updated_text"] = _vietnamese(updated) if updated else ""
        return self._page(
            "post.html",
            relative,
            title=post["title"],
            description=post["summary"] or post["title"],
            current="",  # no menu entry is this page (aria-current="page" would say it is)
            post=view,
        )

    def _card(self, post: Mapping[str, Any]) -> dict[str, Any]:
        image = next((m for m in post["media"] if m["kind"] == "image"), None)
        return {
            "title": post["title"],
            "href": post_path(post["remote_id"]),
            "summary": post["summary"],
            "published_iso": post["published_at"],
            "published_text": _vietnamese(post["published_at"]),
            "topic_name": self.site.topics.get(post["topic"], ""),
            "topic_href": topic_path(post["topic"]),
            "image": _media_view(image) if image else None,
        }

    def _page(self, template: str, relative: str, **context: Any) -> bytes:
        root = "../" * relative.count("/")
        return (
            _ENV.get_template(template)
            .render(
                site=self.site,
                root=root,
                logo=self.logo,
                canonical=self.site.url(relative),
                topics=self.topics,
                pillars=self.pillars,
                **context,
            )
            .encode()
        )


def _media_view(media: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "src": media["file"],
        "alt": media.get("alt") or "",
        "width": media.get("width"),
        "height": media.get("height"),
    }


def _vietnamese(iso: str) -> str:
    """25/12/2026 08:30 (giờ Việt Nam), as people in Vietnam write a time."""
    return local_time(iso).strftime("%d/%m/%Y %H:%M")


def darker(color: str, factor: float = 0.78) -> str:
    """The colour, darker: the menu bar and the footer under the banner's colour."""
    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    parts = (round(int(digits[i : i + 2], 16) * factor) for i in (0, 2, 4))
    return "#" + "".join(f"{part:02x}" for part in parts)


def summary_of(text: str) -> str:
    """The first paragraph, cut at a word before SUMMARY_MAX characters: list pages and feeds."""
    first = next((block.strip() for block in text.split("\n\n") if block.strip()), "")
    first = " ".join(first.split())
    if len(first) <= SUMMARY_MAX:
        return first
    return first[:SUMMARY_MAX].rsplit(" ", 1)[0].rstrip(" ,;:.-") + "…"
