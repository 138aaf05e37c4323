"""The webhook channel in config.yaml: the commented example loads as it stands once uncommented,
and the adapter's own rules for its settings are reported by `loa config check`, Vietnamese
first, at their key (loa.adapter_settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from channels.sandbox.webhook import SEEDED_SECRET
from loa.config import ConfigError, LoaConfig, load_config

ROOT = Path(__file__).resolve().parents[2]
TYPES = frozenset({"zalo_oa", "facebook_page", "youtube", "wordpress", "webhook"})
Data = dict[str, Any]


def uncommented_example() -> Data:
    """config.yaml with its commented webhook channel (`# - id: hues` ...) switched on."""
    lines = (ROOT / "config.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("  # - id: hues")
    block = []
    for line in lines[start:]:
        if not line.startswith("  #   ") and line != "  # - id: hues":
            break
        block.append("  " + line[4:])
    data = dict(yaml.safe_load("\n".join(lines)))
    data["channels"] = [*data["channels"], *yaml.safe_load("\n".join(block))]
    return data


def load(folder: Path, data: Data) -> LoaConfig:
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_config(path, channel_types=TYPES)


def test_the_example_in_config_yaml_loads(tmp_path: Path) -> None:
    channel = load(tmp_path, uncommented_example()).channel("hues")
    assert channel.type == "webhook" and channel.department == "STTTT"
    assert channel.secrets == {"signing_secret": "LOA_HUES_WEBHOOK_SECRET"}
    assert channel.settings["url"] == "/events" and channel.settings["lookup_url"] == "/lookup"
    assert SEEDED_SECRET in (ROOT / "config.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("key", "value"),
    [("url", "ftp://hues.example.vn/hook"), ("lookup_url", "hues example"), ("verify_url", 42)],
)
def test_an_address_the_adapter_cannot_use_is_refused_at_its_key(
    tmp_path: Path, key: str, value: Any
) -> None:
    data = uncommented_example()
    data["channels"][-1]["settings"][key] = value
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, data)
    [problem] = [p for p in refused.value.problems if "hues" in str(p)]
    assert f"channels[5].settings.{key}" in str(problem)
    text = str(problem)
    assert text.index("kênh hues:") < text.index("channel hues:")
