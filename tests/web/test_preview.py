"""The composer's live preview, against the real registered adapters: limits, texts, problems."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlmodel import select

from channels import limits as channel_limits_module
from channels.base import Capabilities, MediaFile, Problem, Publication
from channels.checks import check_capabilities
from channels.registry import adapter_class, known_types
from content.db import Database
from content.models import Channel, Delivery, Post
from content.posts import PostService
from scheduler.publication import build_publication
from tests.factories import post_input
from web.pages import preview_rules
from web.pages.preview import (
    MEASURES,
    Draft,
    all_limits,
    channel_limits,
    field_rules,
    measure,
    preview,
    preview_draft,
    publication_for,
)

BUILTIN = ("facebook_page", "wordpress", "youtube", "zalo_oa")
TEXT = "Sáng 8/8, tỉnh Thừa Thiên Huế tổ chức lễ thượng cờ ASEAN.\n\nĐoạn thứ hai."
LINK = "https://asean.thuathienhue.gov.vn/ngay-asean"


def media(name: str, kind: str = "image", alt: str = "Lễ thượng cờ ASEAN tại Huế") -> MediaFile:
    mime = "image/jpeg" if kind == "image" else "video/mp4"
    return MediaFile(Path(name), kind, mime, "0" * 64, 200_000, 1200, 800, alt)


def pub(**fields: Any) -> Publication:
    values: dict[str, Any] = {
        "post_id": 7,
        "channel_id": "kenh",
        "title": "Ngày ASEAN 8/8: lễ thượng cờ tại Huế",
        "text": TEXT,
        "link": LINK,
        "hashtags": ("ASEAN", "Hue"),
        "topic": "a",
        "pillar": "ASCC",
    }
    values.update(fields)
    # Loa gives every Zalo channel an author (loa/zalo_config.py); other platforms ignore it.
    values["settings"] = {"author": "Sở Thông tin và Truyền thông", **fields.get("settings", {})}
    return Publication(**values)


# --- limits for the browser -------------------------------------------------------------------


def test_limits_cover_every_registered_adapter_and_are_json() -> None:
    limits = all_limits()
    assert set(limits["channels"]) == set(known_types()) >= set(BUILTIN)
    assert json.loads(json.dumps(limits)) == limits
    assert limits["near_ratio"] == 0.9
    for channel_type, described in limits["channels"].items():
        caps = adapter_class(channel_type).capabilities
        assert described["media"]["image"]["max_count"] == caps.max_images
        assert described["media"]["video"]["max_count"] == caps.max_videos
        assert described["media"]["image"]["mimes"] == sorted(caps.image_mimes)
        assert described["media"]["requires"] == sorted(caps.requires)
        assert described["takes_html"] is caps.takes_html
        assert {f["measure"] for f in described["fields"]} <= set(MEASURES)
        assert all(set(text) == {"vi", "en"} for text in MEASURES.values())


def limit_of(channel_type: str, name: str) -> dict[str, Any]:
    fields = channel_limits(channel_type)["fields"]
    found: dict[str, Any] = next(f for f in fields if f["field"] == name)
    return found


def test_limits_carry_the_safety_margins_of_the_checks() -> None:
    assert limit_of("zalo_oa", "title")["max"] == 149  # Zalo refused exactly 150
    assert limit_of("zalo_oa", "description")["max"] == 299
    assert limit_of("zalo_oa", "description")["auto_cut"] == 290
    assert limit_of("zalo_oa", "title")["required"] is True
    assert limit_of("youtube", "title")["max"] == 100
    assert limit_of("youtube", "description") == {
        "field": "description", "vi": "Mô tả", "en": "Description", "measure": "plain_text",
        "max": 5000, "unit": "bytes", "required": False, "auto_cut": None, "loa_sets_it": False,
    }  # fmt: skip
    assert limit_of("youtube", "tags")["max"] == 500
    assert limit_of("wordpress", "title")["max"] == 250
    assert limit_of("facebook_page", "message")["max"] == 63_206 - 33  # the invisible marker
    assert channel_limits("youtube")["hashtags"]["max_total_characters"] == 500
    assert channel_limits("facebook_page")["hashtags"]["max_each"] == 100
    assert channel_limits("zalo_oa")["media"]["cover_required"] is True
    assert channel_limits("wordpress")["media"]["cover_required"] is False
    assert channel_limits("youtube")["media"]["requires"] == ["video"]
    assert channel_limits("zalo_oa")["media"]["min_image_side"] == 200
    assert channel_limits("facebook_page")["media"]["mixes_images_and_video"] is False
    assert "thẻ xem trước" in channel_limits("facebook_page")["link"]["vi"]


def test_measures_count_code_points_as_the_checks_do() -> None:
    sample = pub(title="  Huế  ", text="Huế", link=None, hashtags=("ASEAN",))
    assert measure("title", sample) == 3
    assert measure("text_with_hashtags", sample) == len("Huế\n\n#ASEAN")
    assert measure("plain_text", replace(sample, link=LINK)) == len(f"Huế\n\n{LINK}\n\n#ASEAN")
    assert measure("tag_characters", sample) == 5
    assert measure("summary", replace(sample, settings={"summary": "Tóm tắt"})) == 7
    with pytest.raises(ValueError, match="unknown measure"):
        measure("words", sample)


# --- each platform ----------------------------------------------------------------------------


def test_zalo_title_description_body_and_cover() -> None:
    shown = preview(pub(media=(media("bia.jpg"), media("anh-2.jpg"))), "zalo_oa")
    assert shown.ok, shown.problems
    assert shown.field("title").text == "Ngày ASEAN 8/8: lễ thượng cờ tại Huế"
    assert (shown.field("title").limit, shown.field("title").length) == (149, 36)
    description = shown.field("description")
    assert description.text == " ".join(TEXT.split())
    assert description.auto and description.limit == 299
    assert shown.field("body").text == f"{TEXT}\n\n{LINK}\n\n#ASEAN #Hue"
    assert [(m.name, m.role) for m in shown.media] == [("bia.jpg", "cover"), ("anh-2.jpg", "body")]


def test_zalo_title_limit_near_and_over() -> None:
    fits = preview(pub(title="Ấ" * 149, media=(media("bia.jpg"),)), "zalo_oa")
    assert fits.ok
    assert (fits.field("title").length, fits.field("title").over) == (149, False)
    assert fits.field("title").near
    over = preview(pub(title="Ấ" * 150, media=(media("bia.jpg"),)), "zalo_oa")
    assert over.field("title").over and not over.field("title").near
    assert [p.field for p in over.problems] == ["title"]
    far = preview(pub(title="Ấ" * 100, media=(media("bia.jpg"),)), "zalo_oa")
    assert not far.field("title").near


def test_zalo_description_cut_or_typed() -> None:
    long_text = "Thừa Thiên Huế " * 40
    cut = preview(pub(text=long_text, media=(media("bia.jpg"),)), "zalo_oa").field("description")
    assert cut.auto and cut.text.endswith("…") and cut.length <= 290
    summary = "Tóm tắt " * 40
    typed = preview(pub(settings={"summary": summary}, media=(media("b.jpg"),)), "zalo_oa")
    description = typed.field("description")
    assert not description.auto
    assert description.text == summary.strip()
    assert (description.length, description.over) == (len(summary), True)
    assert [p.field for p in typed.problems] == ["summary"]


def test_zalo_without_a_cover_or_with_the_channels_default() -> None:
    bare = preview(pub(), "zalo_oa")
    assert [p.field for p in bare.problems] == ["media"]
    assert "ảnh bìa" in bare.problems[0].vi
    default = "https://asean.thuathienhue.gov.vn/cover.png"
    covered = preview(pub(settings={"default_cover_url": default, "author": "Đ" * 60}), "zalo_oa")
    assert covered.ok
    assert [(m.name, m.role) for m in covered.media] == [(default, "cover")]
    assert covered.author == "Đ" * 50  # cut as the adapter cuts it


def test_facebook_message_and_link_card() -> None:
    text_only = preview(pub(), "facebook_page")
    assert text_only.field("message").text == f"{TEXT}\n\n#ASEAN #Hue"
    assert text_only.link_card == LINK
    assert text_only.field("message").length == len(f"{TEXT}\n\n#ASEAN #Hue")
    with_photo = preview(pub(media=(media("anh.jpg"),)), "facebook_page")
    assert with_photo.field("message").text == f"{TEXT}\n\n{LINK}\n\n#ASEAN #Hue"
    assert with_photo.link_card is None
    assert [(m.name, m.role) for m in with_photo.media] == [("anh.jpg", "photo")]
    mixed = preview(pub(media=(media("anh.jpg"), media("clip.mp4", "video"))), "facebook_page")
    assert [(m.name, m.role) for m in mixed.media] == [("clip.mp4", "video")]
    assert any("cùng một bài" in p.vi for p in mixed.problems)


def test_facebook_message_over_its_limit() -> None:
    shown = preview(pub(text="a" * 63_200), "facebook_page")
    message = shown.field("message")
    assert message.length == 63_200 + len("\n\n#ASEAN #Hue")
    assert message.over and [p.field for p in shown.problems] == ["body"]


@pytest.mark.parametrize(
    ("channel_type", "fields", "vi", "en"),
    [
        ("zalo_oa", {"title": "Ấ" * 163}, "Zalo OA giới hạn tiêu đề 149 ký tự — bài này có 163",
         "Zalo OA limits titles to 149 characters — this one has 163"),
        ("facebook_page", {"text": "a" * 63_200},
         "Facebook giới hạn nội dung 63173 ký tự — bài này có 63213",
         "Facebook limits posts to 63173 characters — this one has 63213"),
        ("youtube", {"text": "Ế" * 1700},
         "YouTube giới hạn mô tả 5000 byte — bài này có 5159",
         "YouTube limits descriptions to 5000 bytes — this one has 5159"),
        ("wordpress", {"title": "T" * 300},
         "Loa giới hạn tiêu đề bài trên Trang web ở 250 ký tự cho dễ đọc — bài này có 300",
         "Loa keeps titles on the website to 250 characters for readability — this one has 300"),
    ],
)  # fmt: skip
def test_a_limit_over_is_named_by_the_platform_that_sets_it(
    channel_type: str, fields: dict[str, Any], vi: str, en: str
) -> None:
    clip = (media("clip.mp4", "video"), media("bia.jpg"))
    shown = preview(pub(media=clip if channel_type == "youtube" else (media("bia.jpg"),),
                        **fields), channel_type)  # fmt: skip
    named = [p for p in shown.problems if p.vi == vi]
    assert [(p.vi, p.en) for p in named] == [(vi, en)], shown.problems
    # The check's own sentence about the same count is not said twice.
    limit = re.search(r"giới hạn \D+(\d+)", vi)[1]  # type: ignore[index]
    assert [p for p in shown.problems if limit in p.en] == named


def test_previews_carry_loa_s_own_thumbnails_only() -> None:
    photo = replace(media("anh.jpg"), sha256="ab" * 32)
    shown = preview(pub(media=(photo, media("clip.mp4", "video"))), "wordpress")
    assert [m.thumbnail_url for m in shown.media] == [f"/media/{'ab' * 32}/thumb", ""]
    default = "https://asean.thuathienhue.gov.vn/cover.png"
    cover = preview(pub(settings={"default_cover_url": default}), "zalo_oa").media[0]
    assert (cover.name, cover.thumbnail_url) == (default, "")  # another site's: not loaded
    assert shown.to_dict()["media"][0]["thumbnail_url"] == f"/media/{'ab' * 32}/thumb"


def test_youtube_title_description_in_bytes_and_tags() -> None:
    clip = (media("clip.mp4", "video"), media("thumb.jpg"))
    shown = preview(pub(media=clip), "youtube")
    assert shown.ok, shown.problems
    description = shown.field("description")
    assert description.text == f"{TEXT}\n\n{LINK}\n\n#ASEAN #Hue"
    assert description.unit == "bytes"
    assert description.length == len(description.text.encode("utf-8")) > len(description.text)
    assert shown.tags == ("ASEAN", "Hue")
    # YouTube counts a comma between two tags (the submit check counts the same way)
    assert (shown.field("tags").text, shown.field("tags").length) == ("ASEAN, Hue", 9)
    assert [(m.name, m.role) for m in shown.media] == [
        ("clip.mp4", "video"), ("thumb.jpg", "thumbnail"),
    ]  # fmt: skip
    # 1,700 Vietnamese letters are under 5,000 characters but over 5,000 bytes.
    heavy = preview(pub(text="ệ" * 1700, media=clip), "youtube")
    assert heavy.field("description").over
    assert [p.field for p in heavy.problems] == ["body"]


def test_youtube_needs_a_video_and_limits_tags() -> None:
    shown = preview(pub(hashtags=tuple(f"the{n:03d}" for n in range(101))), "youtube")
    assert shown.field("tags").length == 606 + 100 and shown.field("tags").over
    assert {p.field for p in shown.problems} == {"media", "hashtags"}


def test_wordpress_title_excerpt_content_categories_tags() -> None:
    settings = {"summary": "Tóm tắt bài", "categories": {"a": "Sự kiện ASEAN"}}
    images = (media("dai-dien.jpg"), media("anh-2.jpg"))
    shown = preview(pub(settings=settings, media=images, hashtags=("ASEAN", "ASEAN")), "wordpress")
    assert shown.ok, shown.problems
    assert shown.field("title").limit == 250
    assert shown.field("excerpt").text == "Tóm tắt bài"
    assert shown.field("content").text == f"{TEXT}\n\n{LINK}\n\n#ASEAN #ASEAN"
    assert shown.categories == ("Sự kiện ASEAN", "ASCC")
    assert shown.tags == ("ASEAN",)
    assert [m.role for m in shown.media] == ["featured", "body"]
    assert [p.field for p in preview(pub(text=" "), "wordpress").problems] == ["body"]


@pytest.mark.parametrize("channel_type", BUILTIN)
def test_markup_stays_text_on_every_platform(channel_type: str) -> None:
    title = '<script>alert("x")</script> <b>ASEAN</b> & Huế'
    body = "<img src=x onerror=alert(1)> Ngày ASEAN & <i>Huế</i>"
    shown = preview(pub(title=title, text=body), channel_type)
    data = json.dumps(shown.to_dict(), ensure_ascii=False)
    assert "&lt;" not in data and "&amp;" not in data
    texts = [f.text for f in shown.fields]
    assert any(body in text for text in texts)
    if channel_type != "facebook_page":
        assert shown.field("title").text == title


@pytest.mark.parametrize("channel_type", BUILTIN)
def test_previews_are_json_and_problems_come_from_check(channel_type: str) -> None:
    sample = pub(media=(media("anh.jpg"),), settings={"default_cover_url": "https://x.vn/c.png"})
    shown = preview(sample, channel_type)
    data = shown.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert shown.problems == tuple(adapter_class(channel_type).check(sample))
    assert data["ok"] is shown.ok
    assert [f["field"] for f in data["fields"]] == [r.field for r in field_rules(channel_type)]
    for found in data["fields"]:
        assert set(found) >= {"text", "length", "limit", "unit", "over", "near", "vi", "en"}
    for item in data["media"]:
        assert item["role_vi"] and item["role_en"]


def test_unknown_channel_type_is_a_problem_not_a_crash() -> None:
    shown = preview(pub(), "tiktok")
    assert not shown.ok and shown.fields == ()
    assert shown.problems[0].field == "channel"
    assert "unknown channel type 'tiktok'" in shown.problems[0].en


class RadioUpload:
    """A platform Loa has no composer for: the preview follows its Capabilities alone."""

    type: ClassVar[str] = "district_radio"
    capabilities: ClassVar[Capabilities] = Capabilities(
        title_max=60, title_required=True, summary_max=120, text_max=500, max_images=1
    )

    @classmethod
    def check(cls, pub: Publication) -> list[Problem]:
        return check_capabilities(pub, cls.capabilities)


def test_a_platform_without_a_composer_gets_a_generic_preview(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = adapter_class

    def lookup(channel_type: str) -> Any:
        return RadioUpload if channel_type == "district_radio" else real(channel_type)

    monkeypatch.setattr(channel_limits_module, "adapter_class", lookup)
    monkeypatch.setattr(preview_rules, "adapter_class", lookup)
    shown = preview(pub(title="T" * 61, settings={"summary": "Tóm tắt"}), "district_radio")
    assert [f.field for f in shown.fields] == ["title", "summary", "body"]
    assert shown.field("title").over and shown.field("body").limit == 500
    assert shown.field("body").text == f"{TEXT}\n\n#ASEAN #Hue"
    assert [p.field for p in shown.problems] == ["title"]
    limits = channel_limits("district_radio")
    assert [f["field"] for f in limits["fields"]] == ["title", "summary", "body"]
    assert set(all_limits(["district_radio", "youtube"])["channels"]) == {
        "district_radio", "youtube",
    }  # fmt: skip


# --- from the composer's form -----------------------------------------------------------------


def test_draft_overrides_per_channel() -> None:
    draft = Draft(
        title="Ngày ASEAN",
        body=TEXT,
        link=LINK,
        hashtags=["#ASEAN", " Hue ", "ASEAN"],
        topic="a",
        pillar="ASCC",
        overrides={"fb-asean-hue": {"body": "Bản ngắn cho Facebook", "link": ""}},
    )
    facebook, website = preview_draft(
        draft,
        [
            ("fb-asean-hue", "facebook_page", {}),
            ("web-asean", "wordpress", {"summary": "Tóm tắt"}),
        ],
    )
    assert facebook.field("message").text == "Bản ngắn cho Facebook\n\n#ASEAN #Hue"
    assert facebook.link_card is None
    assert website.field("content").text == f"{TEXT}\n\n{LINK}\n\n#ASEAN #Hue"
    assert website.field("excerpt").text == "Tóm tắt"
    summary = publication_for(
        replace(draft, overrides={"z": {"summary": "Riêng cho Zalo"}}), "z", {"summary": "Chung"}
    )
    assert summary.settings["summary"] == "Riêng cho Zalo"


def test_a_saved_post_previews_as_the_worker_would_build_it(
    db: Database, service: PostService
) -> None:
    officer = service.actor("cbtt.stttt")
    overrides = {"fb-asean-hue": {"title": "Tiêu đề riêng", "body": "Bản ngắn", "summary": "Tt"}}
    at = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    saved = service.create(
        officer,
        post_input(
            channels=["fb-asean-hue", "web-asean"], link=LINK, overrides=overrides, scheduled_at=at
        ),
    )
    with db.read() as session:
        post = session.get(Post, saved.id)
        assert post is not None
        for delivery in session.exec(select(Delivery).where(Delivery.post_id == post.id)).all():
            channel = session.get(Channel, delivery.channel_id)
            assert channel is not None
            built = build_publication(session, post, delivery, channel, lambda m: Path(m.sha256))
            draft = Draft(
                title=post.title,
                body=post.body,
                link=post.link,
                hashtags=post.hashtags,
                topic=post.topic,
                pillar=post.pillar,
                scheduled_at=delivery.due_at or post.scheduled_at,
                post_id=post.id or 0,
                overrides={channel.id: delivery.overrides},
                department=post.department_code,
            )
            mine = publication_for(draft, channel.id, channel.settings)
            assert replace(mine, marker=built.marker) == built
