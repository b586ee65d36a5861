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


# --------------------------------------------------------------------------- sun events

DECEMBER = dt.date(2026, 12, 5)
JUNE = dt.date(2026, 6, 21)
EQUINOX = dt.date(2026, 3, 20)


def astral_sun(day: dt.date) -> dict[str, dt.datetime]:
    """Sun events of Shanghai by astral, an independent astronomy library (naive local)."""
    from zoneinfo import ZoneInfo

    from astral import LocationInfo
    from astral.sun import sun

    lat, lon = hours.SUN_PLACE
    place = LocationInfo("Shanghai", "China", "Asia/Shanghai", lat, lon)
    events = sun(place.observer, date=day, tzinfo=ZoneInfo("Asia/Shanghai"))
    return {k: v.replace(tzinfo=None) for k, v in events.items()}


def near(a: dt.datetime, b: dt.datetime, minutes: float = 2.0) -> bool:
    return abs((a - b).total_seconds()) <= minutes * 60


@pytest.mark.parametrize(("day", "sunset"), [(DECEMBER, (16, 51)), (JUNE, (19, 1)),
                                             (EQUINOX, (18, 5))])
def test_sunrise_sunset_is_the_sun_of_shanghai_that_day(day: dt.date,
                                                        sunset: tuple[int, int]) -> None:
    """Not a fixed 07:00-19:00: a December sunset in Shanghai is about 16:51, a June one
    about 19:01 (astral agrees within two minutes)."""
    (w,) = hours.visiting_windows("sunrise-sunset", day) or []
    sun = astral_sun(day)
    assert near(w.opens, sun["sunrise"]) and near(w.closes, sun["sunset"])
    assert near(w.closes, at(day, *sunset))
    assert w.label() != "07:00-19:00"


def test_december_sunset_closes_before_five() -> None:
    assert hours.is_open_at("sunrise-sunset", at(DECEMBER, 16, 30)) is True
    assert hours.is_open_at("sunrise-sunset", at(DECEMBER, 17, 0)) is False
    assert hours.open_state("sunrise-sunset", at(DECEMBER, 17, 0)) == "closed"
    assert hours.open_state("sunrise-sunset", at(JUNE, 18, 30)) == "open"


def test_dawn_and_dusk_are_civil_twilight() -> None:
    for day in (DECEMBER, JUNE):
        (w,) = hours.visiting_windows("dawn-dusk", day) or []
        sun = astral_sun(day)
        assert near(w.opens, sun["dawn"]) and near(w.closes, sun["dusk"])


def test_dusk_to_dawn_is_open_overnight() -> None:
    windows = hours.visiting_windows("dusk-dawn", DECEMBER) or []
    sun = astral_sun(DECEMBER)
    assert len(windows) == 2
    assert windows[0].opens == at(DECEMBER, 0) and near(windows[0].closes, sun["dawn"])
    assert near(windows[1].opens, sun["dusk"]) and windows[1].label().endswith("24:00")


@pytest.mark.parametrize("day", [DECEMBER, JUNE])
def test_sun_offsets(day: dt.date) -> None:
    (w,) = hours.visiting_windows("(sunrise+01:00)-(sunset-00:30)", day) or []
    sun = astral_sun(day)
    assert near(w.opens, sun["sunrise"] + dt.timedelta(hours=1))
    assert near(w.closes, sun["sunset"] - dt.timedelta(minutes=30))
    (w,) = hours.visiting_windows("Tu-Su 09:00-sunset; Mo off", day) or []
    assert w.opens == at(day, 9) and near(w.closes, sun["sunset"])


def test_sun_hours_with_last_entry() -> None:
    (w,) = hours.visiting_windows("sunrise-sunset", DECEMBER, last_entry=60) or []
    assert near(w.last_entry, astral_sun(DECEMBER)["sunset"] - dt.timedelta(hours=1))


def test_an_offset_without_parentheses_is_invalid() -> None:
    with pytest.raises(HoursError, match="sunrise"):
        hours.check_opening_hours("sunrise+01:00-sunset")


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("day", [dt.date(9999, 12, 31), dt.date(1, 1, 1),
                                 dt.date(hours.FIRST_YEAR - 1, 12, 31),
                                 dt.date(hours.LAST_YEAR + 1, 1, 1)])
def test_dates_outside_the_supported_years_are_one_clear_error(day: dt.date) -> None:
    """9999-12-31 gave an OverflowError; 1999 or 2077 silently ignored public holidays."""
    words = (f"date {day.isoformat()} is outside the supported years "
             f"{hours.FIRST_YEAR}-{hours.LAST_YEAR}")
    assert hours.date_problem(day) == words
    for call in (lambda: hours.check_date(day),
                 lambda: hours.visiting_windows("24/7", day),
                 lambda: hours.visiting_windows(None, day),
                 lambda: hours.is_open_at("24/7", day),
                 lambda: hours.open_state("24/7", dt.datetime.combine(day, dt.time(10)))):
        with pytest.raises(HoursError, match=words):
            call()


def test_date_label_names_the_option() -> None:
    assert hours.date_problem(dt.date(9999, 12, 31), label="--date") == (
        f"--date 9999-12-31 is outside the supported years {hours.FIRST_YEAR}-"
        f"{hours.LAST_YEAR}")
    assert hours.date_problem(dt.datetime(2030, 1, 1, 10)) is None


@pytest.mark.parametrize("year", [hours.FIRST_YEAR, hours.LAST_YEAR])
def test_the_supported_years_have_public_holidays(year: int) -> None:
    """The range is the parser's holiday calendar: New Year and National Day are holidays
    at both ends of it (a newer parser with more years can widen the range)."""
    value = "Mo-Su 09:00-17:00; PH off"
    assert hours.visiting_windows(value, dt.date(year, 1, 1)) == []
    assert hours.visiting_windows(value, dt.date(year, 10, 1)) == []
    assert hours.visiting_windows(value, dt.date(year, 10, 20))


# --------------------------------------------------------------------------- public holidays

HOLIDAY_MONDAY = dt.date(2027, 10, 4)  # National Day week; not in the parser's calendar


def test_a_holiday_monday_opens_a_ph_rule() -> None:
    """``Tu-Su,PH`` is open on Monday 2027-10-04 and closed on the Monday after."""
    value = "Tu-Su,PH 09:00-17:00"
    assert [w.label() for w in hours.visiting_windows(value, HOLIDAY_MONDAY) or []] == [
        "09:00-17:00"]
    assert hours.visiting_windows(value, dt.date(2027, 10, 11)) == []
    assert hours.open_state(value, dt.datetime(2027, 10, 4, 10)) == "open"
    assert hours.visiting_windows("Tu-Su 09:00-17:00", HOLIDAY_MONDAY) == []


def test_ph_off_applies_to_the_whole_break() -> None:
    """``PH off`` closes the site on every day of the National Day week, not only 1 October."""
    value = "Mo-Su 09:00-17:00; PH off"
    assert hours.visiting_windows(value, dt.date(2027, 10, 5)) == []
    assert hours.visiting_windows(value, dt.date(2027, 10, 8))


def test_public_holiday_names_the_holiday() -> None:
    holiday = hours.public_holiday(HOLIDAY_MONDAY)
    assert holiday is not None
    assert holiday.label() == "2027-10-04 国庆节 / National Day holiday"
    assert not holiday.in_calendar
    first = hours.public_holiday(dt.date(2027, 10, 1))
    assert first is not None and first.in_calendar and first.code == "national-day"
    assert hours.public_holiday(dt.date(2027, 10, 12)) is None
    spring = hours.public_holiday(dt.date(2027, 2, 6))
    assert spring is not None and (spring.name_zh, spring.name_en) == (
        "春节", "Spring Festival holiday")
    assert hours.public_holiday(dt.date(2026, 5, 4)) is not None  # the May Day break


def test_quoted_comments_keep_ph() -> None:
    """Only the rules change on an added holiday; a comment mentioning PH stays as it is."""
    value = 'Tu-Su,PH 09:00-17:00 "PH hours"'
    assert hours.visiting_windows(value, HOLIDAY_MONDAY)
