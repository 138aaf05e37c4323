"""Figures of Facebook Page posts through the real facebook-sdk, against the Graph sandbox.

The expected figures are read from the sandbox over plain HTTP, independently of the adapter,
after the posts were aged 60 days (when `grow` has levelled off, so both readings agree to the
unit). Requests are counted by the `requests.Session` the adapter is built with.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from channels.base import (
    METRICS,
    AuthRequired,
    Figures,
    Measurable,
    MediaFile,
    RateLimited,
    Receipt,
    Rejected,
)
from channels.facebook.page import FacebookPage
from channels.sandbox.figures import DAY
from channels.sandbox.server import SandboxServer
from tests.channels.test_facebook_page import PAGE_ID, control, make_adapter, publication

SETTLED = 60 * DAY  # figures no longer move within a test's seconds
VIEWS = "post_media_view,post_total_media_view_unique"


class CountingSession(requests.Session):
    """The adapter's session, noting every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        response = super().request(method, url, *args, **kwargs)
        self.sent.append((str(method), response.url))
        return response

    def queries(self) -> list[dict[str, list[str]]]:
        return [parse_qs(urlsplit(url).query) for _, url in self.sent]


@pytest.fixture
def session() -> CountingSession:
    return CountingSession()


@pytest.fixture
def adapter(sandbox: SandboxServer, session: CountingSession) -> FacebookPage:
    built = make_adapter(sandbox)
    return FacebookPage(built.setup, built.credentials, session=session)


def token(adapter: FacebookPage) -> str:
    return str((adapter.credentials.load() or {})["page_token"])


def posts(sandbox: SandboxServer, adapter: FacebookPage, count: int) -> list[str]:
    """`count` text posts on the page, created over HTTP (faster than publishing each)."""
    ids = []
    for number in range(count):
        answer = requests.post(
            f"{sandbox.url}/graph/v21.0/{PAGE_ID}/feed",
            data={"message": f"Bài số {number} về Huế", "access_token": token(adapter)},
            timeout=5,
        )
        ids.append(str(answer.json()["id"]))
    return ids


def raw(sandbox: SandboxServer, adapter: FacebookPage, path: str, **query: str) -> Any:
    params = {"access_token": token(adapter), **query}
    answer = requests.get(f"{sandbox.url}/graph/v21.0{path}", params=params, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def lifetime(data: list[dict[str, Any]], name: str) -> int:
    (entry,) = [e for e in data if e["name"] == name]
    return int(entry["values"][0]["value"])


def reads(session: CountingSession) -> list[dict[str, list[str]]]:
    return [q for q in session.queries() if "ids" in q]


# -- mapping -------------------------------------------------------------------------------


def test_declares_every_figure_and_graphs_batch() -> None:
    assert FacebookPage.capabilities.metrics == frozenset(METRICS)
    assert FacebookPage.capabilities.metrics_batch == 50
    assert issubclass(FacebookPage, Measurable)


def test_a_posts_figures_map_from_its_counts_and_insights(
    sandbox: SandboxServer, adapter: FacebookPage
) -> None:
    receipt = adapter.publish(publication())
    control(sandbox, "age_posts", seconds=SETTLED)
    (figures,) = adapter.read_metrics([receipt.remote_id])
    node = raw(sandbox, adapter, f"/{receipt.remote_id}", fields="shares,reactions.summary(true)")
    comments = raw(sandbox, adapter, f"/{receipt.remote_id}", fields="comments.summary(true)")
    data = raw(sandbox, adapter, f"/{receipt.remote_id}/insights", metric=VIEWS)["data"]
    assert figures == Figures(
        receipt.remote_id,
        {
            "reactions": node["reactions"]["summary"]["total_count"],
            "comments": comments["comments"]["summary"]["total_count"],
            "shares": node["shares"]["count"],
            "views": lifetime(data, "post_media_view"),
            "reach": lifetime(data, "post_total_media_view_unique"),
        },
    )
    assert all(value and value > 0 for value in figures.values.values())


def test_a_videos_figures_are_its_reactions_comments_and_plays(
    sandbox: SandboxServer, adapter: FacebookPage, mp4: MediaFile, session: CountingSession
) -> None:
    video = adapter.publish(publication(media=(mp4,)))
    text = adapter.publish(publication())
    control(sandbox, "age_posts", seconds=SETTLED)
    session.sent.clear()
    by_id = {f.remote_id: f for f in adapter.read_metrics([video.remote_id, text.remote_id])}
    data = raw(sandbox, adapter, f"/{video.remote_id}/video_insights", metric="total_video_views")
    counts = raw(sandbox, adapter, f"/{video.remote_id}", fields="reactions.summary(true)")
    values = by_id[video.remote_id].values
    assert values == {
        "reactions": counts["reactions"]["summary"]["total_count"],
        "comments": values["comments"],
        "video_views": lifetime(data["data"], "total_video_views"),
    }
    assert values["video_views"] and values["comments"]
    assert "shares" not in values and "views" not in values  # a video reports neither
    assert by_id[text.remote_id].values["views"]
    assert len(reads(session)) == 2  # a video has no `shares`: it goes in its own request


def test_shares_absent_are_0_only_for_an_answered_post(
    sandbox: SandboxServer, adapter: FacebookPage
) -> None:
    fresh, deleted = posts(sandbox, adapter, 2)
    adapter.remove(Receipt(deleted, None))
    by_id = {f.remote_id: f for f in adapter.read_metrics([fresh, deleted])}
    assert "shares" not in raw(sandbox, adapter, f"/{fresh}", fields="shares")
    assert by_id[fresh].values["shares"] == 0 and by_id[fresh].values["reactions"] == 0
    assert by_id[deleted] == Figures(deleted, gone=True)  # no figure at all, not 0


# -- insights refused ----------------------------------------------------------------------


def test_without_read_insights_counts_are_read_and_views_are_no_figure(
    sandbox: SandboxServer, adapter: FacebookPage, session: CountingSession
) -> None:
    ids = posts(sandbox, adapter, 3)
    control(sandbox, "age_posts", seconds=SETTLED)
    control(sandbox, "read_insights", grant=False, page_id=PAGE_ID)
    first = adapter.read_metrics(ids)
    assert len(reads(session)) == 2  # refused with insights, then the counts alone
    for figures in first:
        assert figures.values["views"] is None and figures.values["reach"] is None
        assert figures.values["reactions"] and figures.values["comments"]
        assert {note.field for note in figures.notes} == {"views", "reach"}
        assert all("quyền read_insights" in note.vi for note in figures.notes)
        assert all("read_insights permission" in note.en for note in figures.notes)
    session.sent.clear()
    assert adapter.read_metrics(ids) == first
    (query,) = reads(session)  # remembered: no refused request this time
    assert "insights" not in query["fields"][0]
    control(sandbox, "read_insights", grant=True)
    adapter.insights_paused_until = 0.0  # the pause is over
    assert all(f.values["views"] for f in adapter.read_metrics(ids))


def test_a_page_under_100_likes_reads_counts_and_no_views_in_one_request(
    sandbox: SandboxServer, adapter: FacebookPage, session: CountingSession
) -> None:
    ids = posts(sandbox, adapter, 2)
    control(sandbox, "age_posts", seconds=SETTLED)
    control(sandbox, "page_likes", page_id=PAGE_ID, likes=42)
    for figures in adapter.read_metrics(ids):
        assert figures.values["views"] is None and figures.values["reach"] is None
        assert figures.values["shares"] and figures.values["reactions"]
        assert [n.field for n in figures.notes] == ["views", "reach"]
        assert (
            "100 lượt thích" in figures.notes[0].vi and "100 or more likes" in figures.notes[0].en
        )
    assert len(reads(session)) == 1


def test_the_sandbox_refuses_a_withdrawn_metric_and_loa_never_asks_for_one(
    sandbox: SandboxServer, adapter: FacebookPage, session: CountingSession, mp4: MediaFile
) -> None:
    ids = [*posts(sandbox, adapter, 2), adapter.publish(publication(media=(mp4,))).remote_id]
    adapter.read_metrics(ids)
    asked = " ".join(str(q) for q in session.queries())
    assert "impressions" not in asked and "page_fans" not in asked
    with pytest.raises(Rejected, match="valid insights metric"):
        adapter._graph().sdk(
            token(adapter),
            "reading a withdrawn metric",
            lambda api: api.get_connections(ids[0], "insights", metric="post_impressions_unique"),
            publishes=False,
        )


# -- batching, gone posts, failures --------------------------------------------------------


def test_120_posts_take_3_requests(
    sandbox: SandboxServer, adapter: FacebookPage, session: CountingSession
) -> None:
    ids = posts(sandbox, adapter, 120)
    control(sandbox, "age_posts", seconds=DAY)
    session.sent.clear()
    asked = [*ids, ids[0]]  # an id asked twice is answered twice
    figures = adapter.read_metrics(asked)
    assert [f.remote_id for f in figures] == asked
    assert all(f.values["views"] is not None and not f.gone for f in figures)
    assert len(session.sent) == 3
    assert sorted(len(q["ids"][0].split(",")) for q in reads(session)) == [20, 50, 50]


def test_a_gone_post_costs_one_more_request_and_the_rest_are_read(
    sandbox: SandboxServer, adapter: FacebookPage, session: CountingSession
) -> None:
    ids = posts(sandbox, adapter, 4)
    control(sandbox, "age_posts", seconds=DAY)
    for gone in ids[1:3]:
        adapter.remove(Receipt(gone, None))
    session.sent.clear()
    figures = adapter.read_metrics(ids)
    assert [f.gone for f in figures] == [False, True, True, False]
    assert figures[1] == Figures(ids[1], gone=True)
    assert figures[0].values["views"] and figures[3].values["reactions"] is not None
    assert len(reads(session)) == 2


def test_an_expired_token_raises_auth_required(
    sandbox: SandboxServer, adapter: FacebookPage
) -> None:
    ids = posts(sandbox, adapter, 1)
    control(sandbox, "expire_tokens", subcode=463)
    with pytest.raises(AuthRequired, match="expired") as caught:
        adapter.read_metrics(ids)
    assert token(adapter) not in str(caught.value)


def test_a_page_rate_limit_raises_rate_limited(
    sandbox: SandboxServer, adapter: FacebookPage
) -> None:
    ids = posts(sandbox, adapter, 1)
    control(sandbox, "rate_limit", minutes=5, page_id=PAGE_ID)
    with pytest.raises(RateLimited) as caught:
        adapter.read_metrics(ids)
    assert caught.value.retry_after and caught.value.retry_after > 0
