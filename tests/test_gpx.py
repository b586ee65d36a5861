"""Tests of redroute.export.gpx: GPX 1.1 and GeoJSON files of an itinerary."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import gpxpy
import pytest

from redroute._io import OutputError
from redroute.export.gpx import GpxError, gpx_text, save_geojson, save_gpx

NS = {"g": "http://www.topografix.com/GPX/1/1"}
CJK = re.compile(r"[\u4e00-\u9fff]")
CREATED = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def parsed(estimated_itinerary: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = save_gpx(estimated_itinerary, tmp_path_factory.mktemp("gpx") / "walk.gpx",
                    created=CREATED)
    return gpxpy.parse(path.read_text(encoding="utf-8"))


def test_gpx_is_version_1_1(estimated_itinerary: Any) -> None:
    root = ET.fromstring(gpx_text(estimated_itinerary, created=CREATED).encode("utf-8"))
    assert root.tag == "{http://www.topografix.com/GPX/1/1}gpx"
    assert root.get("version") == "1.1"
    assert root.get("creator", "").startswith("redroute")
    # GPX 1.1 order inside <metadata>: name, desc, author, copyright, link, time, keywords.
    metadata = root.find("g:metadata", NS)
    assert metadata is not None
    order = [child.tag.split("}")[1] for child in metadata]
    expected = ["name", "desc", "author", "copyright", "link", "time", "keywords"]
    assert order == [tag for tag in expected if tag in order]
    assert [c.tag.split("}")[1] for c in root][:1] == ["metadata"]


def test_metadata_carries_name_time_and_odbl(parsed: Any, estimated_itinerary: Any) -> None:
    assert parsed.name == f"{estimated_itinerary.title_zh} / {estimated_itinerary.title_en}"
    assert parsed.time == CREATED
    assert parsed.copyright_author == "OpenStreetMap contributors"
    assert "odbl" in parsed.copyright_license.lower()
    assert parsed.copyright_year == "2026"
    assert parsed.link == "https://www.openstreetmap.org/copyright"
    assert "estimated" in parsed.description  # the walk is on the estimated network


def test_stops_are_waypoints(parsed: Any, estimated_itinerary: Any) -> None:
    it = estimated_itinerary
    stops = [w for w in parsed.waypoints if w.type == "stop"]
    assert [w.type for w in parsed.waypoints] == ["start"] + ["stop"] * len(it.stops) + ["end"]
    for w, s in zip(stops, it.stops, strict=True):
        assert w.name == f"{s.number}. {s.name_zh} / {s.name_en}"
        assert (w.latitude, w.longitude) == pytest.approx((s.lat, s.lon), abs=1e-7)
        assert s.address_zh in w.description
        assert f"{s.start:%H:%M}–{s.end:%H:%M}" in w.description
        # Shanghai wall-clock arrival, written in UTC (8 hours behind).
        assert w.time == s.arrival.replace(tzinfo=dt.UTC) - dt.timedelta(hours=8)


def test_route_is_one_track_with_a_segment_per_leg(parsed: Any,
                                                   estimated_itinerary: Any) -> None:
    it = estimated_itinerary
    assert len(parsed.tracks) == 1
    segments = parsed.tracks[0].segments
    assert len(segments) == len(it.legs)
    for seg, leg in zip(segments, it.legs, strict=True):
        got = [(p.longitude, p.latitude) for p in seg.points]
        assert len(got) == len(leg.geometry)
        for (x, y), (lon, lat) in zip(got, leg.geometry, strict=True):
            assert x == pytest.approx(lon, abs=1e-7) and y == pytest.approx(lat, abs=1e-7)
        times = [p.time for p in seg.points]
        assert times == sorted(times)
        utc = dt.timedelta(hours=8)
        assert times[0] == leg.depart.replace(tzinfo=dt.UTC) - utc
        assert times[-1] == leg.arrive.replace(tzinfo=dt.UTC) - utc
    assert parsed.get_track_points_no() == sum(len(leg.geometry) for leg in it.legs)


def test_languages(estimated_itinerary: Any) -> None:
    en = gpxpy.parse(gpx_text(estimated_itinerary, lang="en", created=CREATED))
    assert not any(CJK.search(w.name) for w in en.waypoints)
    zh = gpxpy.parse(gpx_text(estimated_itinerary, lang="zh", created=CREATED))
    assert zh.waypoints[1].name == f"1. {estimated_itinerary.stops[0].name_zh}"
    with pytest.raises(GpxError, match="'de'"):
        gpx_text(estimated_itinerary, lang="de")


def test_hostile_text_stays_text(estimated_itinerary: Any) -> None:
    import dataclasses

    stop = dataclasses.replace(estimated_itinerary.stops[0], name_zh="<b>&</b>]]>")
    it = dataclasses.replace(estimated_itinerary, stops=[stop, *estimated_itinerary.stops[1:]])
    back = gpxpy.parse(gpx_text(it, lang="zh", created=CREATED))
    assert back.waypoints[1].name == "1. <b>&</b>]]>"


def test_geojson_round_trip(estimated_itinerary: Any, tmp_path: Path) -> None:
    path = save_geojson(estimated_itinerary, tmp_path / "route.geojson")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(estimated_itinerary.to_geojson()))
    assert data["type"] == "FeatureCollection"
    stop = next(f for f in data["features"] if f["properties"]["kind"] == "stop")
    s = estimated_itinerary.stops[0]
    assert stop["geometry"]["coordinates"] == [s.lon, s.lat]  # RFC 7946: lon, lat
    assert "中" in path.read_text(encoding="utf-8")  # UTF-8, not \\u escapes


def test_writes_are_atomic(estimated_itinerary: Any, tmp_path: Path) -> None:
    target = tmp_path / "walk.gpx"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(GpxError):
        save_gpx(estimated_itinerary, target, lang="xx")
    assert target.read_text(encoding="utf-8") == "old"
    with pytest.raises(OutputError, match="does not exist"):
        save_geojson(estimated_itinerary, tmp_path / "missing" / "route.geojson")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["walk.gpx"]


def test_a_leg_that_does_not_move_is_no_track_segment() -> None:
    """Starting at the first stop gives a zero-length leg: no degenerate segment in the GPX."""
    import datetime as dt
    import warnings

    from redroute._errors import NetworkWarning
    from redroute.plan import plan_itinerary

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        it = plan_itinerary(["bowen-girls-school", "chengyuli-12"], start="bowen-girls-school",
                            end=None, date=dt.date(2026, 12, 5), network="estimate")
    assert any(leg.distance_m == 0 for leg in it.legs)
    xml = gpx_text(it)
    moving = sum(1 for leg in it.legs if leg.distance_m > 0)
    assert xml.count("<trkseg>") == moving
    for segment in xml.split("<trkseg>")[1:]:
        points = segment.split("</trkseg>")[0].count("<trkpt")
        assert points >= 2


def test_hostile_itinerary_text_still_gives_valid_xml(estimated_itinerary: Any) -> None:
    """Control characters in names, addresses and notes (from a catalogue or an itinerary
    file built by hand) must not make the GPX invalid XML: they are shown as escapes."""
    import dataclasses

    it = estimated_itinerary
    hostile = "\x00\x01\x0b\x1b[31m\x7f\x85\u202e\ud800\ufffe"
    stops = [dataclasses.replace(it.stops[0], name_en=f"Evil{hostile}", address_zh=hostile,
                                 summary_en=f"para\n{hostile}"), *it.stops[1:]]
    bad = dataclasses.replace(it, stops=stops, title_en=f"Walk{hostile}")
    text = gpx_text(bad, lang="en", created=CREATED)
    root = ET.fromstring(text.encode("utf-8"))  # raises on any invalid character
    names = [w.findtext("g:name", namespaces=NS) for w in root.findall("g:wpt", NS)]
    assert names[1] == "1. Evil\\x00\\x01\\x0b\\x1b[31m\\x7f\\x85\\u202e\\ud800\\ufffe"
    assert root.findtext("g:metadata/g:name", namespaces=NS).startswith("Walk\\x00")
