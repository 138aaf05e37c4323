"""Helpers for the browser tests: signing in through the form, checking a screenshot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from tests.web.helpers import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["PASSWORD", "is_png", "log_in", "log_out"]

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
