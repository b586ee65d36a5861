"""Trips of several days (redroute.trip) and ``plan --days``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import warnings
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from redroute import solver
from redroute._errors import NetworkWarning, PlanError
from redroute.catalogue import Catalogue, load_catalogue
from redroute.cli import main
from redroute.request import PlanRequest
from redroute.trip import Trip, plan_trip, trip_dates, trip_schema

SATURDAY = dt.date(2026, 12, 5)


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


def _trip(cat: Catalogue, days: list[dt.date], **fields: object) -> Trip:
    request = PlanRequest(**{"theme": "founding", "start": "人民广场", "hours": 4.0,
                             "time_limit": 0.5, **fields})  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        return plan_trip(request, dates=days, catalogue=cat, network="estimate")


@pytest.fixture(scope="module")
def weekend(cat: Catalogue) -> Trip:
    """Saturday, Sunday and Monday (when most halls close)."""
    return _trip(cat, trip_dates(SATURDAY, 3))


def test_no_site_twice(weekend: Trip) -> None:
    ids = weekend.stop_ids
    assert len(ids) == len(set(ids))
    assert all(p is not None and p.itinerary.stops for p in weekend.days)
    left = {e.id for e in weekend.excluded}
    assert not left & set(ids)


def test_each_day_keeps_its_own_hours(weekend: Trip, cat: Catalogue) -> None:
    """Every visit starts inside that date's windows: a Monday plan has no hall closed on
    Mondays."""
    for day, plan in zip(weekend.dates, weekend.days, strict=True):
        assert plan is not None
        assert plan.itinerary.date == day
        for s in plan.itinerary.stops:
            windows = cat.get(s.id).windows(day)
            assert windows, (day, s.id)
            assert any(w.opens <= s.start and s.end <= w.closes for w in windows), (day, s.id)
    monday = weekend.days[2]
    assert monday is not None
    assert "first-congress-memorial-hall" not in {s.id for s in monday.itinerary.stops}


def _sequential_score(problem: solver.MultiProblem) -> float:
    """Plan the days one after another: each day the best tour of what is left."""
    taken: set[int] = set()
    total = 0.0
    for single in problem.problems:
        windows = [[] if v in taken else list(w) for v, w in enumerate(single.windows)]
        closes = (None if single.closes is None else
                  [[] if v in taken else list(c) for v, c in enumerate(single.closes)])
        day = dataclasses.replace(single, windows=windows, closes=closes)
        sol = solver.solve(day, time_limit=0.5)
        taken |= set(sol.order)
        total += sol.score
    return total


def test_the_joint_choice_beats_days_one_after_another(weekend: Trip) -> None:
    assert weekend.solution.score >= _sequential_score(weekend.problem) - 1e-6


def test_the_best_sites_are_spread_over_the_days(cat: Catalogue) -> None:
    """Two days, the same hours: the two most valuable open sites do not both go to day 1
    when day 2 could hold one (the joint objective fills both days)."""
    trip = _trip(cat, [SATURDAY, SATURDAY + dt.timedelta(days=1)], hours=2.5)
    counts = [len(p.itinerary.stops) if p else 0 for p in trip.days]
    assert all(counts)


def test_a_trip_json_follows_its_schema(weekend: Trip) -> None:
    data = json.loads(weekend.to_json())
    jsonschema.validate(data, trip_schema())
    assert data["schema"] == "redroute-trip/1"
    assert [d["date"] for d in data["days"]] == [d.isoformat() for d in weekend.dates]
    assert data["totals"]["stops"] == len(weekend.stop_ids)


def test_bad_trips_are_refused(cat: Catalogue) -> None:
    with pytest.raises(PlanError, match="given twice"):
        _trip(cat, [SATURDAY, SATURDAY])
    with pytest.raises(PlanError, match="fixed"):
        _trip(cat, [SATURDAY], stops=("first-congress-site", "chengyuli-12"), theme=None,
              order="fixed")
    with pytest.raises(PlanError, match="1 to 14"):
        trip_dates(SATURDAY, 15)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_plan_days_writes_the_trip_and_each_day(tmp_path: Path, offline: Path) -> None:
    out = tmp_path / "trip"
    code, stdout, err = run("plan", "--theme", "founding", "--district", "huangpu", "--days",
                            "2", "--date", "2026-12-05", "--start", "人民广场", "--hours", "3",
                            "--network", "estimate", "--time-limit", "0.5", "-o", str(out))
    assert code == 0, err
    assert stdout.startswith("2 天行程：")
    assert "第 1 天 · 2026-12-05" in stdout and "Day 2 · 2026-12-06" in stdout
    names = sorted(p.name for p in out.iterdir())
    assert "trip.json" in names and "trip.gpx" in names and "trip.geojson" in names
    assert {"day-1-map.html", "day-2-map.html", "day-1-leaflet.pdf", "leaflet.pdf"} <= set(names)
    gpx = (out / "trip.gpx").read_text(encoding="utf-8")
    assert gpx.count("<trk>") == 2
    assert re.search(r"<name>1\. 2026-12-05 ", gpx)
    data = json.loads((out / "trip.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, trip_schema())
    features = json.loads((out / "trip.geojson").read_text(encoding="utf-8"))["features"]
    assert {f["properties"]["day"] for f in features} == {1, 2}


def test_plan_days_leaflet_is_the_trips_booklet(tmp_path: Path) -> None:
    """--leaflet with --days writes the trip's booklet (tests/test_leaflet_booklet.py);
    its output is checked before the plan like any other."""
    code, _, err = run("plan", "--theme", "founding", "--days", "2",
                       "--leaflet", str(tmp_path / "no" / "m.pdf"))
    assert code == 1
    assert "(--leaflet)" in err and "for a trip of several days" not in err
    assert not (tmp_path / "no").exists()


def test_bad_dates_get_one_line(tmp_path: Path) -> None:
    code, _, err = run("plan", "--theme", "founding", "--dates", "2026-12-05,2026-13-01")
    assert code == 2
    assert "'2026-13-01' is not a date" in err
    assert "Traceback" not in err
    code, _, err = run("plan", "--theme", "founding", "--days", "2", "--dates", "2026-12-05")
    assert code == 2
    assert "--days or --dates" in err
