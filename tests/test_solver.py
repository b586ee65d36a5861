"""The itinerary solver: feasibility, optimality against brute force, explanations, errors.

Every solution is checked by :func:`check`, a schedule simulator written here independently
of the solver. Instances use small integer times so that brute force and solver agree
exactly.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redroute._errors import RedrouteError
from redroute.solver import (
    InfeasibleRequestError,
    Problem,
    ProblemError,
    Reason,
    Solution,
    solve,
)
from tests.conftest import need_shared

TOL = 1e-6
INF = math.inf
H = 3600.0

# --------------------------------------------------------------------------- an independent checker


def earliest_start(windows: Sequence[tuple[float, float]], arrival: float) -> float | None:
    """Earliest start of a visit arriving at ``arrival`` (windows bound the start)."""
    for early, late in windows:
        if arrival <= late + TOL:
            return max(arrival, early)
    return None


def deadline(problem: Problem) -> float:
    limits = [INF]
    if problem.budget is not None:
        limits.append(problem.start_time + problem.budget)
    if problem.latest_end is not None:
        limits.append(problem.latest_end)
    return min(limits)


def leg(matrix: Any, a: int, b: int) -> float:
    """One leg of a walk; the diagonal is ignored (an empty round trip walks nowhere)."""
    return 0.0 if a == b else float(matrix[a, b])


def simulate(problem: Problem, order: Sequence[int]) -> tuple[float, float, float] | None:
    """(score, walking, finish) of visiting ``order`` at the earliest, or None if infeasible."""
    t, here, walk, dist = problem.start_time, problem.start, 0.0, 0.0
    cost = problem.distance if problem.distance is not None else problem.travel
    for v in order:
        start = earliest_start(problem.windows[v], t + leg(problem.travel, here, v))
        if start is None:
            return None
        walk += leg(problem.travel, here, v)
        dist += leg(cost, here, v)
        t, here = start + problem.duration[v], v
    if problem.end is not None:
        t += leg(problem.travel, here, problem.end)
        walk += leg(problem.travel, here, problem.end)
        dist += leg(cost, here, problem.end)
    if t > deadline(problem) + TOL or math.isinf(walk):
        return None
    if problem.max_distance is not None and dist > problem.max_distance + TOL:
        return None
    return float(sum(problem.score[v] for v in order)), dist, t


def check(problem: Problem, solution: Solution) -> None:
    """Assert that ``solution`` is a feasible tour of ``problem`` and reports it truly."""
    order = list(solution.order)
    candidates = list(problem.order) if problem.order is not None else [
        v for v in range(problem.size) if v not in (problem.start, problem.end)]
    assert len(set(order)) == len(order)
    assert set(order) <= set(candidates)
    assert set(problem.mandatory) <= set(order)
    if problem.order is not None:
        positions = [list(problem.order).index(v) for v in order]
        assert positions == sorted(positions), "the fixed order is not kept"
    assert set(solution.excluded) == set(candidates) - set(order)
    assert solution.route[0] == problem.start
    assert solution.end_node == problem.end
    if problem.end is not None:
        assert solution.route[-1] == problem.end
    assert solution.departure >= problem.start_time - TOL
    t, here, walk = solution.departure, problem.start, 0.0
    assert [v.node for v in solution.visits] == order
    for visit in solution.visits:
        arrival = t + leg(problem.travel, here, visit.node)
        assert visit.arrival == pytest.approx(arrival, abs=TOL)
        assert visit.start >= arrival - TOL
        assert any(a - TOL <= visit.start <= b + TOL for a, b in problem.windows[visit.node])
        assert visit.wait == pytest.approx(visit.start - arrival, abs=TOL)
        assert visit.end == pytest.approx(visit.start + problem.duration[visit.node], abs=TOL)
        walk += leg(problem.travel, here, visit.node)
        t, here = visit.end, visit.node
    if problem.end is not None:
        walk += leg(problem.travel, here, problem.end)
        t += leg(problem.travel, here, problem.end)
    assert math.isfinite(t)
    assert solution.finish == pytest.approx(t, abs=TOL)
    assert t <= deadline(problem) + TOL
    assert solution.travel_time == pytest.approx(walk, abs=TOL)
    assert solution.score == pytest.approx(sum(problem.score[v] for v in order))
    if problem.distance is not None:
        path = solution.route
        dist = sum(leg(problem.distance, a, b) for a, b in itertools.pairwise(path))
        assert solution.distance == pytest.approx(dist, abs=TOL)
        if problem.max_distance is not None:
            assert dist <= problem.max_distance + TOL


def brute_force(problem: Problem) -> tuple[float, float] | None:
    """Best (score, walking) over every ordering of every subset, or None if none fits."""
    candidates = [v for v in range(problem.size) if v not in (problem.start, problem.end)]
    mandatory = set(problem.mandatory)
    best: tuple[float, float] | None = None
    for size in range(len(candidates) + 1):
        for subset in itertools.combinations(candidates, size):
            if not mandatory <= set(subset):
                continue
            for order in itertools.permutations(subset):
                result = simulate(problem, order)
                if result is None:
                    continue
                key = (result[0], -result[1])
                if best is None or key > (best[0], -best[1]):
                    best = (result[0], result[1])
    return best


def walking(problem: Problem, solution: Solution) -> float:
    return solution.distance if solution.distance is not None else solution.travel_time


# --------------------------------------------------------------------------- random instances


@st.composite
def windows_for(draw: st.DrawFn) -> list[tuple[float, float]]:
    kind = draw(st.sampled_from(["one", "one", "lunch", "closed", "all-day"]))
    if kind == "closed":
        return []
    if kind == "all-day":
        return [(0.0, 1000.0)]
    a = draw(st.integers(0, 150))
    b = a + draw(st.integers(0, 200))
    if kind == "one":
        return [(float(a), float(b))]
    c = b + draw(st.integers(1, 60))
    return [(float(a), float(b)), (float(c), float(c + draw(st.integers(0, 100))))]


@st.composite
def small_problems(draw: st.DrawFn, max_stops: int = 6) -> Problem:
    """Asymmetric integer matrices (some impassable legs), lunch breaks, every tour shape."""
    stops = draw(st.integers(0, max_stops))
    shape = draw(st.sampled_from(["round", "one-way", "open"]))
    n = stops + (2 if shape == "one-way" else 1)
    impassable = draw(st.booleans())  # then about one leg in ten has no way
    legs = st.integers(1, 44 if impassable else 40).map(lambda x: INF if x > 40 else float(x))
    travel = np.array([[draw(legs) for _ in range(n)] for _ in range(n)])
    end = {"round": 0, "one-way": n - 1, "open": None}[shape]
    if end is not None and end != 0:
        travel[0, end] = draw(st.integers(1, 100))
    distance = max_distance = None
    if draw(st.booleans()):
        distance = np.array([[float(draw(st.integers(0, 50))) for _ in range(n)]
                             for _ in range(n)])
        max_distance = float(draw(st.integers(0, 200))) if draw(st.booleans()) else None
    mandatory: list[int] = []
    if stops and draw(st.integers(0, 3)) == 0:
        mandatory = draw(st.lists(st.integers(1, stops), max_size=2, unique=True))
    budget = float(draw(st.integers(40, 400))) if draw(st.booleans()) else None
    latest = float(draw(st.integers(50, 400))) if draw(st.booleans()) else None
    return Problem(
        travel=travel,
        duration=[float(draw(st.integers(0, 30))) for _ in range(n)],
        score=[float(draw(st.integers(0, 10))) for _ in range(n)],
        windows=[draw(windows_for()) for _ in range(n)],
        start=0, end=end, start_time=float(draw(st.integers(0, 40))),
        budget=budget, latest_end=latest, mandatory=mandatory,
        distance=distance, max_distance=max_distance,
    )


def solve_or_none(problem: Problem, **options: Any) -> Solution | None:
    try:
        return solve(problem, **options)
    except InfeasibleRequestError:
        return None


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_exact_equals_brute_force(problem: Problem) -> None:
    """The exact method finds the best score, then the least walking, and proves it."""
    expected = brute_force(problem)
    solution = solve_or_none(problem)
    if expected is None:
        assert solution is None
        return
    assert solution is not None
    check(problem, solution)
    assert solution.optimal
    assert solution.score == pytest.approx(expected[0])
    assert walking(problem, solution) == pytest.approx(expected[1], abs=TOL)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_heuristic_feasible_and_never_above_optimum(problem: Problem) -> None:
    """Forced on small instances, the heuristic returns feasible tours, none beats exact."""
    exact = solve_or_none(problem)
    heuristic = solve_or_none(problem, exact_limit=0, iterations=50)
    if heuristic is not None:
        check(problem, heuristic)
        assert exact is not None
        assert heuristic.score <= exact.score + TOL


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(max_stops=5), st.data())
def test_fixed_order_is_best_subsequence(problem: Problem, data: st.DataObject) -> None:
    """A fixed order is kept; the stops kept are the best subsequence of it."""
    stops = [v for v in range(problem.size) if v not in (problem.start, problem.end)]
    order = data.draw(st.permutations(stops))
    mandatory = [v for v in problem.mandatory if v in order]
    fixed = _replace(problem, order=order, mandatory=mandatory)
    best: tuple[float, float] | None = None
    for size in range(len(order) + 1):
        for sub in itertools.combinations(order, size):  # combinations keep the order
            result = simulate(fixed, sub) if set(mandatory) <= set(sub) else None
            if result is not None and (
                    best is None or (result[0], -result[1]) > (best[0], -best[1])):
                best = (result[0], result[1])
    solution = solve_or_none(fixed)
    if best is None:
        assert solution is None
        return
    assert solution is not None
    check(fixed, solution)
    assert solution.score == pytest.approx(best[0])
    assert walking(fixed, solution) == pytest.approx(best[1], abs=TOL)


def _replace(problem: Problem, **changes: Any) -> Problem:
    fields = {name: getattr(problem, name) for name in (
        "travel", "duration", "score", "windows", "start", "end", "start_time", "budget",
        "latest_end", "mandatory", "order", "distance", "max_distance", "names")}
    fields.update(changes)
    return Problem(**fields)


# ------------------------------------------------------------------- larger random instances


def city(n: int, seed: int, *, lunch: bool = False, budget: float = 6 * H) -> Problem:
    """``n`` sites in a 4 km square, 1.2 m/s, day windows (some with a lunch break)."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 4000, (n, 2))
    metres = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    windows: list[list[tuple[float, float]]] = []
    for i in range(n):
        opens = 9 * H + rng.integers(0, 4) * 1800
        closes = 16 * H - rng.integers(0, 6) * 1800
        if lunch and i % 3 == 0:
            windows.append([(opens, 11.5 * H), (13 * H, closes)])
        else:
            windows.append([(opens, closes)])
    return Problem(travel=np.floor(metres / 1.2), duration=rng.integers(2, 8, n) * 600.0,
                   score=rng.integers(1, 10, n).astype(float), windows=windows, start=0,
                   end=0, start_time=9 * H, budget=budget, distance=np.floor(metres))


def greedy_baseline(problem: Problem) -> float:
    """Best score / extra time insertion until nothing fits; returns the score."""
    order: list[int] = []
    left = [v for v in range(problem.size) if v not in (problem.start, problem.end)]
    current = simulate(problem, order)
    assert current is not None
    while True:
        best: tuple[float, list[int], int] | None = None
        for v in left:
            for p in range(len(order) + 1):
                trial = [*order[:p], v, *order[p:]]
                result = simulate(problem, trial)
                if result is None:
                    continue
                ratio = problem.score[v] / max(result[2] - current[2], 1e-3)
                if best is None or ratio > best[0]:
                    best = (ratio, trial, v)
        if best is None:
            return float(sum(problem.score[v] for v in order))
        _, order, v = best
        left.remove(v)
        current = simulate(problem, order)
        assert current is not None


@pytest.mark.parametrize("seed", range(6))
def test_heuristic_beats_greedy_baseline(seed: int) -> None:
    """On 25-site cities the local search is never worse than plain greedy insertion."""
    problem = city(26, seed, lunch=seed % 2 == 1, budget=(4 + seed % 3) * H)
    solution = solve(problem, exact_limit=0, iterations=300, time_limit=30)
    check(problem, solution)
    assert solution.score >= greedy_baseline(problem)


def test_heuristic_is_reproducible() -> None:
    """Same seed and input, same tour; an iteration budget makes it independent of speed."""
    problem = city(40, 7, lunch=True)
    first = solve(problem, exact_limit=0, iterations=200, time_limit=60, seed=3)
    again = solve(problem, exact_limit=0, iterations=200, time_limit=60, seed=3)
    assert first.order == again.order
    assert first.visits == again.visits
    check(problem, first)


def test_heuristic_keeps_mandatory_and_distance() -> None:
    """Mandatory stops and the walking limit hold on the heuristic's path too."""
    base = city(30, 11)
    problem = _replace(base, mandatory=[5, 17], max_distance=12000.0)
    solution = solve(problem, exact_limit=0, iterations=200, time_limit=30)
    check(problem, solution)
    assert {5, 17} <= set(solution.order)


def test_exact_on_fifteen_candidates() -> None:
    """Fifteen candidates with lunch breaks are solved exactly (a heuristic cannot beat it)."""
    problem = city(16, 3, lunch=True, budget=8 * H)
    exact = solve(problem)
    check(problem, exact)
    assert exact.optimal
    heuristic = solve(problem, exact_limit=0, iterations=300, time_limit=30)
    assert (heuristic.score, -walking(problem, heuristic)) <= (
        exact.score, -walking(problem, exact) + TOL)


# --------------------------------------------------------------------------- hand-made cases

NAMES = ["hotel", "site-of-first-congress", "lu-xun-memorial-hall", "far-away",
         "closed-site", "evening-site", "island", "long-walk"]


def hand_made(**changes: Any) -> Problem:
    """A hotel (0) and seven sites around it; times in seconds from midnight."""
    n = len(NAMES)
    travel = np.full((n, n), 600.0)
    travel[:, 3] = travel[3, :] = 3 * H  # far-away: 3 h from everywhere
    travel[:, 6] = travel[6, :] = INF  # island: no way there
    distance = np.full((n, n), 800.0)
    distance[:, 7] = distance[7, :] = 9000.0  # long-walk: 9 km from anywhere, but quick (tram)
    windows: list[list[tuple[float, float]]] = [
        [(0.0, 24 * H)],
        [(9 * H, 16 * H)],
        [(9 * H, 11.5 * H), (13 * H, 16 * H)],
        [(9 * H, 16 * H)],
        [],
        [(19 * H, 21 * H)],
        [(9 * H, 16 * H)],
        [(9 * H, 16 * H)],
    ]
    fields: dict[str, Any] = {
        "travel": travel, "duration": [0.0] + [3600.0] * (n - 1),
        "score": [0.0, 10.0, 8.0, 5.0, 5.0, 5.0, 5.0, 5.0], "windows": windows,
        "start": 0, "end": 0, "start_time": 9 * H, "budget": 4 * H, "names": NAMES,
        "distance": distance, "max_distance": 10000.0,
    }
    fields.update(changes)
    return Problem(**fields)


def test_explanations_name_each_reason() -> None:
    """Closed, too late, over budget, unreachable, too far and out-scored are told apart."""
    problem = hand_made()
    solution = solve(problem)
    check(problem, solution)
    assert solution.order in ((1, 2), (2, 1))
    reasons = {v: why.reason for v, why in solution.excluded.items()}
    assert reasons == {
        3: Reason.BUDGET,
        4: Reason.CLOSED,
        5: Reason.OPENS_TOO_LATE,
        6: Reason.UNREACHABLE,
        7: Reason.DISTANCE,
    }
    assert "closed-site" in solution.excluded[4].message
    assert solution.excluded[5].windows == ((19 * H, 21 * H),)
    assert "19:00-21:00" in solution.excluded[5].message
    assert solution.excluded[6].earliest_arrival is None
    assert str(Reason.OPENS_TOO_LATE) == "opens-too-late"


def test_lower_score_and_window_closed_before_arrival() -> None:
    """A stop that fits alone but not with better ones is ``lower-score``; one whose window
    closes before anyone can get there is ``closes-before-arrival`` (not ``opens-too-late``)."""
    windows = [[(0.0, 24 * H)], [(9 * H, 9.5 * H)], [(9 * H, 9.5 * H)], [(9 * H, 9 * H + 60)]]
    travel = np.full((4, 4), 600.0)
    travel[0, 3] = 1200.0
    problem = Problem(travel=travel, duration=[0, 3600, 3600, 600], score=[0, 5, 3, 9],
                      windows=windows, start=0, end=0, start_time=9 * H, budget=3 * H)
    solution = solve(problem)
    check(problem, solution)
    assert solution.order == (1,)
    assert solution.excluded[2].reason is Reason.LOWER_SCORE
    assert solution.excluded[3].reason is Reason.CLOSES_BEFORE_ARRIVAL
    assert solution.excluded[3].earliest_arrival == pytest.approx(9 * H + 1200)


def test_waits_for_opening_and_lunch_break() -> None:
    """Arriving before a window opens means waiting; the afternoon window after lunch works."""
    problem = hand_made(mandatory=[2], start_time=11.6 * H, budget=3 * H,
                        score=[0, 0, 8, 0, 0, 0, 0, 0])
    solution = solve(problem)
    check(problem, solution)
    assert solution.order == (2,)
    visit = solution.visits[0]
    assert visit.start == pytest.approx(13 * H)
    assert solution.departure == pytest.approx(13 * H - 600)  # leave later, no idle wait
    assert visit.wait == pytest.approx(0.0)


def test_mandatory_closed_stop_names_it() -> None:
    with pytest.raises(InfeasibleRequestError,
                       match=r"mandatory stop closed-site is closed that day") as info:
        solve(hand_made(mandatory=[4]))
    assert info.value.stops == (4,)
    assert isinstance(info.value, RedrouteError)


@pytest.mark.parametrize(
    ("stop", "words"),
    [(3, "does not fit in the time budget"), (5, "opens too late"),
     (6, "cannot be reached"), (7, "too far")],
)
def test_mandatory_impossible_stop_names_it(stop: int, words: str) -> None:
    with pytest.raises(InfeasibleRequestError, match=rf"mandatory stop {NAMES[stop]} ") as info:
        solve(hand_made(mandatory=[stop]))
    assert words in str(info.value)
    assert info.value.stops == (stop,)


def test_budget_shorter_than_walk_to_first_stop() -> None:
    with pytest.raises(InfeasibleRequestError, match=r"site-of-first-congress.*budget"):
        solve(hand_made(mandatory=[1], budget=300.0))


def test_mandatory_set_that_cannot_fit_names_the_pair() -> None:
    windows = [[(0.0, 24 * H)], [(9 * H, 9 * H + 900)], [(9 * H, 9 * H + 900)], [(9 * H, 20 * H)]]
    problem = Problem(travel=np.full((4, 4), 600.0), duration=[0, 3600, 3600, 600],
                      score=[0, 1, 1, 1], windows=windows, start=0, end=0, start_time=8.5 * H,
                      mandatory=[1, 2, 3], names=["hotel", "a", "b", "c"])
    with pytest.raises(InfeasibleRequestError, match=r"stops a \[.*b \[.*cannot both") as info:
        solve(problem)
    assert info.value.stops == (1, 2)


def test_one_way_tour_that_cannot_reach_its_end() -> None:
    travel = np.full((3, 3), 600.0)
    travel[0, 2] = travel[1, 2] = 5 * H
    problem = Problem(travel=travel, duration=[0, 600, 0], score=[0, 1, 0],
                      windows=[[(0, 24 * H)]] * 3, start=0, end=2, start_time=9 * H,
                      budget=2 * H, names=["hotel", "site", "station"])
    with pytest.raises(InfeasibleRequestError, match=r"the end, station"):
        solve(problem)


def test_one_way_and_open_ended_tours() -> None:
    """A one-way tour ends at its end node; an open one ends with its last visit."""
    one_way = hand_made(end=1, score=[0, 0, 8, 0, 0, 0, 0, 0])
    solution = solve(one_way)
    check(one_way, solution)
    assert solution.route == (0, 2, 1)
    assert solution.finish == pytest.approx(solution.visits[-1].end + 600)

    open_end = hand_made(end=None)
    solution = solve(open_end)
    check(open_end, solution)
    assert solution.route[-1] == solution.order[-1]
    assert solution.finish == pytest.approx(solution.visits[-1].end)
    assert solution.finish <= open_end.deadline


def test_open_ended_tour_fits_more_than_round_trip() -> None:
    """Not walking back leaves time for one more visit."""
    round_trip = hand_made(budget=2.5 * H, max_distance=None)
    open_end = hand_made(budget=2.5 * H, max_distance=None, end=None)
    assert len(solve(open_end).order) == len(solve(round_trip).order) == 2
    shorter = hand_made(budget=2 * H + 1500, max_distance=None)
    assert len(solve(shorter).order) == 1
    assert len(solve(_replace(shorter, end=None)).order) == 2


def test_fixed_order_is_kept_and_infeasible_stops_reported() -> None:
    """The curator's order is scheduled as given; a stop that cannot fit is reported."""
    problem = hand_made(order=[2, 5, 4, 1], budget=5 * H, max_distance=None)
    solution = solve(problem)
    check(problem, solution)
    assert solution.order == (2, 1)
    assert solution.excluded[5].reason is Reason.OPENS_TOO_LATE
    assert solution.excluded[4].reason is Reason.CLOSED
    # 1 then 2 is also a fine order for a free solver, but the curator wants 2 first
    reverse = solve(hand_made(order=[1, 2], budget=5 * H, max_distance=None))
    assert reverse.order == (1, 2)


def test_fixed_order_drops_what_does_not_fit_in_that_order() -> None:
    windows = [[(0.0, 24 * H)], [(9 * H, 10 * H)], [(13 * H, 14 * H)], [(9 * H, 10 * H)]]
    problem = Problem(travel=np.full((4, 4), 600.0), duration=[0, 3600, 3600, 1800],
                      score=[0, 1, 5, 1], windows=windows, start=0, end=0, start_time=9 * H,
                      order=[2, 1, 3])
    solution = solve(problem)
    check(problem, solution)
    assert solution.order == (2,)
    assert solution.excluded[1].reason is Reason.ORDER
    with pytest.raises(InfeasibleRequestError, match="in the fixed order"):
        solve(_replace(problem, mandatory=[2, 1]))


def test_less_walking_breaks_ties() -> None:
    """Among tours of equal score the shorter walk wins (distance when given)."""
    travel = np.array([[0, 100, 100], [100, 0, 100], [300, 100, 0]], dtype=float)
    problem = Problem(travel=travel, duration=[0, 10, 10], score=[0, 1, 1],
                      windows=[[(0, 1000)]] * 3, start=0, end=0)
    assert solve(problem).order == (2, 1)
    distance = np.array([[0, 1, 9], [9, 0, 1], [1, 9, 0]], dtype=float)
    assert solve(_replace(problem, distance=distance)).order == (1, 2)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"travel": np.zeros((2, 3))}, "square"),
        ({"travel": [[0, -1], [1, 0]]}, r"travel\[0, 1\] = -1"),
        ({"duration": [0, -5]}, r"duration\[1\] = -5"),
        ({"score": [0, 1, 2]}, r"score must have shape \(2,\)"),
        ({"windows": [[], [(10, 5)]]}, "earliest_start <= latest_start"),
        ({"windows": [[], [(50, 60), (10, 20)]]}, "sorted and disjoint"),
        ({"windows": [[]]}, "windows has 1 entries"),
        ({"start": 2}, "start 2 is not a node"),
        ({"end": -1}, "end -1 is not a node"),
        ({"mandatory": [0]}, "start or end"),
        ({"mandatory": [1, 1]}, "given twice"),
        ({"order": [1], "mandatory": [1], "end": None, "names": ["a", "b"]}, None),
        ({"max_distance": 5.0}, "needs a distance matrix"),
        ({"budget": -1.0}, "budget"),
        ({"latest_end": 10.0, "start_time": 20.0}, "before start_time"),
        ({"names": ["a"]}, "names has 1 entries"),
    ],
)
def test_problem_validation(changes: dict[str, Any], words: str | None) -> None:
    fields: dict[str, Any] = {"travel": [[0, 1], [1, 0]], "duration": [0, 5],
                              "score": [0, 1], "windows": [[], [(0, 100)]], "start": 0,
                              "end": 0}
    fields.update(changes)
    if words is None:
        Problem(**fields)
        return
    with pytest.raises(ProblemError, match=words):
        Problem(**fields)


def test_empty_problem_and_no_candidates() -> None:
    """A start with nowhere to go is an empty tour, not an error."""
    problem = Problem(travel=[[0.0]], duration=[0], score=[0], windows=[[]], start=0, end=0)
    solution = solve(problem)
    assert solution.order == ()
    assert solution.route == (0, 0)
    assert solution.optimal


# ----------------------------------------------------------------- a real benchmark instance


def read_optw(path: Any) -> Problem:
    """A Cordeau OPTW file: distances truncated to two decimals, so times x100 are exact."""
    rows = [line.split() for line in path.read_text().splitlines()[2:] if line.strip()]
    xy = np.array([[float(r[1]), float(r[2])] for r in rows])
    travel = np.floor(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) * 100 + 1e-7)
    return Problem(travel=travel, duration=[round(float(r[3]) * 100) for r in rows],
                   score=[float(r[4]) for r in rows],
                   windows=[[(round(float(r[-2]) * 100), round(float(r[-1]) * 100))]
                            for r in rows],
                   start=0, end=0, latest_end=round(float(rows[0][-1]) * 100))


@pytest.mark.shared
def test_real_optw_instance_pr01() -> None:
    """pr01 (48 customers, proven optimum 308): feasible and within 10% on a short run."""
    problem = read_optw(need_shared("benchmarks/optw/instances/pr01.txt"))
    solution = solve(problem, time_limit=1.0, iterations=400)
    check(problem, solution)
    assert not solution.optimal
    assert solution.score >= 0.9 * 308


# --------------------------------------------------------------------------- issue 12: wording

#: A node number in a message: "start 0 (start)", "stop 3 (far-away)".
NODE_NUMBER = r"\b(start|end|stop|node) \d+\b|\d+ \("


def one_way(travel_to_end: float, **changes: Any) -> Problem:
    travel = np.full((3, 3), max(600.0, travel_to_end))  # no short cut through the site
    travel[0, 2] = travel_to_end
    fields: dict[str, Any] = {
        "travel": travel, "duration": [0, 600, 0], "score": [0, 1, 0],
        "windows": [[(0, 24 * H)]] * 3, "start": 0, "end": 2, "start_time": 9 * H,
        "budget": 0.3 * H, "names": ["People's Square", "site", "Xintiandi"]}
    fields.update(changes)
    return Problem(**fields)


def test_no_tour_names_the_places_and_the_times() -> None:
    """Was "no tour from start 0 (start) reaches end 2 (end) by 09:18"."""
    with pytest.raises(InfeasibleRequestError) as info:
        solve(one_way(25 * 60.0))
    message = str(info.value)
    assert message == ("the walk from the start, People's Square, to the end, Xintiandi, "
                       "alone takes 25 min (from 09:00 to 09:25): it does not fit before "
                       "09:18, the end of the 0.3 h time budget")
    assert not re.search(NODE_NUMBER, message)
    assert info.value.stops == (0, 2)


def test_no_tour_before_the_latest_end() -> None:
    with pytest.raises(InfeasibleRequestError, match="before 09:10, the latest end"):
        solve(one_way(25 * 60.0, budget=None, latest_end=9 * H + 600))


def test_no_way_on_foot_to_the_end() -> None:
    with pytest.raises(InfeasibleRequestError,
                       match="no way on foot from the start, People's Square, to the end, "
                             "Xintiandi"):
        solve(one_way(INF))


def test_no_tour_within_the_walking_limit() -> None:
    distance = np.full((3, 3), 500.0)
    distance[0, 2] = 5000.0
    with pytest.raises(InfeasibleRequestError,
                       match="alone is 5000 m, over the maximum 900 m"):
        solve(one_way(600.0, budget=None, distance=distance, max_distance=900.0))


def test_a_long_walk_reads_in_hours_and_minutes() -> None:
    with pytest.raises(InfeasibleRequestError, match=r"alone takes 2 h 05 min \(from 09:00 "
                                                     r"to 11:05\)"):
        solve(one_way(2 * H + 300, budget=H))


def test_without_names_nodes_are_called_nodes() -> None:
    with pytest.raises(InfeasibleRequestError, match="from the start, node 0, to the end, "
                                                     "node 2"):
        solve(one_way(25 * 60.0, names=None))


def test_mandatory_over_budget_tells_the_walk_and_the_visit() -> None:
    """Was "arriving at 12:00:00, the tour ends at ..., after 13:00" with node numbers."""
    with pytest.raises(InfeasibleRequestError) as info:
        solve(hand_made(mandatory=[3]))
    message = str(info.value)
    assert message == ("mandatory stop far-away does not fit in the time budget even alone: "
                       "the walk from hotel takes 3 h 00 min (arriving at 12:00), the visit "
                       "1 h 00 min, then 3 h 00 min on to the end, hotel: the tour would end at "
                       "16:00, after 13:00, the end of the 4 h time budget")


def test_mandatory_out_of_reach_names_the_start() -> None:
    with pytest.raises(InfeasibleRequestError,
                       match="mandatory stop island cannot be reached on foot from the start, "
                             "hotel"):
        solve(hand_made(mandatory=[6]))


def test_mandatory_closing_before_arrival_tells_the_walk() -> None:
    """Reached at 16:40 when a 1 h visit must start by 16:00: too late to go in, told with
    the walk (a site reached after closing is tested below)."""
    with pytest.raises(InfeasibleRequestError,
                       match=r"stop site-of-first-congress is reached after its latest start "
                             r"at 16:00 \(a visit of 1 h 00 min must end by 17:00\): the walk "
                             r"from hotel takes 10 min, so the earliest arrival is 16:40"):
        solve(hand_made(mandatory=[1], start_time=16.5 * H))
    with pytest.raises(InfeasibleRequestError,
                       match=r"stop site-of-first-congress cannot be reached before it closes "
                             r"\(09:00-16:00\): the walk from hotel takes 10 min, so the "
                             r"earliest arrival is 17:10"):
        solve(hand_made(mandatory=[1], start_time=17 * H))


def test_explanations_have_no_node_numbers_and_no_seconds() -> None:
    """Exclusions end up in the itinerary's JSON: names, HH:MM, minutes."""
    problem = hand_made(start_time=9 * H + 17)
    solution = solve(problem)
    assert solution.excluded
    for exclusion in solution.excluded.values():
        assert not re.search(NODE_NUMBER, exclusion.message), exclusion.message
        assert not re.search(r"\d\d:\d\d:\d\d", exclusion.message), exclusion.message


# --------------------------------------------------------------------------- edges of the day


def _one_stop(window: tuple[float, float], *, start_time: float, walk: float = 600.0,
              visit: float = 1800.0, **changes: Any) -> Problem:
    """A start node and one stop ``walk`` seconds away with one visiting window."""
    travel = np.array([[0.0, walk], [walk, 0.0]])
    fields: dict[str, Any] = {
        "travel": travel, "duration": [0.0, visit], "score": [0.0, 5.0],
        "windows": [[(0.0, 24 * H)], [window]], "start": 0, "end": 0,
        "start_time": start_time, "budget": 4 * H, "names": ["hotel", "hall"]}
    fields.update(changes)
    return Problem(**fields)


def test_closes_before_arrival_is_its_own_reason() -> None:
    """Reached at 17:10, after closing at 17:00: ``closes-before-arrival``."""
    problem = _one_stop((9 * H, 16 * H), start_time=17 * H, closes=[[24 * H], [17 * H]])
    why = solve(problem).excluded[1]
    assert why.reason is Reason.CLOSES_BEFORE_ARRIVAL
    assert "cannot be reached before it closes (09:00-16:00)" in why.message


def test_last_entry_passed_is_its_own_reason() -> None:
    """Reached at 16:40, after the 16:00 last entry but before closing at 17:00."""
    problem = _one_stop((9 * H, 16 * H), start_time=16.5 * H, closes=[[24 * H], [17 * H]])
    why = solve(problem).excluded[1]
    assert why.reason is Reason.LAST_ENTRY_PASSED
    assert "after its last entry at 16:00 (it closes at 17:00)" in why.message


def test_a_site_open_till_midnight_reached_too_late_is_day_ends() -> None:
    """A 24/7 site reached at 23:50 cannot hold a 30-minute visit before midnight: the day
    ends, the site does not 'open too late'."""
    problem = _one_stop((0.0, 24 * H - 1800), start_time=23 * H + 2400,
                        closes=[[24 * H], [24 * H]])
    assert solve(problem).excluded[1].reason is Reason.DAY_ENDS
    no_closes = _one_stop((0.0, 24 * H - 1800), start_time=23 * H + 2400)
    assert solve(no_closes).excluded[1].reason is Reason.DAY_ENDS


def test_the_walk_back_past_midnight_is_day_ends() -> None:
    """The visit fits before midnight but the walk back would cross it (``latest_end`` at
    24:00): ``day-ends``, not ``budget`` nor ``opens-too-late``."""
    problem = _one_stop((0.0, 24 * H - 1800), start_time=23 * H, walk=1200.0,
                        latest_end=24 * H)
    why = solve(problem).excluded[1]
    assert why.reason is Reason.DAY_ENDS
    assert "after midnight" in why.message


def test_opens_too_late_is_kept_for_a_late_opening() -> None:
    """A site opening at 19:00 for a walk that must end by 13:00 still opens too late."""
    problem = _one_stop((19 * H, 21 * H), start_time=9 * H)
    assert solve(problem).excluded[1].reason is Reason.OPENS_TOO_LATE


def test_closes_must_match_the_windows() -> None:
    with pytest.raises(ProblemError, match="closes of node 1 \\(hall\\) must give one time"):
        _one_stop((9 * H, 16 * H), start_time=9 * H, closes=[[24 * H], [15 * H]])
    with pytest.raises(ProblemError, match="closes has 1 entries for 2 nodes"):
        _one_stop((9 * H, 16 * H), start_time=9 * H, closes=[[24 * H]])
