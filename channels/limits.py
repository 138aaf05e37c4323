"""The length limits of a post's fields on each platform, kept in one place for every caller.

The numbers are the adapters' own (`Capabilities`, Zalo's summary, YouTube's description bytes
and tags); this module says which field each one bounds, how that field is counted, and words a
refusal in the name of the platform that sets it ("Zalo OA giới hạn tiêu đề 149 ký tự — bài
này có 163"). The composer's live counters and preview (web.pages.preview_rules and
web.pages.preview) and the checks run at submit and approve
(scheduler.publication.channel_checker, hence the pages, the REST API and `loa import`) all ask
`channel_problems`, so the preview's "over" is a refusal there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from channels import render
from channels.base import Capabilities, Problem, Publication
from channels.registry import adapter_class
from channels.youtube.metadata import DESCRIPTION_MAX_BYTES, TAGS_MAX_CHARACTERS, sent_tags
from channels.zalo.article import DESCRIPTION_CUT
from content.labels import platform_name

Unit = Literal["characters", "bytes"]

# How each counter counts, for the browser to do the same. "Characters" are Unicode code
# points: count them in JavaScript with [...text].length, not text.length (emoji are two).
# hashtag_line = the tags as "#tag" joined by one space.
MEASURES: dict[str, dict[str, str]] = {
    "title": {
        "vi": "Tiêu đề, bỏ khoảng trắng ở hai đầu.",
        "en": "The title, trimmed.",
    },
    "text_with_hashtags": {
        "vi": "Nội dung, một dòng trống, rồi dòng hashtag (bỏ phần trống).",
        "en": "The text, a blank line, then the hashtag line (empty parts left out).",
    },
    "plain_text": {
        "vi": "Nội dung (bỏ khoảng trắng hai đầu), liên kết nếu chưa có trong nội dung, dòng"
        " hashtag; cách nhau bởi một dòng trống.",
        "en": "The trimmed text, the link unless the text has it, the hashtag line; separated"
        " by blank lines.",
    },
    "summary": {
        "vi": "Mô tả ngắn (tóm tắt) của kênh.",
        "en": "The channel's summary (short description).",
    },
    "tag_characters": {
        "vi": "Các thẻ (không có dấu #) nối bằng dấu phẩy, như YouTube đếm.",
        "en": "The tags (without the #) joined by commas, as YouTube counts them.",
    },
}

# The composer's field a refusal points at, by how the limited text is measured.
MEASURED_FIELDS = {
    "title": "title",
    "text_with_hashtags": "body",
    "plain_text": "body",
    "summary": "summary",
    "tag_characters": "hashtags",
}
LIMITED_NOUNS_EN = {
    "title": "titles",
    "description": "descriptions",
    "body": "texts",
    "message": "posts",
    "content": "articles",
    "tags": "tags (all together)",
    "excerpt": "excerpts",
    "summary": "summaries",
}


@dataclass(frozen=True)
class FieldRule:
    """One counted field of one platform (sent to the browser as it is, by `asdict`)."""

    field: str  # "title", "description", "body", "message", "tags", "excerpt", "content"
    vi: str
    en: str
    measure: str  # a key of MEASURES
    max: int | None
    unit: Unit = "characters"
    required: bool = False
    auto_cut: int | None = None  # made from the text, cut at this length, when left empty
    # Loa's own house limit, not the platform's (WordPress takes any title): said as Loa's.
    loa_sets_it: bool = False


def _zalo_fields(caps: Capabilities) -> tuple[FieldRule, ...]:
    return (
        FieldRule("title", "Tiêu đề", "Title", "title", caps.title_max, required=True),
        FieldRule(
            "description",
            "Mô tả ngắn",
            "Description",
            "summary",
            caps.summary_max,
            auto_cut=DESCRIPTION_CUT,
        ),
        FieldRule("body", "Nội dung", "Body", "plain_text", caps.text_max),
    )


def _facebook_fields(caps: Capabilities) -> tuple[FieldRule, ...]:
    return (FieldRule("message", "Nội dung", "Message", "text_with_hashtags", caps.text_max),)


def _youtube_fields(caps: Capabilities) -> tuple[FieldRule, ...]:
    return (
        FieldRule("title", "Tiêu đề", "Title", "title", caps.title_max, required=True),
        FieldRule(
            "description", "Mô tả", "Description", "plain_text", DESCRIPTION_MAX_BYTES, "bytes"
        ),
        FieldRule("tags", "Thẻ", "Tags", "tag_characters", TAGS_MAX_CHARACTERS),
    )


def _wordpress_fields(caps: Capabilities) -> tuple[FieldRule, ...]:
    return (
        FieldRule(
            "title", "Tiêu đề", "Title", "title", caps.title_max, required=True, loa_sets_it=True
        ),
        FieldRule("excerpt", "Tóm tắt", "Excerpt", "summary", caps.summary_max),
        FieldRule("content", "Nội dung", "Content", "plain_text", caps.text_max),
    )


def _static_site_fields(caps: Capabilities) -> tuple[FieldRule, ...]:
    """The static subpage takes any text; its title limit is Loa's, as on the website."""
    return (
        FieldRule(
            "title", "Tiêu đề", "Title", "title", caps.title_max, required=True, loa_sets_it=True
        ),
        FieldRule("content", "Nội dung", "Content", "plain_text", caps.text_max),
    )


def _generic_fields(caps: Capabilities) -> tuple[FieldRule, ...]:
    """A platform Loa has no composer for: what its Capabilities bound."""
    rules = []
    if caps.title_max is not None or caps.title_required:
        rules.append(
            FieldRule(
                "title", "Tiêu đề", "Title", "title", caps.title_max, required=caps.title_required
            )
        )
    if caps.summary_max is not None:
        rules.append(FieldRule("summary", "Mô tả ngắn", "Summary", "summary", caps.summary_max))
    rules.append(FieldRule("body", "Nội dung", "Text", "text_with_hashtags", caps.text_max))
    return tuple(rules)


FIELDS: dict[str, Callable[[Capabilities], tuple[FieldRule, ...]]] = {
    "zalo_oa": _zalo_fields,
    "facebook_page": _facebook_fields,
    "youtube": _youtube_fields,
    "wordpress": _wordpress_fields,
    "static_site": _static_site_fields,
}


def field_rules(channel_type: str) -> tuple[FieldRule, ...]:
    """The counted fields of a registered platform (RegistryError for an unknown one)."""
    caps = adapter_class(channel_type).capabilities
    return FIELDS.get(channel_type, _generic_fields)(caps)


def measured_text(name: str, pub: Publication) -> str:
    """The text a measure counts (see MEASURES). Tags as YouTube counts them: a comma between
    two (a tag never has a space, so never quotes), Loa's marker tag included once it has one."""
    if name == "title":
        return pub.title.strip()
    if name == "text_with_hashtags":
        return pub.text_with_hashtags
    if name == "plain_text":
        return render.plain_text(pub)
    if name == "summary":
        return str(pub.settings.get("summary") or "")
    if name == "tag_characters":
        return ",".join(sent_tags(pub))
    raise ValueError(f"unknown measure {name!r}")


def measure(name: str, pub: Publication) -> int:
    """A field's length in characters, as the counters count it (see MEASURES)."""
    return len(measured_text(name, pub))


def field_length(rule: FieldRule, pub: Publication) -> int:
    """What `rule` counts of `pub`, in its unit."""
    text = measured_text(rule.measure, pub)
    return len(text.encode("utf-8")) if rule.unit == "bytes" else len(text)


def limit_problem(channel_type: str, rule: FieldRule, length: int) -> Problem:
    """ "Zalo OA giới hạn tiêu đề 149 ký tự — bài này có 163", and the same in English."""
    unit_vi, unit_en = ("byte", "bytes") if rule.unit == "bytes" else ("ký tự", "characters")
    noun_en = LIMITED_NOUNS_EN.get(rule.field, rule.en.lower())
    vi_name, en_name = platform_name(channel_type, "vi"), platform_name(channel_type, "en")
    if rule.loa_sets_it:
        return Problem(
            MEASURED_FIELDS.get(rule.measure, rule.field),
            f"Loa giới hạn {rule.vi.lower()} bài trên {vi_name} ở {rule.max} {unit_vi}"
            f" cho dễ đọc — bài này có {length}",
            f"Loa keeps {noun_en} on the {en_name.lower()} to {rule.max} {unit_en} for"
            f" readability — this one has {length}",
        )
    return Problem(
        MEASURED_FIELDS.get(rule.measure, rule.field),
        f"{vi_name} giới hạn {rule.vi.lower()} {rule.max} {unit_vi} — bài này có {length}",
        f"{en_name} limits {noun_en} to {rule.max} {unit_en} — this one has {length}",
    )


def over_limits(pub: Publication, channel_type: str) -> list[tuple[FieldRule, int]]:
    """Each field of `pub` over its limit on `channel_type`, with its length."""
    found = []
    for rule in field_rules(channel_type):
        length = field_length(rule, pub)
        if rule.max is not None and length > rule.max:
            found.append((rule, length))
    return found


def limit_problems(pub: Publication, channel_type: str) -> list[Problem]:
    """Each field of `pub` over its limit on `channel_type`, told in the platform's name."""
    return [
        limit_problem(channel_type, rule, length) for rule, length in over_limits(pub, channel_type)
    ]


def channel_problems(pub: Publication, channel_type: str) -> list[Problem]:
    """Everything `channel_type` would refuse in `pub`: the limits first, in the platform's
    name, then the adapter's own check without its sentences about those same counts (they say
    the same without saying who sets the limit). RegistryError for an unknown type."""
    over = over_limits(pub, channel_type)
    named = [limit_problem(channel_type, rule, length) for rule, length in over]
    # The check says the limit's number in its own sentence about the same field.
    bounded = {
        (problem.field, str(rule.max)) for problem, (rule, _) in zip(named, over, strict=True)
    }
    checked = adapter_class(channel_type).check(pub)
    return named + [
        problem
        for problem in checked
        if not any(problem.field == field and limit in problem.en for field, limit in bounded)
    ]
