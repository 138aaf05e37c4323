"""The Zalo OA adapter against the Zalo sandbox, over real HTTP.

Covers publishing (text, one image, several images, video), verify polling, every error code in
CHANNELS.md, the single-use refresh rotation (including two processes racing to refresh), bad
configuration, an unanswered request reconciled with `find`, and the connect flow.
"""

from __future__ import annotations

import base64
import hashlib
import multiprocessing
import queue
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests

from channels.base import (
    AuthRequired,
    ChannelError,
    ChannelSetup,
    MediaFile,
    OutcomeUnknown,
    Publication,
    QuotaExceeded,
    RateLimited,
    Rejected,
    Retryable,
)
from channels.credentials import MemoryCredentials
from channels.markers import marker_for
from channels.sandbox.server import Faults, SandboxServer
from channels.sandbox.zalo import OA, ZaloSandbox
from channels.zalo.oa import ZaloOA

CHANNEL = "zalo-test"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
REDIRECT = "http://127.0.0.1:8799/callback"


class MediaLibrary:
    """Stands in for the website's media library: each file gets an address under the sandbox."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.served: list[str] = []

    def public_url(self, media: MediaFile) -> str:
        self.served.append(media.path.name)
        return f"{self.base}/wordpress/wp-content/uploads/loa/{media.path.name}"


def setup_for(url: str, **overrides: Any) -> ChannelSetup:
    settings = {
        "app_id": "1234567890",
        "author": "Sở TT&TT Thừa Thiên Huế",
        "default_cover_url": f"{url}/wordpress/wp-content/uploads/loa/cover-asean-hue.png",
        "verify_poll_seconds": 0.05,
        "verify_poll_attempts": 10,
        **overrides.pop("settings", {}),
    }
    values: dict[str, Any] = {
        "id": CHANNEL,
        "type": "zalo_oa",
        "bases": {"api_base": f"{url}/zalo-openapi", "oauth_base": f"{url}/zalo-oauth"},
        "settings": settings,
        "secrets": {"app_secret": "sandbox-app-secret"},
        "timeout": 5.0,
    }
    values.update(overrides)
    return ChannelSetup(**values)


def make_adapter(sandbox: SandboxServer, **overrides: Any) -> ZaloOA:
    """An adapter on the sandbox, connected through the real consent flow."""
    media_host = overrides.pop("media_host", MediaLibrary(sandbox.url))
    credentials = overrides.pop("credentials", None)
    adapter = ZaloOA(
        setup_for(sandbox.url, **overrides),
        credentials if credentials is not None else MemoryCredentials(),
        media_host=media_host,
    )
    if credentials is None:
        authorization = adapter.authorize(REDIRECT)
        answer = requests.get(authorization.url, allow_redirects=False, timeout=5)
        code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
        adapter.complete(authorization, code)
    return adapter


def zalo(sandbox: SandboxServer) -> ZaloSandbox:
    platform = sandbox.platform("zalo")
    assert isinstance(platform, ZaloSandbox)
    return platform


def control(sandbox: SandboxServer, command: str, **args: Any) -> Any:
    response = requests.post(
        f"{sandbox.url}/_sandbox/control",
        json={"platform": "zalo", "command": command, "args": args},
        timeout=5,
    )
    return response.json()["result"]


def publication(title: str = "Huế - Thành phố Văn hóa ASEAN", **fields: Any) -> Publication:
    values: dict[str, Any] = {
        "post_id": 7,
        "channel_id": CHANNEL,
        "title": title,
        "text": "Huế đón đoàn đại biểu ASEAN.\n\nChương trình gồm hội thảo và triển lãm ảnh.",
        "link": "https://asean.thuathienhue.gov.vn/hue-asean",
        "hashtags": ("ASEAN", "Hue"),
    }
    values.update(fields)
    values.setdefault("marker", marker_for("hue01", values["post_id"], CHANNEL))
    return Publication(**values)


def secrets_of(adapter: ZaloOA) -> list[str]:
    stored = adapter.credentials.load() or {}
    return [stored["access_token"], stored["refresh_token"], "sandbox-app-secret"]


def expire_locally(adapter: ZaloOA) -> dict[str, Any]:
    stored = adapter.credentials.load() or {}
    stored["access_expires_at"] = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    adapter.credentials.save(stored)
    return stored


# -- publishing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["text", "one image", "several images", "video"])
def test_publish(
    sandbox: SandboxServer, kind: str, jpeg: MediaFile, jpegs: list[MediaFile], mp4: MediaFile
) -> None:
    media = {"text": (), "one image": (jpeg,), "several images": tuple(jpegs),
             "video": (jpeg, mp4)}[kind]  # fmt: skip
    adapter = make_adapter(sandbox)
    calls: list[tuple[int, int]] = []
    receipt = adapter.publish(
        publication(media=media), progress=lambda done, total: calls.append((done, total))
    )

    [article] = zalo(sandbox).snapshot()["articles"]
    assert receipt.remote_id == article["id"]
    assert receipt.url == article["url"]
    assert receipt.published_at is not None
    assert article["title"] == "Huế - Thành phố Văn hóa ASEAN"
    assert article["author"] == "Sở TT&TT Thừa Thiên Huế"
    assert article["description"].startswith("Huế đón đoàn đại biểu ASEAN.")
    assert article["status"] == "show"
    images = [m for m in media if m.kind == "image"]
    expected_cover = (
        f"{sandbox.url}/wordpress/wp-content/uploads/loa/{images[0].path.name}"
        if images
        else adapter.setup.settings["default_cover_url"]
    )
    assert article["cover"]["photo_url"] == expected_cover
    body = article["body"]
    assert body[0]["type"] == "text"
    assert "<p>Huế đón đoàn đại biểu ASEAN.</p>" in body[0]["content"]
    assert "#ASEAN #Hue" in body[0]["content"]
    assert [b["url"].rsplit("/", 1)[1] for b in body if b["type"] == "image"] == [
        image.path.name for image in images[1:]
    ]
    assert all(b["caption"] == "Ảnh minh họa: Đại Nội Huế" for b in body if b["type"] == "image")
    videos = [b for b in body if b["type"] == "video"]
    if kind == "video":
        [uploaded] = zalo(sandbox).snapshot()["videos"]
        assert videos[0]["video_id"] == uploaded["video_id"]
        assert uploaded["sha256"] == mp4.sha256
        assert calls == [(0, mp4.size_bytes), (mp4.size_bytes, mp4.size_bytes)]
    else:
        assert videos == [] and calls == []
    public = requests.get(f"{sandbox.url}/zalo-openapi/_public", timeout=5).text
    assert "Huế - Thành phố Văn hóa ASEAN" in public
    assert f'id="article-{article["id"]}"' in public


def test_verify_is_polled_while_zalo_is_still_processing(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    control(sandbox, "set_processing_polls", polls=3)
    receipt = adapter.publish(publication())
    assert receipt.remote_id == zalo(sandbox).snapshot()["articles"][0]["id"]
    assert zalo(sandbox).snapshot()["pending"] == []


def test_polling_that_runs_out_is_an_unknown_outcome_and_find_reconciles(
    sandbox: SandboxServer,
) -> None:
    adapter = make_adapter(sandbox, settings={"verify_poll_attempts": 3})
    control(sandbox, "set_processing_polls", polls=50)
    since = datetime.now(UTC)
    with pytest.raises(OutcomeUnknown, match="may appear"):
        adapter.publish(publication())
    found = adapter.find(publication(), since)
    assert found is not None
    assert found.remote_id == zalo(sandbox).snapshot()["articles"][0]["id"]


def test_description_is_the_summary_or_the_text_cut_at_a_word(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    adapter.publish(publication(text="Hội nhập " * 80))
    adapter.publish(publication(title="Bài thứ hai", settings={"summary": "Tóm tắt ngắn."}))
    first, second = zalo(sandbox).snapshot()["articles"]
    assert len(first["description"]) <= 290
    assert first["description"].endswith("Hội nhập…")
    assert second["description"] == "Tóm tắt ngắn."


def test_the_public_page_sanitizes_whatever_html_an_article_carries(
    sandbox: SandboxServer,
) -> None:
    adapter = make_adapter(sandbox)
    article = {
        "type": "normal", "title": "<b>Tiêu đề</b>", "author": "Sở", "description": "Mô tả",
        "cover": {"cover_type": "photo", "photo_url": "https://example.org/a.jpg",
                  "status": "show"},
        "body": [{"type": "text", "content": "<p>ok</p><script>alert(1)</script>"}],
        "status": "show", "comment": "show",
    }  # fmt: skip
    adapter.api.call("POST", "/v2.0/article/create", "raw", json=article)
    public = requests.get(f"{sandbox.url}/zalo-openapi/_public", timeout=5).text
    assert "<p>ok</p>" in public
    assert "<script>alert" not in public
    assert "&lt;b&gt;Tiêu đề&lt;/b&gt;" in public


# -- errors --------------------------------------------------------------------------------------

REJECTED = ["-201", "-209", "-212", "-223", "-219", "-221", "-224", "-240", "-248", "-320", "-321"]
ERRORS: list[tuple[str, str, str, type[ChannelError]]] = [
    ("-32", "/article/create", "publish", RateLimited),
    ("-211", "/article/create", "publish", QuotaExceeded),
    ("-214", "/article/create", "publish", Retryable),
    ("-234", "/article/create", "publish", Retryable),
    *[(code, "/article/create", "publish", Rejected) for code in REJECTED],
    ("-248", "/article/verify", "publish", Rejected),
    ("-32", "/article/verify", "publish", OutcomeUnknown),  # create landed: only a refusal is sure
    ("500", "/article/verify", "publish", OutcomeUnknown),
    ("500", "/article/create", "publish", OutcomeUnknown),  # a 5xx page before a write
    ("502html", "/article/create", "publish", OutcomeUnknown),
    ("notype", "/article/create", "publish", OutcomeUnknown),
    ("500", "/oa/getoa", "verify", Retryable),
    ("502html", "/article/getslice", "find", Retryable),
    ("-32", "/oa/getoa", "verify", RateLimited),
    ("-240", "/oa/getoa", "verify", Rejected),
    ("-999", "/oa/getoa", "verify", Rejected),  # a code nobody documented: a person looks
]


@pytest.mark.parametrize(("code", "path", "operation", "expected"), ERRORS)
def test_errors_map_onto_the_error_tree(
    sandbox: SandboxServer, code: str, path: str, operation: str, expected: type[ChannelError]
) -> None:
    adapter = make_adapter(sandbox)
    zalo(sandbox).faults = Faults(fail_next=[code], paths=[path])
    with pytest.raises(ChannelError) as raised:
        if operation == "publish":
            adapter.publish(publication())
        elif operation == "find":
            adapter.find(publication(), datetime.now(UTC))
        else:
            adapter.verify()
    error = raised.value
    assert type(error) is expected or (expected is Retryable and isinstance(error, Retryable))
    for secret in secrets_of(adapter):
        assert secret not in str(error)
    now = datetime.now(UTC)
    if isinstance(error, RateLimited):
        assert error.retry_after == 60
    if code == "-211":
        assert isinstance(error, QuotaExceeded) and error.until is not None
        local = error.until.astimezone(VIETNAM)
        assert (local.hour, local.minute) == (0, 0)
        assert now < error.until <= now + timedelta(days=1)
    if code == "-234":
        assert isinstance(error, Retryable) and error.retry_after is not None
        assert 0 < error.retry_after <= 24 * 3600
        ready = (now + timedelta(seconds=error.retry_after)).astimezone(VIETNAM)
        assert (ready.hour, ready.minute) in ((6, 0), (5, 59))
        assert "reschedule" in str(error)
    if code == "-248":
        assert "content policy violation" in str(error)


def test_a_token_error_refreshes_once_and_retries(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    before = adapter.credentials.load() or {}
    zalo(sandbox).faults = Faults(fail_next=["-124"], paths=["/oa/getoa"])
    assert adapter.verify().id == OA["oa_id"]
    after = adapter.credentials.load() or {}
    assert zalo(sandbox).snapshot()["refreshes"] == 1
    assert after["refresh_token"] != before["refresh_token"]


def test_a_second_token_error_after_the_refresh_needs_a_person(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    zalo(sandbox).faults = Faults(fail_next=["-216", "-216"], paths=["/oa/getoa"])
    with pytest.raises(AuthRequired, match=f"loa channels connect {CHANNEL}"):
        adapter.verify()
    assert zalo(sandbox).snapshot()["refreshes"] == 1


# -- token refresh -------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["expiring soon", "expired at Zalo"])
def test_the_token_is_refreshed_and_the_new_pair_saved(sandbox: SandboxServer, how: str) -> None:
    adapter = make_adapter(sandbox)
    old = expire_locally(adapter) if how == "expiring soon" else adapter.credentials.load() or {}
    if how == "expired at Zalo":
        control(sandbox, "expire_tokens")
    assert adapter.verify().name == OA["name"]
    new = adapter.credentials.load() or {}
    assert zalo(sandbox).snapshot()["refreshes"] == 1
    assert new["access_token"] != old["access_token"]
    assert new["refresh_token"] != old["refresh_token"]
    assert new["oa_id"] == OA["oa_id"]
    expires = datetime.fromisoformat(new["access_expires_at"])
    assert timedelta(hours=24) < expires - datetime.now(UTC) <= timedelta(hours=25)
    assert zalo(sandbox).refresh[old["refresh_token"]]["used"]
    adapter.verify()  # the new pair is good: no further refresh
    assert zalo(sandbox).snapshot()["refreshes"] == 1


def test_a_refresh_token_used_twice_is_refused_and_needs_a_person(sandbox: SandboxServer) -> None:
    first = make_adapter(sandbox)
    stale = expire_locally(first)
    first.verify()  # rotates: the stored refresh token is now spent at Zalo
    # A second store still holding the old pair: what an unlocked second refresher would do.
    second = make_adapter(sandbox, credentials=MemoryCredentials(stale))
    with pytest.raises(AuthRequired, match="re-authorise") as raised:
        second.verify()
    assert "-14014" in str(raised.value)
    assert stale["refresh_token"] not in str(raised.value)
    assert zalo(sandbox).snapshot()["refresh_requests"] == 2


@pytest.mark.parametrize(
    ("fault", "code"), [("expire_refresh_tokens", "-14020"), ("inject", "-14014")]
)
def test_a_dead_refresh_token_needs_a_person(sandbox: SandboxServer, fault: str, code: str) -> None:
    adapter = make_adapter(sandbox)
    expire_locally(adapter)
    if fault == "inject":
        zalo(sandbox).faults = Faults(fail_next=[code], paths=["/access_token"])
    else:
        control(sandbox, fault)
    with pytest.raises(AuthRequired, match=f"loa channels connect {CHANNEL}") as raised:
        adapter.verify()
    assert code in str(raised.value)


def _race(
    db_url: str, key: bytes, url: str, barrier: Any, results: multiprocessing.Queue[Any]
) -> None:
    """One worker process: its own database connection, its own adapter, then verify()."""
    from content.db import Database
    from loa.credentials import DatabaseCredentials

    adapter = ZaloOA(setup_for(url), DatabaseCredentials(Database(db_url), CHANNEL, key))
    barrier.wait(timeout=30)
    try:
        results.put(("ok", adapter.verify().id))
    except Exception as exc:
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def test_two_processes_racing_to_refresh_rotate_the_token_once(
    sandbox: SandboxServer, tmp_path: Any
) -> None:
    from cryptography.fernet import Fernet

    from content.db import Database
    from content.models import Channel, Department
    from loa.credentials import DatabaseCredentials

    db_url = f"sqlite:///{tmp_path / 'loa.db'}"
    db = Database(db_url)
    db.upgrade()
    with db.write() as session:
        session.add(Department(code="STTTT", name_vi="Sở TT&TT", name_en="DIC"))
        session.flush()
        session.add(Channel(id=CHANNEL, type="zalo_oa", department_code="STTTT"))
    key = Fernet.generate_key()
    store = DatabaseCredentials(db, CHANNEL, key)
    platform = zalo(sandbox)
    pair = control(sandbox, "issue_tokens")
    now = datetime.now(UTC)
    store.save({**pair, "access_expires_at": (now - timedelta(minutes=1)).isoformat(),
                "refresh_expires_at": (now + timedelta(days=80)).isoformat()})  # fmt: skip
    control(sandbox, "expire_tokens")
    # A slow token endpoint widens the window in which an unlocked second refresh would slip in.
    platform.faults = Faults(latency_ms=300, paths=["/access_token"])

    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=_race, args=(db_url, key, sandbox.url, barrier, results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    try:
        outcomes = [results.get(timeout=60) for _ in workers]
    except queue.Empty:
        pytest.fail("a worker process gave no answer")
    finally:
        for worker in workers:
            worker.join(timeout=10)
    db.dispose()

    assert outcomes == [("ok", OA["oa_id"]), ("ok", OA["oa_id"])]
    snapshot = platform.snapshot()
    assert snapshot["refresh_requests"] == 1
    assert snapshot["refreshes"] == 1
    stored = store.load() or {}
    assert stored["refresh_token"] != pair["refresh_token"]
    assert platform.refresh[stored["refresh_token"]]["used"] is False
    assert platform.access[stored["access_token"]] > datetime.now(UTC).timestamp()


# -- configuration, unknown outcomes, find, verify, connecting -----------------------------------


def _no_media_host(sandbox: SandboxServer, jpeg: MediaFile) -> None:
    make_adapter(sandbox, media_host=None).publish(publication(media=(jpeg,)))


def _no_cover(sandbox: SandboxServer, jpeg: MediaFile) -> None:
    adapter = make_adapter(sandbox, settings={"default_cover_url": ""})
    adapter.publish(publication())


def _http_cover(sandbox: SandboxServer, jpeg: MediaFile) -> None:
    adapter = make_adapter(sandbox, settings={"default_cover_url": "http://example.org/a.jpg"})
    adapter.publish(publication())


def _no_api_base(sandbox: SandboxServer, jpeg: MediaFile) -> None:
    adapter = make_adapter(sandbox)
    replace_setup(adapter, bases={"oauth_base": f"{sandbox.url}/zalo-oauth"}).verify()


def _no_oauth_base(sandbox: SandboxServer, jpeg: MediaFile) -> None:
    adapter = make_adapter(sandbox)
    expire_locally(adapter)
    replace_setup(adapter, bases={"api_base": f"{sandbox.url}/zalo-openapi"}).verify()


def _no_secret(sandbox: SandboxServer, jpeg: MediaFile) -> None:
    adapter = make_adapter(sandbox)
    expire_locally(adapter)
    replace_setup(adapter, secrets={}).verify()


def _no_credentials(sandbox: SandboxServer, jpeg: MediaFile) -> None:
    make_adapter(sandbox, credentials=MemoryCredentials()).publish(publication())


def _no_app_id(sandbox: SandboxServer, jpeg: MediaFile) -> None:
    adapter = make_adapter(sandbox, credentials=MemoryCredentials(), settings={"app_id": ""})
    adapter.authorize(REDIRECT)


def replace_setup(adapter: ZaloOA, **changes: Any) -> ZaloOA:
    return ZaloOA(replace(adapter.setup, **changes), adapter.credentials)


@pytest.mark.parametrize(
    ("case", "expected", "words"),
    [
        (_no_media_host, Rejected, "Zalo needs public image URLs: configure a media host"),
        (_no_cover, Rejected, "needs a cover"),
        (_http_cover, Rejected, "Invalid parameter: cover.photo_url"),
        (_no_api_base, Rejected, "api_base"),
        (_no_oauth_base, Rejected, "oauth_base"),
        (_no_secret, AuthRequired, "app_secret"),
        (_no_credentials, AuthRequired, "not connected"),
        (_no_app_id, AuthRequired, "app_id"),
    ],
)
def test_bad_configuration(
    sandbox: SandboxServer, jpeg: MediaFile, case: Any, expected: type[ChannelError], words: str
) -> None:
    with pytest.raises(expected, match=words):
        case(sandbox, jpeg)
    assert zalo(sandbox).snapshot()["articles"] == []


def test_an_unanswered_create_is_an_unknown_outcome_and_find_finds_the_article(
    sandbox: SandboxServer, jpeg: MediaFile
) -> None:
    adapter = make_adapter(sandbox, timeout=1.0)
    since = datetime.now(UTC)
    zalo(sandbox).faults = Faults(hang_next=1, paths=["/article/create"])
    with pytest.raises(OutcomeUnknown):
        adapter.publish(publication(media=(jpeg,)))
    [article] = zalo(sandbox).snapshot()["articles"]
    found = adapter.find(publication(media=(jpeg,)), since)
    assert found is not None
    assert (found.remote_id, found.url) == (article["id"], article["url"])


def test_find_pages_through_newer_articles_and_ignores_older_and_unknown_ones(
    sandbox: SandboxServer,
) -> None:
    adapter = make_adapter(sandbox)
    since = datetime.now(UTC)
    first = adapter.publish(publication("Bài đầu tiên", post_id=1))
    for number in range(11):  # pushes the first article onto getslice's second page
        adapter.publish(publication(f"Bài số {number}", post_id=100 + number))
    found = adapter.find(publication("Bài đầu tiên", post_id=1), since)
    assert found is not None and found.remote_id == first.remote_id
    assert adapter.find(publication("Chưa từng đăng", post_id=2), since) is None
    later = datetime.now(UTC) + timedelta(hours=1)
    assert adapter.find(publication("Bài đầu tiên", post_id=1), later) is None


def test_verify_names_the_oa(sandbox: SandboxServer) -> None:
    account = make_adapter(sandbox).verify()
    assert (account.id, account.name) == (OA["oa_id"], OA["name"])


def test_connecting_runs_oauth_v4_with_pkce(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox, credentials=MemoryCredentials())
    authorization = adapter.authorize(REDIRECT)
    parts = urlsplit(authorization.url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path == "/zalo-oauth/v4/oa/permission"
    assert query["app_id"] == "1234567890"
    assert query["redirect_uri"] == REDIRECT
    assert query["state"] == authorization.state
    digest = hashlib.sha256(authorization.code_verifier.encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert authorization.code_verifier not in authorization.url

    answer = requests.get(authorization.url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    callback = {k: v[0] for k, v in parse_qs(back.query).items()}
    assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT
    assert callback["state"] == authorization.state
    assert callback["oa_id"] == OA["oa_id"]

    wrong = replace(authorization, code_verifier="not-the-verifier-" * 3)
    with pytest.raises(AuthRequired, match="-14005"):
        adapter.complete(wrong, callback["code"])  # and the code is spent
    answer = requests.get(authorization.url, allow_redirects=False, timeout=5)
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    account = adapter.complete(authorization, code)
    assert account.id == OA["oa_id"]
    stored = adapter.credentials.load() or {}
    assert set(stored) == {
        "access_token", "refresh_token", "access_expires_at", "refresh_expires_at", "oa_id"
    }  # fmt: skip
    refresh_left = datetime.fromisoformat(stored["refresh_expires_at"]) - datetime.now(UTC)
    assert timedelta(days=89) < refresh_left <= timedelta(days=90)
    with pytest.raises(AuthRequired, match="-14005"):
        adapter.complete(authorization, code)  # a code works once
    assert zalo(sandbox).snapshot()["exchanges"] == 1


# -- broadcast -----------------------------------------------------------------------------------


def test_broadcast_sends_the_article_to_every_follower(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox, settings={"broadcast": True})
    receipt = adapter.publish(publication())
    [sent] = zalo(sandbox).snapshot()["broadcasts"]
    assert sent["articles"] == [receipt.remote_id]
    assert sent["target"] == {}
    assert adapter.last_warnings == []


def test_a_failed_broadcast_is_a_warning_not_a_failed_publication(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox, settings={"broadcast": True})
    control(sandbox, "night")
    receipt = adapter.publish(publication())
    assert receipt.remote_id == zalo(sandbox).snapshot()["articles"][0]["id"]
    assert zalo(sandbox).snapshot()["broadcasts"] == []
    [warning] = adapter.last_warnings
    assert "-234" in warning and "reschedule" in warning


# -- the sandbox itself --------------------------------------------------------------------------


def test_the_sandbox_answers_failures_with_http_200_and_a_negative_error(
    sandbox: SandboxServer,
) -> None:
    url = f"{sandbox.url}/zalo-openapi/v2.0/oa/getoa"
    answer = requests.get(url, headers={"access_token": "forged"}, timeout=5)
    assert (answer.status_code, answer.json()["error"]) == (200, -216)
    token = control(sandbox, "issue_tokens")["access_token"]
    control(sandbox, "expire_tokens")
    answer = requests.get(url, headers={"access_token": token}, timeout=5)
    assert (answer.status_code, answer.json()["error"]) == (200, -220)


def test_the_sandbox_uploads_images_updates_and_removes_articles(
    sandbox: SandboxServer, jpeg: MediaFile
) -> None:
    adapter = make_adapter(sandbox)
    call = adapter.api.call
    with jpeg.path.open("rb") as handle:
        files = {"file": ("anh.jpg", handle.read(), "image/jpeg")}
    assert call("POST", "/v2.0/oa/upload/image", "image", files=files)["attachment_id"]
    with pytest.raises(Rejected, match="not supported"):
        call("POST", "/v2.0/oa/upload/image", "image", files={"file": ("a.gif", b"GIF89a", "")})
    with pytest.raises(Rejected, match="maximum limit is 10"):
        call("GET", "/v2.0/article/getslice", "list", params={"limit": 11, "type": "normal"})
    receipt = adapter.publish(publication())
    article = zalo(sandbox).snapshot()["articles"][0]
    changed = {**article, "title": "Tiêu đề mới"}
    assert call("POST", "/v2.0/article/update", "update", json=changed)["token"]
    assert zalo(sandbox).snapshot()["articles"][0]["title"] == "Tiêu đề mới"
    with pytest.raises(Rejected, match="Invalid parameter: title"):
        call("POST", "/v2.0/article/update", "update", json={**article, "title": "x" * 150})
    call("POST", "/v2.0/article/remove", "remove", json={"id": receipt.remote_id})
    assert zalo(sandbox).snapshot()["articles"] == []
