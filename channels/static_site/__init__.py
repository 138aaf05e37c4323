"""The ASEAN subpage as static pages that Loa renders itself (`type: static_site`).

`StaticSite` is the adapter (entry point `static_site`); `output_dir(settings)` is the folder a
channel writes, for whatever serves it (`loa serve` under /asean/, a test, a deployment script).
"""

from channels.static_site.adapter import StaticSite
from channels.static_site.settings import output_dir

__all__ = ["StaticSite", "output_dir"]
