"""Opening hours -> visiting windows for one date.

``opening_hours`` values use OpenStreetMap's syntax (``Tu-Su 09:00-16:30; Mo off``) and are
evaluated by :mod:`opening_hours` (the ``opening-hours-py`` parser), with China's public
holidays so that ``PH off`` rules work. Times are local Shanghai time, as naive datetimes.

Sun events (``sunrise``, ``sunset``, ``dawn``, ``dusk`` and offsets such as
``(sunset-00:30)``) are computed by the parser for Shanghai (31.23 N, 121.47 E, Asia/Shanghai)
on the day asked for: a December sunset is about 16:51, a June one about 19:01. Dawn and
dusk are civil twilight (the sun 6 degrees below the horizon).

Dates are checked against :data:`FIRST_YEAR` .. :data:`LAST_YEAR`, the years for which the
parser knows China's public holidays (:func:`check_date`).

Public holidays: the parser's calendar holds one day per holiday (1 October for National
Day, the first day of the lunar year for the Spring Festival...). Museums keep holiday hours
for the whole break the State Council sets, so :func:`public_holiday` also counts the breaks
that come back every year: National Day week (1-7 October), Labour Day (1-5 May) and the
Spring Festival (its eve to its sixth day). On those added days a ``PH`` rule applies as it
does on the parser's own holidays (``Tu-Su,PH 09:00-17:00`` is open on Monday 2027-10-04).

A landmark without ``opening_hours`` has **unknown** hours: the functions here return
``None`` for it, never "open", and callers must treat it as such.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

import opening_hours

from redroute._errors import HoursError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "FIRST_YEAR",
    "HOLIDAY_NAMES",
    "LAST_YEAR",
    "SUN_PLACE",
    "Holiday",
    "Window",
    "check_date",
    "check_opening_hours",
    "date_problem",
    "is_open_at",
    "open_state",
    "public_holiday",
    "visiting_windows",
]

_DAY = dt.timedelta(days=1)
# opening-hours-py raises its own ParserError (a SyntaxError in older releases).
_PARSE_ERRORS: tuple[type[Exception], ...] = (
    getattr(opening_hours, "ParserError", SyntaxError), SyntaxError, ValueError)

OpenState = Literal["open", "closed", "unknown"]

#: Where sun events are computed: central Shanghai (People's Square), (lat, lon).
SUN_PLACE = (31.23, 121.47)
_TIMEZONE = ZoneInfo("Asia/Shanghai")
#: The years the parser's calendar of China's public holidays covers: a plan on another
#: date would silently ignore ``PH off``, and year 9999 overflows date arithmetic.
FIRST_YEAR = 2000
LAST_YEAR = 2076


def date_problem(day: dt.date, *, label: str = "date") -> str | None:
    """Why ``day`` cannot be planned for, or ``None`` when it can.

    Parameters
    ----------
    day
        A date (or a datetime: its date counts).
    label
        What the date is called in the message (``"--date"`` in the CLI).

    Returns
    -------
    str or None
        ``"date 9999-12-31 is outside the supported years 2000-2076"``, or ``None``.
    """
    if FIRST_YEAR <= day.year <= LAST_YEAR:
        return None
    return (f"{label} {day.isoformat()[:10]} is outside the supported years "
            f"{FIRST_YEAR}-{LAST_YEAR}")


def check_date(day: dt.date, *, label: str = "date") -> None:
    """Raise :class:`HoursError` when ``day`` is outside :data:`FIRST_YEAR`..:data:`LAST_YEAR`.
    """
    problem = date_problem(day, label=label)
    if problem is not None:
        raise HoursError(problem)


@dataclass(frozen=True, slots=True)
class Window:
    """One stretch of a day during which a site can be visited.

    Attributes
    ----------
    opens, closes
        When the site opens and closes (``closes`` may be midnight of the next day).
    last_entry
        The latest time a visitor is let in: ``closes`` minus the landmark's ``last_entry``
        minutes, or ``closes`` when no last entry applies.
    """

    opens: dt.datetime
    closes: dt.datetime
    last_entry: dt.datetime

    def latest_start(self, visit_minutes: float) -> dt.datetime | None:
        """The latest time a visit of ``visit_minutes`` can begin and still end by closing.

        ``None`` when the visit does not fit in the window at all.
        """
        latest = min(self.last_entry, self.closes - dt.timedelta(minutes=visit_minutes))
        return latest if latest >= self.opens else None

    def label(self) -> str:
        """``09:00-16:30`` (``24:00`` for midnight at the end of the day)."""
        end = "24:00" if self.closes.time() == dt.time(0) and self.closes > self.opens else None
        return f"{self.opens:%H:%M}-{end or format(self.closes, '%H:%M')}"


@lru_cache(maxsize=1024)
def _parse(value: str) -> opening_hours.OpeningHours:
    try:
        # The place and its time zone make sunrise, sunset, dawn and dusk those of Shanghai
        # on each day; without them the parser uses a fixed 07:00 and 19:00. (Its
        # auto_timezone=False drops the coordinates too, so the defaults stay.)
        return opening_hours.OpeningHours(value, country="CN", coords=SUN_PLACE,
                                          timezone=_TIMEZONE)
    except _PARSE_ERRORS as err:
        detail = str(err).strip().splitlines()[-1].lstrip("= ").strip() if str(err) else ""
        msg = f'opening_hours "{value}" is not valid OSM opening_hours syntax'
        if detail:
            msg += f" ({detail})"
        raise HoursError(msg) from err


def check_opening_hours(value: str) -> None:
    """Raise :class:`HoursError` when ``value`` is not valid ``opening_hours`` syntax."""
    if not isinstance(value, str) or not value.strip():
        msg = f"opening_hours {value!r} is empty or not a string"
        raise HoursError(msg)
    _parse(value)


def visiting_windows(
    value: str | None, day: dt.date, *, last_entry: int | None = None
) -> list[Window] | None:
    """The windows during which a site with ``opening_hours`` ``value`` is open on ``day``.

    Parameters
    ----------
    value
        An OSM ``opening_hours`` expression, or ``None`` when the hours are not known.
    day
        The local date.
    last_entry
        Minutes before closing after which no visitor is let in.

    Returns
    -------
    list of Window or None
        The windows in time order (empty when the site is closed all day), or ``None`` when
        the hours are unknown, either because ``value`` is ``None`` or because the expression
        says ``unknown`` for that day. Windows are clipped to the day; a window that would
        leave no time before its last entry is dropped.

    Raises
    ------
    HoursError
        When ``day`` is outside the supported years (:func:`check_date`).
    """
    check_date(day)
    if value is None:
        return None
    start = dt.datetime.combine(day, dt.time(0))
    end = start + _DAY
    windows: list[Window] = []
    for a, b, state, _comment in _parse(_on_day(value, day)).intervals(start, end):
        if state == opening_hours.State.UNKNOWN:
            return None
        if state != opening_hours.State.OPEN:
            continue
        opens = max(_naive(a), start)
        closes = min(_naive(b) if b is not None else end, end)
        if closes <= opens:
            continue
        entry = closes - dt.timedelta(minutes=last_entry) if last_entry else closes
        if entry < opens:
            continue
        windows.append(Window(opens, closes, entry))
    return _merge(windows)


def _naive(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=None)


def _merge(windows: Iterable[Window]) -> list[Window]:
    # The parser may split one opening at rule boundaries; join windows that touch.
    out: list[Window] = []
    for w in sorted(windows, key=lambda w: w.opens):
        if out and w.opens <= out[-1].closes:
            prev = out[-1]
            closes, entry = max(prev.closes, w.closes), max(prev.last_entry, w.last_entry)
            out[-1] = Window(prev.opens, closes, entry)
        else:
            out.append(w)
    return out


def open_state(value: str | None, moment: dt.datetime) -> OpenState:
    """Whether a site is ``"open"``, ``"closed"`` or in an ``"unknown"`` state at ``moment``."""
    check_date(moment)
    if value is None:
        return "unknown"
    state, _comment = _parse(_on_day(value, moment)).state(moment.replace(tzinfo=None))
    if state == opening_hours.State.OPEN:
        return "open"
    if state == opening_hours.State.CLOSED:
        return "closed"
    return "unknown"


def is_open_at(
    value: str | None, moment: dt.datetime | dt.date, *, last_entry: int | None = None
) -> bool | None:
    """Whether a visitor can get in at ``moment`` (a datetime), or at some time on a date.

    Returns ``None`` when the hours are unknown. With a datetime, a site counts as open
    from its opening up to its last entry.
    """
    if isinstance(moment, dt.datetime):
        windows = visiting_windows(value, moment.date(), last_entry=last_entry)
        if windows is None:
            return None
        t = moment.replace(tzinfo=None)
        return any(w.opens <= t <= w.last_entry and t < w.closes for w in windows)
    windows = visiting_windows(value, moment, last_entry=last_entry)
    return None if windows is None else bool(windows)


# --------------------------------------------------------------------------- public holidays

#: The names of China's public holidays (Chinese, English), keyed by the code that
#: :func:`public_holiday` gives each day of the parser's calendar and of the added breaks.
HOLIDAY_NAMES: dict[str, tuple[str, str]] = {
    "new-year": ("元旦", "New Year's Day holiday"),
    "spring-festival": ("春节", "Spring Festival holiday"),
    "qingming": ("清明节", "Qingming Festival holiday"),
    "labour-day": ("劳动节", "Labour Day holiday"),
    "dragon-boat": ("端午节", "Dragon Boat Festival holiday"),
    "mid-autumn": ("中秋节", "Mid-Autumn Festival holiday"),
    "national-day": ("国庆节", "National Day holiday"),
    "holiday": ("公众假日", "public holiday"),
}
_WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_PH = re.compile(r"(?<![A-Za-z])PH(?![A-Za-z])")


@dataclass(frozen=True, slots=True)
class Holiday:
    """A day of one of China's public holidays.

    Attributes
    ----------
    day
        The date.
    code
        The key of :data:`HOLIDAY_NAMES` (``national-day``).
    name_zh, name_en
        ``国庆节``, ``National Day holiday``.
    in_calendar
        ``True`` when the parser's own calendar holds the day; ``False`` for a day of the
        break that redroute adds around it.
    """

    day: dt.date
    code: str
    name_zh: str
    name_en: str
    in_calendar: bool

    def label(self) -> str:
        """``2027-10-04 国庆节 / National Day holiday``."""
        return f"{self.day.isoformat()} {self.name_zh} / {self.name_en}"


@lru_cache(maxsize=512)
def _in_calendar(day: dt.date) -> bool:
    moment = dt.datetime.combine(day, dt.time(12))
    state, _comment = _parse("PH").state(moment)
    return bool(state == opening_hours.State.OPEN)


def _calendar_code(day: dt.date) -> str:
    """Which holiday a day of the parser's calendar is: by its place in the year."""
    fixed = {(1, 1): "new-year", (5, 1): "labour-day", (10, 1): "national-day"}
    if (day.month, day.day) in fixed:
        return fixed[day.month, day.day]
    by_month = {1: "spring-festival", 2: "spring-festival", 4: "qingming", 5: "dragon-boat",
                6: "dragon-boat", 9: "mid-autumn", 10: "mid-autumn"}
    return by_month.get(day.month, "holiday")


@lru_cache(maxsize=128)
def _spring_festival(year: int) -> dt.date | None:
    """The first day of the lunar year, as the parser's calendar has it."""
    day = dt.date(year, 1, 15)
    while day <= dt.date(year, 2, 25):
        if _in_calendar(day) and _calendar_code(day) == "spring-festival":
            return day
        day += _DAY
    return None


def _break_code(day: dt.date) -> str | None:
    """The yearly break a day belongs to, outside the parser's calendar."""
    if day.month == 10 and day.day <= 7:  # National Day week
        return "national-day"
    if day.month == 5 and day.day <= 5:  # the May Day break
        return "labour-day"
    first = _spring_festival(day.year)
    if first is not None and -1 <= (day - first).days <= 6:  # eve to 6th day
        return "spring-festival"
    return None


def public_holiday(day: dt.date) -> Holiday | None:
    """The public holiday ``day`` falls on, or ``None`` on an ordinary day.

    Parameters
    ----------
    day
        A date (or a datetime: its date counts).

    Returns
    -------
    Holiday or None
        A day of the parser's calendar of China's public holidays, or of the National Day,
        Labour Day or Spring Festival break around it (see the module's notes).

    Raises
    ------
    HoursError
        When ``day`` is outside the supported years (:func:`check_date`).
    """
    check_date(day)
    if isinstance(day, dt.datetime):
        day = day.date()
    if _in_calendar(day):
        code = _calendar_code(day)
        return Holiday(day, code, *HOLIDAY_NAMES[code], in_calendar=True)
    added = _break_code(day)
    if added is None:
        return None
    return Holiday(day, added, *HOLIDAY_NAMES[added], in_calendar=False)


def _on_day(value: str, day: dt.date) -> str:
    """``value`` as it reads on ``day``: on a holiday the parser does not know, ``PH`` is
    that day's weekday (``Tu-Su,PH`` -> ``Tu-Su,Mo`` on a holiday Monday), so that the
    expression's holiday rules apply to it and only to it."""
    if "PH" not in value:
        return value
    holiday = public_holiday(day)
    if holiday is None or holiday.in_calendar:
        return value
    weekday = _WEEKDAYS[day.weekday()]
    # quoted comments keep their text: only the even parts are rules
    parts = value.split('"')
    parts[::2] = [_PH.sub(weekday, part) for part in parts[::2]]
    changed = '"'.join(parts)
    try:
        _parse(changed)
    except HoursError:  # a holiday offset such as "PH +1 day": keep the parser's reading
        return value
    return changed
