"""Reviewing several posts at once, and undoing a decision: all or nothing.

An editor approves, sends back or reopens a set of posts in one transaction: if one of them
cannot change (someone edited it meanwhile, it lacks a time, it is being published), none
changes, and the refusal names that post. Each post's change is the one-post transition of
`PostService` (same checks, same audit event), so a batch is never a way around a rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlmodel import Session

from content.errors import InvalidInput, UserError
from content.inputs import problem
from content.models import Post
from content.posts import PostService
from content.workflow import Actor


class Decision(StrEnum):
    approve = "approve"
    reject = "reject"
    reopen = "reopen"


# How a refusal names what could not be done, in a sentence about one post.
DECISION_WORDS: dict[Decision, tuple[str, str]] = {
    Decision.approve: ("duyệt", "approve"),
    Decision.reject: ("trả lại", "send back"),
    Decision.reopen: ("hoàn tác", "undo the decision on"),
}


class BatchRefused(UserError):
    """One post of a batch could not change; nothing was changed."""

    def __init__(self, post_id: int, title: str, decision: Decision, error: UserError) -> None:
        self.post_id = post_id
        vi_verb, en_verb = DECISION_WORDS[decision]
        name = f"#{post_id}" + (f" “{title}”" if title else "")
        vi_why, en_why = _reasons(error)
        super().__init__(
            f"could not {en_verb} post {name}: {en_why}; no post was changed",
            f"Không {vi_verb} được bài {name}: {vi_why}. Không bài nào được thay đổi.",
        )


def _reasons(error: UserError) -> tuple[str, str]:
    if isinstance(error, InvalidInput):
        return (
            "; ".join(p.vi.rstrip(".") for p in error.problems),
            "; ".join(p.en for p in error.problems),
        )
    return error.vi.rstrip("."), error.en


def decide(
    service: PostService,
    actor: Actor,
    post_ids: Iterable[int],
    decision: Decision,
    comment: str = "",
) -> list[Post]:
    """Apply `decision` to every post of `post_ids` (in that order), or to none."""
    ids = list(dict.fromkeys(post_ids))
    if not ids:
        raise InvalidInput(
            [problem("posts", "Hãy chọn ít nhất một bài.", "choose at least one post")]
        )
    if decision is Decision.reject and not comment.strip():
        raise InvalidInput(
            [
                problem(
                    "comment",
                    "Hãy ghi lý do trả lại để người viết biết cần sửa gì.",
                    "say why, so the author knows what to fix",
                )
            ]
        )
    with service.db.write() as session:
        changed = []
        for post_id in ids:
            try:
                changed.append(_apply(service, session, actor, post_id, decision, comment))
            except UserError as error:
                found = session.get(Post, post_id)
                raise BatchRefused(
                    post_id, found.title if found else "", decision, error
                ) from error
        return changed


def _apply(
    service: PostService,
    session: Session,
    actor: Actor,
    post_id: int,
    decision: Decision,
    comment: str,
) -> Post:
    if decision is Decision.approve:
        return service.approve_in(session, actor, post_id, comment.strip() or None)
    if decision is Decision.reject:
        return service.reject_in(session, actor, post_id, comment)
    return service.reopen_in(session, actor, post_id)
