"""Choose and order the stops of one walking tour: the orienteering problem with time windows.

The solver works on plain arrays and knows nothing of maps. A :class:`Problem` holds a
travel-time matrix (seconds), a visit duration, a score and the visiting windows of every
node, a start node and an end node, and the limits of the day. :func:`solve` returns a
:class:`Solution`: the stops in visiting order with their schedule, and for every candidate
left out the reason why (:class:`Exclusion`).

Semantics
---------
- A window ``(earliest_start, latest_start)`` bounds the *start* of a visit (seconds from
  midnight). A walker who arrives early waits; a node with no window is closed that day.
- The start and end nodes are places to leave from and arrive at, not visits: their duration,
  score and windows are ignored. ``end=None`` ends the tour when the last visit ends.
- The tour leaves at ``start_time`` and must be over by ``start_time + budget`` and by
  ``latest_end`` (whichever is earlier; neither means no limit but the windows).
- Objective: the highest total score; among equal scores, the least walking (travel time,
  or distance when a distance matrix is given).

Methods
-------
Up to ``exact_limit`` candidates (15 by default) the optimum is proved by dynamic programming
over subsets, with Pareto labels per (subset, last stop) on (time, walking) and vectorised with
numpy. A fixed order is solved exactly by a label DP over its subsequences.

Above ``exact_limit`` a heuristic runs: it is seeded with the best subsequences of the
candidates sorted by their windows (a capped label DP, which alone solves tight-window
instances), then iterated local search (Vansteenwegen et al. 2009: greedy insertion with
constant-time feasibility checks through each stop's "MaxShift", then a random shake). Each
new best tour is improved by that DP over the tour merged with the unvisited stops, 2-opt and
or-opt moves on the walk, and swaps of a stop for a better-scoring one. The search is a
function of ``seed`` and of the number of iterations done: it is reproducible whenever it
stops on its iteration budget or on stagnation rather than on the clock (see :func:`solve`).

Several tours
-------------
A :class:`MultiProblem` holds the same arrays and one :class:`TourSpec` per tour (a day of a
trip): its start and end, start time, budget, latest end, walking limit and, when they differ
from day to day, its own visiting windows. :func:`solve_tours` returns a
:class:`MultiSolution`: one :class:`Solution` per tour, no stop twice, and one list of the
stops left out with the reason for the trip (each tour's own reason in its ``excluded``).
Exact by subset DPs up to a dozen candidates, iterated local search above (in
:mod:`redroute._solver_multi`).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import NoReturn

import numpy as np

from redroute._errors import InfeasibleRequestError, ProblemError
from redroute._solver_core import _INF, EPS, FloatArray, ProblemLike, _Instance
from redroute._solver_exact import _exact
from redroute._solver_multi import _exact_tours, _MultiSearch
from redroute._solver_search import _Route, _Search

__all__ = [
    "Exclusion",
    "InfeasibleRequestError",
    "MultiProblem",
    "MultiSolution",
    "Problem",
    "ProblemError",
    "Reason",
    "Solution",
    "TourSpec",
    "Visit",
    "solve",
    "solve_tours",
]


class Reason(StrEnum):
    """Why a candidate is not in the tour."""

    CLOSED = "closed"
    """No visiting window that day."""
    OPENS_TOO_LATE = "opens-too-late"
    """It opens after the walk must be over (waiting for it breaks the budget)."""
    CLOSES_BEFORE_ARRIVAL = "closes-before-arrival"
    """It has closed by the time the walk can reach it."""
    LAST_ENTRY_PASSED = "last-entry-passed"
    """It is still open when the walk can reach it, but too late to go in (its last entry, or
    too little time before closing for the visit)."""
    DAY_ENDS = "day-ends"
    """The visit would run past midnight: the day ends (no walk crosses midnight)."""
    BUDGET = "budget"
    """Even visited alone, the tour would end after the time budget or the latest end."""
    UNREACHABLE = "unreachable"
    """No finite travel time from the start to it, or from it to the end."""
    DISTANCE = "distance"
    """Even visited alone, the walk would exceed the maximum distance."""
    LOWER_SCORE = "lower-score"
    """Feasible alone, but not in the best tour."""
    ORDER = "order"
    """Feasible alone, but it does not fit the fixed order with the stops that were kept."""


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A candidate left out and why.

    Attributes
    ----------
    reason
        The code.
    message
        One sentence naming the stop, its windows and the numbers behind the reason.
    windows
        The stop's visiting windows that day.
    earliest_arrival
        The earliest time the stop can be reached from the start (``None`` if it cannot).
    """

    reason: Reason
    message: str
    windows: tuple[tuple[float, float], ...]
    earliest_arrival: float | None


@dataclass(frozen=True, slots=True)
class Visit:
    """One stop of the tour: when the walker arrives, waits, starts and ends the visit."""

    node: int
    arrival: float
    wait: float
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Solution:
    """A tour and its schedule.

    Attributes
    ----------
    order
        The visited stops in order, without the start and end nodes.
    visits
        The schedule of each stop (same order).
    start_node, end_node
        As in the problem (``end_node`` is ``None`` for an open-ended tour).
    departure
        When to leave the start node: ``start_time``, or later when the walker would
        otherwise wait at the first stop.
    finish
        Arrival at the end node, or the end of the last visit for an open-ended tour.
    score
        Total score of the visited stops.
    travel_time
        Total walking time in seconds.
    distance
        Total walking distance, when the problem has a distance matrix.
    optimal
        ``True`` when the exact method proved this tour optimal.
    excluded
        Every candidate not visited, with the reason.
    """

    order: tuple[int, ...]
    visits: tuple[Visit, ...]
    start_node: int
    end_node: int | None
    departure: float
    finish: float
    score: float
    travel_time: float
    distance: float | None
    optimal: bool
    excluded: dict[int, Exclusion] = field(default_factory=dict)

    @property
    def route(self) -> tuple[int, ...]:
        """Every node of the tour in order: start, stops, end (when there is one)."""
        tail = () if self.end_node is None else (self.end_node,)
        return (self.start_node, *self.order, *tail)


def _matrix(value: object, name: str, n: int | None) -> FloatArray:
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        msg = f"{name} is not a numeric matrix: {err}"
        raise ProblemError(msg) from err
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] == 0:
        msg = f"{name} must be a non-empty square matrix, not of shape {array.shape}"
        raise ProblemError(msg)
    if n is not None and array.shape[0] != n:
        msg = f"{name} has shape {array.shape}, the travel matrix ({n}, {n})"
        raise ProblemError(msg)
    bad = np.argwhere(np.isnan(array) | (array < 0))
    if len(bad):
        i, j = (int(x) for x in bad[0])
        msg = f"{name}[{i}, {j}] = {array[i, j]} must be >= 0 (inf for no way)"
        raise ProblemError(msg)
    return array


def _vector(value: object, name: str, n: int) -> FloatArray:
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        msg = f"{name} is not a numeric vector: {err}"
        raise ProblemError(msg) from err
    if array.shape != (n,):
        msg = f"{name} must have shape ({n},), not {array.shape}"
        raise ProblemError(msg)
    bad = np.flatnonzero(~np.isfinite(array) | (array < 0))
    if len(bad):
        i = int(bad[0])
        msg = f"{name}[{i}] = {array[i]} must be finite and >= 0"
        raise ProblemError(msg)
    return array


def _node(value: object, name: str, n: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 0 <= value < n:
        msg = f"{name} {value!r} is not a node index in 0..{n - 1}"
        raise ProblemError(msg)
    return int(value)


@dataclass(frozen=True, kw_only=True, eq=False)
class Problem:
    """One tour request on plain arrays (validated on creation).

    Parameters
    ----------
    travel
        ``n x n`` walking times in seconds (array-like; may be asymmetric; ``inf`` for no
        way). The diagonal is ignored.
    duration
        Visit duration of each node, seconds.
    score
        Score of each node (``>= 0``).
    windows
        For each node, its visiting windows that day as ``(earliest_start, latest_start)``
        pairs in seconds from midnight, sorted and disjoint; an empty list means closed.
    closes
        Optional: for each node, when each of its windows closes (seconds from midnight,
        one per window, not before its latest start; ignored for a node without windows).
        It only words the reasons: a stop
        reached after its latest start but before closing is ``last-entry-passed``, after
        closing ``closes-before-arrival``, and a window that closes at midnight or later
        ends with the day (``day-ends``). Without it, the end of a visit begun at the
        latest start stands for closing.
    start
        The node the tour leaves from.
    end
        The node it arrives at: ``start`` for a round trip, another node for a one-way tour,
        ``None`` for a tour that ends at its last stop.
    start_time
        Departure time, seconds from midnight.
    budget
        Maximum duration of the tour, seconds.
    latest_end
        Latest time the tour may end, seconds from midnight (``86400``: the tour ends by
        midnight, and a stop that would run past it is ``day-ends``).
    mandatory
        Stops that must be visited (in any order, or in the order of ``order``).
    order
        A fixed order (the curator's): only these stops are candidates, kept in this order;
        the solver only schedules them and leaves out those that do not fit.
    distance
        ``n x n`` walking distances, metres. When given, "less walking" means less distance.
    max_distance
        Maximum total walking distance (needs ``distance``).
    names
        A name per node, for messages.
    """

    travel: FloatArray
    duration: FloatArray
    score: FloatArray
    windows: Sequence[Sequence[tuple[float, float]]]
    start: int
    end: int | None
    start_time: float = 0.0
    budget: float | None = None
    latest_end: float | None = None
    mandatory: Collection[int] = ()
    order: Sequence[int] | None = None
    distance: FloatArray | None = None
    max_distance: float | None = None
    names: Sequence[str] | None = None
    closes: Sequence[Sequence[float]] | None = None

    def __post_init__(self) -> None:
        travel = _matrix(self.travel, "travel", None)
        n = travel.shape[0]
        put = object.__setattr__
        put(self, "travel", travel)
        put(self, "duration", _vector(self.duration, "duration", n))
        put(self, "score", _vector(self.score, "score", n))
        put(self, "start", _node(self.start, "start", n))
        if self.end is not None:
            put(self, "end", _node(self.end, "end", n))
        if self.names is not None:
            if len(self.names) != n:
                msg = f"names has {len(self.names)} entries for {n} nodes"
                raise ProblemError(msg)
            put(self, "names", tuple(str(x) for x in self.names))
        put(self, "windows", self._checked_windows(n))
        if self.closes is not None:
            put(self, "closes", self._checked_closes(n))
        for name in ("start_time", "budget", "latest_end", "max_distance"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value >= 0):
                msg = f"{name} = {value!r} must be a finite number >= 0"
                raise ProblemError(msg)
        if self.latest_end is not None and self.latest_end < self.start_time:
            msg = f"latest_end {self.latest_end} is before start_time {self.start_time}"
            raise ProblemError(msg)
        if self.distance is not None:
            put(self, "distance", _matrix(self.distance, "distance", n))
        elif self.max_distance is not None:
            msg = "max_distance needs a distance matrix"
            raise ProblemError(msg)
        put(self, "mandatory", self._checked_stops(self.mandatory, "mandatory stop", n))
        if self.order is not None:
            order = self._checked_stops(self.order, "order entry", n)
            put(self, "order", order)
            missing = [v for v in self.mandatory if v not in order]
            if missing:
                msg = f"mandatory stop {self.label(missing[0])} is not in the fixed order"
                raise ProblemError(msg)

    def _checked_windows(self, n: int) -> tuple[tuple[tuple[float, float], ...], ...]:
        if len(self.windows) != n:
            msg = f"windows has {len(self.windows)} entries for {n} nodes"
            raise ProblemError(msg)
        result = []
        for i, node_windows in enumerate(self.windows):
            pairs: list[tuple[float, float]] = []
            for pair in node_windows:
                try:
                    early, late = (float(x) for x in pair)
                except (TypeError, ValueError) as err:
                    msg = f"window {pair!r} of node {self.label(i)} is not a pair of numbers"
                    raise ProblemError(msg) from err
                if math.isnan(early) or math.isnan(late) or early < 0 or late < early:
                    msg = (f"window {pair!r} of node {self.label(i)} must have "
                           "0 <= earliest_start <= latest_start")
                    raise ProblemError(msg)
                if pairs and early <= pairs[-1][1]:
                    msg = (f"windows of node {self.label(i)} must be sorted and disjoint: "
                           f"{pairs[-1]!r} then {pair!r}")
                    raise ProblemError(msg)
                pairs.append((early, late))
            result.append(tuple(pairs))
        return tuple(result)

    def _checked_closes(self, n: int) -> tuple[tuple[float, ...], ...]:
        closes = self.closes if self.closes is not None else ()
        if len(closes) != n:
            msg = f"closes has {len(closes)} entries for {n} nodes"
            raise ProblemError(msg)
        result = []
        for i, (node_closes, node_windows) in enumerate(zip(closes, self.windows, strict=True)):
            try:
                times = tuple(float(x) for x in node_closes)
            except (TypeError, ValueError) as err:
                msg = f"closes of node {self.label(i)} are not numbers: {node_closes!r}"
                raise ProblemError(msg) from err
            if not node_windows:  # closed (or left out by the caller): nothing to word
                times = ()
            if len(times) != len(node_windows) or any(
                    math.isnan(c) or c < late for c, (_early, late) in zip(
                        times, node_windows, strict=False)):
                msg = (f"closes of node {self.label(i)} must give one time per window, not "
                       f"before its latest start: {node_closes!r} for {node_windows!r}")
                raise ProblemError(msg)
            result.append(times)
        return tuple(result)

    def _checked_stops(self, stops: object, what: str, n: int) -> tuple[int, ...]:
        if isinstance(stops, str) or not isinstance(stops, Collection):
            msg = f"{what}s must be a collection of node indices, not {stops!r}"
            raise ProblemError(msg)
        seen: list[int] = []
        for value in stops:
            node = _node(value, what, n)
            if node in (self.start, self.end):
                msg = f"{what} {self.label(node)} is the start or end node"
                raise ProblemError(msg)
            if node in seen:
                msg = f"{what} {self.label(node)} is given twice"
                raise ProblemError(msg)
            seen.append(node)
        return tuple(seen)

    @property
    def size(self) -> int:
        """Number of nodes."""
        return int(self.travel.shape[0])

    @property
    def deadline(self) -> float:
        """When the tour must be over: the earlier of the budget's end and ``latest_end``."""
        limit = _INF
        if self.budget is not None:
            limit = self.start_time + self.budget
        if self.latest_end is not None:
            limit = min(limit, self.latest_end)
        return limit

    def label(self, node: int) -> str:
        """``3 (lu-xun-memorial-hall)``, or ``3`` without names (for malformed problems)."""
        return f"{node} ({self.names[node]})" if self.names else str(node)

    def name(self, node: int) -> str:
        """``lu-xun-memorial-hall``, or ``node 3`` without names (for infeasible requests,
        which a person reads: no internal numbers when there are names)."""
        return self.names[node] if self.names else f"node {node}"


def _clock(seconds: float, *, up: bool = False) -> str:
    """``09:22``: a time of day to the minute (``up``: rounded up, for a time that must not
    look earlier than it is)."""
    if not math.isfinite(seconds):
        return "never"
    minutes = math.ceil(seconds / 60 - 1e-9) if up else math.floor(seconds / 60 + 1e-9)
    h, m = divmod(minutes, 60)
    return f"{h:02d}:{m:02d}"


def _duration(seconds: float) -> str:
    """``25 min`` or ``2 h 05 min`` (rounded up to the minute)."""
    if not math.isfinite(seconds):
        return "forever"
    minutes = max(0, math.ceil(seconds / 60 - 1e-9))
    if minutes < 60:
        return f"{minutes} min"
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d} min"


def _limit_text(problem: ProblemLike) -> str:
    """``09:15, the end of the 0.25 h time budget`` or ``17:00, the latest end``."""
    deadline = problem.deadline
    text = _clock(deadline)
    if problem.budget is not None and deadline >= problem.start_time + problem.budget - EPS:
        return f"{text}, the end of the {problem.budget / 3600:g} h time budget"
    if problem.latest_end is not None:
        return f"{text}, the latest end"
    return text


def _windows_text(windows: Sequence[tuple[float, float]]) -> str:
    return ", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in windows) or "none"



# --------------------------------------------------------------------------- explanations


def _explain(inst: _Instance, v: int) -> Exclusion | None:
    """Why ``v`` cannot be in any tour, or ``None`` when it fits alone (by sound bounds)."""
    problem = inst.problem
    label = problem.name(v)
    windows = inst.windows[v]
    arrival = float(inst.earliest[v])
    reach = arrival if math.isfinite(arrival) else None

    def out(reason: Reason, text: str) -> Exclusion:
        return Exclusion(reason, f"stop {label} {text}", windows, reach)

    start_name = problem.name(inst.s)
    end_text = "the end of the tour" if problem.end is None else (
        f"the end, {problem.name(inst.e)}")
    deadline = _limit_text(problem)
    if not windows:
        return out(Reason.CLOSED, "is closed that day (no visiting window)")
    if not math.isfinite(arrival):
        return out(Reason.UNREACHABLE, f"cannot be reached on foot from the start, {start_name}")
    if not math.isfinite(inst.to_end[v]):
        return out(Reason.UNREACHABLE, f"has no way on foot on to {end_text}")
    walk = _duration(arrival - inst.t0)
    found = inst.window_start(v, arrival)
    if found is None:
        reason, why = _too_late(problem, v, arrival)
        return out(reason, f"{why}: the walk from {start_name} takes {walk}, so the "
                           f"earliest arrival is {_clock(arrival, up=True)}")
    start = found[0]
    over = start + inst.duration[v] + inst.to_end[v]
    if over > inst.deadline + EPS:
        if arrival + inst.duration[v] + inst.to_end[v] <= inst.deadline + EPS:
            return out(Reason.OPENS_TOO_LATE,
                       f"opens too late ({_windows_text(windows)}): a visit from "
                       f"{_clock(start)} ends the tour at {_clock(over, up=True)}, after "
                       f"{deadline}")
        if _day_end(problem) is not None and inst.deadline >= _DAY - EPS \
                and (problem.budget is None or problem.start_time + problem.budget > _DAY):
            return out(Reason.DAY_ENDS,
                       f"does not fit before the day ends: a visit from {_clock(start)} "
                       f"ends the tour after midnight, at {_clock(over - _DAY, up=True)} "
                       "the next day")
        onward = (f", then {_duration(inst.to_end[v])} on to {end_text}"
                  if problem.end is not None and inst.to_end[v] > 0 else "")
        return out(Reason.BUDGET,
                   f"does not fit in the time budget even alone: the walk from {start_name} "
                   f"takes {walk} (arriving at {_clock(arrival, up=True)}), the visit "
                   f"{_duration(inst.duration[v])}{onward}: the tour would end at "
                   f"{_clock(over, up=True)}, after {deadline}")
    walk = inst.cost_from_start[v] + inst.cost_to_end[v]
    if walk > inst.max_cost + EPS:
        return out(Reason.DISTANCE,
                   f"is too far even alone: the walk is at least {walk:.0f} m, "
                   f"over the maximum {inst.max_cost:.0f} m")
    return None


_DAY = 86_400.0


def _day_end(problem: ProblemLike) -> float | None:
    """Midnight, when the tour must end by then (``latest_end`` at 24:00)."""
    end = problem.latest_end
    return end if end is not None and abs(end - _DAY) <= EPS else None


def _too_late(problem: ProblemLike, v: int, arrival: float) -> tuple[Reason, str]:
    """Why a stop reached after every latest start is out: closed, last entry, the day."""
    windows = problem.windows[v]
    # without closing times, the end of a visit begun at the latest start stands for it
    closes = (problem.closes[v] if problem.closes is not None
              else tuple(late + float(problem.duration[v]) for _early, late in windows))
    # the last window that opened before the walker gets there (or the first one)
    k = max((i for i, (early, _late) in enumerate(windows) if early <= arrival), default=0)
    close, late = closes[k], windows[k][1]
    if close >= _DAY - EPS:
        return (Reason.DAY_ENDS, "cannot be visited before the day ends at midnight (visits "
                                 f"start {_windows_text(windows)})")
    if arrival < close - EPS:
        after = (f"its last entry at {_clock(late)} (it closes at {_clock(close)})"
                 if problem.closes is not None else
                 f"its latest start at {_clock(late)} (a visit of "
                 f"{_duration(float(problem.duration[v]))} must end by {_clock(close)})")
        return Reason.LAST_ENTRY_PASSED, f"is reached after {after}"
    return (Reason.CLOSES_BEFORE_ARRIVAL,
            f"cannot be reached before it closes ({_windows_text(windows)})")


def _left_out(inst: _Instance, v: int, reason: Reason) -> Exclusion:
    label = inst.problem.name(v)
    text = ("fits alone, but is not in the best tour" if reason is Reason.LOWER_SCORE
            else "fits alone, but not in the fixed order with the stops kept")
    return Exclusion(reason, f"stop {label} {text}", inst.windows[v], float(inst.earliest[v]))


def _mandatory_failure(inst: _Instance, *, fixed: bool, proven: bool = True) -> NoReturn:
    """Raise the error for a set of mandatory stops that no tour visits together."""
    problem = inst.problem
    mandatory = [v for v in inst.candidates if v in inst.mandatory]
    if not mandatory:
        raise InfeasibleRequestError(_no_tour(inst), stops=[inst.s, inst.e])
    culprit = mandatory
    if proven and len(mandatory) > 2:
        for pair in itertools.combinations(mandatory, 2):
            if _exact(inst, list(pair), required=frozenset(pair), fixed=fixed) is None:
                culprit = list(pair)
                break
    names = ", ".join(f"{problem.name(v)} [{_windows_text(inst.windows[v])}]" for v in culprit)
    how = "in the fixed order " if fixed else ""
    limit = f"by {_limit_text(problem)}"
    if inst.limited_walk:
        limit += f" within {inst.max_cost:.0f} m"
    both = "both" if len(culprit) == 2 else "all"
    msg = f"mandatory stops {names} cannot {both} be visited {how}{limit}"
    if not proven:
        msg += " (the heuristic found no such tour; one may still exist)"
    raise InfeasibleRequestError(msg, stops=culprit)



def _no_tour(inst: _Instance) -> str:
    """Why not even the walk straight from the start to the end fits (no mandatory stop)."""
    problem = inst.problem
    a, b = problem.name(inst.s), problem.name(inst.e)
    travel = float(inst.travel[inst.s, inst.e])
    if not math.isfinite(travel):
        return f"there is no way on foot from the start, {a}, to the end, {b}"
    if inst.t0 + travel > inst.deadline + EPS:
        return (f"the walk from the start, {a}, to the end, {b}, alone takes "
                f"{_duration(travel)} (from {_clock(inst.t0)} to "
                f"{_clock(inst.t0 + travel, up=True)}): it does not fit before "
                f"{_limit_text(problem)}")
    return (f"the walk from the start, {a}, to the end, {b}, alone is "
            f"{float(inst.cost[inst.s, inst.e]):.0f} m, over the maximum "
            f"{inst.max_cost:.0f} m")


# --------------------------------------------------------------------------- entry point


def solve(
    problem: Problem,
    *,
    time_limit: float = 2.0,
    seed: int = 0,
    exact_limit: int = 15,
    iterations: int | None = None,
    stall: int = 2000,
) -> Solution:
    """Choose and order the stops of ``problem`` to maximise the total score.

    Parameters
    ----------
    problem
        The request.
    time_limit
        Wall-clock seconds for the heuristic's solve: it returns by then (the exact method
        and a fixed order ignore it).
    seed
        Seed of the heuristic's random choices.
    exact_limit
        Largest number of candidates (stops that fit alone) solved exactly; above it the
        iterated local search runs. ``0`` always uses the heuristic.
    iterations
        Maximum number of local-search iterations (``None``: no maximum).
    stall
        The search stops after this many iterations without a better tour.

    Returns
    -------
    Solution
        The tour, its schedule, and the reason each candidate left out was left out.

    Raises
    ------
    InfeasibleRequestError
        When a mandatory stop cannot be visited (closed, out of reach, too late, over the
        budget or the distance), when the mandatory stops cannot all be visited, or when no
        tour at all reaches the end node in time.

    Notes
    -----
    The heuristic's result depends only on ``problem``, ``seed`` and how many iterations
    it ran. It is reproducible whenever it stops on ``iterations`` or ``stall`` before
    ``time_limit``; when the clock stops it, a faster machine may find a better tour.
    """
    deadline = time.perf_counter() + time_limit
    inst = _Instance(problem)
    excluded: dict[int, Exclusion] = {}
    cands: list[int] = []
    for v in inst.candidates:
        why = _explain(inst, v)
        if why is None:
            cands.append(v)
        elif v in inst.mandatory:
            msg = f"mandatory {why.message}"
            raise InfeasibleRequestError(msg, stops=[v])
        else:
            excluded[v] = why
    required = frozenset(inst.mandatory)
    fixed = problem.order is not None
    search = _Search(inst, cands, np.random.default_rng(seed))
    if fixed or len(cands) <= exact_limit:
        path = _exact(inst, cands, required=required, fixed=fixed)
        if path is None:
            _mandatory_failure(inst, fixed=fixed)
        optimal = True
    else:
        path = _heuristic(search, cands, required, exact_limit=exact_limit,
                          deadline=deadline,
                          iterations=iterations, stall=stall)
        optimal = False
    route = search.evaluate(path)
    if route is None:  # pragma: no cover - both methods only return feasible tours
        msg = f"internal error: the tour {path} does not check out"
        raise RuntimeError(msg)
    reason = Reason.ORDER if fixed else Reason.LOWER_SCORE
    visited = set(path)
    for v in cands:
        if v not in visited:
            excluded[v] = _left_out(inst, v, reason)
    return _solution(inst, route, optimal=optimal, excluded=excluded)


def _heuristic(search: _Search, cands: list[int], required: frozenset[int], *,
               exact_limit: int, deadline: float, iterations: int | None,
               stall: int) -> list[int]:
    """The local search's best tour, from a start that holds every mandatory stop."""
    seed = search.initial()
    if seed is None:  # greedy insertion could not fit the mandatory stops: ask the DP
        need = [v for v in cands if v in required]
        small = len(need) <= max(exact_limit, 12)
        path = _exact(search.inst, need, required=required) if small else None
        seed = None if path is None else search.evaluate(path)
        if seed is None:
            _mandatory_failure(search.inst, fixed=False, proven=small)
    limit = 2**62 if iterations is None else iterations
    return search.run(seed, deadline=deadline, iterations=limit, stall=stall).nodes


def _solution(inst: _Instance, route: _Route, *, optimal: bool,
              excluded: dict[int, Exclusion]) -> Solution:
    problem = inst.problem
    path = [inst.s, *route.nodes, inst.e]
    legs = list(itertools.pairwise(path))
    travel = float(sum(inst.travel[a, b] for a, b in legs))
    distance = None
    if problem.distance is not None:
        distance = float(sum(inst.cost[a, b] for a, b in legs))
    departure = inst.t0
    if route.nodes:
        departure = max(inst.t0, route.start[0] - float(inst.travel[inst.s, route.nodes[0]]))
    visits = []
    for i, v in enumerate(route.nodes):
        arrival = departure + float(inst.travel[inst.s, v]) if i == 0 else route.arrival[i]
        visits.append(Visit(v, arrival, route.start[i] - arrival, route.start[i],
                            route.finish[i]))
    return Solution(
        order=tuple(route.nodes),
        visits=tuple(visits),
        start_node=inst.s,
        end_node=problem.end,
        departure=departure,
        finish=route.end_arrival,
        score=float(sum(problem.score[v] for v in route.nodes)),
        travel_time=travel,
        distance=distance,
        optimal=optimal,
        excluded=dict(sorted(excluded.items())),
    )


# --------------------------------------------------------------------------- several tours


@dataclass(frozen=True, kw_only=True, eq=False)
class TourSpec:
    """One tour of a :class:`MultiProblem` (one day of a trip): where and when it runs.

    Parameters
    ----------
    start, end
        The nodes it leaves from and arrives at (``end=None``: it ends at its last stop).
    start_time, budget, latest_end
        As in :class:`Problem`, for this tour.
    windows
        This tour's visiting windows per node (e.g. that day's opening hours); ``None``: the
        problem's ``windows``.
    closes
        Closing times matching ``windows`` (see :class:`Problem`); used with this tour's own
        ``windows`` only (otherwise the problem's ``closes`` hold).
    max_distance
        This tour's walking limit (needs the problem's ``distance``).
    name
        How messages call this tour (``"Tuesday 4 June"``); ``None``: ``"tour 1"``, ...
    """

    start: int
    end: int | None
    start_time: float = 0.0
    budget: float | None = None
    latest_end: float | None = None
    windows: Sequence[Sequence[tuple[float, float]]] | None = None
    closes: Sequence[Sequence[float]] | None = None
    max_distance: float | None = None
    name: str | None = None


@dataclass(frozen=True, kw_only=True, eq=False)
class MultiProblem:
    """Several tours that share the stops (validated on creation): no stop twice.

    Parameters
    ----------
    travel, duration, score, distance, names
        As in :class:`Problem`, shared by all tours.
    windows, closes
        The visiting windows (and closing times) of each node for the tours without their
        own (:attr:`TourSpec.windows`).
    tours
        The tours, at least one.
    mandatory
        Stops that some tour must visit.

    The start and end nodes of the tours (a hotel, a station) are places, never visits:
    no tour visits a node that is any tour's start or end.
    """

    travel: FloatArray
    duration: FloatArray
    score: FloatArray
    windows: Sequence[Sequence[tuple[float, float]]]
    tours: Sequence[TourSpec]
    mandatory: Collection[int] = ()
    distance: FloatArray | None = None
    names: Sequence[str] | None = None
    closes: Sequence[Sequence[float]] | None = None
    problems: tuple[Problem, ...] = field(init=False, repr=False)
    """One single-tour :class:`Problem` per tour (without ``mandatory``), for the solver."""

    def __post_init__(self) -> None:
        tours = tuple(self.tours)
        if not tours or not all(isinstance(t, TourSpec) for t in tours):
            msg = f"tours must be a non-empty sequence of TourSpec, not {self.tours!r}"
            raise ProblemError(msg)
        base = Problem(travel=self.travel, duration=self.duration, score=self.score,
                       windows=self.windows, closes=self.closes, start=tours[0].start,
                       end=tours[0].end, distance=self.distance, names=self.names)
        problems = []
        for k, spec in enumerate(tours):
            own = spec.windows is not None
            try:
                problems.append(Problem(
                    travel=base.travel, duration=base.duration, score=base.score,
                    windows=spec.windows if spec.windows is not None else base.windows,
                    closes=spec.closes if own else base.closes,
                    start=spec.start, end=spec.end, start_time=spec.start_time,
                    budget=spec.budget, latest_end=spec.latest_end, distance=base.distance,
                    max_distance=spec.max_distance, names=base.names))
            except ProblemError as err:
                msg = f"{_tour_name(spec, k)}: {err}"
                raise ProblemError(msg) from err
        put = object.__setattr__
        for name in ("travel", "duration", "score", "windows", "closes", "distance", "names"):
            put(self, name, getattr(base, name))
        put(self, "tours", tours)
        put(self, "problems", tuple(problems))
        places = self.places
        mandatory = base._checked_stops(self.mandatory, "mandatory stop", base.size)
        for v in mandatory:
            if v in places:
                msg = f"mandatory stop {base.label(v)} is the start or end of a tour"
                raise ProblemError(msg)
        put(self, "mandatory", mandatory)

    @property
    def size(self) -> int:
        """Number of nodes."""
        return self.problems[0].size

    @property
    def places(self) -> frozenset[int]:
        """The start and end nodes of all tours: never visits."""
        return frozenset(v for t in self.tours for v in (t.start, t.end) if v is not None)

    def tour_name(self, k: int) -> str:
        """``"Tuesday 4 June"`` or ``"tour 2"`` for tour ``k`` (counted from 0)."""
        return _tour_name(self.tours[k], k)


def _tour_name(spec: TourSpec, k: int) -> str:
    return spec.name if spec.name else f"tour {k + 1}"


@dataclass(frozen=True, slots=True)
class MultiSolution:
    """The tours of a :class:`MultiProblem` and what was left out.

    Attributes
    ----------
    tours
        One :class:`Solution` per tour, in the problem's order. Each one's ``excluded`` gives,
        for every stop left out of *all* tours, the reason on that tour (closed that day,
        ``lower-score`` when it fits that tour alone...).
    score, travel_time, distance
        Totals over the tours (``distance`` when the problem has a distance matrix).
    optimal
        ``True`` when the exact method proved the tours optimal together.
    excluded
        Every stop left out of all tours, with one reason for the trip: ``lower-score`` when
        it fits some tour alone, otherwise the commonest reason among the tours, with a
        message that names each tour's reason when they differ.
    """

    tours: tuple[Solution, ...]
    score: float
    travel_time: float
    distance: float | None
    optimal: bool
    excluded: dict[int, Exclusion] = field(default_factory=dict)

    @property
    def routes(self) -> tuple[tuple[int, ...], ...]:
        """Each tour's nodes in order: start, stops, end (when there is one)."""
        return tuple(s.route for s in self.tours)


def solve_tours(
    problem: MultiProblem,
    *,
    time_limit: float = 5.0,
    seed: int = 0,
    exact_limit: int | None = None,
    iterations: int | None = None,
    stall: int = 3000,
) -> MultiSolution:
    """Choose and order the stops of several tours that share them, maximising the total.

    Parameters
    ----------
    problem
        The request: shared nodes and one :class:`TourSpec` per tour.
    time_limit
        Wall-clock seconds for the whole solve; the heuristic returns by it.
    seed
        Seed of the heuristic's random choices.
    exact_limit
        Largest number of candidates (stops that fit some tour alone) solved exactly
        (``None``: 15 for one tour, 12 for several). ``0`` always uses the heuristic.
    iterations
        Maximum number of local-search iterations (``None``: no maximum).
    stall
        The search stops after this many iterations without better tours.

    Returns
    -------
    MultiSolution
        The tours with their schedules, and the reason each stop left out was left out.

    Raises
    ------
    InfeasibleRequestError
        When a mandatory stop fits no tour, when the mandatory stops cannot all be visited,
        or when a tour cannot even go from its start to its end in time.

    Notes
    -----
    Objective: the most total score, then the least total walking. One tour is solved by
    :func:`solve`. For several, up to ``exact_limit`` candidates a subset DP per tour gives
    the least walking of a tour over each set of stops, and a DP over the tours splits the
    stops among them: the optimum. Above, a multi-start iterated local search (after
    Vansteenwegen et al. 2009 for the TOPTW): greedy insertion into any tour by score^2 /
    extra time, a shake of a few stops of every tour; each better set of tours gets every
    tour's single-tour improvements (the reordering DP over the stops still free, 2-opt,
    or-opt, swaps for better stops) and moves between tours: a stop moved or swapped to
    another tour, or displaced by a free one (an ejection chain), when that frees room.
    It is seeded with the joint greedy tours and with tours filled one after another (by
    the single-tour search, which makes it at least as good as planning the tours one by
    one in practice), and restarts from a fresh noisy greedy start after 1000 iterations
    without a better best. As for :func:`solve`, the result depends only on
    ``problem``, ``seed`` and the number of iterations run: it is reproducible whenever the
    search stops on ``iterations`` or ``stall`` before the clock.
    """
    begin = time.perf_counter()
    # a margin for what follows the last iteration (an improvement, the schedules)
    deadline = begin + 0.97 * time_limit
    if len(problem.tours) == 1:
        single = replace(problem.problems[0], mandatory=problem.mandatory)
        solution = solve(single, time_limit=time_limit, seed=seed,
                         exact_limit=15 if exact_limit is None else exact_limit,
                         iterations=iterations, stall=stall)
        return MultiSolution((solution,), solution.score, solution.travel_time,
                             solution.distance, solution.optimal, dict(solution.excluded))
    insts = [_Instance(p) for p in problem.problems]
    places = problem.places
    nodes = [v for v in range(problem.size) if v not in places]
    why = [{v: _explain(inst, v) for v in nodes} for inst in insts]
    feasible = [[v for v in nodes if w[v] is None] for w in why]
    cands = [v for v in nodes if any(w[v] is None for w in why)]
    required = frozenset(problem.mandatory)
    for v in required:
        if v not in cands:
            msg = f"mandatory {_trip_exclusion(problem, why, v).message}"
            raise InfeasibleRequestError(msg, stops=[v])
    limit = 12 if exact_limit is None else exact_limit
    if len(cands) <= limit:
        paths = _exact_tours(insts, cands, feasible, required)
        if paths is None:
            _tours_failure(problem, insts, required, proven=True)
        optimal = True
    else:
        search = _MultiSearch(insts, feasible, required, np.random.default_rng(seed))
        routes = search.initial() or _mandatory_start(problem, insts, search, cands, feasible)
        routes = search.run(routes, deadline=deadline,
                            iterations=2**62 if iterations is None else iterations,
                            stall=stall)
        paths = [r.nodes for r in routes]
        optimal = False
    return _multi_solution(problem, insts, paths, why, optimal=optimal)


def _mandatory_start(problem: MultiProblem, insts: list[_Instance], search: _MultiSearch,
                     cands: list[int], feasible: list[list[int]]) -> list[_Route]:
    """Tours with the mandatory stops that greedy insertion could not place, by the exact
    method over every candidate (when they are few: then a failure is proven) or over the
    mandatory stops alone (other stops may be needed on the way: no proof); or the error."""
    required = frozenset(problem.mandatory)
    proven = len(cands) <= 12
    pool = set(cands) if proven else required
    paths = None
    if len(pool) <= 12:
        paths = _exact_tours(insts, [v for v in cands if v in pool],
                             [[v for v in f if v in pool] for f in feasible], required)
    routes = [] if paths is None else [
        s.evaluate(p) for s, p in zip(search.searches, paths, strict=True)]
    if paths is None or any(r is None for r in routes):
        _tours_failure(problem, insts, required, proven=proven)
    return [r for r in routes if r is not None]


def _tours_failure(problem: MultiProblem, insts: list[_Instance], required: frozenset[int], *,
                   proven: bool) -> NoReturn:
    for k, inst in enumerate(insts):
        # (a stop may still shorten a walk that is too long empty, on non-metric distances)
        if not inst.empty_feasible and (proven or not required):
            msg = f"{problem.tour_name(k)}: {_no_tour(inst)}"
            raise InfeasibleRequestError(msg, stops=[inst.s, inst.e])
    names = ", ".join(problem.problems[0].name(v) for v in sorted(required))
    msg = f"mandatory stops {names} cannot all be visited in the {len(problem.tours)} tours"
    if not proven:
        msg += " (the heuristic found no such tours; they may still exist)"
    raise InfeasibleRequestError(msg, stops=sorted(required))


def _multi_solution(problem: MultiProblem, insts: list[_Instance], paths: list[list[int]],
                    why: list[dict[int, Exclusion | None]], *, optimal: bool) -> MultiSolution:
    visited = {v for p in paths for v in p}
    left = [v for v in why[0] if v not in visited]
    tours = []
    for k, (inst, path) in enumerate(zip(insts, paths, strict=True)):
        route = _Search(inst, [], np.random.default_rng(0)).evaluate(path)
        if route is None:  # pragma: no cover - both methods only return feasible tours
            msg = f"internal error: the tour {path} of {problem.tour_name(k)} does not check out"
            raise RuntimeError(msg)
        excluded = {v: why[k][v] or _not_chosen(problem, k, v) for v in left}
        tours.append(_solution(inst, route, optimal=optimal, excluded=excluded))
    distance = None
    if problem.distance is not None:
        distance = float(sum(t.distance or 0.0 for t in tours))
    return MultiSolution(
        tours=tuple(tours),
        score=float(sum(t.score for t in tours)),
        travel_time=float(sum(t.travel_time for t in tours)),
        distance=distance,
        optimal=optimal,
        excluded={v: _trip_exclusion(problem, why, v) for v in sorted(left)},
    )


def _not_chosen(problem: MultiProblem, k: int, v: int) -> Exclusion:
    inst_problem = problem.problems[k]
    windows = tuple(inst_problem.windows[v])
    return Exclusion(Reason.LOWER_SCORE,
                     f"stop {inst_problem.name(v)} fits {problem.tour_name(k)} alone, but is "
                     "not in the best tours", windows, None)


def _trip_exclusion(problem: MultiProblem, why: list[dict[int, Exclusion | None]],
                    v: int) -> Exclusion:
    """One reason for the whole trip: ``lower-score`` if it fits some tour, else the
    commonest reason, its message naming each tour's reason when they differ."""
    name = problem.problems[0].name(v)
    fits = [k for k, w in enumerate(why) if w[v] is None]
    if fits:
        where = ", ".join(problem.tour_name(k) for k in fits)
        windows = tuple(problem.problems[fits[0]].windows[v])
        return Exclusion(Reason.LOWER_SCORE,
                         f"stop {name} fits alone ({where}), but is not in the best tours",
                         windows, None)
    outs = [w[v] for w in why]
    reasons = [o.reason for o in outs if o is not None]
    common = max(reasons, key=reasons.count)
    first = next(o for o in outs if o is not None and o.reason is common)
    if len(set(reasons)) == 1 and len({o.message for o in outs if o is not None}) == 1:
        return first
    prefix = f"stop {name} "
    parts = [f"{problem.tour_name(k)}: {o.message.removeprefix(prefix)}"
             for k, o in enumerate(outs) if o is not None]
    return Exclusion(common, f"stop {name} fits no tour ({'; '.join(parts)})",
                     first.windows, first.earliest_arrival)
