"""Walking time and distance between every pair of stops, and the street path of each leg.

Distances come from scipy's compiled Dijkstra on the network's CSR matrix, extended with one
virtual node per stop where it joins its street, so that a stop in the middle of a long block
starts from there, not from the nearest crossing. Each search stops as soon as it has
provably reached every stop it still has to (:func:`_stop_distances`). The geometry and
directions of a leg are rebuilt, only when asked for, from one more search from its origin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from redroute import coords, settings
from redroute._errors import PlanError
from redroute.directions import Segment, Step, build_steps
from redroute.transit import Ride, near_stations, ride, ride_words

if TYPE_CHECKING:
    from collections.abc import Sequence

    from scipy.sparse import csr_matrix

    from redroute.network import Snap, WalkNetwork
    from redroute.places import NamedPlace

__all__ = ["Leg", "TravelMatrix", "travel_matrix", "walking_speed"]

_EPS = 1e-6


def walking_speed(pace: str | float) -> float:
    """Walking speed in km/h for a pace profile (``standard`` 4.5, ``senior`` 3.5,
    ``family`` 3.0) or a number of km/h."""
    if isinstance(pace, (int, float)) and not isinstance(pace, bool):
        speed = float(pace)
    else:
        key = str(pace).strip().lower()
        if key not in settings.PACES:
            try:
                speed = float(key)
            except ValueError:
                choices = ", ".join(f"{k} ({v:g} km/h)" for k, v in settings.PACES.items())
                msg = f"unknown pace {pace!r}: expected one of {choices}, or km/h"
                raise PlanError(msg) from None
        else:
            speed = settings.PACES[key]
    if not (0.5 <= speed <= 10):
        msg = f"walking speed {speed:g} km/h is not between 0.5 and 10"
        raise PlanError(msg)
    return speed


@dataclass(frozen=True)
class Leg:
    """The walk from one stop to another.

    Attributes
    ----------
    origin, destination
        Indices into the matrix's points.
    distance_m, duration_s
        Walking distance and time.
    geometry
        ``(lon, lat)`` points along the streets, from origin to destination.
    steps
        Turn-by-turn directions.
    estimated
        True when any part of the walk is estimated (no street data, or a stop far from any
        street). A metro ride is always an estimate and says so in its own words.
    ride
        The metro ride in the middle of the leg, if it takes one: ``distance_m`` is then the
        walking only and ``duration_s`` the whole leg.
    ride_at
        With a ride: the index in ``geometry`` of the station it boards at; the ride runs to
        the next point, the station it leaves at.
    """

    origin: int
    destination: int
    distance_m: float
    duration_s: float
    geometry: list[tuple[float, float]]
    steps: list[Step]
    estimated: bool
    ride: Ride | None = None
    ride_at: int = -1


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Walking distances and times between points, with their legs on demand.

    Attributes
    ----------
    points
        The ``(lon, lat)`` points, in the order of the rows.
    distance_m, duration_s
        ``(k, k)`` walking distance (metres) and time (seconds) from row to column.
    estimated
        ``(k, k)`` True where a pair is estimated rather than walked along streets.
    speed_kmh
        The walking speed of ``duration_s``.
    network
        The network the distances were measured on.
    snaps
        Where each point joins the network.
    separated
        ``(k, k)`` True where two points lie on separate large parts of the network that no
        street joins on foot (the two banks of the Huangpu): their distance is ``inf``
        (unless a metro ride joins them).
    rides
        The pairs ``(i, j)`` that go by metro (walk limit given): the ride. ``distance_m`` is
        then the walking to and from the stations, ``duration_s`` the whole way.
    """

    points: list[tuple[float, float]]
    distance_m: np.ndarray
    duration_s: np.ndarray
    estimated: np.ndarray
    speed_kmh: float
    network: WalkNetwork
    snaps: list[Snap]
    separated: np.ndarray | None = None
    rides: dict[tuple[int, int], Ride] = field(default_factory=dict)
    #: For a ride ``(i, j)``: the indices in ``_base`` of the stations it boards and leaves at.
    _ride_stations: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict,
                                                                   repr=False)
    #: The walking matrix of the points and the stations near them (with a walk limit).
    _base: TravelMatrix | None = field(default=None, repr=False)
    #: The network's CSR with the stops' virtual nodes (``None`` for an estimate).
    _graph: csr_matrix | None = field(default=None, repr=False)
    #: Graph distance between the stops' virtual nodes (``inf``: not joined on the graph).
    _raw: np.ndarray | None = field(default=None, repr=False)
    # Caches filled as legs are asked for; the matrix itself never changes.
    _legs: dict[tuple[int, int], Leg] = field(default_factory=dict, init=False, repr=False)
    _pred: dict[int, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    def leg(self, i: int, j: int) -> Leg:
        """The leg from point ``i`` to point ``j``: geometry, directions, totals."""
        key = (i, j)
        if key not in self._legs:
            self._legs[key] = self._build_leg(i, j)
        return self._legs[key]

    def _build_leg(self, i: int, j: int) -> Leg:
        if (i, j) in self.rides and self._base is not None:
            return self._ride_leg(i, j)
        if self._base is not None:
            base = self._base.leg(i, j)
            return Leg(i, j, base.distance_m, base.duration_s, base.geometry, base.steps,
                       base.estimated)
        dist = float(self.distance_m[i, j])
        dur = float(self.duration_s[i, j])
        est = bool(self.estimated[i, j])
        a, b = self.points[i], self.points[j]
        if i == j:
            return Leg(i, j, 0.0, 0.0, [a], [], False)
        # A stop off the network walks an estimated straight leg, never the network's
        # nearest edge far away.
        if (self._raw is None or not math.isfinite(float(self._raw[i, j]))
                or self.snaps[i].far or self.snaps[j].far
                or (est and float(self._raw[i, j]) > dist)):
            seg = Segment([a, b], dist, estimated=True)
            return Leg(i, j, dist, dur, [a, b], build_steps([seg]), True)
        segments = self._segments(i, j)
        geometry: list[tuple[float, float]] = []
        for seg in segments:
            pts = list(seg.coords)
            geometry.extend(pts if not geometry else pts[1:])
        return Leg(i, j, dist, dur, geometry, build_steps(segments), est)

    def _ride_leg(self, i: int, j: int) -> Leg:
        """Walk to a station, ride, walk on: one leg, its ride marked estimated."""
        assert self._base is not None
        r = self.rides[(i, j)]
        s, t = self._ride_stations[(i, j)]
        to_station, from_station = self._base.leg(i, s), self._base.leg(t, j)
        zh, en = ride_words(r)
        step = Step(None, None, r.distance_m, 0.0, None, zh, en, estimated=True, kind="metro")
        geometry = list(to_station.geometry) + list(from_station.geometry)
        return Leg(i, j, float(self.distance_m[i, j]), float(self.duration_s[i, j]),
                   geometry, [*to_station.steps, step, *from_station.steps],
                   bool(self.estimated[i, j]), r, len(to_station.geometry) - 1)

    @property
    def _n(self) -> int:
        """Nodes of the network; the stops' virtual nodes follow them."""
        return len(self.network.index.node_ids)

    def _predecessors(self, i: int) -> np.ndarray:
        # One search from the origin, the same as the matrix's (scipy runs every source on
        # its own), kept for the other legs that leave from there.
        if i not in self._pred:
            from scipy.sparse.csgraph import dijkstra

            _, pred = dijkstra(self._graph, directed=True, indices=self._n + i,
                               return_predecessors=True)
            self._pred[i] = pred
        return self._pred[i]

    def _segments(self, i: int, j: int) -> list[Segment]:
        idx = self.network.index
        n = self._n
        pred = self._predecessors(i)
        path = [n + j]
        while path[-1] != n + i:
            prev = int(pred[path[-1]])
            if prev < 0:
                break
            path.append(prev)
        path.reverse()
        si, sj = self.snaps[i], self.snaps[j]
        out: list[Segment] = [self._connector(self.points[i], si, leaving=True)]
        for p, q in pairwise(path):
            out.append(self._piece(p, q, idx))
        out.append(self._connector(self.points[j], sj, leaving=False))
        return [s for s in out if s.length_m > 0]

    def _connector(self, point: tuple[float, float], snap: Snap, *, leaving: bool) -> Segment:
        pts = [point, snap.snapped] if leaving else [snap.snapped, point]
        length = snap.distance_m * (self.network.detour_factor if snap.far else 1.0)
        return Segment(pts, length, estimated=snap.far, kind="connector")

    def _piece(self, p: int, q: int, idx: object) -> Segment:
        ix = self.network.index
        n = self._n

        def along(e: int, f0: float, f1: float) -> Segment:
            # Cut in metres, like the snap: the piece ends exactly at the snapped point.
            return Segment(ix.part(e, f0, f1), abs(f1 - f0) * float(ix.edge_len[e]),
                           ix.edge_name[e], ix.edge_name_en[e])

        def frac(k: int) -> tuple[int, float]:
            s = self.snaps[k]
            length = float(ix.edge_len[s.edge])
            return s.edge, (s.offset_m / length if length > 0 else 0.0)

        if p >= n and q >= n:
            e, f0 = frac(p - n)
            _, f1 = frac(q - n)
            return along(e, f0, f1)
        if p >= n:
            e, f0 = frac(p - n)
            return along(e, f0, 0.0 if int(ix.edge_u[e]) == q else 1.0)
        if q >= n:
            e, f1 = frac(q - n)
            return along(e, 0.0 if int(ix.edge_u[e]) == p else 1.0, f1)
        e = ix.pair_edge[(p, q) if p < q else (q, p)]
        geom = ix.edge_geom[e]
        pts = [tuple(c) for c in (geom if int(ix.edge_u[e]) == p else geom[::-1])]
        return Segment(pts, float(ix.edge_len[e]), ix.edge_name[e], ix.edge_name_en[e])


def travel_matrix(network: WalkNetwork, points: Sequence[tuple[float, float]], *,
                  pace: str | float = "standard",
                  names: Sequence[str] | None = None,
                  walk_limit_m: float | None = None) -> TravelMatrix:
    """Walking distance (m) and time (s) between all ``(lon, lat)`` points.

    Parameters
    ----------
    network
        The walking network of the area (or its estimate).
    points
        The stops, start and end points, WGS-84 ``(lon, lat)``.
    pace
        ``standard`` (4.5 km/h), ``senior`` (3.5), ``family`` (3.0) or km/h.
    names
        A name per point, for warnings.
    walk_limit_m
        With a limit, a pair farther apart on foot (or on two banks of the Huangpu) may go by
        metro instead (:mod:`redroute.transit`): walk to a station near the one, ride, walk
        from a station near the other, when that is quicker. ``None``: walking only.

    Pairs that cannot be joined on the graph (a stop in a detached piece) fall back to the
    estimate and are flagged in ``estimated``.
    """
    if walk_limit_m is not None:
        return _with_metro(network, points, pace=pace, names=names, walk_limit_m=walk_limit_m)
    speed = walking_speed(pace)
    pts = [(float(lon), float(lat)) for lon, lat in points]
    k = len(pts)
    snaps = network.snap(pts, names=names)
    crow = _great_circle(pts)
    if network.estimated or k == 0:
        dist = crow * network.detour_factor
        est = np.ones((k, k), dtype=bool)
        np.fill_diagonal(est, False)
        return TravelMatrix(pts, dist, dist / (speed / 3.6), est, speed, network, snaps)
    graph = _with_stops(network, snaps)
    raw = _stop_distances(graph, len(network.index.node_ids), pts)
    conn = np.array([s.distance_m for s in snaps])
    far = np.array([s.far for s in snaps])
    dist = raw + conn[:, None] + conn[None, :]
    estimate = crow * network.detour_factor
    # A stop off the network is reached by an estimated leg: costing it through the nearest
    # edge, wherever the network happens to end, would make it longer than its estimate.
    off = far[:, None] | far[None, :]
    dist[off] = estimate[off]
    unreachable = ~np.isfinite(raw) & ~off
    separated = unreachable & _separated(network, snaps)
    gap = unreachable & ~separated  # a hole in the data, not a river: estimate the leg
    # A walk on the network far longer than the straight line means streets are missing
    # there (a patchy extract), not that the walk is long: estimate that leg too.
    detour = np.isfinite(dist) & ~off & (dist > np.maximum(MAX_DETOUR_RATIO * crow,
                                                          crow + MAX_DETOUR_EXTRA_M))
    gap |= detour
    dist[gap] = estimate[gap]
    dist[separated] = np.inf
    est = gap | off
    np.fill_diagonal(dist, 0.0)
    np.fill_diagonal(est, False)
    np.fill_diagonal(separated, False)
    return TravelMatrix(pts, dist, dist / (speed / 3.6), est, speed, network, snaps,
                        separated, _graph=graph, _raw=raw)


@dataclass(frozen=True)
class _Stations:
    """The stations near the points of a matrix that join its streets."""

    near: list[list[NamedPlace]]  # per point, nearest first
    index: dict[str, int]  # station name -> its row in the base matrix
    places: list[NamedPlace]  # the stations, in the order of their rows
    points: list[tuple[float, float]]
    names: list[str]


def _stations_near(pts: list[tuple[float, float]]) -> _Stations:
    near = [[st for st, _ in near_stations(lon, lat)] for lon, lat in pts]
    index: dict[str, int] = {}
    points: list[tuple[float, float]] = []
    names: list[str] = []
    for found in near:
        for st in found:
            if st.name_zh not in index:
                index[st.name_zh] = len(pts) + len(points)
                points.append((float(st.lon or 0.0), float(st.lat or 0.0)))
                names.append(f"{st.label_zh} / {st.label_en}")
    places = {st.name_zh: st for found in near for st in found}
    return _Stations(near, index, [places[name] for name in index], points, names)


def _walks_to_stations(network: WalkNetwork, pts: list[tuple[float, float]], st: _Stations, *,
                       pace: str | float, names: Sequence[str] | None) -> TravelMatrix:
    """The walking matrix of the points and the stations; a station off the streets is
    reached by an estimated walk like any point, but only the points' warnings are shown."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        base = travel_matrix(network, pts + st.points, pace=pace,
                             names=[*names, *st.names] if names else None)
    for w in caught:
        if not any(str(w.message).startswith(name) for name in st.names):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return base


def _with_metro(network: WalkNetwork, points: Sequence[tuple[float, float]], *,
                pace: str | float, names: Sequence[str] | None,
                walk_limit_m: float) -> TravelMatrix:
    """The walking matrix, with a metro ride for each pair beyond ``walk_limit_m`` on foot
    where walking to a station, riding and walking on is quicker."""
    if not walk_limit_m > 0:
        msg = f"walk limit {walk_limit_m:g} m is not a positive distance"
        raise PlanError(msg)
    pts = [(float(lon), float(lat)) for lon, lat in points]
    k = len(pts)
    st = _stations_near(pts)
    base = _walks_to_stations(network, pts, st, pace=pace, names=names)
    dist = base.distance_m[:k, :k].copy()
    dur = base.duration_s[:k, :k].copy()
    est = base.estimated[:k, :k].copy()
    separated = (base.separated[:k, :k].copy() if base.separated is not None
                 else np.zeros((k, k), dtype=bool))
    rides: dict[tuple[int, int], Ride] = {}
    via: dict[tuple[int, int], tuple[int, int]] = {}
    total, board, leave = _best_rides(base, st, k)
    want = (dist > walk_limit_m) & np.isfinite(total) & (total < dur)
    np.fill_diagonal(want, False)
    for i, j in zip(*np.nonzero(want), strict=True):
        s_row, t_row = int(board[i, j]), int(leave[i, j])
        r = ride(st.places[s_row - k], st.places[t_row - k])
        if r is None:  # cannot happen: the cost came from the same ride
            continue
        rides[(int(i), int(j))], via[(int(i), int(j))] = r, (s_row, t_row)
        dist[i, j] = float(base.distance_m[i, s_row] + base.distance_m[t_row, j])
        dur[i, j] = float(total[i, j])
        # The walks' own flag: the ride is always an estimate and says so itself.
        est[i, j] = bool(base.estimated[i, s_row] or base.estimated[t_row, j])
        separated[i, j] = False
    return TravelMatrix(pts, dist, dur, est, base.speed_kmh, network, base.snaps[:k],
                        separated, rides=rides, _ride_stations=via, _base=base)


def _best_rides(base: TravelMatrix, st: _Stations,
                k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every pair of points, the quickest way by metro (walk to one of the stations
    near the first, ride, walk from one near the second): ``(seconds, boarding row,
    leaving row)``, ``inf`` where there is none. Rows index ``base``."""
    m = len(st.places)
    total = np.full((k, k), np.inf)
    board = np.full((k, k), -1, dtype=int)
    leave = np.full((k, k), -1, dtype=int)
    if m == 0 or k == 0:
        return total, board, leave
    ride_s = np.full((m, m), np.inf)
    for a in range(m):
        for b in range(m):
            r = ride(st.places[a], st.places[b]) if a != b else None
            if r is not None:
                ride_s[a, b] = r.seconds
    width = max((len(n) for n in st.near), default=0)
    if width == 0:
        return total, board, leave
    near = np.full((k, width), -1, dtype=int)  # station numbers (0..m-1), -1: none
    for i, found in enumerate(st.near):
        for c, place in enumerate(found):
            near[i, c] = st.index[place.name_zh] - k
    ok = near >= 0
    safe = np.where(ok, near, 0)
    to = np.where(ok, base.duration_s[np.arange(k)[:, None], safe + k], np.inf)  # (k, w)
    off = np.where(ok, base.duration_s[safe + k, np.arange(k)[:, None]], np.inf)  # (k, w)
    # cost[i, a, j, b] = walk i->near[i,a] + ride + walk near[j,b]->j
    cost = (to[:, :, None, None] + ride_s[safe[:, :, None, None], safe[None, None, :, :]]
            + off[None, None, :, :])
    flat = cost.transpose(0, 2, 1, 3).reshape(k, k, width * width)
    best = flat.argmin(axis=2)
    total = np.take_along_axis(flat, best[:, :, None], axis=2)[:, :, 0]
    a_idx, b_idx = np.divmod(best, width)
    board = safe[np.arange(k)[:, None], a_idx] + k
    leave = safe[np.arange(k)[None, :], b_idx] + k
    return total, board, leave


#: A network walk longer than both this many times the straight line and the straight line
#: plus :data:`MAX_DETOUR_EXTRA_M` is taken for missing streets, and estimated instead. Real
#: detours in central Shanghai (round a block of lanes, a rail yard) stay well below it.
MAX_DETOUR_RATIO = 3.0
MAX_DETOUR_EXTRA_M = 1000.0

#: Parts of a network at least this big (nodes) are districts, not fragments: two points on
#: two of them are separated by a barrier no street crosses on foot (the Huangpu).
LARGE_PART_NODES = 200


def _separated(network: WalkNetwork, snaps: list[Snap]) -> np.ndarray:
    """``(k, k)`` True where two points join different large parts of the network."""
    k = len(snaps)
    idx = network.index
    component = getattr(idx, "component", None)
    if component is None or k == 0:
        return np.zeros((k, k), dtype=bool)
    sizes = np.bincount(component)
    part = np.array([int(component[idx.edge_u[s.edge]]) if s.edge >= 0 else -1
                     for s in snaps])
    large = np.array([p >= 0 and sizes[p] >= LARGE_PART_NODES for p in part])
    out: np.ndarray = (part[:, None] != part[None, :]) & large[:, None] & large[None, :]
    return out


def _great_circle(pts: list[tuple[float, float]]) -> np.ndarray:
    k = len(pts)
    out = np.zeros((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            out[i, j] = out[j, i] = coords.haversine_m(*pts[i], *pts[j])
    return out


def _with_stops(network: WalkNetwork, snaps: list[Snap]) -> csr_matrix:
    """The network's CSR (built once per graph) plus one virtual node per stop, numbered
    from ``n``, joined to both ends of its street at its offset along it."""
    from scipy.sparse import coo_matrix

    idx = network.index
    n = len(idx.node_ids)
    k = len(snaps)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []

    def link(a: int, b: int, w: float) -> None:
        rows.extend((a, b))
        cols.extend((b, a))
        vals.extend((max(w, _EPS), max(w, _EPS)))

    by_edge: dict[int, list[int]] = {}
    for s_i, s in enumerate(snaps):
        e = s.edge
        length = float(idx.edge_len[e])
        link(n + s_i, int(idx.edge_u[e]), s.offset_m)
        link(n + s_i, int(idx.edge_v[e]), length - s.offset_m)
        by_edge.setdefault(e, []).append(s_i)
    for members in by_edge.values():  # two stops on one block: walk straight between them
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                a, b = members[x], members[y]
                link(n + a, n + b, abs(snaps[a].offset_m - snaps[b].offset_m))
    base = idx.csr.tocoo()
    size = n + k
    return coo_matrix(
        (np.concatenate([base.data, vals]),
         (np.concatenate([base.row, rows]), np.concatenate([base.col, cols]))),
        shape=(size, size),
    ).tocsr()


def _stop_distances(graph: csr_matrix, n: int, pts: list[tuple[float, float]]) -> np.ndarray:
    """Graph distances between the stops' virtual nodes ``n..n+k-1`` (``inf``: not joined).

    Walking is symmetric, so the search from a stop only has to reach the stops searched
    after it, and each search stops at a ``limit`` that provably covers them: by the
    triangle inequality, d(s, r) <= d(h, s) + d(h, r) for every stop ``h`` searched
    before. Searching from the outermost stops first leaves ever closer targets, hence
    ever smaller limits: on a network that reaches well beyond the stops (the plan's area
    is widened by a buffer and a margin), most searches see a fraction of it. Every
    distance found below its limit is exact, as in an unbounded search.
    """
    from scipy.sparse.csgraph import dijkstra

    k = len(pts)
    raw = np.full((k, k), np.inf)
    if k == 0:
        return raw
    np.fill_diagonal(raw, 0.0)
    xy = np.asarray(pts, dtype=float)
    xy[:, 0] *= math.cos(math.radians(float(xy[:, 1].mean())))
    order = np.argsort(-np.hypot(*(xy - xy.mean(axis=0)).T), kind="stable")
    for t, s in enumerate(order[:-1]):
        rest = order[t + 1:]
        done = order[:t]
        if t == 0:
            limit = np.inf
        else:
            bound = (raw[done, s][:, None] + raw[np.ix_(done, rest)]).min(axis=0).max()
            # The bound is a sum of rounded sums: leave room for the last bits.
            limit = float(bound) * (1 + 1e-9) + _EPS
        row = dijkstra(graph, directed=True, indices=n + int(s), limit=limit)
        raw[s, rest] = raw[rest, s] = row[n + rest]
    return raw
