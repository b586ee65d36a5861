"""The ``redroute`` command line: thin click commands over the library.

Results go to stdout, warnings and errors to stderr. Heavy modules are imported inside the
commands so that ``redroute --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import io
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from redroute._errors import RedrouteError
from redroute.vocabulary import BOOKING, CATEGORIES, DISTRICTS, STATUS, THEMES
from redroute.wording import HOURS_UNKNOWN, LANGS, WEEKDAYS_EN, WEEKDAYS_ZH, plural, printable

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from redroute._io import Output, OutputSet
    from redroute.catalogue import Catalogue, Landmark
    from redroute.request import PlanRequest

_F = TypeVar("_F", bound="Callable[..., Any]")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    """A group that turns library errors into one ``Error: ...`` line and exit 1, and a
    failure to write the results (``> /dev/full``, ``| head -1``) into one line or, for a
    closed pipe, a quiet exit; never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # Outputs are committed together at the end (redroute._io), so an interrupted
            # command has changed nothing.
            click.echo("Interrupted; nothing was changed / 已中断，未做任何更改", err=True)
            ctx.exit(130)
        except RedrouteError as err:
            lines = [printable(line) for line in err.problems]
            for line in lines[:-1]:
                click.echo(f"Error: {line}", err=True)
            raise click.ClickException(lines[-1]) from None

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if sys.stdout is None:  # started with stdout closed (>&-): writing to it is an error
            sys.stdout = _ClosedStdout()
        try:
            try:
                return super().main(*args, **kwargs)
            finally:  # what is still buffered fails here, not at exit ("Exception ignored")
                _flush_stdout()
        except OSError as err:
            _output_failed(err, stdout=_from_stdout(err))


class _ClosedStdout(io.TextIOBase):
    """Standard output when the process was started without one."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "Bad file descriptor (it is closed)")


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except OSError as err:
        _output_failed(err, stdout=True)


def _output_failed(err: OSError, *, stdout: bool) -> NoReturn:
    """Exit 1 after an error writing the results: quietly for a closed pipe (as Unix tools
    do), else one ``Error:`` line; what is left in the buffer goes nowhere."""
    import os

    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if err.errno != errno.EPIPE:
        what = "standard output" if stdout else (err.filename or "a file")
        with contextlib.suppress(OSError):
            click.echo(f"Error: cannot write to {printable(str(what))}: "
                       f"{err.strerror or err}", err=True)
    sys.exit(1)


def _from_stdout(err: OSError) -> bool:
    """Whether ``err`` came from writing standard output: click's ``echo`` without
    ``err=True``."""
    tb = err.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name == "echo" and frame.f_locals.get("err") is False:
            return True
        tb = tb.tb_next
    return False


def _version() -> str:
    from redroute import __version__

    return __version__


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(_version(), "--version", prog_name="redroute")
def main() -> None:
    """redroute: walking tours of Shanghai's red-heritage sites.

    上海红色文化遗址步行路线规划：地标目录、步行路线、地图与宣传折页。
    """
    import warnings

    from redroute._errors import RedrouteWarning

    # Data-quality warnings reach the user as one line each, never as a traceback.
    warnings.simplefilter("default", RedrouteWarning)
    warnings.showwarning = _show_warning
    from redroute import settings

    problem = settings.config_problem()
    if problem:
        _say(f"Warning: {problem}; its settings are ignored / 配置文件有误，已忽略")


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    click.echo(f"Warning: {printable(str(message))}", err=True)


def _say(text: str) -> None:
    click.echo(text, err=True)


# ----------------------------------------------------------------------------- types


class _Moment(click.ParamType):  # type: ignore[type-arg]
    name = "YYYY-MM-DD[THH:MM]"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date | dt.datetime:
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        moment: dt.date | None = None
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                moment = dt.date.fromisoformat(text)
            elif re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text):
                moment = dt.datetime.fromisoformat(text.replace(" ", "T"))
        except ValueError as err:
            self.fail(f"{text!r} is not a real date/time ({err})", param, ctx)
        if moment is None:
            self.fail(f"{text!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM", param, ctx)
        from redroute.hours import date_problem

        # A real date the program cannot plan for: one Error line (exit 1), as make_plan says.
        problem = date_problem(moment, label=param.opts[0] if param is not None else "date")
        if problem is not None:
            raise click.ClickException(problem)
        return moment


class _LatLon(click.ParamType):  # type: ignore[type-arg]
    name = "LAT,LON"

    def convert(self, value: Any, param: Any, ctx: Any) -> tuple[float, float]:
        if isinstance(value, tuple):
            return value
        from redroute import coords

        parts = [p for p in re.split(r"[,\s]+", str(value).strip()) if p]
        try:
            lat, lon = (float(p) for p in parts)
        except ValueError:
            self.fail(f"{value!r} is not LAT,LON in decimal degrees", param, ctx)
        if not coords.in_shanghai(lon, lat):
            hint = " (swapped? the order is LAT,LON)" if coords.in_shanghai(lat, lon) else ""
            self.fail(f"{value!r} is not a point in Shanghai{hint}", param, ctx)
        return lat, lon


MOMENT = _Moment()
LATLON = _LatLon()


# ----------------------------------------------------------------------------- helpers


def _width(text: str) -> int:
    if text.isascii():
        return len(text)
    wide = unicodedata.east_asian_width
    return len(text) + sum(1 for c in _NON_ASCII.findall(text) if wide(c) in "WF")


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _table(rows: list[list[str]], header: list[str]) -> str:
    rows = [[printable(c) for c in r] for r in rows]  # catalogue text may hold escapes
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _windows_label(lm: Landmark, day: dt.date) -> str:
    label = lm.hours_label(day)
    words = {None: "不详 unknown", "closed": "闭馆 closed", "24/7": "全天 all day"}
    return words.get(label, label or "")


def _today() -> dt.date:
    from zoneinfo import ZoneInfo

    from redroute import settings

    return dt.datetime.now(ZoneInfo(settings.timezone)).date()


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _load(catalogue_path: Path | None) -> Catalogue:
    from redroute.catalogue import load_catalogue

    return load_catalogue(catalogue_path)


_CATALOGUE_OPTION = click.option(
    "--catalogue",
    "catalogue_path",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="REDROUTE_CATALOGUE",
    help="A catalogue GeoJSON to use instead of the shipped one (env REDROUTE_CATALOGUE).",
)


_ROUTES_OPTION = click.option(
    "--routes", "routes_dir", type=click.Path(path_type=Path, file_okay=False),
    envvar="REDROUTE_ROUTES", help="A folder of route .toml files instead of the shipped ones.")


def _routes(routes_dir: Path | None, catalogue_path: Path | None) -> tuple[Any, Any]:
    from redroute.routes import load_routes

    cat = _load(catalogue_path)
    return cat, load_routes(routes_dir, cat)


_NETWORK_OPTION = click.option(
    "--network", "source", default=None, metavar="auto|download|estimate|PATH",
    help="Where the walking network comes from: auto (cache, then REDROUTE_OSM or the config "
         "file's extract, then a download, then the estimate), download, estimate, or the "
         "path of an .osm/.osm.bz2/.osm.pbf extract (default: auto, or REDROUTE_NETWORK).")


def _lang_option(what: str) -> Callable[[_F], _F]:
    return click.option("--lang", type=click.Choice(LANGS), default="both", show_default=True,
                        help=f"Language of {what}.")


def _date_option(what: str) -> Callable[[_F], _F]:
    return click.option("--date", "day", type=MOMENT, help=what)


# ----------------------------------------------------------------------------- landmarks


@main.group(cls=_Group, context_settings=CONTEXT)
def landmarks() -> None:
    """List, show, validate and import landmark catalogues. 地标目录。"""


@landmarks.command("list")
@_CATALOGUE_OPTION
@click.option("--district", type=click.Choice(list(DISTRICTS)), help="Only this district.")
@click.option("--theme", type=click.Choice(list(THEMES)), help="Only sites with this theme.")
@click.option("--category", type=click.Choice(list(CATEGORIES)), help="Only this category.")
@click.option("-q", "--text", help="Search names (Chinese, English or pinyin), id, address.")
@click.option("--open-on", "open_on", type=MOMENT,
              help="Only sites one can enter on that day (or at that time); unknown hours "
                   "are left out.")
@click.option("--near", type=LATLON, help="Only sites within --radius of this WGS-84 point.")
@click.option("--radius", type=click.FloatRange(min=1), default=None,
              help="Radius in metres for --near (default 1000).")
@click.option("--json", "as_json", is_flag=True, help="Print a GeoJSON FeatureCollection.")
def landmarks_list(catalogue_path: Path | None, district: str | None, theme: str | None,
                   category: str | None, text: str | None,
                   open_on: dt.date | dt.datetime | None, near: tuple[float, float] | None,
                   radius: float | None, as_json: bool) -> None:
    """List the landmarks of the catalogue, filtered. 列出地标。

    \b
    Example:
      redroute landmarks list --district huangpu --theme founding
      redroute landmarks list --open-on 2026-12-07T10:00
      redroute landmarks list --near 31.2222,121.4706 --radius 500 --json
      redroute landmarks list -q yuyangli
    """
    if radius is not None and near is None:
        msg = "--radius needs --near LAT,LON"
        raise click.UsageError(msg)
    cat = _load(catalogue_path)
    found = cat.query(district=district, theme=theme, category=category, text=text,
                      open_at=open_on, near=near, radius_m=radius)
    if as_json:
        click.echo(_dump(found.to_geojson()))
        return
    day = open_on.date() if isinstance(open_on, dt.datetime) else (open_on or _today())
    header = ["编号 ID", "区 District", "状态 Status", f"{day:%m-%d} 开放 Hours", "名称 Name"]
    if near is not None:
        header.insert(1, "距离 m")
    rows = []
    for lm in found:
        row = [lm.id, DISTRICTS[lm.district].zh, lm.status, _windows_label(lm, day),
               f"{lm.name_zh}  {lm.name_en}"]
        if near is not None:
            row.insert(1, f"{lm.distance_m(*near):.0f}")
        rows.append(row)
    if rows:
        click.echo(_table(rows, header))
    click.echo(f"\n{len(found)} 处地标 / {plural(len(found), 'landmark')}"
               f" ({printable(cat.source)})")
    if open_on is not None:
        unknown = [lm for lm in cat.query(district=district, theme=theme, category=category,
                                          text=text, near=near, radius_m=radius)
                   if lm.is_open(open_on) is None]
        if unknown:
            n = len(unknown)
            click.echo(f"另有 {n} 处{HOURS_UNKNOWN.zh}，未列出 / {n} more with unknown opening "
                       "hours not listed", err=True)


@landmarks.command("show")
@_CATALOGUE_OPTION
@click.argument("landmark_id", metavar="ID")
@click.option("--date", "day", type=MOMENT, help="Show the visiting windows of this date "
              "(default: today in Shanghai).")
@click.option("--json", "as_json", is_flag=True, help="Print the GeoJSON Feature.")
def landmarks_show(catalogue_path: Path | None, landmark_id: str,
                   day: dt.date | None, as_json: bool) -> None:
    """Show everything about one landmark. 查看地标详情。

    \b
    Example:
      redroute landmarks show first-congress-site
      redroute landmarks show lu-xun-residence --date 2026-12-07
    """
    lm = _load(catalogue_path).get(landmark_id)
    if as_json:
        click.echo(_dump(lm.to_feature()))
        return
    click.echo(_describe(lm, day.date() if isinstance(day, dt.datetime) else day or _today()))


def _holiday_note(day: dt.date) -> str:
    """``  [国庆节 National Day holiday]`` on a public holiday (``PH`` hours apply)."""
    from redroute.hours import public_holiday

    holiday = public_holiday(day)
    return "" if holiday is None else f"  [{holiday.name_zh} {holiday.name_en}]"


def _describe(lm: Landmark, day: dt.date) -> str:
    out = [lm.name_zh, lm.name_en, ""]

    def add(label: str, value: str) -> None:
        out.append(f"{_pad(label, 24)}{value}")

    add("编号 ID", lm.id)
    add("地址 Address", lm.address_zh + (f" / {lm.address_en}" if lm.address_en else ""))
    add("区 District", f"{DISTRICTS[lm.district].zh} {DISTRICTS[lm.district].en}")
    add("类别 Category", f"{CATEGORIES[lm.category].zh} {CATEGORIES[lm.category].en}")
    add("主题 Themes", ", ".join(f"{THEMES[t].zh} {THEMES[t].en}" for t in lm.themes))
    add("状态 Status", f"{lm.status}: {STATUS[lm.status].zh} {STATUS[lm.status].en}")
    if lm.opening_hours is None:
        add("开放时间 Hours", "不详 unknown: check before you go / 出行前请确认")
    else:
        add("开放时间 Hours", lm.opening_hours)
        if lm.last_entry:
            add("", f"闭馆前 {lm.last_entry} 分钟停止入场 / last entry {lm.last_entry} min "
                    "before closing")
        for offset in range(7):
            d = day + dt.timedelta(days=offset)
            windows = lm.windows(d) or []
            text = _windows_label(lm, d)
            entries = [w.last_entry for w in windows if w.last_entry < w.closes]
            if entries:
                text += "  (最晚入场 last entry " + ", ".join(f"{e:%H:%M}" for e in entries) + ")"
            weekday = f"周{WEEKDAYS_ZH[d.weekday()]} {WEEKDAYS_EN[d.weekday()]}"
            add("" if offset else "本周 This week", f"{d:%m-%d} {weekday}  {text}"
                                                   f"{_holiday_note(d)}")
    if lm.hours_source:
        checked = f" (checked {lm.hours_checked})" if lm.hours_checked else ""
        add("时间来源 Hours from", f"{lm.hours_source}{checked}")
    booking = BOOKING[lm.booking]
    add("预约 Booking", f"{booking.zh} {booking.en}")
    for note in (lm.booking_note_zh, lm.booking_note_en):
        if note:
            add("", note)
    add("参观 Visit", f"{lm.visit_minutes} 分钟 min")
    add("重要性 Significance", "★" * lm.significance + "☆" * (5 - lm.significance))
    add("位置 Position", f"{lm.lat:.6f} N, {lm.lon:.6f} E (WGS-84)")
    add("坐标来源 Position from", lm.coord_source)
    out += ["", lm.summary_zh, lm.summary_en, ""]
    add("来源 Sources", lm.sources[0])
    for src in lm.sources[1:]:
        add("", src)
    return printable("\n".join(out), newlines=True)  # catalogue text may hold escapes


@landmarks.command("validate")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def landmarks_validate(file: Path) -> None:
    """Check a catalogue file and report every problem. 校验地标目录。

    Each problem is one line naming the feature, its id and the field; the exit code is 1
    when there is any.

    \b
    Example:
      redroute landmarks validate my-district.geojson
    """
    from redroute.catalogue import check_file

    cat, problems = check_file(file)  # read and checked once
    if cat is None:
        for prob in problems:
            click.echo(f"Error: {printable(str(prob))}", err=True)
        n = len(problems)
        click.echo(f"{printable(str(file))}: {n} 个问题 / {plural(n, 'problem')}", err=True)
        sys.exit(1)
    known = sum(1 for lm in cat if lm.opening_hours is not None)
    click.echo(f"{printable(str(file))}: 校验通过，{len(cat)} 处地标 / valid, {len(cat)} landmarks "
               f"({known} with opening hours)")


@landmarks.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--crs", required=True, type=click.Choice(["wgs84", "gcj02", "bd09"]),
              help="Datum of the CSV coordinates: gcj02 for AMap/Gaode or Tencent, bd09 for "
                   "Baidu, wgs84 for GPS or OpenStreetMap.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the catalogue here (default: print it).")
@click.option("--ignore-unknown-columns", is_flag=True,
              help="Leave out columns that are no catalogue field, with a warning each "
                   "(default: an unknown column is an error, with a did-you-mean).")
def landmarks_import(file: Path, crs: str, output: Path | None,
                     ignore_unknown_columns: bool) -> None:
    """Turn a CSV list of sites into a validated catalogue. 从 CSV 导入地标。

    Columns: name_zh, name_en, address_zh, district, category, themes, summary_zh,
    summary_en and lon/lat (or location "lon,lat"); optional: id, address_en,
    opening_hours, last_entry, booking, booking_note_zh, booking_note_en, visit_minutes,
    significance, sources. Chinese headers (名称, 地址, 经度, 纬度...) work too. Two
    columns for one field (name_zh and 名称) are an error; so is a column that is no field
    (opening_hour: did you mean opening_hours?) unless --ignore-unknown-columns. Nothing is
    written unless every row is valid.

    \b
    Example:
      redroute landmarks import sites.csv --crs gcj02 -o sites.geojson
    """
    import tempfile

    from redroute._io import Output
    from redroute.csv_import import geojson_chunks, iter_sites_csv

    checked = None if output is None else _check_writable([Output(output, "-o")],
                                                          [("FILE", file)])
    n = 0

    def sites() -> Iterator[dict[str, Any]]:
        # One site at a time: a list of 100,000 sites never sits in memory as a whole.
        nonlocal n
        for feature in iter_sites_csv(file, crs=crs,
                                      ignore_unknown_columns=ignore_unknown_columns):
            n += 1
            yield feature

    def save(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.writelines(geojson_chunks(sites()))

    if output is None or checked is None:
        with tempfile.TemporaryFile("w+", encoding="utf-8") as fh:  # stdout gets all or none
            fh.writelines(geojson_chunks(sites()))
            fh.seek(0)
            while chunk := fh.read(1 << 20):
                click.echo(chunk, nl=False)
    else:
        checked.write({output: save})
        click.echo(f"已写入 {n} 处地标 / wrote {n} landmarks to {output}", err=True)


@landmarks.command("schema")
def landmarks_schema() -> None:
    """Print the JSON Schema of a catalogue file. 输出目录格式。

    \b
    Example:
      redroute landmarks schema > landmarks.schema.json
    """
    from redroute.catalogue import catalogue_schema

    click.echo(_dump(catalogue_schema()))


# ----------------------------------------------------------------------------- network


def _area_options(fn: Any) -> Any:
    fn = click.option("--buffer", "buffer_m", type=click.FloatRange(min=0, max=10_000),
                      default=None, help="Metres added around the sites (default 800).")(fn)
    fn = click.option("--stops", help="Comma-separated landmark ids: the area around them.")(fn)
    fn = click.option("--route", "route_id", help="A curated route id: the area its plans "
                                                  "use.")(fn)
    fn = click.option("--district", type=click.Choice(list(DISTRICTS)),
                      help="The area around the district's landmarks.")(fn)
    fn = click.option("--bbox", help="The area S,W,N,E in WGS-84 degrees.")(fn)
    return _CATALOGUE_OPTION(_ROUTES_OPTION(fn))


def _area(bbox: str | None, district: str | None, stops: str | None, route_id: str | None,
          buffer_m: float | None, catalogue_path: Path | None,
          routes_dir: Path | None) -> tuple[Any, list[tuple[float, float]], str]:
    """The area of ``network fetch/info``, the points in it a plan would join, and what
    they are ("stop", "site"): for a route, exactly the area and points its plans use."""
    from redroute import settings
    from redroute.network import BBox

    given = [x for x in (bbox, district, stops, route_id) if x]
    if len(given) != 1:
        msg = "give exactly one of --bbox S,W,N,E, --district NAME, --route ID or --stops ID,ID"
        raise click.UsageError(msg)
    buffer = settings.buffer_m if buffer_m is None else buffer_m
    cat = _load(catalogue_path)
    if bbox:
        area = BBox.parse(bbox)
        sites = [(lm.lon, lm.lat) for lm in cat if lm.category != "waypoint"
                 and area.south <= lm.lat <= area.north and area.west <= lm.lon <= area.east]
        return area, sites, "catalogue site"
    if route_id:
        from redroute.plan import plan_points
        from redroute.routes import get_route, load_routes

        request = get_route(route_id, load_routes(routes_dir, cat)).request
        points = plan_points(request, cat)
        return BBox.around(points, buffer_m=buffer), points, "point"
    if district:
        found = [lm for lm in cat.query(district=district) if lm.category != "waypoint"]
    else:
        found = [cat.get(i) for i in _ids(stops) or []]
    if not found:
        msg = "no landmarks to make an area from"
        raise click.UsageError(msg)
    points = [(lm.lon, lm.lat) for lm in found]
    return BBox.around(points, buffer_m=buffer), points, "site"


@main.group(cls=_Group, context_settings=CONTEXT)
def network() -> None:
    """Fetch and inspect the walking network. 步行路网。"""


@network.command("fetch")
@_area_options
@click.option("--step-free", is_flag=True, help="Avoid steps (highway=steps).")
def network_fetch(bbox: str | None, district: str | None, stops: str | None,
                  route_id: str | None, buffer_m: float | None, catalogue_path: Path | None,
                  routes_dir: Path | None, step_free: bool) -> None:
    """Download and cache the walking network of an area, for later offline plans. 预取路网。

    \b
    Example:
      redroute network fetch --district hongkou
      redroute network fetch --route founding
      redroute network fetch --bbox 31.2150,121.4600,31.2300,121.4800
      redroute network fetch --stops first-congress-site,old-yuyangli-2
    """
    from redroute._sources import cached_networks, download_graph, network_from_graph

    area, _, _ = _area(bbox, district, stops, route_id, buffer_m, catalogue_path, routes_dir)
    size = "x".join(f"{v / 1000:.1f}" for v in area.size_m())
    _say(f"[1/3] 区域 area {area.label()} ({size} km)")
    for cached_area, path in cached_networks():
        if cached_area.contains(area):
            _say(f"[2/3] 已缓存 already cached: {path}")
            break
    else:
        _say("[2/3] 下载中 downloading from OpenStreetMap (Overpass)...")
        with _Progress(1, "下载 download") as progress:
            graph, path = download_graph(area, progress=progress.stage)
        _say(f"      已保存 saved {path}")
        _say("[3/3] 构建步行网络 building the walking graph...")
        net = network_from_graph(graph, source="download", origin=str(path), bbox=area,
                                 step_free=step_free)
        click.echo(net.describe())
        return
    _say("[3/3] 无需下载 nothing to download")
    click.echo(f"cache: {path}")


@network.command("build")
@click.argument("extracts", nargs=-1, required=True, metavar="EXTRACT [EXTRACT...]",
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", required=True, metavar="FILE.rrnet",
              type=click.Path(path_type=Path, dir_okay=False), help="The network file to write.")
@click.option("--bbox", help="Keep only the streets of this area, S,W,N,E in WGS-84 degrees.")
@click.option("--date", "data_date", metavar="YYYY-MM-DD",
              help="Date of the OSM data (default: from the first extract's header).")
def network_build(extracts: tuple[Path, ...], output: Path, bbox: str | None,
                  data_date: str | None) -> None:
    """Build a walking-network file from OSM extracts, for offline plans. 构建路网文件。

    Reads .osm, .osm.bz2 or .osm.pbf extracts (streamed: little memory), keeps their
    streets with the tags the pedestrian rules read, and writes one compact file to use
    with --network FILE or REDROUTE_OSM=FILE. Where extracts share an OSM id, the first
    one named wins.

    \b
    Example:
      redroute network build shanghai-latest.osm.pbf -o shanghai.rrnet \\
          --bbox 31.10,121.30,31.35,121.60
      redroute plan founding --network shanghai.rrnet
    """
    from redroute._io import Output
    from redroute._netbuild import save_network_file
    from redroute.network import BBox

    checked = _check_writable([Output(output, "-o")],
                              [(f"EXTRACT {i}", p) for i, p in enumerate(extracts, 1)])
    area = BBox.parse(bbox) if bbox else None
    built: list[Any] = []
    with _Progress(1, "构建 build") as progress:
        checked.write({output: lambda tmp: built.append(save_network_file(
            extracts, tmp, bbox=area, data_date=data_date, progress=progress.stage))})
    done = built[0]
    click.echo(f"{output}: {done.nodes} nodes, {done.edges} street segments from "
               f"{done.ways} ways read, OSM data of {done.data_date or 'an unknown date'}, "
               f"{done.size / 1e6:.2f} MB")


@network.command("info")
@_area_options
@_NETWORK_OPTION
@click.option("--step-free", is_flag=True, help="Avoid steps (highway=steps).")
def network_info(bbox: str | None, district: str | None, stops: str | None,
                 route_id: str | None, buffer_m: float | None, catalogue_path: Path | None,
                 routes_dir: Path | None, source: str | None, step_free: bool) -> None:
    """Show which walking network a plan of an area would use. 路网信息。

    Prints the source, node and edge counts, bounding box and cache folder.

    \b
    Example:
      redroute network info --district huangpu
      redroute network info --stops first-congress-site \\
          --network ../shared/data/osm/shanghai-core-merged.osm
    """
    from redroute import settings
    from redroute._sources import coverage
    from redroute.plan import choose_network

    area, points, what = _area(bbox, district, stops, route_id, buffer_m, catalogue_path,
                               routes_dir)
    net = choose_network(area, network=source, step_free=step_free, points=points,
                         report=_say)
    cov = coverage(net, points)
    rows = [
        ("来源 Source", net.source + (" (estimated distances 估算)" if net.estimated else "")),
        ("出处 Origin", net.origin),
        ("数据日期 Data date", getattr(net, "data_date", None) or "不详 unknown"),
        ("节点 Nodes", str(net.node_count)),
        ("路段 Edges", str(net.edge_count)),
        ("覆盖 Coverage", f"{cov.covered}/{cov.total} 处在街道 {net.snap_threshold_m:.0f} 米内 / "
                        f"{cov.label(what)} (within {net.snap_threshold_m:.0f} m of a street)"),
        ("区域 BBox (S,W,N,E)", area.label()),
        ("缓存 Cache folder", str(settings.cache_folder / "networks")),
    ]
    if net.estimated:
        rows.append(("绕行系数 Detour", f"{net.detour_factor:g} x great-circle distance"))
    for label, value in rows:
        click.echo(f"{_pad(label, 24)}{value}")


# ----------------------------------------------------------------------------- routes


@main.group(cls=_Group, context_settings=CONTEXT)
def routes() -> None:
    """List, show and validate the curated routes. 精选路线。"""


@routes.command("list")
@_CATALOGUE_OPTION
@_ROUTES_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the routes as JSON.")
def routes_list(catalogue_path: Path | None, routes_dir: Path | None, as_json: bool) -> None:
    """List the curated routes. 列出精选路线。

    \b
    Example:
      redroute routes list
    """
    _, found = _routes(routes_dir, catalogue_path)
    if as_json:
        from dataclasses import asdict

        click.echo(_dump([{**asdict(r), "start_time": r.start_time.strftime("%H:%M")}
                          for r in found.values()]))
        return
    rows = [[r.id, DISTRICTS[r.district].zh, THEMES[r.theme].zh, str(len(r.stops)),
             f"{r.hours:g} h", f"{r.title_zh}  {r.title_en}"] for r in found.values()]
    click.echo(_table(rows, ["编号 ID", "区 District", "主题 Theme", "站 Stops", "时长 Hours",
                             "名称 Title"]))


@routes.command("show")
@_CATALOGUE_OPTION
@_ROUTES_OPTION
@click.argument("route_id", metavar="ROUTE")
def routes_show(catalogue_path: Path | None, routes_dir: Path | None, route_id: str) -> None:
    """Show one curated route. 查看路线。

    \b
    Example:
      redroute routes show founding
    """
    from redroute.routes import get_route

    cat, found = _routes(routes_dir, catalogue_path)
    r = get_route(route_id, found)
    out = [r.title_zh, r.title_en, "", r.description_zh, "", r.description_en, ""]
    order = "固定顺序 fixed order" if r.order == "fixed" else "自动优化顺序 order optimised"
    out.append(f"{THEMES[r.theme].zh} {THEMES[r.theme].en} · {DISTRICTS[r.district].zh} "
               f"{DISTRICTS[r.district].en} · {order}")
    out.append(f"出发 Start {r.start} · 结束 End {r.end or '(last stop 最后一站)'} · "
               f"{r.start_time:%H:%M} · {r.hours:g} h · {', '.join(r.days)}")
    for n, stop in enumerate(r.stops, start=1):
        lm = cat.get(stop)
        must = " *" if stop in r.mandatory else ""
        out.append(f"  {n:>2}. {lm.name_zh}  {lm.name_en}{must}")
    if r.mandatory:
        out.append("  * 必到 mandatory")
    click.echo("\n".join(out))


@routes.command("validate")
@_CATALOGUE_OPTION
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), required=False)
def routes_validate(catalogue_path: Path | None, folder: Path | None) -> None:
    """Check route files: every problem, with its file and line. 校验路线文件。

    \b
    Example:
      redroute routes validate my-routes/
    """
    _, found = _routes(folder, catalogue_path)
    click.echo(f"{len(found)} 条路线校验通过 / {plural(len(found), 'route')} valid")


# ----------------------------------------------------------------------------- plan


_OUTPUTS = {"json": "itinerary.json", "geojson": "route.geojson", "html": "map.html",
            "gpx": "route.gpx", "leaflet": "leaflet.pdf"}


class _Clock(click.ParamType):  # type: ignore[type-arg]
    name = "HH:MM"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.time:
        if isinstance(value, dt.time):
            return value
        try:
            return dt.time.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a time HH:MM", param, ctx)
        return None  # unreachable: fail() raises


def _check_writable(outputs: list[Output],
                    inputs: list[tuple[str, str | Path | None]] | None = None) -> OutputSet:
    """Check every output of a command before any work (the rules of ``redroute._io``):
    one ``Error:`` line naming the option and the path for the first that cannot be
    written."""
    from redroute._io import check_outputs

    return check_outputs(outputs, inputs=inputs or [])


def _catalogue_input(catalogue_path: Path | None) -> tuple[str, Path | None]:
    """The catalogue a command reads, as an input that no output may overwrite."""
    from redroute import settings
    from redroute.catalogue import shipped_catalogue_path

    if catalogue_path is not None:
        return "--catalogue", catalogue_path
    return "catalogue", settings.catalogue_path or shipped_catalogue_path()


@main.command("plan", context_settings=CONTEXT)
@click.argument("route_id", metavar="[ROUTE | REQUEST.toml]", required=False)
@_CATALOGUE_OPTION
@_ROUTES_OPTION
@click.option("--stops", help="Candidate landmark ids, comma-separated.")
@click.option("--theme", type=click.Choice(list(THEMES)), help="Candidates with this theme.")
@click.option("--district", type=click.Choice(list(DISTRICTS)), help="Candidates in it.")
@click.option("--must", help="Landmark ids that must be visited, comma-separated.")
@click.option("--order", type=click.Choice(["optimize", "fixed"]), default=None,
              help="Let the solver order the stops, or keep the given order.")
@_date_option("Day of the walk (default: today in Shanghai).")
@click.option("--days", "trip_days", type=click.IntRange(1, 14), default=None,
              help="Plan a trip: this many days from --date, the days chosen together "
                   "(no site twice).")
@click.option("--dates", "trip_dates", metavar="D1,D2,...", default=None,
              help="Plan a trip on these dates (YYYY-MM-DD, comma-separated).")
@click.option("--start", help="Landmark id, LAT,LON or a place name (人民广场, xintiandi...).")
@click.option("--end", help="Like --start; 'start' for a round trip, 'none' to end at the "
                            "last stop (default: the route's, else a round trip).")
@click.option("--crs", type=click.Choice(["wgs84", "gcj02", "bd09"]), default=None,
              help="Datum of LAT,LON start/end points copied from a map app (default wgs84).")
@click.option("--start-time", type=_Clock(), help="When the walk starts (default 09:00).")
@click.option("--hours", type=click.FloatRange(min=0.25, max=24), help="Time budget in hours.")
@click.option("--pace", help="standard (4.5 km/h), senior (3.5), family (3.0), or km/h.")
@click.option("--step-free", is_flag=True, default=None, help="Avoid steps.")
@click.option("--max-km", "max_km", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Cap on the day's walking in km (default by pace: standard 12, senior 6, "
                   "family 5).")
@click.option("--lunch", metavar="HH:MM-HH:MM", default=None,
              help="Lunch window: a walk that spans it gets a break (default 11:30-13:30).")
@click.option("--lunch-minutes", type=click.IntRange(10, 120), default=None,
              help="Length of the lunch break in minutes (default 45).")
@click.option("--no-lunch", is_flag=True, help="No lunch break.")
@click.option("--walk-limit", "walk_limit", type=click.FloatRange(min=0, min_open=True, max=50),
              default=None, metavar="KM",
              help="A leg longer on foot goes by metro when that is quicker (default 2).")
@click.option("--metro/--no-metro", default=None,
              help="Allow metro rides between far stops (default) or walk every leg.")
@_NETWORK_OPTION
@_lang_option("the schedule and outputs")
@click.option("--json", "json_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the itinerary JSON here.")
@click.option("--geojson", "geojson_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the route as GeoJSON here.")
@click.option("--html", "html_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the offline HTML map here.")
@click.option("--gpx", "gpx_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Write a GPX 1.1 track here.")
@click.option("--leaflet", "leaflet_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the printable PDF leaflet here (with --days: the trip's booklet).")
@click.option("-o", "--output-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Write every output into this folder (map.html, leaflet.pdf, route.gpx, "
                   "route.geojson, itinerary.json).")
@click.option("--tiles", type=click.Choice(["osm", "amap", "tianditu", "none"]), default="osm",
              help="Base map of the HTML map: OpenStreetMap, AMap (GCJ-02, reachable in "
                   "mainland China), Tianditu (needs REDROUTE_TIANDITU_KEY), or none (the "
                   "walking network drawn as the base map; works offline).")
@click.option("--format", "leaflet_format", type=click.Choice(["trifold", "a4"]),
              default="trifold", help="Leaflet format.")
@click.option("--map-url", help="The online map's address, printed on the leaflet as a QR code.")
@click.option("--publisher", help="Publisher line of the leaflet, e.g. 徐汇区文化和旅游局.")
@click.option("--time-limit", type=click.FloatRange(min=0.1, max=60), default=None,
              help="Seconds the solver may search (for more than 15 candidates; default 2).")
@click.option("--seed", type=int, default=None, help="Seed of the solver's search (default 0).")
def plan(route_id: str | None, catalogue_path: Path | None, routes_dir: Path | None,
         stops: str | None, theme: str | None, district: str | None, must: str | None,
         order: str | None, day: dt.date | None, start: str | None, end: str | None,
         crs: str | None, start_time: dt.time | None, hours: float | None, pace: str | None,
         step_free: bool | None, max_km: float | None, lunch: str | None,
         lunch_minutes: int | None, no_lunch: bool, walk_limit: float | None,
         metro: bool | None, trip_days: int | None, trip_dates: str | None,
         source: str | None, lang: str,
         json_out: Path | None,
         geojson_out: Path | None, html_out: Path | None, gpx_out: Path | None,
         leaflet_out: Path | None, output_dir: Path | None, tiles: str, leaflet_format: str,
         map_url: str | None, publisher: str | None, time_limit: float | None,
         seed: int | None) -> None:
    """Plan a walk: a curated route, or a request of your own. 规划步行路线。

    Prints the schedule and writes the outputs the flags ask for. ROUTE is a curated route
    id (see `redroute routes list`) or a request file (.toml, the fields of a route file);
    the options change it.

    \b
    Example:
      redroute plan founding
      redroute plan founding --date 2026-12-07 -o out/
      redroute plan --theme founding --district huangpu --date 2027-07-01 \\
          --start 人民广场 --start-time 09:00 --hours 4 --pace senior --step-free
      redroute plan --stops lu-xun-residence,left-wing-writers-league-memorial \\
          --start 31.2656,121.4767 --end none --json walk.json
      redroute plan my-walk.toml --date 2026-12-05 -o out/
      redroute plan founding --pace senior --max-km 9 --lunch 12:00-13:30
      redroute plan --theme founding --days 3 --date 2026-12-05 --leaflet trip.pdf
    """
    from redroute._io import Output
    from redroute.plan import make_plan
    from redroute.request import PlanRequest

    dates = _trip_dates(trip_days, trip_dates, _day(day))
    # Every output is checked before the catalogue is even read; -o DIR is made at the end.
    outputs: dict[str, Output] = {}
    if dates is not None:
        outputs = _trip_outputs(len(dates), output_dir, json_out=json_out, gpx_out=gpx_out,
                                geojson_out=geojson_out, html_out=html_out,
                                leaflet_out=leaflet_out)
    if output_dir is not None and dates is None:
        outputs = {kind: Output(output_dir / name, "-o") for kind, name in _OUTPUTS.items()
                   if kind in _WRITERS}
    for kind, given in (("json", json_out), ("geojson", geojson_out), ("html", html_out),
                        ("gpx", gpx_out), ("leaflet", leaflet_out)):
        if given is not None and dates is None:
            outputs[kind] = Output(given, f"--{kind}")
    folder = [Output(output_dir, "-o", folder=True)] if output_dir is not None else []
    request_file = route_id if route_id and route_id.lower().endswith(".toml") else None
    checked = _check_writable([*folder, *outputs.values()],
                              [_catalogue_input(catalogue_path), ("ROUTE", request_file)])
    targets = {kind: out.path for kind, out in outputs.items()}
    _check_output_options(targets, lang=lang, tiles=tiles, leaflet_format=leaflet_format,
                          map_url=map_url, publisher=publisher)

    cat = _load(catalogue_path)
    when = _day(day) or _today()
    base = _base_request(route_id, routes_dir, cat, when)
    if base is None and not (stops or theme or district):
        if dates is None:
            msg = ("give a ROUTE (see 'redroute routes list'), a request .toml file, or "
                   "--stops, --theme or --district")
            raise click.UsageError(msg)
        # A trip may take the whole catalogue: every site a plan may visit.
        stops = ",".join(lm.id for lm in cat if lm.plannable and lm.category != "waypoint")
    request = PlanRequest.from_cli(
        base, stops=stops, theme=theme, district=district, mandatory=must, order=order,
        start=start, end=end, crs=crs, start_time=start_time, hours=hours, pace=pace,
        step_free=step_free, time_limit=time_limit, seed=seed, max_walk_km=max_km,
        lunch=_lunch_option(lunch, no_lunch=no_lunch), lunch_minutes=lunch_minutes,
        walk_limit_km=walk_limit, metro=metro)
    if dates is not None:
        _plan_trip(request, dates, cat, source, outputs, checked, lang=lang, tiles=tiles,
                   publisher=publisher)
        return
    with _Progress(1, "路网 network") as progress:
        result = make_plan(request, catalogue=cat, date=when, network=source, report=_say,
                           progress=progress.stage)
    from redroute.export.text import schedule_text

    click.echo(schedule_text(result.itinerary, lang=lang))
    options = {"lang": lang, "tiles": tiles, "format": leaflet_format, "map_url": map_url,
               "publisher": publisher, "catalogue": cat,
               "theme": base.theme if base is not None else None,
               "district": base.district if base is not None else None}
    _write_outputs(result, targets, options, checked)


def _trip_dates(days: int | None, dates: str | None,
               first: dt.date | None) -> list[dt.date] | None:
    """The dates of ``--days`` (from ``--date``, default today) or ``--dates``."""
    if days is None and dates is None:
        return None
    if days is not None and dates is not None:
        msg = "give --days or --dates, not both"
        raise click.UsageError(msg)
    from redroute.trip import MAX_DAYS, trip_dates

    if days is not None:
        return trip_dates(first or _today(), days)
    out = []
    for text in (dates or "").split(","):
        try:
            out.append(dt.date.fromisoformat(text.strip()))
        except ValueError:
            msg = (f"--dates {dates}: {text.strip()!r} is not a date YYYY-MM-DD / 不是日期 "
                   "YYYY-MM-DD")
            raise click.BadParameter(msg) from None
    if first is not None and first not in out:
        msg = "give --date or --dates, not both (--days counts from --date)"
        raise click.UsageError(msg)
    if not 1 <= len(out) <= MAX_DAYS:
        msg = f"--dates {dates}: a trip has 1 to {MAX_DAYS} dates"
        raise click.BadParameter(msg)
    if len(set(out)) != len(out):
        msg = f"--dates {dates}: a date is given twice"
        raise click.BadParameter(msg)
    return out


#: What ``-o DIR`` writes for a trip: the trip's files and each day's.
_TRIP_OUTPUTS = {"json": "trip.json", "gpx": "trip.gpx", "geojson": "trip.geojson",
                 "html": "map.html", "leaflet": "leaflet.pdf"}
_DAY_OUTPUTS = {"html": "day-{k}-map.html", "leaflet": "day-{k}-leaflet.pdf",
                "gpx": "day-{k}-route.gpx", "json": "day-{k}-itinerary.json"}


def _trip_outputs(days: int, output_dir: Path | None, **given: Path | None) -> dict[str, Any]:
    """The outputs of a trip, keyed ``json``/``gpx``/``geojson``/``html``/``leaflet`` (the
    trip) and ``K:kind`` (day K): ``-o DIR`` writes them all; ``--json``, ``--gpx``,
    ``--geojson``, ``--html`` (the trip's map) and ``--leaflet`` (the trip's booklet) write
    the trip's."""
    from redroute._io import Output

    outputs: dict[str, Output] = {}
    if output_dir is not None:
        outputs = {kind: Output(output_dir / name, "-o") for kind, name in _TRIP_OUTPUTS.items()}
        for k in range(1, days + 1):
            for kind, name in _DAY_OUTPUTS.items():
                outputs[f"{k}:{kind}"] = Output(output_dir / name.format(k=k), "-o")
    for kind in ("json", "gpx", "geojson", "html", "leaflet"):
        path = given.get(f"{kind}_out")
        if path is not None:
            outputs[kind] = Output(path, f"--{kind}")
    return outputs


def _plan_trip(request: Any, dates: list[dt.date], cat: Catalogue, source: str | None,
               outputs: dict[str, Any], checked: OutputSet, *, lang: str,
               tiles: str = "osm", publisher: str | None = None) -> None:
    """``plan --days N``: plan, print each day and the left-out list, write the outputs."""
    from redroute.export.text import trip_text
    from redroute.trip import plan_trip

    with _Progress(1, "路网 network") as progress:
        trip = plan_trip(request, dates=dates, catalogue=cat, network=source, report=_say,
                         progress=progress.stage)
    click.echo(trip_text(trip, lang=lang))
    days = {k: plan for k, plan in enumerate(trip.days, start=1) if plan is not None}
    options = {"lang": lang, "tiles": tiles, "format": "a4", "map_url": None,
               "publisher": publisher, "catalogue": cat, "theme": request.theme,
               "district": request.district}
    if "html" in outputs:  # the trip's map links each day's map written beside it
        import os

        folder = outputs["html"].path.parent
        options["day_maps"] = [
            Path(os.path.relpath(outputs[f"{k}:html"].path, folder)).as_posix()
            if f"{k}:html" in outputs and k in days else None
            for k in range(1, len(dates) + 1)]

    def trip_writer(kind: str) -> Callable[[Path], None]:
        def write(tmp: Path) -> None:
            _say(f"writing {kind}...")
            _TRIP_WRITERS[kind](trip, tmp, options)
        return write

    def day_writer(k: int, kind: str) -> Callable[[Path], None]:
        def write(tmp: Path) -> None:
            _say(f"writing day {k} {kind}...")
            _WRITERS[kind](days[k], tmp, options)
        return write

    jobs: dict[Path, Callable[[Path], None]] = {}
    for key, out in outputs.items():
        if ":" in key:
            k, kind = key.split(":")
            if int(k) in days:
                jobs[out.path] = day_writer(int(k), kind)
        else:
            jobs[out.path] = trip_writer(key)
    # A day on which no stop fits has no files of its own.
    checked.files = [c for c in checked.files if c.output.path in jobs]
    checked.write(jobs)
    for target in jobs:
        _say(f"wrote {target}")


def _write_trip_json(trip: Any, path: Path, options: dict[str, Any]) -> None:
    from redroute._io import write_text_atomic

    write_text_atomic(path, trip.to_json())


def _write_trip_gpx(trip: Any, path: Path, options: dict[str, Any]) -> None:
    from redroute._io import write_text_atomic
    from redroute.export.gpx import trip_gpx_text

    days = [p.itinerary for p in trip.days if p is not None]
    write_text_atomic(path, trip_gpx_text(days, lang=options["lang"]))


def _write_trip_geojson(trip: Any, path: Path, options: dict[str, Any]) -> None:
    import json

    from redroute._io import write_text_atomic

    features = []
    for k, plan in enumerate(trip.days, start=1):
        if plan is None:
            continue
        for f in plan.itinerary.to_geojson()["features"]:
            f["properties"] = {"day": k, "date": plan.itinerary.date.isoformat(),
                               **f["properties"]}
            features.append(f)
    text = json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, indent=1) + "\n"
    write_text_atomic(path, text)


def _write_trip_map(trip: Any, path: Path, options: dict[str, Any]) -> None:
    from redroute.export.tripmap import save_trip_map

    save_trip_map(trip, path, lang=options["lang"], tiles=options["tiles"], locate=True,
                  day_maps=options.get("day_maps"))


def _write_trip_leaflet(trip: Any, path: Path, options: dict[str, Any]) -> None:
    from redroute.export.booklet import save_trip_leaflet

    save_trip_leaflet(trip, path, lang=options["lang"], publisher=options.get("publisher"),
                      catalogue=options.get("catalogue"))


_TRIP_WRITERS: dict[str, Callable[[Any, Path, dict[str, Any]], None]] = {
    "json": _write_trip_json, "gpx": _write_trip_gpx, "geojson": _write_trip_geojson,
    "html": _write_trip_map, "leaflet": _write_trip_leaflet}


def _lunch_option(lunch: str | None, *, no_lunch: bool) -> str | None:
    """``--lunch`` as the request's field: ``"none"`` for ``--no-lunch``."""
    if no_lunch and lunch is not None:
        msg = "give --lunch or --no-lunch, not both"
        raise click.UsageError(msg)
    return "none" if no_lunch else lunch


def _check_output_options(targets: dict[str, Path], *, lang: str, tiles: str,
                          leaflet_format: str, map_url: str | None,
                          publisher: str | None) -> None:
    """The options of the requested outputs, checked before the plan (which takes seconds)
    with the checks the outputs apply: a bad --map-url fails at once, not after planning."""
    if "html" in targets:
        from redroute.export.html import _check_options

        _check_options(lang, tiles, None)  # None: the key comes from the environment
    if "leaflet" in targets:
        from redroute.export.leaflet import check_leaflet_options

        check_leaflet_options(map_url=map_url, publisher=publisher, format=leaflet_format,
                              lang=lang)


def _base_request(name: str | None, routes_dir: Path | None, cat: Catalogue,
                  when: dt.date) -> PlanRequest | None:
    """The request of a curated route or a request file; ``None`` for a free request."""
    from redroute.request import PlanRequest
    from redroute.routes import get_route, load_routes

    if name is None:
        return None
    if name.lower().endswith(".toml"):
        return PlanRequest.from_toml(name)
    r = get_route(name, load_routes(routes_dir, cat))
    if not r.recommended_on(when):
        _say(f"注意：{r.id} 建议在 {', '.join(r.days)} 出行 / note: {r.id} is recommended on "
             f"{', '.join(r.days)}; {when:%Y-%m-%d} is not one of them")
    return r.request


def _ids(text: str | None) -> list[str] | None:
    return None if text is None else [i.strip() for i in text.split(",") if i.strip()]


def _day(value: dt.date | None) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def _write_json(result: Any, path: Path, options: dict[str, Any]) -> None:
    from redroute._io import write_text_atomic

    write_text_atomic(path, result.itinerary.to_json())


def _write_geojson(result: Any, path: Path, options: dict[str, Any]) -> None:
    from redroute.export.gpx import save_geojson

    save_geojson(result.itinerary, path)


def _write_html(result: Any, path: Path, options: dict[str, Any]) -> None:
    from redroute.export.html import save_map

    save_map(result.itinerary, path, lang=options["lang"], tiles=options["tiles"],
             network=result.network, locate=True)


def _write_gpx(result: Any, path: Path, options: dict[str, Any]) -> None:
    from redroute.export.gpx import save_gpx

    save_gpx(result.itinerary, path, lang=options["lang"])


def _write_leaflet(result: Any, path: Path, options: dict[str, Any]) -> None:
    from redroute.export.leaflet import save_leaflet

    save_leaflet(result.itinerary, path, format=options["format"], lang=options["lang"],
                 map_url=options.get("map_url"), publisher=options.get("publisher"),
                 network=result.network, catalogue=options.get("catalogue"),
                 theme=options.get("theme"), district=options.get("district"))


_WRITERS: dict[str, Any] = {"json": _write_json, "geojson": _write_geojson,
                            "html": _write_html, "gpx": _write_gpx, "leaflet": _write_leaflet}


def _write_outputs(result: Any, targets: dict[str, Path], options: dict[str, Any],
                   checked: OutputSet, *, quiet: bool = False) -> None:
    """Write every output, or none (``checked`` is what :func:`_check_writable` made of
    them): each is written to a temporary beside its target, then all are committed."""

    def writer(kind: str) -> Callable[[Path], None]:
        def write(tmp: Path) -> None:
            if not quiet:
                _say(f"writing {kind}...")
            _WRITERS[kind](result, tmp, options)
        return write

    checked.write({target: writer(kind) for kind, target in targets.items()})
    if not quiet:
        for target in targets.values():
            _say(f"wrote {target}")


@main.command("publish", context_settings=CONTEXT)
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False),
              required=True, help="The folder of the kit: created, or the previous kit in it "
                                  "updated (only the files its manifest lists).")
@click.option("--all-routes", is_flag=True, hidden=True,
              help="Accepted for compatibility: every curated route is always built.")
@_CATALOGUE_OPTION
@_ROUTES_OPTION
@_date_option("Plan every route for this day, with dated leaflets (default: each route's next "
              "recommended day, with season leaflets: weekly hours, no clock times).")
@_NETWORK_OPTION
@_lang_option("the maps and leaflets")
@click.option("--tiles", type=click.Choice(["osm", "amap", "tianditu", "none"]), default="osm",
              help="Base map of the HTML maps.")
@click.option("--base-url", help="Where the kit will be served, for the QR codes and embeds, "
                                 "e.g. https://www.example.gov.cn/red-routes")
@click.option("--publisher", help="Publisher line of the leaflets.")
@click.option("--workers", type=click.IntRange(1, 32), help="Processes (default: one a core).")
@click.option("--force", is_flag=True, help="Write into a non-empty folder that is not a kit "
                                            "(its other files stay; none is deleted).")
def publish(output: Path, all_routes: bool, catalogue_path: Path | None,
            routes_dir: Path | None, day: dt.date | None, source: str | None, lang: str,
            tiles: str, base_url: str | None, publisher: str | None,
            workers: int | None, force: bool) -> None:
    """Build maps, leaflets, GPX and GeoJSON of every curated route, with an index page.
    发布全部路线。

    \b
    Example:
      redroute publish -o site/
      redroute publish -o site/ --base-url https://example.org/red \\
          --publisher "徐汇区文化和旅游局"
      redroute publish -o site/ --routes my-routes/ --catalogue sites.geojson
    """
    import time

    from redroute.publish import check_kit, check_publish_options, publish_routes

    try:
        _, found = _routes(routes_dir, catalogue_path)
        # Every option and the whole kit folder are checked before the routes are planned.
        check_publish_options(found, base_url=base_url, publisher=publisher, lang=lang,
                              tiles=tiles)
        check_kit(output, found, force=force, inputs=[_catalogue_input(catalogue_path)])
        began = time.perf_counter()
        with _Progress(len(found), plural(len(found), "route")) as progress:

            def built(item: Any) -> None:
                progress.step(f"built {item.id}: {plural(item.stops, 'stop')} on "
                              f"{item.date}; walking network: {item.network}")

            items = publish_routes(output, found, catalogue=catalogue_path, date=_day(day),
                                   network=source, lang=lang, tiles=tiles,
                                   base_url=base_url, publisher=publisher, workers=workers,
                                   force=force, on_built=built)
    except KeyboardInterrupt:
        _say("Interrupted; nothing was changed / 已中断，未做任何更改")
        raise SystemExit(130) from None
    took = time.perf_counter() - began
    click.echo(f"{len(items)} 条路线已发布到 {output} / {plural(len(items), 'route')} published "
               f"to {output}/index.html in {took:.1f} s")


class _Progress:
    """A progress bar on a terminal, drawn from the first step on (so work that needs no
    steps shows none); one line per step when stderr is not a terminal."""

    def __init__(self, total: int, label: str) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self.bar: Any = None

    def __enter__(self) -> _Progress:
        return self

    def _advance(self, done: int, line: str) -> None:
        if not sys.stderr.isatty():
            self.done = done
            click.echo(f"[{done}/{self.total}] {line}", err=True)
            return
        if self.bar is None:
            self.bar = click.progressbar(length=self.total, label=self.label, file=sys.stderr,
                                         show_pos=True)
            self.bar.__enter__()
        self.bar.length = self.total
        self.bar.update(done - self.done)
        self.done = done

    def step(self, line: str) -> None:
        """One step done: advance the bar, or print ``line`` when there is no bar."""
        self._advance(self.done + 1, line)

    def stage(self, done: int, total: int, label: str) -> None:
        """A ``(done, total, label)`` callback, as a network download calls it."""
        self.total = total
        self._advance(done, label)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


# ----------------------------------------------------------------------------- leaflet, embed


@main.command("leaflet", context_settings=CONTEXT)
@click.argument("source_arg", metavar="(ROUTE | REQUEST.toml | ITINERARY.json)")
@click.option("-o", "--output", required=True, metavar="OUT.pdf",
              type=click.Path(path_type=Path, dir_okay=False), help="The PDF file to write.")
@click.option("--format", "fmt", type=click.Choice(["trifold", "a4"]), default="trifold",
              show_default=True, help="trifold: A4 landscape folded in three; a4: portrait.")
@_lang_option("the leaflet")
@_date_option("The day of the walk: a ROUTE is planned for it (default: its next recommended "
              "day); an ITINERARY's hours are shown for it (default: its own date).")
@click.option("--map-url", metavar="URL", help="Online map of the route, printed as a QR code.")
@click.option("--publisher", metavar="TEXT", help="Publisher line, e.g. 徐汇区文化和旅游局.")
@click.option("--weekly", is_flag=True, help="A season leaflet: each stop's regular weekly "
              "hours, closing days and booking rules, walking times instead of clock times "
              "(--date: the season's first week).")
@click.option("--bleed", metavar="MM", help="Bleed in millimetres (e.g. 3) with crop marks, "
              "for a print shop (default: none, home-printable A4).")
@click.option("--logo", metavar="FILE", help="The publisher's logo (PNG or SVG) for the cover.")
@click.option("--cover-image", metavar="FILE", help="A picture (PNG, JPEG or SVG) for the "
              "cover.")
@_NETWORK_OPTION
@_CATALOGUE_OPTION
@_ROUTES_OPTION
def leaflet(source_arg: str, output: Path, fmt: str, lang: str, day: dt.date | None,
            map_url: str | None, publisher: str | None, weekly: bool, bleed: str | None,
            logo: str | None, cover_image: str | None, source: str | None,
            catalogue_path: Path | None, routes_dir: Path | None) -> None:
    """Make a printable bilingual leaflet (PDF) of a curated route or a planned walk.
    制作宣传折页。

    ROUTE is a curated route id (see `redroute routes list`) or a request .toml file,
    planned for --date or its next recommended day; ITINERARY.json is a file written by
    `redroute plan --json`. The map's streets come from the same walking network a plan
    would use (--network estimate: the route and stops only).

    \b
    Example:
      redroute leaflet xuhui-anthem -o xuhui.pdf --publisher 徐汇区文化和旅游局
      redroute leaflet my-route --routes my-routes/ --catalogue sites.geojson -o x.pdf
      redroute leaflet founding.json -o founding-a4.pdf --format a4 --lang zh \\
          --date 2026-12-05 --map-url https://example.org/routes/founding
      redroute leaflet bund --weekly --bleed 3 --logo bureau.svg -o bund-print.pdf
    """
    from redroute._io import Output
    from redroute.export.leaflet import render_leaflet
    from redroute.itinerary import load_itinerary
    from redroute.plan import make_plan

    read = source_arg.lower().endswith((".json", ".toml")) or Path(source_arg).is_file()
    checked = _check_writable([Output(output, "-o")], [_catalogue_input(catalogue_path),
                                                       ("input", source_arg if read else None),
                                                       ("--logo", logo),
                                                       ("--cover-image", cover_image)])
    _check_output_options({"leaflet": output}, lang=lang, tiles="osm", leaflet_format=fmt,
                          map_url=map_url, publisher=publisher)
    from redroute.export.leaflet import check_leaflet_options

    check_leaflet_options(bleed=bleed, logo=logo, cover_image=cover_image)
    cat = _load(catalogue_path)
    when = _day(day)
    if source_arg.lower().endswith(".json") or (Path(source_arg).is_file()
                                                and not source_arg.lower().endswith(".toml")):
        it = load_itinerary(source_arg)
        network = _itinerary_network(it, source)
        shown = when
        theme, district = _route_facts(it, routes_dir, cat)
    else:
        plan_day = when or _next_day(source_arg, routes_dir, cat)
        request = _base_request(source_arg, routes_dir, cat, plan_day)
        assert request is not None  # a name was given
        result = make_plan(request, catalogue=cat, date=plan_day, network=source, report=_say)
        it = result.itinerary
        network = None if result.network.estimated else result.network
        shown = None
        theme, district = request.theme, request.district
    pdf = render_leaflet(it, format=fmt, lang=lang, map_url=map_url, publisher=publisher,
                         network=network, day=shown, catalogue=cat, weekly=weekly,
                         theme=theme, district=district, bleed=bleed, logo=logo,
                         cover_image=cover_image)
    checked.write({output: lambda tmp: tmp.write_bytes(pdf)})
    path = output
    pages = _page_count(pdf)
    size = max(1, round(len(pdf) / 1024))
    click.echo(f"已写入折页 {path}（{pages} 页，{size} KB）/ wrote leaflet {path} ({fmt}, "
               f"{plural(pages, 'page')}, {size} KB)", err=True)


def _route_facts(it: Any, routes_dir: Path | None,
                 cat: Catalogue) -> tuple[str | None, str | None]:
    """The theme and district of the curated route an itinerary file was planned from (the
    route of its title), for the leaflet's cover; (None, None) for another walk."""
    from redroute.routes import load_routes

    try:
        routes = load_routes(routes_dir, cat)
    except RedrouteError:
        return None, None
    for r in routes.values():
        if (r.title_zh, r.title_en) == (it.title_zh, it.title_en):
            return r.theme, r.district
    return None, None


def _next_day(name: str, routes_dir: Path | None, cat: Catalogue) -> dt.date:
    """A route's next recommended day from today (today for a request file)."""
    from redroute.routes import get_route, load_routes

    if name.lower().endswith(".toml"):
        return _today()
    return get_route(name, load_routes(routes_dir, cat)).next_recommended_day(_today())


def _itinerary_network(it: Any, source: str | None) -> Any:
    """The streets around a saved itinerary, for its map; ``None`` when only estimated."""
    from redroute.network import BBox
    from redroute.plan import choose_network

    if source == "estimate":
        return None
    points = [(s.lon, s.lat) for s in it.stops] + [(it.start.lon, it.start.lat)]
    points += [p for leg in it.legs for p in leg.geometry]
    net = choose_network(BBox.around(points, buffer_m=300.0), network=source, report=_say)
    return None if net.estimated else net


def _page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@main.command("embed", context_settings=CONTEXT)
@click.argument("map_file", metavar="MAP.html", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--url", required=True,
              help="Where the map page will be served (https://... or a relative path).")
@click.option("--title", help="Title of the frame (default: the map's title).")
@click.option("--height", type=click.IntRange(200, 2000), default=600, show_default=True,
              help="Maximum height of the frame in CSS pixels.")
@click.option("--stop", type=click.IntRange(min=1), help="Open the map at this stop (#stop=N).")
@_lang_option("the default title and the link")
@click.option("--no-link", is_flag=True, help="Leave out the 'open in a new window' link.")
@click.option("--geojson", "geojson_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the route GeoJSON (default: route.geojson beside the map).")
def embed(map_file: Path, url: str, title: str | None, height: int, stop: int | None,
          lang: str, no_link: bool, geojson_out: Path | None) -> None:
    """Print the HTML that embeds a map page in a website; write its route as GeoJSON.
    网页嵌入代码。

    The snippet is a responsive <iframe> (lazy-loaded, full screen and geolocation
    allowed). The route's GeoJSON, read back from the map page, goes to route.geojson
    beside the map (or --geojson) for the website's own use. A page can link to one stop
    with MAP.html#stop=N.

    \b
    Example:
      redroute plan founding -o site/
      redroute embed site/map.html --url https://example.org/walks/map.html
      redroute embed site/map.html --url map.html --stop 3 --lang en --title "Stop 3"
    """
    from redroute._errors import EmbedError
    from redroute._io import Output
    from redroute.export.embed import embed_snippet, read_embedded_geojson
    from redroute.wording import pick

    target = geojson_out or map_file.with_name("route.geojson")
    checked = _check_writable([Output(target, "--geojson")], [("MAP.html", map_file)])
    data = read_embedded_geojson(map_file)
    numbers = {f["properties"].get("number") for f in data.get("features", [])
               if f.get("properties", {}).get("kind") == "stop"}
    if stop is not None and stop not in numbers:
        msg = f"--stop {stop}: the map has stops 1 to {len(numbers)}"
        raise EmbedError(msg)
    if title is None:
        props = data.get("properties", {})
        zh, en = str(props.get("title_zh", "")), str(props.get("title_en", ""))
        title = pick(zh, en, lang) if zh and en else zh or en
    snippet = embed_snippet(url, title=title, height=height, stop=stop, link=not no_link,
                            lang=lang)
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    checked.write({target: lambda tmp: tmp.write_text(text, encoding="utf-8")})
    click.echo(snippet, nl=False)
    click.echo(f"wrote {target}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
