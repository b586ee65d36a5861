"""One request -> one itinerary, through every layer (issue 7's end-to-end checks)."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path
from typing import Any

import pytest

from redroute import coords
from redroute._errors import NetworkWarning, NotFoundError
from redroute.catalogue import Catalogue, load_catalogue
from redroute.export.text import schedule_text
from redroute.itinerary import Itinerary, itinerary_from_dict
from redroute.plan import PlanError, make_plan, plan_itinerary, resolve_place
from redroute.request import PlanRequest
from redroute.routes import load_routes

from .conftest import need_shared

SATURDAY = dt.date(2026, 12, 5)
MONDAY = dt.date(2026, 12, 7)
MERGED = "data/osm/shanghai-core-merged.osm"
#: Where the merged extract has streets (see its README).
COVERAGE = [(121.4611, 31.2196, 121.4863, 31.2412), (121.471, 31.214, 121.480, 31.222)]


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


def quiet(**kwargs: Any) -> Itinerary:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        return plan_itinerary(**kwargs)


def covered(cat: Catalogue, ids: list[str]) -> bool:
    return all(any(x0 < cat.get(i).lon < x1 and y0 < cat.get(i).lat < y1
                   for x0, y0, x1, y1 in COVERAGE) for i in ids)


def check(it: Itinerary, candidates: list[str]) -> None:
    """What every planned itinerary must satisfy, checked independently of the solver."""
    assert it.stops, "no stop planned"
    seen = [s.id for s in it.stops]
    assert len(seen) == len(set(seen))
    assert set(seen) | {e.id for e in it.excluded} == set(candidates)
    t = it.departure
    for leg, stop in zip(it.legs, it.stops, strict=False):
        assert leg.depart >= t
        assert stop.arrival == leg.arrive
        assert stop.start >= stop.arrival
        t = stop.end
    cat = load_catalogue()
    for stop in it.stops:
        lm = cat.get(stop.id)
        windows = lm.windows(it.date)
        assert windows, f"{stop.id} is closed or of unknown hours on {it.date}"
        assert any(w.opens <= stop.start <= w.last_entry and stop.end <= w.closes
                   for w in windows), stop.id
    itinerary_from_dict(it.to_dict())  # the JSON validates


def validate_outputs(result: Any, folder: Path) -> None:
    """Every output of a plan is written and reads back as what it claims to be."""
    import gpxpy
    from pypdf import PdfReader

    from redroute.export.embed import read_embedded_geojson
    from redroute.export.gpx import save_geojson, save_gpx
    from redroute.export.html import save_map
    from redroute.export.leaflet import save_leaflet
    from redroute.itinerary import load_itinerary

    it = result.itinerary
    (folder / "it.json").write_text(it.to_json(), encoding="utf-8")
    assert load_itinerary(folder / "it.json").to_json() == it.to_json()
    save_map(it, folder / "map.html", network=result.network, tiles="none")
    page = (folder / "map.html").read_text(encoding="utf-8")
    assert "OpenStreetMap" in page
    assert len(read_embedded_geojson(folder / "map.html")["features"]) == len(
        it.to_geojson()["features"])
    save_gpx(it, folder / "route.gpx")
    gpx = gpxpy.parse((folder / "route.gpx").read_text(encoding="utf-8"))
    names = " ".join(w.name or "" for w in gpx.waypoints)
    assert all(stop.name_zh in names for stop in it.stops)
    # A leg that does not move (a walk starting at its first stop) has no track segment; a
    # leg with a metro ride has one for each walk around it.
    from redroute.export.gpx import _leg_parts

    moving = [leg for leg in it.legs if len(set(leg.geometry or [])) > 1]
    assert sum(len(t.segments) for t in gpx.tracks) == sum(len(_leg_parts(leg))
                                                           for leg in moving)
    save_geojson(it, folder / "route.geojson")
    save_leaflet(it, folder / "leaflet.pdf", network=result.network)
    pdf = PdfReader(folder / "leaflet.pdf")
    assert len(pdf.pages) >= 2  # a trifold sheet, and insert pages for a long walk
    text = "".join(p.extract_text() for p in pdf.pages)
    for stop in it.stops:
        assert stop.arrival.strftime("%H:%M") in text


@pytest.mark.slow
@pytest.mark.parametrize("route_id", ["founding", "xuhui-anthem", "hongkou-left-wing",
                                      "jingan-leaders", "longhua", "youth-league",
                                      "labour-uprising"])
def test_every_curated_route_plans(cat: Catalogue, route_id: str, tmp_path: Path) -> None:
    r = load_routes(None, cat)[route_id]
    ids = list(r.stops)
    network = "estimate"
    if covered(cat, ids):
        network = str(need_shared(MERGED))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        result = make_plan(r.request, catalogue=cat, date=SATURDAY, network=network)
    it = result.itinerary
    check(it, ids)
    validate_outputs(result, tmp_path)
    assert it.total_minutes <= r.hours * 60 + 0.5
    if r.order == "fixed":
        order = [s.id for s in it.stops]
        assert order == [i for i in ids if i in order]


def test_founding_on_the_real_extract(cat: Catalogue) -> None:
    r = load_routes(None, cat)["founding"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)  # Zhou Gongguan is off the extract
        result = make_plan(r.request, catalogue=cat, date=SATURDAY,
                           network=str(need_shared(MERGED)))
    assert result.network.source == "extract"
    assert not result.network.estimated
    check(result.itinerary, list(r.stops))


def test_monday_leaves_closed_sites_out_with_reasons(cat: Catalogue) -> None:
    r = load_routes(None, cat)["founding"]
    it = quiet(stops=list(r.stops), catalogue=cat, date=MONDAY, start=r.start, hours=r.hours,
               network="estimate")
    reasons = {e.id: e.reason for e in it.excluded}
    assert reasons["first-congress-memorial-hall"] == "closed"
    assert reasons["zhou-gongguan"] == "closed"
    assert all(cat.get(s.id).windows(MONDAY) for s in it.stops)
    text = schedule_text(it)
    assert "  当天闭馆： / Closed that day:\n" in text  # grouped by reason (issue 13)
    assert "    - 中共一大纪念馆 / Memorial Hall of the 1st National Congress of the CPC\n" in text


def test_mandatory_site_closed_on_monday_fails_clearly(cat: Catalogue) -> None:
    with pytest.raises(PlanError, match=r"mandatory stop lu-xun-residence is closed that day.*"
                                        r"Tu-Su,PH 09:00-16:00, on 2026-12-07 Mon closed"):
        quiet(stops=["lu-xun-residence", "jingyunli"], catalogue=cat, date=MONDAY,
              start="lu-xun-tomb", mandatory=["lu-xun-residence"], network="estimate")


def test_impossible_budget_fails_clearly(cat: Catalogue) -> None:
    with pytest.raises(PlanError, match="cannot plan this walk: mandatory stop "
                                        "longhua-martyrs-cemetery"):
        quiet(stops=["longhua-martyrs-cemetery"], catalogue=cat, date=SATURDAY,
              start="peoples-square", hours=0.5, mandatory=["longhua-martyrs-cemetery"],
              network="estimate")


def test_unknown_hours_are_left_out_not_assumed_open(cat: Catalogue) -> None:
    it = quiet(stops=["old-yuyangli-2", "first-congress-site"], catalogue=cat,
               date=SATURDAY, start="xintiandi", network="estimate")
    assert [s.id for s in it.stops] == ["first-congress-site"]
    (left,) = it.excluded
    assert (left.id, left.reason) == ("old-yuyangli-2", "unknown-hours")
    with pytest.raises(PlanError, match="unknown opening hours"):
        quiet(stops=["old-yuyangli-2"], catalogue=cat, date=SATURDAY, start="xintiandi",
              mandatory=["old-yuyangli-2"], network="estimate")


def test_free_request_by_theme_and_district(cat: Catalogue) -> None:
    it = quiet(catalogue=cat, theme="left-wing-culture", district="hongkou", date=SATURDAY,
               start="lu-xun-tomb", hours=3, pace="senior", network="estimate")
    assert it.stops
    assert it.speed_kmh == 3.5
    assert all("left-wing-culture" in cat.get(s.id).themes for s in it.stops)


def test_one_way_and_open_ended(cat: Catalogue) -> None:
    ids = ["old-yuyangli-2", "chengyuli-12"]
    one_way = quiet(stops=ids, catalogue=cat, date=SATURDAY, start="peoples-square",
                    end="xintiandi", network="estimate")
    assert one_way.end is not None and one_way.end.name_en == "Xintiandi"
    assert len(one_way.legs) == len(one_way.stops) + 1
    open_end = quiet(stops=ids, catalogue=cat, date=SATURDAY, start="peoples-square",
                     end=None, network="estimate")
    assert open_end.end is None
    assert len(open_end.legs) == len(open_end.stops)


@pytest.mark.parametrize(
    ("text", "crs", "expected"),
    [
        ("人民广场", "wgs84", "People's Square"),
        ("People's Square", "wgs84", "People's Square"),
        ("xintiandi", "wgs84", "Xintiandi"),
        ("first-congress-site", "wgs84", "Site of the 1st National Congress of the CPC"),
        ("31.2222,121.4706", "wgs84", "31.22220, 121.47060"),
    ],
)
def test_resolve_place(cat: Catalogue, text: str, crs: str, expected: str) -> None:
    assert resolve_place(text, cat, crs=crs).name_en == expected


def test_gcj02_start_point_is_converted(cat: Catalogue) -> None:
    from redroute import coords

    lon, lat = coords.wgs84_to_gcj02(121.4706, 31.2222)
    place = resolve_place(f"{lat},{lon}", cat, crs="gcj02")
    assert coords.haversine_m(place.lon, place.lat, 121.4706, 31.2222) < 0.5


@pytest.mark.parametrize(
    ("text", "message"),
    [("121.47,31.22", "swapped"), ("40.0,116.4", "not in Shanghai"),
     ("the moon", "is not a landmark id, a LAT,LON pair, a metro station or a known place")],
)
def test_bad_places(cat: Catalogue, text: str, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        resolve_place(text, cat)


def test_bad_requests(cat: Catalogue) -> None:
    with pytest.raises(NotFoundError, match="no landmark with id 'nowhere'"):
        quiet(stops=["nowhere"], catalogue=cat, network="estimate")
    with pytest.raises(PlanError, match="hours: 30 must be"):
        quiet(stops=["chengyuli-12"], catalogue=cat, hours=30, network="estimate")


def test_user_catalogue(mini_path: Path) -> None:
    it = quiet(catalogue=load_catalogue(mini_path), theme="founding", date=SATURDAY,
               start="31.2317,121.4737", network="estimate")
    assert {s.id for s in it.stops} <= {"first-congress-site", "old-yuyangli-2"}


# ------------------------------------------------------------ real streets out of the box


ROUTES = ["founding", "xuhui-anthem", "hongkou-left-wing", "jingan-leaders", "longhua",
          "youth-league", "labour-uprising", "bund", "changning-west", "huaihai-road", "putuo-west",
          "yangpu-east"]


def _leg_ratios(it: Any) -> list[float]:
    """Each leg's walk over its straight line (legs of at least 50 m)."""
    out = []
    for leg in it.legs:
        if len(leg.geometry) >= 2:
            crow = coords.haversine_m(*leg.geometry[0], *leg.geometry[-1])
            if crow >= 50:
                out.append(leg.distance_m / crow)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("route_id", ROUTES)
def test_every_route_plans_on_the_bundled_network_offline(cat: Catalogue, route_id: str,
                                                          offline: Path) -> None:
    """A fresh install (no extract, no cache, no internet) walks real streets: the JSON says
    so, only stops off the network (Longhua cemetery) walk estimated legs, and no leg is
    longer than its estimate because of where the network ends."""
    r = load_routes(None, cat)[route_id]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        result = make_plan(r.request, catalogue=cat, date=SATURDAY)
    it = result.itinerary
    assert it.to_dict()["network"].startswith("bundled")
    assert it.network_date == "2025-08-09"
    check(it, list(r.stops))
    places = {s.id: (s.lon, s.lat) for s in it.stops}
    places["start"] = (it.start.lon, it.start.lat)
    if it.end is not None:
        places["end"] = (it.end.lon, it.end.lat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        snaps = dict(zip(places, result.network.snap(list(places.values())), strict=True))
    for leg in it.legs:
        if leg.estimated:  # only a leg that touches a point off the network
            assert snaps[leg.origin].far or snaps[leg.destination].far, leg
    if route_id != "longhua":
        assert not any(leg.estimated for leg in it.legs), route_id
    for leg in it.legs:
        if leg.estimated and len(leg.geometry) >= 2:
            crow = coords.haversine_m(*leg.geometry[0], *leg.geometry[-1])
            assert leg.distance_m <= crow * result.network.detour_factor + 1


@pytest.mark.slow
@pytest.mark.parametrize("route_id", ["hongkou-left-wing", "xuhui-anthem"])
def test_a_barely_covering_extract_is_not_used(cat: Catalogue, route_id: str, offline: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """With the People's Square extract configured, Hongkou and Xuhui plans skip it (it has a
    handful of nodes there) instead of detouring through its corner: 6.9 km for a 100 m walk
    before."""
    from redroute import settings

    monkeypatch.setattr(settings, "osm_extract", need_shared(MERGED))
    r = load_routes(None, cat)[route_id]
    said: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        result = make_plan(r.request, catalogue=cat, date=SATURDAY, report=said.append)
    it = result.itinerary
    assert any(line.startswith("extract network (") and line.endswith("skipped")
               for line in said)
    assert result.network.source == "bundled"
    assert set(r.request.core) <= {s.id for s in it.stops}
    assert max(_leg_ratios(it)) < 8
    assert max(leg.distance_m for leg in it.legs) < 2500


# Lujiazui, across the Huangpu from the Bund (WGS-84): the Oriental Pearl's forecourt.
LUJIAZUI = (121.4994, 31.2400)


def _cross_river_catalogue(cat: Catalogue, tmp_path: Path) -> Path:
    """The shipped catalogue plus one site in Lujiazui."""
    import json

    data = cat.to_geojson()
    base = next(f for f in data["features"] if f["properties"]["id"] == "mao-liying-martyr-site")
    site = json.loads(json.dumps(base))
    site["properties"].update(id="lujiazui-test-site", name_zh="陆家嘴测试点",
                              name_en="Lujiazui test site", address_zh="浦东新区陆家嘴环路1号",
                              district="pudong" if "pudong" in {
                                  f["properties"]["district"] for f in data["features"]}
                              else base["properties"]["district"])
    site["geometry"]["coordinates"] = list(LUJIAZUI)
    data["features"].append(site)
    path = tmp_path / "with-lujiazui.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.slow
def test_the_bund_to_lujiazui_is_not_walked_through_a_road_tunnel(
        cat: Catalogue, tmp_path: Path, offline: Path) -> None:
    """The Huangpu has no crossing on foot in the network (the road tunnels are for cars):
    a Lujiazui stop in a walk from the Bund is left out with the reason, and an end point in
    Lujiazui is refused, naming the river; the walk itself stays on the Bund's side."""
    two_banks = load_catalogue(_cross_river_catalogue(cat, tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        result = make_plan(
            PlanRequest(stops=("customs-house-security-corps", "mao-liying-martyr-site",
                               "lujiazui-test-site"), start="customs-house-security-corps",
                        hours=3, metro=False),
            catalogue=two_banks, date=SATURDAY)
    it = result.itinerary
    assert result.network.source == "bundled"
    assert {s.id for s in it.stops} == {"customs-house-security-corps", "mao-liying-martyr-site"}
    left = {e.id: e for e in it.excluded}
    assert left["lujiazui-test-site"].reason == "other-bank"
    assert "黄浦江" in left["lujiazui-test-site"].reason_zh
    assert "ferry or the metro" in left["lujiazui-test-site"].reason_en
    k = 1 + [lm.id for lm in [two_banks.get(i) for i in (
        "customs-house-security-corps", "mao-liying-martyr-site", "lujiazui-test-site")]].index(
        "lujiazui-test-site")
    assert result.matrix.distance_m[0, k] == float("inf")
    # Every point walked stays west of the river (the Bund's waterfront is at ~121.491 E).
    assert max(p[0] for leg in it.legs for p in leg.geometry) < 121.494
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        with pytest.raises(PlanError, match="other bank of the Huangpu"):
            make_plan(PlanRequest(stops=("mao-liying-martyr-site",),
                                  start="customs-house-security-corps",
                                  end=f"{LUJIAZUI[1]},{LUJIAZUI[0]}", metro=False),
                      catalogue=two_banks, date=SATURDAY)


@pytest.mark.slow
def test_the_bund_to_lujiazui_goes_by_metro_when_rides_are_allowed(
        cat: Catalogue, tmp_path: Path, offline: Path) -> None:
    """With the metro (the default), the Lujiazui stop is kept: the leg walks to a station on
    the Bund's side, rides under the river and walks on; the walked parts stay on their
    banks."""
    two_banks = load_catalogue(_cross_river_catalogue(cat, tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        result = make_plan(
            PlanRequest(stops=("mao-liying-martyr-site", "lujiazui-test-site"),
                        start="customs-house-security-corps", order="fixed", hours=3),
            catalogue=two_banks, date=SATURDAY)
    it = result.itinerary
    assert [s.id for s in it.stops] == ["mao-liying-martyr-site", "lujiazui-test-site"]
    leg = it.legs[1]
    assert leg.ride is not None
    assert leg.ride.board[0] < 121.49 < leg.ride.alight[0]  # boards west, leaves east
    assert max(p[0] for p in leg.geometry[:leg.ride_at + 1]) < 121.494
    assert min(p[0] for p in leg.geometry[leg.ride_at + 1:]) > 121.494
    metro = [st for st in leg.steps if st.kind == "metro"]
    assert len(metro) == 1
    assert leg.ride.board_zh in metro[0].text_zh and leg.ride.alight_en in metro[0].text_en
    assert leg.distance_m < 2000  # the walking only


# --------------------------------------------------------------------------- issue 12: dates


@pytest.mark.parametrize("day", [dt.date(9999, 12, 31), dt.date(1, 1, 1), dt.date(1999, 6, 1),
                                 dt.date(2077, 1, 1)])
def test_a_date_outside_the_supported_years_is_a_plan_error(cat: Catalogue,
                                                            day: dt.date) -> None:
    """9999-12-31 gave an OverflowError traceback; the check comes before any work."""
    from redroute import hours

    words = (f"date {day.isoformat()} is outside the supported years "
             f"{hours.FIRST_YEAR}-{hours.LAST_YEAR}")
    with pytest.raises(PlanError, match=words):
        quiet(stops=["chengyuli-12"], catalogue=cat, date=day, network="estimate")


@pytest.mark.parametrize(("args", "option"), [
    (["plan", "founding", "--network", "estimate", "--date", "9999-12-31"], "--date"),
    (["plan", "founding", "--network", "estimate", "--date", "0001-01-01"], "--date"),
    (["landmarks", "list", "--open-on", "9999-12-31T10:00"], "--open-on"),
    (["landmarks", "list", "--open-on", "1999-12-31"], "--open-on"),
    (["landmarks", "show", "lu-xun-residence", "--date", "9999-12-31"], "--date"),
    (["leaflet", "founding", "--date", "9999-12-31", "-o", "x.pdf"], "--date"),
])
def test_cli_date_outside_the_supported_years_is_one_error_line(
        runner: Any, args: list[str], option: str) -> None:
    from redroute import hours
    from redroute.cli import main

    result = runner.invoke(main, args)
    assert result.exit_code == 1, result.stderr
    day = args[args.index(option) + 1][:10]
    assert result.stderr.strip() == (f"Error: {option} {day} is outside the supported years "
                                     f"{hours.FIRST_YEAR}-{hours.LAST_YEAR}")
    assert "Traceback" not in result.stderr and not result.stdout


# --------------------------------------------------------------------------- issue 12: wording

#: A node number in a message: "start 0 (start)", "end 10 (end)", "stop 3 (x)".
NODE_NUMBER = r"\b(start|end|stop|node) \d+\b|\d+ \("


def plan_error(**kwargs: Any) -> str:
    with pytest.raises(PlanError) as info:
        quiet(**kwargs)
    message = str(info.value)
    assert not re.search(NODE_NUMBER, message), message
    assert not re.search(r"\d\d:\d\d:\d\d", message), message
    return message


def founding(cat: Catalogue, **changes: Any) -> dict[str, Any]:
    r = load_routes(None, cat)["founding"]
    fields: dict[str, Any] = {"stops": list(r.stops), "catalogue": cat, "date": SATURDAY,
                              "start": r.start, "end": r.end, "hours": r.hours,
                              "network": "estimate"}
    return fields | changes


def test_budget_too_short_for_the_walk_to_the_end(cat: Catalogue) -> None:
    """`P --hours 0.3` said "no tour from start 0 (start) reaches end 10 (end) by 09:18"."""
    message = plan_error(**founding(cat, hours=0.3))
    assert re.fullmatch(r"cannot plan this walk: the walk from the start, People's Square, to "
                        r"the end, Xintiandi, alone takes \d+ min \(from 09:00 to 09:\d\d\): it "
                        r"does not fit before 09:18, the end of the 0\.3 h time budget", message)


def test_budget_too_short_for_the_first_stop_of_a_round_trip(cat: Catalogue) -> None:
    """No stop fits: was an itinerary without a stop and exit 0."""
    message = plan_error(**founding(cat, hours=0.25, end="start"))
    assert re.fullmatch(r"cannot plan this walk: the walk from People's Square to the nearest "
                        r"stop, .+ \([a-z0-9-]+\), alone takes \d+ min, back \d+ min, with a "
                        r"visit of \d+ min: at least \d+ min; 0\.25 h is too short", message)


def test_budget_too_short_for_the_first_stop_of_an_open_walk(cat: Catalogue) -> None:
    message = plan_error(**founding(cat, hours=0.25, end=None))
    assert "alone takes" in message and "back" not in message
    assert message.endswith("0.25 h is too short")


def test_end_unreachable_by_the_deadline(cat: Catalogue) -> None:
    message = plan_error(stops=["old-yuyangli-2"], catalogue=cat, date=SATURDAY,
                         start="peoples-square", end="lu-xun-tomb", hours=0.5,
                         start_time=dt.time(9, 0), network="estimate", metro=False)
    assert "the walk from the start, People's Square, to the end, " in message
    assert "it does not fit before 09:30, the end of the 0.5 h time budget" in message


def test_mandatory_stop_that_cannot_be_fitted_tells_walk_visit_and_budget(
        cat: Catalogue) -> None:
    message = plan_error(**founding(cat, hours=0.5, mandatory=["first-congress-site"]))
    assert message.startswith("cannot plan this walk: mandatory stop first-congress-site does "
                              "not fit in the time budget even alone: the walk from People's "
                              "Square takes ")
    assert "min (arriving at 09:" in message
    assert "the visit 30 min, then" in message and "on to the end, Xintiandi" in message
    assert "after 09:30, the end of the 0.5 h time budget" in message


def test_mandatory_stop_closing_before_the_walker_arrives(cat: Catalogue) -> None:
    message = plan_error(**founding(cat, start_time=dt.time(16, 45),
                                    mandatory=["first-congress-site"]))
    assert "mandatory stop first-congress-site cannot be reached before it closes" in message
    assert "the walk from People's Square takes" in message


def test_no_stop_open_that_day(cat: Catalogue) -> None:
    message = plan_error(stops=["lu-xun-residence"], catalogue=cat, date=MONDAY,
                         start="lu-xun-tomb", network="estimate")
    assert message == ("cannot plan this walk: no stop can be visited on 2026-12-07 Mon: "
                       "stop lu-xun-residence is closed that day (no visiting window)")


@pytest.mark.parametrize("network", ["estimate", "bundled"])
def test_a_start_in_the_sea(cat: Catalogue, network: str) -> None:
    """31.10 N 122.00 E is in Shanghai's box but in the East China Sea."""
    message = plan_error(**founding(cat, start="31.10,122.00", network=network))
    where = ("from the nearest street of the walking network (bundled)" if network == "bundled"
             else "from the nearest stop, ")
    assert message.startswith("start point 31.10000, 122.00000 is ")
    assert where in message
    assert "in the sea?" in message and "give a start near the stops" in message


def test_an_end_in_the_yangtze_estuary(cat: Catalogue) -> None:
    message = plan_error(**founding(cat, end="31.40,121.90", network="bundled"))
    assert message.startswith("end point 31.40000, 121.90000 is 38 km from the nearest street")
    assert "give an end near the stops" in message


def test_a_start_far_outside_the_streets_of_the_network(cat: Catalogue) -> None:
    """Jinshan is land, but 40 km from the bundled network of central Shanghai."""
    message = plan_error(**founding(cat, start="30.75,121.35", network="bundled"))
    assert re.match(r"start point 30\.75000, 121\.35000 is \d+ km from the nearest street of "
                    r"the walking network \(bundled\)", message)


def test_a_start_off_the_network_but_near_is_still_planned(cat: Catalogue) -> None:
    """Longhua cemetery is 1.3 km off the bundled streets: its legs are estimated, no error."""
    it = quiet(stops=["fenglinqiao-martyrs-site", "qian-xuesen-library"], catalogue=cat,
               date=SATURDAY, start="longhua-martyrs-cemetery", network="bundled", hours=3)
    assert it.stops


def test_cli_impossible_plan_is_one_line_with_place_and_time(runner: Any) -> None:
    from redroute.cli import main

    result = runner.invoke(main, ["plan", "founding", "--date", "2026-12-05", "--network",
                                  "estimate", "--hours", "0.3"])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Traceback" not in result.stderr
    assert "People's Square" in errors[0] and "0.3 h" in errors[0]
    assert not re.search(NODE_NUMBER, errors[0])
    result = runner.invoke(main, ["plan", "founding", "--date", "2026-12-05", "--network",
                                  "estimate", "--start", "31.10,122.00"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1].startswith(
        "Error: start point 31.10000, 122.00000 is ")


@pytest.mark.parametrize(("text", "name_en"), [
    ("一大会址·新天地站", "Site of the First CPC National Congress·Xintiandi Station"),
    ("Xintiandi Station", "Site of the First CPC National Congress·Xintiandi Station"),
    ("People's Square Station", "People's Square Station"),
    ("外滩", "The Bund"),
    ("the Bund", "The Bund"),
    ("一大会址", "Site of the 1st National Congress of the CPC"),
    ("多伦路", None),
])
def test_start_at_stations_and_common_names(cat: Catalogue, text: str,
                                            name_en: str | None) -> None:
    place = resolve_place(text, cat)
    if name_en is not None:
        assert place.name_en == name_en
    assert coords.in_shanghai(place.lon, place.lat)


def test_a_plan_from_the_xintiandi_station(cat: Catalogue, offline: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        it = make_plan(PlanRequest(stops=("bowen-girls-school", "chengyuli-12",
                                          "first-congress-site"), start="一大会址·新天地站"),
                       catalogue=cat, date=SATURDAY).itinerary
    assert it.start.name_zh == "一大会址·新天地站"
    assert len(it.stops) == 3


def test_an_unknown_place_suggests_a_close_name(cat: Catalogue) -> None:
    with pytest.raises(PlanError, match="did you mean 人民广场\\?"):
        resolve_place("人民广厂", cat)
    with pytest.raises(PlanError, match="has no checked position"):
        resolve_place("浦电路站", cat)


# --------------------------------------------------------------------------- holidays, edges
# of the day, explanations, the nearest station (issue 13, parts 3-5)

HOLIDAY_MONDAY = dt.date(2027, 10, 4)  # National Day week


def _ph_catalogue(cat: Catalogue, tmp_path: Path) -> Catalogue:
    """The shipped catalogue with the congress site open on public holidays, Mondays too."""
    import json

    data = cat.to_geojson()
    for feature in data["features"]:
        if feature["properties"]["id"] == "first-congress-site":
            feature["properties"]["opening_hours"] = "Tu-Su,PH 09:00-17:00"
    path = tmp_path / "ph.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return load_catalogue(path)


def test_a_holiday_monday_keeps_a_site_open_on_public_holidays(cat: Catalogue,
                                                                 tmp_path: Path) -> None:
    """``Tu-Su,PH 09:00-17:00`` is open on Monday 2027-10-04 (National Day week); the plan
    names the holiday on its first lines and in its JSON. A Monday after, it is closed."""
    ph = _ph_catalogue(cat, tmp_path)
    fields: dict[str, Any] = {"stops": ["first-congress-site", "bowen-girls-school"],
                              "catalogue": ph, "start": "peoples-square", "network": "estimate"}
    it = quiet(date=HOLIDAY_MONDAY, **fields)
    assert "first-congress-site" in {s.id for s in it.stops}
    assert (it.holiday_zh, it.holiday_en) == ("国庆节", "National Day holiday")
    head = schedule_text(it).splitlines()[:6]
    assert "2027-10-04 国庆节 / National Day holiday" in head
    assert it.to_dict()["holiday"] == {"name_zh": "国庆节", "name_en": "National Day holiday"}
    assert itinerary_from_dict(it.to_dict()).holiday_en == "National Day holiday"
    ordinary = quiet(date=dt.date(2027, 10, 11), **fields)
    assert {e.id: e.reason for e in ordinary.excluded}["first-congress-site"] == "closed"
    assert ordinary.holiday_zh is None and ordinary.to_dict()["holiday"] is None


def test_a_walk_at_23_00_is_cut_by_the_day_not_by_opening_hours(cat: Catalogue) -> None:
    """A 24/7 site too far for a walk that must end by midnight is ``day-ends``, not
    ``opens-too-late``; the walk ends by 24:00."""
    it = quiet(stops=["datong-kindergarten", "customs-house-security-corps"], catalogue=cat,
               date=SATURDAY, start="old-yuyangli-2", start_time=dt.time(23, 0), hours=4,
               network="estimate")
    assert [s.id for s in it.stops] == ["datong-kindergarten"]
    assert {e.id: e.reason for e in it.excluded} == {"customs-house-security-corps": "day-ends"}
    assert it.finish <= dt.datetime.combine(SATURDAY + dt.timedelta(days=1), dt.time())


def test_a_site_reached_after_its_last_entry(cat: Catalogue) -> None:
    """The congress site (last entry 16:30, closes 17:00) reached at about 16:40 is
    ``last-entry-passed``; reached after 17:00, ``closes-before-arrival``."""
    fields: dict[str, Any] = {"stops": ["first-congress-site", "chengyuli-12"],
                              "catalogue": cat, "date": SATURDAY, "start": "xintiandi",
                              "network": "estimate", "hours": 2}
    late = quiet(start_time=dt.time(16, 35), **fields)
    assert {e.id: e.reason for e in late.excluded} == {"first-congress-site":
                                                      "last-entry-passed"}
    closed = quiet(start_time=dt.time(17, 5), **fields)
    assert {e.id: e.reason for e in closed.excluded} == {"first-congress-site":
                                                        "closes-before-arrival"}


def test_a_free_request_starts_at_the_nearest_metro_station(cat: Catalogue) -> None:
    """Hongkou's left-wing walk starts at a station near its stops, not at People's Square;
    a curated route keeps its own start."""
    it = quiet(theme="left-wing-culture", district="hongkou", catalogue=cat, date=SATURDAY,
               network="estimate")
    assert it.start.name_zh.endswith("站") and it.start.name_en.endswith("Station")
    assert it.start.name_en != "People's Square"
    near = min(coords.haversine_m(it.start.lon, it.start.lat, s.lon, s.lat) for s in it.stops)
    assert near < 1500
    route = load_routes(None, cat)["founding"]
    assert route.request.start == "peoples-square"


def test_left_out_stops_say_how_far_off_the_route_and_what_was_kept(cat: Catalogue) -> None:
    """Every stop left out for its value or its walk has the detour its visit would add;
    ``lower-score`` ones name the kept stops of more value near them, when there are."""
    it = quiet(theme="left-wing-culture", district="hongkou", catalogue=cat, date=SATURDAY,
               network="estimate", hours=1.5, start="lu-xun-tomb")
    weighed = [e for e in it.excluded if e.reason in ("lower-score", "distance", "detour")]
    assert weighed
    assert all(e.detour_m is not None and e.detour_m >= 0 for e in weighed)
    kept = {s.id for s in it.stops}
    assert all(set(e.instead) <= kept for e in weighed)
    data = it.to_dict()["excluded"]
    assert all("detour_m" in e and isinstance(e["instead"], list) for e in data)
    assert itinerary_from_dict(it.to_dict()).excluded == it.excluded


# --------------------------------------------------------------------------- a day paced for people


def check_breaks(it: Itinerary) -> None:
    """Every break lies between two visits (never inside one) and the walk after it
    leaves when it ends."""
    for b in it.breaks:
        assert 0 <= b.after_stop <= len(it.stops)
        before = it.stops[b.after_stop - 1].end if b.after_stop else it.legs[0].depart
        assert b.start >= before
        if b.after_stop < len(it.legs):
            assert it.legs[b.after_stop].depart == b.end
        if b.after_stop < len(it.stops):
            assert it.stops[b.after_stop].arrival >= b.end


def founding_walk(cat: Catalogue, **fields: Any) -> Itinerary:
    r = load_routes(None, cat)["founding"]
    return quiet(stops=r.stops, start=r.request.start, end=r.request.end, catalogue=cat,
                 date=SATURDAY, network="estimate", start_time=dt.time(9), **fields)


def test_a_five_hour_walk_gets_a_lunch_break_near_half_past_twelve(cat: Catalogue) -> None:
    """A 5 h founding walk from 09:00 spans the lunch window: one 45-minute break between
    two stops, starting in 11:30-13:30 near its middle, every visit still in its hours."""
    it = founding_walk(cat, hours=5)
    assert len(it.breaks) == 1
    (b,) = it.breaks
    assert b.kind == "lunch" and b.minutes == 45
    assert dt.time(11, 30) <= b.start.time() <= dt.time(13, 30)
    middle = dt.datetime.combine(SATURDAY, dt.time(12, 30))
    assert abs((b.start + (b.end - b.start) / 2 - middle).total_seconds()) <= 45 * 60
    assert 1 <= b.after_stop <= len(it.stops)
    check(it, load_routes(None, cat)["founding"].stops)
    check_breaks(it)
    assert it.finish <= dt.datetime.combine(SATURDAY, dt.time(14))
    data = it.to_dict()
    assert data["breaks"] == [{"kind": "lunch", "after_stop": b.after_stop,
                               "start": b.start.isoformat(), "end": b.end.isoformat()}]
    assert itinerary_from_dict(data).breaks == it.breaks


def test_no_lunch_break_when_asked_or_when_the_walk_misses_the_window(cat: Catalogue) -> None:
    """``lunch=None`` (``--no-lunch``) has none; nor has a morning walk 09:00-11:00, nor
    one that starts after the window."""
    assert founding_walk(cat, hours=5, lunch=None).breaks == []
    assert founding_walk(cat, hours=2).breaks == []
    late = founding_walk(cat, hours=3)
    assert late.breaks == []
    afternoon = quiet(stops=["first-congress-memorial-hall", "old-yuyangli-2"], catalogue=cat,
                      date=SATURDAY, network="estimate", start_time=dt.time(13, 45), hours=3)
    assert afternoon.breaks == []


def test_lunch_window_and_length_are_the_request_s(cat: Catalogue) -> None:
    """``--lunch 12:00-14:00 --lunch-minutes 60``: a one-hour break starting in that
    window."""
    it = founding_walk(cat, hours=6, lunch="12:00-14:00", lunch_minutes=60)
    (b,) = it.breaks
    assert b.minutes == 60
    assert dt.time(12) <= b.start.time() <= dt.time(14)
    check_breaks(it)


def test_a_senior_day_is_capped_at_six_km_unless_the_request_says_more(
        cat: Catalogue) -> None:
    """The pace's default cap (senior 6 km) applies; ``max_walk_km`` overrides it; a stop
    the cap leaves out has the ``distance`` reason."""
    from redroute import settings

    assert settings.MAX_WALK_KM == {"standard": 12.0, "senior": 6.0, "family": 5.0}
    kwargs: dict[str, Any] = {"district": "hongkou", "hours": 9, "pace": "senior",
                              "catalogue": cat, "date": SATURDAY, "network": "estimate",
                              "metro": False}
    capped = quiet(**kwargs)
    assert capped.distance_m <= 6000 + 1
    assert any(e.reason == "distance" for e in capped.excluded)
    wider = quiet(**kwargs, max_walk_km=9)
    assert 6000 < wider.distance_m <= 9000 + 1
    assert len(wider.stops) >= len(capped.stops)
    assert wider.score >= capped.score


def test_a_walk_of_more_than_15_km_is_warned_about(cat: Catalogue) -> None:
    """A plan that walks more than 15 km warns (one line on stderr in the CLI)."""
    from redroute._errors import LongWalkWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        it = plan_itinerary(theme="martyrs", catalogue=cat, date=SATURDAY, network="estimate",
                            hours=10, max_walk_km=40, time_limit=0.5, metro=False)
    assert it.distance_m > 15_000
    long = [w for w in caught if issubclass(w.category, LongWalkWarning)]
    assert len(long) == 1
    assert "more than 15 km" in str(long[0].message) and "超过 15 公里" in str(long[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LongWalkWarning)  # a short walk: no warning
        quiet(stops=["zhou-gongguan"], catalogue=cat, date=SATURDAY, network="estimate")


def test_a_moved_start_is_said_and_the_requested_time_kept(cat: Catalogue) -> None:
    """Asked to start at 07:30 when nothing opens before 09:00: the walk leaves later, the
    schedule says why on its first lines and the JSON records the requested start."""
    it = quiet(stops=["zhou-gongguan", "sun-yat-sen-residence"], catalogue=cat, date=SATURDAY,
               network="estimate", start_time=dt.time(7, 30), hours=3)
    assert it.requested_start == dt.datetime.combine(SATURDAY, dt.time(7, 30))
    assert it.departure > it.requested_start and it.start_moved
    lines = schedule_text(it).splitlines()[:6]
    moved = f"{it.departure:%H:%M}"
    assert (f"出发时间推迟到 {moved}：此前各站均未开放 / Start moved to {moved}: nothing on the "
            "walk is open before then") in lines
    assert it.to_dict()["requested_start"] == "2026-12-05T07:30:00"
    on_time = quiet(stops=["zhou-gongguan"], catalogue=cat, date=SATURDAY, network="estimate",
                    start_time=dt.time(10), hours=2)
    assert not on_time.start_moved
    assert "Start moved" not in schedule_text(on_time)


@pytest.mark.slow
@pytest.mark.parametrize("route_id", ROUTES)
def test_every_route_plans_with_a_paced_day(cat: Catalogue, route_id: str,
                                            offline: Path) -> None:
    """Every curated route plans on its next recommended day within its pace's walking
    cap, every visit inside its opening hours, any lunch break between two visits."""
    from redroute import settings

    r = load_routes(None, cat)[route_id]
    day = SATURDAY
    while not r.recommended_on(day):
        day += dt.timedelta(days=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        it = make_plan(r.request, catalogue=cat, date=day).itinerary
    check(it, list(r.stops))
    check_breaks(it)
    assert it.distance_m <= settings.MAX_WALK_KM[str(r.request.pace)] * 1000 + 1
    assert len(it.breaks) <= 1
