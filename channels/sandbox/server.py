"""The sandbox: one local HTTP server standing in for Zalo, Facebook, YouTube and WordPress.

Each platform is a `Platform` mounted under its path prefixes (the base URLs in config.yaml).
The framework parses requests, applies injected faults, and serves the control API:

    GET  /                         links to every platform's public page
    GET  /_sandbox/state           what each platform holds (posts, uploads, tokens), as JSON
    POST /_sandbox/reset           forget everything ({"platform": name} for one)
    POST /_sandbox/faults          {"platform", "latency_ms", "errors": {code: rate}, "fail_next":
                                    [code, ...], "hang_rate", "hang_next", "drop_next", "paths":
                                    [...], "seed"}
    POST /_sandbox/control         {"platform", "command", "args"}: platform switches such as
                                    "expire_tokens" or "exhaust_quota"

An injected error is answered in the platform's own envelope (`Platform.error_response`). A hang
carries the request out and then never answers it, as a real platform does when the answer is
lost on the way back: the client sees a timeout, and the post exists. A drop carries the request
out and closes the connection without a word (the client sees the connection reset). Loopback only.
"""

from __future__ import annotations

import html
import json
import logging
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from channels.http import mask

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8765
HANG_SECONDS = 120.0


class CaseInsensitive(dict[str, str]):
    def __init__(self, items: Mapping[str, str]) -> None:
        super().__init__({key.lower(): value for key, value in items.items()})

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Request:
    method: str
    path: str  # below the platform prefix: "/v2.0/article/create"
    query: dict[str, str]
    headers: CaseInsensitive
    body: bytes
    prefix: str = ""
    raw_query: str = ""  # as sent: what a signature over the query string covers

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def form(self) -> dict[str, str]:
        """Form fields, URL-encoded or multipart (text parts only)."""
        kind = self.headers.get("Content-Type", "")
        if kind.startswith("multipart/form-data"):
            return {
                name: part.get_payload(decode=True).decode("utf-8", "replace")
                for name, part in self._parts()
                if not part.get_filename()
            }
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))

    def files(self) -> dict[str, UploadedFile]:
        return {
            name: UploadedFile(
                part.get_filename() or "", part.get_content_type(), part.get_payload(decode=True)
            )
            for name, part in self._parts()
            if part.get_filename()
        }

    def param(self, name: str, default: str = "") -> str:
        """A value from the query string or the form, as the Graph API accepts both."""
        return self.query.get(name) or self.form().get(name) or default

    def _parts(self) -> list[tuple[str, Any]]:
        kind = self.headers.get("Content-Type", "")
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {kind}\r\n\r\n".encode() + self.body
        )
        parts = []
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name:
                parts.append((str(name), part))
        return parts


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls, data: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Response:
        body = json.dumps(data, ensure_ascii=False).encode()
        return cls(
            status, body, {"Content-Type": "application/json; charset=UTF-8", **(headers or {})}
        )

    @classmethod
    def html(cls, text: str, status: int = 200) -> Response:
        return cls(status, text.encode(), {"Content-Type": "text/html; charset=utf-8"})

    @classmethod
    def empty(cls, status: int, headers: Mapping[str, str] | None = None) -> Response:
        return cls(status, b"", dict(headers or {}))


DROPPED = Response(0)  # dispatch's answer when the connection must close without a word


def generic_error(code: str) -> Response | None:
    """Failures every platform can show: a proxy's HTML page, an answer without content type."""
    if code == "502html":
        return Response.html("<html><body><h1>502 Bad Gateway</h1></body></html>", 502)
    if code == "notype":
        return Response(500, b"oops", {})
    if code.isdigit() and len(code) == 3:
        return Response.html(f"<html><body><h1>{code}</h1></body></html>", int(code))
    return None


@dataclass
class Faults:
    latency_ms: int = 0
    errors: dict[str, float] = field(default_factory=dict)  # error code -> share of requests
    fail_next: list[str] = field(default_factory=list)  # these codes, in order, first
    hang_rate: float = 0.0
    hang_next: int = 0
    drop_next: int = 0  # carry these requests out, then close the connection unanswered
    paths: list[str] = field(default_factory=list)  # only requests whose path has one of these
    seed: int = 0
    _random: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        self._random.seed(self.seed)

    def applies_to(self, path: str) -> bool:
        return not self.paths or any(part in path for part in self.paths)

    def error_code(self) -> str | None:
        if self.fail_next:
            return self.fail_next.pop(0)
        for code, rate in self.errors.items():
            if self._random.random() < rate:
                return code
        return None

    def hang(self) -> bool:
        if self.hang_next > 0:
            self.hang_next -= 1
            return True
        return self.hang_rate > 0 and self._random.random() < self.hang_rate

    def drop(self) -> bool:
        if self.drop_next > 0:
            self.drop_next -= 1
            return True
        return False


class Platform:
    """One stand-in platform. Subclasses route requests and answer in the platform's terms."""

    name: ClassVar[str]
    title: ClassVar[str]
    prefixes: ClassVar[tuple[str, ...]]

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.faults = Faults()
        self.base_url = ""  # set by the server: http://127.0.0.1:PORT
        self.reset()

    def reset(self) -> None:
        """Forget everything published; subclasses set up their state here."""

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def error_response(self, code: str) -> Response:
        """The platform's own answer for an injected error code."""
        return generic_error(code) or Response.json({"error": code}, 500)

    def control(self, command: str, args: Mapping[str, Any]) -> Any:
        raise KeyError(command)

    def snapshot(self) -> Any:
        return {}

    def public_page(self) -> str:
        return page(self.title, "<p>Nothing published yet.</p>")


def page(title: str, body_html: str) -> str:
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:860px;margin:2em auto;padding:0 1em;"
        "color:#222}article{border:1px solid #ddd;border-radius:8px;padding:1em;margin:1em 0}"
        "img,video{max-width:100%;border-radius:6px}.meta{color:#666;font-size:.9em}"
        f"</style></head><body><h1>{html.escape(title)}</h1>"
        '<p class="meta">Loa sandbox · bản mô phỏng cục bộ, không phải nền tảng thật</p>'
        f"{body_html}</body></html>"
    )


class SandboxServer:
    """The HTTP server. `start()` runs it in a thread (tests, the demo); `serve()` blocks."""

    def __init__(self, platforms: list[Platform], host: str = LOOPBACK, port: int = DEFAULT_PORT):
        if host not in (LOOPBACK, "localhost", "::1"):
            raise ValueError("the sandbox listens on loopback only")
        self.platforms = {platform.name: platform for platform in platforms}
        self.routes = sorted(
            ((prefix, platform) for platform in platforms for prefix in platform.prefixes),
            key=lambda route: -len(route[0]),
        )
        self.stopping = threading.Event()
        self.httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self.httpd.daemon_threads = True
        for platform in platforms:
            platform.base_url = self.url
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def platform(self, name: str) -> Platform:
        return self.platforms[name]

    def route(self, path: str) -> tuple[str, Platform] | None:
        for prefix, platform in self.routes:
            if path == prefix or path.startswith(prefix + "/"):
                return prefix, platform
        return None

    def dispatch(self, request: Request, path: str) -> Response | None:
        """The answer to a request, or None when the request must hang unanswered."""
        if path.startswith("/_sandbox/") or path == "/":
            return self._control(request, path)
        found = self.route(path)
        if found is None:
            return Response.json({"error": f"no sandbox platform at {path}"}, 404)
        prefix, platform = found
        request.prefix, request.path = prefix, path[len(prefix) :] or "/"
        if request.method == "GET" and request.path in ("/", "/_public") and not request.query:
            with platform.lock:
                return Response.html(platform.public_page())
        faults = platform.faults
        with platform.lock:
            applies = faults.applies_to(request.path)
            code = faults.error_code() if applies else None
            hang = applies and code is None and faults.hang()
            drop = applies and code is None and not hang and faults.drop()
        if faults.latency_ms and applies:
            time.sleep(faults.latency_ms / 1000)
        if code is not None:
            log.info("sandbox %s: injected %s for %s %s", platform.name, code, request.method, path)
            return platform.error_response(code)
        with platform.lock:
            response = platform.handle(request)
        if hang:
            log.info("sandbox %s: carried out %s %s and hangs", platform.name, request.method, path)
            return None
        if drop:
            log.info("sandbox %s: carried out %s %s, dropped", platform.name, request.method, path)
            return DROPPED
        return response

    def _control(self, request: Request, path: str) -> Response:
        body = request.json() or {}
        if path == "/":
            links = "".join(
                f'<li><a href="{html.escape(p.prefixes[0])}/_public">'
                f"{html.escape(p.title)}</a></li>"
                for p in self.platforms.values()
            )
            return Response.html(page("Loa sandbox", f"<ul>{links}</ul>"))
        if path == "/_sandbox/state":
            state = {}
            for name, platform in self.platforms.items():
                with platform.lock:
                    state[name] = platform.snapshot()
            return Response.json(state)
        named = body.get("platform")
        if named and named not in self.platforms:
            known = ", ".join(sorted(self.platforms))
            return Response.json(
                {"error": f"unknown platform {named!r}: use one of {known}, or none for all"}, 400
            )
        targets = [self.platforms[named]] if named else list(self.platforms.values())
        if path == "/_sandbox/reset":
            for platform in targets:
                with platform.lock:
                    platform.faults = Faults()
                    platform.reset()
            return Response.json({"reset": [p.name for p in targets]})
        if path == "/_sandbox/faults":
            settings = {k: v for k, v in body.items() if k != "platform"}
            for platform in targets:
                with platform.lock:
                    platform.faults = Faults(**settings)
            return Response.json({"faults": settings})
        if path == "/_sandbox/control":
            with targets[0].lock:
                result = targets[0].control(body["command"], body.get("args") or {})
            return Response.json({"result": result})
        return Response.json({"error": f"unknown control {path}"}, 404)


def _handler_for(server: SandboxServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK stall every answer by about 40 ms.
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(
                method=self.command,
                path=parts.path,
                query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                headers=CaseInsensitive(dict(self.headers.items())),
                body=body,
                raw_query=parts.query,
            )
            try:
                response = server.dispatch(request, parts.path)
            except Exception:  # a bug in a stand-in must look like a platform outage, loudly
                log.exception("sandbox failed on %s %s", self.command, parts.path)
                response = Response.json({"error": "sandbox internal error"}, 500)
            if response is None:
                server.stopping.wait(HANG_SECONDS)
                self.close_connection = True
                return
            if response is DROPPED:
                self.close_connection = True
                return
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

        def log_message(self, format: str, *args: Any) -> None:
            # Runs in the demo's process: its log lines must not carry tokens either.
            log.debug("sandbox: %s", mask(format % args))

    return Handler
