"""Conversion between the datums used for Chinese maps.

redroute works in WGS-84 (the datum of GPS and OpenStreetMap) everywhere inside. Chinese map
services publish positions in shifted datums, and those only ever meet redroute at its edges:

- **GCJ-02** ("Mars coordinates"): AMap/Gaode, Tencent, Apple Maps in China.
- **BD-09**: Baidu Maps, a further shift of GCJ-02; the Shanghai Library heritage data uses it.

The forward transforms (WGS-84 -> GCJ-02 -> BD-09) are closed formulas; the inverse ones are
solved iteratively to well under a centimetre by :mod:`prcoords`, which this module wraps
with lon/lat ordering, validation and a single :func:`convert` entry point.
"""

from __future__ import annotations

import math
from enum import StrEnum

import prcoords

from redroute._errors import CoordinateError

__all__ = [
    "Datum",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "convert",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "haversine_m",
    "in_shanghai",
    "parse_datum",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

EARTH_RADIUS_M = 6_371_008.8

#: Rough bounding box of the Shanghai municipality (lon_min, lat_min, lon_max, lat_max),
#: islands included, with a small margin.
SHANGHAI_BBOX = (120.85, 30.66, 122.25, 31.90)


class Datum(StrEnum):
    """A geodetic datum a position can be given in."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


def _check(lon: float, lat: float) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        msg = f"coordinate ({lon}, {lat}) is not a finite number"
        raise CoordinateError(msg)
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        msg = f"coordinate lon={lon}, lat={lat} is outside the valid range"
        raise CoordinateError(msg)


def _fix(fn: object, lon: float, lat: float) -> tuple[float, float]:
    _check(lon, lat)
    # check_china=False: the transforms are defined everywhere; whether a point belongs in
    # China is a question for the caller (see in_shanghai), not a reason to skip the shift.
    out = fn(prcoords.Coords(lat, lon), False)  # type: ignore[operator]
    return float(out.lon), float(out.lat)


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Shift a WGS-84 position to GCJ-02. Returns ``(lon, lat)``."""
    return _fix(prcoords.wgs_gcj, lon, lat)


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Recover the WGS-84 position of a GCJ-02 one (iterative, error < 1 cm)."""
    return _fix(prcoords.gcj_wgs_bored, lon, lat)


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """Shift a GCJ-02 position to BD-09."""
    return _fix(prcoords.gcj_bd, lon, lat)


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Recover the GCJ-02 position of a BD-09 one (iterative)."""
    return _fix(prcoords.bd_gcj_bored, lon, lat)


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """Shift a WGS-84 position to BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Recover the WGS-84 position of a BD-09 one."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS = {
    Datum.WGS84: lambda lon, lat: (float(lon), float(lat)),
    Datum.GCJ02: gcj02_to_wgs84,
    Datum.BD09: bd09_to_wgs84,
}
_FROM_WGS = {
    Datum.WGS84: lambda lon, lat: (float(lon), float(lat)),
    Datum.GCJ02: wgs84_to_gcj02,
    Datum.BD09: wgs84_to_bd09,
}


def convert(lon: float, lat: float, *, src: str | Datum, dst: str | Datum) -> tuple[float, float]:
    """Convert a ``(lon, lat)`` position between any two datums.

    Parameters
    ----------
    lon, lat
        The position in decimal degrees, in the datum ``src``.
    src, dst
        ``"wgs84"``, ``"gcj02"`` or ``"bd09"`` (case-insensitive).

    Examples
    --------
    >>> lon, lat = convert(121.4754, 31.2222, src="wgs84", dst="gcj02")
    >>> round(lon - 121.4754, 3), round(lat - 31.2222, 3)
    (0.004, -0.002)
    """
    s, d = parse_datum(src), parse_datum(dst)
    _check(lon, lat)
    if s is d:
        return float(lon), float(lat)
    if (s, d) == (Datum.GCJ02, Datum.BD09):
        return gcj02_to_bd09(lon, lat)
    if (s, d) == (Datum.BD09, Datum.GCJ02):
        return bd09_to_gcj02(lon, lat)
    return _FROM_WGS[d](*_TO_WGS[s](lon, lat))


def parse_datum(value: str | Datum) -> Datum:
    """The :class:`Datum` named by ``value`` (``WGS-84``, ``gcj02``, ``BD09``...)."""
    try:
        return Datum(str(value).strip().lower().replace("-", "").replace("_", ""))
    except ValueError:
        choices = ", ".join(d.value for d in Datum)
        msg = f"unknown datum {value!r}: expected one of {choices}"
        raise CoordinateError(msg) from None


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two WGS-84 positions."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def in_shanghai(lon: float, lat: float) -> bool:
    """Whether a position lies inside the rough bounding box of Shanghai."""
    lon_min, lat_min, lon_max, lat_max = SHANGHAI_BBOX
    return lon_min <= lon <= lon_max and lat_min <= lat <= lat_max
