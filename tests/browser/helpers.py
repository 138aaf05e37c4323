"""Helpers for the browser tests: signing in through the form, checking a screenshot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from tests.web.helpers import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

__all__ = ["PASSWORD", "drag", "is_png", "log_in", "log_out"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def is_png(path: Path) -> bool:
    """The file exists, starts as a PNG does and holds more than its header."""
    return path.is_file() and path.stat().st_size > 100 and path.read_bytes()[:8] == PNG_SIGNATURE


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form and wait until the calendar (or `next`) is shown."""
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))
    page.locator("header .who").wait_for()


def log_out(page: Page) -> None:
    page.locator("form[action='/logout'] button").click()
    page.wait_for_url(re.compile(r"/login$"))


def drag(page: Page, source: Locator, target: Locator) -> None:
    """Drag `source` onto `target` as a hand does: press, move in steps, move again, release.

    Chromium starts an HTML5 drag only after the pointer has moved while pressed, and fires the
    target's `dragover` (which decides whether a drop is allowed) on the move after it enters;
    Playwright's one-jump `drag_to` sometimes lands the release before either, and the drop is
    silently lost (seen once in CI on a loaded machine).
    """
    source.scroll_into_view_if_needed()
    start = source.bounding_box()
    assert start is not None, "the element to drag is not shown"
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(
        start["x"] + start["width"] / 2 + 8, start["y"] + start["height"] / 2 + 8, steps=4
    )
    target.scroll_into_view_if_needed()
    end = target.bounding_box()
    assert end is not None, "the place to drop on is not shown"
    x, y = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2
    page.mouse.move(x, y, steps=10)
    page.mouse.move(x + 2, y + 2, steps=2)
    page.mouse.up()
