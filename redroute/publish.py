"""``redroute publish``: the website kit of every curated route, built in parallel.

For each route: its HTML map, PDF leaflet, GPX track, GeoJSON and itinerary JSON in a folder
of its own with a page (``index.html``) that describes the route and says which days it
suits; an ``index.html`` listing every route, its days and files, with the ``<iframe>``
snippet to embed each map; and a manifest, ``.redroute-kit.json``, naming the version, the
date and every file of the kit. Independent routes are planned and rendered in separate processes.

The leaflets are season leaflets (each stop's weekly hours, walking times instead of clock
times) unless a date is given: then every route is planned, and its leaflet dated, for it.

The kit owns only what it wrote. The routes are built in a temporary folder; when all are
done, the kit's files are committed together with the rules of :mod:`redroute._io` (a
failure replaces nothing). Republishing replaces the files the previous kit's manifest
lists, removes those of them the new kit no longer has, and touches nothing else (a
``CNAME``, a ``photos/`` folder stay). A non-empty folder that is not a kit is refused
unless ``force``, and even then only the kit's files are added or replaced.
"""

from __future__ import annotations

import contextlib
import html
import json
import multiprocessing
import os
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from redroute._errors import PublishError, RedrouteError
from redroute._io import no_interrupt

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Sequence
    from concurrent.futures import Future, ProcessPoolExecutor

    from redroute._io import OutputSet
    from redroute.routes import Route

__all__ = ["MANIFEST", "Kit", "PublishError", "Published", "check_kit",
           "check_publish_options", "publish_routes"]

FILES = {"html": "map.html", "leaflet": "leaflet.pdf", "gpx": "route.gpx",
         "geojson": "route.geojson", "json": "itinerary.json", "page": "index.html"}
#: The kit's manifest: what a later publish may replace or remove.
MANIFEST = ".redroute-kit.json"


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
    #: Weekdays (0 = Monday) the route suits: recommended, with every stop open.
    days: tuple[int, ...] = ()
    description_zh: str = ""
    description_en: str = ""


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
    weekly: bool = True


def _suits(route: Route, it: Any, cat: Any) -> tuple[int, ...]:
    """The weekdays a route suits: its recommended days on which every stop is open."""
    from redroute.export.weekly import open_weekdays
    from redroute.routes import DAYS

    known = {lm.id for lm in cat}
    lms = [cat.get(s.id) if s.id in known else None for s in it.stops]
    return tuple(d for d in open_weekdays(lms, it.date) if DAYS[d] in route.days)


def _build_one(job: _Job) -> Published:
    """Plan one route and write its files into ``job.folder`` (runs in a worker)."""
    import warnings

    from redroute._io import write_text_atomic
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
    map_url = _map_url(job.base_url, route.id)
    save_map(it, job.folder / FILES["html"], lang=job.lang, tiles=job.tiles,
             network=result.network, locate=True)
    save_leaflet(it, job.folder / FILES["leaflet"], lang=job.lang, map_url=map_url,
                 publisher=job.publisher, network=result.network, catalogue=cat,
                 weekly=job.weekly, theme=route.theme, district=route.district)
    save_gpx(it, job.folder / FILES["gpx"], lang=job.lang)
    save_geojson(it, job.folder / FILES["geojson"])
    write_text_atomic(job.folder / FILES["json"], it.to_json())
    item = Published(route.id, route.title_zh, route.title_en, it.date, len(it.stops),
                     it.distance_m, it.total_minutes, it.estimated, result.network.describe(),
                     {k: f"{route.id}/{name}" for k, name in FILES.items()},
                     days=_suits(route, it, cat), description_zh=route.description_zh,
                     description_en=route.description_en)
    write_text_atomic(job.folder / FILES["page"], route_page(item, lang=job.lang))
    return item


def _map_url(base_url: str | None, route_id: str) -> str | None:
    return f"{base_url.rstrip('/')}/{route_id}/map.html" if base_url else None


# ----------------------------------------------------------------------------- checks


def check_publish_options(route_ids: Iterable[str], *, base_url: str | None = None,
                          publisher: str | None = None, lang: str = "both",
                          tiles: str = "osm") -> None:
    """Check the options of a kit as the map, leaflet and embed code will, before the work.

    Raises
    ------
    PublishError
        For a base URL the leaflets' QR codes or the embed snippets refuse, a publisher
        line too long for the leaflet, or map options (language, tiles, Tianditu key) the
        map refuses.
    """
    from redroute.export.embed import _check_url as embed_url
    from redroute.export.html import _check_options as map_options
    from redroute.export.leaflet import _check_url as leaflet_url

    try:
        map_options(lang, tiles, None)
        for route_id in route_ids:
            url = _map_url(base_url, route_id)
            if url is not None:
                leaflet_url(url)
                embed_url(url)
    except RedrouteError as err:
        what = f"base URL {base_url!r}: " if base_url and "URL" in str(err) else ""
        msg = f"{what}{err}"
        raise PublishError(msg) from err
    from redroute.export.leaflet import check_leaflet_options

    try:
        check_leaflet_options(publisher=publisher, lang=lang)
    except RedrouteError as err:
        raise PublishError(str(err)) from err


@dataclass(frozen=True, slots=True)
class Kit:
    """A checked kit folder: its outputs and what a previous kit there owns."""

    folder: Path
    outputs: OutputSet
    files: tuple[str, ...]
    folders: tuple[str, ...]
    previous_files: tuple[str, ...]
    previous_folders: tuple[str, ...]


def _kit_names(route_ids: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    files = [f"{rid}/{name}" for rid in route_ids for name in FILES.values()]
    return (*files, "index.html"), tuple(route_ids)


def _relative(name: object) -> str | None:
    """``name`` if it is a plain relative path inside the kit (no ``..``), else ``None``."""
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("", ".", "..") for part in name.split("/")):
        return None
    return str(path)


def _read_manifest(folder: Path) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The files and folders a previous kit's manifest lists; ``None`` when it is damaged."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("generator") != "redroute":
        return None
    lists = []
    for key in ("files", "folders"):
        names = data.get(key)
        if not isinstance(names, list):
            return None
        checked = [_relative(n) for n in names]
        if any(n is None for n in checked):
            return None
        lists.append(tuple(n for n in checked if n is not None))
    return lists[0], lists[1]


def _previous(folder: Path, label: Path, *,
              force: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from redroute._io import is_temporary

    if not folder.is_dir():
        return (), ()
    if (folder / MANIFEST).is_file():
        found = _read_manifest(folder)
        if found is not None:
            return found
        if not force:
            msg = (f"cannot publish into {label}: its kit manifest {MANIFEST} is damaged; "
                   "give --force to write the kit anyway (no file there is deleted)")
            raise PublishError(msg)
        return (), ()
    others = sorted(p.name for p in folder.iterdir() if not is_temporary(p.name))
    if others and not force:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        msg = (f"cannot publish into {label}: it holds {shown} and is not a redroute kit "
               f"(no {MANIFEST}); give --force to add the kit's files to it (nothing else "
               "there is changed or deleted)")
        raise PublishError(msg)
    return (), ()


def check_kit(output: str | Path, route_ids: Iterable[str], *, force: bool = False,
              inputs: Iterable[tuple[str, str | Path | None]] = ()) -> Kit:
    """Check the kit folder ``output`` and every file the kit of ``route_ids`` will write.

    Parameters
    ----------
    output
        The kit's folder (``.`` works: the kit is written into the current folder).
    route_ids
        The routes of the kit.
    force
        Write into a non-empty folder that is not a kit (its other files stay).
    inputs
        Files the command reads, which the kit must not overwrite.

    Raises
    ------
    OutputError
        When a file or folder of the kit cannot be written (see :mod:`redroute._io`).
    PublishError
        When the folder holds other files and is not a kit, without ``force``.
    """
    from redroute._io import Output, check_outputs

    target = Path(output)
    ids = list(route_ids)
    files, folders = _kit_names(ids)
    outs = [Output(target, "-o", folder=True),
            *(Output(target / name, "-o", folder=True) for name in folders),
            *(Output(target / name, "-o") for name in (*files, MANIFEST))]
    checked = check_outputs(outs, inputs=inputs)
    previous_files, previous_folders = _previous(checked.final(target), target, force=force)
    return Kit(target, checked, files, folders, previous_files, previous_folders)


# ----------------------------------------------------------------------------- building


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
    force: bool = False,
    on_built: Callable[[Published], None] | None = None,
) -> list[Published]:
    """Build the kit of ``routes`` into the folder ``output``.

    Parameters
    ----------
    output
        The kit's folder: created, or a previous kit there is updated (only the files its
        manifest lists are replaced or removed).
    routes
        The routes, by id (from :func:`~redroute.routes.load_routes`).
    catalogue
        The catalogue file the routes were checked against (default: the shipped one).
    date
        Plan every route for this day and date its leaflet; default: each route's first
        recommended day from today on, with a season leaflet (weekly hours, no clock
        times).
    network
        The walking network source, as for :func:`~redroute.plan.make_plan`.
    lang, tiles, base_url, publisher
        As for the map and leaflet outputs; ``base_url`` is where the kit will be served
        (for QR codes).
    workers
        Processes (default: one a core).
    force
        Write into a non-empty folder that is not a kit; its other files stay.
    on_built
        Called with each route as it is finished (the CLI advances its progress bar).

    Raises
    ------
    PublishError
        An option is refused, the folder is not a kit (without ``force``), or a route
        cannot be built; nothing is changed.
    OutputError
        A file of the kit cannot be written; nothing is changed.
    KeyboardInterrupt
        On Ctrl-C: the workers are stopped and nothing is changed.
    """
    import datetime as dt
    from zoneinfo import ZoneInfo

    from redroute import settings
    from redroute._io import clean_stale, temporary_folder, write_text_atomic
    from redroute._version import __version__

    check_publish_options(routes, base_url=base_url, publisher=publisher, lang=lang,
                          tiles=tiles)
    kit = check_kit(output, routes, force=force, inputs=[("catalogue", catalogue)])
    final = kit.outputs.final(kit.folder)
    where = final if final.is_dir() else final.parent
    for folder in {where, final.parent}:  # what a killed run left inside the kit or beside it
        clean_stale(folder)
    now = dt.datetime.now(ZoneInfo(settings.timezone))
    staging = temporary_folder(where, final.name or "kit")
    try:
        jobs = [_Job(route=r, folder=staging / r.id,
                     date=date or r.next_recommended_day(now.date()),
                     catalogue=Path(catalogue) if catalogue else None, network=network,
                     lang=lang, tiles=tiles, base_url=base_url, publisher=publisher,
                     weekly=date is None)
                for r in routes.values()]
        done = _build_all(jobs, workers, on_built)
        write_text_atomic(staging / "index.html",
                          index_html(done, base_url=base_url, lang=lang))
        manifest = json.dumps({"generator": "redroute", "version": __version__,
                               "date": now.isoformat(timespec="seconds"),
                               "routes": [item.id for item in done], "folders": kit.folders,
                               "files": kit.files}, ensure_ascii=False, indent=1) + "\n"
        writers: dict[Path, Callable[[Path], object]] = {
            kit.folder / name: _mover(staging / name) for name in kit.files}
        writers[kit.folder / MANIFEST] = lambda tmp: tmp.write_text(manifest, encoding="utf-8")
        with no_interrupt():
            kit.outputs.write(writers)
            _remove_dropped(final, kit)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return done


def _mover(source: Path) -> Callable[[Path], None]:
    """A writer that moves a built file into its temporary slot beside the target."""
    def move(tmp: Path) -> None:
        try:
            source.replace(tmp)
        except OSError:  # the target is a link to another file system: copy
            shutil.copyfile(source, tmp)
    return move


def _remove_dropped(folder: Path, kit: Kit) -> None:
    """Remove the files of the previous kit that the new one no longer has (a route taken
    out), then their folders if nothing else is left in them. Links, and anything the
    manifest does not list, stay."""
    keep = set(kit.files)
    for name in kit.previous_files:
        if name in keep or name == MANIFEST:
            continue
        path = folder / name
        with contextlib.suppress(OSError):
            inside = path.parent.resolve().is_relative_to(folder)
            if inside and not path.is_symlink() and path.is_file():
                path.unlink()
    for name in sorted(set(kit.previous_folders) - set(kit.folders), reverse=True):
        path = folder / name
        with contextlib.suppress(OSError):
            if not path.is_symlink():
                path.rmdir()  # only when empty: a photo put there stays


def _quiet_worker() -> None:
    """Workers leave Ctrl-C to the parent, which stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _build_all(jobs: list[_Job], workers: int | None,
               on_built: Callable[[Published], None] | None) -> list[Published]:
    """Build every route in worker processes; on any failure or Ctrl-C, stop them all."""
    from concurrent.futures import ProcessPoolExecutor

    count = max(1, workers or min(len(jobs), os.cpu_count() or 1))
    # "spawn": typst cannot typeset in a process forked after it has run in the parent.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=count, mp_context=context,
                               initializer=_quiet_worker)
    futures: list[tuple[str, Future[Published]]] = []
    done: list[Published] = []
    try:
        with no_interrupt():  # workers start with Ctrl-C ignored, before they can see one
            futures = [(job.route.id, pool.submit(_build_one, job)) for job in jobs]
        for route_id, future in futures:
            try:
                item = future.result()
            except (RedrouteError, OSError) as err:
                msg = f"route {route_id}: {err}"
                raise PublishError(msg) from err
            done.append(item)
            if on_built:
                on_built(item)
    except BaseException:
        _stop(pool, [f for _, f in futures])
        raise
    pool.shutdown()
    return done


def _stop(pool: ProcessPoolExecutor, futures: list[Future[Any]]) -> None:
    """Cancel what has not started, end the running workers, do not wait for them."""
    with no_interrupt():
        for future in futures:
            future.cancel()
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(Exception):
                process.terminate()
        for process in processes:
            with contextlib.suppress(Exception):
                process.join(timeout=2)


def _days_words(item: Published, lang: str) -> str:
    """``适合：周二至周日 / Best on: Tuesday to Sunday``."""
    from redroute.export.weekly import weekdays_words
    from redroute.wording import pick

    if not item.days:
        return pick("没有各站都开放的日子", "no day has every stop open", lang)
    words = weekdays_words(item.days, full=True)
    return pick(f"适合：{words.zh}", f"Best on: {words.en}", lang)


_STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#222}h1{color:#b71c1c}h2{color:#b71c1c;margin-bottom:.2rem}small{color:#555}
section{border-top:1px solid #ddd;padding:.5rem 0}pre{white-space:pre-wrap;background:#f6f6f6;
padding:.5rem;font-size:.8rem}footer{margin-top:2rem;color:#666;font-size:.85rem}
.days{color:#b71c1c;font-weight:600}"""


def route_page(item: Published, *, lang: str = "both") -> str:
    """The page of one route in the kit: what it is, which days it suits, its files."""
    from redroute.wording import attribution_html, distance, duration, pick, plural

    def both(zh: str, en: str) -> str:
        return pick(zh, en, lang)

    name = {k: PurePosixPath(v).name for k, v in item.files.items()}
    links = " · ".join(
        f'<a href="{html.escape(path)}">{html.escape(label)}</a>' for label, path in (
            (both("地图", "map"), name["html"]), (both("折页", "leaflet"), name["leaflet"]),
            ("GPX", name["gpx"]), ("GeoJSON", name["geojson"]), ("JSON", name["json"])))
    paras = "".join(f"<p>{html.escape(t)}</p>" for t in (
        [item.description_zh] if lang == "zh" else [item.description_en] if lang == "en"
        else [item.description_zh, item.description_en]) if t)
    title = pick(item.title_zh, item.title_en, lang)
    return f"""<!DOCTYPE html>
<html lang="{'en' if lang == 'en' else 'zh-CN'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{_STYLE}</style>
</head><body>
<h1>{html.escape(item.title_zh if lang != "en" else item.title_en)}{
    f"<br><small>{html.escape(item.title_en)}</small>" if lang == "both" else ""}</h1>
<p class="days">{html.escape(_days_words(item, lang))}</p>
<p>{both(f"{item.stops} 站", plural(item.stops, "stop"))} · {distance(item.distance_m)} ·
{duration(item.minutes, lang)}</p>
{paras}
<p>{links}</p>
<p><a href="../index.html">{both("全部路线", "All routes")}</a></p>
<footer>{attribution_html(lang)} · redroute</footer>
</body></html>
"""


def index_html(items: list[Published], *, base_url: str | None, lang: str = "both") -> str:
    """The kit's index page: every route with the days it suits, its files and its embed
    snippet."""
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
                (both("路线介绍", "about"), item.files["page"]),
                (both("地图", "map"), item.files["html"]),
                (both("折页", "leaflet"), item.files["leaflet"]),
                ("GPX", item.files["gpx"]), ("GeoJSON", item.files["geojson"]),
                ("JSON", item.files["json"])))
        est = both("（距离为估算）", " (estimated distances)") if item.estimated else ""
        rows.append(f"""<section>
<h2>{html.escape(item.title_zh)}<br><small>{html.escape(item.title_en)}</small></h2>
<p class="days">{html.escape(_days_words(item, lang))}</p>
<p>{both(f"{item.stops} 站", plural(item.stops, "stop"))} · {distance(item.distance_m)} ·
{duration(item.minutes, lang)} · {both("地图按此日规划", "map planned for")}
{item.date.isoformat()}{html.escape(est)}</p>
<p>{links}</p>
<details><summary>{both("嵌入代码", "Embed code")}</summary>
<pre><code>{html.escape(snippet)}</code></pre></details>
</section>""")
    title = both("上海红色文化步行路线", "Red heritage walks of Shanghai")
    return f"""<!DOCTYPE html>
<html lang="{'en' if lang == 'en' else 'zh-CN'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{_STYLE}</style>
</head><body>
<h1>{html.escape(title)}</h1>
{"".join(rows)}
<footer>{attribution_html(lang)} · redroute</footer>
</body></html>
"""
