"""The demo's sample content: the posts read like the plan's, and the generated media are sound."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import av
import pytest
from PIL import Image

from loa import samples
from loa.samples import build_import_records, load_sample_specs, slugify
from loa.samples.media import (
    PALETTES,
    draws_glyphs,
    font_path,
    generate_infographic,
    generate_video,
    load_font,
)

TOPICS = set("abcdefghi")
PILLARS = {"APSC", "AEC", "ASCC"}
# The officer of each department among the seed users of the demo configuration.
AUTHORS = {
    "STTTT": "cbtt.stttt", "SVHTT": "cbtt.svhtt", "SDL": "cbtt.sdl", "SNGV": "cbtt.sngv",
    "SGDDT": "cbtt.sgddt", "STC": "cbtt.stc", "SCT": "cbtt.sct", "UBND-HUE": "cbtt.ubnd",
    "LHHN": "cbtt.lhhn", "LMHTX": "cbtt.lmhtx", "HHDN": "cbtt.hhdn", "BAO-TTH": "cbtt.bao",
    "TTVH-PD": "cbtt.ttvh",
}  # fmt: skip
CHANNELS = {
    "zalo-asean-hue", "fb-asean-hue", "fb-dulich-hue", "yt-hue-asean", "web-asean", "web-tinh",
}  # fmt: skip
STATES = {"draft", "in_review", "approved"}
RECORD_KEYS = {
    "title", "body", "link", "hashtags", "topic", "pillar", "audience", "department", "author",
    "channels", "at", "missed", "grace_minutes", "media", "overrides", "state",
}  # fmt: skip
SAMPLE_KEYS = (RECORD_KEYS - {"at", "media"}) | {"day", "time", "infographic", "video"}
# Letters only Vietnamese uses among the Latin scripts a post here may be written in.
VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")
START = date(2025, 8, 4)  # a Monday, so `day` 5 and 6 are a weekend


@pytest.fixture(scope="module")
def specs() -> list[dict[str, Any]]:
    return load_sample_specs()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], Path]:
    media_dir = tmp_path_factory.mktemp("sample-media")
    return build_import_records(START, media_dir), media_dir


def infographics(spec: dict[str, Any]) -> list[dict[str, Any]]:
    raw = spec.get("infographic")
    return [] if raw is None else raw if isinstance(raw, list) else [raw]


def zalo_title(spec: dict[str, Any]) -> str:
    override = spec.get("overrides", {}).get("zalo-asean-hue", {})
    return str(override.get("title", spec["title"]))


# --- the posts ---------------------------------------------------------------------------------


def test_about_thirty_posts_with_known_keys_only(specs: list[dict[str, Any]]) -> None:
    assert 28 <= len(specs) <= 34
    for spec in specs:
        assert set(spec) <= SAMPLE_KEYS, spec["title"]
        assert {"title", "topic", "department", "channels", "day", "time", "state"} <= set(spec)


def test_every_topic_and_pillar_is_used(specs: list[dict[str, Any]]) -> None:
    assert {s["topic"] for s in specs} == TOPICS
    assert {s["pillar"] for s in specs} == PILLARS


def test_departments_authors_and_channels_are_valid(specs: list[dict[str, Any]]) -> None:
    assert {s["department"] for s in specs} <= set(AUTHORS)
    assert len({s["department"] for s in specs}) >= 10
    for spec in specs:
        assert spec["author"] == AUTHORS[spec["department"]], spec["title"]
        channels = spec["channels"]
        assert 1 <= len(channels) <= 4 and len(set(channels)) == len(channels)
        assert set(channels) <= CHANNELS, spec["title"]
        # The tourism page belongs to the Department of Tourism: nobody else posts there.
        if "fb-dulich-hue" in channels:
            assert spec["department"] == "SDL", spec["title"]
        assert set(spec.get("overrides", {})) <= set(channels), spec["title"]


def test_the_static_subpage_gets_approved_posts_with_pictures(specs: list[dict[str, Any]]) -> None:
    """The demo shows the static ASEAN subpage (web-tinh) with posts, their infographics among
    them, across several topics, and one waiting for review."""
    static = [s for s in specs if "web-tinh" in s["channels"]]
    approved = [s for s in static if s["state"] == "approved"]
    assert len(approved) >= 4 and any("infographic" in s for s in approved)
    assert len({s["topic"] for s in approved}) >= 3
    assert any(s["state"] == "in_review" for s in static)


def test_states_form_a_realistic_mix(specs: list[dict[str, Any]]) -> None:
    states = [s["state"] for s in specs]
    assert set(states) == STATES
    assert states.count("approved") > len(states) / 2
    assert 2 <= states.count("draft") <= 5


def test_schedule_spreads_over_four_weeks_with_weekends(specs: list[dict[str, Any]]) -> None:
    days = [s["day"] for s in specs]
    assert all(isinstance(d, int) and 0 <= d <= 27 for d in days)
    assert {d // 7 for d in days} == {0, 1, 2, 3}
    assert any(d % 7 in (5, 6) for d in days)
    for spec in specs:
        assert re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", spec["time"]), spec["title"]
        if "zalo-asean-hue" in spec["channels"]:
            # Zalo refuses promotional sends between 22:00 and 06:00 (error -234).
            assert "06:00" <= spec["time"] < "22:00", spec["title"]


def test_zalo_titles_fit_the_limit(specs: list[dict[str, Any]]) -> None:
    zalo = [s for s in specs if "zalo-asean-hue" in s["channels"]]
    assert len(zalo) >= 10
    for spec in zalo:
        assert len(zalo_title(spec)) <= 150, spec["title"]
    assert any("title" in s.get("overrides", {}).get("zalo-asean-hue", {}) for s in zalo)


def test_exactly_one_video_and_it_goes_to_youtube(specs: list[dict[str, Any]]) -> None:
    videos = [s for s in specs if "video" in s]
    assert len(videos) == 1
    assert "yt-hue-asean" in videos[0]["channels"]
    assert 3 <= videos[0]["video"]["seconds"] <= 6
    youtube = [s for s in specs if "yt-hue-asean" in s["channels"]]
    assert youtube == videos  # YouTube takes videos only


def test_infographic_specs(specs: list[dict[str, Any]]) -> None:
    with_images = [s for s in specs if "infographic" in s]
    assert 8 <= len(with_images) <= 13
    assert any(len(infographics(s)) == 2 for s in with_images)
    for spec in with_images:
        for info in infographics(spec):
            assert info["headline"] and info.get("palette", "asean-blue") in PALETTES
            assert VIETNAMESE.search(info["alt"]), info["headline"]
            if info.get("chart") == "bar":
                assert all(float(f["value"]) >= 0 for f in info["figures"])


def test_text_is_nfc_vietnamese(specs: list[dict[str, Any]]) -> None:
    raw = resources.files(samples).joinpath(samples.SAMPLES_FILE).read_text(encoding="utf-8")
    # The file itself is NFC, not only what the loader makes of it.
    assert unicodedata.is_normalized("NFC", raw)
    for spec in specs:
        text = f"{spec['title']} {spec.get('body', '')}"
        assert VIETNAMESE.search(text), spec["title"]


def test_bodies_links_and_hashtags(specs: list[dict[str, Any]]) -> None:
    lengths = [len(s["body"]) for s in specs]
    assert 1800 <= max(lengths) <= 2200  # one long feature article
    for spec in specs:
        assert len(re.findall(r"[.!?](\s|$)", spec["body"])) >= 2, spec["title"]
        assert spec["link"].startswith(
            ("https://asean.thuathienhue.gov.vn/", "https://thuathienhue.gov.vn/")
        )
        tags = spec["hashtags"]
        assert tags and all(re.fullmatch(r"[A-Za-z0-9]+", t) for t in tags), spec["title"]
    assert sum("ConnectedASEAN" in s["hashtags"] for s in specs) >= 3


def test_titles_are_unique(specs: list[dict[str, Any]]) -> None:
    slugs = [slugify(s["title"]) for s in specs]
    assert len(set(slugs)) == len(slugs)


def test_slugify() -> None:
    assert slugify("Lễ thượng cờ ASEAN: Đoàn kết!") == "le-thuong-co-asean-doan-ket"
    long = slugify("Từ rừng tràm ven phá Tam Giang đến kệ hàng Singapore câu chuyện", 30)
    assert len(long) <= 30 and not long.endswith("-")
    assert long == "tu-rung-tram-ven-pha-tam-giang"


# --- the media ---------------------------------------------------------------------------------

INFOGRAPHIC = {
    "headline": "Đoàn kết, tự cường: Việt Nam trong ASEAN",
    "subtitle": "Thừa Thiên Huế đồng hành cùng Cộng đồng ASEAN",
    "palette": "heritage",
    "figures": [
        {"label": "năm gia nhập", "value": "1995"},
        {"label": "lần Chủ tịch", "value": "3"},
    ],
}


def test_a_font_with_vietnamese_glyphs_is_found() -> None:
    assert font_path(bold=False) is not None and font_path(bold=True) is not None, (
        "no Vietnamese font: install the PyPI package font-source-sans-pro"
    )
    for bold in (False, True):
        font = load_font(64, bold)
        assert draws_glyphs(font, "Đệừặơư")
        # The check itself must be able to say no: a private-use character has no glyph.
        assert not draws_glyphs(font, "Đ\ue001")


def test_glyphs_differ_from_the_missing_glyph_box() -> None:
    font = load_font(64, bold=True)

    def render(text: str) -> bytes:
        image = Image.new("L", (120, 120))
        from PIL import ImageDraw

        ImageDraw.Draw(image).text((20, 10), text, font=font, fill=255)
        return image.tobytes()

    box = render("\ue000")
    assert render("Đ") != box and render("ệ") != box
    assert render("ệ") != render("e")  # the marks are drawn, not dropped


def test_generate_infographic_is_a_png_of_the_right_size(tmp_path: Path) -> None:
    path = generate_infographic(INFOGRAPHIC, tmp_path / "a" / "info.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (1200, 675)
    other = generate_infographic(INFOGRAPHIC, tmp_path / "small.png", size=(800, 450))
    with Image.open(other) as image:
        assert image.size == (800, 450)


def test_every_palette_and_a_bar_chart_render(tmp_path: Path) -> None:
    bars = [{"label": n, "value": v} for n, v in [("Lào", "7,7"), ("Thái Lan", "72"), ("X", "0")]]
    for name in PALETTES:
        spec = {"headline": f"Bảng màu {name}", "palette": name, "figures": bars, "chart": "bar"}
        with Image.open(generate_infographic(spec, tmp_path / f"{name}.png")) as image:
            assert image.size == (1200, 675)
            # Not a blank card: the drawing has many colours.
            colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
            assert len(colours) > 100


def test_unknown_palette_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="palette"):
        generate_infographic({"headline": "x", "palette": "neon"}, tmp_path / "x.png")


def test_infographic_is_deterministic(tmp_path: Path) -> None:
    a = generate_infographic(INFOGRAPHIC, tmp_path / "a.png").read_bytes()
    b = generate_infographic(INFOGRAPHIC, tmp_path / "b.png").read_bytes()
    assert a == b


def test_generate_video_is_a_short_h264_mp4(tmp_path: Path) -> None:
    spec = {"headline": "Huế - Thành phố Văn hóa ASEAN", "seconds": 3, "palette": "lotus"}
    path = generate_video(spec, tmp_path / "clip.mp4")
    assert path.read_bytes()[4:8] == b"ftyp"
    assert path.stat().st_size < 2_000_000
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.width, stream.height) == (1280, 720)
        assert stream.average_rate == 25
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert container.duration is not None
        assert abs(container.duration / av.time_base - 3) <= 0.2
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == 75
    again = generate_video(spec, tmp_path / "again.mp4")
    assert again.read_bytes() == path.read_bytes()


# --- the import records ------------------------------------------------------------------------


def test_records_are_scheduled_from_the_start_date(
    specs: list[dict[str, Any]], built: tuple[list[dict[str, Any]], Path]
) -> None:
    records, _ = built
    assert len(records) == len(specs)
    for spec, record in zip(specs, records, strict=True):
        when = datetime.strptime(record["at"], "%Y-%m-%d %H:%M")  # noqa: DTZ007 (local time)
        assert (when.date() - START).days == spec["day"]
        assert when.strftime("%H:%M") == spec["time"]
        assert set(record) <= RECORD_KEYS
        assert record["state"] == spec["state"]
    assert records[0]["at"] == "2025-08-04 07:30"


def test_records_carry_generated_media(
    specs: list[dict[str, Any]], built: tuple[list[dict[str, Any]], Path]
) -> None:
    records, media_dir = built
    for spec, record in zip(specs, records, strict=True):
        expected = len(infographics(spec)) + (1 if "video" in spec else 0)
        media = record.get("media", [])
        assert len(media) == expected, spec["title"]
        for item in media:
            path = Path(item["path"])
            assert path.is_file() and path.parent == media_dir
            assert path.name.startswith(slugify(spec["title"]))
            assert item["alt"]
    kinds = sorted(Path(m["path"]).suffix for r in records for m in r.get("media", []))
    assert kinds.count(".mp4") == 1 and kinds.count(".png") >= 10


def test_existing_media_are_not_generated_again(
    built: tuple[list[dict[str, Any]], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    records, media_dir = built

    def refuse(*_args: object, **_kwargs: object) -> Path:
        raise AssertionError("generated again")

    monkeypatch.setattr(samples, "generate_infographic", refuse)
    monkeypatch.setattr(samples, "generate_video", refuse)
    assert build_import_records(START, media_dir) == records
