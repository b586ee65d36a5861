"""The walking network: areas, pedestrian rules, snapping, streets (sources: test_sources)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import networkx as nx
import pytest

from redroute import _sources as src
from redroute import coords
from redroute import network as nw
from redroute._errors import NetworkError, NetworkWarning

XINTIANDI = nw.BBox(31.2150, 121.4600, 31.2300, 121.4800)


#: Metres per degree on the sphere of ``coords.haversine_m``.
M_PER_DEG = 111_195.0


def bent(lon0: float = 121.47, lat0: float = 31.22) -> tuple[nx.MultiDiGraph,
                                                             tuple[float, float]]:
    """One L-shaped street: 100 m east from node 0 to a corner, then 100 m north to node 1.

    Returns the graph and the corner ``(lon, lat)``.
    """
    from shapely import LineString

    dlon = 100 / (M_PER_DEG * math.cos(math.radians(lat0)))
    dlat = 100 / M_PER_DEG
    corner = (lon0 + dlon, lat0)
    g = nx.MultiDiGraph(crs="epsg:4326")
    g.add_node(0, x=lon0, y=lat0)
    g.add_node(1, x=lon0 + dlon, y=lat0 + dlat)
    g.add_edge(0, 1, highway="residential", length=200.0, name="拐弯路",
               geometry=LineString([(lon0, lat0), corner, (lon0 + dlon, lat0 + dlat)]))
    return g, corner


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
        # cross-river and under-road tunnels are for motor traffic only
        ({"highway": "secondary", "tunnel": "yes", "name": "外滩隧道"}, False),
        ({"highway": "secondary", "tunnel": "yes", "layer": "-1"}, False),
        ({"highway": "primary", "tunnel": "yes", "name": "中山南路地道"}, False),
        ({"highway": "secondary_link", "name": "新建路隧道"}, False),  # ramp, no tunnel tag
        ({"highway": "secondary_link", "layer": "-1", "name": "人民路隧道"}, False),
        ({"highway": "residential", "tunnel": "yes", "foot": "yes"}, True),
        ({"highway": "footway", "tunnel": "yes"}, True),  # a pedestrian underpass
        ({"highway": "residential", "tunnel": "building_passage"}, True),
        # elevated decks and their ramps; street bridges over Suzhou Creek stay walkable
        ({"highway": "primary", "bridge": "yes", "layer": "3", "name": "共和新路"}, False),
        ({"highway": "primary", "bridge": "yes", "layer": "1", "name": "外白渡桥"}, True),
        ({"highway": "primary_link", "name": "延安高架路匝道"}, False),
        ({"highway": "primary", "bridge": "yes", "layer": "2", "foot": "yes"}, True),
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
    net = src.network_from_graph(g, source="extract", origin="test", bbox=XINTIANDI,
                                simplify=False)
    assert net.node_count == 16


def test_nothing_walkable_is_an_error() -> None:
    with pytest.raises(NetworkError, match="no walkable street in the area"):
        src.network_from_graph(grid(3, highway="motorway"), source="extract", origin="t.osm",
                              bbox=XINTIANDI)


# --------------------------------------------------------------------------- snapping


def test_snap_joins_the_middle_of_an_edge() -> None:
    net = src.network_from_graph(grid(2, block=0.002), source="extract", origin="t",
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
    net = src.network_from_graph(grid(2), source="extract", origin="t", bbox=XINTIANDI,
                                simplify=False)
    with pytest.warns(NetworkWarning, match="from the nearest walkable street"):
        (s,) = net.snap([(121.48, 31.22)])
    assert s.far
    assert s.distance_m > 300


def test_snap_on_a_bent_edge_lands_where_the_offset_says() -> None:
    """150 m along an L of 100 m + 100 m is 50 m up its second arm. Interpolating the
    fraction in degrees would put it on the first arm, about 7 m from there."""
    g, (clon, clat) = bent()
    net = src.network_from_graph(g, source="extract", origin="t", bbox=XINTIANDI,
                                 simplify=False)
    up = 50 / M_PER_DEG
    east = 5 / (M_PER_DEG * math.cos(math.radians(clat)))
    (s,) = net.snap([(clon + east, clat + up)])  # 5 m east of the second arm
    idx = net.index
    from_start = int(idx.edge_u[s.edge]) == 0
    assert s.offset_m == pytest.approx(150.0 if from_start else 50.0, abs=0.5)
    assert s.distance_m == pytest.approx(5.0, abs=0.1)
    assert coords.haversine_m(*s.snapped, clon, clat + up) < 0.5


def test_points_along_a_bent_edge_are_placed_in_metres() -> None:
    g, (clon, clat) = bent()
    net = src.network_from_graph(g, source="extract", origin="t", bbox=XINTIANDI,
                                 simplify=False)
    idx = net.index
    e = 0
    start = tuple(idx.edge_geom[e][0])
    for frac, metres in ((0.25, 50.0), (0.5, 100.0), (0.75, 150.0)):
        p = idx.point_at(e, frac)
        walked = (coords.haversine_m(*start, clon, clat) + coords.haversine_m(clon, clat, *p)
                  if metres > 100 else coords.haversine_m(*start, *p))
        assert walked == pytest.approx(metres, abs=0.5)
    assert idx.point_at(e, 0.0) == start
    part = idx.part(e, 0.75, 0.25)  # backwards, across the corner
    assert part[0] == idx.point_at(e, 0.75)
    assert part[-1] == idx.point_at(e, 0.25)
    assert (clon, clat) in part


# --------------------------------------------------------------------------- streets


def test_streets_each_once_with_their_names() -> None:
    net = src.network_from_graph(grid(3), source="extract", origin="t", bbox=XINTIANDI,
                                 simplify=False)
    streets = list(net.streets())
    assert len(streets) == net.edge_count == 12
    first = streets[0]
    assert first.geometry.shape == (2, 2)
    assert first.highway == "residential"
    assert first.name is not None and first.name.startswith("街")
    assert first.name_en is None


def test_streets_in_a_box() -> None:
    net = src.network_from_graph(grid(3), source="extract", origin="t", bbox=XINTIANDI,
                                 simplify=False)
    # The south-west block's corner only: the two streets that leave node 0 and, touching
    # it, nothing else.
    box = nw.BBox(31.2199, 121.4699, 31.2201, 121.4701)
    found = list(net.streets(box))
    assert len(found) == 2
    assert all((121.47, 31.22) in {tuple(p) for p in st.geometry} for st in found)
    assert list(net.streets(nw.BBox(31.30, 121.60, 31.31, 121.61))) == []


def test_an_estimate_has_no_streets() -> None:
    assert list(src.estimate_network(XINTIANDI).streets()) == []


# --------------------------------------------------------------------------- issue 12: lengths


@pytest.mark.parametrize("length", [None, math.nan, -50.0, "not a number"])
def test_a_missing_or_invalid_length_is_measured_along_the_geometry(length: object) -> None:
    """A graph edge without a usable ``length`` is not free to walk (nor NaN)."""
    g, _ = bent()
    for _, _, data in g.edges(data=True):
        if length is None:
            del data["length"]
        else:
            data["length"] = length
    net = src.network_from_graph(g, source="extract", origin="test", bbox=XINTIANDI)
    assert net.index.edge_len.tolist() == pytest.approx([200.0], rel=1e-3)
