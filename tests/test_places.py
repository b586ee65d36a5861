"""Places people name: metro stations and common names, with their positions checked."""

from __future__ import annotations

import csv
import warnings

import pytest

from redroute import coords
from redroute._errors import NetworkWarning
from redroute.catalogue import load_catalogue
from redroute.places import find_place, nearest_station, stations

from .conftest import need_shared


@pytest.mark.parametrize(("text", "zh"), [
    ("一大会址·新天地站", "一大会址·新天地"),
    ("一大会址·新天地", "一大会址·新天地"),
    ("Xintiandi", "一大会址·新天地"),
    ("xintiandi station", "一大会址·新天地"),
    ("人民广场站", "人民广场"),
    ("People's Square Station", "人民广场"),
    ("peoples square", "人民广场"),
    ("South Huangpi Road", "一大会址·黄陂南路"),
    ("Site of the First CPC National Congress·South Huangpi Road Station", "一大会址·黄陂南路"),
    ("虹桥火车站", "虹桥火车站"),
    ("Hongqiao Railway Station", "虹桥火车站"),
])
def test_stations_by_any_of_their_names(text: str, zh: str) -> None:
    place = find_place(text)
    assert place is not None and place.kind == "metro"
    assert place.name_zh == zh


def test_station_labels_say_station_once() -> None:
    place = find_place("虹桥火车站")
    assert place is not None
    assert place.label_zh == "虹桥火车站" and place.label_en == "Hongqiao Railway Station"
    square = find_place("人民广场")
    assert square is not None
    assert square.label_zh == "人民广场站" and square.label_en == "People's Square Station"


def test_common_names_win_over_station_names() -> None:
    """一大会址 is the congress site (a landmark), not one of the two stations named after it."""
    place = find_place("一大会址")
    assert place is not None and place.landmark == "first-congress-site"
    bund = find_place("外滩")
    assert bund is not None and bund.kind == "alias" and bund.name_en == "The Bund"
    assert find_place("the bund") == bund


def test_every_alias_names_a_real_landmark() -> None:
    from redroute.places import _data

    ids = set(load_catalogue().ids)
    for alias in _data()["aliases"]:
        if "landmark" in alias:
            assert alias["landmark"] in ids, alias


def test_unknown_names_are_none() -> None:
    assert find_place("Atlantis") is None
    assert find_place("") is None
    assert find_place("站") is None


def test_a_station_without_a_trustworthy_position_has_none() -> None:
    """浦电路 (Line 6) carries another station's position in the source: never a start."""
    place = find_place("浦电路站")
    assert place is not None and place.lon is None and place.lat is None


def test_nearest_station() -> None:
    st, d = nearest_station(121.4706, 31.2181)
    assert st.name_zh == "一大会址·新天地" and d < 100


def test_positions_agree_with_the_operator_and_the_streets() -> None:
    """Every shipped position lies within 160 m of the operator's point (it may have moved
    to the nearest street), and those in the bundled network's area lie on a street."""
    from redroute._bundle import bundled_network
    from redroute.network import BBox

    path = need_shared("data/reference/metro/shanghai-metro-stations.csv")
    with path.open(encoding="utf-8") as fh:
        rows = {(r["name_zh"], r["lines"]): r for r in csv.DictReader(fh)}
    net = bundled_network(BBox(31.17, 121.40, 31.28, 121.56))
    shipped = [s for s in stations() if s.lon is not None and s.lat is not None]
    assert len(shipped) >= 410
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        snaps = net.snap([(s.lon, s.lat) for s in shipped])  # type: ignore[misc]
    on_street = 0
    for s, snap in zip(shipped, snaps, strict=True):
        r = rows[(s.name_zh, ";".join(s.lines))]
        lon, lat = coords.convert(float(r["lon_bd09"]), float(r["lat_bd09"]), src="bd09",
                                  dst="wgs84")
        assert coords.haversine_m(s.lon, s.lat, lon, lat) < 160, s.name_zh  # type: ignore[arg-type]
        if snap.distance_m < 1.0:
            on_street += 1
    assert on_street >= 70  # the central stations start on their street
