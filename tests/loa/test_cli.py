"""The `loa` command line end to end: `loa.cli.main(argv)` on a real workspace in tmp_path.

The workspace is the repository's own config.yaml copied into tmp_path: its relative
`sqlite:///data/loa.db` and `data/media` land beside the copy. Every command runs through
`main`, which returns the exit status, so what is checked is what a person sees.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer.main
from PIL import Image

from content.timeutil import zone
from loa.cli import app, main
from loa.views import WEEKDAYS

ROOT = Path(__file__).resolve().parents[2]
TZ = zone("Asia/Ho_Chi_Minh")
SECRET_VARS = (
    "LOA_ZALO_APP_SECRET",
    "LOA_YOUTUBE_CLIENT_SECRET",
    "LOA_WP_APP_PASSWORD",
    "LOA_FB_APP_SECRET",
)
BOX = re.compile(r"[│╭╮╰╯─]")


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


Run = Callable[..., Result]
"""Runs `loa.cli.main` with these arguments and returns what a person would see."""


def flat(text: str) -> str:
    """Help text without rich's boxes and line wrapping."""
    return " ".join(BOX.sub(" ", text).split())


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("LOA_CONFIG", "LOA_USER", "LOA_LANG", "LOA_SECRET_KEY", *SECRET_VARS):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def call(capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        result = Result(code, captured.out, captured.err)
        assert "Traceback" not in result.out + result.err, result
        return result

    return run


@pytest.fixture
def cfg(tmp_path: Path, call: Run) -> Path:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    path = workspace / "config.yaml"
    shutil.copy(ROOT / "config.yaml", path)
    result = call("--config", str(path), "db", "upgrade")
    assert result.code == 0, result
    assert "CSDL ở phiên bản" in result.out
    assert (workspace / "data" / "loa.db").is_file()
    return path


@pytest.fixture
def loa(cfg: Path, call: Run) -> Run:
    """Run a command in the workspace: loa("--as", "bientap", "post", "list")."""

    def run(*args: str) -> Result:
        return call("--config", str(cfg), *args)

    return run


def png(path: Path, color: tuple[int, int, int] = (120, 20, 90)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (400, 300), color).save(path, "PNG")
    return path


def future_day(days: int) -> date:
    return (datetime.now(TZ) + timedelta(days=days)).date()


def one_error_line(result: Result, code: int = 1) -> str:
    assert result.code == code, result
    assert len(result.err_lines) == 1, result
    return result.err_lines[0]


# --- help ----------------------------------------------------------------------------------


def test_top_level_help_is_in_vietnamese_and_english(call: Run) -> None:
    result = call("--help")
    assert result.code == 0
    text = flat(result.out)
    assert "Loa — lịch đăng bài đa kênh cho truyền thông ASEAN của tỉnh." in text
    assert "a multi-channel publishing scheduler" in text
    for name in ("init", "demo", "import", "export", "calendar", "db", "channels", "config"):
        assert f" {name} " in text
    assert " post " in text and " media " in text


def test_no_arguments_shows_the_help(call: Run) -> None:
    result = call()
    assert result.code in (0, 2)
    assert "Usage: loa" in flat(result.out + result.err)


def every_command() -> list[tuple[tuple[str, ...], str]]:
    found: list[tuple[tuple[str, ...], str]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        if path:
            found.append((path, command.help or ""))
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return found


COMMANDS = every_command()


def test_the_command_tree_is_complete() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert names >= {
        "init", "demo", "import", "export", "calendar", "db", "db upgrade", "channels",
        "channels list", "config", "config check", "post", "post add", "post edit", "post show",
        "post list", "post submit", "post approve", "post reject", "post cancel",
        "post reschedule", "media", "media add",
    }  # fmt: skip


@pytest.mark.parametrize(("path", "doc"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_subcommand_help_is_in_vietnamese_and_english(
    path: tuple[str, ...],
    doc: str,
    call: Run,
) -> None:
    result = call(*path, "--help")
    assert result.code == 0, result
    text = flat(result.out)
    assert f"Usage: loa {' '.join(path)}" in text
    summary = " ".join(doc.split("\n\n", 1)[0].split())
    vi, sep, en = summary.partition(" / ")
    assert sep, f"{path}: the help is not 'Vietnamese / English': {summary!r}"
    assert any(ord(char) > 127 for char in vi), vi  # Vietnamese has its marks
    assert en.isascii() and en.strip(), en
    assert vi in text and en in text


def test_an_unknown_command_and_a_bad_lang_are_usage_errors(call: Run) -> None:
    unknown = call("dang-bai")
    assert unknown.code == 2
    assert "dang-bai" in unknown.err
    bad_lang = call("--lang", "fr", "channels", "list")
    assert bad_lang.code == 2
    assert "vi or en" in flat(bad_lang.err)


# --- init ----------------------------------------------------------------------------------


def test_init_writes_a_config_a_database_and_a_private_key_and_never_overwrites(
    tmp_path: Path,
    call: Run,
) -> None:
    target = tmp_path / "moi" / "config.yaml"
    result = call("init", str(target))
    assert result.code == 0, result
    assert f"Đã tạo {target}" in result.out
    assert target.read_text(encoding="utf-8") == (ROOT / "loa/templates/config.yaml").read_text(
        encoding="utf-8"
    )
    assert (tmp_path / "moi" / "data" / "loa.db").is_file()
    key = tmp_path / "moi" / "data" / "loa.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_bytes().strip()) == 44  # a Fernet key
    # The new workspace is ready: its channels are in the database.
    listed = call("--config", str(target), "channels", "list")
    assert listed.code == 0 and "web-asean" in listed.out

    key_before, config_before = key.read_bytes(), target.read_bytes()
    again = call("init", str(target))
    line = one_error_line(again)
    assert line.startswith("Lỗi: ") and "already exists" in line
    assert target.read_bytes() == config_before
    assert key.read_bytes() == key_before


# --- posts through their whole life -----------------------------------------------------------


def test_a_post_from_draft_to_approval_review_rejection_and_cancellation(
    tmp_path: Path,
    loa: Run,
) -> None:
    day = future_day(10)
    image = png(tmp_path / "anh" / "le-hoi.png")
    added = loa(
        "--as", "cbtt.stttt", "post", "add",
        "--title", "Lễ hội Huế 2026 chào đón bạn bè ASEAN",
        "--body", "Tối nay tại Đại Nội Huế, nghệ sĩ mười nước ASEAN cùng biểu diễn.",
        "--topic", "i", "--pillar", "ASCC",
        "--channel", "web-asean", "--channel", "zalo-asean-hue",
        "--at", f"{day} 09:00",
        "--hashtag", "ASEAN", "--hashtag", "#Huế",
        "--media", str(image), "--alt", "Sân khấu Lễ hội Huế về đêm",
        "--override", "web-asean.title=Đêm hội ASEAN ở Đại Nội",
    )  # fmt: skip
    assert added.code == 0, added
    assert added.out.strip() == "Đã lưu bài #1 (nháp)."

    shown = loa("post", "show", "1")
    assert shown.code == 0
    assert "#1  Lễ hội Huế 2026 chào đón bạn bè ASEAN" in shown.out
    assert "Trạng thái: Nháp  (v1)" in shown.out
    assert f"Giờ đăng: {day} 09:00" in shown.out
    assert "Người viết: cbtt.stttt" in shown.out
    assert "Hashtag: #ASEAN #Huế" in shown.out
    # The file by the name it was given, its kind in words; no bare department or topic code.
    assert f"ảnh {image.name} (image/png 400×300)" in shown.out
    assert "Sân khấu Lễ hội Huế về đêm" in shown.out
    assert re.search(r"Đơn vị: \S.* \(STTTT\)", shown.out)
    assert "title = Đêm hội ASEAN ở Đại Nội" in shown.out
    # Each channel by the name people know (config.yaml's, with its platform), then its id.
    assert re.search(
        r"^  Trang web · Trang thông tin ASEAN tỉnh Thừa Thiên Huế \(web-asean\)\s+chưa duyệt ",
        shown.out,
        re.M,
    )
    assert re.search(
        r"^  Zalo OA Thông tin đối ngoại Thừa Thiên Huế \(zalo-asean-hue\)\s+chưa duyệt ",
        shown.out,
        re.M,
    )
    assert "post.created" in shown.out

    listed = loa("post", "list")
    assert listed.code == 0
    # Names people know, each with the code or id `--department` and `--channel` take.
    assert re.search(
        rf"^\s+1\s+{day} 09:00\s+Nháp\s+Sở Thông tin và Truyền thông \(STTTT\)$",
        listed.out,
        re.M,
    )
    assert "Lễ hội Huế 2026 chào đón bạn bè ASEAN" in listed.out
    assert re.search(
        r"^\s+→ Trang web · Trang thông tin ASEAN tỉnh Thừa Thiên Huế \(web-asean\)\n"
        r"\s+→ Zalo OA Thông tin đối ngoại Thừa Thiên Huế \(zalo-asean-hue\)$",
        listed.out,
        re.M,
    )
    in_english = loa("--lang", "en", "post", "list").out
    assert in_english.startswith("  ID  Time")
    assert "Department of Information and Communications (STTTT)" in in_english
    assert "→ Website · Trang thông tin ASEAN tỉnh Thừa Thiên Huế (web-asean)" in in_english

    submitted = loa("--as", "cbtt.stttt", "post", "submit", "1")
    assert (submitted.code, submitted.out.strip()) == (0, "Bài #1: Chờ duyệt.")

    approved = loa("--as", "bientap", "post", "approve", "1", "--comment", "Tốt")
    assert (approved.code, approved.out.strip()) == (0, "Bài #1: Đã duyệt.")
    in_english = loa("--lang", "en", "post", "show", "1").out
    assert "State: Approved  (v3)" in in_english
    assert re.search(r"Website · Trang thông tin ASEAN .* \(web-asean\)\s+scheduled", in_english)

    edited = loa("--as", "cbtt.stttt", "post", "edit", "1", "--title", "Lễ hội Huế 2026: đêm ASEAN")
    assert (edited.code, edited.out.strip()) == (0, "Bài #1: Chờ duyệt.")
    assert re.search(r"\(web-asean\)\s+chưa duyệt", loa("post", "show", "1").out)

    rejected = loa("--as", "bientap", "post", "reject", "1", "--comment", "Thêm nguồn ảnh")
    assert (rejected.code, rejected.out.strip()) == (0, "Bài #1: Bị trả lại.")
    assert "Góp ý duyệt: Thêm nguồn ảnh" in loa("post", "show", "1").out

    later = future_day(12)
    moved = loa("--as", "cbtt.stttt", "post", "reschedule", "1", "--at", f"{later} 19:30")
    assert moved.code == 0, moved
    # Changing a rejected post (its time included) sends it back to draft, like any edit.
    assert moved.out.splitlines() == [f"Bài #1: {later} 19:30.", "Bài #1: Nháp."]

    cancelled = loa("--as", "cbtt.stttt", "post", "cancel", "1", "--reason", "Trùng lịch")
    assert (cancelled.code, cancelled.out.strip()) == (0, "Bài #1: Đã hủy.")
    history = loa("post", "show", "1").out
    for action in ("post.submitted", "post.approved", "post.edited", "post.rejected"):
        assert action in history
    assert "post.rescheduled" in history and "reason: Trùng lịch" in history
    assert re.search(r"\(web-asean\)\s+đã hủy", history)


def test_reschedule_to_the_next_free_slot(loa: Run) -> None:
    added = loa(
        "--as", "cbtt.stttt", "post", "add", "--title", "Tin ngắn", "--body", "Nội dung",
        "--topic", "a", "--channel", "web-asean", "--at", f"{future_day(20)} 10:15",
    )  # fmt: skip
    assert added.code == 0, added
    moved = loa("--as", "cbtt.stttt", "post", "reschedule", "1", "--next-slot")
    assert moved.code == 0, moved
    first = moved.out.splitlines()[0]
    match = re.fullmatch(r"Bài #1: (\d{4}-\d\d-\d\d) (\d\d:\d\d)\.", first)
    assert match, first
    when = date.fromisoformat(match[1])
    assert match[2] in ("07:30", "14:00")  # web-asean's slots, mon-fri
    assert when.weekday() < 5
    assert when <= future_day(8)


def test_media_add_stores_a_png(tmp_path: Path, loa: Run, cfg: Path) -> None:
    import hashlib

    image = png(tmp_path / "anh.png", (1, 2, 3))
    result = loa("media", "add", str(image), "--alt", "Ảnh thử")
    assert result.code == 0, result
    sha = hashlib.sha256(image.read_bytes()).hexdigest()
    assert result.out.strip() == f"{sha}  image image/png 400×300 {image.stat().st_size} B"
    stored = cfg.parent / "data" / "media" / sha[:2] / sha[2:4] / f"{sha}.png"
    assert stored.read_bytes() == image.read_bytes()


# --- import and export -------------------------------------------------------------------------


def test_import_a_csv_then_export_it(tmp_path: Path, loa: Run) -> None:
    png(tmp_path / "nhap" / "img" / "bia.png")
    day = future_day(9)
    source = tmp_path / "nhap" / "bai.csv"
    source.write_text(
        "title,body,topic,department,author,channels,at,state,media,media_alt,hashtags\n"
        f"Hội chợ hàng Việt - ASEAN,Nội dung,h,STTTT,bientap,zalo-asean-hue web-asean,"
        f"{day} 08:00,in_review,img/bia.png,Ảnh bìa hội chợ,ASEAN\n"
        f"Tọa đàm thanh niên ASEAN,Nội dung,c,SDL,,fb-dulich-hue,{day} 10:00,"
        "draft,,,\n",
        encoding="utf-8-sig",
    )
    checked = loa("--as", "bientap", "import", str(source), "--dry-run")
    assert checked.code == 0, checked
    assert checked.out.strip() == "Hợp lệ, chưa lưu (Nháp: 1, Chờ duyệt: 1)."
    assert loa("post", "list").out.strip() == "Không có bài nào."

    imported = loa("--as", "bientap", "import", str(source))
    assert imported.code == 0, imported
    assert imported.out.strip() == "Đã nhập 2 bài (Nháp: 1, Chờ duyệt: 1)."
    listed = loa("post", "list").out
    assert "Hội chợ hàng Việt - ASEAN" in listed and "Tọa đàm thanh niên ASEAN" in listed
    assert "Chờ duyệt" in listed and "Nháp" in listed

    output = tmp_path / "xuat.csv"
    exported = loa("export", "-o", str(output))
    assert exported.code == 0
    assert exported.err.strip() == f"Đã ghi {output}"
    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with its mark
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["title"], r["state"], r["author"]) for r in rows] == [
        ("Hội chợ hàng Việt - ASEAN", "in_review", "bientap"),
        ("Tọa đàm thanh niên ASEAN", "draft", "bientap"),
    ]
    assert rows[0]["channels"] == "web-asean zalo-asean-hue"
    assert rows[0]["at"] == f"{day} 08:00" and rows[0]["media_alt"] == "Ảnh bìa hội chợ"
    to_stdout = loa("export")
    assert to_stdout.out.startswith("title,body,link,hashtags,topic")


def test_a_bad_import_lists_every_problem_and_saves_nothing(
    tmp_path: Path,
    loa: Run,
) -> None:
    source = tmp_path / "loi.csv"
    day = future_day(9)
    source.write_text(
        "title,body,topic,department,channels,at\n"
        f"Bài tốt,Nội dung,a,STTTT,web-asean,{day} 08:00\n"
        f"Sai chủ đề,Nội dung,z,STTTT,web-asean,{day} 08:00\n"
        "Sai giờ,Nội dung,a,STTTT,web-asean,sáng mai\n",
        encoding="utf-8",
    )
    result = loa("--as", "bientap", "import", str(source))
    assert result.code == 1
    assert result.err_lines[0] == "Lỗi: loi.csv: nothing imported"
    problems = sorted(result.err_lines[1:])
    assert len(problems) == 2
    assert problems[0].startswith("  - row 3: topic: Chủ đề “z” không có")
    assert problems[1].startswith("  - row 4: at: Giờ không đọc được")
    assert loa("post", "list").out.strip() == "Không có bài nào."
    english = loa("--lang", "en", "--as", "bientap", "import", str(source))
    assert english.err_lines[0] == "Error: loi.csv: nothing imported"
    assert "  - row 3: topic: unknown topic 'z'; choose one of a, b, c, d, e, f, g, h, i" in (
        english.err_lines
    )


def test_import_reads_windows_1258_with_encoding_and_refuses_a_yaml_bomb_in_one_line(
    tmp_path: Path, loa: Run
) -> None:
    title = "Văn hóa Đông Nam Á"  # every letter here exists precomposed in Windows-1258
    source = tmp_path / "cp1258.csv"
    source.write_bytes(
        f"title,body,topic,department,channels\n{title},Văn hóa,a,STTTT,web-asean\n".encode(
            "cp1258"
        )
    )
    wrong = loa("--as", "bientap", "import", str(source), "--encoding", "utf-8")
    assert wrong.code == 1 and "không phải bảng mã utf-8" in wrong.err
    imported = loa("--as", "bientap", "import", str(source), "--encoding", "cp1258")
    assert imported.code == 0, imported
    assert title in loa("post", "list").out
    bomb = tmp_path / "bom.yaml"
    bomb.write_text('a: &a ["lol","lol"]\nb: &b [*a,*a]\nposts: [*b]\n', encoding="utf-8")
    refused = loa("--lang", "en", "--as", "bientap", "import", str(bomb))
    assert refused.code == 1
    assert refused.err_lines[1].startswith(
        "  - line 1: yaml: the YAML file uses anchors or aliases"
    )


# --- the calendar ------------------------------------------------------------------------------


@pytest.fixture
def planned(tmp_path: Path, loa: Run) -> date:
    """Two posts on one day next week: STTTT's approved, SDL's draft."""
    day = future_day(7)
    image = png(tmp_path / "bia.png")
    steps = [
        ("--as", "cbtt.stttt", "post", "add", "--title", "Ngày hội văn hóa ASEAN",
         "--body", "Nội dung", "--topic", "i", "--channel", "web-asean",
         "--channel", "zalo-asean-hue", "--at", f"{day} 09:00",
         "--media", str(image), "--alt", "Ảnh bìa"),
        ("--as", "cbtt.stttt", "post", "submit", "1"),
        ("--as", "bientap", "post", "approve", "1"),
        ("--as", "cbtt.sdl", "post", "add", "--title", "Tour đêm Đại Nội cho du khách ASEAN",
         "--body", "Nội dung", "--topic", "h", "--channel", "fb-dulich-hue",
         "--at", f"{day} 10:00"),
    ]  # fmt: skip
    for step in steps:
        result = loa(*step)
        assert result.code == 0, (step, result)
    return day


def calendar_titles(out: str) -> set[str]:
    return {title for title in ("Ngày hội văn hóa ASEAN", "Tour đêm Đại Nội") if title in out}


def test_calendar_month_shows_the_posts_on_their_day_with_vietnamese_weekdays(
    planned: date,
    loa: Run,
) -> None:
    result = loa("calendar", "--month", f"{planned:%Y-%m}")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0] == f"Lịch đăng bài tháng {planned:%m/%Y} (giờ Việt Nam (GMT+7))"
    heading = f"{WEEKDAYS['vi'][planned.weekday()]}, {planned:%d/%m/%Y}"
    assert heading in lines
    day_lines = lines[lines.index(heading) + 1 : lines.index(heading) + 4]
    # Channels by the name people know (cut to fit the column), not by their ids.
    assert re.search(
        r"09:00\s+Trang web · Trang thông tin ASEAN…\s+#1\s+Ngày hội văn hóa ASEAN"
        r".*\[Đã duyệt · chờ đăng\]",
        day_lines[0],
    )
    assert re.search(r"09:00\s+Zalo OA Thông tin đối ngoại Thừa …\s+#1 ", day_lines[1])
    assert re.search(
        r"10:00\s+Facebook · Du lịch Huế - Visit Hue\s+#2\s+Tour đêm Đại Nội"
        r".*\[Nháp · chưa duyệt\]",
        day_lines[2],
    )
    assert not any(re.search(r"web-asean|zalo-asean-hue|fb-dulich-hue", x) for x in day_lines)
    # After the days, each channel met: its whole name and the id `--channel` takes.
    listed = lines[lines.index("Kênh:") + 1 : lines.index("Kênh:") + 4]
    assert listed == [
        "  Facebook · Du lịch Huế - Visit Hue (fb-dulich-hue)",
        "  Trang web · Trang thông tin ASEAN tỉnh Thừa Thiên Huế (web-asean)",
        "  Zalo OA Thông tin đối ngoại Thừa Thiên Huế (zalo-asean-hue)",
    ]
    # Every day of the month is listed, with its Vietnamese weekday; empty days say so.
    assert "Chủ Nhật, " in result.out and "Thứ Hai, " in result.out
    assert "(không có bài)" in result.out
    assert lines[-1] == "Tổng: 2 bài, 3 lượt đăng."


def test_calendar_week_and_filters(planned: date, loa: Run) -> None:
    week = ("calendar", "--week", planned.isoformat())
    result = loa(*week)
    assert result.code == 0, result
    monday = planned - timedelta(days=planned.weekday())
    assert (
        result.out.splitlines()[0] == f"Lịch đăng bài tuần {monday:%d/%m/%Y} (giờ Việt Nam (GMT+7))"
    )
    days = [line for line in result.out.splitlines() if re.match(r"^(Thứ|Chủ Nhật)", line)]
    assert [d.split(",")[0] for d in days] == list(WEEKDAYS["vi"])
    assert calendar_titles(result.out) == {"Ngày hội văn hóa ASEAN", "Tour đêm Đại Nội"}

    cases = {
        ("--channel", "web-asean"): ({"Ngày hội văn hóa ASEAN"}, "Tổng: 1 bài, 1 lượt đăng."),
        ("--channel", "fb-dulich-hue"): ({"Tour đêm Đại Nội"}, "Tổng: 1 bài, 1 lượt đăng."),
        ("--department", "SDL"): ({"Tour đêm Đại Nội"}, "Tổng: 1 bài, 1 lượt đăng."),
        ("--department", "STTTT"): ({"Ngày hội văn hóa ASEAN"}, "Tổng: 1 bài, 2 lượt đăng."),
        ("--topic", "h"): ({"Tour đêm Đại Nội"}, "Tổng: 1 bài, 1 lượt đăng."),
        ("--state", "approved"): ({"Ngày hội văn hóa ASEAN"}, "Tổng: 1 bài, 2 lượt đăng."),
        ("--state", "draft"): ({"Tour đêm Đại Nội"}, "Tổng: 1 bài, 1 lượt đăng."),
        ("--state", "scheduled"): ({"Ngày hội văn hóa ASEAN"}, "Tổng: 1 bài, 2 lượt đăng."),
        ("--topic", "i", "--topic", "h"): (
            {"Ngày hội văn hóa ASEAN", "Tour đêm Đại Nội"},
            "Tổng: 2 bài, 3 lượt đăng.",
        ),
        ("--channel", "web-asean", "--department", "SDL"): (set(), "Tổng: 0 bài, 0 lượt đăng."),
    }
    for options, (titles, total) in cases.items():
        filtered = loa(*week, *options)
        assert filtered.code == 0, (options, filtered)
        assert calendar_titles(filtered.out) == titles, options
        assert filtered.out.splitlines()[-1] == total, options


def test_calendar_in_english(planned: date, loa: Run) -> None:
    result = loa("--lang", "en", "calendar", "--week", planned.isoformat())
    assert result.code == 0
    monday = planned - timedelta(days=planned.weekday())
    assert result.out.startswith(
        f"Publishing calendar, week of {monday:%d %b %Y} (Vietnam time (GMT+7))"
    )
    assert f"{WEEKDAYS['en'][planned.weekday()]}, {planned:%d/%m/%Y}" in result.out
    assert "[Approved · scheduled]" in result.out and "[Draft · not approved]" in result.out
    assert re.search(r"09:00\s+Website · Trang thông tin ASEAN t…\s+#1 ", result.out)
    assert "\nChannels:\n  Facebook · Du lịch Huế - Visit Hue (fb-dulich-hue)\n" in result.out
    assert "(nothing planned)" in result.out
    assert result.out.splitlines()[-1] == "Total: 2 posts, 3 deliveries."
    assert "Thứ" not in result.out


def test_calendar_refuses_bad_options_in_one_line_each(loa: Run) -> None:
    bad_month = loa("calendar", "--month", "2026-13")
    assert bad_month.code == 1
    assert bad_month.err_lines == ["Lỗi:", "  - month: Tháng “2026-13” không hợp lệ; viết YYYY-MM."]
    bad_state = loa("--lang", "en", "calendar", "--state", "bogus")
    assert bad_state.code == 1 and "unknown state bogus" in bad_state.err
    both = loa("calendar", "--month", "2026-12", "--week", "2026-12-01")
    assert both.code == 1 and "--month" in both.err


# --- channels and config ---------------------------------------------------------------------


def test_channels_list(loa: Run) -> None:
    result = loa("channels", "list")
    assert result.code == 0
    rows = {line.split()[0]: line.split() for line in result.out.splitlines() if line[:1] != " "}
    assert set(rows) == {
        "zalo-asean-hue",
        "fb-asean-hue",
        "fb-dulich-hue",
        "yt-hue-asean",
        "web-asean",
    }
    assert rows["fb-dulich-hue"][1:3] == ["facebook_page", "SDL"]
    line = next(line for line in result.out.splitlines() if line.startswith("web-asean"))
    assert " đang hoạt động " in line and "mon-fri 07:30, mon-fri 14:00" in line
    english = loa("--lang", "en", "channels", "list").out.splitlines()
    assert " active " in next(line for line in english if line.startswith("web-asean"))
    assert "Du lịch Huế - Visit Hue" in result.out


def test_config_check_names_missing_secrets_and_passes_once_they_are_set(
    cfg: Path,
    call: Run,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = call("--config", str(cfg), "config", "check")
    assert missing.code == 1
    assert len(missing.err_lines) == 4  # both Facebook pages name LOA_FB_APP_SECRET
    assert "LOA_WP_APP_PASSWORD" not in missing.err  # optional: `loa channels connect` stores one
    for variable in set(SECRET_VARS) - {"LOA_WP_APP_PASSWORD"}:
        line = next(line for line in missing.err_lines if variable in line)
        assert line.endswith(
            f": chưa đặt biến môi trường {variable} / environment variable {variable} is not set"
        )
        assert line.startswith(f"{cfg}:")  # file and line of the secret in the config
    assert "hợp lệ" not in missing.out

    monkeypatch.setenv("LOA_ZALO_APP_SECRET", "s1")
    monkeypatch.setenv("LOA_YOUTUBE_CLIENT_SECRET", "s2")
    monkeypatch.setenv("LOA_FB_APP_SECRET", "s4")
    passed = call("--config", str(cfg), "config", "check")
    assert passed.code == 0 and passed.err == ""
    assert passed.out.strip() == f"{cfg}: hợp lệ."
    assert "s1" not in passed.out


def test_config_check_names_an_unset_mail_password_variable(
    cfg: Path,
    call: Run,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable in SECRET_VARS:
        monkeypatch.setenv(variable, "set")
    monkeypatch.delenv("LOA_SMTP_PASSWORD", raising=False)
    text = cfg.read_text(encoding="utf-8")
    commented = re.search(r"(?m)^  # smtp:\n(?:  #   .*\n)+", text)
    assert commented is not None, "config.yaml's smtp example moved"
    smtp = commented[0].replace("  # smtp:", "  smtp:").replace("  #   ", "    ")
    cfg.write_text(text.replace(commented[0], smtp), encoding="utf-8")
    line = (
        text[: commented.start()].count("\n")
        + 1
        + smtp.splitlines().index("    password: LOA_SMTP_PASSWORD")
    )

    missing = call("--config", str(cfg), "config", "check")
    assert missing.code == 1 and "hợp lệ" not in missing.out
    assert missing.err_lines == [
        f"{cfg}:{line}: notifications.smtp.password: chưa đặt biến môi trường LOA_SMTP_PASSWORD"
        " / environment variable LOA_SMTP_PASSWORD is not set"
    ]
    monkeypatch.setenv("LOA_SMTP_PASSWORD", "mail-secret")
    passed = call("--config", str(cfg), "config", "check")
    assert passed.code == 0 and passed.err == ""
    assert "mail-secret" not in passed.out


# --- mistakes: one line, exit 1 (usage: exit 2), never a traceback ------------------------------


def test_unknown_post(loa: Run) -> None:
    assert one_error_line(loa("post", "show", "999")) == "Lỗi: Không có bài #999."
    assert one_error_line(loa("--lang", "en", "post", "show", "999")) == "Error: no post #999"


def test_a_post_id_that_is_not_a_number_is_a_usage_error(loa: Run) -> None:
    result = loa("post", "show", "mot")
    assert result.code == 2
    assert "Invalid value for 'post_id'" in flat(result.err)


@pytest.fixture
def draft(loa: Run) -> int:
    result = loa(
        "--as", "cbtt.stttt", "post", "add", "--title", "Bản nháp", "--body", "Nội dung",
        "--topic", "a", "--channel", "web-asean", "--at", f"{future_day(5)} 09:00",
    )  # fmt: skip
    assert result.code == 0, result
    return 1


def test_bad_time_text(loa: Run, draft: int) -> None:
    added = loa(
        "--as", "cbtt.stttt", "post", "add", "--title", "Sai giờ", "--topic", "a",
        "--channel", "web-asean", "--at", "thứ hai tới",
    )  # fmt: skip
    line = one_error_line(added)
    assert line.startswith("Lỗi: Giờ đăng không đọc được") and "YYYY-MM-DD HH:MM" in line
    moved = loa("--as", "cbtt.stttt", "post", "reschedule", str(draft), "--at", "25/12/2026")
    assert one_error_line(moved).startswith("Lỗi: Giờ đăng không đọc được")
    past = loa("--as", "cbtt.stttt", "post", "reschedule", str(draft), "--at", "2020-01-01 08:00")
    assert past.code == 1 and "01/01/2020 08:00 đã qua" in past.err  # the Vietnamese form


def test_missing_as(loa: Run, draft: int) -> None:
    line = one_error_line(loa("post", "submit", str(draft)))
    assert line.startswith("Lỗi: Hãy cho biết bạn là ai: --as")
    english = one_error_line(loa("--lang", "en", "post", "submit", str(draft)))
    assert english.startswith("Error: say who you are: --as USERNAME")


def test_unknown_user(loa: Run, draft: int) -> None:
    line = one_error_line(loa("--as", "ai.do", "post", "submit", str(draft)))
    assert line == "Lỗi: Không có người dùng “ai.do”."


def test_an_officer_cannot_approve(loa: Run, draft: int) -> None:
    assert loa("--as", "cbtt.stttt", "post", "submit", str(draft)).code == 0
    line = one_error_line(loa("--as", "cbtt.sdl", "post", "approve", str(draft)))
    assert line.startswith("Lỗi: Chỉ biên tập viên mới được duyệt bài")
    assert "Chờ duyệt" in loa("post", "show", str(draft)).out


def test_approving_a_draft_is_refused(loa: Run, draft: int) -> None:
    line = one_error_line(loa("--as", "bientap", "post", "approve", str(draft)))
    assert line.startswith(f"Lỗi: Không thể duyệt bài #{draft}")
    assert "người viết cần gửi duyệt trước" in line
    english = one_error_line(loa("--lang", "en", "--as", "bientap", "post", "approve", str(draft)))
    assert "its author must submit it for review first" in english


def test_reject_needs_a_comment(loa: Run, draft: int) -> None:
    result = loa("--as", "bientap", "post", "reject", str(draft))
    assert result.code == 2 and "--comment" in result.err


def test_unknown_channel(loa: Run) -> None:
    result = loa(
        "--as", "cbtt.stttt", "post", "add", "--title", "Kênh lạ", "--body", "Nội dung",
        "--topic", "a", "--channel", "tiktok-hue",
    )  # fmt: skip
    assert result.code == 1
    assert result.err_lines[0] == "Lỗi: post not saved"
    assert result.err_lines[1].startswith("  - channels: Kênh “tiktok-hue” không có; các kênh:")
    assert len(result.err_lines) == 2
    assert loa("post", "list").out.strip() == "Không có bài nào."


def test_an_image_that_is_not_what_its_name_says(tmp_path: Path, loa: Run) -> None:
    fake = tmp_path / "anh-gia.png"
    fake.write_text("không phải ảnh", encoding="utf-8")
    jpeg = tmp_path / "that-ra-la-jpeg.png"
    Image.new("RGB", (300, 300), (9, 9, 9)).save(jpeg, "JPEG")
    added = loa(
        "--as", "cbtt.stttt", "post", "add", "--title", "Ảnh giả", "--topic", "a",
        "--channel", "web-asean", "--media", str(fake), "--alt", "x",
    )  # fmt: skip
    assert one_error_line(added).startswith("Lỗi: anh-gia.png: tên tệp là ảnh PNG")
    stored = loa("media", "add", str(jpeg))
    line = one_error_line(stored)
    assert "that-ra-la-jpeg.png" in line and "JPEG" in line
    assert loa("post", "list").out.strip() == "Không có bài nào."


def test_a_refused_image_is_explained_in_vietnamese(tmp_path: Path, loa: Run) -> None:
    fake = tmp_path / "anh-gia.png"
    fake.write_text("không phải ảnh", encoding="utf-8")
    line = one_error_line(loa("media", "add", str(fake)))
    assert "the name says" not in line and "ảnh" in line.removeprefix("Lỗi: anh-gia.png")
    english = one_error_line(loa("--lang", "en", "media", "add", str(fake)))
    assert english.startswith("Error: anh-gia.png: the name says PNG image")


def test_a_config_file_with_an_error_names_its_line(tmp_path: Path, call: Run) -> None:
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    number = next(i for i, line in enumerate(lines, start=1) if line.startswith("timezone:"))
    lines[number - 1] = "timezon: Asia/Ho_Chi_Minh"
    broken = tmp_path / "hong" / "config.yaml"
    broken.parent.mkdir()
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for command in (("channels", "list"), ("config", "check"), ("db", "upgrade")):
        line = one_error_line(call("--config", str(broken), *command))
        assert line == (
            f"Lỗi: {broken}:{number}: timezon: khóa không có; có phải là 'timezone'? / unknown"
            " key; did you mean 'timezone'?"
        )
    assert not (broken.parent / "data").exists()


def test_a_config_file_with_several_errors_lists_them(tmp_path: Path, call: Run) -> None:
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    text = text.replace("\ntimezone:", "\ntimezon:").replace("\nmedia_dir:", "\nmedia_dri:")
    broken = tmp_path / "config.yaml"
    broken.write_text(text, encoding="utf-8")
    result = call("--config", str(broken), "channels", "list")
    assert result.code == 1
    assert len(result.err_lines) == 3, result.err_lines
    assert result.err_lines[0].startswith("Lỗi:")
    assert all(line.startswith("  - ") for line in result.err_lines[1:])
    assert "timezon" in result.err and "media_dri" in result.err


def test_a_yaml_syntax_error_in_the_config_names_its_line(tmp_path: Path, call: Run) -> None:
    broken = tmp_path / "config.yaml"
    broken.write_text("timezone: Asia/Ho_Chi_Minh\nchannels: [web\n", encoding="utf-8")
    line = one_error_line(call("--config", str(broken), "channels", "list"))
    assert re.match(rf"Lỗi: {re.escape(str(broken))}:\d+: YAML syntax: ", line)


def test_a_missing_config_file(tmp_path: Path, call: Run) -> None:
    line = one_error_line(call("--config", str(tmp_path / "khong-co.yaml"), "post", "list"))
    assert "config file not found" in line and "loa init" in line


def test_a_database_that_is_not_upgraded(tmp_path: Path, call: Run) -> None:
    workspace = tmp_path / "chua-nang-cap"
    workspace.mkdir()
    shutil.copy(ROOT / "config.yaml", workspace / "config.yaml")
    (workspace / "data").mkdir()
    config = str(workspace / "config.yaml")
    line = one_error_line(call("--config", config, "post", "list"))
    assert line.startswith("Lỗi: Cơ sở dữ liệu") and "`loa db upgrade`" in line
    english = one_error_line(call("--lang", "en", "--config", config, "calendar"))
    assert "run `loa db upgrade`" in english
    assert call("--config", config, "db", "upgrade").code == 0
    assert call("--config", config, "post", "list").code == 0


# --- the demo ----------------------------------------------------------------------------------


def test_the_demo_runs_twice_in_its_folder_and_refuses_any_other(
    tmp_path: Path,
    call: Run,
) -> None:
    folder = tmp_path / "demo"
    first = call("demo", "--dir", str(folder), "--calendar-only")
    assert first.code == 0, first
    loaded = re.search(r"Đã nạp (\d+) bài mẫu \((.*)\), duyệt bởi bientap\.", first.out)
    assert loaded, first.out
    count = int(loaded[1])
    assert 25 <= count <= 40
    assert "Đã duyệt: " in loaded[2] and "Chờ duyệt: " in loaded[2]
    total = re.search(r"^Tổng: (\d+) bài, (\d+) lượt đăng\.$", first.out, re.M)
    assert total and 25 <= int(total[1]) <= count and int(total[2]) >= int(total[1])
    assert "Lịch đăng bài từ " in first.out
    assert any(name in first.out for name in WEEKDAYS["vi"])
    assert (folder / ".loa-demo").is_file() and (folder / "config.yaml").is_file()
    # The hints it prints work.
    config = str(folder / "config.yaml")
    in_review = call("--config", config, "--as", "bientap", "post", "list", "--state", "in_review")
    assert in_review.code == 0 and "Chờ duyệt" in in_review.out

    second = call("--lang", "en", "demo", "--dir", str(folder), "--calendar-only")
    assert second.code == 0, second
    assert f"Loaded {count} sample posts" in second.out
    assert re.search(r"^Total: \d+ posts, \d+ deliveries\.$", second.out, re.M)
    listed = call("--config", config, "post", "list", "--limit", "1000")
    assert listed.code == 0
    rows = re.findall(r"^ *\d+  (?:\d{4}-\d\d-\d\d \d\d:\d\d|-) ", listed.out, re.M)
    assert len(rows) == count  # replaced, not added to

    other = tmp_path / "tai-lieu"
    other.mkdir()
    (other / "bao-cao.docx").write_bytes(b"not a demo")
    refused = call("demo", "--dir", str(other))
    line = one_error_line(refused)
    assert line.startswith(f"Lỗi: Thư mục {other} đã có và không phải thư mục chạy thử")
    assert (other / "bao-cao.docx").read_bytes() == b"not a demo"
