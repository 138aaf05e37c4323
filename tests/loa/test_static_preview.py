"""`loa serve` shows each static subpage's folder for preview (loa.static_preview): at the path
of its public_url under Loa's, else at /asean/; a folder's index.html; never a dot-file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from starlette.routing import Mount

from channels.markers import marker_for
from channels.static_site import output_dir
from loa.adapters import build_adapter, ensure_key
from loa.app import App, open_app
from loa.static_preview import preview_path, previews
from loa.web_app import build_web_app
from tests.loa.test_static_site_connect import workspace

TITLES = ("Huế đón bạn bè ASEAN", "Festival Huế 2026 mời gọi du khách ASEAN")


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("LOA_CONFIG", "LOA_LANG", "LOA_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def with_channels(config: Path, *channels: dict[str, Any]) -> Path:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["channels"] += [
        {"type": "static_site", "department": "STTTT", "name": "Trang tĩnh", **c} for c in channels
    ]
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return config


def site(id_: str, public_url: str, folder: str) -> dict[str, Any]:
    return {"id": id_, "settings": {"output_dir": folder, "public_url": public_url}}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    loa = open_app(workspace(tmp_path / "ws"))
    try:
        yield loa
    finally:
        loa.close()


def publish(loa: App, channel_id: str = "web-tinh") -> list[str]:
    """Two posts written by the real adapter; their pages' paths under the site's address."""
    from channels.base import Publication

    ensure_key(loa)  # as `loa init` does: every adapter gets a credential store
    adapter: Any = build_adapter(loa, channel_id)
    addresses = []
    for number, title in enumerate(TITLES, start=1):
        receipt = adapter.publish(
            Publication(
                post_id=number,
                channel_id=channel_id,
                title=title,
                text=f"Bài số {number} về ASEAN.\n\nĐoạn thứ hai.",
                hashtags=("ASEAN",),
                marker=marker_for("preview", number, channel_id),
                topic="a",
                pillar="ASCC",
            )
        )
        addresses.append(str(receipt.url))
    return addresses


def test_the_folder_is_served_under_asean_with_its_index_and_content_types(app: App) -> None:
    addresses = publish(app)
    client = TestClient(build_web_app(app))
    home = client.get("/asean/")
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    assert all(title in home.text for title in TITLES)
    assert home.content == (output_dir(app.config.channel("web-tinh").settings) / "index.html"
                            ).read_bytes()  # fmt: skip
    moved = client.get("/asean", follow_redirects=False)
    assert moved.status_code in (307, 308) and moved.headers["location"].endswith("/asean/")
    for address in addresses:  # the address the adapter gave is the one that answers
        assert address.startswith("http://127.0.0.1:8000/asean/bai-viet/")
        post = client.get(address.removeprefix("http://127.0.0.1:8000"))
        assert post.status_code == 200 and "Bài số" in post.text
    assert client.get("/asean/atom.xml").headers["content-type"].split(";")[0] in (
        "application/xml", "text/xml", "application/atom+xml",
    )  # fmt: skip
    assert client.get("/asean/assets/site.css").headers["content-type"].startswith("text/css")
    topic = client.get("/asean/chu-de/a.html")
    assert topic.status_code == 200 and TITLES[0] in topic.text
    assert client.head("/asean/").status_code == 200
    # Loa's own pages are still Loa's.
    assert client.get("/login").status_code == 200


def test_dot_files_and_dot_folders_are_never_served(app: App) -> None:
    publish(app)
    folder = output_dir(app.config.channel("web-tinh").settings)
    assert (folder / ".loa" / "manifest.json").is_file()
    (folder / ".index.html.loa-tmp-1234").write_text("half a page", encoding="utf-8")
    (folder / "chu-de" / ".hidden").write_text("no", encoding="utf-8")
    client = TestClient(build_web_app(app))
    for path in (
        "/asean/.loa/manifest.json",
        "/asean/.loa/",
        "/asean/.loa",
        "/asean/.loa/lock",
        "/asean/.index.html.loa-tmp-1234",
        "/asean/chu-de/.hidden",
        "/asean/%2Eloa/manifest.json",
        "/asean/chu-de/../.loa/manifest.json",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert '"posts"' not in answer.text and "half a page" not in answer.text, path
    assert client.get("/asean/khong-co.html").status_code == 404
    assert client.post("/asean/index.html").status_code in (403, 405)  # read-only


def test_a_site_not_written_yet_is_a_404_not_a_failure(app: App) -> None:
    client = TestClient(build_web_app(app), raise_server_exceptions=True)
    assert client.get("/asean/").status_code == 404
    publish(app)  # the first publication makes the folder; the running app serves it
    assert client.get("/asean/").status_code == 200


def test_the_path_follows_public_url_under_loas_else_asean_for_the_first(tmp_path: Path) -> None:
    config = with_channels(
        workspace(tmp_path / "ws"),
        site("web-tieng-anh", "http://127.0.0.1:8000/en/asean/", "site-en"),
        site("web-cong", "https://thuathienhue.gov.vn/asean/", "site-cong"),
        site("web-calendar", "http://127.0.0.1:8000/calendar/", "site-calendar"),
        site("web-goc", "http://127.0.0.1:8000/", "site-goc"),
    )
    loa = open_app(config)
    try:
        web_app = build_web_app(loa)
        mounted = {r.name: r.path for r in web_app.routes if isinstance(r, Mount)}
        # web-tinh is under Loa's address (/asean/); web-cong is not, and /asean/ is given;
        # /calendar/ is Loa's own page and / would hide every page.
        assert mounted == {
            "static": "/static",
            "static-site-web-tinh": "/asean",
            "static-site-web-tieng-anh": "/en/asean",
        }
        shown = {p.channel_id: p.path for p in previews(loa, lambda path: path == "/calendar/")}
        assert shown == {"web-tinh": "/asean/", "web-tieng-anh": "/en/asean/"}
        publish(loa, "web-tieng-anh")
        client = TestClient(web_app)
        assert TITLES[0] in client.get("/en/asean/").text
        assert client.get("/calendar", follow_redirects=False).status_code in (200, 303, 307)
    finally:
        loa.close()


def test_a_portal_address_elsewhere_is_previewed_under_asean(tmp_path: Path) -> None:
    config = workspace(tmp_path / "ws")
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["channels"][-1]["settings"]["public_url"] = "https://thuathienhue.gov.vn/asean/"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    loa = open_app(config)
    try:
        publish(loa)
        answer = TestClient(build_web_app(loa)).get("/asean/")
        assert answer.status_code == 200 and TITLES[1] in answer.text
    finally:
        loa.close()


@pytest.mark.parametrize(
    ("channel", "loa", "path"),
    [
        ("http://127.0.0.1:8000/asean/", "http://127.0.0.1:8000", "/asean/"),
        ("http://127.0.0.1:8000/asean", "http://127.0.0.1:8000/", "/asean/"),
        ("HTTP://127.0.0.1:8000/asean/", "http://127.0.0.1:8000", "/asean/"),
        ("https://tinh.gov.vn/loa/asean/", "https://tinh.gov.vn/loa/", "/asean/"),
        ("https://tinh.gov.vn/asean/", "https://tinh.gov.vn/loa/", None),
        ("http://127.0.0.1:8001/asean/", "http://127.0.0.1:8000", None),
        ("https://127.0.0.1:8000/asean/", "http://127.0.0.1:8000", None),
        ("https://thuathienhue.gov.vn/asean/", "https://loa.thuathienhue.gov.vn", None),
    ],
)
def test_preview_path(channel: str, loa: str, path: str | None) -> None:
    assert preview_path(channel, loa) == path
