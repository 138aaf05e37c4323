"""Helpers for the web tests: signing in, reading the CSRF token out of a page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx2 import Response

# Strong enough for the rule (10+ characters, 6 different, no username), with Vietnamese marks.
PASSWORD = "Huế-ASEAN-2026!"

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


def csrf_from(html: str) -> str:
    """The CSRF token of a page: its hidden form field, or the `csrf-token` meta tag."""
    found = CSRF_FIELD.search(html) or CSRF_META.search(html)
    assert found is not None and found.group(1), "no CSRF token in the page"
    return found.group(1)


def csrf_of(client: TestClient) -> str:
    """The signed-in client's session CSRF token, read from a page as a browser would."""
    page = client.get("/account/tokens")
    assert page.status_code == 200, page.text
    match = CSRF_META.search(page.text)
    assert match is not None and match.group(1)
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD, **extra: str) -> Response:
    """Sign in through the login form (its CSRF cookie and field included); no redirects."""
    form_page = client.get("/login")
    token = csrf_from(form_page.text)
    data = {"username": username, "password": password, "csrf_token": token, **extra}
    return client.post("/login", data=data, follow_redirects=False)
