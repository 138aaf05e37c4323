"""Comments and views of website posts: the WordPress sandbox, then the adapter reading them.

Over real HTTP: the sandbox lists comments as WordPress core does (`X-WP-Total`,
`X-WP-TotalPages`, `post` as a comma list) and stands in for the WP-PostViews plugin (a `views`
field on every post); the adapter reads them through its requests session, which counts every
request it makes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from channels.base import AuthRequired, Figures, Measurable, RateLimited
from channels.sandbox.figures import DAY, grow
from channels.sandbox.server import SandboxServer
from channels.wordpress import metrics as wordpress_metrics
from channels.wordpress.adapter import WordPress
from channels.wordpress.metrics import NOT_ANSWERED, NOT_CONFIGURED, NOT_YET
from tests.channels.test_wordpress import make_adapter, recording_session, rest

WEEK = 7 * DAY


def control(sandbox: SandboxServer, command: str, **args: Any) -> Any:
    answer = requests.post(
        f"{sandbox.url}/_sandbox/control",
        json={"platform": "wordpress", "command": command, "args": args},
        timeout=5,
    )
    return answer.json()["result"]


def new_post(sandbox: SandboxServer, number: int, **fields: Any) -> int:
    body = {"title": f"Huế - tin số {number}", "content": "<p>Tin đối ngoại.</p>"}
    answer = rest(sandbox, "POST", "/wp/v2/posts", json=body | {"status": "publish"} | fields)
    assert answer.status_code == 201
    return int(answer.json()["id"])


def comments(sandbox: SandboxServer, **params: Any) -> requests.Response:
    return rest(sandbox, "GET", "/wp/v2/comments", params=params)


def between(value: int | None, post_id: int, metric: str, age: float) -> bool:
    """The figure lies between what `grow` gives at `age` and a minute later (figures grow)."""
    key = str(post_id)
    return value is not None and grow(key, metric, age) <= value <= grow(key, metric, age + 60)


def counted(sandbox: SandboxServer, **settings: Any) -> tuple[WordPress, list[tuple[str, str]]]:
    calls: list[tuple[str, str]] = []
    adapter = make_adapter(
        sandbox, session=recording_session(calls), settings={"username": "loa-bot", **settings}
    )
    return adapter, calls


def routes(calls: list[tuple[str, str]]) -> list[str]:
    return [url.split("/wp-json/wp/v2/")[1].split("?")[0] for _, url in calls]


# -- the sandbox ---------------------------------------------------------------------------------


def test_sandbox_lists_comments_with_wordpress_totals(sandbox: SandboxServer) -> None:
    first, second = new_post(sandbox, 1), new_post(sandbox, 2)
    assert int(comments(sandbox, post=first).headers["X-WP-Total"]) == 0  # seconds old
    control(sandbox, "age_posts", seconds=WEEK)

    both = comments(sandbox, post=f"{first},{second}", per_page=100, _fields="post")
    one = comments(sandbox, post=first, per_page=1)

    total = int(both.headers["X-WP-Total"])
    assert total == len(both.json()) and int(both.headers["X-WP-TotalPages"]) == 1
    assert all(item == {"post": item["post"]} for item in both.json())
    for post_id in (first, second):
        assert between(sum(c["post"] == post_id for c in both.json()), post_id, "comments", WEEK)
    assert int(one.headers["X-WP-Total"]) == sum(c["post"] == first for c in both.json())
    assert int(one.headers["X-WP-TotalPages"]) == int(one.headers["X-WP-Total"])
    [shown] = one.json()
    assert shown["post"] == first and shown["status"] == "approved" and shown["type"] == "comment"
    assert shown["content"]["rendered"].startswith("<p>")


def test_sandbox_comment_refusals_are_wordpress_own(sandbox: SandboxServer) -> None:
    post_id = new_post(sandbox, 1)
    control(sandbox, "age_posts", seconds=WEEK)
    too_many = comments(sandbox, post=post_id, per_page=101)
    assert too_many.status_code == 400 and too_many.json()["code"] == "rest_invalid_param"
    assert "per_page" in too_many.json()["data"]["params"]
    not_ids = comments(sandbox, post="abc")
    assert not_ids.status_code == 400 and "post" in not_ids.json()["data"]["params"]
    past = comments(sandbox, post=post_id, per_page=100, page=2)
    assert past.status_code == 400 and past.json()["code"] == "rest_comment_invalid_page_number"
    unknown = comments(sandbox, post=999_999)
    assert unknown.status_code == 200 and unknown.json() == []
    assert unknown.headers["X-WP-Total"] == "0" and unknown.headers["X-WP-TotalPages"] == "0"
    draft = new_post(sandbox, 2, status="draft")
    anonymous = requests.get(
        f"{sandbox.url}/wordpress/wp-json/wp/v2/comments", params={"post": draft}, timeout=5
    )
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "rest_cannot_read_post"


def test_sandbox_comments_of_a_trashed_post_are_no_longer_listed(sandbox: SandboxServer) -> None:
    post_id = new_post(sandbox, 1)
    control(sandbox, "age_posts", seconds=WEEK)
    assert int(comments(sandbox, post=post_id).headers["X-WP-Total"]) > 0
    assert rest(sandbox, "DELETE", f"/wp/v2/posts/{post_id}").status_code == 200
    assert comments(sandbox, post=post_id).headers["X-WP-Total"] == "0"


def test_sandbox_postviews_adds_views_to_every_post(sandbox: SandboxServer) -> None:
    post_id, other = new_post(sandbox, 1), new_post(sandbox, 2)
    control(sandbox, "age_posts", seconds=WEEK)
    listed = rest(
        sandbox, "GET", "/wp/v2/posts", params={"include": post_id, "_fields": "id,views"}
    ).json()
    assert len(listed) == 1 and set(listed[0]) == {"id", "views"}
    assert between(listed[0]["views"], post_id, "views", WEEK)
    single = rest(sandbox, "GET", f"/wp/v2/posts/{other}").json()
    assert between(single["views"], other, "views", WEEK)

    assert control(sandbox, "postviews", on=False) is False
    plain = rest(sandbox, "GET", "/wp/v2/posts", params={"_fields": "id,views"}).json()
    assert sorted(p["id"] for p in plain) == [post_id, other]
    assert all("views" not in p for p in plain)


# -- the adapter ---------------------------------------------------------------------------------


def test_the_adapter_declares_comments_and_views() -> None:
    assert WordPress.capabilities.metrics == frozenset({"comments", "views"})
    assert WordPress.capabilities.metrics_batch == 100
    assert isinstance(WordPress.__new__(WordPress), Measurable)


def test_figures_map_comments_and_views(sandbox: SandboxServer) -> None:
    ids = [new_post(sandbox, n) for n in range(3)]
    control(sandbox, "age_posts", seconds=WEEK)
    adapter, calls = counted(sandbox, statistics="wp-postviews")

    figures = adapter.read_metrics([str(i) for i in ids])

    assert [f.remote_id for f in figures] == [str(i) for i in ids]
    for post_id, item in zip(ids, figures, strict=True):
        assert not item.gone and item.notes == ()
        assert between(item.values["comments"], post_id, "comments", WEEK)
        assert between(item.values["views"], post_id, "views", WEEK)
        listed = int(comments(sandbox, post=post_id).headers["X-WP-Total"])
        assert item.values["comments"] == listed
    assert routes(calls) == ["posts", "comments"]


def test_views_without_a_statistics_setting_are_no_figure_not_zero(
    sandbox: SandboxServer,
) -> None:
    post_id = new_post(sandbox, 1)
    control(sandbox, "age_posts", seconds=WEEK)
    adapter, calls = counted(sandbox)

    [figures] = adapter.read_metrics([str(post_id)])

    assert figures.values["views"] is None
    assert between(figures.values["comments"], post_id, "comments", WEEK)
    assert figures.notes == (NOT_CONFIGURED,)
    assert NOT_CONFIGURED.vi.startswith("Trang web không có số lượt xem")
    assert "views" not in calls[0][1]  # the field is not even asked for
    assert routes(calls) == ["posts", "comments"]  # one post: the first page's X-WP-Total


def test_views_the_plugin_does_not_answer_are_no_figure(sandbox: SandboxServer) -> None:
    post_id = new_post(sandbox, 1)
    control(sandbox, "postviews", on=False)
    adapter, _ = counted(sandbox, statistics="wp-postviews")
    [figures] = adapter.read_metrics([str(post_id)])
    assert figures.values == {"comments": 0, "views": None}  # 0 comments: WordPress's own count
    assert figures.notes == (NOT_ANSWERED,)


def test_an_unknown_statistics_plugin_is_named_in_the_note(sandbox: SandboxServer) -> None:
    post_id = new_post(sandbox, 1)
    adapter, _ = counted(sandbox, statistics="jetpack")
    [figures] = adapter.read_metrics([str(post_id)])
    assert figures.values["views"] is None
    [note] = figures.notes
    assert note.field == "views" and "'jetpack'" in note.vi and "wp-postviews" in note.en


def test_a_full_batch_costs_one_listing_and_a_page_per_hundred_comments(
    sandbox: SandboxServer,
) -> None:
    ids = [new_post(sandbox, n) for n in range(WordPress.capabilities.metrics_batch)]
    control(sandbox, "age_posts", seconds=WEEK)
    whole = comments(sandbox, post=",".join(map(str, ids)), per_page=100)
    pages = int(whole.headers["X-WP-TotalPages"])
    adapter, calls = counted(sandbox, statistics="wp-postviews")

    figures = adapter.read_metrics([str(i) for i in ids])

    assert sum(f.values["comments"] or 0 for f in figures) == int(whole.headers["X-WP-Total"])
    assert all(f.values["views"] is not None for f in figures)
    assert routes(calls) == ["posts"] + ["comments"] * pages
    assert len(calls) <= len(ids) // 2  # well under a request per post


def test_posts_with_many_comments_are_counted_one_request_each(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [new_post(sandbox, n) for n in range(2)]
    control(sandbox, "age_posts", seconds=WEEK)
    # Pages of 2 stand in for posts with hundreds of comments: the listing would take more
    # pages than there are posts, so after its first page each post is counted on its own.
    monkeypatch.setattr(wordpress_metrics, "PER_PAGE", 2)
    adapter, calls = counted(sandbox)

    figures = adapter.read_metrics([str(i) for i in ids])

    for post_id, item in zip(ids, figures, strict=True):
        assert item.values["comments"] == int(comments(sandbox, post=post_id).headers["X-WP-Total"])
    assert routes(calls) == ["posts", "comments", "comments", "comments"]
    assert "per_page=1&" in calls[2][1]


def test_trashed_deleted_draft_and_foreign_posts_are_gone(sandbox: SandboxServer) -> None:
    kept, trashed, deleted = (new_post(sandbox, n) for n in range(3))
    draft = new_post(sandbox, 4, status="draft")
    assert rest(sandbox, "DELETE", f"/wp/v2/posts/{trashed}").status_code == 200
    forced = rest(sandbox, "DELETE", f"/wp/v2/posts/{deleted}", params={"force": "true"})
    assert forced.status_code == 200
    adapter, calls = counted(sandbox, statistics="wp-postviews")
    asked = [str(kept), str(trashed), str(deleted), str(draft), "not-a-post"]

    figures = {f.remote_id: f for f in adapter.read_metrics(asked)}

    for gone in asked[1:]:
        assert figures[gone] == Figures(gone, gone=True)
    assert not figures[str(kept)].gone
    assert routes(calls) == ["posts", "comments"]  # comments only of the post still there
    calls.clear()
    assert all(f.gone for f in adapter.read_metrics(asked[1:4]))
    assert routes(calls) == ["posts"]


def test_a_post_the_site_holds_for_later_has_no_figures_yet(sandbox: SandboxServer) -> None:
    later = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")
    post_id = new_post(sandbox, 1, status="future", date_gmt=later)
    adapter, calls = counted(sandbox, statistics="wp-postviews")
    [figures] = adapter.read_metrics([str(post_id)])
    assert figures == Figures(str(post_id), {"comments": None, "views": None}, (NOT_YET,))
    assert routes(calls) == ["posts"]


def test_reading_with_a_revoked_password_needs_a_person(sandbox: SandboxServer) -> None:
    post_id = new_post(sandbox, 1)
    control(sandbox, "revoke_app_passwords")
    adapter, _ = counted(sandbox, statistics="wp-postviews")
    with pytest.raises(AuthRequired):
        adapter.read_metrics([str(post_id)])


def test_the_site_asking_to_slow_down_is_rate_limited(sandbox: SandboxServer) -> None:
    post_id = new_post(sandbox, 1)
    control(sandbox, "rate_limit", seconds=30)
    adapter, _ = counted(sandbox)
    with pytest.raises(RateLimited):
        adapter.read_metrics([str(post_id)])


def test_figures_are_read_without_pretty_permalinks_too(sandbox: SandboxServer) -> None:
    post_id = new_post(sandbox, 1)
    control(sandbox, "age_posts", seconds=WEEK)
    control(sandbox, "disable_pretty_permalinks")
    adapter, _ = counted(sandbox, statistics="wp-postviews")
    [figures] = adapter.read_metrics([str(post_id)])
    assert between(figures.values["comments"], post_id, "comments", WEEK)
    assert between(figures.values["views"], post_id, "views", WEEK)
