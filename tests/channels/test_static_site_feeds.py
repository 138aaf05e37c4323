"""The static subpage's feeds and sitemap, read as their readers read them: feedparser (what
feed readers use), then the XML itself against the rules of Atom (RFC 4287), RSS 2.0 and the
sitemaps protocol, which feedparser would forgive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree

from channels.base import MediaFile
from channels.static_site import adapter
from tests.channels.test_static_site import PUBLIC, folder, post, site_in

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def published_site(
    tmp_path: Path, jpeg: MediaFile, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, list[Any]]:
    """Three posts a minute apart (a clock of the test's), the second corrected later."""
    minutes = iter(range(100))
    start = datetime(2026, 8, 8, 1, 0, tzinfo=UTC)

    def clock() -> str:
        return (start + timedelta(minutes=next(minutes))).isoformat(timespec="seconds")

    monkeypatch.setattr(adapter, "now_iso", clock)
    site = site_in(tmp_path / "site", page_size=2)
    receipts = [site.publish(post(1, media=(jpeg,), topic="a", pillar="AEC"))]
    receipts += [site.publish(post(n)) for n in (2, 3)]
    receipts[1] = site.update(post(2, title="Bài số 2 (đã sửa)"), receipts[1])
    return site, receipts


def test_the_atom_feed_follows_rfc_4287(
    tmp_path: Path, jpeg: MediaFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, receipts = published_site(tmp_path, jpeg, monkeypatch)
    data = (folder(site) / "atom.xml").read_bytes()
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0 and parsed.version == "atom10"
    assert parsed.feed.title == "Trang thông tin ASEAN tỉnh Thừa Thiên Huế"
    assert parsed.feed.language == "vi"
    assert [entry.id for entry in parsed.entries] == [r.url for r in reversed(receipts)]
    assert parsed.entries[1].title == "Bài số 2 (đã sửa)"

    feed = etree.fromstring(data)
    assert feed.tag == f"{ATOM}feed"
    one = {child.tag for child in feed}
    assert {f"{ATOM}id", f"{ATOM}title", f"{ATOM}updated", f"{ATOM}author"} <= one
    assert feed.findtext(f"{ATOM}id") == PUBLIC
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"self": f"{PUBLIC}atom.xml", "alternate": PUBLIC}
    updated = [
        datetime.fromisoformat(e.findtext(f"{ATOM}updated")) for e in feed.iter(f"{ATOM}entry")
    ]
    assert datetime.fromisoformat(feed.findtext(f"{ATOM}updated")) == max(updated)
    for entry in feed.iter(f"{ATOM}entry"):
        for tag in ("id", "title", "updated", "published"):
            assert entry.findtext(f"{ATOM}{tag}"), tag
        assert entry.find(f"{ATOM}author/{ATOM}name").text.startswith("Sở Thông tin")
        # RFC 4287 4.2.7.2: a link without rel is the alternate one
        alternate = next(
            link
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        )
        assert alternate.get("href") == entry.findtext(f"{ATOM}id")
        assert (folder(site) / alternate.get("href").removeprefix(PUBLIC)).is_file()
        assert entry.find(f"{ATOM}summary").text
        assert datetime.fromisoformat(entry.findtext(f"{ATOM}updated")).tzinfo is not None
    corrected = next(
        e for e in feed.iter(f"{ATOM}entry") if "2 (đã sửa)" in e.findtext(f"{ATOM}title")
    )
    assert corrected.findtext(f"{ATOM}updated") > corrected.findtext(f"{ATOM}published")
    first = next(e for e in feed.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id") == receipts[0].url)
    terms = {c.get("term"): c.get("label") for c in first.findall(f"{ATOM}category")}
    assert terms == {"a": "Sự kiện thường niên của ASEAN", "AEC": "Cộng đồng Kinh tế"}


def test_the_rss_feed_follows_rss_2_0(
    tmp_path: Path, jpeg: MediaFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, receipts = published_site(tmp_path, jpeg, monkeypatch)
    data = (folder(site) / "rss.xml").read_bytes()
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0 and parsed.version == "rss20"
    assert [entry.id for entry in parsed.entries] == [r.url for r in reversed(receipts)]

    rss = etree.fromstring(data)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    assert channel.findtext("title") == "Trang thông tin ASEAN tỉnh Thừa Thiên Huế"
    assert channel.findtext("link") == PUBLIC
    assert channel.findtext("description")
    assert channel.findtext("language") == "vi"
    assert channel.find(f"{ATOM}link[@rel='self']").get("href") == f"{PUBLIC}rss.xml"
    items = channel.findall("item")
    assert len(items) == 3
    for item, receipt in zip(items, reversed(receipts), strict=True):
        guid = item.find("guid")
        assert guid.text == receipt.url and guid.get("isPermaLink") == "true"
        assert item.findtext("link") == receipt.url
        assert item.findtext("title") and item.findtext("description")
        when = parsedate_to_datetime(item.findtext("pubDate"))  # RFC 822, as RSS 2.0 asks
        assert when == receipt.published_at
    enclosure = items[-1].find("enclosure")
    assert enclosure.get("url") == f"{PUBLIC}media/{jpeg.sha256}.jpg"
    assert (enclosure.get("type"), enclosure.get("length")) == ("image/jpeg", str(jpeg.size_bytes))
    build = parsedate_to_datetime(channel.findtext("lastBuildDate"))
    assert build == max(r.published_at for r in receipts) or build > receipts[0].published_at


def test_the_sitemap_lists_every_page_with_its_last_change(
    tmp_path: Path, jpeg: MediaFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, receipts = published_site(tmp_path, jpeg, monkeypatch)
    tree = etree.fromstring((folder(site) / "sitemap.xml").read_bytes())
    assert tree.tag == f"{SITEMAP}urlset"
    entries = {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in tree.findall(f"{SITEMAP}url")
    }
    assert PUBLIC in entries and f"{PUBLIC}chu-de/a.html" in entries
    assert f"{PUBLIC}tru-cot/apsc.html" in entries
    for receipt in receipts:
        assert receipt.url in entries
    for loc, lastmod in entries.items():
        assert loc.startswith(PUBLIC)
        assert (folder(site) / (loc.removeprefix(PUBLIC) or "index.html")).is_file()
        if lastmod is not None:  # a list with no post yet has no date to give
            assert datetime.fromisoformat(lastmod).tzinfo is not None
    assert entries[f"{PUBLIC}tru-cot/apsc.html"] is None
    home = datetime.fromisoformat(entries[PUBLIC])
    assert home == max(datetime.fromisoformat(entries[r.url]) for r in receipts)
    assert home <= datetime.now(UTC)


def test_unchanged_feeds_are_not_written_again(
    tmp_path: Path, jpeg: MediaFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, _ = published_site(tmp_path, jpeg, monkeypatch)
    atom = folder(site) / "atom.xml"
    before = atom.stat().st_ino
    site.publish(post(3))  # the same post again: nothing it shows changed
    assert atom.stat().st_ino == before
    site.publish(post(4))
    assert atom.stat().st_ino != before and b"ASEAN s\xe1\xbb\x91 4" in atom.read_bytes()
