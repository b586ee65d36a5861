"""Turn-by-turn walking directions in Chinese and English, from street names and bearings.

"沿南昌路向东步行 240 米" / "Walk east on Nanchang Road for 240 m". English street names come
from OSM's ``name:en`` where mapped, else from the Chinese name by pinyin and the usual
Shanghai street-sign rules (路 Road, 街 Street, 中路 Middle ... Road, 一路 No. 1 Road).

The short walk between a stop and the street it joins (a *connector*) is told as what it is:
"步行约 40 米到达兴业路" / "Walk about 40 m to Xingye Road" at the start of a leg, "步行约 40 米
到达目的地" / "Walk about 40 m to the site" at its end; never as a turn onto a path.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["CONNECTOR_FOLD_M", "Segment", "SegmentKind", "Step", "arrive_at", "bearing",
           "build_steps", "compass", "english_street_name"]

#: What a segment is: a piece of a street, or a connector between a stop and its street.
SegmentKind = Literal["street", "connector", "metro"]
#: A connector shorter than this (metres) is folded into the street step next to it.
CONNECTOR_FOLD_M = 10.0

_SUFFIXES = [
    ("高架路", "Elevated Road"), ("大道", "Avenue"), ("公路", "Highway"), ("隧道", "Tunnel"),
    ("广场", "Square"), ("大桥", "Bridge"), ("路", "Road"), ("街", "Street"), ("弄", "Lane"),
    ("巷", "Alley"), ("桥", "Bridge"),
]
_SIDES = {"东": "East", "西": "West", "南": "South", "北": "North", "中": "Middle"}
_POINTS = [("北", "north"), ("东北", "north-east"), ("东", "east"), ("东南", "south-east"),
           ("南", "south"), ("西南", "south-west"), ("西", "west"), ("西北", "north-west")]
_UNNAMED_ZH, _UNNAMED_EN = "小路", "a path"
_NUMERALS = "一二三四五六七八九"
#: Readings pypinyin gets wrong in Shanghai street names: 长 is "chang" in 长治路, 长宁路,
#: 长阳路 and 延长路 (pypinyin says "zhang"), and a few words read as they are signed.
_STREET_CHARS: dict[str, str] = {"长": "chang"}
_STREET_WORDS: dict[str, tuple[str, ...]] = {"会稽": ("kuai", "ji"), "朝阳": ("chao", "yang")}


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of a leg along one edge (or a connector), in walking order."""

    coords: Sequence[tuple[float, float]]  # (lon, lat)
    length_m: float
    name_zh: str | None = None
    name_en: str | None = None
    estimated: bool = False
    #: ``connector`` for the walk between a stop and the point where it joins its street.
    kind: SegmentKind = "street"


@dataclass(frozen=True, slots=True)
class Step:
    """One instruction of a leg."""

    name_zh: str | None
    name_en: str | None
    distance_m: float
    bearing: float
    turn: str | None  # None for the first step; else straight, left, right, back...
    text_zh: str
    text_en: str
    estimated: bool = False
    #: ``connector`` for the walk between a stop and its street (``name_*`` are then None).
    kind: SegmentKind = "street"


def bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Initial compass bearing in degrees (0 = north, 90 = east) from ``a`` to ``b``.

    Points are ``(lon, lat)``.
    """
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    x = math.sin(lon2 - lon1) * math.cos(lat2)
    y = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return math.degrees(math.atan2(x, y)) % 360


def compass(deg: float) -> tuple[str, str]:
    """The 8-point compass direction of a bearing, in Chinese and English."""
    return _POINTS[int(((deg % 360) + 22.5) // 45) % 8]


@lru_cache(maxsize=4096)
def english_street_name(name_zh: str) -> str:
    """An English street name for a Chinese one: 南昌路 -> Nanchang Road,
    淮海中路 -> Middle Huaihai Road, 多伦路 -> Duolun Road."""
    from pypinyin import lazy_pinyin

    name = name_zh.strip()
    if not re.search(r"[\u4e00-\u9fff]", name):
        return name
    m = re.match(r"^(.*?)(\d+)(?:号)?$", name)
    number = ""
    if m and m.group(1):
        name, number = m.group(1), f" {m.group(2)}"
    for suffix, english in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            side = ""
            ordinal = re.match(rf"^(.+?)([东西南北中]?)([{_NUMERALS}])$", base)
            if suffix == "路" and ordinal and len(base) >= 3:
                # 中山东一路 -> East Zhongshan No. 1 Road; 石门一路 -> Shimen No. 1 Road
                n = _NUMERALS.index(ordinal.group(3)) + 1
                side = f"{_SIDES[ordinal.group(2)]} " if ordinal.group(2) else ""
                return f"{side}{_pinyin(ordinal.group(1), lazy_pinyin)} No. {n} {english}"
            if suffix in ("路", "街") and len(base) >= 3 and base[-1] in _SIDES:
                side, base = _SIDES[base[-1]] + " ", base[:-1]
            return f"{side}{_pinyin(base, lazy_pinyin)} {english}{number}"
    return _pinyin(name, lazy_pinyin) + number


def _readings(text: str, lazy_pinyin: object) -> list[str]:
    """Pinyin syllables of ``text``, with the street readings of :data:`_STREET_WORDS` and
    :data:`_STREET_CHARS` where pypinyin would read otherwise."""
    out: list[str] = []
    run = ""  # characters left to pypinyin, passed together so it sees their context
    i = 0
    while i < len(text):
        word = next((w for w in _STREET_WORDS if text.startswith(w, i)), None)
        if word is None and text[i] not in _STREET_CHARS:
            run += text[i]
            i += 1
            continue
        if run:
            out += lazy_pinyin(run)  # type: ignore[operator]
            run = ""
        if word is not None:
            out += _STREET_WORDS[word]
            i += len(word)
        else:
            out.append(_STREET_CHARS[text[i]])
            i += 1
    if run:
        out += lazy_pinyin(run)  # type: ignore[operator]
    return out


def _pinyin(text: str, lazy_pinyin: object) -> str:
    words = [w for w in _readings(text, lazy_pinyin) if w.strip()]
    # An apostrophe marks a syllable that starts with a vowel: Yan'an, not Yanan.
    joined = "".join(("'" if i and w[:1] in "aoe" else "") + w for i, w in enumerate(words))
    return joined[:1].upper() + joined[1:]


def _round(m: float) -> int:
    step = 5 if m < 50 else 10
    return max(step, int(round(m / step) * step))


def _turn(prev: float, new: float) -> tuple[str, str, str]:
    d = (new - prev + 540) % 360 - 180
    if abs(d) < 30:
        return "straight", "直行", "Continue"
    if abs(d) > 150:
        return "back", "掉头", "Turn around"
    if d > 0:
        return ("slight-right", "向右前方", "Bear right") if d < 60 else ("right", "右转",
                                                                          "Turn right")
    return ("slight-left", "向左前方", "Bear left") if d > -60 else ("left", "左转", "Turn left")


@dataclass
class _Group:
    name_zh: str | None
    name_en: str | None
    coords: list[tuple[float, float]]
    length: float
    estimated: bool
    connector: bool = False

    def absorb(self, other: _Group) -> None:
        """Take ``other``, which follows this group, into it."""
        self.coords.extend(other.coords[1:])
        self.length += other.length

    def prepend(self, other: _Group) -> None:
        """Take ``other``, which comes before this group, into it."""
        self.coords[:0] = other.coords[:-1]
        self.length += other.length


def _is_minor(g: _Group) -> bool:
    """A short unnamed piece of street (a crossing, a kerb) that is not worth a step."""
    return g.name_zh is None and not g.estimated and not g.connector and g.length < 30


def _groups(segments: Sequence[Segment]) -> list[_Group]:
    groups: list[_Group] = []
    for seg in segments:
        if seg.length_m <= 0 or len(seg.coords) < 2:
            continue
        g = _Group(seg.name_zh, seg.name_en, list(seg.coords), seg.length_m, seg.estimated,
                   seg.kind == "connector")
        last = groups[-1] if groups else None
        if (last is not None and not g.connector and not last.connector
                and (last.name_zh, last.estimated) == (g.name_zh, g.estimated)):
            last.absorb(g)
        else:
            groups.append(g)
    # Short unnamed bits join the street step before them, and steps on the same street
    # that this brings together become one. A connector never merges with a street step.
    merged: list[_Group] = []
    for g in groups:
        last = merged[-1] if merged else None
        if (last is not None and not last.connector and not g.connector
                and (_is_minor(g) or (last.name_zh, last.estimated)
                     == (g.name_zh, g.estimated))):
            last.absorb(g)
        else:
            merged.append(g)
    # A short unnamed start of the streets joins the street after it.
    first = 1 if merged and merged[0].connector else 0
    if (len(merged) > first + 1 and _is_minor(merged[first])
            and not merged[first + 1].connector):
        merged[first + 1].prepend(merged.pop(first))
    # A connector of a few metres is not worth a step: the street step takes it.
    if (len(merged) > 1 and merged[0].connector and merged[0].length < CONNECTOR_FOLD_M
            and not merged[1].connector and not merged[0].estimated):
        merged[1].prepend(merged.pop(0))
    if (len(merged) > 1 and merged[-1].connector and merged[-1].length < CONNECTOR_FOLD_M
            and not merged[-2].connector and not merged[-1].estimated):
        merged[-2].absorb(merged.pop())
    return merged


def _connector_text(m: int, to_zh: str, to_en: str, *, estimated: bool) -> tuple[str, str]:
    """``步行约 40 米到达兴业路`` / ``Walk about 40 m to Xingye Road`` (estimated if so)."""
    est_zh, est_en = ("（估算）", " (estimated)") if estimated else ("", "")
    return f"步行约 {m} 米到达{to_zh}{est_zh}", f"Walk about {m} m to {to_en}{est_en}"


def build_steps(segments: Sequence[Segment]) -> list[Step]:
    """Group a leg's segments by street and describe each group.

    Parameters
    ----------
    segments
        The leg's segments in walking order; a ``connector`` segment first and/or last.

    Returns
    -------
    list[Step]
        One step per street (consecutive pieces of one street merge; short unnamed pieces
        join the street before them); a connector is a step of its own ("步行约 40 米到达
        兴业路" / "Walk about 40 m to Xingye Road"), unless it is shorter than
        :data:`CONNECTOR_FOLD_M`, when it is folded into the street step next to it.
    """
    steps: list[Step] = []
    prev_end: float | None = None
    groups = _groups(segments)
    for k, g in enumerate(groups):
        overall = bearing(g.coords[0], g.coords[-1])
        m = _round(g.length)
        if g.connector:
            nxt = groups[k + 1] if k + 1 < len(groups) else None
            if nxt is not None:  # leaving a stop for its street
                street = nxt.name_zh if not nxt.connector else None
                to_zh = street or "街道"
                to_en = (nxt.name_en if street else None) or (
                    english_street_name(street) if street else "the street")
            else:
                to_zh, to_en = "目的地", "the site"
            text_zh, text_en = _connector_text(m, to_zh, to_en, estimated=g.estimated)
            steps.append(Step(None, None, g.length, overall, None, text_zh, text_en,
                              g.estimated, "connector"))
            prev_end = None  # the street step after it says where to go, not how to turn
            continue
        start_b = bearing(g.coords[0], g.coords[min(len(g.coords) - 1, 1)])
        dir_zh, dir_en = compass(overall)
        name_zh = g.name_zh or _UNNAMED_ZH
        name_en = g.name_en or (english_street_name(g.name_zh) if g.name_zh else None)
        if g.estimated:
            text_zh = f"向{dir_zh}步行约 {m} 米（估算，无街道数据）"
            text_en = f"Walk about {m} m {dir_en} (estimated, no street data)"
            turn = None
        elif prev_end is None:
            turn = None
            text_zh = f"沿{name_zh}向{dir_zh}步行 {m} 米"
            text_en = (f"Walk {dir_en} on {name_en} for {m} m" if name_en
                       else f"Walk {dir_en} along {_UNNAMED_EN} for {m} m")
        else:
            turn, turn_zh, turn_en = _turn(prev_end, start_b)
            text_zh = f"{turn_zh}，沿{name_zh}向{dir_zh}步行 {m} 米"
            where = f"onto {name_en}" if name_en else f"onto {_UNNAMED_EN}"
            if turn == "straight":
                where = f"on {name_en}" if name_en else f"along {_UNNAMED_EN}"
                text_en = f"Continue {dir_en} {where} for {m} m"
            else:
                text_en = f"{turn_en} {where} and walk {dir_en} for {m} m"
        steps.append(Step(g.name_zh, name_en, g.length, overall, turn, text_zh, text_en,
                          g.estimated))
        prev_end = bearing(g.coords[-2], g.coords[-1]) if len(g.coords) >= 2 else overall
    return steps


def arrive_at(steps: Sequence[Step], name_zh: str, name_en: str) -> list[Step]:
    """The steps of a leg, with a final connector naming where it arrives.

    Parameters
    ----------
    steps
        The leg's steps (:func:`build_steps`).
    name_zh, name_en
        The stop (or end point) the leg leads to.

    Returns
    -------
    list[Step]
        The same steps, the last one reworded "步行约 40 米到达中共一大会址" / "Walk about
        40 m to Site of the First National Congress" if it is a connector.
    """
    out = list(steps)
    if out and out[-1].kind == "connector" and name_zh and name_en:
        last = out[-1]
        text_zh, text_en = _connector_text(_round(last.distance_m), name_zh, name_en,
                                           estimated=last.estimated)
        out[-1] = replace(last, text_zh=text_zh, text_en=text_en)
    return out
