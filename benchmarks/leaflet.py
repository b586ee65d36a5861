"""Benchmark: every curated route's leaflet, per format: pages, file size and render time.

Each route of ``routes/`` (however many there are) is planned once for its next recommended
day from 2026-12-01 with the walking network a plan would use (the bundled network of
central Shanghai where it covers the walk; nothing is downloaded), then its bilingual
leaflet is rendered in each format, as a season leaflet (``--weekly``, what ``publish``
makes) and a dated one, ``--repeat`` times; the median and the slowest time are reported,
with the page count, the size and the denser setting the layout needed (1 = none). A
synthetic 25-stop walk with the catalogue's longest texts shows how far a leaflet grows.
The first leaflet of the process (font loading) is reported apart as the cold start. A
three-day trip's booklet (cover, a section per day) is rendered once at the end.

Target (issue 6): at most 3 s per leaflet on a 2-core machine.

    python benchmarks/leaflet.py [--repeat 3] [--keep FOLDER] [--routes ID,ID]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from redroute import _sources, settings
from redroute.catalogue import load_catalogue
from redroute.export.leaflet import leaflet_layout, render_leaflet
from redroute.plan import make_plan
from redroute.routes import load_routes

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2026, 12, 1)
TARGET_S = 3.0


def _plans(ids: list[str] | None) -> list[tuple[str, Any, Any, Any]]:
    cat = load_catalogue()
    routes = load_routes(ROOT / "routes", cat)
    out = []
    for rid in ids or sorted(routes):
        r = routes[rid]
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = make_plan(r.request, catalogue=cat, date=r.next_recommended_day(DAY))
        print(f"planned {rid}: {len(result.itinerary.stops)} stops, "
              f"{result.network.describe()} ({time.perf_counter() - t0:.2f} s)")
        out.append((rid, result.itinerary, result.network,
                    {"theme": r.theme, "district": r.district, "catalogue": cat}))
    return out


def _synthetic() -> tuple[str, Any, Any, Any]:
    sys.path.insert(0, str(ROOT))
    from tests.test_leaflet_routes import _synthetic as synthetic

    return "synthetic-25", synthetic(25), None, {}


def _booklet(folder: Path) -> None:
    """A trip's booklet: three days of the founding theme on the estimated network."""
    from redroute.export.booklet import render_trip_leaflet
    from redroute.request import PlanRequest
    from redroute.trip import plan_trip, trip_dates

    cat = load_catalogue()
    request = PlanRequest(theme="founding", time_limit=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trip = plan_trip(request, dates=trip_dates(dt.date(2026, 12, 5), 3), catalogue=cat,
                         network="estimate")
    t0 = time.perf_counter()
    pdf = render_trip_leaflet(trip, catalogue=cat)
    took = time.perf_counter() - t0
    (folder / "trip-booklet.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    print(f"trip booklet: 3 days, {len(trip.stop_ids)} stops, {pages} pages, "
          f"{len(pdf) / 1024:.0f} KB, {took:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the PDFs in this folder")
    parser.add_argument("--routes", help="only these route ids, comma-separated")
    args = parser.parse_args()
    _sources.online = lambda *a, **k: False  # type: ignore[assignment]
    settings.cache_folder = Path(tempfile.mkdtemp(prefix="redroute-bench-cache-"))
    plans = [*_plans(args.routes.split(",") if args.routes else None), _synthetic()]
    folder = args.keep or Path(tempfile.mkdtemp(prefix="leaflets-"))
    folder.mkdir(parents=True, exist_ok=True)
    common = {"lang": "both", "publisher": "徐汇区文化和旅游局"}
    t0 = time.perf_counter()
    rid, it, net, extra = plans[0]
    render_leaflet(it, network=net, **common, **extra)
    print(f"cold start (first leaflet of the process): {time.perf_counter() - t0:.2f} s")
    worst = 0.0
    print(f"{'route':20} {'stops':>5} {'format':8} {'kind':7} {'pages':>5} {'KB':>5} "
          f"{'median s':>9} {'max s':>6} {'factor':>6}")
    for rid, it, net, extra in plans:
        for fmt in ("trifold", "a4"):
            for weekly in (True, False):
                kind = "weekly" if weekly else "dated"
                times = []
                pdf = b""
                for k in range(args.repeat):
                    # A different URL each time: typst's memoised layout is not reused whole.
                    url = f"https://example.org/red/{rid}/map.html?run={fmt}-{kind}-{k}"
                    t0 = time.perf_counter()
                    pdf = render_leaflet(it, format=fmt, network=net, weekly=weekly,
                                         map_url=url, **common, **extra)
                    times.append(time.perf_counter() - t0)
                worst = max(worst, *times)
                layout = leaflet_layout(it, format=fmt, network=net, weekly=weekly,
                                        map_url=url, **common, **extra)
                (folder / f"{rid}-{fmt}-{kind}.pdf").write_bytes(pdf)
                print(f"{rid:20} {len(it.stops):>5} {fmt:8} {kind:7} {layout['pages']:>5} "
                      f"{len(pdf) / 1024:>5.0f} {statistics.median(times):>9.2f} "
                      f"{max(times):>6.2f} {layout['factor']:>6}")
    _booklet(folder)
    print(f"slowest leaflet {worst:.2f} s (target {TARGET_S:g} s): "
          f"{'ok' if worst <= TARGET_S else 'TOO SLOW'}")
    if args.keep:
        print(f"PDFs in {folder}")
    return 0 if worst <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
