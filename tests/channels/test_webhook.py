"""The webhook adapter against the sandbox's receiver, over HTTP (docs/channels/webhook.md).

What the receiver gets is checked the way a receiver would check it: the signature with the
`standardwebhooks` library, the body with `jsonschema` against the published schema.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from jsonschema import Draft202012Validator, FormatChecker
from standardwebhooks import Webhook as Verifier
from standardwebhooks import WebhookVerificationError

from channels.base import (
    Account,
    AuthRequired,
    ChannelError,
    ChannelSetup,
    MediaFile,
    OutcomeUnknown,
    Publication,
    RateLimited,
    Receipt,
    Rejected,
    Retryable,
)
from channels.credentials import MemoryCredentials
from channels.sandbox.server import Faults, SandboxServer
from channels.sandbox.webhook import SEEDED_SECRET, WebhookSandbox
from channels.webhook import Webhook
from channels.webhook.errors import error_for
from channels.webhook.media import expiry
from channels.webhook.payload import schema
from tests.channels.test_error_words import SECRET, STEP, assert_bilingual

MEDIA_KEY = b"media-host-test-key"


@dataclass
class SigningHost:
    """A media host as Loa's is: each address is signed and expires in 15 minutes."""

    base: str = "https://media.loa.test/files"
    lifetime: timedelta = timedelta(minutes=15)
    given: list[str] = field(default_factory=list)

    def public_url(self, media: MediaFile) -> str:
        expires = int((datetime.now(UTC) + self.lifetime).timestamp())
        path = f"/{media.sha256}"
        signature = hmac.new(MEDIA_KEY, f"{path}:{expires}".encode(), hashlib.sha256).hexdigest()
        url = f"{self.base}{path}?expires={expires}&signature={signature}"
        self.given.append(url)
        return url


def signed_by_host(url: str) -> bool:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    path = parts.path.removeprefix("/files")
    expected = hmac.new(MEDIA_KEY, f"{path}:{query['expires']}".encode(), hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), query["signature"])


def make_adapter(
    sandbox: SandboxServer,
    *,
    credentials: MemoryCredentials | None = None,
    media_host: SigningHost | None = None,
    settings: dict[str, Any] | None = None,
    **overrides: Any,
) -> Webhook:
    """An adapter for the sandbox's receiver, with its seeded secret and every endpoint."""
    setup = ChannelSetup(
        id="hues",
        type="webhook",
        name="HueS",
        bases={"api_base": f"{sandbox.url}/webhook"},
        settings={"url": "/events", "lookup_url": "/lookup", "verify_url": "/whoami"}
        | (settings or {}),
        secrets={"signing_secret": SEEDED_SECRET},
        timeout=5.0,
    )
    return Webhook(
        replace(setup, **overrides),
        credentials or MemoryCredentials(),
        media_host=media_host or SigningHost(),
    )


def receiver(sandbox: SandboxServer) -> WebhookSandbox:
    platform = sandbox.platform("webhook")
    assert isinstance(platform, WebhookSandbox)
    return platform


def state(sandbox: SandboxServer) -> dict[str, Any]:
    with receiver(sandbox).lock:
        return receiver(sandbox).snapshot()  # type: ignore[no-any-return]


def faults(sandbox: SandboxServer, **settings: Any) -> None:
    with receiver(sandbox).lock:
        receiver(sandbox).faults = Faults(**settings)


def publication(**fields: Any) -> Publication:
    values: dict[str, Any] = {
        "post_id": 7,
        "channel_id": "hues",
        "title": "Huế - Thành phố Văn hóa ASEAN",
        "text": "Thừa Thiên Huế chào đón bạn bè ASEAN.\n\nXem thêm: https://hue.gov.vn/asean",
        "link": "https://asean.thuathienhue.gov.vn/hue-van-hoa",
        "hashtags": ("ASEAN", "HueASEAN"),
        "marker": "loa-a1b2-7-hues",
        "topic": "i",
        "pillar": "ASCC",
        "department": "STTTT",
        "scheduled_at": datetime(2026, 12, 1, 1, 30, tzinfo=UTC),
    }
    values.update(fields)
    return Publication(**values)


class Recorder:
    """Keeps every request the adapter sent, as the receiver got it (body and headers)."""

    def __init__(self, adapter: Webhook) -> None:
        self.sent: list[requests.PreparedRequest] = []
        adapter.client.session.hooks["response"].append(self._keep)

    def _keep(self, response: requests.Response, *_: Any, **__: Any) -> None:
        self.sent.append(response.request)

    def body(self, index: int = -1) -> bytes:
        body = self.sent[index].body
        assert isinstance(body, bytes)
        return body

    def headers(self, index: int = -1) -> dict[str, str]:
        return dict(self.sent[index].headers)


def validate_event(document: Any) -> None:
    Draft202012Validator(schema("post"), format_checker=FormatChecker()).validate(document)


# -- what the receiver gets ---------------------------------------------------------------------


def test_the_schemas_are_valid_draft_2020_12() -> None:
    for name in ("post", "answer", "account"):
        Draft202012Validator.check_schema(schema(name))
        assert schema(name)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_receiver_verifies_the_signature_and_refuses_a_tampered_body(
    sandbox: SandboxServer,
) -> None:
    adapter = make_adapter(sandbox)
    sent = Recorder(adapter)
    adapter.publish(publication())
    body, headers = sent.body(), sent.headers()
    assert headers["webhook-id"] == "loa-a1b2-7-hues"  # the marker: what duplicates share
    assert headers["webhook-signature"].startswith("v1,")
    assert abs(int(headers["webhook-timestamp"]) - datetime.now(UTC).timestamp()) < 60
    assert Verifier(SEEDED_SECRET).verify(body, headers)["data"]["marker"] == "loa-a1b2-7-hues"

    tampered = body.replace("Huế".encode(), b"Hue", 1)
    assert tampered != body
    with pytest.raises(WebhookVerificationError):
        Verifier(SEEDED_SECRET).verify(tampered, headers)
    answer = requests.post(
        f"{sandbox.url}/webhook/events", data=tampered, headers=headers, timeout=5
    )
    assert answer.status_code == 401 and "signature" in answer.json()["error"]
    with pytest.raises(WebhookVerificationError):
        Verifier("whsec_" + base64.b64encode(b"another receiver's secret 32 b!!").decode()).verify(
            body, headers
        )


def test_the_payload_matches_the_published_schema(
    sandbox: SandboxServer, jpeg: MediaFile, mp4: MediaFile
) -> None:
    adapter = make_adapter(sandbox)
    sent = Recorder(adapter)
    pub = publication(
        text="Lễ hội <script>alert(1)</script>\nHuế 2026.\n\nChi tiết: https://hue.gov.vn/le-hoi",
        media=(jpeg, mp4),
    )
    adapter.publish(pub)
    event = json.loads(sent.body())
    validate_event(event)
    assert event["type"] == "loa.post.published"
    data = event["data"]
    assert data["title"] == pub.title and data["text"] == pub.text
    assert data["hashtags"] == ["ASEAN", "HueASEAN"]
    assert (data["topic"], data["pillar"], data["department"]) == ("i", "ASCC", "STTTT")
    assert data["scheduled_at"] == "2026-12-01T01:30:00Z"
    assert data["link"] == pub.link and data["post_id"] == 7
    assert "<script>" not in data["html"] and "&lt;script&gt;" in data["html"]
    assert '<a href="https://hue.gov.vn/le-hoi"' in data["html"] and "<br>" in data["html"]
    assert [m["kind"] for m in data["media"]] == ["image", "video"]
    image = data["media"][0]
    assert (image["mime"], image["bytes"], image["sha256"]) == (
        jpeg.mime, jpeg.size_bytes, jpeg.sha256,
    )  # fmt: skip
    assert image["alt"] == "Ảnh minh họa: Đại Nội Huế"
    assert "ASEAN" in sent.body().decode("utf-8")  # UTF-8 as it is, not \\u escapes
    assert "Huế" in sent.body().decode("utf-8")


def test_a_post_without_files_link_or_time_matches_the_schema(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    sent = Recorder(adapter)
    adapter.publish(
        publication(link=None, hashtags=(), pillar=None, department="", scheduled_at=None)
    )
    data = json.loads(sent.body())["data"]
    validate_event(json.loads(sent.body()))
    assert (data["link"], data["pillar"], data["department"], data["scheduled_at"]) == (
        None, None, None, None,
    )  # fmt: skip
    assert data["media"] == [] and data["hashtags"] == []


def test_media_addresses_are_signed_and_say_when_they_expire(
    sandbox: SandboxServer, jpeg: MediaFile
) -> None:
    host = SigningHost()
    adapter = make_adapter(sandbox, media_host=host)
    sent = Recorder(adapter)
    before = datetime.now(UTC).replace(microsecond=0)
    adapter.publish(publication(media=(jpeg,)))
    [entry] = json.loads(sent.body())["data"]["media"]
    assert entry["url"] == host.given[-1] and signed_by_host(entry["url"])
    expires = datetime.strptime(entry["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before + timedelta(minutes=14) <= expires <= before + timedelta(minutes=16)
    forged = entry["url"].replace(f"expires={int(expires.timestamp())}", "expires=9999999999")
    assert not signed_by_host(forged)


def test_expiry_is_read_from_the_usual_signed_address_forms() -> None:
    assert expiry("https://m.test/a.jpg?expires=1796083200&signature=x") == datetime(
        2026, 12, 1, tzinfo=UTC
    )
    s3 = "https://s3.test/a.jpg?X-Amz-Date=20261201T010000Z&X-Amz-Expires=900&X-Amz-Signature=y"
    assert expiry(s3) == datetime(2026, 12, 1, 1, 15, tzinfo=UTC)
    assert expiry("https://m.test/a.jpg") is None
    assert expiry("https://m.test/a.jpg?X-Amz-Date=soon&X-Amz-Expires=900") is None


def test_files_without_a_media_host_are_refused_at_check_and_at_publish(
    sandbox: SandboxServer, jpeg: MediaFile
) -> None:
    pub = publication(media=(jpeg,), settings={"public_media": False})
    [problem] = Webhook.check(pub)
    assert problem.field == "media"
    assert problem.vi.startswith("Bài có ảnh") and "`public_url`" in problem.vi
    assert "public_url" in problem.en and "media_host" in problem.en
    assert Webhook.check(replace(pub, media=())) == []

    adapter = Webhook(make_adapter(sandbox).setup, MemoryCredentials(), media_host=None)
    with pytest.raises(Rejected, match="public_url"):
        adapter.publish(replace(pub, settings={}))
    assert state(sandbox)["posts"] == []  # nothing went out
    assert adapter.publish(replace(pub, media=())).remote_id  # without files it goes


def test_check_refuses_what_the_schema_would() -> None:
    assert Webhook.check(publication()) == []
    fields = {p.field for p in Webhook.check(publication(title="", link="ftp://x.test/a"))}
    assert fields == {"title", "link"}
    assert {p.field for p in Webhook.check(publication(title="T" * 501))} == {"title"}


# -- duplicates ---------------------------------------------------------------------------------


def test_a_repeated_delivery_is_dropped_by_the_receiver(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    sent = Recorder(adapter)
    first = adapter.publish(publication())
    again = adapter.publish(publication())  # a retry: a new timestamp, the same webhook-id
    assert again.remote_id == first.remote_id and again.url == first.url
    assert sent.headers(0)["webhook-id"] == sent.headers(1)["webhook-id"]
    replay = requests.post(
        f"{sandbox.url}/webhook/events", data=sent.body(0), headers=sent.headers(0), timeout=5
    )
    assert replay.status_code == 200 and replay.json()["id"] == first.remote_id
    held = state(sandbox)
    assert len(held["posts"]) == 1 and held["duplicates"] == 2
    assert [event["type"] for event in held["events"]] == ["loa.post.published"]


# -- statuses on the error tree -----------------------------------------------------------------

STATUSES: list[tuple[str, type[ChannelError], float | None]] = [
    ("400", Rejected, None),
    ("401", AuthRequired, None),
    ("403", AuthRequired, None),
    ("404", Rejected, None),
    ("413", Rejected, None),
    ("408", Retryable, 30.0),
    ("409", Retryable, 30.0),
    ("425", Retryable, 60.0),
    ("429", RateLimited, 30.0),  # the receiver's Retry-After: 30
    ("500", Retryable, 60.0),
    ("503", Retryable, 120.0),  # the receiver's Retry-After: 120
    ("502html", Retryable, 60.0),  # a proxy's page: the same id makes a retry safe
]


@pytest.mark.parametrize(("code", "kind", "wait"), STATUSES)
def test_each_status_maps_to_its_error(
    sandbox: SandboxServer, code: str, kind: type[ChannelError], wait: float | None
) -> None:
    adapter = make_adapter(sandbox)
    faults(sandbox, fail_next=[code])
    with pytest.raises(ChannelError) as raised:
        adapter.publish(publication())
    error = raised.value
    assert type(error) is kind, error
    if wait is not None:
        assert isinstance(error, Retryable) and error.retry_after == wait
    status = code[:3]
    assert f"HTTP {status}" in error.vi and f"HTTP {status}" in error.en
    assert error.vi.startswith("Gửi bài: ") and error.en.startswith("sending the post: ")
    assert SEEDED_SECRET not in str(error)
    assert state(sandbox)["posts"] == []  # refused before anything was carried out
    assert adapter.publish(publication()).remote_id  # the next try goes through


def test_an_auth_refusal_tells_how_to_reconnect(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    receiver(sandbox).control("rotate_secret", {})
    with pytest.raises(AuthRequired) as raised:
        adapter.publish(publication())
    assert "loa channels connect hues" in raised.value.vi
    assert "5 phút" in raised.value.vi and "5 minutes" in raised.value.en
    assert "signature refused" in raised.value.detail
    assert state(sandbox)["posts"] == []


def test_an_answer_outside_the_answer_schema_is_a_permanent_error(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    faults(sandbox, fail_next=["badanswer"])
    with pytest.raises(Rejected) as raised:
        adapter.publish(publication())
    assert "answer.schema.json" in raised.value.en and "`id`" in raised.value.en
    assert "thiếu trường `id`" in raised.value.vi


def test_a_timeout_after_sending_is_an_unknown_outcome(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox, timeout=0.5)
    faults(sandbox, hang_next=1)
    with pytest.raises(OutcomeUnknown):
        adapter.publish(publication())
    assert len(state(sandbox)["posts"]) == 1  # it landed; only the answer was lost


def test_a_refused_connection_is_retried_not_reconciled(sandbox: SandboxServer) -> None:
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    adapter = make_adapter(sandbox, bases={"api_base": f"http://127.0.0.1:{port}/webhook"})
    with pytest.raises(Retryable) as raised:
        adapter.publish(publication())
    assert type(raised.value) is Retryable


# -- reconciling: find --------------------------------------------------------------------------


def test_find_settles_a_dropped_answer_through_the_lookup(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    sent = Recorder(adapter)
    faults(sandbox, drop_next=1)
    with pytest.raises(OutcomeUnknown):
        adapter.publish(publication())
    [post] = state(sandbox)["posts"]
    since = datetime.now(UTC) - timedelta(minutes=10)
    found = adapter.find(publication(), since)
    assert found is not None and found.remote_id == post["id"]
    assert found.url and found.url.endswith(f"/webhook/posts/{post['id']}")
    lookup = sent.sent[-1]
    assert lookup.method == "GET" and lookup.url.endswith("/lookup?marker=loa-a1b2-7-hues")
    Verifier(SEEDED_SECRET).verify(
        b"marker=loa-a1b2-7-hues", dict(lookup.headers), json_parse=False
    )
    assert adapter.find(publication(marker="loa-a1b2-8-hues"), since) is None


def test_find_without_a_lookup_address_does_not_guess(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox, settings={"lookup_url": ""})
    sent = Recorder(adapter)
    adapter.publish(publication())
    with pytest.raises(OutcomeUnknown) as raised:
        adapter.find(publication(), datetime.now(UTC) - timedelta(minutes=10))
    assert "settings.lookup_url" in raised.value.vi and "settings.lookup_url" in raised.value.en
    assert "cần người xem" in raised.value.vi
    assert len(sent.sent) == 1  # nothing was asked: there is nowhere to ask


def test_a_lookup_refused_for_its_signature_needs_auth(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    receiver(sandbox).control("rotate_secret", {})
    with pytest.raises(AuthRequired):
        adapter.find(publication(), datetime.now(UTC))


# -- corrections --------------------------------------------------------------------------------


def test_update_and_remove_send_their_events_with_their_own_ids(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    sent = Recorder(adapter)
    receipt = adapter.publish(publication())
    corrected = publication(title="Huế - Thành phố Văn hóa ASEAN (cập nhật)")
    updated = adapter.update(corrected, receipt)
    assert (updated.remote_id, updated.url) == (receipt.remote_id, receipt.url)
    event = json.loads(sent.body())
    validate_event(event)
    assert event["type"] == "loa.post.updated" and event["data"]["id"] == receipt.remote_id
    update_id = sent.headers()["webhook-id"]
    assert update_id.startswith("loa-a1b2-7-hues.updated.")
    adapter.update(corrected, receipt)  # the same correction again: dropped as a duplicate
    assert sent.headers()["webhook-id"] == update_id
    adapter.update(replace(corrected, text="Nội dung mới."), receipt)
    assert sent.headers()["webhook-id"] not in (update_id, "loa-a1b2-7-hues")
    [post] = state(sandbox)["posts"]
    assert post["data"]["title"].endswith("(cập nhật)") and post["versions"] == 3
    assert post["data"]["text"] == "Nội dung mới."
    assert state(sandbox)["duplicates"] == 1

    adapter.remove(receipt)
    event = json.loads(sent.body())
    validate_event(event)
    assert event == {
        "type": "loa.post.removed",
        "timestamp": event["timestamp"],
        "data": {"id": receipt.remote_id, "url": receipt.url},
    }
    assert sent.headers()["webhook-id"].startswith("loa-removed-")
    assert state(sandbox)["posts"][0]["removed"] is True
    assert adapter.find(publication(), datetime.now(UTC)) is None
    adapter.remove(receipt)  # already gone: not an error
    with pytest.raises(Rejected):  # a correction of a post the receiver no longer has
        adapter.update(replace(corrected, text="Lại sửa."), receipt)


def test_an_update_keeps_the_address_when_the_answer_has_none(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    receipt = adapter.publish(publication())
    faults(sandbox, fail_next=["badanswer"])
    with pytest.raises(Rejected):
        adapter.update(publication(text="Sửa."), receipt)
    kept = Receipt(receipt.remote_id, receipt.url)
    assert adapter.update(publication(text="Sửa lần hai."), kept).url == receipt.url


# -- the account and the secret -----------------------------------------------------------------


def test_verify_asks_the_verify_endpoint(sandbox: SandboxServer) -> None:
    account = make_adapter(sandbox).verify()
    assert account == Account("hues-sandbox", "HueS (hộp cát / sandbox)", account.url)
    assert account.url and account.url.endswith("/webhook/_public")


def test_verify_without_an_endpoint_names_the_host_without_a_request(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = make_adapter(
        sandbox, settings={"verify_url": "", "url": "https://hues.thuathienhue.gov.vn/loa/events"}
    )

    def no_network(*_: object, **__: object) -> None:
        raise AssertionError("verify() without verify_url must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    account = adapter.verify()
    assert account.id == "hues.thuathienhue.gov.vn"
    assert account.name == "hues.thuathienhue.gov.vn (chưa kiểm tra / not checked)"


@pytest.mark.parametrize("secret", [None, "", "whsec_short", "whsec_not base64 at all!"])
def test_a_missing_or_malformed_secret_needs_auth_and_is_never_shown(
    sandbox: SandboxServer, secret: str | None
) -> None:
    secrets = {} if secret is None else {"signing_secret": secret}
    adapter = make_adapter(sandbox, secrets=secrets)
    with pytest.raises(AuthRequired) as raised:
        adapter.publish(publication())
    assert "signing_secret" in raised.value.en and "loa channels connect hues" in raised.value.vi
    if secret:
        assert secret.removeprefix("whsec_") not in str(raised.value)
    assert state(sandbox)["posts"] == []


def test_connecting_stores_a_secret_the_receiver_accepts(sandbox: SandboxServer) -> None:
    credentials = MemoryCredentials()
    adapter = make_adapter(sandbox, credentials=credentials, secrets={})
    new = str(receiver(sandbox).control("rotate_secret", {}))
    with pytest.raises(AuthRequired):
        adapter.complete_token(SEEDED_SECRET)  # the receiver no longer takes it
    assert credentials.load() is None
    account = adapter.connect_token(f"  {new}\n")
    assert account.id == "hues-sandbox"
    assert credentials.load() == {"signing_secret": new}
    assert adapter.publish(publication()).remote_id  # signed with the stored secret


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", "{base}"),
        ("/events", "{base}/events"),
        ("events", "{base}/events"),
        ("https://hues.example.vn/hook", "https://hues.example.vn/hook"),
    ],
)
def test_addresses_are_taken_below_api_base_unless_absolute(
    sandbox: SandboxServer, url: str, expected: str
) -> None:
    adapter = make_adapter(sandbox, settings={"url": url})
    assert adapter.client.address("url") == expected.format(base=f"{sandbox.url}/webhook")
    assert make_adapter(sandbox, settings={"lookup_url": ""}).client.address("lookup_url") is None


@pytest.mark.parametrize("status", [301, 400, 401, 403, 404, 408, 409, 413, 425, 429, 500, 503])
@pytest.mark.parametrize("kind", ["application/json", "text/html"])
def test_every_status_is_worded_in_both_languages(status: int, kind: str) -> None:
    answer = requests.Response()
    answer.status_code = status
    answer.headers["Content-Type"] = kind
    said = {"error": f"refused, access_token={SECRET}"}
    answer._content = json.dumps(said).encode() if "json" in kind else b"<h1>refused</h1>"
    error = error_for(answer, STEP, "hues")
    assert_bilingual(error)
    assert f"HTTP {status}" in error.detail or status == 301
