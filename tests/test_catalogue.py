"""Loading, validating and querying catalogues (on small fixtures)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from redroute import catalogue as cat_mod
from redroute._errors import CatalogueError, NotFoundError
from redroute.catalogue import Catalogue, load_catalogue, parse_catalogue, validate_text

TUE = dt.date(2026, 12, 1)
MON = dt.date(2026, 11, 30)


@pytest.fixture
def mini(mini_path: Path) -> Catalogue:
    return load_catalogue(mini_path)


@pytest.fixture
def mini_data(mini_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(mini_path.read_text(encoding="utf-8"))
    return data


def problems_of(data: Any) -> list[str]:
    return [str(p) for p in validate_text(json.dumps(data, ensure_ascii=False), source="t.geojson")]


def mutate(data: dict[str, Any], index: int, **props: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for key, value in props.items():
        if value is None:
            out["features"][index]["properties"].pop(key, None)
        else:
            out["features"][index]["properties"][key] = value
    return out


# --------------------------------------------------------------------------- loading


def test_load_gives_typed_landmarks(mini: Catalogue) -> None:
    assert len(mini) == 3
    first = mini.get("first-congress-site")
    assert (first.lon, first.lat) == (121.470552, 31.222068)
    assert first.themes == ("founding",)
    assert first.last_entry == 60
    assert mini.get("street-plaque").opening_hours is None
    assert "old-yuyangli-2" in mini


def test_geojson_round_trip(mini: Catalogue) -> None:
    again = parse_catalogue(json.dumps(mini.to_geojson()), source="again")
    assert list(again) == list(mini)


def test_geodataframe(mini: Catalogue) -> None:
    frame = mini.to_geodataframe()
    assert frame.crs.to_epsg() == 4326
    assert list(frame.index) == mini.ids
    assert frame.loc["first-congress-site"].geometry.x == pytest.approx(121.470552)
    assert frame.loc["old-yuyangli-2", "themes"] == ["founding", "publishing"]


def test_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="does not exist"):
        load_catalogue(tmp_path / "nope.geojson")


def test_shipped_catalogue_comes_from_the_package() -> None:
    path = cat_mod.shipped_catalogue_path()
    assert path.name == "landmarks.geojson"
    assert path.read_text(encoding="utf-8") == (
        Path(__file__).resolve().parent.parent / "landmarks.geojson").read_text(encoding="utf-8")
    assert len(load_catalogue()) >= 60


# --------------------------------------------------------------------------- validation


def test_json_syntax_error_has_line_and_column() -> None:
    (problem,) = validate_text('{"type": "FeatureCollection",\n "features": [,]}', source="x")
    assert str(problem).startswith("x line 2, column 15: invalid JSON")


def test_missing_field_names_feature_id_and_field(mini_data: dict[str, Any]) -> None:
    (msg,) = problems_of(mutate(mini_data, 1, summary_en=None))
    assert msg == 't.geojson feature 1 (old-yuyangli-2): missing required field "summary_en"'


def test_unknown_field_suggests_the_right_one(mini_data: dict[str, Any]) -> None:
    data = mutate(mini_data, 0, opening_hour="24/7")
    (msg,) = problems_of(data)
    assert 'unknown field "opening_hour"; did you mean "opening_hours"?' in msg
    assert "feature 0 (first-congress-site)" in msg


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("district", "pudong2", 'district "pudong2" is not in the vocabulary; expected one of: '
                                "huangpu, xuhui"),
        ("category", "temple", 'category "temple" is not in the vocabulary'),
        ("themes", ["founding", "sport"], 'theme "sport" is not in the vocabulary'),
        ("booking", "maybe", 'booking "maybe" is not in the vocabulary'),
    ],
)
def test_unknown_vocabulary(mini_data: dict[str, Any], field: str, value: Any,
                            expected: str) -> None:
    (msg,) = problems_of(mutate(mini_data, 2, **{field: value}))
    assert "feature 2 (street-plaque)" in msg
    assert expected in msg


def test_invalid_opening_hours(mini_data: dict[str, Any]) -> None:
    (msg,) = problems_of(mutate(mini_data, 0, opening_hours="Tu-Su 9-17"))
    assert msg.startswith('t.geojson feature 0 (first-congress-site): opening_hours "Tu-Su 9-17"'
                          " is not valid")


def test_last_entry_without_hours(mini_data: dict[str, Any]) -> None:
    (msg,) = problems_of(mutate(mini_data, 2, last_entry=30))
    assert "last_entry is given but opening_hours is not" in msg


def test_duplicate_ids(mini_data: dict[str, Any]) -> None:
    (msg,) = problems_of(mutate(mini_data, 2, id="first-congress-site"))
    assert msg == ('t.geojson feature 2 (first-congress-site): duplicate id '
                   '"first-congress-site" (first used by feature 0)')


def test_booking_needs_a_note(mini_data: dict[str, Any]) -> None:
    msgs = problems_of(mutate(mini_data, 1, booking="required"))
    assert any("booking_note_zh and booking_note_en are required" in m for m in msgs)


def test_bad_slug(mini_data: dict[str, Any]) -> None:
    (msg,) = problems_of(mutate(mini_data, 1, id="Old Yuyangli"))
    assert 'id "Old Yuyangli" is not a slug' in msg


@pytest.mark.parametrize(
    ("position", "hint"),
    [
        ([31.222068, 121.470552], "lat/lon swapped?"),
        ([0, 0], "missing position"),
        ([116.404, 39.915], "elsewhere in China"),
        ([355000.0, 3455000.0], "outside the Shanghai region"),
    ],
)
def test_positions_outside_shanghai_get_a_hint(mini_data: dict[str, Any], position: list[float],
                                               hint: str) -> None:
    data = copy.deepcopy(mini_data)
    data["features"][0]["geometry"]["coordinates"] = position
    (msg,) = problems_of(data)
    assert msg.startswith("t.geojson feature 0 (first-congress-site): position")
    assert hint in msg


def test_every_problem_is_reported(mini_data: dict[str, Any]) -> None:
    data = mutate(mini_data, 0, district="mars")
    data = mutate(data, 2, opening_hours="whenever")
    msgs = problems_of(data)
    assert len(msgs) == 2
    with pytest.raises(CatalogueError, match=r"\(and 1 more problem\)") as info:
        parse_catalogue(json.dumps(data), source="t.geojson")
    assert len(info.value.problems) == 2


def test_not_a_feature_collection() -> None:
    msgs = problems_of({"type": "Feature", "features": []})
    assert any("must be 'FeatureCollection'" in m for m in msgs)


def test_geometry_must_be_a_point(mini_data: dict[str, Any]) -> None:
    data = copy.deepcopy(mini_data)
    data["features"][1]["geometry"] = {"type": "LineString", "coordinates": [[1, 2], [3, 4]]}
    msgs = problems_of(data)
    assert any("feature 1 (old-yuyangli-2)" in m and "'Point'" in m for m in msgs)


# --------------------------------------------------------------------------- queries


def test_query_by_vocabulary(mini: Catalogue) -> None:
    assert mini.query(district="hongkou").ids == ["street-plaque"]
    assert mini.query(theme="founding").ids == ["first-congress-site", "old-yuyangli-2"]
    assert mini.query(category="monument", district="huangpu").ids == []


def test_query_unknown_vocabulary_is_an_error(mini: Catalogue) -> None:
    with pytest.raises(CatalogueError, match="unknown district 'Huangpu'"):
        mini.query(district="Huangpu")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("渔阳里", ["old-yuyangli-2"]),
        ("Yu Yang Li", ["old-yuyangli-2"]),
        ("yuyangli", ["old-yuyangli-2"]),
        ("zhonggongyidahuizhi", ["first-congress-site"]),
        ("NATIONAL CONGRESS", ["first-congress-site"]),
        ("兴业路", ["first-congress-site"]),
        ("duolun", ["street-plaque"]),
        ("no such place", []),
    ],
)
def test_query_text(mini: Catalogue, text: str, expected: list[str]) -> None:
    assert mini.query(text=text).ids == expected


def test_query_open_at(mini: Catalogue) -> None:
    assert mini.query(open_at=MON).ids == []
    assert mini.query(open_at=TUE).ids == ["first-congress-site", "old-yuyangli-2"]
    noon = dt.datetime.combine(TUE, dt.time(12, 0))
    assert mini.query(open_at=noon).ids == ["first-congress-site"]  # lunch break
    late = dt.datetime.combine(TUE, dt.time(16, 15))
    assert mini.query(open_at=late).ids == []  # both past last entry


def test_query_near_sorts_by_distance(mini: Catalogue) -> None:
    near = mini.query(near=(31.2215, 121.4650), radius_m=2000)
    assert near.ids == ["old-yuyangli-2", "first-congress-site"]
    assert mini.query(near=(31.2215, 121.4650), radius_m=200).ids == ["old-yuyangli-2"]


def test_radius_without_centre(mini: Catalogue) -> None:
    with pytest.raises(CatalogueError, match="centre"):
        mini.query(radius_m=100)


def test_get_suggests_close_ids(mini: Catalogue) -> None:
    with pytest.raises(NotFoundError, match="did you mean old-yuyangli-2"):
        mini.get("old-yuyangli")


def test_landmark_windows(mini: Catalogue) -> None:
    lm = mini.get("old-yuyangli-2")
    assert [w.label() for w in lm.windows(TUE) or []] == ["09:00-11:30", "13:30-16:30"]
    assert lm.windows(MON) == []
    assert mini.get("street-plaque").windows(TUE) is None


def test_schema_lists_every_property() -> None:
    names = cat_mod.catalogue_schema_fields()
    assert {"opening_hours", "last_entry", "booking_note_en", "coord_source"} <= set(names)
