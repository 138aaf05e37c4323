"""The connect form names what it asks for by the channel's type: a WordPress application
password, a webhook's signing secret, a Facebook token; a plug-in's channel (the example radio
bulletin, a "token" kind like Facebook) is asked for "the channel's secret", never for another
platform's password or token."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from content.users import UserService
from loa.app import App, open_app
from loa.cli import main
from loa.web_app import build_web_app
from tests.web.conftest import FAST_HASHER
from tests.web.helpers import PASSWORD, login

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def admin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The repository's config.yaml with a webhook channel and the example radio channel."""
    for name in ("LOA_CONFIG", "LOA_LANG", "LOA_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    data: dict[str, Any] = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["channels"] += [
        {
            "id": "hues",
            "type": "webhook",
            "department": "STTTT",
            "name": "Ứng dụng HueS",
            "api_base": "http://127.0.0.1:9/hues",
        },
        {
            "id": "radio-huyen",
            "type": "radio_bulletin",
            "department": "STTTT",
            "name": "Đài Truyền thanh huyện",
            "api_base": "http://127.0.0.1:9/radio",
        },
    ]
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["--config", str(config), "db", "upgrade"]) == 0
    loaded: App = open_app(config)
    UserService(loaded.db, hasher=FAST_HASHER).set_password("test", "admin", PASSWORD)
    with TestClient(build_web_app(loaded)) as client:
        assert login(client, "admin").status_code == 303
        yield client
    loaded.close()


@pytest.mark.parametrize(
    ("channel_id", "vietnamese", "english"),
    [
        ("web-asean", "Mật khẩu ứng dụng WordPress", "WordPress application password"),
        ("hues", "Mã bí mật ký gói tin", "Signing secret shared with the receiver"),
        ("fb-asean-hue", "Mã truy cập người dùng Facebook", "Facebook user access token"),
        ("radio-huyen", "Mã bí mật của kênh", "The channel's secret"),
    ],
)
def test_the_secret_is_named_by_the_channel_type(
    admin: TestClient, channel_id: str, vietnamese: str, english: str
) -> None:
    page = admin.get(f"/channels/{channel_id}/connect")
    assert page.status_code == 200, page.text
    label = page.text.split('<label for="secret">', 1)[1].split("</label>", 1)[0]
    assert label.startswith(vietnamese), label
    assert not any(
        platform in label for platform in {"WordPress", "Facebook"} - {*vietnamese.split()}
    )
    english_page = html.unescape(admin.get(f"/channels/{channel_id}/connect?lang=en").text)
    assert f'<label for="secret">{english}' in english_page
