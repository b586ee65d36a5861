"""Curated red routes: one TOML file each, validated against the catalogue.

A route names its stops by landmark id, says whether their order is the curator's
(``order = "fixed"``) or the solver's (``"optimize"``), and gives the defaults of a plan:
start and end point, recommended days and start time, expected duration and pace. The
README's "Curated routes" section documents every field.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from redroute._errors import NotFoundError, RouteError
from redroute.vocabulary import DISTRICTS, THEMES

if TYPE_CHECKING:
    from redroute.catalogue import Catalogue

__all__ = ["Route", "RouteError", "get_route", "load_route", "load_routes", "shipped_routes_folder"]

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_REQUIRED = ("id", "title_zh", "title_en", "theme", "district", "description_zh",
             "description_en", "order", "stops", "start", "days", "start_time", "hours")
_OPTIONAL = ("end", "mandatory", "pace", "step_free")



@dataclass(frozen=True, slots=True)
class Route:
    """A curated route."""

    id: str
    title_zh: str
    title_en: str
    theme: str
    district: str
    description_zh: str
    description_en: str
    order: Literal["fixed", "optimize"]
    stops: tuple[str, ...]
    start: str
    end: str | None  # a place, "start" for a round trip, None to end at the last stop
    days: tuple[str, ...]
    start_time: dt.time
    hours: float
    mandatory: tuple[str, ...] = ()
    pace: str = "standard"
    step_free: bool = False
    source: str = ""

    def recommended_on(self, day: dt.date) -> bool:
        """Whether ``day`` is one of the route's recommended days."""
        return DAYS[day.weekday()] in self.days

    def next_recommended_day(self, start: dt.date) -> dt.date:
        """The first of the route's recommended days on or after ``start``."""
        for offset in range(7):
            day = start + dt.timedelta(days=offset)
            if self.recommended_on(day):
                return day
        return start

    def plan_options(self) -> dict[str, Any]:
        """The route's defaults as keyword arguments of :func:`redroute.plan.make_plan`."""
        return {"stops": list(self.stops), "order": self.order, "start": self.start,
                "end": self.end, "start_time": self.start_time, "hours": self.hours,
                "pace": self.pace, "step_free": self.step_free,
                "mandatory": list(self.mandatory), "title_zh": self.title_zh,
                "title_en": self.title_en}


def shipped_routes_folder() -> Path:
    """The folder of the curated routes shipped with redroute."""
    return Path(str(resources.files("redroute") / "data" / "routes"))


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def load_route(path: str | Path, catalogue: Catalogue) -> Route:
    """Read and validate one route file; every problem is reported, each with its line."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"route file {str(p)!r} does not exist"
        raise RouteError(msg) from None
    except (OSError, UnicodeDecodeError) as err:
        msg = f"cannot read route file {str(p)!r}: {err}"
        raise RouteError(msg) from err
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        msg = f"{p}: invalid TOML: {err}"
        raise RouteError(msg) from None
    problems: list[str] = []

    def bad(field: str, message: str, needle: str | None = None) -> None:
        line = _line_of(text, needle if needle is not None else f"{field} ")
        where = f"{p} line {line}" if line else str(p)
        problems.append(f"{where}: {field}: {message}")

    route = _check(data, catalogue, bad, source=str(p))
    if problems or route is None:
        more = len(problems) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        raise RouteError(problems[0] + tail, problems=problems)
    return route


def _check(data: dict[str, Any], cat: Catalogue, bad: Any, *, source: str) -> Route | None:
    _check_fields(data, bad)
    stops, mandatory = _check_stops(data, cat, bad)
    start_time = _check_schedule(data, bad)
    if not all(f in data for f in _REQUIRED) or start_time is None:
        return None
    end = data.get("end", "start")
    return Route(
        id=str(data["id"]), title_zh=data["title_zh"], title_en=data["title_en"],
        theme=data["theme"], district=data["district"],
        description_zh=data["description_zh"], description_en=data["description_en"],
        order=data["order"], stops=tuple(stops), start=data["start"],
        end=None if end == "" else end, days=tuple(data["days"]), start_time=start_time,
        hours=float(data["hours"]), mandatory=tuple(mandatory),
        pace=data.get("pace", "standard"), step_free=bool(data.get("step_free", False)),
        source=source,
    )


def _check_fields(data: dict[str, Any], bad: Any) -> None:
    for field in _REQUIRED:
        if field not in data:
            bad(field, "missing required field", "\0")
    for field in data:
        if field not in _REQUIRED + _OPTIONAL:
            bad(field, f"unknown field (expected one of {', '.join(_REQUIRED + _OPTIONAL)})")
    for field in ("id", "title_zh", "title_en", "description_zh", "description_en", "start"):
        if field in data and not (isinstance(data[field], str) and data[field].strip()):
            bad(field, "must be a non-empty string")
    rid = data.get("id")
    if isinstance(rid, str) and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rid):
        bad("id", f'"{rid}" is not a slug (lower-case letters, digits, single hyphens)')
    vocab = {"theme": THEMES, "district": DISTRICTS}
    for field, table in vocab.items():
        if field in data and data[field] not in table:
            bad(field, f'"{data[field]}" is not one of {", ".join(table)}')
    if "order" in data and data["order"] not in ("fixed", "optimize"):
        bad("order", f'"{data["order"]}" must be "fixed" or "optimize"')


def _check_stops(data: dict[str, Any], cat: Catalogue, bad: Any) -> tuple[list[str], list[str]]:
    stops = data.get("stops", [])
    if not (isinstance(stops, list) and stops and all(isinstance(s, str) for s in stops)):
        bad("stops", "must be a non-empty list of landmark ids")
        return [], []
    known = set(cat.ids)
    for stop in stops:
        if stop not in known:
            try:
                cat.get(stop)
            except NotFoundError as err:
                bad("stops", str(err), f'"{stop}"')
    for dup in dict.fromkeys(s for s in stops if stops.count(s) > 1):
        bad("stops", f'landmark "{dup}" is listed twice', f'"{dup}"')
    mandatory = data.get("mandatory", [])
    if not isinstance(mandatory, list) or any(m not in stops for m in mandatory):
        bad("mandatory", "must list landmark ids that are among the stops")
        mandatory = []
    return stops, mandatory


def _check_schedule(data: dict[str, Any], bad: Any) -> dt.time | None:
    days = data.get("days", [])
    if not (isinstance(days, list) and days and all(d in DAYS for d in days)):
        bad("days", f"must be a list of {', '.join(DAYS)}")
    start_time = None
    raw = data.get("start_time")
    if raw is not None:
        try:
            start_time = dt.time.fromisoformat(str(raw))
        except ValueError:
            bad("start_time", f'"{raw}" is not a time HH:MM')
    hours = data.get("hours")
    if hours is not None and not (isinstance(hours, int | float) and 0 < hours <= 12):
        bad("hours", f"{hours!r} must be a number of hours between 0 and 12")
    if data.get("pace", "standard") not in ("standard", "senior", "family"):
        bad("pace", f'"{data["pace"]}" must be standard, senior or family')
    return start_time


def load_routes(folder: str | Path | None, catalogue: Catalogue) -> dict[str, Route]:
    """Every route of a folder (default: the shipped ones), by id.

    Raises :class:`RouteError` listing every problem of every file.
    """
    root = Path(folder) if folder is not None else shipped_routes_folder()
    if not root.is_dir():
        msg = f"routes folder {str(root)!r} does not exist"
        raise RouteError(msg)
    routes: dict[str, Route] = {}
    problems: list[str] = []
    for path in sorted(root.glob("*.toml")):
        try:
            route = load_route(path, catalogue)
        except RouteError as err:
            problems.extend(err.problems)
            continue
        if route.id in routes:
            problems.append(f"{path}: id: \"{route.id}\" is also the id of "
                            f"{routes[route.id].source}")
        elif route.id != path.stem:
            problems.append(f"{path}: id: \"{route.id}\" does not match the file name")
        routes[route.id] = route
    if problems:
        more = len(problems) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        raise RouteError(problems[0] + tail, problems=problems)
    if not routes:
        msg = f"routes folder {str(root)!r} holds no .toml route files"
        raise RouteError(msg)
    return routes


def get_route(route_id: str, routes: dict[str, Route]) -> Route:
    """The route with this id, or a :class:`NotFoundError` listing the known ones."""
    if route_id in routes:
        return routes[route_id]
    import difflib

    close = difflib.get_close_matches(route_id, routes, n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    msg = f"no curated route {route_id!r} (known: {', '.join(sorted(routes))}){hint}"
    raise NotFoundError(msg)
