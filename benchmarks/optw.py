"""Benchmark redroute's solver on public OPTW instances, side by side with OR-Tools.

Reads instances in the format of ``shared/benchmarks/optw/FORMAT.md`` (Solomon c/r/rc files
with distances truncated to one decimal, Cordeau pr files to two), solves each with
:func:`redroute.solver.solve` and with OR-Tools' routing solver (prize-collecting: one
disjunction per customer with the score as penalty, a time dimension with the windows on the
visit start, guided local search) under the same time limit, and prints a table.

With ``--tours M`` (one or more values) each instance is solved as a team orienteering
problem with M tours from the depot (TOPTW): :func:`redroute.solver.solve_tours` against
OR-Tools with M vehicles, under the same time limit.

Times are scaled to integers (x10 or x100, matching the truncation), so both solvers work in
exact arithmetic. ``--json`` writes, per instance and M, ``{"instance", "m", "tours",
"score", "time_s"}`` (each tour node ids, depot first and last; ``sequence`` too for M = 1)
for an independent checker. ``--make-synthetic DIR`` writes larger instances in the same
format (Cordeau-like, labelled ``syn-``, no best-known scores) for relative comparisons.

Example::

    .venv/bin/python benchmarks/optw.py ../shared/benchmarks/optw/instances/*.txt \\
        --bks ../shared/benchmarks/optw/bks.csv --json /tmp/optw.json
    .venv/bin/python benchmarks/optw.py ../shared/benchmarks/optw/instances/pr01.txt \\
        --bks ../shared/benchmarks/optw/bks.csv --tours 2 3 4 --time-limit 5
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from redroute.solver import MultiProblem, Problem, TourSpec, solve, solve_tours


@dataclass(frozen=True)
class Instance:
    """One OPTW instance, times scaled to integers by ``scale``."""

    name: str
    scale: int
    travel: np.ndarray
    duration: np.ndarray
    score: np.ndarray
    opens: np.ndarray
    closes: np.ndarray

    @property
    def budget(self) -> float:
        """The depot's closing time (scaled)."""
        return float(self.closes[0])


def read_instance(path: Path) -> Instance:
    """Parse an instance file: skip 2 header lines; id x y duration score ... open close."""
    rows = [line.split() for line in path.read_text().splitlines()[2:] if line.strip()]
    data = np.array([[float(r[1]), float(r[2]), float(r[3]), float(r[4]), float(r[-2]),
                      float(r[-1])] for r in rows])
    scale = 100 if path.stem.lower().startswith("pr") else 10
    xy = data[:, :2]
    euclid = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    # Truncate in the scaled integer domain; the tiny offset guards against 12.3 -> 122.99999.
    travel = np.floor(euclid * scale + 1e-7)
    return Instance(
        name=path.stem,
        scale=scale,
        travel=travel,
        duration=np.round(data[:, 2] * scale),
        score=data[:, 3],
        opens=np.round(data[:, 4] * scale),
        closes=np.round(data[:, 5] * scale),
    )


def to_problem(inst: Instance) -> Problem:
    """The instance as a round trip from the depot, node 0, between 0 and its closing time."""
    windows = [[(float(a), float(b))] for a, b in zip(inst.opens, inst.closes, strict=True)]
    return Problem(travel=inst.travel, duration=inst.duration, score=inst.score,
                   windows=windows, start=0, end=0, start_time=0.0, latest_end=inst.budget)


def check_tour(inst: Instance, tour: list[int]) -> tuple[bool, float]:
    """Independent feasibility check of ``tour`` (depot first and last); returns (ok, score)."""
    t, ok = 0.0, tour[0] == 0 and tour[-1] == 0 and len(set(tour[1:-1])) == len(tour) - 2
    for a, b in itertools.pairwise(tour):
        t += inst.travel[a, b]
        if b != 0:
            t = max(t, inst.opens[b])
            ok &= bool(t <= inst.closes[b])
            t += inst.duration[b]
    ok &= bool(t <= inst.budget)
    return ok, float(sum(inst.score[v] for v in tour[1:-1]))


def solve_ours(inst: Instance, limit: float, seed: int) -> tuple[list[int], float, float]:
    """Tour, score and seconds with redroute's solver."""
    begin = time.perf_counter()
    solution = solve(to_problem(inst), time_limit=limit, seed=seed)
    return list(solution.route), solution.score, time.perf_counter() - begin


def check_tours(inst: Instance, tours: list[list[int]]) -> tuple[bool, float]:
    """Every tour feasible and no customer twice in all; returns (ok, total score)."""
    visits = [v for tour in tours for v in tour[1:-1]]
    ok, score = len(visits) == len(set(visits)), 0.0
    for tour in tours:
        good, value = check_tour(inst, tour)
        ok, score = ok and good, score + value
    return ok, score


def solve_ours_tours(inst: Instance, m: int, limit: float,
                     seed: int) -> tuple[list[list[int]], float, float]:
    """Tours, score and seconds with redroute's solver for m tours."""
    begin = time.perf_counter()
    windows = [[(float(a), float(b))] for a, b in zip(inst.opens, inst.closes, strict=True)]
    problem = MultiProblem(travel=inst.travel, duration=inst.duration, score=inst.score,
                           windows=windows, tours=[TourSpec(start=0, end=0, start_time=0.0,
                                                            latest_end=inst.budget)] * m)
    solution = solve_tours(problem, time_limit=limit, seed=seed)
    return [list(r) for r in solution.routes], solution.score, time.perf_counter() - begin


def solve_ortools(inst: Instance, limit: float, m: int = 1
                  ) -> tuple[list[list[int]], float, float]:
    """Tours, score and seconds with OR-Tools' routing solver (prize-collecting VRPTW with
    m vehicles)."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    begin = time.perf_counter()
    n = len(inst.score)
    manager = pywrapcp.RoutingIndexManager(n, m, 0)
    routing = pywrapcp.RoutingModel(manager)
    travel = inst.travel.astype(np.int64)
    service = inst.duration.astype(np.int64)
    # transit i -> j is the service at i plus the walk; arc cost is the walk only
    time_cb = routing.RegisterTransitMatrix((travel + service[:, None]).tolist())
    dist_cb = routing.RegisterTransitMatrix(travel.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(dist_cb)
    horizon = int(inst.budget)
    routing.AddDimension(time_cb, horizon, horizon, False, "time")
    dim = routing.GetDimensionOrDie("time")
    # one unit of score outweighs any walk, so the search maximises the score first
    weight = int(travel.sum()) + 1
    for node in range(1, n):
        index = manager.NodeToIndex(node)
        dim.CumulVar(index).SetRange(int(inst.opens[node]), int(inst.closes[node]))
        routing.AddDisjunction([index], round(inst.score[node]) * weight)
    for k in range(m):
        dim.CumulVar(routing.Start(k)).SetRange(0, horizon)
        dim.CumulVar(routing.End(k)).SetRange(0, horizon)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    remaining = max(0.1, limit - (time.perf_counter() - begin))
    params.time_limit.FromMilliseconds(int(remaining * 1000))
    assignment = routing.SolveWithParameters(params)
    tours = [[0, 0] for _ in range(m)]
    if assignment is not None:
        for k in range(m):
            index = routing.Start(k)
            tour = []
            while not routing.IsEnd(index):
                tour.append(manager.IndexToNode(index))
                index = assignment.Value(routing.NextVar(index))
            tours[k] = [*tour, 0]
    score = float(sum(inst.score[v] for tour in tours for v in tour[1:-1]))
    return tours, score, time.perf_counter() - begin


def read_bks(path: Path | None) -> dict[tuple[str, int], float]:
    """Best-known scores by (instance name, number of tours)."""
    if path is None:
        return {}
    with path.open(newline="") as handle:
        return {(row["instance"], int(row.get("m") or 1)): float(row["bks"])
                for row in csv.DictReader(handle)}


def make_synthetic(folder: Path, sizes: list[int], seed: int) -> list[Path]:
    """Write Cordeau-like instances (``syn-N-SEED``): N customers uniform in [-100, 100]^2,
    visits and scores 1-25, windows 90-180 wide that a direct trip can use, the depot at the
    centre closing at 1000 (so, as in the larger pr files, most customers stay out)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in sizes:
        xy = rng.uniform(-100, 100, size=(n, 2))
        duration = rng.integers(1, 26, size=n)
        score = rng.integers(1, 26, size=n)
        width = rng.integers(90, 181, size=n)
        reach = np.sqrt((xy**2).sum(axis=1))
        latest = np.maximum(reach + 1, 1000 - reach - duration - width)
        opens = np.floor(rng.uniform(reach, latest)).astype(int)
        lines = [f"0 1 {n} 4", "500 200", "0 0.000 0.000 0 0 0 0 0 1000"]
        lines += [f"{i + 1} {x:.3f} {y:.3f} {d} {s} 1 4 1 2 4 8 {a} {a + w}"
                  for i, ((x, y), d, s, a, w) in enumerate(
                      zip(xy, duration, score, opens, width, strict=True))]
        path = folder / f"pr-syn{n}-{seed}.txt"
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths


def gap(score: float, bks: float | None) -> float:
    """Percentage below the best-known score (nan without one)."""
    return math.nan if not bks else 100.0 * (bks - score) / bks


def run_one(inst: Instance, m: int, args: argparse.Namespace,
            best: float | None) -> tuple[tuple[float, ...], dict[str, object]] | None:
    """Solve one instance with m tours both ways, print its row; ``None`` if a check fails."""
    runs = []
    for r in range(args.repeat):
        if m == 1:
            tour, score, seconds = solve_ours(inst, args.time_limit, args.seed + r)
            runs.append(([tour], score, seconds))
        else:
            runs.append(solve_ours_tours(inst, m, args.time_limit, args.seed + r))
    for tours, score, _ in runs:
        ok, checked = check_tours(inst, tours)
        if not ok or checked != score:
            print(f"{inst.name} m={m}: our tours {tours} fail the check", file=sys.stderr)
            return None
    tours, score, _ = sorted(runs, key=lambda r: r[1])[len(runs) // 2]
    seconds = statistics.median(r[2] for r in runs)
    o_tours, o_score, o_seconds = [[0, 0]] * m, math.nan, math.nan
    if not args.no_ortools:
        o_tours, o_score, o_seconds = solve_ortools(inst, args.time_limit, m)
        if not check_tours(inst, o_tours)[0]:
            print(f"{inst.name} m={m}: OR-Tools tours fail the check", file=sys.stderr)
    row = (score, gap(score, best), seconds, o_score, gap(o_score, best), o_seconds)
    print(f"{inst.name:<14}{m:>2}{best or math.nan:>6.0f} | {score:>6.0f}{row[1]:>7.2f}"
          f"{seconds:>8.2f} | {o_score:>8.0f}{row[4]:>7.2f}{o_seconds:>8.2f}"
          f" | {score - o_score:>+6.0f}")
    record: dict[str, object] = {
        "instance": inst.name, "m": m, "tours": tours, "score": score, "time_s": seconds,
        "ortools": {"tours": o_tours, "score": o_score, "time_s": o_seconds}}
    if m == 1:
        record["sequence"] = tours[0]
    return row, record


def _mean(values: list[float]) -> float:
    known = [x for x in values if not math.isnan(x)]
    return statistics.fmean(known) if known else math.nan


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="*", type=Path)
    parser.add_argument("--bks", type=Path, help="CSV of best-known scores")
    parser.add_argument("--tours", type=int, nargs="+", default=[1],
                        help="numbers of tours M to solve each instance with (default 1)")
    parser.add_argument("--time-limit", type=float, default=2.0, help="seconds per instance")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per instance (seeds seed..seed+repeat-1); medians reported")
    parser.add_argument("--no-ortools", action="store_true", help="skip OR-Tools")
    parser.add_argument("--json", type=Path, help="write the tours to this file")
    parser.add_argument("--make-synthetic", type=Path, metavar="DIR",
                        help="write synthetic instances (sizes 96-288, --seed) to DIR and stop")
    args = parser.parse_args(argv)
    if args.make_synthetic:
        for path in make_synthetic(args.make_synthetic, [96, 144, 192, 240, 288], args.seed):
            print(path)
        return 0
    bks = read_bks(args.bks)
    header = (f"{'instance':<14}{'m':>2}{'BKS':>6} | {'ours':>6}{'gap%':>7}{'time s':>8}"
              f" | {'OR-Tools':>8}{'gap%':>7}{'time s':>8} | {'diff':>6}")
    print(header)
    print("-" * len(header))
    rows, out = [], []
    for m in args.tours:
        for path in args.instances:
            inst = read_instance(path)
            done = run_one(inst, m, args, bks.get((inst.name, m)))
            if done is None:
                return 1
            rows.append(done[0])
            out.append(done[1])
    print("-" * len(header))
    # gaps: the mean over the instances with a best-known score
    means = [_mean([r[i] for r in rows]) for i in range(6)]
    print(f"{'mean':<22} | {means[0]:>6.1f}{means[1]:>7.2f}{means[2]:>8.2f} | {means[3]:>8.1f}"
          f"{means[4]:>7.2f}{means[5]:>8.2f} | {means[0] - means[3]:>+6.1f}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
