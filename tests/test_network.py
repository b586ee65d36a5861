"""The walking network: sources and their fall-through, pedestrian rules, snapping."""

from __future__ import annotations

import bz2
import warnings
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from redroute import network as nw
from redroute import settings
from redroute._errors import NetworkError, NetworkWarning

from .conftest import need_shared

MERGED = "data/osm/shanghai-core-merged.osm"
ROADS = "data/osm/shanghai-core-roads.osm"
XINTIANDI = nw.BBox(31.2150, 121.4600, 31.2300, 121.4800)


def grid(n: int = 4, block: float = 0.001, *, highway: str = "residential",
         lon0: float = 121.47, lat0: float = 31.22) -> nx.MultiDiGraph:
    """A small street grid with osmnx-style attributes (one direction per street)."""
    from redroute.coords import haversine_m

    g = nx.MultiDiGraph(crs="epsg:4326")
    for i in range(n):
        for j in range(n):
            g.add_node(i * n + j, x=lon0 + j * block, y=lat0 + i * block)
    for i in range(n):
        for j in range(n):
            a = i * n + j
            for b in ([a + 1] if j + 1 < n else []) + ([a + n] if i + 1 < n else []):
                length = haversine_m(g.nodes[a]["x"], g.nodes[a]["y"], g.nodes[b]["x"],
                                     g.nodes[b]["y"])
                g.add_edge(a, b, highway=highway, length=length, name=f"街{a}", oneway=True)
    return g


def warned(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
    """Call ``fn`` and return its result and the messages of the warnings it gave."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        result = fn(*args, **kwargs)
    return result, [str(w.message) for w in record]


def quiet(fn: Any, *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        return fn(*args, **kwargs)


# --------------------------------------------------------------------------- areas


def test_bbox_parse_and_around() -> None:
    box = nw.BBox.parse("31.21, 121.46, 31.23, 121.48")
    assert (box.south, box.west, box.north, box.east) == (31.21, 121.46, 31.23, 121.48)
    around = nw.BBox.around([(121.47, 31.22)], buffer_m=800)
    width, height = around.size_m()
    assert width == pytest.approx(1600, rel=0.01)
    assert height == pytest.approx(1600, rel=0.01)
    assert around.contains(nw.BBox.around([(121.47, 31.22)], buffer_m=100))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("121.4,31.2,121.5,31.3", r"outside China \(lat/lon swapped\?"),
        ("48.85,2.29,48.87,2.35", "outside China"),
        ("31.23,121.46,31.21,121.48", "is empty"),
        ("31.2,121.4", "is not S,W,N,E"),
    ],
)
def test_bad_bbox_is_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(NetworkError, match=message):
        nw.BBox.parse(text)


# --------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("tags", "kept"),
    [
        ({"highway": "footway"}, True),
        ({"highway": "pedestrian"}, True),
        ({"highway": "steps"}, True),
        ({"highway": "living_street"}, True),
        ({"highway": "service"}, True),
        ({"highway": "primary"}, True),
        ({"highway": "motorway"}, False),
        ({"highway": "motorway_link"}, False),
        ({"highway": "trunk", "bridge": "yes", "name": "南北高架路"}, False),
        ({"highway": "trunk_link"}, False),
        ({"highway": "primary", "motorroad": "yes"}, False),
        ({"highway": "residential", "foot": "no"}, False),
        ({"highway": "service", "access": "private"}, False),
        ({"highway": "service", "access": "private", "foot": "yes"}, True),
        ({"highway": ["residential", "trunk"]}, False),
        ({"name": "a building outline"}, False),
    ],
)
def test_pedestrian_rules(tags: dict[str, Any], kept: bool) -> None:
    g = nx.MultiDiGraph()
    g.add_node(1, x=121.47, y=31.22)
    g.add_node(2, x=121.471, y=31.22)
    g.add_edge(1, 2, length=95.0, **tags)
    walk = nw.pedestrian_graph(g)
    assert walk.has_edge(1, 2) is kept
    assert walk.has_edge(2, 1) is kept  # oneway or not, pedestrians walk both ways


def test_step_free_avoids_steps() -> None:
    g = nx.MultiDiGraph()
    g.add_node(1, x=121.47, y=31.22)
    g.add_node(2, x=121.471, y=31.22)
    g.add_edge(1, 2, length=95.0, highway="steps")
    assert nw.pedestrian_graph(g).number_of_edges() == 2
    assert nw.pedestrian_graph(g, step_free=True).number_of_edges() == 0


def test_oneway_streets_become_two_way() -> None:
    g = grid(3)
    assert not g.has_edge(1, 0)
    walk = nw.pedestrian_graph(g)
    assert walk.has_edge(1, 0)
    assert walk.number_of_edges() == 2 * g.number_of_edges()


def test_largest_component_is_kept() -> None:
    g = nx.disjoint_union(grid(4), grid(2, lon0=121.50))
    net = nw.network_from_graph(g, source="extract", origin="test", bbox=XINTIANDI,
                                simplify=False)
    assert net.node_count == 16


def test_nothing_walkable_is_an_error() -> None:
    with pytest.raises(NetworkError, match="no walkable street in the area"):
        nw.network_from_graph(grid(3, highway="motorway"), source="extract", origin="t.osm",
                              bbox=XINTIANDI)


# --------------------------------------------------------------------------- snapping


def test_snap_joins_the_middle_of_an_edge() -> None:
    net = nw.network_from_graph(grid(2, block=0.002), source="extract", origin="t",
                                bbox=XINTIANDI, simplify=False)
    # Halfway along the southern street (node 0 -> 1), 30 m north of it.
    (s,) = net.snap([(121.471, 31.22027)])
    idx = net.index
    assert {int(idx.edge_u[s.edge]), int(idx.edge_v[s.edge])} == {0, 1}
    assert s.offset_m == pytest.approx(idx.edge_len[s.edge] / 2, abs=2)
    assert s.distance_m == pytest.approx(30, abs=1)
    assert s.snapped[0] == pytest.approx(121.471, abs=1e-5)
    assert not s.far


def test_far_point_warns_and_is_flagged() -> None:
    net = nw.network_from_graph(grid(2), source="extract", origin="t", bbox=XINTIANDI,
                                simplify=False)
    with pytest.warns(NetworkWarning, match="from the nearest walkable street"):
        (s,) = net.snap([(121.48, 31.22)])
    assert s.far
    assert s.distance_m > 300


# --------------------------------------------------------------------------- extracts


def test_real_extract_drops_elevated_roads() -> None:
    path = need_shared(MERGED)
    net = nw.walk_network(XINTIANDI, network=str(path))
    assert net.source == "extract"
    names = {n for n in net.index.edge_name if n}
    assert "南北高架路" not in names and "延安高架路" not in names
    assert {"兴业路", "黄陂南路", "南昌路"} & names
    assert not set(net.index.edge_highway) & nw.FORBIDDEN_HIGHWAYS


def test_road_file_component_size() -> None:
    """The extract README: bidirectional, the road file's largest weakly connected
    component holds 2,222 of its 2,958 nodes."""
    path = need_shared(ROADS)
    g = nw.graph_from_extract(path)
    assert g.number_of_nodes() == 2958
    assert max(len(c) for c in nx.weakly_connected_components(g)) == 2222


def test_key_sites_snap_close_to_streets() -> None:
    from redroute.catalogue import load_catalogue

    path = need_shared(MERGED)
    cat = load_catalogue()
    ids = ["first-congress-site", "old-yuyangli-2", "chengyuli-12", "new-yuyangli-6"]
    pts = [(cat.get(i).lon, cat.get(i).lat) for i in ids]
    net = nw.walk_network(nw.BBox.around(pts), network=str(path))
    for lm_id, s in zip(ids, net.snap(pts), strict=True):
        assert s.distance_m < 150, lm_id  # a site deep in a lane (弄) is ~140 m in


def test_bz2_and_pbf_extracts_match_the_xml(tmp_path: Path) -> None:
    import osmium

    path = need_shared(MERGED)
    bz = tmp_path / "core.osm.bz2"
    bz.write_bytes(bz2.compress(path.read_bytes()))
    pbf = tmp_path / "core.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(path)):
            writer.add(obj)
    counts = []
    for source in (path, bz, pbf):
        net = nw.walk_network(XINTIANDI, network=str(source))
        counts.append((net.node_count, net.edge_count))
    assert counts[0] == counts[1] == counts[2]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.osm", "is empty"),
        (b"this is not xml at all", "junk.osm", "is not OSM XML"),
        (b"<?xml version='1.0'?><osm version='0.6'><node id='1' lat='31.2'",
         "cut.osm", "cannot read OSM extract"),
        (b"<?xml version='1.0'?><osm version='0.6'><node id='1' lat='31.2' lon='121.4'/></osm>",
         "nodes.osm", "holds no streets"),
        (b"\x00\x01garbage", "bad.osm.pbf", "cannot read OSM extract"),
        (b"{}", "area.geojson", "is not .osm, .osm.bz2 or .osm.pbf"),
    ],
)
def test_bad_extracts_give_one_clear_error(tmp_path: Path, content: bytes, name: str,
                                           message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(NetworkError, match=message):
        nw.graph_from_extract(path)


def test_missing_extract(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="does not exist"):
        nw.walk_network(XINTIANDI, network=str(tmp_path / "none.osm"))


def test_area_without_streets_in_the_extract() -> None:
    path = need_shared(MERGED)
    longhua = nw.BBox(31.170, 121.440, 31.180, 121.450)
    with pytest.raises(NetworkError, match="no streets in the area"):
        nw.walk_network(longhua, network=str(path))


# --------------------------------------------------------------------------- sources


def test_estimate_source(offline: Path) -> None:
    net = quiet(nw.walk_network, XINTIANDI, network="estimate")
    assert net.estimated
    assert net.source == "estimate"
    assert net.detour_factor == 1.3


def test_auto_offline_falls_through_to_the_estimate(offline: Path) -> None:
    said: list[str] = []
    net, messages = warned(nw.walk_network, XINTIANDI, report=said.append)
    assert net.estimated
    assert any("cannot be reached" in m and "using the estimate" in m for m in messages)
    assert any("walking distances are estimated" in m for m in messages)
    assert said == [f"walking network: {net.describe()}"]


def test_auto_uses_the_configured_extract(offline: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = need_shared(MERGED)
    monkeypatch.setattr(settings, "osm_extract", path)
    net = nw.walk_network(XINTIANDI)
    assert net.source == "extract"
    assert net.origin == str(path)


def test_auto_bad_extract_warns_and_falls_through(offline: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.osm"
    bad.write_text("nonsense", encoding="utf-8")
    monkeypatch.setattr(settings, "osm_extract", bad)
    net, messages = warned(nw.walk_network, XINTIANDI)
    assert net.estimated
    assert any("is not OSM XML" in m and "trying the next source" in m for m in messages)


def test_download_is_cached_and_reused(offline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import osmnx as ox

    calls: list[tuple[float, ...]] = []

    def fake_download(bbox: tuple[float, ...], **kwargs: Any) -> nx.MultiDiGraph:
        calls.append(bbox)
        return grid(5, lon0=121.465, lat0=31.218)

    monkeypatch.setattr(nw, "online", lambda *a, **k: True)
    monkeypatch.setattr(ox, "graph_from_bbox", fake_download)
    first = nw.walk_network(XINTIANDI)
    assert first.source == "download"
    assert len(calls) == 1
    assert list((offline / "cache" / "networks").glob("walk_*.graphml"))
    inner = nw.BBox(31.2180, 121.4650, 31.2220, 121.4690)
    second = nw.walk_network(inner)
    assert second.source == "cache"
    assert len(calls) == 1  # no network I/O the second time


def test_download_failure_falls_through(offline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import osmnx as ox

    def broken(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("Max retries exceeded with url: /api/interpreter")

    monkeypatch.setattr(nw, "online", lambda *a, **k: True)
    monkeypatch.setattr(ox, "graph_from_bbox", broken)
    net, messages = warned(nw.walk_network, XINTIANDI)
    assert net.estimated
    assert any("download from OpenStreetMap failed: Max retries" in m for m in messages)
    with pytest.raises(NetworkError, match="download from OpenStreetMap failed"):
        nw.walk_network(XINTIANDI, network="download")


def test_damaged_cache_file_is_skipped(offline: Path) -> None:
    folder = offline / "cache" / "networks"
    folder.mkdir(parents=True)
    name = "walk_31.00000_121.00000_31.50000_121.90000.graphml"
    (folder / name).write_text("<graphml>broken", encoding="utf-8")
    net, messages = warned(nw.walk_network, XINTIANDI)
    assert net.estimated
    assert any("damaged cache file" in m for m in messages)


def test_offline_check_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection that hangs (a DNS look-up that never answers) counts as offline instead
    of blocking the plan; nothing leaves the machine."""
    import socket
    import threading

    release = threading.Event()

    def hang(*args: Any, **kwargs: Any) -> None:
        release.wait(30)
        raise OSError("gave up")

    monkeypatch.setattr(socket, "create_connection", hang)
    try:
        assert nw.online("overpass-api.de", timeout_s=0.2) is False
    finally:
        release.set()


def test_offline_check_sees_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "create_connection", refuse)
    assert nw.online() is False


def test_too_large_download_is_refused(offline: Path) -> None:
    huge = nw.BBox(30.7, 120.9, 31.9, 122.2)
    with pytest.raises(NetworkError, match="more than the"):
        nw.download_graph(huge)
