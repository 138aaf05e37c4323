"""The evidence list as CSV: every published item, for whoever wants the raw list.

UTF-8 with a byte order mark, because Excel reads a CSV without one in the machine's code page
and the diacritics come out garbled. Cells a spreadsheet would run as formulas are neutralised
exactly as `loa export` does (content.import_files.neutralise_formula).
"""

from __future__ import annotations

import csv
from datetime import tzinfo
from pathlib import Path

from content.import_files import neutralise_formula
from content.report_data import ReportData
from content.targets import Names
from reports.evidence import Evidence
from reports.files import atomic_path
from reports.wording import evidence_headers


def write_csv(data: ReportData, path: Path, *, tz: tzinfo, names: Names) -> None:
    """`data`'s evidence list into `path` (replaced atomically)."""
    evidence = Evidence(tz, names)
    with (
        atomic_path(path) as temporary,
        temporary.open("w", encoding="utf-8-sig", newline="") as out,
    ):
        # CRLF, as RFC 4180 and the posts' export write it.
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(evidence_headers("both"))
        for row in data.rows:
            item = evidence.row(row)
            writer.writerow(
                [
                    f"{item.published:%d/%m/%Y}",
                    neutralise_formula(item.department),
                    neutralise_formula(item.channel),
                    neutralise_formula(item.platform),
                    neutralise_formula(item.title),
                    neutralise_formula(item.topic),
                    neutralise_formula(item.pillar),
                    neutralise_formula(item.url),
                    *("" if value is None else value for value in item.figures),
                ]
            )
