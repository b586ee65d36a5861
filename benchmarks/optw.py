"""Benchmark redroute's solver on public OPTW instances, side by side with OR-Tools.

Reads instances in the format of ``shared/benchmarks/optw/FORMAT.md`` (Solomon c/r/rc files
with distances truncated to one decimal, Cordeau pr files to two), solves each with
:func:`redroute.solver.solve` and with OR-Tools' routing solver (prize-collecting: one
disjunction per customer with the score as penalty, a time dimension with the windows on the
visit start, guided local search) under the same time limit, and prints a table.

Times are scaled to integers (x10 or x100, matching the truncation), so both solvers work in
exact arithmetic. ``--json`` writes each tour (node ids, depot first and last) for an
independent checker.

Example::

    .venv/bin/python benchmarks/optw.py ../shared/benchmarks/optw/instances/*.txt \\
        --bks ../shared/benchmarks/optw/bks.csv --json /tmp/optw.json
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

from redroute.solver import Problem, solve


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


def solve_ortools(inst: Instance, limit: float) -> tuple[list[int], float, float]:
    """Tour, score and seconds with OR-Tools' routing solver (prize-collecting TSPTW)."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    begin = time.perf_counter()
    n = len(inst.score)
    manager = pywrapcp.RoutingIndexManager(n, 1, 0)
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
    dim.CumulVar(routing.Start(0)).SetRange(0, horizon)
    dim.CumulVar(routing.End(0)).SetRange(0, horizon)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    remaining = max(0.1, limit - (time.perf_counter() - begin))
    params.time_limit.FromMilliseconds(int(remaining * 1000))
    assignment = routing.SolveWithParameters(params)
    tour = [0]
    if assignment is not None:
        index = routing.Start(0)
        tour = []
        while not routing.IsEnd(index):
            tour.append(manager.IndexToNode(index))
            index = assignment.Value(routing.NextVar(index))
        tour.append(0)
    else:
        tour = [0, 0]
    score = float(sum(inst.score[v] for v in tour[1:-1]))
    return tour, score, time.perf_counter() - begin


def read_bks(path: Path | None) -> dict[str, float]:
    """Best-known scores by instance name (m = 1 rows)."""
    if path is None:
        return {}
    with path.open(newline="") as handle:
        return {row["instance"]: float(row["bks"]) for row in csv.DictReader(handle)
                if row.get("m", "1") == "1"}


def gap(score: float, bks: float | None) -> float:
    """Percentage below the best-known score (nan without one)."""
    return math.nan if not bks else 100.0 * (bks - score) / bks


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="+", type=Path)
    parser.add_argument("--bks", type=Path, help="CSV of best-known scores")
    parser.add_argument("--time-limit", type=float, default=2.0, help="seconds per instance")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per instance (seeds seed..seed+repeat-1); medians reported")
    parser.add_argument("--no-ortools", action="store_true", help="skip OR-Tools")
    parser.add_argument("--json", type=Path, help="write the tours to this file")
    args = parser.parse_args(argv)
    bks = read_bks(args.bks)
    header = (f"{'instance':<10}{'BKS':>6} | {'ours':>6}{'gap%':>7}{'time s':>8}"
              f" | {'OR-Tools':>8}{'gap%':>7}{'time s':>8}")
    print(header)
    print("-" * len(header))
    rows, out = [], []
    for path in args.instances:
        inst = read_instance(path)
        best = bks.get(inst.name)
        runs = [solve_ours(inst, args.time_limit, args.seed + r) for r in range(args.repeat)]
        for tour, score, _ in runs:
            ok, checked = check_tour(inst, tour)
            if not ok or checked != score:
                print(f"{inst.name}: our tour {tour} fails the check", file=sys.stderr)
                return 1
        tour, score, seconds = sorted(runs, key=lambda r: r[1])[len(runs) // 2]
        seconds = statistics.median(r[2] for r in runs)
        o_tour, o_score, o_seconds = [0, 0], math.nan, math.nan
        if not args.no_ortools:
            o_tour, o_score, o_seconds = solve_ortools(inst, args.time_limit)
            ok, _ = check_tour(inst, o_tour)
            if not ok:
                print(f"{inst.name}: OR-Tools tour fails the check", file=sys.stderr)
        rows.append((gap(score, best), seconds, gap(o_score, best), o_seconds))
        print(f"{inst.name:<10}{best or math.nan:>6.0f} | {score:>6.0f}{rows[-1][0]:>7.2f}"
              f"{seconds:>8.2f} | {o_score:>8.0f}{rows[-1][2]:>7.2f}{o_seconds:>8.2f}")
        out.append({"instance": inst.name, "tour": tour, "score": score, "time": seconds,
                    "ortools": {"tour": o_tour, "score": o_score, "time": o_seconds}})
    print("-" * len(header))
    means = [statistics.fmean(r[i] for r in rows) for i in range(4)]
    print(f"{'mean':<16} | {'':>6}{means[0]:>7.2f}{means[1]:>8.2f} | {'':>8}{means[2]:>7.2f}"
          f"{means[3]:>8.2f}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
