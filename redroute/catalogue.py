"""Load, validate and query the landmark catalogue.

A catalogue is an RFC 7946 GeoJSON FeatureCollection of Point features in WGS-84, one per
site; the README's "Catalogue format" section documents every property, and
:func:`catalogue_schema` returns the JSON Schema the structure is checked against. On top of
the schema, validation checks what a schema cannot: unique ids, parseable opening hours,
positions inside Shanghai, and clean text (:func:`text_problem`: no control characters, no
value made only of blanks such as U+3000 or U+200B).

Features are checked against the schema by a fast path first (:func:`_plain_feature`, a
plain-Python reading of the same schema that only ever says "surely valid"); the few it
does not clear go through :mod:`jsonschema` for the exact message, so a catalogue of tens of
thousands of sites validates in linear time with a small constant.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from redroute import coords, hours
from redroute._errors import CatalogueError, HoursError, NotFoundError
from redroute.vocabulary import BOOKING, CATEGORIES, DISTRICTS, STATUS, THEMES

if TYPE_CHECKING:
    import datetime as dt

    import geopandas as gpd

__all__ = [
    "Catalogue",
    "Landmark",
    "Problem",
    "catalogue_schema",
    "check_catalogue",
    "check_feature",
    "check_file",
    "default_status",
    "load_catalogue",
    "parse_catalogue",
    "position_hint",
    "shipped_catalogue_path",
    "text_problem",
    "validate_file",
    "validate_text",
]

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SHIPPED_NAME = "landmarks.geojson"

#: The fields whose text may run over several lines (paragraphs, ``\\n`` only); every other
#: text is one line.
PROSE_FIELDS = ("summary_zh", "summary_en", "booking_note_zh", "booking_note_en")

#: How deeply a checked JSON value may nest (a catalogue or an itinerary needs 5 levels); a
#: document too deep for Python's parser is reported at its first bracket deeper than this.
MAX_JSON_DEPTH = 64

_REQUIRED = (
    "id",
    "name_zh",
    "name_en",
    "address_zh",
    "district",
    "category",
    "themes",
    "booking",
    "visit_minutes",
    "significance",
    "summary_zh",
    "summary_en",
    "sources",
    "coord_source",
)


def catalogue_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a catalogue file."""
    text = {"type": "string", "minLength": 1, "pattern": r"\S"}
    props: dict[str, Any] = {
        "id": {"type": "string", "pattern": SLUG, "maxLength": 80},
        "name_zh": text,
        "name_en": text,
        "address_zh": text,
        "address_en": text,
        "district": {"enum": list(DISTRICTS)},
        "category": {"enum": list(CATEGORIES)},
        "themes": {
            "type": "array",
            "items": {"enum": list(THEMES)},
            "minItems": 1,
            "uniqueItems": True,
        },
        "status": {"enum": list(STATUS)},
        "opening_hours": text,
        "last_entry": {"type": "integer", "minimum": 0, "maximum": 240},
        "hours_source": text,
        "hours_note": text,
        "hours_checked": {"type": "string", "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])$"},
        "booking": {"enum": list(BOOKING)},
        "booking_note_zh": text,
        "booking_note_en": text,
        "visit_minutes": {"type": "integer", "minimum": 1, "maximum": 480},
        "significance": {"type": "integer", "minimum": 1, "maximum": 5},
        "summary_zh": text,
        "summary_en": text,
        "sources": {"type": "array", "items": text, "minItems": 1},
        "coord_source": text,
    }
    feature = {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"const": "Feature"},
            "geometry": {
                "type": "object",
                "required": ["type", "coordinates"],
                "properties": {
                    "type": {"const": "Point"},
                    "coordinates": {
                        "type": "array",
                        "items": {"type": "number"},
                        "minItems": 2,
                        "maxItems": 3,
                    },
                },
            },
            "properties": {
                "type": "object",
                "required": list(_REQUIRED),
                "properties": props,
                "additionalProperties": False,
                "if": {
                    "properties": {"booking": {"enum": ["recommended", "required"]}},
                    "required": ["booking"],
                },
                "then": {"required": ["booking_note_zh", "booking_note_en"]},
            },
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "redroute landmark catalogue",
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "items": feature},
        },
    }


@dataclass(frozen=True, slots=True)
class Landmark:
    """One site of the catalogue. Positions are WGS-84 degrees."""

    id: str
    name_zh: str
    name_en: str
    lon: float
    lat: float
    address_zh: str
    district: str
    category: str
    themes: tuple[str, ...]
    booking: str
    visit_minutes: int
    significance: int
    summary_zh: str
    summary_en: str
    sources: tuple[str, ...]
    coord_source: str
    address_en: str | None = None
    opening_hours: str | None = None
    last_entry: int | None = None
    booking_note_zh: str | None = None
    booking_note_en: str | None = None
    status: str = "open"
    hours_source: str | None = None
    hours_note: str | None = None
    hours_checked: str | None = None

    @property
    def plannable(self) -> bool:
        """Whether a plan may include this site (a ``closed`` site never is)."""
        return self.status != "closed"

    def windows(self, day: dt.date) -> list[hours.Window] | None:
        """Visiting windows on ``day``; ``None`` when the hours are unknown."""
        return hours.visiting_windows(self.opening_hours, day, last_entry=self.last_entry)

    @property
    def hours_confirmed(self) -> bool:
        """``False`` when the site has hours but its ``hours_note`` says they are not
        confirmed from an official channel (they are shown with a warning)."""
        return self.opening_hours is None or self.hours_note is None

    def hours_label(self, day: dt.date) -> str | None:
        """That day's hours: ``"09:00-11:30, 13:30-16:30"``, ``"24/7"``, ``"closed"``, or
        ``None`` when unknown."""
        windows = self.windows(day)
        if windows is None:
            return None
        if not windows:
            return "closed"
        if len(windows) == 1 and windows[0].label() == "00:00-24:00":
            return "24/7"
        return ", ".join(w.label() for w in windows)

    def is_open(self, moment: dt.datetime | dt.date) -> bool | None:
        """Whether one can get in at ``moment`` (or on that date); ``None`` if unknown."""
        return hours.is_open_at(self.opening_hours, moment, last_entry=self.last_entry)

    def distance_m(self, lat: float, lon: float) -> float:
        """Great-circle distance in metres to a WGS-84 point."""
        return coords.haversine_m(self.lon, self.lat, lon, lat)

    def to_feature(self) -> dict[str, Any]:
        """This landmark as a GeoJSON Feature (the catalogue's own format)."""
        props: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("lon", "lat"):
                continue
            value = getattr(self, f.name)
            if value is None:
                continue
            props[f.name] = list(value) if isinstance(value, tuple) else value
        return {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [self.lon, self.lat]},
            "properties": props,
        }


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a catalogue, located as precisely as possible."""

    source: str
    message: str
    index: int | None = None
    id: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f" line {self.line}, column {self.column}"
        if self.index is not None:
            where += f" feature {self.index}"
            if self.id:
                where += f" ({self.id})"
        return f"{where}: {self.message}"


class Catalogue(Sequence[Landmark]):
    """An ordered, immutable collection of landmarks with queries.

    Parameters
    ----------
    landmarks
        The sites, in catalogue order.
    source
        Where they came from (a path or ``"landmarks.geojson"``), for messages.
    """

    def __init__(self, landmarks: Sequence[Landmark], *, source: str = "catalogue") -> None:
        self._items = tuple(landmarks)
        self.source = source
        self._by_id = {lm.id: lm for lm in self._items}

    @overload
    def __getitem__(self, index: int) -> Landmark: ...
    @overload
    def __getitem__(self, index: slice) -> Catalogue: ...
    def __getitem__(self, index: int | slice) -> Landmark | Catalogue:
        if isinstance(index, slice):
            return Catalogue(self._items[index], source=self.source)
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Landmark]:
        return iter(self._items)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return item in self._by_id
        return item in self._items

    def __repr__(self) -> str:
        return f"<Catalogue of {len(self)} landmarks from {self.source}>"

    @property
    def ids(self) -> list[str]:
        """The ids in catalogue order."""
        return [lm.id for lm in self._items]

    def get(self, landmark_id: str) -> Landmark:
        """The landmark with this id; :class:`NotFoundError` (with suggestions) if none."""
        try:
            return self._by_id[landmark_id]
        except KeyError:
            close = difflib.get_close_matches(landmark_id, self._by_id, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            msg = f"no landmark with id {landmark_id!r} in {self.source}{hint}"
            raise NotFoundError(msg) from None

    def query(
        self,
        *,
        district: str | None = None,
        theme: str | None = None,
        category: str | None = None,
        text: str | None = None,
        open_at: dt.datetime | dt.date | None = None,
        near: tuple[float, float] | None = None,
        radius_m: float | None = None,
    ) -> Catalogue:
        """The landmarks that match every given criterion, in catalogue order.

        Parameters
        ----------
        district, theme, category
            Vocabulary values (see :mod:`redroute.vocabulary`); an unknown value is an error.
        text
            Matched, ignoring case, spaces and tones, against the Chinese and English names,
            the pinyin of the Chinese name, the id, the Chinese address and the common
            names of :mod:`redroute.places` (``一大会址``, ``渔阳里``, ``多伦路``, ``龙华``).
        open_at
            A datetime (one can get in at that time) or a date (open at some time that
            day). Sites with unknown hours never match.
        near, radius_m
            A WGS-84 ``(lat, lon)`` and a radius in metres (default 1000); the result is
            then sorted by distance.
        """
        items: list[Landmark] = list(self._items)
        if district is not None:
            _check_vocab("district", district, DISTRICTS)
            items = [lm for lm in items if lm.district == district]
        if theme is not None:
            _check_vocab("theme", theme, THEMES)
            items = [lm for lm in items if theme in lm.themes]
        if category is not None:
            _check_vocab("category", category, CATEGORIES)
            items = [lm for lm in items if lm.category == category]
        if text is not None and text.strip():
            needle = _fold(text)
            items = [lm for lm in items if needle in _search_key(lm)]
        if open_at is not None:
            items = [lm for lm in items if lm.is_open(open_at) is True]
        if near is not None:
            lat, lon = near
            radius = 1000.0 if radius_m is None else float(radius_m)
            dist = {lm.id: lm.distance_m(lat, lon) for lm in items}
            items = sorted((lm for lm in items if dist[lm.id] <= radius), key=lambda x: dist[x.id])
        elif radius_m is not None:
            msg = "a radius needs a centre point (near=(lat, lon))"
            raise CatalogueError(msg)
        return Catalogue(items, source=self.source)

    def to_geojson(self) -> dict[str, Any]:
        """The catalogue as a GeoJSON FeatureCollection (round-trips through parsing)."""
        return {"type": "FeatureCollection", "features": [lm.to_feature() for lm in self]}

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """The catalogue as a GeoDataFrame in EPSG:4326, indexed by id."""
        import geopandas as gpd

        rows = []
        for lm in self:
            row = asdict(lm)
            row["themes"] = list(lm.themes)
            row["sources"] = list(lm.sources)
            rows.append(row)
        columns = [f.name for f in fields(Landmark)]
        geometry = gpd.points_from_xy([lm.lon for lm in self], [lm.lat for lm in self])
        frame = gpd.GeoDataFrame(rows, columns=columns, geometry=geometry, crs="EPSG:4326")
        return frame.set_index("id", drop=False)


def _check_vocab(kind: str, value: str, table: dict[str, Any]) -> None:
    if value not in table:
        msg = f"unknown {kind} {value!r}; expected one of: {', '.join(table)}"
        raise CatalogueError(msg)


_FOLD = re.compile(r"[\s\-_'’·.,()（）]+")


def _fold(text: str) -> str:
    return _FOLD.sub("", text).casefold()


@lru_cache(maxsize=4096)
def _search_key(lm: Landmark) -> str:
    from pypinyin import Style, lazy_pinyin

    pinyin = "".join(lazy_pinyin(lm.name_zh, style=Style.NORMAL))
    texts = (lm.id, lm.name_zh, lm.name_en, pinyin, lm.address_zh, *_common_names().get(lm.id, ()))
    return "\n".join(_fold(s) for s in texts)


@lru_cache(maxsize=1)
def _common_names() -> dict[str, tuple[str, ...]]:
    """The common names of landmarks (一大会址, 渔阳里, 龙华...), by landmark id, from
    :mod:`redroute.places`."""
    from redroute.places import find_place, place_names

    out: dict[str, tuple[str, ...]] = {}
    for name in place_names():
        place = find_place(name)
        if place is not None and place.kind == "alias" and place.landmark is not None:
            out[place.landmark] = place.names
    return out


# --------------------------------------------------------------------------- loading


def shipped_catalogue_path() -> Path:
    """The path of the catalogue shipped inside the package."""
    ref = resources.files("redroute") / "data" / SHIPPED_NAME
    return Path(str(ref))


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read and validate a catalogue file.

    Parameters
    ----------
    path
        A GeoJSON file; default: ``settings.catalogue_path``, else the shipped catalogue.

    Raises
    ------
    CatalogueError
        When the file is missing, is not valid JSON, or fails validation; the message names
        the first problem and how many more there are.
    """
    from redroute import settings

    if path is None:
        path = settings.catalogue_path
    if path is None:
        text = (resources.files("redroute") / "data" / SHIPPED_NAME).read_text(encoding="utf-8")
        return parse_catalogue(text, source=SHIPPED_NAME)
    p = Path(path)
    return parse_catalogue(_read_text(p), source=str(p))


def _read_text(p: Path) -> str:
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"catalogue file {str(p)!r} does not exist"
        raise CatalogueError(msg) from None
    except IsADirectoryError:
        msg = f"catalogue path {str(p)!r} is a folder, not a GeoJSON file"
        raise CatalogueError(msg) from None
    except UnicodeDecodeError as err:
        msg = f"{p}: not UTF-8 text (byte {err.start}): save the catalogue as UTF-8"
        raise CatalogueError(msg) from None
    except OSError as err:
        msg = f"cannot read catalogue {str(p)!r}: {err.strerror}"
        raise CatalogueError(msg) from err


def parse_catalogue(text: str, *, source: str = "catalogue") -> Catalogue:
    """Parse and validate catalogue text; raise :class:`CatalogueError` on any problem."""
    data, problems = _decode(text, source)
    if not problems:
        problems = check_catalogue(data, source=source)
    if problems:
        more = len(problems) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        msg = f"{problems[0]}{tail}"
        raise CatalogueError(msg, problems=[str(p) for p in problems])
    return Catalogue([_landmark(f) for f in data["features"]], source=source)


def validate_text(text: str, *, source: str = "catalogue") -> list[Problem]:
    """Every problem of a catalogue's text (empty when it is valid)."""
    data, problems = _decode(text, source)
    return problems or check_catalogue(data, source=source)


def validate_file(path: str | Path) -> list[Problem]:
    """Every problem of a catalogue file (empty when it is valid)."""
    p = Path(path)
    return validate_text(_read_text(p), source=str(p))


def check_file(path: str | Path) -> tuple[Catalogue | None, list[Problem]]:
    """A catalogue file read and checked once: ``(catalogue, [])`` when it is valid,
    ``(None, every problem)`` when not; :class:`CatalogueError` when it cannot be read."""
    p = Path(path)
    data, problems = _decode(_read_text(p), str(p))
    problems = problems or check_catalogue(data, source=str(p))
    if problems:
        return None, problems
    return Catalogue([_landmark(f) for f in data["features"]], source=str(p)), []


def _decode(text: str, source: str) -> tuple[Any, list[Problem]]:
    try:
        return loads_json(text), []
    except json.JSONDecodeError as err:
        msg = f"invalid JSON: {err.msg}"
        return None, [Problem(source, msg, line=err.lineno, column=err.colno)]


def loads_json(text: str) -> Any:
    """``json.loads`` that fails with :class:`json.JSONDecodeError`, not a
    :class:`RecursionError`, on a document nested too deeply for Python's parser.

    The error's position is the first bracket more than :data:`MAX_JSON_DEPTH` levels deep.
    """
    try:
        return json.loads(text)
    except RecursionError:
        pass
    depth, pos = 0, 0
    for m in _BRACKETS.finditer(text):
        depth += {"[": 1, "{": 1, "]": -1, "}": -1}.get(m.group(), 0)
        if depth > MAX_JSON_DEPTH:
            pos = m.start()
            break
    msg = f"nested more than {MAX_JSON_DEPTH} levels deep"
    raise json.JSONDecodeError(msg, text, pos) from None


# A string literal (skipped whole, escapes included) or one bracket.
_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> list[str] | None:
    """The path to the first list or object nested more than ``limit`` levels deep in
    decoded JSON (``["properties", "name_en", "0", ...]``), or ``None``; never recursive."""
    stack: list[tuple[Any, list[str]]] = [(value, [])]
    while stack:
        item, path = stack.pop()
        if len(path) > limit:
            return path[:limit + 1]
        if isinstance(item, dict):
            stack.extend((v, [*path, str(k)]) for k, v in item.items()
                         if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend((v, [*path, str(i)]) for i, v in enumerate(item)
                         if isinstance(v, dict | list))
    return None


def check_catalogue(data: Any, *, source: str = "catalogue") -> list[Problem]:
    """Validate decoded catalogue data: schema, unique ids, hours, positions and text.

    Returns every problem found, in file order.
    """
    top = _document_problems(data, source)
    if top is not None:  # the document itself is malformed: features cannot be trusted
        return _dedupe(top)
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for i, feature in enumerate(data["features"]):
        problems.extend(check_feature(feature, i, source=source, seen=seen))
    return _dedupe(problems)


def check_feature(feature: Any, index: int, *, source: str = "catalogue",
                  seen: dict[str, int] | None = None) -> list[Problem]:
    """Every problem of one feature of a catalogue: schema, id, hours, position and text.

    Parameters
    ----------
    feature
        The decoded feature.
    index
        Its place in the catalogue, for messages.
    source
        Where it comes from, for messages.
    seen
        The ids of the features before it (id -> index); a duplicate is a problem. The
        feature's own id is added.
    """
    seen = {} if seen is None else seen
    problems = _feature_schema_problems(feature, index, source)
    if problems:
        fid = _raw_id(feature)
        if fid is not None:
            seen.setdefault(fid, index)
        return problems
    fid = feature["properties"]["id"]
    if fid in seen:
        msg = f'duplicate id "{fid}" (first used by feature {seen[fid]})'
        problems.append(Problem(source, msg, index=index, id=fid))
    else:
        seen[fid] = index
    problems.extend(_check_feature(feature, index, fid, source))
    return problems


@lru_cache(maxsize=1)
def _validators() -> tuple[Any, Any]:
    """The :mod:`jsonschema` validators of a whole catalogue and of one feature."""
    import jsonschema

    schema = catalogue_schema()
    return (jsonschema.Draft202012Validator(schema),
            jsonschema.Draft202012Validator(schema["properties"]["features"]["items"]))


def _by_path(errors: Iterator[Any]) -> list[Any]:
    return sorted(errors, key=lambda e: [str(p) for p in e.path])


def _document_problems(data: Any, source: str) -> list[Problem] | None:
    """``None`` when the document is a collection with a list of features; otherwise every
    problem of the schema (of the features too), in the order of their paths as strings."""
    validator, _ = _validators()
    features = data.get("features") if isinstance(data, dict) else None
    if isinstance(features, list):
        rest = {k: v for k, v in data.items() if k != "features"}
        path = too_deep(rest)
        if path is not None:
            return [Problem(source, _deep_message(path))]
        top = _by_path(validator.iter_errors({**rest, "features": []}))
        if not top:
            return None
        # In the order of jsonschema's paths as strings: "features.10" < "features.2" < "type".
        inner = [p for i in sorted(range(len(features)), key=str)
                 for p in _feature_schema_problems(features[i], i, source)]
        first = [e for e in top if [str(p) for p in e.path] < ["features"]]
        last = [e for e in top if [str(p) for p in e.path] > ["features"]]
        return ([_schema_problem(e, source) for e in first] + inner
                + [_schema_problem(e, source) for e in last])
    path = too_deep(data)
    if path is not None:
        return [Problem(source, _deep_message(path))]
    return [_schema_problem(e, source) for e in _by_path(validator.iter_errors(data))]


def _feature_schema_problems(feature: Any, index: int, source: str) -> list[Problem]:
    """The schema's problems of one feature; the fast path clears most features at once."""
    if _plain_feature(feature):
        return []
    fid = _raw_id(feature)
    path = too_deep(feature)
    if path is not None:
        return [Problem(source, _deep_message(path), index=index, id=fid)]
    _, validator = _validators()
    errors = _by_path(validator.iter_errors(feature))
    for err in errors:
        err.path.extendleft([index, "features"])
    return [_schema_problem(e, source, fid=fid) for e in errors]


def _deep_message(path: list[str]) -> str:
    where = ".".join(path[:4])
    return f"a value is nested more than {MAX_JSON_DEPTH} levels deep (at {where}...)"


def _plain_feature(feature: Any) -> bool:
    """Whether a feature surely meets the schema: a fast, plain-Python reading of the same
    schema (:func:`_plain_rules`). ``False`` only means "ask :mod:`jsonschema`", so this may
    be stricter than the schema, never laxer."""
    if type(feature) is not dict or feature.get("type") != "Feature":
        return False
    geometry, props = feature.get("geometry"), feature.get("properties")
    if type(geometry) is not dict or type(props) is not dict or geometry.get("type") != "Point":
        return False
    xy = geometry.get("coordinates")
    if type(xy) is not list or not 2 <= len(xy) <= 3 or any(type(v) not in (int, float)
                                                            for v in xy):
        return False
    required, checks, when, then = _plain_rules()
    if not (props.keys() >= required and props.keys() <= checks.keys()):
        return False
    if not all(checks[k](v) for k, v in props.items()):
        return False
    return props[when[0]] not in when[1] or props.keys() >= then


@lru_cache(maxsize=1)
def _plain_rules() -> tuple[frozenset[str], dict[str, Callable[[Any], bool]],
                            tuple[str, frozenset[str]], frozenset[str]]:
    """The properties' schema as (required names, a check per name, the ``if`` condition as
    (name, values), the names ``then`` requires)."""
    schema = catalogue_schema()["properties"]["features"]["items"]["properties"]["properties"]
    checks = {name: _plain_check(rule) for name, rule in schema["properties"].items()}
    ((when, cond),) = schema["if"]["properties"].items()  # one required field in a set
    if schema["if"]["required"] != [when] or set(cond) != {"enum"}:
        msg = "the fast path does not read this schema's if/then: update _plain_rules"
        raise NotImplementedError(msg)
    return (frozenset(schema["required"]), checks, (when, frozenset(cond["enum"])),
            frozenset(schema["then"]["required"]))


def _plain_check(rule: dict[str, Any]) -> Callable[[Any], bool]:
    """A predicate that holds only for values that meet ``rule`` (a property's schema)."""
    keys, kind = set(rule), rule.get("type")
    if keys == {"enum"}:
        allowed = frozenset(v for v in rule["enum"] if type(v) is str)
        return lambda v: type(v) is str and v in allowed
    if kind == "string" and keys <= {"type", "minLength", "maxLength", "pattern"}:
        short, long = rule.get("minLength", 0), rule.get("maxLength", math.inf)
        search = re.compile(rule.get("pattern", "")).search
        return lambda v: type(v) is str and short <= len(v) <= long and search(v) is not None
    if kind == "integer" and keys <= {"type", "minimum", "maximum"}:
        low, high = rule.get("minimum", -math.inf), rule.get("maximum", math.inf)
        return lambda v: type(v) is int and low <= v <= high
    if kind == "array" and "items" in rule and keys <= {"type", "items", "minItems",
                                                        "maxItems", "uniqueItems"}:
        item, unique = _plain_check(rule["items"]), rule.get("uniqueItems", False)
        few, many = rule.get("minItems", 0), rule.get("maxItems", math.inf)
        return lambda v: (type(v) is list and few <= len(v) <= many and all(map(item, v))
                          and (not unique or len(set(v)) == len(v)))
    return lambda v: False  # a rule this reading does not know: always ask jsonschema


def _raw_id(feature: Any) -> str | None:
    props = feature.get("properties") if isinstance(feature, dict) else None
    fid = props.get("id") if isinstance(props, dict) else None
    return fid if isinstance(fid, str) else None


def _dedupe(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _schema_problem(err: Any, source: str, fid: str | None = None) -> Problem:
    """A :mod:`jsonschema` error as a problem; ``fid`` is the id of its feature, if any."""
    path = list(err.absolute_path)
    index: int | None = None
    if len(path) >= 2 and path[0] == "features" and isinstance(path[1], int):
        index = path[1]
    field_path = [str(p) for p in path[2:] if p != "properties"] if index is not None else path
    field_name = ".".join(str(p) for p in field_path)
    msg = _schema_message(err, field_name)
    return Problem(source, msg, index=index, id=fid)


def _schema_message(err: Any, field_name: str) -> str:
    kind = err.validator
    value = err.instance
    if kind == "required" and "then" in err.schema_path:
        return 'booking is not "none": booking_note_zh and booking_note_en are required'
    if kind == "required":
        missing = re.findall(r"'([^']+)' is a required property", err.message)
        name = missing[0] if missing else err.message
        where = f" in {field_name}" if field_name else ""
        return f'missing required field "{name}"{where}'
    if kind == "additionalProperties":
        extra = re.findall(r"'([^']+)'", err.message)
        name = extra[0] if extra else "?"
        close = difflib.get_close_matches(name, list(catalogue_schema_fields()), n=1)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        return f'unknown field "{name}"{hint}'
    if kind == "enum":
        table = {"district": DISTRICTS, "category": CATEGORIES, "booking": BOOKING,
                 "status": STATUS}
        base = field_name.split(".", maxsplit=1)[0]
        vocab = table.get(base, THEMES if base == "themes" else None)
        choices = ", ".join(vocab) if vocab else ", ".join(map(str, err.validator_value))
        label = "theme" if base == "themes" else base
        return f'{label} "{value}" is not in the vocabulary; expected one of: {choices}'
    if kind == "const":
        return f"{field_name or 'type'} must be {err.validator_value!r}, not {value!r}"
    if kind == "pattern" and field_name == "id":
        return f'id "{value}" is not a slug (lower-case letters, digits and single hyphens)'
    if isinstance(value, str) and value and kind in {"pattern", "minLength"}:
        return f"{field_name} {text_problem(value) or 'is empty'}"
    if kind == "pattern" or (kind == "minLength" and isinstance(value, str)):
        return f'{field_name} is empty'
    name = field_name or "document"
    return f"{name}: {err.message}"


def catalogue_schema_fields() -> tuple[str, ...]:
    """Every property name a feature may carry."""
    return tuple(catalogue_schema()["properties"]["features"]["items"]["properties"]
                 ["properties"]["properties"])


def _check_feature(feature: dict[str, Any], i: int, fid: str, source: str) -> list[Problem]:
    props = feature["properties"]
    problems: list[Problem] = []
    dirty = set()
    for name, text in _texts(props):
        wrong = text_problem(text, prose=name in PROSE_FIELDS)
        if wrong:
            dirty.add(name)
            problems.append(Problem(source, f"{name} {wrong}", index=i, id=fid))
    value = props.get("opening_hours")
    if value is not None and "opening_hours" not in dirty:
        try:
            hours.check_opening_hours(value)
        except HoursError as err:
            problems.append(Problem(source, str(err), index=i, id=fid))
    elif value is None and props.get("last_entry") is not None:
        msg = "last_entry is given but opening_hours is not"
        problems.append(Problem(source, msg, index=i, id=fid))
    lon, lat = feature["geometry"]["coordinates"][:2]
    hint = position_hint(lon, lat)
    if hint:
        problems.append(Problem(source, hint, index=i, id=fid))
    return problems


def _texts(props: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every text of a feature's properties with its field name (``sources.1`` for a list)."""
    for name, value in props.items():
        if isinstance(value, str):
            yield name, value
        elif isinstance(value, list):
            yield from ((f"{name}.{k}", v) for k, v in enumerate(value) if isinstance(v, str))


# What no text of a catalogue may hold: C0 controls but the line break (tested apart), DEL,
# C1 controls, lone surrogates, the bidi controls that reorder what is shown (Trojan Source),
# line/paragraph separators, a byte order mark, interlinear annotations and non-characters.
_FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f"
                        "\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb"
                        "\ufffe\uffff]")
_FORBIDDEN_IN_LINE = re.compile(f"{_FORBIDDEN.pattern}|\n")
# Something visible: not a space of any kind (U+3000, U+00A0...) nor an invisible character.
_VISIBLE = re.compile("[^\\s\u00ad\u034f\u115f\u1160\u180e\u200b-\u200d\u2060\u2800"
                      "\u3164\ufeff\uffa0]")
_CONTROL_NAMES = {0x00: "NUL", 0x09: "TAB", 0x0A: "LINE FEED", 0x0B: "VERTICAL TAB",
                  0x0C: "FORM FEED", 0x0D: "CARRIAGE RETURN", 0x1B: "ESC", 0x7F: "DEL"}


def text_problem(text: str, *, prose: bool = False) -> str | None:
    """What is wrong with one text of a catalogue or an itinerary, or ``None``.

    Text is refused when it holds a control character (C0 and C1 controls, DEL, a lone
    surrogate, a bidi override, a byte order mark...) or when it is only blanks: spaces of
    any kind (U+0020, U+00A0, U+3000...) and invisible characters (U+200B, U+200C, U+200D,
    U+2060, U+FEFF...).

    Parameters
    ----------
    text
        The value.
    prose
        A field that may run over several lines (:data:`PROSE_FIELDS`): ``\\n`` is allowed.

    Returns
    -------
    str or None
        ``'contains the control character ESC (U+001B) at character 1'``, ``'is blank:
        only IDEOGRAPHIC SPACE (U+3000)'``, ``None`` when the text is clean; the caller puts
        the field name in front.
    """
    bad = (_FORBIDDEN if prose else _FORBIDDEN_IN_LINE).search(text)
    if bad is not None:
        where = f"at character {bad.start() + 1}"
        if bad.group() == "\n":
            where += " (only summaries and booking notes may hold line breaks)"
        return f"contains {_forbidden(bad.group())} {where}"
    if text and _VISIBLE.search(text) is None:
        kinds = ", ".join(char_label(c) for c in sorted(set(text)))
        return f"is blank: only {kinds}"
    return None


def _forbidden(char: str) -> str:
    label, kind = char_label(char), unicodedata.category(char)
    if kind == "Cc":
        return f"the control character {label}"
    if kind == "Cs":
        return f"a lone surrogate half (U+{ord(char):04X})"
    if char == "\ufeff":
        return f"a byte order mark (U+{ord(char):04X})"
    return f"the invisible control character {label}"


def char_label(char: str) -> str:
    """``'ESC (U+001B)'``, ``'IDEOGRAPHIC SPACE (U+3000)'``: a character named for a message."""
    code = ord(char)
    name = _CONTROL_NAMES.get(code) or unicodedata.name(char, "")
    return f"{name} (U+{code:04X})" if name else f"U+{code:04X}"


def position_hint(lon: float, lat: float) -> str | None:
    """Why a ``[lon, lat]`` position cannot be a Shanghai site, or ``None`` if it can."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return f"position [{lon}, {lat}] is not a number"
    if coords.in_shanghai(lon, lat):
        return None
    where = f"position [{lon}, {lat}] is outside the Shanghai region"
    if coords.in_shanghai(lat, lon):
        return f"{where}: lat/lon swapped? GeoJSON order is [longitude, latitude]"
    if abs(lon) < 1e-9 and abs(lat) < 1e-9:
        return f"{where}: [0, 0] is a missing position, not a place"
    if 73 <= lon <= 136 and 3 <= lat <= 54:
        return f"{where}: it is elsewhere in China; a typo in a digit?"
    return (
        f"{where}: expected WGS-84 longitude 120.85-122.25 and latitude 30.66-31.90 "
        "(lat/lon swapped, a typo, or projected metres instead of degrees?)"
    )


def default_status(props: dict[str, Any]) -> str:
    """The ``status`` of a site whose catalogue does not give one, from its other properties.

    ``open`` when it has opening hours other than ``24/7``; otherwise ``marker`` for a
    monument and ``exterior`` for anything else. A site is never ``closed`` by default: say
    so explicitly. The shipped catalogue gives every site's status.
    """
    value = props.get("opening_hours")
    if value is not None and value.strip() != "24/7":
        return "open"
    return "marker" if props.get("category") == "monument" else "exterior"


def _landmark(feature: dict[str, Any]) -> Landmark:
    props = dict(feature["properties"])
    props.setdefault("status", default_status(props))
    lon, lat = (float(v) for v in feature["geometry"]["coordinates"][:2])
    props["themes"] = tuple(props["themes"])
    props["sources"] = tuple(props["sources"])
    return Landmark(lon=lon, lat=lat, **props)
