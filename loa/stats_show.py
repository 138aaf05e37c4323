"""`loa stats show`: the totals of a period as a table, in the reader's language.

Added to the `loa stats` group by `loa.cli_stats`; kept apart because showing and collecting
share nothing but the group.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Annotated

import typer

from loa.cli_state import state_of

if TYPE_CHECKING:
    from content.stats import Stats
    from loa.app import App

GROUPING_NAMES = {
    "channel": ("Kênh", "Channel"),
    "platform": ("Nền tảng", "Platform"),
    "topic": ("Chủ đề", "Topic"),
    "pillar": ("Trụ cột", "Pillar"),
    "department": ("Đơn vị", "Department"),
    "month": ("Tháng", "Month"),
}


def stats_show(
    ctx: typer.Context,
    start: Annotated[
        str | None,
        typer.Option("--from", help="Từ ngày YYYY-MM-DD (mặc định: 1/11 gần nhất) / From date."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", help="Đến hết ngày YYYY-MM-DD (mặc định: hôm nay) / To date."),
    ] = None,
    by: Annotated[
        str,
        typer.Option(help="Nhóm theo: channel, platform, topic, pillar, department, month."),
    ] = "channel",
    department: Annotated[
        str | None, typer.Option(help="Chỉ một đơn vị / One department only.")
    ] = None,
) -> None:
    """Tổng lượt xem, tương tác theo nhóm. / Reach and engagement totals, as a table."""
    from content.stats import GROUPINGS, reporting_year_start, stats
    from content.timeutil import utcnow

    state = state_of(ctx)
    if by not in GROUPINGS:
        raise typer.BadParameter(
            state.say(f"một trong {', '.join(GROUPINGS)}", f"one of {', '.join(GROUPINGS)}"),
            param_hint="--by",
        )
    loa = state.app()
    tz = loa.config.zone
    now = utcnow()
    first = local_day(start, "--from", tz) if start else reporting_year_start(now, tz)
    last = local_day(end, "--to", tz) + timedelta(days=1) if end else now
    if last <= first:
        raise typer.BadParameter(
            state.say("phải sau --from", "must be after --from"), param_hint="--to"
        )
    with loa.db.read() as session:
        result = stats(
            session, first, last, by, tz, departments=[department] if department else None
        )
    for line in table_lines(result, by, state.lang, names_of(loa, by, state.lang), tz):
        typer.echo(line)


def local_day(text: str, option: str, tz: tzinfo) -> datetime:
    """The start of the day `text` (YYYY-MM-DD) names in `tz`; a clear bilingual refusal of
    anything else (`loa stats show` and `loa report` take their periods this way)."""
    from datetime import date, time

    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"ngày dạng YYYY-MM-DD, không phải {text!r} / a date as YYYY-MM-DD, not {text!r}",
            param_hint=option,
        ) from None
    if not 2000 <= day.year < 2100:
        raise typer.BadParameter(
            "năm phải từ 2000 đến 2099 / the year must be 2000-2099", param_hint=option
        )
    return datetime.combine(day, time(0), tzinfo=tz)


def names_of(loa: App, by: str, lang: str) -> dict[str, str]:
    """Readable names of the group keys: departments, topics, pillars and platforms by name."""
    from content.labels import platform_name

    config = loa.config
    vi = lang == "vi"
    if by == "department":
        return {d.code: (d.name_vi if vi else d.name_en) for d in config.departments}
    if by == "topic":
        return {t.code: f"{t.code}. {t.vi if vi else t.en}" for t in config.topics}
    if by == "pillar":
        return {p.code: f"{p.code} ({p.vi if vi else p.en})" for p in config.pillars}
    if by == "platform":
        return {c.type: platform_name(c.type, lang) for c in config.channels}
    if by == "channel":
        return {c.id: c.name or c.id for c in config.channels}
    return {}


def table_lines(result: Stats, by: str, lang: str, names: dict[str, str], tz: tzinfo) -> list[str]:
    from content.labels import figure, metric_label
    from content.stats import Group, metric_names

    vi = lang == "vi"
    metrics = metric_names([*result.groups, result.total]) or ["views"]
    head = [
        GROUPING_NAMES[by][0 if vi else 1],
        "Bài" if vi else "Posts",
        "Lượt đăng" if vi else "Deliveries",
        "Có số liệu" if vi else "With figures",
        *(metric_label(m, lang) for m in metrics),
    ]

    def row(group: Group, label: str) -> list[str]:
        return [
            label,
            figure(group.posts, lang),
            figure(group.deliveries, lang),
            f"{figure(group.with_figures, lang)}/{figure(group.deliveries, lang)}",
            *(figure(group.totals.get(m), lang) for m in metrics),
        ]

    rows = [row(g, names.get(g.key, g.key)) for g in result.groups]
    rows.append(row(result.total, "Tổng" if vi else "Total"))
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    last_day = result.end.astimezone(tz) - timedelta(microseconds=1)
    period = f"{result.start.astimezone(tz):%d/%m/%Y} – {last_day:%d/%m/%Y}"
    collected = result.total.last_collected
    when = f"{collected.astimezone(tz):%H:%M %d/%m/%Y}" if collected else ""
    if collected:
        read = f"Số liệu đọc lần cuối lúc {when}" if vi else f"Figures last read at {when}"
    else:
        read = "Chưa đọc số liệu nào." if vi else "No figures read yet."
    out = [("Kỳ: " if vi else "Period: ") + period, read, "", line(head)]
    out.append("  ".join("-" * width for width in widths))
    out.extend(line(r) for r in rows[:-1])
    out.append("  ".join("-" * width for width in widths))
    out.append(line(rows[-1]))
    out.append("")
    out.append(
        "— : không có số liệu (nền tảng không báo), không phải 0."
        if vi
        else "— : no figure (the platform did not report it), not 0."
    )
    return out
