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
from typing import TYPE_CHECKING

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


@dataclass(frozen=True, slots=True)
class _Job:
    """What a worker needs to build one route's folder (plain, picklable values)."""

    route: Route
    folder: Path
    date: dt.date
    catalogue: Path | None
    network: str | None
    lang: str
    tiles: str
    base_url: str | None
    publisher: str | None


def _build_one(job: _Job) -> Published:
    """Plan one route and write its files into ``job.folder`` (runs in a worker)."""
    import warnings

    from redroute.catalogue import load_catalogue
    from redroute.export.gpx import save_geojson, save_gpx
    from redroute.export.html import save_map
    from redroute.export.leaflet import save_leaflet
    from redroute.plan import make_plan

    warnings.simplefilter("ignore")  # the parent reports the network source once per route
    cat = load_catalogue(job.catalogue)
    route = job.route
    job.folder.mkdir()
    result = make_plan(route.request, catalogue=cat, date=job.date, network=job.network)
    it = result.itinerary
    map_url = f"{job.base_url.rstrip('/')}/{route.id}/map.html" if job.base_url else None
    save_map(it, job.folder / FILES["html"], lang=job.lang, tiles=job.tiles,
             network=result.network, locate=True)
    save_leaflet(it, job.folder / FILES["leaflet"], lang=job.lang, map_url=map_url,
                 publisher=job.publisher, network=result.network, catalogue=cat)
    save_gpx(it, job.folder / FILES["gpx"], lang=job.lang)
    save_geojson(it, job.folder / FILES["geojson"])
    (job.folder / FILES["json"]).write_text(it.to_json(), encoding="utf-8")
    return Published(route.id, route.title_zh, route.title_en, it.date, len(it.stops),
                     it.distance_m, it.total_minutes, it.estimated, result.network.describe(),
                     {k: f"{route.id}/{name}" for k, name in FILES.items()})


def publish_routes(
    output: str | Path,
    routes: dict[str, Route],
    *,
    catalogue: str | Path | None = None,
    date: dt.date | None = None,
    network: str | None = None,
    lang: str = "both",
    tiles: str = "osm",
    base_url: str | None = None,
    publisher: str | None = None,
    workers: int | None = None,
    on_built: Callable[[Published], None] | None = None,
) -> list[Published]:
    """Build the kit of ``routes`` into the folder ``output`` (replaced as a whole).

    Parameters
    ----------
    output
        The kit's folder; it is built beside it and moved into place when complete.
    routes
        The routes, by id (from :func:`~redroute.routes.load_routes`).
    catalogue
        The catalogue file the routes were checked against (default: the shipped one).
    date
        Plan every route for this day; default: each route's first recommended day from
        today on.
    network
        The walking network source, as for :func:`~redroute.plan.make_plan`.
    lang, tiles, base_url, publisher
        As for the map and leaflet outputs; ``base_url`` is where the kit will be served
        (for QR codes).
    workers
        Processes (default: one a core).
    on_built
        Called with each route as it is finished (the CLI advances its progress bar).
    """
    import datetime as dt

    from redroute import settings

    target = Path(output)
    parent = target.parent if str(target.parent) else Path()
    if not parent.is_dir():
        msg = f"cannot write {target}: folder {parent} does not exist"
        raise PublishError(msg)
    if target.exists() and not target.is_dir():
        msg = f"cannot write {target}: it is a file, not a folder"
        raise PublishError(msg)
    from zoneinfo import ZoneInfo

    today = dt.datetime.now(ZoneInfo(settings.timezone)).date()
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    try:
        jobs = [_Job(route=r, folder=staging / r.id,
                     date=date or r.next_recommended_day(today),
                     catalogue=Path(catalogue) if catalogue else None, network=network,
                     lang=lang, tiles=tiles, base_url=base_url, publisher=publisher)
                for r in routes.values()]
        count = workers or min(len(jobs), os.cpu_count() or 1)
        done: list[Published] = []
        # "spawn": typst cannot typeset in a process forked after it has run in the parent.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=max(1, count), mp_context=context) as pool:
            futures = [(job.route.id, pool.submit(_build_one, job)) for job in jobs]
            for route_id, future in futures:
                try:
                    item = future.result()
                except RedrouteError as err:
                    msg = f"route {route_id}: {err}"
                    raise PublishError(msg) from err
                done.append(item)
                if on_built:
                    on_built(item)
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
    from redroute.wording import attribution_html, distance, duration, pick, plural

    def both(zh: str, en: str) -> str:
        return pick(zh, en, lang)

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
<p>{both(f"{item.stops} 站", plural(item.stops, "stop"))} · {distance(item.distance_m)} ·
{duration(item.minutes, lang)} · {item.date.isoformat()}{html.escape(est)}</p>
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
<footer>{attribution_html(lang)} · redroute</footer>
</body></html>
"""
