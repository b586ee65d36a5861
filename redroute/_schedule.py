"""The terminal schedule of an itinerary, in Chinese, English or both."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redroute.vocabulary import BOOKING

if TYPE_CHECKING:
    from redroute.itinerary import Itinerary, Leg

WEEKDAYS_ZH = "一二三四五六日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _duration(minutes: float, lang: str) -> str:
    m = round(minutes)
    h, rest = divmod(m, 60)
    zh = (f"{h} 小时 {rest} 分钟" if rest else f"{h} 小时") if h else f"{rest} 分钟"
    en = (f"{h} h {rest:02d} min" if rest else f"{h} h") if h else f"{rest} min"
    return {"zh": zh, "en": en}.get(lang, f"{zh} / {en}")


def _distance(m: float) -> str:
    return f"{m / 1000:.1f} km" if m >= 1000 else f"{round(m / 10) * 10:.0f} m"


def _pick(zh: str, en: str, lang: str, sep: str = "  ") -> str:
    return {"zh": zh, "en": en}.get(lang, f"{zh}{sep}{en}")


def _leg_line(leg: Leg, lang: str) -> str:
    walk = _pick(f"步行 {_duration(leg.duration_s / 60, 'zh')}",
                 f"walk {_duration(leg.duration_s / 60, 'en')}", lang, " / ")
    est = _pick("（估算）", "(estimated)", lang, " ") if leg.estimated else ""
    return f"         ↓ {walk}, {_distance(leg.distance_m)} {est}".rstrip()


def schedule_text(it: Itinerary, *, lang: str = "both") -> str:
    """The schedule as lines of text; ``lang`` is ``zh``, ``en`` or ``both``."""
    if lang not in ("zh", "en", "both"):
        msg = f"lang must be zh, en or both, not {lang!r}"
        raise ValueError(msg)
    wd = it.date.weekday()
    day = _pick(f"{it.date:%Y-%m-%d} 星期{WEEKDAYS_ZH[wd]}",
                f"{it.date:%Y-%m-%d} {WEEKDAYS_EN[wd]}", lang, " / ")
    lines = [_pick(it.title_zh, it.title_en, lang, " / "), day]
    lines.append(_pick(
        f"共 {len(it.stops)} 站，步行 {_distance(it.distance_m)}，全程 "
        f"{_duration(it.total_minutes, 'zh')}（{it.speed_kmh:g} 公里/小时）",
        f"{len(it.stops)} stops, {_distance(it.distance_m)} on foot, "
        f"{_duration(it.total_minutes, 'en')} in all ({it.speed_kmh:g} km/h)", lang, "\n"))
    if it.estimated:
        lines.append(_pick("注意：部分步行距离为估算值（无街道数据）",
                           "Note: some walking distances are estimated (no street data)",
                           lang, "\n"))
    lines.append("")
    lines.append(f"{it.departure:%H:%M}  " + _pick(f"出发 {it.start.name_zh}",
                                                   f"Start: {it.start.name_en}", lang, " / "))
    legs = list(it.legs)
    for i, stop in enumerate(it.stops):
        if i < len(legs) and legs[i].distance_m >= 1:  # no line for "walk 0 m"
            lines.append(_leg_line(legs[i], lang))
        visit = f"{stop.start:%H:%M}-{stop.end:%H:%M}"
        lines.append(f"{stop.arrival:%H:%M}  {stop.number:>2}. "
                     + _pick(stop.name_zh, stop.name_en, lang))
        detail = [_pick(f"参观 {visit}", f"visit {visit}", lang, " / ")]
        if stop.wait_minutes >= 1:
            detail.append(_pick(f"等候开门 {round(stop.wait_minutes)} 分钟",
                                f"wait {round(stop.wait_minutes)} min for opening", lang, " / "))
        hours = stop.hours_today
        label = {None: ("开放时间不详", "hours unknown"), "24/7": ("全天开放", "open all day")}
        zh_h, en_h = label.get(hours, (f"今日开放 {hours}", f"open {hours} today"))
        detail.append(_pick(zh_h, en_h, lang, " / "))
        lines.append("           " + " · ".join(detail))
        lines.append("           " + stop.address_zh)
        if stop.booking != "none":
            b = BOOKING[stop.booking]
            note = _pick(stop.booking_note_zh or "", stop.booking_note_en or "", lang, " ")
            lines.append("           " + _pick(b.zh, b.en, lang, " / ") + f": {note}".rstrip())
    if it.end is not None and len(legs) > len(it.stops):
        if legs[-1].distance_m >= 1:
            lines.append(_leg_line(legs[-1], lang))
        lines.append(f"{it.finish:%H:%M}  " + _pick(f"到达终点 {it.end.name_zh}",
                                                    f"End: {it.end.name_en}", lang, " / "))
    else:
        lines.append(f"{it.finish:%H:%M}  " + _pick("行程结束", "End of the walk", lang, " / "))
    if it.excluded:
        lines.append("")
        lines.append(_pick("未安排的地点：", "Left out:", lang, " / "))
        for e in it.excluded:
            zh, en = f"{e.name_zh}：{e.reason_zh}", f"{e.name_en}: {e.reason_en}"
            lines.append("  - " + _pick(zh, en, lang, " / "))
    lines.append("")
    lines.append(_pick("地图数据 © OpenStreetMap 贡献者", "Map data © OpenStreetMap contributors",
                       lang, " / "))
    return "\n".join(lines)
