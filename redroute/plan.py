"""One request -> one itinerary: the glue of catalogue, network, matrix, solver, itinerary.

:func:`plan_itinerary` is what ``redroute plan`` does, for notebooks and web back ends.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from redroute import coords, pacing, settings
from redroute._errors import PlanError
from redroute.itinerary import Excluded, Itinerary, Place, build_itinerary
from redroute.request import PlanRequest

if TYPE_CHECKING:
    from redroute.catalogue import Catalogue, Landmark
    from redroute.matrix import TravelMatrix
    from redroute.network import BBox, WalkNetwork

__all__ = ["GAZETTEER", "Plan", "PlanError", "PlanRequest", "choose_network", "make_plan",
           "plan_area", "plan_itinerary", "plan_points", "resolve_place"]

Report = Callable[[str], None]
Progress = Callable[[int, int, str], None]



@dataclass(frozen=True, slots=True)
class _Gazetteer:
    name_zh: str
    name_en: str
    lon: float
    lat: float
    aliases: tuple[str, ...] = ()


#: Start and end points people name, placed (WGS-84) at street crossings of the OSM extract:
#: People's Square at 人民大道 x 西藏中路, the South Huangpi Road metro station at 黄陂南路 x
#: 淮海中路, Xintiandi in its north block between 马当路, 太仓路, 黄陂南路 and 兴业路. Any
#: landmark id works as a place too.
GAZETTEER: dict[str, _Gazetteer] = {
    "peoples-square": _Gazetteer("人民广场", "People's Square", 121.4720, 31.2333,
                                 ("人民广场站", "people's square", "peoples square",
                                  "renmin guangchang", "renminguangchang")),
    "south-huangpi-road": _Gazetteer("黄陂南路站", "South Huangpi Road Station", 121.4699,
                                     31.2251, ("黄陂南路", "south huangpi road",
                                               "huangpi road station")),
    "xintiandi": _Gazetteer("新天地", "Xintiandi", 121.4702, 31.2226,
                            ("xin tian di", "新天地广场")),
}


def _gazetteer_lookup(text: str) -> _Gazetteer | None:
    key = text.strip().casefold()
    for slug, entry in GAZETTEER.items():
        names = {slug, entry.name_zh.casefold(), entry.name_en.casefold(),
                 *(a.casefold() for a in entry.aliases)}
        if key in names:
            return entry
    return None


def resolve_place(text: str, catalogue: Catalogue, *, crs: str = "wgs84") -> Place:
    """A start or end point from a landmark id, ``lat,lon``, a gazetteer name, a Shanghai
    Metro station (``一大会址·新天地站``, ``"People's Square Station"``) or a common name
    (``外滩``, ``一大会址``; see :mod:`redroute.places`).

    ``crs`` is the datum of ``lat,lon`` (``gcj02`` or ``bd09`` for coordinates copied from
    Chinese map apps); the place is always WGS-84.
    """
    value = text.strip()
    m = re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)", value)
    if m:
        lat, lon = float(m.group(1)), float(m.group(2))
        if not coords.in_shanghai(lon, lat):
            hint = " (swapped? the order is LAT,LON)" if coords.in_shanghai(lat, lon) else ""
            msg = f"start/end point {value!r} is not in Shanghai{hint}"
            raise PlanError(msg)
        lon, lat = coords.convert(lon, lat, src=crs, dst="wgs84")
        return Place(f"{lat:.5f}, {lon:.5f}", f"{lat:.5f}, {lon:.5f}", lon, lat)
    if value in set(catalogue.ids):
        lm = catalogue.get(value)
        return Place(lm.name_zh, lm.name_en, lm.lon, lm.lat, lm.id)
    entry = _gazetteer_lookup(value)
    if entry is not None:
        return Place(entry.name_zh, entry.name_en, entry.lon, entry.lat)
    named = _named_place(value, catalogue)
    if named is not None:
        return named
    found = catalogue.query(text=value)
    if len(found) == 1:
        lm = found[0]
        return Place(lm.name_zh, lm.name_en, lm.lon, lm.lat, lm.id)
    import difflib

    from redroute.places import place_names

    names = list(dict.fromkeys([*GAZETTEER, *(e.name_zh for e in GAZETTEER.values()),
                                *place_names()]))
    close = difflib.get_close_matches(value, names, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    msg = (f"start/end point {value!r} is not a landmark id, a LAT,LON pair, a metro station "
           f"or a known place (人民广场, 外滩, 一大会址·新天地站, xintiandi...){hint}")
    raise PlanError(msg)


def _named_place(value: str, catalogue: Catalogue) -> Place | None:
    """A metro station or a common name (``redroute.places``) as a start or end point."""
    from redroute.places import find_place

    place = find_place(value)
    if place is None:
        return None
    if place.landmark is not None:
        if place.landmark not in set(catalogue.ids):
            return None  # a user's catalogue without that site: try the text search
        lm = catalogue.get(place.landmark)
        return Place(lm.name_zh, lm.name_en, lm.lon, lm.lat, lm.id)
    if place.lon is None or place.lat is None:
        msg = (f"start/end point {value!r}: {place.label_en} ({place.label_zh}) has no "
               "checked position; give its LAT,LON or a nearby station")
        raise PlanError(msg)
    return Place(place.label_zh, place.label_en, place.lon, place.lat)


def _windows(lm: Landmark, day: dt.date) -> list[tuple[float, float]] | None:
    """Visiting windows as (earliest start, latest start) seconds; None when unknown."""
    windows = lm.windows(day)
    if windows is None:
        return None
    midnight = dt.datetime.combine(day, dt.time())
    out = []
    for w in windows:
        latest = w.latest_start(lm.visit_minutes)
        if latest is not None:
            out.append(((w.opens - midnight).total_seconds(),
                        (latest - midnight).total_seconds()))
    return out


@dataclass(frozen=True, slots=True)
class Plan:
    """An itinerary with the network and matrix it was planned on (for maps and leaflets)."""

    itinerary: Itinerary
    network: WalkNetwork
    matrix: TravelMatrix


def plan_itinerary(stops: Sequence[str] | None = None, *, catalogue: Catalogue | None = None,
                   date: dt.date | None = None, network: str | None = None,
                   report: Report | None = None, **fields: Any) -> Itinerary:
    """Plan a walking tour and return its :class:`~redroute.itinerary.Itinerary`.

    A shortcut for ``make_plan(PlanRequest(stops=stops, **fields), ...).itinerary``:
    ``fields`` are those of :class:`~redroute.request.PlanRequest`.
    """
    request = PlanRequest(stops=tuple(stops or ()), **fields)
    return make_plan(request, catalogue=catalogue, date=date, network=network,
                     report=report).itinerary


def plan_area(request: PlanRequest, catalogue: Catalogue) -> BBox:
    """The area a plan of ``request`` needs streets for: its stops and places, buffered."""
    from redroute.network import BBox

    return BBox.around(plan_points(request, catalogue), buffer_m=settings.buffer_m)


def plan_points(request: PlanRequest, catalogue: Catalogue) -> list[tuple[float, float]]:
    """The ``(lon, lat)`` points a plan of ``request`` joins: start, candidates, end."""
    candidates = _candidates(catalogue, request)
    start, end = _places(request, catalogue)
    points = [(start.lon, start.lat)] + [(lm.lon, lm.lat) for lm in candidates]
    if end is not None and end != start:
        points.append((end.lon, end.lat))
    return points


def choose_network(area: BBox, *, network: str | None = None, step_free: bool = False,
                   points: Sequence[tuple[float, float]] | None = None,
                   report: Report | None = None,
                   progress: Progress | None = None) -> WalkNetwork:
    """The walking network of ``area``: the one choice every command and plan goes through.

    ``network`` is ``auto`` (default: ``settings.network``), ``bundled``, ``download``,
    ``estimate`` or the path of an extract or network file. Under ``auto`` the sources are
    tried in order (cache, configured extract, bundled network, download) and the first
    that covers every one of ``points`` is used; a source that fails or does not cover the
    plan is skipped with one line saying so, down to the estimate (see
    :func:`redroute.walk_network`). ``progress(done, total, label)`` follows a download.
    """
    from redroute._sources import walk_network

    return walk_network(area, network=network or settings.network, step_free=step_free,
                        points=points, report=report, progress=progress)


def make_plan(
    request: PlanRequest,
    *,
    catalogue: Catalogue | None = None,
    date: dt.date | None = None,
    network: str | None = None,
    report: Report | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Plan a walking tour: the itinerary, and the network and matrix behind it.

    This is the one path from a request to a plan: ``redroute plan``, ``leaflet ROUTE``,
    ``publish`` and library users all come through here.

    Parameters
    ----------
    request
        What to plan (:class:`~redroute.request.PlanRequest`; a curated route gives its own
        as :attr:`Route.request <redroute.routes.Route.request>`).
    catalogue
        Default: the shipped catalogue (or ``settings.catalogue_path``).
    date
        Default: today in Shanghai.
    network
        ``auto`` (default: ``settings.network``), ``download``, ``estimate`` or an extract
        path; see :func:`choose_network`.
    report
        Called with progress lines (the CLI prints them on stderr).
    progress
        Called as ``progress(done, total, label)`` while a network is downloaded.

    Raises
    ------
    PlanError
        A date outside the supported years (:data:`redroute.hours.FIRST_YEAR` ..
        :data:`~redroute.hours.LAST_YEAR`), an unknown place, or no tour that meets the
        request.
    NotFoundError
        A landmark id that the catalogue does not have.
    """
    from redroute.catalogue import load_catalogue
    from redroute.matrix import travel_matrix
    from redroute.network import BBox

    if not isinstance(request, PlanRequest):
        msg = (f"make_plan takes a PlanRequest, not {type(request).__name__}; use "
               "plan_itinerary(stops, ...) for keyword arguments")
        raise TypeError(msg)
    day = date or _today()
    from redroute.hours import date_problem

    bad_date = date_problem(day)
    if bad_date is not None:
        raise PlanError(bad_date)
    cat = catalogue if catalogue is not None else load_catalogue(settings.catalogue_path)
    candidates = _candidates(cat, request)
    start_place, end_place = _places(request, cat, day)
    one_way = end_place is not None and end_place != start_place
    # Points: 0 = start, 1..k = candidates, k+1 = end when it is another place.
    points = [(start_place.lon, start_place.lat)] + [(lm.lon, lm.lat) for lm in candidates]
    if one_way and end_place is not None:
        points.append((end_place.lon, end_place.lat))
    net = choose_network(BBox.around(points, buffer_m=settings.buffer_m), network=network,
                         step_free=request.step_free, points=points, report=report,
                         progress=progress)
    _check_near(start_place, "start", net, candidates)
    if one_way and end_place is not None:
        _check_near(end_place, "end", net, candidates)
    if report:
        report(f"computing walking times between {len(points)} points...")
    names = [start_place.id or start_place.name_en, *(lm.id for lm in candidates)]
    if one_way and end_place is not None:
        names.append(end_place.id or end_place.name_en)
    matrix = travel_matrix(net, points, pace=request.pace, names=names,
                           walk_limit_m=request.walk_limit_km * 1000 if request.metro else None)
    if one_way and end_place is not None and matrix.separated is not None \
            and bool(matrix.separated[0, -1]):
        msg = (f"cannot plan this walk: the end {end_place.name_en} is on the other bank of "
               f"the Huangpu from the start {start_place.name_en}; no street crosses the "
               "river on foot (the road tunnels are for cars): take the ferry or the metro "
               "and plan each bank as a walk of its own")
        raise PlanError(msg)
    problem, unknown = _day_edges(_problem(
        matrix, candidates, day, request, one_way=one_way,
        round_trip=end_place is not None and not one_way,
        places=(start_place.name_en, (end_place or start_place).name_en)), candidates, day)
    if report:
        report(f"choosing and ordering stops among {len(candidates)} candidates...")
    from redroute import solver

    try:
        solution, detours = pacing.solve_with_lunch(
            lambda p: _solve_with_walking_cost(p, candidates, request, matrix), problem,
            request, protected=pacing.protected_nodes(candidates, request))
    except solver.InfeasibleRequestError as err:
        raise PlanError(_infeasible(err, candidates, day, matrix)) from err
    if not solution.order:
        raise PlanError(_nothing_fits(solution, candidates, day, matrix, request=request,
                                      start=start_place, end=end_place))
    index = {lm.id: k + 1 for k, lm in enumerate(candidates)}
    landmarks: list[Landmark | None] = [None, *candidates] + ([None] if one_way else [])
    solution, paced = pacing.add_lunch(
        problem, solution, request, day=day, landmarks=landmarks,
        protected=pacing.protected_nodes(candidates, request))
    title_zh, title_en = _title(request.theme, request.district)
    itinerary = build_itinerary(
        solution, matrix, landmarks, day=day, start=start_place, end=end_place,
        title_zh=request.title_zh or title_zh, title_en=request.title_en or title_en,
        pace=str(request.pace), mandatory=[index[i] for i in request.mandatory],
        breaks=paced.breaks,
        requested_start=dt.datetime.combine(day, request.start_time),
    )
    unknown_ids = {u.id for u in unknown}
    left = [_across_river(e, index, matrix, one_way=one_way)
            for e in itinerary.excluded if e.id not in unknown_ids] + unknown
    _explain_more(itinerary, _explained(left, detours, request), solution, matrix=matrix,
                  candidates=candidates, detours=detours, request=request, day=day)
    return Plan(paced.apply(itinerary), net, matrix)


def _explained(left: list[Excluded], detours: dict[str, float],
               request: PlanRequest) -> list[Excluded]:
    """The left-out list with the detours said and the route's core stops marked: a core
    stop is never "lower score" (every core stop outweighs the rest); it did not fit in the
    time with the other core stops."""
    core = set(request.core)
    out = []
    for e in (_detour_reason(e, detours) for e in left):
        if e.id in core:
            reason = "budget" if e.reason == "lower-score" else e.reason
            e = dataclasses.replace(e, core=True, reason=reason)  # noqa: PLW2901
        out.append(e)
    return out


# --------------------------------------------------------------------------- objective

#: The value of a visit by significance (1-5): convex, so that one site of national
#: importance (5) outweighs several minor plaques (1-2): 16 = 8 plaques of 2.
SIGNIFICANCE_VALUE = {1: 1.0, 2: 2.0, 3: 4.0, 4: 8.0, 5: 16.0}
#: How relevant a site is to a free request: the request's theme is its main theme, one of
#: its themes, or none of them; the site is in the requested district or not.
THEME_MAIN, THEME_OTHER, THEME_NONE = 1.0, 0.75, 0.5
DISTRICT_IN, DISTRICT_OUT = 1.0, 0.6
#: Walking is a cost: a stop whose detour (the walk it adds) costs more than it is worth is
#: left out. In value units per kilometre of detour: a 5-minute plaque (value 0.8-1.7) is
#: worth a detour of 1-2 km at most, a memorial hall (16-19) any that fits the day.
WALK_COST_PER_KM = 1.0
#: Added to the value of a curated route's core stops, so that they are kept whenever they
#: are open and fit: more than every other stop together.
CORE_BONUS = 1000.0


def visit_value(lm: Landmark, request: PlanRequest) -> float:
    """The value of visiting ``lm`` for ``request``: significance, relevance, visit time.

    ``SIGNIFICANCE_VALUE[significance] x theme relevance x district relevance x visit
    factor``; the relevance factors apply to free requests (a curated route's stops are all
    relevant by choice) and the visit factor runs from 0.8 (a 5-minute plaque) to 1.2 (an
    hour or more inside), so that of two sites of one significance the one with more to
    see comes first. A core stop adds :data:`CORE_BONUS`.
    """
    value = SIGNIFICANCE_VALUE.get(int(lm.significance), 1.0)
    if not request.stops:
        if request.theme:
            value *= (THEME_MAIN if tuple(lm.themes[:1]) == (request.theme,)
                      else THEME_OTHER if request.theme in lm.themes else THEME_NONE)
        if request.district:
            value *= DISTRICT_IN if lm.district == request.district else DISTRICT_OUT
    value *= 0.8 + 0.4 * min(lm.visit_minutes, 60) / 60
    return value + (CORE_BONUS if lm.id in request.core else 0.0)


def _solve_with_walking_cost(problem: Any, candidates: list[Landmark], request: PlanRequest,
                             matrix: TravelMatrix) -> tuple[Any, dict[str, float]]:
    """Solve; then leave out, one at a time, a kept stop whose detour costs more than its
    value (never a core or mandatory stop), and solve again without it.

    Returns the solution and, for each stop left out so, the detour in metres.
    """
    from redroute import solver

    protected = set(request.core) | set(request.mandatory)
    detours: dict[str, float] = {}
    solution = solver.solve(problem, time_limit=request.time_limit, seed=request.seed)
    for _ in range(len(candidates)):
        if len(solution.order) < 2:
            break  # the walk to a single stop is the walk itself, not a detour
        worst: tuple[float, int, float] | None = None
        tour = [problem.start, *solution.order, *(
            [problem.end] if problem.end is not None else [])]
        # The walk's best stop is what the walk is for: its detour is never held against it.
        best = max(solution.order, key=lambda n: visit_value(candidates[n - 1], request))
        for pos in range(1, len(tour) - (1 if problem.end is not None else 0)):
            node = tour[pos]
            lm = candidates[node - 1]
            if lm.id in protected or node == best:
                continue
            prev = tour[pos - 1]
            nxt = tour[pos + 1] if pos + 1 < len(tour) else None
            extra = float(matrix.distance_m[prev, node])
            if nxt is not None:
                extra += float(matrix.distance_m[node, nxt]) - float(
                    matrix.distance_m[prev, nxt])
            ratio = WALK_COST_PER_KM * extra / 1000.0 / visit_value(lm, request)
            if ratio > 1.0 and (worst is None or ratio > worst[0]):
                worst = (ratio, node, extra)
        if worst is None:
            break
        _, node, extra = worst
        detours[candidates[node - 1].id] = extra
        windows = [list(w) for w in problem.windows]
        windows[node] = []  # left out: the solver treats it as closed, we say why
        problem = dataclasses.replace(problem, windows=windows)
        again = solver.solve(problem, time_limit=request.time_limit, seed=request.seed)
        if not again.order:  # never trade the last stops for no walk at all
            del detours[candidates[node - 1].id]
            break
        solution = again
    return solution, detours


def _detour_reason(e: Excluded, detours: dict[str, float]) -> Excluded:
    if e.id not in detours:
        return e
    km = detours[e.id] / 1000
    return dataclasses.replace(
        e, reason="detour",
        detail=f"{e.id}: its detour ({km:.1f} km more walking) costs more than the visit is "
               "worth in this walk")


def _across_river(e: Excluded, index: dict[str, int], matrix: TravelMatrix, *,
                  one_way: bool) -> Excluded:
    """An unreachable stop on the other bank of the Huangpu says so (ferry or metro)."""
    k = index.get(e.id)
    if e.reason != "unreachable" or k is None or matrix.separated is None:
        return e
    ends = [0, len(matrix.points) - 1] if one_way else [0]
    if not any(bool(matrix.separated[end, k]) for end in ends):
        return e
    return Excluded(e.id, e.name_zh, e.name_en, "other-bank",
                    f"{e.id}: on the other bank of the Huangpu from the start; no street "
                    "crosses it on foot (the road tunnels are for cars): take the ferry or "
                    "the metro")


def _places(request: PlanRequest, cat: Catalogue,
            day: dt.date | None = None) -> tuple[Place, Place | None]:
    """The start and end places of a request (end ``None``: the walk ends at its last stop)."""
    start = request.start
    if start is None:
        start_place = _nearest_station(_candidates(cat, request), request, day)
    else:
        start_place = start if isinstance(start, Place) else resolve_place(start, cat,
                                                                          crs=request.crs)
    end = request.end
    if end == "start":
        return start_place, start_place
    if end is None or isinstance(end, Place):
        return start_place, end
    return start_place, resolve_place(end, cat, crs=request.crs)


def _nearest_station(candidates: Sequence[Landmark], request: PlanRequest,
                     day: dt.date | None = None) -> Place:
    """Where a walk with no start named begins: the metro station nearest to its most
    valuable candidate that is open that day (the site the walk is for: Longhua cemetery
    for a martyrs walk, the 1st Congress memorial hall in Huangpu), so that the walk
    gathers what lies around it (``一大会址·新天地站`` / ``... Xintiandi Station``)."""
    from redroute.places import nearest_station

    def worth(lm: Landmark) -> float:
        if day is not None and not (lm.windows(day) or []):
            return 0.0  # closed or unknown that day: not what the walk can be for
        return visit_value(lm, request)

    anchor = max(candidates, key=worth)
    station, _far = nearest_station(anchor.lon, anchor.lat)
    assert station.lon is not None  # only placed stations are ever the nearest
    assert station.lat is not None
    return Place(station.label_zh, station.label_en, station.lon, station.lat)


# --------------------------------------------------------------------------- edges of the day

_MIDNIGHT_S = 86_400.0


def _day_edges(made: tuple[Any, list[Excluded]], candidates: list[Landmark],
               day: dt.date) -> tuple[Any, list[Excluded]]:
    """The problem (of :func:`_problem`'s result) with the walk ending by midnight and each
    window's closing time, so that a stop left out is told exactly:
    ``closes-before-arrival``, ``last-entry-passed``, ``day-ends`` or ``opens-too-late``."""
    problem, unknown = made
    midnight = dt.datetime.combine(day, dt.time())
    closes: list[list[float]] = [[_MIDNIGHT_S] * len(w) for w in problem.windows]
    for k, lm in enumerate(candidates, start=1):
        windows = [w for w in lm.windows(day) or [] if w.latest_start(lm.visit_minutes)]
        closes[k] = [(w.closes - midnight).total_seconds() for w in windows]
    if any(len(c) != len(w) for c, w in zip(closes, problem.windows, strict=True) if w):
        closes_or_none = None  # windows made otherwise: the reasons fall back on them
    else:
        closes_or_none = [c if w else [] for c, w in zip(closes, problem.windows, strict=True)]
    latest = _MIDNIGHT_S if problem.latest_end is None else min(problem.latest_end,
                                                                   _MIDNIGHT_S)
    return dataclasses.replace(problem, closes=closes_or_none, latest_end=latest), unknown


# --------------------------------------------------------------------------- explanations

#: A kept stop this close to a stop left out as ``lower-score`` is named as kept instead.
_NEARBY_M = 1_500.0
#: Reasons whose stops get the detour their visit would add.
_DETOUR_REASONS = frozenset({"lower-score", "distance", "detour"})


def _explain_more(itinerary: Itinerary, left: list[Excluded], solution: Any, *,
                  matrix: TravelMatrix, candidates: list[Landmark],
                  detours: dict[str, float], request: PlanRequest, day: dt.date) -> None:
    """Set the itinerary's left-out list to ``left`` with what a person asks of it and of
    the first lines: how far off the route a stop is (``detour_m``), which kept stops of
    more value are near it (``instead``), and the public holiday the walk falls on."""
    from redroute.hours import public_holiday

    holiday = public_holiday(day)
    if holiday is not None:
        itinerary.holiday_zh, itinerary.holiday_en = holiday.name_zh, holiday.name_en
    index = {lm.id: k for k, lm in enumerate(candidates, start=1)}
    route = list(solution.route)
    kept = [candidates[k - 1] for k in solution.order if 1 <= k <= len(candidates)]
    out = []
    for e in left:
        k = index.get(e.id)
        if k is None or e.reason not in _DETOUR_REASONS:
            out.append(e)
            continue
        detour = detours.get(e.id) if e.reason == "detour" else None
        if detour is None:
            detour = _detour_m(matrix, route, k, open_end=solution.end_node is None)
        instead: tuple[str, ...] = ()
        if e.reason == "lower-score":
            instead = _kept_instead(candidates[k - 1], kept, request)
        out.append(dataclasses.replace(e, detour_m=detour, instead=instead))
    itinerary.excluded = out


def _detour_m(matrix: TravelMatrix, route: list[int], k: int, *, open_end: bool) -> float | None:
    """The least walk a visit of node ``k`` adds to ``route``, metres (``None``: no way)."""
    d = matrix.distance_m
    best = min((float(d[a, k] + d[k, b] - d[a, b]) for a, b in itertools.pairwise(route)),
               default=float("inf"))
    if open_end and route:
        best = min(best, float(d[route[-1], k]))
    return round(best, 1) if best != float("inf") and best == best else None  # noqa: PLR0124


def _kept_instead(lm: Landmark, kept: list[Landmark], request: PlanRequest) -> tuple[str, ...]:
    """The kept stops worth at least as much as ``lm`` near it, nearest first (two at most)."""
    value = visit_value(lm, request)
    near = sorted((coords.haversine_m(lm.lon, lm.lat, s.lon, s.lat), s.id) for s in kept
                  if visit_value(s, request) >= value)
    return tuple(i for far, i in near[:2] if far <= _NEARBY_M)


def _title(theme: str | None, district: str | None) -> tuple[str, str]:
    """A default title: 黄浦区·建党伟业步行路线 / Founding of the Party walk, Huangpu."""
    from redroute.vocabulary import DISTRICTS, THEMES

    t = THEMES.get(theme or "")
    d = DISTRICTS.get(district or "")
    zh = f"{d.zh + '·' if d else ''}{t.zh if t else '红色文化'}步行路线"
    en = f"{t.en + ' walk' if t else 'Red heritage walk'}{', ' + d.en if d else ''}"
    return zh, en


def _infeasible(err: Exception, candidates: list[Landmark], day: dt.date,
                matrix: TravelMatrix) -> str:
    """The solver's reason, told with the landmarks' names and opening hours."""
    weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[day.weekday()]
    parts = []
    for k in getattr(err, "stops", ()):
        if 1 <= k <= len(candidates):
            lm = candidates[k - 1]
            if matrix.separated is not None and bool(matrix.separated[0, k]):
                parts.append(f"{lm.id} ({lm.name_en}) is on the other bank of the Huangpu: "
                             "no street crosses it on foot; take the ferry or the metro")
                continue
            windows = lm.windows(day)
            today = "closed" if windows == [] else ", ".join(w.label() for w in windows or [])
            parts.append(f"{lm.id} ({lm.name_en}): hours {lm.opening_hours or 'unknown'}, "
                         f"on {day:%Y-%m-%d} {weekday} {today or 'unknown'}")
    detail = f" [{'; '.join(parts)}]" if parts else ""
    return f"cannot plan this walk: {_reword(str(err))}{detail}"


#: A start or end point farther than this from every street of a real network is not on
#: land in the network's area (the sea, the estuary) or far outside it; the catalogue's own
#: sites lie within 2 km of the bundled network's streets.
_FAR_FROM_STREETS_M = 5_000.0
#: On the estimate (no streets), a start or end farther than this from every stop.
_FAR_FROM_STOPS_M = 10_000.0


def _check_near(place: Place, role: str, net: WalkNetwork, candidates: list[Landmark]) -> None:
    """Raise :class:`PlanError` when a start or end point is nowhere near the walk: far
    from every street of a real network, or far from every stop on the estimate."""
    import warnings

    from redroute._errors import NetworkWarning

    if not net.estimated:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NetworkWarning)  # the message below says it
            (snap,) = net.snap([(place.lon, place.lat)])
        if snap.distance_m > _FAR_FROM_STREETS_M:
            msg = (f"{role} point {place.name_en} is {snap.distance_m / 1000:.0f} km from the "
                   f"nearest street of the walking network ({net.source}): it is not on land "
                   f"in central Shanghai (in the sea?); give {_a(role)} near the stops")
            raise PlanError(msg)
    if not candidates:
        return
    far = [coords.haversine_m(place.lon, place.lat, lm.lon, lm.lat) for lm in candidates]
    k = min(range(len(far)), key=far.__getitem__)
    if far[k] > _FAR_FROM_STOPS_M:
        lm = candidates[k]
        msg = (f"{role} point {place.name_en} is {far[k] / 1000:.0f} km from the nearest stop, "
               f"{lm.name_en} ({lm.id}): too far to walk (is it on land in central "
               f"Shanghai? in the sea?); give {_a(role)} near the stops")
        raise PlanError(msg)


def _a(role: str) -> str:
    return f"an {role}" if role[:1] in "aeiou" else f"a {role}"


def _nothing_fits(solution: Any, candidates: list[Landmark], day: dt.date,
                  matrix: TravelMatrix, *, request: PlanRequest, start: Place,
                  end: Place | None) -> str:
    """Why a tour holds no stop at all: the walk to the nearest stop, or each reason."""
    from redroute import solver

    weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[day.weekday()]
    excluded: dict[int, Any] = solution.excluded
    budget = [k for k, e in excluded.items()
              if e.reason is solver.Reason.BUDGET and 1 <= k <= len(candidates)]
    if budget:
        times = matrix.duration_s
        k = min(budget, key=lambda v: float(times[0, v]))
        lm = candidates[k - 1]
        walk = float(times[0, k])
        text = (f"cannot plan this walk: the walk from {start.name_en} to the nearest stop, "
                f"{lm.name_en} ({lm.id}), alone takes {solver._duration(walk)}")
        need = walk + lm.visit_minutes * 60.0
        if end is not None:
            back = float(times[k, len(matrix.points) - 1 if end != start else 0])
            need += back
            way = "back" if end == start else f"on to {end.name_en}"
            text += f", {way} {solver._duration(back)}"
        return (f"{text}, with a visit of {lm.visit_minutes:g} min: at least "
                f"{solver._duration(need)}; {request.hours:g} h is too short")
    reasons = "; ".join(_reword(e.message) for e in excluded.values())
    return f"cannot plan this walk: no stop can be visited on {day:%Y-%m-%d} {weekday}: {reasons}"


def _reword(message: str) -> str:
    # "mandatory stop 5 (first-congress-site) is closed that day (...)" -> without the index
    return re.sub(r"stop \d+ \(([^)]+)\)", r"stop \1", message)


def _candidates(cat: Catalogue, request: PlanRequest) -> list[Landmark]:
    if request.stops:
        found = [cat.get(i) for i in dict.fromkeys(request.stops)]
    else:
        # A closed site (renovation, private house) is history, never a stop of a free walk.
        found = [lm for lm in cat.query(theme=request.theme, district=request.district)
                 if lm.category != "waypoint" and lm.plannable]
    if not found:
        msg = (f"no candidate stops: the catalogue {cat.source} has no landmark with theme "
               f"{request.theme or 'any'} in district {request.district or 'any'}")
        raise PlanError(msg)
    ids = {lm.id for lm in found}
    found += [cat.get(i) for i in request.mandatory if i not in ids]
    return found


def _problem(matrix: TravelMatrix, candidates: list[Landmark], day: dt.date,
             request: PlanRequest, *, one_way: bool, round_trip: bool,
             places: tuple[str, str] = ("start", "end")) -> tuple[Any, list[Excluded]]:
    """The solver's problem over the matrix points, and the stops left out as unknown."""
    import numpy as np

    from redroute import solver

    mandatory = request.mandatory
    start_time = request.start_time
    unknown: list[Excluded] = []
    windows: list[list[tuple[float, float]]] = [[(0.0, 86_400.0)]]
    for lm in candidates:
        w = _windows(lm, day) if lm.plannable else []
        if not lm.plannable:  # named by a route or a request: left out, with the reason
            if lm.id in mandatory:
                msg = f"mandatory stop {lm.id} ({lm.name_en}) is closed to visitors"
                raise PlanError(msg)
            unknown.append(Excluded(lm.id, lm.name_zh, lm.name_en, "closed-site",
                                    f"{lm.id}: not open to visitors, not planned"))
        elif w is None:
            if lm.id in mandatory:
                msg = (f"mandatory stop {lm.id} ({lm.name_en}) has unknown opening hours; "
                       "check them and add opening_hours to the catalogue")
                raise PlanError(msg)
            unknown.append(Excluded(lm.id, lm.name_zh, lm.name_en, "unknown-hours",
                                    f"{lm.id}: opening hours unknown, not planned"))
            w = []
        windows.append(w or [])
    tail = [0.0] if one_way else []
    if one_way:
        windows.append([(0.0, 86_400.0)])
    n = len(windows)
    index = {lm.id: k + 1 for k, lm in enumerate(candidates)}
    end_node = n - 1 if one_way else (0 if round_trip else None)
    problem = solver.Problem(
        travel=matrix.duration_s,
        duration=np.array([0.0] + [lm.visit_minutes * 60.0 for lm in candidates] + tail),
        score=np.array([0.0] + [visit_value(lm, request) for lm in candidates] + tail),
        windows=windows,
        start=0,
        end=end_node,
        start_time=float(start_time.hour * 3600 + start_time.minute * 60),
        budget=request.hours * 3600.0,
        mandatory=[index[i] for i in mandatory],
        order=[index[lm.id] for lm in candidates] if request.order == "fixed" else None,
        distance=matrix.distance_m,
        max_distance=pacing.walk_cap_km(request) * 1000.0,  # or the pace's default
        # The start and end by their place names: the solver's explanations are read by
        # a person ("the walk from People's Square to ..."), never node numbers.
        names=[places[0], *(lm.id for lm in candidates)] + ([places[1]] if one_way else []),
    )
    return problem, unknown


def _today() -> dt.date:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(settings.timezone)).date()
