"""PlanRequest: one validated request, from Python, TOML files and command-line options."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from redroute._errors import PlanError
from redroute.request import PlanRequest

ROUTES = Path(__file__).resolve().parent.parent / "routes"


def test_defaults_and_normalisation() -> None:
    r = PlanRequest(stops=["old-yuyangli-2", "chengyuli-12"], hours=3)  # type: ignore[arg-type]
    assert r.stops == ("old-yuyangli-2", "chengyuli-12")
    assert isinstance(r.hours, float) and r.hours == 3.0
    assert r.start is None and r.end == "start"  # None: the station nearest the stops
    assert r.start_time == dt.time(9, 0) and r.order == "optimize"
    assert hash(r) == hash(PlanRequest(stops=("old-yuyangli-2", "chengyuli-12"), hours=3.0))


@pytest.mark.parametrize(("fields", "message"), [
    ({}, "stops: no candidate stops"),
    ({"stops": ("a-b",), "hours": 0}, "hours: 0 must be"),
    ({"stops": ("a-b",), "hours": float("nan")}, "hours: nan must be"),
    ({"stops": ("a-b",), "pace": "jogging"}, 'pace: "jogging" is not a pace'),
    ({"stops": ("a-b",), "pace": 42}, "walking speed 42 km/h"),
    ({"stops": ("a-b",), "order": "random"}, 'order: "random" must be'),
    ({"theme": "founding", "order": "fixed"}, "order: fixed needs the stops"),
    ({"theme": "nonsense"}, 'theme: "nonsense" is not one of'),
    ({"district": "atlantis"}, 'district: "atlantis" is not one of'),
    ({"stops": ("a-b", "a-b")}, 'stops: landmark "a-b" is listed twice'),
    ({"stops": ("a b",)}, 'stops: "a b" is not a landmark id'),
    ({"stops": ("a-b",), "crs": "utm"}, 'crs: "utm" must be one of'),
    ({"stops": ("a-b",), "max_walk_km": -1}, "max_walk_km: -1 must be"),
    ({"stops": ("a-b",), "start": " "}, "start: must be"),
    ({"stops": ("a-b",), "seed": 1.5}, "seed: 1.5 must be an integer"),
])
def test_every_bad_field_is_named(fields: dict[str, object], message: str) -> None:
    with pytest.raises(PlanError, match=message) as info:
        PlanRequest(**fields)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)
    assert info.value.problems[0].startswith("PlanRequest ")


def test_every_curated_route_file_reads_as_a_request() -> None:
    """A route file is a request plus curation metadata (id, descriptions, days)."""
    files = sorted(ROUTES.glob("*.toml"))
    assert files
    for path in files:
        request = PlanRequest.from_toml(path)
        assert request.stops and request.title_zh and request.theme


def test_from_toml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "walk.toml"
    path.write_text('stops = ["old-yuyangli-2"]\nstart_time = "9.30am"\npace = "jog"\n'
                    'colour = "red"\n', encoding="utf-8")
    with pytest.raises(PlanError) as info:
        PlanRequest.from_toml(path)
    problems = info.value.problems
    assert f'{path} line 4: colour: unknown field' in problems[0]
    assert any(p.startswith(f'{path} line 2: start_time: "9.30am" is not a time')
               for p in problems)
    assert any(p.startswith(f'{path} line 3: pace: "jog" is not a pace') for p in problems)
    assert "(and 2 more problems)" in str(info.value)


def test_from_toml_bad_files(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="does not exist"):
        PlanRequest.from_toml(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("stops = [", encoding="utf-8")
    with pytest.raises(PlanError, match="invalid TOML"):
        PlanRequest.from_toml(bad)


def test_from_cli_changes_only_what_was_given() -> None:
    base = PlanRequest.from_toml(ROUTES / "founding.toml")
    same = PlanRequest.from_cli(base, hours=None, pace=None, stops=None, end=None)
    assert same == base
    changed = PlanRequest.from_cli(base, hours=3.0, pace="senior", end="none",
                                   mandatory="first-congress-site, old-yuyangli-2")
    assert changed.hours == 3.0 and changed.pace == "senior" and changed.end is None
    assert changed.mandatory == ("first-congress-site", "old-yuyangli-2")
    assert changed.stops == base.stops and changed.title_en == base.title_en
    assert PlanRequest.from_cli(base, pace="3.2").pace == 3.2


def test_from_cli_errors_name_the_option() -> None:
    with pytest.raises(PlanError) as info:
        PlanRequest.from_cli(None, stops="a-b", hours=30.0, pace="jog")
    assert info.value.problems == [
        "--hours 30.0: 30.0 must be a number of hours more than 0 and at most 24",
        '--pace jog: "jog" is not a pace: expected standard (4.5 km/h), senior (3.5 km/h), '
        "family (3 km/h), or km/h",
    ]
    with pytest.raises(PlanError, match=r"^--stops: no candidate stops"):
        PlanRequest.from_cli(None)


def test_round_trip_through_plain_values() -> None:
    request = PlanRequest(stops=("old-yuyangli-2",), end=None, start_time=dt.time(10, 15),
                          max_walk_km=6.5, step_free=True)
    plain = request.to_dict()
    assert plain["end"] == "none" and plain["start_time"] == "10:15"
    assert PlanRequest.from_dict(plain) == request


def test_replace_validates_again() -> None:
    request = PlanRequest(theme="founding")
    assert request.replace(hours=2).hours == 2.0
    with pytest.raises(PlanError, match="hours"):
        request.replace(hours=-1)
