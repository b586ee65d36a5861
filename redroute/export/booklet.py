"""The printed booklet of a trip: a cover for the whole trip, one section per day, and the
sites no day could take (A4 portrait, PDF/A-2b, typeset with typst like the leaflet).

The cover gives the trip's dates, its days, its stops (none twice), the kilometres on foot
and the metro time, where each day starts and ends, and each day's stops in order. Each
day's section is that day's a4 leaflet (:mod:`redroute.export.leaflet`): its date, map,
timeline, stops with hours, booking and metro rides, and its notes. The trip's left-out
list comes at the end when it fits a page; otherwise the cover gives its count and points
to ``trip.json``.

Typst modules take no parameters, so each day's section is typeset from a copy of the
leaflet's page template bound to that day's data (``day-K.typ``, written beside the
templates in a temporary folder).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redroute._errors import LeafletError
from redroute._io import write_bytes_atomic
from redroute.export._typeset import typeset
from redroute.export.leaflet import (
    MIN_PT,
    PDF_STANDARD,
    TEMPLATES,
    _check_publisher,
    _theme_and_district,
    _today,
    leaflet_data,
)
from redroute.wording import (
    MONTHS_EN,
    attribution_words,
    check_lang,
    date_words,
    distance,
    duration,
    reason_words,
)

if TYPE_CHECKING:
    import datetime as dt

    from redroute.catalogue import Catalogue
    from redroute.trip import Trip

__all__ = ["render_trip_leaflet", "save_trip_leaflet", "trip_leaflet_data"]

#: The line of common.typ that binds ``d`` to the data; a day's copy binds that day's.
_DATA_LINE = "#let d = json(bytes(sys.inputs.data))"
_IMPORT_LINE = '#import "common.typ": *'


def _dates_words(dates: tuple[dt.date, ...]) -> tuple[str, str]:
    """``2026年12月5日至7日 · 共 3 天`` / ``5–7 December 2026 · 3 days``."""
    a, b = dates[0], dates[-1]
    n = len(dates)
    if a == b:
        zh, en = date_words(a)
    elif (a.year, a.month) == (b.year, b.month):
        zh = f"{a.year}年{a.month}月{a.day}日至{b.day}日"
        en = f"{a.day}–{b.day} {MONTHS_EN[a.month - 1]} {a.year}"
    elif a.year == b.year:
        zh = f"{a.year}年{a.month}月{a.day}日至{b.month}月{b.day}日"
        en = f"{a.day} {MONTHS_EN[a.month - 1]} – {b.day} {MONTHS_EN[b.month - 1]} {a.year}"
    else:
        zh = f"{a.year}年{a.month}月{a.day}日至{b.year}年{b.month}月{b.day}日"
        en = (f"{a.day} {MONTHS_EN[a.month - 1]} {a.year} – {b.day} "
              f"{MONTHS_EN[b.month - 1]} {b.year}")
    return f"{zh} · 共 {n} 天", f"{en} · {n} day{'s' if n != 1 else ''}"


def _trip_title(trip: Trip) -> tuple[str, str]:
    """The trip's title: each day's is it and `` · 第 K 天`` / `` · Day K``."""
    first = next(p.itinerary for p in trip.days if p is not None)
    return (re.sub(r" · 第 \d+ 天$", "", first.title_zh),
            re.sub(r" · Day \d+$", "", first.title_en))


def _overview(trip: Trip) -> list[dict[str, Any]]:
    """Each day of the cover: its date, figures and stops (or why it has none)."""
    from redroute.export.tripmap import PALETTE

    out = []
    for k, (day, plan) in enumerate(zip(trip.dates, trip.days, strict=True), start=1):
        zh, en = date_words(day)
        colour, ink = PALETTE[(k - 1) % len(PALETTE)]
        entry: dict[str, Any] = {"k": k, "date_zh": zh, "date_en": en, "stops": [],
                                 "colour": colour, "ink": ink,
                                 "summary_zh": "", "summary_en": "", "has_section": False,
                                 "note_zh": "这一天没有可以安排的地点（闭馆或时间不够）。",
                                 "note_en": "No site fits this day (closed, or no time)."}
        if plan is not None:
            it = plan.itinerary
            n, far = len(it.stops), distance(it.distance_m)
            span = f"{it.departure:%H:%M}–{it.finish:%H:%M}"
            ride = it.ride_minutes
            ride_zh = [f"地铁约 {duration(ride, 'zh')}"] if ride else []
            ride_en = [f"metro about {duration(ride, 'en')}"] if ride else []
            # Pieces that a line break never splits.
            entry.update({
                "stops": [{"number": s.number, "name_zh": s.name_zh, "name_en": s.name_en}
                          for s in it.stops],
                "summary_zh": [f"{n} 站", f"步行 {far}", *ride_zh, span],
                "summary_en": [f"{n} stop{'s' if n != 1 else ''}", f"{far} on foot",
                               *ride_en, span],
                "has_section": True})
        out.append(entry)
    return out


def _start_words(trip: Trip) -> tuple[str, str]:
    """Where every day starts and ends (the same every day)."""
    first = next((p.itinerary for p in trip.days if p is not None), None)
    if first is None:
        return "", ""
    start_zh, start_en = first.start.name_zh, first.start.name_en
    if first.end is None:
        return (f"每天从 {start_zh} 出发，在当天最后一站结束。",
                f"Each day starts at {start_en} and ends at its last stop.")
    if (first.end.lon, first.end.lat) == (first.start.lon, first.start.lat):
        return (f"每天从 {start_zh} 出发，回到 {start_zh}。",
                f"Each day starts and ends at {start_en}.")
    return (f"每天从 {start_zh} 出发，到 {first.end.name_zh} 结束。",
            f"Each day starts at {start_en} and ends at {first.end.name_en}.")


def trip_leaflet_data(trip: Trip, *, lang: str = "both", publisher: str | None = None,
                      catalogue: Catalogue | None = None,
                      printed: dt.date | None = None) -> dict[str, Any]:
    """Everything the booklet shows, as JSON-ready data: ``cover`` (the booklet's own data)
    and ``days`` (each day's leaflet data, or ``None`` for a day with no walk)."""
    check_lang(lang, what="leaflet language", error=LeafletError)
    pub = _check_publisher(publisher)
    if catalogue is None:
        from redroute.catalogue import load_catalogue

        catalogue = load_catalogue()
    plans = [p for p in trip.days if p is not None]
    if not plans:
        msg = "the trip has no day with a stop: there is nothing to print"
        raise LeafletError(msg)
    when = printed or _today()
    n = len(trip.dates)
    days: list[dict[str, Any] | None] = []
    for k, (day, plan) in enumerate(zip(trip.dates, trip.days, strict=True), start=1):
        if plan is None:
            days.append(None)
            continue
        data = leaflet_data(plan.itinerary, format="a4", lang=lang, publisher=pub,
                            network=plan.network, catalogue=catalogue, printed=when,
                            theme=trip.request.theme, district=trip.request.district)
        zh, en = date_words(day)
        # The trip's left-out list is told once, at the end of the booklet.
        data.update({"also": [], "kicker_zh": f"第 {k} 天 / 共 {n} 天",
                     "kicker_en": f"DAY {k} OF {n}", "running_zh": f"第 {k} 天 · {zh}",
                     "running_en": f"Day {k} · {en}"})
        days.append(data)
    stops = [s for p in plans for s in p.itinerary.stops]
    lms = {s.id: catalogue.get(s.id) for s in stops if s.id in {lm.id for lm in catalogue}}
    title_zh, title_en = _trip_title(trip)
    dates_zh, dates_en = _dates_words(trip.dates)
    ride = sum(p.itinerary.ride_minutes for p in plans)
    start_zh, start_en = _start_words(trip)
    credit = attribution_words(next((p.itinerary.network_date for p in plans
                                     if p.itinerary.network_date), None))
    cover = {
        "lang": lang, "min_pt": MIN_PT, "bleed": 0.0, "publisher": pub,
        "printed": when.isoformat(), "title_zh": title_zh, "title_en": title_en,
        **_theme_and_district(stops, lms, trip.request.theme, trip.request.district),
        "dates_zh": dates_zh, "dates_en": dates_en,
        "stats": {"days": str(n), "stops": str(len(stops)),
                  "distance": distance(sum(p.itinerary.distance_m for p in plans)),
                  "ride_zh": duration(ride, "zh") if ride else "",
                  "ride_en": duration(ride, "en") if ride else ""},
        "start_zh": start_zh, "start_en": start_en,
        "days": _overview(trip),
        "excluded": [{"name_zh": e.name_zh, "name_en": e.name_en,
                      "reason_zh": reason_words(e.reason).zh,
                      "reason_en": reason_words(e.reason).en} for e in trip.excluded],
        "attribution_zh": credit.zh, "attribution_en": credit.en,
        "qr_svg": None, "map_url": None,
        "map": _cover_map(trip, lang),
    }
    return {"cover": cover, "days": days}


#: The cover's overview map (mm): the page's width, lower for a long trip.
_MAP_W, _MAP_H, _MAP_H_LONG = 186.0, 100.0, 78.0


def _cover_map(trip: Trip, lang: str) -> dict[str, Any]:
    """The overview map of every day, its size and the colours of its legend."""
    from redroute.export.mapsvg import trip_map_svg
    from redroute.export.tripmap import day_colour

    days = [(k, p.itinerary) for k, p in enumerate(trip.days, start=1) if p is not None]
    network = next((p.network for p in trip.days if p is not None
                    and not p.network.estimated), None)
    height = _MAP_H if len(trip.dates) <= 4 else _MAP_H_LONG
    return {"svg": trip_map_svg(days, width_mm=_MAP_W, height_mm=height, network=network,
                                lang=lang),
            "width": _MAP_W, "height": height,
            "colours": [{"k": k, "colour": day_colour(k)} for k, _ in days],
            "rides": any(leg.ride is not None for _, it in days for leg in it.legs),
            "estimated": any(leg.estimated for _, it in days for leg in it.legs)}


def _inputs(data: dict[str, Any], root: Path) -> dict[str, str]:
    """The templates in ``root``, with a copy of the pages bound to each day's data; the
    ``sys.inputs`` of the booklet."""
    from redroute.export.fonts import FAMILY

    for template in TEMPLATES.glob("*.typ"):
        shutil.copyfile(template, root / template.name)
    common = (TEMPLATES / "common.typ").read_text(encoding="utf-8")
    pages = (TEMPLATES / "pages.typ").read_text(encoding="utf-8")
    if _DATA_LINE not in common or _IMPORT_LINE not in pages:  # pragma: no cover
        msg = "the leaflet templates have changed: the booklet cannot bind its days"
        raise LeafletError(msg)
    inputs = {"data": json.dumps({**data["cover"], "font": FAMILY}, ensure_ascii=False)}
    for k, day in enumerate(data["days"], start=1):
        if day is None:
            continue
        key = f"day-{k}"
        (root / f"{key}-common.typ").write_text(
            common.replace(_DATA_LINE, f'#let d = json(bytes(sys.inputs.at("{key}")))', 1),
            encoding="utf-8")
        (root / f"{key}.typ").write_text(
            pages.replace(_IMPORT_LINE, f'#import "{key}-common.typ": *', 1),
            encoding="utf-8")
        inputs[key] = json.dumps({**day, "font": FAMILY}, ensure_ascii=False)
    return inputs


def _compile(data: dict[str, Any], **kwargs: Any) -> bytes:
    from redroute.export.fonts import cjk_font_path

    with tempfile.TemporaryDirectory(prefix="redroute-booklet-") as tmp:
        root = Path(tmp)
        inputs = _inputs(data, root)
        return typeset("compile", str(root / "booklet.typ"), root=str(root),
                       font_paths=[str(cjk_font_path().parent)], ignore_system_fonts=True,
                       sys_inputs=inputs, format="pdf", **kwargs)


def render_trip_leaflet(trip: Trip, **options: Any) -> bytes:
    """The booklet as PDF bytes (PDF/A-2b); ``options`` are those of
    :func:`save_trip_leaflet`."""
    fmt = options.pop("format", "a4")
    if fmt != "a4":
        msg = f"a trip's booklet is A4 portrait (format 'a4'), not {fmt!r}"
        raise LeafletError(msg)
    data = trip_leaflet_data(trip, **options)
    try:
        pdf = _compile(data, pdf_standards=PDF_STANDARD)
    except LeafletError as err:
        # As for a leaflet: a character the font cannot draw gives plain PDF and a warning.
        if "PDF/A" not in str(err):
            raise
        import warnings

        from redroute._errors import RedrouteWarning

        reason = str(err).split("PDF/A-2b error: ", 1)[-1]
        warnings.warn(f"手册不符合 PDF/A：{reason} / the booklet is plain PDF, not PDF/A: "
                      f"{reason}", RedrouteWarning, stacklevel=2)
        pdf = _compile(data)
    if not pdf.startswith(b"%PDF"):
        msg = "typesetting the booklet gave no PDF"
        raise LeafletError(msg)
    return pdf


def save_trip_leaflet(trip: Trip, path: str | Path, *, format: str = "a4",
                      lang: str = "both", publisher: str | None = None,
                      catalogue: Catalogue | None = None,
                      printed: dt.date | None = None) -> Path:
    """Write the printed booklet of a trip to ``path`` (PDF/A-2b, written atomically).

    Parameters
    ----------
    trip
        The trip (:func:`redroute.trip.plan_trip`).
    path
        The PDF file to write; its folder must exist.
    format
        ``a4`` (A4 portrait), the only format of a booklet.
    lang
        ``zh``, ``en`` or ``both``.
    publisher
        Who hands it out, printed on the cover and each day's footer.
    catalogue
        Where the stops' hours and booking rules are looked up (default: the shipped one).
    printed
        The date printed on it (default: today in Shanghai).

    Returns
    -------
    Path
        ``path``.
    """
    pdf = render_trip_leaflet(trip, format=format, lang=lang, publisher=publisher,
                              catalogue=catalogue, printed=printed)
    return write_bytes_atomic(Path(path), pdf)
