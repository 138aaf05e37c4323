"""The sandbox's webhook receiver refuses what a careful receiver refuses, over real HTTP.

Requests here are made by hand and signed with the `standardwebhooks` library, as any sender
would sign them, so the receiver's strictness is tested apart from Loa's adapter.
"""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from standardwebhooks import Webhook as Signer

from channels.sandbox.server import Faults, SandboxServer
from channels.sandbox.webhook import SEEDED_SECRET, WebhookSandbox

OTHER_SECRET = "whsec_" + base64.b64encode(b"a secret the receiver never had!").decode()
SHA = "0" * 64


def receiver(sandbox: SandboxServer) -> WebhookSandbox:
    platform = sandbox.platform("webhook")
    assert isinstance(platform, WebhookSandbox)
    return platform


def event(kind: str = "loa.post.published", **data: Any) -> dict[str, Any]:
    post = {
        "post_id": 12,
        "marker": "loa-x1-12-hues",
        "title": "Festival Huế 2026",
        "text": "Festival Huế chào đón bạn bè ASEAN.",
        "html": "<p>Festival Huế chào đón bạn bè ASEAN.</p>",
        "link": "https://festivalhue.vn",
        "hashtags": ["FestivalHue"],
        "topic": "h",
        "pillar": "ASCC",
        "department": "SVHTT",
        "scheduled_at": "2026-06-01T01:00:00Z",
        "media": [
            {
                "kind": "image",
                "url": "https://media.loa.test/files/a.jpg?expires=1796083200&signature=s",
                "alt": "Ngọ Môn",
                "mime": "image/jpeg",
                "bytes": 1234,
                "sha256": SHA,
                "expires_at": "2026-12-01T00:00:00Z",
            }
        ],
    }
    return {"type": kind, "timestamp": "2026-06-01T00:59:00Z", "data": post | data}


def send(
    sandbox: SandboxServer,
    document: Any,
    *,
    msg_id: str = "loa-x1-12-hues",
    secret: str = SEEDED_SECRET,
    when: datetime | None = None,
    body: bytes | None = None,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> requests.Response:
    raw = body if body is not None else json.dumps(document, ensure_ascii=False).encode()
    moment = when or datetime.now(UTC)
    signed = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Signer(secret).sign(msg_id, moment, raw),
        "Content-Type": content_type,
    }
    return requests.post(
        f"{sandbox.url}/webhook/events", data=raw, headers=headers or signed, timeout=5
    )


def get(
    sandbox: SandboxServer, path: str, query: str = "", *, signed_query: str | None = None,
    secret: str = SEEDED_SECRET,
) -> requests.Response:  # fmt: skip
    moment = datetime.now(UTC)
    content = (query if signed_query is None else signed_query).encode()
    headers = {
        "webhook-id": "lookup-test",
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Signer(secret).sign("lookup-test", moment, content),
    }
    url = f"{sandbox.url}/webhook{path}" + (f"?{query}" if query else "")
    return requests.get(url, headers=headers, timeout=5)


def posts(sandbox: SandboxServer) -> list[dict[str, Any]]:
    with receiver(sandbox).lock:
        return list(receiver(sandbox).snapshot()["posts"])


def test_the_receiver_is_mounted_as_a_platform(sandbox: SandboxServer) -> None:
    assert "webhook" in sandbox.platforms
    assert requests.get(f"{sandbox.url}/webhook/_public", timeout=5).status_code == 200


def test_a_signed_event_that_matches_the_schema_is_taken(sandbox: SandboxServer) -> None:
    answer = send(sandbox, event())
    assert answer.status_code == 201
    assert answer.json() == {"id": "hues-1", "url": f"{sandbox.url}/webhook/posts/hues-1"}
    [post] = posts(sandbox)
    assert post["data"]["title"] == "Festival Huế 2026"
    page = requests.get(answer.json()["url"], timeout=5)
    assert "Festival Huế 2026" in page.text and 'alt="Ngọ Môn"' in page.text


@pytest.mark.parametrize(
    ("why", "changes"),
    [
        ("wrong secret", {"secret": OTHER_SECRET}),
        ("stale", {"when": timedelta(minutes=-6)}),
        ("from the future", {"when": timedelta(minutes=6)}),
        ("unsigned", {"headers": {"Content-Type": "application/json"}}),
    ],
)
def test_a_bad_or_stale_signature_is_refused(
    sandbox: SandboxServer, why: str, changes: dict[str, Any]
) -> None:
    # The moment is taken when the test runs, not when it is collected: a suite that takes
    # minutes to reach this test would otherwise send a "future" time that is now within the
    # receiver's five minutes.
    if "when" in changes:
        changes = changes | {"when": datetime.now(UTC) + changes["when"]}
    answer = send(sandbox, event(), **changes)
    assert answer.status_code == 401, why
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json()["error"].startswith("signature refused")
    assert posts(sandbox) == []


def test_a_body_changed_after_signing_is_refused(sandbox: SandboxServer) -> None:
    raw = json.dumps(event()).encode()
    moment = datetime.now(UTC)
    headers = {
        "webhook-id": "loa-x1-12-hues",
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Signer(SEEDED_SECRET).sign("loa-x1-12-hues", moment, raw),
        "Content-Type": "application/json",
    }
    tampered = raw.replace(b"Festival", b"Fake", 1)
    answer = requests.post(
        f"{sandbox.url}/webhook/events", data=tampered, headers=headers, timeout=5
    )
    assert answer.status_code == 401 and posts(sandbox) == []
    other_id = dict(headers, **{"webhook-id": "loa-x1-13-hues"})
    answer = requests.post(f"{sandbox.url}/webhook/events", data=raw, headers=other_id, timeout=5)
    assert answer.status_code == 401  # the id is signed too


def _without(document: dict[str, Any], key: str) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    del changed["data"][key]
    return changed


@pytest.mark.parametrize(
    ("document", "path"),
    [
        (_without(event(), "marker"), "data"),
        (event(title=42), "data.title"),
        (event(link="ftp://festivalhue.vn"), "data.link"),
        (event(scheduled_at="2026-06-01 08:00"), "data.scheduled_at"),
        (event(media=[{**event()["data"]["media"][0], "url": "file:///etc/passwd"}]),
         "data.media[0].url"),
        (event(media=[{**event()["data"]["media"][0], "sha256": "xyz"}]), "data.media[0].sha256"),
        (event(hashtags=["#ASEAN"]), "data.hashtags[0]"),
        (event(surprise=True), "data"),
        (event("loa.post.shared"), "type"),
        (event("loa.post.removed"), "data"),  # a removal carries {"id", "url"} only
        ({"type": "loa.post.published", "data": event()["data"]}, ""),
    ],
)  # fmt: skip
def test_a_body_outside_the_schema_is_refused(
    sandbox: SandboxServer, document: dict[str, Any], path: str
) -> None:
    answer = send(sandbox, document)
    assert answer.status_code == 400
    assert answer.json()["error"] == "the body does not match post.schema.json"
    assert answer.json()["path"] == path
    assert posts(sandbox) == []


def test_a_body_that_is_not_json_is_refused(sandbox: SandboxServer) -> None:
    assert send(sandbox, None, body=b"title=Festival").status_code == 400
    assert send(sandbox, event(), content_type="text/plain").status_code == 415
    assert posts(sandbox) == []


def test_a_repeated_webhook_id_is_answered_again_and_not_carried_out(
    sandbox: SandboxServer,
) -> None:
    first = send(sandbox, event())
    again = send(sandbox, event(title="Festival Huế 2026 (gửi lại)"))
    assert again.status_code == 200 and again.json() == first.json()
    [post] = posts(sandbox)
    assert post["data"]["title"] == "Festival Huế 2026"
    with receiver(sandbox).lock:
        assert receiver(sandbox).duplicates == 1


def test_updates_and_removals_need_a_known_id(sandbox: SandboxServer) -> None:
    remote = send(sandbox, event()).json()["id"]
    unknown = send(sandbox, event("loa.post.updated", id="hues-99"), msg_id="u-1")
    assert unknown.status_code == 404
    updated = send(sandbox, event("loa.post.updated", id=remote, title="Mới"), msg_id="u-2")
    assert updated.status_code == 200 and updated.json()["id"] == remote
    assert posts(sandbox)[0]["data"]["title"] == "Mới"
    removal = {"type": "loa.post.removed", "timestamp": "2026-06-02T00:00:00Z",
               "data": {"id": remote, "url": None}}  # fmt: skip
    assert send(sandbox, removal, msg_id="r-1").json() == {"id": remote}
    assert send(sandbox, removal, msg_id="r-2").status_code == 404  # gone already
    assert requests.get(f"{sandbox.url}/webhook/posts/{remote}", timeout=5).status_code == 404


def test_the_lookup_is_signed_over_its_query(sandbox: SandboxServer) -> None:
    remote = send(sandbox, event()).json()["id"]
    found = get(sandbox, "/lookup", "marker=loa-x1-12-hues")
    assert found.status_code == 200 and found.json()["id"] == remote
    assert get(sandbox, "/lookup", "marker=loa-x1-99-hues").status_code == 404
    replayed = get(sandbox, "/lookup", "marker=loa-x1-12-hues", signed_query="marker=other")
    assert replayed.status_code == 401
    assert get(sandbox, "/lookup", "marker=loa-x1-12-hues", secret=OTHER_SECRET).status_code == 401
    unsigned = requests.get(f"{sandbox.url}/webhook/lookup?marker=loa-x1-12-hues", timeout=5)
    assert unsigned.status_code == 401
    assert get(sandbox, "/lookup", "").status_code == 400


def test_whoami_answers_the_account_to_a_signed_request(sandbox: SandboxServer) -> None:
    answer = get(sandbox, "/whoami")
    assert answer.status_code == 200 and answer.json()["id"] == "hues-sandbox"
    assert get(sandbox, "/whoami", secret=OTHER_SECRET).status_code == 401


def test_injected_statuses_carry_nothing_out_and_say_when_to_come_back(
    sandbox: SandboxServer,
) -> None:
    with receiver(sandbox).lock:
        receiver(sandbox).faults = Faults(fail_next=["429", "503", "425", "badanswer"])
    limited = send(sandbox, event())
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "30")
    assert send(sandbox, event()).headers["Retry-After"] == "120"
    assert send(sandbox, event()).status_code == 425
    odd = send(sandbox, event())
    assert odd.status_code == 200 and "id" not in odd.json()
    assert posts(sandbox) == []
    assert send(sandbox, event()).status_code == 201


def test_a_dropped_answer_still_carries_the_event_out(sandbox: SandboxServer) -> None:
    with receiver(sandbox).lock:
        receiver(sandbox).faults = Faults(drop_next=1)
    with pytest.raises(requests.ConnectionError):
        send(sandbox, event())
    assert len(posts(sandbox)) == 1
    assert send(sandbox, event()).status_code == 200  # the retry is a duplicate


def test_the_rotated_secret_is_the_only_one_taken(sandbox: SandboxServer) -> None:
    new = str(receiver(sandbox).control("rotate_secret", {}))
    assert new.startswith("whsec_") and new != SEEDED_SECRET
    assert send(sandbox, event()).status_code == 401
    assert send(sandbox, event(), secret=new).status_code == 201


def test_the_post_page_sanitizes_the_html_again(sandbox: SandboxServer) -> None:
    url = send(sandbox, event(html="<p>Xin chào</p><script>alert(1)</script>")).json()["url"]
    page = requests.get(url, timeout=5).text
    assert "<p>Xin chào</p>" in page and "<script>alert" not in page
