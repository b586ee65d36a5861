"""Benchmark: travel matrices by scipy's compiled Dijkstra against the networkx code an osmnx
user would write, and against the previous, unbounded scipy search.

Four ways to the same matrix, timed in the same run:

- ``travel_matrix``: what redroute does (one bounded search per stop, see
  ``redroute.matrix._stop_distances``);
- scipy, unbounded: one ``dijkstra`` call from every stop over the whole graph, with
  predecessors (what ``travel_matrix`` did before the bounded searches); it runs interleaved
  with the first, so that a busy machine slows both alike;
- networkx one-to-all: one ``single_source_dijkstra_path_length`` per stop (k searches): the
  loop an osmnx user would really write;
- networkx per-pair: one ``shortest_path_length`` per ordered pair (k(k-1) searches). On the
  grid all 9,900 pairs would take many minutes, so by default it runs on a random sample and
  its full time is extrapolated (``--pairs all`` runs all of them).

Three inputs:

1. a synthetic street grid of at least 100,000 nodes with realistic Shanghai block lengths
   (80-150 m, jittered), 100 stops placed mid-block all over it;
2. the same grid with the 100 stops in its middle ninth, as in a plan whose network reaches
   well beyond the stops (a plan's area is widened by a buffer and a connection margin);
3. the real OSM extract in ../shared/data/osm (when present), with real landmarks.

Every way must agree with ``travel_matrix`` to 1e-6 m; the script says so and exits 1 if not.

Targets (issue 3): 100 x 100 stops on a 100,000-node graph in under 2 s on a 2-core machine,
and at least 30 times faster than the networkx per-pair loop.

    python benchmarks/matrix.py [--size 317] [--stops 100] [--pairs 200|all] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra

from redroute import network as nw
from redroute._sources import network_from_graph, walk_network
from redroute.coords import haversine_m
from redroute.matrix import TravelMatrix, _with_stops, travel_matrix

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parent.parent
EXTRACT = ROOT.parent / "shared" / "data" / "osm" / "shanghai-core-merged.osm"


def synthetic_grid(size: int, *, seed: int = 1) -> nx.MultiDiGraph:
    """A size x size street grid near People's Square; blocks 80-150 m, nodes jittered."""
    rng = np.random.default_rng(seed)
    lat0, lon0 = 31.10, 121.30
    dlat = rng.uniform(80, 150, size) / 111_195.0
    dlon = rng.uniform(80, 150, size) / (111_195.0 * np.cos(np.radians(lat0 + 0.15)))
    lats = lat0 + np.concatenate([[0], np.cumsum(dlat[:-1])])
    lons = lon0 + np.concatenate([[0], np.cumsum(dlon[:-1])])
    g = nx.MultiDiGraph(crs="epsg:4326")
    jitter = rng.normal(0, 5e-5, (size, size, 2))
    for i in range(size):
        for j in range(size):
            g.add_node(i * size + j, x=lons[j] + jitter[i, j, 0], y=lats[i] + jitter[i, j, 1])
    for i in range(size):
        for j in range(size):
            a = i * size + j
            for b in ([a + 1] if j + 1 < size else []) + ([a + size] if i + 1 < size else []):
                na, nb = g.nodes[a], g.nodes[b]
                length = haversine_m(na["x"], na["y"], nb["x"], nb["y"])
                g.add_edge(a, b, length=length, highway="residential",
                           name=f"路{i if b == a + 1 else j}")
    return g


def mid_block_points(net: nw.WalkNetwork, count: int, *, seed: int,
                     middle: bool = False) -> list[tuple[float, float]]:
    """Points 15 m off the middle of random blocks (of the middle ninth with ``middle``)."""
    idx = net.index
    mid = np.array([(g[0] + g[-1]) / 2 for g in idx.edge_geom])
    pool = np.arange(len(mid))
    if middle:
        lo, hi = mid.min(axis=0), mid.max(axis=0)
        third = (hi - lo) / 3
        inside = ((mid > lo + third) & (mid < hi - third)).all(axis=1)
        pool = pool[inside]
    picks = np.random.default_rng(seed).choice(pool, count, replace=False)
    return [(float(mid[e, 0]), float(mid[e, 1] + 15 / 111_195.0)) for e in picks]


# --------------------------------------------------------------------------- baselines


def scipy_unbounded(net: nw.WalkNetwork, points: list[tuple[float, float]]) -> np.ndarray:
    """The matrix by one unbounded scipy call from every stop, with predecessors."""
    snaps = net.snap(points)
    graph = _with_stops(net, snaps)
    n, k = len(net.index.node_ids), len(snaps)
    dist, _ = dijkstra(graph, directed=True, indices=np.arange(n, n + k),
                       return_predecessors=True)
    conn = np.array([s.distance_m * (net.detour_factor if s.far else 1.0) for s in snaps])
    out: np.ndarray = dist[:, n:] + conn[:, None] + conn[None, :]
    np.fill_diagonal(out, 0.0)
    return out


def networkx_graph(matrix: TravelMatrix) -> tuple[nx.Graph, list[float]]:
    """The walking graph with the stops' virtual nodes ``("p", k)``, as networkx sees it,
    and each stop's connector length."""
    net, snaps = matrix.network, matrix.snaps
    idx = net.index
    g = nx.Graph()
    g.add_weighted_edges_from(
        (int(u), int(v), max(float(w), 1e-6))
        for u, v, w in zip(idx.edge_u, idx.edge_v, idx.edge_len, strict=True))
    for k, s in enumerate(snaps):
        length = float(idx.edge_len[s.edge])
        g.add_edge(("p", k), int(idx.edge_u[s.edge]), weight=max(s.offset_m, 1e-6))
        g.add_edge(("p", k), int(idx.edge_v[s.edge]), weight=max(length - s.offset_m, 1e-6))
        for j, t in enumerate(snaps[:k]):
            if t.edge == s.edge:
                g.add_edge(("p", k), ("p", j), weight=max(abs(s.offset_m - t.offset_m), 1e-6))
    conn = [s.distance_m * (net.detour_factor if s.far else 1.0) for s in snaps]
    return g, conn


def networkx_one_to_all(matrix: TravelMatrix, origins: list[int]) -> tuple[np.ndarray, float]:
    """Rows ``origins`` of the matrix by one networkx Dijkstra per origin, and the time."""
    g, conn = networkx_graph(matrix)
    k = len(conn)
    out = np.zeros((len(origins), k))
    start = time.perf_counter()
    for r, i in enumerate(origins):
        lengths = nx.single_source_dijkstra_path_length(g, ("p", i), weight="weight")
        for j in range(k):
            if j != i:
                out[r, j] = lengths[("p", j)] + conn[i] + conn[j]
    return out, time.perf_counter() - start


def networkx_per_pair(matrix: TravelMatrix, pairs: list[tuple[int, int]]) -> tuple[np.ndarray,
                                                                                    float]:
    """The distances of ``pairs`` by one networkx shortest-path call per ordered pair."""
    g, conn = networkx_graph(matrix)
    out = np.zeros(len(pairs))
    start = time.perf_counter()
    for n, (i, j) in enumerate(pairs):
        out[n] = nx.shortest_path_length(g, ("p", i), ("p", j), weight="weight")
    elapsed = time.perf_counter() - start
    return out + np.array([conn[i] + conn[j] for i, j in pairs]), elapsed


# --------------------------------------------------------------------------- one input


def _median_pair(first: Callable[[], object], second: Callable[[], object],
                 repeat: int) -> tuple[list[float], list[float]]:
    """Times of ``first`` and ``second``, alternated so that load on the machine hits both."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        for fn, times in ((first, a), (second, b)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return a, b


def run(label: str, net: nw.WalkNetwork, points: list[tuple[float, float]], *,
        pairs: str, origins: str, repeat: int, seed: int) -> bool:
    """Time the four ways on one input, print a table; True when all agree to 1e-6 m."""
    k = len(points)
    matrix = travel_matrix(net, points)  # warm-up: the network's index and CSR, built once
    ours, before = _median_pair(lambda: travel_matrix(net, points),
                                lambda: scipy_unbounded(net, points), repeat)
    worst = {"scipy, unbounded": float(np.max(np.abs(scipy_unbounded(net, points)
                                                      - matrix.distance_m)))}

    rng = np.random.default_rng(seed)
    rows = list(range(k)) if origins == "all" or int(origins) >= k else sorted(
        int(i) for i in rng.choice(k, int(origins), replace=False))
    ref_rows, one_to_all = networkx_one_to_all(matrix, rows)
    worst["networkx one-to-all"] = float(np.max(np.abs(ref_rows - matrix.distance_m[rows])))
    one_to_all_full = one_to_all * k / max(1, len(rows))

    everything = [(i, j) for i in range(k) for j in range(k) if i != j]
    if pairs == "all" or int(pairs) >= len(everything):
        chosen = everything
    else:
        chosen = [everything[i] for i in rng.choice(len(everything), int(pairs), replace=False)]
    ref, per_pair = networkx_per_pair(matrix, chosen)
    got = np.array([matrix.distance_m[i, j] for i, j in chosen])
    worst["networkx per-pair"] = float(np.max(np.abs(got - ref))) if chosen else 0.0
    per_pair_full = per_pair * len(everything) / max(1, len(chosen))

    t_ours, t_before = statistics.median(ours), statistics.median(before)

    def faster(other: float) -> str:
        ratio = other / t_ours
        return f"{ratio:.2g}x faster" if ratio >= 1 else f"{1 / ratio:.2g}x slower"

    def sampled(done: int, total: int, what: str) -> str:
        return "" if done == total else f" (extrapolated from {done} of {total} {what})"

    print(f"\n== {label}")
    print(f"graph: {net.node_count:,} nodes, {net.edge_count:,} edges; {k} stops; "
          f"medians of {repeat} alternated runs")
    print("| way | time s | travel_matrix is |")
    print("|---|---:|---:|")
    print(f"| travel_matrix (bounded searches) | {t_ours:.3g} | |")
    print(f"| scipy, unbounded, one call (before) | {t_before:.3g} | {faster(t_before)} |")
    print(f"| networkx one-to-all, {k} searches{sampled(len(rows), k, 'origins')} | "
          f"{one_to_all_full:.3g} | {faster(one_to_all_full)} |")
    print(f"| networkx per-pair, {len(everything):,} searches"
          f"{sampled(len(chosen), len(everything), 'pairs')} | {per_pair_full:.3g} | "
          f"{faster(per_pair_full)} |")
    print(f"travel_matrix runs: min {min(ours):.3f}, max {max(ours):.3f} s; before: "
          f"min {min(before):.3f}, max {max(before):.3f} s")
    print("max difference from travel_matrix: "
          + ", ".join(f"{name} {d:.2e} m" for name, d in worst.items()))
    return max(worst.values()) <= 1e-6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=317, help="grid side (317 -> 100,489 nodes)")
    parser.add_argument("--stops", type=int, default=100)
    parser.add_argument("--pairs", default="200", help="networkx pairs on the grid, or 'all'")
    parser.add_argument("--origins", default="all",
                        help="networkx one-to-all origins on the grid (extrapolated), or 'all'")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-spread", action="store_true",
                        help="only the clustered stops and the real extract")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    ok = True

    start = time.perf_counter()
    graph = synthetic_grid(args.size)
    area = nw.BBox(31.09, 121.29, 31.45, 121.75)
    net = network_from_graph(graph, source="extract", origin="synthetic grid", bbox=area,
                             simplify=False)
    _ = net.index
    print(f"synthetic grid built and indexed in {time.perf_counter() - start:.1f} s "
          "(once per graph)")
    options = {"pairs": args.pairs, "origins": args.origins, "repeat": args.repeat,
               "seed": args.seed}
    if not args.skip_spread:
        points = mid_block_points(net, args.stops, seed=args.seed)
        ok &= run("synthetic grid, stops all over it", net, points, **options)
    points = mid_block_points(net, args.stops, seed=args.seed, middle=True)
    ok &= run("synthetic grid, stops in its middle ninth", net, points, **options)

    if EXTRACT.exists():
        from redroute.catalogue import load_catalogue

        cat = load_catalogue()
        lon0, lat0, lon1, lat1 = 121.4611, 31.2112, 121.4863, 31.2412
        sites = [lm for lm in cat if lon0 < lm.lon < lon1 and lat0 < lm.lat < lat1]
        pts = [(lm.lon, lm.lat) for lm in sites]
        real = walk_network(nw.BBox.around(pts), network=str(EXTRACT))
        ok &= run(f"real extract ({EXTRACT.name})", real, pts, pairs="all", origins="all",
                  repeat=args.repeat, seed=args.seed)
    else:
        print(f"\n(skipped the real extract: {EXTRACT} is absent)")
    print("\nagreement to 1e-6 m:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
