"""Loa: the composition root (configuration, wiring, the `loa` command line)."""
