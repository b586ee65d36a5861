"""The itinerary model: building, JSON round trip and GeoJSON."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import warnings
from itertools import pairwise
from pathlib import Path

import pytest

from redroute import _sources
from redroute import network as nw
from redroute._errors import NetworkWarning
from redroute.catalogue import Catalogue, load_catalogue
from redroute.itinerary import (
    SCHEMA_ID,
    Itinerary,
    ItineraryError,
    Place,
    build_itinerary,
    itinerary_from_dict,
    load_itinerary,
)
from redroute.matrix import travel_matrix
from redroute.solver import Exclusion, Reason, Solution, Visit

DAY = dt.date(2026, 12, 5)  # a Saturday
START = Place("人民广场", "People's Square", 121.4737, 31.2317, "peoples-square")


@pytest.fixture(scope="module")
def cat(mini_path_module: Path) -> Catalogue:
    return load_catalogue(mini_path_module)


@pytest.fixture(scope="module")
def mini_path_module() -> Path:
    return Path(__file__).resolve().parent / "data" / "mini.geojson"


def make(cat: Catalogue, *, round_trip: bool = True) -> Itinerary:
    """Start -> 1st Congress site -> Old Yuyangli (-> start) on the estimated network."""
    lms = [None, cat.get("first-congress-site"), cat.get("old-yuyangli-2"),
           cat.get("street-plaque")]
    pts = [(START.lon, START.lat)] + [(lm.lon, lm.lat) for lm in lms[1:] if lm]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        net = _sources.walk_network(nw.BBox.around(pts), network="estimate")
    m = travel_matrix(net, pts)
    t01, t12, t20 = m.duration_s[0, 1], m.duration_s[1, 2], m.duration_s[2, 0]
    a1 = 9 * 3600 + t01
    v1 = Visit(1, a1, 0.0, a1, a1 + 3600)
    a2 = v1.end + t12
    start2 = a2 + 20 * 60  # arrives 20 minutes before it opens
    v2 = Visit(2, a2, start2 - a2, start2, start2 + 1800)
    visits = (v1, v2)
    finish = v2.end + t20 if round_trip else v2.end
    sol = Solution(order=(1, 2), visits=visits, start_node=0,
                   end_node=0 if round_trip else None, departure=9 * 3600, finish=finish,
                   score=10, travel_time=t01 + t12 + (t20 if round_trip else 0),
                   distance=None, optimal=True,
                   excluded={3: Exclusion(Reason.LOWER_SCORE, "street-plaque left out", (),
                                          None)})
    return build_itinerary(sol, m, lms, day=DAY, start=START, end=START if round_trip else None,
                           title_zh="建党之路", title_en="The founding walk", pace="standard",
                           mandatory=(1,))


def test_build_round_trip(cat: Catalogue) -> None:
    it = make(cat)
    assert [s.id for s in it.stops] == ["first-congress-site", "old-yuyangli-2"]
    assert [s.number for s in it.stops] == [1, 2]
    assert [(leg.origin, leg.destination) for leg in it.legs] == [
        ("start", "first-congress-site"), ("first-congress-site", "old-yuyangli-2"),
        ("old-yuyangli-2", "end")]
    assert it.departure == dt.datetime(2026, 12, 5, 9, 0)
    assert it.legs[1].depart == it.stops[0].end
    assert it.legs[0].arrive == it.stops[0].arrival
    assert it.stops[0].mandatory and not it.stops[1].mandatory
    assert it.stops[0].hours_today == "09:00-17:00"
    assert it.estimated
    assert it.distance_m == pytest.approx(sum(leg.distance_m for leg in it.legs))
    assert it.total_minutes == pytest.approx(
        it.walking_minutes + it.visiting_minutes + it.waiting_minutes, abs=0.1)
    (left,) = it.excluded
    assert (left.id, left.reason, left.reason_en) == (
        "street-plaque", "lower-score", "lower priority than the stops kept")


def test_open_ended_tour_has_no_last_leg(cat: Catalogue) -> None:
    it = make(cat, round_trip=False)
    assert len(it.legs) == 2
    assert it.end is None
    assert it.finish == it.stops[-1].end


def test_json_round_trip(cat: Catalogue, tmp_path: Path) -> None:
    it = make(cat)
    path = tmp_path / "it.json"
    path.write_text(it.to_json(), encoding="utf-8")
    again = load_itinerary(path)
    assert again.to_json() == it.to_json()
    assert json.loads(it.to_json())["schema"] == SCHEMA_ID


def test_json_errors(cat: Catalogue, tmp_path: Path) -> None:
    data = make(cat).to_dict()
    with pytest.raises(ItineraryError, match="written by another version"):
        itinerary_from_dict({**data, "schema": "redroute-itinerary/99"})
    broken = json.loads(json.dumps(data))
    del broken["stops"][0]["arrival"]
    with pytest.raises(ItineraryError, match="stops/0: 'arrival' is a required property"):
        itinerary_from_dict(broken, source="x.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": ', encoding="utf-8")
    with pytest.raises(ItineraryError, match="line 1, column 12: invalid JSON"):
        load_itinerary(bad)
    with pytest.raises(ItineraryError, match="does not exist"):
        load_itinerary(tmp_path / "none.json")


def test_geojson(cat: Catalogue) -> None:
    gj = make(cat).to_geojson()
    kinds = [f["properties"]["kind"] for f in gj["features"]]
    assert kinds.count("stop") == 2
    assert kinds.count("leg") == 3
    assert {"start", "end"} <= set(kinds)
    legs = [f for f in gj["features"] if f["properties"]["kind"] == "leg"]
    assert all(f["geometry"]["type"] == "LineString" for f in legs)
    assert all(f["properties"]["estimated"] for f in legs)
    assert "OpenStreetMap" in gj["properties"]["attribution"]


def test_geojson_legs_carry_their_times(cat: Catalogue) -> None:
    """Each leg's ``depart`` / ``arrive`` are local HH:MM, like the stops' times."""
    it = make(cat)
    features = it.to_geojson()["features"]
    legs = [f["properties"] for f in features if f["properties"]["kind"] == "leg"]
    stops = [f["properties"] for f in features if f["properties"]["kind"] == "stop"]
    assert [(p["number"], p["origin"], p["destination"]) for p in legs] == [
        (1, "start", "first-congress-site"), (2, "first-congress-site", "old-yuyangli-2"),
        (3, "old-yuyangli-2", "end")]
    assert [(p["depart"], p["arrive"]) for p in legs] == [
        (f"{leg.depart:%H:%M}", f"{leg.arrive:%H:%M}") for leg in it.legs]
    assert legs[0]["depart"] == "09:00"
    assert legs[0]["arrive"] == stops[0]["arrival"]
    assert legs[1]["depart"] == stops[0]["end"]
    assert legs[1]["arrive"] == stops[1]["arrival"]


def _starts_at_first_stop(cat: Catalogue) -> Itinerary:
    """A 2-stop open walk that starts at its first stop: its first leg has length zero."""
    first, second = cat.get("first-congress-site"), cat.get("old-yuyangli-2")
    here = Place(first.name_zh, first.name_en, first.lon, first.lat, first.id)
    pts = [(first.lon, first.lat), (first.lon, first.lat), (second.lon, second.lat)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        net = _sources.walk_network(nw.BBox.around(pts), network="estimate")
    m = travel_matrix(net, pts)
    v1 = Visit(1, 9 * 3600, 0.0, 9 * 3600, 10 * 3600)
    a2 = v1.end + m.duration_s[1, 2]
    v2 = Visit(2, a2, 0.0, a2, a2 + 1800)
    sol = Solution(order=(1, 2), visits=(v1, v2), start_node=0, end_node=None,
                   departure=9 * 3600, finish=v2.end, score=2, travel_time=m.duration_s[1, 2],
                   distance=None, optimal=True, excluded={})
    return build_itinerary(sol, m, [None, first, second], day=DAY, start=here, end=None,
                           title_zh="两站", title_en="Two stops")


def test_geojson_has_no_degenerate_line(cat: Catalogue) -> None:
    """A leg that goes nowhere gets no LineString; every LineString has 2 distinct points."""
    it = _starts_at_first_stop(cat)
    assert it.legs[0].distance_m == 0
    assert len(set(it.legs[0].geometry)) <= 1
    features = it.to_geojson()["features"]
    lines = [f for f in features if f["geometry"]["type"] == "LineString"]
    assert [f["properties"]["number"] for f in lines] == [2]
    (line,) = lines
    coords = [tuple(p) for p in line["geometry"]["coordinates"]]
    assert len(coords) >= 2
    assert all(a != b for a, b in pairwise(coords))
    assert line["properties"]["origin"] == "first-congress-site"
    # The walk's start and both stops are still there as Points.
    kinds = sorted(f["properties"]["kind"] for f in features if f["geometry"]["type"] == "Point")
    assert kinds == ["start", "stop", "stop"]


def test_geojson_drops_repeated_points_inside_a_leg(cat: Catalogue) -> None:
    """A point repeated along a leg (two segments meeting) appears once in the LineString."""
    it = make(cat, round_trip=False)
    leg = it.legs[0]
    a, b = leg.geometry[0], leg.geometry[-1]
    doubled = dataclasses.replace(leg, geometry=[a, a, b, b])
    it.legs[0] = doubled
    line = next(f for f in it.to_geojson()["features"] if f["properties"]["kind"] == "leg")
    assert line["geometry"]["coordinates"] == [list(a), list(b)]


# --------------------------------------------------------------------------- network data


def on_streets(cat: Catalogue, *, data_date: str | None) -> Itinerary:
    """Start -> two stops on a synthetic street grid, the stops 40 m back from a street."""
    from .test_network import grid

    net = _sources.network_from_graph(grid(2, block=0.002), source="extract", origin="t",
                                      bbox=nw.BBox(31.2150, 121.4600, 31.2300, 121.4800),
                                      simplify=False)
    # The field lands with the bundled network; set it as a plain attribute until then.
    object.__setattr__(net, "data_date", data_date)
    lms = [None, cat.get("first-congress-site"), cat.get("old-yuyangli-2")]
    pts = [(121.4701, 31.2200), (121.4705, 31.22036), (121.4715, 31.22036)]
    m = travel_matrix(net, pts)
    a1 = 9 * 3600 + m.duration_s[0, 1]
    v1 = Visit(1, a1, 0.0, a1, a1 + 600)
    a2 = v1.end + m.duration_s[1, 2]
    v2 = Visit(2, a2, 0.0, a2, a2 + 600)
    sol = Solution(order=(1, 2), visits=(v1, v2), start_node=0, end_node=None,
                   departure=9 * 3600, finish=v2.end, score=2,
                   travel_time=m.duration_s[0, 1] + m.duration_s[1, 2], distance=None,
                   optimal=True, excluded={})
    start = Place("起点", "Start", *pts[0])
    return build_itinerary(sol, m, lms, day=DAY, start=start, end=None, title_zh="测试",
                           title_en="Test")


def test_the_last_connector_names_the_stop(cat: Catalogue) -> None:
    """Issue 11: a leg ends "步行约 40 米到达<stop>", never as a turn onto a path."""
    it = on_streets(cat, data_date=None)
    last = it.legs[1].steps[-1]
    assert last.kind == "connector"
    stop = it.stops[1]
    assert (last.text_zh, last.text_en) == (f"步行约 40 米到达{stop.name_zh}",
                                            f"Walk about 40 m to {stop.name_en}")
    first = it.legs[1].steps[0]
    assert first.kind == "connector" and first.text_en.startswith("Walk about 40 m to ")
    again = itinerary_from_dict(json.loads(it.to_json()))
    assert again.legs[1].steps == it.legs[1].steps


def test_network_date_is_recorded_and_read_back(cat: Catalogue) -> None:
    it = on_streets(cat, data_date="2025-08-09")
    assert it.network_date == "2025-08-09"
    data = json.loads(it.to_json())
    assert data["network_date"] == "2025-08-09"
    assert data["schema"] == SCHEMA_ID == "redroute-itinerary/1"
    assert itinerary_from_dict(data).network_date == "2025-08-09"


def test_network_date_is_optional(cat: Catalogue) -> None:
    """Files written before the field (no key; no step kind) still load: same schema."""
    it = make(cat)
    assert it.network_date is None  # an estimate has no data date
    data = it.to_dict()
    del data["network_date"]
    for leg in data["legs"]:
        for step in leg["steps"]:
            del step["kind"]
    again = itinerary_from_dict(json.loads(json.dumps(data)))
    assert again.network_date is None
    assert all(st.kind == "street" for leg in again.legs for st in leg.steps)
    with pytest.raises(ItineraryError, match="network_date"):
        itinerary_from_dict({**json.loads(json.dumps(data)), "network_date": 2025})


def test_a_break_is_built_between_two_stops_and_round_trips(cat: Catalogue) -> None:
    """A lunch break after stop 1: the walk on leaves when it ends; ``breaks[]`` in the JSON
    (validated by the schema) and the GeoJSON; the file reads back equal."""
    from redroute.itinerary import Break

    it = make(cat)
    pause = Break(it.stops[0].end, it.stops[0].end + dt.timedelta(minutes=45), 1, "lunch")
    built = dataclasses.replace(it, breaks=[pause],
                                requested_start=dt.datetime(2026, 12, 5, 8, 0))
    assert pause.minutes == 45
    data = built.to_dict()
    assert data["breaks"] == [{"kind": "lunch", "after_stop": 1,
                               "start": pause.start.isoformat(),
                               "end": pause.end.isoformat()}]
    assert data["requested_start"] == "2026-12-05T08:00:00"
    assert data["totals"]["break_min"] == 45.0
    back = itinerary_from_dict(json.loads(built.to_json()))
    assert back.breaks == [pause]
    assert back.requested_start == built.requested_start
    assert back.to_dict() == data
    props = built.to_geojson()["properties"]
    assert props["breaks"] == [{"kind": "lunch", "after_stop": 1,
                                "start": f"{pause.start:%H:%M}", "end": f"{pause.end:%H:%M}",
                                "minutes": 45}]


def test_build_itinerary_departs_after_the_break(cat: Catalogue) -> None:
    """The leg after a break departs when the break ends (the solution's times include it);
    a break before the first stop starts the walk."""
    from redroute.itinerary import Break

    it = make(cat)
    end1 = it.stops[0].end
    pause = Break(end1, end1 + dt.timedelta(minutes=10), 1, "lunch")
    lms = [None, cat.get("first-congress-site"), cat.get("old-yuyangli-2"),
           cat.get("street-plaque")]
    pts = [(START.lon, START.lat)] + [(lm.lon, lm.lat) for lm in lms[1:] if lm]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        net = _sources.walk_network(nw.BBox.around(pts), network="estimate")
    m = travel_matrix(net, pts)
    midnight = dt.datetime.combine(DAY, dt.time())

    def sec(t: dt.datetime) -> float:
        return (t - midnight).total_seconds()

    v1 = Visit(1, sec(it.stops[0].arrival), 0.0, sec(it.stops[0].start), sec(end1))
    a2 = sec(pause.end) + float(m.duration_s[1, 2])
    v2 = Visit(2, a2, 0.0, a2, a2 + 1800)
    sol = Solution(order=(1, 2), visits=(v1, v2), start_node=0, end_node=None,
                   departure=9 * 3600, finish=v2.end, score=10, travel_time=0.0,
                   distance=None, optimal=True)
    built = build_itinerary(sol, m, lms, day=DAY, start=START, end=None, title_zh="甲",
                            title_en="A", breaks=[pause])
    assert built.legs[1].depart == pause.end
    assert built.breaks == [pause]
    first = Break(dt.datetime(2026, 12, 5, 8, 50), dt.datetime(2026, 12, 5, 9, 0), 0)
    early = build_itinerary(sol, m, lms, day=DAY, start=START, end=None, title_zh="甲",
                            title_en="A", breaks=[first])
    assert early.departure == first.start
    assert early.legs[0].depart == first.end


def test_an_itinerary_file_without_breaks_still_loads(cat: Catalogue) -> None:
    """Files written before breaks existed (no ``breaks``, no ``requested_start``) load,
    with no break, under the same schema id."""
    data = make(cat).to_dict()
    del data["breaks"], data["requested_start"]
    assert data["schema"] == SCHEMA_ID == "redroute-itinerary/1"
    back = itinerary_from_dict(data)
    assert back.breaks == [] and back.requested_start is None and not back.start_moved


def test_a_break_of_an_unknown_kind_is_refused(cat: Catalogue) -> None:
    data = make(cat).to_dict()
    data["breaks"] = [{"kind": "nap", "after_stop": 1, "start": "2026-12-05T12:00:00",
                       "end": "2026-12-05T12:45:00"}]
    with pytest.raises(ItineraryError, match="nap"):
        itinerary_from_dict(data)
