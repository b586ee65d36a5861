"""Turn-by-turn directions: wording in both languages, compass points, turns, street names."""

from __future__ import annotations

import math
from itertools import pairwise

import pytest

from redroute.directions import (
    Segment,
    Step,
    arrive_at,
    bearing,
    build_steps,
    compass,
    english_street_name,
)

# Xintiandi, Shanghai; walks are laid out in metres east (x) and north (y) of it.
LON0, LAT0 = 121.4700, 31.2200
M_PER_DEG_LAT = 111_320.0


def at(x: float, y: float) -> tuple[float, float]:
    """The (lon, lat) of a point ``x`` metres east and ``y`` metres north of the origin."""
    return (LON0 + x / (M_PER_DEG_LAT * math.cos(math.radians(LAT0))),
            LAT0 + y / M_PER_DEG_LAT)


def seg(*points: tuple[float, float], name_zh: str | None = None, name_en: str | None = None,
        length: float | None = None, estimated: bool = False) -> Segment:
    """A segment through points given in metres; its length is the polyline's unless given."""
    if length is None:
        length = sum(math.dist(a, b) for a, b in pairwise(points))
    return Segment([at(*p) for p in points], length, name_zh, name_en, estimated)


def conn(*points: tuple[float, float], length: float | None = None,
         estimated: bool = False) -> Segment:
    """A connector between a stop and its street, through points given in metres."""
    s = seg(*points, length=length, estimated=estimated)
    return Segment(s.coords, s.length_m, estimated=estimated, kind="connector")


def texts(steps: list[Step]) -> list[tuple[str, str]]:
    return [(s.text_zh, s.text_en) for s in steps]


# --------------------------------------------------------------------------- compass


def test_bearing_of_the_four_cardinal_directions() -> None:
    """Bearings are clockwise from north, in [0, 360)."""
    assert bearing(at(0, 0), at(0, 100)) == pytest.approx(0, abs=0.01)
    assert bearing(at(0, 0), at(100, 0)) == pytest.approx(90, abs=0.01)
    assert bearing(at(0, 0), at(0, -100)) == pytest.approx(180, abs=0.01)
    assert bearing(at(0, 0), at(-100, 0)) == pytest.approx(270, abs=0.01)
    assert bearing(at(0, 0), at(100, 100)) == pytest.approx(45, abs=0.1)


@pytest.mark.parametrize(("deg", "expected"), [
    (0, ("北", "north")), (22.4, ("北", "north")), (22.5, ("东北", "north-east")),
    (45, ("东北", "north-east")), (90, ("东", "east")), (135, ("东南", "south-east")),
    (180, ("南", "south")), (225, ("西南", "south-west")), (270, ("西", "west")),
    (315, ("西北", "north-west")), (337.4, ("西北", "north-west")), (337.5, ("北", "north")),
    (359.9, ("北", "north")), (360, ("北", "north")), (-90, ("西", "west")),
    (450, ("东", "east")),
])
def test_compass_points(deg: float, expected: tuple[str, str]) -> None:
    """Eight 45-degree sectors centred on the points; any angle is taken modulo 360."""
    assert compass(deg) == expected


# --------------------------------------------------------------------------- street names


@pytest.mark.parametrize(("zh", "en"), [
    ("南昌路", "Nanchang Road"),
    ("多伦路", "Duolun Road"),
    ("淮海中路", "Middle Huaihai Road"),
    ("延安东路", "East Yan'an Road"),
    ("南京西路", "West Nanjing Road"),
    ("四川北路", "North Sichuan Road"),
    ("黄陂南路", "South Huangpi Road"),
    ("西安路", "Xi'an Road"),
    ("中山东一路", "East Zhongshan No. 1 Road"),
    ("中山南二路", "South Zhongshan No. 2 Road"),
    ("人民大道", "Renmin Avenue"),
    ("延安高架路", "Yan'an Elevated Road"),
])
def test_pinyin_street_names(zh: str, en: str) -> None:
    """Pinyin with the Shanghai street-sign rules: side words first, apostrophe before a vowel."""
    assert english_street_name(zh) == en


def test_a_side_word_needs_a_two_character_name_before_it() -> None:
    """河南路 is Henan Road (南 belongs to the name); 河南中路 is Middle Henan Road."""
    assert english_street_name("河南路") == "Henan Road"
    assert english_street_name("河南中路") == "Middle Henan Road"
    assert english_street_name("东路") == "Dong Road"


def test_house_numbers_and_other_names() -> None:
    assert english_street_name("香山路7号") == "Xiangshan Road 7"
    assert english_street_name("永嘉路2") == "Yongjia Road 2"
    assert english_street_name("虹口足球场") == "Hongkouzuqiuchang"
    assert english_street_name("路") == "Lu"


def test_names_without_chinese_are_kept() -> None:
    assert english_street_name("Avenue Joffre") == "Avenue Joffre"
    assert english_street_name(" 南昌路 ") == "Nanchang Road"


@pytest.mark.parametrize(("zh", "en"), [
    ("石门一路", "Shimen No. 1 Road"),
    ("石门二路", "Shimen No. 2 Road"),
    ("中山东一路", "East Zhongshan No. 1 Road"),
    ("东一路", "Dongyi Road"),  # too short for a name and a number
])
def test_numbered_road_without_a_side_word(zh: str, en: str) -> None:
    """石门一路 is Shimen No. 1 Road, as 中山东一路 is East Zhongshan No. 1 Road."""
    assert english_street_name(zh) == en


@pytest.mark.parametrize(("zh", "en"), [
    ("长治路", "Changzhi Road"),
    ("长宁路", "Changning Road"),
    ("长阳路", "Changyang Road"),
    ("延长中路", "Middle Yanchang Road"),
    ("会稽路", "Kuaiji Road"),
    ("重庆南路", "South Chongqing Road"),
    ("西藏中路", "Middle Xizang Road"),
])
def test_polyphonic_character_in_a_street_name(zh: str, en: str) -> None:
    """Street names read as signed: 长 is chang (pypinyin says zhang), 会稽 is Kuaiji."""
    assert english_street_name(zh) == en


# --------------------------------------------------------------------------- steps


def test_one_street_in_both_languages() -> None:
    """The README's example: 沿南昌路向东步行 240 米 / Walk east on Nanchang Road for 240 m."""
    (step,) = build_steps([seg((0, 0), (238, 0), name_zh="南昌路")])
    assert (step.text_zh, step.text_en) == ("沿南昌路向东步行 240 米",
                                            "Walk east on Nanchang Road for 240 m")
    assert step.turn is None
    assert (step.name_zh, step.name_en) == ("南昌路", "Nanchang Road")
    assert step.distance_m == pytest.approx(238)  # the text rounds; the field does not
    assert step.bearing == pytest.approx(90, abs=0.1)
    assert not step.estimated


def test_name_en_from_osm_wins_over_pinyin() -> None:
    (step,) = build_steps([seg((0, 0), (0, 300), name_zh="中山东一路", name_en="The Bund")])
    assert step.text_en == "Walk north on The Bund for 300 m"
    assert step.name_en == "The Bund"
    assert step.text_zh == "沿中山东一路向北步行 300 米"


def test_pinyin_name_in_a_step() -> None:
    (step,) = build_steps([seg((0, 0), (-500, 0), name_zh="延安东路")])
    assert step.text_en == "Walk west on East Yan'an Road for 500 m"


def test_direction_is_the_overall_one_not_the_first_bend() -> None:
    """A street that starts north and then runs far east reads as 'north-east' or 'east'."""
    (step,) = build_steps([seg((0, 0), (0, 20), (400, 20), name_zh="南昌路")])
    assert step.text_en.startswith("Walk east on Nanchang Road")
    assert step.bearing == pytest.approx(bearing(at(0, 0), at(400, 20)))


@pytest.mark.parametrize(("end", "turn", "zh", "en"), [
    ((100, 300), "left", "左转，沿思南路向北步行 200 米", "Turn left onto Sinan Road and walk "
     "north for 200 m"),
    ((100, -100), "right", "右转，沿思南路向南步行 200 米", "Turn right onto Sinan Road and "
     "walk south for 200 m"),
    ((300, 100), "straight", "直行，沿思南路向东步行 200 米", "Continue east on Sinan Road for "
     "200 m"),
    ((-100, 100), "back", "掉头，沿思南路向西步行 200 米", "Turn around onto Sinan Road and "
     "walk west for 200 m"),
    ((241, 241), "slight-left", "向左前方，沿思南路向东北步行 200 米", "Bear left onto Sinan "
     "Road and walk north-east for 200 m"),
    ((241, -41), "slight-right", "向右前方，沿思南路向东南步行 200 米", "Bear right onto "
     "Sinan Road and walk south-east for 200 m"),
])
def test_turns(end: tuple[float, float], turn: str, zh: str, en: str) -> None:
    """Walking east on 南昌路, then 200 m on 思南路 in each direction."""
    steps = build_steps([seg((0, 100), (100, 100), name_zh="南昌路"),
                         seg((100, 100), end, name_zh="思南路", length=200)])
    assert [s.turn for s in steps] == [None, turn]
    assert (steps[1].text_zh, steps[1].text_en) == (zh, en)


def test_turn_thresholds() -> None:
    """Straight below 30 degrees, slight up to 60, a turn up to 150, else turning around."""
    def turn_after(deg: float) -> str | None:
        rad = math.radians(90 + deg)  # heading east, then turning by deg (right positive)
        end = (100 + 200 * math.sin(rad), 200 * math.cos(rad))
        steps = build_steps([seg((0, 0), (100, 0), name_zh="南昌路"),
                             seg((100, 0), end, name_zh="思南路")])
        return steps[1].turn

    assert [turn_after(d) for d in (-25, 25, -35, 35, -55, 55, -65, 65, -145, 145, -155, 155)] == [
        "straight", "straight", "slight-left", "slight-right", "slight-left", "slight-right",
        "left", "right", "left", "right", "back", "back"]


def test_turn_is_measured_from_the_end_of_the_previous_street() -> None:
    """南昌路 bends north at its end, so going on north is straight, not a left turn."""
    steps = build_steps([seg((0, 0), (300, 0), (300, 50), name_zh="南昌路"),
                         seg((300, 50), (300, 250), name_zh="思南路")])
    assert steps[1].turn == "straight"


def test_unnamed_streets() -> None:
    steps = build_steps([seg((0, 0), (0, 100)),
                         seg((0, 100), (-200, 100), name_zh="南昌路"),
                         seg((-200, 100), (-200, 300))])
    assert texts(steps) == [
        ("沿小路向北步行 100 米", "Walk north along a path for 100 m"),
        ("左转，沿南昌路向西步行 200 米", "Turn left onto Nanchang Road and walk west for 200 m"),
        ("右转，沿小路向北步行 200 米", "Turn right onto a path and walk north for 200 m"),
    ]
    assert (steps[0].name_zh, steps[0].name_en) == (None, None)


def test_continuing_onto_an_unnamed_path() -> None:
    steps = build_steps([seg((0, 0), (100, 0), name_zh="南昌路"), seg((100, 0), (200, 0))])
    assert texts(steps)[1] == ("直行，沿小路向东步行 100 米",
                               "Continue east along a path for 100 m")


def test_consecutive_segments_on_one_street_merge() -> None:
    """OSM splits a street into many edges; the walker sees one step."""
    steps = build_steps([seg((0, 0), (100, 0), name_zh="南昌路"),
                         seg((100, 0), (150, 0), name_zh="南昌路"),
                         seg((150, 0), (240, 0), name_zh="南昌路")])
    assert texts(steps) == [("沿南昌路向东步行 240 米", "Walk east on Nanchang Road for 240 m")]
    assert steps[0].distance_m == pytest.approx(240)


def test_a_short_unnamed_crossing_joins_the_street() -> None:
    """A 12 m crossing between two stretches of 南昌路 does not break the step."""
    steps = build_steps([seg((0, 0), (100, 0), name_zh="南昌路"),
                         seg((100, 0), (112, 0)),
                         seg((112, 0), (240, 0), name_zh="南昌路"),
                         seg((240, 0), (240, 100), name_zh="思南路")])
    assert [s.name_zh for s in steps] == ["南昌路", "思南路"]
    assert steps[0].distance_m == pytest.approx(240)
    assert steps[1].turn == "left"


def test_a_long_unnamed_stretch_is_its_own_step() -> None:
    steps = build_steps([seg((0, 0), (100, 0), name_zh="南昌路"),
                         seg((100, 0), (140, 0)),
                         seg((140, 0), (240, 0), name_zh="南昌路")])
    assert [s.name_zh for s in steps] == ["南昌路", None, "南昌路"]


def test_a_short_unnamed_start_joins_the_first_street() -> None:
    """A short unnamed piece of street before the first named one is not a step of its own."""
    steps = build_steps([seg((0, -20), (0, 0)), seg((0, 0), (240, 0), name_zh="南昌路")])
    (step,) = steps
    assert step.name_zh == "南昌路"
    assert step.distance_m == pytest.approx(260)
    assert step.text_zh == "沿南昌路向东步行 260 米"


def test_a_short_unnamed_walk_alone_is_kept() -> None:
    (step,) = build_steps([seg((0, 0), (0, 20))])
    assert step.text_en == "Walk north along a path for 20 m"


def test_empty_and_zero_length_segments_are_skipped() -> None:
    assert build_steps([]) == []
    assert build_steps([seg((0, 0), (0, 0), name_zh="南昌路", length=0)]) == []
    single = Segment([at(0, 0)], 50.0, "南昌路")
    steps = build_steps([single, seg((0, 0), (0, 100), name_zh="思南路")])
    assert [s.name_zh for s in steps] == ["思南路"]


def test_estimated_stretch() -> None:
    """With no street data the step says so, gives 'about', and is not merged with streets."""
    steps = build_steps([seg((0, 0), (100, 0), name_zh="南昌路"),
                         seg((100, 0), (100, 600), estimated=True)])
    assert texts(steps) == [
        ("沿南昌路向东步行 100 米", "Walk east on Nanchang Road for 100 m"),
        ("向北步行约 600 米（估算，无街道数据）",
         "Walk about 600 m north (estimated, no street data)"),
    ]
    assert steps[1].estimated
    assert steps[1].turn is None


def test_estimated_segments_merge_with_each_other_only() -> None:
    steps = build_steps([seg((0, 0), (0, 300), estimated=True),
                         seg((0, 300), (0, 600), estimated=True)])
    assert len(steps) == 1
    assert steps[0].distance_m == pytest.approx(600)


@pytest.mark.parametrize(("metres", "shown"), [
    (0.5, 5), (2, 5), (7, 5), (8, 10), (12, 10), (13, 15), (47, 45), (48, 50), (49.9, 50),
    (50, 50), (54, 50), (56, 60), (236, 240), (244, 240), (246, 250), (1234, 1230),
])
def test_distances_are_rounded(metres: float, shown: int) -> None:
    """To 5 m below 50 m, to 10 m from 50 m on, and never to zero."""
    (step,) = build_steps([seg((0, 0), (0, metres), name_zh="南昌路")])
    assert step.text_zh == f"沿南昌路向北步行 {shown} 米"
    assert step.text_en == f"Walk north on Nanchang Road for {shown} m"


# --------------------------------------------------------------------------- connectors


def test_a_connector_at_the_start_walks_to_the_street() -> None:
    """Issue 11: the walk from a site to its street is not "Turn left onto a path"."""
    steps = build_steps([conn((0, -40), (0, 0)), seg((0, 0), (240, 0), name_zh="兴业路")])
    assert texts(steps) == [
        ("步行约 40 米到达兴业路", "Walk about 40 m to Xingye Road"),
        ("沿兴业路向东步行 240 米", "Walk east on Xingye Road for 240 m"),
    ]
    assert [s.kind for s in steps] == ["connector", "street"]
    assert (steps[0].name_zh, steps[0].name_en) == (None, None)  # no street is walked on
    assert steps[1].turn is None
    assert steps[0].distance_m == pytest.approx(40)


def test_a_connector_to_an_unnamed_street() -> None:
    steps = build_steps([conn((0, -40), (0, 0)), seg((0, 0), (240, 0))])
    assert texts(steps)[0] == ("步行约 40 米到达街道", "Walk about 40 m to the street")


def test_the_street_name_from_osm_names_the_connector() -> None:
    steps = build_steps([conn((0, -40), (0, 0)),
                         seg((0, 0), (0, 300), name_zh="中山东一路", name_en="The Bund")])
    assert texts(steps)[0] == ("步行约 40 米到达中山东一路", "Walk about 40 m to The Bund")


def test_a_connector_at_the_end_walks_to_the_site() -> None:
    steps = build_steps([seg((0, 0), (240, 0), name_zh="兴业路"), conn((240, 0), (240, 40))])
    assert texts(steps) == [
        ("沿兴业路向东步行 240 米", "Walk east on Xingye Road for 240 m"),
        ("步行约 40 米到达目的地", "Walk about 40 m to the site"),
    ]
    assert steps[1].turn is None
    assert all("小路" not in s.text_zh and "path" not in s.text_en for s in steps)


def test_connectors_on_both_ends_are_never_merged_with_the_street() -> None:
    """Even a 20 m connector, which an unnamed street piece would join, stays a step."""
    steps = build_steps([conn((0, -20), (0, 0)), seg((0, 0), (240, 0), name_zh="兴业路"),
                         seg((240, 0), (240, 100), name_zh="黄陂南路"),
                         conn((240, 100), (260, 100))])
    assert [s.kind for s in steps] == ["connector", "street", "street", "connector"]
    assert [s.text_zh for s in steps] == [
        "步行约 20 米到达兴业路", "沿兴业路向东步行 240 米", "左转，沿黄陂南路向北步行 100 米",
        "步行约 20 米到达目的地"]
    assert sum(s.distance_m for s in steps) == pytest.approx(380)


def test_a_very_short_connector_is_folded_into_the_street() -> None:
    """A connector under 10 m is silent: its metres go to the street step next to it."""
    steps = build_steps([conn((0, -6), (0, 0)), seg((0, 0), (240, 0), name_zh="兴业路"),
                         conn((240, 0), (240, 8))])
    (step,) = steps
    assert step.kind == "street"
    assert step.distance_m == pytest.approx(254)
    assert step.text_zh == "沿兴业路向东步行 250 米"


def test_a_short_unnamed_street_after_the_connector_joins_the_street() -> None:
    steps = build_steps([conn((0, -40), (0, 0)), seg((0, 0), (0, 15)),
                         seg((0, 15), (240, 15), name_zh="兴业路")])
    assert texts(steps) == [
        ("步行约 40 米到达兴业路", "Walk about 40 m to Xingye Road"),
        ("沿兴业路向东步行 260 米", "Walk east on Xingye Road for 260 m"),
    ]


def test_an_estimated_connector_says_so() -> None:
    """A connector beyond the snap threshold is an estimate, labelled in both languages."""
    steps = build_steps([conn((0, -300), (0, 0), length=390, estimated=True),
                         seg((0, 0), (240, 0), name_zh="兴业路")])
    assert texts(steps)[0] == ("步行约 390 米到达兴业路（估算）",
                               "Walk about 390 m to Xingye Road (estimated)")
    assert steps[0].estimated and not steps[1].estimated


def test_a_leg_of_connectors_only() -> None:
    """Two stops joining one street at the same point: to the street, then to the site."""
    steps = build_steps([conn((0, -20), (0, 0)), conn((0, 0), (0, 20))])
    assert texts(steps) == [("步行约 20 米到达街道", "Walk about 20 m to the street"),
                            ("步行约 20 米到达目的地", "Walk about 20 m to the site")]


def test_arrive_at_names_the_stop() -> None:
    steps = build_steps([seg((0, 0), (240, 0), name_zh="兴业路"), conn((240, 0), (240, 40))])
    named = arrive_at(steps, "中共一大会址", "Site of the 1st CPC National Congress")
    assert texts(named)[1] == ("步行约 40 米到达中共一大会址",
                               "Walk about 40 m to Site of the 1st CPC National Congress")
    assert named[0] == steps[0]
    assert named[1].kind == "connector" and named[1].distance_m == steps[1].distance_m


def test_arrive_at_leaves_a_street_end_alone() -> None:
    steps = build_steps([conn((0, -40), (0, 0)), seg((0, 0), (240, 0), name_zh="兴业路")])
    assert arrive_at(steps, "中共一大会址", "Site") == steps
    assert arrive_at([], "中共一大会址", "Site") == []
