"""`connect_all` (loa.sandbox_setup), as the demo and the test fixtures use it: every channel of
Loa's own types connected through its real flow against a running sandbox, a static subpage
checked as it is, a plug-in's type it cannot connect left alone without failing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from channels.sandbox import build_sandbox
from channels.sandbox.graph_model import APP_SECRET
from channels.sandbox.server import SandboxServer
from loa.adapters import build_adapter
from loa.app import open_app
from loa.sandbox_setup import connect_all
from tests.scheduler.harness import write_config

EXTRA = [
    {
        "id": "web-tinh",
        "type": "static_site",
        "department": "STTTT",
        "name": "Chuyên trang ASEAN",
        "settings": {"output_dir": "loa-site/asean", "public_url": "http://127.0.0.1:8000/asean/"},
    },
    {  # the example plug-in (examples/loa-radio-bulletin), installed in Loa's venv
        "id": "radio-huyen",
        "type": "radio_bulletin",
        "department": "STTTT",
        "name": "Đài Truyền thanh huyện",
        "api_base": "http://127.0.0.1:8765/radio",
        "secrets": {"api_key": "LOA_RADIO_API_KEY"},
    },
]


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    monkeypatch.setenv("LOA_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("LOA_ZALO_APP_SECRET", "zalo-app-secret")
    monkeypatch.setenv("LOA_FB_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("LOA_YOUTUBE_CLIENT_SECRET", "youtube-client-secret")
    for name in ("LOA_WP_APP_PASSWORD", "LOA_RADIO_API_KEY", "LOA_CONFIG", "LOA_USER"):
        monkeypatch.delenv(name, raising=False)
    running = build_sandbox(port=0).start()
    try:
        yield running
    finally:
        running.stop()


def test_every_own_channel_is_connected_the_static_site_checked_a_plug_in_left_alone(
    tmp_path: Path, sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("loa_radio_bulletin")
    app = open_app(write_config(tmp_path, sandbox.url, channels=EXTRA), migrate=True)
    try:
        with caplog.at_level(logging.INFO, logger="loa.sandbox_setup"):
            accounts = connect_all(app, sandbox.url)
        own = {c.id for c in app.config.channels if c.type != "radio_bulletin"}
        assert set(accounts) == own and "web-tinh" in own
        assert accounts["web-tinh"]  # verify() named the portal
        assert (tmp_path / "loa-site" / "asean").is_dir()  # and made its folder
        said = [r.getMessage() for r in caplog.records if "radio-huyen" in r.getMessage()]
        assert said and "not connected" in said[0] and "loa channels connect radio-huyen" in said[0]
        # The Loa types really were connected: their credentials are stored.
        assert build_adapter(app, "web-asean").verify().name == accounts["web-asean"]
    finally:
        app.close()
