"""Opening hours -> visiting windows."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redroute import hours
from redroute._errors import HoursError

TUE = dt.date(2026, 12, 1)
MON = dt.date(2026, 11, 30)
NATIONAL_DAY = dt.date(2026, 10, 1)


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm))


def test_memorial_hall_closed_on_monday() -> None:
    value = "Tu-Su 09:00-16:30; Mo off"
    assert hours.visiting_windows(value, MON) == []
    (w,) = hours.visiting_windows(value, TUE) or []
    assert (w.opens, w.closes, w.last_entry) == (at(TUE, 9), at(TUE, 16, 30), at(TUE, 16, 30))


def test_last_entry_moves_the_latest_start() -> None:
    (w,) = hours.visiting_windows("Tu-Su 09:00-17:00; Mo off", TUE, last_entry=60) or []
    assert w.last_entry == at(TUE, 16)
    assert w.latest_start(30) == at(TUE, 16)
    assert w.latest_start(90) == at(TUE, 15, 30)
    assert w.latest_start(9 * 60) is None


def test_lunch_break_gives_two_windows() -> None:
    value = "Tu-Su 09:00-11:30,13:30-16:30; Mo off"
    windows = hours.visiting_windows(value, TUE, last_entry=30) or []
    assert [w.label() for w in windows] == ["09:00-11:30", "13:30-16:30"]
    assert [w.last_entry.time() for w in windows] == [dt.time(11), dt.time(16)]


def test_always_open_is_the_whole_day() -> None:
    (w,) = hours.visiting_windows("24/7", MON) or []
    assert w.label() == "00:00-24:00"
    assert w.closes - w.opens == dt.timedelta(days=1)


def test_unknown_hours_are_not_open() -> None:
    assert hours.visiting_windows(None, TUE) is None
    assert hours.is_open_at(None, at(TUE, 10)) is None
    assert hours.open_state(None, at(TUE, 10)) == "unknown"


def test_unknown_state_in_the_expression() -> None:
    assert hours.visiting_windows("Tu-Su 09:00-16:30 unknown", TUE) is None
    assert hours.open_state("Tu-Su 09:00-16:30 unknown", at(TUE, 10)) == "unknown"


def test_public_holidays_of_china() -> None:
    value = "Mo-Su 09:00-17:00; PH off"
    assert hours.visiting_windows(value, NATIONAL_DAY) == []
    assert hours.visiting_windows(value, TUE)


def test_overnight_hours_are_clipped_to_the_day() -> None:
    windows = hours.visiting_windows("Mo-Fr 20:00-02:00", TUE) or []
    assert [w.label() for w in windows] == ["00:00-02:00", "20:00-24:00"]


def test_is_open_at_respects_last_entry() -> None:
    value = "Tu-Su 09:00-16:30; Mo off"
    assert hours.is_open_at(value, at(TUE, 16, 10)) is True
    assert hours.is_open_at(value, at(TUE, 16, 10), last_entry=30) is False
    assert hours.is_open_at(value, at(TUE, 8, 59)) is False
    assert hours.is_open_at(value, MON) is False
    assert hours.is_open_at(value, TUE) is True


def test_open_state() -> None:
    value = "Tu-Su 09:00-16:30; Mo off"
    assert hours.open_state(value, at(TUE, 10)) == "open"
    assert hours.open_state(value, at(MON, 10)) == "closed"


@pytest.mark.parametrize("value", ["Tu-Su 9-17", "daily", "Mo-Fr 25:00-26:00x", ""])
def test_invalid_expressions_name_the_value(value: str) -> None:
    with pytest.raises(HoursError, match="opening_hours"):
        hours.check_opening_hours(value)


def test_error_quotes_the_expression() -> None:
    with pytest.raises(HoursError, match='"Tu-Su 9-17" is not valid'):
        hours.visiting_windows("Tu-Su 9-17", TUE)


@given(
    st.integers(0, 22), st.integers(1, 10), st.integers(0, 120), st.integers(5, 240),
    st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)),
)
def test_a_visit_never_starts_outside_its_window(
    start: int, length: int, last_entry: int, visit: int, day: dt.date
) -> None:
    end = min(24, start + length)
    value = f"Mo-Su {start:02d}:00-{end:02d}:00"
    for w in hours.visiting_windows(value, day, last_entry=last_entry) or []:
        assert w.opens <= w.last_entry <= w.closes
        latest = w.latest_start(visit)
        if latest is not None:
            assert w.opens <= latest <= w.last_entry
            assert latest + dt.timedelta(minutes=visit) <= w.closes
