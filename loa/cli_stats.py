"""`loa stats`: the figures of published posts. `collect` reads them now, in the foreground;
`show` (loa.stats_show) prints a period's totals.

`loa stats collect` does what the worker's periodic job does (scheduler.collect), with the same
handling of each platform's refusals and limits, and says what it read, channel by channel, and
which figures are missing and why. With `--post` or `--channel` it reads those posts even if
their next reading is not due yet.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated

import typer

from content.labels import channel_label
from loa.cli_state import State, state_of
from loa.stats_show import stats_show

if TYPE_CHECKING:
    from scheduler.collect_plan import ChannelTally, Summary

stats_app = typer.Typer(
    help="Số liệu bài đã đăng: lượt xem, tương tác / Figures of published posts.",
    no_args_is_help=True,
)
BAR = 30


@stats_app.command("collect")
def stats_collect(
    ctx: typer.Context,
    post: Annotated[
        list[int] | None,
        typer.Option("--post", help="Chỉ bài này (lặp lại được) / Only this post (repeatable)."),
    ] = None,
    channel: Annotated[
        list[str] | None,
        typer.Option(
            "--channel", help="Chỉ kênh này (lặp lại được) / Only this channel (repeatable)."
        ),
    ] = None,
) -> None:
    """Đọc số liệu ngay bây giờ (có thanh tiến độ). / Read the figures now, with progress."""
    from content.timeutil import utcnow
    from loa.worker_app import alerts_for, build_collector

    state = state_of(ctx)
    loa = state.app()
    known = {c.id for c in loa.config.channels}
    worker_id = f"stats-collect:{os.getpid()}:{utcnow().timestamp():.0f}"
    collector = build_collector(loa, worker_id, alerts_for(loa, quiet=True), lambda: known)
    forced = bool(post or channel)
    summary = collector.collect(
        channel_ids=channel or None,
        post_ids=post or None,
        force=forced,
        progress=_bar(state),
    )
    names = {c.id: channel_label(c.type, c.name or c.id, state.lang) for c in loa.config.channels}
    for line in summary_lines(summary, state, asked=set(channel or ()), names=names):
        typer.echo(line)


def _bar(state: State) -> Callable[[int, int], None]:
    shown = [False]

    def progress(done: int, total: int) -> None:
        if not total:
            return
        filled = BAR * done // total
        label = state.say("bài", "posts")
        typer.echo(
            f"\r  [{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} {label}",
            nl=done >= total and not shown[0],
            err=True,
        )
        shown[0] = shown[0] or done >= total

    return progress


def summary_lines(
    summary: Summary, state: State, asked: set[str], names: Mapping[str, str] | None = None
) -> list[str]:
    """What was read, by channel (as people name it: "Facebook · Sở Du lịch"); then the figures
    missing, with the platforms' reasons."""
    say = state.say
    known = names or {}

    def name(channel_id: str) -> str:
        return known.get(channel_id, channel_id)

    read = [t for t in summary.channels.values() if t.read or t.calls or t.postponed]
    others = [
        t
        for t in summary.channels.values()
        if t.skipped is not None and (t.waiting or t.channel_id in asked)
    ]
    if not read and not others:
        return [say("Không có bài nào cần đọc số liệu lúc này.", "No figures are due now.")]
    posts, channels = summary.read, len([t for t in read if t.read])
    lines = [
        say(
            f"Đã đọc số liệu của {posts} bài trên {channels} kênh ({summary.calls} lần gọi).",
            f"Read the figures of {_count(posts, 'post')} on {_count(channels, 'channel')}"
            f" ({_count(summary.calls, 'call')}).",
        )
    ]
    width = max(len(name(t.channel_id)) for t in [*read, *others])
    for tally in sorted(read, key=lambda t: t.channel_id):
        lines.append(f"  {name(tally.channel_id):<{width}}  {_read_line(tally, state)}")
    for tally in sorted(others, key=lambda t: t.channel_id):
        assert tally.skipped is not None
        why = say(*tally.skipped)
        waiting = say(f"{tally.waiting} bài chờ", f"{tally.waiting} posts waiting")
        lines.append(
            f"  {name(tally.channel_id):<{width}}  {say('bỏ qua', 'skipped')}: {why} ({waiting})"
        )
    missing = [(t.channel_id, key, n) for t in read for key, n in sorted(t.missing.items())]
    if missing:
        lines.append(say("Thiếu số liệu:", "Figures missing:"))
        for channel_id, (metric, vi, en), count in missing:
            lines.append(
                f"  {name(channel_id):<{width}}  {_metric(metric, state)}: "
                + say(f"{count} bài — {vi}", f"{count} posts — {en}")
            )
    return lines


def _read_line(tally: ChannelTally, state: State) -> str:
    say = state.say
    parts = [say(f"{tally.read} bài", f"{tally.read} posts")]
    if tally.gone:
        parts.append(say(f"{tally.gone} bài đã bị gỡ", f"{tally.gone} gone from the platform"))
    if tally.units:
        parts.append(say(f"{tally.units} đơn vị hạn mức", f"{tally.units} quota units"))
    if tally.stopped is not None:
        parts.append(
            say(
                f"dừng: {tally.stopped[0]}; {tally.postponed} bài đọc lại sau",
                f"stopped: {tally.stopped[1]}; {tally.postponed} posts read later",
            )
        )
    elif tally.postponed:
        parts.append(say(f"{tally.postponed} bài đọc lại sau", f"{tally.postponed} read later"))
    return ", ".join(parts)


def _metric(metric: str, state: State) -> str:
    from content.labels import metric_label

    if metric == "*":
        return state.say("Mọi số liệu", "Every figure")
    return metric_label(metric, state.lang)


stats_app.command("show")(stats_show)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
