"""A static subpage channel in config.yaml: its settings checked and named Vietnamese first in
`loa config check`, paths taken from the config's folder, names filled from the rest of the
file, and no api_base to give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from channels.static_site import output_dir
from loa.cli import main
from loa.config import ConfigError, LoaConfig, load_config

ROOT = Path(__file__).resolve().parents[2]
TYPES = frozenset({"zalo_oa", "facebook_page", "youtube", "wordpress", "static_site"})
Data = dict[str, Any]


def demo_with_site(**settings: Any) -> Data:
    data = dict(yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8")))
    site = {
        "id": "web-tinh",
        "type": "static_site",
        "department": "SNGV",
        "name": "Trang thông tin ASEAN tỉnh Thừa Thiên Huế",
        "settings": {
            "output_dir": "loa-site/asean",
            "public_url": "http://127.0.0.1:8000/asean/",
            **settings,
        },
    }
    data["channels"] = [*data["channels"], site]
    return data


def write(folder: Path, data: Data) -> Path:
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def load(folder: Path, data: Data) -> LoaConfig:
    return load_config(write(folder, data), channel_types=TYPES)


def problems(folder: Path, data: Data) -> list[str]:
    with pytest.raises(ConfigError) as refused:
        load(folder, data)
    return [str(problem) for problem in refused.value.problems]


def test_the_channel_is_completed_from_the_rest_of_the_file(tmp_path: Path) -> None:
    config = load(tmp_path, demo_with_site())
    channel = config.channel("web-tinh")
    settings = channel.settings
    assert output_dir(settings) == tmp_path / "loa-site" / "asean"  # from the config's folder
    assert settings["site_name"] == "Trang thông tin ASEAN tỉnh Thừa Thiên Huế"
    assert settings["agency"] == "Sở Ngoại vụ"  # the department's name
    assert settings["topics"]["i"].startswith("Hình ảnh và danh hiệu của Huế")
    assert list(settings["topics"]) == list("abcdefghi")
    assert settings["pillars"]["AEC"] == "Cộng đồng Kinh tế"
    assert channel.bases == {"api_base": "http://127.0.0.1:8000/asean"}


def test_the_channel_s_own_names_are_kept(tmp_path: Path) -> None:
    logo = tmp_path / "hinh" / "logo.png"
    logo.parent.mkdir()
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    data = demo_with_site(
        site_name="Cổng ASEAN Huế",
        agency="UBND tỉnh",
        topics={"a": "Sự kiện"},
        logo="hinh/logo.png",
    )
    settings = load(tmp_path, data).channel("web-tinh").settings
    assert (settings["site_name"], settings["agency"]) == ("Cổng ASEAN Huế", "UBND tỉnh")
    assert settings["topics"]["a"] == "Sự kiện" and len(settings["topics"]) == 9
    assert settings["logo"] == str(logo)


@pytest.mark.parametrize(
    ("settings", "where", "words"),
    [
        ({"public_url": "asean.hue.gov.vn"}, "settings.public_url", "không phải địa chỉ http(s)"),
        ({"primary_color": "#f0c000"}, "settings.primary_color", "quá nhạt: chữ trắng"),
        ({"page_size": 500}, "settings.page_size", "từ 1 đến 100 / the posts per page"),
        ({"logo": "khong-co.svg"}, "settings.logo", "khong-co.svg / there is no file"),
        ({"output_dir": None}, "settings.output_dir", "cần thư mục ghi trang"),
    ],
)
def test_a_bad_setting_is_named_with_its_line(
    tmp_path: Path, settings: Data, where: str, words: str
) -> None:
    found = problems(tmp_path, demo_with_site(**settings))
    index = len(demo_with_site()["channels"]) - 1
    assert len(found) == 1, found
    assert f": channels[{index}].{where}: " in found[0] and words in found[0]
    assert found[0].split(": ")[0].startswith(f"{tmp_path / 'config.yaml'}:")  # file:line


def test_a_missing_address_is_one_problem_not_two(tmp_path: Path) -> None:
    data = demo_with_site()
    del data["channels"][-1]["settings"]["public_url"]
    found = problems(tmp_path, data)
    assert len(found) == 1 and "settings.public_url: cần địa chỉ công khai" in found[0]


def test_an_api_base_is_refused_with_the_reason(tmp_path: Path) -> None:
    data = demo_with_site()
    data["channels"][-1]["api_base"] = "http://127.0.0.1:8000/asean"
    found = problems(tmp_path, data)
    assert len(found) == 1 and "api_base: trang tĩnh không gọi nền tảng nào" in found[0]


def test_loa_config_check_reports_the_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, demo_with_site(primary_color="#ffe08a"))
    assert main(["--config", str(path), "config", "check"]) == 1
    err = capsys.readouterr().err
    assert "settings.primary_color: màu #ffe08a quá nhạt" in err
    assert "/ the colour #ffe08a is too light" in err
