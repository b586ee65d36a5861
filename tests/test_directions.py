"""Turn-by-turn directions: wording in both languages, compass points, turns, street names."""

from __future__ import annotations

import math
from itertools import pairwise

import pytest

from redroute.directions import (
    Segment,
    Step,
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


@pytest.mark.xfail(strict=True, reason="numbered roads without a side word (石门一路) are not "
                   "recognised: Shimenyi Road")
def test_numbered_road_without_a_side_word() -> None:
    assert english_street_name("石门一路") == "Shimen No. 1 Road"


@pytest.mark.xfail(strict=True, reason="pypinyin reads 长治 as zhangzhi")
def test_polyphonic_character_in_a_street_name() -> None:
    assert english_street_name("长治路") == "Changzhi Road"


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
    """The connector from a site's door to the street is not a step of its own."""
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
