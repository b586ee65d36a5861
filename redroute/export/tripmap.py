"""The map of a trip of several days: every day's walk in its own colour, one toggle each.

One self-contained HTML page like :mod:`redroute.export.html` (the same inlined Leaflet,
font subset, base maps, escaping and credit; the same ``assets/map.js``), showing each day as
one Leaflet layer: its route in the day's colour (estimated legs dashed, metro rides dotted
in purple as on the day maps), its stops as ``K-N`` badges (day K, stop N: readable without
the colour). The panel lists the days (date, stops, distance, rides), each with a checkbox
that shows or hides its layer, a ``#day=K`` link that fits the map to it and, when the
day maps are written beside it, a link to ``day-K-map.html``.

The colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies),
day 1 keeping the house red; after seven days they repeat, and the badges tell the days
apart. Popups and titles are built in the browser with ``textContent`` from the JSON view;
the panel is escaped here; the trip's GeoJSON (every feature with its ``day``) is embedded
as ``<script type="application/json" id="redroute-trip">``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from redroute._errors import MapError
from redroute._io import write_text_atomic
from redroute.coords import wgs84_to_gcj02
from redroute.export.html import (
    _DATUM_LABELS,
    _FLAG,
    _RIDE_COLOUR,
    _SWATCH_RIDE,
    _base_map,
    _check_options,
    _e,
    _leg_parts,
    _leg_popup,
    _network_layers,
    _page,
    _panel,
    _projector,
    _same_place,
    _stop_popup,
    _Text,
    json_script,
)
from redroute.export.html import _view_model as _day_view
from redroute.wording import (
    MONTHS_EN_SHORT,
    date_words,
    distance,
    plural,
    reason_words,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence
    from pathlib import Path

    import folium

    from redroute.itinerary import Excluded, Itinerary, Place
    from redroute.network import WalkNetwork

__all__ = ["PALETTE", "TRIP_ID", "day_colour", "save_trip_map", "trip_map_html"]

#: ``id`` of the JSON block holding the trip's GeoJSON (WGS-84), each feature with its day.
TRIP_ID = "redroute-trip"
#: The days' colours (line and badge) and the ink of a badge's number: the Okabe-Ito
#: palette without its yellow (too pale on a map), day 1 in the house red.
PALETTE: tuple[tuple[str, str], ...] = (
    ("#c62828", "#ffffff"),  # red (the house route colour)
    ("#0072b2", "#ffffff"),  # blue
    ("#008f68", "#ffffff"),  # bluish green (darkened for white numbers)
    ("#e69f00", "#1f1f1f"),  # orange
    ("#56b4e9", "#1f1f1f"),  # sky blue
    ("#cc79a7", "#1f1f1f"),  # reddish purple
    ("#4d4d4d", "#ffffff"),  # dark grey
)


def day_colour(k: int) -> str:
    """The colour of day ``k`` (1-based) on a trip's map."""
    return PALETTE[(k - 1) % len(PALETTE)][0]


@dataclass(frozen=True)
class _Day:
    k: int
    date: dt.date | None
    it: Itinerary | None
    href: str | None

    @property
    def key(self) -> str:
        return f"d{self.k}"


# --------------------------------------------------------------------------- public API


def trip_map_html(
    trip: Any,
    *,
    lang: str = "both",
    tiles: str = "osm",
    locate: bool = False,
    network: WalkNetwork | Sequence[WalkNetwork | None] | None = None,
    tiles_key: str | None = None,
    day_maps: str | Sequence[str | None] | None = None,
) -> str:
    """The map of a trip as one self-contained HTML page.

    Parameters
    ----------
    trip
        A :class:`~redroute.trip.Trip`, or its days as a sequence of
        :class:`~redroute.itinerary.Itinerary` (or :class:`~redroute.plan.Plan`) and
        ``None`` for a day with no walk.
    lang, tiles, locate, tiles_key
        As for :func:`redroute.export.html.map_html`.
    network
        With ``tiles="none"``, the walking network(s) whose streets are drawn as the base map;
        by default those the trip's days were planned on.
    day_maps
        Each day's own map, linked from its entry in the panel: a pattern with ``{k}``
        (``"day-{k}-map.html"``, relative to the page) or one address per day (``None``
        for none).

    Returns
    -------
    str
        The HTML text.

    Raises
    ------
    MapError
        Bad options, or a trip with no day.
    """
    provider, key = _check_options(lang, tiles, tiles_key)
    days, nets, excluded = _days_of(trip, day_maps)
    walks = [d for d in days if d.it is not None]
    if not walks:
        msg = "a trip map needs at least one day with a walk"
        raise MapError(msg)
    t = _Text(lang)
    project = _projector(wgs84_to_gcj02 if provider.datum == "gcj02" else None)
    given: list[WalkNetwork | None] = (
        list(network) if isinstance(network, list | tuple) else [cast("WalkNetwork", network)])
    nets = [n for n in (given if network is not None else nets)
            if n is not None and not n.estimated]
    data_date = next((d.it.network_date for d in walks if d.it and d.it.network_date), None)
    if data_date is None:
        data_date = next((n.data_date for n in nets if getattr(n, "data_date", None)), None)
    view, places = _view_model(days, t, project, provider, data_date)
    view["locate"] = bool(locate)
    if provider.name == "none" and nets:
        view["network"] = _merged_streets(nets, view["bounds"], project)
    title = _title(walks, t)
    panel = _panel_html(days, t, provider, data_date=data_date, title=title,
                        excluded=excluded)
    m = _base_map(view, provider, key)
    refs = _add_days(m, days, places, project)
    css = "".join(f".rr-d{d.k}{{--day:{day_colour(d.k)};--ink:{_ink(d.k)}}}" for d in days)
    return _page(m, refs, view, panel, t, title=title.replace("\n", " · "),
                 blocks=[json_script(TRIP_ID, _trip_geojson(days))], css=css)


def save_trip_map(
    trip: Any,
    path: str | Path,
    *,
    lang: str = "both",
    tiles: str = "osm",
    locate: bool = False,
    network: WalkNetwork | Sequence[WalkNetwork | None] | None = None,
    tiles_key: str | None = None,
    day_maps: str | Sequence[str | None] | None = None,
) -> Path:
    """Write :func:`trip_map_html` to ``path`` (atomically) and return the path."""
    page = trip_map_html(trip, lang=lang, tiles=tiles, locate=locate, network=network,
                         tiles_key=tiles_key, day_maps=day_maps)
    return write_text_atomic(path, page)


# --------------------------------------------------------------------------- input


def _days_of(trip: Any, day_maps: str | Sequence[str | None] | None,
             ) -> tuple[list[_Day], list[WalkNetwork], list[Excluded]]:
    """The days (with their dates when the trip knows them), networks and left-out sites."""
    dates: list[dt.date | None]
    if hasattr(trip, "days") and hasattr(trip, "dates"):  # a Trip
        items, dates, excluded = list(trip.days), list(trip.dates), list(trip.excluded)
    else:
        items = list(trip)
        dates, excluded = [None] * len(items), []
    if not items:
        msg = "a trip map needs at least one day"
        raise MapError(msg)
    nets = []
    its: list[Itinerary | None] = []
    for item in items:
        if item is not None and hasattr(item, "itinerary"):  # a Plan
            nets.append(item.network)
        its.append(item.itinerary if hasattr(item, "itinerary") else item)
    if isinstance(day_maps, str):
        links: list[str | None] = [day_maps.format(k=k) for k in range(1, len(its) + 1)]
    else:
        links = list(day_maps or [None] * len(its))
        if len(links) != len(its):
            msg = f"day_maps has {len(links)} entries for a trip of {len(its)} days"
            raise MapError(msg)
    days = [_Day(k, it.date if it is not None else when, it,
                 _href(link) if it is not None and link else None)
            for k, (it, when, link) in enumerate(zip(its, dates, links, strict=True), start=1)]
    return days, nets, excluded


def _href(link: str) -> str:
    """A relative address for ``href``: its path percent-encoded (spaces, CJK, quotes)."""
    return quote(link.replace("\\", "/"), safe="/:#?=&-._~")


def _ink(k: int) -> str:
    return PALETTE[(k - 1) % len(PALETTE)][1]


def _title(walks: list[_Day], t: _Text) -> str:
    """The trip's title: the first day's, less its "· Day K", then the number of days."""
    it = walks[0].it
    assert it is not None
    zh = re.sub(r"\s*·\s*第\s*\d+\s*天$", "", it.title_zh)
    en = re.sub(r"\s*·\s*Day\s*\d+$", "", it.title_en)
    return t.pick(zh, en, "\n")


# --------------------------------------------------------------------------- view data


def _day_words(day: _Day, t: _Text) -> str:
    """``第 2 天 · 12月6日 星期日`` / ``Day 2 · Sun 6 Dec``."""
    if day.date is None:
        return t.pick(f"第 {day.k} 天", f"Day {day.k}")
    zh, en = date_words(day.date, style="short")
    return t.pick(f"第 {day.k} 天 · {zh.split('年', 1)[1]}",
                  f"Day {day.k} · {en.rsplit(' ', 1)[0]}")


def _view_model(days: list[_Day], t: _Text, project: Callable[[float, float], list[float]],
                provider: Any, data_date: str | None,
                ) -> tuple[dict[str, Any], list[tuple[Place, list[tuple[int, str]]]]]:
    """What the browser script needs (as :func:`redroute.export.html._view_model`), keyed
    ``K-N``, with each day's bounds and the days of each start and end."""
    stops: dict[str, Any] = {}
    titles: dict[str, str] = {}
    legs: list[dict[str, Any]] = []
    bounds: list[list[list[float]]] = []
    day_bounds: list[list[list[float]] | None] = []
    places: list[tuple[Place, list[tuple[int, str]]]] = []
    ui: dict[str, str] = {}
    attribution: list[str] = []
    for day in days:
        it = day.it
        if it is None:
            day_bounds.append(None)
            continue
        one = _day_view(it, t, project, provider, data_date)
        ui, attribution = one["ui"], one["attribution"]
        bounds.append(one["bounds"])
        day_bounds.append(one["bounds"])
        label = _day_words(day, t)
        for s in it.stops:
            lines = _stop_popup(s, t)
            lines[0] = ["title", f"{day.k}-{lines[0][1]}"]
            stops[f"{day.k}-{s.number}"] = [["kind", label], *lines]
            titles[f"{day.k}-{s.number}"] = f"{day.k}-{one['titles'][str(s.number)]}"
        for n, leg in enumerate(it.legs, start=1):
            popup = _leg_popup(it, n, leg, t)
            legs.append({**popup, "n": f"{day.k}-{n}",
                         "popup": [["kind", label], *popup["popup"]]})
        if it.end is None:
            ends = [("start", it.start)]
        elif _same_place(it.start, it.end):
            ends = [("round", it.start)]
        else:
            ends = [("start", it.start), ("end", it.end)]
        for kind, place in ends:
            for known, uses in places:
                if _same_place(known, place):
                    uses.append((day.k, kind))
                    break
            else:
                places.append((place, [(day.k, kind)]))
    lats = [b[i][0] for b in bounds for i in (0, 1)]
    lons = [b[i][1] for b in bounds for i in (0, 1)]
    view = {
        "lang": t.lang, "datum": provider.datum, "tiles": provider.name,
        "bounds": [[min(lats), min(lons)], [max(lats), max(lons)]],
        "stops": stops, "titles": titles, "legs": legs, "attribution": attribution,
        "network": None, "ui": ui,
        "places": {}, "place_days": {},
        # Every day, in order (null bounds for a day with no walk), for #day=K.
        "days": [{"k": d.k, "bounds": b} for d, b in zip(days, day_bounds, strict=True)],
    }
    by_day = {d.k: d for d in days}
    for p, (place, uses) in enumerate(places, start=1):
        view["places"][f"p{p}"] = _place_popup(place, uses, by_day, t)
        view["place_days"][f"p{p}"] = sorted({k for k, _ in uses})
        view["titles"][f"p{p}"] = t.name(place.name_zh, place.name_en)
    return view, places


def _place_popup(place: Place, uses: list[tuple[int, str]], days: dict[int, _Day],
                 t: _Text) -> list[list[str]]:
    """A start or end of one or more days: its name and, per day, when one leaves or
    arrives."""
    kinds = {kind for _, kind in uses}
    if kinds == {"start"}:
        head = t.pick("起点", "Start")
    elif kinds == {"end"}:
        head = t.pick("终点", "End")
    else:
        head = t.pick("起点和终点", "Start and end")
    lines = [["kind", head], ["title", place.name_en if t.lang == "en" else place.name_zh]]
    if t.lang == "both" and place.name_en != place.name_zh:
        lines.append(["subtitle", place.name_en])
    for k, kind in uses:
        it = days[k].it
        assert it is not None
        zh, en = [], []
        if kind in ("start", "round"):
            zh.append(f"出发 {it.departure:%H:%M}")
            en.append(f"depart {it.departure:%H:%M}")
        if kind in ("end", "round"):
            zh.append(f"到达 {it.finish:%H:%M}")
            en.append(f"arrive {it.finish:%H:%M}")
        lines.append(["time", t.pick(f"第 {k} 天：" + "，".join(zh),
                                     f"Day {k}: " + ", ".join(en))])
    return lines


def _merged_streets(nets: list[WalkNetwork], bounds: list[list[float]],
                    project: Callable[[float, float], list[float]]) -> list[dict[str, Any]]:
    """The streets of every day's network around the whole trip, each street once."""
    merged: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    done: set[int] = set()
    for net in nets:
        if id(net) in done:
            continue
        done.add(id(net))
        for layer in _network_layers(net, bounds, project):
            into = merged.setdefault(layer["name"], {**layer, "lines": []})
            for line in layer["lines"]:
                if line not in seen:
                    seen.add(line)
                    into["lines"].append(line)
    return list(merged.values())


def _trip_geojson(days: list[_Day]) -> dict[str, Any]:
    features = []
    for day in days:
        if day.it is None:
            continue
        for f in day.it.to_geojson()["features"]:
            f["properties"] = {"day": day.k, "date": day.it.date.isoformat(), **f["properties"]}
            features.append(f)
    return {"type": "FeatureCollection", "features": features}


# --------------------------------------------------------------------------- overlays


def _add_days(m: folium.Map, days: list[_Day],
              places: list[tuple[Place, list[tuple[int, str]]]],
              project: Callable[[float, float], list[float]]) -> dict[str, Any]:
    """One feature group per day (legs, rides, stops); the starts and ends on the map."""
    import folium

    refs: dict[str, Any] = {"legs": [], "casings": [], "stops": {}, "places": {}, "days": []}
    for day in days:
        group = folium.FeatureGroup(name=day.key, control=False)
        group.add_to(m)
        refs["days"].append(group)
        if day.it is None:
            continue
        it, colour = day.it, day_colour(day.k)
        for n, leg in enumerate(it.legs, start=1):
            parts, ride = _leg_parts(leg, project, project(it.start.lon, it.start.lat))
            if ride is not None:
                folium.PolyLine(  # type: ignore[no-untyped-call]
                    ride, weight=4, opacity=0.9, color=_RIDE_COLOUR, dash_array="2 8",
                    line_cap="round", interactive=False,
                    class_name=f"rr-ride rr-ride-{day.k}-{n}").add_to(group)
            line: list[Any] = parts if ride is not None else parts[0]
            casing = folium.PolyLine(  # type: ignore[no-untyped-call]
                line, color="#ffffff", weight=10, opacity=0.9, class_name="rr-casing")
            casing.add_to(group)
            style: dict[str, Any] = ({"dash_array": "8 8", "line_cap": "butt"}
                                     if leg.estimated else {})
            cls = "rr-route rr-route-est" if leg.estimated else "rr-route"
            poly = folium.PolyLine(  # type: ignore[no-untyped-call]
                line, weight=5, opacity=0.95, color=colour,
                class_name=f"{cls} rr-d{day.k} rr-leg-{day.k}-{n}", **style)
            poly.add_to(group)
            refs["legs"].append(poly)
            refs["casings"].append(casing)
        for s in it.stops:
            text = f"{day.k}-{int(s.number)}"
            width = max(30, 8 * len(text) + 10)
            # Only numbers and constants go into a folium element (see html._add_overlays).
            icon = folium.DivIcon(html=f"<span>{text}</span>",
                                  class_name=f"rr-pin rr-stop rr-trip-stop rr-d{day.k} "
                                             f"rr-stop-{text}",
                                  icon_size=(width, 26), icon_anchor=(width // 2, 13))
            marker = folium.Marker(project(s.lon, s.lat), icon=icon,
                                   z_index_offset=1000 + 100 * (len(days) - day.k) + s.number,
                                   rise_on_hover=True)
            marker.add_to(group)
            refs["stops"][text] = marker
    for p, (place, uses) in enumerate(places, start=1):
        kinds = {kind for _, kind in uses}
        cls = ("rr-pin rr-place rr-end" if kinds == {"end"} else
               "rr-pin rr-place rr-start" + ("" if kinds == {"start"} else " rr-end"))
        icon = folium.DivIcon(html=f'<span class="rr-flag">{_FLAG}</span>', class_name=cls,
                              icon_size=(30, 30), icon_anchor=(15, 15))
        marker = folium.Marker(project(place.lon, place.lat), icon=icon, z_index_offset=500)
        marker.add_to(m)
        refs["places"][f"p{p}"] = marker
    return refs


# --------------------------------------------------------------------------- panel


def _panel_html(days: list[_Day], t: _Text, provider: Any, *, data_date: str | None,
                title: str, excluded: list[Excluded]) -> str:
    """The days with their checkboxes, stops and links; what no day takes; legend, credit."""
    walks = [d.it for d in days if d.it is not None]
    n_stops = sum(len(it.stops) for it in walks)
    walked = sum(it.distance_m for it in walks)
    rides = sum(1 for it in walks for leg in it.legs if leg.ride is not None)
    n = len(days)
    totals = t.pick(f"{n} 天", plural(n, "day")) + " · " + t.pick(
        f"{n_stops} 站", plural(n_stops, "stop")) + f" · {distance(walked)}"
    if rides:
        totals += " · " + t.pick(f"地铁 {rides} 段", plural(rides, "metro ride"))
    meta = [totals]
    dates = [d.date for d in days if d.date is not None]
    if dates:
        meta.insert(0, t.pick(*_date_range(dates[0], dates[-1]), " · "))
    lines = title.split("\n")
    head = [f'<h1 class="rr-title">{_e(lines[0])}</h1>']
    if len(lines) > 1:
        head.append(f'<p class="rr-title-en">{_e(lines[1])}</p>')
    head.append('<p class="rr-meta">' + "<br>".join(
        " · ".join(f'<span class="rr-nw">{_e(part)}</span>' for part in line.split(" · "))
        for line in meta) + "</p>")
    body: list[str] = []
    if any(it.estimated for it in walks):
        body.append('<p class="rr-note">' + _e(t.pick(
            "部分路段为估算（无街道数据），以虚线表示。",
            "Some legs are estimated (no street data); they are drawn dashed.", " ")) + "</p>")
    body.append('<ol class="rr-days">' + "".join(_day_html(d, t) for d in days) + "</ol>")
    if excluded:
        body.append('<details class="rr-excluded"><summary>'
                    + _e(t.pick(f"整个行程未安排的地点（{len(excluded)}）",
                                f"Left out of every day ({len(excluded)})")) + "</summary><ul>")
        for x in excluded:
            why = reason_words(x.reason)
            body.append("<li>" + _e(t.pick(f"{x.name_zh}：{why.zh}",
                                           f"{x.name_en}: {why.en}")) + "</li>")
        body.append("</ul></details>")
    body.append(_legend_html(t, provider, rides=bool(rides),
                             estimated=any(it.estimated for it in walks)))
    return _panel(head, body, t, t.pick("行程", "Days"), data_date=data_date,
                  cls="rr-panel rr-trip")


def _date_range(first: dt.date, last: dt.date) -> tuple[str, str]:
    """``2026年12月5日–7日`` / ``5–7 Dec 2026``, shorter when the month or year is shared."""
    if first == last:
        zh, en = date_words(first, style="short")
        return zh.split(" ")[0], en.split(" ", 1)[1]
    month = MONTHS_EN_SHORT[last.month - 1]
    zh_last = (f"{last.day}日" if (first.year, first.month) == (last.year, last.month) else
               f"{last.month}月{last.day}日" if first.year == last.year else
               f"{last.year}年{last.month}月{last.day}日")
    en_first = (f"{first.day}" if (first.year, first.month) == (last.year, last.month) else
                f"{first.day} {MONTHS_EN_SHORT[first.month - 1]}" if first.year == last.year
                else f"{first.day} {MONTHS_EN_SHORT[first.month - 1]} {first.year}")
    return (f"{first.year}年{first.month}月{first.day}日–{zh_last}",
            f"{en_first}–{last.day} {month} {last.year}")


def _day_html(day: _Day, t: _Text) -> str:
    """One day: its checkbox and colour, totals, links, and its stops in order."""
    k, it = day.k, day.it
    show = _e(t.pick(f"在地图上显示第 {k} 天", f"Show day {k} on the map"))
    disabled = "" if it is not None else " disabled"
    checked = " checked" if it is not None else ""
    head = (f'<label class="rr-day-toggle"><input type="checkbox" class="rr-day-check" '
            f'data-day="{k}" aria-label="{show}"{checked}{disabled}>'
            '<span class="rr-swatch" aria-hidden="true"></span>'
            f'<span class="rr-day-name">{_e(_day_words(day, t))}</span></label>')
    if it is None:
        none = t.pick("这一天没有可以安排的地点（多处当天闭馆或开放时间不详）",
                      "No stop fits this day (many sites are closed that day or their hours "
                      "are unknown)")
        return (f'<li class="rr-day rr-d{k} rr-day-empty" data-day="{k}">{head}'
                f'<p class="rr-day-meta">{_e(none)}</p></li>')
    n = len(it.stops)
    meta = [t.pick(f"{n} 站", plural(n, "stop")), distance(it.distance_m),
            f"{it.departure:%H:%M}–{it.finish:%H:%M}"]
    rides = [leg.ride for leg in it.legs if leg.ride is not None]
    if rides:
        minutes = sum(r.minutes for r in rides)
        meta.append(t.pick(f"地铁 {len(rides)} 段约 {minutes} 分钟",
                           f"{plural(len(rides), 'metro ride')}, about {minutes} min"))
    for b in it.breaks:
        meta.append(t.pick(f"午餐 {b.start:%H:%M}", f"lunch {b.start:%H:%M}"))
    links = [f'<a href="#day={k}">{_e(t.pick("在地图上查看", "Zoom to this day"))}</a>']
    if day.href is not None:
        links.append(f'<a class="rr-day-map" href="{_e(day.href)}">'
                     f'{_e(t.pick("当天地图和日程", "Map and schedule of this day"))}</a>')
    rows = []
    for s in it.stops:
        names = [s.name_en if t.lang == "en" else s.name_zh]
        if t.lang == "both" and s.name_en != s.name_zh:
            names.append(s.name_en)
        sub = f'<span class="rr-name-en">{_e(names[1])}</span>' if len(names) > 1 else ""
        key = f"{k}-{s.number}"
        rows.append(f'<li class="rr-row rr-stop-row" data-stop="{key}"><a href="#stop={key}">'
                    f'<span class="rr-t">{s.arrival:%H:%M}</span>'
                    f'<span class="rr-badge rr-badge-day">{key}</span><span class="rr-names">'
                    f'<span class="rr-name">{_e(names[0])}</span>{sub}</span></a></li>')
    return (f'<li class="rr-day rr-d{k}" data-day="{k}">{head}'
            '<p class="rr-day-meta">' + " · ".join(
                f'<span class="rr-nw">{_e(part)}</span>' for part in meta) + "</p>"
            '<p class="rr-day-links">' + " · ".join(links) + "</p>"
            '<ol class="rr-schedule rr-day-stops">' + "".join(rows) + "</ol></li>")


def _legend_html(t: _Text, provider: Any, *, rides: bool, estimated: bool) -> str:
    datum = t.pick(*_DATUM_LABELS[provider.datum])
    base = t.pick(f"底图：{provider.label_zh}", f"Base map: {provider.label_en}")
    swatches = "".join(
        f'<line x1="2" y1="{3 + 4 * i}" x2="32" y2="{3 + 4 * i}" stroke="{colour}" '
        'stroke-width="3" stroke-linecap="round"/>' for i, (colour, _) in enumerate(PALETTE[:3]))
    items = [
        (f'<svg width="34" height="14" aria-hidden="true">{swatches}</svg>',
         t.pick("每天一种颜色：勾选框显示或隐藏当天路线",
                "one colour a day: its checkbox shows or hides it")),
        ('<span class="rr-badge rr-badge-key">2-3</span>',
         t.pick("第 2 天第 3 站", "day 2, stop 3")),
        (f'<span class="rr-badge rr-badge-start">{_FLAG}</span>', t.pick("起点 / 终点",
                                                                       "start / end")),
    ]
    if estimated:
        dashed = ('<svg width="34" height="10" aria-hidden="true"><line x1="2" y1="5" x2="32" '
                  'y2="5" stroke="#555" stroke-width="4" stroke-dasharray="6 5"/></svg>')
        items.insert(1, (dashed, t.pick("估算路段（非沿街），颜色同当天",
                                        "estimated leg (not along streets), in its day's colour")))
    if rides:
        items.insert(1, (_SWATCH_RIDE, t.pick("地铁（估算，直线示意）",
                                              "metro ride (estimated, drawn straight)")))
    rows = "".join(f"<li>{icon}<span>{_e(label)}</span></li>" for icon, label in items)
    return (f'<section class="rr-legend"><h2>{_e(t.pick("图例", "Legend"))}</h2><ul>{rows}</ul>'
            f'<p class="rr-datum">{_e(base)}<br>{_e(datum)}</p></section>')
