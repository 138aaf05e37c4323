"""Correcting and taking down what Loa sent to a Facebook Page (the `Editable` capability).

    POST   /{post-id}    message=...     -> {"success": true}  (a video: /{video-id}, description)
    DELETE /{post-id}                    -> {"success": true}

Facebook lets a Page change the text of its posts (hashtags are text), not the link shown as a
preview card, the photos or the video: those need a new post. A post that is already gone
answers code 100, subcode 33 ("does not exist"): taking it down again is not an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from channels.base import ChannelError, Receipt, Rejected, Retryable
from channels.errors import Step
from channels.facebook.errors import GraphFault
from channels.facebook.graph import Graph, required

GONE_SUBCODE = 33  # "Object with ID ... does not exist, cannot be loaded ..."
READ_BACK = "id,created_time,is_published,scheduled_publish_time"


class _Gone(Rejected):
    """The object is not on Facebook (any more)."""


def _gone(fault: GraphFault) -> ChannelError | None:
    if fault.code == 100 and fault.subcode == GONE_SUBCODE:
        return _Gone("bài không còn trên Facebook", "the post is gone from Facebook", fault.said())
    return None


def update_text(
    graph: Graph, token: str, sent: Receipt, text: str, *, video: bool, url: str
) -> Receipt:
    """Send the new text to the post (or video) `sent` names; its receipt as it stands now."""
    field = "description" if video else "message"
    answer = graph.sdk(
        token,
        Step("correcting the post's text", "sửa nội dung bài"),
        lambda api: api.request(
            f"{api.version}/{sent.remote_id}", post_args={field: text}, method="POST"
        ),
        publishes=False,  # the post is public already: sending the same text again is harmless
    )
    if not (isinstance(answer, Mapping) and answer.get("success") is True):
        raise Retryable(
            "Facebook trả lời không như mong đợi", "unexpected answer", f"{answer!r:.200}",
            step=Step("correcting the post's text", "sửa nội dung bài"),
        )  # fmt: skip
    now = graph.sdk(
        token,
        Step("reading the corrected post", "đọc lại bài đã sửa"),
        lambda api: api.get_object(sent.remote_id, fields=READ_BACK),
        publishes=False,
    )
    remote = required(
        now, "id", Step("reading the corrected post", "đọc lại bài đã sửa"), Retryable
    )
    return _receipt(now, remote, url, sent)


def remove(graph: Graph, token: str, sent: Receipt) -> None:
    try:
        graph.sdk(
            token,
            Step("taking the post down", "gỡ bài"),
            lambda api: api.delete_object(sent.remote_id),
            publishes=False,
            on_fault=_gone,
        )
    except _Gone:
        return


def _receipt(answer: Mapping[str, Any], remote: str, url: str, sent: Receipt) -> Receipt:
    scheduled = answer.get("scheduled_publish_time")
    held = None
    if scheduled and answer.get("is_published") is False:
        held = datetime.fromtimestamp(int(scheduled), UTC)
    created = _time(answer.get("created_time")) or sent.published_at
    return Receipt(remote, url, held or created, scheduled_for=held)


def _time(value: Any) -> datetime | None:
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None
