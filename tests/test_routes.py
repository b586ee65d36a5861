"""Curated route files: the shipped ones, and one clear error per problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from redroute.catalogue import Catalogue, load_catalogue
from redroute.routes import RouteError, get_route, load_route, load_routes

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = ["founding", "xuhui-anthem", "hongkou-left-wing", "jingan-leaders", "longhua",
            "youth-league"]

GOOD = """\
id = "mini"
title_zh = "小路线"
title_en = "A small route"
theme = "founding"
district = "huangpu"
description_zh = "两站。"
description_en = "Two stops."
order = "fixed"
stops = ["first-congress-site", "old-yuyangli-2"]
start = "peoples-square"
days = ["Tu", "Sa"]
start_time = "09:30"
hours = 2
"""


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


def write(tmp_path: Path, text: str, name: str = "mini.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_routes(cat: Catalogue) -> None:
    routes = load_routes(None, cat)
    assert len(routes) >= 6
    assert set(REQUIRED) <= set(routes)
    founding = routes["founding"]
    assert {"first-congress-site", "first-congress-memorial-hall", "old-yuyangli-2",
            "new-yuyangli-6", "chengyuli-12", "zhou-gongguan",
            "sun-yat-sen-residence"} <= set(founding.stops)
    assert "pathe-building" in (routes["xuhui-anthem"].start, *routes["xuhui-anthem"].stops)
    assert {"left-wing-writers-league-memorial", "lu-xun-residence"} <= set(
        routes["hongkou-left-wing"].stops)
    assert {"second-congress-site", "mao-zedong-residence-1920",
            "mao-zedong-residence-1924"} <= set(routes["jingan-leaders"].stops)
    assert "longhua-martyrs-cemetery" in routes["longhua"].stops
    assert routes["youth-league"].theme == "youth"


def test_shipped_folder_is_the_repository_folder() -> None:
    from redroute.routes import shipped_routes_folder

    assert shipped_routes_folder().resolve() == (ROOT / "routes").resolve()


def test_good_route(cat: Catalogue, tmp_path: Path) -> None:
    r = load_route(write(tmp_path, GOOD), cat)
    assert r.stops == ("first-congress-site", "old-yuyangli-2")
    assert r.start_time == dt.time(9, 30)
    assert r.end == "start"
    assert r.recommended_on(dt.date(2026, 12, 5))  # a Saturday
    assert not r.recommended_on(dt.date(2026, 12, 7))  # a Monday


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"old-yuyangli-2"]', '"old-yuyangli"]',
         r"mini.toml line 9: stops: no landmark with id 'old-yuyangli' .*did you mean "
         "old-yuyangli-2"),
        ('start_time = "09:30"', 'start_time = "9.30am"',
         r'line 12: start_time: "9.30am" is not a time HH:MM'),
        ('order = "fixed"', 'order = "random"', r'line 8: order: "random" must be "fixed"'),
        ('theme = "founding"', 'theme = "history"', r'line 4: theme: "history" is not one of'),
        ("hours = 2", "hours = -1", r"line 13: hours: -1 must be a number of hours"),
        ('days = ["Tu", "Sa"]', 'days = ["Tuesday"]', r"line 11: days: must be a list of Mo"),
        ('title_en = "A small route"\n', "", r'mini.toml: title_en: missing required field'),
        ("hours = 2", "hours = 2\ncolour = 'red'", r"line 14: colour: unknown field"),
    ],
)
def test_one_clear_error_per_problem(cat: Catalogue, tmp_path: Path, old: str, new: str,
                                     message: str) -> None:
    assert old in GOOD
    with pytest.raises(RouteError, match=message):
        load_route(write(tmp_path, GOOD.replace(old, new)), cat)


def test_malformed_toml_names_file_and_line(cat: Catalogue, tmp_path: Path) -> None:
    with pytest.raises(RouteError, match=r"mini.toml: invalid TOML: .*line 3"):
        load_route(write(tmp_path, GOOD.replace('title_en = "A small route"',
                                                "title_en = A small route")), cat)


def test_every_problem_is_reported(cat: Catalogue, tmp_path: Path) -> None:
    text = GOOD.replace('order = "fixed"', 'order = "x"').replace("hours = 2", "hours = 99")
    with pytest.raises(RouteError) as info:
        load_route(write(tmp_path, text), cat)
    assert len(info.value.problems) == 2


def test_folder_checks(cat: Catalogue, tmp_path: Path) -> None:
    write(tmp_path, GOOD, "other-name.toml")
    with pytest.raises(RouteError, match="does not match the file name"):
        load_routes(tmp_path, cat)
    with pytest.raises(RouteError, match="does not exist"):
        load_routes(tmp_path / "nope", cat)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(RouteError, match=r"holds no \.toml route files"):
        load_routes(empty, cat)


def test_unknown_route_id(cat: Catalogue) -> None:
    from redroute._errors import NotFoundError

    with pytest.raises(NotFoundError, match="did you mean founding"):
        get_route("fonding", load_routes(None, cat))
