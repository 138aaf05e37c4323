"""The Graph sandbox knows Business Manager system users as Facebook does, over plain HTTP.

`/me` with a system-user token is the system user; `/me/accounts` lists only the Pages the
business assigned to it, with the tasks assigned, and Page tokens that live as long as the
system-user token; a revoked system-user token is 190 like any other.
"""

from __future__ import annotations

from typing import Any

import requests

from channels.sandbox.graph import GraphSandbox
from channels.sandbox.graph_model import MANAGED, PAGES, USER_ID
from channels.sandbox.server import SandboxServer

PAGE, OTHER_PAGE = MANAGED


def control(sandbox: SandboxServer, command: str, **args: Any) -> Any:
    graph = sandbox.platform("graph")
    with graph.lock:
        return graph.control(command, args)


def get(sandbox: SandboxServer, path: str, token: str) -> requests.Response:
    return requests.get(
        f"{sandbox.url}/graph/v21.0{path}", params={"access_token": token}, timeout=5
    )


def test_me_is_the_system_user_not_a_person(sandbox: SandboxServer) -> None:
    minted = control(sandbox, "system_user", pages=[PAGE], name="Loa máy chủ")
    answer = get(sandbox, "/me", minted["access_token"])
    assert answer.status_code == 200
    assert answer.json() == {"id": minted["user_id"], "name": "Loa máy chủ"}
    assert minted["user_id"] != USER_ID
    other = control(sandbox, "system_user", pages=[PAGE])
    assert other["user_id"] != minted["user_id"]  # each system user has its own id


def test_accounts_lists_only_the_assigned_pages_with_tokens_that_do_not_expire(
    sandbox: SandboxServer,
) -> None:
    minted = control(sandbox, "system_user", pages=[OTHER_PAGE])
    answer = get(sandbox, "/me/accounts", minted["access_token"])
    assert answer.status_code == 200
    pages = answer.json()["data"]
    assert [(p["id"], p["name"]) for p in pages] == [(OTHER_PAGE, PAGES[OTHER_PAGE][0])]
    assert "CREATE_CONTENT" in pages[0]["tasks"]
    graph = sandbox.platform("graph")
    assert isinstance(graph, GraphSandbox)
    page_token = graph.tokens[pages[0]["access_token"]]
    assert (page_token.kind, page_token.page_id, page_token.expires) == ("page", OTHER_PAGE, None)
    assert get(sandbox, "/me", pages[0]["access_token"]).json()["id"] == OTHER_PAGE


def test_an_expiring_system_user_token_gives_page_tokens_that_expire_with_it(
    sandbox: SandboxServer,
) -> None:
    minted = control(sandbox, "system_user", pages=[PAGE], expiring=True)
    page_token = get(sandbox, "/me/accounts", minted["access_token"]).json()["data"][0]
    graph = sandbox.platform("graph")
    assert isinstance(graph, GraphSandbox)
    system = graph.tokens[minted["access_token"]]
    assert system.expires is not None
    assert graph.tokens[page_token["access_token"]].expires is not None


def test_accounts_shows_the_tasks_the_business_assigned(sandbox: SandboxServer) -> None:
    minted = control(sandbox, "system_user", pages=[PAGE], tasks=["ANALYZE"])
    pages = get(sandbox, "/me/accounts", minted["access_token"]).json()["data"]
    assert pages[0]["tasks"] == ["ANALYZE"]


def test_a_revoked_system_user_token_is_190(sandbox: SandboxServer) -> None:
    minted = control(sandbox, "system_user", pages=[PAGE])
    assert control(sandbox, "expire_tokens", kind="system_user", subcode=460) == 1
    answer = get(sandbox, "/me/accounts", minted["access_token"])
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["code"], error["error_subcode"], error["type"]) == (190, 460, "OAuthException")


def test_a_system_user_token_cannot_post_as_the_page(sandbox: SandboxServer) -> None:
    minted = control(sandbox, "system_user", pages=[PAGE])
    answer = requests.post(
        f"{sandbox.url}/graph/v21.0/{PAGE}/feed",
        data={"access_token": minted["access_token"], "message": "Xin chào"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 200  # a Page token is needed, as for a person


def test_the_explorer_token_carries_the_permissions_loa_needs(sandbox: SandboxServer) -> None:
    page = requests.get(f"{sandbox.url}/graph/tools/explorer", timeout=5)
    assert page.status_code == 200
    for permission in ("pages_show_list", "pages_manage_posts", "read_insights"):
        assert permission in page.text
