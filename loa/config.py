"""Load and check `config.yaml`.

`load_config(path)` returns a frozen `LoaConfig` or raises `ConfigError`, which lists every problem
found, one per line, as `<file>:<line>: <key path>: <message>`. Line numbers come from the composed
YAML node tree; key paths come from pydantic's error locations and from the cross checks below.

Secrets never live in the file: a channel's `secrets:` maps a secret's name to the NAME of an
environment variable, read only when `LoaConfig.secret()` is called.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from content.observances import Observance, day_problem
from content.slots import Slot as SlotRule
from content.slots import parse_slot, spacing_problems
from content.validation_words import OWN_ERRORS, Words, both, phrase
from loa.adapter_needs import need_problems, with_need_settings
from loa.adapter_settings import adapter_setting_problems
from loa.report_config import ProvinceReportSettings, ReportSettings
from loa.static_site_config import static_site_problems, with_static_site_settings
from loa.targets_config import TargetsConfig
from loa.zalo_config import with_zalo_settings, zalo_setting_problems

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
CHANNEL_ENTRY_POINTS = "loa.channels"
# Secrets a channel works without (docs/channels/*.md say "optional"): a WordPress application
# password may come from `loa channels connect` instead of the environment.
OPTIONAL_SECRETS: dict[str, frozenset[str]] = {"wordpress": frozenset({"app_password"})}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line else self.file
        return ": ".join(part for part in (where, self.path, self.message) if part)


class ConfigError(Exception):
    """One or more problems in the configuration; `str()` lists them all, one per line."""

    def __init__(self, problems: Sequence[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("", None, "", problems)]
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


# --- posting slots --------------------------------------------------------------------------

# --- field types ----------------------------------------------------------------------------


def _matching(pattern: str, what: str) -> AfterValidator:
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


def _check_env_name(value: str) -> str:
    # A real variable name is short, upper case, and has an underscore once it gets long; anything
    # else is most likely a pasted token. Never echo it: error messages end up in logs and tickets.
    looks_like_name = re.fullmatch(r"[A-Z_][A-Z0-9_]{0,63}", value) is not None
    if not looks_like_name or (len(value) > 20 and "_" not in value):
        raise ValueError(
            "give the name of an environment variable holding the secret, not the secret itself"
        )
    return value


def _check_url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s]*)?", value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    # Adapters join paths onto the base; one spelling avoids "//" in every request.
    return value.rstrip("/")


def _check_database_url(value: str) -> str:
    # Never echo the value: a PostgreSQL URL may carry its password.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        url = make_url(value)
        backend = url.get_backend_name()
        if backend in ("sqlite", "postgresql"):
            url.get_dialect()  # an unknown driver ("postgresql+nope") fails here, not at first use
    except (ArgumentError, NoSuchModuleError, ValueError):
        backend = ""
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(
            f"Loa dùng SQLite hoặc PostgreSQL, ví dụ sqlite:///data/loa.db hoặc"
            f" postgresql+psycopg://user@host/loa / not {_DB_URL}"
        )
    return value


def _check_slot(value: str) -> str:
    parse_slot(value)
    return value


Text = Annotated[str, Field(min_length=1, max_length=200)]
Url = Annotated[str, AfterValidator(_check_url)]
DeptCode = Annotated[
    str, Field(max_length=32), _matching(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)*", "a code like STTTT")
]
Slot = Annotated[str, AfterValidator(_check_slot)]
SecretName = Annotated[str, _matching(r"[a-z][a-z0-9_]*", "a secret name like app_secret")]
EnvName = Annotated[str, AfterValidator(_check_env_name)]


_DB_URL = "a database URL like sqlite:///data/loa.db or postgresql+psycopg://user@host/loa"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Department(_Model):
    code: DeptCode
    name_vi: Text
    name_en: Text
    report: ReportSettings | None = None  # its report's signer and recipients (report_config)


class Topic(_Model):
    code: Annotated[str, _matching(r"[a-z]", "a single lowercase letter (the plan's are a-i)")]
    vi: Text
    en: Text


class Pillar(_Model):
    code: Literal["APSC", "AEC", "ASCC"]
    vi: Text
    en: Text


class ObservanceConfig(_Model):
    """A day that comes back every year (ASEAN Day, 8 August), shown on the calendar."""

    name_vi: Text
    name_en: Text
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    year: int | None = Field(default=None, ge=1900, le=2100)  # first year, for anniversaries
    remind_days_before: int = Field(default=14, ge=0, le=180)
    topic: str | None = None

    @field_validator("day")
    @classmethod
    def _fixed_day(cls, value: int, info: ValidationInfo) -> int:
        month = info.data.get("month")
        problem = day_problem(month, value) if isinstance(month, int) else None
        if problem is not None:
            raise ValueError(problem)
        return value

    def rule(self) -> Observance:
        return Observance(
            name_vi=self.name_vi,
            name_en=self.name_en,
            month=self.month,
            day=self.day,
            remind_days_before=self.remind_days_before,
            topic=self.topic,
            year=self.year,
        )


class UserConfig(_Model):
    username: Annotated[
        str, Field(max_length=64), _matching(r"[a-z0-9][a-z0-9._-]*", "a lowercase user name")
    ]
    full_name: Text
    role: Literal["officer", "editor", "admin"]
    department: str


class ChannelConfig(_Model):
    id: Annotated[
        str,
        Field(max_length=64),
        _matching(r"[a-z0-9]+(-[a-z0-9]+)*", "an id of lowercase letters, digits and dashes"),
    ]
    type: str
    department: str
    name: str = Field(default="", max_length=200)
    api_base: Url
    # The channel's other `*_base` keys (oauth_base, video_base...), gathered by _gather_bases.
    extra_bases: dict[str, Url] = Field(default_factory=dict)
    secrets: dict[SecretName, EnvName] = Field(default_factory=dict)
    slots: tuple[Slot, ...] = ()
    settings: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _gather_bases(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        bases = {k: v for k, v in data.items() if _is_extra_base(k)}
        rest = {k: v for k, v in data.items() if not _is_extra_base(k)}
        return {**rest, "extra_bases": bases}

    @property
    def bases(self) -> dict[str, str]:
        """All base URLs by key: `api_base` and any other `*_base` key."""
        return {"api_base": self.api_base, **self.extra_bases}

    @property
    def slot_rules(self) -> tuple[SlotRule, ...]:
        return tuple(parse_slot(s) for s in self.slots)


def _is_extra_base(key: object) -> bool:
    return isinstance(key, str) and key != "api_base" and key.endswith("_base")


class BlackoutConfig(_Model):
    """A window without publishing, in local time ("2026-12-31 22:00")."""

    start: str
    end: str
    reason: str = ""

    @field_validator("start", "end")
    @classmethod
    def _local_time(cls, value: str) -> str:
        from datetime import datetime

        try:
            datetime.strptime(value, "%Y-%m-%d %H:%M")  # noqa: DTZ007 - local, zone added later
        except ValueError:
            raise ValueError("write a local time as YYYY-MM-DD HH:MM") from None
        return value

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> BlackoutConfig:
        # Both are local times of one zone and this fixed format: text order is time order.
        if self.end <= self.start:
            raise ValueError(
                f"khoảng ngừng đăng kết thúc ({self.end}) không sau lúc bắt đầu ({self.start})"
                f" / the blackout ends ({self.end}) before or when it starts ({self.start})"
            )
        return self


class WorkerConfig(_Model):
    threads: int = Field(default=4, ge=1, le=256)
    dispatch_interval_seconds: float = Field(default=1.0, gt=0)
    lease_seconds: int = Field(default=300, ge=10)
    default_grace_minutes: int = Field(default=60, ge=0)
    max_attempts: int = Field(default=8, ge=1)
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_cap_seconds: float = Field(default=3600.0, gt=0)
    shutdown_grace_seconds: float = Field(default=30.0, ge=0)
    # how often a running worker looks whether config.yaml changed (and rereads it if so)
    config_check_seconds: float = Field(default=60.0, gt=0)
    # how often a worker reads the figures (views, reactions...) of published posts that are due
    metrics_interval_seconds: float = Field(default=60.0, gt=0)
    # how often a worker looks for reminders due (monthly digest, report deadline, observances)
    reminders_interval_seconds: float = Field(default=3600.0, gt=0)
    blackouts: tuple[BlackoutConfig, ...] = ()


class AlertsConfig(_Model):
    """Alert destinations as apprise URLs, read from environment variables (they hold secrets)."""

    urls: tuple[EnvName, ...] = ()
    kinds: tuple[Literal["failed", "missed", "needs_auth", "needs_review", "reminder"], ...] = (
        "failed",
        "missed",
        "needs_auth",
        "needs_review",
        "reminder",
    )


class SmtpConfig(_Model):
    """The mail server notifications are sent through (scheduler.notify_mail). The password
    is the name of an environment variable, never the value."""

    host: Annotated[str, Field(min_length=1, max_length=253)]
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str = ""
    password: EnvName | None = None
    sender: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]
    sender_name: str = "Loa"


class NotificationsConfig(_Model):
    """Telling people what happened, in the page and by e-mail (without smtp: the page only)."""

    # a post waiting longer than this for review is told to its reviewers, once
    review_wait_hours: float = Field(default=24.0, gt=0)
    # how often a worker looks for what to tell (published, failed, waiting) and sends e-mail
    interval_seconds: float = Field(default=30.0, gt=0)
    smtp: SmtpConfig | None = None


class LoaConfig(_Model):
    timezone: str = DEFAULT_TIMEZONE
    database: Annotated[str, AfterValidator(_check_database_url)] = "sqlite:///data/loa.db"
    media_dir: str = "data/media"
    # Where people and platforms reach Loa's pages (https://loa.example.gov.vn behind a proxy):
    # calendar feed addresses and OAuth redirect addresses are built from it, never from a
    # request's Host header. The default is what `loa serve` listens on.
    public_url: Url = "http://127.0.0.1:8000"
    # The disk: every stored image and video together, and the space each new file must leave
    # free (the database shares the disk); 50 GiB and 1 GiB unless set.
    media_max_total_bytes: int = Field(default=50 * 1024**3, ge=0)
    media_min_free_bytes: int = Field(default=1024**3, ge=0)
    departments: tuple[Department, ...] = ()
    topics: tuple[Topic, ...] = ()
    pillars: tuple[Pillar, ...] = ()
    observances: tuple[ObservanceConfig, ...] = ()
    users: tuple[UserConfig, ...] = ()
    channels: tuple[ChannelConfig, ...] = ()
    worker: WorkerConfig = WorkerConfig()
    alerts: AlertsConfig = AlertsConfig()
    notifications: NotificationsConfig = NotificationsConfig()
    targets: TargetsConfig = TargetsConfig()
    report: ProvinceReportSettings = ProvinceReportSettings()

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _file: str = PrivateAttr(default="")
    _lines: dict[str, int] = PrivateAttr(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as {DEFAULT_TIMEZONE}"
            ) from None
        return value

    @classmethod
    def from_data(
        cls,
        data: Any,
        *,
        base_dir: Path,
        file: str = "<config>",
        lines: dict[str, int] | None = None,
        channel_types: Iterable[str] | None = None,
    ) -> LoaConfig:
        """Validate parsed YAML (or any mapping); relative paths are taken from `base_dir`."""
        return _validate(data, base_dir=base_dir, file=file, lines=lines or {}, types=channel_types)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def database_url(self) -> str:
        """The database URL, with a relative SQLite path taken from the config file's folder."""
        m = re.fullmatch(r"(sqlite(?:\+\w+)?):///([^?]*)(\?.*)?", self.database)
        if m is None or m[2] in ("", ":memory:") or m[2].startswith("file:"):
            return self.database
        return f"{m[1]}:///{self._base_dir / m[2]}{m[3] or ''}"

    @property
    def media_path(self) -> Path:
        return self._base_dir / Path(self.media_dir).expanduser()

    @property
    def topic_codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.topics)

    @property
    def pillar_codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.pillars)

    @property
    def observance_rules(self) -> tuple[Observance, ...]:
        """The observances as `content.observances` takes them (occurrences, reminders)."""
        return tuple(o.rule() for o in self.observances)

    def channel(self, channel_id: str) -> ChannelConfig:
        for channel in self.channels:
            if channel.id == channel_id:
                return channel
        known = ", ".join(c.id for c in self.channels) or "none"
        raise KeyError(f"no channel {channel_id!r} in the configuration; known: {known}")

    def department(self, code: str) -> Department:
        for department in self.departments:
            if department.code == code:
                return department
        raise KeyError(f"no department {code!r} in the configuration")

    def secret(self, channel_id: str, name: str) -> str:
        """The value of a channel's secret, read from its environment variable now."""
        problem = self._secret_problem(channel_id, name)
        if problem is not None:
            raise ConfigError([problem])
        return os.environ[self.channel(channel_id).secrets[name]]

    def missing_secrets(self, channel_ids: Iterable[str] | None = None) -> list[str]:
        """One line per required secret whose environment variable is unset or empty (`loa config
        check`); an optional one (OPTIONAL_SECRETS) may be left unset. Without `channel_ids`,
        every secret the file names: the channels' and the mail server's password."""
        ids = [c.id for c in self.channels] if channel_ids is None else list(channel_ids)
        problems = [
            self._secret_problem(i, name)
            for i in ids
            for name in self.channel(i).secrets
            if name not in OPTIONAL_SECRETS.get(self.channel(i).type, frozenset())
        ]
        if channel_ids is None:
            problems.append(self._mail_password_problem())
        return [str(p) for p in problems if p is not None]

    def _mail_password_problem(self) -> Problem | None:
        # Unset, the worker sends without the password and says so only in its log; a server
        # that asks for one then refuses every e-mail. Said here, where setting up is checked.
        smtp = self.notifications.smtp
        if smtp is None or smtp.password is None or os.environ.get(smtp.password):
            return None
        message = both(
            (
                f"chưa đặt biến môi trường {smtp.password}",
                f"environment variable {smtp.password} is not set",
            )
        )
        return _locate([("notifications.smtp.password", message)], self._file, self._lines)[0]

    def _secret_problem(self, channel_id: str, name: str) -> Problem | None:
        channel = self.channel(channel_id)
        index = self.channels.index(channel)
        path = f"channels[{index}].secrets.{name}"
        if name not in channel.secrets:
            message = both(
                (
                    f"không có bí mật tên này; thêm `{name}: TÊN_BIẾN_MÔI_TRƯỜNG` dưới secrets",
                    f"no secret of that name; add `{name}: ENV_VAR_NAME` under secrets",
                )
            )
            return _locate([(path, message)], self._file, self._lines)[0]
        variable = channel.secrets[name]
        if os.environ.get(variable):
            return None
        message = both(
            (f"chưa đặt biến môi trường {variable}", f"environment variable {variable} is not set")
        )
        return _locate([(path, message)], self._file, self._lines)[0]


# --- cross checks and error reporting -------------------------------------------------------


def _validate(
    data: Any,
    *,
    base_dir: Path,
    file: str,
    lines: dict[str, int],
    types: Iterable[str] | None,
    located: Sequence[Problem] = (),
) -> LoaConfig:
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}"
        message = f"the file is {what}; expected a mapping of settings (timezone, channels...)"
        raise ConfigError([Problem(file, lines.get(""), "", message)])
    found = _cross_check(data, known_channel_types() if types is None else frozenset(types))
    found += zalo_setting_problems(data)
    found += need_problems(data)
    found += static_site_problems(data, base_dir)
    found += adapter_setting_problems(data)
    config: LoaConfig | None = None
    try:
        completed = with_static_site_settings(with_zalo_settings(data), base_dir)
        config = LoaConfig.model_validate(with_need_settings(completed))
    except ValidationError as exc:
        # Only the located messages leave this block: the ValidationError itself would show
        # input values, and a mistaken secret is one of them.
        found = _from_pydantic(exc) + found
    if config is None or found or located:
        problems = [*located, *_locate(found, file, lines)]
        raise ConfigError(sorted(problems, key=lambda p: p.line or 0))
    config._base_dir = base_dir.resolve()
    config._file = file
    config._lines = lines
    return config


def known_channel_types() -> frozenset[str]:
    """Channel types are whatever adapters are registered, so a new platform needs no edit here."""
    return frozenset(ep.name for ep in entry_points(group=CHANNEL_ENTRY_POINTS))


def _entries(data: dict[str, Any], section: str) -> list[tuple[int, dict[str, Any]]]:
    items = data.get(section)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


_NOT_HERE = "secrets do not belong in the file; name an environment variable under secrets:"


def _cross_check(data: dict[str, Any], channel_types: frozenset[str]) -> list[tuple[str, str]]:
    # Runs on the raw data, not the model, so that these problems are reported together with
    # pydantic's instead of only after every other problem has been fixed.
    found: list[tuple[str, str]] = []
    keys = {"departments": "code", "topics": "code", "pillars": "code", "users": "username",
            "channels": "id"}  # fmt: skip
    for section, key in keys.items():
        seen: dict[object, int] = {}
        for i, item in _entries(data, section):
            value = item.get(key)
            if isinstance(value, str) and value in seen:
                where = f"{section}[{seen[value]}]"
                found.append((f"{section}[{i}].{key}", f"duplicate {key} {value!r} (see {where})"))
            seen.setdefault(value, i)
    codes = sorted({str(d.get("code")) for _, d in _entries(data, "departments")})
    for section in ("users", "channels"):
        for i, item in _entries(data, section):
            dept = item.get("department")
            if isinstance(dept, str) and dept not in codes:
                known = ", ".join(codes) or "none; add them under departments:"
                found.append((f"{section}[{i}].department", f"unknown department {dept!r}; "
                              f"known: {known}"))  # fmt: skip
    topics = sorted({str(t.get("code")) for _, t in _entries(data, "topics")})
    for i, item in _entries(data, "observances"):
        topic = item.get("topic")
        if isinstance(topic, str) and topic not in topics:
            known = ", ".join(topics) or "none; add them under topics:"
            found.append((f"observances[{i}].topic", f"unknown topic {topic!r}; known: {known}"))
    found.extend(_targets_check(data, codes))
    for i, item in _entries(data, "channels"):
        kind = item.get("type")
        if isinstance(kind, str) and kind not in channel_types:
            known = ", ".join(sorted(channel_types)) or "none (is Loa installed? pip install -e .)"
            found.append((f"channels[{i}].type", f"unknown channel type {kind!r}; known: {known}"))
        settings = item.get("settings")
        # Credentials pasted into settings would be stored and shown like any other setting.
        for key in settings if isinstance(settings, dict) else ():
            if re.search(r"secret|passw|(^|_)token$|api_?key", str(key), re.IGNORECASE):
                found.append((f"channels[{i}].settings.{key}", _NOT_HERE))
        for key, vi, en in spacing_problems(settings if isinstance(settings, dict) else {}):
            name = item.get("id")
            found.append(
                (f"channels[{i}].settings.{key}", f"kênh {name}: {vi} / channel {name}: {en}")
            )
    return found


def _targets_check(data: dict[str, Any], codes: list[str]) -> list[tuple[str, str]]:
    """Departments and channels named under `targets:` must exist."""
    targets = data.get("targets")
    if not isinstance(targets, dict):
        return []
    channels = sorted({str(c.get("id")) for _, c in _entries(data, "channels")})
    found: list[tuple[str, str]] = []
    places: list[tuple[str, Any]] = [("targets", targets)]
    years = targets.get("years")
    if isinstance(years, dict):
        places += [(f"targets.years.{y}", v) for y, v in years.items() if isinstance(v, dict)]
    for where, section in places:
        named = section.get("departments")
        for code in named if isinstance(named, dict) else {}:
            if str(code) not in codes:
                found.append((f"{where}.departments.{code}", f"unknown department {code!r}; "
                              f"known: {', '.join(codes) or 'none'}"))  # fmt: skip
        listed = section.get("channels")
        for channel in listed if isinstance(listed, list) else []:
            if str(channel) not in channels:
                found.append((f"{where}.channels", f"unknown channel {channel!r}; "
                              f"known: {', '.join(channels) or 'none'}"))  # fmt: skip
    return found


_SECTION_MODELS: dict[tuple[str, ...], type[BaseModel]] = {
    (): LoaConfig, ("departments",): Department, ("topics",): Topic, ("pillars",): Pillar,
    ("users",): UserConfig, ("channels",): ChannelConfig, ("worker",): WorkerConfig,
    ("observances",): ObservanceConfig, ("targets",): TargetsConfig,
    ("report",): ProvinceReportSettings, ("departments", "report"): ReportSettings,
}  # fmt: skip
_LIST: Words = (
    "phải là một danh sách (các dòng bắt đầu bằng '- ')",
    "should be a list (lines starting with '- ')",
)
_MAPPING: Words = ("phải là một bảng khóa: giá trị", "should be a mapping (key: value)")
# Pydantic's words (content.validation_words) told the way a YAML file's author thinks.
_MESSAGES: dict[str, Words] = {
    "missing": ("thiếu khóa bắt buộc", "required key missing"), "tuple_type": _LIST,
    "list_type": _LIST, "model_type": _MAPPING, "dict_type": _MAPPING,
    "string_type": ("phải là chữ", "should be text"),
    "string_too_short": ("không được để trống", "should not be empty"),
}  # fmt: skip


def _from_pydantic(exc: ValidationError) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    # The context holds only limits and choices (never the input, which may be a secret).
    for error in exc.errors(include_url=False, include_input=False):
        loc = [p for p in error["loc"] if p not in ("[key]", "extra_bases")]
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        if error["type"] == "extra_forbidden":
            words = _unknown_key(loc)
        elif error["type"] in OWN_ERRORS:  # the validators below: their own words, kept
            message = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
            words = (message, message)
        else:
            words = _MESSAGES.get(error["type"]) or phrase(error)
        found.append((path, both(words)))
    return found


def _unknown_key(loc: list[int | str]) -> Words:
    section = tuple(p for p in loc[:-1] if isinstance(p, str))
    model = _SECTION_MODELS.get(section)
    allowed = [k for k in (model.model_fields if model else ()) if k != "extra_bases"]
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    if close:
        return (f"khóa không có; có phải là {close[0]!r}?",
                f"unknown key; did you mean {close[0]!r}?")  # fmt: skip
    if model is ChannelConfig:
        return ("khóa không có; khóa riêng của kênh đặt dưới 'settings:'",
                "unknown key; channel-specific keys go under 'settings:'")  # fmt: skip
    listed = ", ".join(allowed)
    return f"khóa không có; dùng một trong: {listed}", f"unknown key; expected one of: {listed}"


def _locate(found: list[tuple[str, str]], file: str, lines: dict[str, int]) -> list[Problem]:
    problems: list[Problem] = []
    for path, message in dict.fromkeys(found):
        probe = path
        # A missing key has no line of its own: point at the closest enclosing item that does.
        while probe and probe not in lines:
            parent = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", probe)
            probe = "" if parent == probe else parent
        problems.append(Problem(file, lines.get(probe, lines.get("")), path, message))
    return sorted(problems, key=lambda p: p.line or 0)


# --- files ----------------------------------------------------------------------------------


def _line_map(root: yaml.Node, file: str) -> tuple[dict[str, int], list[Problem]]:
    lines: dict[str, int] = {"": root.start_mark.line + 1}
    found: list[Problem] = []

    def walk(node: yaml.Node, path: str, depth: int) -> None:
        if depth > 50:  # an alias that refers to itself
            return
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{path}.{key.value}".lstrip(".")
                if child in lines and key.value != "<<":  # YAML merge keys may repeat
                    message = f"duplicate key (first on line {lines[child]})"
                    found.append(Problem(file, key.start_mark.line + 1, child, message))
                lines.setdefault(child, key.start_mark.line + 1)
                walk(value, child, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[f"{path}[{i}]"] = item.start_mark.line + 1
                walk(item, f"{path}[{i}]", depth + 1)

    walk(root, "", 0)
    return lines, found


def load_config(path: Path, *, channel_types: Iterable[str] | None = None) -> LoaConfig:
    """Read, parse and check a config file; relative paths in it are taken from its folder."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}; create one with `loa init`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(x) for x in (exc.context, exc.problem) if x) or "invalid YAML"
        line = mark.line + 1 if mark else None
        raise ConfigError([Problem(file, line, "", f"YAML syntax: {message}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(file, None, "", f"YAML syntax: {exc}")]) from None
    finally:
        loader.dispose()
    lines, duplicates = _line_map(root, file) if root is not None else ({}, [])
    config = _validate(
        data, base_dir=path.parent, file=file, lines=lines, types=channel_types, located=duplicates
    )
    log.debug("loaded %s: %d channels, %d users", file, len(config.channels), len(config.users))
    return config


def find_config_path(explicit: str | None) -> Path:
    """The config to use: the one asked for, else $LOA_CONFIG, else ./config.yaml."""
    chosen = explicit or os.environ.get("LOA_CONFIG") or "config.yaml"
    return Path(chosen).expanduser()


def write_starter_config(path: Path) -> None:
    """Write the commented starter config (`loa init`); never overwrites an existing file."""
    if path.exists():
        raise ConfigError(f"{path} already exists; not overwriting it (move it away first)")
    template = resources.files("loa").joinpath("templates/config.yaml")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
    log.info("wrote starter config %s", path)
