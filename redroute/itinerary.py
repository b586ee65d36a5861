"""The itinerary a person follows: stops with times, legs with their streets, totals.

:func:`build_itinerary` turns a solver :class:`~redroute.solver.Solution` over a
:class:`~redroute.matrix.TravelMatrix` into an :class:`Itinerary`. An itinerary round-trips
through a documented, versioned JSON format (:func:`itinerary_schema`, ``to_json`` /
:func:`load_itinerary`) and exports as GeoJSON (stops as Points, legs as LineStrings); the
terminal schedule is :func:`redroute.export.text.schedule_text`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redroute._errors import ItineraryError
from redroute.directions import Step, arrive_at
from redroute.transit import Ride
from redroute.wording import REASONS, reason_words

if TYPE_CHECKING:
    from collections.abc import Sequence

    from redroute.catalogue import Landmark
    from redroute.matrix import TravelMatrix
    from redroute.solver import Solution

__all__ = [
    "SCHEMA_ID",
    "Break",
    "Excluded",
    "Itinerary",
    "ItineraryError",
    "Leg",
    "Place",
    "Stop",
    "build_itinerary",
    "itinerary_schema",
    "load_itinerary",
]

SCHEMA_ID = "redroute-itinerary/1"


@dataclass(frozen=True, slots=True)
class Place:
    """A start or end point (a landmark, a station, or coordinates)."""

    name_zh: str
    name_en: str
    lon: float
    lat: float
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Stop:
    """One visit of the tour."""

    number: int
    id: str
    name_zh: str
    name_en: str
    address_zh: str
    lon: float
    lat: float
    arrival: dt.datetime
    start: dt.datetime
    end: dt.datetime
    hours_today: str | None  # "09:00-16:30", "24/7", None when unknown
    booking: str = "none"
    booking_note_zh: str | None = None
    booking_note_en: str | None = None
    summary_zh: str = ""
    summary_en: str = ""
    mandatory: bool = False
    hours_confirmed: bool = True  # False: the hours are from an unofficial listing

    @property
    def wait_minutes(self) -> float:
        """Minutes spent waiting for the site to open."""
        return (self.start - self.arrival).total_seconds() / 60

    @property
    def visit_minutes(self) -> float:
        """Length of the visit in minutes."""
        return (self.end - self.start).total_seconds() / 60


@dataclass(frozen=True, slots=True)
class Leg:
    """The walk between two consecutive points of the tour."""

    origin: str  # stop id, or "start"
    destination: str  # stop id, or "end"
    depart: dt.datetime
    arrive: dt.datetime
    distance_m: float
    duration_s: float
    geometry: list[tuple[float, float]]
    steps: list[Step]
    estimated: bool
    #: A metro ride in the middle of the leg (estimated): ``distance_m`` is then the walking
    #: only, ``duration_s`` the whole leg; the ride runs from ``geometry[ride_at]`` to the
    #: next point.
    ride: Ride | None = None
    ride_at: int = -1

    @property
    def walking_s(self) -> float:
        """The time on foot (the whole leg less its ride)."""
        return self.duration_s - (self.ride.seconds if self.ride else 0.0)


@dataclass(frozen=True, slots=True)
class Break:
    """A pause of the walk between two stops (a meal), never inside a visit."""

    start: dt.datetime
    end: dt.datetime
    after_stop: int  # the number of the stop it follows; 0 = before the first stop
    kind: str = "lunch"

    @property
    def minutes(self) -> float:
        """Length of the break in minutes."""
        return (self.end - self.start).total_seconds() / 60


@dataclass(frozen=True, slots=True)
class Excluded:
    """A candidate stop left out, with the reason in both languages."""

    id: str
    name_zh: str
    name_en: str
    reason: str
    detail: str
    #: One of the stops a curated route promises (``PlanRequest.core``): the schedule names
    #: it on its first lines.
    core: bool = False
    #: How far off the route the stop is: the walk its visit would add, in metres (for
    #: ``lower-score``, ``distance`` and ``detour``; ``None`` when not computed).
    detour_m: float | None = None
    #: The ids of the kept stops of more value near it, for ``lower-score``.
    instead: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # read back from JSON, a list: a tuple, so that a file round-trips to an equal value
        object.__setattr__(self, "instead", tuple(self.instead))

    @property
    def reason_zh(self) -> str:
        return reason_words(self.reason).zh

    @property
    def reason_en(self) -> str:
        return reason_words(self.reason).en


@dataclass
class Itinerary:
    """A walking tour for one day."""

    title_zh: str
    title_en: str
    date: dt.date
    start: Place
    end: Place | None
    stops: list[Stop]
    legs: list[Leg]
    excluded: list[Excluded] = field(default_factory=list)
    pace: str = "standard"
    speed_kmh: float = 4.5
    network: str = ""
    estimated: bool = False
    optimal: bool = False
    score: float = 0.0
    #: The date of the network's OpenStreetMap data (``YYYY-MM-DD``), where known.
    network_date: str | None = None
    #: The public holiday the walk falls on (``国庆节``, ``National Day holiday``), if any.
    holiday_zh: str | None = None
    holiday_en: str | None = None
    #: Pauses of the walk (a lunch break), in time order.
    breaks: list[Break] = field(default_factory=list)
    #: When the walk was asked to start; the departure is later when nothing is open before.
    requested_start: dt.datetime | None = None

    # ------------------------------------------------------------------ totals

    @property
    def departure(self) -> dt.datetime:
        """When the walk starts (a break before the first stop is part of the walk)."""
        first = [b.start for b in self.breaks if b.after_stop == 0]
        if first:
            return min(first)
        return self.legs[0].depart if self.legs else (self.stops[0].arrival if self.stops
                                                      else dt.datetime.combine(self.date,
                                                                               dt.time()))

    @property
    def finish(self) -> dt.datetime:
        """When the walk ends (arrival at the end point, or the end of the last visit)."""
        if self.end is not None and self.legs:
            return self.legs[-1].arrive
        return self.stops[-1].end if self.stops else self.departure

    @property
    def distance_m(self) -> float:
        """Total walking distance."""
        return sum(leg.distance_m for leg in self.legs)

    @property
    def walking_minutes(self) -> float:
        """Total walking time (metro rides not included)."""
        return sum(leg.walking_s for leg in self.legs) / 60

    @property
    def ride_minutes(self) -> float:
        """Total time on the metro (estimated)."""
        return sum(leg.ride.seconds for leg in self.legs if leg.ride) / 60

    @property
    def visiting_minutes(self) -> float:
        """Total time spent inside the sites."""
        return sum(s.visit_minutes for s in self.stops)

    @property
    def break_minutes(self) -> float:
        """Total time of the breaks."""
        return sum(b.minutes for b in self.breaks)

    @property
    def start_moved(self) -> bool:
        """Whether the walk leaves later than asked (nothing is open before)."""
        return (self.requested_start is not None
                and self.departure - self.requested_start >= dt.timedelta(minutes=1))

    @property
    def waiting_minutes(self) -> float:
        """Total time spent waiting for sites to open."""
        return sum(s.wait_minutes for s in self.stops)

    @property
    def total_minutes(self) -> float:
        """From departure to finish."""
        return (self.finish - self.departure).total_seconds() / 60

    # ------------------------------------------------------------------ formats

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (see :func:`itinerary_schema`)."""
        def when(t: dt.datetime) -> str:
            return t.isoformat(timespec="seconds")

        return {
            "schema": SCHEMA_ID,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "date": self.date.isoformat(),
            "pace": self.pace,
            "speed_kmh": self.speed_kmh,
            "network": self.network,
            "network_date": self.network_date,
            "holiday": ({"name_zh": self.holiday_zh, "name_en": self.holiday_en}
                        if self.holiday_zh and self.holiday_en else None),
            "estimated": self.estimated,
            "optimal": self.optimal,
            "score": self.score,
            "start": asdict(self.start),
            "end": asdict(self.end) if self.end else None,
            "totals": {
                "departure": when(self.departure),
                "finish": when(self.finish),
                # Sums of the rounded legs, so that a file read back writes the same totals.
                "distance_m": round(sum(round(leg.distance_m, 1) for leg in self.legs), 1),
                "walking_min": round(sum(round(leg.walking_s, 1) for leg in self.legs) / 60,
                                     1),
                "ride_min": round(sum(round(leg.ride.seconds, 1) for leg in self.legs
                                      if leg.ride) / 60, 1),
                "visiting_min": round(self.visiting_minutes, 1),
                "waiting_min": round(self.waiting_minutes, 1),
                "break_min": round(self.break_minutes, 1),
                "total_min": round(self.total_minutes, 1),
            },
            "requested_start": (when(self.requested_start) if self.requested_start
                                else None),
            "breaks": [{"kind": b.kind, "after_stop": b.after_stop, "start": when(b.start),
                        "end": when(b.end)} for b in self.breaks],
            "stops": [
                {**{k: v for k, v in asdict(s).items() if k not in ("arrival", "start", "end")},
                 "arrival": when(s.arrival), "start": when(s.start), "end": when(s.end)}
                for s in self.stops
            ],
            "legs": [
                {"origin": leg.origin, "destination": leg.destination,
                 "depart": when(leg.depart), "arrive": when(leg.arrive),
                 "distance_m": round(leg.distance_m, 1), "duration_s": round(leg.duration_s, 1),
                 "estimated": leg.estimated,
                 "geometry": [[round(x, 7), round(y, 7)] for x, y in leg.geometry],
                 "steps": [asdict(st) for st in leg.steps],
                 **({"ride": leg.ride.to_dict(), "ride_at": leg.ride_at} if leg.ride else {})}
                for leg in self.legs
            ],
            "excluded": [{**asdict(e), "instead": list(e.instead)} for e in self.excluded],
        }

    def to_json(self) -> str:
        """The JSON text, UTF-8, indented."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"

    def to_geojson(self) -> dict[str, Any]:
        """Stops as Points and legs as LineStrings, with their times, in visiting order."""
        features: list[dict[str, Any]] = []
        for s in self.stops:
            features.append({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                "properties": {
                    "kind": "stop", "number": s.number, "id": s.id, "name_zh": s.name_zh,
                    "name_en": s.name_en, "address_zh": s.address_zh,
                    "arrival": s.arrival.strftime("%H:%M"), "start": s.start.strftime("%H:%M"),
                    "end": s.end.strftime("%H:%M"), "hours_today": s.hours_today,
                    "booking": s.booking,
                },
            })
        for number, leg in enumerate(self.legs, start=1):
            # Repeated points say nothing about the way; a leg that does not move (a walk
            # that starts at its first stop) has no line to draw, and a LineString needs two
            # distinct positions, so it is left out (its stop's Point carries the time).
            line: list[list[float]] = []
            last: tuple[float, float] | None = None
            for lon, lat in leg.geometry:
                if (key := (round(lon, 7), round(lat, 7))) != last:  # 1 cm apart or more
                    line.append([lon, lat])
                    last = key
            if len(line) < 2:
                continue
            features.append({
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": line},
                "properties": {
                    "kind": "leg", "number": number, "origin": leg.origin,
                    "destination": leg.destination, "depart": leg.depart.strftime("%H:%M"),
                    "arrive": leg.arrive.strftime("%H:%M"), "distance_m": round(leg.distance_m),
                    "duration_min": round(leg.duration_s / 60, 1), "estimated": leg.estimated,
                },
            })
        for kind, place in (("start", self.start), ("end", self.end)):
            if place is not None:
                features.append({
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
                    "properties": {"kind": kind, "name_zh": place.name_zh,
                                   "name_en": place.name_en},
                })
        return {"type": "FeatureCollection", "features": features,
                "properties": {"title_zh": self.title_zh, "title_en": self.title_en,
                               "date": self.date.isoformat(), "estimated": self.estimated,
                               "breaks": [{"kind": b.kind, "after_stop": b.after_stop,
                                           "start": b.start.strftime("%H:%M"),
                                           "end": b.end.strftime("%H:%M"),
                                           "minutes": round(b.minutes)}
                                          for b in self.breaks],
                               "attribution": "© OpenStreetMap contributors (ODbL)"}}


# --------------------------------------------------------------------------- building


def build_itinerary(
    solution: Solution,
    matrix: TravelMatrix,
    landmarks: Sequence[Landmark | None],
    *,
    day: dt.date,
    start: Place,
    end: Place | None,
    title_zh: str,
    title_en: str,
    pace: str = "standard",
    mandatory: Sequence[int] = (),
    breaks: Sequence[Break] = (),
    requested_start: dt.datetime | None = None,
) -> Itinerary:
    """Assemble the itinerary of a solver solution.

    Parameters
    ----------
    solution
        The solver's answer over ``matrix``'s points.
    matrix
        The travel matrix the problem was built from (it supplies legs and directions).
    landmarks
        The landmark of each matrix point (``None`` for the start and end points).
    day
        The date of the walk.
    start, end
        The start and end places; ``end`` is ``None`` for a tour that ends at its last stop.
    breaks
        Pauses already in the solution's times (a lunch break): the leg after a break
        departs when it ends.
    requested_start
        When the walk was asked to start (kept to say why it leaves later).
    """
    midnight = dt.datetime.combine(day, dt.time())

    def clock(seconds: float) -> dt.datetime:
        return midnight + dt.timedelta(seconds=round(seconds))

    stops: list[Stop] = []
    for number, visit in enumerate(solution.visits, start=1):
        lm = landmarks[visit.node]
        if lm is None:
            msg = f"solution visits point {visit.node}, which is not a landmark"
            raise ItineraryError(msg)
        stops.append(Stop(
            number=number, id=lm.id, name_zh=lm.name_zh, name_en=lm.name_en,
            address_zh=lm.address_zh, lon=lm.lon, lat=lm.lat, arrival=clock(visit.arrival),
            start=clock(visit.start), end=clock(visit.end), hours_today=lm.hours_label(day),
            booking=lm.booking, booking_note_zh=lm.booking_note_zh,
            booking_note_en=lm.booking_note_en, summary_zh=lm.summary_zh,
            summary_en=lm.summary_en, mandatory=visit.node in mandatory,
            hours_confirmed=lm.hours_confirmed,
        ))
    route = list(solution.route)
    names = ["start", *(s.id for s in stops)] + (["end"] if solution.end_node is not None else [])
    legs: list[Leg] = []
    depart = max([clock(solution.departure), *(b.end for b in breaks if b.after_stop == 0)])
    for k, (i, j) in enumerate(pairwise(route)):
        m_leg = matrix.leg(i, j)
        # The solver's times, rounded once, so that a leg ends exactly when its stop begins.
        arrive = stops[k].arrival if k < len(stops) else clock(solution.finish)
        to = stops[k] if k < len(stops) else end
        steps = arrive_at(m_leg.steps, to.name_zh, to.name_en) if to else m_leg.steps
        legs.append(Leg(names[k], names[k + 1], depart, arrive, m_leg.distance_m,
                        m_leg.duration_s, m_leg.geometry, steps, m_leg.estimated, m_leg.ride,
                        m_leg.ride_at))
        if k < len(stops):
            depart = stops[k].end
        depart = max([depart, *(b.end for b in breaks if b.after_stop == k + 1)])
    excluded = []
    for node, exc in sorted(solution.excluded.items()):
        lm = landmarks[node]
        if lm is not None:
            excluded.append(Excluded(lm.id, lm.name_zh, lm.name_en, str(exc.reason),
                                     exc.message))
    network = matrix.network
    return Itinerary(
        title_zh=title_zh, title_en=title_en, date=day, start=start, end=end, stops=stops,
        legs=legs, excluded=excluded, pace=pace, speed_kmh=matrix.speed_kmh,
        network=network.describe(), estimated=network.estimated or any(x.estimated
                                                                          for x in legs),
        optimal=solution.optimal, score=float(solution.score),
        network_date=None if network.estimated else getattr(network, "data_date", None),
        breaks=list(breaks), requested_start=requested_start,
    )


# --------------------------------------------------------------------------- JSON


def itinerary_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the itinerary file, version ``redroute-itinerary/1``."""
    time = {"type": "string", "format": "date-time"}
    point = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
    place = {
        "type": "object",
        "required": ["name_zh", "name_en", "lon", "lat"],
        "properties": {"name_zh": {"type": "string"}, "name_en": {"type": "string"},
                       "lon": {"type": "number"}, "lat": {"type": "number"},
                       "id": {"type": ["string", "null"]}},
    }
    step = {
        "type": "object",
        "required": ["distance_m", "bearing", "text_zh", "text_en"],
        "properties": {"name_zh": {"type": ["string", "null"]},
                       "name_en": {"type": ["string", "null"]},
                       "distance_m": {"type": "number"}, "bearing": {"type": "number"},
                       "turn": {"type": ["string", "null"]}, "text_zh": {"type": "string"},
                       "text_en": {"type": "string"}, "estimated": {"type": "boolean"},
                       "kind": {"enum": ["street", "connector", "metro"]}},
    }
    stop = {
        "type": "object",
        "required": ["number", "id", "name_zh", "name_en", "address_zh", "lon", "lat",
                     "arrival", "start", "end"],
        "properties": {
            "number": {"type": "integer", "minimum": 1}, "id": {"type": "string"},
            "name_zh": {"type": "string"}, "name_en": {"type": "string"},
            "address_zh": {"type": "string"}, "lon": {"type": "number"},
            "lat": {"type": "number"}, "arrival": time, "start": time, "end": time,
            "hours_today": {"type": ["string", "null"]},
            "booking": {"enum": ["none", "recommended", "required"]},
            "booking_note_zh": {"type": ["string", "null"]},
            "booking_note_en": {"type": ["string", "null"]},
            "summary_zh": {"type": "string"}, "summary_en": {"type": "string"},
            "mandatory": {"type": "boolean"}, "hours_confirmed": {"type": "boolean"},
        },
    }
    ride = {
        "type": "object",
        "required": ["board_zh", "board_en", "alight_zh", "alight_en", "board", "alight",
                     "lines", "seconds", "distance_m"],
        "properties": {"board_zh": {"type": "string"}, "board_en": {"type": "string"},
                       "alight_zh": {"type": "string"}, "alight_en": {"type": "string"},
                       "board": point, "alight": point,
                       "lines": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                       "seconds": {"type": "number", "minimum": 0},
                       "distance_m": {"type": "number", "minimum": 0},
                       "estimated": {"const": True}},
    }
    leg = {
        "type": "object",
        "required": ["origin", "destination", "depart", "arrive", "distance_m", "duration_s",
                     "geometry", "steps", "estimated"],
        "properties": {"origin": {"type": "string"}, "destination": {"type": "string"},
                       "depart": time, "arrive": time,
                       "distance_m": {"type": "number", "minimum": 0},
                       "duration_s": {"type": "number", "minimum": 0},
                       "geometry": {"type": "array", "items": point},
                       "steps": {"type": "array", "items": step},
                       "estimated": {"type": "boolean"},
                       "ride": ride, "ride_at": {"type": "integer", "minimum": 0}},
    }
    pause = {
        "type": "object",
        "required": ["kind", "after_stop", "start", "end"],
        "properties": {"kind": {"enum": ["lunch"]}, "after_stop": {"type": "integer",
                                                                    "minimum": 0},
                       "start": time, "end": time},
    }
    excluded = {
        "type": "object",
        "required": ["id", "name_zh", "name_en", "reason", "detail"],
        "properties": {"id": {"type": "string"}, "name_zh": {"type": "string"},
                       "name_en": {"type": "string"}, "reason": {"enum": list(REASONS)},
                       "detail": {"type": "string"}, "core": {"type": "boolean"},
                       # optional: files written before them load as before
                       "detour_m": {"oneOf": [{"type": "number", "minimum": 0},
                                              {"type": "null"}]},
                       "instead": {"type": "array", "items": {"type": "string"}}},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "redroute itinerary",
        "type": "object",
        "required": ["schema", "title_zh", "title_en", "date", "start", "end", "stops", "legs",
                     "excluded", "estimated"],
        "properties": {
            "schema": {"const": SCHEMA_ID},
            "title_zh": {"type": "string"}, "title_en": {"type": "string"},
            "date": {"type": "string", "format": "date"},
            "pace": {"type": "string"}, "speed_kmh": {"type": "number"},
            "network": {"type": "string"}, "estimated": {"type": "boolean"},
            "network_date": {"type": ["string", "null"], "format": "date"},
            "optimal": {"type": "boolean"}, "score": {"type": "number"},
            # optional: the public holiday the walk falls on
            "holiday": {"oneOf": [{"type": "object", "required": ["name_zh", "name_en"],
                                   "properties": {"name_zh": {"type": "string"},
                                                  "name_en": {"type": "string"}}},
                                  {"type": "null"}]},
            "start": place, "end": {"oneOf": [place, {"type": "null"}]},
            "totals": {"type": "object"},
            "stops": {"type": "array", "items": stop},
            "legs": {"type": "array", "items": leg},
            "excluded": {"type": "array", "items": excluded},
            # Optional: files written before breaks and the requested start load as before.
            "breaks": {"type": "array", "items": pause},
            "requested_start": {"oneOf": [time, {"type": "null"}]},
        },
    }


def load_itinerary(path: str | Path) -> Itinerary:
    """Read an itinerary JSON file written by :meth:`Itinerary.to_json`."""
    from redroute.catalogue import loads_json

    p = Path(path)
    try:
        data = loads_json(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"itinerary file {str(p)!r} does not exist"
        raise ItineraryError(msg) from None
    except json.JSONDecodeError as err:
        msg = f"{p} line {err.lineno}, column {err.colno}: invalid JSON: {err.msg}"
        raise ItineraryError(msg) from None
    except (OSError, UnicodeDecodeError) as err:
        msg = f"cannot read itinerary {str(p)!r}: {err}"
        raise ItineraryError(msg) from err
    return itinerary_from_dict(data, source=str(p))


def itinerary_from_dict(data: Any, *, source: str = "itinerary") -> Itinerary:
    """Validate and rebuild an itinerary from its JSON form."""
    import jsonschema

    if isinstance(data, dict) and data.get("schema") not in (None, SCHEMA_ID):
        msg = (f"{source}: schema {data.get('schema')!r} is not {SCHEMA_ID!r}; "
               "it was written by another version of redroute")
        raise ItineraryError(msg)
    _check_text(data, source)
    errors = sorted(jsonschema.Draft202012Validator(itinerary_schema()).iter_errors(data),
                    key=lambda e: list(map(str, e.path)))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "document"
        msg = f"{source}: {where}: {errors[0].message}"
        raise ItineraryError(msg)
    try:
        return _rebuild(data)
    except (KeyError, ValueError, TypeError) as err:
        msg = f"{source}: {err}"
        raise ItineraryError(msg) from err


def _check_text(data: Any, source: str) -> None:
    """Refuse JSON nested too deeply or any text with a control character: an itinerary
    file is untrusted input, and its names reach the terminal, GPX, HTML and PDF."""
    from redroute.catalogue import MAX_JSON_DEPTH, PROSE_FIELDS, text_problem, too_deep

    path = too_deep(data)
    if path is not None:
        msg = (f"{source}: {'/'.join(path[:4])}...: nested more than {MAX_JSON_DEPTH} "
               "levels deep")
        raise ItineraryError(msg)
    stack: list[tuple[Any, list[str]]] = [(data, [])] if isinstance(data, dict | list) else []
    while stack:
        item, where = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        for key, value in pairs:
            if isinstance(value, dict | list):
                stack.append((value, [*where, str(key)]))
            elif isinstance(value, str) and value:
                wrong = text_problem(value, prose=key in PROSE_FIELDS)
                if wrong and not wrong.startswith("is blank"):
                    msg = f"{source}: {'/'.join([*where, str(key)])} {wrong}"
                    raise ItineraryError(msg)


def _rebuild(d: dict[str, Any]) -> Itinerary:
    when = dt.datetime.fromisoformat

    def place(p: dict[str, Any] | None) -> Place | None:
        return None if p is None else Place(p["name_zh"], p["name_en"], float(p["lon"]),
                                            float(p["lat"]), p.get("id"))

    stops = [Stop(**{**s, "arrival": when(s["arrival"]), "start": when(s["start"]),
                     "end": when(s["end"])}) for s in d["stops"]]
    legs = [Leg(x["origin"], x["destination"], when(x["depart"]), when(x["arrive"]),
                float(x["distance_m"]), float(x["duration_s"]),
                [(float(a), float(b)) for a, b in x["geometry"]],
                [Step(**st) for st in x["steps"]], bool(x["estimated"]),
                Ride.from_dict(x["ride"]) if x.get("ride") else None,
                int(x.get("ride_at", -1))) for x in d["legs"]]
    start = place(d["start"])
    assert start is not None
    return Itinerary(
        title_zh=d["title_zh"], title_en=d["title_en"], date=dt.date.fromisoformat(d["date"]),
        start=start, end=place(d["end"]), stops=stops, legs=legs,
        excluded=[Excluded(**e) for e in d["excluded"]], pace=d.get("pace", "standard"),
        speed_kmh=float(d.get("speed_kmh", 4.5)), network=d.get("network", ""),
        estimated=bool(d["estimated"]), optimal=bool(d.get("optimal", False)),
        score=float(d.get("score", 0.0)), network_date=d.get("network_date"),
        holiday_zh=(d.get("holiday") or {}).get("name_zh"),
        holiday_en=(d.get("holiday") or {}).get("name_en"),
        breaks=[Break(when(b["start"]), when(b["end"]), int(b["after_stop"]), b["kind"])
                for b in d.get("breaks", [])],
        requested_start=(when(d["requested_start"]) if d.get("requested_start") else None),
    )
