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
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NoReturn

import numpy as np
from numpy.typing import NDArray

from redroute._errors import InfeasibleRequestError, ProblemError

__all__ = [
    "Exclusion",
    "InfeasibleRequestError",
    "Problem",
    "ProblemError",
    "Reason",
    "Solution",
    "Visit",
    "solve",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

EPS = 1e-6  # seconds (or metres): slack on every comparison, so sums of floats compare sanely
_INF = math.inf
_NO_LIMIT = 1e300  # a deadline or walking limit that any finite tour meets


class Reason(StrEnum):
    """Why a candidate is not in the tour."""

    CLOSED = "closed"
    """No visiting window that day."""
    OPENS_TOO_LATE = "opens-too-late"
    """Its windows open too late for the tour, or close before it can be reached."""
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
        Latest time the tour may end, seconds from midnight.
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
        """``3 (lu-xun-memorial-hall)``, or ``3`` without names."""
        return f"{node} ({self.names[node]})" if self.names else str(node)


def _clock(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "never"
    whole = round(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def _windows_text(windows: Sequence[tuple[float, float]]) -> str:
    return ", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in windows) or "none"


# --------------------------------------------------------------------------- the instance


class _Instance:
    """The problem in the solver's own terms.

    A virtual node ``n`` with zero travel to it stands for the end of an open-ended tour,
    so every tour runs from ``s`` to ``e``. ``cost`` is what "less walking" means (distance
    when given, else time) and ``max_cost`` its limit.
    """

    def __init__(self, problem: Problem) -> None:
        n = problem.size
        self.problem = problem
        self.n = n
        self.s = problem.start
        self.e = n if problem.end is None else problem.end
        self.t0 = float(problem.start_time)
        # finite stand-ins for 'no limit', so that an infinite walk never fits
        self.deadline = min(problem.deadline, _NO_LIMIT)
        self.travel = self._extend(problem.travel)
        self.cost = self.travel if problem.distance is None else self._extend(problem.distance)
        self.max_cost = _NO_LIMIT if problem.max_distance is None else float(
            problem.max_distance)
        self.limited_walk = problem.max_distance is not None
        self.duration = np.append(problem.duration, 0.0)
        self.score = np.append(problem.score, 0.0)
        self.windows: list[tuple[tuple[float, float], ...]] = [*map(tuple, problem.windows), ()]
        k = max(1, *(len(w) for w in self.windows))
        self.win_early = np.full((n + 1, k), _INF)
        self.win_late = np.full((n + 1, k), -_INF)
        for i, node_windows in enumerate(self.windows):
            for j, (a, b) in enumerate(node_windows):
                self.win_early[i, j], self.win_late[i, j] = a, b
        self.mandatory = frozenset(problem.mandatory)
        if problem.order is not None:
            self.candidates = list(problem.order)
        else:
            self.candidates = [v for v in range(n) if v not in (self.s, self.e)]
        self._bounds()

    def _extend(self, matrix: FloatArray) -> FloatArray:
        n = self.n
        out = np.zeros((n + 1, n + 1))
        out[:n, :n] = matrix
        out[n, :] = _INF
        np.fill_diagonal(out, 0.0)
        return out

    def _bounds(self) -> None:
        """Shortest-path bounds through candidates: sound even when matrices are not metric."""
        is_cand = np.zeros(self.n + 1, dtype=bool)
        is_cand[self.candidates] = True
        allowed = is_cand.copy()
        allowed[[self.s, self.e]] = True
        time_w = self.travel + np.where(is_cand, self.duration, 0.0)[None, :]
        cost_w = self.cost.copy()
        for w in (time_w, cost_w):  # only candidates are intermediates, so s, e need no care
            w[~allowed, :] = _INF
            w[:, ~allowed] = _INF
            np.fill_diagonal(w, 0.0)
        for v in self.candidates:  # Floyd-Warshall through candidate nodes only
            np.minimum(time_w, time_w[:, v : v + 1] + time_w[v : v + 1, :], out=time_w)
            np.minimum(cost_w, cost_w[:, v : v + 1] + cost_w[v : v + 1, :], out=cost_w)
        direct_start = self.travel[self.s]
        # earliest arrival at each node, and least time / cost from its end to the end node
        self.earliest = self.t0 + np.minimum(direct_start, time_w[self.s] - self.duration)
        self.to_end = np.minimum(self.travel[:, self.e], time_w[:, self.e])
        self.cost_from_start = np.minimum(self.cost[self.s], cost_w[self.s])
        self.cost_to_end = np.minimum(self.cost[:, self.e], cost_w[:, self.e])
        self.empty_feasible = (self.t0 + self.travel[self.s, self.e] <= self.deadline + EPS
                               and self.cost[self.s, self.e] <= self.max_cost + EPS)

    def window_start(self, node: int, arrival: float) -> tuple[float, float, float] | None:
        """Start of a visit arriving at ``arrival`` and the (early, late) of its window."""
        for early, late in self.windows[node]:
            if arrival <= late + EPS:
                return max(arrival, early), early, late
        return None


def _window_start(early: FloatArray, late: FloatArray, arrival: FloatArray) -> FloatArray:
    """Vectorised start of visits; ``early``/``late`` have one more axis (the windows)."""
    start = np.full(arrival.shape, _INF)
    for w in range(early.shape[-1] - 1, -1, -1):  # the first window still open wins
        e, la = early[..., w], late[..., w]
        start = np.where(arrival <= la + EPS, np.maximum(arrival, e), start)
    return start


# --------------------------------------------------------------------------- explanations


def _explain(inst: _Instance, v: int) -> Exclusion | None:
    """Why ``v`` cannot be in any tour, or ``None`` when it fits alone (by sound bounds)."""
    label = inst.problem.label(v)
    windows = inst.windows[v]
    arrival = float(inst.earliest[v])
    reach = arrival if math.isfinite(arrival) else None

    def out(reason: Reason, text: str) -> Exclusion:
        return Exclusion(reason, f"stop {label} {text}", windows, reach)

    end_text = "the end of the tour" if inst.problem.end is None else (
        f"end {inst.problem.label(inst.e)}")
    deadline = _clock(inst.problem.deadline)
    if not windows:
        return out(Reason.CLOSED, "is closed that day (no visiting window)")
    if not math.isfinite(arrival):
        return out(Reason.UNREACHABLE,
                   f"cannot be reached from start {inst.problem.label(inst.s)}")
    if not math.isfinite(inst.to_end[v]):
        return out(Reason.UNREACHABLE, f"has no way on to {end_text}")
    found = inst.window_start(v, arrival)
    if found is None:
        return out(Reason.OPENS_TOO_LATE,
                   f"cannot be reached before its windows close ({_windows_text(windows)}): "
                   f"the earliest arrival is {_clock(arrival)}")
    start = found[0]
    over = start + inst.duration[v] + inst.to_end[v]
    if over > inst.deadline + EPS:
        if arrival + inst.duration[v] + inst.to_end[v] <= inst.deadline + EPS:
            return out(Reason.OPENS_TOO_LATE,
                       f"opens too late ({_windows_text(windows)}): a visit from "
                       f"{_clock(start)} ends the tour at {_clock(over)}, after {deadline}")
        return out(Reason.BUDGET,
                   f"does not fit in the time budget even alone: arriving at "
                   f"{_clock(arrival)}, the tour ends at {_clock(over)}, after {deadline}")
    walk = inst.cost_from_start[v] + inst.cost_to_end[v]
    if walk > inst.max_cost + EPS:
        return out(Reason.DISTANCE,
                   f"is too far even alone: the walk is at least {walk:.0f} m, "
                   f"over the maximum {inst.max_cost:.0f} m")
    return None


def _left_out(inst: _Instance, v: int, reason: Reason) -> Exclusion:
    label = inst.problem.label(v)
    text = ("fits alone, but is not in the best tour" if reason is Reason.LOWER_SCORE
            else "fits alone, but not in the fixed order with the stops kept")
    return Exclusion(reason, f"stop {label} {text}", inst.windows[v], float(inst.earliest[v]))


def _mandatory_failure(inst: _Instance, *, fixed: bool, proven: bool = True) -> NoReturn:
    """Raise the error for a set of mandatory stops that no tour visits together."""
    problem = inst.problem
    mandatory = [v for v in inst.candidates if v in inst.mandatory]
    if not mandatory:
        msg = (f"no tour from start {problem.label(inst.s)} reaches "
               f"{'the end' if problem.end is None else 'end ' + problem.label(inst.e)} "
               f"by {_clock(inst.problem.deadline)}"
               + ("" if not inst.limited_walk else
                  f" within {inst.max_cost:.0f} m"))
        raise InfeasibleRequestError(msg, stops=[inst.s, inst.e])
    culprit = mandatory
    if proven and len(mandatory) > 2:
        for pair in itertools.combinations(mandatory, 2):
            if _exact(inst, list(pair), required=frozenset(pair), fixed=fixed) is None:
                culprit = list(pair)
                break
    names = ", ".join(f"{problem.label(v)} [{_windows_text(inst.windows[v])}]" for v in culprit)
    how = "in the fixed order " if fixed else ""
    limit = f"by {_clock(inst.problem.deadline)}"
    if inst.limited_walk:
        limit += f" within {inst.max_cost:.0f} m"
    both = "both" if len(culprit) == 2 else "all"
    msg = f"mandatory stops {names} cannot {both} be visited {how}{limit}"
    if not proven:
        msg += " (the heuristic found no such tour; one may still exist)"
    raise InfeasibleRequestError(msg, stops=culprit)


# --------------------------------------------------------------------------- exact method


def _pareto(key: IntArray, time_: FloatArray, cost: FloatArray) -> IntArray:
    """Indices of labels not dominated (time and cost both <=) by another of the same key.

    Labels that tie on time may both be kept; that costs a little work, never optimality.
    """
    if not len(key):
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(time_)
    order = order[np.argsort(key[order], kind="stable")]
    key = key[order]
    rank = np.empty(len(cost), dtype=np.int64)
    rank[np.argsort(cost[order])] = np.arange(len(cost))
    group = np.concatenate(([0], np.cumsum(key[1:] != key[:-1])))
    # Shift each group below the previous one so that one running minimum restarts per group.
    value = rank - group * len(cost)
    running = np.minimum.accumulate(value)
    previous = np.concatenate(([np.iinfo(np.int64).max], running[:-1]))
    return order[value < previous]  # type: ignore[no-any-return]


def _exact(inst: _Instance, cands: list[int], *, required: frozenset[int],
           fixed: bool = False) -> list[int] | None:
    """The best tour over ``cands`` (visiting all of ``required``), or ``None``.

    With ``fixed`` the stops must keep the order of ``cands``.
    """
    if fixed:
        return _exact_fixed(inst, cands, required)
    return _SubsetDP(inst, cands, required).run()


class _SubsetDP:
    """Labels per (subset, last stop), Pareto on (finish time, walking), layer by layer."""

    def __init__(self, inst: _Instance, cands: list[int], required: frozenset[int]) -> None:
        self.inst = inst
        self.idx = idx = np.asarray(cands, dtype=np.int64)
        k = self.k = len(cands)
        self.travel = inst.travel[np.ix_(idx, idx)]
        self.cost = inst.cost[np.ix_(idx, idx)]
        self.early, self.late = inst.win_early[idx][None], inst.win_late[idx][None]
        self.back_t, self.back_c = inst.travel[idx, inst.e], inst.cost[idx, inst.e]
        self.bits = np.left_shift(1, np.arange(k, dtype=np.int64))
        self.need = int(sum(1 << cands.index(v) for v in required))
        masks = np.arange(1 << k, dtype=np.int64)
        self.mask_score = np.zeros(1 << k)
        for j in range(k):
            self.mask_score[(masks & self.bits[j]) != 0] += inst.score[idx[j]]
        self.deadline, self.max_cost = inst.deadline + EPS, inst.max_cost + EPS

    def _extend(self, time_: FloatArray, cost: FloatArray, last: IntArray | None
                ) -> tuple[FloatArray, FloatArray, BoolArray]:
        """Finish, cost and feasibility of every label followed by every stop."""
        inst, idx = self.inst, self.idx
        if last is None:  # from the start node
            arrival = (inst.t0 + inst.travel[inst.s, idx])[None, :]
            cost2 = inst.cost[inst.s, idx][None, :]
        else:
            arrival = time_[:, None] + self.travel[last]
            cost2 = cost[:, None] + self.cost[last]
        start = _window_start(self.early, self.late, arrival)
        finish = start + inst.duration[idx]
        ok = (np.isfinite(start) & (finish + inst.to_end[idx] <= self.deadline)
              & (cost2 + inst.cost_to_end[idx] <= self.max_cost))
        return finish, cost2, ok

    def _best_done(self, mask: IntArray, time_: FloatArray, cost: FloatArray,
                   last: IntArray) -> tuple[float, float, int] | None:
        """(score, walking, label) of the best label that can end the tour now."""
        total = cost + self.back_c[last]
        done = ((time_ + self.back_t[last] <= self.deadline) & (total <= self.max_cost)
                & ((mask & self.need) == self.need))
        if not done.any():
            return None
        score = np.where(done, self.mask_score[mask], -_INF)
        pick = np.flatnonzero(done & (score >= _tied(float(score.max()))))
        i = int(pick[np.argmin(total[pick])])
        return float(score[i]), float(total[i]), i

    def run(self) -> list[int] | None:
        inst = self.inst
        best: tuple[float, float, int, int] | None = None  # score, cost, layer, label
        if inst.empty_feasible and self.need == 0:
            best = (0.0, float(inst.cost[inst.s, inst.e]), -1, -1)
        finish, cost, ok = self._extend(np.zeros(1), np.zeros(1), None)
        last = np.flatnonzero(ok[0]).astype(np.int64)
        mask, time_, cost = self.bits[last], finish[0, last], cost[0, last]
        layers: list[tuple[IntArray, IntArray]] = [(last, np.full(len(last), -1))]
        while len(last):
            done = self._best_done(mask, time_, cost, last)
            if done is not None and (best is None or _better(done[:2], best[:2])):
                best = (done[0], done[1], len(layers) - 1, done[2])
            finish, cost2, ok = self._extend(time_, cost, last)
            ok &= (mask[:, None] & self.bits[None, :]) == 0
            rows, cols = np.nonzero(ok)
            new_mask = mask[rows] | self.bits[cols]
            keep = _pareto(new_mask * self.k + cols, finish[rows, cols], cost2[rows, cols])
            rows, cols = rows[keep], cols[keep]
            mask, time_, cost = new_mask[keep], finish[rows, cols], cost2[rows, cols]
            last = cols.astype(np.int64)
            layers.append((last, rows.astype(np.int64)))
        if best is None:
            return None
        _, _, layer, i = best
        path: list[int] = []
        while layer >= 0:
            lasts, parents = layers[layer]
            path.append(int(self.idx[lasts[i]]))
            i, layer = int(parents[i]), layer - 1
        return path[::-1]


def _tied(score: float) -> float:
    """The lowest score that counts as equal to ``score`` (sums of floats differ in ulps)."""
    return score - 1e-9 * max(1.0, abs(score))


def _better(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether (score, walking) ``a`` beats ``b``: more score, or as much and less walking."""
    if a[0] < _tied(b[0]):
        return False
    return a[0] > b[0] + 1e-9 * max(1.0, abs(b[0])) or a[1] < b[1]


_Label = tuple[int, float, float, float, int]  # position, finish, cost, score, parent


def _exact_fixed(inst: _Instance, cands: list[int], required: frozenset[int]) -> list[int] | None:
    """Best subsequence of ``cands`` (kept in order) that contains ``required``.

    Labels per last position are Pareto on (finish, walking, score): exact.
    """
    m = len(cands)
    next_required = [m] * (m + 1)  # first required position at or after p
    for p in range(m - 1, -1, -1):
        next_required[p] = p if cands[p] in required else next_required[p + 1]
    labels: list[_Label] = [(-1, inst.t0, 0.0, 0.0, -1)]
    for q in range(m):
        new = [lab for li in range(len(labels))
               if next_required[labels[li][0] + 1] >= q
               and (lab := _step(inst, cands, labels[li], li, q)) is not None]
        new.sort(key=lambda x: (x[1], x[2], -x[3]))
        kept: list[_Label] = []
        for lab in new:
            if not any(o[1] <= lab[1] and o[2] <= lab[2] and o[3] >= lab[3] for o in kept):
                kept.append(lab)
        labels.extend(kept)
    best: tuple[float, float] | None = None
    best_label = -1
    for li, (p, fin, cost, sc, _) in enumerate(labels):
        u = inst.s if p < 0 else cands[p]
        total = cost + inst.cost[u, inst.e]
        if (next_required[p + 1] == m and fin + inst.travel[u, inst.e] <= inst.deadline + EPS
                and total <= inst.max_cost + EPS and (best is None or _better((sc, total), best))):
            best, best_label = (sc, total), li
    if best is None:
        return None
    path: list[int] = []
    while labels[best_label][0] >= 0:
        path.append(cands[labels[best_label][0]])
        best_label = labels[best_label][4]
    return path[::-1]


def _step(inst: _Instance, cands: list[int], label: _Label, li: int, q: int) -> _Label | None:
    """``label`` followed by the stop at position ``q``, or ``None`` if that breaks a limit."""
    p, fin, cost, sc, _ = label
    u, v = (inst.s if p < 0 else cands[p]), cands[q]
    found = inst.window_start(v, fin + inst.travel[u, v])
    if found is None:
        return None
    fin2 = found[0] + inst.duration[v]
    cost2 = cost + inst.cost[u, v]
    if (fin2 + inst.to_end[v] > inst.deadline + EPS
            or cost2 + inst.cost_to_end[v] > inst.max_cost + EPS):
        return None
    return (q, fin2, cost2, sc + inst.score[v], li)


# --------------------------------------------------------------------------- heuristic


def _ordered_dp(inst: _Instance, seq: list[int], required: frozenset[int],
                cap: int) -> list[int] | None:
    """Best subsequence of ``seq`` by (score, then walking), a heuristic: labels per position
    are kept on (time, score) dominance only, and at most ``cap`` of them."""
    m = len(seq)
    next_required = np.full(m + 1, m, dtype=np.int64)
    for p in range(m - 1, -1, -1):
        next_required[p] = p if seq[p] in required else next_required[p + 1]
    # label arrays: position in seq (-1: start), node, finish, cost, score, parent
    pos = [np.array([-1])]
    node = [np.array([inst.s])]
    fin = [np.array([inst.t0])]
    cost = [np.array([0.0])]
    score = [np.array([0.0])]
    parent = [np.array([-1])]
    offset = 1
    for q, v in enumerate(seq):
        p_all, n_all = np.concatenate(pos), np.concatenate(node)
        f_all, c_all, s_all = np.concatenate(fin), np.concatenate(cost), np.concatenate(score)
        arrival = f_all + inst.travel[n_all, v]
        start = _window_start(inst.win_early[v], inst.win_late[v], arrival)
        f2 = start + inst.duration[v]
        c2 = c_all + inst.cost[n_all, v]
        ok = ((next_required[p_all + 1] >= q) & np.isfinite(start)
              & (f2 + inst.to_end[v] <= inst.deadline + EPS)
              & (c2 + inst.cost_to_end[v] <= inst.max_cost + EPS))
        rows = np.flatnonzero(ok)
        if not len(rows):
            continue
        f2, c2, s2 = f2[rows], c2[rows], s_all[rows] + inst.score[v]
        order = np.lexsort((c2, -s2, f2))
        best_before = np.concatenate(([-_INF], np.maximum.accumulate(s2[order])[:-1]))
        kept = order[s2[order] > best_before + 1e-9]
        if len(kept) > cap:
            kept = kept[np.unique(np.linspace(0, len(kept) - 1, cap).round().astype(np.int64))]
        pos.append(np.full(len(kept), q))
        node.append(np.full(len(kept), v))
        fin.append(f2[kept])
        cost.append(c2[kept])
        score.append(s2[kept])
        parent.append(rows[kept])
        offset += len(kept)
    p_all, n_all = np.concatenate(pos), np.concatenate(node)
    f_all, c_all, s_all = np.concatenate(fin), np.concatenate(cost), np.concatenate(score)
    par = np.concatenate(parent)
    total = c_all + inst.cost[n_all, inst.e]
    ok = ((next_required[p_all + 1] == m)
          & (f_all + inst.travel[n_all, inst.e] <= inst.deadline + EPS)
          & (total <= inst.max_cost + EPS))
    rows = np.flatnonzero(ok)
    if not len(rows):
        return None
    top = s_all[rows].max()
    rows = rows[s_all[rows] >= top - 1e-9]
    i = int(rows[np.argmin(total[rows])])
    path: list[int] = []
    while p_all[i] >= 0:
        path.append(int(n_all[i]))
        i = int(par[i])
    return path[::-1]


@dataclass(slots=True)
class _Route:
    """A feasible tour with its schedule; ``slack`` is each start's MaxShift."""

    nodes: list[int]
    arrival: list[float]
    start: list[float]
    early: list[float]
    finish: list[float]
    slack: list[float]
    end_arrival: float
    end_slack: float
    score: float
    cost: float

    def key(self) -> tuple[float, float]:
        return (round(self.score, 9), -round(self.cost, 9))


class _Search:
    """Iterated local search for the tours of one instance."""

    def __init__(self, inst: _Instance, cands: list[int], rng: np.random.Generator) -> None:
        self.inst = inst
        self.cands = np.asarray(cands, dtype=np.int64)
        self.rng = rng
        self.travel_rows: list[list[float]] = inst.travel.tolist()
        self.cost_rows: list[list[float]] = inst.cost.tolist()
        self.duration: list[float] = inst.duration.tolist()
        self.score: list[float] = inst.score.tolist()
        self.mandatory = inst.mandatory
        self.restart = 100
        self.shake_fraction = 0.5
        self.noise = 0.3
        self.cap = 200
        self.keys: dict[int, float] = {}

    def evaluate(self, nodes: list[int]) -> _Route | None:
        """Schedule ``nodes`` (earliest starts); ``None`` if a window or a limit is broken."""
        inst = self.inst
        t, u, cost, score = inst.t0, inst.s, 0.0, 0.0
        arrival, start, early, late, finish = [], [], [], [], []
        for v in nodes:
            a = t + self.travel_rows[u][v]
            found = inst.window_start(v, a)
            if found is None:
                return None
            st, e0, l0 = found
            t = st + self.duration[v]
            arrival.append(a)
            start.append(st)
            early.append(e0)
            late.append(l0)
            finish.append(t)
            cost += self.cost_rows[u][v]
            score += self.score[v]
            u = v
        end_arrival = t + self.travel_rows[u][inst.e]
        cost += self.cost_rows[u][inst.e]
        if end_arrival > inst.deadline + EPS or cost > inst.max_cost + EPS:
            return None
        end_slack = inst.deadline - end_arrival
        slack = [0.0] * len(nodes)
        wait_next, slack_next = 0.0, end_slack
        for i in range(len(nodes) - 1, -1, -1):
            slack[i] = min(late[i] - start[i], wait_next + slack_next)
            wait_next, slack_next = start[i] - arrival[i], slack[i]
        return _Route(nodes, arrival, start, early, finish, slack, end_arrival, end_slack,
                      score, cost)

    def insertions(self, route: _Route, pool: IntArray) -> tuple[FloatArray, FloatArray]:
        """Feasibility-filtered shift (extra time) of inserting each of ``pool`` everywhere.

        Returns ``(shift, delta_cost)`` of shape (positions, len(pool)); ``shift`` is
        ``inf`` where the insertion breaks a window or a limit.
        """
        inst = self.inst
        prev = np.array([inst.s, *route.nodes], dtype=np.int64)
        prev_finish = np.array([inst.t0, *route.finish])
        nxt = np.array([*route.nodes, inst.e], dtype=np.int64)
        nxt_arrival = np.array([*route.arrival, route.end_arrival])
        nxt_start = np.array([*route.start, route.end_arrival])
        nxt_early = np.array([*route.early, -_INF])
        nxt_slack = np.array([*route.slack, route.end_slack])
        arrival = prev_finish[:, None] + inst.travel[prev[:, None], pool[None, :]]
        start = _window_start(inst.win_early[pool][None], inst.win_late[pool][None], arrival)
        arrival2 = start + inst.duration[pool][None, :] + inst.travel[pool[None, :], nxt[:, None]]
        start2 = np.maximum(arrival2, nxt_early[:, None])
        ok = np.isfinite(start) & (start2 - nxt_start[:, None] <= nxt_slack[:, None] + EPS)
        delta = (inst.cost[prev[:, None], pool[None, :]] + inst.cost[pool[None, :], nxt[:, None]]
                 - inst.cost[prev, nxt][:, None])
        if self.inst.limited_walk:
            ok &= route.cost + delta <= inst.max_cost + EPS
        shift = np.where(ok, arrival2 - nxt_arrival[:, None], _INF)
        return shift, delta

    def insert_greedy(self, route: _Route, *, pool: IntArray | None = None,
                      cheapest: bool = False, noise: float = 0.0) -> _Route:
        """Insert stops by best score^2 / extra time until none fits (Vansteenwegen 2009).

        ``noise`` > 0 multiplies each stop's ratio by a random factor in [1, 1 + noise].
        """
        visited = set(route.nodes)
        if pool is None:
            pool = self.cands
        pool = np.array([v for v in pool.tolist() if v not in visited], dtype=np.int64)
        factor = 1.0 + noise * self.rng.random(len(pool)) if noise else None
        while len(pool):
            shift, delta = self.insertions(route, pool)
            feasible = np.isfinite(shift)
            if cheapest:
                value = -shift
            else:
                gain = self.inst.score[pool] ** 2
                if factor is not None:
                    gain = gain * factor
                value = np.where(feasible, gain[None, :] / np.maximum(shift, 1e-3)
                                 - 1e-9 * delta, -_INF)
            flat = int(np.argmax(value))
            p, j = divmod(flat, len(pool))
            if not feasible[p, j]:
                break
            nodes = [*route.nodes[:p], int(pool[j]), *route.nodes[p:]]
            new = self.evaluate(nodes)
            if new is not None:
                route = new
            # an insertion only delays what follows, so what does not fit now never will
            keep = np.asarray(feasible.any(axis=0))
            keep[j] = False
            pool = pool[keep]
            if factor is not None:
                factor = factor[keep]
        return route

    def replace(self, route: _Route) -> _Route:
        """Swap a visited stop for unvisited ones of a higher total score, while one exists."""
        improved = True
        while improved:
            improved = False
            visited = set(route.nodes)
            pool = np.array([v for v in self.cands.tolist() if v not in visited],
                            dtype=np.int64)
            if not len(pool):
                break
            for i, v in enumerate(route.nodes):
                if v in self.mandatory:
                    continue
                without = self.evaluate(route.nodes[:i] + route.nodes[i + 1 :])
                if without is None:
                    continue
                shift, _ = self.insertions(without, pool)
                gain = np.where(np.isfinite(shift).any(axis=0), self.inst.score[pool], -_INF)
                j = int(np.argmax(gain))
                if gain[j] > self.score[v] + 1e-9:
                    p = int(np.argmin(shift[:, j]))
                    nodes = [*without.nodes[:p], int(pool[j]), *without.nodes[p:]]
                    new = self.evaluate(nodes)
                    if new is not None:
                        route, improved = self.insert_greedy(new), True
                        break
        return route

    def remove(self, route: _Route, first: int, count: int) -> _Route:
        """Remove ``count`` stops from position ``first`` on (wrapping), sparing mandatory."""
        m = len(route.nodes)
        drop = {(first + i) % m for i in range(min(count, m))}
        nodes = [v for i, v in enumerate(route.nodes)
                 if i not in drop or v in self.mandatory]
        new = self.evaluate(nodes)
        return route if new is None else new

    def polish(self, route: _Route) -> _Route:
        """First-improvement 2-opt and or-opt on walking cost, keeping feasibility."""
        improved = True
        while improved:
            improved = False
            for nodes in itertools.chain(self._two_opt(route), self._or_opt(route)):
                new = self.evaluate(nodes)
                if new is not None and new.cost < route.cost - EPS:
                    route, improved = new, True
                    break
        return route

    def _path(self, route: _Route) -> list[int]:
        return [self.inst.s, *route.nodes, self.inst.e]

    def _two_opt(self, route: _Route) -> list[list[int]]:
        """Tours with one stretch reversed that walk less (before the window check)."""
        path, c = self._path(route), self.cost_rows
        fwd = [0.0]
        bwd = [0.0]
        for a, b in itertools.pairwise(path):
            fwd.append(fwd[-1] + c[a][b])
            bwd.append(bwd[-1] + c[b][a])
        m = len(route.nodes)
        out = []
        for i in range(1, m):  # reverse path[i..j]
            for j in range(i + 1, m + 1):
                inner = (bwd[j] - bwd[i]) - (fwd[j] - fwd[i])
                delta = (c[path[i - 1]][path[j]] + c[path[i]][path[j + 1]]
                         - c[path[i - 1]][path[i]] - c[path[j]][path[j + 1]] + inner)
                if delta < -EPS:
                    out.append(path[1:i] + path[i : j + 1][::-1] + path[j + 1 : -1])
        return out

    def _or_opt(self, route: _Route) -> list[list[int]]:
        """Tours with a stretch of 1-3 stops moved that walk less (before the window check)."""
        path, c = self._path(route), self.cost_rows
        m = len(route.nodes)
        out = []
        for length in (1, 2, 3):
            for i in range(1, m - length + 2):  # segment path[i : i + length]
                j = i + length
                seg = path[i:j]
                gain = c[path[i - 1]][seg[0]] + c[seg[-1]][path[j]] - c[path[i - 1]][path[j]]
                rest = path[:i] + path[j:]
                for q in range(len(rest) - 1):
                    if q == i - 1:
                        continue
                    a, b = rest[q], rest[q + 1]
                    delta = c[a][seg[0]] + c[seg[-1]][b] - c[a][b] - gain
                    if delta < -EPS:
                        out.append((rest[: q + 1] + seg + rest[q + 1 :])[1:-1])
        return out

    def initial(self) -> _Route | None:
        """The empty tour with the mandatory stops inserted (cheapest first)."""
        route = self.evaluate([])
        if route is None:
            return None
        required = [v for v in self.cands.tolist() if v in self.mandatory]
        if required:
            route = self.insert_greedy(route, pool=np.asarray(required, dtype=np.int64),
                                       cheapest=True)
            if len(route.nodes) < len(required):
                return None
        return route

    def window_key(self, v: int) -> float:
        """Where ``v`` falls in a time-ordered tour: the middle of its first usable window."""
        found = self.inst.window_start(v, float(self.inst.earliest[v]))
        if found is None:  # pragma: no cover - candidates all have a usable window
            return _INF
        _, early, late = found
        return max(early, float(self.inst.earliest[v])) if math.isinf(late) else (
            early + late) / 2

    def reorder(self, route: _Route) -> _Route:
        """Best subsequence of the tour merged with the unvisited stops in window order."""
        visited = set(route.nodes)
        keyed = [(t, 0, v) for t, v in zip(route.start, route.nodes, strict=True)]
        keyed += [(self.keys[v], 1, v) for v in self.cands.tolist() if v not in visited]
        seq = [v for _, _, v in sorted(keyed)]
        path = _ordered_dp(self.inst, seq, self.mandatory, self.cap)
        new = None if path is None else self.evaluate(path)
        return new if new is not None and new.key() > route.key() else route

    def improve(self, route: _Route) -> _Route:
        """Local search on a promising tour: reorder, shorten the walk, insert, replace."""
        route = self.reorder(route)
        return self.replace(self.insert_greedy(self.polish(route)))

    def run(self, route: _Route, *, deadline: float, iterations: int, stall: int) -> _Route:
        """Seed with time-ordered tours; then insert, shake, repeat; keep the best."""
        self.keys = {v: self.window_key(v) for v in self.cands.tolist()}
        seeds = [self.insert_greedy(route)]
        for key in (self.keys.__getitem__, lambda v: self.inst.win_early[v, 0],
                    lambda v: self.inst.win_late[v, 0]):
            path = _ordered_dp(self.inst, sorted(self.cands.tolist(), key=key),
                               self.mandatory, self.cap)
            seed = None if path is None else self.evaluate(path)
            if seed is not None:
                seeds.append(seed)
        best = current = self.improve(max(seeds, key=_Route.key))
        since = 0
        rng = self.rng
        for _ in range(iterations):
            if since >= stall or time.perf_counter() > deadline:
                break
            if since and since % self.restart == 0:
                current = best
            m = len(current.nodes)
            if m:
                count = int(rng.integers(1, max(2, int(m * self.shake_fraction) + 1)))
                current = self.remove(current, int(rng.integers(m)), count)
            current = self.insert_greedy(current, noise=self.noise)
            if current.key() > best.key():
                current = self.improve(current)
                best, since = current, 0
            else:
                since += 1
        return best


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
        Seconds the heuristic may run (the exact method and a fixed order ignore it).
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
                          deadline=time.perf_counter() + time_limit,
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
