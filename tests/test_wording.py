"""The shared bilingual wording (redroute.wording)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from redroute import wording
from redroute._errors import MapError
from redroute.itinerary import Excluded, itinerary_schema
from redroute.solver import Reason
from redroute.vocabulary import Label
from redroute.wording import (
    ATTRIBUTION,
    LANGS,
    REASONS,
    attribution,
    attribution_html,
    attribution_words,
    capitalise,
    check_lang,
    date_words,
    distance,
    duration,
    hours_words,
    pick,
    plural,
    reason_words,
)


@pytest.mark.parametrize(("minutes", "zh", "en"), [
    (0, "0 分钟", "0 min"),
    (0.4, "0 分钟", "0 min"),
    (-3, "0 分钟", "0 min"),
    (1, "1 分钟", "1 min"),
    (59.6, "1 小时", "1 h"),
    (60, "1 小时", "1 h"),
    (65, "1 小时 5 分钟", "1 h 05 min"),
    (120, "2 小时", "2 h"),
    (288, "4 小时 48 分钟", "4 h 48 min"),
])
def test_duration(minutes: float, zh: str, en: str) -> None:
    assert duration(minutes, "zh") == zh
    assert duration(minutes, "en") == en
    assert duration(minutes, "both") == f"{zh} / {en}"
    assert duration(minutes) == f"{zh} / {en}"


@pytest.mark.parametrize(("metres", "text"), [
    (0, "0 m"), (-5, "0 m"), (4.9, "0 m"), (5, "10 m"), (240, "240 m"), (244, "240 m"),
    (245, "250 m"), (985, "990 m"), (994.9, "990 m"), (995, "1.0 km"), (999, "1.0 km"),
    (1000, "1.0 km"), (1049, "1.0 km"), (1050, "1.1 km"), (1234, "1.2 km"),
    (1250, "1.3 km"), (9960, "10.0 km"), (12_345, "12.3 km"),
])
def test_distance(metres: float, text: str) -> None:
    """Tens of metres below 1 km, tenths of a km above; never "1000 m"; halves round up."""
    assert distance(metres) == text


def test_plural() -> None:
    assert plural(1, "stop") == "1 stop"
    assert plural(2, "stop") == "2 stops"
    assert plural(0, "route") == "0 routes"
    assert plural(1, "page") == "1 page"
    assert plural(3, "landmark") == "3 landmarks"
    assert plural(2, "entry", "entries") == "2 entries"
    assert plural(1, "entry", "entries") == "1 entry"


def test_pick() -> None:
    assert pick("中", "en", "zh") == "中"
    assert pick("中", "en", "en") == "en"
    assert pick("中", "en", "both") == "中 / en"
    assert pick("中", "en", "both", "\n") == "中\nen"
    assert pick("同", "同", "both") == "同"  # an untranslated name shows once


@pytest.mark.parametrize("lang", LANGS)
def test_check_lang_accepts(lang: str) -> None:
    assert check_lang(lang) == lang


@pytest.mark.parametrize("lang", ["fr", "", "ZH", "zh-CN", "chinese"])
def test_check_lang_names_the_bad_value(lang: str) -> None:
    with pytest.raises(ValueError, match=f"language {lang!r} is not one of zh, en, both"):
        check_lang(lang)
    with pytest.raises(MapError, match=f"^map language {lang!r} is not"):
        check_lang(lang, what="map language", error=MapError)


def test_every_reason_code_is_explained() -> None:
    """The solver's reasons and the planner's "unknown-hours" all have both wordings, and
    the itinerary JSON accepts exactly these codes."""
    codes = {str(r) for r in Reason} | {"unknown-hours"}
    assert codes <= set(REASONS)
    excluded = itinerary_schema()["properties"]["excluded"]["items"]["properties"]
    assert set(excluded["reason"]["enum"]) == set(REASONS)
    for code in REASONS:
        zh, en = reason_words(code)
        assert zh and en and zh != en
        e = Excluded("x", "某地", "A place", code, "")
        assert (e.reason_zh, e.reason_en) == (zh, en)
    assert reason_words("mystery") == Label("mystery", "mystery")


def test_reason_codes_used_by_the_planner_are_known() -> None:
    """Every string literal passed as Excluded's reason in redroute/ has a wording."""
    package = Path(wording.__file__).resolve().parent
    found = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "Excluded" and len(node.args) >= 4
                    and isinstance(node.args[3], ast.Constant)):
                found.add(node.args[3].value)
    assert found <= set(REASONS)


@pytest.mark.parametrize(("hours", "today", "zh", "en"), [
    (None, True, "开放时间不详", "opening hours unknown"),
    (None, False, "开放时间不详", "opening hours unknown"),
    ("24/7", True, "全天开放", "open all day"),
    ("closed", True, "今日闭馆", "closed today"),
    ("closed", False, "当天闭馆", "closed that day"),
    ("09:00-16:30", True, "今日开放 09:00–16:30", "open 09:00–16:30 today"),
    ("09:00-11:30, 13:30-16:30", False, "开放 09:00–11:30, 13:30–16:30",
     "open 09:00–11:30, 13:30–16:30"),
])
def test_hours_words(hours: str | None, today: bool, zh: str, en: str) -> None:
    assert hours_words(hours, today=today) == (zh, en)


def test_dates_and_weekdays() -> None:
    day = dt.date(2026, 12, 1)  # a Tuesday
    assert date_words(day) == ("2026年12月1日 星期二", "Tuesday 1 December 2026")
    assert date_words(day, style="short") == ("2026年12月1日 星期二", "Tue 1 Dec 2026")
    assert date_words(day, style="iso") == ("2026-12-01 星期二", "2026-12-01 Tue")
    sunday = dt.date(2026, 12, 6)
    assert date_words(sunday, style="iso") == ("2026-12-06 星期日", "2026-12-06 Sun")
    with pytest.raises(ValueError, match="'medium'"):
        date_words(day, style="medium")


def test_attribution() -> None:
    assert attribution("zh") == "地图数据 © OpenStreetMap 贡献者（ODbL）"
    assert attribution("en") == "Map data © OpenStreetMap contributors (ODbL)"
    assert attribution("both") == f"{ATTRIBUTION.zh} / {ATTRIBUTION.en}"
    linked = attribution_html("en")
    assert linked == ('Map data <a href="https://www.openstreetmap.org/copyright">'
                      "© OpenStreetMap contributors</a> (ODbL)")
    assert attribution_html("zh").count("</a>") == 1
    assert attribution_html("both").count("</a>") == 2


def test_attribution_with_the_data_date() -> None:
    """Issue 11: a map made on a network names the date of its OpenStreetMap data."""
    assert attribution("zh", data_date="2025-08-09") == (
        "地图数据 © OpenStreetMap 贡献者（ODbL），2025-08-09")
    assert attribution("en", data_date="2025-08-09") == (
        "Map data © OpenStreetMap contributors (ODbL), data of 2025-08-09")
    assert attribution_words("2025-08-09") == Label(
        "地图数据 © OpenStreetMap 贡献者（ODbL），2025-08-09",
        "Map data © OpenStreetMap contributors (ODbL), data of 2025-08-09")
    assert attribution_words(None) == attribution_words("") == ATTRIBUTION
    assert attribution("both", data_date=None) == attribution("both")
    linked = attribution_html("en", data_date="2025-08-09")
    assert linked == ('Map data <a href="https://www.openstreetmap.org/copyright">'
                      "© OpenStreetMap contributors</a> (ODbL), data of 2025-08-09")
    assert attribution_html("zh", data_date="2025-08-09").endswith("（ODbL），2025-08-09")
    assert "&lt;b&gt;" in attribution_html("en", data_date="<b>")  # data, never markup


def test_capitalise() -> None:
    assert capitalise("opening hours unknown") == "Opening hours unknown"
    assert capitalise("") == ""


def test_wording_imports_only_low_level_modules() -> None:
    """wording sits below everything that writes text."""
    tree = ast.parse(Path(wording.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    ours = {m for m in imported if m.split(".")[0] == "redroute"}
    assert ours <= {"redroute._errors", "redroute.vocabulary"}
