"""The Graph sandbox reports figures as Facebook does, refusals included, one rule per test.

Plain HTTP against the sandbox: the counts of a post (`shares`, reactions and comments with
their summaries), `?ids=` (at most 50, keyed by id, an unknown id failing the whole request with
803), the post, video and page insights, the metrics Meta withdrew (100 "invalid metric"), a
token without `read_insights` (200) and a Page under 100 likes (empty data).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from channels.sandbox.figures import DAY, grow
from channels.sandbox.graph_model import APP_ID, MANAGED
from channels.sandbox.server import SandboxServer

PAGE, OTHER_PAGE = MANAGED
COUNTS = "shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
VIEWS = "post_media_view,post_total_media_view_unique"
Get = Callable[..., requests.Response]


def control(sandbox: SandboxServer, command: str, **args: Any) -> Any:
    graph = sandbox.platform("graph")
    with graph.lock:
        return graph.control(command, args)


@pytest.fixture
def tokens(sandbox: SandboxServer) -> dict[str, str]:
    return {
        "page": control(sandbox, "page_token", page_id=PAGE)["access_token"],
        "other": control(sandbox, "page_token", page_id=OTHER_PAGE)["access_token"],
        "user": control(sandbox, "user_token")["access_token"],
    }


@pytest.fixture
def get(sandbox: SandboxServer, tokens: dict[str, str]) -> Get:
    """`get(path, token="page"|"other"|"user", **query)` on the graph host, v21.0."""

    def call(path: str, token: str = "page", **query: Any) -> requests.Response:
        params = {"access_token": tokens[token], **query}
        return requests.get(f"{sandbox.url}/graph/v21.0{path}", params=params, timeout=5)

    return call


def post(sandbox: SandboxServer, tokens: dict[str, str], message: str, page: str = PAGE) -> str:
    answer = requests.post(
        f"{sandbox.url}/graph/v21.0/{page}/feed",
        data={"message": message, "access_token": tokens["page" if page == PAGE else "other"]},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def video(sandbox: SandboxServer, tokens: dict[str, str]) -> str:
    """A video through the resumable upload, as the adapter sends one."""
    token, data = tokens["page"], b"\x00\x00\x00\x18ftypmp42" + bytes(1000)
    base = f"{sandbox.url}/graph-video/v21.0"
    started = requests.post(
        f"{base}/{APP_ID}/uploads",
        data={"file_name": "a.mp4", "file_length": len(data), "file_type": "video/mp4"},
        params={"access_token": token},
        timeout=5,
    ).json()
    handle = requests.post(
        f"{base}/{started['id']}",
        headers={"Authorization": f"OAuth {token}", "file_offset": "0"},
        data=data,
        timeout=5,
    ).json()["h"]
    answer = requests.post(
        f"{base}/{PAGE}/videos",
        data={"fbuploader_video_file_chunk": handle, "title": "Huế", "access_token": token},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def refused(answer: requests.Response, code: int, kind: str = "OAuthException") -> dict[str, Any]:
    assert answer.status_code >= 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == code and error["type"] == kind, error
    assert error["fbtrace_id"] and "is_transient" in error
    return dict(error)


def insight(data: list[dict[str, Any]], name: str) -> int:
    (entry,) = [e for e in data if e["name"] == name]
    assert entry["period"] == "lifetime"
    return int(entry["values"][-1]["value"])


# -- counts --------------------------------------------------------------------------------


def test_a_post_answers_reactions_comments_and_shares_as_they_grew(
    sandbox: SandboxServer, tokens: dict[str, str], get: Get
) -> None:
    post_id = post(sandbox, tokens, "Lễ hội áo dài Huế")
    control(sandbox, "age_posts", seconds=3 * DAY)
    body = get(f"/{post_id}", fields=COUNTS).json()
    assert body["id"] == post_id
    assert body["reactions"]["data"] == [] and set(body["reactions"]["summary"]) == {"total_count"}
    reactions, comments = (body[k]["summary"]["total_count"] for k in ("reactions", "comments"))
    assert reactions > 0 and comments > 0 and body["shares"]["count"] > 0
    # the same figures grow() gives at that age (within the seconds the test took)
    assert grow(post_id, "reactions", 3 * DAY) <= reactions
    assert reactions <= grow(post_id, "reactions", 3 * DAY + 60)
    assert body["comments"]["data"] == []


def test_shares_are_absent_when_nobody_shared(
    sandbox: SandboxServer, tokens: dict[str, str], get: Get
) -> None:
    body = get(f"/{post(sandbox, tokens, 'Vừa đăng')}", fields=COUNTS).json()
    assert "shares" not in body  # a fresh post: nobody shared yet
    assert body["reactions"]["summary"]["total_count"] == 0


def test_summary_true_answers_graphs_whole_summary(
    sandbox: SandboxServer, tokens: dict[str, str], get: Get
) -> None:
    body = get(f"/{post(sandbox, tokens, 'Tóm tắt')}", fields="comments.summary(true)").json()
    assert body["comments"]["summary"] == {"order": "ranked", "can_comment": True, "total_count": 0}


def test_ids_answers_one_object_keyed_by_id(
    sandbox: SandboxServer, tokens: dict[str, str], get: Get
) -> None:
    ids = [post(sandbox, tokens, f"Bài {n}") for n in range(3)]
    control(sandbox, "age_posts", seconds=DAY)
    body = get("/", ids=",".join(ids), fields=COUNTS).json()
    assert sorted(body) == sorted(ids)
    for post_id in ids:
        assert body[post_id]["id"] == post_id
        assert body[post_id]["reactions"]["summary"]["total_count"] >= 0


def test_ids_takes_at_most_50(sandbox: SandboxServer, tokens: dict[str, str], get: Get) -> None:
    ids = [post(sandbox, tokens, f"Bài số {n}") for n in range(51)]
    assert get("/", ids=",".join(ids[:50]), fields="id").status_code == 200
    error = refused(get("/", ids=",".join(ids), fields="id"), 100)
    assert "Maximum: 50" in error["message"]


def test_an_unknown_id_fails_the_whole_ids_request_with_803(
    sandbox: SandboxServer, tokens: dict[str, str], get: Get
) -> None:
    kept, gone = post(sandbox, tokens, "Còn"), post(sandbox, tokens, "Đã xoá")
    requests.delete(
        f"{sandbox.url}/graph/v21.0/{gone}", params={"access_token": tokens["page"]}, timeout=5
    ).raise_for_status()
    answer = get("/", ids=f"{kept},{gone}", fields=COUNTS)
    assert answer.status_code == 404
    error = refused(answer, 803)
    assert error["message"] == f"(#803) Some of the aliases you requested do not exist: {gone}"
    alone = refused(get(f"/{gone}", fields=COUNTS), 100, "GraphMethodException")
    assert alone["error_subcode"] == 33
    assert alone["message"].startswith(f"Unsupported get request. Object with ID '{gone}'")


def test_a_video_has_no_shares_field(
    sandbox: SandboxServer, tokens: dict[str, str], get: Get
) -> None:
    video_id = video(sandbox, tokens)
    error = refused(get(f"/{video_id}", fields=COUNTS), 100)
    assert "(shares) on node type (Video)" in error["message"]
    fields = "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
    assert get(f"/{video_id}", fields=fields).json()["reactions"]["summary"] == {"total_count": 0}


# -- insights ------------------------------------------------------------------------------


def test_post_insights_answer_views_and_reach_for_the_lifetime(
    sandbox: SandboxServer, tokens: dict[str, str], get: Get
) -> None:
    post_id = post(sandbox, tokens, "Lượt xem")
    control(sandbox, "age_posts", seconds=2 * DAY)
    data = get(f"/{post_id}/insights", metric=VIEWS, period="lifetime").json()["data"]
    views, reach = insight(data, "post_media_view"), insight(data, "post_total_media_view_unique")
    assert 0 < reach <= views
    assert grow(post_id, "views", 2 * DAY) <= views <= grow(post_id, "views", 2 * DAY + 60)


def test_insights_expand_inside_ids(
    sandbox: SandboxServer, tokens: dict[str, str], get: Get
) -> None:
    ids = [post(sandbox, tokens, f"Mở rộng {n}") for n in range(2)]
    control(sandbox, "age_posts", seconds=DAY)
    body = get("/", ids=",".join(ids), fields=f"{COUNTS},insights.metric({VIEWS})").json()
    for post_id in ids:
        assert insight(body[post_id]["insights"]["data"], "post_media_view") > 0


def test_video_insights_answer_total_video_views(
    sandbox: SandboxServer, tokens: dict[str, str], get: Get
) -> None:
    video_id = video(sandbox, tokens)
    control(sandbox, "age_posts", seconds=DAY)
    data = get(f"/{video_id}/video_insights", metric="total_video_views").json()["data"]
    assert insight(data, "total_video_views") > 0
    expanded = get(f"/{video_id}", fields="video_insights.metric(total_video_views)").json()
    assert insight(expanded["video_insights"]["data"], "total_video_views") > 0
    refused(get(f"/{video_id}/insights", metric=VIEWS), 2500)  # a video's edge is its own


@pytest.mark.parametrize(
    ("path", "metric"),
    [
        ("post", "post_impressions"),
        ("post", "post_impressions_unique"),
        ("post", "post_impressions_paid"),
        ("post", "post_impressions_paid_unique"),
        ("post", "post_impressions_organic"),
        ("post", "post_impressions_organic_unique"),
        ("post", "post_media_view,post_impressions"),
        ("page", "page_impressions"),
        ("page", "page_impressions_unique"),
        ("page", "page_fans"),
        ("page", "page_fans_country"),
    ],
)
def test_withdrawn_metrics_answer_invalid_metric(
    sandbox: SandboxServer, tokens: dict[str, str], get: Get, path: str, metric: str
) -> None:
    target = post(sandbox, tokens, f"Đã bỏ {metric}") if path == "post" else PAGE
    error = refused(get(f"/{target}/insights", metric=metric), 100)
    assert error["message"] == "(#100) The value must be a valid insights metric"


def test_a_withdrawn_metric_inside_an_expansion_fails_the_whole_request(
    sandbox: SandboxServer, tokens: dict[str, str], get: Get
) -> None:
    post_id = post(sandbox, tokens, "Mở rộng hỏng")
    refused(get("/", ids=post_id, fields=f"{COUNTS},insights.metric(post_impressions)"), 100)


def test_insights_need_read_insights(
    sandbox: SandboxServer, tokens: dict[str, str], get: Get
) -> None:
    post_id = post(sandbox, tokens, "Quyền")
    control(sandbox, "read_insights", grant=False, page_id=PAGE)
    for answer in (
        get(f"/{post_id}/insights", metric=VIEWS),
        get("/", ids=post_id, fields=f"{COUNTS},insights.metric({VIEWS})"),
        get(f"/{PAGE}/insights", metric="page_follows"),
    ):
        assert answer.status_code == 403
        error = refused(answer, 200)
        assert error["message"] == "(#200) Requires extended permission: read_insights"
    assert get("/", ids=post_id, fields=COUNTS).status_code == 200  # counts need no insights
    control(sandbox, "read_insights", grant=True)
    assert get(f"/{post_id}/insights", metric=VIEWS).status_code == 200


def test_insights_need_the_pages_own_token(
    sandbox: SandboxServer, tokens: dict[str, str], get: Get
) -> None:
    post_id = post(sandbox, tokens, "Mã trang")
    refused(get(f"/{post_id}/insights", "user", metric=VIEWS), 190)
    refused(get(f"/{post_id}/insights", "other", metric=VIEWS), 190)


def test_a_page_under_100_likes_gets_no_insights(
    sandbox: SandboxServer, tokens: dict[str, str], get: Get
) -> None:
    post_id = post(sandbox, tokens, "Trang nhỏ")
    control(sandbox, "age_posts", seconds=DAY)
    control(sandbox, "page_likes", page_id=PAGE, likes=99)
    assert get(f"/{PAGE}", fields="fan_count").json()["fan_count"] == 99
    assert get(f"/{post_id}/insights", metric=VIEWS).json() == {"data": []}
    expanded = get("/", ids=post_id, fields=f"{COUNTS},insights.metric({VIEWS})").json()
    assert expanded[post_id]["insights"] == {"data": []}
    assert expanded[post_id]["reactions"]["summary"]["total_count"] > 0
    control(sandbox, "page_likes", page_id=PAGE, likes=100)
    assert insight(get(f"/{post_id}/insights", metric=VIEWS).json()["data"], "post_media_view")


def test_page_insights_answer_the_replacement_metrics(
    sandbox: SandboxServer, tokens: dict[str, str], get: Get
) -> None:
    post(sandbox, tokens, "Trang")
    control(sandbox, "age_posts", seconds=DAY)
    metric = "page_media_view,page_total_media_view_unique,page_follows"
    data = {e["name"]: e for e in get(f"/{PAGE}/insights", metric=metric).json()["data"]}
    assert data["page_follows"]["values"][0]["value"] == 12_480
    assert data["page_media_view"]["values"][0]["value"] > 0


def test_age_posts_grows_figures_and_never_shrinks_them(
    sandbox: SandboxServer, tokens: dict[str, str], get: Get
) -> None:
    post_id = post(sandbox, tokens, "Tăng dần")
    seen = []
    for _ in range(4):
        control(sandbox, "age_posts", seconds=DAY / 2)
        data = get(f"/{post_id}/insights", metric="post_media_view").json()["data"]
        seen.append(insight(data, "post_media_view"))
    assert seen == sorted(seen) and seen[0] < seen[-1]
