"""The calendar pages through the real app on a real SQLite database: views, local days,
filters, permissions, banners, observances, and moving posts (JSON, form, undo, refusals).

The test clock stands at Tuesday 1 December 2026, 08:00 in Huế (01:00 UTC).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from content.db import Database
from content.models import Delivery, DeliveryState, Post, PublishingControl
from content.observances import Observance
from content.posts import PostService
from tests.factories import post_input
from tests.web.conftest import ClientFor
from tests.web.helpers import csrf_of
from web.services import WebServices

HUE = ZoneInfo("Asia/Ho_Chi_Minh")


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HUE)


def make(service: PostService, username: str = "cbtt.stttt", **fields: Any) -> int:
    post = service.create(service.actor(username), post_input(**fields))
    assert post.id is not None
    return post.id


def approve(service: PostService, post_id: int, author: str = "cbtt.stttt") -> None:
    service.submit(service.actor(author), post_id)
    service.approve(service.actor("bientap"), post_id)


def cell(html: str, day: str, hour: int | None = None) -> str:
    """The HTML of one day cell (or hour slot) of a view, up to the next cell."""
    marker = f'data-drop-date="{day}"' + (f' data-drop-hour="{hour}"' if hour is not None else "")
    assert marker in html, f"no cell {marker}"
    rest = html.split(marker, 1)[1]
    return rest.split("data-drop-date=", 1)[0]


def scheduled(db: Database, post_id: int) -> datetime | None:
    with db.read() as session:
        post = session.get(Post, post_id)
        assert post is not None
        return post.scheduled_at


def post_state(db: Database, post_id: int) -> str:
    with db.read() as session:
        post = session.get(Post, post_id)
        assert post is not None
        return post.state


def move(client: TestClient, csrf: str | None = None, **fields: Any) -> Any:
    headers = {"Accept": "application/json"}
    if csrf is not None:
        headers["X-CSRF-Token"] = csrf
    return client.post("/calendar/reschedule", json=fields, headers=headers)


# --- the views ----------------------------------------------------------------------------------


def test_a_post_half_past_midnight_local_is_on_its_local_day_in_every_view(
    service: PostService, editor_client: TestClient
) -> None:
    # 00:30 on 1 January in Huế is 17:30 on 31 December in UTC.
    post_id = make(service, title="Chào năm mới 2027", scheduled_at=at(2027, 1, 1, 0, 30))
    assert scheduled(service.db, post_id) == datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    chip = f'data-post="{post_id}"'

    month = editor_client.get("/calendar?view=month&date=2027-01-15").text
    assert chip in cell(month, "2027-01-01") and "00:30" in cell(month, "2027-01-01")
    assert chip not in cell(month, "2026-12-31")
    december = editor_client.get("/calendar?view=month&date=2026-12-10").text  # trailing days
    assert chip in cell(december, "2027-01-01") and chip not in cell(december, "2026-12-31")

    week = editor_client.get("/calendar?view=week&date=2026-12-31").text
    assert chip in cell(week, "2027-01-01", 0)
    assert chip not in cell(week, "2026-12-31", 17)

    assert chip in cell(
        editor_client.get("/calendar?view=day&date=2027-01-01").text, "2027-01-01", 0
    )
    assert chip not in editor_client.get("/calendar?view=day&date=2026-12-31").text

    listed = editor_client.get("/calendar?view=list&date=2027-01-20").text
    assert chip in cell(listed, "2027-01-01") and "Chào năm mới 2027" in listed
    assert chip not in editor_client.get("/calendar?view=list&date=2026-12-20").text


def test_month_navigation_headings_and_weekdays_in_vietnamese_and_english(
    editor_client: TestClient,
) -> None:
    page = editor_client.get("/calendar?view=month&date=2026-12-10")
    assert page.status_code == 200
    assert "Tháng 12/2026" in page.text
    assert re.search(r'role="columnheader">T2<', page.text)
    assert 'href="/calendar?view=month&amp;date=2026-11-01"' in page.text  # previous month
    assert 'href="/calendar?view=month&amp;date=2027-01-01"' in page.text  # next month
    assert 'href="/calendar?view=month&amp;date=2026-12-01"' in page.text  # today
    english = editor_client.get("/calendar?view=month&date=2026-12-10&lang=en").text
    assert "December 2026" in english and 'role="columnheader">Mon<' in english
    week = editor_client.get("/calendar?view=week&date=2026-12-03&lang=vi").text
    assert "Tuần 30/11/2026 – 06/12/2026" in week
    day = editor_client.get("/calendar?view=day&date=2026-12-03").text
    assert "Thứ Năm, 03/12/2026" in day
    # Today by default, in the configured zone.
    today = editor_client.get("/calendar").text
    assert re.search(r'class="cal-day today[^"]*" data-drop-date="2026-12-01"', today)


def test_filters_narrow_the_entries_and_stay_in_the_links(
    service: PostService, editor_client: TestClient
) -> None:
    web = make(service, title="Bài trên web", scheduled_at=at(2026, 12, 3, 9))
    fb = make(
        service,
        title="Bài Facebook",
        channels=["fb-asean-hue"],
        topic="h",
        pillar="AEC",
        scheduled_at=at(2026, 12, 3, 10),
    )
    sdl = make(
        service,
        "cbtt.sdl",
        title="Bài du lịch",
        department="SDL",
        channels=["fb-dulich-hue"],
        scheduled_at=at(2026, 12, 4, 10),
    )
    approve(service, fb)

    def shown(query: str) -> set[int]:
        html = editor_client.get(f"/calendar?view=month&date=2026-12-01&{query}").text
        return {int(found) for found in re.findall(r'class="chip[^"]*" data-post="(\d+)"', html)}

    assert shown("") == {web, fb, sdl}
    assert shown("channel=fb-asean-hue") == {fb}
    assert shown("topic=h") == {fb}
    assert shown("pillar=ASCC") == {web, sdl}
    assert shown("department=SDL") == {sdl}
    assert shown("state=scheduled") == {fb}
    assert shown("state=pending") == {web, sdl}
    page = editor_client.get("/calendar?view=month&date=2026-12-01&channel=fb-asean-hue").text
    assert "date=2026-11-01&amp;channel=fb-asean-hue" in page  # previous month, filter kept
    assert "view=week&amp;date=2026-12-01&amp;channel=fb-asean-hue" in page
    assert '<option value="fb-asean-hue" selected>' in page
    assert '<option value="h">h – Quảng bá Việt Nam và văn hóa ASEAN</option>' in page
    assert '<option value="AEC">AEC – Cộng đồng Kinh tế</option>' in page


def test_an_officer_sees_only_their_department(service: PostService, client_for: ClientFor) -> None:
    own = make(service, title="Bài của Sở TTTT", scheduled_at=at(2026, 12, 3, 9))
    other = make(
        service,
        "cbtt.sdl",
        title="Bài của Sở Du lịch",
        department="SDL",
        channels=["fb-dulich-hue"],
        scheduled_at=at(2026, 12, 3, 10),
    )
    officer = client_for("cbtt.stttt")
    for view in ("month", "week", "day", "list"):
        html = officer.get(f"/calendar?view={view}&date=2026-12-03").text
        assert f'data-post="{own}"' in html, view
        assert f'data-post="{other}"' not in html and "Bài của Sở Du lịch" not in html, view
    # Asking for another department's posts shows nothing of them.
    asked = officer.get("/calendar?view=month&date=2026-12-03&department=SDL").text
    assert f'data-post="{other}"' not in asked and f'data-post="{own}"' not in asked
    # Their channel filter: their department's channels and the shared ones, not SDL's own.
    assert 'value="fb-dulich-hue"' not in asked and 'value="zalo-asean-hue"' in asked
    sdl = client_for("cbtt.sdl").get("/calendar?view=month&date=2026-12-03").text
    assert f'data-post="{other}"' in sdl and f'data-post="{own}"' not in sdl
    assert 'value="fb-dulich-hue"' in sdl
    editor = client_for("bientap").get("/calendar?view=month&date=2026-12-03").text
    assert f'data-post="{own}"' in editor and f'data-post="{other}"' in editor


def entries_in(html: str) -> list[str]:
    """The entries (one per post) of a piece of a page, each as its HTML."""
    return re.findall(r'<li class="chip .*?</li>', html, re.S)


def test_one_entry_per_post_with_a_labelled_badge_and_state_per_channel(
    service: PostService, db: Database, editor_client: TestClient
) -> None:
    post_id = make(
        service,
        channels=["zalo-asean-hue", "web-asean", "fb-asean-hue"],
        scheduled_at=at(2026, 12, 3, 9),
    )
    approve(service, post_id)
    with db.write() as session:
        for delivery in session.exec(select(Delivery).where(Delivery.post_id == post_id)):
            if delivery.channel_id == "zalo-asean-hue":
                delivery.state = DeliveryState.failed
                session.add(delivery)
    html = cell(editor_client.get("/calendar?view=month&date=2026-12-03").text, "2026-12-03")
    (entry,) = entries_in(html)  # three deliveries, one entry
    assert f'data-post="{post_id}" data-time="09:00"' in entry
    # Badges in the channels' order (zalo-asean-hue is ch-0, fb-asean-hue ch-1, web-asean
    # ch-4), each named by its platform, with the state's mark, and its words for readers.
    badges = re.findall(r'<span class="badge (ch-\d) st-(\w+)" title="([^"]*)">(.*?)</span>', entry)
    assert [(css, state) for css, state, _, _ in badges] == [
        ("ch-0", "failed"), ("ch-1", "scheduled"), ("ch-4", "scheduled")
    ]  # fmt: skip
    assert [title for _, _, title, _ in badges] == [
        "zalo-asean-hue: Thất bại", "fb-asean-hue: Chờ đăng", "web-asean: Chờ đăng"
    ]  # fmt: skip
    assert "✗</i> Zalo OA" in badges[0][3] and "◷</i> Facebook" in badges[1][3]
    assert "◷</i> Trang web" in badges[2][3]
    assert '<span class="sr">: Thất bại' in entry
    css = editor_client.get("/calendar/channels.css")
    assert css.headers["content-type"].startswith("text/css")
    assert ".ch-0 { --ch: #1565c0; }" in css.text and ".ch-4 { --ch: #ef6c00; }" in css.text
    # The full views write the states out, in English too.
    day = editor_client.get("/calendar?view=day&date=2026-12-03&lang=en").text
    (entry,) = entries_in(cell(day, "2026-12-03", 9))
    assert '✗</i> Zalo OA <span class="state-words">· Failed' in entry
    assert '◷</i> Website <span class="state-words">· Scheduled' in entry
    assert "Approved · Department of Information and Communications" in entry


def test_deliveries_of_a_post_at_two_times_of_a_day_are_one_entry_in_the_month(
    service: PostService, db: Database, editor_client: TestClient
) -> None:
    post_id = make(service, channels=["web-asean", "fb-asean-hue"], scheduled_at=at(2026, 12, 3, 9))
    approve(service, post_id)
    with db.write() as session:
        facebook = session.exec(
            select(Delivery).where(
                Delivery.post_id == post_id, Delivery.channel_id == "fb-asean-hue"
            )
        ).one()
        facebook.due_at = at(2026, 12, 3, 20)
        session.add(facebook)
    month = editor_client.get("/calendar?view=month&date=2026-12-03").text
    (entry,) = entries_in(cell(month, "2026-12-03"))
    assert 'data-time="09:00"' in entry and "Facebook" in entry and "Trang web" in entry
    # The hour slots of the week show each delivery at its hour; the move form once.
    week = editor_client.get("/calendar?view=week&date=2026-12-03").text
    (morning,) = entries_in(cell(week, "2026-12-03", 9))
    (evening,) = entries_in(cell(week, "2026-12-03", 20))
    assert "Trang web" in morning and "Facebook" not in morning
    assert "Facebook" in evening and 'data-time="20:00"' in evening
    day = editor_client.get("/calendar?view=day&date=2026-12-03").text
    assert day.count(f'class="reschedule" data-post="{post_id}"') == 1


def test_a_rejected_post_looks_different_from_one_waiting_for_review(
    service: PostService, editor_client: TestClient
) -> None:
    waiting = make(service, title="Chờ biên tập", scheduled_at=at(2026, 12, 3, 9))
    service.submit(service.actor("cbtt.stttt"), waiting)
    rejected = make(service, title="Cần sửa", scheduled_at=at(2026, 12, 3, 10))
    service.submit(service.actor("cbtt.stttt"), rejected)
    service.reject(service.actor("bientap"), rejected, "Thiếu nguồn ảnh")
    draft = make(service, title="Đang viết", scheduled_at=at(2026, 12, 3, 11))
    html = cell(editor_client.get("/calendar?view=month&date=2026-12-03").text, "2026-12-03")
    found = {
        int(post): (state, words)
        for post, state, words in re.findall(
            r'data-post="(\d+)".*?<span class="post-state ps-(\w+)"><i aria-hidden="true">.</i> '
            r"([^<]+)</span>",
            html,
            re.S,
        )
    }
    assert found == {
        waiting: ("in_review", "Chờ duyệt"),
        rejected: ("rejected", "Bị trả lại"),
        draft: ("draft", "Nháp"),
    }
    assert f'class="chip ps-rejected" data-post="{rejected}"' in html
    assert f'class="chip ps-in_review" data-post="{waiting}"' in html
    assert "⚑</i> Chờ duyệt" in html and "↩</i> Bị trả lại" in html  # marks, not colour only


def test_a_busy_day_shows_three_posts_and_opens_the_day_for_the_rest(
    service: PostService, editor_client: TestClient
) -> None:
    posts = [
        make(service, title=f"Bài số {n}", scheduled_at=at(2026, 12, 3, 8 + n)) for n in range(5)
    ]
    html = cell(
        editor_client.get("/calendar?view=month&date=2026-12-03&topic=a").text, "2026-12-03"
    )
    shown = [int(post) for post in re.findall(r'class="chip [^"]*" data-post="(\d+)"', html)]
    assert shown == posts[:3]  # the earliest, in time order
    more = re.search(r'<li class="more"><a href="([^"]+)" aria-label="([^"]+)">([^<]+)</a>', html)
    assert more is not None
    assert more.group(1) == "/calendar?view=day&amp;date=2026-12-03&amp;topic=a"  # filter kept
    assert more.group(3) == "+2 bài nữa"
    assert more.group(2) == "Còn 2 bài nữa trong ngày Thứ Năm, 03/12/2026: mở xem theo ngày"
    day = editor_client.get("/calendar?view=day&date=2026-12-03").text
    assert all(f'data-post="{post}"' in day for post in posts)
    english = editor_client.get("/calendar?view=month&date=2026-12-03&lang=en").text
    assert "+2 more posts" in english
    # Three or fewer: no link.
    assert 'class="more"' not in cell(
        editor_client.get("/calendar?view=month&date=2026-12-03").text, "2026-12-04"
    )


def test_the_overflow_counts_posts_not_deliveries(
    service: PostService, db: Database, editor_client: TestClient
) -> None:
    both = ["web-asean", "fb-asean-hue"]
    posts = [
        make(service, title=f"Bài {n}", channels=both, scheduled_at=at(2026, 12, 3, 8 + n))
        for n in range(5)
    ]
    with db.write() as session:  # the first post's Facebook delivery goes out last of the day
        query = select(Delivery).where(Delivery.post_id == posts[0])
        late = session.exec(query.where(Delivery.channel_id == "fb-asean-hue")).one()
        late.due_at = at(2026, 12, 3, 22)
        session.add(late)
    html = cell(editor_client.get("/calendar?view=month&date=2026-12-03").text, "2026-12-03")
    shown = entries_in(html)
    assert [re.findall(r'data-post="(\d+)"', entry)[0] for entry in shown] == [
        str(post) for post in posts[:3]
    ]
    assert "Facebook" in shown[0] and "Trang web" in shown[0]  # its late delivery joined it
    assert "+2 bài nữa" in html  # two posts, four deliveries


def test_the_legend_names_channels_marks_and_post_states(
    editor_client: TestClient, client_for: ClientFor
) -> None:
    for view in ("month", "week", "day", "list"):
        html = editor_client.get(f"/calendar?view={view}&date=2026-12-03").text
        legend = html.split('<section class="cal-legend"', 1)[1].split("</section>", 1)[0]
        assert '<span class="badge ch-0">Zalo OA</span> zalo-asean-hue' in legend, view
        assert '<span class="badge ch-2">Facebook</span> fb-dulich-hue' in legend, view
        assert '<span class="badge ch-3">YouTube</span> yt-hue-asean' in legend, view
        assert '<span class="badge ch-4">Trang web</span> web-asean' in legend, view
        for mark, words in (("✓", "Đã đăng"), ("✗", "Thất bại"), ("◷", "Chờ đăng")):
            assert f'<i aria-hidden="true">{mark}</i> {words}</li>' in legend, view
        for mark, words in (("✎", "Nháp"), ("⚑", "Chờ duyệt"), ("↩", "Bị trả lại")):
            assert f'<i aria-hidden="true">{mark}</i> {words}</span>' in legend, view
    # An officer's legend holds the channels they may see: not another department's own.
    officer = client_for("cbtt.stttt").get("/calendar?view=month&date=2026-12-03").text
    assert "fb-dulich-hue" not in officer.split('class="cal-legend"', 1)[1]


def test_the_pause_banner(db: Database, editor_client: TestClient) -> None:
    assert "TẠM DỪNG" not in editor_client.get("/calendar").text
    with db.write() as session:
        session.add(
            PublishingControl(paused=True, reason="Quốc tang <ba ngày>", changed_by="admin")
        )
    page = editor_client.get("/calendar").text
    assert "Việc đăng bài đang TẠM DỪNG" in page
    assert "Lý do: Quốc tang &lt;ba ngày&gt;" in page and "Người dừng: admin" in page
    assert "Publishing is PAUSED" in editor_client.get("/calendar?lang=en").text


def test_observances_in_the_background_and_the_reminder_banner(
    web_services: WebServices, editor_client: TestClient
) -> None:
    web_services.observances = (
        Observance("Ngày ASEAN", "ASEAN Day", 8, 8, year=1967),
        Observance("Ngày Cộng đồng ASEAN", "ASEAN Community Day", 12, 31, remind_days_before=30),
    )
    december = editor_client.get("/calendar?view=month&date=2026-12-10").text
    assert "★" in cell(december, "2026-12-31") and "Ngày Cộng đồng ASEAN" in cell(
        december, "2026-12-31"
    )
    assert "has-obs" in december.split('data-drop-date="2026-12-31"')[0].rsplit("<div", 1)[1]
    assert "Ngày Cộng đồng ASEAN (31/12/2026) còn 30 ngày: hãy lên kế hoạch nội dung." in december
    august = editor_client.get("/calendar?view=month&date=2027-08-01").text
    assert "Ngày ASEAN, kỷ niệm 60 năm" in cell(august, "2027-08-08")
    english = editor_client.get("/calendar?view=day&date=2027-08-08&lang=en").text
    assert "ASEAN Day, 60th anniversary" in english
    assert "ASEAN Community Day (31 December 2026) in 30 days: plan content." in english
    web_services.observances = ()
    assert "còn 30 ngày" not in editor_client.get("/calendar").text


def test_a_title_with_markup_shows_as_text(service: PostService, editor_client: TestClient) -> None:
    make(
        service, title='<script>alert("x")</script> & <b>ASEAN</b>', scheduled_at=at(2026, 12, 3, 9)
    )
    for view in ("month", "week", "day", "list"):
        html = editor_client.get(f"/calendar?view={view}&date=2026-12-03").text
        assert "<script>alert" not in html and "<b>ASEAN</b>" not in html, view
        shown = html.replace("&#34;", "&quot;")  # Jinja and html.escape write quotes apart
        assert (
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;ASEAN&lt;/b&gt;"
            in shown
        )


def test_entries_link_to_their_post_page(service: PostService, editor_client: TestClient) -> None:
    post_id = make(service, scheduled_at=at(2026, 12, 3, 9))
    html = editor_client.get("/calendar?view=month&date=2026-12-03").text
    assert f'<a href="/posts/{post_id}" title="' in html  # the whole title on hover
    day = editor_client.get("/calendar?view=day&date=2026-12-03").text
    assert f'<a href="/posts/{post_id}">' in day


def test_a_bad_date_is_a_clear_refusal(editor_client: TestClient) -> None:
    response = editor_client.get("/calendar?view=month&date=2026-13-45")
    assert response.status_code == 400  # a page address that cannot be read, not a form
    assert "NNNN-TT-NN" in response.text and "Traceback" not in response.text
    # An unknown view falls back to the month.
    assert 'class="month"' in editor_client.get("/calendar?view=year").text


# --- who may move what --------------------------------------------------------------------------


def test_draggable_only_where_the_user_may_move(
    service: PostService, client_for: ClientFor
) -> None:
    draft = make(service, title="Nháp", scheduled_at=at(2026, 12, 3, 9))
    approved = make(service, title="Đã duyệt", scheduled_at=at(2026, 12, 3, 10))
    approve(service, approved)

    def draggable(username: str) -> set[int]:
        html = client_for(username).get("/calendar?view=month&date=2026-12-03").text
        found = re.findall(r'data-post="(\d+)" data-time="[^"]*" draggable="true"', html)
        return {int(value) for value in found}

    assert draggable("cbtt.stttt") == {draft}  # an officer: not an approved post
    assert draggable("bientap") == {draft, approved}
    assert draggable("cbtt.sdl") == set()  # sees neither


# --- moving by drag and drop (JSON) ------------------------------------------------------------


def test_an_editor_moves_an_approved_post_and_undoes_it(
    service: PostService, db: Database, editor_client: TestClient
) -> None:
    post_id = make(service, channels=["web-asean", "fb-asean-hue"], scheduled_at=at(2026, 12, 3, 9))
    approve(service, post_id)
    csrf = csrf_of(editor_client)
    # Dropped on another day of the month view: the local time is kept.
    response = move(editor_client, csrf, post_id=post_id, date="2026-12-05")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["ok"] is True and answer["date"] == "2026-12-05" and answer["time"] == "09:00"
    assert answer["message"] == f"Đã dời bài #{post_id} sang Thứ Bảy, 05/12/2026 09:00."
    assert answer["undo"] == {
        "post_id": post_id, "date": "2026-12-03", "time": "09:00", "label": "Hoàn tác"
    }  # fmt: skip
    assert scheduled(db, post_id) == at(2026, 12, 5, 9)
    assert post_state(db, post_id) == "approved"  # an editor's move keeps the approval
    with db.read() as session:
        dues = {d.due_at for d in session.exec(select(Delivery).where(Delivery.post_id == post_id))}
    assert dues == {at(2026, 12, 5, 9)}
    # Dropped on an hour slot of the week view: a new time.
    answer = move(editor_client, csrf, post_id=post_id, date="2026-12-06", time="14:00").json()
    assert answer["ok"] and scheduled(db, post_id) == at(2026, 12, 6, 14)
    # Undo: the previous time, through the same endpoint.
    undo = answer["undo"]
    back = move(editor_client, csrf, undo="1", **{k: undo[k] for k in ("post_id", "date", "time")})
    assert back.status_code == 200 and back.json()["ok"] and back.json()["undo"] is None
    assert back.json()["message"] == f"Đã trả bài #{post_id} về Thứ Bảy, 05/12/2026 09:00."
    assert scheduled(db, post_id) == at(2026, 12, 5, 9)
    page = editor_client.get("/calendar?view=week&date=2026-12-05").text
    assert f'data-post="{post_id}"' in cell(page, "2026-12-05", 9)


def test_a_past_time_is_refused_and_nothing_changes(
    service: PostService, db: Database, editor_client: TestClient
) -> None:
    post_id = make(service, scheduled_at=at(2026, 12, 3, 9))
    response = move(editor_client, csrf_of(editor_client), post_id=post_id, date="2026-11-30")
    assert response.status_code == 422
    error = response.json()
    assert error["ok"] is False and error["error"]["code"] == "invalid_input"
    assert error["error"]["field"] == "at" and "đã qua" in error["error"]["message"]
    # Today, but earlier than now (08:00): also the past.
    earlier = move(
        editor_client, csrf_of(editor_client), post_id=post_id, date="2026-12-01", time="07:00"
    )
    assert earlier.status_code == 422
    english = editor_client.post(
        "/calendar/reschedule?lang=en",
        json={"post_id": post_id, "date": "2026-11-30"},
        headers={"X-CSRF-Token": csrf_of(editor_client)},
    )
    assert "is in the past" in english.json()["error"]["message"]
    assert scheduled(db, post_id) == at(2026, 12, 3, 9)


def test_without_the_csrf_token_nothing_moves(
    service: PostService, db: Database, editor_client: TestClient
) -> None:
    post_id = make(service, scheduled_at=at(2026, 12, 3, 9))
    for token in (None, "forged-token"):
        response = move(editor_client, token, post_id=post_id, date="2026-12-05")
        assert response.status_code == 403
        assert "CSRF" in response.text and "Traceback" not in response.text
    assert scheduled(db, post_id) == at(2026, 12, 3, 9)


def test_a_post_being_published_cannot_move(
    service: PostService, db: Database, editor_client: TestClient
) -> None:
    post_id = make(service, channels=["web-asean", "fb-asean-hue"], scheduled_at=at(2026, 12, 3, 9))
    approve(service, post_id)
    with db.write() as session:
        delivery = session.exec(
            select(Delivery).where(Delivery.post_id == post_id, Delivery.channel_id == "web-asean")
        ).one()
        delivery.state = DeliveryState.sending
        session.add(delivery)
    response = move(editor_client, csrf_of(editor_client), post_id=post_id, date="2026-12-05")
    assert response.status_code == 409
    assert "đang được đăng lên web-asean" in response.json()["error"]["message"]
    assert scheduled(db, post_id) == at(2026, 12, 3, 9)
    html = editor_client.get("/calendar?view=month&date=2026-12-03").text
    assert not re.search(rf'data-post="{post_id}" data-time="09:00" draggable', html)


@pytest.mark.parametrize(
    ("username", "status", "words"),
    [
        ("cbtt.sdl", 404, "Không có bài #1."),  # another department's: as if it did not exist
        ("cbtt.stttt", 403, "chỉ biên tập viên được dời lịch bài đã duyệt"),  # approved post
    ],
)
def test_officers_cannot_move_what_they_may_not(
    service: PostService,
    db: Database,
    client_for: ClientFor,
    username: str,
    status: int,
    words: str,
) -> None:
    post_id = make(service, scheduled_at=at(2026, 12, 3, 9))
    approve(service, post_id)
    signed = client_for(username)
    response = move(signed, csrf_of(signed), post_id=post_id, date="2026-12-05")
    assert response.status_code == status
    assert words in response.json()["error"]["message"]
    assert scheduled(db, post_id) == at(2026, 12, 3, 9) and post_state(db, post_id) == "approved"


def test_an_officer_moves_their_own_draft(
    service: PostService, db: Database, officer_client: TestClient
) -> None:
    post_id = make(service, scheduled_at=at(2026, 12, 3, 9))
    response = move(
        officer_client, csrf_of(officer_client), post_id=post_id, date="2026-12-04", time="16:45"
    )
    assert response.status_code == 200 and response.json()["ok"]
    assert scheduled(db, post_id) == at(2026, 12, 4, 16, 45)


def test_unknown_posts_and_bad_input_are_clear_json_refusals(editor_client: TestClient) -> None:
    csrf = csrf_of(editor_client)
    missing = move(editor_client, csrf, post_id=999, date="2026-12-05")
    assert missing.status_code == 404 and "Không có bài #999" in missing.json()["error"]["message"]
    bad = move(editor_client, csrf, post_id="abc", date="2026-12-05")
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "post_id"
    bad_time = move(editor_client, csrf, post_id=999, date="2026-12-05", time="25:99")
    assert bad_time.status_code in (404, 422)
    garbage = editor_client.post(
        "/calendar/reschedule",
        content=b"[not json",
        headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
    )
    assert garbage.status_code == 422 and garbage.json()["ok"] is False


# --- moving with the plain form (keyboard, phone, no script) -------------------------------------


def test_the_reschedule_form_moves_and_offers_an_undo(
    service: PostService, db: Database, editor_client: TestClient
) -> None:
    post_id = make(service, scheduled_at=at(2026, 12, 3, 9))
    day = editor_client.get("/calendar?view=day&date=2026-12-03").text
    assert 'action="/calendar/reschedule"' in day and "Dời lịch" in day
    csrf = csrf_of(editor_client)
    response = editor_client.post(
        "/calendar/reschedule",
        data={"csrf_token": csrf, "post_id": str(post_id), "date": "2026-12-07", "time": "19:30",
              "return_to": "/calendar?view=day&date=2026-12-03&channel=web-asean"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/calendar?view=day&date=2026-12-03&channel=web-asean&moved=")
    assert scheduled(db, post_id) == at(2026, 12, 7, 19, 30)
    page = editor_client.get(location).text
    assert f"Đã dời lịch bài #{post_id}." in page and "Hoàn tác" in page
    assert 'name="undo_date"' not in page and 'name="date" value="2026-12-03"' in page
    undone = editor_client.post(
        "/calendar/reschedule",
        data={"csrf_token": csrf, "post_id": str(post_id), "date": "2026-12-03", "time": "09:00",
              "undo": "1", "return_to": "https://evil.example/"},
        follow_redirects=False,
    )  # fmt: skip
    assert undone.status_code == 303 and undone.headers["location"].startswith("/calendar?moved=")
    assert scheduled(db, post_id) == at(2026, 12, 3, 9)
    assert "về giờ cũ" in editor_client.get(undone.headers["location"]).text


def test_a_refused_form_is_a_clear_page(
    service: PostService, db: Database, editor_client: TestClient
) -> None:
    post_id = make(service, scheduled_at=at(2026, 12, 3, 9))
    response = editor_client.post(
        "/calendar/reschedule",
        data={"csrf_token": csrf_of(editor_client), "post_id": str(post_id),
              "date": "2026-11-01", "time": "09:00"},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "đã qua" in response.text and "Traceback" not in response.text
    assert scheduled(db, post_id) == at(2026, 12, 3, 9)


def test_the_page_loads_its_script_and_styles_from_the_site_only(editor_client: TestClient) -> None:
    html = editor_client.get("/calendar").text
    assert '<script src="/static/calendar.js" defer></script>' in html
    assert re.findall(r"<script[^>]*>([^<]+)</script>", html) == []  # no inline script
    assert ' style="' not in html
    script = editor_client.get("/static/calendar.js")
    assert script.status_code == 200 and "X-CSRF-Token" in script.text
    assert editor_client.get("/static/calendar.css").status_code == 200
