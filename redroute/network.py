"""The walking network of a plan's area: from a local extract, a cached or fresh download,
or, when neither can be had, an estimate from great-circle distances.

Every graph goes through the same pedestrian rules (:func:`pedestrian_graph`) whatever its
source, is clipped to the area and reduced to its largest strongly connected component.
Positions are WGS-84 throughout; lengths are metres.
"""

from __future__ import annotations

import bz2
import contextlib
import math
import re
import socket
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from redroute import coords, settings
from redroute._errors import NetworkError, NetworkWarning

if TYPE_CHECKING:
    import networkx as nx
    from scipy.sparse import csr_matrix

__all__ = [
    "BBox",
    "Snap",
    "WalkNetwork",
    "cached_networks",
    "download_graph",
    "estimate_network",
    "graph_from_extract",
    "network_from_graph",
    "pedestrian_graph",
    "walk_network",
]

Source = Literal["cache", "extract", "download", "estimate"]
Report = Callable[[str], None]

EXTRACT_SUFFIXES = (".osm", ".osm.bz2", ".osm.pbf", ".xml")
#: OSM ``highway`` values a pedestrian may not use.
FORBIDDEN_HIGHWAYS = frozenset({
    "motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed",
    "planned", "abandoned", "razed", "raceway", "bus_guideway", "busway", "escape", "no",
})
_FOOT_OK = frozenset({"yes", "designated", "permissive", "official"})
_WAY_TAGS = ["highway", "name", "name:en", "name:zh", "foot", "access", "motorroad",
             "bridge", "tunnel", "service", "footway", "sidewalk", "area", "oneway", "lanes"]
_OVERPASS_HOST = "overpass-api.de"
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
class _Index:
    """Compact arrays of a graph, built once: node positions, undirected edges, CSR."""

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
    to_metric: Any  # pyproj Transformer lon/lat -> metres


@dataclass
class WalkNetwork:
    """The walking network of an area, or the estimate that stands in for it.

    Attributes
    ----------
    graph
        The pedestrian graph (a networkx MultiDiGraph with both directions of every street),
        or ``None`` for an estimate.
    source
        ``"cache"``, ``"extract"``, ``"download"`` or ``"estimate"``.
    origin
        The file or service it came from.
    bbox
        The area it covers.
    detour_factor
        In estimate mode, walking distance = great-circle distance x this factor.
    """

    graph: nx.MultiDiGraph | None
    source: Source
    origin: str
    bbox: BBox
    detour_factor: float = 1.3
    step_free: bool = False
    snap_threshold_m: float = 300.0
    notes: list[str] = field(default_factory=list)

    @property
    def estimated(self) -> bool:
        """True when distances are estimated, not walked along streets."""
        return self.graph is None

    @property
    def node_count(self) -> int:
        """Nodes of the graph (0 for an estimate)."""
        return 0 if self.graph is None else self.graph.number_of_nodes()

    @property
    def edge_count(self) -> int:
        """Streets of the graph, each counted once (not once per direction)."""
        return 0 if self.graph is None else len(self.index.edge_len)

    def describe(self) -> str:
        """One line: source, origin and size."""
        if self.graph is None:
            return (f"estimate: great-circle distance x {self.detour_factor:g} "
                    f"(no street data) for {self.bbox.label()}")
        return (f"{self.source}: {self.origin} ({self.node_count} nodes, {self.edge_count} "
                f"street segments, {self.bbox.label()})")

    @cached_property
    def index(self) -> _Index:
        """The compact arrays and CSR matrix of the graph (built on first use)."""
        if self.graph is None:
            msg = "an estimated network has no graph to index"
            raise NetworkError(msg)
        return _build_index(self.graph)

    def snap(self, points: Sequence[tuple[float, float]], *,
             names: Sequence[str] | None = None) -> list[Snap]:
        """Join ``(lon, lat)`` points to the nearest point of the nearest walkable edge.

        A point farther than ``snap_threshold_m`` from every edge gets a
        :class:`NetworkWarning` (naming it by ``names`` when given) and an estimated connector.
        """
        if self.graph is None:
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
            snapped = _interpolate(idx.edge_geom[e], frac)
            d = float(dist[pos])
            far = d > self.snap_threshold_m
            if far:
                what = names[k] if names else f"point ({lat:.6f}, {lon:.6f})"
                msg = (f"{what} is {d:.0f} m from the nearest walkable "
                       f"street (threshold {self.snap_threshold_m:.0f} m): its connector leg is "
                       "estimated")
                warnings.warn(msg, NetworkWarning, stacklevel=2)
            out.append(Snap(lon, lat, e, offset, snapped, d, far))
        return out


def _interpolate(geom: np.ndarray, frac: float) -> tuple[float, float]:
    seg = np.hypot(np.diff(geom[:, 0]), np.diff(geom[:, 1]))
    total = float(seg.sum())
    if total == 0:
        return float(geom[0, 0]), float(geom[0, 1])
    target = frac * total
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    i = int(np.clip(np.searchsorted(cum, target, side="right") - 1, 0, len(seg) - 1))
    t = (target - cum[i]) / seg[i] if seg[i] > 0 else 0.0
    p = geom[i] + t * (geom[i + 1] - geom[i])
    return float(p[0]), float(p[1])


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _build_index(graph: nx.MultiDiGraph) -> _Index:
    import pyproj
    from scipy.sparse import coo_matrix
    from shapely import LineString, STRtree

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
        length = float(data.get("length", 0.0))
        if key not in best or length < best[key][0]:
            best[key] = (length, a, b, data)
    transformer = pyproj.Transformer.from_crs(4326, _utm_epsg(lon, lat), always_xy=True)
    edge_u, edge_v, edge_len, geoms, names, names_en, highways, projected = (
        [], [], [], [], [], [], [], [])
    pair_edge: dict[tuple[int, int], int] = {}
    for i, ((lo, hi), (length, a, b, data)) in enumerate(best.items()):
        geom = _edge_coords(data, (lon[a], lat[a]), (lon[b], lat[b]))
        edge_u.append(a)
        edge_v.append(b)
        edge_len.append(length)
        geoms.append(geom)
        names.append(_first(data.get("name")))
        names_en.append(_first(data.get("name:en")))
        highways.append(str(_first(data.get("highway")) or "path"))
        xs, ys = transformer.transform(geom[:, 0], geom[:, 1])
        projected.append(LineString(np.column_stack([xs, ys])))
        pair_edge[(lo, hi)] = i
    n = len(node_ids)
    u_arr = np.asarray(edge_u, dtype=np.int64)
    v_arr = np.asarray(edge_v, dtype=np.int64)
    len_arr = np.asarray(edge_len, dtype=float)
    # Symmetric CSR: pedestrians walk both ways; zero lengths become a tiny positive value
    # because csgraph treats explicit zeros as missing edges.
    w = np.maximum(len_arr, 1e-6)
    csr = coo_matrix((np.concatenate([w, w]), (np.concatenate([u_arr, v_arr]),
                                               np.concatenate([v_arr, u_arr]))),
                     shape=(n, n)).tocsr()
    return _Index(node_ids, lon, lat, u_arr, v_arr, len_arr, geoms, names, names_en, highways,
                  csr, pair_edge, STRtree(projected), projected, transformer)


def _utm_epsg(lon: np.ndarray, lat: np.ndarray) -> int:
    zone = int((float(np.mean(lon)) + 180) // 6) + 1 if len(lon) else 51
    return (32600 if (float(np.mean(lat)) if len(lat) else 31.0) >= 0 else 32700) + zone


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
    without ``highway``, and with ``step_free`` also ``highway=steps``. ``oneway`` is ignored:
    every kept street gets both directions. Returns a new graph.
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


def _walkable(data: dict[str, Any], *, step_free: bool) -> bool:
    highway = _values(data.get("highway"))
    if not highway or highway & FORBIDDEN_HIGHWAYS:
        return False
    if step_free and "steps" in highway:
        return False
    if "yes" in _values(data.get("area")) and not highway & {"pedestrian", "footway"}:
        return False
    foot = _values(data.get("foot"))
    if "yes" in _values(data.get("motorroad")) and not foot & _FOOT_OK:
        return False
    if "no" in foot:
        return False
    access = _values(data.get("access")) | _values(data.get("service")) & {"private"}
    return not (access & {"private", "no"} and not foot & _FOOT_OK)


# --------------------------------------------------------------------------- sources


def _configure_osmnx() -> Any:
    import osmnx as ox

    for tag in _WAY_TAGS:
        if tag not in ox.settings.useful_tags_way:
            ox.settings.useful_tags_way = [*ox.settings.useful_tags_way, tag]
    ox.settings.log_console = False
    ox.settings.use_cache = True
    ox.settings.cache_folder = str(settings.cache_folder / "overpass")
    ox.settings.requests_timeout = settings.download_timeout_s
    ox.settings.overpass_rate_limit = False
    return ox


def graph_from_extract(path: str | Path, *, bbox: BBox | None = None) -> nx.MultiDiGraph:
    """Read a local OSM extract (``.osm``, ``.osm.bz2`` or ``.osm.pbf``) as a raw graph.

    The graph has both directions of every way, is clipped to ``bbox`` when given and is
    not yet filtered by the pedestrian rules.

    Raises
    ------
    NetworkError
        When the file is missing, unreadable, corrupt, or holds no streets in ``bbox``.
    """
    p = Path(path)
    if not p.is_file():
        msg = f"OSM extract {str(p)!r} does not exist"
        raise NetworkError(msg)
    name = p.name.lower()
    if not name.endswith(EXTRACT_SUFFIXES):
        msg = (f"OSM extract {str(p)!r} is not .osm, .osm.bz2 or .osm.pbf "
               "(export one from openstreetmap.org or download it from an extract service)")
        raise NetworkError(msg)
    ox = _configure_osmnx()
    with tempfile.TemporaryDirectory(prefix="redroute-") as tmp:
        xml = _pbf_to_xml(p, Path(tmp) / "extract.osm") if name.endswith(".pbf") else p
        _check_xml(xml, p)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                graph = ox.graph_from_xml(xml, bidirectional=True, simplify=False,
                                          retain_all=True)
        except Exception as err:
            msg = f"cannot read OSM extract {str(p)!r}: {_short(err)}"
            raise NetworkError(msg) from err
    if graph.number_of_edges() == 0:
        msg = f"OSM extract {str(p)!r} holds no streets (no ways with a highway tag)"
        raise NetworkError(msg)
    if bbox is not None:
        graph = _clip(graph, bbox, origin=str(p))
    return graph


def _check_xml(xml: Path, original: Path) -> None:
    opener: Any = bz2.open if xml.name.lower().endswith(".bz2") else open
    try:
        with opener(xml, "rb") as fh:
            head = fh.read(4096)
    except (OSError, EOFError) as err:
        msg = f"cannot read OSM extract {str(original)!r}: {_short(err)}"
        raise NetworkError(msg) from err
    if not head.strip():
        msg = f"OSM extract {str(original)!r} is empty"
        raise NetworkError(msg)
    if b"<osm" not in head:
        msg = f"OSM extract {str(original)!r} is not OSM XML (no <osm> element at the start)"
        raise NetworkError(msg)


def _pbf_to_xml(pbf: Path, out: Path) -> Path:
    """Write the highway ways of a PBF and the nodes they use as OSM XML (pyosmium)."""
    import osmium

    try:
        need: set[int] = set()
        ways = osmium.filter.KeyFilter("highway")
        for way in osmium.FileProcessor(str(pbf), osmium.osm.WAY).with_filter(ways):
            need.update(n.ref for n in way.nodes)  # type: ignore[union-attr]
        with osmium.SimpleWriter(str(out)) as writer:
            for node in osmium.FileProcessor(str(pbf), osmium.osm.NODE):
                if node.id in need:
                    writer.add(node)
            ways = osmium.filter.KeyFilter("highway")
            for way in osmium.FileProcessor(str(pbf), osmium.osm.WAY).with_filter(ways):
                writer.add(way)
    except RuntimeError as err:
        msg = f"cannot read OSM extract {str(pbf)!r}: {_short(err)}"
        raise NetworkError(msg) from err
    return out


def _clip(graph: nx.MultiDiGraph, bbox: BBox, *, origin: str) -> nx.MultiDiGraph:
    ox = _configure_osmnx()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ox.truncate.truncate_graph_bbox(graph, bbox.ltrb(), truncate_by_edge=True)
    except ValueError as err:
        msg = f"{origin} has no streets in the area {bbox.label()}"
        raise NetworkError(msg) from err


def _short(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return (text[0] if text else type(err).__name__)[:200]


def network_from_graph(graph: nx.MultiDiGraph, *, source: Source, origin: str, bbox: BBox,
                       step_free: bool = False, simplify: bool = True) -> WalkNetwork:
    """Apply the pedestrian rules, keep the largest strongly connected part, wrap it.

    Raises :class:`NetworkError` when nothing walkable is left.
    """
    ox = _configure_osmnx()
    walk = pedestrian_graph(graph, step_free=step_free)
    if walk.number_of_edges() == 0:
        msg = f"no walkable street in the area {bbox.label()} ({origin})"
        raise NetworkError(msg)
    walk = ox.truncate.largest_component(walk, strongly=True)
    if simplify and not walk.graph.get("simplified"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            walk = ox.simplify_graph(walk, edge_attrs_differ=["name"])
    return WalkNetwork(walk, source, origin, bbox, detour_factor=settings.detour_factor,
                       step_free=step_free, snap_threshold_m=settings.snap_threshold_m)


def estimate_network(bbox: BBox, *, detour_factor: float | None = None) -> WalkNetwork:
    """The stand-in for a network: great-circle distance times a detour factor."""
    factor = settings.detour_factor if detour_factor is None else float(detour_factor)
    if not (1.0 <= factor <= 3.0):
        msg = f"detour factor {factor} is not between 1.0 and 3.0"
        raise NetworkError(msg)
    return WalkNetwork(None, "estimate", "great-circle estimate", bbox, detour_factor=factor)


def online(host: str = _OVERPASS_HOST, *, timeout_s: float | None = None) -> bool:
    """Whether ``host`` resolves and accepts a connection within a few seconds."""
    timeout = settings.online_check_timeout_s if timeout_s is None else timeout_s
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, 443), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 0.5)  # DNS look-ups ignore the socket timeout: bound them here
    return bool(result and result[0])


def download_graph(bbox: BBox, *, report: Report | None = None) -> tuple[nx.MultiDiGraph, Path]:
    """Download the walking ways of ``bbox`` from Overpass and cache them on disk.

    Returns the raw graph and its cache file. Fails fast with :class:`NetworkError` when
    the service cannot be reached.
    """
    width, height = bbox.size_m()
    if width * height > settings.max_download_km2 * 1e6:
        msg = (f"area {bbox.label()} is {width * height / 1e6:.0f} km², more than the "
               f"{settings.max_download_km2:g} km² a download may cover")
        raise NetworkError(msg)
    if not online():
        msg = f"{_OVERPASS_HOST} cannot be reached (offline?)"
        raise NetworkError(msg)
    ox = _configure_osmnx()
    if report:
        report(f"downloading the walking network of {bbox.label()} from OpenStreetMap...")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            graph = ox.graph_from_bbox(bbox.ltrb(), network_type="walk", simplify=False,
                                       retain_all=True, truncate_by_edge=True)
    except Exception as err:  # requests, Overpass and osmnx errors alike fall through
        msg = f"download from OpenStreetMap failed: {_short(err)}"
        raise NetworkError(msg) from err
    path = _cache_path(bbox)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    ox.save_graphml(graph, tmp)
    tmp.replace(path)
    return graph, path


def _cache_dir() -> Path:
    return settings.cache_folder / "networks"


def _cache_path(bbox: BBox) -> Path:
    box = "_".join(f"{v:.5f}" for v in (bbox.south, bbox.west, bbox.north, bbox.east))
    return _cache_dir() / f"walk_{box}.graphml"


def cached_networks() -> list[tuple[BBox, Path]]:
    """Every cached download: its area and file, newest first."""
    folder = _cache_dir()
    if not folder.is_dir():
        return []
    out = []
    pattern = re.compile(r"walk_(-?[\d.]+)_(-?[\d.]+)_(-?[\d.]+)_(-?[\d.]+)\.graphml$")
    for path in sorted(folder.glob("walk_*.graphml"), key=lambda p: -p.stat().st_mtime):
        m = pattern.match(path.name)
        if m:
            with contextlib.suppress(NetworkError):
                out.append((BBox(*(float(g) for g in m.groups())), path))
    return out


def _from_cache(bbox: BBox) -> tuple[nx.MultiDiGraph, Path] | None:
    for area, path in cached_networks():
        if area.contains(bbox):
            ox = _configure_osmnx()
            try:
                graph = ox.load_graphml(path)
            except Exception:  # a damaged cache file is skipped, not fatal
                warnings.warn(f"ignoring damaged cache file {path}", NetworkWarning,
                              stacklevel=3)
                continue
            return _clip(graph, _local_area(bbox), origin=str(path)), path
    return None


def _local_area(bbox: BBox) -> BBox:
    # Local data is clipped with a margin beyond the plan's area, so that two streets joined
    # just outside it (common in road-only extracts) stay joined; the cost is a few more nodes.
    return bbox.widen(settings.connect_margin_m)


def walk_network(bbox: BBox, *, network: str | Path = "auto", step_free: bool = False,
                 report: Report | None = None) -> WalkNetwork:
    """The walking network of ``bbox`` from the source ``network`` asks for.

    Parameters
    ----------
    bbox
        The area (see :meth:`BBox.around`).
    network
        ``"auto"`` (cache, then the configured extract, then a download, then the
        estimate), ``"download"``, ``"estimate"``, or the path of an OSM extract.
    step_free
        Avoid ``highway=steps``.
    report
        Called with one line saying which source was used (the CLI prints it on stderr).

    A source that fails under ``"auto"`` gives one :class:`NetworkWarning` and the next is
    tried; the estimate always succeeds.
    """
    def done(net: WalkNetwork) -> WalkNetwork:
        if report:
            report(f"walking network: {net.describe()}")
        if net.estimated:
            warnings.warn(f"no street data for {bbox.label()}: walking distances are estimated "
                          f"(great-circle x {net.detour_factor:g})", NetworkWarning, stacklevel=3)
        return net

    choice = str(network)
    if choice == "estimate":
        return done(estimate_network(bbox))
    if choice == "download":
        graph, path = download_graph(bbox, report=report)
        return done(network_from_graph(graph, source="download", origin=str(path), bbox=bbox,
                                       step_free=step_free))
    if choice != "auto":
        graph = graph_from_extract(choice, bbox=_local_area(bbox))
        return done(network_from_graph(graph, source="extract", origin=choice, bbox=bbox,
                                       step_free=step_free))
    return done(_auto(bbox, step_free=step_free, report=report))


def _auto(bbox: BBox, *, step_free: bool, report: Report | None) -> WalkNetwork:
    hit = _from_cache(bbox)
    if hit is not None:
        return network_from_graph(hit[0], source="cache", origin=str(hit[1]), bbox=bbox,
                                  step_free=step_free)
    extract = settings.configured_extract()
    if extract is not None:
        try:
            graph = graph_from_extract(extract, bbox=_local_area(bbox))
            return network_from_graph(graph, source="extract", origin=str(extract), bbox=bbox,
                                      step_free=step_free)
        except NetworkError as err:
            warnings.warn(f"{err}; trying the next source", NetworkWarning, stacklevel=3)
    try:
        graph, path = download_graph(bbox, report=report)
        return network_from_graph(graph, source="download", origin=str(path), bbox=bbox,
                                  step_free=step_free)
    except NetworkError as err:
        warnings.warn(f"{err}; using the estimate", NetworkWarning, stacklevel=3)
    return estimate_network(bbox)
