"""The `loa` command line (Typer).

Heavy modules (SQLAlchemy, Pillow, the adapters) are imported inside the commands, so
`loa --help` answers at once. Every mistake a person can make ends in one clear line and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from loa.cli_state import State, state_of

HELP = (
    "Loa — lịch đăng bài đa kênh cho truyền thông ASEAN của tỉnh.\n\n"
    "Loa — a multi-channel publishing scheduler for the province's ASEAN communication."
)
app = typer.Typer(
    help=HELP, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False
)
db_app = typer.Typer(help="Cơ sở dữ liệu / Database.", no_args_is_help=True)
channels_app = typer.Typer(help="Kênh đăng bài / Channels.", no_args_is_help=True)
config_app = typer.Typer(help="Tệp cấu hình / Configuration file.", no_args_is_help=True)
worker_app = typer.Typer(
    help="Tiến trình đăng bài / The publishing worker.\n\n"
    "Chạy đến khi nhận SIGTERM/SIGINT. Đọc lại config.yaml khi nhận SIGHUP (kill -HUP) hoặc khi"
    " tệp thay đổi (xem mỗi worker.config_check_seconds, mặc định 60 giây); tệp có lỗi bị từ"
    " chối và tiến trình giữ cấu hình cũ; kênh bị gỡ khỏi tệp thì ngừng dùng, bài của kênh chờ"
    " đến khi kênh được thêm lại.\n\n"
    "Runs until SIGTERM/SIGINT. Rereads config.yaml on SIGHUP (kill -HUP) or when the file"
    " changes (looked at every worker.config_check_seconds, 60 by default); a file with errors"
    " is refused and the old configuration kept; a channel removed from the file is retired"
    " and its posts wait until it is added back."
)
app.add_typer(db_app, name="db")
app.add_typer(channels_app, name="channels")
app.add_typer(config_app, name="config")
app.add_typer(worker_app, name="worker")


@app.callback()
def main_options(
    ctx: typer.Context,
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            envvar="LOA_CONFIG",
            help="Tệp cấu hình (mặc định ./config.yaml) / Configuration file.",
        ),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as", envvar="LOA_USER", help="Tên đăng nhập của bạn / Who you are (username)."
        ),
    ] = None,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            envvar="LOA_LANG",
            help="Ngôn ngữ: vi hoặc en / Language: vi or en.",
        ),
    ] = "vi",
) -> None:
    if lang not in ("vi", "en"):
        raise typer.BadParameter("vi hoặc en / vi or en", param_hint="--lang")
    ctx.obj = State(config, as_user, lang)


@app.command("init")
def init_command(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(help="Nơi ghi tệp cấu hình / Where to write the configuration.")
    ] = Path("config.yaml"),
) -> None:
    """Tạo tệp cấu hình mẫu và cơ sở dữ liệu. / Write a starter config and create the database."""
    from loa.adapters import ensure_key
    from loa.config import write_starter_config

    state = state_of(ctx)
    write_starter_config(path)
    state.config_path = str(path)
    loa = state.app(migrate=True)
    key_file = ensure_key(loa)
    typer.echo(state.say(f"Đã tạo {path}", f"Wrote {path}"))
    typer.echo(
        state.say(f"Cơ sở dữ liệu: {loa.config.database}", f"Database: {loa.config.database}")
    )
    if key_file is None:
        typer.echo(
            state.say("Khóa mã hóa: từ LOA_SECRET_KEY", "Encryption key: from LOA_SECRET_KEY")
        )
    else:
        typer.echo(
            state.say(f"Khóa mã hóa: {key_file} (0600)", f"Encryption key: {key_file} (0600)")
        )


@app.command("demo")
def demo_command(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Option("--dir", help="Thư mục chạy thử / Demo workspace folder.")
    ] = Path("loa-demo"),
    calendar_only: Annotated[
        bool,
        typer.Option(
            "--calendar-only",
            help="Chỉ nạp bài mẫu và in lịch bốn tuần, không đăng bài"
            " / Only load the samples and print the four-week calendar.",
        ),
    ] = False,
    keep_running: Annotated[
        bool,
        typer.Option(
            "--keep-running",
            help="Giữ sandbox và worker chạy đến khi nhấn Ctrl+C"
            " / Keep the sandbox and the worker up until Ctrl+C.",
        ),
    ] = False,
) -> None:
    """Chạy thử: đăng các bài ASEAN mẫu lên sandbox và xem tiến trình. / Run the demo."""
    from loa.demo import run_demo

    state = state_of(ctx)
    lines = run_demo(directory, state.lang, calendar_only=calendar_only, keep_running=keep_running)
    for line in lines:
        typer.echo(line)


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="Tệp CSV, XLSX hoặc YAML / A CSV, XLSX or YAML file.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Chỉ kiểm tra / Check only, save nothing.")
    ] = False,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="Bảng mã của tệp khi không tự nhận ra (utf-8, utf-16, cp1258) / The file's"
            " encoding when it is not detected.",
        ),
    ] = None,
) -> None:
    """Nhập nhiều bài từ CSV/YAML (tất cả hoặc không). / Import posts, all or nothing."""
    from content.importer import Importer

    state = state_of(ctx)
    loa = state.app()
    report = Importer(loa.posts, loa.media).run(
        state.actor(), file, dry_run=dry_run, encoding=encoding
    )
    counts = report.state_counts(state.lang)
    if dry_run:
        typer.echo(state.say(f"Hợp lệ, chưa lưu ({counts}).", f"Valid, nothing saved ({counts})."))
    else:
        total = len(report.post_ids)
        typer.echo(
            state.say(f"Đã nhập {total} bài ({counts}).", f"Imported {total} posts ({counts}).")
        )


@app.command("export")
def export_command(
    ctx: typer.Context,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Tệp CSV ra / Output CSV file.")
    ] = None,
) -> None:
    """Xuất mọi bài ra CSV (nhập lại được). / Export every post as CSV (re-importable)."""
    from content.export import export_csv

    state = state_of(ctx)
    loa = state.app()
    with loa.db.read() as session:
        text = export_csv(session, loa.config.zone, loa.media)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8-sig")
        typer.echo(state.say(f"Đã ghi {output}", f"Wrote {output}"), err=True)


@app.command("calendar")
def calendar_command(
    ctx: typer.Context,
    month: Annotated[
        str | None, typer.Option(help="Tháng YYYY-MM (mặc định: tháng này) / Month.")
    ] = None,
    week: Annotated[
        str | None, typer.Option(help="Tuần chứa ngày YYYY-MM-DD / The week of a day.")
    ] = None,
    department: Annotated[list[str] | None, typer.Option(help="Đơn vị / Department.")] = None,
    channel: Annotated[list[str] | None, typer.Option(help="Kênh / Channel.")] = None,
    topic: Annotated[list[str] | None, typer.Option(help="Chủ đề a-i / Topic.")] = None,
    state_filter: Annotated[
        list[str] | None,
        typer.Option("--state", help="Trạng thái bài hoặc lượt đăng / Post or delivery state."),
    ] = None,
) -> None:
    """Lịch đăng bài theo tuần hoặc tháng. / The publishing calendar, by week or month."""
    from loa.calendar_command import show_calendar

    state = state_of(ctx)
    for line in show_calendar(
        state.app(), state.lang, month, week, department, channel, topic, state_filter
    ):
        typer.echo(line)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Tạo hoặc nâng cấp lược đồ CSDL. / Create or migrate the database schema."""
    state = state_of(ctx)
    loa = state.app(migrate=True)
    revision = loa.db.current_revision()
    typer.echo(state.say(f"CSDL ở phiên bản {revision}.", f"Database at revision {revision}."))


@channels_app.command("list")
def channels_list(ctx: typer.Context) -> None:
    """Liệt kê các kênh đã cấu hình. / List the configured channels."""
    from sqlmodel import col, select

    from content.models import Channel
    from content.workflow import CHANNEL_STATE_WORDS, channel_state_words
    from loa.views import words

    state = state_of(ctx)
    loa = state.app()
    with loa.db.read() as session:
        rows = session.exec(select(Channel).order_by(col(Channel.id))).all()
    # the state in words (as `loa worker status` shows it), padded to the longest so the
    # slots stay in one column
    width = max(len(pair[0 if state.lang == "vi" else 1]) for pair in CHANNEL_STATE_WORDS.values())
    for row in rows:
        slots = ", ".join(row.slots) or words(state.lang, "(không có khung giờ)", "(no slots)")
        shown = channel_state_words(row.state, state.lang)
        typer.echo(f"{row.id:<18} {row.type:<14} {row.department_code:<8} {shown:<{width}} {slots}")
        if row.name:
            typer.echo(f"{'':<18} {row.name}")


@channels_app.command("connect")
def channels_connect(
    ctx: typer.Context,
    channel_id: Annotated[str, typer.Argument(help="Mã kênh / Channel id.")],
    redirect_uri: Annotated[
        str | None,
        typer.Option(
            help="Địa chỉ chuyển hướng đã đăng ký; dán mã nhận được vào đây"
            " / The registered redirect URI; paste the code it receives here."
        ),
    ] = None,
    code: Annotated[
        str | None,
        typer.Option(
            help="Hoàn tất lần cấp quyền đã bắt đầu bằng --no-browser với mã nền tảng trả về"
            " / Complete the consent a --no-browser run started, with the platform's code."
        ),
    ] = None,
    token_stdin: Annotated[
        bool,
        typer.Option(
            "--token-stdin",
            help="Đọc một dòng từ đầu vào chuẩn: mã trang hoặc mã người dùng hệ thống Facebook,"
            " refresh token Zalo OA/YouTube, mật khẩu ứng dụng WordPress"
            " / Read one line of standard input: a Facebook Page or system-user token, a Zalo OA"
            " or YouTube refresh token, a WordPress application password.",
        ),
    ] = False,
    no_browser: Annotated[
        bool,
        typer.Option(
            "--no-browser",
            help="Chỉ in địa chỉ cấp quyền và giữ lại yêu cầu cho --code, không chờ"
            " / Only print the consent address and keep the consent for --code; do not wait.",
        ),
    ] = False,
    port: Annotated[
        int,
        typer.Option(
            min=0,
            max=65535,
            help="Cổng nhận trả lời trên 127.0.0.1 (địa chỉ đã đăng ký với nền tảng)"
            " / The callback's port on 127.0.0.1 (as registered with the platform).",
        ),
    ] = 0,
) -> None:
    """Kết nối tài khoản của kênh, lưu khóa đã mã hóa. / Connect a channel's account."""
    from loa.channel_commands import ConnectOptions, connect_channel

    state = state_of(ctx)
    options = ConnectOptions(redirect_uri, code, token_stdin, no_browser, port)
    connect_channel(state.app(), channel_id, state.lang, typer.echo, options)


@channels_app.command("check")
def channels_check(ctx: typer.Context) -> None:
    """Kiểm tra khóa truy cập của mọi kênh. / Check that every channel's credentials work."""
    from loa.channel_commands import check_channels

    state = state_of(ctx)
    lines, all_good = check_channels(state.app(), state.lang)
    for line in lines:
        typer.echo(line)
    if not all_good:
        raise typer.Exit(1)


@app.command("sandbox")
def sandbox_command(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Cổng / Port (loopback only).")] = 8765,
) -> None:
    """Chạy nền tảng mô phỏng cục bộ (Zalo, Facebook, YouTube, WordPress). / Run the sandbox."""
    from channels.sandbox import build_sandbox

    state = state_of(ctx)
    server = build_sandbox(port)
    typer.echo(
        state.say(
            f"Sandbox: {server.url}/  (Ctrl+C để dừng)", f"Sandbox: {server.url}/  (Ctrl+C to stop)"
        )
    )
    try:
        server.serve()
    except KeyboardInterrupt:
        server.stop()


@worker_app.callback(invoke_without_command=True)
def worker_run(
    ctx: typer.Context,
    threads: Annotated[int | None, typer.Option(help="Số luồng đăng / Publishing threads.")] = None,
    log_format: Annotated[
        str, typer.Option(help="Nhật ký: text (logfmt) hoặc json / Log format.")
    ] = "text",
    log_level: Annotated[str, typer.Option(help="Mức nhật ký / Log level.")] = "info",
) -> None:
    """Chạy tiến trình đăng bài đến khi nhận SIGTERM/SIGINT. / Run the worker until stopped."""
    if ctx.invoked_subcommand is not None:
        return
    from loa.logs import configure
    from loa.worker_app import build_worker

    configure(log_level, log_format)
    state = state_of(ctx)
    build_worker(state.app(), threads).run_forever()


@worker_app.command("status")
def worker_status(ctx: typer.Context) -> None:
    """Tình trạng: tiến trình, hàng đợi, tạm dừng. / Workers, queue, cooldowns, pause."""
    from loa.status_view import status_lines

    state = state_of(ctx)
    for line in status_lines(state.app(), state.lang):
        typer.echo(line)


@app.command("pause")
def pause_command(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option(help="Lý do (bắt buộc) / Why (required).")],
) -> None:
    """Dừng khẩn cấp mọi việc đăng bài. / Emergency stop: publish nothing until resumed."""
    from content.timeutil import utcnow
    from scheduler.control import set_paused

    state = state_of(ctx)
    set_paused(state.app().db, True, state.username or "cli", reason, utcnow())
    typer.echo(state.say(f"Đã tạm dừng đăng bài: {reason}", f"Publishing paused: {reason}"))


@app.command("resume")
def resume_command(ctx: typer.Context) -> None:
    """Tiếp tục đăng bài. / Resume publishing (missed posts follow their grace rule)."""
    from content.timeutil import utcnow
    from scheduler.control import set_paused

    state = state_of(ctx)
    set_paused(state.app().db, False, state.username or "cli", None, utcnow())
    typer.echo(state.say("Đã tiếp tục đăng bài.", "Publishing resumed."))


@app.command("publish")
def publish_command(
    ctx: typer.Context,
    post_id: Annotated[int, typer.Argument(help="Số bài / Post number.")],
    now: Annotated[
        bool, typer.Option("--now", help="Đăng ngay, tại đây / Publish now, in the foreground.")
    ] = False,
) -> None:
    """Đăng ngay một bài đã duyệt (có thanh tiến độ). / Publish one approved post now."""
    from loa.publish_command import publish_in_foreground

    state = state_of(ctx)
    if not now:
        raise typer.BadParameter("add --now to publish in the foreground", param_hint="--now")
    if not publish_in_foreground(state.app(), post_id, state.lang):
        raise typer.Exit(1)


@config_app.command("check")
def config_check(ctx: typer.Context) -> None:
    """Kiểm tra cấu hình và các biến môi trường bí mật. / Check config and secret variables."""
    from loa.config import find_config_path, load_config

    state = state_of(ctx)
    path = find_config_path(state.config_path)
    config = load_config(path)
    missing = config.missing_secrets()
    for line in missing:
        typer.echo(line, err=True)
    if missing:
        raise typer.Exit(1)
    typer.echo(state.say(f"{path}: hợp lệ.", f"{path}: valid."))


def _register_subcommands() -> None:
    from loa.cli_posts import media_app, post_app
    from loa.cli_stats import stats_app
    from loa.cli_users import users_app
    from loa.report_command import report
    from loa.serve import serve_command

    app.add_typer(post_app, name="post")
    app.add_typer(media_app, name="media")
    app.add_typer(users_app, name="users")
    app.add_typer(stats_app, name="stats")
    app.command("serve")(serve_command)
    app.command("report")(report)


_register_subcommands()


def main(argv: list[str] | None = None) -> int:
    """Run the command line; every user error becomes one message and exit status 1."""
    args = sys.argv[1:] if argv is None else list(argv)
    lang = os.environ.get("LOA_LANG", "vi")
    if "--lang" in args[:-1]:
        lang = args[args.index("--lang") + 1]
    try:
        app(args=args, prog_name="loa")
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except KeyboardInterrupt:
        typer.echo("Đã dừng. / Interrupted.", err=True)
        return 130
    except Exception as error:
        return _report(error, lang)
    return 0


def _report(error: Exception, lang: str) -> int:
    from content.errors import InvalidInput, UserError
    from loa.config import ConfigError

    prefix = "Lỗi" if lang == "vi" else "Error"
    if isinstance(error, InvalidInput):
        typer.echo(f"{prefix}: {error.what}" if error.what else f"{prefix}:", err=True)
        for line in error.lines(lang):
            typer.echo(f"  - {line}", err=True)
        return 1
    if isinstance(error, UserError):
        typer.echo(f"{prefix}: {error.text(lang)}", err=True)
        return 1
    if isinstance(error, ConfigError):
        if len(error.problems) == 1:
            typer.echo(f"{prefix}: {error.problems[0]}", err=True)
            return 1
        typer.echo(f"{prefix}: {'tệp cấu hình' if lang == 'vi' else 'configuration'}:", err=True)
        for problem in error.problems:
            typer.echo(f"  - {problem}", err=True)
        return 1
    raise error
