"""Deliveries (one post on one channel) in the REST API: the evidence, a retry, a cancellation.

Reading follows the post's visibility; retrying and cancelling follow `content.deliveries`
(officers for their department's posts, editors and admins for all).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from content.deliveries import DeliveryEvidence, DeliveryService
from content.errors import NotFound
from content.metrics import Latest, latest
from content.models import Delivery
from content.reasons import english
from web.api.common import (
    Caller,
    Services,
    api_router,
    delivery_fields,
    local,
    require_visible,
    time_in,
)
from web.api.models import AttemptOut, CancelIn, DeliveryDetailOut, ReasonOut, RetryIn, errors
from web.path_ids import MAX_ID
from web.services import WebServices

router = api_router("deliveries")

PostId = Annotated[int, Path(ge=1, le=MAX_ID, description="The post's number.")]
DeliveryId = Annotated[int, Path(ge=1, le=MAX_ID, description="The delivery's number.")]


def delivery_service(services: WebServices) -> DeliveryService:
    found = getattr(services, "deliveries", None)
    if isinstance(found, DeliveryService):
        return found
    return DeliveryService(services.db, services.zone, clock=services.posts.clock)


def detail_out(
    evidence: DeliveryEvidence, services: WebServices, figures: Latest | None = None
) -> DeliveryDetailOut:
    zone = services.zone
    return DeliveryDetailOut(
        **delivery_fields(evidence.delivery, zone, figures),
        attempts=[
            AttemptOut(
                number=attempt.number,
                started_at=attempt.started_at,
                started_at_local=local(attempt.started_at, zone) or "",
                finished_at=attempt.finished_at,
                finished_at_local=local(attempt.finished_at, zone),
                outcome=attempt.outcome,
                error_kind=attempt.error_kind,
                error_message=english(attempt.error_message),
                reason=ReasonOut.of(attempt.error_message),
            )
            for attempt in evidence.attempts
        ],
        retryable=evidence.retryable,
        cancellable=evidence.cancellable,
    )


def evidence_of(services: WebServices, actor: Caller, post_id: int) -> list[DeliveryEvidence]:
    post = services.posts.detail(post_id).post
    require_visible(actor, post.department_code, post_id)
    return delivery_service(services).evidence(post_id)


def one(services: WebServices, actor: Caller, delivery_id: int) -> DeliveryDetailOut:
    with services.db.read() as session:
        delivery = session.get(Delivery, delivery_id)
    missing = NotFound(f"no delivery #{delivery_id}", f"Không có lượt đăng #{delivery_id}.")
    if delivery is None:
        raise missing
    try:
        found = evidence_of(services, actor, delivery.post_id)
    except NotFound:  # another department's: its post is not named either
        raise missing from None
    for evidence in found:
        if evidence.delivery.id == delivery_id:
            return detail_out(
                evidence, services, figures_of(services, [delivery_id]).get(delivery_id)
            )
    raise missing


def figures_of(services: WebServices, delivery_ids: list[int]) -> dict[int, Latest]:
    with services.db.read() as session:
        return latest(session, delivery_ids)


@router.get(
    "/posts/{post_id}/deliveries",
    response_model=list[DeliveryDetailOut],
    responses=errors(403, 404),
)
def list_deliveries(post_id: PostId, actor: Caller, services: Services) -> list[DeliveryDetailOut]:
    """The post's deliveries, one per channel, each with every attempt made."""
    found = evidence_of(services, actor, post_id)
    figures = figures_of(services, [item.delivery.id for item in found if item.delivery.id])
    return [detail_out(item, services, figures.get(item.delivery.id or 0)) for item in found]


@router.get(
    "/deliveries/{delivery_id}", response_model=DeliveryDetailOut, responses=errors(403, 404)
)
def read_delivery(delivery_id: DeliveryId, actor: Caller, services: Services) -> DeliveryDetailOut:
    return one(services, actor, delivery_id)


@router.post(
    "/deliveries/{delivery_id}/retry",
    response_model=DeliveryDetailOut,
    responses=errors(403, 404, 409),
)
def retry_delivery(
    delivery_id: DeliveryId, actor: Caller, services: Services, body: RetryIn | None = None
) -> DeliveryDetailOut:
    """failed, missed or needs_review -> scheduled: now, or at `at`, with a fresh budget of
    tries (the attempts so far stay as evidence). The post must be approved."""
    when = time_in(body.at if body else None, services.zone, "at")
    delivery_service(services).retry(actor, delivery_id, when)
    return one(services, actor, delivery_id)


@router.post(
    "/deliveries/{delivery_id}/cancel",
    response_model=DeliveryDetailOut,
    responses=errors(403, 404, 409),
)
def cancel_delivery(
    delivery_id: DeliveryId, actor: Caller, services: Services, body: CancelIn | None = None
) -> DeliveryDetailOut:
    """Take the post off this one channel (not once published or in a platform's hands)."""
    reason = body.reason if body is not None else None
    delivery_service(services).cancel(actor, delivery_id, reason)
    return one(services, actor, delivery_id)
