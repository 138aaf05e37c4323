"""The WordPress adapter against the sandbox site, over HTTP (CHANNELS.md, "Website subpage")."""

from __future__ import annotations

import base64
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from channels.base import (
    Account,
    AuthRequired,
    ChannelError,
    ChannelSetup,
    MediaFile,
    OutcomeUnknown,
    Publication,
    RateLimited,
    Rejected,
    Retryable,
)
from channels.credentials import MemoryCredentials
from channels.http import TimeoutSession
from channels.sandbox.server import Faults, SandboxServer
from channels.sandbox.wordpress import WordPressSandbox
from channels.sandbox.wordpress_site import SEEDED_APP_PASSWORD
from channels.wordpress.adapter import WordPress
from channels.wordpress.library import SiteMemo

USER = "loa-bot"


def make_adapter(
    sandbox: SandboxServer,
    *,
    credentials: MemoryCredentials | None = None,
    session: requests.Session | None = None,
    memo: dict[str, Any] | None = None,
    **overrides: Any,
) -> WordPress:
    """An adapter for the sandbox site, logged in with the seeded application password."""
    setup = ChannelSetup(
        id="web-asean",
        type="wordpress",
        name="Trang thông tin ASEAN",
        bases={"api_base": f"{sandbox.url}/wordpress"},
        settings={"username": USER},
        secrets={"app_password": SEEDED_APP_PASSWORD},
        timeout=5.0,
    )
    return WordPress(
        replace(setup, **overrides), credentials or MemoryCredentials(), session=session, memo=memo
    )


def site(sandbox: SandboxServer) -> WordPressSandbox:
    platform = sandbox.platform("wordpress")
    assert isinstance(platform, WordPressSandbox)
    return platform


def state(sandbox: SandboxServer) -> dict[str, Any]:
    with site(sandbox).lock:
        return site(sandbox).snapshot()  # type: ignore[no-any-return]


def publication(**fields: Any) -> Publication:
    values: dict[str, Any] = {
        "post_id": 7,
        "channel_id": "web-asean",
        "title": "Huế - Thành phố Văn hóa ASEAN",
        "text": "Thừa Thiên Huế chào đón bạn bè ASEAN.\n\nXem thêm: https://hue.gov.vn/asean",
        "hashtags": ("ASEAN", "HueASEAN"),
        "marker": "loa-7-web-asean",
        "topic": "i",
        "pillar": "ASCC",
    }
    return Publication(**(values | fields))


def rest(sandbox: SandboxServer, method: str, route: str, **kwargs: Any) -> requests.Response:
    """A call to the sandbox's REST API as loa-bot, as any WordPress client would make it."""
    kwargs.setdefault("auth", (USER, SEEDED_APP_PASSWORD))
    return requests.request(method, f"{sandbox.url}/wordpress/wp-json{route}", timeout=5, **kwargs)


def secrets_in(text: str) -> list[str]:
    plain = SEEDED_APP_PASSWORD.replace(" ", "")
    basic = base64.b64encode(f"{USER}:{SEEDED_APP_PASSWORD}".encode()).decode()
    return [s for s in (SEEDED_APP_PASSWORD, plain, basic, plain[:8]) if s in text]


def recording_session(calls: list[tuple[str, str]]) -> TimeoutSession:
    session = TimeoutSession(5.0)
    session.hooks["response"].append(
        lambda response, *_, **__: calls.append((response.request.method, response.request.url))
    )
    return session


# -- publishing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "media_names", [(), ("jpeg",), ("jpegs",), ("mp4",), ("jpeg", "mp4")],
    ids=["text", "one image", "several images", "video", "image and video"],
)  # fmt: skip
def test_publish_puts_the_post_and_its_media_on_the_site(
    sandbox: SandboxServer, request: pytest.FixtureRequest, media_names: tuple[str, ...]
) -> None:
    media: list[MediaFile] = []
    for name in media_names:
        value = request.getfixturevalue(name)
        media += value if isinstance(value, list) else [value]
    progress: list[tuple[int, int]] = []
    before = datetime.now(UTC).replace(microsecond=0)

    receipt = make_adapter(sandbox).publish(
        publication(media=tuple(media)), progress=lambda done, total: progress.append((done, total))
    )

    (post,) = state(sandbox)["posts"]
    assert receipt.remote_id == str(post["id"]) and receipt.url == post["link"]
    assert receipt.url == f"{sandbox.url}/wordpress/loa-7-web-asean/"
    assert receipt.published_at is not None and receipt.published_at >= before
    assert (post["status"], post["slug"]) == ("publish", "loa-7-web-asean")
    assert post["categories"] == ["ASEAN - chủ đề i", "ASCC"]
    assert post["tags"] == ["ASEAN", "HueASEAN"]
    assert "<p>Thừa Thiên Huế chào đón bạn bè ASEAN.</p>" in post["content"]
    library = {item["id"]: item for item in state(sandbox)["media"]}
    images = [m for m in media if m.kind == "image"]
    # the post's own library items: attached to it, titled with the officer's file names
    uploaded = {item["slug"]: item for item in library.values() if item["post"] == post["id"]}
    assert set(uploaded) == {f"loa-7-web-asean-{m.sha256[:16]}" for m in media}
    if images:
        featured = library[post["featured_media"]]
        assert featured["title"] == images[0].path.stem
        assert featured["alt_text"] == images[0].alt_text
        assert featured["source_url"] not in post["content"]  # shown once, as the featured image
    else:
        assert post["featured_media"] == 0
    for item in media[1:] if images else media:
        stored = uploaded[f"loa-7-web-asean-{item.sha256[:16]}"]
        tag = "<video" if item.kind == "video" else f'<img src="{stored["source_url"]}"'
        assert tag in post["content"]
    for item in media:  # the files are public: Zalo articles show them by address
        stored = uploaded[f"loa-7-web-asean-{item.sha256[:16]}"]
        served = requests.get(stored["source_url"], timeout=5)
        assert served.content == item.path.read_bytes()
        assert served.headers["Content-Type"] == item.mime
    total = sum(m.size_bytes for m in media)
    assert (progress[-1] if progress else (0, 0)) == (total, total)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)


def test_terms_are_found_created_or_taken_from_term_exists_and_cached(
    sandbox: SandboxServer,
) -> None:
    # WordPress stores "&" as "&amp;", so searching the plain name finds nothing: the create
    # call answers term_exists with the id.
    existing = rest(sandbox, "POST", "/wp/v2/categories", json={"name": "Sự kiện & lễ hội"})
    assert existing.json()["name"] == "Sự kiện &amp; lễ hội"
    calls: list[tuple[str, str]] = []
    adapter = make_adapter(sandbox, session=recording_session(calls))
    settings = {"categories": {"a": "Sự kiện & lễ hội"}, "summary": "Tóm tắt ngắn."}
    first = publication(topic="a", pillar=None, hashtags=("ASEAN", "asean"), settings=settings)

    adapter.publish(first)
    adapter.publish(replace(first, marker="loa-8-web-asean", post_id=8))

    posts = state(sandbox)["posts"]
    assert [post["categories"] for post in posts] == [["Sự kiện & lễ hội"]] * 2
    assert [post["tags"] for post in posts] == [["ASEAN"]] * 2  # one tag, whatever the case
    assert posts[0]["excerpt"] == "Tóm tắt ngắn."
    assert state(sandbox)["categories"] == ["Chưa phân loại", "Sự kiện & lễ hội"]
    term_calls = [c for c in calls if "/categories" in c[1] or "/tags" in c[1]]
    # each name: a search, then a create (term_exists for the category); never again after
    assert len(term_calls) == 4


def test_adapters_sharing_a_memo_look_terms_up_once(
    sandbox: SandboxServer, jpeg: MediaFile
) -> None:
    # The worker builds one adapter per publishing thread and gives a channel's adapters one
    # memo: what the first thread learnt of the site, the second does not ask again. Files are
    # each post's own, so every post looks for its copy once and uploads it.
    memo: dict[str, Any] = {}  # the generic per-channel memo Loa provides (NEED_MEMO)
    first_calls: list[tuple[str, str]] = []
    second_calls: list[tuple[str, str]] = []
    first = make_adapter(sandbox, session=recording_session(first_calls), memo=memo)
    second = make_adapter(sandbox, session=recording_session(second_calls), memo=memo)
    alone_calls: list[tuple[str, str]] = []
    alone = make_adapter(sandbox, session=recording_session(alone_calls))

    first.publish(publication(media=(jpeg,)))
    second.publish(publication(media=(jpeg,), post_id=8, marker="loa-8-web-asean"))
    alone.publish(publication(media=(jpeg,), post_id=9, marker="loa-9-web-asean"))

    def term_calls(calls: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [c for c in calls if any(f"/wp/v2/{r}" in c[1] for r in ("categories", "tags"))]

    def media_calls(calls: list[tuple[str, str]]) -> list[str]:
        return [method for method, url in calls if "/wp/v2/media" in url]

    assert term_calls(first_calls)  # it searched and created the terms
    assert term_calls(second_calls) == []
    assert len(term_calls(alone_calls)) == 4  # no memo shared: 4 term searches
    # each post: look for its copy, upload it, attach it
    assert [media_calls(c) for c in (first_calls, second_calls, alone_calls)] == [
        ["GET", "POST", "POST"]
    ] * 3
    assert isinstance(memo["site"], SiteMemo)  # the adapter keeps its own shape inside
    posts = state(sandbox)["posts"]
    assert [post["categories"] for post in posts] == [["ASEAN - chủ đề i", "ASCC"]] * 3
    assert [post["tags"] for post in posts] == [["ASEAN", "HueASEAN"]] * 3
    assert len({post["featured_media"] for post in posts}) == 3


@pytest.mark.parametrize(
    ("native", "ahead", "status"),
    [
        (False, timedelta(hours=2), "publish"),  # Loa's worker keeps the time itself
        (True, timedelta(hours=2), "future"),
        (True, timedelta(seconds=30), "publish"),  # WordPress would publish it at once anyway
        (True, None, "publish"),
    ],
)
def test_a_post_for_later_is_held_by_wordpress_only_when_asked(
    sandbox: SandboxServer, native: bool, ahead: timedelta | None, status: str
) -> None:
    when = None if ahead is None else (datetime.now(UTC) + ahead).replace(microsecond=0)
    pub = publication(scheduled_at=when, settings={"native_schedule": native})
    adapter = make_adapter(sandbox)

    receipt = adapter.publish(pub)

    (post,) = state(sandbox)["posts"]
    assert post["status"] == status
    if status == "future":
        assert receipt.published_at == when and post["date_gmt"] == f"{when:%Y-%m-%dT%H:%M:%S}"
        assert "Văn hóa ASEAN" not in requests.get(f"{sandbox.url}/wordpress/", timeout=5).text
    found = adapter.find(pub, datetime.now(UTC) - timedelta(minutes=1))
    assert found is not None and found.remote_id == receipt.remote_id


def test_a_duplicate_slug_gets_a_suffix_and_find_keeps_to_the_marker(
    sandbox: SandboxServer,
) -> None:
    adapter = make_adapter(sandbox)
    first = adapter.publish(publication())
    second = adapter.publish(publication(post_id=8))  # a person reused the slug by hand

    assert [p["slug"] for p in state(sandbox)["posts"]] == ["loa-7-web-asean", "loa-7-web-asean-2"]
    found = adapter.find(publication(), datetime.now(UTC) - timedelta(minutes=1))
    assert found is not None and found.remote_id == first.remote_id != second.remote_id


def test_markup_an_officer_typed_is_shown_as_text(sandbox: SandboxServer) -> None:
    title = "Huế & ASEAN <b>2025</b>"
    pub = publication(title=title, text="<script>x()</script> 1 < 2", settings={"summary": "<i>"})

    receipt = make_adapter(sandbox).publish(pub)

    (post,) = state(sandbox)["posts"]
    assert post["title"] == "Huế &amp; ASEAN &lt;b&gt;2025&lt;/b&gt;"
    assert post["excerpt"] == "&lt;i&gt;"
    assert "<script>" not in post["content"] and "&lt;script&gt;x()" in post["content"]
    assert receipt.url is not None
    text = requests.get(receipt.url, timeout=5).text
    assert "<title>Huế &amp; ASEAN &lt;b&gt;2025&lt;/b&gt;</title>" in text


def test_find_without_a_marker_goes_by_title_and_time(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    since = datetime.now(UTC) - timedelta(minutes=1)
    receipt = adapter.publish(publication(marker="", title="Huế & ASEAN"))

    found = adapter.find(publication(marker="", title="Huế & ASEAN"), since)
    assert found is not None and found.remote_id == receipt.remote_id
    later = datetime.now(UTC) + timedelta(hours=1)
    assert adapter.find(publication(marker="", title="Huế & ASEAN"), later) is None
    assert adapter.find(publication(marker="", title="Bài khác"), since) is None
    assert adapter.find(publication(marker="loa-404-web-asean"), since) is None


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "path", "error", "words"),
    [
        ("rest_cannot_create", "/wp/v2/posts", AuthRequired, "loa channels connect web-asean"),
        ("incorrect_password", "/wp/v2/posts", AuthRequired, "invalid application password"),
        ("invalid_username", "/wp/v2/posts", AuthRequired, "Error: Unknown username"),
        ("rest_forbidden", "/wp/v2/posts", AuthRequired, "Editor role"),
        ("rest_cannot_publish", "/wp/v2/posts", AuthRequired, "not allowed to publish"),
        ("rest_invalid_param", "/wp/v2/posts", Rejected, "refused these fields: status"),
        ("empty_content", "/wp/v2/posts", Rejected, "Content, title, and excerpt are empty"),
        ("rest_upload_sideload_error", "/wp/v2/media", Rejected, "upload this file type"),
        ("db_insert_error", "/wp/v2/posts", Retryable, "Could not insert post"),
        ("internal_server_error", "/wp/v2/posts", Retryable, "critical error"),
        ("rest_too_many_requests", "/wp/v2/posts", RateLimited, "slow down"),
        ("429", "/wp/v2/posts", RateLimited, "HTTP 429"),
        ("503", "/wp/v2/posts", OutcomeUnknown, "HTTP 503"),
        ("502html", "/wp/v2/posts", OutcomeUnknown, "text/html"),
        ("notype", "/wp/v2/posts", OutcomeUnknown, "no content type"),
        ("502html", "/wp/v2/categories", Retryable, "text/html"),  # a read: nothing changed
        ("db_insert_error", "/wp/v2/tags", Retryable, "looking up the tag"),
    ],
)
def test_every_platform_error_maps_to_one_class(
    sandbox: SandboxServer,
    jpeg: MediaFile,
    code: str,
    path: str,
    error: type[ChannelError],
    words: str,
) -> None:
    site(sandbox).faults = Faults(fail_next=[code], paths=[path])
    pub = publication(media=(jpeg,), hashtags=("ASEAN",), topic="a", pillar=None)

    with pytest.raises(ChannelError) as raised:
        make_adapter(sandbox).publish(pub)

    assert type(raised.value) is error
    assert words in str(raised.value)
    assert "<" not in str(raised.value) and not secrets_in(str(raised.value))
    if code in ("rest_too_many_requests", "429"):
        assert isinstance(raised.value, RateLimited) and raised.value.retry_after == 30


@pytest.mark.parametrize(
    ("setup", "credentials", "error", "words"),
    [
        ({"secrets": {}}, None, AuthRequired, "no application password"),
        ({"settings": {}}, None, AuthRequired, "no WordPress user"),
        ({"bases": {}}, None, Rejected, "`api_base` is not configured"),
        ({"bases": {"api_base": "asean.thuathienhue.gov.vn"}}, None, Rejected, "not valid"),
        ({"secrets": {"app_password": "abcd efgh ijkl mnop qrst uvwx"}}, None, AuthRequired,
         "invalid application password"),
        ({"settings": {"username": "someone"}}, None, AuthRequired, "Unknown username"),
        ({"secrets": {}}, {"username": USER, "app_password": "wrong"}, AuthRequired,
         "invalid application password"),
    ],
    ids=["no password", "no username", "no base URL", "base URL without scheme", "wrong password",
         "unknown user",
         "stored password wrong"],
)  # fmt: skip
def test_bad_configuration_and_credentials(
    sandbox: SandboxServer,
    setup: dict[str, Any],
    credentials: dict[str, Any] | None,
    error: type[ChannelError],
    words: str,
) -> None:
    adapter = make_adapter(sandbox, credentials=MemoryCredentials(credentials), **setup)
    for call in (adapter.verify, lambda: adapter.publish(publication())):
        with pytest.raises(error, match=words) as raised:
            call()
        assert not secrets_in(str(raised.value))
    assert state(sandbox)["posts"] == []


def test_revoked_passwords_and_a_rate_limit_are_told_apart(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    site(sandbox).control("rate_limit", {"seconds": 20})
    with pytest.raises(RateLimited) as limited:
        adapter.verify()
    assert 0 < (limited.value.retry_after or 0) <= 21
    site(sandbox).rate_limited_until = 0.0
    site(sandbox).control("revoke_app_passwords", {})
    with pytest.raises(AuthRequired, match="Application Passwords"):
        adapter.verify()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"title": "", "text": "", "hashtags": (), "link": None}, "title, and excerpt are empty"),
        ({"media": "broken"}, "refused the file"),
        ({"media": "missing"}, "cannot be read"),  # not the site: the file left Loa's library
    ],
)
def test_what_the_site_itself_refuses_is_rejected(
    sandbox: SandboxServer, tmp_path: Any, jpeg: MediaFile, change: dict[str, Any], words: str
) -> None:
    if change.get("media") == "broken":  # a JPEG name on bytes that are no image
        broken = tmp_path / "hong.jpg"
        broken.write_bytes(b"not an image at all")
        change = {"media": (replace(jpeg, path=broken, sha256="c" * 64, size_bytes=19),)}
    if change.get("media") == "missing":
        change = {"media": (replace(jpeg, path=tmp_path / "da-xoa.jpg", sha256="d" * 64),)}
    with pytest.raises(Rejected, match=words):
        make_adapter(sandbox).publish(publication(**change))
    assert state(sandbox)["posts"] == []


def test_an_unanswered_publish_is_an_unknown_outcome_that_find_resolves(
    sandbox: SandboxServer,
) -> None:
    adapter = make_adapter(sandbox, timeout=1.0)
    site(sandbox).faults = Faults(hang_next=1, paths=["/wp/v2/posts"])
    since = datetime.now(UTC) - timedelta(minutes=1)

    with pytest.raises(OutcomeUnknown):
        adapter.publish(publication())

    (post,) = state(sandbox)["posts"]  # the site carried it out
    found = adapter.find(publication(), since)
    assert found is not None and found.remote_id == str(post["id"])


def test_a_site_that_cannot_be_reached_is_retryable(sandbox: SandboxServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    adapter = make_adapter(sandbox, bases={"api_base": f"http://127.0.0.1:{port}/wordpress"})
    with pytest.raises(Retryable, match="could not connect"):
        adapter.publish(publication())


# -- account, media host, permalinks ---------------------------------------------------------


def test_verify_names_the_account_and_the_site(sandbox: SandboxServer) -> None:
    account = make_adapter(sandbox).verify()
    assert account == Account("2", "Loa - đăng bài tự động", f"{sandbox.url}/wordpress")


def test_connect_checks_the_application_password_before_storing_it(
    sandbox: SandboxServer,
) -> None:
    store = MemoryCredentials()
    adapter = make_adapter(sandbox, credentials=store, secrets={})
    with pytest.raises(AuthRequired, match="no application password"):
        adapter.verify()
    with pytest.raises(AuthRequired, match="invalid application password") as refused:
        adapter.complete_token("abcd efgh ijkl mnop qrst uvwx")
    assert store.saves == 0 and not secrets_in(str(refused.value))

    issued = site(sandbox).control("issue_app_password", {"user": USER})
    account = adapter.complete_token(f"  {issued}\n")

    assert account.id == "2" and store.load() == {"username": USER, "app_password": issued}
    assert make_adapter(sandbox, credentials=store, secrets={}).verify() == account
    assert len(issued.replace(" ", "")) == 24


def test_the_site_hosts_media_for_zalo_once_per_file(
    sandbox: SandboxServer, jpeg: MediaFile
) -> None:
    first = make_adapter(sandbox).public_url(jpeg)
    again = make_adapter(sandbox).public_url(jpeg)  # a new adapter finds it in the library
    relabelled = make_adapter(sandbox).public_url(replace(jpeg, alt_text="Cầu Trường Tiền"))

    assert first == again == relabelled
    assert first.startswith(f"{sandbox.url}/wordpress/wp-content/uploads/")
    (item,) = [m for m in state(sandbox)["media"] if m["source_url"] == first]
    # one item per file, in no post: its alt text is not rewritten by whoever asks next
    assert item["alt_text"] == jpeg.alt_text and item["post"] is None
    assert requests.get(first, timeout=5).content == jpeg.path.read_bytes()


def test_a_site_without_pretty_permalinks_is_reached_through_rest_route(
    sandbox: SandboxServer, jpeg: MediaFile
) -> None:
    site(sandbox).control("disable_pretty_permalinks", {})
    assert rest(sandbox, "GET", "/wp/v2/posts").json()["code"] == "rest_no_route"
    calls: list[tuple[str, str]] = []
    adapter = make_adapter(sandbox, session=recording_session(calls))

    receipt = adapter.publish(publication(media=(jpeg,)))
    found = adapter.find(publication(), datetime.now(UTC) - timedelta(minutes=1))

    assert found is not None and found.remote_id == receipt.remote_id
    assert receipt.url == f"{sandbox.url}/wordpress/?p={receipt.remote_id}"
    assert adapter.verify().id == "2"
    tried = [url for _, url in calls if "/wp-json/" in url]
    assert len(tried) == 1  # learnt once, then every call goes through index.php?rest_route=
    assert all("rest_route=%2Fwp%2Fv2%2F" in url for _, url in calls[1:])


# -- the sandbox site itself -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "route", "kwargs", "status", "code", "detail"),
    [
        ("POST", "/wp/v2/posts", {"json": {"title": "x", "status": "live"}}, 400,
         "rest_invalid_param", ("params", "status")),
        ("POST", "/wp/v2/posts", {"json": {"title": "x", "date_gmt": "mai"}}, 400,
         "rest_invalid_param", ("params", "date_gmt")),
        ("POST", "/wp/v2/posts", {"json": {"status": "publish"}}, 400, "empty_content", None),
        ("POST", "/wp/v2/posts", {"json": {"title": "x"}, "auth": None}, 401,
         "rest_cannot_create", None),
        ("GET", "/wp/v2/users/me", {"auth": None}, 401, "rest_not_logged_in", None),
        ("GET", "/wp/v2/posts", {"params": {"status": "future"}, "auth": None}, 400,
         "rest_invalid_param", ("params", "status")),
        ("GET", "/wp/v2/posts", {"params": {"per_page": 101}}, 400, "rest_invalid_param",
         ("params", "per_page")),
        ("GET", "/wp/v2/posts/999", {}, 404, "rest_post_invalid_id", None),
        ("GET", "/wp/v2/no-such-route", {}, 404, "rest_no_route", None),
        ("POST", "/wp/v2/media", {"data": b"x", "headers": {"Content-Type": "image/png"}}, 400,
         "rest_upload_no_content_disposition", None),
        ("POST", "/wp/v2/categories", {"json": {}}, 400, "rest_missing_callback_param", None),
    ],
)  # fmt: skip
def test_the_sandbox_refuses_like_wordpress(
    sandbox: SandboxServer,
    method: str,
    route: str,
    kwargs: dict[str, Any],
    status: int,
    code: str,
    detail: tuple[str, str] | None,
) -> None:
    answer = rest(sandbox, method, route, **kwargs)
    body = answer.json()
    assert (answer.status_code, body["code"], body["data"]["status"]) == (status, code, status)
    if detail is not None:
        assert detail[1] in body["data"][detail[0]]


def test_the_sandbox_takes_dates_and_slugs_as_wordpress_does(sandbox: SandboxServer) -> None:
    post = {
        "title": "A",
        "status": "publish",
        "slug": "Tin Mới",
        "date_gmt": "2025-01-02T03:04:05+07:00",
    }
    first = rest(sandbox, "POST", "/wp/v2/posts", json=post)
    second = rest(sandbox, "POST", "/wp/v2/posts", json=post)

    assert first.status_code == 201 and first.headers["Location"].endswith(f"/{first.json()['id']}")
    assert [first.json()["slug"], second.json()["slug"]] == ["tin-moi", "tin-moi-2"]
    assert first.json()["date_gmt"] == "2025-01-02T03:04:05"  # the offset is ignored
    assert first.json()["date"] == "2025-01-02T10:04:05"  # the site's time zone
    listed = rest(sandbox, "GET", "/wp/v2/posts", params={"slug": "tin-moi"})
    assert [p["id"] for p in listed.json()] == [first.json()["id"]]
    assert listed.headers["X-WP-Total"] == "1"
    cover = requests.get(
        f"{sandbox.url}/wordpress/wp-content/uploads/loa/cover-asean-hue.png", timeout=5
    )
    assert cover.headers["Content-Type"] == "image/png" and cover.content[:4] == b"\x89PNG"


def test_the_public_page_escapes_and_cleans_what_it_shows(sandbox: SandboxServer) -> None:
    evil = {
        "title": "<script>alert(1)</script> Huế",
        "content": '<p onclick="x()">Nội dung</p><script>steal()</script><img src="javascript:x">',
        "status": "publish",
    }
    created = rest(sandbox, "POST", "/wp/v2/posts", json=evil).json()

    for page in (f"{sandbox.url}/wordpress/", created["link"]):
        text = requests.get(page, timeout=5).text
        assert "> Huế</a></h2>" in text and "<p>Nội dung</p>" in text
        assert "alert(1)" not in text and "steal()" not in text
        assert "onclick" not in text and "javascript:" not in text


# -- each post's own media: alt text, attachment, the officer's file name ----------------------


def test_two_posts_sharing_an_image_keep_their_own_alt_text(
    sandbox: SandboxServer, jpeg: MediaFile, jpegs: list[MediaFile]
) -> None:
    adapter = make_adapter(sandbox, memo={})
    first_alt, second_alt = "Ngọ Môn lúc bình minh", "Ngọ Môn về đêm, đèn lễ hội"
    body_image = jpegs[0]
    first = publication(
        media=(replace(jpeg, alt_text=first_alt), replace(body_image, alt_text=first_alt))
    )
    second = publication(
        post_id=8,
        marker="loa-8-web-asean",
        media=(replace(jpeg, alt_text=second_alt), replace(body_image, alt_text=second_alt)),
    )

    receipts = [adapter.publish(first), adapter.publish(second)]

    library = {item["id"]: item for item in state(sandbox)["media"]}
    for receipt, alt in zip(receipts, (first_alt, second_alt), strict=True):
        (post,) = [p for p in state(sandbox)["posts"] if str(p["id"]) == receipt.remote_id]
        assert library[post["featured_media"]]["alt_text"] == alt  # the theme shows this one
        assert f'alt="{alt}"' in post["content"]  # the image in the body
        page = requests.get(receipt.url or "", timeout=5).text
        assert page.count(f'alt="{alt}"') == 2
        assert ({first_alt, second_alt} - {alt}).pop() not in page


def test_media_are_attached_to_their_post_and_titled_with_the_officers_file_name(
    sandbox: SandboxServer, jpeg: MediaFile, jpegs: list[MediaFile]
) -> None:
    from content.models import Media, PostMedia
    from scheduler.publication import compose_publication

    files = {jpeg.sha256: jpeg, jpegs[1].sha256: jpegs[1]}
    names = {jpeg.sha256: "Lễ hội Áo dài Huế 2026.JPG", jpegs[1].sha256: "Đại Nội.jpg"}
    rows = [
        (
            Media(
                sha256=sha,
                kind="image",
                mime="image/jpeg",
                size_bytes=media.size_bytes,
                width=media.width,
                height=media.height,
                original_name=names[sha],
                alt_text="Ảnh lễ hội",
            ),
            PostMedia(post_id=7, media_sha256=sha, position=n),
        )
        for n, (sha, media) in enumerate(files.items())
    ]
    pub = compose_publication(
        installation="k1",
        post_id=7,
        title="Lễ hội Áo dài",
        body="Áo dài Huế.",
        link=None,
        hashtags=["ASEAN"],
        topic="i",
        pillar=None,
        scheduled_at=None,
        overrides={},
        channel_id="web-asean",
        settings={},
        media=rows,
        media_path=lambda item: files[item.sha256].path,
    )
    assert [m.original_name for m in pub.media] == list(names.values())

    receipt = make_adapter(sandbox).publish(pub)

    mine = [m for m in state(sandbox)["media"] if m["post"] == int(receipt.remote_id)]
    assert sorted(m["title"] for m in mine) == ["Lễ hội Áo dài Huế 2026", "Đại Nội"]
    assert sorted(m["source_url"].rpartition("/")[2] for m in mine) == [
        "dai-noi.jpg",
        "le-hoi-ao-dai-hue-2026.jpg",
    ]
    attached = rest(sandbox, "GET", f"/wp/v2/media/{mine[0]['id']}").json()
    assert attached["post"] == int(receipt.remote_id)


def test_images_in_the_body_are_image_blocks_with_their_alt_text(
    sandbox: SandboxServer, jpegs: list[MediaFile]
) -> None:
    receipt = make_adapter(sandbox).publish(publication(media=tuple(jpegs)))

    (post,) = state(sandbox)["posts"]
    library = {m["slug"]: m for m in state(sandbox)["media"]}
    for image in jpegs[1:]:
        item = library[f"loa-7-web-asean-{image.sha256[:16]}"]
        opening = f'<!-- wp:image {{"id": {item["id"]}, "sizeSlug": "full"'
        assert opening in post["content"]
        assert f'alt="{image.alt_text}"' in post["content"]
        assert f'class="wp-image-{item["id"]}"' in post["content"]
    assert post["content"].count("<!-- /wp:image -->") == len(jpegs) - 1
    assert receipt.remote_id == str(post["id"])


def test_a_publish_tried_again_uses_the_files_it_uploaded_before(
    sandbox: SandboxServer, jpeg: MediaFile
) -> None:
    site(sandbox).faults = Faults(fail_next=["db_insert_error"], paths=["/wp/v2/posts"])
    with pytest.raises(Retryable):
        make_adapter(sandbox).publish(publication(media=(jpeg,)))
    uploaded = len(state(sandbox)["media"])

    receipt = make_adapter(sandbox).publish(publication(media=(jpeg,)))  # a new memo

    assert len(state(sandbox)["media"]) == uploaded
    (post,) = state(sandbox)["posts"]
    featured = next(m for m in state(sandbox)["media"] if m["id"] == post["featured_media"])
    assert featured["post"] == int(receipt.remote_id)


def test_a_failed_attachment_leaves_the_published_post_alone(
    sandbox: SandboxServer, jpeg: MediaFile, caplog: pytest.LogCaptureFixture
) -> None:
    site(sandbox).faults = Faults(fail_next=["db_insert_error"], paths=["/wp/v2/media/"])

    receipt = make_adapter(sandbox).publish(publication(media=(jpeg,)))

    (post,) = state(sandbox)["posts"]
    assert receipt.remote_id == str(post["id"]) and post["status"] == "publish"
    assert "stays unattached" in caplog.text
