"""A district radio's bulletin upload as a Loa channel: an adapter packaged as a third party would.

Loa finds it only through the entry points in this package's pyproject.toml: `loa.channels`
(the adapter), `loa.sandbox` (the station's stand-in, mounted on Loa's sandbox) and
`loa.contract` (where Loa's contract test gets an adapter pointed at that stand-in).
"""

from loa_radio_bulletin.adapter import RadioBulletin

__all__ = ["RadioBulletin"]
