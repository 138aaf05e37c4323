"""The Zalo sandbox's public page: the articles as a reader would see them, sanitized."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import nh3

BODY_TAGS = {"p", "br", "a", "strong", "em", "ul", "ol", "li", "figure", "img", "figcaption"}


def cover_of(article: Mapping[str, Any]) -> str:
    return str((article.get("cover") or {}).get("photo_url") or "")


def article_html(article: Mapping[str, Any], videos: Mapping[str, str], oa_name: str) -> str:
    """One article as the public page shows it; `videos` names the uploaded videos by id."""
    esc = html.escape
    when = datetime.fromtimestamp(article["create_date"] / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f'<article id="article-{esc(article["id"])}">']
    if cover_of(article):
        parts.append(f'<img src="{esc(cover_of(article))}" alt="">')
    parts.append(f"<h2>{esc(str(article.get('title', '')))}</h2>")
    parts.append(f'<p class="meta">{esc(str(article.get("author") or oa_name))} · {when}</p>')
    parts.append(f"<p><em>{esc(str(article.get('description', '')))}</em></p>")
    for block in article.get("body") or []:
        if block.get("type") == "text":
            # Whatever the adapter sent, the page shows only what a sanitizer lets through.
            parts.append(nh3.clean(str(block.get("content", "")), tags=BODY_TAGS,
                                   url_schemes={"http", "https"}))  # fmt: skip
        elif block.get("type") == "image":
            caption = esc(str(block.get("caption", "")))
            parts.append(f'<figure><img src="{esc(str(block["url"]))}" alt="{caption}">'
                         f"<figcaption>{caption}</figcaption></figure>")  # fmt: skip
        elif block.get("type") == "video":
            name = videos.get(str(block.get("video_id")), "video")
            parts.append(f"<p>▶ Video: {esc(str(name))}</p>")
    return "".join(parts) + "</article>"
