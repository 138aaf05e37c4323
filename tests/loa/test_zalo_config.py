"""What Loa works out for Zalo channels: an author for every article, and whether images can be
hosted publicly, checked in `loa config check` and at submit."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from PIL import Image

from loa.cli import main
from loa.config import ConfigError, LoaConfig, load_config
from loa.zalo_config import shorten

ROOT = Path(__file__).resolve().parents[2]
BUILTIN = frozenset({"zalo_oa", "facebook_page", "youtube", "wordpress"})
ZALO = "zalo-asean-hue"
Data = dict[str, Any]
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def demo_data() -> Data:
    return dict(yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8")))


def zalo_entry(data: Data) -> Data:
    return next(c for c in data["channels"] if c["id"] == ZALO)


def write(folder: Path, data: Data) -> Path:
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def load(folder: Path, data: Data) -> LoaConfig:
    return load_config(write(folder, data), channel_types=BUILTIN)


def config_problems(folder: Path, data: Data) -> list[str]:
    with pytest.raises(ConfigError) as refused:
        load(folder, data)
    return [str(problem) for problem in refused.value.problems]


def test_a_zalo_channel_without_an_author_signs_with_its_department(tmp_path: Path) -> None:
    data = demo_data()
    assert "author" not in zalo_entry(data).get("settings", {})
    settings = load(tmp_path, data).channel(ZALO).settings
    assert settings["author"] == "Sở Thông tin và Truyền thông"
    assert settings["public_media"] is True  # the demo has the website channel web-asean


def test_a_configured_author_is_kept(tmp_path: Path) -> None:
    data = demo_data()
    zalo_entry(data)["settings"]["author"] = "Ban biên tập Thông tin đối ngoại"
    settings = load(tmp_path, data).channel(ZALO).settings
    assert settings["author"] == "Ban biên tập Thông tin đối ngoại"


def test_a_long_department_name_is_cut_at_a_word_to_fit_zalo(tmp_path: Path) -> None:
    data = demo_data()
    zalo_entry(data)["department"] = "TTVH-PD"  # 58 characters in the demo config
    author = load(tmp_path, data).channel(ZALO).settings["author"]
    assert author == "Trung tâm Văn hóa - Thông tin và Thể thao huyện"
    assert len(author) <= 50
    assert shorten("Sở Du lịch") == "Sở Du lịch"


@pytest.mark.parametrize(
    ("author", "words"),
    [("", "the author is empty"), ("   ", "the author is empty"),
     ("x" * 51, "the author is 51 characters long; Zalo takes at most 50")],
)  # fmt: skip
def test_a_configured_author_zalo_would_refuse_is_a_config_problem(
    tmp_path: Path, author: str, words: str
) -> None:
    data = demo_data()
    zalo_entry(data)["settings"]["author"] = author
    [problem] = config_problems(tmp_path, data)
    assert ".settings.author: " in problem and words in problem
    assert "tên tác giả" in problem  # Vietnamese first


def test_media_host_must_name_a_channel_that_hosts_files(tmp_path: Path) -> None:
    data = demo_data()
    zalo_entry(data)["settings"]["media_host"] = "fb-asean-hue"
    [problem] = config_problems(tmp_path, data)
    assert ".settings.media_host: " in problem
    assert "'fb-asean-hue' không phải kênh lưu được tệp" in problem
    assert "channels that host files: web-asean" in problem


def test_without_a_website_channel_zalo_has_no_public_media(tmp_path: Path) -> None:
    data = demo_data()
    data["channels"] = [c for c in data["channels"] if c["type"] != "wordpress"]
    assert load(tmp_path, data).channel(ZALO).settings["public_media"] is False


# -- through the command line --------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out + captured.err


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("LOA_CONFIG", "LOA_USER", "LOA_LANG", "LOA_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "ws"
    folder.mkdir()
    return folder


def test_config_check_names_an_empty_author(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = demo_data()
    zalo_entry(data)["settings"]["author"] = ""
    code, said = run(capsys, "--config", str(write(workspace, data)), "config", "check")
    assert code != 0
    assert "settings.author" in said and "the author is empty" in said


def test_a_zalo_post_with_an_image_and_nowhere_to_host_it_is_refused_at_submit(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = demo_data()
    data["channels"] = [c for c in data["channels"] if c["type"] != "wordpress"]
    config = str(write(workspace, data))
    assert run(capsys, "--config", config, "db", "upgrade")[0] == 0
    image = workspace / "bia.png"
    Image.new("RGB", (400, 300), (120, 20, 90)).save(image, "PNG")
    day = datetime.now(VIETNAM).date() + timedelta(days=10)
    code, said = run(
        capsys, "--config", config, "--as", "cbtt.stttt", "post", "add",
        "--title", "Lễ hội Huế chào đón bạn bè ASEAN", "--body", "Nội dung", "--topic", "i",
        "--channel", ZALO, "--at", f"{day} 09:00", "--media", str(image), "--alt", "Ảnh bìa",
        "--submit",
    )  # fmt: skip
    assert code != 0
    assert "Zalo chỉ nhận ảnh qua địa chỉ công khai" in said
    assert "settings.media_host" in said
