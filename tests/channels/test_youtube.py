"""The YouTube adapter against the YouTube sandbox, over real HTTP with the real client libraries.

google-api-python-client and google-auth run unchanged, aimed at the sandbox by `api_base` only.
Covers publishing (video, thumbnail, playlist, native scheduling), every error code in
CHANNELS.md, token refresh, uploads interrupted and resumed, answers lost (OutcomeUnknown, then
`find`), bad configuration, verify and the OAuth connect flow with PKCE.
"""

from __future__ import annotations

import logging
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
    Progress,
    Publication,
    QuotaExceeded,
    RateLimited,
    Rejected,
    Retryable,
)
from channels.credentials import MemoryCredentials
from channels.sandbox.server import Faults, SandboxServer
from channels.sandbox.youtube import PLAYLIST, YouTubeSandbox
from channels.sandbox.youtube_google import READ, UPLOAD
from channels.youtube import client as youtube_client
from channels.youtube.adapter import YouTube

CHANNEL = "yt-test"
CHUNK = 256 * 1024
PACIFIC = ZoneInfo("America/Los_Angeles")
REDIRECT = "http://127.0.0.1:8798/callback"


def platform_of(sandbox: SandboxServer) -> YouTubeSandbox:
    platform = sandbox.platform("youtube")
    assert isinstance(platform, YouTubeSandbox)
    return platform


def issued(sandbox: SandboxServer, **args: Any) -> dict[str, Any]:
    platform = platform_of(sandbox)
    with platform.lock:
        tokens: dict[str, Any] = platform.control("issue_tokens", args)
    return {
        "token": tokens["access_token"],
        "refresh_token": tokens["refresh_token"],
        "expiry": (datetime.now(UTC) + timedelta(seconds=tokens["expires_in"])).isoformat(),
        "scopes": tokens["scope"].split(),
    }


def make_adapter(sandbox: SandboxServer, **overrides: Any) -> YouTube:
    """An adapter on the sandbox with tokens the sandbox issued; overrides replace setup fields."""
    credentials = overrides.pop("credentials", None) or MemoryCredentials(issued(sandbox))
    settings = {
        "client_id": "loa-test.apps.googleusercontent.com",
        "chunk_size_bytes": CHUNK,
        "watch_url_template": f"{sandbox.url}/youtube/watch?v={{id}}",
        **overrides.pop("settings", {}),
    }
    values: dict[str, Any] = {
        "id": CHANNEL,
        "type": "youtube",
        "bases": {"api_base": f"{sandbox.url}/youtube"},
        "settings": settings,
        "secrets": {"client_secret": "sandbox-client-secret"},
        "timeout": 5.0,
    }
    values.update(overrides)
    return YouTube(ChannelSetup(**values), credentials)


def publication(media: tuple[MediaFile, ...], **fields: Any) -> Publication:
    values: dict[str, Any] = {
        "post_id": 7,
        "channel_id": CHANNEL,
        "title": "Festival Huế 2026 - Lễ hội bốn mùa",
        "text": "Festival Huế 2026 chào đón bạn bè ASEAN.\n\nXem lịch các chương trình.",
        "link": "https://festivalhue.vn/lich",
        "hashtags": ("FestivalHue", "ASEAN"),
        "media": media,
        "marker": "loa-7-yt",
    }
    values.update(fields)
    return Publication(**values)


def videos(sandbox: SandboxServer) -> list[dict[str, Any]]:
    return list(platform_of(sandbox).snapshot()["videos"])


def set_faults(sandbox: SandboxServer, **faults: Any) -> None:
    platform = platform_of(sandbox)
    with platform.lock:
        platform.faults = Faults(**faults)


def when_next_chunk_is(sandbox: SandboxServer, which: str, **faults: Any) -> Progress:
    """A progress callback that arms `faults` just before the middle or the final chunk."""
    armed: list[bool] = []

    def progress(done: int, total: int) -> None:
        due = done == CHUNK if which == "middle" else 0 < total - done <= CHUNK
        if due and not armed:
            armed.append(True)
            set_faults(sandbox, **faults)

    return progress


def assert_no_secret(error: ChannelError, adapter: YouTube) -> None:
    saved = adapter.credentials.load() or {}
    for secret in (saved.get("token"), saved.get("refresh_token"), "sandbox-client-secret"):
        assert not secret or secret not in str(error)


# -- publishing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "settings", "with_image"),
    [
        ("video", {}, False),
        ("video with its thumbnail", {}, True),
        ("into a playlist", {"playlist_id": PLAYLIST}, True),
        ("unlisted, another category", {"privacy_status": "unlisted", "category_id": "27"}, False),
        ("held by YouTube until its time", {"native_schedule": True}, False),
    ],
)
def test_publish_uploads_the_video_in_chunks(
    sandbox: SandboxServer,
    mp4: MediaFile,
    jpeg: MediaFile,
    case: str,
    settings: dict[str, Any],
    with_image: bool,
) -> None:
    adapter = make_adapter(sandbox, settings=settings)
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    pub = publication((mp4, jpeg) if with_image else (mp4,), scheduled_at=at)
    steps: list[tuple[int, int]] = []
    receipt = adapter.publish(pub, progress=lambda done, total: steps.append((done, total)))

    [video] = videos(sandbox)
    assert video["id"] == receipt.remote_id
    assert video["sha256"] == mp4.sha256 and video["bytes"] == mp4.size_bytes
    assert video["title"] == pub.title and video["tags"] == ["FestivalHue", "ASEAN", "loa-7-yt"]
    assert video["description"].endswith("https://festivalhue.vn/lich\n\n#FestivalHue #ASEAN")
    assert video["categoryId"] == settings.get("category_id", "25")
    assert video["thumbnail"] is with_image
    assert video["upload"]["chunks"] == -(-mp4.size_bytes // CHUNK) > 3
    assert [total for _, total in steps] == [mp4.size_bytes] * len(steps)
    assert steps[-1][0] == mp4.size_bytes and [d for d, _ in steps] == sorted(d for d, _ in steps)
    assert receipt.url == f"{sandbox.url}/youtube/watch?v={receipt.remote_id}"
    state = platform_of(sandbox).snapshot()
    assert (receipt.remote_id in state["playlists"][PLAYLIST]) is ("playlist_id" in settings)
    cost = 1600 + 50 * with_image + 50 * ("playlist_id" in settings)
    assert adapter.quota_used == state["quota"]["used"] == cost
    if settings.get("native_schedule"):
        assert video["privacyStatus"] == "private" and video["visible_as"] == "private"
        assert video["publishAt"] == at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert receipt.published_at == at
    else:
        assert video["privacyStatus"] == settings.get("privacy_status", "public")
        assert video["publishAt"] is None


def test_the_public_sees_the_video_on_its_watch_page(
    sandbox: SandboxServer, mp4: MediaFile, jpeg: MediaFile
) -> None:
    adapter = make_adapter(sandbox)
    receipt = adapter.publish(publication((mp4, jpeg), title="Đêm Huế & Kinh thành"))
    assert receipt.url is not None
    watch = requests.get(receipt.url, timeout=5)
    assert watch.status_code == 200 and "<video" in watch.text
    assert "Đêm Huế &amp; Kinh thành" in watch.text
    listing = requests.get(f"{sandbox.url}/youtube/", timeout=5)
    assert f'src="/youtube/media/{receipt.remote_id}"' in listing.text
    head = requests.get(
        f"{sandbox.url}/youtube/media/{receipt.remote_id}",
        headers={"Range": "bytes=0-9"},
        timeout=5,
    )
    assert head.status_code == 206 and head.content == mp4.path.read_bytes()[:10]
    thumb = requests.get(f"{sandbox.url}/youtube/thumbnail/{receipt.remote_id}", timeout=5)
    assert thumb.content == jpeg.path.read_bytes()


def test_a_scheduled_video_stays_hidden_from_the_public(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox, settings={"native_schedule": True})
    at = datetime.now(UTC) + timedelta(days=1)
    receipt = adapter.publish(publication((mp4,), scheduled_at=at))
    assert receipt.url is not None
    assert "Video unavailable" in requests.get(receipt.url, timeout=5).text
    media = requests.get(f"{sandbox.url}/youtube/media/{receipt.remote_id}", timeout=5)
    assert media.status_code == 404


@pytest.mark.parametrize(
    ("media", "expected"),
    [
        ((), "This channel needs a video"),
        (("jpeg", "jpeg2"), "2 images attached"),
    ],
)
def test_posts_youtube_cannot_take_are_caught_by_check(
    sandbox: SandboxServer, jpegs: list[MediaFile], media: tuple[str, ...], expected: str
) -> None:
    attached = tuple(jpegs[: len(media)])
    pub = publication(attached)
    assert any(expected in problem.en for problem in YouTube.check(pub))
    with pytest.raises(Rejected, match="needs a video"):
        make_adapter(sandbox).publish(pub)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"text": "Giá vé <50.000 đồng>"}, "description may not contain < or >"),
        ({"text": "Huế đẹp. " * 400}, "bytes in UTF-8"),  # 3,600 letters, 5,600 bytes
        # 241 + 250 + the marker's 8 + two commas: YouTube counts the commas, Loa needs the marker
        ({"hashtags": ("x" * 241, "y" * 250)}, "tags add up to 501"),
    ],
)
def test_check_knows_youtube_s_own_limits(
    mp4: MediaFile, fields: dict[str, Any], expected: str
) -> None:
    problems = YouTube.check(publication((mp4,), **fields))
    assert any(expected in problem.en for problem in problems), problems


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("quotaExceeded", QuotaExceeded),
        ("uploadLimitExceeded", QuotaExceeded),
        ("rateLimitExceeded", RateLimited),
        ("userRateLimitExceeded", RateLimited),
        ("429", RateLimited),
        ("forbidden", AuthRequired),
        ("insufficientPermissions", AuthRequired),
        ("invalidTitle", Rejected),
        ("invalidDescription", Rejected),
        ("invalidTags", Rejected),
        ("invalidCategoryId", Rejected),
        ("mediaBodyRequired", Rejected),
        ("500", Retryable),  # the session never opened: no video can exist
        ("503", Retryable),
        ("502html", Retryable),
        ("notype", Retryable),
    ],
)
def test_every_error_code_maps_to_one_class(
    sandbox: SandboxServer, mp4: MediaFile, code: str, expected: type[ChannelError]
) -> None:
    adapter = make_adapter(sandbox)
    set_faults(sandbox, fail_next=[code])
    with pytest.raises(ChannelError) as caught:
        adapter.publish(publication((mp4,)))
    assert type(caught.value) is expected, caught.value
    assert_no_secret(caught.value, adapter)
    assert videos(sandbox) == []


def test_quota_comes_back_at_midnight_pacific_and_upload_limits_after_a_day(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox)
    platform = platform_of(sandbox)
    with platform.lock:
        platform.control("exhaust_quota", {})
    with pytest.raises(QuotaExceeded, match="daily YouTube quota is used up") as quota:
        adapter.publish(publication((mp4,)))
    until = quota.value.until
    assert until is not None and until.tzinfo is not None
    assert until.astimezone(PACIFIC).time().isoformat() == "00:00:00"
    assert timedelta(0) < until - datetime.now(UTC) <= timedelta(hours=24)
    set_faults(sandbox, fail_next=["uploadLimitExceeded"])
    with platform.lock:
        platform.control("set_quota", {"used": 0})
    with pytest.raises(QuotaExceeded, match="24 hours") as limit:
        adapter.publish(publication((mp4,)))
    assert limit.value.until is not None
    assert abs(limit.value.until - datetime.now(UTC) - timedelta(hours=24)) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("call", "code", "expected"),
    [
        ("verify", "500", Retryable),
        ("verify", "quotaExceeded", QuotaExceeded),
        ("verify", "notype", Retryable),
        ("find", "503", Retryable),
        ("find", "userRateLimitExceeded", RateLimited),
    ],
)
def test_reads_map_errors_too(
    sandbox: SandboxServer, mp4: MediaFile, call: str, code: str, expected: type[ChannelError]
) -> None:
    adapter = make_adapter(sandbox)
    set_faults(sandbox, fail_next=[code])
    with pytest.raises(ChannelError) as caught:
        if call == "verify":
            adapter.verify()
        else:
            adapter.find(publication((mp4,)), datetime.now(UTC))
    assert type(caught.value) is expected


def test_what_youtube_itself_refuses_is_rejected(sandbox: SandboxServer, mp4: MediaFile) -> None:
    adapter = make_adapter(sandbox)
    with pytest.raises(Rejected, match="invalidTitle"):
        adapter.publish(publication((mp4,), title="Huế <3 ASEAN"))
    with pytest.raises(Rejected, match="invalidCategoryId"):
        make_adapter(sandbox, settings={"category_id": "99"}).publish(publication((mp4,)))


def test_an_unverified_channel_still_publishes_without_its_thumbnail(
    sandbox: SandboxServer, mp4: MediaFile, jpeg: MediaFile, caplog: pytest.LogCaptureFixture
) -> None:
    platform = platform_of(sandbox)
    with platform.lock:
        platform.control("set_verified", {"verified": False})
    adapter = make_adapter(sandbox, settings={"playlist_id": "PLnotThere"})
    with caplog.at_level(logging.WARNING, logger="channels.youtube.adapter"):
        receipt = adapter.publish(publication((mp4, jpeg)))
    [video] = videos(sandbox)
    assert video["id"] == receipt.remote_id and video["thumbnail"] is False
    assert "verified channel" in caplog.text and "playlistNotFound" in caplog.text


# -- tokens ------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["expired here", "expired at Google"])
def test_an_expired_token_is_refreshed_and_saved(
    sandbox: SandboxServer, mp4: MediaFile, how: str
) -> None:
    saved = issued(sandbox)
    if how == "expired here":
        saved["expiry"] = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    else:
        platform = platform_of(sandbox)
        with platform.lock:
            platform.control("expire_tokens", {})
    store = MemoryCredentials(saved)
    adapter = make_adapter(sandbox, credentials=store)
    receipt = adapter.publish(publication((mp4,)))
    assert receipt.remote_id
    fresh = store.load() or {}
    assert store.saves == 1 and fresh["token"] != saved["token"]
    assert fresh["refresh_token"] == saved["refresh_token"]
    assert datetime.fromisoformat(fresh["expiry"]) > datetime.now(UTC) + timedelta(minutes=50)
    assert adapter.verify().id  # the saved token works on its own
    assert store.saves == 1


def test_a_refresh_asks_only_for_the_scopes_that_were_granted(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    saved = issued(sandbox, scopes=[UPLOAD])
    saved["expiry"] = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    store = MemoryCredentials(saved)
    receipt = make_adapter(sandbox, credentials=store).publish(publication((mp4,)))
    assert receipt.remote_id and store.saves == 1


@pytest.mark.parametrize("how", ["revoked", "401 after a refresh", "upload scope only"])
def test_credentials_that_no_longer_work_need_a_person(
    sandbox: SandboxServer, mp4: MediaFile, how: str
) -> None:
    platform = platform_of(sandbox)
    scopes = [UPLOAD] if how == "upload scope only" else [UPLOAD, READ]
    adapter = make_adapter(sandbox, credentials=MemoryCredentials(issued(sandbox, scopes=scopes)))
    if how == "revoked":
        with platform.lock:
            platform.control("revoke", {})
    elif how == "401 after a refresh":
        set_faults(sandbox, fail_next=["401", "401"], paths=["/youtube/v3/"])
    with pytest.raises(AuthRequired) as caught:
        adapter.verify()
    assert_no_secret(caught.value, adapter)
    assert "connect" in str(caught.value)


def test_one_401_is_refreshed_and_replayed(sandbox: SandboxServer, mp4: MediaFile) -> None:
    store = MemoryCredentials(issued(sandbox))
    adapter = make_adapter(sandbox, credentials=store)
    set_faults(sandbox, fail_next=["401"], paths=["/youtube/v3/"])
    receipt = adapter.publish(publication((mp4,)))
    assert receipt.remote_id and store.saves == 1


# -- interrupted uploads -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "timeout", "queries"),
    [
        ({"fail_next": ["503"]}, 5.0, 1),
        ({"fail_next": ["502html"]}, 5.0, 1),
        ({"hang_next": 1}, 1.0, 1),  # the chunk landed, its answer did not
        ({"fail_next": ["401"]}, 5.0, 0),  # refreshed, and the same chunk sent again
    ],
)
def test_an_interrupted_upload_resumes_where_it_stood(
    sandbox: SandboxServer, mp4: MediaFile, fault: dict[str, Any], timeout: float, queries: int
) -> None:
    adapter = make_adapter(sandbox, timeout=timeout)
    progress = when_next_chunk_is(sandbox, "middle", **fault)
    receipt = adapter.publish(publication((mp4,)), progress=progress)
    [video] = videos(sandbox)
    assert video["id"] == receipt.remote_id and video["sha256"] == mp4.sha256
    assert video["upload"]["status_queries"] == queries


def test_an_upload_that_keeps_failing_before_its_end_is_retryable(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox, settings={"upload_resumes": 2})
    progress = when_next_chunk_is(sandbox, "middle", errors={"503": 1.0})
    with pytest.raises(Retryable, match="nothing was published") as caught:
        adapter.publish(publication((mp4,)), progress=progress)
    assert type(caught.value) is Retryable and videos(sandbox) == []


def test_a_final_chunk_whose_answer_is_lost_is_an_unknown_outcome_then_found(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    """The last chunk lands and its answer never comes; no resume is allowed to recover it."""
    adapter = make_adapter(sandbox, timeout=1.0, settings={"upload_resumes": 0})
    since = datetime.now(UTC)
    pub = publication((mp4,))
    with pytest.raises(OutcomeUnknown, match="may exist"):
        adapter.publish(pub, progress=when_next_chunk_is(sandbox, "final", hang_next=1))
    set_faults(sandbox)
    found = adapter.find(pub, since)
    [video] = videos(sandbox)
    assert found is not None and found.remote_id == video["id"]
    assert found.url == f"{sandbox.url}/youtube/watch?v={video['id']}"


def test_a_final_chunk_refused_twice_is_unknown_and_find_says_it_is_not_there(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox, settings={"upload_resumes": 1})
    since = datetime.now(UTC)
    pub = publication((mp4,))
    with pytest.raises(OutcomeUnknown):
        adapter.publish(pub, progress=when_next_chunk_is(sandbox, "final", fail_next=["503"] * 2))
    assert adapter.find(pub, since) is None


def test_an_upload_whose_opening_hangs_published_nothing(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox, timeout=1.0)
    set_faults(sandbox, hang_next=1)
    with pytest.raises(Retryable) as caught:
        adapter.publish(publication((mp4,)))
    assert type(caught.value) is Retryable and videos(sandbox) == []


def test_a_lost_final_answer_is_recovered_by_asking_the_session(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox, timeout=1.0)
    pub = publication((mp4,))
    receipt = adapter.publish(pub, progress=when_next_chunk_is(sandbox, "final", hang_next=1))
    [video] = videos(sandbox)
    assert receipt.remote_id == video["id"] and video["upload"]["status_queries"] == 1


# -- configuration -----------------------------------------------------------------------------


def test_a_missing_discovery_document_is_a_configuration_problem(
    sandbox: SandboxServer, mp4: MediaFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(youtube_client, "_static_document", lambda: None)
    with pytest.raises(Rejected, match="discovery document is missing"):
        make_adapter(sandbox).publish(publication((mp4,)))


@pytest.mark.parametrize(
    ("overrides", "expected", "words"),
    [
        ({"bases": {}}, Rejected, "`api_base` is not configured"),
        ({"secrets": {}}, AuthRequired, "'client_secret' is not configured"),
        ({"credentials": MemoryCredentials(None)}, AuthRequired, "not connected"),
        ({"settings": {"client_id": ""}}, Rejected, "`client_id` is not configured"),
        ({"settings": {"chunk_size_bytes": 1_000_000}}, Rejected, "multiple of 262144"),
        ({"bases": {"api_base": "http://127.0.0.1:9/youtube"}}, Retryable, "could not connect"),
    ],
)
def test_bad_configuration_says_what_is_wrong(
    sandbox: SandboxServer,
    mp4: MediaFile,
    overrides: dict[str, Any],
    expected: type[ChannelError],
    words: str,
) -> None:
    adapter = make_adapter(sandbox, **overrides)
    with pytest.raises(expected, match=words):
        adapter.publish(publication((mp4,)))


# -- reconciling, verifying, connecting --------------------------------------------------------


def test_find_takes_only_a_video_carrying_the_marker_since_the_attempt(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox)
    since = datetime.now(UTC)
    pub = publication((mp4,))
    receipt = adapter.publish(pub)
    found = adapter.find(pub, since)
    assert found is not None and found.remote_id == receipt.remote_id
    assert found.published_at is not None and found.published_at >= since.replace(microsecond=0)
    # The marker decides, not the title: a retitled post is still ours, a same-titled one is not.
    assert adapter.find(replace(pub, title=pub.title + " (2)"), since) == found
    assert adapter.find(replace(pub, marker="loa-other-7-yt"), since) is None
    assert adapter.find(replace(pub, marker=""), since) is None
    assert adapter.find(pub, datetime.now(UTC) + timedelta(minutes=1)) is None


def test_quota_costs_can_follow_google_s_price_list(sandbox: SandboxServer, mp4: MediaFile) -> None:
    adapter = make_adapter(sandbox, settings={"quota_cost": {"videos.insert": 100}})
    adapter.publish(publication((mp4,)))
    adapter.verify()
    assert adapter.quota_used == 101


def test_the_sandbox_answers_the_client_library_s_other_reads(
    sandbox: SandboxServer, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox)
    receipt = adapter.publish(publication((mp4,)))
    setup, store = adapter.setup, adapter.credentials
    with youtube_client.build_service(setup, youtube_client.load_credentials(setup, store)) as api:
        found = api.search().list(
            part="snippet", forMine=True, type="video", maxResults=50, order="date"
        )
        [result] = found.execute(num_retries=0)["items"]
        listed = api.videos().list(part="status", id=receipt.remote_id).execute(num_retries=0)
    assert result["id"]["videoId"] == receipt.remote_id
    assert result["snippet"]["title"] == "Festival Huế 2026 - Lễ hội bốn mùa"
    [video] = listed["items"]
    assert video["status"]["privacyStatus"] == "public" and "snippet" not in video
    assert platform_of(sandbox).snapshot()["quota"]["used"] == 1600 + 100 + 1


def test_verify_names_the_channel(sandbox: SandboxServer) -> None:
    account = make_adapter(sandbox).verify()
    assert account.id.startswith("UC") and account.name == "Huế - ASEAN"
    assert account.url == f"https://www.youtube.com/channel/{account.id}"


def consent(url: str) -> dict[str, str]:
    answer = requests.get(url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def test_connecting_through_consent_stores_tokens(sandbox: SandboxServer, mp4: MediaFile) -> None:
    store = MemoryCredentials(None)
    adapter = make_adapter(sandbox, credentials=store)
    authorization = adapter.authorize(REDIRECT)
    query = parse_qs(urlsplit(authorization.url).query)
    assert authorization.url.startswith(f"{sandbox.url}/youtube/o/oauth2/auth?")
    assert query["code_challenge_method"] == ["S256"] and query["access_type"] == ["offline"]
    assert "youtube.upload" in query["scope"][0] and query["prompt"] == ["consent"]
    answer = consent(authorization.url)
    assert answer["state"] == authorization.state
    account = adapter.complete(authorization, answer["code"])
    assert account.name == "Huế - ASEAN"
    saved = store.load() or {}
    assert saved["token"] and saved["refresh_token"] and saved["expiry"]
    assert adapter.publish(publication((mp4,))).remote_id


@pytest.mark.parametrize("how", ["another verifier", "the code twice"])
def test_a_code_is_single_use_and_bound_to_its_verifier(sandbox: SandboxServer, how: str) -> None:
    adapter = make_adapter(sandbox, credentials=MemoryCredentials(None))
    authorization = adapter.authorize(REDIRECT)
    code = consent(authorization.url)["code"]
    if how == "another verifier":
        other = adapter.authorize(REDIRECT)
        authorization = replace(authorization, code_verifier=other.code_verifier)
    else:
        adapter.complete(authorization, code)
    with pytest.raises(AuthRequired, match="refused the sign-in code") as caught:
        adapter.complete(authorization, code)
    assert code not in str(caught.value)
