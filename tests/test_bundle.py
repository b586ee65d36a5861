"""Network files: the bundled central-Shanghai network, loading, and the builder."""

from __future__ import annotations

import bz2
import hashlib
import io
import json
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from redroute import _bundle, _netbuild
from redroute import _sources as src
from redroute._errors import NetworkError, NetworkWarning
from redroute.catalogue import load_catalogue
from redroute.cli import main
from redroute.network import BBox, WalkNetwork, _walkable
from tests.conftest import need_shared

if TYPE_CHECKING:
    from click.testing import CliRunner

CENTRE = BBox(31.21, 121.46, 31.24, 121.49)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bundled() -> WalkNetwork:
    """The shipped network, for a plan around Xintiandi."""
    return _bundle.bundled_network(CENTRE)


def quiet_snap(net: WalkNetwork, points: list[tuple[float, float]]) -> list[object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        return list(net.snap(points))


# --------------------------------------------------------------------------- the shipped file


def test_shipped_file_loads_as_a_bundled_network(bundled: WalkNetwork) -> None:
    """No graph behind it, real streets all the same, and it says where they come from."""
    assert bundled.graph is None
    assert not bundled.estimated
    assert bundled.source == "bundled"
    assert bundled.data_date == "2025-08-09"
    assert 4000 < bundled.node_count < 6000
    assert 6000 < bundled.edge_count < 9000
    text = bundled.describe()
    assert text.startswith("bundled: shanghai-center.rrnet (")
    assert "OSM data of 2025-08-09" in text
    assert f"{bundled.node_count} nodes" in text


def test_shipped_file_is_small_and_carries_its_provenance() -> None:
    """Its metadata: the date, both extracts, the ODbL credit; well under 4 MB."""
    path = _bundle.bundled_path()
    assert path.stat().st_size < 1_000_000
    info = _bundle.network_file_info(path)
    assert info.data_date == "2025-08-09"
    assert [s["file"] for s in info.sources] == ["shanghai-center-2025.osm.bz2",
                                                 "shanghai-core-merged.osm"]
    assert "OpenStreetMap" in info.attribution
    assert "ODbL" in info.attribution
    assert info.extent.contains(BBox(31.18, 121.41, 31.278, 121.55))


def test_shipped_file_covers_the_key_sites(bundled: WalkNetwork) -> None:
    """The 1st Congress site, Old Yuyangli and the Duolun Road sites lie within 200 m of a
    street; so do 92 of the 97 sites of the catalogue, as the extract's README says."""
    cat = load_catalogue()
    for site in ("first-congress-site", "old-yuyangli-2", "left-wing-writers-league-memorial",
                 "kung-fei-cafe-site", "zhao-shiyan-residence"):
        lm = cat.get(site)
        (snap,) = quiet_snap(bundled, [(lm.lon, lm.lat)])
        assert snap.distance_m < 200, site  # type: ignore[attr-defined]
    snaps = quiet_snap(bundled, [(lm.lon, lm.lat) for lm in cat])
    near = sum(s.distance_m < 200 for s in snaps)  # type: ignore[attr-defined]
    assert near >= 92


def test_street_names_in_chinese_and_english(bundled: WalkNetwork) -> None:
    names = set(zip(bundled.index.edge_name, bundled.index.edge_name_en, strict=True))
    assert ("淮海中路", "Middle Huaihai Road") in names
    assert ("兴业路", "Xingye Road") in names
    named = [n for n in bundled.index.edge_name if n]
    assert len(named) > 0.8 * bundled.edge_count


def test_footways_of_the_merged_extract_are_in(bundled: WalkNetwork) -> None:
    """The union adds the Xintiandi footways and pedestrian streets the centre file lacks."""
    kinds = set(bundled.index.edge_highway)
    assert {"footway", "pedestrian", "living_street"} <= kinds


def test_cross_river_tunnels_are_stored_but_not_walkable(bundled: WalkNetwork) -> None:
    """The tunnels are in the file (the rules are applied on loading) and none is kept."""
    meta = json.loads(zipfile.ZipFile(_bundle.bundled_path()).read("meta.json"))
    tunnels = [t for t in meta["tag_sets"] if "隧道" in t.get("name", "")]
    assert {"外滩隧道", "人民路隧道", "新建路隧道", "大连路隧道", "打浦路隧道",
            "西藏南路隧道"} <= {t["name"] for t in tunnels}
    assert not any(_walkable(t, step_free=False) for t in tunnels)
    assert not any("隧道" in (n or "") for n in bundled.index.edge_name)
    assert not set(bundled.index.edge_highway) & {"motorway", "trunk", "trunk_link"}


def test_puxi_and_lujiazui_are_different_components(bundled: WalkNetwork) -> None:
    """No footbridge crosses the Huangpu: the Bund and Lujiazui are in separate parts, both
    kept; Puxi is the largest (label 0)."""
    idx = bundled.index
    bund, lujiazui = quiet_snap(bundled, [(121.485547, 31.238669), (121.4990, 31.2390)])
    part = [int(idx.component[idx.edge_u[s.edge]]) for s in (bund, lujiazui)]  # type: ignore[attr-defined]
    assert part == [0, 1]
    assert len(idx.component) == len(idx.node_ids)
    sizes = idx.component_nodes
    assert list(sizes) == sorted(sizes, reverse=True)
    assert sizes.sum() == len(idx.node_ids)
    assert sizes[1] >= _bundle.MIN_COMPONENT_NODES
    assert np.bincount(idx.component).tolist() == sizes.tolist()


def test_second_load_reuses_the_arrays() -> None:
    """A second plan in the same process does not read the file again."""
    a = _bundle.bundled_network(CENTRE)
    b = _bundle.bundled_network(BBox(31.22, 121.47, 31.23, 121.48))
    assert a.index is b.index
    assert b.bbox != a.bbox


def test_loading_imports_neither_osmnx_nor_networkx() -> None:
    code = ("import sys\n"
            "from redroute._bundle import bundled_network\n"
            "from redroute.network import BBox\n"
            "net = bundled_network(BBox(31.21, 121.46, 31.24, 121.49))\n"
            "assert net.edge_count > 0 and len(net.index.node_ids) > 0\n"
            "print(sorted(m for m in ('osmnx', 'networkx', 'geopandas') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_walk_network_bundled_choice() -> None:
    net = src.walk_network(CENTRE, network="bundled")
    assert net.source == "bundled"
    assert net.bbox == CENTRE


@pytest.mark.shared
def test_make_network_rebuilds_the_shipped_file_byte_for_byte(tmp_path: Path) -> None:
    """The Makefile's recipe (``make network``) gives the committed bytes."""
    centre = need_shared("data/osm/shanghai-center-2025.osm.bz2")
    merged = need_shared("data/osm/shanghai-core-merged.osm")
    out = tmp_path / "rebuilt.rrnet"
    _netbuild.save_network_file([centre, merged], out, data_date="2025-08-09")
    shipped = _bundle.bundled_path().read_bytes()
    assert hashlib.sha256(out.read_bytes()).hexdigest() == hashlib.sha256(shipped).hexdigest()
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "shanghai-center-2025.osm.bz2" in recipe
    assert "--date 2025-08-09" in recipe


# --------------------------------------------------------------------------- the builder

LON0, LAT0 = 121.47, 31.22
#: Node id -> (x, y) in thousandths of a degree from (LON0, LAT0).
NODES = {1: (0, 0), 11: (0.5, 0.0), 2: (1, 0), 3: (2, 0), 4: (1.3, 1), 5: (1, 2), 6: (2, 1),
         7: (3, 0), 8: (2, 2), 9: (0, 1), 10: (-1, 1)}
#: Way id -> (node ids, tags).
WAYS: dict[int, tuple[list[int], dict[str, str]]] = {
    100: ([1, 11, 2, 3], {"highway": "residential", "name": "兴业路", "name:en": "Xingye Road"}),
    101: ([2, 4, 5], {"highway": "tertiary", "name": "黄陂南路"}),
    102: ([3, 6], {"highway": "primary", "tunnel": "yes", "name": "测试隧道"}),
    103: ([3, 7], {"highway": "secondary", "foot": "no"}),
    104: ([5, 8], {"highway": "steps"}),
    105: ([1, 9, 10, 1], {"highway": "footway"}),
    106: ([2, 6], {"building": "yes"}),  # not a highway: ignored
}


def osm_xml(nodes: dict[int, tuple[float, float]],
            ways: dict[int, tuple[list[int], dict[str, str]]], *,
            base: str | None = "2025-08-09T07:00:26Z") -> str:
    meta = f'<meta osm_base="{base}"/>\n' if base else ""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6">', meta]
    for nid, (x, y) in nodes.items():
        lines.append(f'<node id="{nid}" lat="{LAT0 + y / 1000:.7f}" '
                     f'lon="{LON0 + x / 1000:.7f}"/>')
    for wid, (refs, tags) in ways.items():
        lines.append(f'<way id="{wid}">')
        lines.extend(f'<nd ref="{r}"/>' for r in refs)
        lines.extend(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append("</way>")
    lines.append("</osm>")
    return "\n".join(lines)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.osm"
    path.write_text(osm_xml(NODES, WAYS), encoding="utf-8")
    return path


def edges_by_ends(net: WalkNetwork) -> dict[frozenset[int], int]:
    idx = net.index
    return {frozenset((int(idx.node_ids[u]), int(idx.node_ids[v]))): e
            for e, (u, v) in enumerate(zip(idx.edge_u, idx.edge_v, strict=True))}


def test_builder_splits_ways_at_shared_nodes_and_keeps_chains(tiny: Path, tmp_path: Path) -> None:
    """Ways are cut where they meet and at their ends; a chain inside a way is one street
    whose length is measured on every vertex; a closed loop becomes two streets."""
    out = tmp_path / "tiny.rrnet"
    done = _netbuild.save_network_file([tiny], out)
    assert done.path == out
    assert done.data_date == "2025-08-09"
    # crossings and ends: 1, 2, 3, 5, 6, 7, 8, and 9 and 10 where the loop is cut; 11 and 4
    # are inner vertices
    assert done.nodes == 9
    assert done.edges == 9
    net = _bundle.load_network_file(out, bbox=CENTRE, min_component_nodes=1)
    assert net.source == "file"
    assert net.origin == str(out)
    assert net.data_date == "2025-08-09"
    ends = edges_by_ends(net)
    # the tunnel (3-6) and the foot=no road (3-7) are in the file but not walkable
    assert set(ends) == {frozenset(p) for p in ((1, 2), (2, 3), (2, 5), (5, 8), (1, 10),
                                                (1, 9), (9, 10))}
    idx = net.index
    e12 = ends[frozenset((1, 2))]
    assert idx.edge_name[e12] == "兴业路"
    assert idx.edge_name_en[e12] == "Xingye Road"
    assert idx.edge_highway[e12] == "residential"
    # node 11 lies on the straight line: simplified away, but the length is that of the road
    assert len(idx.edge_geom[e12]) == 2
    assert idx.edge_len[e12] == pytest.approx(0.001 * 111_195 * np.cos(np.radians(LAT0)),
                                              rel=1e-3)
    # node 4 bends the street by about 28 m: kept
    e25 = ends[frozenset((2, 5))]
    assert len(idx.edge_geom[e25]) == 3
    assert idx.edge_geom[e25][1] == pytest.approx((LON0 + 0.0013, LAT0 + 0.001))
    # the loop 1-9-10-1: cut in the middle, then the longer of the two streets between 1
    # and 10 cut again, so that each street is the only one between its ends
    assert len(ends) == net.edge_count


def test_builder_output_is_walkable_both_ways_and_step_free(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "tiny.rrnet"
    _netbuild.save_network_file([tiny], out)
    net = _bundle.load_network_file(out, bbox=CENTRE, min_component_nodes=1)
    calm = _bundle.load_network_file(out, bbox=CENTRE, step_free=True, min_component_nodes=1)
    assert "steps" in net.index.edge_highway
    assert "steps" not in calm.index.edge_highway
    assert calm.edge_count == net.edge_count - 1
    assert calm.index is not net.index
    csr = net.index.csr
    assert (csr != csr.T).nnz == 0


def test_small_components_are_dropped_on_loading(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "tiny.rrnet"
    _netbuild.save_network_file([tiny], out)
    with pytest.raises(NetworkError, match="no connected streets of at least 50"):
        _bundle.load_network_file(out, bbox=CENTRE)
    net = _bundle.load_network_file(out, bbox=CENTRE, min_component_nodes=2)
    assert list(net.index.component_nodes) == [len(net.index.node_ids)]


def test_build_is_deterministic_and_bz2_gives_the_same_network(tiny: Path,
                                                               tmp_path: Path) -> None:
    """Same input, same bytes; the .bz2 of it, the same arrays."""
    a, _ = _netbuild.build_network([tiny])
    b, _ = _netbuild.build_network([tiny])
    assert a == b
    packed = tmp_path / "tiny.osm.bz2"
    packed.write_bytes(bz2.compress(tiny.read_bytes()))
    c, summary = _netbuild.build_network([packed])
    assert summary.data_date == "2025-08-09"
    for name in _bundle.MEMBERS[1:]:
        assert zipfile.ZipFile(_io(a)).read(name) == zipfile.ZipFile(_io(c)).read(name)


def _io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def test_pbf_extract_gives_the_same_network(tiny: Path, tmp_path: Path) -> None:
    import osmium

    pbf = tmp_path / "tiny.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(tiny)):
            writer.add(obj)
    a, _ = _netbuild.build_network([tiny])
    b, _ = _netbuild.build_network([pbf])
    for name in _bundle.MEMBERS[1:]:
        assert zipfile.ZipFile(_io(a)).read(name) == zipfile.ZipFile(_io(b)).read(name)


def test_union_first_extract_wins(tiny: Path, tmp_path: Path) -> None:
    """A way or node id in both extracts keeps the first one's version; the second adds its
    own ways (a footway to a node of its own)."""
    second = tmp_path / "second.osm"
    nodes = {3: (2.5, 0.5), 12: (2, -1), 1: (0, 0), 2: (1, 0), 11: (0.5, 0)}
    ways = {100: ([1, 11, 2, 3], {"highway": "residential", "name": "别的路"}),
            200: ([3, 12], {"highway": "footway", "name": "小路"})}
    second.write_text(osm_xml(nodes, ways, base=None), encoding="utf-8")
    out = tmp_path / "union.rrnet"
    done = _netbuild.save_network_file([tiny, second], out)
    assert done.ways == len(WAYS) - 1 + 1  # the building is no highway; way 100 once
    net = _bundle.load_network_file(out, bbox=CENTRE, min_component_nodes=1)
    idx = net.index
    ends = edges_by_ends(net)
    assert idx.edge_name[ends[frozenset((1, 2))]] == "兴业路"
    foot = ends[frozenset((3, 12))]
    assert idx.edge_name[foot] == "小路"
    node3 = int(np.flatnonzero(idx.node_ids == 3)[0])
    assert (idx.lon[node3], idx.lat[node3]) == pytest.approx((LON0 + 0.002, LAT0))
    info = _bundle.network_file_info(out)
    assert [s["file"] for s in info.sources] == ["tiny.osm", "second.osm"]
    assert [s["date"] for s in info.sources] == ["2025-08-09", None]


def test_bbox_keeps_only_the_streets_of_the_area(tiny: Path, tmp_path: Path) -> None:
    """Only stretches with an end inside the box are kept."""
    box = BBox(LAT0 - 0.0005, LON0 - 0.0005, LAT0 + 0.0005, LON0 + 0.0015)  # nodes 1, 11, 2
    _, whole = _netbuild.build_network([tiny])
    _, part = _netbuild.build_network([tiny], bbox=box)
    assert part.edges < whole.edges
    data, _ = _netbuild.build_network([tiny], bbox=box)
    meta = json.loads(zipfile.ZipFile(_io(data)).read("meta.json"))
    assert meta["clip"] == [box.south, box.west, box.north, box.east]


def test_date_option_overrides_the_header(tiny: Path) -> None:
    _, summary = _netbuild.build_network([tiny], data_date="2026-01-02")
    assert summary.data_date == "2026-01-02"


def test_network_file_is_used_by_path(tiny: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """``--network FILE`` loads a built file through the same loader."""
    big = tmp_path / "grid.osm"
    big.write_text(grid_xml(12), encoding="utf-8")
    out = tmp_path / "grid.rrnet"
    _netbuild.save_network_file([big], out)
    assert _bundle.is_network_file(out)
    assert not _bundle.is_network_file(tiny)
    net = src.walk_network(CENTRE, network=str(out))
    assert net.source == "file"
    assert net.edge_count == 2 * 12 * 11


def grid_xml(n: int) -> str:
    """An ``n`` x ``n`` street grid (one way per row and per column), 100 m blocks."""
    nodes = {i * n + j + 1: (j * 1.0, i * 1.0) for i in range(n) for j in range(n)}
    ways: dict[int, tuple[list[int], dict[str, str]]] = {}
    for i in range(n):
        ways[1000 + i] = ([i * n + j + 1 for j in range(n)], {"highway": "residential",
                                                              "name": f"横{i}路"})
        ways[2000 + i] = ([j * n + i + 1 for j in range(n)], {"highway": "residential",
                                                              "name": f"纵{i}路"})
    return osm_xml(nodes, ways)


# --------------------------------------------------------------------------- bad inputs


def one_error(result: object) -> str:
    stderr = result.stderr  # type: ignore[attr-defined]
    assert result.exit_code == 1, stderr  # type: ignore[attr-defined]
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, stderr
    assert "Traceback" not in stderr
    return errors[0]


def test_cli_builds_a_file(runner: CliRunner, tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli.rrnet"
    result = runner.invoke(main, ["network", "build", str(tiny), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.is_file()
    assert "9 nodes, 9 street segments" in result.stdout
    assert "OSM data of 2025-08-09" in result.stdout


@pytest.mark.parametrize(("content", "name", "words"), [
    (None, "missing.osm", "does not exist"),
    (b"hello, not OSM at all", "notes.osm", "is not OSM XML"),
    (b"", "empty.osm", "is empty"),
    (b"<osm>", "notes.txt", "is not .osm"),
    (b"BZh91AY&SY garbage", "bad.osm.bz2", "cannot read"),
])
def test_cli_bad_extract_is_one_error_line(runner: CliRunner, tmp_path: Path,
                                           content: bytes | None, name: str,
                                           words: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(main, ["network", "build", str(path), "-o",
                                  str(tmp_path / "x.rrnet")])
    assert words in one_error(result)
    assert not (tmp_path / "x.rrnet").exists()


def test_cli_empty_area_is_one_error_line(runner: CliRunner, tiny: Path,
                                          tmp_path: Path) -> None:
    result = runner.invoke(main, ["network", "build", str(tiny), "-o",
                                  str(tmp_path / "x.rrnet"), "--bbox",
                                  "31.00,121.00,31.01,121.01"])
    assert "no streets in the area 31.00000,121.00000,31.01000,121.01000" in one_error(result)


def test_cli_extract_without_streets_is_one_error_line(runner: CliRunner,
                                                       tmp_path: Path) -> None:
    path = tmp_path / "houses.osm"
    path.write_text(osm_xml(NODES, {106: WAYS[106]}), encoding="utf-8")
    result = runner.invoke(main, ["network", "build", str(path), "-o",
                                  str(tmp_path / "x.rrnet")])
    assert "no streets" in one_error(result)


def test_cli_bad_date_and_missing_folder(runner: CliRunner, tiny: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["network", "build", str(tiny), "-o",
                                  str(tmp_path / "x.rrnet"), "--date", "2025-13-01"])
    assert "is not YYYY-MM-DD" in one_error(result)
    result = runner.invoke(main, ["network", "build", str(tiny), "-o",
                                  str(tmp_path / "nowhere" / "x.rrnet")])
    assert "does not exist" in one_error(result)


@pytest.mark.parametrize(("content", "words"), [
    (b"PK\x03\x04 not really a zip", "is not a redroute network file"),
    (None, "does not exist"),
])
def test_bad_network_file_is_one_clear_error(tmp_path: Path, content: bytes | None,
                                             words: str) -> None:
    path = tmp_path / "bad.rrnet"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(NetworkError, match=words):
        _bundle.load_network_file(path, bbox=CENTRE)


def test_zip_that_is_not_a_network_file(tmp_path: Path) -> None:
    path = tmp_path / "other.rrnet"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("meta.json", json.dumps({"format": "something-else"}))
    with pytest.raises(NetworkError, match="format is not redroute-walk-network"):
        _bundle.load_network_file(path, bbox=CENTRE)


def test_step_free_bundled_network_is_cached_apart() -> None:
    calm = _bundle.bundled_network(CENTRE, step_free=True)
    assert calm.step_free
    assert "steps" not in calm.index.edge_highway
    assert calm.index is not _bundle.bundled_network(CENTRE).index
    assert calm.index is _bundle.bundled_network(CENTRE, step_free=True).index


def test_graph_networks_have_component_labels_too() -> None:
    """The graph sources share the index code: one part, label 0 everywhere."""
    import networkx as nx

    g = nx.MultiDiGraph(crs="epsg:4326")
    for i in range(3):
        g.add_node(i, x=LON0 + i / 1000, y=LAT0)
    for a, b in ((0, 1), (1, 2)):
        g.add_edge(a, b, highway="residential", length=95.0)
        g.add_edge(b, a, highway="residential", length=95.0)
    net = src.network_from_graph(g, source="extract", origin="test", bbox=CENTRE)
    n = len(net.index.node_ids)  # osmnx merged the chain: 2 nodes
    assert net.index.component.tolist() == [0] * n
    assert net.index.component_nodes.tolist() == [n]
    assert net.data_date is None


# --------------------------------------------------------------------------- issue 12: faults


def tampered(tiny: Path, tmp_path: Path, name: str, change: object) -> Path:
    """A network file built from ``tiny`` with member ``name`` replaced by ``change(array)``."""
    data, _ = _netbuild.build_network([tiny])
    out = tmp_path / f"bad-{name.removesuffix('.npy')}.rrnet"
    with zipfile.ZipFile(_io(data)) as src_zip, zipfile.ZipFile(out, "w") as dst:
        for member in src_zip.namelist():
            body = src_zip.read(member)
            if member == name:
                array = np.load(_io(body), allow_pickle=False)
                buf = io.BytesIO()
                np.save(buf, change(array))  # type: ignore[operator]
                body = buf.getvalue()
            dst.writestr(member, body)
    return out


def _with(array: np.ndarray, index: tuple[int, ...], value: float, dtype: object = None
          ) -> np.ndarray:
    out = array.astype(dtype or array.dtype)
    out[index] = value
    return out


@pytest.mark.parametrize(("name", "change", "words"), [
    ("edge_len_cm.npy", lambda a: _with(a, (0,), -500), "1 street length(s) are negative"),
    ("edge_len_cm.npy", lambda a: _with(a, (2,), np.nan, np.float64),
     "1 street length(s) are negative or not numbers (street 2: nan)"),
    ("node_lonlat.npy", lambda a: _with(a, (0, 1), np.nan, np.float64),
     "node_lonlat holds float64 values, not integers"),
    ("node_lonlat.npy", lambda a: _with(a, (1, 1), 950_000_000), "node position(s) out of range"),
    ("edge_uv.npy", lambda a: _with(a, (0, 1), 10_000), "edge_uv refers to nodes outside"),
    ("edge_tags.npy", lambda a: _with(a, (0,), 99), "edge_tags refers to tag sets outside"),
    ("edge_vertices.npy", lambda a: _with(a, (0,), 7), "edge_vertices counts"),
    ("edge_len_cm.npy", lambda a: a[:-1], "edge_len_cm has 8 rows for 9 streets"),
    ("node_lonlat.npy", lambda a: a[:, :1], "node_lonlat has shape"),
])
def test_a_damaged_network_file_is_one_clear_error(tiny: Path, tmp_path: Path, name: str,
                                                   change: object, words: str) -> None:
    """NaN or negative lengths, positions out of range, indices past the end: one
    NetworkError naming the file, never an IndexError or a NaN walk."""
    path = tampered(tiny, tmp_path, name, change)
    with pytest.raises(NetworkError) as info:
        _bundle.load_network_file(path, bbox=CENTRE, min_component_nodes=1)
    assert str(info.value).startswith(f"network file {str(path)!r} is damaged: ")
    assert words in str(info.value)


def test_builder_counts_ways_with_missing_nodes(tmp_path: Path) -> None:
    """The stretches over a missing node are left out, with one warning; the rest stays."""
    path = tmp_path / "cut.osm"
    ways = dict(WAYS) | {107: ([4, 777, 8], {"highway": "footway"}),
                         108: ([9, 778], {"highway": "footway"})}
    path.write_text(osm_xml(NODES, ways), encoding="utf-8")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        _, summary = _netbuild.build_network([path])
    messages = [str(w.message) for w in record]
    assert messages == ["cut.osm: 2 ways refer to nodes missing from the extract; the "
                        "stretches over them were left out"]
    assert summary.edges >= 9


@pytest.mark.parametrize("value", ["nan", "95x", ""])
def test_builder_node_with_a_bad_coordinate_is_one_error(runner: CliRunner, tmp_path: Path,
                                                         value: str) -> None:
    """pyosmium refuses the file; the builder says so in one line (was a traceback)."""
    text = osm_xml(NODES, WAYS).replace(f'lat="{LAT0 + NODES[1][1] / 1000:.7f}"',
                                        f'lat="{value}"', 1)
    path = tmp_path / "nan.osm"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["network", "build", str(path), "-o",
                                  str(tmp_path / "x.rrnet")])
    assert "cannot read OSM extract" in one_error(result)
    assert not (tmp_path / "x.rrnet").exists()
