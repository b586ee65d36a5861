"""Turn a culture bureau's spreadsheet of sites (CSV) into a validated catalogue.

Positions copied from a Chinese map app are GCJ-02 (AMap/Gaode, Tencent) or BD-09 (Baidu);
the caller says which with ``crs`` and every position is converted to WGS-84 here, at the edge
of the program. Headers may be the catalogue's own property names or their usual Chinese
equivalents (名称, 地址, 经度, 纬度...); vocabulary values may be slugs or Chinese labels.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from redroute import coords
from redroute._errors import CoordinateError, ImportDataError
from redroute.catalogue import Problem, check_catalogue, position_hint
from redroute.vocabulary import BOOKING, CATEGORIES, DISTRICTS, THEMES, Label

__all__ = ["COLUMN_ALIASES", "import_sites_csv"]

#: Accepted header names for each catalogue property (compared case-insensitively).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "slug"),
    "name_zh": ("name_zh", "名称", "中文名", "中文名称", "name"),
    "name_en": ("name_en", "英文名", "英文名称", "english name"),
    "address_zh": ("address_zh", "地址", "中文地址", "address"),
    "address_en": ("address_en", "英文地址"),
    "district": ("district", "区", "所在区", "行政区"),
    "category": ("category", "类别", "类型"),
    "themes": ("themes", "theme", "主题"),
    "opening_hours": ("opening_hours", "开放时间"),
    "last_entry": ("last_entry", "停止入场", "提前停止入场分钟"),
    "booking": ("booking", "预约"),
    "booking_note_zh": ("booking_note_zh", "预约说明"),
    "booking_note_en": ("booking_note_en", "英文预约说明"),
    "visit_minutes": ("visit_minutes", "参观时长", "参观分钟"),
    "significance": ("significance", "重要性", "等级"),
    "summary_zh": ("summary_zh", "简介", "中文简介"),
    "summary_en": ("summary_en", "英文简介"),
    "sources": ("sources", "source", "来源"),
    "lon": ("lon", "lng", "long", "longitude", "经度"),
    "lat": ("lat", "latitude", "纬度"),
    "location": ("location", "coordinates", "坐标", "经纬度"),
}

_NEEDED = ("name_zh", "name_en", "address_zh", "district", "category", "themes",
           "summary_zh", "summary_en")
_INTS = {"last_entry": 30, "visit_minutes": 30, "significance": 3}
_SPLIT = re.compile(r"\s*[;；,，、|/]\s*|\s+")
_EMPTY = "is empty"
_DATUM_LABEL = {"wgs84": "WGS-84", "gcj02": "GCJ-02", "bd09": "BD-09"}


def import_sites_csv(path: str | Path, *, crs: str) -> dict[str, Any]:
    """Read a CSV list of sites and return a validated catalogue (a GeoJSON dict).

    Parameters
    ----------
    path
        The CSV file: UTF-8 (with or without the BOM Excel writes) or GB18030.
    crs
        The datum of its coordinates: ``"wgs84"``, ``"gcj02"`` or ``"bd09"``.

    Raises
    ------
    ImportDataError
        With one line per problem (``sites.csv row 4 (lon): "121,47" is not a number``) in
        its ``problems`` attribute; nothing is returned unless every row is valid.
    """
    p = Path(path)
    datum = _datum(crs)
    rows, columns = _read_rows(p)
    problems: list[str] = []
    features: list[dict[str, Any]] = []
    row_of: list[int] = []
    used: set[str] = set()
    for number, row in rows:
        try:
            features.append(_feature(row, columns, number, p.name, datum=datum, used=used))
            row_of.append(number)
        except ImportDataError as err:
            problems.append(str(err))
    if not rows:
        problems.append(f"{p}: no data rows under the header")
    collection = {"type": "FeatureCollection", "features": features}
    if not problems:
        for prob in check_catalogue(collection, source=str(p)):
            problems.append(_row_message(prob, row_of, p))
    if problems:
        raise _failure(problems)
    return collection


def _failure(problems: list[str]) -> ImportDataError:
    more = len(problems) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return ImportDataError(problems[0] + tail, problems=problems)


def _row_message(prob: Problem, row_of: list[int], p: Path) -> str:
    if prob.index is None:
        return str(prob)
    where = f"{p} row {row_of[prob.index]}"
    if prob.id:
        where += f" ({prob.id})"
    return f"{where}: {prob.message}"


def _datum(crs: str) -> coords.Datum:
    try:
        return coords.parse_datum(crs)
    except CoordinateError as err:
        raise ImportDataError(str(err)) from err


def _read_rows(p: Path) -> tuple[list[tuple[int, dict[str, str]]], dict[str, str]]:
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        msg = f"CSV file {str(p)!r} does not exist"
        raise ImportDataError(msg) from None
    except OSError as err:
        msg = f"cannot read {str(p)!r}: {err.strerror}"
        raise ImportDataError(msg) from err
    text = _decode(raw, p)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames:
        msg = f"{p}: the file is empty (expected a header row)"
        raise ImportDataError(msg)
    columns = _map_columns(list(reader.fieldnames), p)
    rows = []
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        rows.append((reader.line_num, {k: v for k, v in row.items() if isinstance(k, str)}))
    return rows, columns


def _decode(raw: bytes, p: Path) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    msg = f"{p}: neither UTF-8 nor GB18030 text; save the sheet as CSV UTF-8"
    raise ImportDataError(msg)


def _map_columns(headers: list[str], p: Path) -> dict[str, str]:
    """Catalogue property -> the CSV header that holds it."""
    lookup = {alias.casefold(): prop for prop, aliases in COLUMN_ALIASES.items()
              for alias in aliases}
    columns: dict[str, str] = {}
    for header in headers:
        prop = lookup.get((header or "").strip().casefold())
        if prop and prop not in columns:
            columns[prop] = header
    missing = [c for c in _NEEDED if c not in columns]
    if "location" not in columns and not ("lon" in columns and "lat" in columns):
        missing.append("lon and lat (or location)")
    if missing:
        msg = (f"{p}: missing column{'s' if len(missing) > 1 else ''} "
               f"{', '.join(missing)} (header: {', '.join(h for h in headers if h)})")
        raise ImportDataError(msg)
    return columns


def _feature(row: dict[str, str], columns: dict[str, str], number: int, name: str, *,
             datum: coords.Datum, used: set[str]) -> dict[str, Any]:
    def cell(prop: str) -> str:
        header = columns.get(prop)
        return (row.get(header) or "").strip() if header else ""

    def fail(prop: str, message: str) -> ImportDataError:
        header = columns.get(prop, prop)
        return ImportDataError(f"{name} row {number} ({header}): {message}")

    props: dict[str, Any] = {}
    for prop in ("name_zh", "name_en", "address_zh", "address_en", "opening_hours",
                 "booking_note_zh", "booking_note_en", "summary_zh", "summary_en"):
        if cell(prop):
            props[prop] = cell(prop)
    for prop in _NEEDED:
        if prop not in ("district", "category", "themes") and not cell(prop):
            raise fail(prop, _EMPTY)
    props["id"] = cell("id") or _unique(_slug(props["name_zh"], props["name_en"]), used)
    used.add(props["id"])
    props["district"] = _vocab(cell("district"), DISTRICTS, "district", fail)
    props["category"] = _vocab(cell("category"), CATEGORIES, "category", fail)
    props["themes"] = [_vocab(t, THEMES, "themes", fail) for t in _SPLIT.split(cell("themes"))
                       if t]
    if not props["themes"]:
        raise fail("themes", _EMPTY)
    props["booking"] = _vocab(cell("booking") or "none", BOOKING, "booking", fail)
    for prop, default in _INTS.items():
        text = cell(prop)
        if not text:
            if prop != "last_entry":
                props[prop] = default
            continue
        try:
            props[prop] = int(text)
        except ValueError:
            raise fail(prop, f'"{text}" is not a whole number') from None
    props["sources"] = ([s for s in re.split(r"\s*[;；|]\s*", cell("sources")) if s]
                        or [f"{name} row {number}"])
    lon, lat = _position(cell, fail)
    hint = position_hint(lon, lat)
    if hint:
        raise fail("lon", hint)
    wlon, wlat = coords.convert(lon, lat, src=datum, dst=coords.Datum.WGS84)
    label = _DATUM_LABEL[datum.value]
    how = "as given" if datum is coords.Datum.WGS84 else "converted to WGS-84 by redroute.coords"
    props["coord_source"] = f"{label} position from {name} row {number}, {how}"
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(wlon, 6), round(wlat, 6)]},
        "properties": props,
    }


def _position(cell: Any, fail: Any) -> tuple[float, float]:
    if cell("lon") or cell("lat"):
        lon_text, lat_text = cell("lon"), cell("lat")
        lon_prop, lat_prop = "lon", "lat"
    else:
        parts = [s for s in re.split(r"\s*[,，\s]\s*", cell("location")) if s]
        if len(parts) != 2:
            raise fail("location", f'"{cell("location")}" is not "longitude,latitude"')
        lon_text, lat_text = parts
        lon_prop = lat_prop = "location"
    out = []
    for text, prop in ((lon_text, lon_prop), (lat_text, lat_prop)):
        try:
            out.append(float(text))
        except ValueError:
            raise fail(prop, f'"{text}" is not a number') from None
    return out[0], out[1]


def _vocab(value: str, table: dict[str, Label], prop: str, fail: Any) -> str:
    folded = value.strip().casefold()
    for key, label in table.items():
        names = {key, label.zh, label.en.casefold(), label.zh.removesuffix("区"),
                 label.en.casefold().replace("'", "")}
        if folded in names:
            return key
    choices = ", ".join(f"{k} ({lab.zh})" for k, lab in table.items())
    raise fail(prop, f'"{value}" is not in the vocabulary; expected one of: {choices}')


def _slug(name_zh: str, name_en: str) -> str:
    from pypinyin import lazy_pinyin

    base = name_en if re.search(r"[A-Za-z]", name_en) else " ".join(lazy_pinyin(name_zh))
    slug = re.sub(r"[^a-z0-9]+", "-", base.casefold()).strip("-")
    return slug[:60].rstrip("-") or "site"


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in used:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate
