"""The adapter registry and the checks each platform's declared capabilities drive."""

from __future__ import annotations

from dataclasses import replace
from importlib.metadata import EntryPoint, distribution
from pathlib import Path

import pytest

from channels import registry
from channels.base import MediaFile, Publication
from channels.registry import RegistryError, adapter_class, known_types

BUILT_IN = ["facebook_page", "static_site", "webhook", "wordpress", "youtube", "zalo_oa"]
MB = 1024 * 1024


def image(name: str = "poster.png", *, mime: str = "image/png", size: int = MB, side: int = 1200,
          alt: str = "Ảnh minh họa") -> MediaFile:  # fmt: skip
    return MediaFile(Path(name), "image", mime, "a" * 64, size, side, side, alt)


def video(name: str = "clip.mp4", size: int = 20 * MB) -> MediaFile:
    return MediaFile(Path(name), "video", "video/mp4", "b" * 64, size)


def publication(**fields: object) -> Publication:
    values: dict[str, object] = {
        "post_id": 1,
        "channel_id": "test",
        "title": "Huế - Thành phố Văn hóa ASEAN",
        "text": "Nội dung bài viết về Huế.",
        "hashtags": ("ASEAN", "Hue"),
        "media": (image(),),
    }
    values.update(fields)
    # Loa gives every Zalo channel an author (loa/zalo_config.py); other platforms ignore it.
    values["settings"] = {"author": "Sở Thông tin và Truyền thông", **fields.get("settings", {})}  # type: ignore[dict-item]
    return Publication(**values)  # type: ignore[arg-type]


def problems(channel_type: str, pub: Publication) -> list[str]:
    return [f"{p.field}: {p.en}" for p in adapter_class(channel_type).check(pub)]


def test_the_built_in_adapters_are_registered_through_entry_points() -> None:
    own = distribution("loa").entry_points.select(group=registry.GROUP)
    assert sorted(entry.name for entry in own) == BUILT_IN
    assert set(BUILT_IN) <= set(known_types())  # beside those of installed packages (examples/)
    for name in BUILT_IN:
        assert adapter_class(name).type == name


def test_an_unknown_type_names_the_known_ones() -> None:
    with pytest.raises(RegistryError, match="unknown channel type 'zalo'; known: facebook_page"):
        adapter_class("zalo")


def test_a_type_registered_twice_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    twice = [
        EntryPoint("zalo_oa", "channels.zalo.oa:ZaloOA", registry.GROUP),
        EntryPoint("zalo_oa", "someone_else.zalo:Zalo", registry.GROUP),
    ]
    monkeypatch.setattr(registry, "entry_points", lambda group: twice)
    adapter_class.cache_clear()
    try:
        with pytest.raises(RegistryError, match="registered twice"):
            adapter_class("zalo_oa")
    finally:
        adapter_class.cache_clear()


def test_an_entry_point_whose_class_has_another_type_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = [EntryPoint("youtube", "channels.wordpress.adapter:WordPress", registry.GROUP)]
    monkeypatch.setattr(registry, "entry_points", lambda group: wrong)
    adapter_class.cache_clear()
    try:
        with pytest.raises(RegistryError, match="whose type is 'wordpress'"):
            adapter_class("youtube")
    finally:
        adapter_class.cache_clear()


@pytest.mark.parametrize("channel_type", BUILT_IN)
def test_a_good_post_passes_every_channel(channel_type: str) -> None:
    media = (video(), image("thumb.jpg", mime="image/jpeg")) if channel_type == "youtube" else None
    pub = publication() if media is None else publication(media=media)
    assert problems(channel_type, pub) == []


@pytest.mark.parametrize(
    ("channel_type", "change", "expected"),
    [
        ("zalo_oa", {"title": "T" * 150}, "title: The title is 150 characters long; at most 149."),
        ("zalo_oa", {"media": ()}, "media: A Zalo article needs a cover"),
        ("zalo_oa", {"media": (image(mime="image/gif"),)}, "image/gif is not accepted"),
        ("zalo_oa", {"media": (image(side=100),)}, "too small (shortest side at least 200 px)"),
        ("zalo_oa", {"settings": {"summary": "s" * 300}}, "summary: The summary is 300"),
        ("zalo_oa", {"title": ""}, "title: A title is required."),
        ("youtube", {}, "media: This channel needs a video; attach one."),
        ("youtube", {"title": "Huế <3 ASEAN", "media": (video(),)}, "may not contain < or >"),
        ("youtube", {"title": "x" * 101, "media": (video(),)}, "at most 100"),
        ("facebook_page", {"media": (image(),) * 11}, "11 images attached; this channel takes"),
        ("facebook_page", {"media": (image(), video())}, "images and a video in the same post"),
        ("facebook_page", {"media": (image(size=5 * MB),)}, "5.0 MB is over this channel's 4 MB"),
        ("facebook_page", {"text": "x" * 63_200}, "(hashtags included) is 63213"),
        ("facebook_page", {"text": "", "hashtags": (), "media": ()}, "needs text, a link or media"),
        ("wordpress", {"media": (image(alt=""),)}, "alt text is missing"),
        ("wordpress", {"text": "  "}, "body: A website post needs body text."),
        ("wordpress", {"media": (video(), video())}, "2 videos attached; this channel takes"),
    ],
)
def test_each_refusal_names_the_field_and_the_limit(
    channel_type: str, change: dict[str, object], expected: str
) -> None:
    found = problems(channel_type, replace(publication(), **change))  # type: ignore[arg-type]
    assert any(expected in line for line in found), found


def test_every_problem_is_reported_at_once_in_both_languages() -> None:
    pub = publication(title="T" * 200, media=(image(mime="image/gif", alt=""),))
    found = adapter_class("zalo_oa").check(pub)
    assert {p.field for p in found} == {"title", "media"}
    assert len(found) >= 2
    assert all(p.vi and p.en and p.vi != p.en for p in found)
    assert "Tiêu đề dài 200 ký tự" in found[0].vi
