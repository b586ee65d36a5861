"""``redroute publish``: the website kit of every curated route, built in parallel.

For each route: its HTML map, PDF leaflet, GPX track, GeoJSON and itinerary JSON in a folder
of its own, and an ``index.html`` listing them with the ``<iframe>`` snippet to embed each
map. Independent routes are planned and rendered in separate processes. The whole kit is
built in a temporary folder beside the target and moved into place at the end, so a failed
run leaves the previous kit (or nothing) behind, never half a kit.
"""

from __future__ import annotations

import html
import multiprocessing
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redroute._errors import PublishError, RedrouteError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from redroute.routes import Route

__all__ = ["PublishError", "Published", "publish_routes"]

FILES = {"html": "map.html", "leaflet": "leaflet.pdf", "gpx": "route.gpx",
         "geojson": "route.geojson", "json": "itinerary.json"}



@dataclass(frozen=True, slots=True)
class Published:
    """One route of the kit."""

    id: str
    title_zh: str
    title_en: str
    date: dt.date
    stops: int
    distance_m: float
    minutes: float
    estimated: bool
    network: str
    files: dict[str, str]


def _build_one(args: dict[str, Any]) -> Published:
    """Plan one route and write its files into ``args["folder"]`` (runs in a worker)."""
    import warnings

    from redroute import settings
    from redroute.catalogue import load_catalogue
    from redroute.export.gpx import save_geojson, save_gpx
    from redroute.export.html import save_map
    from redroute.export.leaflet import save_leaflet
    from redroute.plan import make_plan
    from redroute.routes import load_routes

    warnings.simplefilter("ignore")  # the parent reports the network source once per route
    cat = load_catalogue(args["catalogue"])
    route = load_routes(args["routes"], cat)[args["id"]]
    folder = Path(args["folder"])
    folder.mkdir()
    result = make_plan(catalogue=cat, date=args["date"],
                       network=args["network"] or settings.network, **route.plan_options())
    it = result.itinerary
    map_url = f"{args['base_url'].rstrip('/')}/{route.id}/map.html" if args["base_url"] else None
    save_map(it, folder / FILES["html"], lang=args["lang"], tiles=args["tiles"],
             network=result.network, locate=True)
    save_leaflet(it, folder / FILES["leaflet"], lang=args["lang"], map_url=map_url,
                 publisher=args["publisher"], network=result.network, catalogue=cat)
    save_gpx(it, folder / FILES["gpx"], lang=args["lang"])
    save_geojson(it, folder / FILES["geojson"])
    (folder / FILES["json"]).write_text(it.to_json(), encoding="utf-8")
    return Published(route.id, route.title_zh, route.title_en, it.date, len(it.stops),
                     it.distance_m, it.total_minutes, it.estimated, result.network.describe(),
                     {k: f"{route.id}/{name}" for k, name in FILES.items()})


def publish_routes(
    output: str | Path,
    routes: dict[str, Route],
    *,
    catalogue: str | Path | None = None,
    routes_folder: str | Path | None = None,
    date: dt.date | None = None,
    network: str | None = None,
    lang: str = "both",
    tiles: str = "osm",
    base_url: str | None = None,
    publisher: str | None = None,
    workers: int | None = None,
    report: Callable[[str], None] | None = None,
) -> list[Published]:
    """Build the kit of ``routes`` into the folder ``output`` (replaced as a whole).

    Each route is planned for ``date`` or, by default, for its first recommended day from
    today on.
    """
    from redroute.plan import _today

    target = Path(output)
    parent = target.parent if str(target.parent) else Path()
    if not parent.is_dir():
        msg = f"cannot write {target}: folder {parent} does not exist"
        raise PublishError(msg)
    if target.exists() and not target.is_dir():
        msg = f"cannot write {target}: it is a file, not a folder"
        raise PublishError(msg)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    try:
        start = date or _today()
        jobs = [{"id": r.id, "folder": str(staging / r.id),
                 "date": date or r.next_recommended_day(start),
                 "catalogue": str(catalogue) if catalogue else None,
                 "routes": str(routes_folder) if routes_folder else None,
                 "network": network, "lang": lang, "tiles": tiles, "base_url": base_url,
                 "publisher": publisher} for r in routes.values()]
        count = workers or min(len(jobs), os.cpu_count() or 1)
        done: list[Published] = []
        # "spawn": typst cannot typeset in a process forked after it has run in the parent.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=max(1, count), mp_context=context) as pool:
            futures = [(job["id"], pool.submit(_build_one, job)) for job in jobs]
            for route_id, future in futures:
                try:
                    item = future.result()
                except RedrouteError as err:
                    msg = f"route {route_id}: {err}"
                    raise PublishError(msg) from err
                done.append(item)
                if report:
                    report(f"built {route_id}: {item.stops} stops on {item.date}; walking "
                           f"network: {item.network}")
        (staging / "index.html").write_text(index_html(done, base_url=base_url, lang=lang),
                                            encoding="utf-8")
        _swap(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return done


def _swap(staging: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    staging.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def index_html(items: list[Published], *, base_url: str | None, lang: str = "both") -> str:
    """The kit's index page: every route with its files and its embed snippet."""
    from redroute.export.embed import embed_snippet

    def both(zh: str, en: str) -> str:
        return {"zh": zh, "en": en}.get(lang, f"{zh} / {en}")

    rows = []
    for item in items:
        url = (f"{base_url.rstrip('/')}/{item.files['html']}" if base_url
               else item.files["html"])
        snippet = embed_snippet(url, title=f"{item.title_zh} {item.title_en}", lang=lang)
        links = " · ".join(
            f'<a href="{html.escape(path)}">{html.escape(label)}</a>' for label, path in (
                (both("地图", "map"), item.files["html"]),
                (both("折页", "leaflet"), item.files["leaflet"]),
                ("GPX", item.files["gpx"]), ("GeoJSON", item.files["geojson"]),
                ("JSON", item.files["json"])))
        est = both("（距离为估算）", " (estimated distances)") if item.estimated else ""
        rows.append(f"""<section>
<h2>{html.escape(item.title_zh)}<br><small>{html.escape(item.title_en)}</small></h2>
<p>{item.stops} {both("站", "stops")} · {item.distance_m / 1000:.1f} km ·
{round(item.minutes)} {both("分钟", "min")} · {item.date.isoformat()}{html.escape(est)}</p>
<p>{links}</p>
<details><summary>{both("嵌入代码", "Embed code")}</summary>
<pre><code>{html.escape(snippet)}</code></pre></details>
</section>""")
    title = both("上海红色文化步行路线", "Red heritage walks of Shanghai")
    return f"""<!DOCTYPE html>
<html lang="{'en' if lang == 'en' else 'zh-CN'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#222}}h1{{color:#b71c1c}}h2{{color:#b71c1c;margin-bottom:.2rem}}small{{color:#555}}
section{{border-top:1px solid #ddd;padding:.5rem 0}}pre{{white-space:pre-wrap;background:#f6f6f6;
padding:.5rem;font-size:.8rem}}footer{{margin-top:2rem;color:#666;font-size:.85rem}}</style>
</head><body>
<h1>{html.escape(title)}</h1>
{"".join(rows)}
<footer>{both("地图数据 © OpenStreetMap 贡献者（ODbL）",
              "Map data © OpenStreetMap contributors (ODbL)")} · redroute</footer>
</body></html>
"""
