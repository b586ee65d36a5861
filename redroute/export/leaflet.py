"""A printable bilingual leaflet of a walk (红色宣传折页), as PDF, typeset with typst.

Two formats:

- ``trifold``: A4 landscape, two pages (the two sides of the sheet), three panels a side.
  Page 1 is the outside (inner flap | back | cover), page 2 the inside (route map | stops |
  stops). The inner flap is 3 mm narrower so that it folds in; fold marks are printed.
- ``a4``: A4 portrait, one page when everything fits, else two.

Everything the catalogue or the user supplies (titles, names, summaries, addresses, the
publisher, street names) travels to typst as JSON data through ``sys.inputs`` and is shown
as strings, never pasted into markup, so it cannot inject typst code. The only font is Noto
Sans CJK SC from PyPI (Regular: emphasis is by size and colour), embedded and subset.
Summaries and booking notes that would overflow their panel are shortened, with an
ellipsis, by the template itself: it measures each stop at decreasing levels of detail and
keeps the most detailed one that fits.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redroute._errors import LeafletError
from redroute._io import write_bytes_atomic
from redroute.vocabulary import BOOKING, DISTRICTS, THEMES
from redroute.wording import (
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
    "FORMATS",
    "LANGS",
    "MAX_STOPS",
    "PUBLISHER_MAX",
    "LeafletError",
    "check_leaflet_options",
    "leaflet_data",
    "leaflet_layout",
    "render_leaflet",
    "save_leaflet",
]

FORMATS = ("trifold", "a4")
#: More stops than this do not fit a leaflet legibly.
MAX_STOPS = 15
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Size of the route map and of the cover's thumbnail on the page, per format (mm).
MAP_SIZES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "trifold": ((88.0, 138.0), (86.0, 84.0)),
    "a4": ((112.0, 118.0), (0.0, 0.0)),
}
#: Levels of detail the template tries, most detailed first: character limits of
#: (summary zh, summary en, booking note zh, booking note en); None keeps it whole, 0 drops it.
LEVELS: tuple[tuple[int | None, int | None, int | None, int | None], ...] = (
    (None, None, None, None),
    (96, 250, None, None),
    (80, 210, 56, 150),
    (64, 170, 40, 110),
    (48, 130, 28, 80),
    (32, 90, 0, 0),
    (0, 0, 0, 0),
)
#: Categories whose sites are old houses: stairs inside, little step-free access.
OLD_BUILDINGS = frozenset({"former-residence", "former-office", "publishing-site", "school",
                           "congress-site"})



# --------------------------------------------------------------------------- wording


def _minutes(minutes: float) -> tuple[str, str]:
    return duration(minutes, "zh"), duration(minutes, "en")


def _numbers(numbers: list[int], lang: str) -> str:
    if lang == "zh":
        return "第 " + "、".join(map(str, numbers)) + " 站"
    word = "stop" if len(numbers) == 1 else "stops"
    return f"{word} " + ", ".join(map(str, numbers))


def _cut_zh(text: str, limit: int | None) -> str:
    """Shorten Chinese text to ``limit`` characters: at a sentence end if one is near the
    limit (no ellipsis needed), else at a comma or anywhere, ending with ……"""
    text = text.strip()
    if limit is None or len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    head = text[:limit]
    ends = [i for i, ch in enumerate(head) if ch in "。！？"]
    if ends and ends[-1] + 1 >= limit * 0.6:
        return head[: ends[-1] + 1]
    commas = [i for i, ch in enumerate(head[:-2]) if ch in "，；、："]
    if commas and commas[-1] >= limit * 0.6:
        return head[: commas[-1]] + "……"
    return head[:-2].rstrip("，；、：（《“") + "……"


def _cut_en(text: str, limit: int | None) -> str:
    """Shorten English text to ``limit`` characters at a sentence or word end, with …"""
    text = " ".join(text.split())
    if limit is None or len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    head = text[: limit + 1]
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)", head)]
    if ends and ends[-1] >= limit * 0.6:
        return head[: ends[-1]]
    cut = head[:limit - 1].rsplit(" ", 1)[0] if " " in head[:limit - 1] else head[:limit - 1]
    return cut.rstrip(",;:-–(\"'") + "…"


def _breakable(url: str) -> str:
    """A URL with zero-width spaces after its separators, so that it wraps in a panel."""
    return re.sub(r"([/?&=.#_-])", "\\1\u200b", url)


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


def _theme_and_district(stops: list[Stop], lms: dict[str, Landmark]) -> dict[str, str]:
    themes: Counter[str] = Counter()
    districts: Counter[str] = Counter()
    for s in stops:
        lm = lms.get(s.id)
        if lm is not None:
            for k, theme in enumerate(lm.themes):
                themes[theme] += 3 if k == 0 else 1
            districts[lm.district] += 1
        else:
            for slug, label in DISTRICTS.items():
                if s.address_zh.startswith(label.zh):
                    districts[slug] += 1
    names = [DISTRICTS[k] for k, _ in districts.most_common(3) if k in DISTRICTS]
    out = {"theme_zh": "", "theme_en": "", "district_zh": "", "district_en": ""}
    top = THEMES.get(themes.most_common(1)[0][0]) if themes else None
    if top is not None:
        out["theme_zh"], out["theme_en"] = top.zh, top.en
    if names:
        out["district_zh"] = "、".join(n.zh for n in names)
        out["district_en"] = ", ".join(n.en for n in names) + (
            " District" if len(names) == 1 else " Districts")
    return out


def _notes(it: Itinerary, lms: dict[str, Landmark], day: dt.date, hours: list[str | None],
           network: WalkNetwork | None) -> list[dict[str, str]]:
    """Practical notes in both languages, derived from the stops."""
    notes: list[dict[str, str]] = []
    shut_today = [s.number for s, h in zip(it.stops, hours, strict=True) if h == "closed"]
    if shut_today:
        m, d = day.month, day.day
        notes.append({
            "zh": f"注意：{m}月{d}日{_numbers(shut_today, 'zh')}闭馆，请改日前往或跳过。",
            "en": f"Note: {_numbers(shut_today, 'en').capitalize()} "
                  f"{'is' if len(shut_today) == 1 else 'are'} closed on "
                  f"{d} {MONTHS_EN[m - 1]}: go another day or skip "
                  f"{'it' if len(shut_today) == 1 else 'them'}.",
            "alert": "yes",
        })
    by_days: dict[tuple[int, ...], list[int]] = {}
    unknown: list[int] = []
    for s, today in zip(it.stops, hours, strict=True):
        lm = lms.get(s.id)
        days = _closed_weekdays(lm, day) if lm is not None else None
        # A stop the catalogue lacks but whose hours the itinerary knows (a file planned with
        # another catalogue) has known hours that day, only no weekly pattern to print.
        if days is None and (lm is not None or today is None):
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
    notes.extend(_booking_notes(it))
    notes.extend(_access_notes(it, lms, network))
    if any(leg.estimated for leg in it.legs):
        notes.append({"zh": "标有“估算”的步行时间按直线距离推算，实际可能更长。",
                      "en": "Walking times marked “estimated” come from straight-line "
                            "distances; the walk may take longer."})
    notes.append({"zh": "开放时间以各场馆当日公告为准，节假日可能调整。",
                  "en": "Sites change their hours for holidays and events: check before "
                        "you go."})
    return notes


def _booking_notes(it: Itinerary) -> list[dict[str, str]]:
    required = [s.number for s in it.stops if s.booking == "required"]
    recommended = [s.number for s in it.stops if s.booking == "recommended"]
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
    return [{"zh": "；".join(zh) + "。预约和入馆须凭身份证件（境外游客凭护照），并接受安检。",
             "en": first[:1].upper() + first[1:] + ". Booking and entry need an ID card "
                   "(a passport for overseas visitors); expect a security check."}]


def _access_notes(it: Itinerary, lms: dict[str, Landmark],
                  network: WalkNetwork | None) -> list[dict[str, str]]:
    old = [s.number for s in it.stops
           if (lm := lms.get(s.id)) is not None and lm.category in OLD_BUILDINGS]
    notes = []
    if network is not None and network.step_free:
        notes.append({"zh": "本路线避开台阶，适合轮椅和婴儿车。",
                      "en": "The route avoids steps: suitable for wheelchairs and prams."})
    if old:
        notes.append({"zh": f"{_numbers(old, 'zh')}为老式里弄或石库门建筑，室内多有楼梯，"
                            "无障碍设施有限。",
                      "en": f"{_numbers(old, 'en').capitalize()} "
                            f"{'is an old lane house' if len(old) == 1 else 'are old lane houses'}"
                            ": stairs inside, little step-free access."})
    return notes


# --------------------------------------------------------------------------- data


def _leg_words(leg: Leg | None) -> dict[str, Any] | None:
    if leg is None:
        return None
    zh, en = _minutes(leg.duration_s / 60)
    return {"walk_zh": f"步行 {zh}", "walk_en": f"Walk {en}",
            "distance": distance(leg.distance_m), "estimated": leg.estimated,
            "arrive": f"{leg.arrive:%H:%M}", "depart": f"{leg.depart:%H:%M}"}


def _stop_data(s: Stop, leg: Leg | None, hours: str | None, lm: Landmark | None,
               changed_day: bool) -> dict[str, Any]:
    visit_zh, visit_en = _minutes(s.visit_minutes)
    hours_zh, hours_en = _hours_words(hours)
    booking = BOOKING.get(s.booking, BOOKING["none"])
    levels = [{"summary_zh": _cut_zh(s.summary_zh, a), "summary_en": _cut_en(s.summary_en, b),
               "booking_zh": _cut_zh(s.booking_note_zh or "", c),
               "booking_en": _cut_en(s.booking_note_en or "", d)} for a, b, c, d in LEVELS]
    wait = round(s.wait_minutes)
    return {
        "number": s.number, "id": s.id, "name_zh": s.name_zh, "name_en": s.name_en,
        "address_zh": s.address_zh, "address_en": (lm.address_en or "") if lm else "",
        "arrival": f"{s.arrival:%H:%M}", "start": f"{s.start:%H:%M}", "end": f"{s.end:%H:%M}",
        "visit_zh": f"参观 {visit_zh}", "visit_en": f"Visit {visit_en}",
        "wait_zh": f"等候开门 {wait} 分钟" if wait >= 1 else "",
        "wait_en": f"wait {wait} min for opening" if wait >= 1 else "",
        "hours_zh": hours_zh, "hours_en": hours_en, "closed": hours == "closed",
        "hours_unknown": hours is None, "changed_day": changed_day,
        "booking": s.booking, "booking_label_zh": booking.zh, "booking_label_en": booking.en,
        "levels": levels, "leg": _leg_words(leg),
    }


def _pause(it: Itinerary, after: int) -> dict[str, str] | None:
    """The break after stop ``after`` (0: before the first stop), as the template shows it:
    a line of its own between two stops."""
    for b in it.breaks:
        if b.after_stop == after:
            words = break_words(b.kind, b.minutes)
            return {"time": f"{b.start:%H:%M}", "zh": words.zh, "en": words.en}
    return None


def _qr_svg(url: str) -> str:
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=1, border=2, xmldecl=False,
                                    dark="#000000", light="#ffffff")
    return out.getvalue().decode("utf-8")


#: The longest publisher line that fits the leaflet's publisher line.
PUBLISHER_MAX = 80


def check_leaflet_options(*, map_url: str | None = None, publisher: str | None = None,
                          format: str = "trifold", lang: str = "both") -> None:
    """Check a leaflet's options before any work (a plan takes seconds; a bad URL is
    found at once).

    Raises
    ------
    LeafletError
        A format or language the leaflet does not know, a map URL that is not http(s), or a
        publisher line longer than :data:`PUBLISHER_MAX` characters.
    """
    if format not in FORMATS:
        msg = f"leaflet format {format!r} is not one of {', '.join(FORMATS)}"
        raise LeafletError(msg)
    check_lang(lang, what="leaflet language", error=LeafletError)
    _check_url(map_url)
    _check_publisher(publisher)


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
) -> dict[str, Any]:
    """Everything the typst template shows, as JSON-ready data (see :func:`save_leaflet`)."""
    if format not in FORMATS:
        msg = f"leaflet format {format!r} is not one of {', '.join(FORMATS)}"
        raise LeafletError(msg)
    check_lang(lang, what="leaflet language", error=LeafletError)
    it = itinerary
    if not it.stops:
        msg = f"itinerary {it.title_en!r} has no stops: there is nothing to print"
        raise LeafletError(msg)
    if len(it.stops) > MAX_STOPS:
        msg = (f"itinerary {it.title_en!r} has {len(it.stops)} stops; a leaflet holds at most "
               f"{MAX_STOPS}: split the walk")
        raise LeafletError(msg)
    url = _check_url(map_url)
    pub = _check_publisher(publisher)
    when = day or it.date
    changed = when != it.date
    if catalogue is None:
        from redroute.catalogue import load_catalogue

        catalogue = load_catalogue()
    known = {lm.id for lm in catalogue}
    lms = {s.id: catalogue.get(s.id) for s in it.stops if s.id in known}
    hours = [(lms[s.id].hours_label(when) if s.id in lms else None) if changed
             else s.hours_today for s in it.stops]
    # Leg k walks to stop k (from the start or stop k-1); a leg after the last stop ends
    # the walk.
    to_stop = {leg.destination: leg for leg in it.legs}
    stops = [{**_stop_data(s, to_stop.get(s.id), h, lms.get(s.id), changed),
              "pause_before": _pause(it, s.number - 1)}
             for s, h in zip(it.stops, hours, strict=True)]
    final = to_stop.get("end") if it.end is not None else None
    # The credit of the map's data, with the date of the network's OpenStreetMap data.
    credit = attribution_words(it.network_date or getattr(network, "data_date", None))
    return {
        "format": format, "lang": lang,
        "title_zh": it.title_zh, "title_en": it.title_en,
        **_theme_and_district(it.stops, lms),
        **dict(zip(("date_zh", "date_en"), date_words(when), strict=True)),
        "date": when.isoformat(),
        "stats": _stats(it),
        "start": {"name_zh": it.start.name_zh, "name_en": it.start.name_en,
                  "time": f"{it.departure:%H:%M}"},
        "end": None if it.end is None else {
            "name_zh": it.end.name_zh, "name_en": it.end.name_en,
            "time": f"{it.finish:%H:%M}", "same": (it.end.lon, it.end.lat) == (
                it.start.lon, it.start.lat)},
        "final_leg": _leg_words(final),
        "final_pause": _pause(it, len(it.stops)) if it.end is not None else None,
        "stops": stops,
        "estimated": it.estimated or any(leg.estimated for leg in it.legs),
        "notes": _notes(it, lms, when, hours, network),
        "also": _also(it),
        "map_url": _breakable(url) if url else None,
        "qr_svg": _qr_svg(url) if url else None,
        "publisher": pub,
        "printed": (printed or _today()).isoformat(),
        "attribution_zh": credit.zh, "attribution_en": credit.en,
        **_maps(it, format, lang, network),
    }


#: The reasons for leaving a candidate out that are worth telling on the leaflet.
_ALSO_REASONS = frozenset({"closed", "opens-too-late", "closes-before-arrival",
                           "last-entry-passed", "day-ends", "unknown-hours", "other-bank"})


def _also(it: Itinerary) -> list[dict[str, str]]:
    """Candidates left out (not the unreachable ones), with the reason when it helps."""
    out = []
    for e in it.excluded:
        if e.reason == "unreachable":
            continue
        zh, en = reason_words(e.reason) if e.reason in _ALSO_REASONS else ("", "")
        out.append({"name_zh": e.name_zh, "name_en": e.name_en, "reason_zh": zh,
                    "reason_en": en})
    return out[:6]


def _today() -> dt.date:
    from zoneinfo import ZoneInfo

    from redroute import settings

    return dt.datetime.now(ZoneInfo(settings.timezone)).date()


def _stats(it: Itinerary) -> dict[str, str]:
    walk_zh, walk_en = _minutes(it.walking_minutes)
    total_zh, total_en = _minutes(it.total_minutes)
    return {"stops": str(len(it.stops)), "distance": distance(it.distance_m),
            "walk_zh": walk_zh, "walk_en": walk_en, "total_zh": total_zh, "total_en": total_en,
            "departure": f"{it.departure:%H:%M}", "finish": f"{it.finish:%H:%M}"}


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
    return out


# --------------------------------------------------------------------------- typesetting


def _typst_args(data: dict[str, Any]) -> dict[str, Any]:
    from redroute.export.fonts import FAMILY, cjk_font_path

    return {"root": str(TEMPLATES), "font_paths": [str(cjk_font_path().parent)],
            "ignore_system_fonts": True,
            "sys_inputs": {"data": json.dumps({**data, "font": FAMILY}, ensure_ascii=False)}}


#: The process that started typst's worker threads. typst (its Rust thread pool) cannot run
#: in a process forked from that one: the fork has the pool's bookkeeping but not its
#: threads, and the first compilation waits for them forever. There typst runs in a fresh
#: interpreter instead.
_TYPST_OWNER: dict[str, int] = {}

_WORKER = """
import json, sys, typst
req = json.loads(sys.stdin.buffer.read())
try:
    out = getattr(typst, req["call"])(*req["args"], **req["kwargs"])
except typst.TypstError as err:
    sys.stderr.write(err.message)
    sys.exit(3)
sys.stdout.buffer.write(out if isinstance(out, bytes) else out.encode("utf-8"))
"""


def _typst(call: str, *args: Any, **kwargs: Any) -> bytes:
    """``typst.compile`` or ``typst.query``, as bytes; in a forked child, in a subprocess."""
    import typst

    owner = _TYPST_OWNER.setdefault("pid", os.getpid())
    if owner == os.getpid():
        try:
            out = getattr(typst, call)(*args, **kwargs)
        except typst.TypstError as err:
            msg = f"typesetting the leaflet failed: {err.message}"
            raise LeafletError(msg) from err
        return out if isinstance(out, bytes) else str(out).encode("utf-8")
    import subprocess
    import sys

    request = json.dumps({"call": call, "args": args, "kwargs": kwargs}).encode("utf-8")
    done = subprocess.run([sys.executable, "-c", _WORKER], input=request, capture_output=True,
                          check=False)
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        msg = f"typesetting the leaflet failed: {detail[-1] if detail else done.returncode}"
        raise LeafletError(msg)
    return done.stdout


def render_leaflet(itinerary: Itinerary, **options: Any) -> bytes:
    """The leaflet as PDF bytes; ``options`` are those of :func:`save_leaflet`."""
    args = _typst_args(leaflet_data(itinerary, **options))
    pdf = _typst("compile", str(TEMPLATES / "leaflet.typ"), format="pdf", **args)
    if not pdf.startswith(b"%PDF"):
        msg = "typesetting the leaflet gave no PDF"
        raise LeafletError(msg)
    return pdf


def leaflet_layout(itinerary: Itinerary, **options: Any) -> dict[str, Any]:
    """How the template lays the leaflet out, without writing it.

    Returns a dict with ``format``, ``pages``, ``levels`` (per stop: 0 = summary and booking
    note whole; higher = shortened, see :data:`LEVELS`), ``factor`` (1, or the smaller type
    size needed to fit), ``fits`` (False only when even the shortest texts overflow) and
    ``slots`` (the number of pieces in each column of stops).
    """
    args = _typst_args(leaflet_data(itinerary, **options))
    found = _typst("query", str(TEMPLATES / "leaflet.typ"), "<fit>", field="value", one=True,
                   **args)
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
) -> Path:
    """Write a printable leaflet of ``itinerary`` to ``path`` (PDF, written atomically).

    Parameters
    ----------
    itinerary
        The walk (from :func:`~redroute.plan.plan_itinerary` or
        :func:`~redroute.itinerary.load_itinerary`).
    path
        The PDF file to write; its folder must exist.
    format
        ``trifold`` (A4 landscape, 2 pages: outside and inside of a folded sheet) or ``a4``
        (A4 portrait, 1 or 2 pages).
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
        itinerary's date).
    catalogue
        Where the stops' themes, districts and weekly closing days are looked up (default:
        the shipped catalogue).

    Returns
    -------
    Path
        ``path``.
    """
    pdf = render_leaflet(itinerary, format=format, lang=lang, map_url=map_url,
                         publisher=publisher, network=network, day=day, catalogue=catalogue)
    return write_bytes_atomic(Path(path), pdf)
