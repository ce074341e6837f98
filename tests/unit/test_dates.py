"""Dates and times read the GOV.UK way, in UK time, through the one `date` filter."""

from datetime import date, datetime

import pytest

from maturity.templating import format_date


@pytest.mark.parametrize(
    ("value", "with_time", "expected"),
    [
        (date(2026, 12, 2), False, "2 December 2026"),
        (datetime(2026, 12, 2, 17, 59), True, "2 December 2026 at 5:59pm"),
        (datetime(2026, 12, 2, 9, 0), True, "2 December 2026 at 9am"),
        (datetime(2026, 12, 2, 12, 0), True, "2 December 2026 at midday"),
        (datetime(2026, 12, 2, 0, 0), True, "2 December 2026 at midnight"),
        (datetime(2026, 12, 2, 0, 5), True, "2 December 2026 at 12:05am"),
        # Stored as UTC, shown in British Summer Time in the summer (and the date moves with it).
        (datetime(2026, 7, 1, 23, 30), True, "2 July 2026 at 12:30am"),
        (datetime(2026, 7, 1, 23, 30), False, "2 July 2026"),
        (None, True, ""),
    ],
)
def test_format_date(value, with_time, expected):
    assert format_date(value, with_time) == expected
