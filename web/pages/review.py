"""The review queue: posts waiting for review, the longest-waiting first, shown as they will go
out (their images with alt text, their text folded when long, their channels by name).

Editors and administrators see every department's. Each post has approve (an optional comment)
and reject (a comment required) inline, posting to the post page's actions and coming back
here; ticking several posts approves or sends them all back at once (`/review/approve`,
`/review/reject`: one transaction, all or nothing, a refusal names the post). Every decision
comes back as a message naming the posts, with "Hoàn tác" (`/review/undo`) returning them to
review. Officers see their own department's posts in review, read-only, so they know what is
waiting; reviewing is not theirs (the menu shows the page to reviewers only).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from content.errors import InvalidInput, PermissionDenied, UserError
from content.labels import platform_name
from content.review_actions import Decision, decide
from content.review_queue import titles_of, waiting_posts
from content.workflow import Actor
from web.auth import current_actor
from web.pages.posts import HISTORY_ACTIONS
from web.path_ids import MAX_ID
from web.render import lang_of, render
from web.services import services_of

router = APIRouter(prefix="/review")
Signed = Annotated[Actor, Depends(current_actor)]
Text = Annotated[str, Form(max_length=5000)]
PostIds = Annotated[list[int], Form(default_factory=list, max_length=200)]

# The post page's history names the undo as it names the decisions.
HISTORY_ACTIONS["post.reopened"] = ("hoàn tác quyết định duyệt", "undid the review decision")
DONE_STATES = frozenset({"approved", "rejected", "reopened"})

# A long text is folded (<details>), so the queue stays a list one can run an eye down.
FOLD_AT = 400
MAX_NAMED = 200  # posts named in one status message


@router.get("")
def review_page(request: Request, actor: Signed, done: str = "", posts: str = "") -> Response:
    return _page(request, actor, done=done if done in DONE_STATES else "", named=posts)


@router.post("/approve")
def approve_many(request: Request, actor: Signed, posts: PostIds, comment: Text = "") -> Response:
    return _decide(request, actor, posts, Decision.approve, comment)


@router.post("/reject")
def reject_many(request: Request, actor: Signed, posts: PostIds, comment: Text = "") -> Response:
    return _decide(request, actor, posts, Decision.reject, comment)


@router.post("/undo")
def undo(request: Request, actor: Signed, posts: PostIds) -> Response:
    return _decide(request, actor, posts, Decision.reopen, "")


DONE_OF = {Decision.approve: "approved", Decision.reject: "rejected", Decision.reopen: "reopened"}


def _decide(
    request: Request, actor: Actor, post_ids: list[int], decision: Decision, comment: str
) -> Response:
    if not actor.reviews:  # a clear 403, not a refusal naming the first post
        raise PermissionDenied(
            f"only editors review posts; {actor.username} is an {actor.role}",
            f"Chỉ biên tập viên mới được duyệt bài; {actor.username} không phải biên tập viên.",
        )
    wanted = [post_id for post_id in post_ids if 1 <= post_id <= MAX_ID]
    try:
        changed = decide(services_of(request).posts, actor, wanted, decision, comment)
    except UserError as error:
        lang = lang_of(request)
        field = "comment" if isinstance(error, InvalidInput) and _about(error, "comment") else ""
        return _page(
            request,
            actor,
            refusal=error.text(lang),
            refused_field=field,
            picked=wanted,
            comment=comment,
            status=422,
        )
    named = ",".join(str(post.id) for post in changed)
    return RedirectResponse(f"/review?done={DONE_OF[decision]}&posts={named}", status_code=303)


def _about(error: InvalidInput, field: str) -> bool:
    return any(problem.field == field for problem in error.problems)


def _named_ids(text: str) -> list[int]:
    found = []
    for part in text.split(",")[:MAX_NAMED]:
        if part.strip().isdigit() and 1 <= int(part) <= MAX_ID:
            found.append(int(part))
    return found


def _page(
    request: Request,
    actor: Actor,
    *,
    done: str = "",
    named: str = "",
    refusal: str = "",
    refused_field: str = "",
    picked: list[int] | None = None,
    comment: str = "",
    status: int = 200,
) -> Response:
    services = services_of(request)
    lang = lang_of(request)
    with services.db.read() as session:
        waiting = waiting_posts(session, actor)
        done_posts = titles_of(session, _named_ids(named), actor) if done else []
    channels = {c.id: c for c in services.channels}
    context: dict[str, Any] = {
        "waiting": waiting,
        "channel_label": lambda channel_id: _channel_label(channels, channel_id, lang),
        "fold_at": FOLD_AT,
        "done": done if done_posts else "",
        "done_posts": done_posts,
        # Undo only while every named post still stands as the decision left it.
        "can_undo": actor.reviews
        and done in ("approved", "rejected")
        and all(post.state == done for post in done_posts),
        "refusal": refusal,
        "refused_field": refused_field,
        "picked": set(picked or []),
        "comment": comment,
    }
    return render(request, "review/index.html", context, status_code=status)


def _channel_label(channels: dict[str, Any], channel_id: str, lang: str) -> tuple[str, str]:
    """(platform name, channel name): "Facebook", "Trang ASEAN Huế"."""
    display = channels.get(channel_id)
    if display is None:
        return ("", channel_id)
    return (platform_name(display.type, lang), display.name)
