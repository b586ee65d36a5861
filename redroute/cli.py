"""The ``redroute`` command line: thin click commands over the library.

Results go to stdout, warnings and errors to stderr. Heavy modules are imported inside the
commands so that ``redroute --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from redroute._errors import RedrouteError
from redroute.vocabulary import BOOKING, CATEGORIES, DISTRICTS, THEMES

if TYPE_CHECKING:
    from redroute.catalogue import Catalogue, Landmark

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
WEEKDAYS = ("周一 Mon", "周二 Tue", "周三 Wed", "周四 Thu", "周五 Fri", "周六 Sat", "周日 Sun")


class _Group(click.Group):
    """A group that turns library errors into one ``Error: ...`` line and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RedrouteError as err:
            lines = err.problems
            for line in lines[:-1]:
                click.echo(f"Error: {line}", err=True)
            raise click.ClickException(lines[-1]) from None


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


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    click.echo(f"Warning: {message}", err=True)


def _say(text: str) -> None:
    click.echo(text, err=True)


# ----------------------------------------------------------------------------- types


class _Moment(click.ParamType):  # type: ignore[type-arg]
    name = "YYYY-MM-DD[THH:MM]"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date | dt.datetime:
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return dt.date.fromisoformat(text)
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text):
                return dt.datetime.fromisoformat(text.replace(" ", "T"))
        except ValueError as err:
            self.fail(f"{text!r} is not a real date/time ({err})", param, ctx)
        self.fail(f"{text!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM", param, ctx)
        return None  # unreachable: fail() raises


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
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _clip(text: str, width: int) -> str:
    out, used = "", 0
    for c in text:
        w = _width(c)
        if used + w > width - 1 and _width(text) > width:
            return out + "…"
        out, used = out + c, used + w
    return out


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _windows_label(lm: Landmark, day: dt.date) -> str:
    windows = lm.windows(day)
    if windows is None:
        return "不详 unknown"
    if not windows:
        return "闭馆 closed"
    if len(windows) == 1 and windows[0].label() == "00:00-24:00":
        return "全天 all day"
    return ", ".join(w.label() for w in windows)


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
    header = ["编号 ID", "区 District", f"{day:%m-%d} 开放 Hours", "名称 Name"]
    if near is not None:
        header.insert(1, "距离 m")
    rows = []
    for lm in found:
        row = [lm.id, DISTRICTS[lm.district].zh, _windows_label(lm, day),
               f"{lm.name_zh}  {lm.name_en}"]
        if near is not None:
            row.insert(1, f"{lm.distance_m(*near):.0f}")
        rows.append(row)
    if rows:
        click.echo(_table(rows, header))
    click.echo(f"\n{len(found)} 处地标 / {len(found)} landmark{'s' if len(found) != 1 else ''}"
               f" ({cat.source})")
    if open_on is not None:
        unknown = [lm for lm in cat.query(district=district, theme=theme, category=category,
                                          text=text, near=near, radius_m=radius)
                   if lm.is_open(open_on) is None]
        if unknown:
            click.echo(f"另有 {len(unknown)} 处开放时间不详，未列出 / {len(unknown)} more with "
                       "unknown opening hours not listed", err=True)


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


def _describe(lm: Landmark, day: dt.date) -> str:
    out = [lm.name_zh, lm.name_en, ""]

    def add(label: str, value: str) -> None:
        out.append(f"{_pad(label, 24)}{value}")

    add("编号 ID", lm.id)
    add("地址 Address", lm.address_zh + (f" / {lm.address_en}" if lm.address_en else ""))
    add("区 District", f"{DISTRICTS[lm.district].zh} {DISTRICTS[lm.district].en}")
    add("类别 Category", f"{CATEGORIES[lm.category].zh} {CATEGORIES[lm.category].en}")
    add("主题 Themes", ", ".join(f"{THEMES[t].zh} {THEMES[t].en}" for t in lm.themes))
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
            add("" if offset else "本周 This week", f"{d:%m-%d} {WEEKDAYS[d.weekday()]}  {text}")
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
    return "\n".join(out)


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
    from redroute.catalogue import parse_catalogue, validate_file

    problems = validate_file(file)
    if problems:
        for prob in problems:
            click.echo(f"Error: {prob}", err=True)
        n = len(problems)
        click.echo(f"{file}: {n} 个问题 / {n} problem{'s' if n > 1 else ''}", err=True)
        sys.exit(1)
    cat = parse_catalogue(file.read_text(encoding="utf-8"), source=str(file))
    known = sum(1 for lm in cat if lm.opening_hours is not None)
    click.echo(f"{file}: 校验通过，{len(cat)} 处地标 / valid, {len(cat)} landmarks "
               f"({known} with opening hours)")


@landmarks.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--crs", required=True, type=click.Choice(["wgs84", "gcj02", "bd09"]),
              help="Datum of the CSV coordinates: gcj02 for AMap/Gaode or Tencent, bd09 for "
                   "Baidu, wgs84 for GPS or OpenStreetMap.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the catalogue here (default: print it).")
def landmarks_import(file: Path, crs: str, output: Path | None) -> None:
    """Turn a CSV list of sites into a validated catalogue. 从 CSV 导入地标。

    Columns: name_zh, name_en, address_zh, district, category, themes, summary_zh,
    summary_en and lon/lat (or location "lon,lat"); optional: id, address_en,
    opening_hours, last_entry, booking, booking_note_zh, booking_note_en, visit_minutes,
    significance, sources. Chinese headers (名称, 地址, 经度, 纬度...) work too.

    \b
    Example:
      redroute landmarks import sites.csv --crs gcj02 -o sites.geojson
    """
    from redroute._io import write_text_atomic
    from redroute.csv_import import import_sites_csv

    collection = import_sites_csv(file, crs=crs)
    text = _dump(collection) + "\n"
    n = len(collection["features"])
    if output is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(output, text)
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


_NETWORK_HELP = ("Where the walking network comes from: auto (cache, then REDROUTE_OSM or the "
                 "config file's extract, then a download, then the estimate), download, "
                 "estimate, or the path of an .osm/.osm.bz2/.osm.pbf extract.")


def _area_options(fn: Any) -> Any:
    fn = click.option("--buffer", "buffer_m", type=click.FloatRange(min=0, max=10_000),
                      default=None, help="Metres added around the sites (default 800).")(fn)
    fn = click.option("--stops", help="Comma-separated landmark ids: the area around them.")(fn)
    fn = click.option("--district", type=click.Choice(list(DISTRICTS)),
                      help="The area around the district's landmarks.")(fn)
    fn = click.option("--bbox", help="The area S,W,N,E in WGS-84 degrees.")(fn)
    return _CATALOGUE_OPTION(fn)


def _area(bbox: str | None, district: str | None, stops: str | None, buffer_m: float | None,
          catalogue_path: Path | None) -> Any:
    from redroute import settings
    from redroute.network import BBox

    given = [x for x in (bbox, district, stops) if x]
    if len(given) != 1:
        msg = "give exactly one of --bbox S,W,N,E, --district NAME or --stops ID,ID"
        raise click.UsageError(msg)
    buffer = settings.buffer_m if buffer_m is None else buffer_m
    if bbox:
        return BBox.parse(bbox)
    cat = _load(catalogue_path)
    if district:
        sites = list(cat.query(district=district))
    else:
        sites = [cat.get(i.strip()) for i in (stops or "").split(",") if i.strip()]
    if not sites:
        msg = "no landmarks to make an area from"
        raise click.UsageError(msg)
    return BBox.around([(lm.lon, lm.lat) for lm in sites], buffer_m=buffer)


@main.group(cls=_Group, context_settings=CONTEXT)
def network() -> None:
    """Fetch and inspect the walking network. 步行路网。"""


@network.command("fetch")
@_area_options
@click.option("--step-free", is_flag=True, help="Avoid steps (highway=steps).")
def network_fetch(bbox: str | None, district: str | None, stops: str | None,
                  buffer_m: float | None, catalogue_path: Path | None, step_free: bool) -> None:
    """Download and cache the walking network of an area, for later offline plans. 预取路网。

    \b
    Example:
      redroute network fetch --district hongkou
      redroute network fetch --bbox 31.2150,121.4600,31.2300,121.4800
      redroute network fetch --stops first-congress-site,old-yuyangli-2
    """
    from redroute.network import cached_networks, download_graph, network_from_graph

    area = _area(bbox, district, stops, buffer_m, catalogue_path)
    size = "x".join(f"{v / 1000:.1f}" for v in area.size_m())
    _say(f"[1/3] 区域 area {area.label()} ({size} km)")
    for cached_area, path in cached_networks():
        if cached_area.contains(area):
            _say(f"[2/3] 已缓存 already cached: {path}")
            break
    else:
        _say("[2/3] 下载中 downloading from OpenStreetMap (Overpass)...")
        graph, path = download_graph(area)
        _say(f"      已保存 saved {path}")
        _say("[3/3] 构建步行网络 building the walking graph...")
        net = network_from_graph(graph, source="download", origin=str(path), bbox=area,
                                 step_free=step_free)
        click.echo(net.describe())
        return
    _say("[3/3] 无需下载 nothing to download")
    click.echo(f"cache: {path}")


@network.command("info")
@_area_options
@click.option("--network", "source", default=None, help=_NETWORK_HELP)
@click.option("--step-free", is_flag=True, help="Avoid steps (highway=steps).")
def network_info(bbox: str | None, district: str | None, stops: str | None,
                 buffer_m: float | None, catalogue_path: Path | None, source: str | None,
                 step_free: bool) -> None:
    """Show which walking network a plan of an area would use. 路网信息。

    Prints the source, node and edge counts, bounding box and cache folder.

    \b
    Example:
      redroute network info --district huangpu
      redroute network info --stops first-congress-site \\
          --network ../shared/data/osm/shanghai-core-merged.osm
    """
    from redroute import settings
    from redroute.network import walk_network

    area = _area(bbox, district, stops, buffer_m, catalogue_path)
    net = walk_network(area, network=source or settings.network, step_free=step_free,
                       report=_say)
    rows = [
        ("来源 Source", net.source + (" (estimated distances 估算)" if net.estimated else "")),
        ("出处 Origin", net.origin),
        ("节点 Nodes", str(net.node_count)),
        ("路段 Edges", str(net.edge_count)),
        ("区域 BBox (S,W,N,E)", area.label()),
        ("缓存 Cache folder", str(settings.cache_folder / "networks")),
    ]
    if net.estimated:
        rows.append(("绕行系数 Detour", f"{net.detour_factor:g} x great-circle distance"))
    for label, value in rows:
        click.echo(f"{_pad(label, 24)}{value}")


if __name__ == "__main__":  # pragma: no cover
    main()
