"""The leaflet's route map: start and end markers, dashed estimated legs, labels that hide
nothing and are hidden by nothing, street names, scale bar, north arrow, credit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import tempfile
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from redroute.export.mapsvg import MapStyle, _text_width, route_map_svg
from redroute.itinerary import Itinerary

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """hongkou-left-wing and bund on the bundled network (no internet), with it."""
    from redroute import _sources, settings
    from redroute.catalogue import load_catalogue
    from redroute.plan import make_plan
    from redroute.routes import load_routes

    mp = pytest.MonkeyPatch()
    mp.setattr(settings, "cache_folder", Path(tempfile.mkdtemp(prefix="rr-cache-")))
    mp.setattr(settings, "osm_extract", None)
    mp.setattr(_sources, "online", lambda *a, **k: False)
    cat = load_catalogue()
    routes = load_routes(None, cat)
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for rid in ("hongkou-left-wing", "bund"):
            r = routes[rid]
            result = make_plan(r.request, catalogue=cat,
                               date=r.next_recommended_day(dt.date(2026, 12, 1)))
            out[rid] = (result.itinerary, result.network)
    mp.undo()
    return out


def _labels(root: ET.Element) -> list[tuple[str, Any]]:
    """(text, box) of every label: texts with a white halo (street, start/end, credit)."""
    from shapely import affinity
    from shapely.geometry import box

    found = []
    for t in root.iter(f"{NS}text"):
        if t.get("stroke") != "#ffffff":
            continue
        x, y, size = float(t.get("x", 0)), float(t.get("y", 0)), float(t.get("font-size", 2))
        w, h = _text_width(t.text or "", size), size * 1.0
        anchor = t.get("text-anchor", "start")
        x0 = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
        shape = box(x0, y - size * 0.86, x0 + w, y - size * 0.86 + h)
        m = re.search(r"rotate\(([-\d.]+) ([-\d.]+) ([-\d.]+)\)", t.get("transform", ""))
        if m:
            shape = affinity.rotate(shape, float(m.group(1)), origin=(float(m.group(2)),
                                                                      float(m.group(3))))
        found.append((t.text or "", shape.buffer(-0.15)))
    return found


def _markers(root: ET.Element) -> list[Any]:
    from shapely.geometry import Point, box

    shapes = []
    for c in root.iter(f"{NS}circle"):
        if float(c.get("r", 0)) >= 1.0:  # stop badges, not the dots of a leader line
            shapes.append(Point(float(c.get("cx", 0)), float(c.get("cy", 0))).buffer(
                float(c.get("r", 0))))
    for r in root.iter(f"{NS}rect"):
        if r.get("rx") == "0.3":  # the start and end squares
            x, y = float(r.get("x", 0)), float(r.get("y", 0))
            shapes.append(box(x, y, x + float(r.get("width", 0)), y + float(r.get("height", 0))))
    return shapes


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
@pytest.mark.parametrize("route_id", ["hongkou-left-wing", "bund"])
def test_no_label_hides_under_a_marker_or_another_label(planned: dict[str, Any],
                                                        route_id: str, lang: str) -> None:
    it, net = planned[route_id]
    for w, h in ((88.0, 138.0), (112.0, 118.0)):
        root = ET.fromstring(route_map_svg(it, width_mm=w, height_mm=h, network=net,
                                           lang=lang))
        labels = _labels(root)
        markers = _markers(root)
        assert len(markers) >= len(it.stops) + 1
        for text, shape in labels:
            for m in markers:
                assert not shape.intersects(m), f"{route_id} {lang}: {text!r} over a marker"
        for i, (a, sa) in enumerate(labels):
            for b, sb in labels[i + 1:]:
                assert not sa.intersects(sb), f"{route_id} {lang}: {a!r} over {b!r}"


def test_start_and_end_are_marked_and_named(planned: dict[str, Any]) -> None:
    """A start square, an end square with a ring, each labelled 起点 / 终点."""
    it, net = planned["hongkou-left-wing"]
    svg = route_map_svg(it, width_mm=88, height_mm=138, network=net, lang="both")
    root = ET.fromstring(svg)
    squares = [r for r in root.iter(f"{NS}rect") if r.get("rx") == "0.3"]
    assert len(squares) == 2  # start, end (the last stop here)
    texts = " ".join(t.text or "" for t in root.iter(f"{NS}text"))
    assert "起点 Start" in texts and "终点 End" in texts


def test_a_round_trip_has_one_square_named_start_and_end(planned: dict[str, Any]) -> None:
    it, net = planned["bund"]
    trip = dataclasses.replace(it, end=it.start)
    root = ET.fromstring(route_map_svg(trip, width_mm=88, height_mm=138, network=net,
                                       lang="zh"))
    assert len([r for r in root.iter(f"{NS}rect") if r.get("rx") == "0.3"]) == 1
    assert any((t.text or "").startswith("起点/终点") for t in root.iter(f"{NS}text"))


def test_furniture_streets_and_credit(planned: dict[str, Any]) -> None:
    """Scale bar, north arrow, street names, the OSM credit with the data's date."""
    it, net = planned["bund"]
    root = ET.fromstring(route_map_svg(it, width_mm=88, height_mm=138, network=net,
                                       lang="zh"))
    texts = [t.text or "" for t in root.iter(f"{NS}text")]
    assert "北" in texts
    assert any(re.fullmatch(r"\d+ k?m", t) for t in texts)  # the scale bar
    assert any(t.startswith("© OpenStreetMap contributors, 20") for t in texts)
    assert sum(1 for t in texts if t.endswith(("路", "街", "道"))) >= 3


def test_estimated_legs_are_dashed_with_flat_ends(estimated_itinerary: Itinerary) -> None:
    """Dashes long enough, and flat ends, so that a dashed leg reads dashed in print."""
    svg = route_map_svg(estimated_itinerary, width_mm=88, height_mm=138)
    root = ET.fromstring(svg)
    dashed = [p for p in root.iter(f"{NS}path") if p.get("stroke-dasharray")]
    assert dashed
    for p in dashed:
        assert p.get("stroke-linecap") == "butt"
        on, off = map(float, p.get("stroke-dasharray", "0 0").split())
        assert off >= float(p.get("stroke-width", 1)) and on > off


def test_small_map_has_the_end_marker_but_no_labels(estimated_itinerary: Itinerary) -> None:
    svg = route_map_svg(estimated_itinerary, width_mm=86, height_mm=84, style=MapStyle.small())
    root = ET.fromstring(svg)
    assert [t for t in root.iter(f"{NS}text") if t.get("stroke") == "#ffffff"] == []
    assert math.isfinite(len(svg))
