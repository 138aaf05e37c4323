"""Posts in the REST API: list, create, read, update, and the editorial workflow.

Every change goes through `PostService`, so the API refuses exactly what the pages and the
command line refuse, with the same words; each answer is the post as it now is.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, Response
from pydantic import AwareDatetime

from content.inputs import MediaRef, PostInput
from content.metrics import latest as latest_figures
from content.models import EditorialState
from content.queries import media_of
from web.api.common import (
    PREFIX,
    Caller,
    Lang,
    Services,
    api_router,
    delivery_out,
    fields_named,
    post_media_out,
    post_out,
    require_query_time,
    require_visible,
    require_vocabulary,
    time_in,
    visible_departments,
)
from web.api.models import (
    ApproveIn,
    CancelIn,
    PostCreate,
    PostDetailOut,
    PostPage,
    PostPatch,
    RejectIn,
    RescheduleIn,
    Topic,
    errors,
)
from web.api.queries import PostQuery, authors_of, channels_of, page_of_posts
from web.path_ids import MAX_ID
from web.services import WebServices

router = api_router("posts")

PostId = Annotated[int, Path(ge=1, le=MAX_ID, description="The post's number.")]
# The service's names for what the API calls scheduled_at and missed_policy.
API_FIELDS = {"at": "scheduled_at", "missed": "missed_policy"}


def detail_of(
    services: WebServices,
    post_id: int,
    warnings: list[str] | None = None,
    *,
    viewer: Caller | None = None,
) -> PostDetailOut:
    """The post with its media and deliveries, as the API shows it (to `viewer`, if given)."""
    detail = services.posts.detail(post_id)
    if viewer is not None:
        require_visible(viewer, detail.post.department_code, post_id)
    with services.db.read() as session:
        author = authors_of(session, [detail.post.author_id]).get(detail.post.author_id)
        channels = channels_of(session, [post_id])[post_id]
        media = media_of(session, post_id)
        figures = latest_figures(session, [d.id for d in detail.deliveries if d.id is not None])
    base = post_out(detail.post, channels, author, services.zone)
    return PostDetailOut(
        **base.model_dump(),
        media=[post_media_out(m, link) for m, link in media],
        deliveries=[
            delivery_out(d, services.zone, figures.get(d.id or 0)) for d in detail.deliveries
        ],
        warnings=warnings or [],
    )


@router.get("/posts", response_model=PostPage, responses=errors(403))
def list_posts(
    actor: Caller,
    services: Services,
    state: EditorialState | None = None,
    department: Annotated[str | None, Query(max_length=32)] = None,
    channel: Annotated[str | None, Query(max_length=64)] = None,
    topic: Annotated[Topic | None, Query()] = None,
    start: Annotated[
        AwareDatetime | None,
        Query(alias="from", description="Scheduled at or after this instant (with an offset)."),
    ] = None,
    end: Annotated[
        AwareDatetime | None,
        Query(alias="to", description="Scheduled before this instant (with an offset)."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PostPage:
    """Posts in time order (unscheduled ones last); officers see their own department's."""
    require_query_time("from", start)
    require_query_time("to", end)
    require_vocabulary("topic", [topic], services.posts.vocabulary.topics)
    query = PostQuery(
        departments=visible_departments(actor, [department] if department else []),
        state=state,
        channel=channel,
        topic=topic,
        start=start,
        end=end,
        limit=limit,
        offset=offset,
    )
    with services.db.read() as session:
        rows = page_of_posts(session, query)
    items = [
        post_out(post, rows.channels.get(post.id or 0, []), rows.authors.get(post.author_id),
                 services.zone)
        for post in rows.posts
    ]  # fmt: skip
    following = offset + len(items)
    return PostPage(
        items=items,
        total=rows.total,
        limit=limit,
        offset=offset,
        next_offset=following if following < rows.total else None,
    )


@router.post(
    "/posts",
    status_code=201,
    response_model=PostDetailOut,
    responses=errors(403, 404, 409),
)
def create_post(
    body: PostCreate, actor: Caller, services: Services, response: Response
) -> PostDetailOut:
    """A new draft. `department` defaults to the caller's; officers write for their own."""
    data = PostInput(
        title=body.title,
        topic=body.topic,
        department=body.department or actor.department_code or "",
        channels=list(body.channels),
        body=body.body,
        link=body.link,
        hashtags=list(body.hashtags),
        pillar=body.pillar,
        audience=body.audience,
        scheduled_at=time_in(body.scheduled_at, services.zone, "scheduled_at"),
        next_slot=body.next_slot,
        missed_policy=body.missed_policy.value,
        grace_minutes=body.grace_minutes,
        media=[MediaRef(ref.sha256, ref.alt_text) for ref in body.media],
        overrides={cid: o.model_dump(exclude_none=True) for cid, o in body.overrides.items()},
    )
    with fields_named(API_FIELDS):
        post = services.posts.create(actor, data)
    assert post.id is not None
    response.headers["Location"] = f"{PREFIX}/posts/{post.id}"
    return detail_of(services, post.id)


@router.get("/posts/{post_id}", response_model=PostDetailOut, responses=errors(403, 404))
def read_post(post_id: PostId, actor: Caller, services: Services) -> PostDetailOut:
    """The post with its media and its deliveries (one per channel)."""
    return detail_of(services, post_id, viewer=actor)


@router.patch("/posts/{post_id}", response_model=PostDetailOut, responses=errors(403, 404, 409))
def update_post(
    post_id: PostId, body: PostPatch, actor: Caller, services: Services
) -> PostDetailOut:
    """Change the fields sent. An approved post whose content changes goes back to review."""
    sent = body.model_dump(exclude_unset=True)
    expected = sent.pop("expected_version", None)
    changes: dict[str, Any] = {}
    for name, value in sent.items():
        if name == "scheduled_at":
            changes[name] = time_in(value, services.zone, "scheduled_at")
        elif name == "media":
            changes[name] = [MediaRef(ref.sha256, ref.alt_text) for ref in body.media]
        elif name == "overrides":
            changes[name] = {
                cid: o.model_dump(exclude_none=True) for cid, o in body.overrides.items()
            }
        else:
            changes[name] = value
    with fields_named(API_FIELDS):
        services.posts.edit(actor, post_id, changes, expected_version=expected)
    return detail_of(services, post_id)


@router.post(
    "/posts/{post_id}/submit", response_model=PostDetailOut, responses=errors(403, 404, 409)
)
def submit_post(post_id: PostId, actor: Caller, services: Services) -> PostDetailOut:
    """draft -> in_review. The post needs a time and at least one channel."""
    with fields_named(API_FIELDS):
        services.posts.submit(actor, post_id)
    return detail_of(services, post_id)


@router.post(
    "/posts/{post_id}/approve", response_model=PostDetailOut, responses=errors(403, 404, 409)
)
def approve_post(
    post_id: PostId,
    actor: Caller,
    services: Services,
    lang: Lang,
    body: ApproveIn | None = None,
) -> PostDetailOut:
    """in_review -> approved (editors and admins; not one's own post). Its deliveries are then
    scheduled; `warnings` says if a channel's daily quota is planned over its limit."""
    with fields_named(API_FIELDS):
        services.posts.approve(actor, post_id, body.comment if body else None)
    found = services.approval_warnings(post_id) if services.approval_warnings else []
    warnings = [vi if lang == "vi" else en for vi, en in found]
    return detail_of(services, post_id, warnings)


@router.post(
    "/posts/{post_id}/reject", response_model=PostDetailOut, responses=errors(403, 404, 409)
)
def reject_post(
    post_id: PostId, body: RejectIn, actor: Caller, services: Services
) -> PostDetailOut:
    """in_review -> rejected, with the comment the author needs (editors and admins)."""
    services.posts.reject(actor, post_id, body.comment)
    return detail_of(services, post_id)


@router.post(
    "/posts/{post_id}/cancel", response_model=PostDetailOut, responses=errors(403, 404, 409)
)
def cancel_post(
    post_id: PostId, actor: Caller, services: Services, body: CancelIn | None = None
) -> PostDetailOut:
    """Any state but cancelled -> cancelled; what is not published yet will not be."""
    reason = body.reason.strip() if body is not None and body.reason else None
    reason = reason or None
    services.posts.cancel(actor, post_id, reason)
    return detail_of(services, post_id)


@router.post(
    "/posts/{post_id}/reschedule",
    response_model=PostDetailOut,
    responses=errors(403, 404, 409),
)
def reschedule_post(
    post_id: PostId, body: RescheduleIn, actor: Caller, services: Services
) -> PostDetailOut:
    """A new time (`at`: ISO 8601; without an offset it is local time in the configured zone)
    or the next free slot. An editor's move keeps the approval; an officer's sends an approved
    post back to review."""
    when = time_in(body.at, services.zone, "at")
    services.posts.reschedule(actor, post_id, when, next_slot=body.next_slot)
    return detail_of(services, post_id)
