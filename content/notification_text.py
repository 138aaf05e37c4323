"""What people are told, in Vietnamese first and English second: the events and their words.

Each message carries both languages; the page shows the reader's language first, the e-mail
both (Vietnamese, then English). Links are paths inside Loa ("/posts/12"): the e-mail puts the
configured public address in front of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from content.labels import platform_name
from content.models import AuditEvent, Post, Role
from content.reasons import Reason

ALL = frozenset({Role.officer, Role.editor, Role.admin})
REVIEWERS = frozenset({Role.editor, Role.admin})


@dataclass(frozen=True)
class EventInfo:
    vi: str
    en: str
    roles: frozenset[str]  # who is ever told it (the preferences page shows only these)


# In the order the preferences page lists them.
EVENTS: dict[str, EventInfo] = {
    "post_approved": EventInfo("Bài của tôi được duyệt", "My post was approved", ALL),
    "post_rejected": EventInfo(
        "Bài của tôi bị trả lại (kèm lý do)", "My post was sent back (with the reason)", ALL
    ),
    "post_published": EventInfo(
        "Bài của tôi đã đăng (kèm đường dẫn)", "My post was published (with the links)", ALL
    ),
    "post_reopened": EventInfo(
        "Quyết định duyệt bài của tôi được hoàn tác (bài chờ duyệt lại)",
        "The decision on my post was undone (it waits for review again)", ALL,
    ),
    "post_failed": EventInfo("Bài của tôi không đăng được", "My post could not be published", ALL),
    "post_submitted": EventInfo(
        "Có bài mới chờ duyệt", "A post was submitted for review", REVIEWERS
    ),
    "post_waiting": EventInfo(
        "Bài chờ duyệt quá lâu", "A post has waited too long for review", REVIEWERS
    ),
    "channel_needs_auth": EventInfo(
        "Kênh cần kết nối lại", "A channel needs reconnecting", frozenset({Role.admin})
    ),
    "observance": EventInfo(
        "Sắp đến ngày kỷ niệm cần chuẩn bị bài", "An observance's planning window opens", ALL
    ),
    "deadline": EventInfo(
        "Sắp đến hạn gửi báo cáo năm (1/11)", "The yearly report is due soon (1 November)",
        frozenset({Role.officer, Role.editor}),
    ),
    "digest": EventInfo(
        "Tổng kết tháng của đơn vị", "My department's monthly digest",
        frozenset({Role.officer, Role.editor}),
    ),
}  # fmt: skip


# The decision a reopening undid (the audit's `undone` detail): its words.
UNDONE = {
    "approved": ("việc duyệt", "approval"),
    "rejected": ("việc trả lại", "rejection"),
}


@dataclass(frozen=True)
class Message:
    event: str
    key: str  # what it is about, once per person: "post_approved:12:4"
    title: tuple[str, str]  # (vi, en)
    body: tuple[str, str]
    link: str = ""
    post_id: int | None = None
    channel_id: str | None = None


def reason_pair(stored: str | None) -> tuple[str, str]:
    """A stored reason (content.reasons) as (vi, en), each with the platform's own words."""
    reason = Reason.decode(stored)
    if reason is None:
        return ("", "")
    detail = f" ({reason.detail})" if reason.detail else ""
    return (f"{reason.vi or reason.en}{detail}", f"{reason.en or reason.vi}{detail}")


def _post_words(post: Post) -> tuple[str, str]:
    return (f"bài #{post.id} «{post.title}»", f"post #{post.id} “{post.title}”")


@dataclass(frozen=True)
class MoveWords:
    """What an editorial move says, as (vi, en) templates: `{title}` the post's title, `{by}`
    who moved it, `{post}` the post in words, `{comment}` the reviewer's comment, `{said}` that
    comment on a line of its own (nothing without one), `{undone}` the decision undone."""

    event: str
    title: tuple[str, str]
    body: tuple[str, str]


# The editorial moves people are told about (by audit action); any other move tells nobody.
MOVES: dict[str, MoveWords] = {
    "post.submitted": MoveWords(
        "post_submitted",
        ("Bài mới chờ duyệt: «{title}»", "New post to review: “{title}”"),
        ("{by} đã gửi {post} để duyệt.", "{by} submitted {post} for review."),
    ),
    "post.approved": MoveWords(
        "post_approved",
        ("Bài đã được duyệt: «{title}»", "Post approved: “{title}”"),
        ("{by} đã duyệt {post}.{said}", "{by} approved {post}.{said}"),
    ),
    "post.rejected": MoveWords(
        "post_rejected",
        ("Bài bị trả lại: «{title}»", "Post sent back: “{title}”"),
        (
            "{by} đã trả lại {post}.\nLý do: {comment}\nHãy sửa bài rồi gửi duyệt lại.",
            "{by} sent back {post}.\nReason: {comment}\nEdit it and submit it again.",
        ),
    ),
    "post.reopened": MoveWords(
        "post_reopened",
        ("Bài chờ duyệt lại: «{title}»", "Back in review: “{title}”"),
        (
            "{by} đã hoàn tác {undone} {post}; bài đang chờ duyệt lại.",
            "{by} undid the {undone} of {post}; it is waiting for review again.",
        ),
    ),
}
# A reviewer's comment under the body, when there is one ({said} above).
SAID = ("\nNhận xét: {comment}", "\nComment: {comment}")


def post_moved(event: AuditEvent, post: Post, by: str) -> Message | None:
    """The message of an editorial move, or None for a move nobody is told about."""
    words = MOVES.get(event.action)
    if words is None:
        return None
    detail = event.detail or {}
    comment = str(detail.get("comment") or "").strip()
    undone = UNDONE.get(str(detail.get("undone") or ""), ("quyết định duyệt", "review decision"))
    values = [  # (vi, en)
        {"title": post.title, "by": by, "post": named, "comment": comment, "undone": was,
         "said": said.format(comment=comment) if comment else ""}
        for named, was, said in zip(_post_words(post), undone, SAID, strict=True)
    ]  # fmt: skip
    return Message(
        words.event,
        f"{words.event}:{post.id}:{post.version}",  # each move makes a new version
        _filled(words.title, values),
        _filled(words.body, values),
        f"/posts/{post.id}",
        post.id,
    )


def _filled(pair: tuple[str, str], values: list[dict[str, str]]) -> tuple[str, str]:
    return (pair[0].format(**values[0]), pair[1].format(**values[1]))


def needs_auth(event: AuditEvent, reason: str, name: str) -> Message:
    channel = event.channel_id or ""
    why = reason_pair(reason)
    return Message(
        "channel_needs_auth", f"channel_needs_auth:{channel}:{event.at.isoformat()}",
        (f"Kênh {name} cần kết nối lại", f"Channel {name} needs reconnecting"),
        (
            f"Loa không đăng được lên kênh {name} cho đến khi kênh được kết nối lại; các bài"
            f" của kênh đang chờ.\nLý do: {why[0]}",
            f"Loa cannot publish to {name} until it is reconnected; its posts are waiting."
            f"\nReason: {why[1]}",
        ),
        f"/channels/{channel}/connect", channel_id=channel,
    )  # fmt: skip


@dataclass(frozen=True)
class Outlet:
    """Where a delivery went: for the words of published and failed posts."""

    channel_id: str
    channel_type: str
    channel_name: str
    url: str | None = None
    reason: str | None = None

    def name(self, lang: str) -> str:
        platform = platform_name(self.channel_type, lang)
        return f"{platform} · {self.channel_name}" if self.channel_name else platform


def published(post: Post, outlets: Sequence[Outlet]) -> Message:
    vi, en = _post_words(post)
    lines_vi = [f"- {o.name('vi')}: {o.url or '(chưa có đường dẫn)'}" for o in outlets]
    lines_en = [f"- {o.name('en')}: {o.url or '(no link yet)'}" for o in outlets]
    return Message(
        "post_published", f"post_published:{post.id}",
        (f"Bài đã đăng: «{post.title}»", f"Post published: “{post.title}”"),
        (
            f"{vi[0].upper()}{vi[1:]} đã đăng:\n" + "\n".join(lines_vi),
            f"{en[0].upper()}{en[1:]} is published:\n" + "\n".join(lines_en),
        ),
        f"/posts/{post.id}", post.id,
    )  # fmt: skip


def failed(post: Post, outlet: Outlet, delivery_id: int, attempts: int) -> Message:
    vi, en = _post_words(post)
    why = reason_pair(outlet.reason)
    return Message(
        "post_failed", f"post_failed:{delivery_id}:{attempts}",
        (
            f"Bài không đăng được lên {outlet.name('vi')}: «{post.title}»",
            f"Post failed on {outlet.name('en')}: “{post.title}”",
        ),
        (
            f"{vi[0].upper()}{vi[1:]} không đăng được lên {outlet.name('vi')}.\nLý do: {why[0]}",
            f"{en[0].upper()}{en[1:]} could not be published on {outlet.name('en')}."
            f"\nReason: {why[1]}",
        ),
        f"/posts/{post.id}", post.id, outlet.channel_id,
    )  # fmt: skip


def waiting(post: Post, hours: int) -> Message:
    vi, en = _post_words(post)
    return Message(
        "post_waiting", f"post_waiting:{post.id}:{post.version}",
        (f"Bài chờ duyệt quá {hours} giờ: «{post.title}»",
         f"Waiting over {hours} hours for review: “{post.title}”"),
        (f"{vi[0].upper()}{vi[1:]} đã chờ duyệt hơn {hours} giờ.",
         f"{en[0].upper()}{en[1:]} has waited for review for over {hours} hours."),
        f"/posts/{post.id}", post.id,
    )  # fmt: skip


def reminder(event: str, key: str, subject: str, body: str, link: str) -> Message:
    """A reminder's words (already Vietnamese then English in one text) as a message."""
    title_vi, _, title_en = subject.removeprefix("Loa: ").partition(" / ")
    return Message(event, key, (title_vi, title_en or title_vi), (body, body), link)
