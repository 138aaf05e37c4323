"""Adapters declare what they need from Loa (a media host, a memo) and `build_adapter` provides it
to any adapter alike: made-up adapters, installed through a real entry point like any third-party
package, get their needs, and one asking for what Loa lacks is refused by `loa config check`."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from PIL import Image

import loa.adapters
from channels.base import NEEDS, MediaFile
from channels.registry import adapter_class, known_types
from channels.sandbox.server import SandboxServer
from content.errors import UserError
from loa.adapter_needs import PROVIDED
from loa.adapters import PROVIDERS, build_adapter, media_links
from loa.app import App, open_app
from loa.cli import main
from loa.config import ConfigError, load_config
from loa.media_links import MediaLinks
from loa.web_app import build_web_app
from tests.channels.test_zalo_oa import make_adapter, publication, zalo

ROOT = Path(__file__).resolve().parents[2]
Data = dict[str, Any]

PROBES = '''
from typing import Any, ClassVar

from channels.base import NEED_MEDIA_HOST, NEED_MEMO, Capabilities


class Probe:
    capabilities: ClassVar[Capabilities] = Capabilities(text_max=100)
    connect_kind: ClassVar[str] = "token"

    def __init__(self, setup: Any, credentials: Any) -> None:  # no keyword: given none
        self.setup, self.credentials = setup, credentials

    @classmethod
    def check(cls, pub: Any) -> list[Any]:
        return []


class MemoProbe(Probe):
    type: ClassVar[str] = "probe_memo"
    needs: ClassVar[frozenset[str]] = frozenset({NEED_MEMO})

    def __init__(self, setup: Any, credentials: Any, *, memo: Any = None) -> None:
        super().__init__(setup, credentials)
        self.memo = memo


class MediaProbe(Probe):
    type: ClassVar[str] = "probe_media"
    needs: ClassVar[frozenset[str]] = frozenset({NEED_MEDIA_HOST})

    def __init__(self, setup: Any, credentials: Any, *, media_host: Any = None) -> None:
        super().__init__(setup, credentials)
        self.media_host = media_host


class BothProbe(Probe):
    type: ClassVar[str] = "probe_both"
    needs: ClassVar[frozenset[str]] = frozenset({NEED_MEDIA_HOST, NEED_MEMO})

    def __init__(self, setup: Any, credentials: Any, **needs: Any) -> None:
        super().__init__(setup, credentials)
        self.given = needs


class HostProbe(Probe):
    """Like the static subpage: a media host by what it does, under a name Loa never heard of."""

    type: ClassVar[str] = "probe_host"

    def public_url(self, media: Any) -> str:
        return f"https://static.example.gov.vn/media/{media.sha256}.jpg"


class GreedyProbe(Probe):
    type: ClassVar[str] = "probe_greedy"
    needs: ClassVar[frozenset[str]] = frozenset({NEED_MEMO, "database"})
'''
TYPES = {
    "probe_memo": "MemoProbe",
    "probe_media": "MediaProbe",
    "probe_both": "BothProbe",
    "probe_host": "HostProbe",
    "probe_greedy": "GreedyProbe",
}


@pytest.fixture
def probes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The probes as an installed package: a module and its dist-info with the entry points."""
    module = f"loa_needs_probes_{uuid.uuid4().hex[:8]}"
    site = tmp_path / "site"
    info = site / f"{module}-0.1.dist-info"
    info.mkdir(parents=True)
    (site / f"{module}.py").write_text(PROBES, encoding="utf-8")
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    points = "".join(f"{name} = {module}:{cls}\n" for name, cls in TYPES.items())
    (info / "entry_points.txt").write_text(f"[loa.channels]\n{points}", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    adapter_class.cache_clear()
    yield module
    adapter_class.cache_clear()


def channel(channel_id: str, channel_type: str, **settings: Any) -> Data:
    entry: Data = {
        "id": channel_id,
        "type": channel_type,
        "department": "STTTT",
        "api_base": "https://platform.example",
    }
    if settings:
        entry["settings"] = settings
    return entry


def zalo_channel(**settings: Any) -> Data:
    demo = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    entry = next(c for c in demo["channels"] if c["type"] == "zalo_oa")
    return {**entry, "settings": {**entry.get("settings", {}), **settings}}


def write_config(folder: Path, channels: list[Data], **top: Any) -> Path:
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data.update(channels=channels, **top)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def open_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:  # a function: (channels, **top) -> App
    monkeypatch.setenv("LOA_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("LOA_ZALO_APP_SECRET", "zalo-app-secret")
    apps: list[App] = []

    def opened(channels: list[Data], **top: Any) -> App:
        app = open_app(write_config(tmp_path / "ws", channels, **top), migrate=True)
        apps.append(app)
        return app

    yield opened
    for app in apps:
        app.close()


def image_file(folder: Path) -> MediaFile:
    path = folder / "ngo-mon.jpg"
    Image.new("RGB", (800, 600), (200, 160, 40)).save(path, "JPEG")
    data = path.read_bytes()
    return MediaFile(
        path=path,
        kind="image",
        mime="image/jpeg",
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        width=800,
        height=600,
        alt_text="Ngọ Môn",
    )


# -- each need, to any adapter that declares it ----------------------------------------------


def test_an_adapter_declaring_a_memo_gets_its_channels_own_for_the_process(
    probes: str, open_workspace: Any
) -> None:
    app = open_workspace([channel("memo-one", "probe_memo"), channel("memo-two", "probe_memo")])
    first, again = build_adapter(app, "memo-one"), build_adapter(app, "memo-one")
    other = build_adapter(app, "memo-two")
    assert first is not again  # each thread its own adapter...
    assert isinstance(first.memo, dict)  # type: ignore[attr-defined]
    assert again.memo is first.memo  # type: ignore[attr-defined]  # ...one memo per channel
    assert other.memo is not first.memo  # type: ignore[attr-defined]
    first.memo["learnt"] = 42  # type: ignore[attr-defined]
    assert build_adapter(app, "memo-one").memo == {"learnt": 42}  # type: ignore[attr-defined]


def test_an_adapter_declaring_a_media_host_gets_the_channel_that_is_one(
    probes: str, open_workspace: Any, tmp_path: Path
) -> None:
    app = open_workspace([channel("media-one", "probe_media"), channel("host-one", "probe_host")])
    host = build_adapter(app, "media-one").media_host  # type: ignore[attr-defined]
    assert type(host).__name__ == "HostProbe" and host.setup.id == "host-one"
    assert host.public_url(image_file(tmp_path)).startswith("https://static.example.gov.vn/")
    assert app.config.channel("media-one").settings["public_media"] is True
    # an adapter declaring nothing is given nothing (HostProbe takes no keyword at all)
    assert type(build_adapter(app, "host-one")).__name__ == "HostProbe"


def test_an_adapter_declaring_both_needs_gets_both_by_name(
    probes: str, open_workspace: Any
) -> None:
    app = open_workspace([channel("both-one", "probe_both")], public_url="https://loa.example.vn")
    given = build_adapter(app, "both-one").given  # type: ignore[attr-defined]
    assert set(given) == {"media_host", "memo"}
    assert isinstance(given["media_host"], MediaLinks)
    assert given["memo"] is app.memos["both-one"]


def test_settings_media_host_picks_among_several_hosts(probes: str, open_workspace: Any) -> None:
    app = open_workspace(
        [
            channel("media-one", "probe_media", media_host="host-two"),
            channel("host-one", "probe_host"),
            channel("host-two", "probe_host"),
        ]
    )
    host = build_adapter(app, "media-one").media_host  # type: ignore[attr-defined]
    assert host.setup.id == "host-two"


def test_nothing_to_host_media_gives_none_and_says_so_in_the_settings(
    probes: str, open_workspace: Any
) -> None:
    app = open_workspace([channel("media-one", "probe_media")])  # public_url: http, loopback
    assert build_adapter(app, "media-one").media_host is None  # type: ignore[attr-defined]
    assert app.config.channel("media-one").settings["public_media"] is False


# -- what Loa does not provide --------------------------------------------------------------------


def test_a_need_loa_does_not_provide_is_refused_by_config_check(
    probes: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOA_LANG", raising=False)
    path = write_config(tmp_path / "ws", [channel("greedy-one", "probe_greedy")])
    code = main(["--config", str(path), "config", "check"])
    said = capsys.readouterr()
    text = said.out + said.err
    assert code != 0 and "Traceback" not in text
    assert "channels[0].type" in text
    vi = text.index("kênh greedy-one: bộ điều hợp 'probe_greedy' cần 'database'")
    en = text.index("channel greedy-one: the 'probe_greedy' adapter needs 'database'")
    assert vi < en  # Vietnamese first
    assert "Loa provides: media_host, memo" in text


def test_build_adapter_refuses_a_need_it_has_no_provider_for(
    probes: str, open_workspace: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_workspace([channel("memo-one", "probe_memo")])
    monkeypatch.delitem(PROVIDERS, "memo")  # as if the config check had been skipped
    with pytest.raises(UserError, match="needs 'memo', which Loa does not provide") as refused:
        build_adapter(app, "memo-one")
    assert "cần 'memo'" in refused.value.vi


def test_a_media_host_setting_naming_a_channel_that_hosts_nothing_is_refused(
    probes: str, tmp_path: Path
) -> None:
    path = write_config(
        tmp_path / "ws",
        [
            channel("media-one", "probe_media", media_host="memo-one"),
            channel("memo-one", "probe_memo"),
        ],
    )
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    [problem] = [str(p) for p in refused.value.problems]
    assert "channels[0].settings.media_host" in problem
    assert "'memo-one' không phải kênh lưu được tệp" in problem
    assert "channels that host files: none" in problem


def test_every_need_has_a_provider_and_the_config_check_knows_the_same_list() -> None:
    assert set(PROVIDERS) == PROVIDED == NEEDS


def test_build_adapter_names_no_channel_type() -> None:
    source = Path(loa.adapters.__file__).read_text(encoding="utf-8")
    for name in [*known_types(), "zalo", "facebook", "youtube", "wordpress", "static_site"]:
        assert name not in source, name
    assert not re.search(r"channels\.(?!base|registry)\w+", source)


# -- Zalo without a website: the static subpage's media, or Loa's own ---------------------------


def test_zalo_takes_a_static_site_like_channel_as_its_host(
    probes: str, open_workspace: Any
) -> None:
    app = open_workspace([zalo_channel(), channel("asean-static", "probe_host")])
    zalo_id = app.config.channels[0].id
    assert app.config.channel(zalo_id).settings["public_media"] is True
    host = build_adapter(app, zalo_id).media_host  # type: ignore[attr-defined]
    assert type(host).__name__ == "HostProbe" and host.setup.id == "asean-static"


def test_zalo_without_any_host_channel_uses_loas_signed_addresses_when_public_url_is_https(
    open_workspace: Any, sandbox: SandboxServer, tmp_path: Path
) -> None:
    app = open_workspace([zalo_channel()], public_url="https://loa.thuathienhue.gov.vn/")
    zalo_id = app.config.channels[0].id
    assert app.config.channel(zalo_id).settings["public_media"] is True
    host = build_adapter(app, zalo_id).media_host  # type: ignore[attr-defined]
    assert isinstance(host, MediaLinks)

    # It works as Zalo's host: the article's cover is a signed address for that very file.
    jpeg = image_file(tmp_path)
    make_adapter(sandbox, media_host=host).publish(publication(media=(jpeg,)))
    [article] = zalo(sandbox).snapshot()["articles"]
    cover = urlsplit(article["cover"]["photo_url"])
    assert (cover.scheme, cover.netloc) == ("https", "loa.thuathienhue.gov.vn")
    assert cover.path == f"/media/public/{jpeg.sha256}"
    query = {key: values[0] for key, values in parse_qs(cover.query).items()}
    assert media_links(app).verify(jpeg.sha256, query["expires"], query["signature"])

    # And Loa answers that address, as `loa serve` does, to anyone holding it (Zalo's fetcher).
    with app.db.write() as session:
        app.media.add(session, jpeg.path)
    with TestClient(build_web_app(app)) as client:
        fetched = client.get(f"{cover.path}?{cover.query}")
        forged = client.get(f"{cover.path}?expires={query['expires']}&signature={'0' * 64}")
    assert fetched.status_code == 200
    assert fetched.content == jpeg.path.read_bytes()
    assert forged.status_code == 403


def test_zalo_with_an_http_public_url_and_no_host_has_no_public_media(
    open_workspace: Any,
) -> None:
    app = open_workspace([zalo_channel()])  # the demo's http://127.0.0.1:8000
    zalo_id = app.config.channels[0].id
    assert app.config.channel(zalo_id).settings["public_media"] is False
    assert build_adapter(app, zalo_id).media_host is None  # type: ignore[attr-defined]
