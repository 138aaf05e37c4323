"""A post as a Zalo article: its text block, description and author, and the rules Zalo adds.

Zalo keeps only what readers see, so the post's marker goes into the body's text as zero-width
characters (`channels.markers.invisible`), inside its last paragraph, where it adds no blank line.
`getslice` lists articles without their body, so recognising one reads its `getdetail`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels import render
from channels.base import Problem, Publication
from channels.markers import carries, invisible

DESCRIPTION_CUT = 290
AUTHOR_MAX = 50  # Zalo: a normal article's author is required, at most 50 characters
SUMMARY_MAX = 299  # Zalo refused descriptions of exactly 300


def body_text(pub: Publication) -> str:
    """The article's text block: sanitized HTML carrying the post's marker out of sight."""
    html = render.body_html(pub)
    if not pub.marker:
        return html
    hidden = invisible(pub.marker)
    if html.endswith("</p>"):
        return html[: -len("</p>")] + hidden + "</p>"
    return html + hidden


def carries_marker(article: Mapping[str, Any], marker: str) -> bool:
    """Whether an article as `getdetail` answers it carries this post's marker."""
    blocks = article.get("body")
    texts = [
        str(block.get("content") or "")
        for block in (blocks if isinstance(blocks, list) else [])
        if isinstance(block, Mapping) and block.get("type") == "text"
    ]
    return any(carries(text, marker) for text in texts)


def description(pub: Publication) -> str:
    """The summary if there is one, else the start of the text, cut at a word."""
    summary = str(pub.settings.get("summary") or "").strip()
    if summary:
        return summary
    text = " ".join(pub.text.split()) or pub.title.strip()
    if len(text) <= DESCRIPTION_CUT:
        return text
    cut = text[: DESCRIPTION_CUT - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


def author_of(settings: Mapping[str, Any]) -> str:
    """The author as sent: Zalo takes at most 50 characters (Loa's config refuses more)."""
    return str(settings.get("author") or "").strip()[:AUTHOR_MAX].strip()


def article_problems(pub: Publication) -> list[Problem]:
    """What Zalo would refuse beyond the shared capability checks (no I/O)."""
    problems: list[Problem] = []
    summary = str(pub.settings.get("summary", ""))
    if len(summary) > SUMMARY_MAX:
        problems.append(
            Problem(
                "summary",
                f"Mô tả ngắn dài {len(summary)} ký tự, tối đa {SUMMARY_MAX}.",
                f"The summary is {len(summary)} characters; at most {SUMMARY_MAX}.",
            )
        )
    problems += author_problems(author_of(pub.settings))
    if not render.body_html(pub):
        problems.append(
            Problem("body", "Bài viết Zalo cần có nội dung.", "A Zalo article needs a text.")
        )
    images = pub.media_of("image")
    if not images and not pub.settings.get("default_cover_url"):
        problems.append(
            Problem(
                "media",
                "Bài viết Zalo cần ảnh bìa: đính kèm một ảnh"
                " (hoặc đặt default_cover_url cho kênh).",
                "A Zalo article needs a cover: attach an image"
                " (or set the channel's default_cover_url).",
            )
        )
    # Loa sets `public_media` from its configuration (channels.base.NEED_MEDIA_HOST): whether
    # anything can give this channel's images the public addresses Zalo takes them by.
    if images and pub.settings.get("public_media") is False:
        problems.append(
            Problem(
                "media",
                "Zalo chỉ nhận ảnh qua địa chỉ công khai, nhưng kênh này chưa có nơi lưu ảnh:"
                " thêm vào config.yaml một kênh lưu được ảnh (trang web wordpress, trang tĩnh"
                " static_site; settings.media_host của kênh chọn kênh nào, mặc định là kênh đầu"
                " tiên), hoặc đặt public_url là địa chỉ https của Loa; hoặc bỏ ảnh khỏi bài.",
                "Zalo takes images only by public address, and this channel has nowhere to host"
                " them: add a channel that hosts files (a wordpress website, a static_site) to"
                " config.yaml (the channel's settings.media_host picks one, else the first), or"
                " set public_url to Loa's https address; or remove the images.",
            )
        )
    return problems


def author_problems(author: str) -> list[Problem]:
    """Zalo refuses an article without an author; a long one is cut (`author_of`)."""
    if author:
        return []
    return [
        Problem(
            "author",
            "Bài viết Zalo cần tên tác giả: đặt settings.author của kênh"
            " (mặc định là tên đơn vị của kênh).",
            "A Zalo article needs an author: set the channel's settings.author"
            " (by default the name of the channel's department).",
        )
    ]
