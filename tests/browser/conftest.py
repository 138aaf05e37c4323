"""Browser tests: real headless Chromium (Debian's), driven by Playwright, against a real Loa.

- `chromium_path`: LOA_TEST_CHROMIUM or /usr/bin/chromium. Missing: the browser tests skip
  with the reason, except with CI=true, where they fail (like the PostgreSQL tests).
- `browser`: one Chromium for the whole package (never downloaded: `executable_path`).
- `site`: a real workspace in a temporary folder (the repo's config.yaml on a sandbox of its
  own, every channel connected through the real connect flows), the web app from `loa serve`'s
  builder (loa.web_app) under uvicorn on 127.0.0.1 and a free port, and passwords for `admin`,
  `bientap` (editor) and `cbtt.stttt` (officer).
- `worker`: the publishing worker running in-process on the site, on a clock the test may
  move forward (`site.clock.jump_to(when)`), so a post due later goes out now.
- `page`: a fresh browser context (Vietnamese, Asia/Ho_Chi_Minh, no cookies) and its page;
  an uncaught script error or a Content-Security-Policy violation fails the test.
- `shoot(page, name)`: a full-page PNG in test-artifacts/screenshots/ (git-ignored), checked
  and listed at the end of the run.

Everything listens on 127.0.0.1 and is stopped when the package's tests end.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.helpers import PASSWORD, is_png

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

    from channels.sandbox.server import SandboxServer
    from loa.app import App
    from scheduler.publish import Alert
    from scheduler.worker import Worker

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() == "true"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("LOA_TEST_SCREENSHOTS") or ROOT / "test-artifacts/screenshots")
# Without these, Chromium keeps reaching for Google's services, which a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000  # generous: two shared cores, Argon2 at every sign-in
# The people of the story, from the repo's config.yaml.
ADMIN, EDITOR, OFFICER = "admin", "bientap", "cbtt.stttt"

taken_screenshots: list[Path] = []


def _chromium_unavailable_reason(candidate: str) -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    path = Path(candidate)
    if not path.is_file() or not os.access(path, os.X_OK):
        return f"Chromium is not installed at {candidate} (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    candidate = os.environ.get("LOA_TEST_CHROMIUM") or DEFAULT_CHROMIUM
    reason = _chromium_unavailable_reason(candidate)
    if reason is not None:
        if IN_CI:
            pytest.fail(f"{reason}; CI=true requires the browser tests to run")
        pytest.skip(f"{reason}; set LOA_TEST_CHROMIUM to run the browser tests")
    return candidate


@pytest.fixture(scope="package")
def browser(chromium_path: str) -> Iterator[Browser]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)  # assertions wait for the page as long as actions do
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            yield launched
        finally:
            launched.close()


# --- the site ---------------------------------------------------------------------------------


class ShiftedClock:
    """The worker's clock: real time, plus however far a test has moved it forward."""

    def __init__(self) -> None:
        self.offset = timedelta()
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        from content.timeutil import utcnow

        with self.lock:
            return utcnow() + self.offset

    def jump_to(self, when: datetime) -> None:
        """From now on the worker sees `when` (and on from there), if that is later."""
        from content.timeutil import utcnow

        with self.lock:
            self.offset = max(self.offset, when - utcnow())


@dataclass
class Site:
    url: str
    app: App
    sandbox: SandboxServer
    folder: Path
    clock: ShiftedClock = field(default_factory=ShiftedClock)
    alerts: list[Alert] = field(default_factory=list)


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Site]:
    from cryptography.fernet import Fernet

    from channels.sandbox import build_sandbox
    from channels.sandbox.graph_model import APP_SECRET
    from loa.app import open_app
    from loa.sandbox_setup import connect_all
    from loa.web_app import BackgroundServer, build_web_app
    from tests.scheduler.harness import write_config
    from web.services import WebServices

    folder = tmp_path_factory.mktemp("loa-site")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LOA_SECRET_KEY", Fernet.generate_key().decode())
        env.setenv("LOA_ZALO_APP_SECRET", "zalo-app-secret")
        env.setenv("LOA_FB_APP_SECRET", APP_SECRET)
        env.setenv("LOA_YOUTUBE_CLIENT_SECRET", "youtube-client-secret")
        for name in ("LOA_ALERT_URL", "LOA_WP_APP_PASSWORD", "LOA_CONFIG", "LOA_USER"):
            env.delenv(name, raising=False)
        sandbox = build_sandbox(port=0).start()
        try:
            app = open_app(write_config(folder, sandbox.url), migrate=True)
            try:
                connect_all(app, sandbox.url)
                web_app = build_web_app(app)
                services: WebServices = web_app.state.services
                for username in (ADMIN, EDITOR, OFFICER):
                    services.users.set_password("test", username, PASSWORD)
                server = BackgroundServer(web_app).start()
                try:
                    yield Site(server.url, app, sandbox, folder)
                finally:
                    server.stop()
            finally:
                app.close()
        finally:
            sandbox.stop()


@pytest.fixture(scope="package")
def worker(site: Site) -> Iterator[Worker]:
    """The worker, publishing to the sandbox from this process, on the site's movable clock."""
    from loa.adapters import build_adapter
    from loa.worker_app import worker_settings
    from scheduler.worker import Worker

    running = Worker(
        site.app.db,
        worker_settings(site.app),
        lambda channel_id: build_adapter(site.app, channel_id),
        site.app.media.path_of,
        alert=site.alerts.append,
        worker_id="browser-tests",
        clock=site.clock,
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()


# --- pages and screenshots ------------------------------------------------------------------


@pytest.fixture
def new_page(browser: Browser, site: Site) -> Iterator[Callable[..., Page]]:
    """`new_page()`: a page in a fresh context (its own cookies: another person);
    `new_page(phone=True)`: the same on a phone-sized touch screen."""
    contexts: list[Any] = []
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP violation: {message.text}")

    def make(phone: bool = False) -> Page:
        context = browser.new_context(
            base_url=site.url,
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900},
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        opened = context.new_page()
        opened.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        opened.on("console", on_console)
        return opened

    yield make
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


Shoot = Callable[["Page", str], Path]


@pytest.fixture
def shoot() -> Shoot:
    """`shoot(page, "calendar-month")`: a full-page PNG, checked, its path printed."""

    def take(page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        path.unlink(missing_ok=True)  # what is checked below is this run's picture
        page.screenshot(path=str(path), full_page=True)
        assert is_png(path), f"{path} is not a non-empty PNG"
        taken_screenshots.append(path)
        print(f"screenshot: {path}")
        return path

    return take


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if taken_screenshots:
        terminalreporter.write_sep("-", f"browser screenshots ({len(taken_screenshots)})")
        for path in taken_screenshots:
            terminalreporter.write_line(str(path))
