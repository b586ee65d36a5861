"""Turn-by-turn walking directions in Chinese and English, from street names and bearings.

"沿南昌路向东步行 240 米" / "Walk east on Nanchang Road for 240 m". English street names come
from OSM's ``name:en`` where mapped, else from the Chinese name by pinyin and the usual
Shanghai street-sign rules (路 Road, 街 Street, 中路 Middle ... Road).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["Segment", "Step", "bearing", "build_steps", "compass", "english_street_name"]

_SUFFIXES = [
    ("高架路", "Elevated Road"), ("大道", "Avenue"), ("公路", "Highway"), ("隧道", "Tunnel"),
    ("广场", "Square"), ("大桥", "Bridge"), ("路", "Road"), ("街", "Street"), ("弄", "Lane"),
    ("巷", "Alley"), ("桥", "Bridge"),
]
_SIDES = {"东": "East", "西": "West", "南": "South", "北": "North", "中": "Middle"}
_POINTS = [("北", "north"), ("东北", "north-east"), ("东", "east"), ("东南", "south-east"),
           ("南", "south"), ("西南", "south-west"), ("西", "west"), ("西北", "north-west")]
_UNNAMED_ZH, _UNNAMED_EN = "小路", "a path"


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of a leg along one edge (or a connector), in walking order."""

    coords: Sequence[tuple[float, float]]  # (lon, lat)
    length_m: float
    name_zh: str | None = None
    name_en: str | None = None
    estimated: bool = False


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
            ordinal = re.match(r"^(.+?)([东西南北中])([一二三四五六七八九])$", base)
            if suffix == "路" and ordinal:  # 中山东一路 -> East Zhongshan No. 1 Road
                n = "一二三四五六七八九".index(ordinal.group(3)) + 1
                side = f"{_SIDES[ordinal.group(2)]} "
                return f"{side}{_pinyin(ordinal.group(1), lazy_pinyin)} No. {n} {english}"
            if suffix in ("路", "街") and len(base) >= 3 and base[-1] in _SIDES:
                side, base = _SIDES[base[-1]] + " ", base[:-1]
            return f"{side}{_pinyin(base, lazy_pinyin)} {english}{number}"
    return _pinyin(name, lazy_pinyin) + number


def _pinyin(text: str, lazy_pinyin: object) -> str:
    words = [w for w in lazy_pinyin(text) if w.strip()]  # type: ignore[operator]
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


def _groups(segments: Sequence[Segment]) -> list[_Group]:
    groups: list[_Group] = []
    for seg in segments:
        if seg.length_m <= 0 or len(seg.coords) < 2:
            continue
        key = (seg.name_zh, seg.estimated)
        if groups and (groups[-1].name_zh, groups[-1].estimated) == key:
            groups[-1].coords.extend(seg.coords[1:])
            groups[-1].length += seg.length_m
        else:
            groups.append(_Group(seg.name_zh, seg.name_en, list(seg.coords), seg.length_m,
                                 seg.estimated))
    # Short unnamed bits (a crossing, a kerb connector) join the step before them, and
    # steps on the same street that this brings together become one.
    merged: list[_Group] = []
    for g in groups:
        short = g.name_zh is None and not g.estimated and g.length < 30
        if merged and (short or (merged[-1].name_zh, merged[-1].estimated)
                       == (g.name_zh, g.estimated)):
            merged[-1].coords.extend(g.coords[1:])
            merged[-1].length += g.length
        else:
            merged.append(g)
    if len(merged) > 1 and merged[0].name_zh is None and merged[0].length < 30:
        first = merged.pop(0)
        merged[0].coords[:0] = first.coords[:-1]
        merged[0].length += first.length
    return merged


def build_steps(segments: Sequence[Segment]) -> list[Step]:
    """Group a leg's segments by street and describe each group."""
    steps: list[Step] = []
    prev_end: float | None = None
    for g in _groups(segments):
        start_b = bearing(g.coords[0], g.coords[min(len(g.coords) - 1, 1)])
        overall = bearing(g.coords[0], g.coords[-1])
        dir_zh, dir_en = compass(overall)
        m = _round(g.length)
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
