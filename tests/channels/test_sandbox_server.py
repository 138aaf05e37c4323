"""The sandbox's own HTTP control API: faults, reset, state, public pages, loopback only."""

from __future__ import annotations

import time

import pytest
import requests

from channels.sandbox.server import SandboxServer

PAGES = ["/zalo-openapi/_public", "/graph/_public", "/youtube/_public", "/wordpress/_public"]


def control(sandbox: SandboxServer, path: str, **body: object) -> requests.Response:
    return requests.post(f"{sandbox.url}/_sandbox/{path}", json=body, timeout=10)


def wordpress_categories(sandbox: SandboxServer, timeout: float = 10) -> requests.Response:
    return requests.get(f"{sandbox.url}/wordpress/wp-json/wp/v2/categories", timeout=timeout)


def test_the_index_and_every_public_page_answer(sandbox: SandboxServer) -> None:
    index = requests.get(f"{sandbox.url}/", timeout=10)
    assert index.status_code == 200 and "text/html" in index.headers["Content-Type"]
    for page in PAGES:
        assert page in index.text
        answer = requests.get(sandbox.url + page, timeout=10)
        assert answer.status_code == 200 and "<h1>" in answer.text, page


def test_latency_is_injected(sandbox: SandboxServer) -> None:
    assert control(sandbox, "faults", platform="wordpress", latency_ms=300).ok
    started = time.monotonic()
    assert wordpress_categories(sandbox).status_code in (200, 401)
    assert time.monotonic() - started >= 0.3


def test_errors_by_code_in_order_then_by_rate(sandbox: SandboxServer) -> None:
    assert control(sandbox, "faults", platform="wordpress", fail_next=["502html", "notype"]).ok
    first, second = wordpress_categories(sandbox), wordpress_categories(sandbox)
    assert (first.status_code, second.status_code) == (502, 500)
    assert "text/html" in first.headers["Content-Type"]
    assert "Content-Type" not in second.headers
    assert control(sandbox, "faults", platform="wordpress", errors={"503": 0.5}, seed=3).ok
    statuses = [wordpress_categories(sandbox).status_code for _ in range(40)]
    assert 5 < statuses.count(503) < 35  # a rate, not all or nothing
    again = control(sandbox, "faults", platform="wordpress", errors={"503": 0.5}, seed=3)
    assert again.ok
    assert [wordpress_categories(sandbox).status_code for _ in range(40)] == statuses  # seeded


def test_faults_can_be_limited_to_some_paths(sandbox: SandboxServer) -> None:
    assert control(sandbox, "faults", platform="wordpress", errors={"500": 1.0}, paths=["/tags"]).ok
    assert wordpress_categories(sandbox).status_code != 500
    tags = requests.get(f"{sandbox.url}/wordpress/wp-json/wp/v2/tags", timeout=10)
    assert tags.status_code == 500


def test_a_hang_carries_the_request_out_and_never_answers(sandbox: SandboxServer) -> None:
    password = control(
        sandbox, "control", platform="wordpress", command="issue_app_password"
    ).json()["result"]
    assert control(sandbox, "faults", platform="wordpress", hang_next=1).ok
    with pytest.raises(requests.ReadTimeout):
        requests.post(
            f"{sandbox.url}/wordpress/wp-json/wp/v2/categories",
            json={"name": "Sự kiện ASEAN"},
            auth=("loa-bot", password),
            timeout=0.5,
        )
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=10).json()
    assert "Sự kiện ASEAN" in str(state["wordpress"])  # created, though nobody heard back


def test_reset_forgets_faults_and_state(sandbox: SandboxServer) -> None:
    assert control(sandbox, "faults", platform="wordpress", errors={"500": 1.0}).ok
    assert wordpress_categories(sandbox).status_code == 500
    assert control(sandbox, "reset", platform="wordpress").json() == {"reset": ["wordpress"]}
    assert wordpress_categories(sandbox).status_code != 500


def test_unknown_paths_and_controls_are_404(sandbox: SandboxServer) -> None:
    assert requests.get(f"{sandbox.url}/tiktok/v1/post", timeout=10).status_code == 404
    assert control(sandbox, "nothing").status_code == 404


def test_an_unknown_platform_is_refused_with_the_names_to_use(sandbox: SandboxServer) -> None:
    answer = control(sandbox, "faults", platform="facebook", latency_ms=50)
    assert answer.status_code == 400
    assert "'facebook'" in answer.json()["error"] and "graph" in answer.json()["error"]
    assert wordpress_categories(sandbox, timeout=0.25).status_code in (200, 401)  # nothing set


def test_the_sandbox_listens_on_loopback_only() -> None:
    with pytest.raises(ValueError, match="loopback"):
        SandboxServer([], host="0.0.0.0", port=0)
