"""Travel matrices (against networkx), leg geometry and directions."""

from __future__ import annotations

import math
import warnings
from itertools import pairwise
from typing import Any

import networkx as nx
import numpy as np
import pytest

from redroute import _sources as src
from redroute import coords
from redroute import network as nw
from redroute._errors import NetworkError, NetworkWarning, PlanError
from redroute.directions import Segment, build_steps, english_street_name
from redroute.matrix import TravelMatrix, travel_matrix, walking_speed

from .conftest import need_shared
from .test_network import M_PER_DEG, XINTIANDI, bent, grid

FOUNDING = ["first-congress-site", "first-congress-memorial-hall", "old-yuyangli-2",
            "new-yuyangli-6", "chengyuli-12", "shanghai-history-museum", "bowen-girls-school"]


def reference_distances(matrix: TravelMatrix) -> np.ndarray:
    """The same matrix by a networkx Dijkstra per stop, on a graph built independently."""
    net, snaps = matrix.network, matrix.snaps
    idx = net.index
    g = nx.Graph()
    for u, v, w in zip(idx.edge_u, idx.edge_v, idx.edge_len, strict=True):
        g.add_edge(int(u), int(v), weight=max(float(w), 1e-6))
    n = len(idx.node_ids)
    for k, s in enumerate(snaps):
        u, v, length = int(idx.edge_u[s.edge]), int(idx.edge_v[s.edge]), idx.edge_len[s.edge]
        g.add_edge(("p", k), u, weight=max(s.offset_m, 1e-6))
        g.add_edge(("p", k), v, weight=max(float(length) - s.offset_m, 1e-6))
        for j, t in enumerate(snaps[:k]):
            if t.edge == s.edge:
                g.add_edge(("p", k), ("p", j), weight=max(abs(s.offset_m - t.offset_m), 1e-6))
    conn = [s.distance_m * (net.detour_factor if s.far else 1.0) for s in snaps]
    out = np.zeros((len(snaps), len(snaps)))
    for i in range(len(snaps)):
        lengths = nx.single_source_dijkstra_path_length(g, ("p", i))
        for j in range(len(snaps)):
            if i != j:
                out[i, j] = lengths[("p", j)] + conn[i] + conn[j]
    assert n == g.number_of_nodes() - len(snaps)
    return out


@pytest.fixture(scope="module")
def founding() -> TravelMatrix:
    from redroute.catalogue import load_catalogue

    path = need_shared("data/osm/shanghai-core-merged.osm")
    cat = load_catalogue()
    pts = [(cat.get(i).lon, cat.get(i).lat) for i in FOUNDING]
    net = src.walk_network(nw.BBox.around(pts), network=str(path))
    return travel_matrix(net, pts, pace="standard")


def test_matrix_matches_networkx_on_the_real_extract(founding: TravelMatrix) -> None:
    """Walked pairs match an independent networkx Dijkstra; the pairs the patchy extract
    would send round its gaps (longer than 3x the straight line and 1 km more) are the ones,
    and the only ones, estimated instead."""
    from redroute.matrix import MAX_DETOUR_EXTRA_M, MAX_DETOUR_RATIO

    reference = reference_distances(founding)
    crow = np.array([[coords.haversine_m(*p, *q) for q in founding.points]
                     for p in founding.points])
    gaps = reference > np.maximum(MAX_DETOUR_RATIO * crow, crow + MAX_DETOUR_EXTRA_M)
    np.testing.assert_array_equal(founding.estimated, gaps)
    walked = ~gaps
    np.testing.assert_allclose(founding.distance_m[walked], reference[walked], atol=1e-6)
    np.testing.assert_allclose(founding.distance_m[gaps],
                               crow[gaps] * founding.network.detour_factor)


def test_a_walk_round_a_gap_in_the_data_is_estimated() -> None:
    """Two points 100 m apart on two arms of a U of streets 1.2 km long: the walk round the
    U is far longer than any real detour (3x the line and 1 km more), so the network is
    missing a street there; the leg is estimated and marked, not walked round."""
    import networkx as nx

    from redroute.coords import haversine_m

    g = nx.MultiDiGraph(crs="epsg:4326")
    lat0, lon0 = 31.22, 121.47
    dlat = 1 / M_PER_DEG
    dlon = 1 / (M_PER_DEG * math.cos(math.radians(lat0)))
    corners = [(lon0, lat0), (lon0, lat0 - 600 * dlat), (lon0 + 100 * dlon, lat0 - 600 * dlat),
               (lon0 + 100 * dlon, lat0)]
    for k, (x, y) in enumerate(corners):
        g.add_node(k, x=x, y=y)
    for a, b in pairwise(range(4)):
        g.add_edge(a, b, highway="residential", name="U路",
                   length=haversine_m(*corners[a], *corners[b]))
    net = src.network_from_graph(g, source="extract", origin="t", bbox=XINTIANDI,
                                 simplify=False)
    a, b = (lon0 + 5 * dlon, lat0 - 10 * dlat), (lon0 + 95 * dlon, lat0 - 10 * dlat)
    m = travel_matrix(net, [a, b])
    crow = coords.haversine_m(*a, *b)
    assert m.estimated[0, 1]
    assert m.distance_m[0, 1] == pytest.approx(crow * net.detour_factor)
    leg = m.leg(0, 1)
    assert leg.estimated and leg.geometry == [a, b]


def test_matrix_is_symmetric_with_zero_diagonal(founding: TravelMatrix) -> None:
    np.testing.assert_allclose(founding.distance_m, founding.distance_m.T, atol=1e-6)
    assert (np.diag(founding.distance_m) == 0).all()


def test_walking_beats_no_street_but_not_the_crow(founding: TravelMatrix) -> None:
    pts = founding.points
    for i in range(len(pts)):
        for j in range(len(pts)):
            if i != j:
                crow = coords.haversine_m(*pts[i], *pts[j])
                assert founding.distance_m[i, j] >= crow - 1


def test_durations_follow_the_pace(founding: TravelMatrix) -> None:
    np.testing.assert_allclose(founding.duration_s, founding.distance_m / (4.5 / 3.6))
    senior = travel_matrix(founding.network, founding.points, pace="senior")
    np.testing.assert_allclose(senior.duration_s, founding.distance_m / (3.5 / 3.6))


def test_leg_geometry_runs_from_stop_to_stop(founding: TravelMatrix) -> None:
    leg = founding.leg(0, 4)  # 1st Congress site -> Chengyuli
    assert leg.geometry[0] == founding.points[0]
    assert leg.geometry[-1] == founding.points[4]
    walked = sum(coords.haversine_m(*a, *b) for a, b in pairwise(leg.geometry))
    assert walked == pytest.approx(leg.distance_m, rel=0.02)
    assert leg.duration_s == pytest.approx(founding.duration_s[0, 4])
    assert sum(s.distance_m for s in leg.steps) == pytest.approx(leg.distance_m, rel=0.01)
    # The site lies back from 兴业路: the leg walks there first, then along the streets.
    assert leg.steps[0].kind == "connector"
    assert leg.steps[0].text_zh.endswith("到达兴业路")
    assert leg.steps[0].text_en.endswith("to Xingye Road")
    assert leg.steps[1].text_zh.startswith("沿")
    assert leg.steps[-1].kind == "connector"
    assert leg.steps[-1].text_en.startswith("Walk about ")
    assert any("黄陂南路" in s.text_zh for s in leg.steps)
    assert any("South Huangpi Road" in s.text_en for s in leg.steps)
    assert founding.leg(0, 4) is leg  # built once


def test_mid_block_stops_start_where_they_are() -> None:
    """Two stops on one 200 m block, 20 m north of it: the walk is along the block."""
    net = src.network_from_graph(grid(2, block=0.002), source="extract", origin="t",
                                bbox=XINTIANDI, simplify=False)
    a = (121.4705, 31.22018)
    b = (121.4715, 31.22018)
    m = travel_matrix(net, [a, b])
    along = coords.haversine_m(121.4705, 31.22, 121.4715, 31.22)
    assert m.distance_m[0, 1] == pytest.approx(along + 2 * 20.0, abs=1.0)
    leg = m.leg(0, 1)
    assert [s.kind for s in leg.steps] == ["connector", "street", "connector"]
    assert leg.steps[1].text_en.startswith("Walk east on ")


def test_a_leg_from_a_stop_off_the_street_begins_with_its_connector() -> None:
    """Issue 11: a stop 40 m back from its street walks to the street ("步行约 40 米到达...")
    and at the end to the site; no step turns onto a path that does not exist."""
    net = src.network_from_graph(grid(2, block=0.002), source="extract", origin="t",
                                bbox=XINTIANDI, simplify=False)
    a = (121.4705, 31.22 + 40 / M_PER_DEG)
    b = (121.4715, 31.22 + 30 / M_PER_DEG)
    m = travel_matrix(net, [a, b])
    first, street, last = m.leg(0, 1).steps
    name = street.name_zh
    assert name is not None and street.name_en is not None
    assert (first.text_zh, first.text_en) == (f"步行约 40 米到达{name}",
                                              f"Walk about 40 m to {street.name_en}")
    assert first.kind == "connector" and first.name_zh is None and not first.estimated
    assert first.distance_m == pytest.approx(40, abs=0.5)
    assert street.turn is None and street.text_en.startswith("Walk east on ")
    assert (last.text_zh, last.text_en) == ("步行约 30 米到达目的地", "Walk about 30 m to the site")
    assert m.leg(0, 1).geometry[0] == a and m.leg(0, 1).geometry[-1] == b


def test_estimate_mode() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        net = src.walk_network(XINTIANDI, network="estimate")
    a, b = (121.4705, 31.2220), (121.4643, 31.2214)
    m = travel_matrix(net, [a, b], pace="family")
    crow = coords.haversine_m(*a, *b)
    assert m.distance_m[0, 1] == pytest.approx(crow * 1.3)
    assert m.duration_s[0, 1] == pytest.approx(crow * 1.3 / (3.0 / 3.6))
    assert m.estimated[0, 1]
    assert not m.estimated[0, 0]
    leg = m.leg(0, 1)
    assert leg.estimated
    assert leg.geometry == [a, b]
    assert "估算" in leg.steps[0].text_zh and "estimated" in leg.steps[0].text_en


def test_far_stop_gets_an_estimated_connector() -> None:
    net = src.network_from_graph(grid(2), source="extract", origin="t", bbox=XINTIANDI,
                                simplify=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        m = travel_matrix(net, [(121.4705, 31.2201), (121.4800, 31.2200)])
    assert m.estimated[0, 1]
    assert m.leg(0, 1).estimated
    assert m.leg(0, 1).steps[-1].estimated


def test_a_leg_is_never_longer_than_its_estimate_because_the_network_ends() -> None:
    """A stop far off the network (Longhua cemetery on a central-Shanghai network) is reached
    by an estimated leg: great-circle x detour, never the walk to the network's far corner
    and back."""
    net = src.network_from_graph(grid(3), source="extract", origin="t", bbox=XINTIANDI,
                                 simplify=False)
    on = (121.4705, 31.2201)
    # 1.6 km south-east of a grid that spans 200 m: the nearest edge is at its corner.
    off_a, off_b = (121.4850, 31.2080), (121.4860, 31.2075)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        m = travel_matrix(net, [on, off_a, off_b])
    crow = np.array([[coords.haversine_m(*p, *q) for q in m.points] for p in m.points])
    for i, j in [(0, 1), (1, 0), (0, 2), (1, 2)]:
        assert m.estimated[i, j]
        assert m.distance_m[i, j] == pytest.approx(crow[i, j] * net.detour_factor)
    # Two off-network stops 100 m apart stay 100 m x detour apart, not 3 km via the grid.
    assert m.distance_m[1, 2] < 200
    leg = m.leg(1, 2)
    assert leg.estimated and leg.geometry == [off_a, off_b]


def test_leg_on_a_bent_street_joins_its_snaps() -> None:
    """Round the corner of an L-shaped street: the walk leaves the street exactly where the
    stop joins it, passes the corner and measures what the matrix says."""
    g, (clon, clat) = bent()
    net = src.network_from_graph(g, source="extract", origin="t", bbox=XINTIANDI,
                                 simplify=False)
    east = 1 / (M_PER_DEG * math.cos(math.radians(clat)))
    a = (clon - 50 * east, clat - 10 / M_PER_DEG)  # 10 m south of the first arm's middle
    b = (clon + 10 * east, clat + 50 / M_PER_DEG)  # 10 m east of the second arm's middle
    m = travel_matrix(net, [a, b])
    assert m.distance_m[0, 1] == pytest.approx(10 + 100 + 10, abs=0.5)
    leg = m.leg(0, 1)
    assert leg.geometry == [a, m.snaps[0].snapped, (clon, clat), m.snaps[1].snapped, b]
    assert coords.haversine_m(*m.snaps[0].snapped, clon - 50 * east, clat) < 0.5
    assert coords.haversine_m(*m.snaps[1].snapped, clon, clat + 50 / M_PER_DEG) < 0.5
    walked = sum(coords.haversine_m(*p, *q) for p, q in pairwise(leg.geometry))
    assert walked == pytest.approx(leg.distance_m, abs=0.5)
    assert m.leg(1, 0).geometry == leg.geometry[::-1]


def test_bounded_searches_find_every_distance(monkeypatch: pytest.MonkeyPatch) -> None:
    """The searches stop at limits from the triangle inequality: the distances are still
    those of an unbounded search, and the legs still reach their stops."""
    from scipy.sparse import csgraph

    limits: list[float] = []
    dijkstra = csgraph.dijkstra

    def spy(*args: Any, **kwargs: Any) -> Any:
        limits.append(kwargs.get("limit", math.inf))
        return dijkstra(*args, **kwargs)

    monkeypatch.setattr(csgraph, "dijkstra", spy)
    net = src.network_from_graph(grid(14, block=0.0008), source="extract", origin="t",
                                 bbox=XINTIANDI, simplify=False)
    rng = np.random.default_rng(5)
    # Stops in the middle of a network that reaches well beyond them, one near its edge.
    pts = [(121.4745 + float(x), 31.2245 + float(y))
           for x, y in rng.uniform(-0.0015, 0.0015, (8, 2))] + [(121.4702, 31.2203)]
    m = travel_matrix(net, pts)
    np.testing.assert_allclose(m.distance_m, reference_distances(m), atol=1e-6)
    assert np.isfinite(limits).sum() >= len(pts) - 2  # only the first search is unbounded
    assert len(limits) == len(pts) - 1  # and the last stop needs none of its own
    for i, j in [(0, 8), (8, 0), (3, 5)]:
        leg = m.leg(i, j)
        assert leg.geometry[0] == pts[i] and leg.geometry[-1] == pts[j]
        walked = sum(coords.haversine_m(*p, *q) for p, q in pairwise(leg.geometry))
        assert walked == pytest.approx(leg.distance_m, rel=0.01)


def test_matrix_is_complete_when_built() -> None:
    """A TravelMatrix is frozen: everything is computed before it is constructed."""
    import dataclasses

    net = src.network_from_graph(grid(2), source="extract", origin="t", bbox=XINTIANDI,
                                 simplify=False)
    m = travel_matrix(net, [(121.4705, 31.2201), (121.4710, 31.2209)])
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.speed_kmh = 3.0  # type: ignore[misc]
    assert m.distance_m.shape == (2, 2)


@pytest.mark.parametrize(("pace", "kmh"), [("standard", 4.5), ("senior", 3.5), ("family", 3.0),
                                           (5, 5.0), ("4.2", 4.2)])
def test_walking_speed(pace: Any, kmh: float) -> None:
    assert walking_speed(pace) == kmh


@pytest.mark.parametrize("pace", ["jogging", 0, 42])
def test_bad_pace(pace: Any) -> None:
    """A bad pace is a request error (PlanError, a ValueError), not a network failure."""
    with pytest.raises(PlanError) as info:
        walking_speed(pace)
    assert not isinstance(info.value, NetworkError)
    assert isinstance(info.value, ValueError)


# --------------------------------------------------------------------------- directions


def seg(name: str | None, *pts: tuple[float, float]) -> Segment:
    length = sum(coords.haversine_m(*a, *b) for a, b in pairwise(pts))
    return Segment(list(pts), length, name)


def test_directions_name_street_bearing_and_turn() -> None:
    east = seg("南昌路", (121.4640, 31.2210), (121.4665, 31.2210))  # ~238 m east
    north = seg("雁荡路", (121.4665, 31.2210), (121.4665, 31.2230))  # ~222 m north
    first, second = build_steps([east, north])
    assert first.text_zh == "沿南昌路向东步行 240 米"
    assert first.text_en == "Walk east on Nanchang Road for 240 m"
    assert second.turn == "left"
    assert second.text_zh == "左转，沿雁荡路向北步行 220 米"
    assert second.text_en == "Turn left onto Yandang Road and walk north for 220 m"


def test_directions_merge_a_short_unnamed_crossing() -> None:
    a = seg("淮海中路", (121.4600, 31.2200), (121.4620, 31.2200))
    crossing = seg(None, (121.4620, 31.2200), (121.4622, 31.2200))
    b = seg("淮海中路", (121.4622, 31.2200), (121.4650, 31.2200))
    (step,) = build_steps([a, crossing, b])
    assert step.text_en.startswith("Walk east on Middle Huaihai Road")


def test_directions_right_turn_and_unnamed_path() -> None:
    north = seg("多伦路", (121.4770, 31.2640), (121.4770, 31.2660))
    east = seg(None, (121.4770, 31.2660), (121.4790, 31.2660))
    _, step = build_steps([north, east])
    assert step.turn == "right"
    assert step.text_zh.startswith("右转，沿小路向东步行")
    assert step.text_en.startswith("Turn right onto a path and walk east")


@pytest.mark.parametrize(
    ("zh", "en"),
    [("南昌路", "Nanchang Road"), ("淮海中路", "Middle Huaihai Road"),
     ("延安东路", "East Yan'an Road"), ("四川北路", "North Sichuan Road"),
     ("中山东一路", "East Zhongshan No. 1 Road"), ("人民大道", "Renmin Avenue"),
     ("多伦路", "Duolun Road"), ("成裕里", "Chengyuli"), ("Bund", "Bund")],
)
def test_english_street_names(zh: str, en: str) -> None:
    assert english_street_name(zh) == en


def test_osm_english_name_wins() -> None:
    step, = build_steps([Segment([(121.47, 31.22), (121.472, 31.22)], 190.0, "人民大道",
                                 "People's Avenue")])
    assert step.text_en == "Walk east on People's Avenue for 190 m"


def test_bearing_is_clockwise_from_north() -> None:
    from redroute.directions import bearing, compass

    assert bearing((121.0, 31.0), (121.0, 31.1)) == pytest.approx(0, abs=0.01)
    assert bearing((121.0, 31.0), (121.1, 31.0)) == pytest.approx(90, abs=0.1)
    assert compass(225) == ("西南", "south-west")
    assert math.isclose(bearing((121.0, 31.1), (121.0, 31.0)), 180, abs_tol=0.01)
