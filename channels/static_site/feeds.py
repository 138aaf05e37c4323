"""The subpage's Atom and RSS 2.0 feeds (feedgen) and its sitemap (sitemaps.org protocol 0.9).

Feed readers and aggregators (the HueS app, a district's portal) follow `atom.xml` or `rss.xml`;
search engines read `sitemap.xml`. Every address in them is absolute, built on `public_url`.
Dates are the posts' own, never "now", so a feed whose posts did not change is byte for byte the
same and is not written again.

Atom (RFC 4287): the feed's id is the site's address; each entry's id is its page's address,
which never changes (the page is named by the post's remote id), with its title, link,
`published`, `updated` and the portal as author. RSS 2.0: the channel's title, link and
description; each item's guid is the same permanent address, with its pubDate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

from feedgen.feed import FeedGenerator

from channels.static_site.renderer import (
    home_path,
    pillar_path,
    post_path,
    sorted_posts,
    topic_path,
)
from channels.static_site.settings import SiteSettings

FEED_ENTRIES = 30  # the newest posts in each feed
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
EPOCH = datetime(2015, 12, 31, tzinfo=UTC)  # an empty site's date: the ASEAN Community's birth


def _when(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(UTC)


def _changed(post: Mapping[str, Any]) -> datetime:
    return _when(post.get("updated_at") or post["published_at"])


def _generator(site: SiteSettings, posts: Sequence[Mapping[str, Any]], self_path: str) -> Any:
    feed = FeedGenerator()
    feed.id(site.public_url)
    feed.title(site.site_name)
    feed.subtitle(f"Tin bài mới nhất của {site.site_name}")  # RSS's <description>
    feed.author({"name": site.agency or site.site_name})
    feed.language("vi")
    feed.generator("Loa")
    feed.link(href=site.url(self_path), rel="self")
    feed.link(href=site.public_url, rel="alternate")  # the last link is RSS's <link>
    feed.updated(max((_changed(p) for p in posts), default=EPOCH))
    for post in reversed(posts):  # feedgen puts each new entry first
        address = site.url(post_path(post["remote_id"]))
        entry = feed.add_entry()
        entry.id(address)
        entry.guid(address, permalink=True)
        entry.title(post["title"])
        entry.link(href=address, rel="alternate")
        entry.published(_when(post["published_at"]))
        entry.updated(_changed(post))
        entry.author({"name": site.agency or site.site_name})
        entry.summary(post["summary"] or post["title"])  # RSS's <description> too
        entry.content(post["body_html"], type="html")
        for code, names in ((post["topic"], site.topics), (post.get("pillar"), site.pillars)):
            if code and code in names:
                entry.category(term=code, label=names[code])
        image = next((m for m in post["media"] if m["kind"] == "image"), None)
        if image is not None:
            entry.enclosure(site.url(image["file"]), str(image["bytes"]), image["mime"])
    return feed


def atom(site: SiteSettings, posts: Sequence[Mapping[str, Any]]) -> bytes:
    newest = sorted_posts(posts)[:FEED_ENTRIES]
    return bytes(_generator(site, newest, "atom.xml").atom_str(pretty=True))


def rss(site: SiteSettings, posts: Sequence[Mapping[str, Any]]) -> bytes:
    newest = sorted_posts(posts)[:FEED_ENTRIES]
    return bytes(_generator(site, newest, "rss.xml").rss_str(pretty=True))


def sitemap(site: SiteSettings, posts: Sequence[Mapping[str, Any]]) -> bytes:
    """The home page, each topic's and pillar's first page, and every post's page, each with
    the time its content last changed (`lastmod`, W3C datetime)."""
    ordered = sorted_posts(posts)
    places: list[tuple[str, list[Mapping[str, Any]]]] = [(home_path(""), ordered)]
    for code in site.topics:
        places.append((topic_path(code), [p for p in ordered if p["topic"] == code]))
    for code in site.pillars:
        places.append((pillar_path(code), [p for p in ordered if p.get("pillar") == code]))
    places += [(post_path(p["remote_id"]), [p]) for p in ordered]
    ElementTree.register_namespace("", SITEMAP_NS)
    root = ElementTree.Element(f"{{{SITEMAP_NS}}}urlset")
    for relative, shown in places:
        url = ElementTree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ElementTree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = site.url(relative)
        if shown:
            latest = max(_changed(p) for p in shown)
            lastmod = ElementTree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod")
            lastmod.text = latest.isoformat(timespec="seconds").replace("+00:00", "Z")
    ElementTree.indent(root)
    return bytes(ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"
