"""The route map of a leaflet, drawn as SVG from the walking network: no tile server needed.

Streets come from the :class:`~redroute.network.WalkNetwork` (grey, by class), the route
from the legs' geometry (red; estimated legs dashed; a metro ride dotted purple, straight
between its two stations, each a small ring), then numbered stops, the start, the names of
the streets walked (from the legs' steps) and of a few main streets around, a
north arrow, a scale bar and the OpenStreetMap credit. Positions are projected to a local
equirectangular plane around the route's centre (metres; under 0.1 % error across a
district), then to millimetres on the page: the SVG's user unit is one millimetre.

Street names come from OSM and are escaped; the SVG carries no script.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from redroute.wording import OSM_CREDIT

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from shapely.geometry.base import BaseGeometry

    from redroute.itinerary import Itinerary, Leg
    from redroute.network import BBox, WalkNetwork

__all__ = ["FONT_FAMILY", "RIDE_COLOUR", "MapStyle", "route_map_svg", "short_street_name",
           "trip_map_svg"]

FONT_FAMILY = "Noto Sans CJK SC"
_EARTH_M = 6_371_008.8
_RED = "#c62828"
#: A metro ride, as on the HTML map.
RIDE_COLOUR = "#5e35b1"
_INK = "#263238"
_MAJOR = frozenset({"trunk", "trunk_link", "primary", "primary_link", "secondary",
                    "secondary_link"})
_MINOR = frozenset({"tertiary", "tertiary_link", "residential", "unclassified",
                    "living_street", "road"})
#: The strip at the bottom of a map kept for the credit line (mm).
_CREDIT_STRIP = 3.5
_SCALES_M = (20, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000)


@dataclass(frozen=True, slots=True)
class MapStyle:
    """Sizes of the drawing, in millimetres."""

    margin: float = 6.0
    route: float = 0.9
    stop_r: float = 2.3
    stop_font: float = 2.7
    label_font: float = 2.3
    street_labels: int = 9
    context_labels: int = 5
    furniture: bool = True  # north arrow, scale bar, credit

    @classmethod
    def small(cls) -> MapStyle:
        """The cover's thumbnail: route and numbered stops only."""
        return cls(margin=4.0, route=0.8, stop_r=1.7, stop_font=2.0, label_font=2.0,
                   street_labels=0, context_labels=0, furniture=False)


@dataclass(frozen=True, slots=True)
class _Frame:
    """lon/lat -> millimetres on the map (y down)."""

    lon0: float
    lat0: float
    kx: float  # mm per degree of longitude
    ky: float
    width: float
    height: float
    mm_per_m: float

    def project(self, pts: np.ndarray) -> np.ndarray:
        out = np.empty((len(pts), 2))
        out[:, 0] = self.width / 2 + (pts[:, 0] - self.lon0) * self.kx
        out[:, 1] = self.height / 2 - (pts[:, 1] - self.lat0) * self.ky
        return out

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        p = self.project(np.array([[lon, lat]]))[0]
        return float(p[0]), float(p[1])


def _frame(points: np.ndarray, width: float, height: float, margin: float) -> _Frame:
    lat_c = float((points[:, 1].min() + points[:, 1].max()) / 2)
    lon_c = float((points[:, 0].min() + points[:, 0].max()) / 2)
    m_lat = math.pi / 180 * _EARTH_M
    m_lon = m_lat * math.cos(math.radians(lat_c))
    span_x = max(float(np.ptp(points[:, 0])) * m_lon, 300.0)
    span_y = max(float(np.ptp(points[:, 1])) * m_lat, 300.0)
    mm_per_m = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    return _Frame(lon_c, lat_c, m_lon * mm_per_m, m_lat * mm_per_m, width, height, mm_per_m)


@dataclass
class _Canvas:
    """SVG elements plus the shapes labels must keep clear of."""

    width: float
    height: float
    parts: list[str] = field(default_factory=list)
    obstacles: list[BaseGeometry] = field(default_factory=list)
    route_area: BaseGeometry | None = None

    def free(self, shape: BaseGeometry, *, avoid_route: bool = True) -> bool:
        from shapely.geometry import box

        if not box(1.0, 1.0, self.width - 1.0, self.height - 1.0).contains(shape):
            return False
        if avoid_route and self.route_area is not None and shape.intersects(self.route_area):
            return False
        return not any(shape.intersects(o) for o in self.obstacles)


def _d(line: np.ndarray) -> str:
    head, *rest = (f"{x:.1f},{y:.1f}" for x, y in line)
    return f"M{head}" + ("L" + " ".join(rest) if rest else "")


def _text_width(text: str, size: float) -> float:
    """A safe over-estimate of a label's advance width (CJK 1 em, Latin about 0.56 em)."""
    w = 0.0
    for ch in text:
        if ch == " ":
            w += 0.26
        elif ord(ch) > 0x2E7F:
            w += 1.0
        elif ch.isupper() or ch.isdigit():
            w += 0.62
        else:
            w += 0.52
    return w * size


_ABBREV = (("Middle ", "(M)"), ("East ", "(E)"), ("West ", "(W)"), ("North ", "(N)"),
           ("South ", "(S)"))


def short_street_name(name_en: str) -> str:
    """Street-sign English: 'Middle Huaihai Road' -> 'Huaihai Rd (M)'."""
    name = name_en.strip()
    side = ""
    for word, mark in _ABBREV:
        if name.startswith(word) and len(name) > len(word) + 4:
            name, side = name[len(word):], " " + mark
            break
    for long, short in ((" Road", " Rd"), (" Street", " St"), (" Avenue", " Ave"),
                        (" Lane", " Ln")):
        if name.endswith(long):
            name = name[: -len(long)] + short
            break
    return name + side


# --------------------------------------------------------------------------- layers


def _view(frame: _Frame, pad: float = 2.0) -> BBox:
    """The area the frame shows, ``pad`` mm beyond it (a street on its edge still counts)."""
    from redroute.network import BBox

    half_w, half_h = frame.width / 2 + pad, frame.height / 2 + pad
    return BBox(frame.lat0 - half_h / frame.ky, frame.lon0 - half_w / frame.kx,
                frame.lat0 + half_h / frame.ky, frame.lon0 + half_w / frame.kx)


def _streets(canvas: _Canvas, frame: _Frame, network: WalkNetwork | None) -> None:
    # Any network with streets (an extract, a download, the bundled one), never an estimate.
    if network is None or network.estimated:
        return
    paths: dict[str, list[str]] = {"path": [], "minor": [], "major": []}
    for street in network.streets(_view(frame)):
        line = frame.project(np.asarray(street.geometry, dtype=float))
        highway = street.highway
        kind = "major" if highway in _MAJOR else "minor" if highway in _MINOR else "path"
        paths[kind].append(_d(line))
    style = {"path": ("#dedede", 0.28), "minor": ("#cbcbcb", 0.55), "major": ("#b9b9b9", 0.95)}
    for kind, ds in paths.items():
        if ds:
            colour, width = style[kind]
            canvas.parts.append(
                f'<path d="{" ".join(ds)}" fill="none" stroke="{colour}" '
                f'stroke-width="{width}" stroke-linecap="round" stroke-linejoin="round"/>')


def _leg_lines(frame: _Frame, leg: Leg) -> tuple[list[np.ndarray], np.ndarray | None]:
    """The leg's walks (one, or two around a ride) and its metro ride, straight, if any."""
    if len(leg.geometry) < 2:
        return [], None
    line = frame.project(np.asarray(leg.geometry, dtype=float))
    if leg.ride is None or not 0 <= leg.ride_at < len(line) - 1:
        return [line], None
    walks = [part for part in (line[:leg.ride_at + 1], line[leg.ride_at + 1:])
             if len(part) >= 2]
    return walks, line[leg.ride_at:leg.ride_at + 2]


def _route(canvas: _Canvas, frame: _Frame, legs: Sequence[Leg], style: MapStyle) -> None:
    from shapely.geometry import LineString
    from shapely.ops import unary_union

    lines: list[tuple[np.ndarray, bool]] = []
    rides: list[np.ndarray] = []
    for leg in legs:
        walks, ride = _leg_lines(frame, leg)
        lines += [(line, leg.estimated) for line in walks]
        if ride is not None:
            rides.append(ride)
    if not lines and not rides:
        return
    casing = " ".join(_d(line) for line in [*(line for line, _ in lines), *rides])
    canvas.parts.append(f'<path d="{casing}" fill="none" stroke="#ffffff" '
                        f'stroke-width="{style.route * 2.0:.2f}" stroke-linecap="round" '
                        'stroke-linejoin="round"/>')
    if rides:
        # The ride: round dots in the HTML map's purple, straight from station to station
        # (there is no track geometry); drawn under the walks, which end at the stations.
        canvas.parts.append(
            f'<path class="ride" d="{" ".join(_d(r) for r in rides)}" fill="none" '
            f'stroke="{RIDE_COLOUR}" stroke-width="{style.route * 1.3:.2f}" '
            f'stroke-linecap="round" stroke-dasharray="0.01 {style.route * 2.2:.2f}"/>')
    for estimated in (False, True):
        ds = " ".join(_d(line) for line, est in lines if est is estimated)
        if ds:
            # Long dashes with flat ends (round caps would close the gaps): a dashed leg
            # reads as dashed in print, as on the HTML map.
            dash = (f' stroke-dasharray="{style.route * 2.6:.2f} {style.route * 1.6:.2f}"'
                    if estimated else "")
            cap = "butt" if estimated else "round"
            canvas.parts.append(f'<path d="{ds}" fill="none" stroke="{_RED}" '
                                f'stroke-width="{style.route:.2f}" stroke-linecap="{cap}" '
                                f'stroke-linejoin="round"{dash}/>')
    canvas.route_area = unary_union([LineString(line).buffer(style.route * 1.1)
                                     for line in [*(line for line, _ in lines), *rides]
                                     if len(line) >= 2])


def _stations(canvas: _Canvas, frame: _Frame, it: Itinerary,
              style: MapStyle) -> list[tuple[tuple[float, float], str, str]]:
    """A small ring at each station a ride boards or leaves; returns the stations to name
    (not one at the start or the end, whose label names it already)."""
    from shapely.geometry import Point

    r = style.stop_r * 0.55
    ends = [frame.point(p.lon, p.lat) for p in (it.start, it.end) if p is not None]
    seen: list[tuple[float, float]] = []
    names = []
    for leg in it.legs:
        if leg.ride is None:
            continue
        ride = leg.ride
        for (lon, lat), zh, en in ((ride.board, ride.board_zh, ride.board_en),
                                   (ride.alight, ride.alight_zh, ride.alight_en)):
            x, y = frame.point(lon, lat)
            if any(math.hypot(x - a, y - b) < 0.2 for a, b in seen):
                continue
            seen.append((x, y))
            canvas.parts.append(f'<circle class="station" cx="{x:.2f}" cy="{y:.2f}" '
                                f'r="{r:.2f}" fill="#ffffff" stroke="{RIDE_COLOUR}" '
                                f'stroke-width="{r * 0.5:.2f}"/>')
            canvas.obstacles.append(Point(x, y).buffer(r * 1.2))
            if not any(math.hypot(x - a, y - b) < 2 * style.stop_r for a, b in ends):
                names.append(((x, y), zh, en))
    return names


def _station_labels(canvas: _Canvas, names: list[tuple[tuple[float, float], str, str]],
                    style: MapStyle, lang: str) -> None:
    r = style.stop_r * 0.55
    for at, zh, en in names:
        short = f"{zh.removesuffix('站')}站"
        texts = {"zh": [short], "en": [f"{en} Stn"]}.get(lang, [f"{short} {en}", short])
        for text in texts:
            if _place_point_label(canvas, at, text, style.label_font * 0.92, r * 1.3,
                                  colour=RIDE_COLOUR):
                break


def _spread(points: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    """Push markers apart until no two overlap (a few rounds of pairwise repulsion)."""
    pos = [list(p) for p in points]
    for _ in range(60):
        moved = False
        for i, j in itertools.combinations(range(len(pos)), 2):
            dx, dy = pos[j][0] - pos[i][0], pos[j][1] - pos[i][1]
            dist = math.hypot(dx, dy)
            if dist >= gap:
                continue
            if dist < 1e-6:
                dx, dy, dist = 0.7071, -0.7071, 1.0
            push = (gap - dist) / 2 + 0.05
            ux, uy = dx / dist, dy / dist
            pos[i][0] -= ux * push
            pos[i][1] -= uy * push
            pos[j][0] += ux * push
            pos[j][1] += uy * push
            moved = True
        if not moved:
            break
    return [(p[0], p[1]) for p in pos]


def _square(x: float, y: float, r: float, *, end: bool) -> str:
    """The start (a dark square) or the end (a dark square with a white ring inside)."""
    out = (f'<rect x="{x - r * 0.8:.2f}" y="{y - r * 0.8:.2f}" width="{r * 1.6:.2f}" '
           f'height="{r * 1.6:.2f}" rx="0.3" fill="{_INK}" stroke="#ffffff" '
           'stroke-width="0.35"/>')
    if end:
        out += (f'<rect x="{x - r * 0.42:.2f}" y="{y - r * 0.42:.2f}" width="{r * 0.84:.2f}" '
                f'height="{r * 0.84:.2f}" fill="none" stroke="#ffffff" '
                f'stroke-width="{r * 0.16:.2f}"/>')
    return out


def _end_words(lang: str, *, both_ends: bool, end: bool) -> str:
    zh, en = ("起点/终点", "Start/End") if both_ends else ("终点", "End") if end else (
        "起点", "Start")
    return {"zh": zh, "en": en}.get(lang, f"{zh} {en}")


def _markers(canvas: _Canvas, frame: _Frame, it: Itinerary, style: MapStyle,
             lang: str) -> None:
    """Stops, the start and the end (the last stop's place when the walk ends there). Every
    marker is an obstacle before any label is placed, so that no label hides under one."""
    from shapely.geometry import LineString, Point

    true = [frame.point(s.lon, s.lat) for s in it.stops]
    start = frame.point(it.start.lon, it.start.lat)
    round_trip = it.end is not None and (it.end.lon, it.end.lat) == (it.start.lon, it.start.lat)
    ends = [start]
    if not round_trip:
        last = it.end or it.stops[-1]
        ends.append(frame.point(last.lon, last.lat))
    shown = _spread([*true, *ends], 2 * style.stop_r + 0.3)
    r = style.stop_r
    for k, (x, y) in enumerate(shown[len(true):]):
        canvas.parts.append(_square(x, y, r, end=k == 1))
        canvas.obstacles.append(Point(x, y).buffer(r * 1.2))
    for stop, (x, y), (tx, ty) in zip(it.stops, shown, true, strict=False):
        if math.hypot(x - tx, y - ty) > 0.4:
            canvas.parts.append(f'<path d="M{tx:.2f},{ty:.2f}L{x:.2f},{y:.2f}" '
                                f'stroke="{_RED}" stroke-width="0.25"/>'
                                f'<circle cx="{tx:.2f}" cy="{ty:.2f}" r="0.45" fill="{_RED}"/>')
            canvas.obstacles.append(LineString([(tx, ty), (x, y)]).buffer(0.3))
        canvas.parts.append(
            f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{r:.2f}" fill="{_RED}" stroke="#ffffff" '
            f'stroke-width="0.35"/><text x="{x:.2f}" y="{y + style.stop_font * 0.36:.2f}" '
            f'font-family="{FONT_FAMILY}" font-size="{style.stop_font:.2f}" fill="#ffffff" '
            f'text-anchor="middle">{stop.number}</text>')
        canvas.obstacles.append(Point(x, y).buffer(r + 0.3))
    if not style.furniture:
        return
    places = [it.start] + ([] if round_trip else [it.end or it.stops[-1]])
    for k, (place, at) in enumerate(zip(places, shown[len(true):], strict=True)):
        word = _end_words(lang, both_ends=round_trip, end=k == 1)
        name = place.name_en if lang == "en" else place.name_zh
        label = f"{word}: {name}" if lang == "en" else f"{word} {name}"
        if not _place_point_label(canvas, at, label, style.label_font, r * 1.1):
            _place_point_label(canvas, at, word, style.label_font, r * 1.1)


def _label_svg(text: str, at: tuple[float, float], angle: float, size: float, *,
               colour: str = _INK, anchor: str = "middle") -> str:
    x, y = at
    return (f'<text x="{x:.2f}" y="{y:.2f}" transform="rotate({angle:.1f} {x:.2f} {y:.2f})" '
            f'font-family="{FONT_FAMILY}" font-size="{size:.2f}" fill="{colour}" '
            f'text-anchor="{anchor}" stroke="#ffffff" stroke-width="{size * 0.28:.2f}" '
            f'stroke-linejoin="round" paint-order="stroke">{escape(text)}</text>')


def _label_box(x: float, y: float, angle: float, w: float, h: float) -> BaseGeometry:
    from shapely import affinity
    from shapely.geometry import box

    return affinity.rotate(box(x - w / 2, y - h / 2, x + w / 2, y + h / 2), angle,
                           origin=(x, y))


def _place_point_label(canvas: _Canvas, at: tuple[float, float], text: str, size: float,
                       gap: float, *, colour: str = _INK) -> bool:
    """A label beside a marker, where it covers no marker, label or (if possible) route."""
    w, h = _text_width(text, size), size * 1.15
    x, y = at
    spots = ((gap + w / 2, 0.0), (-gap - w / 2, 0.0), (0.0, gap + h / 2), (0.0, -gap - h / 2),
             (gap + w / 2, gap + h / 2), (-gap - w / 2, -gap - h / 2),
             (gap + w / 2, -gap - h / 2), (-gap - w / 2, gap + h / 2))
    for avoid_route in (True, False):
        for dx, dy in spots:
            shape = _label_box(x + dx, y + dy, 0.0, w, h)
            if canvas.free(shape, avoid_route=avoid_route):
                canvas.obstacles.append(shape)
                canvas.parts.append(_label_svg(text, (x + dx, y + dy + size * 0.36), 0.0,
                                               size, colour=colour))
                return True
    return False


def _stretches(line: np.ndarray, tolerance: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """The straight pieces of a polyline after simplification, longest first."""
    from shapely.geometry import LineString

    if len(line) < 2:
        return []
    simple = np.asarray(LineString(line).simplify(tolerance).coords)
    pieces = [(a, b) for a, b in pairwise(simple) if np.hypot(*(b - a)) > 0]
    return sorted(pieces, key=lambda ab: -float(np.hypot(*(ab[1] - ab[0]))))


def _place_line_label(canvas: _Canvas, pieces: Iterable[tuple[np.ndarray, np.ndarray]],
                      text: str, *, size: float, offset: float, colour: str) -> bool:
    w, h = _text_width(text, size), size * 1.15
    for a, b in pieces:
        length = float(np.hypot(*(b - a)))
        if length < w + 2.0:
            return False
        ux, uy = (b - a) / length
        if ux < 0 or (ux == 0 and uy > 0):  # keep text upright
            ux, uy = -ux, -uy
        angle = math.degrees(math.atan2(uy, ux))
        nx, ny = -uy, ux
        for t in (0.5, 0.3, 0.7):
            cx, cy = a + (b - a) * t
            for side in ((1, -1) if offset else (0,)):
                x, y = cx + nx * side * (offset + h / 2), cy + ny * side * (offset + h / 2)
                shape = _label_box(x, y, angle, w + 0.8, h)
                if canvas.free(shape, avoid_route=bool(offset)):
                    canvas.obstacles.append(shape)
                    bx, by = x + nx * size * 0.36, y + ny * size * 0.36  # baseline
                    canvas.parts.append(_label_svg(text, (bx, by), angle, size, colour=colour))
                    return True
    return False


def _street_label(name_zh: str, name_en: str | None, lang: str) -> list[str]:
    en = short_street_name(name_en) if name_en else None
    if lang == "en":
        return [en] if en else []
    if lang == "both" and en:
        return [f"{name_zh} {en}", name_zh]
    return [name_zh]


def _route_streets(frame: _Frame, legs: Sequence[Leg]) -> dict[tuple[str, str | None],
                                                                list[np.ndarray]]:
    """The stretch of each leg walked along each named street, keyed by (zh, en) name."""
    found: dict[tuple[str, str | None], list[np.ndarray]] = {}
    for leg in legs:
        if len(leg.geometry) < 2 or not leg.steps:
            continue
        line = frame.project(np.asarray(leg.geometry, dtype=float))
        cum = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(line, axis=0).T))])
        total_steps = sum(s.distance_m for s in leg.steps) or 1.0
        ratio = cum[-1] / total_steps
        at = 0.0
        for step in leg.steps:
            lo, hi = at, at + step.distance_m * ratio
            at = hi
            if not step.name_zh or step.estimated or hi - lo < 1.0:
                continue
            xs = np.linspace(lo, hi, max(3, int((hi - lo) / 0.5)))
            piece = np.column_stack([np.interp(xs, cum, line[:, 0]),
                                     np.interp(xs, cum, line[:, 1])])
            found.setdefault((step.name_zh, step.name_en), []).append(piece)
    return found


def _route_labels(canvas: _Canvas, frame: _Frame, legs: Sequence[Leg], style: MapStyle,
                  lang: str) -> set[str]:
    found = _route_streets(frame, legs)

    def walked(item: tuple[tuple[str, str | None], list[np.ndarray]]) -> float:
        return -sum(float(np.hypot(*np.diff(p, axis=0).T).sum()) for p in item[1])

    done: set[str] = set()
    for (zh, en), pieces in sorted(found.items(), key=walked)[: style.street_labels * 2]:
        if len(done) >= style.street_labels:
            break
        stretches = sorted((s for p in pieces for s in _stretches(p, 0.6)),
                           key=lambda ab: -float(np.hypot(*(ab[1] - ab[0]))))
        for text in _street_label(zh, en, lang):
            if _place_line_label(canvas, stretches, text, size=style.label_font,
                                 offset=style.route * 1.1 + 0.4, colour=_INK):
                done.add(zh)
                break
    return done


def _context_labels(canvas: _Canvas, frame: _Frame, network: WalkNetwork | None,
                    style: MapStyle, *, lang: str, skip: set[str]) -> None:
    """Names of a few main streets of the map that the route does not follow."""
    if network is None or network.estimated or style.context_labels <= 0:
        return
    lines: dict[tuple[str, str | None], list[np.ndarray]] = {}
    # Only the streets in view: the network may be the whole bundled centre of Shanghai.
    for geom, highway, name, name_en in network.streets(_view(frame)):
        if name and highway in _MAJOR and name not in skip:
            lines.setdefault((name, name_en), []).append(frame.project(np.asarray(geom,
                                                                                 dtype=float)))
    from redroute.directions import english_street_name

    def inside(p: np.ndarray) -> float:
        ok = ((p[:, 0] > 0) & (p[:, 0] < frame.width) & (p[:, 1] > 0)
              & (p[:, 1] < frame.height))
        return float(np.hypot(*np.diff(p, axis=0).T)[ok[1:] & ok[:-1]].sum())

    ranked = sorted(lines.items(), key=lambda kv: -sum(inside(p) for p in kv[1]))
    placed = 0
    for (zh, en), parts in ranked:
        if placed >= style.context_labels:
            break
        stretches = sorted((s for p in parts for s in _stretches(p, 0.5)),
                           key=lambda ab: -float(np.hypot(*(ab[1] - ab[0]))))
        for text in _street_label(zh, en or english_street_name(zh), lang):
            if _place_line_label(canvas, stretches, text, size=style.label_font * 0.92,
                                 offset=0.0, colour="#757575"):
                placed += 1
                break


def _north_arrow(canvas: _Canvas, lang: str) -> None:
    from shapely.geometry import box

    w, h = canvas.width, canvas.height
    for x, y in ((w - 6.0, 4.0), (6.0, 4.0), (w - 6.0, h - 18.0), (w / 2, 4.0)):
        shape = box(x - 3.0, y - 0.5, x + 3.0, y + 10.5)
        if canvas.free(shape):
            break
    else:
        x, y = w - 6.0, 4.0
    canvas.parts.append(
        f'<path d="M{x:.2f},{y:.2f}l2.2,6l-2.2,-1.5l-2.2,1.5z" fill="{_INK}"/>'
        f'<text x="{x:.2f}" y="{y + 9.6:.2f}" font-family="{FONT_FAMILY}" font-size="2.4" '
        f'fill="{_INK}" text-anchor="middle">{"北" if lang == "zh" else "N"}</text>')
    canvas.obstacles.append(box(x - 3.0, y - 0.5, x + 3.0, y + 10.5))


def _scale_bar(canvas: _Canvas, frame: _Frame) -> None:
    from shapely.geometry import box

    w, h = canvas.width, canvas.height
    target = w * 0.25 / frame.mm_per_m
    metres = max((s for s in _SCALES_M if s <= target), default=_SCALES_M[0])
    bar = metres * frame.mm_per_m
    label = f"{metres // 1000} km" if metres >= 1000 and metres % 1000 == 0 else f"{metres} m"
    width = bar + 2 + _text_width(label, 2.1) / 2 + 1
    for x0, y0 in ((4.0, h - 4.5), (w - width - 3.0, h - 5.5), (4.0, 8.0)):
        shape = box(x0 - 1, y0 - 4.6, x0 - 1 + width, y0 + 1.4)
        if canvas.free(shape):
            break
    else:
        x0, y0 = 4.0, h - 4.5
    canvas.parts.append(
        f'<rect x="{x0 - 1:.2f}" y="{y0 - 4.6:.2f}" width="{width:.2f}" height="6" '
        'fill="#ffffff" fill-opacity="0.8"/>'
        f'<path d="M{x0:.2f},{y0 - 1.2:.2f}V{y0:.2f}H{x0 + bar:.2f}V{y0 - 1.2:.2f}" '
        f'fill="none" stroke="{_INK}" stroke-width="0.35"/>'
        f'<text x="{x0:.2f}" y="{y0 - 1.6:.2f}" font-family="{FONT_FAMILY}" font-size="2.1" '
        f'fill="{_INK}">0</text>'
        f'<text x="{x0 + bar:.2f}" y="{y0 - 1.6:.2f}" font-family="{FONT_FAMILY}" '
        f'font-size="2.1" fill="{_INK}" text-anchor="middle">{label}</text>')
    canvas.obstacles.append(box(x0 - 1, y0 - 4.6, x0 - 1 + width, y0 + 1.4))


def _credit(canvas: _Canvas, data_date: str | None = None) -> None:
    from shapely.geometry import box

    w, h = canvas.width, canvas.height
    # The corner has room for the short credit only; the date of the data goes with it.
    credit = f"{OSM_CREDIT}, {escape(data_date)}" if data_date else OSM_CREDIT
    cw = _text_width(credit, 1.8)
    canvas.parts.append(f'<text x="{w - 1.5:.2f}" y="{h - 1.3:.2f}" font-family="{FONT_FAMILY}" '
                        f'font-size="1.8" fill="#616161" text-anchor="end" stroke="#ffffff" '
                        f'stroke-width="0.5" paint-order="stroke">{credit}</text>')
    canvas.obstacles.append(box(w - 2 - cw, h - 3.6, w, h))


def route_map_svg(itinerary: Itinerary, *, width_mm: float, height_mm: float,
                  network: WalkNetwork | None = None, lang: str = "both",
                  style: MapStyle | None = None) -> str:
    """The route map of ``itinerary`` as an SVG document ``width_mm`` x ``height_mm``.

    Parameters
    ----------
    itinerary
        The walk: its legs are drawn in red, its stops numbered.
    width_mm, height_mm
        The size of the drawing on the page; one SVG user unit is one millimetre.
    network
        The walking network around the route, for the grey streets and their names; without
        it (or for an estimated network) only the route and the stops are drawn.
    lang
        ``zh``, ``en`` or ``both``: the language of the labels.
    style
        Sizes (:class:`MapStyle`; :meth:`MapStyle.small` for a thumbnail).
    """
    st = style or MapStyle()
    pts = [(s.lon, s.lat) for s in itinerary.stops] + [(itinerary.start.lon, itinerary.start.lat)]
    if itinerary.end is not None:
        pts.append((itinerary.end.lon, itinerary.end.lat))
    for leg in itinerary.legs:
        pts.extend(leg.geometry)
    # With furniture, the route keeps off a strip at the bottom: the credit's line, which
    # no stop marker may cover.
    strip = _CREDIT_STRIP if st.furniture else 0.0
    frame = _frame(np.asarray(pts, dtype=float), width_mm, height_mm - strip, st.margin)
    frame = dataclasses.replace(frame, height=height_mm, lat0=frame.lat0 - strip / 2 / frame.ky)
    canvas = _Canvas(width_mm, height_mm)
    _streets(canvas, frame, network)
    _route(canvas, frame, itinerary.legs, st)
    if st.furniture:
        _credit(canvas, itinerary.network_date or getattr(network, "data_date", None))
    stations = _stations(canvas, frame, itinerary, st)
    _markers(canvas, frame, itinerary, st, lang)
    if st.furniture:
        _station_labels(canvas, stations, st, lang)
    if st.furniture:
        _north_arrow(canvas, lang)
        _scale_bar(canvas, frame)
    if st.street_labels:
        done = _route_labels(canvas, frame, itinerary.legs, st, lang)
        _context_labels(canvas, frame, network, st, lang=lang, skip=done)
    w, h = f"{width_mm:.2f}", f"{height_mm:.2f}"
    body = "\n".join(canvas.parts)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" '
            f'viewBox="0 0 {w} {h}">\n<defs><clipPath id="frame"><rect width="{w}" '
            f'height="{h}"/></clipPath></defs>\n<rect width="{w}" height="{h}" '
            f'fill="#fbfaf7"/>\n<g clip-path="url(#frame)">\n{body}\n</g>\n</svg>\n')


def trip_map_svg(days: Sequence[tuple[int, Itinerary]], *, width_mm: float, height_mm: float,
                 network: WalkNetwork | None = None, lang: str = "both") -> str:
    """The overview map of a trip: each day's walk in its colour (as on the trip's HTML map,
    :data:`redroute.export.tripmap.PALETTE`), its stops as dots ``K-N`` (day K, stop N),
    metro rides dotted purple, the start as a square.

    Parameters
    ----------
    days
        ``(K, itinerary)`` of each day with a walk.
    width_mm, height_mm, network, lang
        As for :func:`route_map_svg`.
    """
    from shapely.geometry import Point

    from redroute.export.tripmap import PALETTE

    st = MapStyle(stop_r=2.0, stop_font=1.9, route=0.8)
    pts: list[tuple[float, float]] = []
    for _, it in days:
        pts += [(s.lon, s.lat) for s in it.stops] + [(it.start.lon, it.start.lat)]
        pts += [pt for leg in it.legs for pt in leg.geometry]
    strip = _CREDIT_STRIP
    frame = _frame(np.asarray(pts, dtype=float), width_mm, height_mm - strip, st.margin)
    frame = dataclasses.replace(frame, height=height_mm, lat0=frame.lat0 - strip / 2 / frame.ky)
    canvas = _Canvas(width_mm, height_mm)
    _streets(canvas, frame, network)
    rides, walks = [], []
    for k, it in days:
        colour = PALETTE[(k - 1) % len(PALETTE)][0]
        for leg in it.legs:
            parts, ride = _leg_lines(frame, leg)
            walks += [(line, colour, leg.estimated) for line in parts]
            if ride is not None:
                rides.append(ride)
    casing = " ".join(_d(line) for line in [*(w[0] for w in walks), *rides])
    if casing:
        canvas.parts.append(f'<path d="{casing}" fill="none" stroke="#ffffff" '
                            f'stroke-width="{st.route * 2.0:.2f}" stroke-linecap="round" '
                            'stroke-linejoin="round"/>')
    if rides:
        canvas.parts.append(
            f'<path class="ride" d="{" ".join(_d(r) for r in rides)}" fill="none" '
            f'stroke="{RIDE_COLOUR}" stroke-width="{st.route * 1.3:.2f}" '
            f'stroke-linecap="round" stroke-dasharray="0.01 {st.route * 2.2:.2f}"/>')
    for line, colour, estimated in walks:
        dash = (f' stroke-dasharray="{st.route * 2.6:.2f} {st.route * 1.6:.2f}"'
                if estimated else "")
        canvas.parts.append(f'<path d="{_d(line)}" fill="none" stroke="{colour}" '
                            f'stroke-width="{st.route:.2f}" stroke-linecap='
                            f'"{"butt" if estimated else "round"}" stroke-linejoin="round"'
                            f'{dash}/>')
    _credit(canvas, next((it.network_date for _, it in days if it.network_date),
                         getattr(network, "data_date", None)))
    starts = {(it.start.lon, it.start.lat) for _, it in days}
    starts |= {(it.end.lon, it.end.lat) for _, it in days if it.end is not None}
    stops = [(k, s) for k, it in days for s in it.stops]
    true = [frame.point(s.lon, s.lat) for _, s in stops]
    ends = [frame.point(lon, lat) for lon, lat in sorted(starts)]
    shown = _spread([*true, *ends], 2 * st.stop_r + 0.3)
    for x, y in shown[len(true):]:
        canvas.parts.append(_square(x, y, st.stop_r, end=False))
        canvas.obstacles.append(Point(x, y).buffer(st.stop_r * 1.2))
    for (k, s), (x, y) in zip(stops, shown, strict=False):
        colour, ink = PALETTE[(k - 1) % len(PALETTE)]
        text = f"{k}-{s.number}"
        size = st.stop_font * (0.85 if len(text) > 3 else 1.0)
        canvas.parts.append(
            f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{st.stop_r:.2f}" fill="{colour}" '
            f'stroke="#ffffff" stroke-width="0.35"/><text x="{x:.2f}" '
            f'y="{y + size * 0.36:.2f}" font-family="{FONT_FAMILY}" font-size="{size:.2f}" '
            f'fill="{ink}" text-anchor="middle">{text}</text>')
        canvas.obstacles.append(Point(x, y).buffer(st.stop_r + 0.3))
    _north_arrow(canvas, lang)
    _scale_bar(canvas, frame)
    w, h = f"{width_mm:.2f}", f"{height_mm:.2f}"
    body = "\n".join(canvas.parts)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" '
            f'viewBox="0 0 {w} {h}">\n<defs><clipPath id="frame"><rect width="{w}" '
            f'height="{h}"/></clipPath></defs>\n<rect width="{w}" height="{h}" '
            f'fill="#fbfaf7"/>\n<g clip-path="url(#frame)">\n{body}\n</g>\n</svg>\n')
