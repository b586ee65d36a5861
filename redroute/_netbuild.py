"""Build a network file (see :mod:`redroute._bundle`) from OSM extracts, streaming.

pyosmium reads each extract twice: once for its highway ways (their tags of
:data:`redroute._bundle.TAG_KEYS` and node lists), once for the positions of the nodes those
ways use. Nothing else of the extract is kept, so a 40 MB ``.osm``
needs a small fraction of what a full graph would.

Several extracts are united by OSM id: **the first extract named wins** when two hold a
way or a node with the same id, and a stretch between two nodes that an earlier way already
has is not added twice (overlapping extracts, or a way split differently in each). Ways
are split into streets at their ends and at every node two or more ways share; a chain of
nodes inside one way becomes one street with its geometry. A closed loop, or a second
street between the same two crossings, is cut at a middle vertex, so that every street is
the only one between its two ends. The output is the same bytes for the same inputs: sorted
members, fixed zip timestamps, no clock time.
"""

from __future__ import annotations

import bz2
import datetime as dt
import hashlib
import io
import json
import math
import re
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from redroute import coords
from redroute._bundle import ATTRIBUTION, FORMAT, MEMBERS, TAG_KEYS, VERSION
from redroute._errors import NetworkError, NetworkWarning, OutputError
from redroute._io import write_bytes_atomic

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from redroute.network import BBox

__all__ = ["BuildSummary", "build_network", "extract_date", "save_network_file"]

#: Douglas-Peucker tolerance of the stored geometry, in metres.
SIMPLIFY_M = 1.0
_SUFFIXES = (".osm", ".osm.bz2", ".osm.pbf", ".xml", ".pbf")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class BuildSummary:
    """What :func:`save_network_file` wrote.

    Attributes
    ----------
    path
        The file written (``None`` from :func:`build_network`).
    size
        Its size in bytes.
    nodes, edges
        Crossings and ends, and streets between them (before the pedestrian rules).
    ways
        Highway ways taken from the extracts.
    data_date
        ISO date of the OSM data, or ``None``.
    sha256
        Of the file's bytes.
    """

    path: Path | None
    size: int
    nodes: int
    edges: int
    ways: int
    data_date: str | None
    sha256: str


@dataclass
class _Way:
    id: int
    tags: int  # index into the tag-set table
    refs: np.ndarray  # int64 node ids


def extract_date(path: str | Path) -> str | None:
    """The date of an extract's OSM data from its header, as ``YYYY-MM-DD``.

    Read from Overpass's ``<meta osm_base=...>``, an ``<osm timestamp=...>`` attribute, or
    a PBF header's replication timestamp; ``None`` when the file says nothing.
    """
    p = Path(path)
    try:
        if p.name.lower().endswith(".pbf"):
            import osmium

            reader = osmium.io.Reader(str(p), osmium.osm.osm_entity_bits.NOTHING)
            try:
                header = reader.header()
                stamp = (header.get("osmosis_replication_timestamp")
                         or header.get("timestamp") or "")
            finally:
                reader.close()
            m = re.match(r"\d{4}-\d{2}-\d{2}", stamp)
            return m.group(0) if m else None
        opener: Any = bz2.open if p.name.lower().endswith(".bz2") else open
        with opener(p, "rb") as fh:
            head = fh.read(4096).decode("utf-8", "replace")
    except (OSError, EOFError, RuntimeError):
        return None
    m = (re.search(r"osm_base=[\"'](\d{4}-\d{2}-\d{2})", head)
         or re.search(r"<osm\b[^>]*\btimestamp=[\"'](\d{4}-\d{2}-\d{2})", head))
    return m.group(1) if m else None


def save_network_file(extracts: Sequence[str | Path], output: str | Path, *,
                      bbox: BBox | None = None, data_date: str | None = None,
                      progress: Callable[[int, int, str], None] | None = None) -> BuildSummary:
    """Build a network file from OSM extracts and write it atomically.

    Parameters
    ----------
    extracts
        ``.osm``, ``.osm.bz2`` or ``.osm.pbf`` files; the first wins on shared ids.
    output
        The file to write (``.rrnet`` by convention).
    bbox
        Keep only the stretches of street with an end inside this box.
    data_date
        ISO date of the OSM data; ``None`` for the first extract's header date.
    progress
        Called as ``progress(done, total, label)`` before each stage.

    Returns
    -------
    BuildSummary

    Raises
    ------
    NetworkError
        When an extract is missing or not OSM data, or no street is left.
    OutputError
        When the file cannot be written.
    """
    folder = Path(output).parent
    if not folder.is_dir():  # before the work, not after it
        msg = f"cannot write {str(output)!r}: folder {str(folder)!r} does not exist"
        raise OutputError(msg)
    data, summary = build_network(extracts, bbox=bbox, data_date=data_date,
                                  progress=progress)
    target = write_bytes_atomic(output, data)
    return BuildSummary(target, summary.size, summary.nodes, summary.edges, summary.ways,
                        summary.data_date, summary.sha256)


def build_network(extracts: Sequence[str | Path], *, bbox: BBox | None = None,
                  data_date: str | None = None,
                  progress: Callable[[int, int, str], None] | None = None
                  ) -> tuple[bytes, BuildSummary]:
    """The bytes of a network file built from ``extracts`` (see :func:`save_network_file`).

    Returns
    -------
    tuple of bytes and BuildSummary
    """
    paths = [Path(p) for p in extracts]
    if not paths:
        msg = "no OSM extract given"
        raise NetworkError(msg)
    if data_date is not None:
        _check_date(data_date)
    for p in paths:
        _check_extract(p)
    total = 2 * len(paths) + 2

    def stage(done: int, label: str) -> None:
        if progress:
            progress(done, total, label)

    table: dict[tuple[tuple[str, str], ...], int] = {}
    ways: list[_Way] = []
    seen: set[int] = set()
    sources: list[dict[str, Any]] = []
    for i, p in enumerate(paths):
        stage(i, f"reading the ways of {p.name}")
        got = _read_ways(p, seen, table)
        ways.extend(got)
        sources.append({"file": p.name, "sha256": _sha256(p), "date": extract_date(p),
                        "ways": len(got)})
    if not ways:
        msg = f"{', '.join(str(p) for p in paths)}: no streets (no ways with a highway tag)"
        raise NetworkError(msg)
    need = np.unique(np.concatenate([w.refs for w in ways]))
    pos: dict[int, tuple[int, int]] = {}
    for i, p in enumerate(paths):
        stage(len(paths) + i, f"reading the nodes of {p.name}")
        _read_nodes(p, need, pos)
    _warn_missing_nodes(ways, pos, paths)
    stage(2 * len(paths), "splitting the ways into streets")
    chains = _chains(ways, pos, bbox)
    if not chains:
        where = f" in the area {bbox.label()}" if bbox is not None else ""
        msg = f"{', '.join(str(p) for p in paths)}: no streets{where}"
        raise NetworkError(msg)
    stage(2 * len(paths) + 1, "writing the network file")
    date = data_date or next((s["date"] for s in sources if s["date"]), None)
    data, nodes, edges = _encode(chains, pos, table, sources=sources, bbox=bbox, date=date)
    stage(total, "done")
    digest = hashlib.sha256(data).hexdigest()
    return data, BuildSummary(None, len(data), nodes, edges, len(ways), date, digest)


# --------------------------------------------------------------------------- reading


def _check_date(text: str) -> None:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        msg = f"data date {text!r} is not YYYY-MM-DD"
        raise NetworkError(msg) from None


def _check_extract(p: Path) -> None:
    if not p.is_file():
        msg = f"OSM extract {str(p)!r} does not exist"
        raise NetworkError(msg)
    name = p.name.lower()
    if not name.endswith(_SUFFIXES):
        msg = f"OSM extract {str(p)!r} is not .osm, .osm.bz2 or .osm.pbf"
        raise NetworkError(msg)
    if name.endswith(".pbf"):
        return
    check_xml_head(p)


def check_xml_head(p: Path) -> None:
    """Fail with one clear line unless ``p`` (``.osm`` or ``.osm.bz2``) starts as OSM XML."""
    opener: Any = bz2.open if p.name.lower().endswith(".bz2") else open
    try:
        with opener(p, "rb") as fh:
            head = fh.read(4096)
    except (OSError, EOFError) as err:
        reason = getattr(err, "strerror", None) or str(err).splitlines()[0]
        msg = f"cannot read OSM extract {str(p)!r}: {reason}"
        raise NetworkError(msg) from err
    if not head.strip():
        msg = f"OSM extract {str(p)!r} is empty"
        raise NetworkError(msg)
    if b"<osm" not in head:
        msg = f"OSM extract {str(p)!r} is not OSM XML (no <osm> element at the start)"
        raise NetworkError(msg)


def _sha256(p: Path) -> str:
    h = hashlib.sha256()
    with p.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _read_ways(p: Path, seen: set[int], table: dict[tuple[tuple[str, str], ...], int]
               ) -> list[_Way]:
    """The highway ways of ``p`` whose ids no earlier extract had, sorted by id."""
    import osmium

    out: list[_Way] = []
    try:
        fp: Any = osmium.FileProcessor(str(p), osmium.osm.WAY).with_filter(
            osmium.filter.KeyFilter("highway"))
        for way in fp:
            if way.id in seen:
                continue
            seen.add(way.id)
            tags = tuple((k, str(way.tags[k])) for k in TAG_KEYS if k in way.tags)
            out.append(_Way(way.id, table.setdefault(tags, len(table)),
                            np.fromiter((n.ref for n in way.nodes), dtype=np.int64)))
    except (RuntimeError, osmium.InvalidLocationError) as err:  # a node at lat="nan"
        msg = f"cannot read OSM extract {str(p)!r}: {_short(err)}"
        raise NetworkError(msg) from err
    out.sort(key=lambda w: w.id)
    return out


def _read_nodes(p: Path, need: np.ndarray, pos: dict[int, tuple[int, int]]) -> None:
    """Positions (1e-7 degree) of the needed nodes ``pos`` does not have yet."""
    import osmium

    missing = need[~np.isin(need, np.fromiter(pos, dtype=np.int64, count=len(pos)))]
    if not len(missing):
        return
    wanted = set(missing.tolist())
    try:
        # Not libosmium's IdFilter: it takes positive ids only and holds a bit per id up to
        # the largest (1.6 GB for today's node ids); a set of the few needed costs far less.
        fp: Any = osmium.FileProcessor(str(p), osmium.osm.NODE)
        for node in fp:
            loc = node.location
            if node.id in wanted and loc.valid() and node.id not in pos:
                pos[node.id] = (int(loc.x), int(loc.y))
    except (RuntimeError, osmium.InvalidLocationError) as err:  # a node at lat="nan"
        msg = f"cannot read OSM extract {str(p)!r}: {_short(err)}"
        raise NetworkError(msg) from err


def _warn_missing_nodes(ways: list[_Way], pos: dict[int, tuple[int, int]],
                        paths: Sequence[Path]) -> None:
    """One warning counting the ways that use nodes none of the extracts holds (their
    stretches over such a node are left out; the rest of each way is kept)."""
    broken = sum(1 for w in ways if any(r not in pos for r in w.refs.tolist()))
    if broken:
        noun = "way refers" if broken == 1 else "ways refer"
        where = ", ".join(p.name for p in paths)
        warnings.warn(f"{where}: {broken} {noun} to nodes missing from the extract; the "
                      "stretches over them were left out", NetworkWarning, stacklevel=3)


def _short(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return (text[0] if text else type(err).__name__)[:200]


# --------------------------------------------------------------------------- streets


def _runs(ways: list[_Way], pos: dict[int, tuple[int, int]], bbox: BBox | None
          ) -> list[tuple[int, list[int]]]:
    """Each way's usable stretches: both nodes known, one inside ``bbox``, not had before."""
    inside: Callable[[int], bool]
    if bbox is None:
        def inside(n: int) -> bool:
            return True
    else:
        box = (bbox.west * 1e7, bbox.south * 1e7, bbox.east * 1e7, bbox.north * 1e7)

        def inside(n: int) -> bool:
            x, y = pos[n]
            return box[0] <= x <= box[2] and box[1] <= y <= box[3]

    had: set[tuple[int, int]] = set()
    runs: list[tuple[int, list[int]]] = []
    for way in ways:
        run: list[int] = []
        for a, b in pairwise(way.refs.tolist()):
            key = (a, b) if a < b else (b, a)
            if (a == b or a not in pos or b not in pos or key in had
                    or not (inside(a) or inside(b))):
                if len(run) > 1:
                    runs.append((way.tags, run))
                run = []
                continue
            had.add(key)
            if run and run[-1] == a:
                run.append(b)
            else:
                if len(run) > 1:
                    runs.append((way.tags, run))
                run = [a, b]
        if len(run) > 1:
            runs.append((way.tags, run))
    return runs


def _chains(ways: list[_Way], pos: dict[int, tuple[int, int]], bbox: BBox | None
            ) -> list[tuple[int, list[int]]]:
    """Streets as ``(tag set, node ids)``: runs cut at shared nodes, each the only street
    between its two ends."""
    runs = _runs(ways, pos, bbox)
    uses = Counter(n for _, run in runs for n in run)
    cut = {n for n, c in uses.items() if c > 1}
    cut.update(run[0] for _, run in runs)
    cut.update(run[-1] for _, run in runs)
    chains: list[tuple[int, list[int]]] = []
    for tags, run in runs:
        start = 0
        for k in range(1, len(run)):
            if run[k] in cut:
                chains.append((tags, run[start:k + 1]))
                start = k
    while True:
        out, changed = _unique_ends(chains)
        chains = out
        if not changed:
            return chains


def _unique_ends(chains: list[tuple[int, list[int]]]
                 ) -> tuple[list[tuple[int, list[int]]], bool]:
    """Cut loops and all but the shortest of parallel streets at a middle vertex."""
    groups: dict[tuple[int, int], list[int]] = {}
    for i, (_, nodes) in enumerate(chains):
        a, b = nodes[0], nodes[-1]
        groups.setdefault((a, b) if a < b else (b, a), []).append(i)
    bad: set[int] = set()
    for (a, b), members in groups.items():
        if a == b:
            bad.update(members)
        elif len(members) > 1:
            members.sort(key=lambda i: (len(chains[i][1]), chains[i][1]))
            bad.update(members[1:])
    if not bad:
        return chains, False
    out: list[tuple[int, list[int]]] = []
    for i, (tags, nodes) in enumerate(chains):
        if i not in bad:
            out.append((tags, nodes))
        elif len(nodes) > 2:
            mid = len(nodes) // 2
            out.extend([(tags, nodes[:mid + 1]), (tags, nodes[mid:])])
        # else: a two-node duplicate of a street already there: dropped
    return out, True


# --------------------------------------------------------------------------- writing


def _length_m(xy: np.ndarray) -> float:
    lon, lat = np.radians(xy[:, 0] / 1e7), np.radians(xy[:, 1] / 1e7)
    dlat, dlon = np.diff(lat), np.diff(lon)
    a = (np.sin(dlat / 2) ** 2
         + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(dlon / 2) ** 2)
    return float(np.sum(2 * coords.EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))))


def _simplify(xy: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Douglas-Peucker on a street's vertices (1e-7 degree): a mask of those kept."""
    keep = np.zeros(len(xy), dtype=bool)
    keep[0] = keep[-1] = True
    if len(xy) <= 2:
        return keep
    k = math.radians(1e-7) * coords.EARTH_RADIUS_M
    pts = np.column_stack([xy[:, 0] * k * math.cos(math.radians(float(xy[0, 1]) / 1e7)),
                           xy[:, 1] * k])
    stack = [(0, len(xy) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        seg = pts[j] - pts[i]
        rel = pts[i + 1:j] - pts[i]
        norm = math.hypot(float(seg[0]), float(seg[1]))
        d = (np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / norm if norm > 0
             else np.hypot(rel[:, 0], rel[:, 1]))
        far = int(np.argmax(d))
        if float(d[far]) > tolerance_m:
            keep[i + 1 + far] = True
            stack.extend([(i, i + 1 + far), (i + 1 + far, j)])
    return keep


def _encode(chains: list[tuple[int, list[int]]], pos: dict[int, tuple[int, int]],
            table: dict[tuple[tuple[str, str], ...], int], *, sources: list[dict[str, Any]],
            bbox: BBox | None, date: str | None) -> tuple[bytes, int, int]:
    node_ids = np.unique(np.array([n for _, c in chains for n in (c[0], c[-1])],
                                  dtype=np.int64))
    node_ll = np.array([pos[int(n)] for n in node_ids], dtype=np.int64)
    # Tag sets in a fixed order (by their JSON), whatever order the extracts listed them in.
    texts = {i: json.dumps(dict(tags), ensure_ascii=False, sort_keys=True)
             for tags, i in table.items()}
    used = sorted({t for t, _ in chains}, key=lambda t: texts[t])
    renumber = {t: k for k, t in enumerate(used)}
    m = len(chains)
    uv = np.zeros((m, 2), dtype=np.int64)
    length = np.zeros(m, dtype=np.int64)
    tags = np.zeros(m, dtype=np.int64)
    inner = np.zeros(m, dtype=np.int64)
    deltas: list[np.ndarray] = []
    for e, (t, nodes) in enumerate(chains):
        xy = np.array([pos[n] for n in nodes], dtype=np.int64)
        uv[e] = np.searchsorted(node_ids, [nodes[0], nodes[-1]])
        length[e] = round(_length_m(xy) * 100)
        tags[e] = renumber[t]
        kept = xy[_simplify(xy, SIMPLIFY_M)]
        inner[e] = len(kept) - 2
        if inner[e]:
            deltas.append(np.diff(kept[:-1], axis=0))
    delta = np.concatenate(deltas) if deltas else np.zeros((0, 2), dtype=np.int64)
    lon, lat = node_ll[:, 0] / 1e7, node_ll[:, 1] / 1e7
    meta = {
        "format": FORMAT, "version": VERSION, "data_date": date, "attribution": ATTRIBUTION,
        "license": "ODbL-1.0", "sources": sources,
        "extent": [float(lat.min()), float(lon.min()), float(lat.max()), float(lon.max())],
        "clip": None if bbox is None else [bbox.south, bbox.west, bbox.north, bbox.east],
        "nodes": len(node_ids), "edges": m, "simplify_m": SIMPLIFY_M,
        "tag_keys": list(TAG_KEYS), "tag_sets": [json.loads(texts[t]) for t in used],
    }
    node_delta = np.diff(node_ids, prepend=np.int64(0))
    arrays = {
        "node_id.npy": node_delta.astype(np.int64),
        "node_lonlat.npy": node_ll.astype(np.int32),
        "edge_uv.npy": uv.astype(np.int32),
        "edge_len_cm.npy": length.astype(np.int32),
        "edge_tags.npy": tags.astype(np.int32),
        "edge_vertices.npy": inner.astype(np.int32),
        "vertex_delta.npy": delta.astype(np.int32),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in MEMBERS:
            if name == "meta.json":
                body = json.dumps(meta, ensure_ascii=False, sort_keys=True,
                                  separators=(",", ":")).encode("utf-8")
            else:
                buf = io.BytesIO()
                np.lib.format.write_array(buf, np.ascontiguousarray(arrays[name]),
                                          allow_pickle=False)
                body = buf.getvalue()
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, body, compresslevel=9)
    return out.getvalue(), len(node_ids), m
