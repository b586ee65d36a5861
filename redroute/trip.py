"""Trips of several days: the day walks chosen together, no site twice.

:func:`plan_trip` plans one walk per date from one request (the daily budget, start and end,
pace, lunch, walking cap and metro of :class:`~redroute.request.PlanRequest`). The choice is
joint: one :class:`~redroute.solver.MultiProblem` over every candidate, with each day's own
opening hours (a Monday closes other halls than a Saturday), so that the best sites are
spread over the days rather than used up on the first. Each day's walk is then scheduled by
:func:`~redroute.plan.make_plan` on its chosen stops (lunch break, directions, reasons), and
what no day could take is listed once.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from redroute import pacing, settings
from redroute._errors import PlanError
from redroute.itinerary import Excluded, Place
from redroute.plan import (
    Plan,
    _candidates,
    _day_edges,
    _places,
    _problem,
    choose_network,
    make_plan,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from redroute._sources import Progress, Report
    from redroute.catalogue import Catalogue, Landmark
    from redroute.request import PlanRequest
    from redroute.solver import MultiProblem, MultiSolution

__all__ = ["MAX_DAYS", "TRIP_SCHEMA", "Trip", "plan_trip", "trip_dates", "trip_schema"]

TRIP_SCHEMA = "redroute-trip/1"
#: The longest trip planned at once.
MAX_DAYS = 14


@dataclass(frozen=True)
class Trip:
    """The walks of a trip, one per date, and what none of them could take.

    Attributes
    ----------
    dates
        The days asked for, in order.
    days
        One :class:`~redroute.plan.Plan` per date, or ``None`` for a day on which no stop
        fits (every candidate closed that day, say).
    excluded
        Candidates on no day, each with one reason (``lower-score`` when a day could have
        taken it but the days hold better stops).
    request
        The request each day was planned from.
    solution, problem
        The joint choice behind the days (for checks and benchmarks).
    """

    dates: tuple[dt.date, ...]
    days: tuple[Plan | None, ...]
    excluded: tuple[Excluded, ...]
    request: PlanRequest
    solution: MultiSolution
    problem: MultiProblem

    @property
    def stop_ids(self) -> list[str]:
        """Every stop of the trip, day by day."""
        return [s.id for p in self.days if p is not None for s in p.itinerary.stops]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"schema": "redroute-trip/1", "dates", "days": [itinerary or
        null], "excluded", "totals"}``; each day is an itinerary (``redroute-itinerary``)."""
        days = [p.itinerary.to_dict() if p is not None else None for p in self.days]
        walked = sum(p.itinerary.distance_m for p in self.days if p is not None)
        return {
            "schema": TRIP_SCHEMA,
            "dates": [d.isoformat() for d in self.dates],
            "days": days,
            "excluded": [{**asdict(e), "instead": list(e.instead)} for e in self.excluded],
            "totals": {
                "days": len(self.dates),
                "stops": len(self.stop_ids),
                "distance_m": round(walked, 1),
                "ride_min": round(sum(p.itinerary.ride_minutes for p in self.days
                                      if p is not None), 1),
            },
        }

    def to_json(self) -> str:
        """The JSON text, UTF-8, indented."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"


def trip_schema() -> dict[str, Any]:
    """The JSON Schema of ``trip.json`` (``redroute-trip/1``): each day an itinerary
    (``redroute-itinerary``) or ``null``."""
    from redroute.itinerary import itinerary_schema

    day = itinerary_schema()
    excluded = day["properties"]["excluded"]
    inner = {k: v for k, v in day.items() if k not in ("$schema", "$id")}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": TRIP_SCHEMA,
        "title": "redroute trip",
        "type": "object",
        "required": ["schema", "dates", "days", "excluded", "totals"],
        "properties": {
            "schema": {"const": TRIP_SCHEMA},
            "dates": {"type": "array", "minItems": 1, "maxItems": MAX_DAYS,
                      "items": {"type": "string", "format": "date"}},
            "days": {"type": "array", "items": {"oneOf": [inner, {"type": "null"}]}},
            "excluded": excluded,
            "totals": {"type": "object",
                       "required": ["days", "stops", "distance_m", "ride_min"]},
        },
    }


def trip_dates(first: dt.date, days: int) -> list[dt.date]:
    """``days`` consecutive dates from ``first``."""
    if not 1 <= days <= MAX_DAYS:
        msg = f"days {days} must be from 1 to {MAX_DAYS}"
        raise PlanError(msg)
    return [first + dt.timedelta(days=k) for k in range(days)]


def _check_dates(dates: Sequence[dt.date]) -> list[dt.date]:
    from redroute.hours import date_problem

    out = list(dates)
    if not 1 <= len(out) <= MAX_DAYS:
        msg = f"a trip has 1 to {MAX_DAYS} dates, not {len(out)}"
        raise PlanError(msg)
    seen: set[dt.date] = set()
    for day in out:
        bad = date_problem(day)
        if bad is not None:
            raise PlanError(bad)
        if day in seen:
            msg = f"date {day.isoformat()} is given twice"
            raise PlanError(msg)
        seen.add(day)
    return out


def plan_trip(
    request: PlanRequest,
    *,
    dates: Sequence[dt.date],
    catalogue: Catalogue | None = None,
    network: str | None = None,
    report: Report | None = None,
    progress: Progress | None = None,
) -> Trip:
    """Plan one walk a day on ``dates``, the days chosen together: no site twice.

    Parameters
    ----------
    request
        What each day is: its candidates (``stops``, ``theme``, ``district``), start and end
        (the same every day, e.g. a hotel as ``LAT,LON`` or a metro station), start time,
        ``hours`` per day, pace, lunch, walking cap and metro. ``order="fixed"`` is a single
        walk's choice and is refused.
    dates
        The days, e.g. :func:`trip_dates` (``--days``) or a list (``--dates``).
    catalogue, network, report, progress
        As for :func:`~redroute.plan.make_plan`.

    Raises
    ------
    PlanError
        Bad dates, a fixed order, a mandatory stop no day can take, or what
        :func:`~redroute.plan.make_plan` refuses.
    """
    from redroute import solver
    from redroute.catalogue import load_catalogue
    from redroute.matrix import travel_matrix
    from redroute.network import BBox

    days = _check_dates(dates)
    if request.order == "fixed":
        msg = "a trip chooses and orders each day's stops: order \"fixed\" is for one walk"
        raise PlanError(msg)
    cat = catalogue if catalogue is not None else load_catalogue(settings.catalogue_path)
    candidates = _candidates(cat, request)
    start_place, end_place = _places(request, cat, days[0])
    one_way = end_place is not None and end_place != start_place
    points = [(start_place.lon, start_place.lat)] + [(lm.lon, lm.lat) for lm in candidates]
    if one_way and end_place is not None:
        points.append((end_place.lon, end_place.lat))
    net = choose_network(BBox.around(points, buffer_m=settings.buffer_m), network=network,
                         step_free=request.step_free, points=points, report=report,
                         progress=progress)
    if report:
        report(f"computing travel times between {len(points)} points...")
    matrix = travel_matrix(net, points, pace=request.pace,
                           walk_limit_m=request.walk_limit_km * 1000 if request.metro else None)
    problem, unknown = _joint_problem(matrix, candidates, days, request, one_way=one_way,
                             round_trip=end_place is not None and not one_way,
                             places=(start_place.name_en, (end_place or start_place).name_en))
    if report:
        report(f"choosing the stops of {len(days)} days among {len(candidates)} candidates...")
    try:
        joint = solver.solve_tours(problem, time_limit=request.time_limit * len(days),
                                   seed=request.seed)
    except solver.InfeasibleRequestError as err:
        msg = f"cannot plan this trip: {err}"
        raise PlanError(msg) from err
    fixed = request.replace(start=start_place, end=_end_field(start_place, end_place))
    plans: list[Plan | None] = []
    dropped: list[Excluded] = []
    for k, (day, tour) in enumerate(zip(days, joint.tours, strict=True), start=1):
        ids = [candidates[n - 1].id for n in tour.order]
        if not ids:
            plans.append(None)
            continue
        day_request = fixed.replace(
            stops=tuple(ids), order="optimize", theme=request.theme, district=request.district,
            mandatory=tuple(i for i in request.mandatory if i in ids),
            core=tuple(i for i in request.core if i in ids),
            title_zh=f"{request.title_zh or _title(request)[0]} · 第 {k} 天",
            title_en=f"{request.title_en or _title(request)[1]} · Day {k}")
        if report:
            report(f"day {k} ({day.isoformat()}): scheduling {len(ids)} stops...")
        plan = make_plan(day_request, catalogue=cat, date=day, network=network)
        plans.append(plan)
        kept = {s.id for s in plan.itinerary.stops}
        dropped += [e for e in plan.itinerary.excluded if e.id in ids and e.id not in kept]
    left = _left_out(joint, candidates, unknown + dropped, set(_trip_ids(plans)))
    return Trip(tuple(days), tuple(plans), tuple(left), request, joint, problem)


def _trip_ids(plans: Sequence[Plan | None]) -> list[str]:
    return [s.id for p in plans if p is not None for s in p.itinerary.stops]


def _end_field(start: Place, end: Place | None) -> str | Place | None:
    if end is None:
        return None
    return "start" if end == start else end


def _title(request: PlanRequest) -> tuple[str, str]:
    from redroute.plan import _title as title

    return title(request.theme, request.district)


def _joint_problem(matrix: Any, candidates: list[Landmark], days: list[dt.date],
                   request: PlanRequest, *, one_way: bool, round_trip: bool,
                   places: tuple[str, str]) -> tuple[MultiProblem, list[Excluded]]:
    """One tour per day over the same points, each with that day's windows. Each day's
    budget leaves room for its lunch break (added when the day is scheduled)."""
    from redroute import solver

    lunch = pacing.lunch_of(request)
    tours = []
    first = None
    unknown: list[Excluded] = []
    for day in days:
        made = _problem(matrix, candidates, day, request, one_way=one_way,
                        round_trip=round_trip, places=places)
        day_problem, unknown = _day_edges(made, candidates, day)
        first = first or day_problem
        budget = day_problem.budget
        if lunch is not None and budget is not None and budget > 2 * lunch.length:
            budget -= lunch.length
        tours.append(solver.TourSpec(
            start=day_problem.start, end=day_problem.end, start_time=day_problem.start_time,
            budget=budget, latest_end=day_problem.latest_end, windows=day_problem.windows,
            closes=day_problem.closes, max_distance=day_problem.max_distance,
            name=day.isoformat()))
    assert first is not None
    # Unknown hours and closed sites are the same every day.
    return solver.MultiProblem(travel=first.travel, duration=first.duration, score=first.score,
                               windows=first.windows, tours=tours, mandatory=first.mandatory,
                               distance=first.distance, names=first.names), unknown


def _left_out(joint: MultiSolution, candidates: list[Landmark], dropped: list[Excluded],
              kept: set[str]) -> list[Excluded]:
    """Candidates on no day: the joint choice's reason, or the day's when its schedule (the
    lunch break) dropped a stop the choice gave it."""
    from redroute.wording import REASONS

    out: dict[str, Excluded] = {e.id: e for e in dropped}
    for node, exc in sorted(joint.excluded.items()):
        lm = candidates[node - 1]
        reason = str(exc.reason)
        if reason not in REASONS:
            reason = "lower-score"
        out.setdefault(lm.id, Excluded(lm.id, lm.name_zh, lm.name_en, reason, exc.message))
    return [e for i, e in out.items() if i not in kept]
