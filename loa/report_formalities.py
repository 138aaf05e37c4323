"""What a report's DOCX prints from the config: the signer, the recipients, the plan's date.

Apart from loa.report_config, which loa.config imports to read the settings, so that reading
them back from a loaded config makes no import cycle.
"""

from __future__ import annotations

from loa.config import LoaConfig
from loa.report_config import ReportSettings
from reports.wording import Formalities


def formalities_for(config: LoaConfig, department: str | None) -> Formalities:
    """What the DOCX of `department`'s report (None: the province's) prints from the config."""
    province = config.report
    own = config.department(department).report if department else province
    chosen = own or ReportSettings()
    return Formalities(
        signer_title=chosen.signer_title or (),
        signer_name=chosen.signer_name or "",
        recipients=chosen.recipients or (),
        filed_by=department or "",
        plan_date=province.plan_date,
    )
