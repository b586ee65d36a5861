"""Where a walking network comes from: extracts, the Overpass download, the cache, the
fall-through of ``walk_network``, and osmnx's settings around all of them."""

from __future__ import annotations

import bz2
import math
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from redroute import _sources as src
from redroute import network as nw
from redroute import settings
from redroute._errors import NetworkError

from .conftest import need_shared
from .test_network import XINTIANDI, grid, quiet, warned

MERGED = "data/osm/shanghai-core-merged.osm"
ROADS = "data/osm/shanghai-core-roads.osm"


# --------------------------------------------------------------------------- extracts


def test_real_extract_drops_elevated_roads() -> None:
    path = need_shared(MERGED)
    net = src.walk_network(XINTIANDI, network=str(path))
    assert net.source == "extract"
    names = {n for n in net.index.edge_name if n}
    assert "南北高架路" not in names and "延安高架路" not in names
    assert {"兴业路", "黄陂南路", "南昌路"} & names
    assert not set(net.index.edge_highway) & nw.FORBIDDEN_HIGHWAYS


def test_road_file_component_size() -> None:
    """The extract README: bidirectional, the road file's largest weakly connected
    component holds 2,222 of its 2,958 nodes (2,458 of them on its ways: the graph holds
    those, not the 500 lone nodes)."""
    path = need_shared(ROADS)
    g = src.graph_from_extract(path)
    assert g.number_of_nodes() == 2458
    assert max(len(c) for c in nx.weakly_connected_components(g)) == 2222


def test_key_sites_snap_close_to_streets() -> None:
    from redroute.catalogue import load_catalogue

    path = need_shared(MERGED)
    cat = load_catalogue()
    ids = ["first-congress-site", "old-yuyangli-2", "chengyuli-12", "new-yuyangli-6"]
    pts = [(cat.get(i).lon, cat.get(i).lat) for i in ids]
    net = src.walk_network(nw.BBox.around(pts), network=str(path))
    for lm_id, s in zip(ids, net.snap(pts), strict=True):
        assert s.distance_m < 150, lm_id  # a site deep in a lane (弄) is ~140 m in


@pytest.mark.slow
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
        net = src.walk_network(XINTIANDI, network=str(source))
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
        src.graph_from_extract(path)


def test_missing_extract(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="does not exist"):
        src.walk_network(XINTIANDI, network=str(tmp_path / "none.osm"))


def test_area_without_streets_in_the_extract() -> None:
    path = need_shared(MERGED)
    longhua = nw.BBox(31.170, 121.440, 31.180, 121.450)
    with pytest.raises(NetworkError, match="no streets in the area"):
        src.walk_network(longhua, network=str(path))


# --------------------------------------------------------------------------- sources


def test_estimate_source(offline: Path) -> None:
    net = quiet(src.walk_network, XINTIANDI, network="estimate")
    assert net.estimated
    assert net.source == "estimate"
    assert net.detour_factor == 1.3


#: An area of Jiading, far outside the bundled network of central Shanghai.
JIADING = nw.BBox(31.370, 121.240, 31.390, 121.260)


def test_auto_offline_uses_the_bundled_network(offline: Path) -> None:
    """No cache, no extract, no internet: central Shanghai still plans on real streets."""
    said: list[str] = []
    net, messages = warned(src.walk_network, XINTIANDI, report=said.append)
    assert net.source == "bundled" and not net.estimated
    assert net.data_date == "2025-08-09"
    assert not messages
    assert said == [f"walking network: {net.describe()}"]


def test_auto_offline_outside_the_bundled_network_falls_to_the_estimate(offline: Path) -> None:
    said: list[str] = []
    net, messages = warned(src.walk_network, JIADING, report=said.append)
    assert net.estimated
    assert any("cannot be reached" in m and "using the estimate" in m for m in messages)
    assert any("walking distances are estimated" in m for m in messages)
    assert said[0].startswith("bundled network (") and "covers 0 of 5 points" in said[0]
    assert said[0].endswith("skipped")
    assert said[-1] == f"walking network: {net.describe()}"


def test_auto_skips_an_extract_that_does_not_cover_the_plan(
        offline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The People's Square extract holds 7 nodes in Hongkou: a Hongkou plan skips it, with
    one line saying so, and walks on the bundled network instead."""
    from redroute.catalogue import load_catalogue
    from redroute.plan import plan_points
    from redroute.routes import load_routes

    monkeypatch.setattr(settings, "osm_extract", need_shared(MERGED))
    cat = load_catalogue()
    for route in ("hongkou-left-wing", "xuhui-anthem"):
        points = plan_points(load_routes(None, cat)[route].request, cat)
        said: list[str] = []
        net, _ = warned(src.walk_network, nw.BBox.around(points), points=points,
                        report=said.append)
        assert net.source == "bundled", route
        n = len(points)
        assert said[0] == f"extract network ({need_shared(MERGED)}) covers 0 of {n} points: skipped"
        assert said[-1].endswith(f"covers {n} of {n} points")


def test_partial_coverage_uses_the_best_source(offline: Path) -> None:
    """Longhua cemetery lies off every network: the bundled one still carries the stops it
    covers, and says how many."""
    from redroute.catalogue import load_catalogue

    cat = load_catalogue()
    ids = ["longhua-martyrs-cemetery", "first-congress-site", "old-yuyangli-2"]
    points = [(cat.get(i).lon, cat.get(i).lat) for i in ids]
    said: list[str] = []
    net, _ = warned(src.walk_network, nw.BBox.around(points), points=points,
                    report=said.append)
    assert net.source == "bundled"
    assert any("no source covers every point: using bundled (covers 2 of 3 points)" in line
               for line in said)
    cov = src.coverage(net, points)
    assert (cov.covered, cov.total, cov.off) == (2, 3, (0,))


def test_auto_uses_the_configured_extract(offline: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = need_shared(MERGED)
    monkeypatch.setattr(settings, "osm_extract", path)
    net = src.walk_network(XINTIANDI)
    assert net.source == "extract"
    assert net.origin == str(path)


def test_auto_bad_extract_warns_and_falls_through(offline: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.osm"
    bad.write_text("nonsense", encoding="utf-8")
    monkeypatch.setattr(settings, "osm_extract", bad)
    net, messages = warned(src.walk_network, XINTIANDI)
    assert net.source == "bundled"
    assert any("is not OSM XML" in m and "trying the next source" in m for m in messages)


def test_download_is_cached_and_reused(offline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import osmnx as ox

    calls: list[tuple[float, ...]] = []

    def fake_download(bbox: tuple[float, ...], **kwargs: Any) -> nx.MultiDiGraph:
        calls.append(bbox)
        return grid(5, lon0=121.465, lat0=31.218)

    monkeypatch.setattr(src, "online", lambda *a, **k: True)
    monkeypatch.setattr(ox, "graph_from_bbox", fake_download)
    first = src.walk_network(XINTIANDI, network="download")
    assert first.source == "download"
    assert len(calls) == 1
    assert list((offline / "cache" / "networks").glob("walk_*.graphml"))
    inner = nw.BBox(31.2180, 121.4650, 31.2220, 121.4690)
    second = src.walk_network(inner)
    assert second.source == "cache"
    assert len(calls) == 1  # no network I/O the second time


def test_download_failure_falls_through(offline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import osmnx as ox

    def broken(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("Max retries exceeded with url: /api/interpreter")

    monkeypatch.setattr(src, "online", lambda *a, **k: True)
    monkeypatch.setattr(ox, "graph_from_bbox", broken)
    net, messages = warned(src.walk_network, JIADING)
    assert net.estimated
    assert any("download from OpenStreetMap failed: Max retries" in m for m in messages)
    with pytest.raises(NetworkError, match="download from OpenStreetMap failed"):
        src.walk_network(XINTIANDI, network="download")


def test_damaged_cache_file_is_skipped(offline: Path) -> None:
    folder = offline / "cache" / "networks"
    folder.mkdir(parents=True)
    name = "walk_31.00000_121.00000_31.50000_121.90000.graphml"
    (folder / name).write_text("<graphml>broken", encoding="utf-8")
    net, messages = warned(src.walk_network, XINTIANDI)
    assert net.source == "bundled"
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
        assert src.online("overpass-api.de", timeout_s=0.2) is False
    finally:
        release.set()


def test_offline_check_sees_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "create_connection", refuse)
    assert src.online() is False


def test_too_large_download_is_refused(offline: Path) -> None:
    huge = nw.BBox(30.7, 120.9, 31.9, 122.2)
    with pytest.raises(NetworkError, match="more than the"):
        src.download_graph(huge)


# --------------------------------------------------------------------------- osmnx settings


@pytest.fixture
def sentinels(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A notebook user's own osmnx settings, each different from what redroute wants."""
    import osmnx as ox

    mine: dict[str, Any] = {
        "useful_tags_way": ["highway", "my:tag"],
        "log_console": True,
        "use_cache": False,
        "cache_folder": "/my/own/cache",
        "requests_timeout": 7,
        "overpass_rate_limit": False,
    }
    for name, value in mine.items():
        monkeypatch.setattr(ox.settings, name, value)
    return mine


def _settings_now() -> dict[str, Any]:
    import osmnx as ox

    return {name: getattr(ox.settings, name) for name in (
        "useful_tags_way", "log_console", "use_cache", "cache_folder", "requests_timeout",
        "overpass_rate_limit")}


def test_failed_download_restores_osmnx_settings(offline: Path, sentinels: dict[str, Any],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside, the rate limit is on and redroute's tags are asked for; after a download that
    fails, every setting is the user's again."""
    import osmnx as ox

    seen: list[dict[str, Any]] = []

    def broken(*args: Any, **kwargs: Any) -> None:
        seen.append(_settings_now())
        raise ConnectionError("Max retries exceeded")

    monkeypatch.setattr(src, "online", lambda *a, **k: True)
    monkeypatch.setattr(ox, "graph_from_bbox", broken)
    with pytest.raises(NetworkError, match="download from OpenStreetMap failed"):
        src.download_graph(XINTIANDI)
    (inside,) = seen
    assert inside["overpass_rate_limit"] is True
    assert {"name:en", "foot", "my:tag"} <= set(inside["useful_tags_way"])
    assert inside["cache_folder"] == str(offline / "cache" / "overpass")
    assert _settings_now() == sentinels


def test_failed_extract_read_restores_osmnx_settings(tmp_path: Path, sentinels: dict[str, Any],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import osmnx as ox

    seen: list[bool] = []

    def broken(*args: Any, **kwargs: Any) -> None:
        seen.append(ox.settings.overpass_rate_limit)
        raise ValueError("bad XML")

    path = tmp_path / "x.osm"
    path.write_text("<?xml version='1.0'?><osm version='0.6'>"
                    "<node id='1' lat='31.22' lon='121.47'/><node id='2' lat='31.22' "
                    "lon='121.471'/><way id='3'><nd ref='1'/><nd ref='2'/>"
                    "<tag k='highway' v='residential'/></way></osm>", encoding="utf-8")
    monkeypatch.setattr(ox, "graph_from_xml", broken)
    with pytest.raises(NetworkError, match="cannot read OSM extract"):
        src.graph_from_extract(path)
    assert seen == [True]
    assert _settings_now() == sentinels


def test_successful_download_restores_osmnx_settings(offline: Path, sentinels: dict[str, Any],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import osmnx as ox

    monkeypatch.setattr(src, "online", lambda *a, **k: True)
    monkeypatch.setattr(ox, "graph_from_bbox", lambda *a, **k: grid(3))
    net = src.walk_network(XINTIANDI, network="download")
    assert net.source == "download"
    assert _settings_now() == sentinels


def test_download_reports_progress_and_prints_nothing(offline: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import osmnx as ox

    calls: list[tuple[int, int, str]] = []
    monkeypatch.setattr(src, "online", lambda *a, **k: True)
    monkeypatch.setattr(ox, "graph_from_bbox", lambda *a, **k: grid(3))
    src.download_graph(XINTIANDI, progress=lambda *a: calls.append(a))
    assert [done for done, _, _ in calls] == [0, 1, 2, 3]
    assert {total for _, total, _ in calls} == {3}
    assert "Overpass" in calls[1][2]
    assert "cache" in calls[2][2]
    assert capsys.readouterr() == ("", "")


def test_offline_download_stops_after_the_probe(offline: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    with pytest.raises(NetworkError, match="cannot be reached"):
        src.download_graph(XINTIANDI, progress=lambda *a: calls.append(a))
    assert [done for done, _, _ in calls] == [0]


# --------------------------------------------------------------------------- issue 12: extracts

LON0, LAT0 = 121.465, 31.218


def extract_xml(nodes: dict[int, tuple[str, str]], ways: dict[int, list[int]]) -> str:
    """OSM XML with nodes as (lat, lon) text (so that bad values can be written) and
    residential ways."""
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", "<osm version='0.6'>"]
    lines += [f"<node id='{n}' lat='{lat}' lon='{lon}'/>" for n, (lat, lon) in nodes.items()]
    for wid, refs in ways.items():
        lines.append(f"<way id='{wid}'>" + "".join(f"<nd ref='{r}'/>" for r in refs)
                     + f"<tag k='highway' v='residential'/><tag k='name' v='路{wid}'/></way>")
    lines.append("</osm>")
    return "\n".join(lines)


def row_nodes(count: int = 6) -> dict[int, tuple[str, str]]:
    """``count`` nodes 100 m apart along a parallel, ids 1..count."""
    step = 100 / (111_195.0 * 0.8553)
    return {i + 1: (f"{LAT0:.7f}", f"{LON0 + i * step:.7f}") for i in range(count)}


def street_ways() -> dict[int, list[int]]:
    return {100 + i: [i + 1, i + 2] for i in range(5)}


def test_a_way_with_a_missing_node_is_left_out_not_the_file(tmp_path: Path) -> None:
    """osmnx refused the whole file ("Some edges missing nodes")."""
    ways = street_ways() | {200: [5, 6, 999], 201: [1, 998]}
    path = tmp_path / "cut.osm"
    path.write_text(extract_xml(row_nodes(), ways), encoding="utf-8")
    graph, messages = warned(src.graph_from_extract, path)
    assert messages == [f"OSM extract {str(path)!r}: 2 ways refer to nodes missing from the "
                        "extract and were left out"]
    assert graph.number_of_nodes() == 6
    assert graph.number_of_edges() == 10  # the five streets, both ways


def test_twelve_ways_with_missing_nodes_are_counted_in_one_warning(tmp_path: Path) -> None:
    ways = street_ways() | {300 + k: [1, 5000 + k] for k in range(12)}
    path = tmp_path / "cut.osm"
    path.write_text(extract_xml(row_nodes(), ways), encoding="utf-8")
    _, messages = warned(src.graph_from_extract, path)
    (message,) = messages
    assert "12 ways refer to nodes missing from the extract and were left out" in message


@pytest.mark.parametrize(("lat", "lon"), [("95.0", f"{LON0}"), ("nan", f"{LON0}"),
                                          (f"{LAT0}", "inf"), ("", f"{LON0}"),
                                          (f"{LAT0}", "east")])
def test_a_node_with_impossible_coordinates_costs_its_ways_only(tmp_path: Path, lat: str,
                                                                lon: str) -> None:
    nodes = row_nodes() | {7: (lat, lon)}
    path = tmp_path / "bad-node.osm"
    path.write_text(extract_xml(nodes, street_ways() | {400: [6, 7]}), encoding="utf-8")
    graph, messages = warned(src.graph_from_extract, path)
    (message,) = messages
    assert "1 way refers to nodes missing from the extract and was left out" in message
    assert "1 node with coordinates that are not numbers or out of range" in message
    assert 7 not in graph.nodes
    assert all(-90 <= d["y"] <= 90 and math.isfinite(d["x"]) for _, d in graph.nodes(data=True))


def test_a_way_of_one_node_is_no_street_and_no_error(tmp_path: Path) -> None:
    path = tmp_path / "short.osm"
    path.write_text(extract_xml(row_nodes(), street_ways() | {500: [3], 501: [4, 4]}),
                    encoding="utf-8")
    graph, messages = warned(src.graph_from_extract, path)
    assert not messages
    assert graph.number_of_edges() == 10


@pytest.mark.parametrize("content", [
    "<osm/>", "<?xml version='1.0'?><osm version='0.6'></osm>",
    "<?xml version='1.0'?><osm version='0.6'><way id='1'><nd ref='1'/><nd ref='2'/>"
    "<tag k='highway' v='residential'/></way></osm>",
])
def test_extracts_without_a_usable_street_are_one_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "nothing.osm"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(NetworkError, match="holds no streets"):
        quiet(src.graph_from_extract, path)


def test_an_extract_cut_mid_way_is_one_error(tmp_path: Path) -> None:
    text = extract_xml(row_nodes(), street_ways())
    path = tmp_path / "cut.osm"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(NetworkError, match="cannot read OSM extract"):
        src.graph_from_extract(path)


def test_pbf_with_a_missing_node_behaves_like_the_xml(tmp_path: Path) -> None:
    import osmium

    xml = tmp_path / "cut.osm"
    xml.write_text(extract_xml(row_nodes(), street_ways() | {200: [5, 6, 999]}),
                   encoding="utf-8")
    pbf = tmp_path / "cut.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)
    bz = tmp_path / "cut.osm.bz2"
    bz.write_bytes(bz2.compress(xml.read_bytes()))
    shapes = []
    for path in (xml, pbf, bz):
        graph, messages = warned(src.graph_from_extract, path)
        assert messages == [f"OSM extract {str(path)!r}: 1 way refers to nodes missing from "
                            "the extract and was left out"]
        shapes.append((graph.number_of_nodes(), graph.number_of_edges()))
    assert shapes[0] == shapes[1] == shapes[2] == (6, 10)


def test_auto_uses_an_extract_with_a_missing_node(offline: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The configured extract is not given up for one broken way."""
    path = tmp_path / "cut.osm"
    path.write_text(extract_xml(row_nodes(), street_ways() | {200: [5, 6, 999]}),
                    encoding="utf-8")
    monkeypatch.setattr(settings, "osm_extract", path)
    points = [(LON0 + 0.001, LAT0), (LON0 + 0.004, LAT0)]
    net, messages = warned(src.walk_network, nw.BBox.around(points), points=points)
    assert net.source == "extract"
    assert any("1 way refers to nodes missing" in m for m in messages)


# --------------------------------------------------------------------------- issue 12: caches

#: The area of the cache files below: around the 5 x 5 grid at (121.465, 31.218).
CACHE_AREA = nw.BBox(31.2175, 121.4645, 31.2225, 121.4695)
INNER = nw.BBox(31.2180, 121.4650, 31.2220, 121.4690)


def write_cache(graph: nx.MultiDiGraph, area: nw.BBox = CACHE_AREA) -> Path:
    import osmnx as ox

    path = src._cache_path(area)
    path.parent.mkdir(parents=True, exist_ok=True)
    ox.save_graphml(graph, path)
    return path


def test_a_good_cache_file_is_used_quietly(offline: Path) -> None:
    write_cache(grid(5, lon0=LON0, lat0=LAT0))
    net, messages = warned(src.walk_network, INNER)
    assert net.source == "cache"
    assert not messages


@pytest.mark.parametrize("value", [0.0, -95.0, math.nan, 3.0, 5000.0])
def test_cached_lengths_are_checked_against_the_geometry(offline: Path, value: float) -> None:
    """0 or negative lengths gave a 62 m leg between points 949 m apart."""
    from redroute.coords import haversine_m
    from redroute.matrix import travel_matrix

    g = grid(5, lon0=LON0, lat0=LAT0)
    for _, _, data in g.edges(data=True):
        data["length"] = value
    path = write_cache(g)
    net, messages = warned(src.walk_network, INNER)
    assert net.source == "cache"
    assert any(f"cache file {path}: " in m and "were measured again" in m for m in messages)
    a, b = (LON0, LAT0), (LON0 + 0.004, LAT0 + 0.004)
    m = quiet(travel_matrix, net, [a, b]).distance_m
    blocks = 4 * haversine_m(LON0, LAT0, LON0 + 0.001, LAT0) + 4 * haversine_m(
        LON0, LAT0, LON0, LAT0 + 0.001)
    assert m[0, 1] == pytest.approx(blocks, rel=0.02)
    assert m[0, 1] >= haversine_m(*a, *b)


@pytest.mark.parametrize("bad", [{"x": math.nan}, {"y": math.nan}, {"y": 95.0},
                                 {"x": math.inf}])
def test_a_cache_with_impossible_coordinates_is_skipped(offline: Path,
                                                        bad: dict[str, float]) -> None:
    g = grid(5, lon0=LON0, lat0=LAT0)
    g.nodes[7].update(bad)
    path = write_cache(g)
    net, messages = warned(src.walk_network, INNER)
    assert net.source == "bundled"
    assert any(f"ignoring cache file {path}: 1 node(s) have coordinates that are not "
               "numbers or out of range (node 7" in m for m in messages)


def test_a_cache_with_no_streets_in_its_area_is_skipped(offline: Path) -> None:
    """A file named for Xintiandi that holds the streets of Jiading: `auto` failed."""
    path = write_cache(grid(5, lon0=121.25, lat0=31.38))
    net, messages = warned(src.walk_network, INNER)
    assert net.source == "bundled"
    assert any(f"ignoring cache file {path}: its streets are not in the area its name says"
               in m for m in messages)


def test_a_cache_with_no_street_in_the_plans_area_is_skipped(offline: Path) -> None:
    """The cache holds streets in one corner of its area only: the plan's area has none
    (the clip's error escaped `auto`)."""
    path = write_cache(grid(3, lon0=121.441, lat0=31.201), nw.BBox(31.20, 121.44, 31.25, 121.50))
    plan = nw.BBox(31.2400, 121.4900, 31.2450, 121.4950)
    net, messages = warned(src.walk_network, plan)
    assert net.source == "bundled"
    assert any(f"ignoring cache file {path}: it has no streets in the area" in m
               for m in messages)


def test_a_cache_without_edges_is_skipped(offline: Path) -> None:
    g = grid(5, lon0=LON0, lat0=LAT0)
    g.remove_edges_from(list(g.edges))
    path = write_cache(g)
    net, messages = warned(src.walk_network, INNER)
    assert net.source == "bundled"
    assert any(f"ignoring cache file {path}: it holds no streets" in m for m in messages)


def test_a_cache_file_cut_mid_way_is_skipped(offline: Path) -> None:
    path = write_cache(grid(5, lon0=LON0, lat0=LAT0))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    net, messages = warned(src.walk_network, INNER)
    assert net.source == "bundled"
    assert any(f"ignoring damaged cache file {path}" in m for m in messages)


def test_a_bad_cache_falls_through_to_a_good_older_one(offline: Path) -> None:
    import os

    good = write_cache(grid(5, lon0=LON0, lat0=LAT0), nw.BBox(31.2170, 121.4640, 31.2230,
                                                               121.4700))
    os.utime(good, (1_000_000_000, 1_000_000_000))  # older: tried second
    g = grid(5, lon0=LON0, lat0=LAT0)
    g.nodes[3]["x"] = math.nan
    write_cache(g)
    net, messages = warned(src.walk_network, INNER)
    assert net.source == "cache" and net.origin == str(good)
    assert any("ignoring cache file" in m for m in messages)
