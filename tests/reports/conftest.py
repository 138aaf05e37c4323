"""The report files' tests share one seeded year (tests.reports.year_data)."""

from __future__ import annotations

import pytest

from content.db import Database
from tests.reports.year_data import seed_year


@pytest.fixture
def year(db: Database) -> Database:
    """The database with the year of tests.reports.year_data in it."""
    seed_year(db)
    return db
