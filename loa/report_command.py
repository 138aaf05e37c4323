"""`loa report`: the yearly report of the province or of one department, as DOCX, XLSX or CSV.

    loa report --year 2026 --format docx -o bao-cao-2026.docx
    loa report --department SDL --from 2026-01-01 --to 2026-06-30 -o sdl.xlsx

The default period is the reporting year (1 November of the year before to 1 November, or up
to now); the format is taken from the file's extension unless `--format` says otherwise.
"""

from __future__ import annotations

from datetime import timedelta, tzinfo
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loa.cli_state import state_of
from loa.stats_show import local_day

if TYPE_CHECKING:
    from content.report_data import ReportData
    from loa.app import App

FORMATS = ("docx", "xlsx", "csv")


def loa_version() -> str:
    try:
        return version("loa")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"


def report(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="Tệp kết quả / Output file.")],
    year: Annotated[
        int | None,
        typer.Option(help="Năm báo cáo (mặc định: năm nay) / Reporting year."),
    ] = None,
    department: Annotated[
        str | None, typer.Option(help="Báo cáo của một đơn vị / One department's report.")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="Từ ngày YYYY-MM-DD / From this date.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Đến hết ngày YYYY-MM-DD / To this date.")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="docx, xlsx hoặc csv / docx, xlsx or csv.")
    ] = None,
) -> None:
    """Viết báo cáo kết quả tuyên truyền ASEAN. / Write the ASEAN communication report."""
    from content.timeutil import utcnow
    from loa.report_inputs import current_year, read_report, reporting_year

    state = state_of(ctx)
    if year is not None and not 2000 <= year < 2100:
        raise typer.BadParameter(
            f"năm phải từ 2000 đến 2099, không phải {year} / the year must be 2000-2099",
            param_hint="--year",
        )
    kind = (fmt or output.suffix.lstrip(".")).lower()
    if kind not in FORMATS:
        raise typer.BadParameter(
            state.say(
                f"định dạng phải là docx, xlsx hoặc csv, không phải {kind!r}",
                f"the format must be docx, xlsx or csv, not {kind!r}",
            ),
            param_hint="--format",
        )
    loa = state.app()
    tz = loa.config.zone
    if department is not None and department not in {d.code for d in loa.config.departments}:
        known = ", ".join(d.code for d in loa.config.departments)
        raise typer.BadParameter(
            state.say(
                f"không có đơn vị {department!r}; có: {known}",
                f"no department {department!r}; known: {known}",
            ),
            param_hint="--department",
        )
    now = utcnow()
    chosen_year = year or current_year(now, tz)
    first, last = reporting_year(chosen_year, tz, now)
    if start:
        first = local_day(start, "--from", tz)
    if end:
        last = local_day(end, "--to", tz) + timedelta(days=1)
    if last <= first:
        raise typer.BadParameter(
            state.say(
                "kỳ báo cáo trống: --to phải sau --from",
                "the period is empty: --to must be after --from",
            ),
            param_hint="--to",
        )
    data = read_report(loa, first, last, department=department, year=chosen_year, now=now)
    write_report(loa, data, output, kind, chosen_year, department)
    for line in summary_lines(data, output, state.lang, tz):
        typer.echo(line)


def write_report(
    loa: App, data: ReportData, output: Path, kind: str, year: int, department: str | None
) -> None:
    from loa.report_inputs import report_names
    from reports.wording import ISSUER, subject

    tz, names = loa.config.zone, report_names(loa.config)
    department_name = loa.config.department(department).name_vi if department else None
    if kind == "docx":
        from loa.report_formalities import formalities_for
        from reports.word import write_docx

        write_docx(
            data,
            output,
            tz=tz,
            names=names,
            year=year,
            issuer=ISSUER,
            department_name=department_name,
            version=loa_version(),
            formalities=formalities_for(loa.config, department),
        )
    elif kind == "xlsx":
        from reports.excel import write_xlsx

        title = subject(year) + (f" — {department_name}" if department_name else "")
        write_xlsx(data, output, tz=tz, names=names, year=year, title=title, version=loa_version())
    else:
        from reports.evidence_csv import write_csv

        write_csv(data, output, tz=tz, names=names)


def summary_lines(data: ReportData, output: Path, lang: str, tz: tzinfo) -> list[str]:
    from content.labels import figure

    vi = lang == "vi"
    last_day = (data.end - timedelta(microseconds=1)).astimezone(tz)
    period = f"{data.start.astimezone(tz):%d/%m/%Y} – {last_day:%d/%m/%Y}"
    total = data.total.total
    posts, deliveries = figure(total.posts, lang), figure(total.deliveries, lang)
    met, targets = sum(1 for p in data.progress if p.met), len(data.progress)
    # Targets whose unit (a month, a quarter) is longer than the period: neither met nor missed.
    not_due = sum(1 for p in data.progress if p.not_due)
    lines = [
        (f"Đã viết báo cáo: {output}" if vi else f"Report written: {output}"),
        (f"Kỳ báo cáo: {period}" if vi else f"Period: {period}"),
        (
            f"{posts} bài, {deliveries} lượt đăng; đạt {met}/{targets} chỉ tiêu"
            + (f", {not_due} chưa đến kỳ đánh giá" if not_due else "")
            if vi
            else f"{posts} posts, {deliveries} deliveries; {met}/{targets} targets met"
            + (f", {not_due} not due yet" if not_due else "")
        ),
    ]
    if data.empty:
        lines.append(
            "Không có bài nào được đăng trong kỳ này."
            if vi
            else "Nothing was published in this period."
        )
    return lines
