"""Local stand-ins of the platforms, answering exactly as CHANNELS.md says the real ones do.

`build_sandbox(port)` mounts every platform on one loopback server; the demo, the tests and the
benchmarks use it, and `loa sandbox` runs it on its own. The four built-in platforms are listed
here; a package that brings a new channel brings its platform's stand-in through the entry point
group `loa.sandbox` (name: the platform's `name`, value: its `Platform` subclass), and it is
mounted beside them (docs/adapters.md).
"""

from __future__ import annotations

from importlib.metadata import entry_points

from channels.sandbox.server import DEFAULT_PORT, Platform, SandboxServer

GROUP = "loa.sandbox"


def all_platforms() -> list[Platform]:
    from importlib import import_module

    platforms: list[Platform] = []
    for module, name in PLATFORMS:
        try:
            platforms.append(getattr(import_module(module), name)())
        except ModuleNotFoundError:
            continue  # a platform still being built; the others work without it
    platforms += plugged_in()
    _refuse_clashes(platforms)
    return platforms


PLATFORMS = [
    ("channels.sandbox.zalo", "ZaloSandbox"),
    ("channels.sandbox.graph", "GraphSandbox"),
    ("channels.sandbox.youtube", "YouTubeSandbox"),
    ("channels.sandbox.wordpress", "WordPressSandbox"),
    ("channels.sandbox.webhook", "WebhookSandbox"),  # a receiver of signed webhooks (HueS)
]


def plugged_in() -> list[Platform]:
    """The stand-ins that installed packages register under `loa.sandbox`, by name.

    A broken one fails loudly: a sandbox quietly missing a platform fails later, far away, as
    a connection refused in a test of that platform's adapter."""
    platforms = []
    for entry in sorted(entry_points(group=GROUP), key=lambda entry: entry.name):
        cls = entry.load()
        if not (isinstance(cls, type) and issubclass(cls, Platform)):
            raise TypeError(f"entry point {GROUP} {entry.name!r}: {entry.value} is not a Platform")
        if getattr(cls, "name", None) != entry.name:
            raise ValueError(
                f"entry point {GROUP} {entry.name!r} loads {entry.value}, whose name is"
                f" {getattr(cls, 'name', None)!r}"
            )
        platforms.append(cls())
    return platforms


def _refuse_clashes(platforms: list[Platform]) -> None:
    """Two platforms under one name or one path prefix would hide each other."""
    names: dict[str, Platform] = {}
    prefixes: dict[str, Platform] = {}
    for platform in platforms:
        if platform.name in names:
            raise ValueError(f"two sandbox platforms are named {platform.name!r}")
        names[platform.name] = platform
        for prefix in platform.prefixes:
            if prefix in prefixes:
                other = prefixes[prefix].name
                raise ValueError(
                    f"sandbox platforms {other!r} and {platform.name!r} share {prefix}"
                )
            prefixes[prefix] = platform


def build_sandbox(port: int = DEFAULT_PORT) -> SandboxServer:
    return SandboxServer(all_platforms(), port=port)
