"""Figures on the pages through the real app: a published delivery's latest figures on the post
page (the dash for no figure, the local reading time, the notes, the wait before the first
reading), its growth chart as SVG with the same access rules as the post, and each channel's
totals for the last 30 days and the reporting year, in Vietnamese and in English."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient

from content import metrics
from content.db import Database
from content.models import Delivery
from content.timeutil import zone
from tests.factories import published_deliveries
from tests.web.conftest import ClientFor
from web.security import CONTENT_SECURITY_POLICY

HCM = zone("Asia/Ho_Chi_Minh")
PUBLISHED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 20/11/2026 09:00 in Hue
FIRST = PUBLISHED + timedelta(hours=1)  # read at 10:00 in Hue
SECOND = PUBLISHED + timedelta(days=1)  # Saturday 21/11/2026 09:00 in Hue
SVG = "{http://www.w3.org/2000/svg}"
NO_INSIGHTS = {
    "field": "views",
    "vi": "Trang chưa đủ 100 lượt thích nên không có lượt xem",
    "en": "The page has fewer than 100 likes, so no views",
}


def post_of(db: Database, delivery_id: int) -> int:
    with db.read() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        return delivery.post_id


def read(db: Database, at: datetime, delivery_id: int, values: dict[str, int | None]) -> None:
    """One reading, through the store the collector writes to."""
    with db.write() as session:
        metrics.schedule_new(session)
        reading = metrics.Reading(delivery_id, values, notes=[NO_INSIGHTS])
        assert metrics.record(session, [reading], at, HCM) == 1


def figures_part(html: str, delivery_id: int) -> str:
    start = html.index(f'id="figures-h-{delivery_id}"')
    return html[start : html.index("</section>", start)]


def figure_of(part: str, metric: str) -> str:
    found = re.search(rf'class="figure figure-{metric}"><dt>([^<]*)</dt><dd>([^<]*)</dd>', part)
    assert found is not None, f"no {metric} in {part}"
    return f"{unescape(found.group(1))}={unescape(found.group(2))}"


@pytest.fixture
def read_twice(db: Database) -> tuple[int, int]:
    """A post published on fb-asean-hue, read an hour and a day later: (post, delivery)."""
    (delivery_id,) = published_deliveries(db, 1, PUBLISHED, channel_id="fb-asean-hue")
    read(db, FIRST, delivery_id, {"views": 120, "reactions": 4, "shares": None})
    read(db, SECOND, delivery_id, {"views": 1500, "reactions": 31, "shares": None})
    return post_of(db, delivery_id), delivery_id


def test_the_post_page_shows_the_latest_figures_when_read_and_why_some_are_missing(
    read_twice: tuple[int, int], officer_client: TestClient
) -> None:
    post_id, delivery_id = read_twice
    page = officer_client.get(f"/posts/{post_id}")
    assert page.status_code == 200
    part = figures_part(page.text, delivery_id)
    assert figure_of(part, "views") == "Lượt xem=1.500"
    assert figure_of(part, "reactions") == "Lượt thích, cảm xúc=31"
    assert figure_of(part, "shares") == "Chia sẻ=—"  # never reported: no figure, not 0
    assert "Đọc lúc <time>Thứ Bảy, 21/11/2026 09:00</time>" in part  # the zone's local time
    assert "Lượt xem: Trang chưa đủ 100 lượt thích nên không có lượt xem" in unescape(part)
    # The page's policy is untouched: the chart is an image, not a script.
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "<script" not in part


def test_the_post_page_in_english(read_twice: tuple[int, int], officer_client: TestClient) -> None:
    post_id, delivery_id = read_twice
    part = figures_part(officer_client.get(f"/posts/{post_id}?lang=en").text, delivery_id)
    assert figure_of(part, "views") == "Views=1,500"
    assert figure_of(part, "shares") == "Shares=—"
    assert "Read at <time>Sat 21 Nov 2026, 09:00</time>" in part
    assert "Views: The page has fewer than 100 likes, so no views" in unescape(part)


def test_the_chart_is_embedded_with_words_and_a_table_of_its_numbers(
    read_twice: tuple[int, int], officer_client: TestClient
) -> None:
    post_id, delivery_id = read_twice
    part = unescape(figures_part(officer_client.get(f"/posts/{post_id}").text, delivery_id))
    img = re.search(r'<img class="figures-chart" src="([^"]+)" alt="([^"]+)"', part)
    assert img is not None
    assert img.group(1) == f"/posts/{post_id}/deliveries/{delivery_id}/figures.svg"
    assert img.group(2) == (
        "Biểu đồ số liệu trên fb-asean-hue qua 2 lần đọc (20/11/2026 – 21/11/2026): "
        "Lượt xem 120 → 1.500; Lượt thích, cảm xúc 4 → 31"
    )
    table = part[part.index('<div class="sr-only"><table>') : part.index("</table>")]
    rows = re.findall(r"<tr><th scope=\"row\">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td>", table)
    assert rows == [
        ("Thứ Sáu, 20/11/2026 10:00", "120", "4"),
        ("Thứ Bảy, 21/11/2026 09:00", "1.500", "31"),
    ]
    assert "Chia sẻ" not in table  # never reported: nothing to chart


def test_the_chart_route_answers_svg_with_one_line_per_reported_metric(
    read_twice: tuple[int, int], officer_client: TestClient, editor_client: TestClient
) -> None:
    post_id, delivery_id = read_twice
    for client in (officer_client, editor_client):
        answer = client.get(f"/posts/{post_id}/deliveries/{delivery_id}/figures.svg")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("image/svg+xml")
        assert "script-src" not in answer.headers["content-security-policy"]
        root = ET.fromstring(answer.content)
        assert root.tag == f"{SVG}svg"
        lines = {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("id", "").startswith("s")}
        assert set(lines) == {"series-views", "series-reactions"}
        path = lines["series-views"].find(f"{SVG}path")
        assert path is not None
        # Two readings: the line goes through two points.
        assert len(re.findall(r"[ML] ", path.get("d", ""))) == 2
        assert root.find(f".//{SVG}script") is None


def test_a_reading_without_a_figure_is_a_gap_in_the_line_not_a_zero(
    db: Database, officer_client: TestClient
) -> None:
    (delivery_id,) = published_deliveries(db, 1, PUBLISHED, channel_id="fb-asean-hue")
    read(db, FIRST, delivery_id, {"views": 50})
    read(db, SECOND, delivery_id, {"views": None})
    read(db, PUBLISHED + timedelta(days=7), delivery_id, {"views": 900})
    post_id = post_of(db, delivery_id)
    svg = officer_client.get(f"/posts/{post_id}/deliveries/{delivery_id}/figures.svg")
    root = ET.fromstring(svg.content)
    line = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "series-views")
    path = line.find(f"{SVG}path")
    assert path is not None
    # Two separate moves (M) and no line (L) drawn between them: the missing figure is a gap.
    assert re.findall(r"[ML](?= )", path.get("d", "")) == ["M", "M"]
    page = unescape(officer_client.get(f"/posts/{post_id}").text)
    assert "<td>—</td>" in page and "<td>0</td>" not in page


def test_before_the_first_reading_the_page_says_when_it_comes(
    db: Database, officer_client: TestClient
) -> None:
    (delivery_id,) = published_deliveries(db, 1, PUBLISHED, channel_id="fb-asean-hue")
    post_id = post_of(db, delivery_id)
    part = figures_part(officer_client.get(f"/posts/{post_id}").text, delivery_id)
    assert "Chưa có số liệu (đọc lần đầu khoảng 1 giờ sau khi đăng)" in part
    assert "<img" not in part
    english = figures_part(officer_client.get(f"/posts/{post_id}?lang=en").text, delivery_id)
    assert "No figures yet (first read about 1 hour after publishing)" in english
    chart = officer_client.get(f"/posts/{post_id}/deliveries/{delivery_id}/figures.svg")
    assert chart.status_code == 404


def test_another_departments_officer_gets_404_for_the_chart(
    read_twice: tuple[int, int], db: Database, client_for: ClientFor
) -> None:
    post_id, delivery_id = read_twice
    outsider = client_for("cbtt.sdl")
    chart = outsider.get(f"/posts/{post_id}/deliveries/{delivery_id}/figures.svg")
    assert chart.status_code == 404 and "series-views" not in chart.text
    assert outsider.get(f"/posts/{post_id}").status_code == 404
    # A delivery of another post is not reachable through this post's address either.
    (other,) = published_deliveries(db, 1, PUBLISHED, channel_id="fb-asean-hue")
    read(db, FIRST, other, {"views": 7})
    insider = client_for("cbtt.stttt")
    assert insider.get(f"/posts/{post_id}/deliveries/{other}/figures.svg").status_code == 404


# --- the channels page --------------------------------------------------------------------


def channel_part(html: str, channel_id: str) -> str:
    start = html.index(f'id="channel-{channel_id}"')
    return html[start : html.index("</section>", start)]


def window(part: str, key: str) -> str:
    start = part.index(f'class="figures-{key}"')
    return part[start : part.index("</dl>", start) if "</dl>" in part[start:] else None]


@pytest.fixture
def website_figures(db: Database) -> None:
    """web-asean (views and comments): in the last 30 days two posts read and one not; on
    1 November (local, the reporting year's first day) one more; in October one outside both."""
    recent = published_deliveries(db, 3, PUBLISHED, channel_id="web-asean")
    first_day = published_deliveries(
        db, 1, datetime(2026, 10, 31, 18, 0, tzinfo=UTC), channel_id="web-asean"
    )
    october = published_deliveries(
        db, 1, datetime(2026, 10, 10, 2, 0, tzinfo=UTC), channel_id="web-asean"
    )
    read(db, FIRST, recent[0], {"views": 1000, "comments": None})
    read(db, FIRST, recent[1], {"views": 234})
    read(db, datetime(2026, 11, 2, 0, 0, tzinfo=UTC), first_day[0], {"views": 5000})
    read(db, datetime(2026, 10, 11, 0, 0, tzinfo=UTC), october[0], {"views": 70000})


def test_the_channels_page_shows_totals_for_30_days_and_the_year(
    website_figures: None, editor_client: TestClient
) -> None:
    html = editor_client.get("/channels").text
    part = unescape(channel_part(html, "web-asean"))
    recent, year = window(part, "recent"), window(part, "year")
    assert "30 ngày qua" in recent and "2/3 bài có số liệu" in recent
    assert figure_of(recent, "views") == "Lượt xem=1.234"
    assert figure_of(recent, "comments") == "Bình luận=—"  # reported by none: no figure
    assert "Năm báo cáo (từ 01/11/2026)" in year and "3/4 bài có số liệu" in year
    assert figure_of(year, "views") == "Lượt xem=6.234"  # October's 70.000 is last year's
    assert "đọc gần nhất Thứ Sáu, 20/11/2026 10:00" in year
    quiet = unescape(channel_part(html, "yt-hue-asean"))
    assert quiet.count("Chưa có bài nào được đăng.") == 2


def test_the_channels_page_totals_in_english(
    website_figures: None, editor_client: TestClient
) -> None:
    part = unescape(channel_part(editor_client.get("/channels?lang=en").text, "web-asean"))
    recent, year = window(part, "recent"), window(part, "year")
    assert "Last 30 days" in recent and "2/3 posts with figures" in recent
    assert figure_of(recent, "views") == "Views=1,234"
    assert figure_of(recent, "comments") == "Comments=—"
    assert "Reporting year (since 1 Nov 2026)" in year and "3/4 posts with figures" in year
    assert figure_of(year, "views") == "Views=6,234"
