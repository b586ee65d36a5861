"""GPX 1.1 and GeoJSON files of an itinerary, for GPS apps and GIS tools.

The GPX file (written with :mod:`gpxpy`) holds the walk as one track with a segment per
leg, timed along each leg at walking pace, and every stop (plus the start and end points)
as a waypoint whose description gives its address, times and opening hours. Positions are
WGS-84, as GPX requires; times are written in UTC. The metadata carries the ODbL notice of
the OpenStreetMap data the route was walked on.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from itertools import pairwise
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from redroute import settings
from redroute._errors import GpxError
from redroute._io import write_text_atomic
from redroute.coords import haversine_m
from redroute.transit import ride_words
from redroute.wording import (
    ODBL_URL,
    OSM_COPYRIGHT_URL,
    OSM_CREDIT,
    check_lang,
    distance,
    hours_words,
    pick,
    plural,
    printable,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import gpxpy.gpx

    from redroute.itinerary import Itinerary, Leg, Stop

__all__ = ["GpxError", "gpx_text", "save_geojson", "save_gpx"]




def _utc(t: dt.datetime) -> dt.datetime:
    """Itinerary times are Shanghai wall-clock times; GPX wants UTC."""
    local = t if t.tzinfo is not None else t.replace(tzinfo=ZoneInfo(settings.timezone))
    return local.astimezone(dt.UTC)


def _stop_waypoint(s: Stop, lang: str) -> gpxpy.gpx.GPXWaypoint:
    import gpxpy.gpx

    from redroute.vocabulary import BOOKING

    visit = f"{s.start:%H:%M}–{s.end:%H:%M}"
    desc = [s.address_zh,
            pick(f"到达 {s.arrival:%H:%M}，参观 {visit}", f"arrive {s.arrival:%H:%M}, "
                  f"visit {visit}", lang),
            pick(*hours_words(s.hours_today), lang)]
    if s.booking != "none" and s.booking in BOOKING:
        label = BOOKING[s.booking]
        desc.append(pick(f"{label.zh}：{s.booking_note_zh or ''}".rstrip("："),
                          f"{label.en}: {s.booking_note_en or ''}".rstrip(": "), lang))
    name = pick(s.name_zh, s.name_en, lang)
    return gpxpy.gpx.GPXWaypoint(
        latitude=s.lat, longitude=s.lon, time=_utc(s.arrival), name=f"{s.number}. {name}",
        description="\n".join(desc), comment=pick(s.summary_zh, s.summary_en, lang, "\n"),
        symbol="Flag, Red", type="stop",
    )


def _leg_points(leg: Leg) -> list[gpxpy.gpx.GPXTrackPoint]:
    """The leg's geometry, each point timed in proportion to the distance walked."""
    import gpxpy.gpx

    geom = leg.geometry or []
    steps = [0.0] + [haversine_m(a[0], a[1], b[0], b[1]) for a, b in pairwise(geom)]
    total = sum(steps)
    span = (leg.arrive - leg.depart).total_seconds()
    points, walked = [], 0.0
    for (lon, lat), d in zip(geom, steps, strict=True):
        walked += d
        frac = walked / total if total > 0 else 0.0
        when = leg.depart + dt.timedelta(seconds=round(span * frac, 1))
        points.append(gpxpy.gpx.GPXTrackPoint(latitude=lat, longitude=lon, time=_utc(when)))
    return points


def _leg_parts(leg: Leg) -> list[list[Any]]:
    """The walked parts of a leg as timed points: one part, or two around a metro ride (the
    ride itself is not a track: it is not walked)."""
    if leg.ride is None or not 0 <= leg.ride_at < len(leg.geometry) - 1:
        return [_leg_points(leg)]
    before, after = leg.geometry[:leg.ride_at + 1], leg.geometry[leg.ride_at + 1:]
    lengths = [sum(haversine_m(a[0], a[1], b[0], b[1]) for a, b in pairwise(part))
               for part in (before, after)]
    total = sum(lengths) or 1.0
    first = dt.timedelta(seconds=leg.walking_s * lengths[0] / total)
    last = dt.timedelta(seconds=leg.walking_s * lengths[1] / total)
    parts = []
    for part, depart, arrive in ((before, leg.depart, leg.depart + first),
                                 (after, leg.arrive - last, leg.arrive)):
        if len(part) >= 2:
            parts.append(_leg_points(replace(leg, geometry=part, depart=depart, arrive=arrive)))
    return parts


def gpx_text(itinerary: Itinerary, *, lang: str = "both",
             created: dt.datetime | None = None) -> str:
    """The GPX 1.1 document of an itinerary.

    Parameters
    ----------
    itinerary
        The walk.
    lang
        ``zh``, ``en`` or ``both``: the language of names and descriptions.
    created
        The file's creation time (metadata ``time``); default now.
    """
    import gpxpy.gpx

    from redroute._version import __version__

    check_lang(lang, what="GPX language", error=GpxError)
    it = itinerary
    made = (created or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    gpx = gpxpy.gpx.GPX()
    gpx.creator = f"redroute {__version__}"
    gpx.name = pick(it.title_zh, it.title_en, lang)
    gpx.description = pick(
        f"{it.date.isoformat()}，{len(it.stops)} 站，步行 {distance(it.distance_m)}，"
        f"{it.departure:%H:%M}–{it.finish:%H:%M}（上海时间）",
        f"{it.date.isoformat()}, {plural(len(it.stops), 'stop')}, {distance(it.distance_m)} on "
        f"foot, {it.departure:%H:%M}–{it.finish:%H:%M} (Shanghai time)", lang, "\n")
    if it.estimated:
        gpx.description += "\n" + pick("部分路段为估算，并非沿街道的路线。",
                                        "Some legs are estimated, not routes along streets.",
                                        lang, "\n")
    gpx.time = _utc(made)
    gpx.author_name = "redroute"
    gpx.copyright_author = "OpenStreetMap contributors"
    # The year of the OpenStreetMap data the walk was planned on, where known.
    gpx.copyright_year = (it.network_date or "")[:4] or str(made.year)
    gpx.copyright_license = ODBL_URL
    gpx.link = OSM_COPYRIGHT_URL
    gpx.link_text = f"{OSM_CREDIT} (ODbL)"
    gpx.keywords = "Shanghai, red heritage, walking tour, 上海, 红色文化, 步行"

    gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(
        latitude=it.start.lat, longitude=it.start.lon, time=_utc(it.departure),
        name=pick(f"起点 {it.start.name_zh}", f"Start: {it.start.name_en}", lang),
        description=pick(f"出发 {it.departure:%H:%M}", f"depart {it.departure:%H:%M}", lang),
        symbol="Flag, Green", type="start"))
    gpx.waypoints.extend(_stop_waypoint(s, lang) for s in it.stops)
    if it.end is not None:
        gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(
            latitude=it.end.lat, longitude=it.end.lon, time=_utc(it.finish),
            name=pick(f"终点 {it.end.name_zh}", f"End: {it.end.name_en}", lang),
            description=pick(f"到达 {it.finish:%H:%M}", f"arrive {it.finish:%H:%M}", lang),
            symbol="Flag, Blue", type="end"))

    track = gpxpy.gpx.GPXTrack(name=gpx.name, number=1)
    track.type = "walking"  # type: ignore[assignment]  # gpxpy types it as None
    for leg in it.legs:
        # A leg that does not move (the start is the first stop) is no track: its time is
        # on the waypoints, and a segment of two identical points confuses GPS apps.
        if len({(round(x, 7), round(y, 7)) for x, y in leg.geometry or []}) < 2:
            continue
        for points in _leg_parts(leg):
            segment = gpxpy.gpx.GPXTrackSegment()
            segment.points.extend(points)
            track.segments.append(segment)
        if leg.ride is not None:
            zh, en = ride_words(leg.ride)
            board = leg.ride.board
            gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(
                latitude=board[1], longitude=board[0], name=pick(zh, en, lang),
                description=pick(f"{leg.ride.board_zh}站", f"{leg.ride.board_en} Station",
                                 lang), symbol="Train", type="metro"))
    gpx.tracks.append(track)
    # gpxpy escapes <, & and > but passes control characters, which no XML may hold; text
    # from a hostile itinerary file or catalogue shows them as visible escapes instead.
    return printable(gpx.to_xml(version="1.1"), newlines=True)


def trip_gpx_text(itineraries: Sequence[Itinerary], *, lang: str = "both",
                  created: dt.datetime | None = None) -> str:
    """The GPX 1.1 document of a trip: one track per day (named by its title and date), and
    the waypoints of every day."""
    import gpxpy

    check_lang(lang, what="GPX language", error=GpxError)
    if not itineraries:
        msg = "a trip GPX needs at least one day"
        raise GpxError(msg)
    docs = [gpxpy.parse(gpx_text(it, lang=lang, created=created)) for it in itineraries]
    out = docs[0]
    out.name = pick(f"{len(itineraries)} 天行程", f"A trip of {len(itineraries)} days", lang)
    out.description = "\n".join(d.description or "" for d in docs)
    for k, (doc, it) in enumerate(zip(docs, itineraries, strict=True), start=1):
        for track in doc.tracks:
            track.name = f"{k}. {it.date.isoformat()} {pick(it.title_zh, it.title_en, lang)}"
            track.number = k
        if k > 1:
            out.tracks.extend(doc.tracks)
            out.waypoints.extend(doc.waypoints)
    return printable(out.to_xml(version="1.1"), newlines=True)


def save_gpx(itinerary: Itinerary, path: str | Path, *, lang: str = "both",
             created: dt.datetime | None = None) -> Path:
    """Write :func:`gpx_text` to ``path`` atomically and return the path."""
    return write_text_atomic(path, gpx_text(itinerary, lang=lang, created=created))


def save_geojson(itinerary: Itinerary, path: str | Path) -> Path:
    """Write :meth:`Itinerary.to_geojson <redroute.itinerary.Itinerary.to_geojson>` to
    ``path`` (RFC 7946, UTF-8) atomically and return the path."""
    text = json.dumps(itinerary.to_geojson(), ensure_ascii=False, indent=1) + "\n"
    return write_text_atomic(path, text)
