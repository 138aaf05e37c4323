"""The radio bulletin adapter against the station's stand-in, over real HTTP."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from channels.base import (
    AuthRequired,
    ChannelError,
    Editable,
    Measurable,
    MediaFile,
    OutcomeUnknown,
    Publication,
    QuotaExceeded,
    RateLimited,
    Receipt,
    Rejected,
    Retryable,
    TokenConnectable,
)
from channels.credentials import MemoryCredentials
from channels.errors import VIETNAM
from channels.markers import marker_for
from channels.sandbox.server import SandboxServer
from loa_radio_bulletin import RadioBulletin
from loa_radio_bulletin.contract import make_adapter
from loa_radio_bulletin.sandbox import SEEDED_KEY, RadioSandbox


def publication(*media: MediaFile, **fields: Any) -> Publication:
    values: dict[str, Any] = {
        "post_id": 7,
        "channel_id": "radio-huyen",
        "title": "Huế đón đoàn nghệ sĩ ASEAN",
        "text": "Tối nay, nghệ sĩ các nước ASEAN biểu diễn tại Đại Nội.\n\nMời bà con đến xem.",
        "link": "https://asean.thuathienhue.gov.vn/doan-nghe-si-asean",
        "hashtags": ("ASEAN", "Hue"),
        "media": media,
        "marker": marker_for("k1", 7, "radio-huyen"),
    }
    return Publication(**(values | fields))


def control(sandbox: SandboxServer, command: str, **args: Any) -> Any:
    answer = requests.post(
        f"{sandbox.url}/_sandbox/control",
        json={"platform": "radio", "command": command, "args": args},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()["result"]


def faults(sandbox: SandboxServer, **settings: Any) -> None:
    requests.post(
        f"{sandbox.url}/_sandbox/faults", json={"platform": "radio", **settings}, timeout=10
    ).raise_for_status()


def test_the_class_declares_every_optional_capability(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    for protocol in (Editable, Measurable, TokenConnectable):
        assert isinstance(adapter, protocol), protocol.__name__


def test_a_bulletin_carries_title_text_link_marker_and_picture(
    sandbox: SandboxServer, station: RadioSandbox, jpeg: MediaFile
) -> None:
    pub = publication(jpeg)
    receipt = make_adapter(sandbox).publish(pub)
    held = station.bulletins[receipt.remote_id]
    assert held["title"] == pub.title
    assert held["content"] == pub.text  # the hashtags are not read on air
    assert held["reference"] == pub.marker
    assert held["source_url"] == pub.link
    assert held["attachment"]["type"] == "image/jpeg"
    assert held["attachment"]["alt"] == jpeg.alt_text
    assert station.files[receipt.remote_id].data == jpeg.path.read_bytes()
    assert receipt.url == held["listen_url"]
    assert receipt.published_at is not None
    assert abs(receipt.published_at - datetime.now(UTC)) < timedelta(minutes=1)
    page = requests.get(str(receipt.url), timeout=10)
    assert page.status_code == 200 and pub.title in page.text


def test_a_recording_goes_as_the_attachment_and_progress_reaches_its_size(
    sandbox: SandboxServer, station: RadioSandbox, recording: MediaFile
) -> None:
    seen: list[tuple[int, int]] = []
    receipt = make_adapter(sandbox).publish(
        publication(recording), lambda done, total: seen.append((done, total))
    )
    assert station.bulletins[receipt.remote_id]["attachment"]["type"] == "video/mp4"
    assert seen[-1] == (recording.size_bytes, recording.size_bytes)


def test_a_publish_repeated_after_a_lost_answer_returns_the_same_bulletin(
    sandbox: SandboxServer, station: RadioSandbox
) -> None:
    adapter, pub = make_adapter(sandbox), publication()
    faults(sandbox, drop_next=1, paths=["/bulletins"])  # carried out, then the line goes dead
    with pytest.raises(OutcomeUnknown):
        adapter.publish(pub)
    assert len(station.bulletins) == 1
    again = adapter.publish(pub)
    assert list(station.bulletins) == [again.remote_id]
    found = adapter.find(pub, datetime.now(UTC) - timedelta(minutes=1))
    assert found is not None and found.remote_id == again.remote_id


def test_find_by_title_and_time_only_without_a_marker(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    before = datetime.now(UTC) - timedelta(minutes=1)
    pub = publication(marker="")
    sent = adapter.publish(pub)
    found = adapter.find(pub, before)
    assert found is not None and found.remote_id == sent.remote_id
    assert adapter.find(pub, datetime.now(UTC) + timedelta(minutes=1)) is None
    assert adapter.find(replace(pub, title="Một bản tin khác"), before) is None


@pytest.mark.parametrize(
    ("code", "error", "vi"),
    [
        ("invalid_api_key", AuthRequired, "đài không nhận khoá API"),
        ("api_key_revoked", AuthRequired, "loa channels connect radio-huyen"),
        ("daily_limit_reached", QuotaExceeded, "đủ số bản tin trong ngày"),
        ("rate_limited", RateLimited, "gửi chậm lại"),
        ("maintenance", Retryable, "bảo trì"),
        ("internal_error", OutcomeUnknown, "không rõ đã nhận hay chưa"),
        ("502html", OutcomeUnknown, "trang không đúng định dạng"),
        ("title_too_long", Rejected, "tiêu đề dài quá giới hạn"),
        ("media_type_mismatch", Rejected, "không khớp với loại tệp"),
    ],
)
def test_each_refusal_of_a_publish_is_one_class_of_the_error_tree(
    sandbox: SandboxServer, code: str, error: type[ChannelError], vi: str
) -> None:
    faults(sandbox, fail_next=[code])
    with pytest.raises(error) as raised:
        make_adapter(sandbox).publish(publication())
    assert type(raised.value) is error
    assert vi in raised.value.vi and raised.value.en
    assert raised.value.vi.startswith("Gửi bản tin: ")
    assert raised.value.en.startswith("sending the bulletin: ")
    if not code.startswith("502"):
        assert code in raised.value.detail  # the station's own words are kept apart


def test_waits_come_from_the_station(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    faults(sandbox, fail_next=["rate_limited", "maintenance", "daily_limit_reached"])
    with pytest.raises(RateLimited) as limited:
        adapter.publish(publication())
    assert limited.value.retry_after == 30
    with pytest.raises(Retryable) as down:
        adapter.publish(publication())
    assert down.value.retry_after == 120
    with pytest.raises(QuotaExceeded) as spent:
        adapter.publish(publication())
    assert spent.value.until is not None
    midnight = spent.value.until.astimezone(VIETNAM)
    assert (midnight.hour, midnight.minute) == (0, 0)
    assert midnight.date() == datetime.now(VIETNAM).date() + timedelta(days=1)


def test_a_failed_read_is_retried_not_reconciled(sandbox: SandboxServer) -> None:
    faults(sandbox, fail_next=["internal_error"])
    with pytest.raises(Retryable) as raised:
        make_adapter(sandbox).verify()
    assert type(raised.value) is Retryable


def test_the_real_daily_limit_and_rate_limit(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    control(sandbox, "daily_limit", limit=1)
    adapter.publish(publication())
    with pytest.raises(QuotaExceeded):
        adapter.publish(publication(marker=marker_for("k1", 8, "radio-huyen")))
    control(sandbox, "rate_limit", seconds=60)
    with pytest.raises(RateLimited):
        adapter.verify()


def test_nothing_listening_is_retryable(sandbox: SandboxServer) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    adapter = make_adapter(sandbox, bases={"api_base": f"http://127.0.0.1:{port}/radio"})
    with pytest.raises(Retryable) as raised:
        adapter.publish(publication())
    assert type(raised.value) is Retryable


def test_a_revoked_key_asks_for_a_new_one_without_showing_it(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    control(sandbox, "revoke_keys")
    with pytest.raises(AuthRequired) as raised:
        adapter.publish(publication())
    words = f"{raised.value} {raised.value.en}"
    assert "api_key_revoked" in raised.value.detail
    assert SEEDED_KEY not in words and "loa channels connect radio-huyen" in words


def test_connecting_stores_the_key_the_station_accepts(sandbox: SandboxServer) -> None:
    credentials = MemoryCredentials()
    adapter = RadioBulletin(replace(make_adapter(sandbox).setup, secrets={}), credentials)
    with pytest.raises(AuthRequired, match="chưa có khoá API"):
        adapter.verify()
    with pytest.raises(AuthRequired):
        adapter.complete_token("rb-not-a-key-of-this-station")
    assert credentials.load() is None
    key = control(sandbox, "issue_key")
    account = adapter.connect_token(f"  {key}\n")
    assert (account.id, account.name) == ("dai-truyen-thanh-huyen", "Đài Truyền thanh huyện")
    assert credentials.load() == {"api_key": key}
    assert adapter.publish(publication()).remote_id


def test_a_bulletin_is_corrected_until_it_is_aired_and_removed_after(
    sandbox: SandboxServer, station: RadioSandbox
) -> None:
    adapter = make_adapter(sandbox)
    sent = adapter.publish(publication())
    fixed = adapter.update(publication(title="Huế đón đoàn nghệ sĩ ASEAN (giờ mới)"), sent)
    assert fixed.remote_id == sent.remote_id
    assert station.bulletins[sent.remote_id]["title"].endswith("(giờ mới)")
    adapter.update(publication(link=None), sent)
    assert station.bulletins[sent.remote_id]["source_url"] is None
    control(sandbox, "air_all")
    with pytest.raises(Rejected, match="đã phát sóng"):
        adapter.update(publication(), sent)
    adapter.remove(sent)
    assert sent.remote_id not in station.bulletins
    adapter.remove(sent)  # already gone: fine
    assert adapter.find(publication(), datetime.now(UTC) - timedelta(hours=1)) is None


def test_plays_are_views_and_a_removed_bulletin_is_gone(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    first = adapter.publish(publication())
    second = adapter.publish(publication(marker=marker_for("k1", 8, "radio-huyen")))
    control(sandbox, "add_plays", id=first.remote_id, plays=12)
    adapter.remove(second)
    figures = {f.remote_id: f for f in adapter.read_metrics([first.remote_id, second.remote_id])}
    assert figures[first.remote_id].values == {"views": 12}
    assert not figures[first.remote_id].gone
    assert figures[second.remote_id].gone


def test_a_receipt_without_an_id_is_an_unknown_outcome(sandbox: SandboxServer) -> None:
    from loa_radio_bulletin.adapter import to_receipt

    with pytest.raises(OutcomeUnknown):
        to_receipt({"listen_url": "x"})
    assert to_receipt({"id": "BT1", "created_at": "not a time"}) == Receipt("BT1", None, None)
