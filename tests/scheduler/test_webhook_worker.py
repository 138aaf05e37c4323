"""A webhook channel under the worker: published, a lost answer settled through the lookup
endpoint, and without one a person asked to look (needs_review), never a second send."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from content.reasons import Reason
from scheduler.publish import RECONCILE_AFTER
from tests.scheduler.harness import Harness

HUES: dict[str, Any] = {
    "id": "hues",
    "type": "webhook",
    "department": "STTTT",
    "name": "Ứng dụng HueS",
    "api_base": "http://127.0.0.1:8765/webhook",
    "secrets": {"signing_secret": "LOA_HUES_WEBHOOK_SECRET"},
    "settings": {"url": "/events", "lookup_url": "/lookup", "timeout_seconds": 1},
}


def with_hues(bench: Callable[..., Harness], **settings: Any) -> Harness:
    channel = {**HUES, "settings": {**HUES["settings"], **settings}}
    return bench(channels=[channel])


def received(h: Harness) -> list[dict[str, Any]]:
    return list(h.state()["webhook"]["posts"])


def test_the_worker_publishes_to_the_receiver(bench: Callable[..., Harness]) -> None:
    h = with_hues(bench)
    post_id = h.post(["hues"], due=h.clock.now)
    assert h.step(h.worker(clock=h.clock)) == 1
    row = h.delivery(post_id)
    [post] = received(h)
    assert row.state == "published" and row.remote_id == post["id"]
    assert post["data"]["post_id"] == post_id and post["data"]["department"] == "STTTT"
    assert post["data"]["marker"].endswith(f"-{post_id}-hues")


def test_a_lost_answer_is_found_through_the_lookup(bench: Callable[..., Harness]) -> None:
    h = with_hues(bench)
    post_id = h.post(["hues"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    h.faults("webhook", hang_next=1, paths=["/events"])
    assert h.step(worker) == 1
    assert h.delivery(post_id).state == "reconciling"
    h.clock.advance(seconds=RECONCILE_AFTER.total_seconds())
    assert worker.reconciler.run_once() == {"found": 1, "not_found": 0, "unanswered": 0}
    row = h.delivery(post_id)
    [post] = received(h)
    assert row.state == "published" and row.remote_id == post["id"]


@pytest.mark.parametrize("policy", ["retry", "needs_review"])
def test_without_a_lookup_a_person_is_asked_and_nothing_is_sent_twice(
    bench: Callable[..., Harness], policy: str
) -> None:
    h = with_hues(bench, lookup_url="", reconcile_not_found=policy)
    post_id = h.post(["hues"], due=h.clock.now)
    worker = h.worker(clock=h.clock)
    h.faults("webhook", hang_next=1, paths=["/events"])
    assert h.step(worker) == 1
    for _ in range(worker.reconciler.max_checks + 2):
        h.clock.advance(hours=1)
        worker.reconciler.run_once()
        h.step(worker)
    row = h.delivery(post_id)
    assert row.state == "needs_review"
    reason = Reason.decode(row.last_error)
    assert reason is not None
    assert "settings.lookup_url" in reason.vi and reason.vi.startswith("Không hỏi được")
    assert [alert.kind for alert in h.alerts] == ["needs_review"]
    assert len(received(h)) == 1  # it landed once; nobody sent it again on a guess
