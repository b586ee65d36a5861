"""The printed booklet of a trip: a cover, a section per day, the sites left out."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from redroute.cli import main
from redroute.wording import date_words

DATES = ("2026-12-05", "2026-12-06", "2026-12-07")
TRIP = ("plan", "--theme", "founding", "--days", "3", "--date", DATES[0], "--network",
        "estimate", "--time-limit", "0.5")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _reader(path: Path) -> Any:
    import pypdf

    return pypdf.PdfReader(str(path))


def _pages(path: Path) -> list[str]:
    """Each page's text without whitespace (line breaks fall anywhere in Chinese)."""
    return [re.sub(r"[\s\u200b]+", "", p.extract_text()) for p in _reader(path).pages]


@pytest.fixture(scope="module")
def trip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A three-day founding trip on the estimated network, with every output."""
    out = tmp_path_factory.mktemp("trip") / "trip"
    code, _, err = _run(*TRIP, "-o", str(out))
    assert code == 0, err
    return out


@pytest.mark.slow
def test_o_dir_writes_the_booklet_with_a_section_per_day(trip_dir: Path) -> None:
    """leaflet.pdf: the cover names every date and every stop; each day with a walk has a
    section that starts on its own page with its date and its stops; the pages are at least
    the days."""
    pdf = trip_dir / "leaflet.pdf"
    assert pdf.is_file()
    data = json.loads((trip_dir / "trip.json").read_text(encoding="utf-8"))
    pages = _pages(pdf)
    days = [d for d in data["days"] if d is not None]
    assert len(days) == 3  # the founding sites fill three days
    assert len(pages) >= len(DATES) + 1  # the cover, then at least a page a day
    cover = pages[0]
    for k, (day, iso) in enumerate(zip(data["days"], DATES, strict=True), start=1):
        zh = date_words(dt.date.fromisoformat(iso)).zh.replace(" ", "")
        assert zh in cover
        # The day's section: the page whose header names the day.
        starts = [i for i, p in enumerate(pages) if f"第{k}天/共3天" in p]
        assert len(starts) == 1, k
        assert zh in pages[starts[0]]
        for stop in day["stops"]:
            name = stop["name_zh"].replace(" ", "")
            assert name in cover
            assert name in "".join(pages[starts[0]:])
    # No site twice, as the cover says.
    ids = [s["id"] for d in days for s in d["stops"]]
    assert len(ids) == len(set(ids))
    assert f"{len(ids)}参观点（不重复）" in cover
    # The trip's left-out list at the end (or its count on the cover).
    if data["excluded"]:
        first = data["excluded"][0]["name_zh"].replace(" ", "")
        assert first in pages[-1] or f"另有{len(data['excluded'])}处" in cover
    assert "RED HERITAGE TRIP" in _reader(pdf).pages[0].extract_text()


@pytest.mark.slow
def test_the_booklet_is_pdfa(trip_dir: Path) -> None:
    """PDF/A-2b like every leaflet: the part and conformance in the XMP metadata, an output
    intent, every font embedded."""
    raw = (trip_dir / "leaflet.pdf").read_bytes()
    assert re.search(rb"pdfaid:part(>|=\")2", raw)
    assert re.search(rb"pdfaid:conformance(>|=\")B", raw)
    assert b"/OutputIntents" in raw


@pytest.mark.slow
def test_leaflet_with_days_writes_the_booklet(tmp_path: Path) -> None:
    """--leaflet FILE with --days writes the trip's booklet alone."""
    pdf = tmp_path / "booklet.pdf"
    code, _, err = _run(*TRIP, "--leaflet", str(pdf))
    assert code == 0, err
    assert [p.name for p in tmp_path.iterdir()] == ["booklet.pdf"]
    pages = _pages(pdf)
    assert "第1天/共3天" in "".join(pages) and "第3天/共3天" in "".join(pages)


def test_leaflet_with_days_is_checked_before_the_plan(tmp_path: Path) -> None:
    """The booklet's output is checked like any other: a missing folder is one error line
    before any planning, and nothing is written."""
    code, _, err = _run(*TRIP, "--leaflet", str(tmp_path / "no" / "b.pdf"))
    assert code == 1
    assert err.startswith("Error: cannot write") and "(--leaflet)" in err
    assert "choosing the stops" not in err
    code, _, err = _run(*TRIP, "--leaflet", str(tmp_path / "b.pdf"), "--publisher", "x" * 90)
    assert code == 1 and "publisher" in err
    assert not (tmp_path / "b.pdf").exists()


def test_the_cover_map_draws_each_day_in_its_colour(estimated_itinerary: Any) -> None:
    """The overview map: each day's walk in its trip-map colour, its stops K-N."""
    from redroute.export.mapsvg import trip_map_svg
    from redroute.export.tripmap import day_colour

    it = estimated_itinerary
    svg = trip_map_svg([(1, it), (2, it)], width_mm=186, height_mm=100)
    assert f'stroke="{day_colour(1)}"' in svg and f'stroke="{day_colour(2)}"' in svg
    for k in (1, 2):
        for s in it.stops:
            assert f">{k}-{s.number}</text>" in svg
    assert "OpenStreetMap" in svg


@pytest.mark.slow
def test_a_day_with_no_walk_has_no_files_and_a_line_on_the_cover(tmp_path: Path) -> None:
    """Huangpu's founding sites fill two days of three (the Monday's halls are closed): the
    trip is written (once a traceback: no writer for the empty day's files), the empty day
    has no files of its own, and the booklet's cover says the day has no stop."""
    out = tmp_path / "trip"
    code, _, err = _run("plan", "--theme", "founding", "--district", "huangpu", "--days", "3",
                        "--date", DATES[0], "--network", "estimate", "--time-limit", "0.5",
                        "-o", str(out))
    assert code == 0, err
    data = json.loads((out / "trip.json").read_text(encoding="utf-8"))
    cover = _pages(out / "leaflet.pdf")[0]
    for k, day in enumerate(data["days"], start=1):
        assert (out / f"day-{k}-leaflet.pdf").exists() is (day is not None)
        assert (out / f"day-{k}-map.html").exists() is (day is not None)
    empty = sum(day is None for day in data["days"])
    assert cover.count("这一天没有可以安排的地点") == empty


@pytest.mark.slow
def test_save_trip_leaflet_in_python(tmp_path: Path) -> None:
    """The library call: an English booklet, written atomically; a booklet is a4 only."""
    import warnings

    from redroute._errors import NetworkWarning
    from redroute.catalogue import load_catalogue
    from redroute.export.booklet import save_trip_leaflet
    from redroute.export.leaflet import LeafletError
    from redroute.request import PlanRequest
    from redroute.trip import plan_trip, trip_dates

    cat = load_catalogue()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        trip = plan_trip(PlanRequest(theme="founding", time_limit=0.5), catalogue=cat,
                         dates=trip_dates(dt.date(2026, 12, 5), 2), network="estimate")
    path = save_trip_leaflet(trip, tmp_path / "trip.pdf", lang="en", catalogue=cat,
                             printed=dt.date(2026, 12, 1))
    text = "".join(_pages(path))
    assert "DAY1OF2" in text and "DAY2OF2" in text and "第" not in text
    assert "printed2026-12-01" in text
    assert [p.name for p in tmp_path.iterdir()] == ["trip.pdf"]
    with pytest.raises(LeafletError, match="A4 portrait"):
        save_trip_leaflet(trip, tmp_path / "t.pdf", format="trifold")
    assert not (tmp_path / "t.pdf").exists()
