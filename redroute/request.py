"""What a person asks for: the validated knobs of one plan (:class:`PlanRequest`).

A request is built in one of three ways, each naming the bad value and where it came from
when it does not validate:

- in Python: ``PlanRequest(stops=("old-yuyangli-2", "chengyuli-12"), hours=3)``;
- from a TOML file: :meth:`PlanRequest.from_toml` (a curated route file is a request plus
  its curation metadata, so a route file reads as a request too);
- from command-line options: :meth:`PlanRequest.from_cli`, on top of a route's request.

:func:`redroute.plan.make_plan` turns a request into a plan. Landmark ids are checked against
the catalogue there, since a request does not know which catalogue it will meet.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from redroute import settings
from redroute._errors import PlanError, RedrouteError
from redroute.itinerary import Place
from redroute.vocabulary import DISTRICTS, THEMES

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["CRS", "CURATION_FIELDS", "ORDERS", "PlanRequest"]

ORDERS = ("optimize", "fixed")
CRS = ("wgs84", "gcj02", "bd09")
#: Fields of a route file that describe the route rather than the plan; a request read from
#: a route file ignores them.
CURATION_FIELDS = ("id", "description_zh", "description_en", "days")
#: The command-line option of each field, for error messages of :meth:`PlanRequest.from_cli`.
CLI_OPTIONS = {
    "stops": "--stops", "theme": "--theme", "district": "--district", "order": "--order",
    "mandatory": "--must", "start": "--start", "end": "--end", "crs": "--crs",
    "start_time": "--start-time", "hours": "--hours", "pace": "--pace",
    "step_free": "--step-free", "max_walk_km": "--max-km", "title_zh": "--title-zh",
    "title_en": "--title-en", "time_limit": "--time-limit", "seed": "--seed",
    "core": "--core", "lunch": "--lunch", "lunch_minutes": "--lunch-minutes",
    "walk_limit_km": "--walk-limit", "metro": "--metro/--no-metro",
}
_SLUG = re.compile(r"[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*")

Problems = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """One walk as a person asks for it. Every field has a default; see the README.

    Attributes
    ----------
    stops
        Candidate landmark ids. Empty: every landmark matching ``theme`` and ``district``
        (waypoints excepted); at least one of the three must be given.
    theme, district
        Filters of the catalogue (see ``redroute.vocabulary``); also used for the title.
    order
        ``"optimize"`` (the solver chooses and orders the stops) or ``"fixed"`` (``stops``
        in that order, some possibly left out).
    mandatory
        Landmark ids that must be visited (added to the candidates if need be).
    start, end
        A landmark id, ``"LAT,LON"``, a gazetteer name (``redroute.plan.GAZETTEER``), a
        metro station or a common name (:mod:`redroute.places`), or a
        :class:`~redroute.itinerary.Place`. ``start=None`` (the default) starts at the metro
        station nearest to the centre of the candidate stops; a curated route names its own
        start. ``end="start"`` makes a round trip; ``None`` ends at the last stop.
    crs
        Datum of ``LAT,LON`` start and end points: ``wgs84``, ``gcj02`` (AMap, Tencent) or
        ``bd09`` (Baidu). Converted to WGS-84 at once.
    start_time, hours
        When the walk starts and how long it may take (more than 0, at most 24 hours).
    pace
        ``standard`` (4.5 km/h), ``senior`` (3.5), ``family`` (3.0) or a speed in km/h.
    step_free
        Avoid steps.
    max_walk_km
        A cap on the walking distance of the day, or ``None`` for the pace's default.
    walk_limit_km, metro
        A leg that would walk more than ``walk_limit_km`` (default 2 km; or cross the
        Huangpu) goes by metro instead when that is quicker: walk to a station, ride, walk on
        (:mod:`redroute.transit`; the ride is an estimate). ``metro=False``: walk every leg.
    core
        The stops a curated route promises (its description names them): kept whenever
        they are open and fit, and the plan says which and why when one cannot be.
    lunch, lunch_minutes
        The lunch window ``"HH:MM-HH:MM"`` (default ``"11:30-13:30"``; ``None`` for no
        lunch break) and the length of the break in minutes (default 45).
    title_zh, title_en
        Titles of the walk; default: made from the theme and district.
    time_limit, seed
        Seconds the solver may search (above 15 candidates) and the seed of its search.
    """

    stops: tuple[str, ...] = ()
    theme: str | None = None
    district: str | None = None
    order: Literal["optimize", "fixed"] = "optimize"
    mandatory: tuple[str, ...] = ()
    start: str | Place | None = None
    end: str | Place | None = "start"
    crs: str = "wgs84"
    start_time: dt.time = dt.time(9, 0)
    hours: float = 4.0
    pace: str | float = "standard"
    step_free: bool = False
    max_walk_km: float | None = None
    title_zh: str | None = None
    title_en: str | None = None
    time_limit: float = 2.0
    seed: int = 0
    core: tuple[str, ...] = ()
    lunch: str | None = "11:30-13:30"
    lunch_minutes: int = 45
    walk_limit_km: float = 2.0
    metro: bool = True

    def __post_init__(self) -> None:
        # Lists become tuples so that a request is hashable and cannot change under a plan.
        for name in ("stops", "mandatory", "core"):
            value = getattr(self, name)
            if isinstance(value, list):
                object.__setattr__(self, name, tuple(value))
        problems = _check(_values(self))
        if problems:
            _raise(problems, lambda field: f"PlanRequest {field}")
        for name in ("hours", "max_walk_km", "time_limit", "walk_limit_km"):
            value = getattr(self, name)
            if isinstance(value, int):
                object.__setattr__(self, name, float(value))

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "request",
                  line_of: Callable[[str], int | None] | None = None) -> PlanRequest:
        """A request from plain values, as read from TOML or JSON.

        ``start_time`` may be ``"HH:MM"`` or a time; ``end = ""`` or ``"none"`` ends at the
        last stop. Keys of a route file's curation metadata (:data:`CURATION_FIELDS`, titles,
        theme, district) are accepted; any other unknown key is an error. Errors name
        ``source`` (and the line, when ``line_of`` finds it).
        """

        def where(field: str) -> str:
            line = line_of(field) if line_of else None
            return f"{source} line {line}: {field}" if line else f"{source}: {field}"

        names = {f.name for f in dataclasses.fields(cls)}
        problems: Problems = [
            (key, f"unknown field (expected one of {', '.join(sorted(names))})")
            for key in data if key not in names and key not in CURATION_FIELDS]
        values = {k: v for k, v in data.items() if k in names}
        values, more = _coerce(values)
        problems += more + _check(values)
        if problems:
            _raise(problems, where)
        return cls(**values)

    @classmethod
    def from_toml(cls, path: str | Path) -> PlanRequest:
        """A request from a TOML file: the fields of :class:`PlanRequest`, or a route file."""
        text, data = read_toml(path, what="request file", error=PlanError)
        return cls.from_dict(data, source=str(path), line_of=lambda f: line_of(text, f))

    @classmethod
    def from_cli(cls, base: PlanRequest | None = None, **options: Any) -> PlanRequest:
        """``base`` (default: the defaults) with the command-line options that were given.

        Options are the field names; ``None`` means "not given". ``stops`` and ``mandatory``
        may be comma-separated text; ``end="none"`` ends at the last stop. Errors name the
        option (``--hours 30: ...``).
        """

        def where(field: str) -> str:
            option = CLI_OPTIONS.get(field, f"--{field.replace('_', '-')}")
            given = options.get(field)
            shown = "" if given is None or isinstance(given, bool) else f" {given}"
            return f"{option}{shown}"

        given = {k: v for k, v in options.items() if v is not None}
        for key in ("stops", "mandatory"):
            if isinstance(given.get(key), str):
                given[key] = [i.strip() for i in given[key].split(",") if i.strip()]
        unknown = [k for k in given if k not in CLI_OPTIONS]
        if unknown:
            msg = f"unknown request option {unknown[0]!r}"
            raise TypeError(msg)
        values = _values(base) if base is not None else {}
        changes, problems = _coerce(given)
        values.update(changes)
        problems += _check(values)
        if problems:
            _raise(problems, where)
        return cls(**values)

    def replace(self, **changes: Any) -> PlanRequest:
        """A copy with ``changes`` (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain values (TOML/JSON friendly), the inverse of :meth:`from_dict`."""
        return {name: _plain(name, value) for name, value in _values(self).items()}


# --------------------------------------------------------------------------- checks


def read_toml(path: str | Path, *, what: str,
              error: type[RedrouteError]) -> tuple[str, dict[str, Any]]:
    """The text and the table of a TOML file (a request or a route), or one ``error``
    naming the file: missing, unreadable, not UTF-8 or not TOML."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"{what} {str(p)!r} does not exist"
        raise error(msg) from None
    except (OSError, UnicodeDecodeError) as err:
        msg = f"cannot read {what} {str(p)!r}: {err}"
        raise error(msg) from err
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        msg = f"{p}: invalid TOML: {err}"
        raise error(msg) from None


def line_of(text: str, field: str) -> int | None:
    """The line number of ``text`` where the TOML key ``field`` is set, if any."""
    pattern = re.compile(rf"^\s*{re.escape(field)}\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def lunch_window(text: str) -> tuple[dt.time, dt.time] | None:
    """``"11:30-13:30"`` as two times (the first before the second), else ``None``."""
    m = re.fullmatch(r"\s*(\d{1,2}:\d{2})\s*[-–~至到]\s*(\d{1,2}:\d{2})\s*", str(text))
    if not m:
        return None
    try:
        a, b = (dt.time.fromisoformat(x.zfill(5)) for x in m.groups())
    except ValueError:
        return None
    return (a, b) if a < b else None


def _q(value: Any) -> str:
    """A value as the user wrote it: text in double quotes, like the TOML."""
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _plain(name: str, value: Any) -> Any:
    if isinstance(value, Place):
        return f"{value.lat:.6f},{value.lon:.6f}"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, tuple):
        return list(value)
    if value is None and name == "end":
        return "none"
    return value


def _values(request: PlanRequest) -> dict[str, Any]:
    return {f.name: getattr(request, f.name) for f in dataclasses.fields(request)}


def _raise(problems: Problems, where: Callable[[str], str]) -> None:
    lines = [f"{where(field)}: {message}" for field, message in problems]
    more = len(lines) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
    raise PlanError(lines[0] + tail, problems=lines)


def _coerce(values: dict[str, Any]) -> tuple[dict[str, Any], Problems]:
    """Text and list forms of TOML/CLI values turned into the fields' types."""
    out = dict(values)
    problems: Problems = []
    raw = out.get("start_time")
    if isinstance(raw, str):
        try:
            out["start_time"] = dt.time.fromisoformat(raw.strip())
        except ValueError:
            problems.append(("start_time", f"{_q(raw)} is not a time HH:MM"))
            del out["start_time"]
    end = out.get("end")
    if isinstance(end, str) and end.strip().lower() in ("", "none"):
        out["end"] = None
    lunch = out.get("lunch")
    if isinstance(lunch, str) and lunch.strip().lower() in ("", "none", "no"):
        out["lunch"] = None
    for key in ("stops", "mandatory", "core"):
        if isinstance(out.get(key), list):
            out[key] = tuple(out[key])
    pace = out.get("pace")
    if isinstance(pace, str) and pace.strip().lower() not in settings.PACES:
        with contextlib.suppress(ValueError):  # else reported by _check, with the choices
            out["pace"] = float(pace)
    if isinstance(pace, str) and pace.strip().lower() in settings.PACES:
        out["pace"] = pace.strip().lower()
    return out, problems


def _is_number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def _check(values: Mapping[str, Any]) -> Problems:
    """Every problem of these field values, as (field, message)."""
    return (_check_stops(values) + _check_places(values) + _check_time(values)
            + _check_pace(values.get("pace", "standard")) + _check_other(values))


def _check_stops(values: Mapping[str, Any]) -> Problems:
    problems: Problems = []
    get = values.get
    for key in ("stops", "mandatory"):
        ids = get(key, ())
        if not isinstance(ids, tuple | list) or not all(isinstance(i, str) for i in ids):
            problems.append((key, "must be a list of landmark ids"))
            continue
        bad = [i for i in ids if not _SLUG.fullmatch(i)]
        if bad:
            problems.append((key, f"{_q(bad[0])} is not a landmark id"))
        dups = [i for i in dict.fromkeys(ids) if list(ids).count(i) > 1]
        if dups and key == "stops":
            problems.append((key, f"landmark {_q(dups[0])} is listed twice"))
    for key, table in (("theme", THEMES), ("district", DISTRICTS)):
        value = get(key)
        if value is not None and value not in table:
            problems.append((key, f"{_q(value)} is not one of {', '.join(table)}"))
    if not (get("stops") or get("theme") or get("district")):
        problems.append(("stops", "no candidate stops: give stops, a theme or a district"))
    if get("order", "optimize") not in ORDERS:
        problems.append(("order", f'{_q(get("order"))} must be "fixed" or "optimize"'))
    elif get("order") == "fixed" and not get("stops"):
        problems.append(("order", "fixed needs the stops in their order"))
    return problems


def _check_places(values: Mapping[str, Any]) -> Problems:
    problems: Problems = []
    for key in ("start", "end"):
        value = values.get(key, "start")
        if value is None:  # start: the nearest station; end: the last stop
            continue
        if not (isinstance(value, Place) or (isinstance(value, str) and value.strip())):
            problems.append((key, "must be a landmark id, LAT,LON or a place name"))
    if values.get("crs", "wgs84") not in CRS:
        problems.append(("crs", f"{_q(values.get('crs'))} must be one of {', '.join(CRS)}"))
    return problems


def _check_time(values: Mapping[str, Any]) -> Problems:
    problems: Problems = []
    if not isinstance(values.get("start_time", dt.time(9)), dt.time):
        problems.append(("start_time", f"{_q(values.get('start_time'))} is not a time HH:MM"))
    hours = values.get("hours", 4.0)
    if not (_is_number(hours) and 0 < hours <= 24):
        problems.append(("hours", f"{_q(hours)} must be a number of hours more than 0 and at "
                                  "most 24"))
    limit = values.get("time_limit", 2.0)
    if not (_is_number(limit) and 0 < limit <= 600):
        problems.append(("time_limit", f"{_q(limit)} must be seconds more than 0, at most 600"))
    return problems


def _check_other(values: Mapping[str, Any]) -> Problems:
    problems: Problems = []
    if not isinstance(values.get("step_free", False), bool):
        problems.append(("step_free", "must be true or false"))
    cap = values.get("max_walk_km")
    if cap is not None and not (_is_number(cap) and cap > 0):
        problems.append(("max_walk_km", f"{_q(cap)} must be a positive number of kilometres"))
    limit = values.get("walk_limit_km", 2.0)
    if not (_is_number(limit) and 0 < limit <= 50):
        problems.append(("walk_limit_km", f"{_q(limit)} must be a number of kilometres more "
                                          "than 0, at most 50"))
    if not isinstance(values.get("metro", True), bool):
        problems.append(("metro", "must be true or false"))
    for key in ("title_zh", "title_en"):
        value = values.get(key)
        if value is not None and not (isinstance(value, str) and value.strip()):
            problems.append((key, "must be a non-empty text"))
    core = values.get("core", ())
    if not isinstance(core, tuple | list) or not all(isinstance(i, str) for i in core):
        problems.append(("core", "must be a list of landmark ids"))
    elif values.get("stops") and any(i not in values["stops"] for i in core):
        problems.append(("core", "must list landmark ids that are among the stops"))
    lunch = values.get("lunch", "11:30-13:30")
    if lunch is not None and lunch_window(lunch) is None:
        problems.append(("lunch", f"{_q(lunch)} is not a window HH:MM-HH:MM"))
    minutes = values.get("lunch_minutes", 45)
    if not (isinstance(minutes, int) and not isinstance(minutes, bool) and 10 <= minutes <= 120):
        problems.append(("lunch_minutes", f"{_q(minutes)} must be 10 to 120 minutes"))
    seed = values.get("seed", 0)
    if not (isinstance(seed, int) and not isinstance(seed, bool)):
        problems.append(("seed", f"{_q(seed)} must be an integer"))
    return problems


def _check_pace(pace: Any) -> Problems:
    choices = ", ".join(f"{k} ({v:g} km/h)" for k, v in settings.PACES.items())
    if isinstance(pace, str):
        if pace in settings.PACES:
            return []
        return [("pace", f"{_q(pace)} is not a pace: expected {choices}, or km/h")]
    if not _is_number(pace):
        return [("pace", f"{_q(pace)} is not a pace: expected {choices}, or km/h")]
    if not 0.5 <= pace <= 10:
        return [("pace", f"walking speed {pace:g} km/h is not between 0.5 and 10")]
    return []
