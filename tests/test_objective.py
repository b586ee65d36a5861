"""The plan's objective: what visitors value (significance, relevance, visit time), walking
as a cost, and a curated route's core stops."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pytest

from redroute._errors import NetworkWarning
from redroute.catalogue import Catalogue, load_catalogue
from redroute.plan import SIGNIFICANCE_VALUE, make_plan, visit_value
from redroute.request import PlanRequest
from redroute.routes import load_routes

SATURDAY = dt.date(2026, 12, 5)
ROUTES = ["founding", "xuhui-anthem", "hongkou-left-wing", "jingan-leaders", "longhua",
          "youth-league", "labour-uprising", "bund", "changning-west", "huaihai-road", "putuo-west",
          "yangpu-east"]


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


def quiet_plan(request: PlanRequest, cat: Catalogue, day: dt.date = SATURDAY) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        return make_plan(request, catalogue=cat, date=day)


def test_one_national_landmark_outweighs_several_plaques(cat: Catalogue) -> None:
    """Convex in significance: a significance-5 memorial hall is worth more than four
    significance-2 plaques together."""
    assert SIGNIFICANCE_VALUE[5] > 4 * SIGNIFICANCE_VALUE[2]
    request = PlanRequest(theme="founding")
    hall = visit_value(cat.get("first-congress-memorial-hall"), request)
    plaques = [lm for lm in cat.query(theme="founding") if lm.significance <= 2]
    assert plaques
    assert hall > 4 * max(visit_value(lm, request) for lm in plaques)


def test_relevance_to_the_request(cat: Catalogue) -> None:
    """For a free request, a site of another theme or district is worth less."""
    lm = cat.get("first-congress-site")
    on = visit_value(lm, PlanRequest(theme=lm.themes[0], district=lm.district))
    off_theme = visit_value(lm, PlanRequest(theme="anthem", district=lm.district))
    other_district = visit_value(lm, PlanRequest(theme=lm.themes[0], district="hongkou"))
    assert on > off_theme and on > other_district
    # A curated list of stops is relevant by choice.
    assert visit_value(lm, PlanRequest(stops=(lm.id,), theme="anthem")) == pytest.approx(
        visit_value(lm, PlanRequest(stops=(lm.id,))))


def test_core_stops_outweigh_everything_else(cat: Catalogue) -> None:
    route = load_routes(None, cat)["founding"]
    request = route.request
    core = [visit_value(cat.get(i), request) for i in request.core]
    others = [visit_value(cat.get(i), request) for i in request.stops if i not in request.core]
    assert min(core) > sum(others)


@pytest.mark.slow
@pytest.mark.parametrize("route_id", ROUTES)
def test_every_route_keeps_its_core_stops_on_a_recommended_day(cat: Catalogue, route_id: str,
                                                               offline: Path) -> None:
    """Each curated route's description promises its core stops; on a recommended day
    (Saturday) every one whose hours are known is kept, and one whose hours are unknown (not
    found from an official channel: never guessed) is named as left out, with that reason."""
    route = load_routes(None, cat)[route_id]
    assert route.request.core, f"{route_id} names no core stops"
    it = quiet_plan(route.request, cat).itinerary  # type: ignore[attr-defined]
    kept = {s.id for s in it.stops}
    known = {i for i in route.request.core if cat.get(i).opening_hours is not None}
    assert known <= kept, [e for e in it.excluded if e.core]
    for e in it.excluded:
        if e.id in route.request.core:
            assert e.core and e.reason == "unknown-hours", e


def test_a_core_stop_that_cannot_fit_says_so(cat: Catalogue, offline: Path) -> None:
    """Too short a day for every promised stop: the ones left out are marked core, with a
    time reason, not "lower score"."""
    route = load_routes(None, cat)["founding"]
    it = quiet_plan(route.request.replace(hours=2.5), cat).itinerary  # type: ignore[attr-defined]
    core_left = [e for e in it.excluded if e.core]
    assert core_left
    assert all(e.reason != "lower-score" for e in core_left)


def test_a_plaque_far_off_the_route_is_dropped_before_a_memorial_hall(cat: Catalogue,
                                                                     offline: Path) -> None:
    """Walking is a cost: a minor plaque that needs a long detour is left out, with the
    detour said, while the memorial halls stay."""
    far_plaque = min((lm for lm in cat if lm.significance <= 2 and lm.district == "hongkou"
                      and lm.opening_hours == "24/7"), key=lambda lm: -lm.lat)
    request = PlanRequest(stops=("first-congress-site", "first-congress-memorial-hall",
                                 "old-yuyangli-2", far_plaque.id),
                          start="xintiandi", hours=8, max_walk_km=30)
    it = quiet_plan(request, cat).itinerary  # type: ignore[attr-defined]
    kept = {s.id for s in it.stops}
    assert {"first-congress-site", "first-congress-memorial-hall"} <= kept
    assert far_plaque.id not in kept
    left = {e.id: e for e in it.excluded}
    assert left[far_plaque.id].reason == "detour"
    assert "km more walking" in left[far_plaque.id].detail


def test_a_martyrs_walk_keeps_longhua(cat: Catalogue, offline: Path) -> None:
    """A free martyrs-themed request on an open day keeps Longhua Martyrs' Cemetery, the one
    significance-5 martyrs site: the walk starts at the station nearest to it."""
    it = quiet_plan(PlanRequest(theme="martyrs", hours=6, start=None), cat).itinerary  # type: ignore[attr-defined]
    assert "longhua-martyrs-cemetery" in {s.id for s in it.stops}
    assert "Station" in it.start.name_en


def test_a_lost_core_stop_is_named_on_the_first_lines(cat: Catalogue, offline: Path) -> None:
    """On a Monday the founding route's memorial halls are closed: the schedule's first lines
    say which promised stops are left out, and why."""
    from redroute.export.text import schedule_text

    route = load_routes(None, cat)["founding"]
    it = quiet_plan(route.request, cat, day=dt.date(2026, 12, 7)).itinerary  # type: ignore[attr-defined]
    head = schedule_text(it, lang="en").splitlines()[:8]
    notes = [line for line in head if "promised by this route" in line]
    assert any("Memorial Hall of the 1st National Congress" in line and "closed" in line
               for line in notes)
