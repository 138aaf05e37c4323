"""The Zalo adapter's checks (author, public images), its marker, and correcting or removing an
article through Zalo's update and remove, against the Zalo sandbox over real HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from channels.base import (
    EDITABLE_FIELDS,
    Editable,
    MediaFile,
    RateLimited,
    Receipt,
    Rejected,
)
from channels.markers import invisible, marker_for, strip_invisible
from channels.render import body_html
from channels.sandbox.server import Faults, SandboxServer
from channels.zalo.oa import ZaloOA
from tests.channels.test_zalo_oa import make_adapter, publication, zalo

AUTHOR = {"author": "Sở Thông tin và Truyền thông"}
COVER = {"default_cover_url": "https://asean.thuathienhue.gov.vn/anh/bia.jpg"}


# -- checks --------------------------------------------------------------------------------------


def fields(pub_settings: Mapping[str, str], **changes: Any) -> set[str]:
    pub = publication(settings={**COVER, **pub_settings})
    return {problem.field for problem in ZaloOA.check(replace(pub, **changes))}


def test_check_passes_a_post_zalo_takes() -> None:
    assert fields(AUTHOR) == set()


@pytest.mark.parametrize("author", [None, "", "   "])
def test_check_reports_a_missing_author(author: str | None) -> None:
    settings = {} if author is None else {"author": author}
    [problem] = ZaloOA.check(publication(settings={**COVER, **settings}))
    assert problem.field == "author"
    assert "cần tên tác giả" in problem.vi and "needs an author" in problem.en


def test_an_author_over_50_characters_is_cut_as_zalo_takes_it(sandbox: SandboxServer) -> None:
    assert ZaloOA.check(publication(settings={**COVER, "author": "Đ" * 60})) == []
    make_adapter(sandbox, settings={"author": "Đ" * 60}).publish(publication())
    assert zalo(sandbox).snapshot()["articles"][0]["author"] == "Đ" * 50


def test_check_reports_an_article_without_text() -> None:
    assert fields(AUTHOR, text="", link=None, hashtags=()) == {"body"}


def test_check_refuses_images_when_no_channel_can_host_them(jpeg: MediaFile) -> None:
    [problem] = ZaloOA.check(publication(media=(jpeg,), settings={**AUTHOR, "public_media": False}))
    assert problem.field == "media"
    assert "settings.media_host" in problem.vi and "settings.media_host" in problem.en
    assert "địa chỉ công khai" in problem.vi and "public address" in problem.en
    hosted = publication(media=(jpeg,), settings={**AUTHOR, "public_media": True})
    assert ZaloOA.check(hosted) == []
    text_only = publication(settings={**AUTHOR, **COVER, "public_media": False})
    assert ZaloOA.check(text_only) == []


def test_publish_without_an_author_is_refused_before_anything_is_sent(
    sandbox: SandboxServer, jpeg: MediaFile
) -> None:
    adapter = make_adapter(sandbox, settings={"author": ""})
    with pytest.raises(Rejected, match="needs an author"):
        adapter.publish(publication(media=(jpeg,)))
    assert zalo(sandbox).snapshot()["articles"] == []
    assert adapter.media_host is not None and adapter.media_host.served == []  # type: ignore[attr-defined]


# -- the marker ----------------------------------------------------------------------------------


def test_the_marker_rides_out_of_sight_in_the_last_paragraph(sandbox: SandboxServer) -> None:
    pub = publication()
    make_adapter(sandbox).publish(pub)
    [article] = zalo(sandbox).snapshot()["articles"]
    text = article["body"][0]["content"]
    assert text.endswith(invisible(pub.marker) + "</p>")
    assert strip_invisible(text) == body_html(pub)
    assert pub.marker not in text  # only the zero-width digest, never the marker itself
    assert pub.marker not in article["title"] + article["description"]


def test_find_reads_the_marker_even_when_the_title_was_changed_on_zalo(
    sandbox: SandboxServer,
) -> None:
    adapter = make_adapter(sandbox)
    since = datetime.now(UTC)
    receipt = adapter.publish(publication())
    article = zalo(sandbox).articles[receipt.remote_id]
    article["title"] = "Tiêu đề do người quản trị OA sửa"
    found = adapter.find(publication(), since)
    assert found is not None and found.remote_id == receipt.remote_id


def test_find_ignores_an_article_with_the_same_title_and_text_but_another_marker(
    sandbox: SandboxServer,
) -> None:
    adapter = make_adapter(sandbox)
    since = datetime.now(UTC)
    adapter.publish(publication(marker=marker_for("other", 7, "zalo-test")))
    assert adapter.find(publication(), since) is None


# -- update and remove ---------------------------------------------------------------------------


def test_the_adapter_declares_what_it_can_correct() -> None:
    caps = ZaloOA.capabilities
    assert {"title", "text"} <= caps.editable <= EDITABLE_FIELDS
    assert "media" not in caps.editable  # cover and media stay as they are on Zalo
    assert caps.can_remove


def test_update_sends_the_new_title_and_text_and_keeps_cover_and_images(
    sandbox: SandboxServer, jpegs: list[MediaFile]
) -> None:
    adapter = make_adapter(sandbox)
    assert isinstance(adapter, Editable)
    pub = publication(media=tuple(jpegs))
    sent = adapter.publish(pub)
    before = zalo(sandbox).articles[sent.remote_id]
    corrected = replace(pub, title="Huế đón đoàn ASEAN (cập nhật)", text="Nội dung đã sửa.",
                        hashtags=("ASEAN",))  # fmt: skip
    receipt = adapter.update(corrected, sent)

    [after] = zalo(sandbox).snapshot()["articles"]
    assert receipt.remote_id == sent.remote_id == after["id"]
    assert after["title"] == "Huế đón đoàn ASEAN (cập nhật)"
    assert after["description"] == "Nội dung đã sửa."
    assert strip_invisible(after["body"][0]["content"]) == body_html(corrected)
    assert after["cover"] == before["cover"]
    assert after["body"][1:] == before["body"][1:]  # the images, as they were
    assert after["create_date"] == before["create_date"]
    assert adapter.find(corrected, datetime.fromtimestamp(0, UTC)) is not None


def test_update_of_an_article_removed_on_zalo_is_rejected(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox)
    sent = adapter.publish(publication())
    adapter.remove(sent)
    with pytest.raises(Rejected, match="no longer on Zalo"):
        adapter.update(publication(title="Sửa"), sent)


def test_update_without_an_author_is_refused_before_anything_is_sent(
    sandbox: SandboxServer,
) -> None:
    adapter = make_adapter(sandbox)
    sent = adapter.publish(publication())
    unsigned = make_adapter(sandbox, settings={"author": ""}, credentials=adapter.credentials)
    with pytest.raises(Rejected, match="needs an author"):
        unsigned.update(publication(title="Sửa"), sent)
    assert zalo(sandbox).articles[sent.remote_id]["title"] == publication().title


def test_remove_deletes_the_article_and_a_second_remove_is_not_an_error(
    sandbox: SandboxServer,
) -> None:
    adapter = make_adapter(sandbox)
    sent = adapter.publish(publication())
    adapter.remove(sent)
    assert zalo(sandbox).snapshot()["articles"] == []
    adapter.remove(sent)  # already gone
    adapter.remove(Receipt("0" * 32, None))  # never there: gone all the same


@pytest.mark.parametrize(("code", "expected"), [("-32", RateLimited), ("-223", Rejected)])
def test_remove_maps_zalo_errors(
    sandbox: SandboxServer, code: str, expected: type[Exception]
) -> None:
    adapter = make_adapter(sandbox)
    sent = adapter.publish(publication())
    zalo(sandbox).faults = Faults(fail_next=[code], paths=["/article/remove"])
    with pytest.raises(expected):
        adapter.remove(sent)
    assert [a["id"] for a in zalo(sandbox).snapshot()["articles"]] == [sent.remote_id]
