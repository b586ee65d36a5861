"""Shared internals of the solver: the instance in the solver's own terms, array types, EPS.

Imported by :mod:`redroute.solver`, :mod:`redroute._solver_exact` and
:mod:`redroute._solver_search`; it imports none of them, not even for typing.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

EPS = 1e-6  # seconds (or metres): slack on every comparison, so sums of floats compare sanely
_INF = math.inf
_NO_LIMIT = 1e300  # a deadline or walking limit that any finite tour meets


class ProblemLike(Protocol):
    """What the internals read of a :class:`redroute.solver.Problem`, so that they need not
    import the public module (which imports them): no import cycle, not even for typing."""

    @property
    def travel(self) -> FloatArray: ...
    @property
    def duration(self) -> FloatArray: ...
    @property
    def score(self) -> FloatArray: ...
    @property
    def windows(self) -> Sequence[Sequence[tuple[float, float]]]: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int | None: ...
    @property
    def start_time(self) -> float: ...
    @property
    def mandatory(self) -> Collection[int]: ...
    @property
    def order(self) -> Sequence[int] | None: ...
    @property
    def distance(self) -> FloatArray | None: ...
    @property
    def max_distance(self) -> float | None: ...
    @property
    def closes(self) -> Sequence[Sequence[float]] | None: ...
    @property
    def size(self) -> int: ...
    @property
    def deadline(self) -> float: ...
    @property
    def budget(self) -> float | None: ...
    @property
    def latest_end(self) -> float | None: ...
    def label(self, node: int) -> str: ...
    def name(self, node: int) -> str: ...


class _Instance:
    """The problem in the solver's own terms.

    A virtual node ``n`` with zero travel to it stands for the end of an open-ended tour,
    so every tour runs from ``s`` to ``e``. ``cost`` is what "less walking" means (distance
    when given, else time) and ``max_cost`` its limit.
    """

    def __init__(self, problem: ProblemLike) -> None:
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
