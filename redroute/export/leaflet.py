"""A printable bilingual leaflet of a walk (红色宣传折页), as PDF, typeset with typst.

Two formats:

- ``trifold``: A4 landscape, a sheet folded in three: page 1 is the outside (inner flap |
  back | cover), page 2 the inside (route map | stops | stops). The inner flap is 3 mm
  narrower so that it folds in; fold marks are printed. Stops that do not fit the two
  panels continue on extra A4 landscape pages of three panels (an insert), in full.
- ``a4``: A4 portrait, as many pages as the stops need.

Nothing is ever cut: every name, address, hours line, booking note and summary is printed
whole. The template first tries a denser setting (smaller type, never under
:data:`MIN_PT`, tighter spacing), then more room (more pages).

A leaflet is either **dated** (one day's hours and clock times: the walk of that day) or a
**season** leaflet (``weekly=True``): each stop's regular weekly hours, closing days and
booking rules, with suggested visit lengths and the walking times between stops instead of
clock times: what a bureau prints thousands of for a season.

Either kind prints a leg that rides the metro as its ride (line, stations, minutes, always
estimated) and then the time on foot, and marks hours the venue has not confirmed
(:data:`UNCONFIRMED_MARK`, with one note naming those stops). A trip's booklet, a section
per day, is :mod:`redroute.export.booklet`.

Everything the catalogue or the user supplies (titles, names, summaries, addresses, the
publisher, street names) travels to typst as JSON data through ``sys.inputs`` and is shown
as strings, never pasted into markup, so it cannot inject typst code. The only font is Noto
Sans CJK SC from PyPI (Regular: emphasis is by size and colour), embedded and subset.

The PDF is PDF/A-2b (ISO 19005-2, level B): every font embedded (subset), an sRGB output
intent and XMP metadata, nothing external; the archival standard that print shops also
accept. (A character the font cannot draw, which PDF/A forbids, gives a plain PDF and a
warning.) With
``bleed`` the pages grow by the bleed and a slug with crop marks, for a print shop.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redroute._errors import LeafletError
from redroute._io import write_bytes_atomic
from redroute.export._typeset import typeset
from redroute.export.weekly import open_weekdays, weekdays_words, weekly_hours
from redroute.transit import _line_en, _line_zh, ride_words
from redroute.vocabulary import BOOKING, DISTRICTS, THEMES
from redroute.wording import (
    HOURS_UNCONFIRMED,
    HOURS_UNKNOWN,
    LANGS,
    MONTHS_EN,
    WEEKDAYS_EN_FULL,
    WEEKDAYS_ZH,
    attribution_words,
    break_words,
    capitalise,
    check_lang,
    date_words,
    distance,
    duration,
    hours_words,
    reason_words,
)

if TYPE_CHECKING:
    from redroute.catalogue import Catalogue, Landmark
    from redroute.itinerary import Itinerary, Leg, Stop
    from redroute.network import WalkNetwork

__all__ = [
    "BLEED_MAX",
    "FORMATS",
    "LANGS",
    "MIN_PT",
    "PDF_STANDARD",
    "PUBLISHER_MAX",
    "UNCONFIRMED_MARK",
    "LeafletError",
    "check_leaflet_options",
    "leaflet_data",
    "leaflet_layout",
    "render_leaflet",
    "save_leaflet",
]

FORMATS = ("trifold", "a4")
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The smallest type of a stop's text (names, hours, addresses, booking, summaries), pt.
MIN_PT = 7.5
#: The PDF standard every leaflet meets (typst's name for PDF/A-2b).
PDF_STANDARD = "a-2b"
#: The largest bleed, in millimetres (print shops ask for 2-5).
BLEED_MAX = 10.0
#: The largest logo or cover picture file read, in bytes.
IMAGE_MAX = 20 * 1024 * 1024
#: Size of the route map and of the cover's thumbnail on the page, per format (mm).
MAP_SIZES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "trifold": ((88.0, 138.0), (86.0, 84.0)),
    "a4": ((112.0, 118.0), (0.0, 0.0)),
}
#: Height of the a4 format's lower map (mm).
_A4_COMPACT_H = 86.0
#: The mark after hours that the venue has not confirmed (one note explains it).
UNCONFIRMED_MARK = "※"
#: A leg shorter than this is no walk: no "Walk 0 min · 0 m" line.
_NO_WALK_M = 1.0


# --------------------------------------------------------------------------- wording


def _minutes(minutes: float) -> tuple[str, str]:
    return duration(minutes, "zh"), duration(minutes, "en")


def _numbers(numbers: list[int], lang: str) -> str:
    if lang == "zh":
        return "第 " + "、".join(map(str, numbers)) + " 站"
    word = "stop" if len(numbers) == 1 else "stops"
    return f"{word} " + ", ".join(map(str, numbers))


def _breakable(url: str) -> str:
    """A URL with zero-width spaces after its separators, so that it wraps in a panel."""
    return re.sub(r"([/?&=.#_-])", "\\1\u200b", url)


# --------------------------------------------------------------------------- options


#: The longest publisher line that fits the leaflet's publisher line.
PUBLISHER_MAX = 80


def check_leaflet_options(*, map_url: str | None = None, publisher: str | None = None,
                          format: str = "trifold", lang: str = "both",
                          bleed: float | str | None = None, logo: str | Path | None = None,
                          cover_image: str | Path | None = None) -> None:
    """Check a leaflet's options before any work (a plan takes seconds; a bad URL or a
    missing logo is found at once).

    Raises
    ------
    LeafletError
        A format or language the leaflet does not know, a map URL that is not http(s), a
        publisher line longer than :data:`PUBLISHER_MAX` characters, a bleed that is not a
        number of millimetres from 0 to :data:`BLEED_MAX`, or a logo or cover picture that
        cannot be read or is not a PNG or SVG (a cover picture may also be a JPEG).
    """
    if format not in FORMATS:
        msg = f"leaflet format {format!r} is not one of {', '.join(FORMATS)}"
        raise LeafletError(msg)
    check_lang(lang, what="leaflet language", error=LeafletError)
    _check_url(map_url)
    _check_publisher(publisher)
    _check_bleed(bleed)
    _read_image(logo, "logo")
    _read_image(cover_image, "cover-image")


def _check_publisher(publisher: str | None) -> str:
    pub = " ".join((publisher or "").split())
    if len(pub) > PUBLISHER_MAX:
        msg = (f"publisher {pub[:40]!r}... is {len(pub)} characters long; at most "
               f"{PUBLISHER_MAX} fit")
        raise LeafletError(msg)
    return pub


def _check_url(map_url: str | None) -> str | None:
    if map_url is None:
        return None
    url = map_url.strip()
    if not re.fullmatch(r"https?://[^\s<>\"]+", url) or len(url) > 1000:
        msg = (f"map URL {map_url!r} is not an http(s) address (at most 1000 characters, "
               "no spaces)")
        raise LeafletError(msg)
    return url


def _check_bleed(bleed: float | str | None) -> float:
    """The bleed in millimetres (0 for none)."""
    if bleed is None:
        return 0.0
    try:
        mm = float(bleed)
    except (TypeError, ValueError):
        mm = math.nan
    if not (math.isfinite(mm) and 0 <= mm <= BLEED_MAX):
        msg = (f"出血 {str(bleed)!r}（--bleed）不是 0 到 {BLEED_MAX:g} 之间的毫米数 / bleed "
               f"{str(bleed)!r} (--bleed) is not a number of millimetres from 0 to "
               f"{BLEED_MAX:g}")
        raise LeafletError(msg)
    return mm


_WHAT = {"logo": ("标志", "logo", ("png", "svg")),
         "cover-image": ("封面图片", "cover picture", ("png", "jpg", "svg"))}


def _image_kind(data: bytes) -> str | None:
    """``png``, ``jpg`` or ``svg`` for a whole picture of that kind (a truncated PNG or
    JPEG, without its end marker, is none)."""
    if (data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR"
            and b"IEND" in data[-64:]):
        return "png"
    if data.startswith(b"\xff\xd8\xff") and b"\xff\xd9" in data[-1024:]:
        return "jpg"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!DOCTYPE")) and re.search(
            rb"<svg[\s>]", head):
        return "svg"
    return None


def _read_image(path: str | Path | None, option: str) -> tuple[str, bytes] | None:
    """The kind and bytes of a logo or cover picture, checked."""
    if path is None:
        return None
    zh, en, kinds = _WHAT[option]
    where = f"{path}（--{option}）"
    where_en = f"{path} (--{option})"
    try:
        with Path(path).open("rb") as f:
            data = f.read(IMAGE_MAX + 1)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        msg = f"无法读取{zh}文件 {where}：{reason} / cannot read the {en} file {where_en}: {reason}"
        raise LeafletError(msg) from err
    if len(data) > IMAGE_MAX:
        msg = (f"{zh}文件 {where} 超过 {IMAGE_MAX // 2**20} MB / the {en} file {where_en} is "
               f"larger than {IMAGE_MAX // 2**20} MB")
        raise LeafletError(msg)
    kind = _image_kind(data)
    if kind not in kinds:
        names = "、".join(k.upper() for k in kinds)
        names_en = " or ".join(k.upper() for k in kinds)
        msg = (f"{zh}文件 {where} 不是完整的 {names} 图片 / the {en} file {where_en} is not a "
               f"{names_en} image (or it is cut short)")
        raise LeafletError(msg)
    return kind, data


# --------------------------------------------------------------------------- catalogue facts


def _hours_words(hours: str | None) -> tuple[str, str]:
    # A leaflet is read on other days than the walk's: no "today".
    zh, en = hours_words(hours, today=False)
    return zh, capitalise(en)


def _closed_weekdays(lm: Landmark, day: dt.date) -> set[int] | None:
    """Weekdays on which the site is closed every week of the four from ``day``."""
    if lm.opening_hours is None:
        return None
    closed: dict[int, bool] = {}
    for k in range(28):
        d = day + dt.timedelta(days=k)
        windows = lm.windows(d)
        shut = windows is not None and not windows
        closed[d.weekday()] = closed.get(d.weekday(), True) and shut
    return {wd for wd, shut in closed.items() if shut}


def _theme_and_district(stops: list[Stop], lms: dict[str, Landmark], theme: str | None,
                        district: str | None) -> dict[str, str]:
    """The cover's theme and district: the route's own; without a route, only what every
    stop of the catalogue shares (a theme), or the districts the stops are in."""
    out = {"theme_zh": "", "theme_en": "", "district_zh": "", "district_en": ""}
    known = [lms[s.id] for s in stops if s.id in lms]
    if theme is None and known and len(known) == len(stops):
        shared = [t for t in known[0].themes if all(t in lm.themes for lm in known)]
        theme = shared[0] if shared else None
    if theme in THEMES:
        out["theme_zh"], out["theme_en"] = THEMES[theme].zh, THEMES[theme].en
    if district in DISTRICTS:
        slugs = [district]
    else:
        slugs = []
        for s in stops:
            slug = lms[s.id].district if s.id in lms else next(
                (k for k, v in DISTRICTS.items() if s.address_zh.startswith(v.zh)), None)
            if slug in DISTRICTS and slug not in slugs:
                slugs.append(slug)
    names = [DISTRICTS[k] for k in slugs]
    if names:
        out["district_zh"] = "、".join(n.zh for n in names)
        out["district_en"] = ", ".join(n.en for n in names) + (
            " District" if len(names) == 1 else " Districts")
    return out


def _notes(it: Itinerary, lms: dict[str, Landmark], day: dt.date, hours: list[str | None],
           network: WalkNetwork | None, *, weekly: bool,
           stops: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Practical notes in both languages, each computed from the stops' own data."""
    notes: list[dict[str, str]] = []
    shut_today = [s.number for s, h in zip(it.stops, hours, strict=True) if h == "closed"]
    if shut_today and not weekly:
        m, d = day.month, day.day
        notes.append({
            "zh": f"注意：{m}月{d}日{_numbers(shut_today, 'zh')}闭馆，请改日前往或跳过。",
            "en": f"Note: {_numbers(shut_today, 'en').capitalize()} "
                  f"{'is' if len(shut_today) == 1 else 'are'} closed on "
                  f"{d} {MONTHS_EN[m - 1]}: go another day or skip "
                  f"{'it' if len(shut_today) == 1 else 'them'}.",
            "alert": "yes",
        })
    doubtful = [s["number"] for s in stops if s["hours_unconfirmed"]]
    if doubtful:
        en = capitalise(HOURS_UNCONFIRMED.en)
        which = _numbers(doubtful, "en")
        en = en.replace(":", f" ({which}):", 1) if ":" in en else f"{en} ({which})"
        notes.append({"zh": f"{UNCONFIRMED_MARK} {_numbers(doubtful, 'zh')}"
                            f"{HOURS_UNCONFIRMED.zh}。",
                      "en": f"{UNCONFIRMED_MARK} {en}."})
    by_days: dict[tuple[int, ...], list[int]] = {}
    unknown: list[int] = []
    for s, today in zip(it.stops, hours, strict=True):
        lm = lms.get(s.id)
        days = _closed_weekdays(lm, day) if lm is not None else None
        # A stop the catalogue lacks but whose hours the itinerary knows (a file planned with
        # another catalogue) has known hours that day, only no weekly pattern to print.
        if days is None and (lm is not None or today is None or weekly):
            unknown.append(s.number)
        elif days and len(days) < 7:
            by_days.setdefault(tuple(sorted(days)), []).append(s.number)
    for weekdays, numbers in sorted(by_days.items()):
        zh_days = "、".join(f"周{WEEKDAYS_ZH[w]}" for w in weekdays)
        en_days = ", ".join(WEEKDAYS_EN_FULL[w] + "s" for w in weekdays)
        notes.append({"zh": f"每逢{zh_days}闭馆：{_numbers(numbers, 'zh')}。",
                      "en": f"Closed on {en_days}: {_numbers(numbers, 'en')}."})
    if unknown:
        notes.append({"zh": f"{_numbers(unknown, 'zh')}{HOURS_UNKNOWN.zh}，出发前请先确认。",
                      "en": f"{capitalise(HOURS_UNKNOWN.en)} for {_numbers(unknown, 'en')}: "
                            "check before you go."})
    notes.extend(_booking_notes(it, [s["booking"] for s in stops]))
    if network is not None and network.step_free:
        notes.append({"zh": "步行路线避开台阶；各场馆内部的无障碍条件未收录，请事先询问。",
                      "en": "The walking route avoids steps; step-free access inside the "
                            "sites is not recorded: ask before you go."})
    if any(leg.estimated and leg.distance_m >= _NO_WALK_M for leg in it.legs):
        notes.append({"zh": "标有“估算”的步行时间按直线距离推算，实际可能更长。",
                      "en": "Walking times marked “estimated” come from straight-line "
                            "distances; the walk may take longer."})
    if any(leg.ride is not None for leg in it.legs):
        notes.append({"zh": "地铁乘车时间为估算（按两站间的直线距离、进出站和候车时间推算，"
                            "不是时刻表），请留出余地。",
                      "en": "Metro times are estimates (the straight-line distance between "
                            "the stations, the way to the platform and a wait; no timetable): "
                            "allow extra time."})
    if weekly:
        notes.append({"zh": f"步行时间按每小时 {it.speed_kmh:g} 公里计算。",
                      "en": f"Walking times are at {it.speed_kmh:g} km/h."})
    notes.append({"zh": "开放时间以各场馆当日公告为准，节假日可能调整。",
                  "en": "Sites change their hours for holidays and events: check before "
                        "you go."})
    return notes


def _booking_notes(it: Itinerary, bookings: list[str]) -> list[dict[str, str]]:
    required = [s.number for s, b in zip(it.stops, bookings, strict=True) if b == "required"]
    recommended = [s.number for s, b in zip(it.stops, bookings, strict=True)
                   if b == "recommended"]
    if not (required or recommended):
        return []
    zh, en = [], []
    if required:
        zh.append(f"{_numbers(required, 'zh')}须预约")
        en.append(f"{_numbers(required, 'en')}: booking required")
    if recommended:
        zh.append(f"{_numbers(recommended, 'zh')}建议预约")
        en.append(f"{_numbers(recommended, 'en')}: booking recommended")
    first = "; ".join(en)
    return [{"zh": "；".join(zh) + "。预约方式见各站说明。",
             "en": first[:1].upper() + first[1:] + ". How to book: see each stop."}]


# --------------------------------------------------------------------------- data


def _leg_words(leg: Leg | None, *, weekly: bool) -> dict[str, Any] | None:
    """The leg as the template prints it: the walk (time on foot, distance) and, for a leg
    that rides the metro, the ride's words (always estimated) and its short form."""
    if leg is None or (leg.distance_m < _NO_WALK_M and leg.ride is None):
        return None
    minutes = leg.walking_s / 60
    zh, en = _minutes(minutes)
    if round(minutes) < 1:  # next door: not "Walk 0 min"
        zh, en = "不到 1 分钟", "under 1 min"
    out: dict[str, Any] = {
        "walk_zh": f"步行 {zh}", "walk_en": f"Walk {en}",
        "distance": distance(leg.distance_m), "estimated": leg.estimated,
        "arrive": "" if weekly else f"{leg.arrive:%H:%M}",
        "depart": "" if weekly else f"{leg.depart:%H:%M}",
        "ride_zh": "", "ride_en": "", "ride_short_zh": "", "ride_short_en": ""}
    if leg.ride is not None:
        r = leg.ride
        words = ride_words(r)
        lines_zh = "、".join(_line_zh(x) for x in r.lines)
        lines_en = " then ".join(_line_en(x) for x in r.lines).replace("the ", "")
        out.update({
            "ride_zh": words.zh, "ride_en": words.en,
            "ride_short_zh": f"地铁 {lines_zh} 约 {r.minutes} 分钟",
            "ride_short_en": f"Metro {lines_en}, about {r.minutes} min"})
        if leg.distance_m < _NO_WALK_M:
            out["walk_zh"] = out["walk_en"] = out["distance"] = ""
    return out


def _stop_data(s: Stop, leg: Leg | None, hours: str | None, lm: Landmark | None, *,
               weekly: bool, ref: dt.date) -> dict[str, Any]:
    visit_zh, visit_en = _minutes(s.visit_minutes)
    if weekly:
        hours_zh, hours_en = weekly_hours(lm, ref)
        unknown = lm is None or lm.opening_hours is None
        closed = False
        span_zh, span_en = f"建议参观 {visit_zh}", f"Allow {visit_en}"
    else:
        hours_zh, hours_en = _hours_words(hours)
        unknown, closed = hours is None, hours == "closed"
        span_zh = f"参观 {visit_zh} {s.start:%H:%M}–{s.end:%H:%M}"
        span_en = f"Visit {visit_en}, {s.start:%H:%M}–{s.end:%H:%M}"
    # Booking, hours and text come from the catalogue used when it has the stop.
    booking = lm.booking if lm is not None else s.booking
    # Hours from an unofficial listing get a mark (and one note for all of them).
    confirmed = lm.hours_confirmed if lm is not None else s.hours_confirmed
    unconfirmed = not (unknown or confirmed)
    label = BOOKING.get(booking, BOOKING["none"])
    wait = 0 if weekly else round(s.wait_minutes)
    return {
        "number": s.number, "id": s.id,
        "name_zh": lm.name_zh if lm else s.name_zh, "name_en": lm.name_en if lm else s.name_en,
        "address_zh": lm.address_zh if lm else s.address_zh,
        "address_en": (lm.address_en or "") if lm else "",
        "time": "" if weekly else f"{s.arrival:%H:%M}",
        "visit_short_zh": visit_zh, "visit_short_en": visit_en,
        "span_zh": span_zh, "span_en": span_en,
        "wait_zh": f"等候开门 {wait} 分钟" if wait >= 1 else "",
        "wait_en": f"wait {wait} min for opening" if wait >= 1 else "",
        "hours_zh": hours_zh, "hours_en": hours_en, "closed": closed, "hours_unknown": unknown,
        "hours_unconfirmed": unconfirmed,
        "booking": booking, "booking_label_zh": label.zh, "booking_label_en": label.en,
        "booking_zh": ((lm.booking_note_zh if lm else s.booking_note_zh) or "").strip(),
        "booking_en": " ".join(((lm.booking_note_en if lm else s.booking_note_en)
                                or "").split()),
        "summary_zh": (lm.summary_zh if lm else s.summary_zh).strip(),
        "summary_en": " ".join((lm.summary_en if lm else s.summary_en).split()),
        "leg": _leg_words(leg, weekly=weekly),
    }


def _pause(it: Itinerary, after: int, *, weekly: bool) -> dict[str, str] | None:
    """The break after stop ``after`` (0: before the first stop), as the template shows it:
    a line of its own between two stops."""
    for b in it.breaks:
        if b.after_stop == after:
            words = break_words(b.kind, b.minutes)
            return {"time": "" if weekly else f"{b.start:%H:%M}", "zh": words.zh,
                    "en": words.en}
    return None


def _qr_svg(url: str) -> str:
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=1, border=2, xmldecl=False,
                                    dark="#000000", light="#ffffff")
    return out.getvalue().decode("utf-8")


def _when_words(it: Itinerary, when: dt.date, lms: dict[str, Landmark], *,
                weekly: bool) -> tuple[str, str]:
    """The cover's date line: the day of a dated leaflet, the days a season one suits."""
    if not weekly:
        zh, en = date_words(when)
        return zh, en
    known = [lm for s in it.stops if (lm := lms.get(s.id)) and lm.opening_hours is not None]
    if not known:
        return "各站开放时间不详，出发前请先确认", "Opening hours unknown: check before you go"
    days = open_weekdays(known, when)
    words = weekdays_words(days, full=True)
    if not days:
        return "各站没有共同的开放日，请分日前往", "No day has every stop open: split the walk"
    return f"适合参观：{words.zh}", f"Best on: {capitalise(words.en)}"


def leaflet_data(
    itinerary: Itinerary,
    *,
    format: str = "trifold",
    lang: str = "both",
    map_url: str | None = None,
    publisher: str | None = None,
    network: WalkNetwork | None = None,
    day: dt.date | None = None,
    catalogue: Catalogue | None = None,
    printed: dt.date | None = None,
    weekly: bool = False,
    theme: str | None = None,
    district: str | None = None,
    bleed: float | str | None = None,
    logo: str | Path | None = None,
    cover_image: str | Path | None = None,
) -> dict[str, Any]:
    """Everything the typst template shows, as JSON-ready data (see :func:`save_leaflet`).

    The logo and cover picture appear as ``/logo.EXT`` and ``/cover.EXT``: the files the
    typesetting puts beside the template (:func:`render_leaflet`).
    """
    check_leaflet_options(format=format, lang=lang)
    it = itinerary
    if not it.stops:
        msg = f"itinerary {it.title_en!r} has no stops: there is nothing to print"
        raise LeafletError(msg)
    url = _check_url(map_url)
    pub = _check_publisher(publisher)
    mm = _check_bleed(bleed)
    images = {"logo": _read_image(logo, "logo"), "cover": _read_image(cover_image,
                                                                      "cover-image")}
    when = day or it.date
    changed = when != it.date
    if catalogue is None:
        from redroute.catalogue import load_catalogue

        catalogue = load_catalogue()
    known = {lm.id for lm in catalogue}
    lms = {s.id: catalogue.get(s.id) for s in it.stops if s.id in known}
    # The day's hours come from the catalogue used whenever it has the stop.
    hours = [lms[s.id].hours_label(when) if s.id in lms else
             (None if changed else s.hours_today) for s in it.stops]
    # Leg k walks to stop k (from the start or stop k-1); a leg after the last stop ends
    # the walk.
    to_stop = {leg.destination: leg for leg in it.legs}
    stops = [{**_stop_data(s, to_stop.get(s.id), h, lms.get(s.id), weekly=weekly, ref=when),
              "pause_before": _pause(it, s.number - 1, weekly=weekly)}
             for s, h in zip(it.stops, hours, strict=True)]
    final = to_stop.get("end") if it.end is not None else None
    # The credit of the map's data, with the date of the network's OpenStreetMap data.
    credit = attribution_words(it.network_date or getattr(network, "data_date", None))
    date_zh, date_en = _when_words(it, when, lms, weekly=weekly)
    return {
        "format": format, "lang": lang, "weekly": weekly, "min_pt": MIN_PT,
        "title_zh": it.title_zh, "title_en": it.title_en,
        **_theme_and_district(it.stops, lms, theme, district),
        "date_zh": date_zh, "date_en": date_en,
        "date": when.isoformat(),
        "stats": _stats(it, weekly=weekly),
        "start": {"name_zh": it.start.name_zh, "name_en": it.start.name_en,
                  "time": "" if weekly else f"{it.departure:%H:%M}"},
        "end": None if it.end is None else {
            "name_zh": it.end.name_zh, "name_en": it.end.name_en,
            "time": "" if weekly else f"{it.finish:%H:%M}", "same": (it.end.lon, it.end.lat) == (
                it.start.lon, it.start.lat)},
        "final_leg": _leg_words(final, weekly=weekly),
        "final_pause": _pause(it, len(it.stops), weekly=weekly) if it.end is not None else None,
        "stops": stops,
        "estimated": any(leg.estimated and leg.distance_m >= _NO_WALK_M for leg in it.legs),
        "rides": any(leg.ride is not None for leg in it.legs),
        "notes": _notes(it, lms, when, hours, network, weekly=weekly, stops=stops),
        "also": _also(it, weekly=weekly),
        "map_url": _breakable(url) if url else None,
        "qr_svg": _qr_svg(url) if url else None,
        "publisher": pub,
        "printed": (printed or _today()).isoformat(),
        "attribution_zh": credit.zh, "attribution_en": credit.en,
        "bleed": mm,
        "logo": f"/logo.{images['logo'][0]}" if images["logo"] else None,
        "cover_image": f"/cover.{images['cover'][0]}" if images["cover"] else None,
        **_maps(it, format, lang, network),
    }


#: The reasons for leaving a candidate out that are worth telling on a dated leaflet.
_ALSO_REASONS = frozenset({"closed", "opens-too-late", "closes-before-arrival",
                           "last-entry-passed", "day-ends", "unknown-hours", "other-bank"})


def _also(it: Itinerary, *, weekly: bool) -> list[dict[str, str]]:
    """Candidates left out (not the unreachable ones), with the reason when it helps; a
    season leaflet gives no reason of one day."""
    out = []
    for e in it.excluded:
        if e.reason == "unreachable":
            continue
        tell = e.reason in _ALSO_REASONS and (not weekly or e.reason in ("other-bank",
                                                                           "unknown-hours"))
        zh, en = reason_words(e.reason) if tell else ("", "")
        out.append({"name_zh": e.name_zh, "name_en": e.name_en, "reason_zh": zh,
                    "reason_en": en})
    return out


def _today() -> dt.date:
    from zoneinfo import ZoneInfo

    from redroute import settings

    return dt.datetime.now(ZoneInfo(settings.timezone)).date()


def _stats(it: Itinerary, *, weekly: bool) -> dict[str, str]:
    walk_zh, walk_en = _minutes(it.walking_minutes)
    total_zh, total_en = _minutes(it.total_minutes)
    return {"stops": str(len(it.stops)), "distance": distance(it.distance_m),
            "walk_zh": walk_zh, "walk_en": walk_en, "total_zh": total_zh, "total_en": total_en,
            "departure": "" if weekly else f"{it.departure:%H:%M}",
            "finish": "" if weekly else f"{it.finish:%H:%M}"}


def _maps(it: Itinerary, format: str, lang: str,
          network: WalkNetwork | None) -> dict[str, Any]:
    from redroute.export.mapsvg import MapStyle, route_map_svg

    (w, h), (cw, ch) = MAP_SIZES[format]
    out: dict[str, Any] = {
        "map": {"svg": route_map_svg(it, width_mm=w, height_mm=h, network=network, lang=lang),
                "width": w, "height": h, "streets": network is not None
                and not network.estimated},
        "cover_map": None,
    }
    if cw and ch:
        out["cover_map"] = {"svg": route_map_svg(it, width_mm=cw, height_mm=ch, network=network,
                                                 lang=lang, style=MapStyle.small()),
                            "width": cw, "height": ch}
    if format == "a4":
        # A lower map, tried when it keeps a short walk on one page.
        out["map_compact"] = {**out["map"], "height": _A4_COMPACT_H, "svg": route_map_svg(
            it, width_mm=w, height_mm=_A4_COMPACT_H, network=network, lang=lang)}
    return out


# --------------------------------------------------------------------------- typesetting


def _typst_args(data: dict[str, Any], root: Path = TEMPLATES) -> dict[str, Any]:
    from redroute.export.fonts import FAMILY, cjk_font_path

    return {"root": str(root), "font_paths": [str(cjk_font_path().parent)],
            "ignore_system_fonts": True,
            "sys_inputs": {"data": json.dumps({**data, "font": FAMILY}, ensure_ascii=False)}}


def _run(call: str, itinerary: Itinerary, options: dict[str, Any], *args: Any,
         **kwargs: Any) -> bytes:
    """Typeset with the template; a logo or cover picture goes beside a copy of it."""
    data = leaflet_data(itinerary, **options)
    pictures = {"logo": (data["logo"], options.get("logo")),
                "cover": (data["cover_image"], options.get("cover_image"))}
    if not any(name for name, _ in pictures.values()):
        return typeset(call, str(TEMPLATES / "leaflet.typ"), *args, **kwargs,
                      **_typst_args(data))
    with tempfile.TemporaryDirectory(prefix="redroute-leaflet-") as tmp:
        root = Path(tmp)
        for template in TEMPLATES.glob("*.typ"):
            shutil.copyfile(template, root / template.name)
        for name, source in pictures.values():
            if name and source is not None:
                shutil.copyfile(source, root / name.lstrip("/"))
        try:
            return typeset(call, str(root / "leaflet.typ"), *args, **kwargs,
                          **_typst_args(data, root))
        except LeafletError as err:
            if "image" not in str(err).lower():
                raise
            given = ", ".join(str(p) for n, p in pictures.values() if n)
            detail = str(err).removeprefix("typesetting the leaflet failed: ")
            msg = (f"无法使用图片 {given}：文件已损坏或格式无法读取 / cannot use the picture "
                   f"{given}: {detail}")
            raise LeafletError(msg) from err


def render_leaflet(itinerary: Itinerary, **options: Any) -> bytes:
    """The leaflet as PDF bytes (PDF/A-2b); ``options`` are those of :func:`save_leaflet`."""
    try:
        pdf = _run("compile", itinerary, options, format="pdf", pdf_standards=PDF_STANDARD)
    except LeafletError as err:
        # PDF/A refuses a character the font cannot draw (an emoji in a catalogue name):
        # the leaflet is still made, as plain PDF, and the reason told.
        if "PDF/A" not in str(err):
            raise
        import warnings

        from redroute._errors import RedrouteWarning

        reason = str(err).split("PDF/A-2b error: ", 1)[-1]
        warnings.warn(f"折页不符合 PDF/A：{reason} / the leaflet is plain PDF, not PDF/A: "
                      f"{reason}", RedrouteWarning, stacklevel=2)
        pdf = _run("compile", itinerary, options, format="pdf")
    if not pdf.startswith(b"%PDF"):
        msg = "typesetting the leaflet gave no PDF"
        raise LeafletError(msg)
    return pdf


def leaflet_layout(itinerary: Itinerary, **options: Any) -> dict[str, Any]:
    """How the template lays the leaflet out, without writing it.

    Returns a dict with ``format``, ``pages`` (sheets of a trifold's insert count too),
    ``factor`` (1, or the denser setting needed to fit), ``fits`` (always True: more
    pages are added until everything fits) and ``slots`` (the number of pieces in each
    column of stops).
    """
    found = _run("query", itinerary, options, "<fit>", field="value", one=True)
    return dict(json.loads(found))


def save_leaflet(
    itinerary: Itinerary,
    path: str | Path,
    *,
    format: str = "trifold",
    lang: str = "both",
    map_url: str | None = None,
    publisher: str | None = None,
    network: WalkNetwork | None = None,
    day: dt.date | None = None,
    catalogue: Catalogue | None = None,
    weekly: bool = False,
    theme: str | None = None,
    district: str | None = None,
    bleed: float | str | None = None,
    logo: str | Path | None = None,
    cover_image: str | Path | None = None,
) -> Path:
    """Write a printable leaflet of ``itinerary`` to ``path`` (PDF/A-2b, written atomically).

    Parameters
    ----------
    itinerary
        The walk (from :func:`~redroute.plan.plan_itinerary` or
        :func:`~redroute.itinerary.load_itinerary`).
    path
        The PDF file to write; its folder must exist.
    format
        ``trifold`` (A4 landscape, 2 pages: outside and inside of a folded sheet, plus
        insert pages when the stops need them) or ``a4`` (A4 portrait, as many pages as
        needed).
    lang
        ``zh``, ``en`` or ``both`` (Chinese and English side by side).
    map_url
        The online map of the route: printed as a QR code and as text.
    publisher
        Who hands it out, e.g. ``"徐汇区文化和旅游局"``.
    network
        The walking network around the route, for the streets of the map; without it the map
        shows the route and the stops only.
    day
        The day the leaflet is for: opening hours are those of that day (default: the
        itinerary's date); for a ``weekly`` leaflet, the season it starts.
    catalogue
        Where the stops' hours, booking rules, themes and districts are looked up (default:
        the shipped catalogue).
    weekly
        A season leaflet: regular weekly hours and walking times, no clock times.
    theme, district
        The route's theme and district (slugs) for the cover; default: the theme every stop
        shares and the districts of the stops.
    bleed
        Millimetres of bleed (0 to :data:`BLEED_MAX`): the pages grow by it and a slug
        with crop marks, for a print shop. ``None`` or 0: home-printable A4.
    logo, cover_image
        A PNG or SVG logo for the cover; a PNG, JPEG or SVG picture for it.

    Returns
    -------
    Path
        ``path``.
    """
    pdf = render_leaflet(itinerary, format=format, lang=lang, map_url=map_url,
                         publisher=publisher, network=network, day=day, catalogue=catalogue,
                         weekly=weekly, theme=theme, district=district, bleed=bleed, logo=logo,
                         cover_image=cover_image)
    return write_bytes_atomic(Path(path), pdf)

