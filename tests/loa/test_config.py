"""config.yaml: the shipped files load; every problem comes with its file, line and key path."""

from __future__ import annotations

from datetime import time
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from pydantic import ValidationError

import loa.config
from content.slots import Slot
from loa.config import (
    ConfigError,
    LoaConfig,
    find_config_path,
    known_channel_types,
    load_config,
    parse_slot,
    write_starter_config,
)

ROOT = Path(__file__).resolve().parents[2]
BUILTIN = frozenset({"zalo_oa", "facebook_page", "youtube", "wordpress"})

# Line numbers matter: the tests below point at them.
BASE = """\
timezone: Asia/Ho_Chi_Minh
departments:
  - {code: STTTT, name_vi: "Sở Thông tin và Truyền thông", name_en: "Information and Comms"}
  - {code: SDL, name_vi: "Sở Du lịch", name_en: "Department of Tourism"}
topics:
  - {code: a, vi: "Các sự kiện thường niên của ASEAN", en: "ASEAN's regular events"}
pillars:
  - {code: AEC, vi: "Cộng đồng Kinh tế", en: "Economic Community"}
users:
  - {username: bientap, full_name: "Nguyễn Thị Bích Liên", role: editor, department: STTTT}
channels:
  - id: zalo-asean-hue
    type: zalo_oa
    department: STTTT
    name: "Zalo OA Thông tin đối ngoại Thừa Thiên Huế"
    api_base: http://127.0.0.1:8765/zalo-openapi
    oauth_base: http://127.0.0.1:8765/zalo-oauth
    secrets: {app_secret: LOA_ZALO_APP_SECRET}
    slots: ["mon-fri 08:00", "sat 09:00"]
    settings: {app_id: "1234567890"}
  - id: web-asean
    type: wordpress
    department: STTTT
    api_base: http://127.0.0.1:8765/wordpress
    secrets: {app_password: LOA_WP_APP_PASSWORD}
    slots: ["mon-fri 07:30"]
    settings: {username: loa-bot}
"""


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def load_text(text: str) -> LoaConfig:
    Path("config.yaml").write_text(text, encoding="utf-8")
    return load_config(Path("config.yaml"), channel_types=BUILTIN)


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_text(text)
    assert str(info.value).splitlines() == [str(p) for p in info.value.problems]
    return str(info.value).splitlines()


def edit(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


# --- the shipped files ------------------------------------------------------------------------


def test_demo_config_loads() -> None:
    config = load_config(ROOT / "config.yaml", channel_types=BUILTIN)
    assert config.zone.key == "Asia/Ho_Chi_Minh"
    assert config.topic_codes == tuple("abcdefghi")
    assert config.pillar_codes == ("APSC", "AEC", "ASCC")
    assert config.pillars[2].vi == "Cộng đồng Văn hóa - Xã hội"
    assert len(config.departments) == 13
    assert config.department("TTVH-PD").name_vi.endswith("huyện Phong Điền")
    assert [u.username for u in config.users][:6] == [
        "admin", "bientap", "cbtt.stttt", "cbtt.sdl", "cbtt.svhtt", "cbtt.sngv",
    ]  # fmt: skip
    officers = {u.department for u in config.users if u.role == "officer"}
    assert officers == {d.code for d in config.departments}, "every department has an officer"
    assert config.users[1].full_name == "Nguyễn Thị Bích Liên"
    assert [c.id for c in config.channels] == [
        "zalo-asean-hue", "fb-asean-hue", "fb-dulich-hue", "yt-hue-asean", "web-asean",
    ]  # fmt: skip
    zalo = config.channel("zalo-asean-hue")
    assert zalo.name == "Zalo OA Thông tin đối ngoại Thừa Thiên Huế"
    assert zalo.bases == {
        "api_base": "http://127.0.0.1:8765/zalo-openapi",
        "oauth_base": "http://127.0.0.1:8765/zalo-oauth",
    }
    assert zalo.settings["app_id"] == "1234567890"
    assert zalo.settings["shared"] is True
    assert config.channel("fb-dulich-hue").settings.get("shared") is None
    assert config.channel("fb-asean-hue").settings["graph_version"] == "v21.0"
    assert config.channel("fb-dulich-hue").slot_rules[1] == Slot(frozenset({4, 5, 6}), time(18, 0))
    assert config.worker.threads == 4
    assert config.worker.max_attempts == 8
    assert config.database_url == f"sqlite:///{ROOT / 'data' / 'loa.db'}"


def test_starter_template_is_the_demo_config_with_more_comments(in_tmp: Path) -> None:
    write_starter_config(in_tmp / "new" / "config.yaml")
    starter = load_config(in_tmp / "new" / "config.yaml", channel_types=BUILTIN | {"static_site"})
    demo = load_config(ROOT / "config.yaml", channel_types=BUILTIN)
    # One difference: the static subpage, which `loa demo` publishes to, is a channel of the
    # template and only a commented example in config.yaml (the fixtures built on config.yaml
    # stand for Loa's five platform channels); it writes beside the file that names it.
    dumped = starter.model_dump()
    [static] = [c for c in dumped["channels"] if c["type"] == "static_site"]
    dumped["channels"] = tuple(c for c in dumped["channels"] if c is not static)
    assert dumped == demo.model_dump()
    assert static["id"] == "web-tinh"
    assert static["settings"]["output_dir"] == str(in_tmp / "new" / "loa-site" / "asean")
    assert static["settings"]["public_url"] == f"{starter.public_url}/asean/"
    assert starter.media_path == in_tmp / "new" / "data" / "media"
    template = ROOT / "loa" / "templates" / "config.yaml"
    assert (in_tmp / "new" / "config.yaml").read_bytes() == template.read_bytes()


def test_starter_config_never_overwrites(in_tmp: Path) -> None:
    Path("config.yaml").write_text("mine", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.yaml already exists; not overwriting"):
        write_starter_config(Path("config.yaml"))
    assert Path("config.yaml").read_text(encoding="utf-8") == "mine"


def test_demo_config_loads_with_the_installed_adapters() -> None:
    if not known_channel_types():
        pytest.skip("no loa.channels entry points: the project is not installed (pip install -e .)")
    assert len(load_config(ROOT / "config.yaml").channels) == 5


def test_channel_types_are_the_entry_point_names(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(group: str) -> list[EntryPoint]:
        assert group == "loa.channels"
        return [EntryPoint("hues_app", "x:Y", group), EntryPoint("zalo_oa", "x:Z", group)]

    monkeypatch.setattr(loa.config, "entry_points", fake)
    assert known_channel_types() == {"hues_app", "zalo_oa"}


# --- every kind of problem, with its line ---------------------------------------------------


def test_unknown_channel_type(in_tmp: Path) -> None:
    assert problems(edit("type: zalo_oa", "type: zalo")) == [
        "config.yaml:13: channels[0].type: unknown channel type 'zalo'; "
        "known: facebook_page, wordpress, youtube, zalo_oa"
    ]


def test_unknown_keys_get_a_suggestion(in_tmp: Path) -> None:
    text = edit('slots: ["mon-fri 08:00"', 'slot: ["mon-fri 08:00"').replace("timezone", "timezon")
    text = text.replace("settings: {app_id", "page_id: '1'\n    settings: {app_id")
    assert problems(text) == [
        "config.yaml:1: timezon: khóa không có; có phải là 'timezone'? / unknown key; did you"
        " mean 'timezone'?",
        "config.yaml:19: channels[0].slot: khóa không có; có phải là 'slots'? / unknown key; did"
        " you mean 'slots'?",
        "config.yaml:20: channels[0].page_id: khóa không có; khóa riêng của kênh đặt dưới"
        " 'settings:' / unknown key; channel-specific keys go under 'settings:'",
    ]


def test_missing_key_points_at_its_item(in_tmp: Path) -> None:
    text = edit("    api_base: http://127.0.0.1:8765/wordpress\n", "")
    assert problems(text) == [
        "config.yaml:21: channels[1].api_base: thiếu khóa bắt buộc / required key missing"
    ]


def test_duplicates(in_tmp: Path) -> None:
    text = edit("id: web-asean", "id: zalo-asean-hue").replace("code: SDL", "code: STTTT")
    assert problems(text) == [
        "config.yaml:4: departments[1].code: duplicate code 'STTTT' (see departments[0])",
        "config.yaml:21: channels[1].id: duplicate id 'zalo-asean-hue' (see channels[0])",
    ]


def test_duplicate_yaml_key(in_tmp: Path) -> None:
    text = edit("    type: wordpress\n", "    type: wordpress\n    type: youtube\n")
    assert problems(text) == ["config.yaml:23: channels[1].type: duplicate key (first on line 22)"]


def test_unknown_departments(in_tmp: Path) -> None:
    text = edit("editor, department: STTTT", "editor, department: SVHTT")
    wordpress = "\n    api_base: http://127.0.0.1:8765/wordpress"
    text = text.replace("department: STTTT" + wordpress, "department: SNGV" + wordpress)
    assert problems(text) == [
        "config.yaml:10: users[0].department: unknown department 'SVHTT'; known: SDL, STTTT",
        "config.yaml:23: channels[1].department: unknown department 'SNGV'; known: SDL, STTTT",
    ]


def test_bad_slot(in_tmp: Path) -> None:
    (line,) = problems(edit('"sat 09:00"', '"saturday 9am"'))
    assert line.startswith(
        "config.yaml:19: channels[0].slots[1]: cannot read slot 'saturday 9am'; "
    )
    assert 'write a slot as "mon-fri 08:00", "sat 09:00", "daily 12:00"' in line


def test_unknown_time_zone(in_tmp: Path) -> None:
    assert problems(edit("Asia/Ho_Chi_Minh", "Asia/Hue")) == [
        "config.yaml:1: timezone: unknown time zone 'Asia/Hue'; use an IANA name such as "
        "Asia/Ho_Chi_Minh"
    ]


def test_bad_codes_role_and_url(in_tmp: Path) -> None:
    text = edit("code: a,", "code: ab,").replace("code: AEC", "code: EC")
    text = text.replace("role: editor", "role: boss").replace("oauth_base: http:", "oauth_base: ")
    found = problems(text)
    assert found[0] == (
        "config.yaml:6: topics[0].code: 'ab' is not a single lowercase letter (the plan's are a-i)"
    )
    assert found[1] == (
        "config.yaml:8: pillars[0].code: phải là một trong: 'APSC', 'AEC' hoặc 'ASCC' / should"
        " be one of 'APSC', 'AEC' or 'ASCC'"
    )
    assert found[2].startswith("config.yaml:10: users[0].role: phải là một trong: 'officer'")
    assert found[3] == (
        "config.yaml:17: channels[0].oauth_base: '//127.0.0.1:8765/zalo-oauth' "
        "is not an http(s) URL"
    )


def test_worker_limits(in_tmp: Path) -> None:
    (line,) = problems(BASE + "worker:\n  threads: 0\n  lease_seconds: 300\n")
    assert line == "config.yaml:29: worker.threads: phải từ 1 trở lên / should be 1 or more"


def test_many_problems_at_once_in_line_order(in_tmp: Path) -> None:
    text = edit("type: wordpress", "type: wp").replace("Asia/Ho_Chi_Minh", "Mars/Olympus")
    text = text.replace('"sat 09:00"', '"sat"').replace("role: editor", "role: chief")
    found = problems(text)
    assert [line.split(": ")[0:2] for line in found] == [
        ["config.yaml:1", "timezone"],
        ["config.yaml:10", "users[0].role"],
        ["config.yaml:19", "channels[0].slots[1]"],
        ["config.yaml:22", "channels[1].type"],
    ]


@pytest.mark.parametrize(
    "value",
    [
        "s3cr3t-Zalo-value",
        "abcdefghijklmnop",
        "A1B2C3D4E5F6G7H8I9J0K1L2",
        "EAAG/x+y==",
        "lower_name",
    ],
)
def test_a_secret_itself_is_refused_and_not_echoed(in_tmp: Path, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_text(edit("app_secret: LOA_ZALO_APP_SECRET", f"app_secret: '{value}'"))
    assert str(info.value) == (
        "config.yaml:18: channels[0].secrets.app_secret: give the name of an environment "
        "variable holding the secret, not the secret itself"
    )
    assert value not in repr(info.value.problems)
    # Not even in a chained traceback.
    assert info.value.__context__ is None
    assert info.value.__cause__ is None


def test_secrets_in_settings_are_refused(in_tmp: Path) -> None:
    text = edit("settings: {username: loa-bot}", "settings: {username: x, app_password: hunter2}")
    assert problems(text) == [
        "config.yaml:27: channels[1].settings.app_password: secrets do not belong in the file; "
        "name an environment variable under secrets:"
    ]


def test_yaml_syntax_error(in_tmp: Path) -> None:
    (line,) = problems(edit("    type: wordpress\n", "    type: [wordpress\n"))
    assert line.startswith("config.yaml:23: YAML syntax: ")


@pytest.mark.parametrize(
    ("text", "what"), [("", "empty"), ("- a\n- b\n", "a list"), ("just text\n", "a str")]
)
def test_top_level_must_be_a_mapping(in_tmp: Path, text: str, what: str) -> None:
    (line,) = problems(text)
    assert f"the file is {what}; expected a mapping of settings" in line


def test_missing_file(in_tmp: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(Path("nowhere/config.yaml"))
    assert str(info.value) == (
        "config file not found: nowhere/config.yaml; create one with `loa init`"
    )


# --- secrets ----------------------------------------------------------------------------------


def test_secrets_are_read_from_the_environment_when_asked(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOA_ZALO_APP_SECRET", raising=False)
    monkeypatch.delenv("LOA_WP_APP_PASSWORD", raising=False)
    config = load_text(BASE)  # loading never needs the secrets
    with pytest.raises(ConfigError) as info:
        config.secret("zalo-asean-hue", "app_secret")
    # Vietnamese first, English second, like every other message of `loa config check`.
    assert str(info.value) == (
        "config.yaml:18: channels[0].secrets.app_secret: "
        "chưa đặt biến môi trường LOA_ZALO_APP_SECRET"
        " / environment variable LOA_ZALO_APP_SECRET is not set"
    )
    # The WordPress application password is optional (a connected one takes its place).
    assert config.missing_secrets() == [
        "config.yaml:18: channels[0].secrets.app_secret: "
        "chưa đặt biến môi trường LOA_ZALO_APP_SECRET"
        " / environment variable LOA_ZALO_APP_SECRET is not set",
    ]
    monkeypatch.setenv("LOA_ZALO_APP_SECRET", "zalo-value")
    monkeypatch.setenv("LOA_WP_APP_PASSWORD", "")  # empty counts as not set
    assert config.secret("zalo-asean-hue", "app_secret") == "zalo-value"
    assert config.missing_secrets(["zalo-asean-hue"]) == []
    assert config.missing_secrets() == []
    with pytest.raises(ConfigError, match="LOA_WP_APP_PASSWORD is not set"):
        config.secret("web-asean", "app_password")  # asked for, it must be there
    with pytest.raises(ConfigError) as info:
        config.secret("web-asean", "token")
    assert str(info.value) == (
        "config.yaml:25: channels[1].secrets.token: không có bí mật tên này; thêm"
        " `token: TÊN_BIẾN_MÔI_TRƯỜNG` dưới secrets"
        " / no secret of that name; add `token: ENV_VAR_NAME` under secrets"
    )


def test_an_unset_mail_password_variable_is_reported_with_the_channels_secrets(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOA_ZALO_APP_SECRET", "zalo-value")
    monkeypatch.delenv("LOA_SMTP_PASSWORD", raising=False)
    mail = """\
notifications:
  smtp:
    host: smtp.thuathienhue.gov.vn
    username: loa
    password: LOA_SMTP_PASSWORD
    sender: loa@thuathienhue.gov.vn
"""
    config = load_text(BASE + mail)
    assert config.missing_secrets() == [
        "config.yaml:32: notifications.smtp.password: chưa đặt biến môi trường LOA_SMTP_PASSWORD"
        " / environment variable LOA_SMTP_PASSWORD is not set"
    ]
    assert config.missing_secrets(["zalo-asean-hue"]) == []  # a channel's own secrets only
    monkeypatch.setenv("LOA_SMTP_PASSWORD", "")  # empty counts as not set
    assert len(config.missing_secrets()) == 1
    monkeypatch.setenv("LOA_SMTP_PASSWORD", "mail-value")
    assert config.missing_secrets() == []
    # No password named (a server that takes mail without one): nothing to report.
    without = load_text(BASE + mail.replace("    password: LOA_SMTP_PASSWORD\n", ""))
    assert without.missing_secrets() == []


# --- paths, lookups, slots ----------------------------------------------------------------------


def test_relative_paths_are_taken_from_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "config.yaml").write_text(BASE, encoding="utf-8")
    monkeypatch.chdir("/")
    config = load_config(tmp_path / "etc" / "config.yaml", channel_types=BUILTIN)
    assert config.database_url == f"sqlite:///{tmp_path}/etc/data/loa.db"
    assert config.media_path == tmp_path / "etc" / "data" / "media"
    for url in ("sqlite:////srv/loa.db", "sqlite:///:memory:", "postgresql+psycopg://u@h/loa"):
        other = LoaConfig.from_data({"database": url}, base_dir=tmp_path, channel_types=BUILTIN)
        assert other.database_url == url
    wal = LoaConfig.from_data({"database": "sqlite:///x.db?timeout=5"}, base_dir=tmp_path)
    assert wal.database_url == f"sqlite:///{tmp_path}/x.db?timeout=5"


def test_defaults_lookups_and_frozen(in_tmp: Path) -> None:
    config = LoaConfig.from_data({}, base_dir=in_tmp)
    assert config.timezone == "Asia/Ho_Chi_Minh"
    assert config.worker.lease_seconds == 300
    assert config.worker.dispatch_interval_seconds == 1.0
    assert config.worker.default_grace_minutes == 60
    with pytest.raises(ValidationError):
        config.timezone = "UTC"  # type: ignore[misc]
    with pytest.raises(KeyError, match="no channel 'x'"):
        config.channel("x")
    with pytest.raises(KeyError, match="no department 'X'"):
        config.department("X")


def test_from_data_reports_without_lines(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        LoaConfig.from_data({"worker": {"treads": 2}}, base_dir=tmp_path)
    assert str(info.value) == (
        "<config>: worker.treads: khóa không có; có phải là 'threads'? / unknown key; did you"
        " mean 'threads'?"
    )


def test_find_config_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_CONFIG", "/etc/loa/config.yaml")
    assert find_config_path("my.yaml") == Path("my.yaml")
    assert find_config_path(None) == Path("/etc/loa/config.yaml")
    monkeypatch.delenv("LOA_CONFIG")
    assert find_config_path(None) == Path("config.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon-fri 08:00", ({0, 1, 2, 3, 4}, 8, 0)),
        ("sat 09:00", ({5}, 9, 0)),
        ("daily 12:00", (set(range(7)), 12, 0)),
        ("mon,wed,fri 10:30", ({0, 2, 4}, 10, 30)),
        ("tue,thu 17:00", ({1, 3}, 17, 0)),
        ("fri-sun 18:00", ({4, 5, 6}, 18, 0)),
        ("sat-mon 7:05", ({5, 6, 0}, 7, 5)),
        ("Mon,Sat-Sun  23:59", ({0, 5, 6}, 23, 59)),
    ],
)
def test_parse_slot(text: str, expected: tuple[set[int], int, int]) -> None:
    assert parse_slot(text) == Slot(frozenset(expected[0]), time(expected[1], expected[2]))


@pytest.mark.parametrize(
    "text",
    ["", "mon", "08:00", "mon 24:00", "mon 8:60", "mon 8", "monday 08:00", "mon-funday 08:00",
     "mon,,tue 08:00", "mon 08:00 extra", "thu2 08:00", "mon 08:00am"],
)  # fmt: skip
def test_parse_slot_refuses(text: str) -> None:
    with pytest.raises(ValueError, match='write a slot as "mon-fri 08:00"'):
        parse_slot(text)


def test_vietnamese_text_round_trips_exactly(in_tmp: Path) -> None:
    name = "Trung tâm Văn hóa - Thông tin và Thể thao huyện Phong Điền"
    text = edit('name_vi: "Sở Du lịch"', f'name_vi: "{name}"')
    config = load_text(text)
    assert config.department("SDL").name_vi == name
    assert config.users[0].full_name == "Nguyễn Thị Bích Liên"
    assert config.channels[0].name == "Zalo OA Thông tin đối ngoại Thừa Thiên Huế"
    assert config.model_dump()["departments"][1]["name_vi"].encode() == name.encode()


# --- the database URL and blackouts -------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "notadb://x/y",
        "postgresql+nope://loa@db/loa",
        "mysql://loa:mật-khẩu@db/loa",
        "sqlite//data/loa.db",
    ],
)
def test_a_database_url_loa_cannot_open_is_refused_without_echoing_it(
    in_tmp: Path, url: str
) -> None:
    found = problems(f"database: {url!r}\n" + BASE)
    assert len(found) == 1 and found[0].startswith("config.yaml:1: database: ")
    assert "SQLite hoặc PostgreSQL" in found[0] and "sqlite:///data/loa.db" in found[0]
    assert url not in found[0] and "mật-khẩu" not in found[0]


@pytest.mark.parametrize(
    "url", ["sqlite:///data/loa.db", "postgresql+psycopg://loa@127.0.0.1/loa", "sqlite://"]
)
def test_the_database_urls_loa_uses_pass(in_tmp: Path, url: str) -> None:
    assert load_text(f"database: {url!r}\n" + BASE).database == url


def test_a_blackout_that_ends_before_it_starts_is_refused(in_tmp: Path) -> None:
    text = BASE + (
        "worker:\n  blackouts:\n"
        '    - {start: "2026-12-31 22:00", end: "2027-01-01 06:00", reason: "Giao thừa"}\n'
        '    - {start: "2026-09-02 08:00", end: "2026-09-01 08:00", reason: "Quốc khánh"}\n'
        '    - {start: "2026-07-27 08:00", end: "2026-07-27 08:00"}\n'
    )
    found = problems(text)
    assert [line.split(": ")[1] for line in found] == [
        "worker.blackouts[1]",
        "worker.blackouts[2]",
    ]
    assert "(2026-09-01 08:00) before or when it starts (2026-09-02 08:00)" in found[0]
    assert found[0].split(": ", 2)[2].startswith("khoảng ngừng đăng kết thúc")


def test_the_disk_limits_of_the_media_store_come_from_the_config(in_tmp: Path) -> None:
    from loa.app import open_app

    assert load_text(BASE).media_min_free_bytes == 1024**3
    found = problems("media_max_total_bytes: -1\n" + BASE)
    assert found[0].startswith("config.yaml:1: media_max_total_bytes:")
    config = Path("config.yaml")
    config.write_text(
        "media_max_total_bytes: 1000\nmedia_min_free_bytes: 5\n" + BASE, encoding="utf-8"
    )
    app = open_app(config, migrate=True)
    try:
        assert (app.media.limits.max_total_bytes, app.media.limits.min_free_bytes) == (1000, 5)
    finally:
        app.close()
