"""`loa demo` end to end, with its clock compressed: the sandbox, the connect flows, the import,
the worker and the progress lines, as a person would see them, in a few seconds."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from sqlmodel import col, select

from channels.sandbox.server import DEFAULT_PORT
from content.models import Attempt, Delivery, Post
from loa.app import open_app
from loa.demo import UNREADABLE_HOST, Timing, run_demo

SECRETS = ("LOA_ZALO_APP_SECRET", "LOA_FB_APP_SECRET", "LOA_YOUTUBE_CLIENT_SECRET")
# The demo's channels as people know them: the platform, then config.yaml's `name:`.
NAMES = {
    "web-asean": "Trang web · Trang thông tin ASEAN tỉnh Thừa Thiên Huế",
    "fb-asean-hue": "Facebook · Thông tin đối ngoại Thừa Thiên Huế",
    "fb-dulich-hue": "Facebook · Du lịch Huế - Visit Hue",
    "yt-hue-asean": "YouTube · Huế - ASEAN",
    "zalo-asean-hue": "Zalo OA Thông tin đối ngoại Thừa Thiên Huế",
    "web-tinh": "Trang tĩnh · Chuyên trang ASEAN - Cổng thông tin điện tử Thừa Thiên Huế",
}
# The static subpage's address among the closing links: its name, then where it is served.
STATIC_LINE = r"^  Trang tĩnh · Chuyên trang ASEAN[^\n]*  (http://127\.0\.0\.1:\d+/asean/)$"
# An event line: its time, what happened, the post, then the channel's name (cut to fit).
EVENT = r"^\d\d:\d\d:\d\d  {}\s+#{} +{}"
# ... never its id (a website's address may hold one, further along the line).
EVENT_WITH_ID = r"^\d\d:\d\d:\d\d  \S+ [^#\n]+#\d+ +(fb|web|yt|zalo)-"


def event(label: str, post_id: int | str, name: str) -> str:
    return EVENT.format(label, post_id, re.escape(name[:30]))


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("LOA_SECRET_KEY", "LOA_ALERT_URL", "LOA_WP_APP_PASSWORD", *SECRETS):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def sandbox_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """What the sandbox held when the demo stopped it."""
    from channels.sandbox.server import SandboxServer

    held: dict[str, Any] = {}
    stop = SandboxServer.stop

    def remember_then_stop(server: SandboxServer) -> None:
        held.update({name: p.snapshot() for name, p in server.platforms.items()})
        held["url"] = server.url
        stop(server)

    monkeypatch.setattr(SandboxServer, "stop", remember_then_stop)
    yield held


def run(folder: Path, lang: str = "vi") -> list[str]:
    return list(run_demo(folder, lang, timing=Timing.compressed()))


def deliveries(folder: Path) -> list[tuple[Delivery, str, list[Attempt]]]:
    loa = open_app(folder / "config.yaml")
    try:
        with loa.db.read() as session:
            rows = session.exec(select(Delivery, Post.state).join(Post)).all()
            attempts = session.exec(select(Attempt).order_by(col(Attempt.number))).all()
    finally:
        loa.close()
    by_delivery: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_delivery.setdefault(attempt.delivery_id, []).append(attempt)
    return [(d, state, by_delivery.get(d.id or 0, [])) for d, state in rows]


def test_the_demo_publishes_the_samples_with_one_retry_and_one_refusal(
    tmp_path: Path, sandbox_state: dict[str, Any]
) -> None:
    folder = tmp_path / "loa-demo"
    lines = run(folder)
    text = "\n".join(lines)

    approved = [(d, a) for d, state, a in deliveries(folder) if state == "approved"]
    assert len(approved) >= 40
    failed = [(d, a) for d, a in approved if d.state == "failed"]
    retried = [(d, a) for d, a in approved if len(a) > 1]
    published = [d for d, _ in approved if d.state == "published"]
    assert len(published) == len(approved) - 1, Counter(d.state for d, _ in approved)
    # The deliberate refusal: one Facebook delivery, its reason kept in plain words.
    [(refused, refused_attempts)] = failed
    assert refused.channel_id == "fb-asean-hue" and len(refused_attempts) == 1
    assert refused.overrides["link"].startswith(f"https://{UNREADABLE_HOST}/")
    assert refused.last_error and "Facebook could not read the link" in refused.last_error
    assert refused_attempts[0].error_kind == "Rejected"
    # The deliberate transient fault: retried once, then published.
    [(again, again_attempts)] = retried
    assert again.channel_id == "web-asean" and again.state == "published"
    assert [a.outcome for a in again_attempts] == ["retry", "published"]
    assert again.attempts == 2 and again_attempts[0].error_kind == "Retryable"
    assert "db_insert_error" in (again_attempts[0].error_message or "")
    # Drafts and posts in review stay where they are: nothing of theirs went out.
    others = [d for d, state, _ in deliveries(folder) if state != "approved"]
    assert others and {d.state for d in others} == {"pending"}

    # Exactly one post on the platforms per published delivery, none for the refused one.
    on_platform: Counter[str] = Counter()
    on_platform["web-asean"] = len(sandbox_state["wordpress"]["posts"])
    on_platform["yt-hue-asean"] = len(sandbox_state["youtube"]["videos"])
    on_platform["zalo-asean-hue"] = len(sandbox_state["zalo"]["articles"])
    # The static subpage: the posts its index records, each with its page on the disk.
    site = folder / "loa-site" / "asean"
    written = json.loads((site / ".loa" / "manifest.json").read_text(encoding="utf-8"))["posts"]
    on_platform["web-tinh"] = len(written)
    for delivery in published:
        if delivery.channel_id == "web-tinh":
            assert delivery.remote_id in written and delivery.remote_url
            page = delivery.remote_url.split("/asean/", 1)[1]
            assert (site / page).is_file(), delivery.remote_url
    items = sandbox_state["graph"]["items"]
    for delivery in published:
        if delivery.channel_id.startswith("fb-"):
            assert delivery.remote_id in items, delivery
            on_platform[delivery.channel_id] += 1
    pages = {"100000000000001": "fb-asean-hue", "100000000000002": "fb-dulich-hue"}
    top_level = Counter(  # a photo or a video comes with a post that shows it
        pages[item["page_id"]] for item in items.values() if item["kind"] == "post"
    )
    assert Counter(d.channel_id for d in published) == on_platform
    assert top_level == Counter(d.channel_id for d in published if d.channel_id.startswith("fb-"))
    remote_ids = [d.remote_id for d in published]
    assert len(set(remote_ids)) == len(remote_ids)

    # What a person sees: one line per event, the retry, the refusal, the summary, the links.
    assert lines[0] == f"Không gian chạy thử: {folder}/"
    assert re.search(r"^Đã nạp 32 bài mẫu \(Đã duyệt: \d+, Nháp: \d+, Chờ duyệt: \d+\)", text, re.M)
    for name in NAMES.values():
        assert f"  đã kết nối {name}: " in text
    assert f"#{again.post_id} trên {NAMES['web-asean']}: trang web báo lỗi tạm thời" in text
    assert f"#{refused.post_id} trên {NAMES['fb-asean-hue']}: liên kết trỏ vào" in text
    for delivery in published:
        shown = event("✓ đã đăng", delivery.post_id, NAMES[delivery.channel_id])
        assert re.search(shown, text, re.M)
    assert re.search(event("↻ thử lại", again.post_id, NAMES["web-asean"]), text, re.M), text
    assert re.search(event("✗ thất bại", refused.post_id, NAMES["fb-asean-hue"]), text, re.M)
    assert not re.search(EVENT_WITH_ID, text, re.M)
    # The reason in Vietnamese first, then English, then Facebook's own words.
    said = "lý do (nền tảng từ chối): Đăng bài: Facebook không đọc được liên kết; hãy kiểm tra"
    assert said in text and " / publishing the post: Facebook could not read the link" in text
    assert "lý do (lỗi tạm thời): " in text and "(lần thử 2)" in text
    assert f"{len(published)}/{len(approved)} lượt đã đăng, 1 lượt phải thử lại" in text
    results = lines[lines.index("Kết quả theo kênh:") + 1 :]
    for channel_id in {d.channel_id for d in published}:
        assert any(re.match(rf"  {NAMES[channel_id]} +\d+ đã đăng", line) for line in results)
    assert f"  ✗ #{refused.post_id} {NAMES['fb-asean-hue']}  " in text
    url = sandbox_state["url"]
    for page in ("zalo-openapi", "graph", "youtube", "wordpress"):
        assert f"{url}/{page}/_public" in text
    assert "Trang ASEAN dạng trang tĩnh do Loa dựng (xem thử qua trang web của Loa):" in text
    assert re.search(STATIC_LINE, text, re.M), text
    assert "web-tinh" in {d.channel_id for d in published}
    assert "Lịch đăng của buổi chạy thử (giờ Việt Nam (GMT+7))" in text
    assert "[Đã duyệt · thất bại]" in text and "[Đã duyệt · đã đăng]" in text
    # The figures the platforms reported, read after publishing, by channel, and the report.
    assert "Số liệu từ các nền tảng (sandbox):" in text
    table = lines[lines.index("Số liệu từ các nền tảng (sandbox):") + 1 :]
    total = next(line for line in table if line.strip().startswith("Tổng "))
    assert total.split()[1:3] == [str(len({d.post_id for d in published})), str(len(published))]
    with_figures, deliveries_shown = total.split()[3].split("/")
    # The static subpage is Loa's own folder: no platform counts its readers, so no figures.
    measured = [d for d in published if d.channel_id != "web-tinh"]
    assert deliveries_shown == str(len(published)) and int(with_figures) >= len(measured) - 1
    [report] = folder.glob("bao-cao-asean-20*.docx")
    assert f"Đã viết báo cáo: {report}" in text
    assert report.with_suffix(".xlsx").exists()
    # A report of a day or two: no target of a month is met by a prorated 0, and the closing
    # carries the signer's title of config.yaml's `report:`, the name left to be filled in.
    summary = re.search(r"; đạt (\d+)/(\d+) chỉ tiêu, (\d+) chưa đến kỳ đánh giá$", text, re.M)
    assert summary is not None, text
    doc = Document(str(report))
    closing = next(t for t in doc.tables if t.cell(0, 0).paragraphs[0].text == "Nơi nhận:")
    signer = [p.text for p in closing.cell(0, 1).paragraphs]
    assert signer[:2] == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"] and signer[-1].startswith("………")
    # The secrets were set for the demo only.
    assert not any(os.environ.get(name) for name in SECRETS)


def test_the_demo_speaks_english_runs_twice_and_survives_a_taken_port(
    tmp_path: Path, sandbox_state: dict[str, Any]
) -> None:
    import socket

    folder = tmp_path / "loa-demo"
    first = run(folder, "vi")
    assert any("✓ đã đăng" in line for line in first)
    with socket.socket() as taken:  # someone else on the sandbox's port
        with contextlib.suppress(OSError):  # or already taken by something else: just as well
            taken.bind(("127.0.0.1", DEFAULT_PORT))
        taken.listen()
        second = run(folder, "en")
    text = "\n".join(second)
    assert sandbox_state["url"] != f"http://127.0.0.1:{DEFAULT_PORT}"
    assert re.search(event("✓ published", r"\d+", NAMES["zalo-asean-hue"]), text, re.M)
    assert re.search(event("↻ retrying", r"\d+", "Website · Trang thông tin ASEAN"), text, re.M)
    assert re.search(event("✗ failed", r"\d+", NAMES["fb-asean-hue"]), text, re.M)
    assert not re.search(EVENT_WITH_ID, text, re.M)
    assert "reason (refused by the platform): " in text
    assert "Results by channel:" in text and "See the published posts on the sandbox:" in text
    assert f"{sandbox_state['url']}/graph/_public" in text
    assert "đã đăng" not in text
    states = Counter(d.state for d, state, _ in deliveries(folder) if state == "approved")
    assert states["failed"] == 1 and states["published"] >= 40  # replaced, not added to


def test_the_calendar_page_is_open_while_the_demo_publishes(
    tmp_path: Path, sandbox_state: dict[str, Any]
) -> None:
    import requests

    from tests.web.helpers import csrf_from

    lines = run_demo(tmp_path / "loa-demo", "vi", timing=Timing.compressed())
    announced = None
    for line in lines:
        announced = re.search(r"Lịch đăng bài \(trang web\): (\S+)/calendar .* này: (\S+)$", line)
        if announced:
            break
    assert announced is not None, "the demo did not announce its calendar page"
    url, password = announced.groups()
    with requests.Session() as browser:
        form = browser.get(f"{url}/login", timeout=10)
        signed_in = browser.post(
            f"{url}/login",
            data={"username": "bientap", "password": password, "csrf_token": csrf_from(form.text)},
            timeout=10,
        )
        assert signed_in.status_code == 200 and signed_in.url.startswith(f"{url}/calendar")
        local_today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
        shown = 0
        for day in (local_today, local_today + timedelta(days=1)):  # the run may cross midnight
            page = browser.get(f"{url}/calendar?view=day&date={day.isoformat()}", timeout=10)
            assert page.status_code == 200
            shown += len(re.findall(r'href="/posts/\d+"', page.text))
        assert shown >= 20  # the samples going out now
    # The demo goes on to its end, printing the static subpage's address while its web server
    # still shows it, then stops the page with the sandbox.
    rest, served = [], []
    for line in lines:
        rest.append(line)
        static = re.match(STATIC_LINE, line)
        if static:
            served.append(check_static_subpage(static.group(1), url, tmp_path / "loa-demo"))
    assert any("✓ đã đăng" in line for line in rest)
    assert len(served) == 1, "\n".join(rest)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/login", timeout=5)


def check_static_subpage(address: str, web_url: str, folder: Path) -> str:
    """The printed address answers with the posts published there, on the demo's own web
    server, as do a post's page and a topic's; the site's index is not served."""
    import requests

    assert address == f"{web_url}/asean/"
    home = requests.get(address, timeout=10)
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    loa = open_app(folder / "config.yaml")
    try:
        with loa.db.read() as session:
            rows = session.exec(
                select(Delivery, Post.title)
                .join(Post)
                .where(Delivery.channel_id == "web-tinh", Delivery.state == "published")
            ).all()
    finally:
        loa.close()
    assert rows
    for delivery, title in rows:
        assert html.escape(title, quote=False) in home.text  # 5 posts: all on the first page
        assert delivery.remote_url and delivery.remote_url.startswith(address)
        post = requests.get(delivery.remote_url, timeout=10)
        assert post.status_code == 200 and html.escape(title, quote=False) in post.text
    assert requests.get(f"{address}chu-de/a.html", timeout=10).status_code == 200
    assert requests.get(f"{address}.loa/manifest.json", timeout=10).status_code == 404
    return address


def test_the_calendar_only_mode_loads_four_weeks(tmp_path: Path) -> None:
    lines = list(run_demo(tmp_path / "d", "en", calendar_only=True))
    text = "\n".join(lines)
    assert "Loaded 32 sample posts (Approved: 24, Draft: 3, In review: 5)" in text
    assert "Publishing calendar from " in text
    assert "(Vietnam time (GMT+7))" in text and "Asia/Ho_Chi_Minh" not in text
    # Rows name channels as people know them; the list after the calendar gives each id once.
    rows = [line for line in lines if re.match(r"^  \d\d:\d\d  ", line)]
    assert rows and all(" · " in row or "Zalo OA" in row for row in rows)
    assert not any(channel_id in row for row in rows for channel_id in NAMES)
    assert "  Facebook · Thông tin đối ngoại Thừa Thiên Huế (fb-asean-hue)" in lines
    assert re.search(r"^Total: \d+ posts, \d+ deliveries\.$", text, re.M)
    assert "sandbox" not in text.lower()


def test_ctrl_c_stops_the_worker_sums_up_and_stops_the_sandbox(
    tmp_path: Path, sandbox_state: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from scheduler.worker import Worker

    stopped: list[str] = []
    stop = Worker.stop

    def recorded_stop(self: Worker) -> None:
        stopped.append("worker")
        stop(self)

    monkeypatch.setattr(Worker, "stop", recorded_stop)
    lines = run_demo(tmp_path / "d", timing=Timing.compressed())
    shown: list[str] = []
    for line in lines:
        shown.append(line)
        if "✓" in line:
            shown.append(lines.throw(KeyboardInterrupt))  # Ctrl+C while posts go out
    text = "\n".join(shown)
    assert "Đã dừng theo yêu cầu (Ctrl+C)." in text
    assert "Kết quả theo kênh:" in text and "chưa xong" in text
    assert stopped == ["worker"] and sandbox_state["url"]
    assert not any(os.environ.get(name) for name in SECRETS)
    # Nothing was left half done: what the worker started, it finished or gave back.
    assert {d.state for d, _, _ in deliveries(tmp_path / "d")} <= {
        "pending", "scheduled", "published", "failed",
    }  # fmt: skip


def test_ctrl_c_before_publishing_still_cleans_up(
    tmp_path: Path, sandbox_state: dict[str, Any]
) -> None:
    lines = run_demo(tmp_path / "d", timing=Timing.compressed())
    assert next(lines).startswith("Không gian chạy thử")
    assert next(lines).startswith("Sandbox")
    with pytest.raises(KeyboardInterrupt):
        lines.throw(KeyboardInterrupt)
    assert sandbox_state["url"]  # stopped
    assert not any(os.environ.get(name) for name in SECRETS)
