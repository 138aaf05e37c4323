"""What Loa's contract test (tests/channels/test_contract.py) needs from this package.

The `loa.contract` entry point names this module; the test calls `make_adapter(sandbox)` with
Loa's running sandbox, on which the `loa.sandbox` entry point has mounted `RadioSandbox` under
/radio, freshly reset before each test.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from channels.base import ChannelSetup
from channels.credentials import MemoryCredentials
from loa_radio_bulletin.adapter import RadioBulletin
from loa_radio_bulletin.sandbox import SEEDED_KEY, RadioSandbox

if TYPE_CHECKING:
    from channels.sandbox.server import SandboxServer


def make_adapter(sandbox: SandboxServer, **overrides: Any) -> RadioBulletin:
    """An adapter for the stand-in station, with the sandbox's own key as its secret."""
    setup = ChannelSetup(
        id="radio-huyen",
        type=RadioBulletin.type,
        name="Đài Truyền thanh huyện",
        bases={"api_base": f"{sandbox.url}{RadioSandbox.prefixes[0]}"},
        secrets={"api_key": SEEDED_KEY},
        timeout=5.0,
    )
    return RadioBulletin(replace(setup, **overrides), MemoryCredentials())
