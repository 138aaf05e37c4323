"""The web app built from an `App`: for `loa serve`, the demo, the browser tests and the
benchmarks. Apart from the command line, so building it never imports `loa.cli`."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from loa.app import App
    from web.services import ReportTools


def approval_warnings(loa: App, post_id: int) -> list[tuple[str, str]]:
    """What approving `post_id` warns about: days of a channel's quota planned over its limit."""
    from scheduler.quota import quota_warnings

    with loa.db.read() as session:
        return [(warning.vi, warning.en) for warning in quota_warnings(session, post_id)]


def report_tools(loa: App) -> ReportTools:
    """The yearly report for /reports, read and written as `loa report` does."""
    from loa.report_command import write_report
    from loa.report_inputs import current_year, read_report, report_names, reporting_year
    from web.services import ReportTools

    tz = loa.config.zone
    return ReportTools(
        names=report_names(loa.config),
        departments=tuple(d.code for d in loa.config.departments),
        current_year=lambda now: current_year(now, tz),
        year_period=lambda year, now: reporting_year(year, tz, now),
        read=lambda start, end, department, year, now: read_report(
            loa, start, end, department=department, year=year, now=now
        ),
        write=partial(write_report, loa),
    )


def build_web_app(
    loa: App, *, secure_cookies: bool | None = None, trusted_proxies: frozenset[str] = frozenset()
) -> FastAPI:
    from content.users import UserService
    from loa.adapters import media_links
    from loa.media_links import is_public_base
    from loa.static_preview import mount_static_previews
    from loa.web_connect import WebConnector
    from web.app import create_app
    from web.services import Choice, WebServices, channel_displays

    services = WebServices(
        db=loa.db,
        posts=loa.posts,
        media=loa.media,
        zone=loa.config.zone,
        users=UserService(loa.db),
        channels=channel_displays(
            [(c.id, c.type, c.name, c.department) for c in loa.config.channels]
        ),
        secure_cookies=secure_cookies,
        trusted_proxies=trusted_proxies,
        public_url=loa.config.public_url,
        topics=tuple(Choice(t.code, t.vi, t.en) for t in loa.config.topics),
        pillars=tuple(Choice(p.code, p.vi, p.en) for p in loa.config.pillars),
        observances=loa.config.observance_rules,
        approval_warnings=partial(approval_warnings, loa),
        connector=WebConnector(loa),
        reports=report_tools(loa),
        # Loa signs media addresses for platforms only when it is reachable over https
        # (loa.adapter_needs), so only then does it answer them.
        public_media=media_links(loa) if is_public_base(str(loa.config.public_url)) else None,
    )
    web_app = create_app(services)
    mount_static_previews(web_app, loa)  # each static subpage's folder, under /asean/ or its path
    return web_app


class BackgroundServer:
    """The web app under uvicorn in a thread, for the demo and the browser tests. Its socket is
    bound before the thread starts, so there is no race for the port; a taken preferred port
    falls back to any free one."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        import socket
        import threading

        import uvicorn

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.socket.bind((host, port))
        except OSError:
            if not port:
                raise
            self.socket.bind((host, 0))
        bound = self.socket.getsockname()[1]
        self.url = f"http://{host}:{bound}"
        config = uvicorn.Config(app, host=host, port=bound, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True, name="web"
        )

    def start(self, timeout: float = 30.0) -> BackgroundServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the web server did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.socket.close()
