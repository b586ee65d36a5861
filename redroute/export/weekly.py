"""A site's regular week, for outputs that are read on many days (a season's leaflet, the
website kit): weekly opening hours, closing days, and the days a whole walk suits.

The week read is the first full Monday-to-Sunday week from a reference day that holds no
public holiday (holidays change hours; the leaflet says so in a note of its own).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from redroute.vocabulary import Label
from redroute.wording import HOURS_UNKNOWN, WEEKDAYS_EN, WEEKDAYS_EN_FULL, WEEKDAYS_ZH

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from redroute.catalogue import Landmark

__all__ = ["normal_week", "open_weekdays", "weekdays_words", "weekly_hours"]


def normal_week(ref: dt.date) -> list[dt.date]:
    """Monday to Sunday of the first week from ``ref`` without a public holiday (else the
    week of ``ref`` itself)."""
    from redroute.hours import public_holiday

    monday = ref - dt.timedelta(days=ref.weekday())
    for k in range(12):
        week = [monday + dt.timedelta(days=7 * k + i) for i in range(7)]
        if not any(public_holiday(d) for d in week):
            return week
    return [monday + dt.timedelta(days=i) for i in range(7)]


def _day_label(lm: Landmark, day: dt.date) -> tuple[str, str] | None:
    """One day's hours as (zh, en) with last entry; ``("", "")`` when closed; None unknown."""
    windows = lm.windows(day)
    if windows is None:
        return None
    if not windows:
        return "", ""
    label = lm.hours_label(day) or ""
    if label == "24/7":
        return "全天开放", "open all day"
    span = label.replace("-", "–")
    last = [w.last_entry for w in windows if w.last_entry < w.closes]
    if last:
        at = ", ".join(f"{t:%H:%M}" for t in last)
        return f"{span}（{at} 停止入场）", f"{span} (last entry {at})"
    return span, span


def _runs(days: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive weekday numbers as (first, last) runs: [1, 2, 3, 5] -> [(1, 3), (5, 5)]."""
    runs: list[tuple[int, int]] = []
    for d in sorted(days):
        if runs and runs[-1][1] == d - 1:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def weekdays_words(days: Iterable[int], *, full: bool = False) -> Label:
    """Weekdays (0 = Monday) as a phrase: ``周二至周日`` / ``Tue–Sun``; every day is
    ``每天`` / ``daily``; none is ``无`` / ``none``."""
    found = sorted(set(days))
    if len(found) == 7:
        return Label("每天", "daily")
    if not found:
        return Label("无", "none")
    names = WEEKDAYS_EN_FULL if full else WEEKDAYS_EN
    zh, en = [], []
    for a, b in _runs(found):
        if b - a >= 2:
            zh.append(f"周{WEEKDAYS_ZH[a]}至周{WEEKDAYS_ZH[b]}")
            en.append(f"{names[a]} to {names[b]}" if full else f"{names[a]}–{names[b]}")
        else:
            zh.extend(f"周{WEEKDAYS_ZH[d]}" for d in range(a, b + 1))
            en.extend(names[d] for d in range(a, b + 1))
    return Label("、".join(zh), ", ".join(en))


def weekly_hours(lm: Landmark | None, ref: dt.date) -> Label:
    """The regular week of a site: ``周二至周日 09:00–16:00（15:30 停止入场）；周一闭馆`` /
    ``Tue–Sun 09:00–16:00 (last entry 15:30); closed Mon``."""
    if lm is None or lm.opening_hours is None:
        return HOURS_UNKNOWN
    week = normal_week(ref)
    labels = [_day_label(lm, d) for d in week]
    if any(lab is None for lab in labels):
        return HOURS_UNKNOWN
    groups: dict[tuple[str, str], list[int]] = {}
    for wd, lab in enumerate(labels):
        assert lab is not None
        groups.setdefault(lab, []).append(wd)
    zh, en = [], []
    closed: list[int] = []
    for (lzh, len_), days in sorted(groups.items(), key=lambda kv: kv[1][0]):
        if not lzh:
            closed = days
            continue
        when = weekdays_words(days)
        if len(days) == 7:
            zh.append(lzh if lzh == "全天开放" else f"每天 {lzh}")
            en.append("open all day" if len_ == "open all day" else f"daily {len_}")
        else:
            zh.append(f"{when.zh} {lzh}")
            en.append(f"{when.en} {len_}")
    if closed:
        if len(closed) == 7:
            return Label("常年闭馆", "closed every day")
        words = weekdays_words(closed)
        zh.append(f"{words.zh}闭馆")
        en.append(f"closed {words.en}")
    first = "; ".join(en)
    return Label("；".join(zh), first[:1].upper() + first[1:])


def open_weekdays(landmarks: Iterable[Landmark | None], ref: dt.date) -> list[int]:
    """The weekdays (0 = Monday) on which every site of known hours is open in a normal
    week; sites of unknown hours do not rule a day out (the leaflet says to check them)."""
    week = normal_week(ref)
    days = set(range(7))
    for lm in landmarks:
        if lm is None or lm.opening_hours is None:
            continue
        for wd, d in enumerate(week):
            windows = lm.windows(d)
            if windows is not None and not windows:
                days.discard(wd)
    return sorted(days)
