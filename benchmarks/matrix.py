"""Benchmark: travel matrices by scipy's compiled Dijkstra against a networkx per-pair loop.

Two inputs, each solved both ways in the same run:

1. a synthetic street grid of at least 100,000 nodes with realistic Shanghai block lengths
   (80-150 m, jittered), 100 stops placed mid-block;
2. the real OSM extract in ../shared/data/osm (when present), with real landmarks.

It checks that both agree to 1e-6 m and prints both times and their ratio. On the grid the
networkx loop over all 9,900 ordered pairs would take many minutes, so by default it runs on
a random sample of pairs and its full time is extrapolated (``--pairs all`` runs all of them).

Targets (issue 3): 100 x 100 stops on a 100,000-node graph in under 2 s on a 2-core machine,
and at least 30 times faster than the networkx loop.

    python benchmarks/matrix.py [--size 317] [--stops 100] [--pairs 200|all] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import networkx as nx
import numpy as np

from redroute import network as nw
from redroute.coords import haversine_m
from redroute.matrix import TravelMatrix, travel_matrix

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


def networkx_loop(matrix: TravelMatrix, pairs: list[tuple[int, int]]) -> tuple[np.ndarray,
                                                                                  float]:
    """The same distances by one networkx shortest-path call per ordered pair."""
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
    out = np.zeros(len(pairs))
    start = time.perf_counter()
    for n, (i, j) in enumerate(pairs):
        out[n] = nx.shortest_path_length(g, ("p", i), ("p", j), weight="weight")
    elapsed = time.perf_counter() - start
    return out + np.array([conn[i] + conn[j] for i, j in pairs]), elapsed


def run(label: str, net: nw.WalkNetwork, points: list[tuple[float, float]], *,
        pairs: str, repeat: int, seed: int) -> bool:
    k = len(points)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        matrix = travel_matrix(net, points)
        times.append(time.perf_counter() - start)
    ours = statistics.median(times)
    everything = [(i, j) for i in range(k) for j in range(k) if i != j]
    rng = np.random.default_rng(seed)
    if pairs == "all" or int(pairs) >= len(everything):
        chosen = everything
    else:
        chosen = [everything[i] for i in rng.choice(len(everything), int(pairs), replace=False)]
    ref, loop = networkx_loop(matrix, chosen)
    got = np.array([matrix.distance_m[i, j] for i, j in chosen])
    worst = float(np.max(np.abs(got - ref))) if chosen else 0.0
    full_loop = loop * len(everything) / max(1, len(chosen))
    extrapolated = "" if len(chosen) == len(everything) else (
        f" (measured on {len(chosen)} of {len(everything)} pairs, extrapolated)")
    print(f"\n== {label}")
    print(f"graph: {net.node_count:,} nodes, {net.edge_count:,} edges; {k} stops")
    print(f"scipy matrix {k}x{k}: median {ours:.3f} s over {repeat} runs "
          f"(min {min(times):.3f}, max {max(times):.3f})")
    print(f"networkx per-pair loop: {full_loop:.1f} s{extrapolated}")
    print(f"ratio: {full_loop / ours:.0f}x faster; max difference {worst:.2e} m")
    return worst <= 1e-6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=317, help="grid side (317 -> 100,489 nodes)")
    parser.add_argument("--stops", type=int, default=100)
    parser.add_argument("--pairs", default="200", help="networkx pairs on the grid, or 'all'")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    ok = True

    start = time.perf_counter()
    graph = synthetic_grid(args.size)
    area = nw.BBox(31.09, 121.29, 31.45, 121.75)
    net = nw.network_from_graph(graph, source="extract", origin="synthetic grid", bbox=area,
                                simplify=False)
    _ = net.index
    setup = time.perf_counter() - start
    rng = np.random.default_rng(args.seed)
    idx = net.index
    picks = rng.choice(len(idx.edge_u), args.stops, replace=False)
    points = []
    for e in picks:  # a point 15 m off the middle of a random block
        a, b = idx.edge_geom[e][0], idx.edge_geom[e][-1]
        points.append((float((a[0] + b[0]) / 2), float((a[1] + b[1]) / 2 + 15 / 111_195.0)))
    print(f"synthetic grid built and indexed in {setup:.1f} s (once per graph)")
    ok &= run("synthetic grid", net, points, pairs=args.pairs, repeat=args.repeat,
              seed=args.seed)

    if EXTRACT.exists():
        from redroute.catalogue import load_catalogue

        cat = load_catalogue()
        lon0, lat0, lon1, lat1 = 121.4611, 31.2112, 121.4863, 31.2412
        sites = [lm for lm in cat if lon0 < lm.lon < lon1 and lat0 < lm.lat < lat1]
        pts = [(lm.lon, lm.lat) for lm in sites]
        real = nw.walk_network(nw.BBox.around(pts), network=str(EXTRACT))
        ok &= run(f"real extract ({EXTRACT.name})", real, pts, pairs="all",
                  repeat=args.repeat, seed=args.seed)
    else:
        print(f"\n(skipped the real extract: {EXTRACT} is absent)")
    print("\nagreement to 1e-6 m:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
