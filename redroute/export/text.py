"""The terminal schedule of an itinerary: plain text in Chinese, English or both.

``redroute plan`` prints it; a library user gets it with :func:`schedule_text`. The
wording (durations, distances, hours, reasons, the OpenStreetMap credit) comes from
:mod:`redroute.wording`, as in every other output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from redroute.transit import ride_words
from redroute.vocabulary import BOOKING
from redroute.wording import (
    HOURS_UNCONFIRMED,
    attribution,
    break_words,
    capitalise,
    check_lang,
    date_words,
    distance,
    duration,
    hours_words,
    pick,
    plural,
    printable,
    reason_words,
    start_moved_words,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from redroute.itinerary import Break, Excluded, Itinerary, Leg, Stop
    from redroute.trip import Trip

__all__ = ["schedule_text", "trip_text"]

_INDENT = " " * 11
#: A stop left out whose visit adds less walk than this is "right by the route".
_ON_THE_ROUTE_M = 100.0


def _leg_line(leg: Leg, lang: str) -> str:
    if leg.ride is not None:
        walk_min = leg.walking_s / 60
        ride = pick(*ride_words(leg.ride), lang)
        on_foot = pick(f"另步行 {duration(walk_min, 'zh')}，{distance(leg.distance_m)}",
                       f"plus {duration(walk_min, 'en')} on foot, "
                       f"{distance(leg.distance_m)}", lang)
        return f"         ↓ {ride}; {on_foot}"
    minutes = leg.duration_s / 60
    walk = pick(f"步行 {duration(minutes, 'zh')}", f"walk {duration(minutes, 'en')}", lang)
    est = pick("（估算）", "(estimated)", lang, " ") if leg.estimated else ""
    return f"         ↓ {walk}, {distance(leg.distance_m)} {est}".rstrip()


def _totals(it: Itinerary, lang: str) -> str:
    n, far = len(it.stops), distance(it.distance_m)
    pause = sum(b.minutes for b in it.breaks)
    zh_pause = f"，含午餐 {duration(pause, 'zh')}" if pause else ""
    en_pause = f", with a {duration(pause, 'en')} lunch break" if pause else ""
    return pick(
        f"共 {n} 站，步行 {far}，全程 {duration(it.total_minutes, 'zh')}"
        f"（{it.speed_kmh:g} 公里/小时{zh_pause}）",
        f"{plural(n, 'stop')}, {far} on foot, {duration(it.total_minutes, 'en')} in all "
        f"({it.speed_kmh:g} km/h{en_pause})", lang, "\n")


def _break_lines(it: Itinerary, after: int, lang: str) -> list[str]:
    """The breaks after stop ``after`` (0: before the first stop)."""
    pauses: list[Break] = [b for b in it.breaks if b.after_stop == after]
    return [f"{b.start:%H:%M}  " + pick(*break_words(b.kind, b.minutes), lang) for b in pauses]


def _stop_lines(it: Itinerary, lang: str) -> list[str]:
    lines = _break_lines(it, 0, lang)
    legs = list(it.legs)
    for i, stop in enumerate(it.stops):
        if i < len(legs) and legs[i].distance_m >= 1:  # no line for "walk 0 m"
            lines.append(_leg_line(legs[i], lang))
        visit = f"{stop.start:%H:%M}–{stop.end:%H:%M}"
        lines.append(f"{stop.arrival:%H:%M}  {stop.number:>2}. "
                     + pick(stop.name_zh, stop.name_en, lang, "  "))
        detail = [pick(f"参观 {visit}", f"visit {visit}", lang)]
        if stop.wait_minutes >= 1:
            wait = round(stop.wait_minutes)
            detail.append(pick(f"等候开门 {wait} 分钟", f"wait {wait} min for opening", lang))
        detail.append(pick(*hours_words(stop.hours_today), lang))
        lines.append(_INDENT + " · ".join(detail))
        if not stop.hours_confirmed:
            lines.append(_INDENT + pick(*HOURS_UNCONFIRMED, lang))
        lines.append(_INDENT + stop.address_zh)
        if stop.booking != "none" and stop.booking in BOOKING:
            b = BOOKING[stop.booking]
            note = pick(stop.booking_note_zh or "", stop.booking_note_en or "", lang, " ")
            lines.append(_INDENT + pick(b.zh, b.en, lang) + f": {note}".rstrip())
        lines += _break_lines(it, stop.number, lang)
    return lines


def _core_lines(it: Itinerary, lang: str) -> list[str]:
    """A line for each stop the route promises that this plan cannot keep, with why."""
    out = []
    for e in it.excluded:
        if e.core:
            out.append(pick(f"注意：本路线承诺的「{printable(e.name_zh)}」未能安排：{e.reason_zh}",
                            f"Note: {printable(e.name_en)}, promised by this route, is left "
                            f"out: {e.reason_en}", lang))
    return out


def _holiday_lines(it: Itinerary, lang: str) -> list[str]:
    """``2027-10-04 国庆节 / National Day holiday``, on a public holiday."""
    if not (it.holiday_zh and it.holiday_en):
        return []
    return [f"{it.date:%Y-%m-%d} " + pick(it.holiday_zh, it.holiday_en, lang)]


def _estimated_line(it: Itinerary, lang: str) -> str:
    """How many legs are estimated (no street data)."""
    legs = [leg for leg in it.legs if leg.distance_m >= 1]
    n, k = len(legs), sum(1 for leg in legs if leg.estimated)
    return pick(f"注意：部分步行距离为估算值（无街道数据：{n} 段中 {k} 段）",
                f"Note: some walking distances are estimated (no street data: {k} of "
                f"{plural(n, 'leg')})", lang, "\n")


def _left_out_lines(it: Itinerary, lang: str) -> list[str]:
    """The stops left out, grouped under one heading per reason (in order of first
    appearance), each with what was kept instead or how far off the route it is."""
    return _excluded_lines(it.excluded, it.stops, lang)


def _excluded_lines(excluded: Sequence[Excluded], stops: Sequence[Stop],
                    lang: str) -> list[str]:
    groups: dict[str, list[Excluded]] = {}
    for e in excluded:
        groups.setdefault(e.reason, []).append(e)
    names = {s.id: (s.name_zh, s.name_en) for s in stops}
    lines = []
    for reason, items in groups.items():
        why = reason_words(reason)
        lines.append("  " + pick(f"{why.zh}：", f"{capitalise(why.en)}:", lang))
        for e in items:
            zh, en = _why_more(e, names)
            lines.append("    - " + pick(e.name_zh + (f"：{zh}" if zh else ""),
                                         e.name_en + (f": {en}" if en else ""), lang))
    return lines


def _why_more(e: Excluded, names: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """What a reason leaves unsaid: the stops kept instead, the detour (Chinese, English)."""
    zh: list[str] = []
    en: list[str] = []
    if e.reason == "lower-score":
        kept = [names[i] for i in e.instead if i in names]
        if kept:
            zh.append("附近已安排更重要的" + "、".join(k[0] for k in kept))
            en.append("kept nearby instead: " + ", ".join(k[1] for k in kept))
        else:
            zh.append("已安排的地点在有限时间内更值得参观")
            en.append("the stops kept are worth more in the time available")
    if e.detour_m is not None and e.reason in ("lower-score", "distance", "detour"):
        if e.detour_m < _ON_THE_ROUTE_M:
            zh.append("就在路线旁")
            en.append("right by the route")
        else:
            far = distance(e.detour_m)
            zh.append(f"偏离路线 {far}")
            en.append(f"{far} off the route")
    return "；".join(zh), "; ".join(en)


def schedule_text(itinerary: Itinerary, *, lang: str = "both") -> str:
    """The schedule of a walk as lines of text for a terminal.

    Parameters
    ----------
    itinerary
        The walk.
    lang
        ``zh``, ``en`` or ``both`` (Chinese and English side by side).

    Returns
    -------
    str
        The title and date, the totals, each stop with the walk before it, the end, the
        stops left out and why, and the OpenStreetMap credit; no final newline.

    Raises
    ------
    ValueError
        ``lang`` is not one of ``zh``, ``en``, ``both``.
    """
    check_lang(lang, what="schedule language")
    it = itinerary
    lines = [pick(it.title_zh, it.title_en, lang), pick(*date_words(it.date, style="iso"), lang),
             _totals(it, lang)]
    lines += _core_lines(it, lang)
    if it.start_moved:
        lines.append(pick(*start_moved_words(f"{it.departure:%H:%M}"), lang))
    lines += _holiday_lines(it, lang)
    if it.estimated:
        lines.append(_estimated_line(it, lang))
    lines.append("")
    lines.append(f"{it.departure:%H:%M}  " + pick(f"出发 {it.start.name_zh}",
                                                  f"Start: {it.start.name_en}", lang))
    lines += _stop_lines(it, lang)
    legs = list(it.legs)
    if it.end is not None and len(legs) > len(it.stops):
        if legs[-1].distance_m >= 1:
            lines.append(_leg_line(legs[-1], lang))
        lines.append(f"{it.finish:%H:%M}  " + pick(f"到达终点 {it.end.name_zh}",
                                                   f"End: {it.end.name_en}", lang))
    else:
        lines.append(f"{it.finish:%H:%M}  " + pick("行程结束", "End of the walk", lang))
    if it.excluded:
        lines.append("")
        lines.append(pick("未安排的地点：", "Left out:", lang))
        lines += _left_out_lines(it, lang)
    lines.append("")
    lines.append(attribution(lang, data_date=it.network_date))
    # Names and notes come from a catalogue or an itinerary file: never raw escapes.
    return printable("\n".join(lines), newlines=True)


def trip_text(trip: Trip, *, lang: str = "both") -> str:
    """A trip of several days as text: a heading, each day's schedule (or why it has
    none), and the candidates no day could take, once."""
    check_lang(lang, what="schedule language")
    n = len(trip.dates)
    stops = [s for p in trip.days if p is not None for s in p.itinerary.stops]
    walked = sum(p.itinerary.distance_m for p in trip.days if p is not None)
    lines = [pick(f"{n} 天行程：共 {len(stops)} 站，步行 {distance(walked)}，没有重复的地点",
                  f"A trip of {n} days: {plural(len(stops), 'stop')}, {distance(walked)} on "
                  "foot, no site twice", lang, "\n")]
    for k, (day, plan) in enumerate(zip(trip.dates, trip.days, strict=True), start=1):
        zh, en = date_words(day, style="iso")
        lines += ["", "=" * 60, pick(f"第 {k} 天 · {zh}", f"Day {k} · {en}", lang), ""]
        if plan is None:
            lines.append(pick("这一天没有可以安排的地点（多处当天闭馆或开放时间不详）",
                              "No stop fits this day (many sites are closed that day or "
                              "their hours are unknown)", lang))
        else:
            lines.append(schedule_text(plan.itinerary, lang=lang))
    if trip.excluded:
        lines += ["", "=" * 60, pick("整个行程未安排的地点：", "Left out of every day:", lang)]
        lines += _excluded_lines(trip.excluded, stops, lang)
    return printable("\n".join(lines), newlines=True)
