"""The editorial state machine: which transitions exist, and who may take them.

    draft ──submit──> in_review ──approve──> approved
      ^                   │                      │ edit (content changes)
      │                reject                    v
      └──edit── rejected <┘                  in_review
    any state but cancelled ──cancel──> cancelled
    approved, rejected ──reopen──> in_review   (an editor's decision undone)

Pure rules with no database access, so the command line, the web pages and the API refuse the
same things with the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from content.errors import NotFound, PermissionDenied, TransitionRefused
from content.models import ChannelState, DeliveryState, EditorialState, Role

S = EditorialState

STATE_LABELS: dict[str, tuple[str, str]] = {
    S.draft: ("Nháp", "Draft"),
    S.in_review: ("Chờ duyệt", "In review"),
    S.approved: ("Đã duyệt", "Approved"),
    S.rejected: ("Bị trả lại", "Rejected"),
    S.cancelled: ("Đã hủy", "Cancelled"),
}


class Action(StrEnum):
    edit = "edit"
    submit = "submit"
    approve = "approve"
    reject = "reject"
    cancel = "cancel"
    reschedule = "reschedule"
    reopen = "reopen"


@dataclass(frozen=True)
class Actor:
    """Who is acting: plain data, so rules never need a session."""

    id: int
    username: str
    role: str
    department_code: str | None

    @property
    def reviews(self) -> bool:
        return self.role in (Role.editor, Role.admin)


# From which states each action may be taken.
ALLOWED_FROM: dict[Action, frozenset[str]] = {
    Action.edit: frozenset({S.draft, S.in_review, S.approved, S.rejected}),
    Action.submit: frozenset({S.draft}),
    Action.approve: frozenset({S.in_review}),
    Action.reject: frozenset({S.in_review}),
    Action.cancel: frozenset({S.draft, S.in_review, S.approved, S.rejected}),
    Action.reschedule: frozenset({S.draft, S.in_review, S.approved, S.rejected}),
    Action.reopen: frozenset({S.approved, S.rejected}),
}

ACTION_LABELS: dict[Action, tuple[str, str]] = {
    Action.edit: ("sửa", "edit"),
    Action.submit: ("gửi duyệt", "submit"),
    Action.approve: ("duyệt", "approve"),
    Action.reject: ("trả lại", "reject"),
    Action.cancel: ("hủy", "cancel"),
    Action.reschedule: ("đổi lịch", "reschedule"),
    Action.reopen: ("mở lại", "reopen"),
}

HINTS: dict[tuple[Action, str], tuple[str, str]] = {
    (Action.submit, S.rejected): (
        "hãy sửa bài theo góp ý của biên tập viên trước (bài sẽ về nháp)",
        "edit it to address the editor's comment first (it goes back to draft)",
    ),
    (Action.submit, S.in_review): ("không cần gửi lại", "nothing to do"),
    (Action.submit, S.approved): ("không cần gửi lại", "nothing to do"),
    (Action.approve, S.draft): (
        "người viết cần gửi duyệt trước",
        "its author must submit it for review first",
    ),
    (Action.approve, S.approved): ("không cần duyệt lại", "nothing to do"),
    (Action.reject, S.draft): ("bài chưa được gửi duyệt", "it has not been submitted"),
    (Action.reopen, S.in_review): ("bài đang chờ duyệt rồi", "it is already waiting for review"),
    (Action.reopen, S.draft): (
        "người viết đã sửa bài sau khi bị trả lại",
        "its author has edited it since it was sent back",
    ),
}


def in_language(table: Mapping[str, tuple[str, str]], key: str, lang: str) -> str:
    """The (Vietnamese, English) entry of `key` in `lang`; an unknown key stands for itself."""
    vi, en = table.get(key, (key, key))
    return vi if lang == "vi" else en


def state_label(state: str, lang: str = "vi") -> str:
    return in_language(STATE_LABELS, state, lang)


# A delivery's state in words that fit inside a sentence or a calendar line (the command
# line, the calendar, the iCalendar feed).
DELIVERY_STATE_WORDS: dict[str, tuple[str, str]] = {
    DeliveryState.pending: ("chưa duyệt", "not approved"),
    DeliveryState.scheduled: ("chờ đăng", "scheduled"),
    DeliveryState.claimed: ("đang xử lý", "claimed"),
    DeliveryState.sending: ("đang gửi", "sending"),
    DeliveryState.published: ("đã đăng", "published"),
    DeliveryState.handed_over: ("nền tảng giữ đến giờ đăng", "held by the platform until its time"),
    DeliveryState.reconciling: ("đang đối soát", "reconciling"),
    DeliveryState.needs_review: ("cần kiểm tra", "needs review"),
    DeliveryState.failed: ("thất bại", "failed"),
    DeliveryState.missed: ("lỡ giờ", "missed"),
    DeliveryState.cancelled: ("đã hủy", "cancelled"),
}


def delivery_state_words(state: str, lang: str = "vi") -> str:
    return in_language(DELIVERY_STATE_WORDS, state, lang)


# A channel's state in the same kind of words (`loa worker status`, the channels page).
CHANNEL_STATE_WORDS: dict[str, tuple[str, str]] = {
    ChannelState.active: ("đang hoạt động", "active"),
    ChannelState.needs_auth: ("cần kết nối lại", "needs reconnecting"),
    ChannelState.paused: ("tạm dừng", "paused"),
    ChannelState.retired: ("đã gỡ khỏi cấu hình", "removed from the configuration"),
}


def channel_state_words(state: str, lang: str = "vi") -> str:
    return in_language(CHANNEL_STATE_WORDS, state, lang)


def require_transition(action: Action, state: str, post_id: int | None) -> None:
    if state in ALLOWED_FROM[action]:
        return
    act_vi, act_en = ACTION_LABELS[action]
    hint_vi, hint_en = HINTS.get(
        (action, state),
        (
            "bài đã hủy không thể thay đổi" if state == S.cancelled else "",
            "a cancelled post cannot change" if state == S.cancelled else "",
        ),
    )
    name = f"#{post_id}" if post_id is not None else ""
    raise TransitionRefused(
        f"cannot {act_en} post {name}: it is {state_label(state, 'en').lower()}"
        + (f"; {hint_en}" if hint_en else ""),
        f"Không thể {act_vi} bài {name}: bài đang ở trạng thái"
        f" “{state_label(state, 'vi')}”" + (f"; {hint_vi}" if hint_vi else ""),
    )


def require_permission(
    actor: Actor,
    action: Action,
    *,
    post_department: str,
    author_id: int | None,
    post_id: int | None = None,
) -> None:
    """Officers act on their own department's posts; editors and admins review everything.

    Another department's post is "not found", in the words of a post that does not exist: a
    refusal must not tell an officer which department owns a post, nor even that it exists.
    """
    act_vi, act_en = ACTION_LABELS[action]
    if action in (Action.approve, Action.reject, Action.reopen):
        if not actor.reviews:
            raise PermissionDenied(
                f"only editors may {act_en} posts; {actor.username} is an {actor.role}",
                f"Chỉ biên tập viên mới được {act_vi} bài; {actor.username} không phải"
                " biên tập viên.",
            )
        if action is Action.approve and author_id == actor.id:
            raise PermissionDenied(
                f"{actor.username} wrote this post; another editor must approve it",
                f"{actor.username} là người viết bài này; cần một biên tập viên khác duyệt.",
            )
        return
    if actor.reviews:
        return
    if actor.department_code != post_department:
        raise post_not_found(post_id)


def post_not_found(post_id: int | None) -> NotFound:
    """The refusal of a post that does not exist, or that the person may not see."""
    if post_id is None:
        return NotFound("no such post", "Không có bài này.")
    return NotFound(f"no post #{post_id}", f"Không có bài #{post_id}.")


def state_after_edit(
    state: str,
    *,
    content_changed: bool,
    actor: Actor,
    corrects_own_post: bool = False,
    on_platform: bool = False,
) -> str:
    """Editing sends approved posts back to review and rejected ones back to draft.

    An editor moving an approved post in time keeps it approved: rescheduling is part of
    reviewing. So does an editor correcting a post already on a platform (not their own: nobody
    approves their own post), since the correction is what the review would approve; it goes
    out at once. Any other change needs a fresh look (and its corrections wait for it).
    """
    if state == S.rejected:
        return S.draft
    if state != S.approved or not actor.reviews:
        return S.in_review if state == S.approved else state
    if not content_changed or (on_platform and not corrects_own_post):
        return state
    return S.in_review
