"""New posts made from an existing one: a duplicate to start from.

A copy is a new draft of its own (its own id, history and review): the same texts, media and
channels, and no time, so it is never published by accident at the original's moment.
"""

from __future__ import annotations

import dataclasses

from content.errors import InvalidInput
from content.models import Post
from content.posts import PostService
from content.queries import deliveries_of, input_of
from content.workflow import Action, Actor, post_not_found, require_permission


def duplicate(service: PostService, actor: Actor, post_id: int) -> Post:
    """A draft copy of post `post_id`, written by `actor`, without a time.

    Channels retired since are left off the copy (nothing new can go out there); any other
    problem (an officer's channel no longer shared) refuses the copy with the post's words.
    """
    with service.db.write() as session:
        original = session.get(Post, post_id)
        if original is None:
            raise post_not_found(post_id)
        require_permission(
            actor,
            Action.edit,
            post_department=original.department_code,
            author_id=original.author_id,
            post_id=post_id,
        )
        context = service.context(session)
        source = input_of(session, original, deliveries_of(session, post_id))
        channels = [
            channel_id
            for channel_id in source.channels
            if channel_id in context.channels and not context.channels[channel_id].retired
        ]
        data = dataclasses.replace(
            source,
            channels=channels,
            overrides={k: v for k, v in source.overrides.items() if k in channels},
            scheduled_at=None,
            next_slot=False,
        )
        problems = service.validate(actor, data, context)
        if problems:
            raise InvalidInput(problems, f"post #{post_id} not copied")
        return service.insert(session, actor, data, context, source=f"post #{post_id}")
