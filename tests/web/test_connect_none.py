"""A channel with nothing to connect (connect kind "none": the static subpage) on the web, built by
`loa` as `loa serve` builds it: its connect page says so in the reader's language and offers no
form, a secret posted to it anyway is refused and stored nowhere, and the channels page offers
no reconnect button for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlmodel import select

from content.models import AuditEvent, Channel
from content.users import UserService
from loa.app import App, open_app
from loa.cli import main
from loa.web_app import build_web_app
from tests.web.conftest import FAST_HASHER
from tests.web.helpers import PASSWORD, csrf_of, login

ROOT = Path(__file__).resolve().parents[2]
NAME = "Trang thông tin ASEAN tỉnh Thừa Thiên Huế"


@pytest.fixture
def loa_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    """The repository's config.yaml with a static subpage `web-tinh` added."""
    for name in ("LOA_CONFIG", "LOA_LANG", "LOA_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    data: dict[str, Any] = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["channels"].append(
        {
            "id": "web-tinh",
            "type": "static_site",
            "department": "STTTT",
            "name": NAME,
            "settings": {"output_dir": "loa-site", "public_url": "http://127.0.0.1:8000/"},
        }
    )
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["--config", str(config), "db", "upgrade"]) == 0
    loaded = open_app(config)
    UserService(loaded.db, hasher=FAST_HASHER).set_password("test", "admin", PASSWORD)
    yield loaded
    loaded.close()


@pytest.fixture
def admin(loa_app: App) -> Iterator[TestClient]:
    with TestClient(build_web_app(loa_app)) as client:
        assert login(client, "admin").status_code == 303
        yield client


def test_the_connect_page_says_there_is_nothing_to_connect(admin: TestClient) -> None:
    page = admin.get("/channels/web-tinh/connect")
    assert page.status_code == 200, page.text
    assert "Kênh này không cần kết nối" in page.text
    assert "loa channels check" in page.text
    assert NAME in page.text
    assert 'name="secret"' not in page.text  # no credentials form
    assert 'action="/channels/web-tinh/connect"' not in page.text
    english = admin.get("/channels/web-tinh/connect?lang=en").text
    assert "This channel needs no connection" in english
    assert "Kênh này" not in english
    # A channel that has something to connect still gets its form.
    assert 'name="secret"' in admin.get("/channels/web-asean/connect").text


def test_a_secret_posted_anyway_is_refused_and_stored_nowhere(
    admin: TestClient, loa_app: App
) -> None:
    refused = admin.post(
        "/channels/web-tinh/connect",
        data={"secret": "not-a-real-secret", "csrf_token": csrf_of(admin)},
    )
    assert refused.status_code == 409
    assert "Kênh này không cần kết nối" in refused.text
    assert "not-a-real-secret" not in refused.text
    with loa_app.db.read() as session:
        row = session.get(Channel, "web-tinh")
        assert row is not None and row.state == "active"
        actions = session.exec(select(AuditEvent.action)).all()
    assert "channel.connected" not in actions


def test_the_channels_page_offers_no_reconnect_button_for_it(
    admin: TestClient, loa_app: App
) -> None:
    html = admin.get("/channels").text
    section = html[html.index('id="channel-web-tinh"') :]
    section = section[: section.index("</section>")]
    assert NAME in section
    assert "/connect" not in section
    assert 'href="/channels/web-asean/connect"' in html  # the others keep theirs
