"""Build ``redroute/data/places.json``: the start and end points people name.

Sources, each re-derived and checked here rather than copied:

- **Shanghai Metro stations** (names, lines, station codes: public facts published by the
  operator, Shanghai Shentong Metro Group, https://www.shmetro.com; researched through the
  reference list in ``../shared/data/reference/metro``). Each position is the operator's BD-09
  point converted to WGS-84 with :mod:`redroute.coords`, then moved to the nearest point of a
  walkable street of the bundled network when one lies within 150 m (that is where a walk
  starts); elsewhere it is kept, rounded to 1e-4 degree (about 10 m). Consecutive stations
  of a line (by station code) must lie 250 m to 9 km apart; a station that breaks this, or a
  known source error, is listed with no position, so it is never used as a start.
- **Common names** of places that are not a station or a catalogue id (外滩, 一大会址...):
  either a landmark id of the catalogue, or a point on a named street of the bundled
  OpenStreetMap network.

Run (from the checkout)::

    .venv/bin/python tools/build_places.py \
        ../shared/data/reference/metro/shanghai-metro-stations.csv
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import sys
import warnings
from collections import defaultdict
from pathlib import Path

from redroute import coords
from redroute._bundle import bundled_network
from redroute._errors import NetworkWarning
from redroute.network import BBox

OUT = Path(__file__).resolve().parent.parent / "redroute" / "data" / "places.json"
#: Source errors known from the reference's own notes: no trustworthy position.
KNOWN_BAD = {("浦电路", "6"): "the source gives the position of 向城路 (Line 4)"}
SNAP_M = 150.0

#: Common names: (names, landmark id) or (names, (street, cross street)).
ALIASES: list[dict[str, object]] = [
    {"names": ["一大会址", "中共一大会址", "一大", "First Congress", "First CPC Congress site"],
     "landmark": "first-congress-site"},
    {"names": ["一大纪念馆", "中共一大纪念馆", "First Congress Memorial Hall"],
     "landmark": "first-congress-memorial-hall"},
    {"names": ["渔阳里", "老渔阳里", "Yuyangli", "Old Yuyangli"], "landmark": "old-yuyangli-2"},
    {"names": ["新渔阳里", "New Yuyangli"], "landmark": "new-yuyangli-6"},
    {"names": ["多伦路", "多伦路文化名人街", "Duolun Road"],
     "landmark": "left-wing-writers-league-memorial"},
    {"names": ["龙华", "龙华烈士陵园", "Longhua", "Longhua Martyrs' Cemetery"],
     "landmark": "longhua-martyrs-cemetery"},
    {"names": ["外滩", "The Bund", "Bund", "Waitan"], "street": "中山东一路",
     "between": ["延安东路", "北京东路"], "name_zh": "外滩", "name_en": "The Bund"},
]


def main(csv_path: str) -> None:
    with Path(csv_path).open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        net = bundled_network(BBox(31.17, 121.40, 31.28, 121.56))
    stations = []
    for r in rows:
        lon, lat = coords.convert(float(r["lon_bd09"]), float(r["lat_bd09"]), src="bd09",
                                  dst="wgs84")
        lines = [x for x in r["lines"].split(";") if x]
        stations.append({"name_zh": r["name_zh"], "name_en": r["name_en"], "lines": lines,
                         "codes": r["stat_ids"].split(";"), "lon": lon, "lat": lat})
    problems = _check_neighbours(stations)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        snaps = net.snap([(s["lon"], s["lat"]) for s in stations])
    out = []
    for s, snap in zip(stations, snaps, strict=True):
        bad = [why for (name, line), why in KNOWN_BAD.items()
               if s["name_zh"] == name and line in s["lines"]] + problems.get(s["name_zh"], [])
        entry: dict[str, object] = {"name_zh": s["name_zh"], "name_en": s["name_en"],
                                    "lines": s["lines"]}
        if bad:
            entry.update(lon=None, lat=None, position="unknown: " + "; ".join(bad))
        elif snap.distance_m <= SNAP_M:
            entry.update(lon=round(snap.snapped[0], 6), lat=round(snap.snapped[1], 6),
                         position=f"street, {snap.distance_m:.0f} m from the station centre")
        else:
            entry.update(lon=round(float(s["lon"]), 4), lat=round(float(s["lat"]), 4),
                         position="station centre")
        out.append(entry)
    aliases = [_alias(a, net) for a in ALIASES]
    data = {
        "about": "Start and end points people name: Shanghai Metro stations and common "
                 "names. Station names and lines: Shanghai Shentong Metro Group "
                 "(https://www.shmetro.com), checked 2026-12-01; positions re-derived by "
                 "redroute (tools/build_places.py) from the operator's points and the "
                 "OpenStreetMap street network (© OpenStreetMap contributors, ODbL).",
        "stations": out,
        "aliases": aliases,
    }
    # One place a line: small, and a diff shows what changed.
    def rows(items: list[dict[str, object]]) -> str:
        return ",\n".join("  " + json.dumps(i, ensure_ascii=False) for i in items)

    text = (f'{{\n "about": {json.dumps(data["about"], ensure_ascii=False)},\n'
            f' "stations": [\n{rows(out)}\n ],\n "aliases": [\n{rows(aliases)}\n ]\n}}\n')
    json.loads(text)
    OUT.write_text(text, encoding="utf-8")
    kept = sum(1 for s in out if s["lon"] is not None)
    print(f"wrote {OUT}: {len(out)} stations ({kept} with a position), {len(aliases)} aliases")
    for name, why in sorted(problems.items()):
        print(f"  {name}: {'; '.join(why)}")


def _check_neighbours(stations: list[dict[str, object]]) -> dict[str, list[str]]:
    """Consecutive stations of a line (by code) 250 m to 9 km apart, else a problem."""
    by_line: dict[str, list[tuple[str, dict[str, object]]]] = defaultdict(list)
    for s in stations:
        for code in s["codes"]:  # type: ignore[attr-defined]
            by_line[code[:2]].append((code, s))
    gaps: dict[str, list[float]] = defaultdict(list)
    for members in by_line.values():
        members.sort(key=lambda m: m[0])
        for (c1, a), (c2, b) in itertools.pairwise(members):
            if int(c2[2:]) - int(c1[2:]) != 1:
                continue  # a branch or a missing station: not neighbours
            d = coords.haversine_m(a["lon"], a["lat"], b["lon"], b["lat"])  # type: ignore[arg-type]
            gaps[str(a["name_zh"])].append(d)
            gaps[str(b["name_zh"])].append(d)
    problems: dict[str, list[str]] = {}
    for name, ds in gaps.items():
        if all(d < 250 or d > 9000 for d in ds):
            problems[name] = [f"{min(ds):.0f} m from its nearest neighbour on the line"]
    return problems


def _alias(a: dict[str, object], net: object) -> dict[str, object]:
    if "landmark" in a:
        return {"names": a["names"], "landmark": a["landmark"]}
    idx = net.index  # type: ignore[attr-defined]
    street = a["street"]
    ends = []
    for cross in a["between"]:  # type: ignore[attr-defined]
        on = {int(n) for e, nm in enumerate(idx.edge_name) if nm == street
              for n in (idx.edge_u[e], idx.edge_v[e])}
        at = {int(n) for e, nm in enumerate(idx.edge_name) if nm == cross
              for n in (idx.edge_u[e], idx.edge_v[e])}
        common = sorted(on & at)
        if not common:
            msg = f"{street} and {cross} do not meet in the bundled network"
            raise SystemExit(msg)
        ends.append((float(idx.lon[common[0]]), float(idx.lat[common[0]])))
    lon = (ends[0][0] + ends[1][0]) / 2
    lat = (ends[0][1] + ends[1][1]) / 2
    if not (math.isfinite(lon) and math.isfinite(lat)):
        msg = f"no position for {a['names']}"
        raise SystemExit(msg)
    return {"names": a["names"], "name_zh": a["name_zh"], "name_en": a["name_en"],
            "lon": round(lon, 6), "lat": round(lat, 6),
            "position": f"midway on {street} between {' and '.join(a['between'])} (OSM)"}  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv[1])
