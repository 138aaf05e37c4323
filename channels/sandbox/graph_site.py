"""What people see of the Graph sandbox: the pages as a timeline, one post, the token tool."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from channels.sandbox.graph_model import PAGES, Item, when
from channels.sandbox.server import page

COVER = "height:90px;border-radius:8px;background:linear-gradient(90deg,#1877f2,#6a3fb5)"


def timeline(pages: Mapping[str, tuple[list[Item], list[Item]]], items: Mapping[str, Item]) -> str:
    """Each page with its published posts, newest first, then those waiting for their time."""
    sections = []
    for pid, (posts, waiting) in pages.items():
        name, category = (html.escape(text) for text in PAGES[pid])
        body = "".join(article(post, items) for post in posts) or "<p>Chưa có bài viết.</p>"
        if waiting:
            body += f"<h3>Đã lên lịch · scheduled ({len(waiting)})</h3>"
            body += "".join(article(post, items) for post in waiting)
        sections.append(
            f'<section id="page-{pid}"><div style="{COVER}"></div>'
            f'<h2>{name}</h2><p class="meta">Trang · {category}</p>{body}</section>'
        )
    return page("Facebook (sandbox)", "".join(sections))


def article(post: Item, items: Mapping[str, Item]) -> str:
    stamp = when(post.created if post.published else (post.scheduled or post.created))
    text = html.escape(post.message).replace("\n", "<br>")
    parts = [
        f'<article id="post-{html.escape(post.id)}"><p class="meta"><strong>'
        f"{html.escape(PAGES[post.page_id][0])}</strong> · {stamp}</p><p>{text}</p>"
    ]
    if post.link:
        link = html.escape(post.link, quote=True)
        host = html.escape(urlsplit(post.link).hostname or post.link)
        parts.append(f'<p><a href="{link}" rel="noopener noreferrer">{host}</a></p>')
    for photo_id in post.photos:
        photo = items[photo_id]
        src = photo.url if photo.url and not photo.data else f"/graph/_media/{photo.id}"
        parts.append(f'<img src="{html.escape(src, quote=True)}" alt="">')
    if post.video:
        source = f"/graph-video/_media/{html.escape(post.video)}"
        parts.append(f'<video controls preload="metadata" src="{source}"></video>')
    return "".join(parts) + "</article>"


def explorer(token: str) -> str:
    """The stand-in of the Graph API Explorer: a fresh short-lived user token to paste."""
    body = (
        "<h2>Graph API Explorer (sandbox)</h2><p>Mã truy cập người dùng (user access token),"
        " hết hạn sau 2 giờ. A short-lived user token, valid for 2 hours: paste it when"
        " <code>loa channels connect ID</code> asks for it.</p><p>Quyền đã cấp / permissions"
        " granted: pages_show_list, pages_read_engagement, pages_manage_posts,"
        " read_insights.</p>"
        f"<pre><code>{html.escape(token)}</code></pre>"
    )
    return page("Graph API Explorer", body)


def dump(item: Item) -> dict[str, Any]:
    return {
        "page_id": item.page_id,
        "kind": item.kind,
        "message": item.message,
        "link": item.link,
        "title": item.title,
        "photos": item.photos,
        "video": item.video,
        "created_time": when(item.created),
        "published": item.published,
        "scheduled_publish_time": item.scheduled,
        "temporary": item.temporary,
        "post_id": item.post_id,
        "bytes": len(item.data),
        "sha256": hashlib.sha256(item.data).hexdigest() if item.data else None,
        **item.client,
    }
