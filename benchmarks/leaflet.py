"""Benchmark: time to make a leaflet, its page count and file size, for both formats.

The walk is the longest founding-of-the-Party route (all 10 candidates, 8 hours, from
People's Square on Saturday 2026-12-05) on the OSM extract in ../shared/data/osm, with its
walking network loaded once beforehand ("a cached graph"); without the extract the
estimated itinerary is used and the map has no streets. Each format and language is made
``--repeat`` times; the first run of the process (font loading, catalogue parsing) is
reported apart as the cold start.

Target (issue 6): at most 3 s per leaflet with a cached graph on a 2-core machine.

    python benchmarks/leaflet.py [--repeat 3] [--keep FOLDER]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from redroute._errors import NetworkWarning
from redroute._sources import walk_network
from redroute.export.leaflet import leaflet_layout, save_leaflet
from redroute.network import BBox
from redroute.plan import plan_itinerary

ROOT = Path(__file__).resolve().parent.parent
EXTRACT = ROOT.parent / "shared" / "data" / "osm" / "shanghai-core-merged.osm"
STOPS = [
    "first-congress-site", "first-congress-memorial-hall", "old-yuyangli-2", "new-yuyangli-6",
    "chengyuli-12", "zhou-gongguan", "sun-yat-sen-residence", "bowen-girls-school",
    "shanghai-history-museum", "china-youth-editorial-office",
]
TARGET_S = 3.0


def _walk(source: str) -> tuple[Any, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        it = plan_itinerary(STOPS, date=dt.date(2026, 12, 5), start="peoples-square", hours=8,
                            network=source, title_zh="建党之路：从一大到渔阳里",
                            title_en="The founding of the Party walk")
        if source == "estimate":
            return it, None
        points = [(s.lon, s.lat) for s in it.stops] + [(it.start.lon, it.start.lat)]
        net = walk_network(BBox.around(points), network=source)
        _ = net.index  # built once, as a cached graph would be
        return it, net


def _pages(path: Path) -> int:
    import pypdf

    return len(pypdf.PdfReader(str(path)).pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the PDFs in this folder")
    args = parser.parse_args()
    source = str(EXTRACT) if EXTRACT.exists() else "estimate"
    t0 = time.perf_counter()
    it, net = _walk(source)
    print(f"itinerary: {len(it.stops)} stops, {it.distance_m / 1000:.1f} km, network "
          f"{'extract' if net is not None else 'estimate'} "
          f"({time.perf_counter() - t0:.2f} s to plan and load)")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="leaflets-"))
    folder.mkdir(parents=True, exist_ok=True)
    options = {"network": net, "publisher": "徐汇区文化和旅游局",
               "map_url": "https://example.org/redroute/routes/founding-walk"}
    t0 = time.perf_counter()
    save_leaflet(it, folder / "cold.pdf", **options)
    print(f"cold start (first leaflet of the process): {time.perf_counter() - t0:.2f} s")
    worst = 0.0
    print(f"{'format':8} {'lang':5} {'pages':>5} {'KB':>6} {'median s':>9} {'max s':>6}  levels")
    for fmt in ("trifold", "a4"):
        for lang in ("both", "zh", "en"):
            path = folder / f"{fmt}-{lang}.pdf"
            times = []
            for k in range(args.repeat):
                # A different URL each time, so that typst's memoised layout is not reused
                # whole (a batch of different routes gets no such help).
                url = f"{options['map_url']}?run={fmt}-{lang}-{k}"
                t0 = time.perf_counter()
                save_leaflet(it, path, format=fmt, lang=lang, **{**options, "map_url": url})
                times.append(time.perf_counter() - t0)
            worst = max(worst, *times)
            levels = leaflet_layout(it, format=fmt, lang=lang, **options)["levels"]
            print(f"{fmt:8} {lang:5} {_pages(path):>5} {path.stat().st_size / 1024:>6.0f} "
                  f"{statistics.median(times):>9.2f} {max(times):>6.2f}  {levels}")
    print(f"slowest leaflet {worst:.2f} s (target {TARGET_S:g} s): "
          f"{'ok' if worst <= TARGET_S else 'TOO SLOW'}")
    if args.keep:
        print(f"PDFs in {folder}")
    return 0 if worst <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
