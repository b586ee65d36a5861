"""A day paced for people: the lunch break and the daily walking cap of a plan.

The solver knows nothing of meals. A walk is solved as asked; when the tour it finds spans
the middle of the lunch window (default 11:30-13:30), a break is put between two stops, at
the gap nearest the window's middle whose time lies in the window, and the visits after it
are scheduled again inside their opening windows. When the break does not fit the day, the
walk is solved again with its time budget shortened by the break (see
:func:`solve_with_lunch`); when a later visit no longer fits, the other gaps are tried, and
as a last resort a stop that is neither mandatory nor core is left out (reason
``lunch-break``). Only a walk under way over a break set in the window's middle (12:07 to
12:52 for the default) gets one: a walk over before then ends in time for lunch, one that
starts later starts after it.

The daily walking cap is the request's ``max_walk_km``, else the pace's default
(:data:`redroute.settings.MAX_WALK_KM`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from redroute import settings
from redroute._errors import LongWalkWarning
from redroute.itinerary import Break, Excluded
from redroute.request import lunch_window
from redroute.wording import long_walk_words, reason_words

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence

    from redroute.catalogue import Landmark
    from redroute.itinerary import Itinerary
    from redroute.request import PlanRequest
    from redroute.solver import Problem, Solution, Visit

__all__ = ["Lunch", "Paced", "add_lunch", "lunch_of", "protected_nodes",
           "solve_with_lunch",
           "walk_cap_km"]

_EPS = 1e-6
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Lunch:
    """The lunch break a walk is planned with: its window and length, in seconds."""

    opens: float
    closes: float
    length: float

    @property
    def middle(self) -> float:
        """The middle of the window."""
        return (self.opens + self.closes) / 2


def walk_cap_km(request: PlanRequest) -> float:
    """The day's walking cap: ``max_walk_km``, else the pace's default.

    A pace given in km/h gets the standard cap.
    """
    if request.max_walk_km is not None:
        return float(request.max_walk_km)
    pace = request.pace if isinstance(request.pace, str) else "standard"
    return settings.MAX_WALK_KM.get(pace, settings.MAX_WALK_KM["standard"])


def lunch_of(request: PlanRequest) -> Lunch | None:
    """The request's lunch break when the walk asked for spans a break set in the middle
    of the lunch window (a walk over before then, or starting after, has none)."""
    window = None if request.lunch is None else lunch_window(request.lunch)
    if window is None:
        return None

    def seconds(t: dt.time) -> float:
        return float(t.hour * 3600 + t.minute * 60)

    lunch = Lunch(seconds(window[0]), seconds(window[1]), request.lunch_minutes * 60.0)
    begin = seconds(request.start_time)
    end = begin + request.hours * 3600.0
    half = lunch.length / 2
    if begin <= lunch.middle - half and end >= lunch.middle + half:
        return lunch
    return None


def protected_nodes(candidates: Sequence[Landmark], request: PlanRequest) -> list[int]:
    """The nodes (candidate k is node k + 1) never left out for a break: the request's
    mandatory and core stops."""
    keep = {*request.mandatory, *request.core}
    return [k + 1 for k, lm in enumerate(candidates) if lm.id in keep]


def solve_with_lunch(solve: Callable[[Problem], tuple[Solution, T]], problem: Problem,
                     request: PlanRequest, *,
                     protected: Collection[int] = ()) -> tuple[Solution, T]:
    """Solve ``problem``, and again with its budget shortened by the lunch break when the
    tour spans the lunch window and the break does not fit it.

    Parameters
    ----------
    solve
        The planner's solve: a problem to its solution and what else it returns.
    problem
        The problem, with the request's whole time budget.
    request
        The request (its lunch window and length).
    protected
        The mandatory and core stops.

    Notes
    -----
    The lunch break is part of a day paced for people: a core stop that fits the day only
    without it is left out (the plan says so). But a shorter day that loses a protected
    stop and then ends within the window (so it needs no break) is not taken; nor one that
    cannot hold the mandatory stops at all. The first solution is then kept, and
    :func:`add_lunch` makes room for the break by leaving out other stops, or gives none.
    """
    from redroute.solver import InfeasibleRequestError

    first = solve(problem)
    lunch = lunch_of(request)
    solution = first[0]
    if lunch is None or problem.budget is None or not _spans(problem, solution, lunch) \
            or _with_break(problem, solution, lunch, solution.order)[1] is not None:
        return first
    shorter = dataclasses.replace(problem,
                                  budget=max(0.0, problem.budget - lunch.length))
    try:
        second = solve(shorter)
    except InfeasibleRequestError:
        return first
    kept = set(second[0].order)
    lost = any(v in protected and v not in kept for v in solution.order)
    return first if lost and not _spans(problem, second[0], lunch) else second


@dataclass(frozen=True, slots=True)
class Paced:
    """What pacing adds to an itinerary: its breaks and the stops left out for them."""

    breaks: list[Break]
    dropped: list[Excluded]

    def apply(self, itinerary: Itinerary) -> Itinerary:
        """The itinerary with the stops left out for the break listed, after a warning
        (:class:`LongWalkWarning`) when it walks more than a day's walking."""
        itinerary.excluded += self.dropped
        km = itinerary.distance_m / 1000
        if km > settings.LONG_WALK_KM:
            words = long_walk_words(km, settings.LONG_WALK_KM)
            warnings.warn(f"{words.zh} / {words.en}", LongWalkWarning, stacklevel=3)
        return itinerary


def add_lunch(problem: Problem, solution: Solution, request: PlanRequest, *, day: dt.date,
              landmarks: Sequence[Landmark | None],
              protected: Sequence[int] = ()) -> tuple[Solution, Paced]:
    """Put the request's lunch break into a solution.

    Parameters
    ----------
    problem
        The problem, with the request's whole time budget.
    solution
        The solver's tour.
    request
        The request (its lunch window and length).
    day
        The day of the walk.
    landmarks
        The landmark of each node (``None`` for the start and end).
    protected
        Stops never left out for the break (mandatory and core stops).

    Returns
    -------
    tuple
        The solution with its times shifted by the break (and without the stops left out
        for it), and the break and those stops.
    """
    lunch = lunch_of(request)
    new, after, dropped = _with_break(problem, _capped(problem, solution), lunch,
                                      set(protected))
    if after is None or lunch is None:
        return new, Paced([], [])
    midnight = dt.datetime.combine(day, dt.time())
    begin = new.departure if after == 0 else new.visits[after - 1].end
    start = midnight + dt.timedelta(seconds=round(begin))
    pause = Break(start, start + dt.timedelta(seconds=round(lunch.length)), after, "lunch")
    left = []
    for v in dropped:
        lm = landmarks[v]
        if lm is not None:
            left.append(Excluded(lm.id, lm.name_zh, lm.name_en, "lunch-break",
                                 f"{lm.id}: {reason_words('lunch-break').en}"))
    return new, Paced([pause], left)


def _spans(problem: Problem, solution: Solution, lunch: Lunch) -> bool:
    """Whether the tour as solved spans a break set in the middle of the lunch window (a
    walk that is over by then ends in time for lunch; one that starts later, after it)."""
    if not solution.order:
        return False
    finish = solution.finish if problem.end is not None else solution.visits[-1].end
    half = lunch.length / 2
    return (solution.departure <= lunch.middle - half + _EPS
            and finish >= lunch.middle + half - _EPS)


def _with_break(problem: Problem, solution: Solution, lunch: Lunch | None,
                protected: Collection[int]) -> tuple[Solution, int | None, list[int]]:
    """The solution with the break after stop k (``None``: no break), and the stops left
    out to make room for it."""
    if lunch is None or problem.budget is None or not _spans(problem, solution, lunch):
        return solution, None, []
    deadline = problem.start_time + problem.budget
    order = list(solution.order)
    dropped: list[int] = []
    while order:
        plain = _schedule(problem, order, solution.departure, (None, 0.0), deadline)
        if isinstance(plain, int):  # pragma: no cover - the solver's tour fits
            return solution, None, []
        failures: list[int] = []
        for after in _gaps(problem, plain[0], solution.departure, lunch):
            done = _schedule(problem, order, solution.departure, (after, lunch.length),
                             deadline)
            if not isinstance(done, int):
                return _resolved(problem, solution, order, done, dropped), after, dropped
            failures.append(done)
        victim = _victim(problem, order, failures, protected)
        if victim is None:
            break
        order.remove(victim)
        dropped.append(victim)
    return solution, None, []


def _victim(problem: Problem, order: list[int], failures: list[int],
            protected: Collection[int]) -> int | None:
    """The stop to leave out for the break: the first that no longer fits its window,
    or, for a day that runs over, the kept stop of least value (never a protected one)."""
    free = [v for v in order if v not in protected]
    for i in failures:
        if i >= 0 and order[i] not in protected:
            return order[i]
        if i < 0 and free:
            return min(free, key=lambda v: (float(problem.score[v]), -order.index(v)))
    return None


def _capped(problem: Problem, solution: Solution) -> Solution:
    """The solution with ``distance`` as the reason of each stop left out as lower-score
    that the time allows in the tour but the walking cap does not."""
    from redroute.solver import Exclusion, Reason

    if problem.max_distance is None or problem.distance is None or problem.budget is None:
        return solution
    walked = solution.distance or 0.0
    route = list(solution.route)
    deadline = problem.start_time + problem.budget
    excluded = dict(solution.excluded)
    for v, why in solution.excluded.items():
        if why.reason is not Reason.LOWER_SCORE:
            continue
        extra = min(float(problem.distance[a, v] + problem.distance[v, b]
                          - problem.distance[a, b]) for a, b in itertools.pairwise(route)) \
            if len(route) > 1 else float(problem.distance[route[0], v])
        if walked + extra <= problem.max_distance + _EPS:
            continue
        fits = any(not isinstance(_schedule(problem, [*solution.order[:k], v,
                                                      *solution.order[k:]],
                                            problem.start_time, (None, 0.0), deadline), int)
                   for k in range(len(solution.order) + 1))
        if fits:
            name = problem.name(v)
            excluded[v] = Exclusion(
                Reason.DISTANCE,
                f"stop {name} fits the time, but the walk would be at least "
                f"{(walked + extra) / 1000:.1f} km, over the day's cap of "
                f"{problem.max_distance / 1000:g} km", why.windows, why.earliest_arrival)
    return dataclasses.replace(solution, excluded=excluded)


def _gaps(problem: Problem, visits: Sequence[Visit], departure: float,
          lunch: Lunch) -> list[int]:
    """The gaps a break may start in (after stop k, 0 = before the first), the start in
    the window, best first: the break's middle nearest the window's middle."""
    starts = [departure] + [v.end for v in visits]
    last = len(visits) if problem.end is not None else len(visits) - 1
    ok = [k for k in range(last + 1) if lunch.opens - _EPS <= starts[k] <= lunch.closes + _EPS]
    return sorted(ok, key=lambda k: (abs(starts[k] + lunch.length / 2 - lunch.middle), k))


def _schedule(problem: Problem, order: Sequence[int], departure: float,
              pause: tuple[int | None, float],
              deadline: float) -> tuple[list[Visit], float] | int:
    """The visits of ``order`` with a pause after stop ``after``, each starting in one of
    its windows; or the index in ``order`` of the first visit that no longer fits (``-1``
    when the walk would end after ``deadline``)."""
    from redroute.solver import Visit

    travel = problem.travel
    after, length = pause
    t = departure + (length if after == 0 else 0.0)
    here = problem.start
    visits: list[Visit] = []
    for i, v in enumerate(order):
        arrival = t + float(travel[here, v])
        start = next((max(arrival, a) for a, b in problem.windows[v] if arrival <= b + _EPS),
                     None)
        if start is None or not math.isfinite(arrival):
            return i
        end = start + float(problem.duration[v])
        visits.append(Visit(v, arrival, start - arrival, start, end))
        t = end + (length if after == i + 1 else 0.0)
        here = v
    finish = t + float(travel[here, problem.end]) if problem.end is not None else visits[-1].end
    if finish > deadline + _EPS:
        return -1
    return visits, finish


def _resolved(problem: Problem, solution: Solution, order: list[int],
              done: tuple[list[Visit], float], dropped: list[int]) -> Solution:
    """The solution with the new schedule (and without the dropped stops)."""
    visits, finish = done
    if not dropped:
        return dataclasses.replace(solution, visits=tuple(visits), finish=finish)
    path = [problem.start, *order] + ([problem.end] if problem.end is not None else [])
    legs = list(itertools.pairwise(path))
    distance = solution.distance
    if problem.distance is not None:
        distance = float(sum(problem.distance[a, b] for a, b in legs))
    return dataclasses.replace(
        solution, order=tuple(order), visits=tuple(visits), finish=finish,
        score=float(sum(problem.score[v] for v in order)),
        travel_time=float(sum(problem.travel[a, b] for a, b in legs)), distance=distance)
