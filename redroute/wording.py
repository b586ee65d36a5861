"""The bilingual phrases that more than one output uses, in one place.

Every output (the terminal schedule, the HTML map, the GPX file, the leaflet, the website
kit) writes durations, distances, dates, opening hours, the reasons a stop was left out
and the OpenStreetMap credit with the functions here, so that they read the same
everywhere. Phrases come as a :class:`~redroute.vocabulary.Label` (``zh``, ``en``) or, with
a ``lang`` of ``zh``, ``en`` or ``both``, as one string (:func:`pick`).

This module sits below everything that writes text: it imports only the standard library,
:mod:`redroute._errors` and :mod:`redroute.vocabulary`.
"""

from __future__ import annotations

import html
import math
import re
from typing import TYPE_CHECKING

from redroute.vocabulary import Label

if TYPE_CHECKING:
    import datetime as dt

__all__ = [
    "ATTRIBUTION",
    "BREAKS",
    "HOURS_UNCONFIRMED",
    "HOURS_UNKNOWN",
    "LANGS",
    "MONTHS_EN",
    "MONTHS_EN_SHORT",
    "ODBL_URL",
    "OSM_COPYRIGHT_URL",
    "OSM_CREDIT",
    "REASONS",
    "WEEKDAYS_EN",
    "WEEKDAYS_EN_FULL",
    "WEEKDAYS_ZH",
    "attribution",
    "attribution_html",
    "attribution_words",
    "break_words",
    "capitalise",
    "check_lang",
    "date_words",
    "distance",
    "duration",
    "hours_words",
    "long_walk_words",
    "pick",
    "plural",
    "printable",
    "reason_words",
    "start_moved_words",
]

#: The values a ``lang`` argument takes: Chinese, English, or both side by side.
LANGS = ("zh", "en", "both")

WEEKDAYS_ZH = "一二三四五六日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAYS_EN_FULL = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                    "Sunday")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
MONTHS_EN_SHORT = tuple(m[:3] for m in MONTHS_EN)

OSM_COPYRIGHT_URL = "https://www.openstreetmap.org/copyright"
ODBL_URL = "https://opendatacommons.org/licenses/odbl/1-0/"
#: The credit line of every output drawn from OpenStreetMap data.
ATTRIBUTION = Label("地图数据 © OpenStreetMap 贡献者（ODbL）",
                    "Map data © OpenStreetMap contributors (ODbL)")
#: The short credit, for the corner of a map where a full line does not fit.
OSM_CREDIT = "© OpenStreetMap contributors"

HOURS_UNKNOWN = Label("开放时间不详", "opening hours unknown")
#: After hours taken from an unofficial listing (a site whose ``hours_note`` says so).
HOURS_UNCONFIRMED = Label("开放时间未经官方核实，出发前请确认",
                          "hours not confirmed by the venue: check before you go")

#: Why a candidate stop was left out of the walk (``Excluded.reason``, the solver's
#: ``Reason`` values and the planner's ``unknown-hours``).
REASONS: dict[str, Label] = {
    "closed": Label("当天闭馆", "closed that day"),
    "opens-too-late": Label("开门太晚，行程结束前赶不上", "it opens after the walk must end"),
    "closes-before-arrival": Label("走到时已闭馆", "it has closed when the walk gets there"),
    "last-entry-passed": Label("走到时已过最晚入场时间", "its last entry has passed by then"),
    "day-ends": Label("当天时间已晚，行程不跨过午夜", "the day ends: no walk runs past midnight"),
    "budget": Label("时间预算不够", "it does not fit in the time budget"),
    "unreachable": Label("无法步行到达", "it cannot be reached on foot"),
    "other-bank": Label("在黄浦江对岸，无法步行到达：请乘轮渡或地铁",
                        "it is across the Huangpu, not reachable on foot: take the ferry or "
                        "the metro"),
    "distance": Label("超出最远步行距离", "it is beyond the maximum walking distance"),
    "detour": Label("绕行太远，不值得多走这段路", "too far off the route for what it adds"),
    "lower-score": Label("时间有限，已优先安排更重要的地点", "lower priority than the stops kept"),
    "order": Label("与固定的参观顺序冲突", "it does not fit the fixed order"),
    "unknown-hours": Label(HOURS_UNKNOWN.zh, "its opening hours are unknown"),
    "closed-site": Label("不开放（修缮或私宅）", "not open to visitors"),
    "lunch-break": Label("加入午餐休息后赶不上开放时间",
                         "it no longer fits its opening hours once the lunch break is in"),
}

#: The kinds of break a walk has (``Break.kind``).
BREAKS: dict[str, Label] = {"lunch": Label("午餐休息", "Lunch break")}


def check_lang(lang: str, *, what: str = "language",
               error: type[Exception] = ValueError) -> str:
    """Return ``lang`` if it is ``zh``, ``en`` or ``both``, else raise ``error``.

    Parameters
    ----------
    lang
        The language asked for.
    what
        What the language is of, to start the message (``"map language"``).
    error
        The exception class to raise: the caller's own, e.g. ``MapError``.

    Returns
    -------
    str
        ``lang`` unchanged.
    """
    if lang not in LANGS:
        msg = f"{what} {lang!r} is not one of {', '.join(LANGS)}"
        raise error(msg)
    return lang


def pick(zh: str, en: str, lang: str, sep: str = " / ") -> str:
    """The Chinese text, the English text, or both joined by ``sep``.

    Parameters
    ----------
    zh, en
        The two texts. When they are the same (a name with no translation), ``both``
        shows it once.
    lang
        ``zh``, ``en`` or ``both``.
    sep
        What joins the two texts for ``both``: ``" / "`` on one line, ``"\\n"`` for two.

    Returns
    -------
    str
        The text to show.
    """
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return zh if zh == en else f"{zh}{sep}{en}"


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    """A count with its English noun: ``1 stop``, ``2 stops``, ``0 stops``.

    Parameters
    ----------
    n
        The count.
    word
        The singular noun.
    plural_form
        The plural when it is not ``word + "s"`` (``"districts"`` needs none,
        ``"entries"`` does).

    Returns
    -------
    str
        ``"{n} {noun}"``.
    """
    return f"{n} {word if n == 1 else plural_form or word + 's'}"


def capitalise(text: str) -> str:
    """``text`` with its first letter upper-case (the rest untouched)."""
    return text[:1].upper() + text[1:]


def duration(minutes: float, lang: str = "both", sep: str = " / ") -> str:
    """A length of time rounded to the minute: ``4 小时 48 分钟`` / ``4 h 48 min``.

    Parameters
    ----------
    minutes
        The time in minutes; negative counts as 0.
    lang
        ``zh``, ``en`` or ``both``.
    sep
        What joins the two languages for ``both``.

    Returns
    -------
    str
        ``"35 分钟"``, ``"1 小时"``, ``"4 小时 48 分钟"``; ``"35 min"``, ``"1 h"``,
        ``"4 h 48 min"``, ``"1 h 05 min"``.
    """
    h, rest = divmod(max(0, round(minutes)), 60)
    zh = (f"{h} 小时 {rest} 分钟" if rest else f"{h} 小时") if h else f"{rest} 分钟"
    en = (f"{h} h {rest:02d} min" if rest else f"{h} h") if h else f"{rest} min"
    return pick(zh, en, lang, sep)


def distance(metres: float) -> str:
    """A walking distance, the same in both languages: ``240 m`` or ``1.2 km``.

    Below a kilometre, to the nearest 10 m; from 1 km (after that rounding, so 995 m
    is ``1.0 km``, not ``1000 m``), to the nearest 100 m. Halves round up.

    Parameters
    ----------
    metres
        The distance in metres; negative counts as 0.

    Returns
    -------
    str
        The distance with its unit.
    """
    m = max(0.0, metres)
    tens = math.floor(m / 10 + 0.5)
    if tens < 100:
        return f"{tens * 10} m"
    return f"{math.floor(m / 100 + 0.5) / 10:.1f} km"


def date_words(day: dt.date, *, style: str = "long") -> Label:
    """A date with its weekday, in both languages.

    Parameters
    ----------
    day
        The date.
    style
        ``long``: ``2026年12月1日 星期二`` / ``Tuesday 1 December 2026``;
        ``short``: ``2026年12月1日 星期二`` / ``Tue 1 Dec 2026``;
        ``iso``: ``2026-12-01 星期二`` / ``2026-12-01 Tue``.

    Returns
    -------
    Label
        The Chinese and the English wording.
    """
    wd = day.weekday()
    zh_day = f"星期{WEEKDAYS_ZH[wd]}"
    if style == "iso":
        return Label(f"{day.isoformat()} {zh_day}", f"{day.isoformat()} {WEEKDAYS_EN[wd]}")
    zh = f"{day.year}年{day.month}月{day.day}日 {zh_day}"
    if style == "short":
        return Label(zh, f"{WEEKDAYS_EN[wd]} {day.day} {MONTHS_EN_SHORT[day.month - 1]} "
                         f"{day.year}")
    if style == "long":
        return Label(zh, f"{WEEKDAYS_EN_FULL[wd]} {day.day} {MONTHS_EN[day.month - 1]} "
                         f"{day.year}")
    msg = f"date style {style!r} is not one of long, short, iso"
    raise ValueError(msg)


def hours_words(hours: str | None, *, today: bool = True) -> Label:
    """A site's opening hours on one day, as a phrase.

    Parameters
    ----------
    hours
        ``"09:00-16:30"`` (or several windows), ``"24/7"``, ``"closed"``, or ``None`` when
        unknown: a stop's ``hours_today`` or ``Landmark.hours_label``.
    today
        ``True`` for a view of the walk's own day ("open 09:00–16:30 today", "closed
        today"); ``False`` for print, read on another day ("open 09:00–16:30", "closed that
        day").

    Returns
    -------
    Label
        Lower-case phrases (:func:`capitalise` for a line of their own); time ranges with
        an en dash.
    """
    if hours is None:
        return HOURS_UNKNOWN
    if hours == "24/7":
        return Label("全天开放", "open all day")
    if hours == "closed":
        return Label("今日闭馆", "closed today") if today else REASONS["closed"]
    span = hours.replace("-", "–")
    if today:
        return Label(f"今日开放 {span}", f"open {span} today")
    return Label(f"开放 {span}", f"open {span}")


def reason_words(reason: str) -> Label:
    """Why a stop was left out, for a reason code of :data:`REASONS` (an unknown code is
    shown as it is)."""
    return REASONS.get(reason, Label(reason, reason))


def break_words(kind: str, minutes: float) -> Label:
    """A break of the walk: ``午餐休息 45 分钟`` / ``Lunch break, 45 min``."""
    name = BREAKS.get(kind, Label(kind, kind))
    return Label(f"{name.zh} {duration(minutes, 'zh')}", f"{name.en}, {duration(minutes, 'en')}")


def start_moved_words(clock: str) -> Label:
    """Why a walk leaves later than asked: ``出发时间推迟到 08:29：此前各站均未开放``."""
    return Label(f"出发时间推迟到 {clock}：此前各站均未开放",
                 f"Start moved to {clock}: nothing on the walk is open before then")


def long_walk_words(km: float, limit: float) -> Label:
    """The warning of a long day on foot."""
    return Label(f"这条路线步行 {km:.1f} 公里，超过 {limit:g} 公里：对多数人来说太长了",
                 f"this walk is {km:.1f} km on foot, more than {limit:g} km: a long day "
                 "for most people")


def attribution_words(data_date: str | None = None) -> Label:
    """The OpenStreetMap credit (:data:`ATTRIBUTION`), with the date of the data when known.

    Parameters
    ----------
    data_date
        The date of the OpenStreetMap data the walk was planned on (``2025-08-09``), e.g. a
        network's ``data_date``; ``None`` or empty leaves it out.

    Returns
    -------
    Label
        "地图数据 © OpenStreetMap 贡献者（ODbL），2025-08-09" / "Map data © OpenStreetMap
        contributors (ODbL), data of 2025-08-09".
    """
    if not data_date:
        return ATTRIBUTION
    return Label(f"{ATTRIBUTION.zh}，{data_date}", f"{ATTRIBUTION.en}, data of {data_date}")


def attribution(lang: str, sep: str = " / ", data_date: str | None = None) -> str:
    """The OpenStreetMap credit line in ``lang`` (:func:`attribution_words`)."""
    return pick(*attribution_words(data_date), lang, sep)


def attribution_html(lang: str, sep: str = " / ", data_date: str | None = None) -> str:
    """:func:`attribution` as HTML, its © part linking to OpenStreetMap's copyright page."""
    words = attribution_words(data_date)
    link = f'<a href="{OSM_COPYRIGHT_URL}">© OpenStreetMap'
    zh = html.escape(words.zh, quote=False).replace("© OpenStreetMap 贡献者",
                                                    f"{link} 贡献者</a>")
    en = html.escape(words.en, quote=False).replace("© OpenStreetMap contributors",
                                                    f"{link} contributors</a>")
    return pick(zh, en, lang, sep)


# C0 and C1 controls, DEL, lone surrogates, line/paragraph separators and the bidi controls
# that reorder what a terminal shows (Trojan Source), a BOM and the two non-characters XML
# refuses: none of them belongs in shown text.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f"
                          "\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, newlines: bool = False) -> str:
    """``text`` with every control character shown as a visible escape, for a terminal.

    Text from a catalogue, an itinerary file or a CSV sheet may hold escape sequences
    (``ESC [ 2 J`` clears the screen), bidi overrides or lone surrogates (which cannot be
    encoded); each becomes ``\\x1b``, ``\\u202e``... so it is seen, never obeyed.

    Parameters
    ----------
    text
        The untrusted text.
    newlines
        Keep ``\\n`` as a line break (for paragraphs); otherwise it is escaped too.

    Returns
    -------
    str
        The text, unchanged when it holds no control character.
    """
    if newlines:
        return "\n".join(_UNPRINTABLE.sub(_escape, line) for line in text.split("\n"))
    return _UNPRINTABLE.sub(_escape, text)
