"""channels.limits: each platform's field limits, counted as the adapters count them, refused in
the name of the platform that sets them, and never looser than what the sandbox refuses."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from channels.base import Publication
from channels.facebook.page import MARKER_CHARS
from channels.limits import (
    FieldRule,
    channel_problems,
    field_length,
    field_rules,
    limit_problems,
)
from channels.sandbox import graph_model, youtube_rules, zalo_rules
from content.labels import platform_name

BUILTIN = ("facebook_page", "wordpress", "youtube", "zalo_oa")
BASE = Publication(
    post_id=7,
    channel_id="kenh",
    title="Ngày ASEAN tại Huế",
    text="Lễ thượng cờ ASEAN.",
    settings={"author": "Sở Thông tin và Truyền thông", "default_cover_url": "https://a.vn/c.jpg"},
)


def _sized(rule: FieldRule, length: int) -> Publication:
    """BASE with the field `rule` counts made exactly `length` long (in its unit)."""
    letter = "ế" if rule.unit == "bytes" else "a"  # three bytes in UTF-8
    size = len(letter.encode()) if rule.unit == "bytes" else 1
    filler = letter * (length // size) + "a" * (length % size)
    every: dict[str, dict[str, Any]] = {
        "title": {"title": filler},
        "summary": {"settings": {**BASE.settings, "summary": filler}},
        "plain_text": {"text": filler},
        "text_with_hashtags": {"text": filler},
        "tag_characters": {"hashtags": tuple(_tags(length))},
    }
    return replace(BASE, **every[rule.measure])


def _tags(length: int) -> list[str]:
    """Tags that YouTube counts as `length` characters: 49 letters and a comma each."""
    whole, rest = divmod(length + 1, 50)
    tags = [f"{n:02d}" + "t" * 47 for n in range(whole)]
    if rest == 1:  # one letter more on the last tag
        return [*tags[:-1], tags[-1] + "t"]
    return [*tags, "u" * (rest - 1)] if rest else tags


LIMITED = [
    pytest.param(channel_type, rule, id=f"{channel_type}-{rule.field}")
    for channel_type in BUILTIN
    for rule in field_rules(channel_type)
    if rule.max is not None
]


@pytest.mark.parametrize(("channel_type", "rule"), LIMITED)
def test_a_field_at_its_limit_passes_and_one_more_is_refused_by_name(
    channel_type: str, rule: FieldRule
) -> None:
    assert rule.max is not None
    assert field_length(rule, _sized(rule, rule.max)) == rule.max
    at_limit = channel_problems(_sized(rule, rule.max), channel_type)
    assert not [p for p in at_limit if "giới hạn" in p.vi or str(rule.max) in p.en]
    over = channel_problems(_sized(rule, rule.max + 1), channel_type)
    named = limit_problems(_sized(rule, rule.max + 1), channel_type)
    assert len(named) == 1 and named[0] in over
    # the adapter's own sentence about the same count is not said twice
    assert [p for p in over if str(rule.max) in p.en] == named
    assert named[0].vi.endswith(f"— bài này có {rule.max + 1}")
    if rule.loa_sets_it:  # a house limit is said as Loa's, never as the platform's
        assert named[0].vi.startswith("Loa giới hạn ") and named[0].en.startswith("Loa keeps ")
        assert platform_name(channel_type, "vi") in named[0].vi
    else:
        assert named[0].en.startswith(f"{platform_name(channel_type, 'en')} limits ")


def test_the_zalo_title_refusal_names_zalo() -> None:
    problems = channel_problems(replace(BASE, title="T" * 163), "zalo_oa")
    assert problems[0].field == "title"
    assert problems[0].vi == "Zalo OA giới hạn tiêu đề 149 ký tự — bài này có 163"
    assert problems[0].en == "Zalo OA limits titles to 149 characters — this one has 163"
    assert [p.field for p in problems].count("title") == 1


def test_youtube_descriptions_are_counted_in_bytes() -> None:
    text = "ế" * 1667  # 1,667 characters, 5,001 bytes
    (problem,) = [
        p for p in channel_problems(replace(BASE, text=text), "youtube") if "5000" in p.en
    ]
    assert problem.field == "body"
    assert problem.vi == "YouTube giới hạn mô tả 5000 byte — bài này có 5001"


# What Loa lets through on each platform must be something the platform (the sandbox, built to
# CHANNELS.md) takes: one rule each; the sandbox's own refusals are tested in test_sandbox_*.
SANDBOX_LIMITS = [
    pytest.param("zalo_oa", "title", zalo_rules.TITLE_LIMIT - 1, id="zalo-title-under-150"),
    pytest.param(
        "zalo_oa", "description", zalo_rules.DESCRIPTION_LIMIT - 1, id="zalo-description-under-300"
    ),
    pytest.param("youtube", "title", youtube_rules.TITLE_MAX, id="youtube-title-100"),
    pytest.param(
        "youtube",
        "description",
        youtube_rules.DESCRIPTION_MAX_BYTES,
        id="youtube-description-5000b",
    ),
    pytest.param("youtube", "tags", youtube_rules.TAGS_MAX, id="youtube-tags-500"),
    pytest.param(
        "facebook_page", "message", graph_model.MESSAGE_MAX - MARKER_CHARS, id="facebook-message"
    ),
]


@pytest.mark.parametrize(("channel_type", "field", "platform_takes"), SANDBOX_LIMITS)
def test_loa_refuses_before_the_platform_would(
    channel_type: str, field: str, platform_takes: int
) -> None:
    (rule,) = [rule for rule in field_rules(channel_type) if rule.field == field]
    assert rule.max is not None and rule.max <= platform_takes
    assert limit_problems(_sized(rule, platform_takes + 1), channel_type)
