"""The station's stand-in refuses what the station refuses, in the station's envelope.

Raw HTTP, no adapter: these tests pin the platform the adapter is written against, so a rule
learnt about the real station goes here first, then into the adapter.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from channels.base import MediaFile
from channels.sandbox.server import SandboxServer
from loa_radio_bulletin.adapter import RadioBulletin
from loa_radio_bulletin.sandbox import (
    CONTENT_MAX,
    FILE_MAX,
    IMAGE_MAX,
    SEEDED_KEY,
    TITLE_MAX,
    RadioSandbox,
)

KEY = {"X-Api-Key": SEEDED_KEY}
FIELDS = {"title": "Bản tin sáng", "content": "Tin ASEAN trong ngày."}


def api(sandbox: SandboxServer, method: str, path: str, **kwargs: Any) -> requests.Response:
    kwargs.setdefault("headers", KEY)
    return requests.request(method, f"{sandbox.url}/radio/api/v1{path}", timeout=10, **kwargs)


def refusal(answer: requests.Response, status: int, code: str, field: str | None = None) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert body["ok"] is False and body["error"]["code"] == code
    assert body["error"]["message"]  # the station's words, in Vietnamese
    assert body["error"].get("field") == field


def test_the_key_is_required_checked_and_revocable(sandbox: SandboxServer) -> None:
    refusal(api(sandbox, "GET", "/station", headers={}), 401, "missing_api_key")
    refusal(api(sandbox, "GET", "/station", headers={"X-Api-Key": "rb-wrong"}), 401,
            "invalid_api_key")  # fmt: skip
    assert api(sandbox, "GET", "/station").json()["station"]["id"] == "dai-truyen-thanh-huyen"
    requests.post(f"{sandbox.url}/_sandbox/control", timeout=10,
                  json={"platform": "radio", "command": "revoke_keys"})  # fmt: skip
    refusal(api(sandbox, "GET", "/station"), 403, "api_key_revoked")


@pytest.mark.parametrize(
    ("fields", "status", "code", "field"),
    [
        ({"content": "x"}, 400, "missing_field", "title"),
        ({"title": "x", "content": "  "}, 400, "missing_field", "content"),
        ({**FIELDS, "title": "t" * (TITLE_MAX + 1)}, 400, "title_too_long", "title"),
        ({**FIELDS, "content": "c" * (CONTENT_MAX + 1)}, 400, "content_too_long", "content"),
        ({**FIELDS, "reference": "Loa_1"}, 400, "invalid_reference", "reference"),
        ({**FIELDS, "source_url": "ftp://x"}, 400, "invalid_source_url", "source_url"),
        ({**FIELDS, "attachment_alt": "a" * 301}, 400, "alt_too_long", "attachment_alt"),
        ({**FIELDS, "hashtags": "#ASEAN"}, 400, "unknown_field", "hashtags"),
    ],
)
def test_a_bulletin_is_refused_field_by_field(
    sandbox: SandboxServer, fields: dict[str, str], status: int, code: str, field: str
) -> None:
    refusal(api(sandbox, "POST", "/bulletins", data=fields), status, code, field)


def test_the_limits_at_their_edge_are_taken(sandbox: SandboxServer) -> None:
    fields = {"title": "t" * TITLE_MAX, "content": "c" * CONTENT_MAX, "reference": "loa-a-1-x"}
    answer = api(sandbox, "POST", "/bulletins", data=fields)
    assert answer.status_code == 201, answer.text
    bulletin = answer.json()["bulletin"]
    assert bulletin["status"] == "queued" and bulletin["listen_url"].endswith(bulletin["id"])


def test_the_adapter_declares_the_station_s_limits() -> None:
    caps = RadioBulletin.capabilities
    assert (caps.title_max, caps.text_max) == (TITLE_MAX, CONTENT_MAX)
    assert (caps.max_image_bytes, caps.max_video_bytes) == (IMAGE_MAX, FILE_MAX)


def test_a_json_body_is_not_a_form(sandbox: SandboxServer) -> None:
    refusal(api(sandbox, "POST", "/bulletins", json=FIELDS), 415, "unsupported_content_type")


@pytest.mark.parametrize(
    ("part", "status", "code"),
    [
        (("anh.gif", b"GIF89a....", "image/gif"), 415, "unsupported_media_type"),
        (("anh.jpg", b"\x89PNG\r\n\x1a\n....", "image/jpeg"), 415, "media_type_mismatch"),
        (("ban-tin.mp3", b"plain words", "audio/mpeg"), 415, "media_type_mismatch"),
        (("anh.png", b"", "image/png"), 400, "empty_file"),
        (("anh.png", b"\x89PNG\r\n\x1a\n" + bytes(IMAGE_MAX), "image/png"), 413, "file_too_large"),
    ],
)
def test_an_attachment_is_checked_by_its_bytes(
    sandbox: SandboxServer, part: tuple[str, bytes, str], status: int, code: str
) -> None:
    answer = api(sandbox, "POST", "/bulletins", data=FIELDS, files={"attachment": part})
    refusal(answer, status, code, "attachment")


def test_only_the_attachment_part_is_a_file(sandbox: SandboxServer, jpeg: MediaFile) -> None:
    picture = ("a.jpg", jpeg.path.read_bytes(), "image/jpeg")
    answer = api(sandbox, "POST", "/bulletins", data=FIELDS, files={"image": picture})
    refusal(answer, 400, "unknown_field", "image")


def test_a_reference_is_unique_and_the_refusal_names_the_bulletin(
    sandbox: SandboxServer,
) -> None:
    fields = {**FIELDS, "reference": "loa-k1-7-radio"}
    first = api(sandbox, "POST", "/bulletins", data=fields).json()["bulletin"]
    again = api(sandbox, "POST", "/bulletins", data=fields)
    refusal(again, 409, "duplicate_reference", "reference")
    assert again.json()["bulletin_id"] == first["id"]


def test_the_search_is_strict_about_its_parameters(sandbox: SandboxServer) -> None:
    refusal(api(sandbox, "GET", "/bulletins", params={"title": "x"}), 400,
            "unknown_parameter", "title")  # fmt: skip
    refusal(api(sandbox, "GET", "/bulletins", params={"since": "2026-05-01T08:00:00"}), 400,
            "invalid_parameter", "since")  # fmt: skip
    refusal(api(sandbox, "GET", "/bulletins", params={"limit": "0"}), 400,
            "invalid_parameter", "limit")  # fmt: skip
    many = ",".join(f"BT{n:06d}" for n in range(51))
    refusal(api(sandbox, "GET", "/bulletins", params={"ids": many}), 400, "too_many_ids", "ids")


def test_an_edit_is_json_and_only_before_airing(sandbox: SandboxServer) -> None:
    number = api(sandbox, "POST", "/bulletins", data=FIELDS).json()["bulletin"]["id"]
    refusal(api(sandbox, "PATCH", f"/bulletins/{number}", data={"title": "x"}), 415,
            "unsupported_content_type")  # fmt: skip
    refusal(api(sandbox, "PATCH", f"/bulletins/{number}", json={"reference": "x"}), 400,
            "unknown_field", "reference")  # fmt: skip
    refusal(api(sandbox, "PATCH", f"/bulletins/{number}", json={"title": ""}), 400,
            "missing_field", "title")  # fmt: skip
    requests.post(f"{sandbox.url}/_sandbox/control", timeout=10,
                  json={"platform": "radio", "command": "air_all"})  # fmt: skip
    refusal(api(sandbox, "PATCH", f"/bulletins/{number}", json={"title": "Mới"}), 409,
            "already_aired")  # fmt: skip
    assert api(sandbox, "DELETE", f"/bulletins/{number}").json() == {"ok": True, "deleted": number}
    refusal(api(sandbox, "GET", f"/bulletins/{number}"), 404, "bulletin_not_found")


def test_an_injected_fault_is_answered_in_the_station_s_envelope(sandbox: SandboxServer) -> None:
    requests.post(f"{sandbox.url}/_sandbox/faults", timeout=10,
                  json={"platform": "radio", "fail_next": ["maintenance"]})  # fmt: skip
    answer = api(sandbox, "GET", "/station")
    refusal(answer, 503, "maintenance")
    assert answer.headers["Retry-After"] == "120"


def test_listeners_see_the_bulletin_escaped(sandbox: SandboxServer, station: RadioSandbox) -> None:
    fields = {**FIELDS, "title": "Huế <b>ASEAN</b>"}
    bulletin = api(sandbox, "POST", "/bulletins", data=fields).json()["bulletin"]
    for page in (requests.get(bulletin["listen_url"], timeout=10),
                 requests.get(f"{sandbox.url}/radio/", timeout=10)):  # fmt: skip
        assert page.status_code == 200
        assert "Huế &lt;b&gt;ASEAN&lt;/b&gt;" in page.text and "<b>ASEAN" not in page.text
    assert requests.get(f"{sandbox.url}/radio/nghe/BT999999", timeout=10).status_code == 404
    assert station.snapshot()["bulletins"][0]["title"] == fields["title"]
