"""The walking network of a plan's area: its box, the pedestrian rules, snapping to streets.

A :class:`WalkNetwork` wraps a pedestrian graph (or stands in for one with an estimate);
where the graph comes from (extract, cache, download) is :mod:`redroute._sources`' business.
Every graph goes through the same pedestrian rules (:func:`pedestrian_graph`) whatever its
source. Positions are WGS-84 throughout; lengths are metres.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np

from redroute import coords
from redroute._errors import NetworkError, NetworkWarning

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    import networkx as nx
    from scipy.sparse import csr_matrix

__all__ = ["FORBIDDEN_HIGHWAYS", "BBox", "Snap", "Source", "Street", "WalkNetwork",
           "pedestrian_graph"]

Source = Literal["cache", "extract", "download", "estimate", "bundled", "file"]
#: OSM ``highway`` values a pedestrian may not use.
FORBIDDEN_HIGHWAYS = frozenset({
    "motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed",
    "planned", "abandoned", "razed", "raceway", "bus_guideway", "busway", "escape", "no",
})
_FOOT_OK = frozenset({"yes", "designated", "permissive", "official"})
_CHINA = (73.0, 3.0, 136.0, 54.0)


# --------------------------------------------------------------------------- area


@dataclass(frozen=True, slots=True)
class BBox:
    """A WGS-84 bounding box, in degrees."""

    south: float
    west: float
    north: float
    east: float

    def __post_init__(self) -> None:
        vals = (self.south, self.west, self.north, self.east)
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in vals):
            msg = f"bounding box {self.label()} has a value that is not a number"
            raise NetworkError(msg)
        if not (self.south < self.north and self.west < self.east):
            msg = f"bounding box {self.label()} is empty: expected S < N and W < E (S,W,N,E)"
            raise NetworkError(msg)
        lon0, lat0, lon1, lat1 = _CHINA
        if not (lon0 <= self.west and self.east <= lon1 and lat0 <= self.south
                and self.north <= lat1):
            hint = ""
            if lat0 <= self.west <= lat1 and lon0 <= self.south <= lon1:
                hint = " (lat/lon swapped? the order is S,W,N,E)"
            msg = f"bounding box {self.label()} is outside China{hint}"
            raise NetworkError(msg)

    @classmethod
    def parse(cls, text: str) -> BBox:
        """Read ``"S,W,N,E"`` (decimal degrees, WGS-84)."""
        parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
        try:
            s, w, n, e = (float(p) for p in parts)
        except ValueError:
            msg = f'bounding box "{text}" is not S,W,N,E in decimal degrees'
            raise NetworkError(msg) from None
        return cls(s, w, n, e)

    @classmethod
    def around(cls, points: Iterable[tuple[float, float]], *, buffer_m: float = 800.0) -> BBox:
        """The box around ``(lon, lat)`` points, widened by ``buffer_m`` on every side."""
        pts = list(points)
        if not pts:
            msg = "cannot make an area from no points"
            raise NetworkError(msg)
        lons = [p[0] for p in pts]
        lats = [p[1] for p in pts]
        dlat = buffer_m / 111_195.0
        mid = math.radians((min(lats) + max(lats)) / 2)
        dlon = buffer_m / (111_195.0 * max(math.cos(mid), 0.01))
        return cls(min(lats) - dlat, min(lons) - dlon, max(lats) + dlat, max(lons) + dlon)

    def widen(self, metres: float) -> BBox:
        """This box grown by ``metres`` on every side."""
        dlat = metres / 111_195.0
        mid = math.radians((self.south + self.north) / 2)
        dlon = metres / (111_195.0 * max(math.cos(mid), 0.01))
        return BBox(self.south - dlat, self.west - dlon, self.north + dlat, self.east + dlon)

    def contains(self, other: BBox) -> bool:
        """Whether ``other`` lies entirely inside this box."""
        return (self.south <= other.south and self.west <= other.west
                and self.north >= other.north and self.east >= other.east)

    def overlaps(self, other: BBox) -> bool:
        """Whether the two boxes share any area."""
        return not (other.west >= self.east or other.east <= self.west
                    or other.south >= self.north or other.north <= self.south)

    def ltrb(self) -> tuple[float, float, float, float]:
        """``(west, south, east, north)``: osmnx's order."""
        return (self.west, self.south, self.east, self.north)

    def label(self) -> str:
        """``S,W,N,E`` with 5 decimals."""
        return ",".join(f"{v:.5f}" for v in (self.south, self.west, self.north, self.east))

    def size_m(self) -> tuple[float, float]:
        """Width and height in metres."""
        mid = (self.south + self.north) / 2
        return (coords.haversine_m(self.west, mid, self.east, mid),
                coords.haversine_m(self.west, self.south, self.west, self.north))


# --------------------------------------------------------------------------- the network


@dataclass(frozen=True, slots=True)
class Snap:
    """Where a point joins the walking graph.

    Attributes
    ----------
    lon, lat
        The point itself.
    edge
        Index of the edge it joins (into the network's edge arrays), or -1 in estimate mode.
    offset_m
        Distance along that edge from its first node to the joining point.
    snapped
        The joining point ``(lon, lat)`` on the edge.
    distance_m
        Straight-line distance from the point to the edge.
    far
        True when ``distance_m`` exceeds the snapping threshold: the connector is estimated.
    """

    lon: float
    lat: float
    edge: int
    offset_m: float
    snapped: tuple[float, float]
    distance_m: float
    far: bool


@dataclass
class _Arrays:
    """A street network as plain arrays: what a graph or a network file becomes first.

    Edges are undirected (pedestrians walk both ways); ``geom_start`` delimits each edge's
    vertices (endpoints included, from ``edge_u`` to ``edge_v``) in ``geom``.
    """

    node_ids: np.ndarray  # int64 OSM id of compact node i
    lon: np.ndarray  # float64
    lat: np.ndarray
    edge_u: np.ndarray  # int64 compact node indices
    edge_v: np.ndarray
    edge_len: np.ndarray  # float64 metres
    geom: np.ndarray  # (k, 2) float64 lon/lat of every edge's vertices, edge after edge
    geom_start: np.ndarray  # (m + 1,) int64: edge e is geom[geom_start[e]:geom_start[e + 1]]
    edge_name: list[str | None]
    edge_name_en: list[str | None]
    edge_highway: list[str]

    def subset(self, nodes: np.ndarray, edges: np.ndarray) -> _Arrays:
        """Only the nodes whose mask ``nodes`` is true and the edges listed in ``edges``
        (their ends must be kept nodes), renumbered."""
        new = np.cumsum(nodes) - 1
        counts = np.diff(self.geom_start)[edges]
        start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        take = (np.repeat(self.geom_start[edges] - start[:-1], counts)
                + np.arange(int(start[-1]), dtype=np.int64))
        return _Arrays(self.node_ids[nodes], self.lon[nodes], self.lat[nodes],
                       new[self.edge_u[edges]], new[self.edge_v[edges]], self.edge_len[edges],
                       self.geom[take], start, [self.edge_name[e] for e in edges],
                       [self.edge_name_en[e] for e in edges],
                       [self.edge_highway[e] for e in edges])


class _LocalMetric:
    """Lon/lat <-> metres on a plane tangent at the network's middle (equirectangular).

    Within a city the scale error is a few parts in 10,000, far below what snapping needs,
    and it costs no pyproj import. The interface is pyproj's ``Transformer.transform``.
    """

    def __init__(self, lon0: float, lat0: float) -> None:
        self.lon0, self.lat0 = lon0, lat0
        self.ky = math.radians(1.0) * coords.EARTH_RADIUS_M
        self.kx = self.ky * math.cos(math.radians(lat0))

    def transform(self, x: Any, y: Any, direction: str = "FORWARD") -> tuple[Any, Any]:
        """``(lon, lat)`` -> ``(x, y)`` metres, or back with ``direction="INVERSE"``."""
        if direction == "INVERSE":
            return (np.asarray(x, dtype=float) / self.kx + self.lon0,
                    np.asarray(y, dtype=float) / self.ky + self.lat0)
        return ((np.asarray(x, dtype=float) - self.lon0) * self.kx,
                (np.asarray(y, dtype=float) - self.lat0) * self.ky)


@dataclass
class _Index:
    """Compact arrays of a network, built once: node positions, undirected edges, CSR,
    the snapping tree and the connected parts."""

    node_ids: np.ndarray  # OSM id of compact node i
    lon: np.ndarray
    lat: np.ndarray
    edge_u: np.ndarray  # compact node indices, one row per undirected edge
    edge_v: np.ndarray
    edge_len: np.ndarray  # metres
    edge_geom: list[np.ndarray]  # (k, 2) lon/lat from u to v
    edge_name: list[str | None]
    edge_name_en: list[str | None]
    edge_highway: list[str]
    csr: csr_matrix
    pair_edge: dict[tuple[int, int], int]
    tree: Any  # shapely STRtree of projected edges
    projected: list[Any]  # shapely LineStrings in metres
    to_metric: Any  # lon/lat -> metres, with pyproj's ``transform`` interface
    edge_box: np.ndarray  # (m, 4): west, south, east, north of each edge
    #: Connected part of each node: 0 is the largest, 1 the next, ... (walking both ways).
    component: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    #: Nodes in each connected part, largest first.
    component_nodes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def point_at(self, e: int, frac: float) -> tuple[float, float]:
        """The point ``frac`` of the way along edge ``e``, ``(lon, lat)``.

        The fraction is of the edge's length in metres, so the point is placed on the
        projected line: on a bent edge, degrees of longitude and latitude are not
        proportional to metres, and interpolating in them would miss by metres.
        """
        geom = self.edge_geom[e]
        if frac <= 0.0:
            return float(geom[0, 0]), float(geom[0, 1])
        if frac >= 1.0:
            return float(geom[-1, 0]), float(geom[-1, 1])
        p = self.projected[e].interpolate(frac, normalized=True)
        lon, lat = self.to_metric.transform(p.x, p.y, direction="INVERSE")
        return float(lon), float(lat)

    def part(self, e: int, f0: float, f1: float) -> list[tuple[float, float]]:
        """Edge ``e`` from fraction ``f0`` to ``f1`` of its length (either way round).

        The two cut points are placed in metres (:meth:`point_at`); the vertices between
        them are the edge's own, untouched.
        """
        xy = np.asarray(self.projected[e].coords)
        cum = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
        lo, hi = sorted((f0, f1))
        inner = np.flatnonzero((cum > lo * cum[-1]) & (cum < hi * cum[-1]))
        geom = self.edge_geom[e]
        pts = [self.point_at(e, lo), *((float(geom[i, 0]), float(geom[i, 1])) for i in inner),
               self.point_at(e, hi)]
        return pts if f0 <= f1 else pts[::-1]


class Street(NamedTuple):
    """One street of a network between two crossings, as a map draws it."""

    geometry: np.ndarray  # (k, 2) lon/lat, k >= 2
    highway: str  # the OSM highway class ("primary", "footway", ...)
    name: str | None
    name_en: str | None


@dataclass
class WalkNetwork:
    """The walking network of an area, or the estimate that stands in for it.

    Attributes
    ----------
    graph
        The pedestrian graph (a networkx MultiDiGraph with both directions of every street),
        or ``None`` for an estimate and for a network read from a network file, which is
        backed by its arrays alone (``prebuilt``).
    source
        ``"cache"``, ``"extract"``, ``"download"``, ``"bundled"`` (the network shipped with
        redroute), ``"file"`` (one made by ``redroute network build``) or ``"estimate"``.
    origin
        The file or service it came from.
    bbox
        The plan's area (a bundled network may reach beyond it).
    detour_factor
        In estimate mode, walking distance = great-circle distance x this factor.
    data_date
        The ISO date of the OpenStreetMap data (``None`` when unknown).
    prebuilt
        The compact arrays, when the network comes without a graph.
    """

    graph: nx.MultiDiGraph | None
    source: Source
    origin: str
    bbox: BBox
    detour_factor: float = 1.3
    step_free: bool = False
    snap_threshold_m: float = 300.0
    notes: list[str] = field(default_factory=list)
    data_date: str | None = None
    prebuilt: _Index | None = field(default=None, repr=False, compare=False)

    @property
    def estimated(self) -> bool:
        """True when distances are estimated, not walked along streets."""
        return self.source == "estimate" or (self.graph is None and self.prebuilt is None)

    @property
    def node_count(self) -> int:
        """Nodes of the network (0 for an estimate)."""
        if self.estimated:
            return 0
        if self.graph is not None:
            return int(self.graph.number_of_nodes())
        return len(self.index.node_ids)

    @property
    def edge_count(self) -> int:
        """Streets of the network, each counted once (not once per direction)."""
        return 0 if self.estimated else len(self.index.edge_len)

    def describe(self) -> str:
        """One line: source, origin, size, date of the data and the area."""
        if self.estimated:
            return (f"estimate: great-circle distance x {self.detour_factor:g} "
                    f"(no street data) for {self.bbox.label()}")
        date = f", OSM data of {self.data_date}" if self.data_date else ""
        return (f"{self.source}: {self.origin} ({self.node_count} nodes, {self.edge_count} "
                f"street segments{date}, {self.bbox.label()})")

    @cached_property
    def index(self) -> _Index:
        """The compact arrays and CSR matrix of the network (built on first use)."""
        if self.prebuilt is not None:
            return self.prebuilt
        if self.graph is None:
            msg = "an estimated network has no graph to index"
            raise NetworkError(msg)
        return _build_index(self.graph)

    def streets(self, bbox: BBox | None = None) -> Iterator[Street]:
        """The streets of the network, each once (not once per direction).

        Parameters
        ----------
        bbox
            Only the streets whose extent overlaps this box (touching counts); ``None``
            for all of them.

        Yields
        ------
        Street
            Geometry (``(k, 2)`` lon/lat), highway class, Chinese and English name.
            Nothing for an estimate.
        """
        if self.estimated:
            return
        idx = self.index
        if bbox is None:
            keep: Iterable[int] = range(len(idx.edge_geom))
        else:
            box = idx.edge_box
            keep = np.flatnonzero(~((box[:, 2] < bbox.west) | (box[:, 0] > bbox.east)
                                    | (box[:, 3] < bbox.south) | (box[:, 1] > bbox.north)))
        for e in keep:
            yield Street(idx.edge_geom[e], idx.edge_highway[e], idx.edge_name[e],
                         idx.edge_name_en[e])

    def snap(self, points: Sequence[tuple[float, float]], *,
             names: Sequence[str] | None = None) -> list[Snap]:
        """Join ``(lon, lat)`` points to the nearest point of the nearest walkable edge.

        A point farther than ``snap_threshold_m`` from every edge gets a
        :class:`NetworkWarning` (naming it by ``names`` when given) and an estimated connector.
        """
        if self.estimated:
            return [Snap(lon, lat, -1, 0.0, (lon, lat), 0.0, False) for lon, lat in points]
        if not points:
            return []
        from shapely import points as make_points

        idx = self.index
        xs, ys = idx.to_metric.transform([p[0] for p in points], [p[1] for p in points])
        geoms = make_points(np.column_stack([xs, ys]))
        found, dist = idx.tree.query_nearest(geoms, return_distance=True, all_matches=False)
        out: list[Snap] = []
        for k, (lon, lat) in enumerate(points):
            pos = int(np.flatnonzero(found[0] == k)[0])
            e = int(found[1][pos])
            line = idx.projected[e]
            along = float(line.project(geoms[k]))
            frac = along / line.length if line.length > 0 else 0.0
            offset = frac * float(idx.edge_len[e])
            snapped = idx.point_at(e, frac)
            d = float(dist[pos])
            far = d > self.snap_threshold_m
            if far:
                what = names[k] if names else f"point ({lat:.6f}, {lon:.6f})"
                msg = (f"{what} is {d:.0f} m from the nearest walkable "
                       f"street (threshold {self.snap_threshold_m:.0f} m): its legs are "
                       "estimated")
                warnings.warn(msg, NetworkWarning, stacklevel=2)
            out.append(Snap(lon, lat, e, offset, snapped, d, far))
        return out


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _build_index(graph: nx.MultiDiGraph) -> _Index:
    return _index_from_arrays(_graph_arrays(graph))


def _graph_arrays(graph: nx.MultiDiGraph) -> _Arrays:
    """The undirected edges of a graph as arrays; of parallel edges, the shortest."""
    node_ids = np.fromiter(graph.nodes, dtype=np.int64, count=graph.number_of_nodes())
    pos = {int(n): i for i, n in enumerate(node_ids)}
    lon = np.array([graph.nodes[n]["x"] for n in node_ids], dtype=float)
    lat = np.array([graph.nodes[n]["y"] for n in node_ids], dtype=float)
    best: dict[tuple[int, int], tuple[float, int, int, dict[str, Any]]] = {}
    for u, v, data in graph.edges(data=True):
        a, b = pos[int(u)], pos[int(v)]
        if a == b:
            continue
        key = (a, b) if a < b else (b, a)
        length = _edge_length(data, (lon[a], lat[a]), (lon[b], lat[b]))
        if key not in best or length < best[key][0]:
            best[key] = (length, a, b, data)
    rows = list(best.values())
    geoms = [_edge_coords(data, (lon[a], lat[a]), (lon[b], lat[b])) for _, a, b, data in rows]
    start = np.concatenate([[0], np.cumsum([len(g) for g in geoms])]).astype(np.int64)
    return _Arrays(
        node_ids, lon, lat,
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([r[2] for r in rows], dtype=np.int64),
        np.array([r[0] for r in rows], dtype=float),
        np.concatenate(geoms) if geoms else np.zeros((0, 2)), start,
        [_first(r[3].get("name")) for r in rows],
        [_first(r[3].get("name:en")) for r in rows],
        [str(_first(r[3].get("highway")) or "path") for r in rows])


def _edge_length(data: dict[str, Any], start: tuple[float, float],
                 end: tuple[float, float]) -> float:
    """An edge's stored ``length``, or the length of its geometry when the stored one is
    missing, not a number or negative (a zero would make the street free to walk)."""
    try:
        length = float(data["length"])
    except (KeyError, TypeError, ValueError):
        length = math.nan
    if math.isfinite(length) and length >= 0:
        return length
    from itertools import pairwise

    pts = _edge_coords(data, start, end)
    return float(sum(coords.haversine_m(float(x0), float(y0), float(x1), float(y1))
                     for (x0, y0), (x1, y1) in pairwise(pts)))


def _components(n: int, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Connected parts of an undirected graph: a label per node (0 the largest, ties by
    their lowest node) and the node count of each part."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    adj = coo_matrix((np.ones(len(u), dtype=np.int8), (u, v)), shape=(n, n))
    count, raw = connected_components(adj, directed=False)
    sizes = np.bincount(raw, minlength=count)
    first = np.full(count, n, dtype=np.int64)
    np.minimum.at(first, raw, np.arange(n))
    order = np.lexsort((first, -sizes))  # largest first, then by their first node
    rank = np.empty(count, dtype=np.int32)
    rank[order] = np.arange(count, dtype=np.int32)
    return rank[raw], sizes[order].astype(np.int64)


def _index_from_arrays(arrays: _Arrays, *, min_component_nodes: int = 1) -> _Index:
    """The index of a network: CSR, snapping tree, boxes and connected parts.

    Self-loops are dropped and, of parallel edges, the shortest is kept (the CSR holds one
    weight per pair); connected parts of fewer than ``min_component_nodes`` nodes are
    dropped with their edges, and so are nodes left without an edge.
    """
    from scipy.sparse import coo_matrix
    from shapely import STRtree, linestrings

    a = arrays
    n = len(a.node_ids)
    lo, hi = np.minimum(a.edge_u, a.edge_v), np.maximum(a.edge_u, a.edge_v)
    order = np.lexsort((a.edge_len, hi, lo))
    pair = lo[order] * max(n, 1) + hi[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    keep_edges = np.sort(order[first & (lo[order] != hi[order])])
    label, sizes = _components(n, a.edge_u[keep_edges], a.edge_v[keep_edges])
    used = np.zeros(n, dtype=bool)
    used[a.edge_u[keep_edges]] = True
    used[a.edge_v[keep_edges]] = True
    keep_nodes = used & (sizes[label] >= min_component_nodes)
    keep_edges = keep_edges[keep_nodes[a.edge_u[keep_edges]]]
    if keep_edges.size != len(a.edge_u) or not keep_nodes.all():
        a = a.subset(keep_nodes, keep_edges)
        n = len(a.node_ids)
        label, sizes = _components(n, a.edge_u, a.edge_v)
    to_metric = _LocalMetric(float(np.mean(a.lon)) if n else 121.47,
                             float(np.mean(a.lat)) if n else 31.23)
    m = len(a.edge_u)
    counts = np.diff(a.geom_start)
    xs, ys = to_metric.transform(a.geom[:, 0], a.geom[:, 1])
    projected = (list(linestrings(np.column_stack([xs, ys]),
                                  indices=np.repeat(np.arange(m), counts))) if m else [])
    geoms = np.split(a.geom, a.geom_start[1:-1]) if m else []
    starts = a.geom_start[:-1]
    box = (np.column_stack([np.minimum.reduceat(a.geom[:, 0], starts),
                            np.minimum.reduceat(a.geom[:, 1], starts),
                            np.maximum.reduceat(a.geom[:, 0], starts),
                            np.maximum.reduceat(a.geom[:, 1], starts)])
           if m else np.zeros((0, 4)))
    # Symmetric CSR: pedestrians walk both ways; zero lengths become a tiny positive value
    # because csgraph treats explicit zeros as missing edges.
    w = np.maximum(a.edge_len, 1e-6)
    csr = coo_matrix((np.concatenate([w, w]), (np.concatenate([a.edge_u, a.edge_v]),
                                               np.concatenate([a.edge_v, a.edge_u]))),
                     shape=(n, n)).tocsr()
    lo, hi = np.minimum(a.edge_u, a.edge_v), np.maximum(a.edge_u, a.edge_v)
    pair_edge = dict(zip(zip(lo.tolist(), hi.tolist(), strict=True), range(m), strict=True))
    return _Index(a.node_ids, a.lon, a.lat, a.edge_u, a.edge_v, a.edge_len, geoms,
                  a.edge_name, a.edge_name_en, a.edge_highway, csr, pair_edge,
                  STRtree(projected), projected, to_metric, box, label, sizes)


def _edge_coords(data: dict[str, Any], start: tuple[float, float],
                 end: tuple[float, float]) -> np.ndarray:
    geom = data.get("geometry")
    if geom is None:
        return np.array([start, end], dtype=float)
    pts = np.asarray(geom.coords, dtype=float)[:, :2]
    # osmnx stores the geometry of (u, v) from u to v; make sure it starts at ``start``.
    if math.dist(pts[0], start) > math.dist(pts[-1], start):
        pts = pts[::-1]
    return pts


# --------------------------------------------------------------------------- pedestrian rules


def pedestrian_graph(graph: nx.MultiDiGraph, *, step_free: bool = False) -> nx.MultiDiGraph:
    """The part of ``graph`` a pedestrian may use, walkable in both directions.

    Drops motorways, trunk roads (Shanghai's elevated expressways) and their links,
    ``motorroad=yes``, ``foot=no``, ``access=private|no`` unless ``foot`` allows it, ways
    without ``highway``, and with ``step_free`` also ``highway=steps``. Roads built for motor
    traffic are also dropped where they run through a tunnel (外滩隧道, 打浦路隧道 and the
    other cross-river tunnels, road underpasses 地道), on an elevated deck (a bridge at
    ``layer`` 2 or more) or up a ramp named as one, unless ``foot`` allows it. ``oneway`` is
    ignored: every kept street gets both directions. Returns a new graph.
    """
    g = graph.copy()
    drop = [(u, v, k) for u, v, k, d in g.edges(keys=True, data=True)
            if not _walkable(d, step_free=step_free)]
    g.remove_edges_from(drop)
    missing = []
    for u, v, d in list(g.edges(data=True)):
        if not g.has_edge(v, u):
            missing.append((v, u, d))
    for v, u, d in missing:
        rev = dict(d)
        if "geometry" in rev:
            from shapely import reverse

            rev["geometry"] = reverse(rev["geometry"])
        rev["reversed"] = not bool(rev.get("reversed", False))
        g.add_edge(v, u, **rev)
    g.remove_nodes_from([n for n in list(g.nodes) if g.degree(n) == 0])
    return g


def _values(value: Any) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, list):
        return {str(v).strip().lower() for v in value}
    return {s.strip().lower() for s in str(value).split(";")}


#: Ways built for motor traffic: in a tunnel or up on an elevated deck they have no footway.
_MOTOR_HIGHWAYS = frozenset({
    "primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link",
    "unclassified", "residential", "road",
})
#: Words in a way's name that mark a motor tunnel, underpass, elevated road or ramp: some
#: approach ramps carry the tunnel's name without a ``tunnel`` tag.
_MOTOR_NAME_WORDS = ("隧道", "地道", "高架", "匝道", "下立交", "上匝", "下匝")


def _walkable(data: dict[str, Any], *, step_free: bool) -> bool:
    highway = _values(data.get("highway"))
    if not highway or highway & FORBIDDEN_HIGHWAYS:
        return False
    if step_free and "steps" in highway:
        return False
    if "yes" in _values(data.get("area")) and not highway & {"pedestrian", "footway"}:
        return False
    foot = _values(data.get("foot"))
    if foot & _FOOT_OK:
        return True  # an explicit permission beats every rule below
    if "yes" in _values(data.get("motorroad")) or "no" in foot:
        return False
    access = _values(data.get("access")) | _values(data.get("service")) & {"private"}
    if access & {"private", "no"}:
        return False
    return not (highway <= _MOTOR_HIGHWAYS and _motor_only_structure(data))


def _motor_only_structure(data: dict[str, Any]) -> bool:
    """A road tunnel (the cross-river tunnels, road underpasses), an elevated road (a bridge
    two or more levels up) or a ramp to one: no place for pedestrians."""
    tunnel = _values(data.get("tunnel"))
    if tunnel and not tunnel <= {"no", "building_passage", "avalanche_protector"}:
        return True
    layer = _values(data.get("layer"))
    try:
        level = max((int(v) for v in layer), default=0)
    except ValueError:
        level = 0
    if level <= -1 and not tunnel <= {"no"}:
        return True
    if "yes" in _values(data.get("bridge")) and level >= 2:
        return True
    name = " ".join(str(v) for v in _values(data.get("name")))
    return any(word in name for word in _MOTOR_NAME_WORDS)
