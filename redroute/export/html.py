"""The interactive map of an itinerary: one self-contained HTML file (folium on Leaflet).

The page works from ``file://`` and from any web server, with no network at all when
``tiles="none"``: Leaflet, its stylesheet and a WOFF2 subset of the Chinese font are inlined
from :mod:`redroute.export.assets` and :func:`redroute.export.fonts.subset_woff2`, and the
only URLs the browser is asked to load are the tile templates of the chosen provider.

Untrusted text (landmark names, summaries, booking notes, titles from the command line)
never reaches the page as markup: the schedule panel is built here with :func:`html.escape`,
the popups are passed as JSON data and built in the browser with ``textContent``
(``assets/map.js``), and JSON blocks are escaped so that ``</script>`` in data cannot close
them. The itinerary's GeoJSON is embedded as ``<script type="application/json"
id="redroute-itinerary">`` so :mod:`redroute.export.embed` can recover it.

A trip's map (:mod:`redroute.export.tripmap`) is made of the same pieces: the base map
(:func:`_base_map`), each leg's lines (:func:`_leg_parts`) and the page (:func:`_page`).
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal, cast

from redroute._errors import MapError
from redroute._io import write_text_atomic
from redroute.coords import wgs84_to_gcj02
from redroute.transit import ride_words
from redroute.wording import (
    HOURS_UNCONFIRMED,
    LANGS,
    OSM_COPYRIGHT_URL,
    OSM_CREDIT,
    attribution_html,
    break_words,
    check_lang,
    date_words,
    distance,
    duration,
    hours_words,
    pick,
    plural,
    reason_words,
    start_moved_words,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path

    import folium

    from redroute.itinerary import Itinerary, Leg, Place, Stop
    from redroute.network import WalkNetwork

__all__ = [
    "ITINERARY_ID",
    "LANGS",
    "OSM_ATTRIBUTION",
    "TILES",
    "VIEW_ID",
    "MapError",
    "TileProvider",
    "json_script",
    "map_html",
    "save_map",
]

#: ``id`` of the JSON block holding the itinerary's GeoJSON (WGS-84).
ITINERARY_ID = "redroute-itinerary"
#: ``id`` of the JSON block holding what the page shows (popups, network; display datum).
VIEW_ID = "redroute-view"
OSM_ATTRIBUTION = f'<a href="{OSM_COPYRIGHT_URL}">{OSM_CREDIT}</a>'
FONT_FAMILY = "RR Noto Sans SC"
#: Characters the page may show that are not in the data (Leaflet's controls, separators).
_EXTRA_CHARS = "+−×©·–—→←↑↓≈…●■▲▼「」（）：，。、"
_TIANDITU_KEY_ENV = "REDROUTE_TIANDITU_KEY"
_DATUM_LABELS = {
    "gcj02": ("坐标系 GCJ-02（与高德底图一致）", "Datum: GCJ-02, to match the AMap tiles"),
    "wgs84": ("坐标系 WGS-84", "Datum: WGS-84"),
}
_ROUTE_COLOUR = "#c62828"
_EST_COLOUR = "#e07a10"
_RIDE_COLOUR = "#5e35b1"



@dataclass(frozen=True, slots=True)
class TileProvider:
    """A base map: tile URL templates (base, then labels), attribution, datum."""

    name: str
    urls: tuple[str, ...]
    attribution: str  # HTML, written here, never from data
    subdomains: str
    max_native_zoom: int
    datum: Literal["wgs84", "gcj02"]
    label_zh: str
    label_en: str


_TDT = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILECOL={x}&TILEROW={y}"
        "&TILEMATRIX={z}&tk={key}")

#: The base maps ``tiles=`` accepts.
TILES: dict[str, TileProvider] = {
    "osm": TileProvider(
        "osm", ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",), OSM_ATTRIBUTION, "",
        19, "wgs84", "OpenStreetMap 地图", "OpenStreetMap tiles"),
    "amap": TileProvider(
        "amap", ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
                 "&style=8&x={x}&y={y}&z={z}",),
        "底图 Base map © 高德地图 AMap", "1234", 18, "gcj02", "高德地图", "AMap tiles"),
    "tianditu": TileProvider(
        "tianditu", (_TDT.replace("{layer}", "vec"), _TDT.replace("{layer}", "cva")),
        "底图 Base map © 天地图 Tianditu", "01234567", 18, "wgs84", "天地图", "Tianditu tiles"),
    "none": TileProvider("none", (), "", "", 19, "wgs84", "步行路网（离线）",
                         "walking network (offline)"),
}

# Wording that differs between base maps: always in the font subset, so the pages of one
# itinerary share a subset whatever their tiles.
_ALL_UI_TEXT = "".join([*(p.label_zh + p.label_en + p.attribution for p in TILES.values()),
                        *(zh + en for zh, en in _DATUM_LABELS.values())])

#: How the walking network is drawn with ``tiles="none"``: highway classes and their strokes
#: (casing first, then fill), thinnest class first so main streets lie on top.
_NETWORK_STYLE: list[tuple[str, frozenset[str], list[dict[str, Any]]]] = [
    ("path", frozenset({"footway", "path", "pedestrian", "steps", "cycleway", "corridor",
                        "track", "bridleway", "elevator"}),
     [{"color": "#cdc7bd", "weight": 5}, {"color": "#fbfaf7", "weight": 3}]),
    ("minor", frozenset(),  # everything else
     [{"color": "#c2bbb0", "weight": 9}, {"color": "#ffffff", "weight": 7}]),
    ("major", frozenset({"primary", "primary_link", "secondary", "secondary_link", "tertiary",
                         "tertiary_link", "trunk", "trunk_link"}),
     [{"color": "#b8ad96", "weight": 14}, {"color": "#fff4d6", "weight": 11}]),
]


# --------------------------------------------------------------------------- public API


def map_html(
    itinerary: Itinerary,
    *,
    lang: str = "both",
    tiles: str = "osm",
    locate: bool = False,
    network: WalkNetwork | None = None,
    tiles_key: str | None = None,
) -> str:
    """The map of an itinerary as one self-contained HTML page.

    Parameters
    ----------
    itinerary
        The walk to show.
    lang
        ``zh``, ``en`` or ``both``: the language of every label.
    tiles
        ``osm`` (OpenStreetMap), ``amap`` (AMap/Gaode, reachable in mainland China; every
        overlay is shifted to GCJ-02 to match it), ``tianditu`` (needs ``tiles_key`` or
        ``$REDROUTE_TIANDITU_KEY``) or ``none`` (no tiles: the walking network is drawn as
        the base map, so the page works with no network at all).
    locate
        Add a "locate me" button (the browser's geolocation).
    network
        The walking network the walk was planned on. With ``tiles="none"`` its streets are
        drawn around the route (any network with streets: an extract, a download or the
        bundled one); the credit gives the date of its OpenStreetMap data.
    tiles_key
        The Tianditu browser key.

    Returns
    -------
    str
        The HTML text.
    """
    provider, key = _check_options(lang, tiles, tiles_key)
    shift = wgs84_to_gcj02 if provider.datum == "gcj02" else None
    text = _Text(lang)
    data_date = itinerary.network_date or getattr(network, "data_date", None)
    view = _view_model(itinerary, text, _projector(shift), provider, data_date)
    view["locate"] = bool(locate)
    if provider.name == "none" and network is not None and not network.estimated:
        view["network"] = _network_layers(network, view["bounds"], _projector(shift))
    panel = _panel_html(itinerary, text, provider, data_date)
    return _render(itinerary, view, panel, text, provider=provider, key=key)


def save_map(
    itinerary: Itinerary,
    path: str | Path,
    *,
    lang: str = "both",
    tiles: str = "osm",
    locate: bool = False,
    network: WalkNetwork | None = None,
    tiles_key: str | None = None,
) -> Path:
    """Write :func:`map_html` to ``path`` (atomically) and return the path."""
    page = map_html(itinerary, lang=lang, tiles=tiles, locate=locate, network=network,
                    tiles_key=tiles_key)
    return write_text_atomic(path, page)


def json_script(element_id: str, data: Any) -> str:
    """A ``<script type="application/json">`` block that no data can break out of.

    ``<``, ``>`` and ``&`` are written as JSON ``\\u`` escapes, so ``</script>`` or
    ``<!--`` inside a string cannot end the block; ``JSON.parse`` restores them.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return (f'<script type="application/json" id="{html.escape(element_id)}">'
            f"{text}</script>")


# --------------------------------------------------------------------------- options


def _check_options(lang: str, tiles: str,
                   tiles_key: str | None) -> tuple[TileProvider, str | None]:
    check_lang(lang, what="map language", error=MapError)
    if tiles not in TILES:
        msg = f"tiles {tiles!r} is not one of {', '.join(TILES)}"
        raise MapError(msg)
    provider = TILES[tiles]
    key = None
    if tiles == "tianditu":
        key = tiles_key or os.environ.get(_TIANDITU_KEY_ENV)
        if not key:
            msg = (f"tiles 'tianditu' needs a Tianditu key: pass tiles_key or set "
                   f"{_TIANDITU_KEY_ENV}")
            raise MapError(msg)
        if not re.fullmatch(r"[A-Za-z0-9]{8,64}", key):
            msg = f"Tianditu key {key!r} is not 8-64 letters and digits"
            raise MapError(msg)
    return provider, key


def _projector(shift: Callable[[float, float], tuple[float, float]] | None,
               ) -> Callable[[float, float], list[float]]:
    """``(lon, lat)`` WGS-84 -> ``[lat, lon]`` in the display datum, rounded to ~0.1 m."""
    def project(lon: float, lat: float) -> list[float]:
        if shift is not None:
            lon, lat = shift(lon, lat)
        return [round(lat, 6), round(lon, 6)]
    return project


# --------------------------------------------------------------------------- wording


class _Text:
    """Labels in the chosen language(s)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def pick(self, zh: str, en: str, sep: str = " / ") -> str:
        """One line: Chinese, English or both joined by ``sep``."""
        return pick(zh, en, self.lang, sep)

    def lines(self, kind: str, zh: str | None, en: str | None) -> list[list[str]]:
        """Popup lines ``[kind, text]``: long texts get a line per language."""
        out = []
        if self.lang in ("zh", "both") and zh:
            out.append([kind, zh])
        if self.lang in ("en", "both") and en and en != zh:
            out.append([kind + "-en" if self.lang == "both" else kind, en])
        return out

    def hours(self, hours: str | None) -> str:
        return self.pick(*hours_words(hours))

    def name(self, zh: str, en: str) -> str:
        return self.pick(zh, en, " · ")



def _place_names(it: Itinerary, ident: str) -> tuple[str, str]:
    if ident == "start":
        return it.start.name_zh, it.start.name_en
    if ident == "end" and it.end is not None:
        return it.end.name_zh, it.end.name_en
    for s in it.stops:
        if s.id == ident:
            return s.name_zh, s.name_en
    return ident, ident


# --------------------------------------------------------------------------- view data


def _view_model(it: Itinerary, t: _Text, project: Callable[[float, float], list[float]],
                provider: TileProvider, data_date: str | None = None) -> dict[str, Any]:
    """Everything the browser script needs, in the display datum, as plain JSON data."""
    points = [project(it.start.lon, it.start.lat)]
    points += [project(s.lon, s.lat) for s in it.stops]
    if it.end is not None:
        points.append(project(it.end.lon, it.end.lat))
    for leg in it.legs:
        points += [project(x, y) for x, y in leg.geometry]
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return {
        "lang": t.lang,
        "datum": provider.datum,
        "tiles": provider.name,
        "bounds": [[min(lats), min(lons)], [max(lats), max(lons)]],
        "stops": {str(s.number): _stop_popup(s, t) for s in it.stops},
        "places": {kind: _place_popup(it, kind, t) for kind in _place_kinds(it)},
        "titles": {
            **{str(s.number): f"{s.number}. " + t.name(s.name_zh, s.name_en) for s in it.stops},
            **{kind: t.name(p.name_zh, p.name_en) for kind in _place_kinds(it)
               if (p := it.start if kind == "start" else it.end) is not None},
        },
        "legs": [_leg_popup(it, k, leg, t) for k, leg in enumerate(it.legs, start=1)],
        # With no tiles the map is drawn from the network: its corner credit gives the date
        # of that data (tiles come with their own, current, data).
        "attribution": [OSM_ATTRIBUTION + (f", {_e(data_date)}" if data_date
                                           and provider.name == "none" else "")],
        "network": None,
        "ui": {
            "fullscreen": t.pick("全屏", "Full screen"),
            "locate": t.pick("我的位置", "Show my location"),
            "locating": t.pick("正在定位…", "Finding your location…"),
            "locate_failed": t.pick("无法获取位置", "Your location is not available"),
            "you": t.pick("我在这里", "You are here"),
            "estimated": t.pick("估算", "estimated"),
            "schedule": t.pick("日程", "Schedule"),
        },
    }


def _place_kinds(it: Itinerary) -> list[str]:
    if it.end is None:
        return ["start"]
    return ["start"] if _same_place(it.start, it.end) else ["start", "end"]


def _same_place(a: Place, b: Place) -> bool:
    return abs(a.lon - b.lon) < 1e-7 and abs(a.lat - b.lat) < 1e-7


def _stop_popup(s: Stop, t: _Text) -> list[list[str]]:
    from redroute.vocabulary import BOOKING

    lines = [["title", f"{s.number}. " + (s.name_en if t.lang == "en" else s.name_zh)]]
    if t.lang == "both" and s.name_en != s.name_zh:
        lines.append(["subtitle", s.name_en])
    lines.append(["address", s.address_zh])
    arrive, start, end = (f"{x:%H:%M}" for x in (s.arrival, s.start, s.end))
    visit = s.visit_minutes
    lines.append(["time", t.pick(f"到达 {arrive} · 参观 {start}–{end}（{duration(visit, 'zh')}）",
                                 f"Arrive {arrive} · visit {start}–{end} "
                                 f"({duration(visit, 'en')})", "\n")])
    if s.wait_minutes >= 1:
        w = round(s.wait_minutes)
        lines.append(["wait", t.pick(f"等候开门 {w} 分钟", f"Wait {w} min for opening")])
    lines.append(["hours", t.hours(s.hours_today)])
    if not s.hours_confirmed:
        lines.append(["hours", t.pick(*HOURS_UNCONFIRMED)])
    if s.booking != "none":
        label = BOOKING.get(s.booking)
        zh = (label.zh if label else s.booking) + ("：" + s.booking_note_zh
                                                   if s.booking_note_zh else "")
        en = (label.en if label else s.booking) + (": " + s.booking_note_en
                                                   if s.booking_note_en else "")
        lines += t.lines("booking", zh, en)
    lines += t.lines("summary", s.summary_zh, s.summary_en)
    return lines


def _place_popup(it: Itinerary, kind: str, t: _Text) -> list[list[str]]:
    place = it.start if kind == "start" else it.end
    assert place is not None
    round_trip = it.end is not None and kind == "start" and _same_place(it.start, it.end)
    if round_trip:
        head = t.pick("起点和终点", "Start and end")
    else:
        head = t.pick("起点", "Start") if kind == "start" else t.pick("终点", "End")
    lines = [["kind", head], ["title", place.name_en if t.lang == "en" else place.name_zh]]
    if t.lang == "both" and place.name_en != place.name_zh:
        lines.append(["subtitle", place.name_en])
    if kind == "start":
        lines.append(["time", t.pick(f"出发 {it.departure:%H:%M}",
                                     f"Depart {it.departure:%H:%M}")])
    if kind == "end" or round_trip:
        lines.append(["time", t.pick(f"到达 {it.finish:%H:%M}", f"Arrive {it.finish:%H:%M}")])
    return lines


def _leg_popup(it: Itinerary, k: int, leg: Leg, t: _Text) -> dict[str, Any]:
    walk = leg.walking_s / 60
    o_zh, o_en = _place_names(it, leg.origin)
    d_zh, d_en = _place_names(it, leg.destination)
    title = (t.pick(f"步行 {duration(walk, 'zh')}", f"Walk {duration(walk, 'en')}")
             + f" · {distance(leg.distance_m)}")
    if leg.ride is not None:
        minutes = leg.ride.minutes
        title = t.pick(f"地铁约 {minutes} 分钟（估算）+ ", f"Metro about {minutes} min "
                       "(estimated) + ") + title
    lines = [
        ["title", title],
        ["time", f"{leg.depart:%H:%M}–{leg.arrive:%H:%M}"],
        ["subtitle", t.pick(f"{o_zh} → {d_zh}", f"{o_en} → {d_en}", "\n")],
    ]
    if leg.estimated:
        lines += t.lines("warn", "估算路段：按直线距离乘以绕行系数估计，不是沿街道的路线。",
                         "Estimated leg: straight-line distance times a detour factor, "
                         "not a route along mapped streets.")
    for step in leg.steps:
        lines.append(["step", t.pick(step.text_zh, step.text_en, "\n")])
    return {"n": k, "estimated": leg.estimated, "popup": lines}


# --------------------------------------------------------------------------- network


def _encode(points: Iterable[list[float]]) -> str:
    """Google's encoded-polyline format at 1e-5 degrees (about 1 m), for ``[lat, lon]``."""
    out = []
    prev = [0, 0]
    for p in points:
        for i in (0, 1):
            v = round(p[i] * 1e5)
            d, prev[i] = v - prev[i], v
            d = ~(d << 1) if d < 0 else d << 1
            while d >= 0x20:
                out.append(chr((0x20 | (d & 0x1F)) + 63))
                d >>= 5
            out.append(chr(d + 63))
    return "".join(out)


def _network_layers(network: WalkNetwork, bounds: list[list[float]],
                    project: Callable[[float, float], list[float]]) -> list[dict[str, Any]]:
    """The streets around the route, by class, as encoded polylines."""
    (south, west), (north, east) = bounds
    # Widen the route's box by ~600 m (more for a short route) so the streets fill the view.
    pad_lat = max(600 / 111_195, (north - south) * 0.25)
    pad_lon = max(600 / (111_195 * math.cos(math.radians((south + north) / 2))),
                  (east - west) * 0.25)
    from redroute.network import BBox

    view = BBox(south - pad_lat, west - pad_lon, north + pad_lat, east + pad_lon)
    layers: dict[str, list[str]] = {name: [] for name, _, _ in _NETWORK_STYLE}
    for street in network.streets(view):
        cls = next((name for name, kinds, _ in _NETWORK_STYLE if street.highway in kinds),
                   "minor")
        layers[cls].append(_encode(project(float(x), float(y)) for x, y in street.geometry))
    return [{"name": name, "lines": layers[name], "styles": styles}
            for name, _, styles in _NETWORK_STYLE if layers[name]]


# --------------------------------------------------------------------------- panel


def _e(text: str) -> str:
    return html.escape(text, quote=True)


_SWATCH_ROUTE = (f'<svg width="34" height="10" aria-hidden="true"><line x1="2" y1="5" x2="32" '
                 f'y2="5" stroke="{_ROUTE_COLOUR}" stroke-width="4" stroke-linecap="round"/></svg>')
_SWATCH_EST = (f'<svg width="34" height="10" aria-hidden="true"><line x1="2" y1="5" x2="32" '
               f'y2="5" stroke="{_EST_COLOUR}" stroke-width="4" stroke-dasharray="6 5"/></svg>')
_SWATCH_RIDE = (f'<svg width="34" height="10" aria-hidden="true"><line x1="2" y1="5" x2="32" '
                f'y2="5" stroke="{_RIDE_COLOUR}" stroke-width="4" stroke-dasharray="2 6" '
                f'stroke-linecap="round"/></svg>')
_CUP = ('<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path '
        'd="M4 9h13v5a5 5 0 0 1-5 5H9a5 5 0 0 1-5-5zM17 10h2a2.5 2.5 0 0 1 0 5h-2M8 3v3M12 '
        '3v3" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>')
_FLAG = ('<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path '
         'd="M6 3v18M6 4h11l-2.5 4L17 12H6" fill="currentColor" stroke="currentColor" '
         'stroke-width="2" stroke-linejoin="round"/></svg>')


def _panel_html(it: Itinerary, t: _Text, provider: TileProvider,
                data_date: str | None = None) -> str:
    """The schedule panel: title, totals, the stops and legs in order, legend, credits."""
    day = t.pick(*date_words(it.date, style="short"))
    n = len(it.stops)
    totals = (t.pick(f"{n} 站", plural(n, "stop")) + f" · {distance(it.distance_m)} · "
              f"{it.departure:%H:%M}–{it.finish:%H:%M}")
    span = t.pick(f"步行 {duration(it.walking_minutes, 'zh')}",
                  f"{duration(it.walking_minutes, 'en')} on foot")
    for b in it.breaks:
        span += " · " + t.pick(*break_words(b.kind, b.minutes))
    title = t.pick(it.title_zh, it.title_en, "\n").split("\n")
    head = [f'<h1 class="rr-title">{_e(title[0])}</h1>']
    if len(title) > 1:
        head.append(f'<p class="rr-title-en">{_e(title[1])}</p>')
    head.append('<p class="rr-meta">' + "<br>".join(
        " · ".join(f'<span class="rr-nw">{_e(part)}</span>' for part in line.split(" · "))
        for line in (day, totals, span)) + "</p>")
    body: list[str] = []
    if it.start_moved:
        body.append('<p class="rr-note rr-start-moved">'
                    + _e(t.pick(*start_moved_words(f"{it.departure:%H:%M}"))) + "</p>")
    if it.estimated:
        body.append('<p class="rr-note">' + _e(t.pick(
            "部分路段为估算（无街道数据），以虚线表示。",
            "Some legs are estimated (no street data); they are drawn dashed.", " ")) + "</p>")
    body.append('<ol class="rr-schedule">')
    body.append(_place_row(it, "start", t))
    body += _break_rows(it, 0, t)
    for k, leg in enumerate(it.legs, start=1):
        body.append(_leg_row(k, leg, t))
        if k <= n:
            body.append(_stop_row(it.stops[k - 1], t))
            body += _break_rows(it, k, t)
    if it.end is not None and len(it.legs) > n:
        body.append(_place_row(it, "end", t))
    body.append("</ol>")
    if it.excluded:
        body.append(f'<section class="rr-excluded"><h2>{_e(t.pick("未安排", "Left out"))}</h2><ul>')
        for x in it.excluded:
            why = reason_words(x.reason)
            body.append("<li>" + _e(t.pick(f"{x.name_zh}：{why.zh}",
                                           f"{x.name_en}: {why.en}")) + "</li>")
        body.append("</ul></section>")
    body.append(_legend_html(t, provider, rides=any(leg.ride for leg in it.legs)))
    return _panel(head, body, t, t.pick("日程", "Schedule"), data_date=data_date)


def _panel(head: list[str], body: list[str], t: _Text, toggle: str, *,
           data_date: str | None, cls: str = "rr-panel") -> str:
    """The side panel around ``head`` and ``body`` (HTML already escaped), with the credit
    last and the toggle that folds it on a phone (labelled ``toggle``)."""
    credit = attribution_html(t.lang, data_date=data_date)
    return (
        f'<aside id="rr-panel" class="{cls}">'
        '<header class="rr-head"><div class="rr-heading">' + "".join(head) + "</div>"
        '<button type="button" class="rr-toggle" aria-expanded="false" aria-controls="rr-body">'
        f'<span class="rr-toggle-label">{_e(toggle)}</span><span class="rr-caret" '
        'aria-hidden="true"></span></button></header>'
        '<div id="rr-body" class="rr-body">' + "".join(body)
        + f'<p class="rr-credit">{credit} · redroute</p></div></aside>'
    )


def _place_row(it: Itinerary, kind: str, t: _Text) -> str:
    place = it.start if kind == "start" else it.end
    assert place is not None
    if kind == "start":
        when, label = it.departure, t.pick(f"出发 {place.name_zh}", f"Start: {place.name_en}")
    else:
        when, label = it.finish, t.pick(f"到达终点 {place.name_zh}", f"End: {place.name_en}")
    return (f'<li class="rr-row rr-place rr-{kind}"><span class="rr-t">{when:%H:%M}</span>'
            f'<span class="rr-badge rr-badge-{kind}">{_FLAG}</span>'
            f'<span class="rr-names">{_e(label)}</span></li>')


def _break_rows(it: Itinerary, after: int, t: _Text) -> list[str]:
    """The timeline rows of the breaks after stop ``after`` (a lunch break)."""
    return [f'<li class="rr-row rr-place rr-break" data-break="{_e(b.kind)}">'
            f'<span class="rr-t">{b.start:%H:%M}</span>'
            f'<span class="rr-badge rr-badge-break">{_CUP}</span>'
            f'<span class="rr-names">{_e(t.pick(*break_words(b.kind, b.minutes)))}</span></li>'
            for b in it.breaks if b.after_stop == after]


def _leg_row(k: int, leg: Leg, t: _Text) -> str:
    minutes = leg.walking_s / 60
    walk = t.pick(f"步行 {duration(minutes, 'zh')}", f"walk {duration(minutes, 'en')}")
    if leg.ride is not None:
        walk = t.pick(*ride_words(leg.ride)) + " · " + walk
    est = (f' <span class="rr-est">{_e(t.pick("估算", "estimated"))}</span>'
           if leg.estimated else "")
    cls = "rr-row rr-leg rr-leg-est" if leg.estimated else "rr-row rr-leg"
    return (f'<li class="{cls}"><a href="#leg={k}">{_e(walk)} · '
            f"{_e(distance(leg.distance_m))}{est}</a></li>")


def _stop_row(s: Stop, t: _Text) -> str:
    names = [s.name_en if t.lang == "en" else s.name_zh]
    if t.lang == "both" and s.name_en != s.name_zh:
        names.append(s.name_en)
    detail = [f"{s.start:%H:%M}–{s.end:%H:%M}", t.hours(s.hours_today)]
    if s.booking != "none":
        from redroute.vocabulary import BOOKING

        label = BOOKING.get(s.booking)
        if label is not None:
            detail.append(t.pick(label.zh, label.en))
    sub = f'<span class="rr-name-en">{_e(names[1])}</span>' if len(names) > 1 else ""
    return (f'<li class="rr-row rr-stop-row" data-stop="{s.number}"><a href="#stop={s.number}">'
            f'<span class="rr-t">{s.arrival:%H:%M}</span>'
            f'<span class="rr-badge">{s.number}</span><span class="rr-names">'
            f'<span class="rr-name">{_e(names[0])}</span>{sub}'
            f'<span class="rr-detail">{_e(" · ".join(detail))}</span></span></a></li>')


def _legend_html(t: _Text, provider: TileProvider, *, rides: bool = False) -> str:
    datum = t.pick(*_DATUM_LABELS[provider.datum])
    base = t.pick(f"底图：{provider.label_zh}", f"Base map: {provider.label_en}")
    items = [
        (_SWATCH_ROUTE, t.pick("沿街步行路线", "walking route along the streets")),
        (_SWATCH_EST, t.pick("估算路段（非沿街）", "estimated leg (not along streets)")),
        ('<span class="rr-badge">1</span>', t.pick("参观顺序", "stop, in visiting order")),
        (f'<span class="rr-badge rr-badge-start">{_FLAG}</span>', t.pick("起点 / 终点",
                                                                       "start / end")),
    ]
    if rides:
        items.insert(2, (_SWATCH_RIDE, t.pick("地铁（估算，直线示意）",
                                              "metro ride (estimated, drawn straight)")))
    rows = "".join(f"<li>{icon}<span>{_e(label)}</span></li>" for icon, label in items)
    return (f'<section class="rr-legend"><h2>{_e(t.pick("图例", "Legend"))}</h2><ul>{rows}</ul>'
            f'<p class="rr-datum">{_e(base)}<br>{_e(datum)}</p></section>')


# --------------------------------------------------------------------------- page


def _asset(name: str) -> bytes:
    return resources.files("redroute.export").joinpath("assets", *name.split("/")).read_bytes()


def _leaflet_css() -> str:
    css = _asset("leaflet/leaflet.css").decode("utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)

    def inline(match: re.Match[str]) -> str:
        name = match.group(1)
        if not name.startswith("layers"):  # the default marker icon is never used
            return "none"
        data = base64.b64encode(_asset(f"leaflet/images/{name}")).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(images/([\w.-]+)\)", inline, css)


def _leaflet_js() -> str:
    js = _asset("leaflet/leaflet.js").decode("utf-8")
    return re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", js)


@lru_cache(maxsize=8)
def _subset(chars: str) -> bytes:
    import gc
    import warnings

    from redroute.export.fonts import subset_woff2

    with warnings.catch_warnings():
        # subset_woff2 leaves its font file for the garbage collector to close (a
        # ResourceWarning wherever that happens); collect it here, where it is expected.
        warnings.simplefilter("ignore", ResourceWarning)
        data = subset_woff2(chars)
        gc.collect()
    return data


def _font_face(text: str) -> str:
    # Subsetting takes a second or two; pages with the same characters share one subset.
    # ASCII is always in the subset, so only the other characters tell subsets apart.
    chars = "".join(sorted({c for c in text if ord(c) > 0x7E and not c.isspace()}))
    data = base64.b64encode(_subset(chars)).decode("ascii")
    return (f'@font-face{{font-family:"{FONT_FAMILY}";font-style:normal;font-weight:400;'
            f'font-display:block;src:url(data:font/woff2;base64,{data}) format("woff2")}}')


def _script_safe(code: str) -> str:
    """Inline code must not contain ``</script`` (it never does in our assets; check)."""
    if re.search(r"</script", code, flags=re.IGNORECASE):
        msg = "an inlined script contains '</script'"
        raise MapError(msg)
    return code


def _render(it: Itinerary, view: dict[str, Any], panel: str, t: _Text, *,
            provider: TileProvider, key: str | None) -> str:
    m = _base_map(view, provider, key)
    project = _projector(wgs84_to_gcj02 if provider.datum == "gcj02" else None)
    refs = _add_overlays(m, it, project, t)
    return _page(m, refs, view, panel, t, title=t.pick(it.title_zh, it.title_en, " · "),
                 blocks=[json_script(ITINERARY_ID, it.to_geojson())])


def _base_map(view: dict[str, Any], provider: TileProvider, key: str | None) -> folium.Map:
    """The folium map centred on the view's bounds, with the provider's tile layers."""
    import folium

    center = [(view["bounds"][0][0] + view["bounds"][1][0]) / 2,
              (view["bounds"][0][1] + view["bounds"][1][1]) / 2]
    m = _OfflineMap(location=center, zoom_start=15, tiles=None, control_scale=False,
                    max_zoom=19, zoom_control=True, zoom_snap=0.25, zoom_delta=1)
    for url in provider.urls:
        folium.TileLayer(
            tiles=url.replace("{key}", key or ""), attr=provider.attribution,
            name=provider.name, subdomains=provider.subdomains or "abc",
            max_zoom=19, max_native_zoom=provider.max_native_zoom, control=False,
        ).add_to(m)
    return m


def _page(m: folium.Map, refs: dict[str, Any], view: dict[str, Any], panel: str, t: _Text, *,
          title: str, blocks: list[str], css: str = "") -> str:
    """The page: map, overlays' behaviour (map.js), inlined assets, panel and data blocks.
    ``css`` is written as is: it must come from constants, never from data."""
    if TYPE_CHECKING:
        from branca.element import Figure

    Element = _raw_class()  # noqa: N806 - the branca class it stands in for
    ui = _Ui(refs)
    ui.add_to(m)
    fig = cast("Figure", m.get_root())
    font_text = "".join([panel, json.dumps(view, ensure_ascii=False), title, _EXTRA_CHARS,
                         html.unescape(re.sub(r"<[^>]+>", " ", panel)), _ALL_UI_TEXT])
    style = _asset("map.css").decode("utf-8").replace("__FONT__", FONT_FAMILY) + css
    fig.header.add_child(Element(f"<title>{_e(title)}</title>"), name="rr_title")
    fig.header.add_child(Element(f"<style>{_leaflet_css()}</style>"), name="rr_leaflet_css")
    fig.header.add_child(Element(f"<style>{_font_face(font_text)}\n{style}</style>"),
                         name="rr_css")
    fig.header.add_child(Element(f"<script>{_script_safe(_leaflet_js())}</script>"),
                         name="rr_leaflet_js")
    fig.header.add_child(
        Element(f"<script>{_script_safe(_asset('map.js').decode('utf-8'))}</script>"),
        name="rr_map_js")
    fig.html.add_child(Element(panel), name="rr_panel")
    fig.html.add_child(Element(json_script(VIEW_ID, view)), name="rr_view")
    for k, block in enumerate(blocks):
        fig.html.add_child(Element(block), name="rr_itinerary" if k == 0 else f"rr_data_{k}")
    _stable_names(fig)
    page = fig.render()
    return page.replace("<html>", f'<html lang="{"en" if t.lang == "en" else "zh-Hans"}">', 1)


def _leg_parts(leg: Leg, project: Callable[[float, float], list[float]],
               fallback: list[float]) -> tuple[list[list[Any]], list[Any] | None]:
    """The leg as lines on foot (one or two parts) and its metro ride, straight, if any."""
    line: list[Any] = [project(x, y) for x, y in leg.geometry]
    if len(line) < 2:
        line = [line[0], line[0]] if line else [fallback, fallback]
    if leg.ride is not None and 0 <= leg.ride_at < len(line) - 1:
        ride_line = line[leg.ride_at:leg.ride_at + 2]
        parts = [part for part in (line[:leg.ride_at + 1], line[leg.ride_at + 1:])
                 if len(part) >= 2] or [ride_line]
        return parts, ride_line
    return [line], None


def _add_overlays(m: folium.Map, it: Itinerary, project: Callable[[float, float], list[float]],
                  t: _Text) -> dict[str, Any]:
    """The route (casing + line per leg), start/end flags and numbered stop markers."""
    import folium

    refs: dict[str, Any] = {"legs": [], "casings": [], "stops": {}, "places": {}}
    for k, leg in enumerate(it.legs, start=1):
        # The walks as one line (of two parts around a ride); the ride on its own, straight.
        parts, ride_line = _leg_parts(leg, project, project(it.start.lon, it.start.lat))
        line: list[Any] = parts if ride_line is not None else parts[0]
        if ride_line is not None:
            folium.PolyLine(  # type: ignore[no-untyped-call]
                ride_line, weight=4, opacity=0.9, color=_RIDE_COLOUR, dash_array="2 8",
                line_cap="round", interactive=False, class_name=f"rr-ride rr-ride-{k}",
            ).add_to(m)
        casing = folium.PolyLine(  # type: ignore[no-untyped-call]
            line, color="#ffffff", weight=10, opacity=0.9, class_name="rr-casing")
        casing.add_to(m)
        if leg.estimated:
            style: dict[str, Any] = {"color": _EST_COLOUR, "dash_array": "8 8",
                                     "line_cap": "butt"}
            cls = "rr-route rr-route-est"
        else:
            style, cls = {"color": _ROUTE_COLOUR}, "rr-route"
        poly = folium.PolyLine(  # type: ignore[no-untyped-call]
            line, weight=5, opacity=0.95, class_name=f"{cls} rr-leg-{k}", **style)
        poly.add_to(m)
        refs["legs"].append(poly)
        refs["casings"].append(casing)
    for kind in _place_kinds(it):
        place = it.start if kind == "start" else it.end
        assert place is not None
        both = kind == "start" and it.end is not None and _same_place(it.start, it.end)
        cls = "rr-pin rr-place rr-start rr-end" if both else f"rr-pin rr-place rr-{kind}"
        icon = folium.DivIcon(html=f'<span class="rr-flag">{_FLAG}</span>', class_name=cls,
                              icon_size=(30, 30), icon_anchor=(15, 15))
        # No text from data ever goes into a folium element: folium renders each element's
        # script and then parses it again as a Jinja template, so "{{ ... }}" in a name
        # would be evaluated. Marker titles are set in the browser (map.js) instead.
        marker = folium.Marker(project(place.lon, place.lat), icon=icon, z_index_offset=500)
        marker.add_to(m)
        refs["places"][kind] = marker
    for s in it.stops:
        icon = folium.DivIcon(html=f"<span>{int(s.number)}</span>",
                              class_name=f"rr-pin rr-stop rr-stop-{int(s.number)}",
                              icon_size=(30, 30), icon_anchor=(15, 15))
        marker = folium.Marker(project(s.lon, s.lat), icon=icon,
                               z_index_offset=1000 + s.number, rise_on_hover=True)
        marker.add_to(m)
        refs["stops"][str(s.number)] = marker
    return refs


def _stable_names(root: Any) -> None:
    """Replace folium's random element ids by counters, so a page is reproducible."""
    seen: set[int] = set()
    counter = 0

    def walk(el: Any) -> None:
        nonlocal counter
        if id(el) in seen:
            return
        seen.add(id(el))
        counter += 1
        el._id = f"{counter:03d}"  # folium names JS variables from it
        for child in list(getattr(el, "_children", {}).values()):
            walk(child)
        icon = getattr(el, "icon", None)
        if icon is not None:
            walk(icon)

    walk(root)


@lru_cache(maxsize=1)
def _raw_class() -> type[Any]:
    from branca.element import Element

    class Raw(Element):
        """Markup written as is: branca's ``Element`` would run it through Jinja, which must
        never see data (``{{ ... }}`` in a landmark name would be evaluated)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

        def render(self, **kwargs: Any) -> str:
            return self.text

    return Raw


@lru_cache(maxsize=1)
def _offline_map_class() -> type[folium.Map]:
    import folium

    class OfflineMap(folium.Map):
        """A folium map without its CDN stylesheets and scripts (the page inlines Leaflet)."""

        default_js: list[tuple[str, str]] = []  # noqa: RUF012 - folium's class attribute
        default_css: list[tuple[str, str]] = []  # noqa: RUF012

    return OfflineMap


def _OfflineMap(**kwargs: Any) -> folium.Map:  # noqa: N802 - reads like the class it builds
    return _offline_map_class()(**kwargs)


@lru_cache(maxsize=1)
def _ui_class() -> type[Any]:
    from branca.element import MacroElement
    from jinja2 import Template

    class Ui(MacroElement):
        """Calls ``redrouteMap`` (assets/map.js) with the map and its overlays."""

        _template = Template(
            "{% macro script(this, kwargs) %}\n"
            "redrouteMap({{ this._parent.get_name() }}, {{ this.refs_js() }});\n"
            "{% endmacro %}"
        )

        def __init__(self, refs: dict[str, Any]) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self._name = "RedrouteUi"
            self.refs = refs

        def refs_js(self) -> str:
            # Only folium's generated variable names (identifiers) go into this literal.
            def obj(d: dict[str, Any]) -> str:
                return "{" + ",".join(f"{json.dumps(str(k))}:{v.get_name()}"
                                      for k, v in d.items()) + "}"

            def arr(items: list[Any]) -> str:
                return "[" + ",".join(v.get_name() for v in items) + "]"

            days = f',"days":{arr(self.refs["days"])}' if "days" in self.refs else ""
            return (f'{{"stops":{obj(self.refs["stops"])},"places":{obj(self.refs["places"])},'
                    f'"legs":{arr(self.refs["legs"])},"casings":{arr(self.refs["casings"])}'
                    f"{days}}}")

    return Ui


def _Ui(refs: dict[str, Any]) -> Any:  # noqa: N802
    return _ui_class()(refs)
