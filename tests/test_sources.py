"""Where a walking network comes from: extracts, the Overpass download, the cache, the
fall-through of ``walk_network``, and osmnx's settings around all of them."""

from __future__ import annotations

import bz2
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
    component holds 2,222 of its 2,958 nodes."""
    path = need_shared(ROADS)
    g = src.graph_from_extract(path)
    assert g.number_of_nodes() == 2958
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
    path.write_text("<?xml version='1.0'?><osm version='0.6'></osm>", encoding="utf-8")
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
