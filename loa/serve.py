"""`loa serve`: the editors' pages and the REST API, under uvicorn.

The web app is built from the same `App` as every command (one configuration, one database).
Proxy headers are judged by the app itself (`--trusted-proxy`), not by uvicorn, so sign-in
throttling and the Secure cookie flag follow one rule. Access log lines have anything that
looks like a secret (a feed address, a token) masked.
"""

from __future__ import annotations

import gc
import logging
import re
from typing import Annotated

import typer

from loa.cli_state import state_of
from loa.web_app import build_web_app

# Random secrets in URLs (feed addresses) are long runs of URL-safe characters.
SECRET_IN_PATH = re.compile(r"(?<![A-Za-z0-9_-])(loa_)?[A-Za-z0-9_-]{32,}")


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(
                SECRET_IN_PATH.sub("***", arg) if isinstance(arg, str) else arg
                for arg in (record.args if isinstance(record.args, tuple) else (record.args,))
            )
        record.msg = SECRET_IN_PATH.sub("***", str(record.msg))
        return True


def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Địa chỉ lắng nghe / Address to listen on.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Cổng / Port.")] = 8000,
    secure_cookies: Annotated[
        bool | None,
        typer.Option(
            "--secure-cookies/--no-secure-cookies",
            help="Luôn (hoặc không bao giờ) đặt cờ Secure cho cookie; mặc định: theo HTTPS"
            " / Always (or never) mark cookies Secure; default: when served over HTTPS.",
        ),
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            help="Địa chỉ proxy được tin X-Forwarded-Proto/-For, lặp lại được"
            " / A reverse proxy address whose X-Forwarded-* headers are believed (repeat).",
        ),
    ] = None,
) -> None:
    """Chạy trang web và REST API. / Serve the web pages and the REST API."""
    import uvicorn

    state = state_of(ctx)
    web_app = build_web_app(
        state.app(), secure_cookies=secure_cookies, trusted_proxies=frozenset(trusted_proxy or ())
    )
    config = uvicorn.Config(web_app, host=host, port=port, proxy_headers=False, server_header=False)
    logging.getLogger("uvicorn.access").addFilter(RedactSecrets())
    typer.echo(
        state.say(
            f"Loa: http://{host}:{port}/ (Ctrl+C để dừng)",
            f"Loa: http://{host}:{port}/ (Ctrl+C to stop)",
        )
    )
    # Everything loaded so far (modules, templates, config) lives as long as the process: moved
    # out of the collector's reach, a full collection no longer walks it, which took the month
    # view's p95 from 212 ms to 93 ms at 2,000 posts (bench/bench_calendar.py --gc-freeze).
    gc.freeze()
    uvicorn.Server(config).run()
