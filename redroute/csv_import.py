"""Turn a culture bureau's spreadsheet of sites (CSV) into a validated catalogue.

Positions copied from a Chinese map app are GCJ-02 (AMap/Gaode, Tencent) or BD-09 (Baidu);
the caller says which with ``crs`` and every position is converted to WGS-84 here, at the edge
of the program. Headers may be the catalogue's own property names or their usual Chinese
equivalents (名称, 地址, 经度, 纬度...); vocabulary values may be slugs or Chinese labels.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import difflib
import json
import re
import unicodedata
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redroute import coords
from redroute._errors import CatalogueWarning, CoordinateError, ImportDataError
from redroute.catalogue import Problem, check_feature, position_hint
from redroute.vocabulary import BOOKING, CATEGORIES, DISTRICTS, STATUS, THEMES, Label
from redroute.wording import printable

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ["COLUMN_ALIASES", "geojson_chunks", "import_sites_csv", "iter_sites_csv"]

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
    "status": ("status", "状态", "现状"),
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


def import_sites_csv(path: str | Path, *, crs: str,
                     ignore_unknown_columns: bool = False) -> dict[str, Any]:
    """Read a CSV list of sites and return a validated catalogue (a GeoJSON dict).

    Parameters
    ----------
    path
        The CSV file: UTF-8 (with or without the BOM Excel writes) or GB18030.
    crs
        The datum of its coordinates: ``"wgs84"``, ``"gcj02"`` or ``"bd09"``.
    ignore_unknown_columns
        Leave out, with a :class:`~redroute._errors.CatalogueWarning` each, the columns
        whose header is no catalogue property; by default such a column is an error (a
        misspelt ``opening_hour`` would otherwise leave every site's hours unknown).

    Raises
    ------
    ImportDataError
        With one line per problem (``sites.csv row 4 (lon): "121,47" is not a number``) in
        its ``problems`` attribute; nothing is returned unless every row is valid. Two
        columns for one property (``name_zh`` and ``名称``) and unknown columns are problems
        of the header, reported before any row is read.
    """
    features = list(iter_sites_csv(path, crs=crs, ignore_unknown_columns=ignore_unknown_columns))
    return {"type": "FeatureCollection", "features": features}


def iter_sites_csv(path: str | Path, *, crs: str,
                   ignore_unknown_columns: bool = False) -> Iterator[dict[str, Any]]:
    """The sites of a CSV file as validated GeoJSON features, one row at a time.

    Takes the arguments of :func:`import_sites_csv`, and holds one row in memory at a time
    (for lists of hundreds of thousands of sites). A bad row yields nothing; after the last
    row, :class:`ImportDataError` lists every problem, so a caller writing the features as
    they come must discard what it wrote when that is raised.
    """
    p = Path(path)
    datum = _datum(crs)
    problems: list[str] = []
    row_of: list[int] = []
    used: dict[str, int] = {}
    seen: dict[str, int] = {}
    count = 0
    labels: dict[str, str] = {}
    for number, row in _read_rows(p, ignore_unknown_columns, problems, labels):
        count += 1
        try:
            feature = _feature(row, labels, number, p.name, datum=datum, used=used)
        except ImportDataError as err:
            problems.append(str(err))
            continue
        row_of.append(number)
        found = check_feature(feature, len(row_of) - 1, source=str(p), seen=seen)
        if found:
            problems.extend(_row_message(prob, row_of, p) for prob in found)
        elif not problems:
            yield feature
    if not count:
        problems.append(f"{p}: no data rows under the header")
    if problems:
        raise _failure(problems)


def geojson_chunks(features: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The text of a catalogue of ``features``, piece by piece: the same text as
    ``json.dumps(collection, ensure_ascii=False, indent=2) + "\\n"``, never all in memory."""
    yield '{\n  "type": "FeatureCollection",\n  "features": ['
    first = True
    for feature in features:
        text = json.dumps(feature, ensure_ascii=False, indent=2).replace("\n", "\n    ")
        yield ("\n    " if first else ",\n    ") + text
        first = False
    yield "]\n}\n" if first else "\n  ]\n}\n"


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


def _encoding(p: Path) -> str:
    """``utf-8-sig`` or ``gb18030``: the first that decodes the whole file (read in pieces)."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with p.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        except FileNotFoundError:
            msg = f"CSV file {str(p)!r} does not exist"
            raise ImportDataError(msg) from None
        except OSError as err:
            msg = f"cannot read {str(p)!r}: {err.strerror}"
            raise ImportDataError(msg) from err
        return encoding
    msg = f"{p}: neither UTF-8 nor GB18030 text; save the sheet as CSV UTF-8"
    raise ImportDataError(msg)


def _read_rows(p: Path, ignore_unknown: bool, problems: list[str],
               labels: dict[str, str]) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line number, {property: cell})`` of each non-blank row; the header's problems are
    raised at once, a row's extra cells are added to ``problems``, and ``labels`` gets
    each property's header (for messages)."""
    encoding = _encoding(p)
    with p.open(encoding=encoding, newline="") as fh:
        head = fh.read(4096)
        fh.seek(0)
        delimiter = ","
        with contextlib.suppress(csv.Error):
            delimiter = csv.Sniffer().sniff(head, delimiters=",\t;").delimiter
        # Only the delimiter is sniffed: the sniffer guesses the quoting from the first lines
        # alone, and its doublequote=False misreads every later cell holding a quote ("").
        reader = csv.reader(fh, csv.excel, delimiter=delimiter)
        headers = next(reader, None)
        if not headers:
            msg = f"{p}: the file is empty (expected a header row)"
            raise ImportDataError(msg)
        columns, blank = _map_columns(headers, p, ignore_unknown)
        labels.update((prop, headers[k]) for prop, k in columns.items())
        width = len(headers)
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            number = reader.line_num
            extra = [c for c in cells[width:] if c.strip()]
            if extra:
                problems.append(f"{p.name} row {number}: {len(cells)} cells but the header "
                                f"names {width} columns (extra: {_short(extra[0])})")
            for k in blank:
                if k < len(cells) and cells[k].strip():
                    problems.append(f"{p.name} row {number}: column {k + 1} has no header "
                                    f"but holds {_short(cells[k])}")
            yield number, {prop: _cell(cells, k) for prop, k in columns.items()}


def _cell(cells: list[str], k: int) -> str:
    if k >= len(cells):
        return ""
    text = cells[k].strip()
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _short(text: str) -> str:
    text = printable(text)
    return f'"{text[:40]}..."' if len(text) > 40 else f'"{text}"'


def _normal(header: str) -> str:
    """A header as it is compared: width-folded (NFKC), without invisible characters or
    outer blanks, case-folded, with runs of spaces, hyphens and underscores as one ``_``."""
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", header)).strip().casefold()
    return _SEPARATORS.sub("_", text)


_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]")
_SEPARATORS = re.compile(r"[\s_\-]+")


def _map_columns(headers: list[str], p: Path,
                 ignore_unknown: bool) -> tuple[dict[str, int], list[int]]:
    """(catalogue property -> index of the column that holds it, the indices of columns
    without a header); two columns for one property, unknown and missing columns raise."""
    lookup = {_normal(alias): prop for prop, aliases in COLUMN_ALIASES.items()
              for alias in aliases}
    columns: dict[str, int] = {}
    blank: list[int] = []
    problems: list[str] = []
    for k, header in enumerate(headers):
        key = _normal(header)
        prop = lookup.get(key)
        label = f'"{printable(header)}" (column {k + 1})'
        if not key:
            blank.append(k)
        elif prop is None:
            close = difflib.get_close_matches(key, list(lookup), n=1, cutoff=0.6)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            if ignore_unknown:
                warnings.warn(f"{p}: column {label} is not a catalogue property and is left "
                              f"out{hint}", CatalogueWarning, stacklevel=4)
            else:
                problems.append(f"{p}: unknown column {label}{hint} (to leave unknown "
                                "columns out: --ignore-unknown-columns)")
        elif prop in columns:
            first = columns[prop]
            problems.append(f'{p}: columns "{printable(headers[first])}" (column {first + 1}) '
                            f"and {label} both give {prop}; keep one of them")
        else:
            columns[prop] = k
    missing = [c for c in _NEEDED if c not in columns]
    if "location" not in columns and not ("lon" in columns and "lat" in columns):
        missing.append("lon and lat (or location)")
    if missing:
        shown = ", ".join(printable(h) for h in headers if h)
        problems.append(f"{p}: missing column{'s' if len(missing) > 1 else ''} "
                        f"{', '.join(missing)} (header: {shown})")
    if problems:
        raise _failure(problems)
    return columns, blank


def _feature(row: dict[str, str], labels: dict[str, str], number: int, name: str, *,
             datum: coords.Datum, used: dict[str, int]) -> dict[str, Any]:
    def cell(prop: str) -> str:
        return row.get(prop, "")

    def fail(prop: str, message: str) -> ImportDataError:
        return ImportDataError(f"{name} row {number} ({labels.get(prop, prop)}): {message}")

    props: dict[str, Any] = {}
    for prop in ("name_zh", "name_en", "address_zh", "address_en", "opening_hours",
                 "booking_note_zh", "booking_note_en", "summary_zh", "summary_en"):
        if cell(prop):
            props[prop] = cell(prop)
    for prop in _NEEDED:
        if prop not in ("district", "category", "themes") and not cell(prop):
            raise fail(prop, _EMPTY)
    props["id"] = cell("id") or _unique(_slug(props["name_zh"], props["name_en"]), used)
    used.setdefault(props["id"], 2)
    props["district"] = _vocab(cell("district"), DISTRICTS, "district", fail)
    props["category"] = _vocab(cell("category"), CATEGORIES, "category", fail)
    props["themes"] = [_vocab(t, THEMES, "themes", fail) for t in _SPLIT.split(cell("themes"))
                       if t]
    if not props["themes"]:
        raise fail("themes", _EMPTY)
    if cell("status"):  # optional: without it the catalogue derives one (default_status)
        props["status"] = _vocab(cell("status"), STATUS, "status", fail)
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
    key = _names(prop, table).get(value.strip().casefold())
    if key is not None:
        return key
    choices = ", ".join(f"{k} ({lab.zh})" for k, lab in table.items())
    raise fail(prop, f'"{value}" is not in the vocabulary; expected one of: {choices}')


def _names(prop: str, table: dict[str, Label]) -> dict[str, str]:
    """Every accepted spelling of a vocabulary's values -> its key (the first key wins)."""
    names = _SPELLINGS.get(prop)
    if names is None:
        names = _SPELLINGS[prop] = {}
        for key, label in table.items():
            for name in (key, label.zh, label.en.casefold(), label.zh.removesuffix("区"),
                         label.en.casefold().replace("'", "")):
                names.setdefault(name, key)
    return names


_SPELLINGS: dict[str, dict[str, str]] = {}


def _slug(name_zh: str, name_en: str) -> str:
    from pypinyin import lazy_pinyin

    base = name_en if re.search(r"[A-Za-z]", name_en) else " ".join(lazy_pinyin(name_zh))
    slug = re.sub(r"[^a-z0-9]+", "-", base.casefold()).strip("-")
    return slug[:60].rstrip("-") or "site"


def _unique(slug: str, used: dict[str, int]) -> str:
    """``slug``, else the first free ``slug-2``, ``slug-3``...; ``used`` maps each id taken
    to the next number worth trying after it, so many sites of one name stay linear."""
    candidate, n = slug, used.get(slug, 2)
    if candidate in used:
        candidate = f"{slug}-{n}"
        while candidate in used:
            n += 1
            candidate = f"{slug}-{n}"
        used[slug] = n + 1
    return candidate
