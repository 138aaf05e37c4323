"""A query string that cannot be read: 400 naming the parameter, never 422 or 500.

A date or time in the query of a GET (the calendar's `date`, the API's `from` and `to`) that is
unreadable or off the calendar is a request that cannot be answered, not an entity that failed
its checks: nothing was sent to be saved. So it is a 400 whose message says, Vietnamese first,
which parameter and what form it takes; bodies keep their 422.
"""

from __future__ import annotations

from content.errors import FieldProblem, InvalidInput
from content.timeutil import EARLIEST, LATEST

EXAMPLE = "2026-08-08T07:30:00+07:00"
SHOWN = 40  # characters of a bad value repeated back


class InvalidQuery(InvalidInput):
    """Problems with the query string; web.errors answers 400 `invalid_query`."""

    @classmethod
    def of(cls, error: InvalidInput) -> InvalidQuery:
        return cls(error.problems, error.what)


def unreadable_time(field: str, value: object) -> FieldProblem:
    """The problem of a `from`/`to` the API could not read as a time with its offset."""
    shown = str(value)[:SHOWN]
    first, last = EARLIEST.year, LATEST.year - 1
    return FieldProblem(
        field,
        f"Không đọc được thời điểm “{shown}”: cần dạng ISO 8601 có múi giờ, ví dụ {EXAMPLE},"
        f" từ năm {first} đến hết năm {last}.",
        f"cannot read the time {shown!r}: write ISO 8601 with an offset, e.g. {EXAMPLE},"
        f" from {first} to the end of {last}",
    )


DATE_ERRORS = ("date", "datetime", "timezone")


def is_date_error(error_type: str) -> bool:
    """Whether a pydantic error type is about reading a date or time."""
    return error_type.startswith(DATE_ERRORS)
