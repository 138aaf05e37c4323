"""A channel with nothing to connect (the static subpage): `loa channels connect` says so and
checks the folder; `loa channels check` and the web connector treat it alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from content.errors import UserError
from loa.app import open_app
from loa.cli import main
from loa.web_connect import WebConnector

ROOT = Path(__file__).resolve().parents[2]
NAME = "Trang thông tin ASEAN tỉnh Thừa Thiên Huế"


def workspace(folder: Path, output_dir: str = "loa-site/asean") -> Path:
    data: dict[str, Any] = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["channels"].append(
        {
            "id": "web-tinh",
            "type": "static_site",
            "department": "STTTT",
            "name": NAME,
            "settings": {"output_dir": output_dir, "public_url": "http://127.0.0.1:8000/asean/"},
        }
    )
    folder.mkdir()
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["--config", str(path), "db", "upgrade"]) == 0
    return path


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("LOA_CONFIG", "LOA_LANG", "LOA_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_connect_says_there_is_nothing_to_connect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = workspace(tmp_path / "ws")
    capsys.readouterr()
    assert main(["--config", str(config), "channels", "connect", "web-tinh"]) == 0
    out = capsys.readouterr().out
    assert "Kênh web-tinh không cần kết nối" in out
    assert f"Kênh dùng được — {NAME}." in out
    assert (tmp_path / "ws" / "loa-site" / "asean").is_dir()  # verify made the folder
    assert main(["--lang", "en", "--config", str(config), "channels", "connect", "web-tinh"]) == 0
    assert "web-tinh needs no connection" in capsys.readouterr().out


def test_a_folder_that_cannot_be_made_is_said_at_connect_and_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = workspace(tmp_path / "ws", output_dir="config.yaml/asean")  # under a file
    capsys.readouterr()
    assert main(["--config", str(config), "channels", "connect", "web-tinh"]) == 1
    err = capsys.readouterr().err
    assert "Kênh web-tinh chưa dùng được: Kiểm tra thư mục: không ghi được trang vào" in err
    main(["--config", str(config), "channels", "check"])
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("web-tinh"))
    assert "Trang tĩnh" in line and "lỗi: Kiểm tra thư mục" in line


def test_check_names_the_portal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = workspace(tmp_path / "ws")
    main(["--config", str(config), "channels", "connect", "web-tinh"])  # as `loa init`: a key
    capsys.readouterr()
    main(["--config", str(config), "channels", "check"])
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("web-tinh"))
    assert f"ổn — {NAME}" in line


def test_the_web_connector_refuses_a_secret_for_it(tmp_path: Path) -> None:
    app = open_app(workspace(tmp_path / "ws"))
    connector = WebConnector(app)
    assert connector.kind("web-tinh") == "none"
    with pytest.raises(UserError) as refused:
        connector.complete_secret("web-tinh", "bat-ky", "admin")
    assert "không cần kết nối" in refused.value.text("vi")


def test_an_approved_post_published_now_is_on_the_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through Loa itself: the Publication built from the database (the settings Loa completed,
    config.yaml's topic names), the adapter built with its needs, the receipt recorded."""
    from PIL import Image

    config = workspace(tmp_path / "ws")
    Image.new("RGB", (800, 500), (150, 30, 30)).save(tmp_path / "anh.png")
    loa = ["--config", str(config)]
    steps = [
        ["channels", "connect", "web-tinh"],
        ["--as", "cbtt.stttt", "post", "add", "--title", "Lễ hội Huế 2026 chào đón bạn bè ASEAN",
         "--body", "Tối nay tại Đại Nội Huế, nghệ sĩ mười nước ASEAN cùng biểu diễn.",
         "--topic", "i", "--pillar", "ASCC", "--channel", "web-tinh", "--at", "2099-01-02 09:00",
         "--media", str(tmp_path / "anh.png"), "--alt", "Sân khấu Lễ hội Huế về đêm"],
        ["--as", "cbtt.stttt", "post", "submit", "1"],
        ["--as", "bientap", "post", "approve", "1"],
        ["publish", "1", "--now"],
    ]  # fmt: skip
    for step in steps:
        assert main([*loa, *step]) == 0, capsys.readouterr()
    shown = capsys.readouterr().out
    address = next(w for w in shown.split() if w.startswith("http://127.0.0.1:8000/asean/bai"))
    site = tmp_path / "ws" / "loa-site" / "asean"
    page = (site / address.removeprefix("http://127.0.0.1:8000/asean/")).read_text("utf-8")
    assert "Lễ hội Huế 2026 chào đón bạn bè ASEAN" in page
    assert 'alt="Sân khấu Lễ hội Huế về đêm"' in page
    assert "Hình ảnh và danh hiệu của Huế (Thành phố Festival" in page  # config.yaml's name
    assert "Cơ quan chủ quản: Sở Thông tin và Truyền thông" in page  # the department's
    assert address in (site / "atom.xml").read_text("utf-8")
