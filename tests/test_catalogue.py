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


# --------------------------------------------------------------------------- text hygiene


@pytest.mark.parametrize(("char", "label"), [
    ("\x00", "control character NUL (U+0000)"),
    ("\x01", "control character U+0001"),
    ("\x0b", "control character VERTICAL TAB (U+000B)"),
    ("\x1b", "control character ESC (U+001B)"),
    ("\t", "control character TAB (U+0009)"),
    ("\x7f", "control character DEL (U+007F)"),
    ("\x9b", "control character U+009B"),
    ("\u202e", "RIGHT-TO-LEFT OVERRIDE (U+202E)"),
    ("\u2028", "LINE SEPARATOR (U+2028)"),
    ("\ufeff", "byte order mark (U+FEFF)"),
])
def test_control_characters_are_refused_with_feature_id_and_field(
        mini_data: dict[str, Any], char: str, label: str) -> None:
    """A control character in a name is named, with the feature, its id, the field and
    where in the text it is (it would break the GPX or drive the terminal)."""
    (msg,) = problems_of(mutate(mini_data, 1, name_en=f"Old{char}[31m Yuyangli"))
    assert msg.startswith("t.geojson feature 1 (old-yuyangli-2): name_en contains ")
    assert label in msg
    assert msg.endswith("at character 4")


def test_a_lone_surrogate_is_refused(mini_data: dict[str, Any]) -> None:
    """``"\\ud800"`` is valid JSON but no character: it cannot even be printed."""
    text = json.dumps(mutate(mini_data, 0, address_zh="兴业路@"), ensure_ascii=True)
    text = text.replace("@", "\\ud800")
    (problem,) = validate_text(text, source="t.geojson")
    assert (problem.index, problem.id) == (0, "first-congress-site")
    assert "address_zh contains a lone surrogate half (U+D800) at character 4" in str(problem)


def test_line_breaks_only_in_summaries_and_notes(mini_data: dict[str, Any]) -> None:
    """Summaries and booking notes are prose and may hold paragraphs (``\\n``, nothing
    else); names and addresses are one line."""
    data = mutate(mini_data, 0, summary_en="First paragraph.\nSecond paragraph.",
                  booking_note_zh="请预约。\n周一闭馆。")
    assert problems_of(data) == []
    (msg,) = problems_of(mutate(mini_data, 0, name_en="Site of the\nFirst Congress"))
    assert "name_en contains the control character LINE FEED (U+000A) at character 12" in msg
    assert "only summaries and booking notes may hold line breaks" in msg
    (msg,) = problems_of(mutate(mini_data, 0, summary_en="Carriage\rreturn"))
    assert "summary_en contains the control character CARRIAGE RETURN (U+000D)" in msg


def test_a_control_character_in_a_source_names_the_item(mini_data: dict[str, Any]) -> None:
    (msg,) = problems_of(mutate(mini_data, 2, sources=["ok", "bad\x07bell"]))
    assert "feature 2 (street-plaque): sources.1 contains the control character U+0007" in msg


def test_control_character_in_opening_hours_is_named_not_parsed(
        mini_data: dict[str, Any]) -> None:
    (msg,) = problems_of(mutate(mini_data, 0, opening_hours="Tu-Su 09:00-17:00\x00"))
    assert "opening_hours contains the control character NUL (U+0000)" in msg


@pytest.mark.parametrize(("blank", "named"), [
    ("\u3000", "IDEOGRAPHIC SPACE (U+3000)"),
    ("\u3000\u3000", "IDEOGRAPHIC SPACE (U+3000)"),
    ("\u200b", "ZERO WIDTH SPACE (U+200B)"),
    ("\u200b\u200c\u200d", "ZERO WIDTH JOINER (U+200D)"),
    ("\u00a0 ", "NO-BREAK SPACE (U+00A0)"),
    ("\u2060", "WORD JOINER (U+2060)"),
    ("\u3164", "HANGUL FILLER (U+3164)"),
])
def test_names_of_only_blanks_are_refused(mini_data: dict[str, Any], blank: str,
                                          named: str) -> None:
    """A name of ideographic spaces or zero-width characters looks empty on every
    output; the message says which characters it holds."""
    (msg,) = problems_of(mutate(mini_data, 0, name_zh=blank))
    assert msg.startswith("t.geojson feature 0 (first-congress-site): name_zh is blank: only ")
    assert named in msg


def test_an_address_of_only_blanks_is_refused(mini_data: dict[str, Any]) -> None:
    (msg,) = problems_of(mutate(mini_data, 2, address_zh="\u200b\u3000"))
    assert "feature 2 (street-plaque): address_zh is blank: only ZERO WIDTH SPACE" in msg


def test_visible_text_with_invisible_characters_is_kept(mini_data: dict[str, Any]) -> None:
    """A zero-width joiner inside real text (emoji, some scripts) is not blank."""
    data = mutate(mini_data, 0, name_en="Site\u200d one", name_zh="一大\u3000会址")
    assert problems_of(data) == []


def test_the_shipped_catalogue_has_clean_text() -> None:
    assert cat_mod.validate_file(cat_mod.shipped_catalogue_path()) == []


# --------------------------------------------------------------------------- deep JSON


@pytest.mark.parametrize("depth", [100, 990, 5000, 100_000])
def test_deeply_nested_document_is_one_problem(depth: int) -> None:
    """Python's JSON parser runs out of stack on deep nesting: one problem, no traceback."""
    problems = validate_text("[" * depth + "]" * depth, source="deep.json")
    assert len(problems) == 1
    assert "nested more than 64 levels deep" in str(problems[0])
    with pytest.raises(CatalogueError, match="nested more than 64 levels deep"):
        parse_catalogue("[" * depth + "]" * depth, source="deep.json")


@pytest.mark.parametrize("depth", [100, 900, 5000])
@pytest.mark.parametrize("where", ["name_en", "themes", "coordinates", "extra"])
def test_deeply_nested_value_in_a_feature(mini_data: dict[str, Any], depth: int,
                                          where: str) -> None:
    """A deep value inside one feature names that feature, or is ignored where the schema
    ignores it (an extra member of a Feature)."""
    data = copy.deepcopy(mini_data)
    feature = data["features"][1]
    if where == "coordinates":
        feature["geometry"]["coordinates"] = "@"
    elif where == "extra":
        feature["x"] = "@"
    else:
        feature["properties"][where] = "@"
    text = json.dumps(data).replace('"@"', "[" * depth + "]" * depth)
    problems = validate_text(text, source="t.geojson")
    if where == "extra" and depth < 1000:
        assert problems == []
        return
    assert len(problems) == 1
    assert "nested more than 64 levels deep" in str(problems[0])
    if depth < 1000:
        assert (problems[0].index, problems[0].id) == (1, "old-yuyangli-2")


# --------------------------------------------------------------------------- fast path


def test_fast_path_clears_every_shipped_feature() -> None:
    data = json.loads(cat_mod.shipped_catalogue_path().read_text(encoding="utf-8"))
    assert all(cat_mod._plain_feature(f) for f in data["features"])


@pytest.mark.parametrize(("field", "value"), [
    ("visit_minutes", 30.0), ("visit_minutes", True), ("visit_minutes", 0),
    ("visit_minutes", 481), ("significance", "5"), ("themes", []),
    ("themes", ["founding", "founding"]), ("themes", "founding"), ("sources", []),
    ("sources", [""]), ("name_en", ""), ("name_en", " "), ("name_en", 5), ("id", "A"),
    ("id", "a" * 81), ("district", "Huangpu"), ("booking", "required"), ("extra", 1),
    ("last_entry", -1), ("summary_zh", None),
])
def test_fast_path_never_clears_what_the_schema_refuses(mini_data: dict[str, Any], field: str,
                                                       value: Any) -> None:
    """The fast path may send a valid feature to jsonschema, never pass an invalid one."""
    import jsonschema

    feature = mutate(mini_data, 1, **{field: value})["features"][1]
    if value is None:
        feature["properties"].pop(field, None)
    schema = cat_mod.catalogue_schema()["properties"]["features"]["items"]
    valid = not list(jsonschema.Draft202012Validator(schema).iter_errors(feature))
    assert cat_mod._plain_feature(feature) <= valid
    if field == "visit_minutes" and value == 30.0:  # an integer as a float: valid, slow path
        assert valid


def test_geometry_variants_against_the_schema(mini_data: dict[str, Any]) -> None:
    import jsonschema

    schema = cat_mod.catalogue_schema()["properties"]["features"]["items"]
    for coordinates in ([121.47, 31.22, 5], [121.47], [121.47, "31.22"], [True, 31.2],
                        [121.47, 31.22, 1, 2]):
        feature = copy.deepcopy(mini_data["features"][0])
        feature["geometry"]["coordinates"] = coordinates
        valid = not list(jsonschema.Draft202012Validator(schema).iter_errors(feature))
        assert cat_mod._plain_feature(feature) <= valid, coordinates


def test_many_problems_stay_in_file_order(mini_data: dict[str, Any]) -> None:
    """Twelve bad features and a bad document type: the order of one sort of every path,
    as before the fast path ("features.10" before "features.2", "type" last)."""
    data = copy.deepcopy(mini_data)
    data["features"] = [copy.deepcopy(data["features"][0]) for _ in range(12)]
    for i, f in enumerate(data["features"]):
        f["properties"]["id"] = f"site-{i}"
        f["properties"]["district"] = "mars"
    data["type"] = "Collection"
    msgs = problems_of(data)
    assert [m.split(" ")[2] for m in msgs[:3]] == ["0", "1", "10"]
    assert msgs[-1].startswith("t.geojson: type must be")


# --------------------------------------------------------------------------- common names


@pytest.mark.parametrize(("text", "expected"), [
    ("一大会址", "first-congress-site"),
    ("渔阳里", "old-yuyangli-2"),
    ("多伦路", "left-wing-writers-league-memorial"),
    ("龙华", "longhua-martyrs-cemetery"),
])
def test_text_search_finds_common_names(text: str, expected: str) -> None:
    """``landmarks list -q 一大会址`` finds the site people call so (``places.json``)."""
    assert expected in load_catalogue().query(text=text).ids


def test_common_names_keep_the_other_text_matches() -> None:
    """A common name adds its landmark; names, addresses and pinyin still match as before."""
    found = load_catalogue().query(text="渔阳里").ids
    assert "new-yuyangli-6" in found  # 新渔阳里: by its own name
    assert "first-congress-site" in load_catalogue().query(text="1st National Congress").ids
