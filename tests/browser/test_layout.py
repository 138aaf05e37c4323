"""No main page scrolls sideways, on a desktop (1440 px) or a phone (390 px).

The pages are filled as a busy office fills them (tests/browser/dense.py: the month of 128 posts
and 300 deliveries, a post with a long public link and a long platform error, posts waiting for
review), then each is measured: `document.documentElement.scrollWidth` must not exceed
`clientWidth`. A failure names the elements that stick out, so the culprit is found at once.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import EDITOR, Site
from tests.browser.dense import DenseMonth, dense_month
from tests.browser.helpers import log_in

# The elements wider than the window, innermost first: what to fix when a page scrolls.
CULPRITS = """() => {
  const limit = document.documentElement.clientWidth;
  const out = [];
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.width && box.right > limit + 1 && ![...element.children].some(
        child => child.getBoundingClientRect().right > limit + 1)) {
      const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
        (element.className && typeof element.className === "string"
          ? "." + element.className.trim().split(/\\s+/).join(".") : "");
      out.push(name + " right=" + Math.round(box.right));
    }
  }
  return out.slice(0, 8);
}"""


def main_pages(dense: DenseMonth) -> list[str]:
    first = dense.first.isoformat()
    on_busiest = next(post for post, day in dense.posts.items() if day == dense.busiest)
    return [
        f"/calendar?view=month&date={first}",
        f"/calendar?view=week&date={dense.busiest.isoformat()}",
        f"/calendar?view=day&date={dense.busiest.isoformat()}",
        f"/calendar?view=list&date={first}",
        "/channels",
        f"/posts/{dense.published_post}",
        f"/posts/{on_busiest}",
        "/compose",
        "/review",
        "/reports",
    ]


@pytest.mark.parametrize("width", [1440, 390], ids=["desktop-1440", "phone-390"])
def test_no_main_page_scrolls_sideways(
    new_page: Callable[..., Page], site: Site, width: int
) -> None:
    dense = dense_month(site)
    page = new_page(phone=width < 600)
    page.set_viewport_size({"width": width, "height": 900 if width > 600 else 844})
    log_in(page, EDITOR)
    wide: list[str] = []
    for path in main_pages(dense):
        response = page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        page.wait_for_load_state("load")
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll > client:
            wide.append(f"{path}: {scroll} px wide in {client} px; {page.evaluate(CULPRITS)}")
    assert not wide, f"pages that scroll sideways at {width} px:\n" + "\n".join(wide)
