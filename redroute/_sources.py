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
import re
import socket
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
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
    with tempfile.TemporaryDirectory(prefix="redroute-") as tmp:
        xml = _pbf_to_xml(p, Path(tmp) / "extract.osm") if name.endswith(".pbf") else p
        _check_xml(xml, p)
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
    for area, path in cached_networks():
        if area.contains(bbox):
            try:
                with _osmnx() as ox:
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
