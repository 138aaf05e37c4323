"""The post service: every change to a post goes through here, in one transaction each.

Each method checks who acts and from which state (`content.workflow`), validates the whole input
(`content.inputs`), writes the post, its deliveries and an audit event together, and refuses
with a `UserError` that leaves the database untouched.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from content import audit
from content.corrections import ON_PLATFORM, queue_change, queue_corrections
from content.db import Database
from content.errors import Conflict, FieldProblem, InvalidInput, NotFound
from content.inputs import (
    EDITABLE_FIELDS,
    PostInput,
    Vocabulary,
    normalise_hashtags,
    problem,
    retired_problem,
    validate_input,
)
from content.models import (
    FINAL_DELIVERY_STATES,
    IN_FLIGHT_DELIVERY_STATES,
    AuditEvent,
    ChangeAction,
    Delivery,
    DeliveryState,
    EditorialState,
    Media,
    Post,
    PostMedia,
)
from content.post_rows import (
    apply_input,
    changed_fields,
    check_media_refs,
    follow_editorial_state,
    sync_deliveries,
    sync_media,
)
from content.queries import (
    WriteContext,
    actor_of,
    deliveries_of,
    input_of,
    load_channels,
    load_departments,
    media_of,
)
from content.slot_finder import find_slot_plan
from content.timeutil import VI_DATETIME, as_utc, format_local, utcnow
from content.workflow import (
    Action,
    Actor,
    require_permission,
    require_transition,
    state_after_edit,
)

log = logging.getLogger(__name__)

D = DeliveryState
# Changing only these keeps an editor's approval: moving a post in time is part of reviewing.
SCHEDULE_FIELDS = frozenset({"scheduled_at", "missed_policy", "grace_minutes"})
SLOT_HORIZON_DAYS = 60
# A decision can be undone while every delivery is still Loa's alone (nothing handed over).
UNDOABLE_DELIVERY_STATES = frozenset({D.pending, D.scheduled, D.failed, D.missed, D.cancelled})

Checker = Callable[[Session, Post, Sequence[Delivery]], list[FieldProblem]]
"""Runs each chosen channel's own checks; wired by `loa` from the channel adapters."""


@dataclass(frozen=True)
class PostDetail:
    post: Post
    deliveries: list[Delivery]
    media: list[tuple[Media, PostMedia]]
    events: list[AuditEvent]


class PostService:
    def __init__(
        self,
        db: Database,
        vocabulary: Vocabulary,
        tz: tzinfo,
        *,
        checker: Checker | None = None,
        clock: Callable[[], datetime] = utcnow,
        default_grace_minutes: int = 60,
    ) -> None:
        self.db = db
        self.vocabulary = vocabulary
        self.tz = tz
        self.checker = checker
        self.clock = clock
        self.default_grace_minutes = default_grace_minutes

    # -- who is acting -------------------------------------------------------------------

    def actor(self, username: str) -> Actor:
        with self.db.read() as session:
            return actor_of(session, username)

    # -- creating and changing -----------------------------------------------------------

    def create(self, actor: Actor, data: PostInput) -> Post:
        with self.db.write() as session:
            context = self.context(session)
            problems = self.validate(actor, data, context)
            if problems:
                raise InvalidInput(problems, "post not saved")
            return self.insert(session, actor, data, context)

    def context(self, session: Session) -> WriteContext:
        return WriteContext(load_channels(session), load_departments(session))

    def settled_channels(self, post_id: int) -> frozenset[str]:
        """The channels where the post already went or was dropped (see `validate`)."""
        with self.db.read() as session:
            return settled_channels(deliveries_of(session, post_id))

    def validate(
        self,
        actor: Actor,
        data: PostInput,
        context: WriteContext,
        settled: frozenset[str] = frozenset(),
    ) -> list[FieldProblem]:
        """Every problem of `data`; `settled` are the channels where an edited post already went
        (or was dropped): those may stay on it even once retired, as the platform holds it."""
        problems = validate_input(data, self.vocabulary, context.channels, context.departments)
        for channel_id in data.channels:
            info = context.channels.get(channel_id)
            if info is not None and info.retired and channel_id not in settled:
                problems.append(retired_problem(channel_id))
        if not actor.reviews:
            if data.department != actor.department_code:
                problems.append(
                    problem(
                        "department",
                        f"Cán bộ của {actor.department_code} chỉ được viết bài cho đơn vị mình.",
                        f"{actor.username} may only write posts for {actor.department_code}",
                    )
                )
            for channel_id in data.channels:
                info = context.channels.get(channel_id)
                if info and not info.shared and info.department_code != actor.department_code:
                    problems.append(
                        problem(
                            "channels",
                            f"Kênh {channel_id} thuộc {info.department_code}, không dùng chung.",
                            f"channel {channel_id} belongs to {info.department_code} and is"
                            " not shared",
                        )
                    )
        return problems

    def insert(
        self,
        session: Session,
        actor: Actor,
        data: PostInput,
        context: WriteContext,
        *,
        author_id: int | None = None,
        source: str = "",
    ) -> Post:
        """Write one validated post inside the caller's transaction."""
        return self.insert_many(session, actor, [(data, author_id)], context, source=source)[0]

    def insert_many(
        self,
        session: Session,
        actor: Actor,
        items: Sequence[tuple[PostInput, int | None]],
        context: WriteContext,
        *,
        source: str = "",
    ) -> list[Post]:
        """Write validated posts together, as the importer does with thousands of rows.

        The posts are flushed once (their ids are needed); their media links, deliveries and
        audit events then go in as one bulk insert each, without building ORM objects.
        """
        now = self.clock()
        placed: dict[str, set[datetime]] = {}  # slots taken by earlier posts of this batch
        posts: list[Post] = []
        for data, author_id in items:
            scheduled_at = data.scheduled_at
            if data.next_slot:
                scheduled_at = self._next_slot(session, data.channels, context, None, placed)
            if scheduled_at is not None:
                for channel_id in data.channels:
                    placed.setdefault(channel_id, set()).add(scheduled_at)
            posts.append(self._new_post(actor, data, author_id, scheduled_at, now))
        session.add_all(posts)
        session.flush()
        check_media_refs(session, [ref for data, _ in items for ref in data.media], items)
        links, deliveries, events = [], [], []
        for post, (data, _) in zip(posts, items, strict=True):
            links += [
                {"post_id": post.id, "media_sha256": ref.sha256, "position": position,
                 "alt_text": ref.alt_text}
                for position, ref in enumerate(data.media)
            ]  # fmt: skip
            deliveries += [
                {"post_id": post.id, "channel_id": channel_id, "state": D.pending,
                 "due_at": post.scheduled_at, "overrides": dict(data.overrides.get(channel_id, {})),
                 "attempts": 0, "created_at": now, "updated_at": now}
                for channel_id in data.channels
            ]  # fmt: skip
            detail: dict[str, Any] = {"title": post.title, "channels": data.channels}
            if source:
                detail["source"] = source
            events.append(
                {"at": now, "actor": actor.username, "action": "post.created",
                 "post_id": post.id, "channel_id": None, "detail": detail}
            )  # fmt: skip
        for table, rows in ((PostMedia, links), (Delivery, deliveries), (AuditEvent, events)):
            if rows:
                session.execute(insert(table), rows)
        return posts

    def _new_post(
        self,
        actor: Actor,
        data: PostInput,
        author_id: int | None,
        scheduled_at: datetime | None,
        now: datetime,
    ) -> Post:
        return Post(
            title=data.title.strip(),
            body=data.body,
            link=data.link or None,
            hashtags=normalise_hashtags(data.hashtags),
            topic=data.topic,
            pillar=data.pillar,
            audience=data.audience,
            department_code=data.department,
            author_id=author_id if author_id is not None else actor.id,
            scheduled_at=scheduled_at,
            missed_policy=data.missed_policy,
            grace_minutes=(
                data.grace_minutes if data.grace_minutes is not None else self.default_grace_minutes
            ),
            created_at=now,
            updated_at=now,
        )

    def edit(
        self,
        actor: Actor,
        post_id: int,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        submit: bool = False,
    ) -> Post:
        """`submit=True`: then submit a draft (or a rejected post) in the same transaction, so
        a refused submission keeps the edit out too (the composer's "save and submit")."""
        return self._change(actor, post_id, changes, Action.edit, expected_version, submit)

    def reschedule(
        self, actor: Actor, post_id: int, when: datetime | None, *, next_slot: bool = False
    ) -> Post:
        if (when is None) == (not next_slot):
            raise InvalidInput(
                [problem("at", "Chọn giờ mới hoặc --next-slot.", "give a new time or --next-slot")]
            )
        if when is not None and when <= self.clock():
            raise InvalidInput([self._past_problem(when)], f"post #{post_id} not moved")
        changes: dict[str, Any] = {"scheduled_at": when, "next_slot": next_slot}
        return self._change(actor, post_id, changes, Action.reschedule, None)

    def _change(
        self,
        actor: Actor,
        post_id: int,
        changes: Mapping[str, Any],
        action: Action,
        expected_version: int | None,
        submit: bool = False,
    ) -> Post:
        unknown = sorted(set(changes) - EDITABLE_FIELDS - {"next_slot"})
        if unknown:
            known = ", ".join(sorted(EDITABLE_FIELDS))
            raise InvalidInput(
                [
                    problem(
                        name, f"Không sửa được trường này ({known}).", f"not editable ({known})"
                    )
                    for name in unknown
                ]
            )
        with self.db.write() as session:
            post = self._change_in(session, actor, post_id, changes, action, expected_version)
            if submit and post.state in (EditorialState.draft, EditorialState.rejected):
                post = self.submit_in(session, actor, post_id)
            return post

    def _change_in(
        self,
        session: Session,
        actor: Actor,
        post_id: int,
        changes: Mapping[str, Any],
        action: Action,
        expected_version: int | None,
    ) -> Post:
        post, deliveries = self._load_for_change(session, actor, post_id, action)
        if expected_version is not None and post.version != expected_version:
            raise Conflict(
                f"post #{post_id} was changed by someone else (version {post.version});"
                " reload it and try again",
                f"Bài #{post_id} vừa được người khác sửa; hãy tải lại rồi sửa tiếp.",
            )
        context = self.context(session)
        before = input_of(session, post, deliveries)
        after = dataclasses.replace(before, **changes)
        after.hashtags = normalise_hashtags(after.hashtags)
        problems = self.validate(actor, after, context, settled_channels(deliveries))
        if problems:
            raise InvalidInput(problems, f"post #{post_id} not changed")
        if after.next_slot:
            after.scheduled_at = self._next_slot(session, after.channels, context, post_id)
            after.next_slot = False
        changed = changed_fields(before, after)
        if not changed:
            return post
        moved_to = after.scheduled_at if "scheduled_at" in changed else None
        if moved_to is not None and as_utc(moved_to) <= self.clock():
            raise InvalidInput([self._past_problem(moved_to)], f"post #{post_id} not changed")
        old_state = post.state
        apply_input(post, after)
        sync_media(session, post_id, after.media)
        sync_deliveries(session, post, after.channels, after.overrides, deliveries)
        post.state = state_after_edit(
            post.state,
            content_changed=bool(changed - SCHEDULE_FIELDS),
            actor=actor,
            corrects_own_post=post.author_id == actor.id,
            on_platform=any(d.state in ON_PLATFORM for d in deliveries),
        )
        follow_editorial_state(session, post, self.clock())
        self._follow_on_platforms(session, actor, deliveries, before, after)
        post.version += 1
        post.updated_at = self.clock()
        audit.record(
            session,
            actor.username,
            "post.edited" if action is Action.edit else "post.rescheduled",
            post_id=post_id,
            at=self.clock(),
            changes={name: [getattr(before, name), getattr(after, name)] for name in changed},
            state=[old_state, post.state],
        )
        return post

    def _follow_on_platforms(
        self,
        session: Session,
        actor: Actor,
        deliveries: Sequence[Delivery],
        before: PostInput,
        after: PostInput,
    ) -> None:
        """What the platforms already hold follows the edit: a correction (or a new time) for
        each delivery whose post shows something else now; a channel taken away is removed."""
        now = self.clock()
        queue_corrections(session, deliveries, before, after, actor.username, now)
        for delivery in deliveries:
            if delivery.state == D.handed_over and delivery.channel_id not in after.channels:
                queue_change(session, delivery, ChangeAction.remove, [], actor.username, now)

    # -- the workflow --------------------------------------------------------------------

    def submit(self, actor: Actor, post_id: int) -> Post:
        with self.db.write() as session:
            return self.submit_in(session, actor, post_id)

    def submit_in(self, session: Session, actor: Actor, post_id: int) -> Post:
        """Submit inside the caller's transaction (the importer's, for one)."""
        post, deliveries = self._load_for_change(session, actor, post_id, Action.submit)
        self._require_ready(session, post, deliveries, "submitted")
        return self._move(session, actor, post, EditorialState.in_review, "post.submitted")

    def approve(self, actor: Actor, post_id: int, comment: str | None = None) -> Post:
        with self.db.write() as session:
            return self.approve_in(session, actor, post_id, comment)

    def approve_in(
        self, session: Session, actor: Actor, post_id: int, comment: str | None = None
    ) -> Post:
        post, deliveries = self._load_for_change(session, actor, post_id, Action.approve)
        self._require_ready(session, post, deliveries, "approved")
        post.review_comment = comment or None
        return self._move(
            session, actor, post, EditorialState.approved, "post.approved", comment=comment
        )

    def reject(self, actor: Actor, post_id: int, comment: str) -> Post:
        if not comment.strip():
            raise InvalidInput(
                [
                    problem(
                        "comment",
                        "Hãy ghi lý do trả lại để người viết biết cần sửa gì.",
                        "say why, so the author knows what to fix",
                    )
                ]
            )
        with self.db.write() as session:
            return self.reject_in(session, actor, post_id, comment)

    def reject_in(self, session: Session, actor: Actor, post_id: int, comment: str) -> Post:
        post, _ = self._load_for_change(session, actor, post_id, Action.reject)
        post.review_comment = comment.strip()
        return self._move(
            session, actor, post, EditorialState.rejected, "post.rejected", comment=comment
        )

    def reopen_in(self, session: Session, actor: Actor, post_id: int) -> Post:
        """An approval or a rejection undone: the post waits for review again, as if the
        decision had not been taken. Refused once a delivery has left for a platform (the
        post's page edits or cancels it there instead)."""
        post, deliveries = self._load_for_change(session, actor, post_id, Action.reopen)
        gone = [d.channel_id for d in deliveries if d.state not in UNDOABLE_DELIVERY_STATES]
        if gone:
            raise Conflict(
                f"post #{post_id} already went to {', '.join(gone)}; edit or cancel it instead",
                f"Bài #{post_id} đã lên {', '.join(gone)}; hãy sửa hoặc hủy bài thay vì hoàn tác.",
            )
        undone = post.state
        post.review_comment = None
        return self._move(
            session, actor, post, EditorialState.in_review, "post.reopened", undone=undone
        )

    def cancel(self, actor: Actor, post_id: int, reason: str | None = None) -> Post:
        with self.db.write() as session:
            post, deliveries = self._load_for_change(session, actor, post_id, Action.cancel)
            if deliveries and all(d.state == D.published for d in deliveries):
                raise Conflict(
                    f"post #{post_id} is already published on every channel; nothing to cancel",
                    f"Bài #{post_id} đã đăng trên mọi kênh; không còn gì để hủy.",
                )
            for delivery in deliveries:  # the platform would publish it at its time
                if delivery.state == D.handed_over:
                    queue_change(
                        session, delivery, ChangeAction.remove, [], actor.username, self.clock()
                    )
            return self._move(
                session, actor, post, EditorialState.cancelled, "post.cancelled", reason=reason
            )

    def _move(
        self, session: Session, actor: Actor, post: Post, state: str, action: str, **detail: Any
    ) -> Post:
        old = post.state
        post.state = state
        post.version += 1
        post.updated_at = self.clock()
        follow_editorial_state(session, post, self.clock())
        audit.record(
            session,
            actor.username,
            action,
            post_id=post.id,
            at=self.clock(),
            state=[old, state],
            **detail,
        )
        log.info("post %s: %s -> %s by %s", post.id, old, state, actor.username)
        return post

    def _load_for_change(
        self, session: Session, actor: Actor, post_id: int, action: Action
    ) -> tuple[Post, list[Delivery]]:
        post = session.get(Post, post_id, with_for_update=not self.db.is_sqlite)
        if post is None:
            raise NotFound(f"no post #{post_id}", f"Không có bài #{post_id}.")
        require_permission(
            actor,
            action,
            post_department=post.department_code,
            author_id=post.author_id,
            post_id=post_id,
        )
        require_transition(action, post.state, post_id)
        deliveries = deliveries_of(session, post_id)
        busy = [d.channel_id for d in deliveries if d.state in IN_FLIGHT_DELIVERY_STATES]
        if busy:
            raise Conflict(
                f"post #{post_id} is being published on {', '.join(busy)} right now;"
                " try again in a minute",
                f"Bài #{post_id} đang được đăng lên {', '.join(busy)}; hãy thử lại sau ít phút.",
            )
        return post, deliveries

    # -- checks before a post enters the queue -------------------------------------------

    def queue_problems(
        self, session: Session, post: Post, deliveries: Sequence[Delivery]
    ) -> list[FieldProblem]:
        problems: list[FieldProblem] = []
        waiting = [d for d in deliveries if d.state not in FINAL_DELIVERY_STATES | ON_PLATFORM]
        # Already on a platform: approving again sends the corrections queued by an edit.
        live = [d for d in deliveries if d.state in ON_PLATFORM]
        if not waiting and not live:
            problems.append(
                problem("channels", "Hãy chọn ít nhất một kênh.", "choose at least one channel")
            )
        if live and not waiting:
            pass  # nothing left to publish at a time: only corrections to send
        elif post.scheduled_at is None:
            problems.append(
                problem(
                    "at",
                    "Hãy chọn giờ đăng (hoặc --next-slot).",
                    "choose a time to publish (or --next-slot)",
                )
            )
        elif post.scheduled_at <= self.clock():
            problems.append(self._past_problem(post.scheduled_at))
        if self.checker is not None and (waiting or live):
            problems += self.checker(session, post, waiting + live)
        return problems

    def _require_ready(
        self, session: Session, post: Post, deliveries: Sequence[Delivery], verb: str
    ) -> None:
        problems = self.queue_problems(session, post, deliveries)
        if problems:
            raise InvalidInput(problems, f"post #{post.id} cannot be {verb}")

    def _past_problem(self, when: datetime) -> FieldProblem:
        shown, vi = format_local(when, self.tz), format_local(when, self.tz, VI_DATETIME)
        return problem(
            "at",
            f"Giờ đăng {vi} đã qua; hãy chọn giờ khác.",
            f"the time {shown} is in the past; choose a later one",
        )

    def _next_slot(
        self,
        session: Session,
        channel_ids: list[str],
        context: WriteContext,
        post_id: int | None,
        placed: Mapping[str, set[datetime]] | None = None,
    ) -> datetime:
        # The composer's search (web.pages.compose_slot): the time stored is the one it explained.
        slots = {cid: context.channels[cid].slots for cid in channel_ids}
        plan = find_slot_plan(session, slots, self.clock(), self.tz, post_id, placed)
        if plan is None:
            names = ", ".join(channel_ids) or "(none)"
            raise InvalidInput(
                [
                    problem(
                        "at",
                        f"Không tìm được khung giờ trống chung cho {names} trong"
                        f" {SLOT_HORIZON_DAYS} ngày tới; hãy chọn giờ cụ thể.",
                        f"no free slot shared by {names} in the next {SLOT_HORIZON_DAYS} days;"
                        " give a time instead",
                    )
                ]
            )
        return plan.at

    # -- reading -------------------------------------------------------------------------

    def detail(self, post_id: int) -> PostDetail:
        with self.db.read() as session:
            post = session.get(Post, post_id)
            if post is None:
                raise NotFound(f"no post #{post_id}", f"Không có bài #{post_id}.")
            return PostDetail(
                post,
                deliveries_of(session, post_id),
                media_of(session, post_id),
                list(audit.history(session, post_id)),
            )

    def list_posts(
        self,
        *,
        department: str | None = None,
        state: str | None = None,
        topic: str | None = None,
        channel: str | None = None,
        limit: int = 200,
    ) -> list[tuple[Post, list[str]]]:
        with self.db.read() as session:
            query = select(Post)
            if department:
                query = query.where(Post.department_code == department)
            if state:
                query = query.where(Post.state == state)
            if topic:
                query = query.where(Post.topic == topic)
            if channel:
                query = query.where(
                    col(Post.id).in_(select(Delivery.post_id).where(Delivery.channel_id == channel))
                )
            query = query.order_by(
                col(Post.scheduled_at).is_(None), col(Post.scheduled_at), col(Post.id)
            )
            posts = list(session.exec(query.limit(limit)).all())
            channels: dict[int, list[str]] = {}
            ids = [p.id for p in posts if p.id is not None]
            for post_id, channel_id in session.exec(
                select(Delivery.post_id, Delivery.channel_id)
                .where(col(Delivery.post_id).in_(ids), Delivery.state != D.cancelled)
                .order_by(col(Delivery.channel_id))
            ).all():
                channels.setdefault(post_id, []).append(channel_id)
            return [(post, channels.get(post.id or 0, [])) for post in posts]


def settled_channels(deliveries: Sequence[Delivery]) -> frozenset[str]:
    """Channels whose delivery is over or on the platform: an edit may keep them once retired."""
    return frozenset(
        d.channel_id for d in deliveries if d.state in FINAL_DELIVERY_STATES | ON_PLATFORM
    )
