"""Views and shares of Zalo articles: the sandbox's figures, then the adapter reading them.

Everything goes over real HTTP: the sandbox answers `getslice` and `getdetail` with `total_view`
and `total_share` grown from the article's age (channels.sandbox.figures), and the adapter reads
them through its requests session, which counts every request it makes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from channels.base import AuthRequired, Figures, Measurable, RateLimited
from channels.credentials import MemoryCredentials
from channels.http import TimeoutSession
from channels.sandbox.figures import DAY, grow
from channels.sandbox.server import SandboxServer
from channels.zalo.metrics import SLICE_LIMIT
from channels.zalo.oa import ZaloOA
from tests.channels.test_zalo_oa import REDIRECT, control, make_adapter, setup_for

WEEK = 7 * DAY


class CountingSession(TimeoutSession):
    """The adapter's own session, noting the path of every request it sends."""

    def __init__(self) -> None:
        super().__init__(5.0)
        self.paths: list[str] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        self.paths.append(urlsplit(str(url)).path.rsplit("/", 1)[-1])
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def counted(sandbox: SandboxServer) -> tuple[ZaloOA, CountingSession]:
    session = CountingSession()
    adapter = ZaloOA(setup_for(sandbox.url), MemoryCredentials(), session=session)
    authorization = adapter.authorize(REDIRECT)
    answer = requests.get(authorization.url, allow_redirects=False, timeout=5)
    adapter.complete(authorization, parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0])
    control(sandbox, "set_processing_polls", polls=0)
    session.paths.clear()
    return adapter, session


def api(sandbox: SandboxServer, adapter: ZaloOA, method: str, path: str, **kwargs: Any) -> Any:
    """A raw call with the adapter's token, outside its session (so it is not counted)."""
    token = (adapter.credentials.load() or {})["access_token"]
    answer = requests.request(
        method,
        f"{sandbox.url}/zalo-openapi/v2.0{path}",
        headers={"access_token": token},
        timeout=5,
        **kwargs,
    )
    return answer.json()


def article(sandbox: SandboxServer, adapter: ZaloOA, number: int, status: str = "show") -> str:
    """A published article, created as Zalo's own clients do it (create, then verify)."""
    body = {
        "type": "normal",
        "title": f"Huế - bài số {number}",
        "author": "Sở TT&TT Thừa Thiên Huế",
        "description": "Tin đối ngoại.",
        "cover": {"cover_type": "photo", "photo_url": "https://example.vn/a.jpg", "status": "show"},
        "body": [{"type": "text", "content": "<p>Huế đón đoàn đại biểu ASEAN.</p>"}],
        "status": status,
    }
    token = api(sandbox, adapter, "POST", "/article/create", json=body)["data"]["token"]
    return str(
        api(sandbox, adapter, "POST", "/article/verify", json={"token": token})["data"]["id"]
    )


def between(value: int | None, article_id: str, metric: str, age: float) -> bool:
    """The figure lies between what `grow` gives at `age` and a minute later (figures grow)."""
    return value is not None and (
        grow(article_id, metric, age) <= value <= grow(article_id, metric, age + 60)
    )


# -- the sandbox ---------------------------------------------------------------------------------


def test_sandbox_detail_and_list_report_figures_that_grow_with_age(
    sandbox: SandboxServer, counted: tuple[ZaloOA, CountingSession]
) -> None:
    adapter, _ = counted
    article_id = article(sandbox, adapter, 1)
    fresh = api(sandbox, adapter, "GET", "/article/getdetail", params={"id": article_id})["data"]
    assert (fresh["total_view"], fresh["total_share"]) == (0, 0)  # seconds old: nobody yet

    assert control(sandbox, "age_posts", seconds=WEEK) == 1
    detail = api(sandbox, adapter, "GET", "/article/getdetail", params={"id": article_id})["data"]
    params = {"offset": 0, "limit": 10, "type": "normal"}
    [listed] = api(sandbox, adapter, "GET", "/article/getslice", params=params)["data"]["medias"]
    for metric, field in (("views", "total_view"), ("shares", "total_share")):
        assert between(detail[field], article_id, metric, WEEK)
        assert between(listed[field], article_id, metric, WEEK)
        assert detail[field] > 0

    later = article(sandbox, adapter, 2)  # created after the ageing: still fresh
    assert (
        api(sandbox, adapter, "GET", "/article/getdetail", params={"id": later})["data"][
            "total_view"
        ]
        == 0
    )


def test_sandbox_can_answer_without_the_figures(
    sandbox: SandboxServer, counted: tuple[ZaloOA, CountingSession]
) -> None:
    adapter, _ = counted
    article_id = article(sandbox, adapter, 1)
    control(sandbox, "omit_figures", on=True)
    detail = api(sandbox, adapter, "GET", "/article/getdetail", params={"id": article_id})["data"]
    params = {"offset": 0, "limit": 10, "type": "normal"}
    [listed] = api(sandbox, adapter, "GET", "/article/getslice", params=params)["data"]["medias"]
    assert "total_view" not in detail and "total_share" not in listed
    assert detail["id"] == listed["id"] == article_id


def test_sandbox_unknown_article_is_zalos_refusal(
    sandbox: SandboxServer, counted: tuple[ZaloOA, CountingSession]
) -> None:
    adapter, _ = counted
    answer = api(sandbox, adapter, "GET", "/article/getdetail", params={"id": "0" * 32})
    assert answer == {"error": -201, "message": "article is not exist"}


# -- the adapter ---------------------------------------------------------------------------------


def test_the_adapter_declares_views_and_shares() -> None:
    assert ZaloOA.capabilities.metrics == frozenset({"views", "shares"})
    assert ZaloOA.capabilities.metrics_batch >= 2
    assert isinstance(ZaloOA.__new__(ZaloOA), Measurable)


def test_figures_map_views_and_shares(
    sandbox: SandboxServer, counted: tuple[ZaloOA, CountingSession]
) -> None:
    adapter, session = counted
    ids = [article(sandbox, adapter, n) for n in range(3)]
    control(sandbox, "age_posts", seconds=WEEK)

    figures = adapter.read_metrics(ids)

    assert [f.remote_id for f in figures] == ids
    for item in figures:
        assert not item.gone and item.notes == ()
        assert between(item.values["views"], item.remote_id, "views", WEEK)
        assert between(item.values["shares"], item.remote_id, "shares", WEEK)
    assert session.paths == ["getslice"]  # three recent articles: one page of the list


def test_a_fresh_article_reports_zero_as_zalo_says_it(
    sandbox: SandboxServer, counted: tuple[ZaloOA, CountingSession]
) -> None:
    adapter, session = counted
    article_id = article(sandbox, adapter, 1)
    [figures] = adapter.read_metrics([article_id])
    assert figures == Figures(article_id, {"views": 0, "shares": 0})
    assert session.paths == ["getdetail"]  # one article: its detail, never a page


def test_absent_figures_are_none_with_a_note_never_zero(
    sandbox: SandboxServer, counted: tuple[ZaloOA, CountingSession]
) -> None:
    adapter, _ = counted
    ids = [article(sandbox, adapter, n) for n in range(2)]
    control(sandbox, "age_posts", seconds=WEEK)
    control(sandbox, "omit_figures", on=True)

    for item in adapter.read_metrics(ids) + adapter.read_metrics(ids[:1]):
        assert item.values == {"views": None, "shares": None}
        assert {note.field for note in item.notes} == {"views", "shares"}
        assert all(note.vi.startswith("Zalo không báo") for note in item.notes)
        assert all(note.en.startswith("Zalo did not report") for note in item.notes)


def test_a_full_batch_of_recent_articles_costs_a_page_per_ten(
    sandbox: SandboxServer, counted: tuple[ZaloOA, CountingSession]
) -> None:
    adapter, session = counted
    ids = [article(sandbox, adapter, n) for n in range(ZaloOA.capabilities.metrics_batch)]
    control(sandbox, "age_posts", seconds=DAY)

    figures = adapter.read_metrics(ids)

    assert {f.remote_id for f in figures} == set(ids)
    assert all(f.values["views"] is not None and not f.gone for f in figures)
    pages = -(-len(ids) // SLICE_LIMIT)
    assert session.paths == ["getslice"] * pages


def test_old_articles_deep_in_the_list_are_read_one_detail_each(
    sandbox: SandboxServer, counted: tuple[ZaloOA, CountingSession]
) -> None:
    adapter, session = counted
    old = [article(sandbox, adapter, n) for n in range(3)]
    for n in range(3, 3 + SLICE_LIMIT):  # a page of newer articles in front of them
        article(sandbox, adapter, n)

    figures = adapter.read_metrics(old)

    assert [f.remote_id for f in figures] == old
    assert all(f.values["views"] is not None and not f.gone for f in figures)
    # One page finds none of them, so it stops there: at most one request more than one each.
    assert session.paths == ["getslice", "getdetail", "getdetail", "getdetail"]


def test_removed_and_hidden_articles_are_gone(
    sandbox: SandboxServer, counted: tuple[ZaloOA, CountingSession]
) -> None:
    adapter, session = counted
    kept, removed = article(sandbox, adapter, 1), article(sandbox, adapter, 2)
    hidden = article(sandbox, adapter, 3, status="hide")
    assert api(sandbox, adapter, "POST", "/article/remove", json={"id": removed})["error"] == 0

    figures = {f.remote_id: f for f in adapter.read_metrics([kept, removed, hidden])}

    assert figures[removed] == Figures(removed, gone=True)
    assert figures[hidden] == Figures(hidden, gone=True)
    assert not figures[kept].gone and figures[kept].values["views"] is not None
    assert session.paths == ["getslice", "getdetail"]  # only the removed one needed its detail
    [alone] = adapter.read_metrics([removed])
    assert alone.gone


def test_an_expired_token_is_refreshed_while_reading(
    sandbox: SandboxServer, counted: tuple[ZaloOA, CountingSession]
) -> None:
    adapter, session = counted
    article_id = article(sandbox, adapter, 1)
    control(sandbox, "expire_tokens")
    [figures] = adapter.read_metrics([article_id])
    assert not figures.gone and figures.values["views"] == 0
    assert session.paths == ["getdetail", "access_token", "getdetail"]


def test_reading_needs_a_person_when_the_refresh_token_has_expired(
    sandbox: SandboxServer, counted: tuple[ZaloOA, CountingSession]
) -> None:
    adapter, _ = counted
    ids = [article(sandbox, adapter, n) for n in range(2)]
    control(sandbox, "expire_tokens")
    control(sandbox, "expire_refresh_tokens")
    with pytest.raises(AuthRequired, match="re-authorise"):
        adapter.read_metrics(ids)


def test_reading_without_any_connection_is_auth_required(sandbox: SandboxServer) -> None:
    adapter = make_adapter(sandbox, credentials=MemoryCredentials())
    with pytest.raises(AuthRequired):
        adapter.read_metrics(["a" * 32])


def test_the_rate_limit_while_reading_is_rate_limited(
    sandbox: SandboxServer, counted: tuple[ZaloOA, CountingSession]
) -> None:
    adapter, _ = counted
    ids = [article(sandbox, adapter, n) for n in range(2)]
    control(sandbox, "rate_limit")
    with pytest.raises(RateLimited):
        adapter.read_metrics(ids)
