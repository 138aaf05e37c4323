"""Numbers in paths (/posts/12): one type, so a number the database cannot hold is refused
before any query. A page answers 404 for it (web.errors): no such page exists; the API says
422 naming the parameter, as its description declares.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

# Postgres `integer` ids: a larger number is simply not found, never a database error
# (SQLite cannot even bind a number past 2**63).
MAX_ID = 2**31 - 1

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
