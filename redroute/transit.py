"""The metro between clusters of sites: an honest estimate of a ride on the Shanghai Metro.

redroute has no timetable and no track geometry, only the stations with their lines
(:func:`redroute.places.stations`). A ride from station A to station B is estimated as:

- the distance between the two stations in a straight line, times :data:`TRACK_FACTOR` for
  the curves of the track, at :data:`RIDE_SPEED_KMH` (an average speed with the stops);
- plus :data:`ACCESS_S` to go down to the platform and back up to the street, and
  :data:`WAIT_S` of waiting for a train;
- plus :data:`TRANSFER_S` when the two stations share no line (one change of trains; the
  estimate does not know where).

Every ride is marked estimated wherever it shows. The walks to and from the stations are
measured on the walking network like any other leg (:mod:`redroute.matrix`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from redroute import coords
from redroute.places import NamedPlace, stations
from redroute.vocabulary import Label

__all__ = [
    "ACCESS_S",
    "RIDE_SPEED_KMH",
    "TRACK_FACTOR",
    "TRANSFER_S",
    "WAIT_S",
    "Ride",
    "near_stations",
    "ride",
    "ride_words",
]

#: Average speed of a metro ride including its stops (km/h). Shanghai's lines run at about
#: 30-40 km/h between terminals; the lower end is taken, short rides stop often.
RIDE_SPEED_KMH = 30.0
#: Track length over the straight line between two stations.
TRACK_FACTOR = 1.25
#: From the street to the platform and from the platform to the street (s).
ACCESS_S = 240.0
#: Waiting for a train (s): half of an off-peak interval of about 8 minutes.
WAIT_S = 240.0
#: One change of trains when the two stations share no line (s): the walk inside the station
#: and another wait.
TRANSFER_S = 420.0
#: How far a walker goes to a station (straight line, metres).
STATION_RADIUS_M = 1200.0
#: Stations considered near each point.
NEAR_STATIONS = 3


@dataclass(frozen=True, slots=True)
class Ride:
    """A metro ride from one station to another, estimated.

    Attributes
    ----------
    board_zh, board_en, alight_zh, alight_en
        The stations' names (``新天地``, ``Xintiandi``), without 站 / "Station".
    board, alight
        Their ``(lon, lat)`` positions.
    lines
        The line to take (``("10",)``), or the line to board and the line to change to
        (``("2", "10")``) when the stations share none.
    seconds
        The whole ride: down to the platform, wait, travel, change, up to the street.
    distance_m
        The estimated length of the ride on the tracks.
    """

    board_zh: str
    board_en: str
    alight_zh: str
    alight_en: str
    board: tuple[float, float]
    alight: tuple[float, float]
    lines: tuple[str, ...]
    seconds: float
    distance_m: float

    @property
    def transfer(self) -> bool:
        """True when the ride changes trains once."""
        return len(self.lines) > 1

    @property
    def minutes(self) -> int:
        """The ride in whole minutes, rounded up."""
        return max(1, math.ceil(self.seconds / 60))

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (the itinerary file's ``ride``)."""
        return {"board_zh": self.board_zh, "board_en": self.board_en,
                "alight_zh": self.alight_zh, "alight_en": self.alight_en,
                "board": list(self.board), "alight": list(self.alight),
                "lines": list(self.lines), "seconds": round(self.seconds, 1),
                "distance_m": round(self.distance_m, 1), "estimated": True}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ride:
        """The inverse of :meth:`to_dict`."""
        board = (float(data["board"][0]), float(data["board"][1]))
        alight = (float(data["alight"][0]), float(data["alight"][1]))
        return cls(str(data["board_zh"]), str(data["board_en"]), str(data["alight_zh"]),
                   str(data["alight_en"]), board, alight,
                   tuple(str(x) for x in data["lines"]), float(data["seconds"]),
                   float(data["distance_m"]))


@lru_cache(maxsize=1)
def _located() -> tuple[NamedPlace, ...]:
    return tuple(s for s in stations() if s.lon is not None and s.lat is not None)


def near_stations(lon: float, lat: float, *, radius_m: float = STATION_RADIUS_M,
                  count: int = NEAR_STATIONS) -> list[tuple[NamedPlace, float]]:
    """The ``count`` stations nearest to ``(lon, lat)`` within ``radius_m`` (straight line),
    nearest first, with their distances in metres."""
    found = []
    for st in _located():
        d = coords.haversine_m(lon, lat, float(st.lon or 0.0), float(st.lat or 0.0))
        if d <= radius_m:
            found.append((st, d))
    found.sort(key=lambda t: (t[1], t[0].name_zh))
    return found[:count]


@lru_cache(maxsize=1)
def _interchanges() -> frozenset[frozenset[str]]:
    """The pairs of lines that meet at a station."""
    return frozenset(frozenset((x, y)) for st in _located() for x in st.lines for y in st.lines
                     if x != y)


def _line_key(line: str) -> tuple[int, str]:
    return (int(line), line) if line.isdigit() else (10_000, line)


def ride(board: NamedPlace, alight: NamedPlace) -> Ride | None:
    """The estimated ride between two stations (``None`` for the same station or one
    without a position)."""
    if board is alight or board.name_zh == alight.name_zh:
        return None
    if None in (board.lon, board.lat, alight.lon, alight.lat):
        return None
    a = (float(board.lon), float(board.lat))  # type: ignore[arg-type]
    b = (float(alight.lon), float(alight.lat))  # type: ignore[arg-type]
    track = coords.haversine_m(*a, *b) * TRACK_FACTOR
    shared = sorted(set(board.lines) & set(alight.lines), key=_line_key)
    seconds = ACCESS_S + WAIT_S + track / (RIDE_SPEED_KMH / 3.6)
    if shared:
        lines: tuple[str, ...] = (shared[0],)
    else:
        pairs = [(x, y) for x in sorted(board.lines, key=_line_key)
                 for y in sorted(alight.lines, key=_line_key)]
        if not pairs:
            return None
        # Lines that meet at some station; else the first of each (the estimate is rough).
        meeting = [xy for xy in pairs if frozenset(xy) in _interchanges()]
        lines = (meeting or pairs)[0]
        seconds += TRANSFER_S
    return Ride(board.name_zh, board.name_en, alight.name_zh, alight.name_en, a, b, lines,
                seconds, track)


def _line_zh(line: str) -> str:
    names = {"41": "浦江线", "51": "机场联络线"}
    return names.get(line, f"{line} 号线")


def _line_en(line: str) -> str:
    names = {"41": "the Pujiang Line", "51": "the Airport Link"}
    return names.get(line, f"Line {line}")


def _station_zh(name: str) -> str:
    return name if name.endswith("站") else f"{name}站"


def ride_words(r: Ride) -> Label:
    """``乘地铁 10 号线 新天地站 -> 四川北路站，约 15 分钟（估算）`` and its English."""
    if r.transfer:
        zh_line = f"{_line_zh(r.lines[0])}，换乘 {_line_zh(r.lines[1])}"
        en_line = f"{_line_en(r.lines[0])}, changing to {_line_en(r.lines[1])},"
    else:
        zh_line, en_line = _line_zh(r.lines[0]), _line_en(r.lines[0])
    zh = (f"乘地铁 {zh_line} {_station_zh(r.board_zh)} -> {_station_zh(r.alight_zh)}，"
          f"约 {r.minutes} 分钟（估算）")
    en = (f"Take Metro {en_line} {r.board_en} -> {r.alight_en}, about {r.minutes} min "
          f"(estimated)")
    if not r.transfer:
        en = en.replace(f"{en_line} ", f"{en_line}, ", 1)
    return Label(zh, en.replace("Metro the ", "the "))
