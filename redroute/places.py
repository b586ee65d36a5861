"""Places people name as a start or an end: Shanghai Metro stations and common names.

The data (``redroute/data/places.json``) is built by ``tools/build_places.py``: 415 stations
of the Shanghai Metro with their lines (names and lines from the operator, positions
re-derived from its points and the OpenStreetMap street network) and common names such as
外滩 or 一大会址. A name matches with or without 站 / "Station", in Chinese, English or
without spaces and punctuation: ``一大会址·新天地站``, ``"Xintiandi"``, ``"people's square
station"``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from redroute import coords

__all__ = ["NamedPlace", "find_place", "nearest_station", "place_names", "stations"]


@dataclass(frozen=True, slots=True)
class NamedPlace:
    """A place with a name: a metro station, or a common name of a point or a landmark.

    ``landmark`` is set when the name stands for a catalogue landmark (its position is the
    landmark's); ``lon``/``lat`` are WGS-84, ``None`` when no trustworthy position is known.
    """

    name_zh: str
    name_en: str
    lon: float | None
    lat: float | None
    kind: str  # "metro" or "alias"
    lines: tuple[str, ...] = ()
    landmark: str | None = None
    names: tuple[str, ...] = ()

    @property
    def label_zh(self) -> str:
        """``人民广场站`` for a station, the name otherwise."""
        station = self.kind == "metro" and not self.name_zh.endswith("站")
        return f"{self.name_zh}站" if station else self.name_zh

    @property
    def label_en(self) -> str:
        """``People's Square Station`` for a station, the name otherwise."""
        station = self.kind == "metro" and not self.name_en.endswith("Station")
        return f"{self.name_en} Station" if station else self.name_en


def _key(text: str) -> str:
    """A name reduced for matching: NFKC, case-folded, no 站/"station", no punctuation."""
    t = unicodedata.normalize("NFKC", text).casefold().strip()
    t = re.sub(r"(地铁站|站|\s*metro station|\s*station)$", "", t)
    return re.sub(r"[\s·・.\-'’,()（）/]+", "", t)


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    path = resources.files("redroute") / "data" / "places.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def stations() -> tuple[NamedPlace, ...]:
    """Every station of the Shanghai Metro (those without a known position included)."""
    return tuple(NamedPlace(s["name_zh"], s["name_en"], s["lon"], s["lat"], "metro",
                            tuple(s["lines"])) for s in _data()["stations"])


@lru_cache(maxsize=1)
def _index() -> dict[str, NamedPlace]:
    out: dict[str, NamedPlace] = {}
    for a in _data()["aliases"]:
        names = tuple(a["names"])
        place = NamedPlace(a.get("name_zh", names[0]), a.get("name_en", names[-1]),
                           a.get("lon"), a.get("lat"), "alias", landmark=a.get("landmark"),
                           names=names)
        for name in names:
            out.setdefault(_key(name), place)
    for st in stations():
        for name in (st.name_zh, st.name_en, *_short_names(st)):
            out.setdefault(_key(name), st)
    return out


def _short_names(st: NamedPlace) -> list[str]:
    """The parts of a double name: 一大会址·新天地 -> 新天地; English likewise."""
    out: list[str] = []
    for name in (st.name_zh, st.name_en):
        if "·" in name:
            out.extend(part for part in name.split("·")[1:] if part.strip())
    return out


def find_place(text: str) -> NamedPlace | None:
    """The place named ``text``, or ``None``. Common names win over station names (一大会址
    is the congress site, not a station)."""
    key = _key(text)
    return _index().get(key) if key else None


def place_names(limit: int | None = None) -> list[str]:
    """Names a user may type (for "did you mean" hints)."""
    names = [n for a in _data()["aliases"] for n in a["names"]]
    names += [s.name_zh for s in stations()] + [s.name_en for s in stations()]
    return names[:limit] if limit else names


def nearest_station(lon: float, lat: float) -> tuple[NamedPlace, float]:
    """The station nearest to ``(lon, lat)`` (WGS-84) with its distance in metres."""
    best: tuple[NamedPlace, float] | None = None
    for st in stations():
        if st.lon is None or st.lat is None:
            continue
        d = coords.haversine_m(lon, lat, st.lon, st.lat)
        if best is None or d < best[1]:
            best = (st, d)
    assert best is not None  # the data holds hundreds of stations
    return best
