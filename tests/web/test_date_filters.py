"""The `day` and `local_dt` filters write the month from a table, not with strftime: the same
text as strftime's "%b" (and "%Y, %H:%M") on every month, year and time zone edge."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from tracker import clock
from tracker.templating import format_day, local_datetime
from tracker.views.common import short_day

DAYS = [date(2026, month, day) for month in range(1, 13) for day in (1, 28)] + [
    date(1, 1, 1), date(999, 12, 31), date(1000, 1, 1), date(1999, 12, 31), date(2024, 2, 29), date(9999, 12, 31)]
INSTANTS = [datetime(2026, 3, 29, 0, 59, tzinfo=timezone.utc), datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc),
            datetime(2026, 10, 25, 0, 59, tzinfo=timezone.utc), datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc),
            datetime(2027, 1, 1, 0, 5, tzinfo=timezone.utc), datetime(1000, 6, 15, 9, 7, tzinfo=timezone.utc),
            datetime(2026, 7, 4, 13, 0, 59, 999999, tzinfo=timezone.utc)]
ZONES = ["UTC", "Europe/Berlin", "America/St_Johns", "Pacific/Kiritimati", "Pacific/Pago_Pago"]


@pytest.fixture
def in_zone(app, monkeypatch):
    """A request of someone in `zone` (the filters read the user's zone once per request)."""
    def enter(zone: str):
        monkeypatch.setattr("tracker.templating._tz", lambda: zone)
        context = app.test_request_context()
        context.push()
        return context
    contexts = []
    yield lambda zone: contexts.append(enter(zone))
    for context in reversed(contexts):
        context.pop()


def test_day_is_strftimes_text(in_zone):
    in_zone("UTC")
    this_year = clock.today("UTC").year
    for day in DAYS:
        assert format_day(day) == f"{day.day} {day:%b} {day.year}" == f"{day.day} {day:%b %Y}", day
        assert format_day(day, year=False) == f"{day.day} {day:%b}" + ("" if day.year == this_year else f" {day.year}")
        assert short_day(day, date(2026, 5, 1)) == f"{day.day} {day:%b}" + ("" if day.year == 2026 else f" {day.year}")


@pytest.mark.parametrize("zone", ZONES)
def test_local_datetime_and_day_of_an_instant_are_strftimes_text(zone, in_zone):
    in_zone(zone)
    for instant in INSTANTS:
        local = instant.astimezone(clock.zone(zone))
        assert local_datetime(instant) == f"{local.day} {local:%b %Y, %H:%M}", instant
        assert format_day(instant) == f"{local.day} {local:%b} {local.year}", instant


def test_none_is_empty(in_zone):
    in_zone("UTC")
    assert format_day(None) == local_datetime(None) == short_day(None, date(2026, 1, 1)) == ""


def test_every_month_of_a_year_in_order(in_zone):
    in_zone("UTC")
    first = datetime(2026, 1, 15, 12, tzinfo=timezone.utc)
    months = [local_datetime(first + timedelta(days=31 * i)).split()[1] for i in range(12)]
    assert months == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
