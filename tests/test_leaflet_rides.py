"""The leaflet of a walk that rides the metro, and of stops whose hours are unconfirmed."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from redroute._errors import NetworkWarning
from redroute.catalogue import Catalogue, load_catalogue
from redroute.export.leaflet import UNCONFIRMED_MARK, leaflet_data, save_leaflet
from redroute.export.mapsvg import RIDE_COLOUR, route_map_svg
from redroute.itinerary import Itinerary
from redroute.places import stations
from redroute.transit import Ride, ride
from redroute.wording import HOURS_UNCONFIRMED, duration

RIDE_LEG = 2  # the leg to stop 3 rides the metro


def _ride() -> Ride:
    by_name = {s.name_zh: s for s in stations()}
    r = ride(by_name["一大会址·新天地"], by_name["四川北路"])
    assert r is not None
    return r


@pytest.fixture(scope="module")
def riding(estimated_itinerary: Itinerary) -> Itinerary:
    """The founding walk with its third leg on Metro Line 10: walk to 一大会址·新天地, ride
    to 四川北路, walk on (the leg's times and geometry as a plan with a ride has them)."""
    it = estimated_itinerary
    legs = list(it.legs)
    leg, r = legs[RIDE_LEG], _ride()
    geometry = [leg.geometry[0], r.board, r.alight, leg.geometry[-1]]
    legs[RIDE_LEG] = dataclasses.replace(leg, geometry=geometry, ride=r, ride_at=1,
                                         duration_s=leg.duration_s + r.seconds)
    return dataclasses.replace(it, legs=legs)


def _stop_of_leg(it: Itinerary, k: int) -> int:
    """The index of the stop leg ``k`` walks to."""
    return next(i for i, s in enumerate(it.stops) if s.id == it.legs[k].destination)


def test_a_ride_leg_tells_the_ride_and_the_walk(riding: Itinerary) -> None:
    """The leg words: the ride's (stations, line, estimated) and the time on foot only."""
    data = leaflet_data(riding)
    leg = data["stops"][_stop_of_leg(riding, RIDE_LEG)]["leg"]
    assert "一大会址·新天地站" in leg["ride_zh"] and "四川北路站" in leg["ride_zh"]
    assert leg["ride_zh"].endswith("（估算）") and leg["ride_en"].endswith("(estimated)")
    walk = riding.legs[RIDE_LEG].walking_s / 60
    assert leg["walk_zh"] == f"步行 {duration(walk, 'zh')}"
    assert leg["ride_short_zh"].startswith("地铁 10 号线 约 ")
    assert data["rides"] is True
    assert any("地铁乘车时间为估算" in n["zh"] for n in data["notes"])
    # A walk without a ride has neither.
    plain = leaflet_data(dataclasses.replace(riding, legs=list(riding.legs[:RIDE_LEG])
                                             + list(riding.legs[RIDE_LEG + 1:])))
    assert plain["rides"] is False
    assert not any("地铁" in n["zh"] for n in plain["notes"])


def test_the_map_draws_the_ride_dotted_between_its_stations(riding: Itinerary) -> None:
    """A straight dotted purple line from the boarding to the alighting station, a ring at
    each; the walks around it stay red."""
    svg = route_map_svg(riding, width_mm=112, height_mm=118)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    rides = [p for p in root.iter(f"{ns}path") if p.get("class") == "ride"]
    assert len(rides) == 1
    assert rides[0].get("stroke") == RIDE_COLOUR
    assert rides[0].get("stroke-linecap") == "round"
    assert rides[0].get("stroke-dasharray")
    # One straight segment: M x,y L x,y.
    assert re.fullmatch(r"M[\d.,-]+L[\d.,-]+", rides[0].get("d", ""))
    assert len([c for c in root.iter(f"{ns}circle") if c.get("class") == "station"]) == 2
    plain = route_map_svg(dataclasses.replace(riding, legs=list(riding.legs[:RIDE_LEG])),
                          width_mm=112, height_mm=118)
    assert 'class="ride"' not in plain and RIDE_COLOUR not in plain


def _pdftotext(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                         text=True).stdout
    return re.sub(r"[\s\u200b]+", "", out)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) absent")
@pytest.mark.parametrize("weekly", [False, True])
def test_the_pdf_prints_the_ride_not_a_long_walk(riding: Itinerary, tmp_path: Path,
                                                 weekly: bool) -> None:
    """Dated and season leaflets name both stations and mark the ride estimated; the leg is
    not printed as one walk of the whole leg's time."""
    for fmt in ("trifold", "a4"):
        pdf = save_leaflet(riding, tmp_path / f"{fmt}.pdf", format=fmt, weekly=weekly)
        text = _pdftotext(pdf)
        assert "一大会址·新天地站" in text and "四川北路站" in text
        assert "（估算）" in text and "(estimated)" in text
        assert "NorthSichuanRoad" in text
        whole = riding.legs[RIDE_LEG].duration_s / 60
        assert f"步行{duration(whole, 'zh')}".replace(" ", "") not in text
        assert "地铁（估算）" in text  # the legend


def _unconfirmed(cat: Catalogue, ident: str) -> Catalogue:
    return Catalogue([dataclasses.replace(lm, hours_note="Hours from an old listing.")
                      if lm.id == ident else lm for lm in cat])


def test_unconfirmed_hours_are_marked_with_one_note(estimated_itinerary: Itinerary) -> None:
    """A stop whose hours come from an unofficial listing gets the mark; one note names the
    stops so marked, dated and weekly; nothing is marked when every stop is confirmed."""
    it = estimated_itinerary
    cat = load_catalogue()
    confirmed = Catalogue([dataclasses.replace(lm, hours_note=None) for lm in cat])
    target = next(s for s in it.stops if (lm := cat.get(s.id)) and lm.opening_hours)
    for weekly in (False, True):
        data = leaflet_data(it, catalogue=_unconfirmed(confirmed, target.id), weekly=weekly)
        marked = [s["number"] for s in data["stops"] if s["hours_unconfirmed"]]
        assert marked == [target.number]
        notes = [n for n in data["notes"] if HOURS_UNCONFIRMED.zh in n["zh"]]
        assert len(notes) == 1
        assert notes[0]["zh"].startswith(f"{UNCONFIRMED_MARK} 第 {target.number} 站")
        assert f"(stop {target.number})" in notes[0]["en"]
        clean = leaflet_data(it, catalogue=confirmed, weekly=weekly)
        assert not any(s["hours_unconfirmed"] for s in clean["stops"])
        assert not any(HOURS_UNCONFIRMED.zh in n["zh"] for n in clean["notes"])


def test_an_itinerary_stop_off_the_catalogue_keeps_its_own_flag(
        estimated_itinerary: Itinerary) -> None:
    """A stop the catalogue used lacks: its own ``hours_confirmed`` decides."""
    it = estimated_itinerary
    stops = list(it.stops)
    stops[0] = dataclasses.replace(stops[0], hours_confirmed=False)
    others = Catalogue([lm for lm in load_catalogue() if lm.id != stops[0].id])
    data = leaflet_data(dataclasses.replace(it, stops=stops), catalogue=others)
    assert data["stops"][0]["hours_unconfirmed"] is (stops[0].hours_today is not None)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) absent")
def test_the_pdf_marks_unconfirmed_hours(estimated_itinerary: Itinerary,
                                         tmp_path: Path) -> None:
    it = estimated_itinerary
    cat = Catalogue([dataclasses.replace(lm, hours_note=None) for lm in load_catalogue()])
    target = next(s for s in it.stops if (lm := cat.get(s.id)) and lm.opening_hours)
    pdf = save_leaflet(it, tmp_path / "l.pdf", format="a4",
                       catalogue=_unconfirmed(cat, target.id))
    text = _pdftotext(pdf)
    assert text.count(UNCONFIRMED_MARK) == 3  # after the hours (zh, en is grey) and the note
    assert HOURS_UNCONFIRMED.zh in text


@pytest.mark.slow
@pytest.mark.parametrize("weekly", [False, True])
def test_the_pudong_route_with_its_ride_fits_two_pages(weekly: bool) -> None:
    """pudong-line-2 (a Line 2 ride, long summaries): two pages in either format. A stop
    too tall for the rest of a column starts the next one, split there if need be (it once
    gave 41 pages when the metro's legend line made the first page's columns shorter)."""
    import datetime as dt

    from redroute.export.leaflet import leaflet_layout
    from redroute.plan import make_plan
    from redroute.routes import get_route, load_routes

    cat = load_catalogue()
    route = get_route("pudong-line-2", load_routes(None, cat))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        it = make_plan(route.request, catalogue=cat, date=dt.date(2026, 12, 5),
                       network="estimate").itinerary
    assert any(leg.ride is not None for leg in it.legs)
    for fmt in ("trifold", "a4"):
        layout = leaflet_layout(it, format=fmt, weekly=weekly, catalogue=cat)
        assert layout["pages"] == 2, (fmt, layout)
