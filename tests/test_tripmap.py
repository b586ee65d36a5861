"""Tests of redroute.export.tripmap: the map of a trip of several days, and ``plan --days``
writing it.

Plain tests read the HTML text; browser tests (``slow``) load the file in the system
Chromium with every network request blocked (the fixtures of tests/test_html.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import re
import warnings
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner

from redroute._errors import MapError, NetworkWarning
from redroute.catalogue import Catalogue, load_catalogue
from redroute.cli import main
from redroute.export.html import TILES, VIEW_ID
from redroute.export.tripmap import PALETTE, TRIP_ID, day_colour, save_trip_map, trip_map_html
from redroute.request import PlanRequest
from redroute.trip import Trip, plan_trip, trip_dates
from tests import test_html
from tests.test_html import BREAKOUT, HYPERLINKS, JINJA, URL, XSS, StreetsOnly

# The system Chromium and a page loaded in it with the network blocked (fixtures).
browser = test_html.browser
visit = test_html.visit

SATURDAY = dt.date(2026, 12, 5)


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def trip(cat: Catalogue) -> Trip:
    """Three founding days from People's Square on the estimated network (metro rides)."""
    request = PlanRequest(theme="founding", start="人民广场", hours=4.0, time_limit=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        return plan_trip(request, dates=trip_dates(SATURDAY, 3), catalogue=cat,
                         network="estimate")


def hostile(trip: Trip) -> list[Any]:
    """The days' itineraries with markup, </script> and Jinja in day 2's names and title."""
    its = [p.itinerary for p in trip.days if p is not None]
    second = its[1]
    first = dataclasses.replace(second.stops[0], name_zh=XSS, name_en=BREAKOUT,
                                summary_zh=JINJA, address_zh=XSS)
    its[1] = dataclasses.replace(second, stops=[first, *second.stops[1:]])
    its[0] = dataclasses.replace(its[0], title_zh=XSS + " · 第 1 天", title_en=BREAKOUT)
    return its


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory, trip: Trip) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tripmaps")
    return {
        "none": save_trip_map(trip, folder / "none.html", tiles="none", locate=True,
                              day_maps="day-{k}-map.html"),
        "osm": save_trip_map(trip, folder / "osm.html"),
        "amap": save_trip_map(trip, folder / "amap.html", tiles="amap"),
        "xss": save_trip_map(hostile(trip), folder / "xss.html", tiles="none"),
        "en": save_trip_map(trip, folder / "en.html", tiles="none", lang="en"),
    }


def view_of(page: str) -> dict[str, Any]:
    block = re.search(rf'<script type="application/json" id="{VIEW_ID}">(.*?)</script>', page,
                      re.DOTALL)
    assert block is not None
    return cast("dict[str, Any]", json.loads(block.group(1)))


def panel_of(page: str) -> str:
    return page[page.index('<aside id="rr-panel"'):page.index("</aside>")]


def walks(trip: Trip) -> list[Any]:
    return [p.itinerary for p in trip.days if p is not None]


# --------------------------------------------------------------------------- plain tests


def test_one_layer_colour_and_toggle_per_day(pages: dict[str, Path], trip: Trip) -> None:
    """Three feature groups, three distinct colours (day 1 the house red), three checkboxes;
    every leg of day K is drawn in day K's colour."""
    page = pages["none"].read_text(encoding="utf-8")
    assert page.count("L.featureGroup(") == 3
    colours = [day_colour(k) for k in (1, 2, 3)]
    assert len(set(colours)) == 3 and colours[0] == "#c62828"
    for k, it in enumerate(walks(trip), start=1):
        drawn = re.findall(rf'"className": "rr-route[^"]* rr-d{k} rr-leg-{k}-\d+", '
                           r'"color": "(#[0-9a-f]{6})"', page)
        assert drawn == [colours[k - 1]] * len(it.legs), k
        assert page.count(f"rr-pin rr-stop rr-trip-stop rr-d{k} ") == len(it.stops)
    checks = re.findall(r'<input type="checkbox" class="rr-day-check" data-day="(\d)"[^>]*>',
                        panel_of(page))
    assert checks == ["1", "2", "3"]
    assert ".rr-d2{--day:#0072b2;--ink:#ffffff}" in page


def test_the_palette_is_distinct() -> None:
    """Seven colours before they repeat, none twice."""
    assert len({c for c, _ in PALETTE}) == len(PALETTE) == 7
    assert day_colour(8) == day_colour(1)


def test_stops_are_numbered_by_day(pages: dict[str, Path], trip: Trip) -> None:
    page = pages["none"].read_text(encoding="utf-8")
    view = view_of(page)
    keys = [f"{k}-{s.number}" for k, it in enumerate(walks(trip), start=1) for s in it.stops]
    assert list(view["stops"]) == keys
    for key in keys:
        assert f"\\u003cspan\\u003e{key}\\u003c/span\\u003e" in page  # the badge
        assert f'href="#stop={key}"' in page  # its row in the panel
    assert view["stops"]["2-1"][0][0] == "kind"
    assert view["stops"]["2-1"][1][1].startswith("2-1. ")


def test_every_stop_name_appears_escaped(pages: dict[str, Path], trip: Trip) -> None:
    panel = panel_of(pages["none"].read_text(encoding="utf-8"))
    for it in walks(trip):
        for s in it.stops:
            assert html.escape(s.name_zh) in panel
            assert html.escape(s.name_en) in panel


def test_hostile_text_is_escaped_everywhere(pages: dict[str, Path]) -> None:
    page = pages["xss"].read_text(encoding="utf-8")
    assert XSS not in page
    assert BREAKOUT not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in panel_of(page)
    assert "<title>&lt;img src=x onerror=alert(1)&gt;" in page
    assert "{{ 7*7 }}" in page and "49jinja" not in page
    assert page.count("</script>") == page.count("<script")
    view = view_of(page)
    assert view["stops"]["2-1"][1] == ["title", f"2-1. {XSS}"]
    assert ["subtitle", BREAKOUT] in view["stops"]["2-1"]


def test_page_carries_the_osm_attribution(pages: dict[str, Path]) -> None:
    for name in ("none", "osm", "amap", "en"):
        page = pages[name].read_text(encoding="utf-8")
        assert "© OpenStreetMap contributors" in view_of(page)["attribution"][0], name
        assert "© OpenStreetMap" in panel_of(page), name


@pytest.mark.parametrize("name", ["none", "osm", "amap", "xss"])
def test_page_references_nothing_outside_itself(pages: dict[str, Path], name: str) -> None:
    page = pages[name].read_text(encoding="utf-8")
    tiles = set(TILES[name].urls) if name in TILES else set()
    assert set(URL.findall(page.replace("\\u0026", "&"))) <= HYPERLINKS | tiles
    assert not re.search(r"<script[^>]+src=|<link\b|<img\b[^>]*src=|@import", page, re.I)


def test_rides_are_dotted_purple(pages: dict[str, Path], trip: Trip) -> None:
    page = pages["none"].read_text(encoding="utf-8")
    rides = sum(1 for it in walks(trip) for leg in it.legs if leg.ride is not None)
    assert rides >= 1
    assert len(re.findall(r'"className": "rr-ride rr-ride-\d-\d+", "color": "#5e35b1", '
                          r'"dashArray": "2 8"', page)) == rides
    assert "metro ride" in panel_of(page)


def test_the_panel_lists_each_day(pages: dict[str, Path], trip: Trip) -> None:
    """Date, stops, km and rides per day; a link to each day's own map."""
    panel = panel_of(pages["none"].read_text(encoding="utf-8"))
    assert "第 1 天 · 12月5日 星期六 / Day 1 · Sat 5 Dec" in panel
    assert "第 3 天 · 12月7日 星期一 / Day 3 · Mon 7 Dec" in panel
    assert "2026年12月5日–7日" in panel and "5–7 Dec 2026" in panel
    for k, it in enumerate(walks(trip), start=1):
        assert f'href="day-{k}-map.html"' in panel
        assert f'href="#day={k}"' in panel
        day = panel[panel.index(f'<li class="rr-day rr-d{k}"'):]
        day = day[:day.index("</p>")]
        assert f"{len(it.stops)} stops" in day
    assert "Left out of every day" in panel
    en = panel_of(pages["en"].read_text(encoding="utf-8"))
    assert "Day 2 · Sun 6 Dec" in en and "第" not in en


def test_trip_geojson_is_embedded(pages: dict[str, Path], trip: Trip) -> None:
    page = pages["osm"].read_text(encoding="utf-8")
    block = re.search(rf'<script type="application/json" id="{TRIP_ID}">(.*?)</script>', page)
    assert block is not None
    features = json.loads(block.group(1))["features"]
    assert {f["properties"]["day"] for f in features} == {1, 2, 3}
    assert sum(f["properties"]["kind"] == "stop" for f in features) == len(trip.stop_ids)


def test_a_day_without_a_walk(trip: Trip) -> None:
    """A day on which nothing fits keeps its place, with a disabled checkbox."""
    its = [walks(trip)[0], None, walks(trip)[2]]
    page = trip_map_html(its, tiles="none")
    panel = panel_of(page)
    assert "No stop fits this day" in panel
    assert re.search(r'data-day="2" aria-label="[^"]*" disabled>', panel)
    assert "3-1" in view_of(page)["stops"]
    assert [d["bounds"] is None for d in view_of(page)["days"]] == [False, True, False]
    with pytest.raises(MapError, match="at least one day"):
        trip_map_html([None, None])


def test_offline_trip_map_draws_the_streets_once(trip: Trip) -> None:
    """tiles="none" draws the streets of the days' networks, each street once, and dates
    the credit."""
    its = walks(trip)
    net = StreetsOnly(its[0])
    page = trip_map_html(its, tiles="none", network=cast("Any", [net, net]))
    view = view_of(page)
    lines = [line for layer in view["network"] for line in layer["lines"]]
    assert len(lines) == len(set(lines)) == 10
    assert view["attribution"][0].endswith("© OpenStreetMap contributors</a>, 2025-08-09")
    assert view_of(trip_map_html(its, tiles="osm", network=cast("Any", net)))["network"] is None


def test_day_map_links_are_percent_encoded(trip: Trip) -> None:
    page = trip_map_html(walks(trip), day_maps=['a "b"/日 1.html', None, "x.html"])
    panel = panel_of(page)
    assert 'href="a%20%22b%22/%E6%97%A5%201.html"' in panel
    assert 'href="x.html"' in panel and panel.count("rr-day-map") == 2
    with pytest.raises(MapError, match="2 entries"):
        trip_map_html(walks(trip), day_maps=["a", "b"])


# --------------------------------------------------------------------------- command line


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


TRIP_ARGS = ("plan", "--theme", "founding", "--district", "huangpu", "--days", "2",
             "--date", "2026-12-05", "--start", "人民广场", "--hours", "3", "--network",
             "estimate", "--time-limit", "0.5")


def test_plan_days_o_writes_the_trip_map(tmp_path: Path, offline: Path) -> None:
    out = tmp_path / "trip"
    code, _, err = run(*TRIP_ARGS, "--tiles", "none", "-o", str(out))
    assert code == 0, err
    page = (out / "map.html").read_text(encoding="utf-8")
    assert page.count("L.featureGroup(") == 2
    assert 'href="day-1-map.html"' in page and 'href="day-2-map.html"' in page
    assert (out / "day-1-map.html").exists() and (out / "day-2-map.html").exists()
    assert view_of(page)["tiles"] == "none"
    assert view_of((out / "day-1-map.html").read_text(encoding="utf-8"))["tiles"] == "none"


def test_plan_days_html_writes_the_trip_map_alone(tmp_path: Path, offline: Path) -> None:
    target = tmp_path / "trip-map.html"
    code, _, err = run(*TRIP_ARGS, "--html", str(target))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["trip-map.html"]
    page = target.read_text(encoding="utf-8")
    assert page.count("L.featureGroup(") == 2
    assert "rr-day-map" not in page  # no day maps written, so no links


def test_plan_days_bad_tiles_key_fails_before_planning(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDROUTE_TIANDITU_KEY", raising=False)
    code, _, err = run(*TRIP_ARGS, "--tiles", "tianditu", "--html", str(tmp_path / "m.html"))
    assert code != 0
    assert "Tianditu key" in err
    assert not (tmp_path / "m.html").exists()


# --------------------------------------------------------------------------- browser


@pytest.mark.slow
def test_unticking_a_day_hides_its_layer(visit: Any, pages: dict[str, Path],
                                         trip: Trip) -> None:
    """Day 2's checkbox hides its polylines and badges, and shows them again; the other days
    stay; #stop=2-1 shows a hidden day again and opens that stop."""
    v = visit(pages["none"])
    page = v.page
    its = walks(trip)
    legs = [len(it.legs) for it in its]
    assert page.locator("path.rr-route.rr-d2").count() == legs[1]
    assert page.locator(".leaflet-marker-pane .rr-trip-stop.rr-d2").count() == len(its[1].stops)
    page.locator('input.rr-day-check[data-day="2"]').uncheck()
    assert page.locator("path.rr-route.rr-d2").count() == 0
    assert page.locator(".leaflet-marker-pane .rr-d2").count() == 0
    assert page.locator("path.rr-route.rr-d1").count() == legs[0]
    assert page.locator("path.rr-route.rr-d3").count() == legs[2]
    assert page.locator('.rr-day[data-day="2"]').get_attribute("class") is not None
    assert "rr-day-off" in (page.locator('.rr-day[data-day="2"]').get_attribute("class") or "")
    page.locator('input.rr-day-check[data-day="2"]').check()
    assert page.locator("path.rr-route.rr-d2").count() == legs[1]
    page.locator('input.rr-day-check[data-day="2"]').uncheck()
    page.locator('a[href="#stop=2-1"]').click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.inner_text().count(its[1].stops[0].name_zh) >= 1
    assert page.locator('input.rr-day-check[data-day="2"]').is_checked()
    assert v.requests == [] and v.errors == []


@pytest.mark.slow
def test_the_start_stays_while_one_of_its_days_shows(visit: Any,
                                                     pages: dict[str, Path]) -> None:
    v = visit(pages["none"])
    page = v.page
    assert page.locator(".leaflet-marker-pane .rr-place").count() == 1  # shared by the days
    for k in (1, 2):
        page.locator(f'input.rr-day-check[data-day="{k}"]').uncheck()
    assert page.locator(".leaflet-marker-pane .rr-place").count() == 1
    page.locator('input.rr-day-check[data-day="3"]').uncheck()
    assert page.locator(".leaflet-marker-pane .rr-place").count() == 0
    assert page.locator("path.rr-route").count() == 0
    page.goto(pages["none"].resolve().as_uri() + "#day=3")
    page.wait_for_function("window.redroute && window.redroute.map")
    assert page.locator("path.rr-route.rr-d3").count() >= 1


@pytest.mark.slow
def test_day_link_fits_that_day_after_an_empty_day(visit: Any, trip: Trip,
                                                   tmp_path: Path) -> None:
    """#day=3 fits the map to day 3 even when day 2 has no walk."""
    its = walks(trip)
    path = save_trip_map([its[0], None, its[2]], tmp_path / "gap.html", tiles="none")
    v = visit(path, fragment="#day=3")
    inside = v.page.evaluate("""() => { const r = window.redroute, b = r.map.getBounds();
        const keys = Object.keys(r.refs.stops);
        return [keys.filter(k => k.startsWith('3-'))
                    .every(k => b.contains(r.refs.stops[k].getLatLng())),
                r.map.getZoom() === Math.min(17, r.map.getBoundsZoom(
                    L.latLngBounds(r.view.days[2].bounds), false, L.point(56, 56)))]; }""")
    assert inside == [True, True]
    assert v.page.locator('input.rr-day-check[data-day="2"]').is_disabled()
    assert v.errors == []


@pytest.mark.slow
def test_badges_never_cover_each_other(visit: Any, pages: dict[str, Path]) -> None:
    """A badge that would cover another shrinks to a dot: the full badges never overlap."""
    v = visit(pages["none"])
    for zoom in (13, 14, 15, 17):
        overlaps = v.page.evaluate(f"""() => {{
            const r = window.redroute;
            r.map.setZoom({zoom}, {{animate: false}});
            const boxes = [...document.querySelectorAll(
                '.leaflet-marker-pane .rr-trip-stop:not(.rr-compact)')]
                .map(n => n.getBoundingClientRect());
            let n = 0;
            boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {{
                if (a.left < b.right - 0.5 && b.left < a.right - 0.5 &&
                    a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) {{ n += 1; }}
            }}));
            return n; }}""")
        assert overlaps == 0, zoom
        # A dot wholly under a badge is counted on it ("+1"), so no stop goes unseen.
        unseen = v.page.evaluate("""() => {
            const full = [...document.querySelectorAll(
                '.leaflet-marker-pane .rr-trip-stop:not(.rr-compact)')];
            return [...document.querySelectorAll('.leaflet-marker-pane .rr-compact')]
                .filter(d => {
                    const r = d.getBoundingClientRect();
                    const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
                    const over = full.filter(n => { const b = n.getBoundingClientRect();
                        return x - 7 >= b.left && x + 7 <= b.right && y - 7 >= b.top
                            && y + 7 <= b.bottom; });
                    return over.length > 0 && !over.some(n => n.dataset.more);
                }).length; }""")
        assert unseen == 0, zoom
        if zoom == 13:  # the three stops of the 1st Congress block meet
            assert v.page.locator(".leaflet-marker-pane .rr-compact").count() >= 1
    assert v.errors == []


@pytest.mark.slow
def test_hostile_trip_names_do_not_run(visit: Any, pages: dict[str, Path]) -> None:
    v = visit(pages["xss"], fragment="#stop=2-1")
    page = v.page
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert XSS in popup.inner_text() and BREAKOUT in popup.inner_text()
    assert XSS in page.locator("#rr-panel").inner_text()
    assert page.locator("img[src='x']").count() == 0
    page.wait_for_timeout(100)
    assert v.dialogs == [] and v.errors == []


@pytest.mark.slow
def test_trip_screenshot_is_not_blank(visit: Any, pages: dict[str, Path],
                                      tmp_path: Path) -> None:
    from PIL import Image

    v = visit(pages["none"])
    shot = tmp_path / "trip.png"
    v.page.screenshot(path=str(shot))
    image = Image.open(shot).convert("RGB")
    mapped = image.crop((400, 0, image.width, image.height))
    found = {c for _, c in mapped.getcolors(maxcolors=1 << 20) or []}
    for k in (1, 2, 3):
        hex_colour = day_colour(k)
        rgb = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        assert rgb in found, k  # each day's colour is on the map
    assert v.requests == [] and v.errors == []
