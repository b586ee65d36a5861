"""The fixed vocabularies of the catalogue, with their Chinese and English labels.

A catalogue value outside these tables is a validation error. Adding a value means adding
it here (and to the README's catalogue section), nowhere else.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["BOOKING", "CATEGORIES", "DISTRICTS", "STATUS", "THEMES", "Label"]


class Label(NamedTuple):
    """The two names of a vocabulary value."""

    zh: str
    en: str


#: Shanghai's 16 districts; the first eight slugs are older than the rest and kept as they are.
DISTRICTS: dict[str, Label] = {
    "huangpu": Label("黄浦区", "Huangpu"),
    "xuhui": Label("徐汇区", "Xuhui"),
    "jingan": Label("静安区", "Jing'an"),
    "hongkou": Label("虹口区", "Hongkou"),
    "changning": Label("长宁区", "Changning"),
    "putuo": Label("普陀区", "Putuo"),
    "yangpu": Label("杨浦区", "Yangpu"),
    "pudong": Label("浦东新区", "Pudong"),
    "minhang": Label("闵行区", "Minhang"),
    "baoshan": Label("宝山区", "Baoshan"),
    "jiading": Label("嘉定区", "Jiading"),
    "jinshan": Label("金山区", "Jinshan"),
    "songjiang": Label("松江区", "Songjiang"),
    "qingpu": Label("青浦区", "Qingpu"),
    "fengxian": Label("奉贤区", "Fengxian"),
    "chongming": Label("崇明区", "Chongming"),
}

CATEGORIES: dict[str, Label] = {
    "congress-site": Label("党代会会址", "Party congress site"),
    "former-office": Label("机关旧址", "Former office or headquarters"),
    "former-residence": Label("故居旧居", "Former residence"),
    "memorial-hall": Label("纪念馆", "Memorial hall"),
    "museum": Label("博物馆", "Museum"),
    "library": Label("图书馆", "Library"),
    "cemetery": Label("陵园", "Cemetery"),
    "monument": Label("纪念地", "Monument or memorial site"),
    "publishing-site": Label("出版印刷旧址", "Publishing or printing site"),
    "school": Label("学校旧址", "School site"),
    "waypoint": Label("沿途地标", "Landmark on the way"),
}

THEMES: dict[str, Label] = {
    "founding": Label("建党伟业", "Founding of the Party"),
    "youth": Label("青年运动", "Youth movement"),
    "left-wing-culture": Label("左翼文化", "Left-wing culture"),
    "anthem": Label("国歌诞生", "Birth of the national anthem"),
    "martyrs": Label("英烈纪念", "Martyrs"),
    "leaders": Label("领袖足迹", "Leaders' footsteps"),
    "united-front": Label("统一战线", "United front"),
    "underground": Label("隐蔽战线", "Underground struggle"),
    "labour": Label("工人运动", "Workers' movement"),
    "publishing": Label("红色出版", "Red publishing"),
    "liberation": Label("解放上海", "Liberation of Shanghai"),
    "resistance": Label("抗日救亡", "Anti-Japanese resistance"),
    "women": Label("妇女解放", "Women's liberation"),
}

BOOKING: dict[str, Label] = {
    "none": Label("无需预约", "No booking needed"),
    "recommended": Label("建议预约", "Booking recommended"),
    "required": Label("须预约", "Booking required"),
}

#: What a visitor finds at a site. ``closed`` sites are kept for history and never planned.
STATUS: dict[str, Label] = {
    "open": Label("可入内参观", "Open to visitors (indoor)"),
    "exterior": Label("外观参观", "Seen from outside"),
    "marker": Label("仅存标志", "Plaque or marker only"),
    "closed": Label("不开放（修缮或私宅）", "Not open to visitors"),
}
