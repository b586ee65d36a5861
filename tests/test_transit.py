"""Metro rides between clusters (redroute.transit) and their use in travel matrices."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redroute import coords, transit, walk_network
from redroute._errors import NetworkWarning, PlanError
from redroute.export.text import schedule_text
from redroute.itinerary import load_itinerary
from redroute.matrix import travel_matrix
from redroute.network import BBox
from redroute.places import NamedPlace, find_place, stations
from redroute.plan import plan_itinerary

FIRST_CONGRESS = (121.4753, 31.2222)
LU_XUN_PARK = (121.4835, 31.2745)
NEAR_FIRST = (121.4800, 31.2240)  # about 500 m away
SATURDAY = dt.date(2026, 12, 5)


def station(name: str) -> NamedPlace:
    place = find_place(name)
    assert place is not None
    assert place.kind == "metro"
    return place


def test_a_ride_on_one_line() -> None:
    """Stations that share a line: that line, no change; time = access + wait + track."""
    r = transit.ride(station("一大会址·新天地"), station("四川北路"))
    assert r is not None
    assert r.lines == ("10",)
    assert not r.transfer
    track = coords.haversine_m(*r.board, *r.alight) * transit.TRACK_FACTOR
    assert r.distance_m == pytest.approx(track)
    assert r.seconds == pytest.approx(transit.ACCESS_S + transit.WAIT_S
                                      + track / (transit.RIDE_SPEED_KMH / 3.6))
    zh, en = transit.ride_words(r)
    assert zh == f"乘地铁 10 号线 一大会址·新天地站 -> 四川北路站，约 {r.minutes} 分钟（估算）"
    assert en.startswith("Take Metro Line 10, Site of the First CPC National Congress·Xintiandi"
                         " -> North Sichuan Road, about ")
    assert en.endswith(" min (estimated)")


def test_a_ride_with_a_change_costs_a_transfer_and_names_both_lines() -> None:
    a, b = station("人民广场"), station("东安路")
    r = transit.ride(a, b)
    assert r is not None
    assert r.transfer
    assert r.lines[0] in a.lines
    assert r.lines[1] in b.lines
    track = coords.haversine_m(*r.board, *r.alight) * transit.TRACK_FACTOR
    assert r.seconds == pytest.approx(transit.ACCESS_S + transit.WAIT_S + transit.TRANSFER_S
                                      + track / (transit.RIDE_SPEED_KMH / 3.6))
    zh, en = transit.ride_words(r)
    assert f"换乘 {r.lines[1]} 号线" in zh
    assert f"changing to Line {r.lines[1]}" in en
    # The two lines meet at some station: a change the rider can make.
    assert any({*r.lines} <= set(s.lines) for s in stations())


def test_no_ride_from_a_station_to_itself() -> None:
    assert transit.ride(station("人民广场"), station("人民广场")) is None


def test_near_stations_are_within_the_radius_nearest_first() -> None:
    found = transit.near_stations(*FIRST_CONGRESS)
    assert 1 <= len(found) <= transit.NEAR_STATIONS
    distances = [d for _, d in found]
    assert distances == sorted(distances)
    assert max(distances) <= transit.STATION_RADIUS_M
    assert transit.near_stations(121.0, 30.5) == []  # the sea off Jinshan


def test_a_ride_survives_a_json_round_trip() -> None:
    r = transit.ride(station("一大会址·新天地"), station("四川北路"))
    assert r is not None
    back = transit.Ride.from_dict(r.to_dict())
    assert back.lines == r.lines
    assert back.board_zh == r.board_zh
    assert back.seconds == pytest.approx(r.seconds, abs=0.1)


def _estimate(points: list[tuple[float, float]]) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        return walk_network(BBox.around(points), network="estimate")


def test_the_matrix_rides_only_beyond_the_walk_limit() -> None:
    """Far pairs go by metro when it is quicker; near pairs walk; the ride's walking is the
    walk to and from the stations, its time the whole way."""
    pts = [FIRST_CONGRESS, LU_XUN_PARK, NEAR_FIRST]
    net = _estimate(pts)
    walking = travel_matrix(net, pts)  # type: ignore[arg-type]
    mixed = travel_matrix(net, pts, walk_limit_m=2000)  # type: ignore[arg-type]
    assert set(mixed.rides) == {(0, 1), (1, 0), (1, 2), (2, 1)}
    for (i, j), r in mixed.rides.items():
        assert walking.distance_m[i, j] > 2000
        assert mixed.duration_s[i, j] < walking.duration_s[i, j]
        assert mixed.distance_m[i, j] < walking.distance_m[i, j]
        assert r.seconds < mixed.duration_s[i, j]
    assert mixed.distance_m[0, 2] == walking.distance_m[0, 2]
    assert not mixed.rides.get((0, 2))


def test_a_ride_leg_walks_rides_and_walks_on() -> None:
    pts = [FIRST_CONGRESS, LU_XUN_PARK]
    mixed = travel_matrix(_estimate(pts), pts, walk_limit_m=2000)  # type: ignore[arg-type]
    leg = mixed.leg(0, 1)
    assert leg.ride is not None
    assert leg.geometry[0] == pytest.approx(FIRST_CONGRESS)
    assert leg.geometry[-1] == pytest.approx(LU_XUN_PARK)
    assert leg.geometry[leg.ride_at] == pytest.approx(leg.ride.board)
    assert leg.geometry[leg.ride_at + 1] == pytest.approx(leg.ride.alight)
    (step,) = [s for s in leg.steps if s.kind == "metro"]
    assert step.estimated
    assert f"{leg.ride.board_zh}站 -> {leg.ride.alight_zh}站" in step.text_zh
    assert "（估算）" in step.text_zh
    assert "(estimated)" in step.text_en
    assert leg.distance_m == pytest.approx(mixed.distance_m[0, 1])


def test_a_zero_walk_limit_is_refused() -> None:
    pts = [FIRST_CONGRESS, LU_XUN_PARK]
    with pytest.raises(PlanError, match="walk limit"):
        travel_matrix(_estimate(pts), pts, walk_limit_m=0)  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(121.40, 121.55), st.floats(31.18, 31.30)),
                min_size=2, max_size=5),
       st.floats(1000, 4000))
def test_rides_only_where_walking_exceeds_the_limit(points: list[tuple[float, float]],
                                                    limit: float) -> None:
    """For any points: a pair rides only when its walk is longer than the limit and the
    ride is quicker, and every ride names two different stations."""
    net = _estimate(points)
    walking = travel_matrix(net, points)  # type: ignore[arg-type]
    mixed = travel_matrix(net, points, walk_limit_m=limit)  # type: ignore[arg-type]
    for (i, j), r in mixed.rides.items():
        assert walking.distance_m[i, j] > limit
        assert mixed.duration_s[i, j] < walking.duration_s[i, j]
        assert r.board_zh and r.alight_zh and r.board_zh != r.alight_zh
        assert r.board_en and r.alight_en
    for i in range(len(points)):
        for j in range(len(points)):
            if (i, j) not in mixed.rides:
                assert mixed.duration_s[i, j] == walking.duration_s[i, j]


def _across_town(**fields: object) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        return plan_itinerary(["first-congress-site", "lu-xun-memorial-hall"], order="fixed",
                              start="peoples-square", end=None, date=SATURDAY,
                              network="estimate", hours=6, **fields)


def test_a_walk_across_town_takes_the_metro_and_says_so(tmp_path: Path) -> None:
    it = _across_town()
    rides = [leg for leg in it.legs if leg.ride]  # type: ignore[attr-defined]
    assert len(rides) == 1
    text = schedule_text(it, lang="both")  # type: ignore[arg-type]
    assert re.search(r"乘地铁 \d+ 号线.*站 -> .*站，约 \d+ 分钟（估算）", text)
    assert "(estimated)" in text
    # Walking totals leave the ride out; the file keeps it.
    leg = rides[0]
    assert leg.walking_s == pytest.approx(leg.duration_s - leg.ride.seconds)
    assert it.ride_minutes == pytest.approx(leg.ride.seconds / 60)  # type: ignore[attr-defined]
    path = tmp_path / "it.json"
    path.write_text(it.to_json(), encoding="utf-8")  # type: ignore[attr-defined]
    back = load_itinerary(path)
    assert [bool(x.ride) for x in back.legs] == [bool(x.ride) for x in it.legs]  # type: ignore[attr-defined]
    again = back.legs[[bool(x.ride) for x in back.legs].index(True)].ride
    assert again is not None
    assert (again.lines, again.board_zh, again.alight_zh) == (leg.ride.lines, leg.ride.board_zh,
                                                            leg.ride.alight_zh)


def test_no_metro_walks_every_leg() -> None:
    it = _across_town(metro=False)
    assert not any(leg.ride for leg in it.legs)  # type: ignore[attr-defined]
    assert it.distance_m > _across_town().distance_m  # type: ignore[attr-defined]


def test_the_gpx_track_leaves_the_ride_out() -> None:
    """A ride is not walked: the GPX has two segments for that leg, the boarding station as
    a waypoint, and no track point between the two stations."""
    from redroute.export.gpx import gpx_text

    it = _across_town()
    xml = gpx_text(it, lang="both")  # type: ignore[arg-type]
    ride_leg = next(leg for leg in it.legs if leg.ride)  # type: ignore[attr-defined]
    moving = [leg for leg in it.legs if len(set(leg.geometry)) > 1]  # type: ignore[attr-defined]
    assert xml.count("<trkseg>") == len(moving) + 1
    assert "<type>metro</type>" in xml
    assert f"{ride_leg.ride.board_zh}站" in xml
