"""Benchmark: size and build time of the HTML map of a 10-stop walk (issue 5).

The founding-of-the-Party walk with all 10 candidate stops (a long day, so none is left
out), on the OSM extract in ../shared/data/osm when present (else the estimated network),
written with each base map. The page inlines Leaflet and a WOFF2 subset of the CJK font
holding the characters the page uses, so its size is mostly those two.

Target: at most 600 KB for the default page (OSM tiles). Build times are measured once
cold (the font subset is made) and then warm (the subset is cached in the process).

    python benchmarks/html_size.py [--hours 9] [--network PATH|estimate] [--out DIR]
"""

from __future__ import annotations

import argparse
import base64
import re
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from redroute._errors import NetworkWarning  # noqa: E402
from redroute._sources import walk_network  # noqa: E402
from redroute.export import html as map_html_module  # noqa: E402
from redroute.network import BBox  # noqa: E402
from tests.conftest import founding_itinerary  # noqa: E402

if TYPE_CHECKING:
    from redroute.itinerary import Itinerary

EXTRACT = ROOT.parent / "shared" / "data" / "osm" / "shanghai-core-merged.osm"
TARGET_KB = 600


def parts(page: str) -> dict[str, int]:
    """Bytes of the big pieces of a page."""
    font = re.search(r"base64,([A-Za-z0-9+/=]+)\) format", page)
    view = re.search(r'id="redroute-view">(.*?)</script>', page, re.DOTALL)
    geo = re.search(r'id="redroute-itinerary">(.*?)</script>', page, re.DOTALL)
    return {
        "font_woff2": len(base64.b64decode(font.group(1))) if font else 0,
        "font_base64": len(font.group(1)) if font else 0,
        "view_json": len(view.group(1).encode()) if view else 0,
        "itinerary_json": len(geo.group(1).encode()) if geo else 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=9.0)
    parser.add_argument("--network", default=str(EXTRACT) if EXTRACT.exists() else "estimate")
    parser.add_argument("--out", type=Path, default=None, help="keep the pages here")
    args = parser.parse_args()

    it = cast("Itinerary", founding_itinerary(args.network, hours=args.hours))
    print(f"itinerary: {len(it.stops)} stops, {len(it.legs)} legs, "
          f"{sum(len(leg.geometry) for leg in it.legs)} route points; network {it.network}")
    if len(it.stops) != 10:
        print(f"warning: {len(it.stops)} stops, not 10 (try a larger --hours)")
    net = None
    if args.network != "estimate":
        pts = [(it.start.lon, it.start.lat)] + [(s.lon, s.lat) for s in it.stops]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NetworkWarning)
            net = walk_network(BBox.around(pts, buffer_m=800), network=args.network)

    out: Path = args.out or Path(tempfile.mkdtemp(prefix="redroute-html-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"{'page':<22} {'KB':>8} {'font KB':>8} {'build s':>8}")
    results: dict[str, int] = {}
    runs: list[tuple[str, dict[str, Any]]] = [
        ("osm (cold)", {"tiles": "osm"}), ("osm (warm)", {"tiles": "osm"}),
        ("amap", {"tiles": "amap"}), ("none + network", {"tiles": "none", "network": net}),
        ("zh", {"tiles": "osm", "lang": "zh"}), ("en", {"tiles": "osm", "lang": "en"}),
    ]
    for name, kwargs in runs:
        t0 = time.perf_counter()
        path = map_html_module.save_map(it, out / f"{name.split()[0]}-{len(results)}.html",
                                        **kwargs)
        seconds = time.perf_counter() - t0
        page = path.read_text(encoding="utf-8")
        size = path.stat().st_size
        results[name] = size
        print(f"{name:<22} {size / 1000:>8.1f} {parts(page)['font_woff2'] / 1000:>8.1f} "
              f"{seconds:>8.2f}")
    detail = parts((out / "osm-0.html").read_text(encoding="utf-8"))
    print("default page parts (bytes):", detail)
    print(f"pages in {out}")
    ok = results["osm (cold)"] <= TARGET_KB * 1000
    print(f"target <= {TARGET_KB} KB: {'met' if ok else 'MISSED'} "
          f"({results['osm (cold)'] / 1000:.1f} KB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
