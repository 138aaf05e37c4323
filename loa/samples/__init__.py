"""The demo's sample content: four weeks of ASEAN posts of Thừa Thiên Huế, with generated media.

`asean_posts.yaml` holds the posts in Loa's import record format, except that times are relative
(`day`, `time`) so the demo calendar is always current, and media are described (`infographic`,
`video`) rather than shipped, so the package stays small and free of binary files.

    records = build_import_records(date.today(), Path("data/sample-media"))
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from loa.samples.media import generate_infographic, generate_video

__all__ = ["SAMPLES_FILE", "build_import_records", "load_sample_specs", "slugify"]

SAMPLES_FILE = "asean_posts.yaml"
DAYS = 28
# Keys that exist only in the sample format and are replaced by `at` and `media`.
_SAMPLE_ONLY = ("day", "time", "infographic", "video")


def load_sample_specs() -> list[dict[str, Any]]:
    """The sample posts as written in the YAML file (with `day`, `time`, `infographic`, `video`)."""
    text = resources.files(__package__).joinpath(SAMPLES_FILE).read_text(encoding="utf-8")
    specs = yaml.safe_load(text)
    if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
        raise ValueError(f"{SAMPLES_FILE} must be a list of mappings")
    # NFC everywhere: a decomposed "ệ" compares unequal to the precomposed one, in search and
    # de-duplication alike, and some platforms count it as two or three characters in limits.
    return [_nfc(spec) for spec in specs]


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    return value


def slugify(text: str, max_length: int = 60) -> str:
    """ASCII slug of a Vietnamese title: "Lễ thượng cờ ASEAN" -> "le-thuong-co-asean"."""
    # "đ" is a letter of its own, not "d" plus a mark, so NFKD would keep it: map it first.
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        # Cut at a hyphen, so the name does not end in half a word.
        slug = slug[: max_length + 1].rsplit("-", 1)[0]
    return slug or "post"


def _local_at(start: date, spec: Mapping[str, Any]) -> str:
    day = spec.get("day")
    if not isinstance(day, int) or not 0 <= day < DAYS:
        raise ValueError(f"{spec.get('title')!r}: day must be an integer 0..{DAYS - 1}")
    try:
        clock = time.fromisoformat(str(spec.get("time")))
    except ValueError as exc:
        raise ValueError(f"{spec.get('title')!r}: time must be HH:MM") from exc
    # A naive local time on purpose: the import record's `at` is in the configured zone.
    when = datetime.combine(start + timedelta(days=day), clock)
    return when.strftime("%Y-%m-%d %H:%M")


def _fingerprint(spec: Mapping[str, Any]) -> str:
    # In the file name, so an edited spec gets a new file while "skip if it exists" stays safe.
    canonical = json.dumps(spec, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:8]


def _infographics(spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = spec.get("infographic")
    if raw is None:
        return []
    return list(raw) if isinstance(raw, list) else [raw]


def _media(spec: Mapping[str, Any], media_dir: Path) -> list[dict[str, str]]:
    slug = slugify(str(spec["title"]))
    media: list[dict[str, str]] = []
    for index, info in enumerate(_infographics(spec), start=1):
        suffix = f"-{index}" if index > 1 else ""
        path = media_dir / f"{slug}{suffix}-{_fingerprint(info)}.png"
        if not path.exists():
            generate_infographic(info, path)
        alt = str(info.get("alt") or info.get("headline") or "")
        media.append({"path": str(path), "alt": alt.strip()})
    video = spec.get("video")
    if video is not None:
        path = media_dir / f"{slug}-{_fingerprint(video)}.mp4"
        if not path.exists():
            generate_video(video, path)
        media.append({"path": str(path), "alt": str(video.get("alt") or video["headline"])})
    return media


def to_import_record(spec: Mapping[str, Any], start: date, media_dir: Path) -> dict[str, Any]:
    """One sample spec as a Loa import record: `at` and `media` instead of the sample-only keys."""
    record = {k: v for k, v in spec.items() if k not in _SAMPLE_ONLY}
    record["at"] = _local_at(start, spec)
    media = _media(spec, media_dir)
    if media:
        record["media"] = media
    return record


def build_import_records(
    start: date, media_dir: Path, specs: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The sample posts as import records, scheduled from `start`, media generated into `media_dir`.

    Media files already in `media_dir` are reused, so running the demo twice is fast and the
    content-addressed media store sees the same bytes again (no duplicates).
    """
    specs = load_sample_specs() if specs is None else specs
    media_dir.mkdir(parents=True, exist_ok=True)
    return [to_import_record(spec, start, media_dir) for spec in specs]
