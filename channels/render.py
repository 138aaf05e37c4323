"""Post text as each platform wants it: plain text with hashtags, or sanitized HTML.

Officers write plain text. For platforms that take HTML (Zalo articles, the website) paragraphs
become <p>, web addresses become links, and the result goes through nh3 (the ammonia sanitizer),
so whatever an officer typed, markup included, cannot inject anything into a page.
"""

from __future__ import annotations

import html
import re

import nh3

from channels.base import Publication

ALLOWED_TAGS = {
    "p", "br", "a", "strong", "em", "ul", "ol", "li", "figure", "img", "figcaption", "video",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "video": {"src", "controls", "poster"},
}
URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")


def plain_text(pub: Publication, *, with_link: bool = True) -> str:
    """The text, then the link (unless the platform shows it apart), then the hashtags."""
    parts = [pub.text.strip()]
    if with_link and pub.link and pub.link not in pub.text:
        parts.append(pub.link)
    parts.append(pub.hashtag_line)
    return "\n\n".join(part for part in parts if part)


def paragraphs_html(text: str) -> str:
    """Plain text to paragraphs: blank lines split paragraphs, single newlines become <br>."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]
    rendered = []
    for block in blocks:
        escaped = html.escape(block, quote=False)
        linked = URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        rendered.append("<p>" + linked.replace("\n", "<br>") + "</p>")
    return sanitize("".join(rendered))


def body_html(pub: Publication) -> str:
    html_text = paragraphs_html(pub.text)
    if pub.link and pub.link not in pub.text:
        safe = html.escape(pub.link, quote=True)
        html_text += sanitize(f'<p><a href="{safe}">{safe}</a></p>')
    if pub.hashtags:
        html_text += "<p>" + html.escape(pub.hashtag_line) + "</p>"
    return html_text


def sanitize(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer",
    )
