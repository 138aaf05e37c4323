"""Local stand-ins of the four platforms, answering exactly as CHANNELS.md says the real ones do.

`build_sandbox(port)` mounts every platform on one loopback server; the demo, the tests and the
benchmarks use it, and `loa sandbox` runs it on its own.
"""

from __future__ import annotations

from channels.sandbox.server import DEFAULT_PORT, Platform, SandboxServer


def all_platforms() -> list[Platform]:
    from importlib import import_module

    platforms: list[Platform] = []
    for module, name in PLATFORMS:
        try:
            platforms.append(getattr(import_module(module), name)())
        except ModuleNotFoundError:
            continue  # a platform still being built; the others work without it
    return platforms


PLATFORMS = [
    ("channels.sandbox.zalo", "ZaloSandbox"),
    ("channels.sandbox.graph", "GraphSandbox"),
    ("channels.sandbox.youtube", "YouTubeSandbox"),
    ("channels.sandbox.wordpress", "WordPressSandbox"),
]


def build_sandbox(port: int = DEFAULT_PORT) -> SandboxServer:
    return SandboxServer(all_platforms(), port=port)
