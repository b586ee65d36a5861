"""Walking networks read from a network file: the one shipped with redroute, or one built
by ``redroute network build`` (:mod:`redroute._netbuild`).

A network file is a zip of numpy arrays and one JSON member, so that reading it needs
numpy, scipy and shapely only (no osmnx, no networkx). It holds every highway way of its
extracts, split into streets between crossings, *before* the pedestrian rules: those are
applied here, at load time, by the same :func:`redroute.network._walkable` that filters a
downloaded graph, once per distinct set of the tags the rules read.

Members, in this order (arrays are ``.npy``; coordinates are integers of 1e-7 degree, as
in OSM itself):

``meta.json``
    ``format``, ``version``, ``data_date`` (ISO date of the OSM data), ``attribution``
    (the ODbL credit), ``sources`` (file name, sha256, date and ways taken from each
    extract), ``extent`` (S, W, N, E of the nodes), ``clip`` (the ``--bbox`` or null),
    ``nodes``, ``edges``, ``tag_keys`` and ``tag_sets`` (the distinct sets of those tags).
``node_id.npy``
    int64 OSM ids, ascending, stored as differences from the previous one.
``node_lonlat.npy``
    int32 ``(n, 2)`` node positions.
``edge_uv.npy``
    int32 ``(m, 2)`` end nodes of each street, in the way's direction.
``edge_len_cm.npy``
    int32 length in centimetres, measured along the full geometry before simplification.
``edge_tags.npy``
    int32 index into ``tag_sets``.
``edge_vertices.npy``
    int32 count of each street's inner vertices (its geometry simplified by
    Douglas-Peucker at 1 m; the end nodes are not repeated).
``vertex_delta.npy``
    int32 ``(k, 2)`` inner vertices, each as the difference from the vertex before it
    (the first from the street's start node).
"""

from __future__ import annotations

import io
import json
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from redroute import settings
from redroute._errors import NetworkError
from redroute.network import BBox, WalkNetwork, _Arrays, _Index, _index_from_arrays, _walkable

if TYPE_CHECKING:
    from redroute.network import Source

__all__ = [
    "ATTRIBUTION",
    "BUNDLED_NAME",
    "FORMAT",
    "MIN_COMPONENT_NODES",
    "NETWORK_SUFFIX",
    "TAG_KEYS",
    "VERSION",
    "NetworkFileInfo",
    "bundled_network",
    "bundled_path",
    "is_network_file",
    "load_network_file",
    "network_file_info",
]

FORMAT = "redroute-walk-network"
VERSION = 1
#: The suffix of network files (a zip; any name works, the content is checked).
NETWORK_SUFFIX = ".rrnet"
BUNDLED_NAME = "shanghai-center.rrnet"
#: The way tags a network file keeps: those the pedestrian rules read, and the names.
TAG_KEYS = ("highway", "foot", "access", "service", "motorroad", "tunnel", "bridge", "layer",
            "area", "name", "name:zh", "name:en")
#: Connected parts smaller than this (in nodes) are dropped on loading: fragments cut at the
#: edge of the data. The big ones are all kept (Puxi and Pudong have no footbridge between
#: them): ``_Index.component`` tells them apart.
MIN_COMPONENT_NODES = 50
ATTRIBUTION = ("Map data © OpenStreetMap contributors, available under the Open Database "
               "License (ODbL 1.0), https://www.openstreetmap.org/copyright. This network is "
               "a database derived from it and is under the ODbL too. "
               "地图数据 © OpenStreetMap 贡献者，依据开放数据库许可协议（ODbL 1.0）提供。")
MEMBERS = ("meta.json", "node_id.npy", "node_lonlat.npy", "edge_uv.npy", "edge_len_cm.npy",
           "edge_tags.npy", "edge_vertices.npy", "vertex_delta.npy")
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class NetworkFileInfo:
    """What a network file says about itself (read from its metadata only).

    Attributes
    ----------
    path
        The file.
    data_date
        ISO date of the OSM data, or ``None``.
    extent
        The box around its nodes.
    nodes, edges
        Counts before the pedestrian rules.
    sources
        One dict per extract it was built from: ``file``, ``sha256``, ``date``, ``ways``.
    attribution
        The ODbL credit every map made from it must carry.
    """

    path: Path
    data_date: str | None
    extent: BBox
    nodes: int
    edges: int
    sources: tuple[dict[str, Any], ...]
    attribution: str


@dataclass(frozen=True, slots=True)
class _Loaded:
    index: _Index
    info: NetworkFileInfo


_CACHE: dict[tuple[str, int, int, bool, int], _Loaded] = {}
_LOCK = threading.Lock()


def bundled_path() -> Path:
    """The network file shipped inside the package."""
    return Path(__file__).resolve().parent / "data" / "network" / BUNDLED_NAME


def is_network_file(path: str | Path) -> bool:
    """Whether ``path`` names a network file (by its suffix, or a zip's first bytes).

    Parameters
    ----------
    path
        Any path; a missing file with the suffix counts (loading it then says it is missing).

    Returns
    -------
    bool
    """
    p = Path(path)
    if p.name.lower().endswith(NETWORK_SUFFIX):
        return True
    try:
        with p.open("rb") as fh:
            return fh.read(4) == _ZIP_MAGIC
    except OSError:
        return False


def network_file_info(path: str | Path) -> NetworkFileInfo:
    """The metadata of a network file, without reading its arrays.

    Raises
    ------
    NetworkError
        When the file is missing or not a network file.
    """
    p = Path(path)
    with _open(p) as zf:
        return _info(p, _meta(zf, p))


def bundled_network(bbox: BBox, *, step_free: bool = False) -> WalkNetwork:
    """The walking network shipped with redroute, for a plan of ``bbox``.

    It covers central Shanghai (see :func:`network_file_info` of :func:`bundled_path`) and
    is read once per process and ``step_free`` value; every plan shares the arrays.

    Parameters
    ----------
    bbox
        The plan's area (the network keeps all its streets: maps filter them by area).
    step_free
        Avoid ``highway=steps``.

    Returns
    -------
    WalkNetwork
        ``source`` is ``"bundled"``.

    Raises
    ------
    NetworkError
        When the file is missing from the installation or damaged.
    """
    path = bundled_path()
    if not path.is_file():
        msg = (f"the bundled walking network {path} is missing from this installation "
               "(rebuild it with `make network`)")
        raise NetworkError(msg)
    return load_network_file(path, bbox=bbox, step_free=step_free, source="bundled",
                             origin=BUNDLED_NAME)


def load_network_file(path: str | Path, *, bbox: BBox, step_free: bool = False,
                      min_component_nodes: int = MIN_COMPONENT_NODES,
                      source: Source = "file", origin: str | None = None) -> WalkNetwork:
    """A walking network from a network file made by ``redroute network build``.

    The pedestrian rules are applied on loading; connected parts of fewer than
    ``min_component_nodes`` nodes are dropped. The arrays and their index are kept for the
    rest of the process, per file and ``step_free``.

    Parameters
    ----------
    path
        The network file.
    bbox
        The plan's area.
    step_free
        Avoid ``highway=steps``.
    min_component_nodes
        Smallest connected part kept.
    source, origin
        What the network says it came from (default: ``"file"`` and the path).

    Returns
    -------
    WalkNetwork
        Backed by its arrays (``graph`` is ``None``, ``prebuilt`` the index).

    Raises
    ------
    NetworkError
        When the file is missing, not a network file, or holds no walkable street.
    """
    p = Path(path)
    loaded = _load(p, step_free=step_free, min_component_nodes=min_component_nodes)
    return WalkNetwork(None, source, origin or str(p), bbox,
                       detour_factor=settings.detour_factor, step_free=step_free,
                       snap_threshold_m=settings.snap_threshold_m,
                       data_date=loaded.info.data_date, prebuilt=loaded.index)


# --------------------------------------------------------------------------- reading


def _load(path: Path, *, step_free: bool, min_component_nodes: int) -> _Loaded:
    try:
        stat = path.stat()
    except OSError:
        msg = f"network file {str(path)!r} does not exist"
        raise NetworkError(msg) from None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, step_free, min_component_nodes)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is None:
            hit = _read(path, step_free=step_free, min_component_nodes=min_component_nodes)
            _CACHE[key] = hit
        return hit


def _open(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        msg = f"network file {str(path)!r} does not exist"
        raise NetworkError(msg)
    try:
        return zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as err:
        msg = (f"{str(path)!r} is not a redroute network file ({err}); make one with "
               "`redroute network build`")
        raise NetworkError(msg) from err


def _meta(zf: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    try:
        meta = json.loads(zf.read("meta.json"))
    except (KeyError, ValueError, OSError, zipfile.BadZipFile) as err:
        msg = f"{str(path)!r} is not a redroute network file (no readable meta.json)"
        raise NetworkError(msg) from err
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        msg = f"{str(path)!r} is not a redroute network file (format is not {FORMAT})"
        raise NetworkError(msg)
    if meta.get("version") != VERSION:
        msg = (f"network file {str(path)!r} has format version {meta.get('version')}, this "
               f"redroute reads version {VERSION}: rebuild it with `redroute network build`")
        raise NetworkError(msg)
    return meta


def _info(path: Path, meta: dict[str, Any]) -> NetworkFileInfo:
    s, w, n, e = meta["extent"]
    return NetworkFileInfo(path, meta.get("data_date"), BBox(s, w, n, e), int(meta["nodes"]),
                           int(meta["edges"]), tuple(meta.get("sources", ())),
                           str(meta.get("attribution", ATTRIBUTION)))


def _read(path: Path, *, step_free: bool, min_component_nodes: int) -> _Loaded:
    with _open(path) as zf:
        meta = _meta(zf, path)
        try:
            arr = {name.removesuffix(".npy"): np.load(io.BytesIO(zf.read(name)),
                                                      allow_pickle=False)
                   for name in MEMBERS[1:]}
            info = _info(path, meta)
            tag_sets: list[dict[str, str]] = meta["tag_sets"]
        except (KeyError, ValueError, OSError, zipfile.BadZipFile, TypeError) as err:
            msg = f"network file {str(path)!r} is damaged: {err}"
            raise NetworkError(msg) from err
    problem = _array_problem(arr, len(tag_sets) if isinstance(tag_sets, list) else -1)
    if problem is not None:
        msg = f"network file {str(path)!r} is damaged: {problem}"
        raise NetworkError(msg)
    arrays = _arrays(arr, tag_sets, step_free=step_free)
    if not len(arrays.edge_u):
        msg = f"network file {str(path)!r} holds no walkable street"
        raise NetworkError(msg)
    index = _index_from_arrays(arrays, min_component_nodes=min_component_nodes)
    if not len(index.edge_len):
        msg = (f"network file {str(path)!r} has no connected streets of at least "
               f"{min_component_nodes} crossings")
        raise NetworkError(msg)
    return _Loaded(index, info)


def _array_problem(arr: dict[str, np.ndarray], tag_count: int) -> str | None:
    """What is wrong with a file's arrays (shapes, types, ranges, lengths), or ``None``."""
    shapes = {"node_id": 1, "node_lonlat": 2, "edge_uv": 2, "edge_len_cm": 1, "edge_tags": 1,
              "edge_vertices": 1, "vertex_delta": 2}
    for name, ndim in shapes.items():
        a = arr[name]
        if a.ndim != ndim or (ndim == 2 and a.shape[1] != 2):
            return f"{name} has shape {a.shape}"
        if not np.issubdtype(a.dtype, np.integer) and name != "edge_len_cm":
            return f"{name} holds {a.dtype} values, not integers"
    n, m = len(arr["node_id"]), len(arr["edge_uv"])
    if len(arr["node_lonlat"]) != n:
        return f"node_lonlat has {len(arr['node_lonlat'])} rows for {n} nodes"
    for name in ("edge_len_cm", "edge_tags", "edge_vertices"):
        if len(arr[name]) != m:
            return f"{name} has {len(arr[name])} rows for {m} streets"
    return _value_problem(arr, tag_count)


def _value_problem(arr: dict[str, np.ndarray], tag_count: int) -> str | None:
    """Positions out of range, lengths negative or not numbers, indices out of range."""
    n, m = len(arr["node_id"]), len(arr["edge_uv"])
    ll = arr["node_lonlat"].astype(np.int64)
    off = np.flatnonzero((np.abs(ll[:, 0]) > 1_800_000_000) | (np.abs(ll[:, 1]) > 900_000_000))
    if off.size:
        return f"{off.size} node position(s) out of range (node {int(off[0])}: {ll[off[0]]})"
    length = arr["edge_len_cm"]
    if not np.issubdtype(length.dtype, np.number):
        return f"edge_len_cm holds {length.dtype} values, not numbers"
    bad = np.flatnonzero(~np.isfinite(length.astype(np.float64)) | (length < 0))
    if bad.size:
        return (f"{bad.size} street length(s) are negative or not numbers (street "
                f"{int(bad[0])}: {length[bad[0]]})")
    uv = arr["edge_uv"]
    if m and (int(uv.min()) < 0 or int(uv.max()) >= n):
        return f"edge_uv refers to nodes outside 0..{n - 1}"
    tags = arr["edge_tags"]
    if m and (int(tags.min()) < 0 or int(tags.max()) >= tag_count):
        return f"edge_tags refers to tag sets outside 0..{tag_count - 1}"
    inner = arr["edge_vertices"]
    if m and int(inner.min()) < 0:
        return "edge_vertices holds a negative count"
    if int(inner.sum()) != len(arr["vertex_delta"]):
        return (f"edge_vertices counts {int(inner.sum())} inner vertices, vertex_delta holds "
                f"{len(arr['vertex_delta'])}")
    return None


def _arrays(arr: dict[str, np.ndarray], tag_sets: list[dict[str, str]], *,
            step_free: bool) -> _Arrays:
    """The walkable streets of a file's arrays, their geometry rebuilt in degrees."""
    ok = np.array([_walkable(tags, step_free=step_free) for tags in tag_sets], dtype=bool)
    tags = arr["edge_tags"].astype(np.int64)
    keep = np.flatnonzero(ok[tags]) if len(tags) else np.zeros(0, dtype=np.int64)
    node_ll = arr["node_lonlat"].astype(np.int64)
    uv = arr["edge_uv"].astype(np.int64)
    inner = arr["edge_vertices"].astype(np.int64)
    inner_start = np.concatenate([[0], np.cumsum(inner)])
    u, v = uv[keep, 0], uv[keep, 1]
    counts = inner[keep] + 2
    start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    total = int(start[-1])
    # Every street's rows: its start node, its inner vertices as differences, its end node.
    full = np.zeros((total, 2), dtype=np.int64)
    full[start[:-1]] = node_ll[u]
    ramp = _ramp(inner[keep])
    rows = np.repeat(start[:-1] + 1, inner[keep]) + ramp
    full[rows] = arr["vertex_delta"].astype(np.int64)[np.repeat(inner_start[keep],
                                                                 inner[keep]) + ramp]
    ends = start[1:] - 1
    full[ends] = 0
    sums = np.cumsum(full, axis=0)
    base = np.concatenate([np.zeros((1, 2), dtype=np.int64), sums])[start[:-1]]
    full = sums - np.repeat(base, counts, axis=0)
    full[ends] = node_ll[v]
    names = [t.get("name") or t.get("name:zh") for t in tag_sets]
    names_en = [t.get("name:en") for t in tag_sets]
    highways = [t.get("highway", "path") for t in tag_sets]
    kt = tags[keep].tolist()
    return _Arrays(
        np.cumsum(arr["node_id"].astype(np.int64)), node_ll[:, 0] / 1e7, node_ll[:, 1] / 1e7,
        u, v, arr["edge_len_cm"][keep].astype(float) / 100.0, full / 1e7, start,
        [names[t] for t in kt], [names_en[t] for t in kt], [highways[t] for t in kt])


def _ramp(counts: np.ndarray) -> np.ndarray:
    """``0, 1, ..., c-1`` for each count ``c``, concatenated."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    ramp: np.ndarray = np.arange(total, dtype=np.int64) - np.repeat(starts, counts)
    return ramp
