"""The Hypothesis settings of Loa's property tests (the API and the importer at their limits)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Moderate counts, no deadline (the first example builds the app), no example database (a
# failure is reproduced by derandomize, the same examples on every run).
PROPERTIES = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
