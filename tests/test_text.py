"""The terminal schedule (redroute.export.text)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from pathlib import Path

import pytest

from redroute import walk_network
from redroute._errors import NetworkWarning
from redroute.catalogue import Catalogue, load_catalogue
from redroute.export.text import schedule_text
from redroute.itinerary import (
    Excluded,
    Itinerary,
    Leg,
    Place,
    Stop,
    build_itinerary,
    load_itinerary,
)
from redroute.matrix import travel_matrix
from redroute.network import BBox
from redroute.solver import Exclusion, Reason, Solution, Visit

DAY = dt.date(2026, 12, 5)  # a Saturday
START = Place("人民广场", "People's Square", 121.4737, 31.2317, "peoples-square")


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue(Path(__file__).resolve().parent / "data" / "mini.geojson")


def make(cat: Catalogue) -> Itinerary:
    """Start -> 1st Congress site -> Old Yuyangli -> start, on the estimated network; the
    second stop is reached 20 minutes before it opens, the street plaque is left out."""
    lms = [None, cat.get("first-congress-site"), cat.get("old-yuyangli-2"),
           cat.get("street-plaque")]
    pts = [(START.lon, START.lat)] + [(lm.lon, lm.lat) for lm in lms[1:] if lm]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        net = walk_network(BBox.around(pts), network="estimate")
    m = travel_matrix(net, pts)
    t01, t12, t20 = m.duration_s[0, 1], m.duration_s[1, 2], m.duration_s[2, 0]
    a1 = 9 * 3600 + t01
    v1 = Visit(1, a1, 0.0, a1, a1 + 3600)
    a2 = v1.end + t12
    start2 = a2 + 20 * 60
    v2 = Visit(2, a2, start2 - a2, start2, start2 + 1800)
    sol = Solution(order=(1, 2), visits=(v1, v2), start_node=0, end_node=0,
                   departure=9 * 3600, finish=v2.end + t20, score=10,
                   travel_time=t01 + t12 + t20, distance=None, optimal=True,
                   excluded={3: Exclusion(Reason.LOWER_SCORE, "street-plaque left out", (),
                                          None)})
    return build_itinerary(sol, m, lms, day=DAY, start=START, end=START,
                           title_zh="建党之路", title_en="The founding walk", pace="standard",
                           mandatory=(1,))


def _at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute))


def one_stop(*, hours: str | None = "09:00-16:30", metres: float = 995.0,
             end: bool = False) -> Itinerary:
    """A hand-made walk: start, a 995 m leg of 12 minutes, one stop visited 70 minutes."""
    stop = Stop(1, "site", "某旧址", "Some site", "黄浦区某路 1 号", 121.48, 31.23,
                arrival=_at(9, 12), start=_at(9, 12), end=_at(10, 22), hours_today=hours)
    legs = [Leg("start", "site", _at(9, 0), _at(9, 12), metres, 720.0,
                [(121.47, 31.23), (121.48, 31.23)], [], estimated=False)]
    if end:
        legs.append(Leg("site", "end", _at(10, 22), _at(10, 34), metres, 720.0,
                        [(121.48, 31.23), (121.47, 31.23)], [], estimated=False))
    return Itinerary("一站", "One stop", DAY, START, START if end else None, [stop], legs,
                     speed_kmh=4.5)


def test_schedule_text_in_both_languages(cat: Catalogue) -> None:
    text = schedule_text(make(cat))
    assert text.startswith("建党之路 / The founding walk\n2026-12-05 星期六 / 2026-12-05 Sat")
    assert "09:00  出发 人民广场 / Start: People's Square" in text
    assert "1. 中共一大会址  Site of the 1st National Congress of the CPC" in text
    assert "须预约 / Booking required: 需实名预约。 Book with your ID in advance." in text
    assert "部分步行距离为估算值" in text and "some walking distances are estimated" in text
    assert ("  时间有限，已优先安排更重要的地点： / Lower priority than the stops kept:\n"
            "    - 多伦路街牌：") in text
    assert "\n共 2 站，步行 " in text and "\n2 stops, " in text
    assert text.endswith("地图数据 © OpenStreetMap 贡献者（ODbL） / "
                         "Map data © OpenStreetMap contributors (ODbL)")


def test_schedule_shows_the_wait_for_opening(cat: Catalogue) -> None:
    it = make(cat)
    assert it.stops[1].wait_minutes == pytest.approx(20, abs=0.02)
    assert "wait 20 min for opening" in schedule_text(it, lang="en")
    assert "等候开门 20 分钟" in schedule_text(it, lang="zh")


@pytest.mark.parametrize(("lang", "present", "absent"),
                         [("zh", "出发", "Start:"), ("en", "Start:", "出发")])
def test_schedule_one_language(cat: Catalogue, lang: str, present: str, absent: str) -> None:
    text = schedule_text(make(cat), lang=lang)
    assert present in text
    assert absent not in text


@pytest.mark.parametrize("lang", ["fr", "", "ZH", "zh-CN"])
def test_schedule_bad_language(lang: str) -> None:
    with pytest.raises(ValueError, match=f"schedule language {lang!r} is not one of zh, en, both"):
        schedule_text(one_stop(), lang=lang)


def test_one_stop_is_singular_and_distances_round_up_to_km() -> None:
    """995 m is "1.0 km", like every other output; one stop is "1 stop"."""
    text = schedule_text(one_stop(), lang="en")
    assert "1 stop, 1.0 km on foot, 1 h 22 min in all (4.5 km/h)" in text
    assert "↓ walk 12 min, 1.0 km" in text
    assert "visit 09:12–10:22 · open 09:00–16:30 today" in text
    assert "10:22  End of the walk" in text
    zh = schedule_text(one_stop(), lang="zh")
    assert "共 1 站，步行 1.0 km，全程 1 小时 22 分钟（4.5 公里/小时）" in zh
    assert "参观 09:12–10:22 · 今日开放 09:00–16:30" in zh


def test_round_trip_ends_at_the_end_point() -> None:
    text = schedule_text(one_stop(metres=240.0, end=True), lang="both")
    assert text.count("↓ 步行 12 分钟 / walk 12 min, 240 m") == 2
    assert "10:34  到达终点 人民广场 / End: People's Square" in text


@pytest.mark.parametrize(("hours", "zh", "en"), [
    (None, "开放时间不详", "opening hours unknown"),
    ("24/7", "全天开放", "open all day"),
    ("09:00-11:30, 13:30-16:30", "今日开放 09:00–11:30, 13:30–16:30",
     "open 09:00–11:30, 13:30–16:30 today"),
])
def test_opening_hours_phrases(hours: str | None, zh: str, en: str) -> None:
    assert f"· {zh} / {en}" in schedule_text(one_stop(hours=hours))


def test_every_left_out_reason_is_explained() -> None:
    it = one_stop()
    it.excluded = [Excluded("x", "某地", "A place", reason, "") for reason in
                   ("closed", "opens-too-late", "unknown-hours", "distance")]
    lines = schedule_text(it, lang="en").splitlines()
    assert lines[lines.index("Left out:") + 1:][:8] == [
        "  Closed that day:",
        "    - A place",
        "  It opens after the walk must end:",
        "    - A place",
        "  Its opening hours are unknown:",
        "    - A place",
        "  It is beyond the maximum walking distance:",
        "    - A place",
    ]


def test_a_zero_metre_leg_has_no_line() -> None:
    it = one_stop(metres=0.0)
    assert "↓" not in schedule_text(it)
    same_name = dataclasses.replace(it, stops=[dataclasses.replace(it.stops[0],
                                                                   name_en="某旧址")])
    assert " 1. 某旧址\n" in schedule_text(same_name)  # an untranslated name shows once


# --------------------------------------------------------------------------- issue 13: the
# first lines and the left-out list a person reads


def test_left_out_sites_are_grouped_by_reason() -> None:
    """One heading per reason, in order of first appearance, the sites under it."""
    it = one_stop()
    it.excluded = [Excluded("a", "甲", "A", "closed", ""), Excluded("b", "乙", "B", "day-ends", ""),
                   Excluded("c", "丙", "C", "closed", "")]
    lines = schedule_text(it, lang="en").splitlines()
    assert lines[lines.index("Left out:") + 1:][:5] == [
        "  Closed that day:", "    - A", "    - C",
        "  The day ends: no walk runs past midnight:", "    - B"]


def test_lower_score_and_distance_say_what_was_kept_and_how_far() -> None:
    """``lower-score`` names the kept stops of more value near it (or says the stops kept
    are worth more); ``distance`` says how far off the route the site is."""
    it = one_stop()
    it.excluded = [
        Excluded("a", "甲", "A", "lower-score", "", detour_m=650.0, instead=("site",)),
        Excluded("b", "乙", "B", "lower-score", "", detour_m=20.0),
        Excluded("c", "丙", "C", "distance", "", detour_m=2800.0)]
    text = schedule_text(it)
    assert "    - 甲：附近已安排更重要的某旧址；偏离路线 650 m / A: kept nearby instead: " \
           "Some site; 650 m off the route" in text
    assert "B: the stops kept are worth more in the time available; right by the route" in text
    assert "    - 丙：偏离路线 2.8 km / C: 2.8 km off the route" in text


def test_first_lines_name_the_holiday_and_count_estimated_legs() -> None:
    it = one_stop(end=True)
    it.holiday_zh, it.holiday_en = "国庆节", "National Day holiday"
    it.date = dt.date(2027, 10, 4)
    it.legs[1] = dataclasses.replace(it.legs[1], estimated=True)
    it.estimated = True
    head = schedule_text(it).splitlines()[:7]
    assert "2027-10-04 国庆节 / National Day holiday" in head
    assert ("注意：部分步行距离为估算值（无街道数据：2 段中 1 段）\nNote: some walking "
            "distances are estimated (no street data: 1 of 2 legs)") in "\n".join(head)


def _with_lunch() -> Itinerary:
    """``one_stop`` ending back at the start, with lunch 10:22-11:07 before the walk back."""
    from redroute.itinerary import Break

    it = one_stop(end=True)
    it.legs[1] = dataclasses.replace(it.legs[1], depart=_at(11, 7), arrive=_at(11, 19))
    it.breaks = [Break(_at(10, 22), _at(11, 7), 1, "lunch")]
    return it


def test_a_lunch_break_has_a_line_of_its_own_between_the_stops() -> None:
    """A line "10:22  午餐休息 45 分钟 / Lunch break, 45 min" after the stop it follows and
    before the walk on; in one language, only that language."""
    lines = schedule_text(_with_lunch()).splitlines()
    k = lines.index("10:22  午餐休息 45 分钟 / Lunch break, 45 min")
    assert lines[k - 1] == "           黄浦区某路 1 号"
    assert lines[k + 1].lstrip().startswith("↓")
    assert lines[k + 2].startswith("11:19")
    assert "10:22  Lunch break, 45 min" in schedule_text(_with_lunch(), lang="en")
    assert "10:22  午餐休息 45 分钟" in schedule_text(_with_lunch(), lang="zh").splitlines()
    assert "Lunch" not in schedule_text(one_stop(end=True))


def test_a_break_before_the_first_stop_follows_the_start_line() -> None:
    from redroute.itinerary import Break

    it = one_stop()
    it.breaks = [Break(_at(8, 15), _at(9, 0), 0, "lunch")]
    lines = schedule_text(it, lang="en").splitlines()
    k = lines.index("08:15  Lunch break, 45 min")
    assert lines[k - 1].startswith("08:15  Start:")


def test_a_moved_start_is_explained_on_the_first_lines() -> None:
    """Asked for 07:30, leaving at 09:00: the first lines say why."""
    it = one_stop()
    it.requested_start = _at(7, 30)
    head = schedule_text(it).splitlines()[:6]
    assert ("出发时间推迟到 09:00：此前各站均未开放 / Start moved to 09:00: nothing on the walk "
            "is open before then") in head
    assert "Start moved to 09:00: nothing on the walk is open before then" in schedule_text(
        it, lang="en").splitlines()[:6]
    it.requested_start = _at(9, 0)
    assert "Start moved" not in schedule_text(it)


def test_hours_from_an_unofficial_listing_carry_a_warning(cat: Catalogue,
                                                          tmp_path: Path) -> None:
    """A site whose hours_note says its hours are not confirmed is planned with them, and
    the schedule and the itinerary JSON say so."""
    first = cat.get("first-congress-site")
    unsure = dataclasses.replace(first, hours_note="未经核实 / Not confirmed.")
    assert first.hours_confirmed and not unsure.hours_confirmed
    it = make(Catalogue([unsure if lm.id == first.id else lm for lm in cat]))
    assert [s.hours_confirmed for s in it.stops] == [False, True]
    both = schedule_text(it, lang="both")
    assert both.count("开放时间未经官方核实，出发前请确认 / hours not confirmed by the venue") == 1
    assert "hours not confirmed" not in schedule_text(make(cat), lang="both")
    (tmp_path / "it.json").write_text(it.to_json(), encoding="utf-8")
    back = load_itinerary(tmp_path / "it.json")
    assert [s.hours_confirmed for s in back.stops] == [False, True]
