"""Every page, read in Vietnamese, holds none of Loa's own English words.

Loa's English words are the English side of the catalogue (web/locale, `i18n.all_words()`)
where it differs from the Vietnamese. Each GET route of the app that answers with HTML is
opened, in Vietnamese, by the officer, the editor and the administrator, on a database with
posts and deliveries in several states, as are the 400, 403 and 404 pages and the login page.
What a person reads there (text, and the title, placeholder, aria-label and alt they are shown)
must hold no such English; what is marked `lang="en"` or `hreflang` (the language switch, the
bilingual 500 page) is English on purpose and is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import select

from content.db import Database
from content.models import Delivery, DeliveryState
from content.posts import PostService
from tests.factories import post_input
from tests.web.conftest import ClientFor
from tests.web.test_reports_page import tools_for
from web.i18n import all_words
from web.services import WebServices

WHEN = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
# Words the same in both languages, or names: a Vietnamese page rightly shows them.
NAMES = {
    "Loa", "API", "CSV", "XLSX", "DOCX", "Excel", "Word", "ASEAN", "Zalo", "Zalo OA",
    "Facebook", "YouTube", "WordPress", "iCalendar", "Email", "E-mail", "OK", "URL", "ID",
}  # fmt: skip
# Products named in Vietnamese sentences ("Google Calendar"), not Loa's words.
PRODUCTS = ("Google Calendar", "iPhone Calendar", "Apple Calendar")
SHORTEST = 4  # "Tag", "Log": too short to tell a leak from a name or an abbreviation
# Leaks in another helper's area, being translated now; each names its reason. Keep it short.
KNOWN_LEAKS: dict[str, str] = {}


@pytest.fixture
def web_services(web_services: WebServices, db: Database) -> WebServices:
    web_services.reports = tools_for(db)  # the reports page, as tests/web/test_reports_page.py
    return web_services


class VisibleText(HTMLParser):
    """The text a reader sees, without scripts, styles and what is marked as English."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden: list[str] = []  # the open elements whose content is not read as Vietnamese

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        english = values.get("lang", "vi") != "vi" or "hreflang" in values
        if self.hidden or english or tag in ("script", "style", "template"):
            if tag not in VOID:
                self.hidden.append(tag)
            return
        self.parts += [values[name] or "" for name in SHOWN_ATTRIBUTES if values.get(name)]
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if self.hidden and self.hidden[-1] == tag:
            self.hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(" ".join(parser.parts).split())
    for product in PRODUCTS:
        text = text.replace(product, "")
    return text


def english_patterns() -> dict[str, re.Pattern[str]]:
    """Loa's English words that a Vietnamese page must not show, as patterns by key."""
    patterns = {}
    for key, (vi, en) in all_words().items():
        text = " ".join(en.split())
        if en == vi or text in NAMES or len(text) < SHORTEST:
            continue
        # A `{name}` in the words matches whatever was put in its place.
        pieces = re.split(r"\{[^{}]*\}", text)
        if max(len(piece.strip()) for piece in pieces) < SHORTEST:
            continue
        body = r".{1,200}?".join(re.escape(piece) for piece in pieces)
        patterns[key] = re.compile(rf"(?<!\w){body}(?!\w)")
    return patterns


def leaks_in(html: str, patterns: dict[str, re.Pattern[str]]) -> list[str]:
    text = visible_text(html)
    found = []
    for key, pattern in patterns.items():
        match = pattern.search(text)
        if match and key not in KNOWN_LEAKS:
            found.append(f"{key}: {match.group(0)!r}")
    return found


def page_routes(app: FastAPI) -> list[str]:
    """The paths of the app's GET routes outside the API, included routers' ones too."""

    def walk(routes: list[Any]) -> Iterator[Any]:
        for route in routes:
            included = getattr(route, "original_router", None)  # FastAPI's lazy include
            yield from walk(included.routes) if included is not None else [route]

    paths = {
        route.path
        for route in walk(app.router.routes)
        if isinstance(route, APIRoute) and "GET" in (route.methods or ())
    }
    return sorted(path for path in paths if not path.startswith("/api/"))


def seed_posts(service: PostService, db: Database) -> dict[str, str]:
    """Posts in several states, their deliveries in several more: the values of path ids."""
    officer, editor = service.actor("cbtt.stttt"), service.actor("bientap")
    channels = ["fb-asean-hue", "web-asean", "zalo-asean-hue", "yt-hue-asean"]
    ids = []
    for state in ("draft", "in_review", "approved", "rejected", "approved"):
        post = service.create(officer, post_input(channels=channels[:2], scheduled_at=WHEN))
        assert post.id is not None
        ids.append(post.id)
        if state != "draft":
            service.submit(officer, post.id)
        if state == "approved":
            service.approve(editor, post.id, "Tốt")
        if state == "rejected":
            service.reject(editor, post.id, "Thiếu nguồn ảnh")
    states = [DeliveryState.published, DeliveryState.failed, DeliveryState.needs_review,
              DeliveryState.missed]  # fmt: skip
    with db.write() as session:
        approved = [ids[2], ids[4]]
        rows = session.exec(select(Delivery).where(Delivery.post_id.in_(approved))).all()  # type: ignore[attr-defined]
        for delivery, state in zip(rows, states, strict=False):
            delivery.state = state
            if state == DeliveryState.published:
                delivery.remote_id, delivery.published_at = "fb-1", WHEN
                delivery.remote_url = "https://facebook.example/fb-1"
            else:
                delivery.last_error = "HTTP 500"
        first = rows[0]
    return {
        "post_id": str(approved[0]),
        "delivery_id": str(first.id),
        "channel_id": "fb-asean-hue",
        "username": "cbtt.stttt",
    }


def opened_pages(
    client: TestClient, paths: list[str], values: dict[str, str]
) -> Iterator[tuple[str, str]]:
    for path in paths:
        names = re.findall(r"\{(\w+)\}", path)
        if any(name not in values for name in names):
            continue  # media by hash, feeds by token, notifications: not pages of their own
        url = path.format(**values)
        response = client.get(url, params={"lang": "vi"}, follow_redirects=False)
        if response.headers.get("content-type", "").startswith("text/html"):
            yield f"{url} ({response.status_code})", response.text


def test_no_page_in_vietnamese_shows_lohas_english(
    web_app: FastAPI, client: TestClient, client_for: ClientFor, service: PostService, db: Database
) -> None:
    patterns = english_patterns()
    assert len(patterns) > 300, "the catalogue's English words were not found"
    values = seed_posts(service, db)
    paths = page_routes(web_app)
    assert {"/calendar", "/compose", "/review", "/admin/users", "/posts/{post_id}"} <= set(paths)
    pages: dict[str, str] = {}
    for username in ("cbtt.stttt", "bientap", "admin"):
        signed = client_for(username)
        for name, html in opened_pages(signed, paths, values):
            pages[f"{username} {name}"] = html
    officer = client_for("cbtt.sdl")
    for status, path, params in (
        (403, "/admin/users", {}),
        (404, "/posts/987654", {}),
        (400, "/calendar", {"date": "not-a-date"}),
    ):
        refused = officer.get(path, params=params)
        assert refused.status_code == status, (path, refused.status_code)
        pages[f"{status} {path}"] = refused.text
    pages["login"] = client.get("/login").text
    must = [
        "/calendar", "/compose", "/review", "/channels", "/reports", "/admin/users",
        "/admin/publishing", "/admin/audit", "/admin/import", "/admin/export", "/feeds",
        f"/posts/{values['post_id']}", "/my-posts", "/notifications", "/account/tokens",
    ]  # fmt: skip
    assert {f"admin {path} (200)" for path in must} <= set(pages), sorted(pages)
    # The same check finds the English of the English page: it reads real pages.
    english = client_for("admin").get("/calendar", params={"lang": "en"}).text
    assert len(leaks_in(english.replace('lang="en"', ""), patterns)) > 5
    leaks = {name: found for name, html in pages.items() if (found := leaks_in(html, patterns))}
    assert not leaks, "\n".join(f"{page}: {found}" for page, found in sorted(leaks.items()))


def test_the_check_finds_english_and_leaves_marked_english_alone() -> None:
    patterns = english_patterns()
    english = all_words()["nav.review"][1]
    assert "nav.review: 'Review'" in leaks_in(f"<main><p>{english}</p></main>", patterns)
    assert not leaks_in(
        f'<main><p lang="en">{english}</p><a hreflang="en">English</a></main>', patterns
    )
    assert leaks_in(f'<button title="{english}">x</button>', patterns)
    assert not leaks_in("<main><p>Duyệt bài</p><script>var a = 'Review';</script></main>", patterns)
