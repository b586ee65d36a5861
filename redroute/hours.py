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

A landmark without ``opening_hours`` has **unknown** hours: the functions here return
``None`` for it, never "open", and callers must treat it as such.
"""

from __future__ import annotations

import datetime as dt
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
    "LAST_YEAR",
    "SUN_PLACE",
    "Window",
    "check_date",
    "check_opening_hours",
    "date_problem",
    "is_open_at",
    "open_state",
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
    for a, b, state, _comment in _parse(value).intervals(start, end):
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
    state, _comment = _parse(value).state(moment.replace(tzinfo=None))
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
