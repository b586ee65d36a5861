"""Curated red routes: one TOML file each, validated against the catalogue.

A route names its stops by landmark id, says whether their order is the curator's
(``order = "fixed"``) or the solver's (``"optimize"``), and gives the defaults of a plan:
start and end point, recommended days and start time, expected duration and pace. The
README's "Curated routes" section documents every field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redroute._errors import NotFoundError, PlanError, RouteError
from redroute.request import PlanRequest, line_of, read_toml

if TYPE_CHECKING:
    from redroute.catalogue import Catalogue

__all__ = ["Route", "RouteError", "get_route", "load_route", "load_routes", "shipped_routes_folder"]

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_REQUIRED = ("id", "title_zh", "title_en", "theme", "district", "description_zh",
             "description_en", "order", "stops", "start", "days", "start_time", "hours")
#: A curated walk fits in a day: longer requests are for free plans.
MAX_ROUTE_HOURS = 12


@dataclass(frozen=True, slots=True)
class Route:
    """A curated route: its curation metadata and the :class:`PlanRequest` it stands for."""

    id: str
    title_zh: str
    title_en: str
    theme: str
    district: str
    description_zh: str
    description_en: str
    days: tuple[str, ...]
    request: PlanRequest
    source: str = ""

    # The request's fields that route listings show, for convenience.
    @property
    def stops(self) -> tuple[str, ...]:
        """The route's stops, by landmark id, in the curator's order."""
        return self.request.stops

    @property
    def mandatory(self) -> tuple[str, ...]:
        """Stops that every plan of the route must visit."""
        return self.request.mandatory

    @property
    def order(self) -> str:
        """``fixed`` (the curator's order) or ``optimize``."""
        return self.request.order

    @property
    def start(self) -> str:
        """Where the walk starts (a place name, landmark id or LAT,LON)."""
        return str(self.request.start)

    @property
    def end(self) -> str | None:
        """Where it ends: a place, ``"start"`` for a round trip, ``None`` at the last stop."""
        return None if self.request.end is None else str(self.request.end)

    @property
    def start_time(self) -> dt.time:
        """The recommended start time."""
        return self.request.start_time

    @property
    def hours(self) -> float:
        """The expected duration in hours."""
        return self.request.hours

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

    def to_dict(self) -> dict[str, Any]:
        """Plain values: the route file's fields (JSON friendly)."""
        return {"id": self.id, "title_zh": self.title_zh, "title_en": self.title_en,
                "theme": self.theme, "district": self.district,
                "description_zh": self.description_zh, "description_en": self.description_en,
                "days": list(self.days), **self.request.to_dict(), "source": self.source}


def shipped_routes_folder() -> Path:
    """The folder of the curated routes shipped with redroute."""
    return Path(str(resources.files("redroute") / "data" / "routes"))


def load_route(path: str | Path, catalogue: Catalogue) -> Route:
    """Read and validate one route file; every problem is reported, each with its line."""
    p = Path(path)
    text, data = read_toml(p, what="route file", error=RouteError)
    problems: list[str] = []

    def bad(field: str, message: str, needle: str | None = None) -> None:
        line = _find(text, needle) if needle is not None else line_of(text, field)
        where = f"{p} line {line}" if line else str(p)
        problems.append(f"{where}: {field}: {message}")

    _check_fields(data, bad)
    _check_stops(data, catalogue, bad)
    request = None
    try:
        request = PlanRequest.from_dict(data, source=str(p), line_of=lambda f: line_of(text, f))
    except PlanError as err:
        problems.extend(err.problems)
    if problems or request is None:
        more = len(problems) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        raise RouteError(problems[0] + tail, problems=problems)
    return Route(id=str(data["id"]), title_zh=data["title_zh"], title_en=data["title_en"],
                 theme=data["theme"], district=data["district"],
                 description_zh=data["description_zh"], description_en=data["description_en"],
                 days=tuple(data["days"]), request=request, source=str(p))


def _find(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def _check_fields(data: dict[str, Any], bad: Any) -> None:
    """The curation fields; the request's own fields are checked by PlanRequest."""
    for field in _REQUIRED:
        if field not in data:
            bad(field, "missing required field", "\0")
    for field in ("id", "title_zh", "title_en", "description_zh", "description_en"):
        if field in data and not (isinstance(data[field], str) and data[field].strip()):
            bad(field, "must be a non-empty string")
    rid = data.get("id")
    if isinstance(rid, str) and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rid):
        bad("id", f'"{rid}" is not a slug (lower-case letters, digits, single hyphens)')
    days = data.get("days", [])
    if not (isinstance(days, list) and days and all(d in DAYS for d in days)):
        bad("days", f"must be a list of {', '.join(DAYS)}")
    hours = data.get("hours")
    # Beyond 24 h (or not a number) PlanRequest reports it.
    if isinstance(hours, int | float) and MAX_ROUTE_HOURS < hours <= 24:
        bad("hours", f"{hours!r} must be a number of hours between 0 and {MAX_ROUTE_HOURS}")
    pace = data.get("pace", "standard")
    if isinstance(pace, int | float):  # a speed is for free plans; names are checked there
        bad("pace", f'"{pace}" must be standard, senior or family')


def _check_stops(data: dict[str, Any], cat: Catalogue, bad: Any) -> None:
    stops = data.get("stops", [])
    if not (isinstance(stops, list) and stops and all(isinstance(s, str) for s in stops)):
        bad("stops", "must be a non-empty list of landmark ids")
        return
    known = set(cat.ids)
    for stop in stops:
        if stop not in known:
            try:
                cat.get(stop)
            except NotFoundError as err:
                bad("stops", str(err), f'"{stop}"')
    mandatory = data.get("mandatory", [])
    if isinstance(mandatory, list) and any(m not in stops for m in mandatory):
        bad("mandatory", "must list landmark ids that are among the stops")


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
