"""WGS-84 / GCJ-02 / BD-09 conversion."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redroute import coords
from redroute._errors import CoordinateError

# Published reference pairs (the coordtransform and PRCoords examples: Tiananmen, Beijing).
WGS_TO_GCJ = [((116.404, 39.915), (116.41024449916938, 39.91640428150164))]
GCJ_TO_BD = [((116.404, 39.915), (116.41036949371029, 39.92133699351021))]
# The widely used closed-form inverse; the iterative inverse agrees within a few cm.
BD_TO_GCJ = [((116.404, 39.915), (116.39762729119315, 39.90865673957631))]
GCJ_TO_WGS = [((116.404, 39.915), (116.39775550083061, 39.91359571849836))]

shanghai = st.tuples(st.floats(121.0, 122.0), st.floats(30.7, 31.7))


@pytest.mark.parametrize(("src", "dst"), WGS_TO_GCJ)
def test_wgs_to_gcj_matches_reference(src: tuple[float, float], dst: tuple[float, float]) -> None:
    assert coords.wgs84_to_gcj02(*src) == pytest.approx(dst, abs=1e-9)


@pytest.mark.parametrize(("src", "dst"), GCJ_TO_BD)
def test_gcj_to_bd_matches_reference(src: tuple[float, float], dst: tuple[float, float]) -> None:
    assert coords.gcj02_to_bd09(*src) == pytest.approx(dst, abs=1e-9)


@pytest.mark.parametrize(("src", "dst"), BD_TO_GCJ)
def test_bd_to_gcj_matches_reference(src: tuple[float, float], dst: tuple[float, float]) -> None:
    assert coords.haversine_m(*coords.bd09_to_gcj02(*src), *dst) < 0.2


@pytest.mark.parametrize(("src", "dst"), GCJ_TO_WGS)
def test_gcj_to_wgs_matches_reference(src: tuple[float, float], dst: tuple[float, float]) -> None:
    assert coords.haversine_m(*coords.gcj02_to_wgs84(*src), *dst) < 0.2


def test_shanghai_offsets_have_the_known_size() -> None:
    """In Shanghai GCJ-02 sits about 500 m east-south-east of WGS-84; BD-09 ~1.2 km off."""
    wgs = (121.470552, 31.222068)  # 1st Congress site
    gcj = coords.wgs84_to_gcj02(*wgs)
    bd = coords.wgs84_to_bd09(*wgs)
    assert 350 < coords.haversine_m(*wgs, *gcj) < 650
    assert gcj[0] > wgs[0] and gcj[1] < wgs[1]
    assert 900 < coords.haversine_m(*wgs, *bd) < 1500


@given(shanghai)
def test_gcj_round_trip_within_a_centimetre(p: tuple[float, float]) -> None:
    back = coords.gcj02_to_wgs84(*coords.wgs84_to_gcj02(*p))
    assert coords.haversine_m(*p, *back) < 0.01


@given(shanghai)
def test_bd_round_trip_within_a_centimetre(p: tuple[float, float]) -> None:
    back = coords.bd09_to_wgs84(*coords.wgs84_to_bd09(*p))
    assert coords.haversine_m(*p, *back) < 0.01


@given(shanghai, st.sampled_from(list(coords.Datum)), st.sampled_from(list(coords.Datum)))
def test_convert_any_pair_round_trips(p: tuple[float, float], a: coords.Datum,
                                      b: coords.Datum) -> None:
    there = coords.convert(*p, src=a, dst=b)
    back = coords.convert(*there, src=b, dst=a)
    assert coords.haversine_m(*p, *back) < 0.01


def test_convert_identity_and_names() -> None:
    assert coords.convert(121.47, 31.23, src="WGS-84", dst="wgs84") == (121.47, 31.23)
    assert coords.convert(121.47, 31.23, src="GCJ02", dst="bd_09") == pytest.approx(
        coords.gcj02_to_bd09(121.47, 31.23), abs=1e-8)


def test_unknown_datum_is_named() -> None:
    with pytest.raises(CoordinateError, match="unknown datum 'utm'"):
        coords.convert(121.47, 31.23, src="utm", dst="wgs84")


@pytest.mark.parametrize(("lon", "lat"), [(float("nan"), 31.2), (121.4, 95.0), (200.0, 31.2)])
def test_invalid_coordinates_are_rejected(lon: float, lat: float) -> None:
    with pytest.raises(CoordinateError):
        coords.wgs84_to_gcj02(lon, lat)


def test_haversine_one_degree_of_latitude() -> None:
    assert coords.haversine_m(121.0, 31.0, 121.0, 32.0) == pytest.approx(111_195, rel=1e-3)


def test_in_shanghai() -> None:
    assert coords.in_shanghai(121.47, 31.23)
    assert not coords.in_shanghai(31.23, 121.47)
    assert not coords.in_shanghai(116.40, 39.91)
