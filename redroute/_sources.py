"""Where a walking network comes from: a local extract, a cached or fresh Overpass download,
or, when neither can be had, an estimate from great-circle distances.

:func:`walk_network` is the policy that picks the source; the other functions are the
sources themselves. Whatever its source, every graph goes through :func:`network_from_graph`:
the pedestrian rules of :mod:`redroute.network`, then its largest strongly connected part.
osmnx is only ever called inside :func:`_osmnx`, which restores the caller's osmnx settings
on the way out.
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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redroute import settings
from redroute._errors import NetworkError, NetworkWarning
from redroute.network import BBox, Source, WalkNetwork, pedestrian_graph

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "EXTRACT_SUFFIXES",
    "Coverage",
    "Progress",
    "Report",
    "cached_networks",
    "coverage",
    "download_graph",
    "estimate_network",
    "graph_from_extract",
    "network_from_graph",
    "online",
    "walk_network",
]

#: Called with one line of news (the CLI prints it on stderr).
Report = Callable[[str], None]
#: Called as ``progress(done, total, label)``: ``done`` of ``total`` stages are finished and
#: ``label`` names the one starting now (the CLI draws a bar from it).
Progress = Callable[[int, int, str], None]

EXTRACT_SUFFIXES = (".osm", ".osm.bz2", ".osm.pbf", ".xml")
_WAY_TAGS = ["highway", "name", "name:en", "name:zh", "foot", "access", "motorroad",
             "bridge", "tunnel", "layer", "service", "footway", "sidewalk", "area", "oneway",
             "lanes"]
_OVERPASS_HOST = "overpass-api.de"
# osmnx keeps its settings in module globals: one thread at a time may swap them.
_OSMNX_LOCK = threading.RLock()


# --------------------------------------------------------------------------- osmnx


@contextlib.contextmanager
def _osmnx() -> Iterator[Any]:
    """The osmnx module with redroute's settings, the caller's restored on exit.

    A notebook user's own osmnx settings survive a call into redroute, even one that fails.
    The Overpass rate limit stays on: parallel ``publish`` workers share one public server.
    """
    import osmnx as ox

    with _OSMNX_LOCK:
        tags = list(ox.settings.useful_tags_way)
        wanted: dict[str, Any] = {
            "useful_tags_way": tags + [t for t in _WAY_TAGS if t not in tags],
            "log_console": False,
            "use_cache": True,
            "cache_folder": str(settings.cache_folder / "overpass"),
            "requests_timeout": settings.download_timeout_s,
            "overpass_rate_limit": True,
        }
        saved = {name: getattr(ox.settings, name) for name in wanted}
        try:
            for name, value in wanted.items():
                setattr(ox.settings, name, value)
            yield ox
        finally:
            for name, value in saved.items():
                setattr(ox.settings, name, value)


def _short(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return (text[0] if text else type(err).__name__)[:200]


# --------------------------------------------------------------------------- extracts


def graph_from_extract(path: str | Path, *, bbox: BBox | None = None) -> nx.MultiDiGraph:
    """Read a local OSM extract (``.osm``, ``.osm.bz2`` or ``.osm.pbf``) as a raw graph.

    The graph has both directions of every way, is clipped to ``bbox`` when given and is
    not yet filtered by the pedestrian rules.

    Parameters
    ----------
    path
        The extract file.
    bbox
        The area to keep, or ``None`` for the whole file.

    Returns
    -------
    networkx.MultiDiGraph
        The raw street graph, osmnx-style.

    Raises
    ------
    NetworkError
        When the file is missing, unreadable, corrupt, or holds no streets in ``bbox``.

    Warns
    -----
    NetworkWarning
        Once, counting the ways left out because they use a node the file does not hold
        (or one whose coordinates are not numbers or out of range): the rest is read.
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
    if not name.endswith(".pbf"):
        from redroute._netbuild import check_xml_head

        check_xml_head(p)
    data = _read_pbf(p) if name.endswith(".pbf") else _read_xml(p)
    ways = _complete_ways(data, origin=str(p))
    if not ways:
        msg = f"OSM extract {str(p)!r} holds no streets (no ways with a highway tag)"
        raise NetworkError(msg)
    with tempfile.TemporaryDirectory(prefix="redroute-") as tmp:
        xml = _write_xml(data.nodes, ways, Path(tmp) / "extract.osm")
        try:
            with _osmnx() as ox, warnings.catch_warnings():
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


@dataclass
class _OsmData:
    """The highway ways of an extract and the positions of the nodes it holds.

    ``bad_nodes`` counts nodes whose coordinates are not numbers or out of range: they are
    left out of ``nodes``, so the ways using them count as ways with missing nodes.
    """

    nodes: dict[int, tuple[float, float]]  # id -> (lon, lat)
    ways: list[tuple[int, list[int], dict[str, str]]]  # id, node refs, tags
    bad_nodes: int = 0
    broken_ways: int = 0  # highway ways with an unreadable node reference


def _position(lon: Any, lat: Any) -> tuple[float, float] | None:
    """``(lon, lat)`` as floats when both are finite numbers in range, else ``None``."""
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        return None
    return x, y


def _read_xml(path: Path) -> _OsmData:
    """Stream an ``.osm`` (or ``.osm.bz2``) file: every node's position, the highway ways.

    Read element by element, so that one bad node (a coordinate that is not a number, a
    latitude of 95) costs that node only, not the file.
    """
    from xml.etree.ElementTree import ParseError, iterparse

    opener: Any = bz2.open if path.name.lower().endswith(".bz2") else open
    data = _OsmData({}, [])
    try:
        with opener(path, "rb") as fh:
            root = None
            for event, elem in iterparse(fh, events=("start", "end")):
                if event == "start":
                    if root is None:
                        root = elem
                    continue
                if elem.tag == "node":
                    _xml_node(elem, data)
                elif elem.tag == "way":
                    _xml_way(elem, data)
                elif elem.tag in ("nd", "tag", "member"):
                    continue  # read with their way; cleared with it
                if root is not None and elem is not root:
                    root.clear()  # keep memory flat on large files
    except (ParseError, OSError, EOFError, ValueError) as err:
        msg = f"cannot read OSM extract {str(path)!r}: {_short(err)}"
        raise NetworkError(msg) from err
    return data


def _xml_node(elem: Any, data: _OsmData) -> None:
    if elem.get("visible") == "false" or elem.get("action") == "delete":
        return
    try:
        nid = int(elem.get("id", ""))
    except ValueError:
        data.bad_nodes += 1
        return
    pos = _position(elem.get("lon"), elem.get("lat"))
    if pos is None:
        data.bad_nodes += 1
        return
    data.nodes[nid] = pos


def _xml_way(elem: Any, data: _OsmData) -> None:
    if elem.get("visible") == "false" or elem.get("action") == "delete":
        return
    tags = {t.get("k", ""): t.get("v", "") for t in elem.iter("tag")}
    if "highway" not in tags:
        return
    try:
        wid = int(elem.get("id", ""))
        refs = [int(nd.get("ref", "")) for nd in elem.iter("nd")]
    except ValueError:
        data.broken_ways += 1  # an unreadable reference is a missing node
        return
    data.ways.append((wid, refs, tags))


def _read_pbf(pbf: Path) -> _OsmData:
    """The highway ways of a PBF and the positions of the nodes they use (pyosmium)."""
    import osmium

    data = _OsmData({}, [])
    need: set[int] = set()
    try:
        ways = osmium.filter.KeyFilter("highway")
        for way in osmium.FileProcessor(str(pbf), osmium.osm.WAY).with_filter(ways):
            refs = [n.ref for n in way.nodes]  # type: ignore[union-attr]
            tags = {t.k: t.v for t in way.tags}
            data.ways.append((way.id, refs, tags))
            need.update(refs)
        for node in osmium.FileProcessor(str(pbf), osmium.osm.NODE):
            if node.id in need:
                loc = node.location  # type: ignore[union-attr]
                pos = _position(loc.lon, loc.lat) if loc.valid() else None
                if pos is None:
                    data.bad_nodes += 1
                else:
                    data.nodes[node.id] = pos
    except (RuntimeError, osmium.InvalidLocationError) as err:
        msg = f"cannot read OSM extract {str(pbf)!r}: {_short(err)}"
        raise NetworkError(msg) from err
    return data


def _complete_ways(data: _OsmData, *, origin: str) -> list[tuple[int, list[int], dict[str, str]]]:
    """The ways whose nodes are all in the extract; one warning counts those left out.

    A way cut by the edge of an extract (or a node with impossible coordinates) would
    otherwise make osmnx refuse the whole file ("Some edges missing nodes").
    """
    kept = []
    dropped = data.broken_ways
    for way in data.ways:
        refs = way[1]
        if len(set(refs)) < 2:
            continue  # a way of one node is no street
        if all(r in data.nodes for r in refs):
            kept.append(way)
        else:
            dropped += 1
    if dropped:
        one = data.bad_nodes == 1
        bad = (f"; {data.bad_nodes} node{'' if one else 's'} with coordinates that are not "
               f"numbers or out of range {'was' if one else 'were'} ignored"
               if data.bad_nodes else "")
        noun = "way refers" if dropped == 1 else "ways refer"
        warnings.warn(f"OSM extract {origin!r}: {dropped} {noun} to nodes missing from the "
                      f"extract and {'was' if dropped == 1 else 'were'} left out{bad}",
                      NetworkWarning, stacklevel=3)
    return kept


def _write_xml(nodes: dict[int, tuple[float, float]],
               ways: list[tuple[int, list[int], dict[str, str]]], out: Path) -> Path:
    """The ways and the nodes they use as plain OSM XML, for osmnx to read."""
    from xml.sax.saxutils import quoteattr

    used = sorted({r for _, refs, _ in ways for r in refs})
    with out.open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" '
                 'generator="redroute">\n')
        for nid in used:
            lon, lat = nodes[nid]
            fh.write(f'<node id="{nid}" lat="{lat!r}" lon="{lon!r}"/>\n')
        for wid, refs, tags in ways:
            fh.write(f'<way id="{wid}">')
            fh.writelines(f'<nd ref="{r}"/>' for r in refs)
            fh.writelines(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>"
                          for k, v in tags.items())
            fh.write("</way>\n")
        fh.write("</osm>\n")
    return out


def _clip(graph: nx.MultiDiGraph, bbox: BBox, *, origin: str) -> nx.MultiDiGraph:
    try:
        with _osmnx() as ox, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clipped: nx.MultiDiGraph = ox.truncate.truncate_graph_bbox(
                graph, bbox.ltrb(), truncate_by_edge=True)
    except ValueError as err:
        msg = f"{origin} has no streets in the area {bbox.label()}"
        raise NetworkError(msg) from err
    return clipped


# --------------------------------------------------------------------------- networks


def network_from_graph(graph: nx.MultiDiGraph, *, source: Source, origin: str, bbox: BBox,
                       step_free: bool = False, simplify: bool = True) -> WalkNetwork:
    """Apply the pedestrian rules, keep the largest strongly connected part, wrap it.

    Parameters
    ----------
    graph
        A raw osmnx-style street graph.
    source, origin
        Where it came from (``"extract"``, ``"download"``, ``"cache"``) and the file.
    bbox
        The plan's area.
    step_free
        Avoid ``highway=steps``.
    simplify
        Merge chains of nodes between crossings (osmnx's ``simplify_graph``).

    Returns
    -------
    WalkNetwork

    Raises
    ------
    NetworkError
        When nothing walkable is left.
    """
    walk = pedestrian_graph(graph, step_free=step_free)
    if walk.number_of_edges() == 0:
        msg = f"no walkable street in the area {bbox.label()} ({origin})"
        raise NetworkError(msg)
    with _osmnx() as ox:
        walk = ox.truncate.largest_component(walk, strongly=True)
        if simplify and not walk.graph.get("simplified"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                walk = ox.simplify_graph(walk, edge_attrs_differ=["name"])
    return WalkNetwork(walk, source, origin, bbox, detour_factor=settings.detour_factor,
                       step_free=step_free, snap_threshold_m=settings.snap_threshold_m,
                       data_date=_data_date(source, origin))


def _data_date(source: Source, origin: str) -> str | None:
    """The date of a graph's OSM data: an extract's header date, the day a download (or the
    cache file holding it) was made; ``None`` when unknown."""
    if source == "extract":
        from redroute._netbuild import extract_date

        return extract_date(origin)
    if source in ("download", "cache"):
        import datetime as dt

        with contextlib.suppress(OSError):
            return dt.date.fromtimestamp(Path(origin).stat().st_mtime).isoformat()
    return None


def estimate_network(bbox: BBox, *, detour_factor: float | None = None) -> WalkNetwork:
    """The stand-in for a network: great-circle distance times a detour factor.

    Parameters
    ----------
    bbox
        The plan's area.
    detour_factor
        Between 1.0 and 3.0; ``None`` for :data:`redroute.settings.detour_factor`.

    Returns
    -------
    WalkNetwork
        An estimate (``graph`` is ``None``).
    """
    factor = settings.detour_factor if detour_factor is None else float(detour_factor)
    if not (1.0 <= factor <= 3.0):
        msg = f"detour factor {factor} is not between 1.0 and 3.0"
        raise NetworkError(msg)
    return WalkNetwork(None, "estimate", "great-circle estimate", bbox, detour_factor=factor)


# --------------------------------------------------------------------------- download


def online(host: str = _OVERPASS_HOST, *, timeout_s: float | None = None) -> bool:
    """Whether ``host`` resolves and accepts a connection within a few seconds.

    Parameters
    ----------
    host
        The server to try, on port 443.
    timeout_s
        ``None`` for :data:`redroute.settings.online_check_timeout_s`.

    Returns
    -------
    bool
    """
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


_DOWNLOAD_STAGES = ("checking the connection to OpenStreetMap",
                    "querying Overpass and building the graph", "saving to the cache")


def download_graph(bbox: BBox, *, report: Report | None = None,
                   progress: Progress | None = None) -> tuple[nx.MultiDiGraph, Path]:
    """Download the walking ways of ``bbox`` from Overpass and cache them on disk.

    Parameters
    ----------
    bbox
        The area (at most :data:`redroute.settings.max_download_km2`).
    report
        Called with one line when the download starts.
    progress
        Called as ``progress(done, total, label)`` before each stage (connection check,
        Overpass query, cache write) and once more with ``done == total`` at the end.

    Returns
    -------
    tuple of networkx.MultiDiGraph and pathlib.Path
        The raw graph (not yet filtered by the pedestrian rules) and its cache file.

    Raises
    ------
    NetworkError
        When the area is too large, or fast when the service cannot be reached.
    """
    total = len(_DOWNLOAD_STAGES)

    def stage(done: int) -> None:
        if progress:
            progress(done, total, _DOWNLOAD_STAGES[done] if done < total else "done")

    width, height = bbox.size_m()
    if width * height > settings.max_download_km2 * 1e6:
        msg = (f"area {bbox.label()} is {width * height / 1e6:.0f} km², more than the "
               f"{settings.max_download_km2:g} km² a download may cover")
        raise NetworkError(msg)
    stage(0)
    if not online():
        msg = f"{_OVERPASS_HOST} cannot be reached (offline?)"
        raise NetworkError(msg)
    if report:
        report(f"downloading the walking network of {bbox.label()} from OpenStreetMap...")
    stage(1)
    with _osmnx() as ox:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                graph = ox.graph_from_bbox(bbox.ltrb(), network_type="walk", simplify=False,
                                           retain_all=True, truncate_by_edge=True)
        except Exception as err:  # requests, Overpass and osmnx errors alike fall through
            msg = f"download from OpenStreetMap failed: {_short(err)}"
            raise NetworkError(msg) from err
        stage(2)
        path = _cache_path(bbox)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        ox.save_graphml(graph, tmp)
        tmp.replace(path)
    stage(total)
    return graph, path


# --------------------------------------------------------------------------- cache


def _cache_dir() -> Path:
    return settings.cache_folder / "networks"


def _cache_path(bbox: BBox) -> Path:
    box = "_".join(f"{v:.5f}" for v in (bbox.south, bbox.west, bbox.north, bbox.east))
    return _cache_dir() / f"walk_{box}.graphml"


def cached_networks() -> list[tuple[BBox, Path]]:
    """Every cached download: its area and file, newest first.

    Returns
    -------
    list of tuple of BBox and pathlib.Path
    """
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
    """The newest cached download that covers ``bbox`` and checks out, clipped to it.

    A cache file that cannot be read, whose streets are not where its name says, with
    coordinates that are not numbers or out of range, or with no street in ``bbox``, is
    skipped with one :class:`NetworkWarning` and the next one is tried. Street lengths that
    are missing, not positive or do not match their geometry are measured again.
    """
    for area, path in cached_networks():
        if area.contains(bbox):
            try:
                with _osmnx() as ox:
                    graph = ox.load_graphml(path)
            except Exception:  # a damaged cache file is skipped, not fatal
                warnings.warn(f"ignoring damaged cache file {path}", NetworkWarning,
                              stacklevel=3)
                continue
            try:
                _check_cached_graph(graph, area, path)
                return _clip(graph, _local_area(bbox), origin="it"), path
            except NetworkError as err:
                warnings.warn(f"ignoring cache file {path}: {err}", NetworkWarning,
                              stacklevel=3)
    return None


#: Largest share of a cached graph's nodes that may lie outside the area of its name (a
#: download keeps the far ends of the streets that cross the edge of its box).
_CACHE_OUTSIDE_SHARE = 0.5
#: A stored length may differ from the one measured along the geometry by this much.
_LENGTH_TOLERANCE = (1.0, 0.02)  # metres, and a share of the length


def _check_cached_graph(graph: nx.MultiDiGraph, area: BBox, path: Path) -> None:
    """Raise :class:`NetworkError` when a cached graph cannot be trusted; fix its lengths.

    Raises
    ------
    NetworkError
        No streets, a node without finite coordinates in range, or most of its nodes
        outside the area the file's name says.
    """
    import numpy as np

    if graph.number_of_edges() == 0:
        msg = "it holds no streets"
        raise NetworkError(msg)
    xy = np.array([(_number(d.get("x")), _number(d.get("y")))
                   for _, d in graph.nodes(data=True)], dtype=float)
    bad = ~(np.isfinite(xy).all(axis=1) & (np.abs(xy[:, 0]) <= 180)
            & (np.abs(xy[:, 1]) <= 90))
    if bad.any():
        node = list(graph.nodes)[int(np.flatnonzero(bad)[0])]
        msg = (f"{int(bad.sum())} node(s) have coordinates that are not numbers or out of "
               f"range (node {node}: x={graph.nodes[node].get('x')}, "
               f"y={graph.nodes[node].get('y')})")
        raise NetworkError(msg)
    box = area.widen(200.0)
    inside = ((xy[:, 0] >= box.west) & (xy[:, 0] <= box.east) & (xy[:, 1] >= box.south)
              & (xy[:, 1] <= box.north))
    if inside.mean() < 1 - _CACHE_OUTSIDE_SHARE:
        msg = (f"its streets are not in the area its name says ({area.label()}): "
               f"{int(inside.sum())} of {len(xy)} nodes are")
        raise NetworkError(msg)
    fixed = _fix_lengths(graph)
    if fixed:
        warnings.warn(f"cache file {path}: {fixed} street length(s) were missing, not "
                      "positive or did not match their geometry, and were measured again",
                      NetworkWarning, stacklevel=4)


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _fix_lengths(graph: nx.MultiDiGraph) -> int:
    """Measure every edge along its geometry (or between its nodes); replace the stored
    ``length`` where it is missing, not positive or off by more than the tolerance.

    Returns the number of edges whose length was replaced.
    """
    from redroute.coords import haversine_m

    fixed = 0
    absolute, share = _LENGTH_TOLERANCE
    for u, v, data in graph.edges(data=True):
        geom = data.get("geometry")
        if geom is not None:
            pts = [(float(x), float(y)) for x, y, *_ in geom.coords]
        else:
            pts = [(graph.nodes[u]["x"], graph.nodes[u]["y"]),
                   (graph.nodes[v]["x"], graph.nodes[v]["y"])]
        measured = sum(haversine_m(a[0], a[1], b[0], b[1])
                       for a, b in pairwise(pts))
        stored = _number(data.get("length"))
        ok = math.isfinite(stored) and (stored > 0 or measured == 0)
        if not ok or abs(stored - measured) > absolute + share * measured:
            data["length"] = measured
            fixed += 1
    return fixed


def _local_area(bbox: BBox) -> BBox:
    # Local data is clipped with a margin beyond the plan's area, so that two streets joined
    # just outside it (common in road-only extracts) stay joined; the cost is a few more nodes.
    return bbox.widen(settings.connect_margin_m)


# --------------------------------------------------------------------------- policy


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of a plan a network covers: its points within the snap threshold.

    Attributes
    ----------
    covered, total
        Points within ``snap_threshold_m`` of a street, and all points.
    off
        Indices of the points farther than that: their legs are estimated.
    """

    covered: int
    total: int
    off: tuple[int, ...] = ()

    @property
    def full(self) -> bool:
        """Every point is near a street."""
        return self.covered == self.total

    def label(self, what: str = "point") -> str:
        """``covers 9 of 11 stops`` (English; the CLI adds the Chinese)."""
        noun = what if self.total == 1 else f"{what}s"
        return f"covers {self.covered} of {self.total} {noun}"


def coverage(net: WalkNetwork, points: Sequence[tuple[float, float]]) -> Coverage:
    """Which of ``points`` (lon, lat) lie within the snap threshold of ``net``'s streets."""
    if not points:
        return Coverage(0, 0)
    if net.estimated:
        return Coverage(0, len(points), tuple(range(len(points))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)  # the far ones are the answer here
        snaps = net.snap(list(points))
    off = tuple(k for k, s in enumerate(snaps) if s.far)
    return Coverage(len(points) - len(off), len(points), off)


def walk_network(bbox: BBox, *, network: str | Path = "auto", step_free: bool = False,
                 points: Sequence[tuple[float, float]] | None = None,
                 report: Report | None = None,
                 progress: Progress | None = None) -> WalkNetwork:
    """The walking network of ``bbox`` from the source ``network`` asks for.

    Parameters
    ----------
    bbox
        The area (see :meth:`BBox.around`).
    network
        ``"auto"`` (the cache, the configured extract, the bundled network, a download,
        then the estimate), ``"bundled"``, ``"download"``, ``"estimate"``, or the path of
        an OSM extract or of a network file made by ``redroute network build``.
    step_free
        Avoid ``highway=steps``.
    points
        The plan's points (stops, start, end) as ``(lon, lat)``. Under ``"auto"`` a source
        is used only if it covers them all (each within the snap threshold of a street);
        if none does, the one covering most is used and the others' legs are estimated.
        ``None``: five points spread over the inner half of ``bbox`` stand in for them.
    report
        Called with one line per source tried, saying what it covers, and one saying
        which source is used (the CLI prints them on stderr).
    progress
        Passed to :func:`download_graph` when a download is tried.

    Returns
    -------
    WalkNetwork

    Raises
    ------
    NetworkError
        When the explicitly chosen source fails. A source that fails under ``"auto"``
        gives one :class:`NetworkWarning` and the next is tried; the estimate always
        succeeds.
    """
    # Without the plan's points, a source must at least cover the middle of the area.
    pts = list(points) if points else _samples(bbox)

    def done(net: WalkNetwork) -> WalkNetwork:
        if report:
            cov = coverage(net, pts) if points and not net.estimated else None
            tail = f"; {cov.label()}" if cov is not None else ""
            report(f"walking network: {net.describe()}{tail}")
        if net.estimated:
            warnings.warn(f"no street data for {bbox.label()}: walking distances are estimated "
                          f"(great-circle x {net.detour_factor:g})", NetworkWarning, stacklevel=3)
        return net

    choice = str(network)
    if choice == "estimate":
        return done(estimate_network(bbox))
    if choice == "download":
        graph, path = download_graph(bbox, report=report, progress=progress)
        return done(network_from_graph(graph, source="download", origin=str(path), bbox=bbox,
                                       step_free=step_free))
    if choice == "bundled":
        return done(_bundled(bbox, step_free=step_free))
    if choice != "auto":
        return done(_from_file(choice, bbox, step_free=step_free))
    return done(_auto(bbox, step_free=step_free, points=pts, report=report,
                      progress=progress))


def _samples(bbox: BBox) -> list[tuple[float, float]]:
    """The centre of ``bbox`` and the centres of its four quarters, as (lon, lat)."""
    lon = (bbox.west + bbox.east) / 2
    lat = (bbox.south + bbox.north) / 2
    dx = (bbox.east - bbox.west) / 4
    dy = (bbox.north - bbox.south) / 4
    return [(lon, lat), (lon - dx, lat - dy), (lon + dx, lat - dy), (lon - dx, lat + dy),
            (lon + dx, lat + dy)]


def _bundled(bbox: BBox, *, step_free: bool) -> WalkNetwork:
    from redroute._bundle import bundled_network

    return bundled_network(bbox, step_free=step_free)


def _from_file(path: str | Path, bbox: BBox, *, step_free: bool) -> WalkNetwork:
    """An OSM extract, or a network file built by ``redroute network build``."""
    from redroute import _bundle

    if _bundle.is_network_file(path):
        return _bundle.load_network_file(path, bbox=bbox, step_free=step_free)
    graph = graph_from_extract(path, bbox=_local_area(bbox))
    return network_from_graph(graph, source="extract", origin=str(path), bbox=bbox,
                              step_free=step_free)


def _candidates(bbox: BBox, *, step_free: bool, report: Report | None,
                progress: Progress | None) -> Iterator[tuple[str, Callable[[], WalkNetwork]]]:
    """The sources of ``auto``, in order, each as (name, loader)."""
    hit = _from_cache(bbox)
    if hit is not None:
        graph, path = hit
        yield "cache", lambda: network_from_graph(graph, source="cache", origin=str(path),
                                                  bbox=bbox, step_free=step_free)
    extract = settings.configured_extract()
    if extract is not None:
        yield "extract", lambda: _from_file(extract, bbox, step_free=step_free)
    yield "bundled", lambda: _bundled(bbox, step_free=step_free)

    def download() -> WalkNetwork:
        graph, path = download_graph(bbox, report=report, progress=progress)
        return network_from_graph(graph, source="download", origin=str(path), bbox=bbox,
                                  step_free=step_free)

    yield "download", download


def _auto(bbox: BBox, *, step_free: bool, points: list[tuple[float, float]],
          report: Report | None, progress: Progress | None) -> WalkNetwork:
    best: tuple[WalkNetwork, Coverage] | None = None
    for name, load in _candidates(bbox, step_free=step_free, report=report,
                                  progress=progress):
        try:
            net = load()
        except NetworkError as err:
            then = ("using the estimate" if name == "download" and best is None
                    else "trying the next source")
            warnings.warn(f"{err}; {then}", NetworkWarning, stacklevel=4)
            continue
        cov = coverage(net, points)
        if cov.full:
            return net
        if report:
            report(f"{name} network ({net.origin}) {cov.label()}: "
                   f"{'skipped' if cov.covered == 0 else 'trying the next source'}")
        if cov.covered and (best is None or cov.covered > best[1].covered):
            best = (net, cov)
    if best is not None:
        net, cov = best
        if report:
            report(f"no source covers every point: using {net.source} ({cov.label()}); the "
                   "legs of the others are estimated")
        return net
    return estimate_network(bbox)
