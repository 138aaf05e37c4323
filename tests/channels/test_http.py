"""The adapters' HTTP session: the environment's proxy settings hold, read once per host."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from channels.http import TimeoutSession
from channels.sandbox.server import SandboxServer


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[str]]]:
    """A forward proxy that records the request lines it gets and answers them itself."""
    lines: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            lines.append(self.requestline)
            body = b"via proxy"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", lines
    finally:
        server.shutdown()
        server.server_close()


def test_the_environments_proxy_is_used_and_read_once_per_host(
    sandbox: SandboxServer, proxy: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy_url, lines = proxy
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", proxy_url)
    target = f"{sandbox.url}/_sandbox/state"
    session = TimeoutSession(5.0)
    assert session.get(target).text == "via proxy"
    assert lines == [f"GET {target} HTTP/1.1"]  # the absolute form: sent to a proxy

    monkeypatch.setenv("no_proxy", "127.0.0.1")
    assert session.get(target).text == "via proxy"  # this session read the environment already
    fresh = TimeoutSession(5.0)
    assert "wordpress" in fresh.get(target).json()  # straight to the sandbox
    assert len(lines) == 2


def test_a_proxy_passed_with_the_request_wins_over_the_environment(
    sandbox: SandboxServer, proxy: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy_url, lines = proxy
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    session = TimeoutSession(5.0)
    target = f"{sandbox.url}/_sandbox/state"
    assert session.get(target, proxies={"http": proxy_url}).text == "via proxy"
    assert lines == [f"GET {target} HTTP/1.1"]
