"""The Facebook Page adapter against the Graph sandbox, through the real facebook-sdk.

Everything goes over HTTP to the sandbox fixture: the adapter is pointed there by its base URLs
only. Errors are injected in Facebook's own envelope (`Faults(fail_next=[code])`).
"""

from __future__ import annotations

import hashlib
import importlib
import math
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from channels.base import (
    EDITABLE_FIELDS,
    AuthRequired,
    ChannelError,
    ChannelSetup,
    Editable,
    MediaFile,
    OutcomeUnknown,
    Publication,
    RateLimited,
    Rejected,
    Retryable,
)
from channels.credentials import MemoryCredentials
from channels.facebook.errors import GraphFault, classify, regain_seconds, usage_peak
from channels.facebook.page import FacebookPage
from channels.markers import invisible, strip_invisible
from channels.sandbox.graph import GraphSandbox
from channels.sandbox.graph_model import APP_ID, APP_SECRET, PAGES
from channels.sandbox.server import Faults, SandboxServer

PAGE_ID = "100000000000001"
MiB = 1024 * 1024


def control(sandbox: SandboxServer, command: str, **args: Any) -> Any:
    graph = sandbox.platform("graph")
    with graph.lock:
        return graph.control(command, args)


def state(sandbox: SandboxServer) -> dict[str, Any]:
    graph = sandbox.platform("graph")
    with graph.lock:
        return graph.snapshot()  # type: ignore[no-any-return]


def inject(sandbox: SandboxServer, **faults: Any) -> None:
    graph = sandbox.platform("graph")
    with graph.lock:
        graph.faults = Faults(**faults)


def make_adapter(sandbox: SandboxServer, **overrides: Any) -> FacebookPage:
    """An adapter on the sandbox's first page, with a page token already stored."""
    credentials = overrides.pop("credentials", None)
    if credentials is None:
        token = control(sandbox, "page_token", page_id=PAGE_ID)["access_token"]
        credentials = MemoryCredentials(
            {"page_token": token, "page_id": PAGE_ID, "page_name": PAGES[PAGE_ID][0]}
        )
    bases = {
        "api_base": f"{sandbox.url}/graph",
        "video_base": f"{sandbox.url}/graph-video",
        "web_base": f"{sandbox.url}/graph/_public",
    }
    bases = {k: v for k, v in {**bases, **overrides.pop("bases", {})}.items() if v is not None}
    settings = {
        "page_id": PAGE_ID,
        "app_id": APP_ID,
        "graph_version": "v21.0",
        "video_chunk_bytes": MiB,
        **overrides.pop("settings", {}),
    }
    setup = ChannelSetup(
        id="fb-test",
        type="facebook_page",
        name="Facebook test page",
        bases=bases,
        settings={k: v for k, v in settings.items() if v is not None},
        secrets=overrides.pop("secrets", {"app_secret": APP_SECRET}),
        timeout=overrides.pop("timeout", 5.0),
        **overrides,
    )
    return FacebookPage(setup, credentials)


def publication(tag: str = "", **changes: Any) -> Publication:
    tag = tag or uuid.uuid4().hex[:8]
    pub = Publication(
        post_id=7,
        channel_id="fb-test",
        title=f"Huế chào ASEAN {tag}",
        text=f"Festival Huế 2026 {tag}\nChào mừng bạn bè ASEAN.\n\n<b>Không phải HTML</b>",
        hashtags=("ASEAN", "Hue"),
        marker=f"loa-7-{tag}",
    )
    return replace(pub, **changes)


def secrets_of(adapter: FacebookPage) -> list[str]:
    stored = adapter.credentials.load() or {}
    return [str(stored.get("page_token", "")), APP_SECRET]


def assert_clean(error: Exception, adapter: FacebookPage) -> None:
    for secret in secrets_of(adapter):
        assert secret and secret not in str(error)


# -- publishing ---------------------------------------------------------------------------------


def check_text(snap: dict[str, Any], post: dict[str, Any], pub: Publication, _: Any) -> None:
    assert post["message"] == f"{pub.text}\n\n#ASEAN #Hue{invisible(pub.marker)}"
    assert post["link"] == ""


def check_link(snap: dict[str, Any], post: dict[str, Any], pub: Publication, _: Any) -> None:
    assert post["link"] == pub.link and pub.link not in post["message"]


def check_image(snap: dict[str, Any], post: dict[str, Any], pub: Publication, _: Any) -> None:
    (photo_id,) = post["photos"]
    photo = snap["items"][photo_id]
    assert photo["sha256"] == pub.media[0].sha256 and photo["published"]
    assert pub.link in post["message"]  # no link preview beside a photo: the link stays in text


def check_images(snap: dict[str, Any], post: dict[str, Any], pub: Publication, _: Any) -> None:
    photos = [snap["items"][i] for i in post["photos"]]
    assert [p["sha256"] for p in photos] == [m.sha256 for m in pub.media]
    assert not any(p["published"] or p["temporary"] for p in photos)


def check_video(snap: dict[str, Any], post: dict[str, Any], pub: Publication, calls: Any) -> None:
    video = snap["items"][post["video"]]
    size = pub.media[0].size_bytes
    assert video["sha256"] == pub.media[0].sha256 and video["title"] == pub.title
    assert calls[-1] == (size, size) and len(calls) == math.ceil(size / MiB)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        ("text", check_text),
        ("link", check_link),
        ("one image", check_image),
        ("several images", check_images),
        ("video", check_video),
    ],
)
def test_publishes(
    kind: str,
    check: Callable[..., None],
    sandbox: SandboxServer,
    jpeg: MediaFile,
    jpegs: list[MediaFile],
    mp4: MediaFile,
) -> None:
    media = {"one image": (jpeg,), "several images": tuple(jpegs), "video": (mp4,)}.get(kind, ())
    link = None if kind == "text" else "https://asean.thuathienhue.gov.vn/festival"
    pub = publication(media=media, link=link)
    calls: list[tuple[int, int]] = []
    receipt = make_adapter(sandbox).publish(pub, lambda done, total: calls.append((done, total)))
    snap = state(sandbox)
    item = snap["items"][receipt.remote_id]
    post = snap["items"][item["post_id"]] if item["kind"] == "video" else item
    assert post["kind"] == "post" and post["published"] and post["page_id"] == PAGE_ID
    assert receipt.url == f"{sandbox.url}/graph/_public/{receipt.remote_id}"
    check(snap, post, pub, calls)
    public = requests.get(receipt.url, timeout=5).text
    assert "Chào mừng bạn bè ASEAN.<br>" in public and "&lt;b&gt;Không phải HTML" in public
    for media_id, media in zip(post["photos"] + [post["video"]], pub.media, strict=False):
        assert f'/_media/{media_id}"' in public
        served = requests.get(f"{sandbox.url}/graph-video/_media/{media_id}", timeout=5)
        assert hashlib.sha256(served.content).hexdigest() == media.sha256


def test_goes_through_facebook_sdk_with_form_data(
    sandbox: SandboxServer, jpegs: list[MediaFile], monkeypatch: pytest.MonkeyPatch
) -> None:
    sdk = importlib.import_module("facebook")
    original, paths = sdk.GraphAPI.request, []

    def spy(self: Any, path: str, *args: Any, **kwargs: Any) -> Any:
        paths.append(path)
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(sdk.GraphAPI, "request", spy)
    receipt = make_adapter(sandbox).publish(publication(media=tuple(jpegs[:2])))
    assert paths == [f"v21.0/{PAGE_ID}/photos"] * 2 + [f"v21.0/{PAGE_ID}/feed"]
    assert sdk.FACEBOOK_GRAPH_URL == "https://graph.facebook.com/"  # restored after each call
    items = state(sandbox)["items"]
    assert items[receipt.remote_id]["content_type"] == "application/x-www-form-urlencoded"
    assert {items[i]["content_type"] for i in items[receipt.remote_id]["photos"]} == {
        "multipart/form-data"
    }


def test_scheduled_post_is_held_by_facebook(sandbox: SandboxServer, jpegs: list[MediaFile]) -> None:
    adapter = make_adapter(sandbox)
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    pub = publication(media=tuple(jpegs[:2]), scheduled_at=due)
    since = datetime.now(UTC)
    receipt = adapter.publish(pub)
    items = state(sandbox)["items"]
    post = items[receipt.remote_id]
    assert not post["published"] and post["scheduled_publish_time"] == int(due.timestamp())
    assert all(items[i]["temporary"] for i in post["photos"])
    assert receipt.published_at == due
    assert adapter.find(pub, since) == receipt
    with pytest.raises(Rejected, match="30 days"):
        adapter.publish(replace(pub, scheduled_at=due + timedelta(days=40)))


@pytest.mark.parametrize(
    "fault",
    [
        {"fail_next": ["500"]},
        {"fail_next": ["502html"]},
        {"hang_next": 1},  # the chunk lands, its answer is lost
    ],
    ids=["500", "proxy page", "lost answer"],
)
def test_video_upload_resumes_from_the_reported_offset(
    fault: dict[str, Any], sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox, timeout=1.0 if "hang_next" in fault else 5.0)
    inject(sandbox, paths=["upload:"], **fault)
    receipt = adapter.publish(publication(media=(mp4,)))
    snap = state(sandbox)
    assert snap["items"][receipt.remote_id]["sha256"] == mp4.sha256
    asked = [r for r in snap["requests"] if r["method"] == "GET" and "upload:" in r["path"]]
    assert len(asked) == 1


# -- errors -------------------------------------------------------------------------------------

ERRORS: list[tuple[str, type[ChannelError], float | None]] = [
    ("1", Retryable, 60),
    ("2", Retryable, 60),
    ("4", RateLimited, 300),  # no business usage header: the default wait
    ("17", RateLimited, 420),  # the sandbox announces 7 minutes
    ("32", RateLimited, 420),
    ("613", RateLimited, 420),
    ("80001", RateLimited, 420),
    ("341", RateLimited, 420),
    ("368", Retryable, 3600),
    ("100-transient", Retryable, 60),
    ("190", AuthRequired, None),
    ("190-458", AuthRequired, None),
    ("190-460", AuthRequired, None),
    ("190-463", AuthRequired, None),
    ("190-467", AuthRequired, None),
    ("10", Rejected, None),
    ("200", Rejected, None),
    ("100", Rejected, None),
    ("1609005", Rejected, None),
    ("506", OutcomeUnknown, None),
    ("500", OutcomeUnknown, None),  # an HTML 500 page on a write: it may have landed
    ("502html", OutcomeUnknown, None),  # the SDK's "Maintype was not text..."
    ("notype", OutcomeUnknown, None),  # the SDK's bare KeyError
]


@pytest.mark.parametrize(("code", "expected", "wait"), ERRORS, ids=[e[0] for e in ERRORS])
def test_publish_errors_map_to_one_class(
    code: str, expected: type[ChannelError], wait: float | None, sandbox: SandboxServer
) -> None:
    adapter = make_adapter(sandbox)
    inject(sandbox, fail_next=[code], paths=["/feed"])
    with pytest.raises(ChannelError) as caught:
        adapter.publish(publication())
    assert type(caught.value) is expected
    if wait is not None:
        assert isinstance(caught.value, Retryable) and caught.value.retry_after == wait
    assert_clean(caught.value, adapter)


@pytest.mark.parametrize("code", ["500", "502html", "notype"])
def test_unreadable_answers_to_reads_are_retryable(code: str, sandbox: SandboxServer) -> None:
    inject(sandbox, fail_next=[code])
    with pytest.raises(Retryable) as caught:
        make_adapter(sandbox).verify()
    assert type(caught.value) is Retryable


def test_messages_name_the_problem(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    with pytest.raises(Rejected, match="could not read the link"):
        adapter.publish(publication(link="https://tin-tuc.invalid/bai-viet"))
    inject(sandbox, fail_next=["200"])
    with pytest.raises(Rejected, match="pages_manage_posts"):
        adapter.publish(publication())
    inject(sandbox, fail_next=["190-463"])
    with pytest.raises(AuthRequired, match="token expired"):
        adapter.publish(publication())


def test_rate_limited_page_waits_what_facebook_says(sandbox: SandboxServer) -> None:
    control(sandbox, "rate_limit", minutes=3)
    with pytest.raises(RateLimited) as caught:
        make_adapter(sandbox).publish(publication())
    assert caught.value.retry_after == 180


def test_high_usage_stops_calls_before_facebook_does(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    control(sandbox, "rate_limit", minutes=2, percent=96)
    assert adapter.verify().id == PAGE_ID  # answered, with 96% in the usage header
    sent = len(state(sandbox)["requests"])
    with pytest.raises(RateLimited) as caught:
        adapter.publish(publication())
    assert caught.value.retry_after is not None and 100 < caught.value.retry_after <= 120
    assert len(state(sandbox)["requests"]) == sent  # refused without calling Facebook


def test_unanswered_publish_is_unknown_and_then_found(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox, timeout=1.0)
    pub = publication(link="https://asean.thuathienhue.gov.vn/a")
    since = datetime.now(UTC)
    inject(sandbox, hang_next=1, paths=["/feed"])
    with pytest.raises(OutcomeUnknown) as caught:
        adapter.publish(pub)
    assert_clean(caught.value, adapter)
    found = adapter.find(pub, since)
    posts = [i for i, p in state(sandbox)["items"].items() if p["kind"] == "post"]
    assert found is not None and [found.remote_id] == posts


def test_a_hanging_call_does_not_hold_up_other_pages(sandbox: SandboxServer) -> None:
    """The SDK's global base URL is locked only while the SDK builds its request."""
    slow = make_adapter(sandbox, timeout=1.5)
    inject(sandbox, hang_next=1, paths=["/feed"])
    outcome: list[BaseException] = []
    worker = threading.Thread(target=lambda: _catch(outcome, slow.publish, publication()))
    worker.start()
    time.sleep(0.3)  # the slow publish is now waiting for its answer
    started = time.monotonic()
    assert make_adapter(sandbox).verify().id == PAGE_ID
    assert time.monotonic() - started < 0.5 and worker.is_alive()
    worker.join()
    assert [type(e) for e in outcome] == [OutcomeUnknown]
    assert importlib.import_module("facebook").FACEBOOK_GRAPH_URL == "https://graph.facebook.com/"


def _catch(into: list[BaseException], call: Callable[..., Any], *args: Any) -> None:
    try:
        call(*args)
    except BaseException as error:
        into.append(error)


def test_unreachable_graph_is_retryable(sandbox: SandboxServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    adapter = make_adapter(sandbox, bases={"api_base": f"http://127.0.0.1:{port}/graph"})
    with pytest.raises(Retryable) as caught:
        adapter.publish(publication())
    assert type(caught.value) is Retryable
    assert_clean(caught.value, adapter)


# -- correcting what was sent -------------------------------------------------------------------


def test_facebook_can_correct_the_text_and_take_posts_down() -> None:
    caps = FacebookPage.capabilities
    assert caps.editable == {"text", "hashtags"} and caps.can_remove
    assert caps.editable <= EDITABLE_FIELDS


@pytest.mark.parametrize("kind", ["text", "link", "one image", "several images", "video"])
def test_update_changes_the_text_and_find_still_knows_the_post(
    kind: str, sandbox: SandboxServer, jpeg: MediaFile, jpegs: list[MediaFile], mp4: MediaFile
) -> None:
    media = {"one image": (jpeg,), "several images": tuple(jpegs[:2]), "video": (mp4,)}.get(
        kind, ()
    )
    link = "https://asean.thuathienhue.gov.vn/festival" if kind == "link" else None
    adapter = make_adapter(sandbox)
    assert isinstance(adapter, Editable)
    since = datetime.now(UTC)
    pub = publication(media=media, link=link)
    sent = adapter.publish(pub)
    corrected = replace(pub, text="Lịch Festival Huế đã đổi: 8/6", hashtags=("FestivalHue",))

    receipt = adapter.update(corrected, sent)

    assert (receipt.remote_id, receipt.url) == (sent.remote_id, sent.url)
    items = state(sandbox)["items"]
    item = items[sent.remote_id]
    shown = adapter.sent_message(corrected)
    assert item["message"] == shown and strip_invisible(shown).endswith("8/6\n\n#FestivalHue")
    if kind == "link":
        assert item["link"] == link  # the preview card stays as it was
    if kind == "video":
        assert items[item["post_id"]]["message"] == shown
    found = adapter.find(corrected, since)
    assert found is not None and found.remote_id == sent.remote_id


def test_update_keeps_a_held_post_held(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    pub = publication(scheduled_at=due)
    sent = adapter.publish(pub)
    assert sent.scheduled_for == due

    receipt = adapter.update(replace(pub, text="Sửa trước giờ đăng"), sent)

    assert receipt.scheduled_for == due and receipt.published_at == due
    assert not state(sandbox)["items"][sent.remote_id]["published"]


def test_remove_takes_the_post_down_and_a_second_time_is_not_an_error(
    sandbox: SandboxServer, jpeg: MediaFile, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox)
    since = datetime.now(UTC)
    for media in ((), (jpeg,), (mp4,)):
        pub = publication(media=media)
        sent = adapter.publish(pub)
        adapter.remove(sent)
        assert sent.remote_id not in state(sandbox)["items"]
        public = requests.get(sent.url or "", timeout=5).text
        assert pub.text.splitlines()[0] not in public
        adapter.remove(sent)  # already gone: nothing to do
        assert adapter.find(pub, since) is None


def test_corrections_map_errors_like_publishing(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    sent = adapter.publish(publication())
    adapter.remove(sent)
    with pytest.raises(Rejected, match="does not exist"):
        adapter.update(publication(), sent)
    other = make_adapter(sandbox).publish(publication())
    inject(sandbox, fail_next=["190-463"])
    with pytest.raises(AuthRequired, match="token expired"):
        adapter.update(publication(), other)
    inject(sandbox, fail_next=["32"])
    with pytest.raises(RateLimited):
        adapter.remove(other)
    assert other.remote_id in state(sandbox)["items"]


def test_check_counts_the_link_kept_in_the_text_beside_photos(jpeg: MediaFile) -> None:
    room = FacebookPage.capabilities.text_max or 0
    assert room == 63_206 - len(invisible("x"))
    link = "https://asean.thuathienhue.gov.vn/festival"
    filler = "x" * (room - len("\n\n#ASEAN #Hue") - 10)
    alone = publication(text=filler, link=link)  # the link goes apart, as a preview card
    assert FacebookPage.check(alone) == []
    beside_photo = replace(alone, media=(jpeg,))
    (problem,) = FacebookPage.check(beside_photo)
    assert problem.field == "body" and "liên kết" in problem.vi and "link" in problem.en


@pytest.mark.parametrize("link", ["ftp://asean.example/a", "asean.thuathienhue.gov.vn", "https://"])
def test_check_refuses_a_link_facebook_cannot_read(link: str) -> None:
    (problem,) = FacebookPage.check(publication(link=link))
    assert problem.field == "link" and "http" in problem.vi and "http" in problem.en


# -- reconciling and the account ----------------------------------------------------------------


def test_find(sandbox: SandboxServer, jpeg: MediaFile, mp4: MediaFile) -> None:
    adapter = make_adapter(sandbox)
    since = datetime.now(UTC)
    posted = [publication(), publication(media=(jpeg,)), publication(media=(mp4,))]
    receipts = [adapter.publish(pub) for pub in posted]
    found = [adapter.find(pub, since) for pub in posted]
    assert [(f.remote_id, f.url) if f else None for f in found] == [
        (r.remote_id, r.url) for r in receipts
    ]
    assert adapter.find(publication(), since) is None  # never published
    assert adapter.find(posted[0], since + timedelta(minutes=10)) is None  # older than the attempt


def test_verify(sandbox: SandboxServer) -> None:
    account = make_adapter(sandbox).verify()
    assert (account.id, account.name) == (PAGE_ID, PAGES[PAGE_ID][0])
    assert account.url == f"{sandbox.url}/graph/_public/{PAGE_ID}"


# -- connecting ---------------------------------------------------------------------------------


def connect(sandbox: SandboxServer, **overrides: Any) -> tuple[FacebookPage, MemoryCredentials]:
    credentials = MemoryCredentials()
    adapter = make_adapter(sandbox, credentials=credentials, **overrides)
    user_token = control(sandbox, "user_token")["access_token"]
    adapter.complete_token(user_token)
    return adapter, credentials


def test_connect_keeps_only_the_page_token(sandbox: SandboxServer) -> None:
    adapter, credentials = connect(sandbox)
    stored = credentials.load() or {}
    assert set(stored) == {"page_token", "page_id", "page_name"}
    assert stored["page_id"] == PAGE_ID and stored["page_name"] == PAGES[PAGE_ID][0]
    graph = sandbox.platform("graph")
    assert isinstance(graph, GraphSandbox)
    token = graph.tokens[stored["page_token"]]
    assert token.kind == "page" and token.expires is None  # from a long-lived user token
    assert adapter.publish(publication()).remote_id.startswith(f"{PAGE_ID}_")


@pytest.mark.parametrize(
    ("overrides", "expected", "words"),
    [
        ({"settings": {"page_id": "100000000000009"}}, AuthRequired, "does not manage page"),
        ({"secrets": {"app_secret": "wrong-secret"}}, AuthRequired, "app secret"),
        ({"settings": {"app_id": "999"}}, AuthRequired, "app id"),
        ({"secrets": {}}, AuthRequired, "app_secret"),
        ({"settings": {"app_id": None}}, Rejected, "app_id"),
    ],
    ids=["not a page of the user", "wrong secret", "unknown app", "no secret", "no app id"],
)
def test_connect_failures(
    overrides: dict[str, Any], expected: type[ChannelError], words: str, sandbox: SandboxServer
) -> None:
    with pytest.raises(ChannelError, match=words) as caught:
        connect(sandbox, **overrides)
    assert type(caught.value) is expected
    assert "wrong-secret" not in str(caught.value) and "EAA" not in str(caught.value)


def test_connect_with_an_expired_user_token(sandbox: SandboxServer) -> None:
    user_token = control(sandbox, "user_token")["access_token"]
    control(sandbox, "expire_tokens", kind="user_short")
    adapter = make_adapter(sandbox, credentials=MemoryCredentials())
    with pytest.raises(AuthRequired) as caught:
        adapter.complete_token(user_token)
    assert user_token not in str(caught.value)


def test_revoked_token_then_reconnect(sandbox: SandboxServer) -> None:
    """Page tokens do not expire, so Facebook's "refresh" is a person connecting again."""
    adapter, _ = connect(sandbox)
    control(sandbox, "expire_tokens", subcode=460)
    with pytest.raises(AuthRequired, match="password"):
        adapter.publish(publication())
    adapter.complete_token(control(sandbox, "user_token")["access_token"])
    assert adapter.publish(publication()).remote_id


def test_a_user_token_cannot_post_to_the_page(sandbox: SandboxServer) -> None:
    user_token = control(sandbox, "user_token")["access_token"]
    stored = {"page_token": user_token, "page_id": PAGE_ID, "page_name": ""}
    adapter = make_adapter(sandbox, credentials=MemoryCredentials(stored))
    with pytest.raises(Rejected, match="pages_manage_posts") as caught:
        adapter.publish(publication())
    assert user_token not in str(caught.value)


@pytest.mark.parametrize(
    ("overrides", "expected", "words"),
    [
        ({"bases": {"api_base": None}}, Rejected, "api_base"),
        ({"bases": {"video_base": None}}, Rejected, "video_base"),
        ({"settings": {"page_id": None}}, Rejected, "page_id"),
        ({"credentials": MemoryCredentials()}, AuthRequired, "not connected"),
        (
            {"credentials": MemoryCredentials({"page_token": "x", "page_id": "42"})},
            AuthRequired,
            "page 42",
        ),
        ({"settings": {"graph_version": "v1.0"}}, Rejected, "no longer available"),
    ],
    ids=["no api_base", "no video_base", "no page_id", "no credentials", "other page", "old api"],
)
def test_bad_configuration(
    overrides: dict[str, Any],
    expected: type[ChannelError],
    words: str,
    sandbox: SandboxServer,
    mp4: MediaFile,
) -> None:
    adapter = make_adapter(sandbox, **overrides)
    with pytest.raises(ChannelError, match=words) as caught:
        adapter.publish(publication(media=(mp4,)))
    assert type(caught.value) is expected


# -- the sandbox is as strict as Facebook about what requests sends -----------------------------


def test_sandbox_refuses_what_requests_sends_by_default(sandbox: SandboxServer) -> None:
    token = control(sandbox, "page_token", page_id=PAGE_ID)["access_token"]
    url = f"{sandbox.url}/graph/v21.0/{PAGE_ID}/feed"
    listed = {"access_token": token, "attached_media": [{"media_fbid": "1"}, {"media_fbid": "2"}]}
    for data in (listed, {"access_token": token, "message": "x", "published": False}):
        answer = requests.post(url, data=data, timeout=5)
        assert answer.status_code == 400 and answer.json()["error"]["code"] == 100
    assert "X-Business-Use-Case-Usage" in answer.headers


# -- the error table on its own -----------------------------------------------------------------


def test_link_error_as_code_or_subcode() -> None:
    for body in ({"code": 1609005}, {"code": 100, "error_subcode": 1609005}):
        fault = GraphFault.parse({"error": {"message": "Error Posting Link", **body}})
        assert fault is not None
        error = classify(fault, what="posting", status=400, headers={})
        assert isinstance(error, Rejected) and "could not read the link" in str(error)


def test_usage_header() -> None:
    header = '{"1": [{"call_count": 12, "total_time": 97, "estimated_time_to_regain_access": 4}]}'
    headers = {"X-Business-Use-Case-Usage": header}
    assert (usage_peak(headers), regain_seconds(headers)) == (97, 240)
    assert (usage_peak({}), regain_seconds({"X-Business-Use-Case-Usage": "oops"})) == (0, None)
