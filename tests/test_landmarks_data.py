"""The shipped catalogue itself: coverage, required sites, positions and originality."""

from __future__ import annotations

import collections
import difflib
import re
import warnings
from typing import Any

import pytest

from redroute import coords
from redroute.catalogue import Catalogue, Landmark, load_catalogue
from redroute.directions import english_street_name

from .conftest import need_shared

#: The sites the city's red routes are built on (issue 2).
REQUIRED = [
    "first-congress-site", "first-congress-memorial-hall", "old-yuyangli-2", "new-yuyangli-6",
    "chengyuli-12", "pathe-building", "second-congress-site", "zhou-gongguan",
    "sun-yat-sen-residence", "soong-ching-ling-residence", "mao-zedong-residence-1920",
    "mao-zedong-residence-1924", "left-wing-writers-league-memorial",
    "fourth-congress-memorial-hall", "lu-xun-residence", "lu-xun-memorial-hall",
    "longhua-martyrs-cemetery", "shanghai-library", "xuhui-art-museum",
    "shanghai-history-museum", "wukang-mansion",
]
CENTRAL = ("huangpu", "xuhui", "jingan", "hongkou", "changning", "putuo", "yangpu")
# Where the merged extract really has streets (its README): the road file's box and the
# box of the later download. Outside them a street may be cut off at the edge.
COVERAGE = [(121.4611, 31.2196, 121.4863, 31.2412), (121.471, 31.214, 121.480, 31.222)]
ROAD = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:路|街|大道)")


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return load_catalogue()


def test_size_and_coverage(shipped: Catalogue) -> None:
    assert len(shipped) >= 60
    per_district = collections.Counter(lm.district for lm in shipped)
    for district in CENTRAL:
        assert per_district[district] >= 2, f"{district}: {per_district[district]} sites"


def test_required_sites_are_present(shipped: Catalogue) -> None:
    missing = [i for i in REQUIRED if i not in shipped]
    assert not missing


def test_wukang_mansion_is_a_waypoint(shipped: Catalogue) -> None:
    assert shipped.get("wukang-mansion").category == "waypoint"


def test_longhua_is_covered(shipped: Catalogue) -> None:
    assert shipped.query(text="龙华").ids


def test_every_theme_in_use_has_sites(shipped: Catalogue) -> None:
    themes = collections.Counter(t for lm in shipped for t in lm.themes)
    for theme in ("founding", "youth", "left-wing-culture", "anthem", "martyrs", "leaders",
                  "united-front", "underground"):
        assert themes[theme] >= 1, theme


CENTRAL = {"huangpu", "xuhui", "changning", "jingan", "putuo", "hongkou", "yangpu"}


def test_positions_are_in_shanghai_and_central_sites_in_the_centre(shipped: Catalogue) -> None:
    """Every site lies in Shanghai; those of the central districts lie in central Shanghai
    (a swapped or mistyped coordinate lands elsewhere)."""
    from redroute import coords

    for lm in shipped:
        assert coords.in_shanghai(lm.lon, lm.lat), lm.id
        if lm.district in CENTRAL:
            assert 121.30 < lm.lon < 121.60, lm.id
            assert 31.10 < lm.lat < 31.35, lm.id


def test_no_two_sites_share_a_position(shipped: Catalogue) -> None:
    positions = collections.Counter((round(lm.lon, 5), round(lm.lat, 5)) for lm in shipped)
    assert max(positions.values()) == 1


def test_summaries_are_short(shipped: Catalogue) -> None:
    for lm in shipped:
        zh = [s for s in re.split(r"[。！？]", lm.summary_zh) if s.strip()]
        en = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", lm.summary_en) if s.strip()]
        assert 1 <= len(zh) <= 3, (lm.id, lm.summary_zh)
        assert 1 <= len(en) <= 3, (lm.id, lm.summary_en)


def test_many_sites_have_known_hours(shipped: Catalogue) -> None:
    """Of the sites a plan may visit (not ``closed``), most have known hours."""
    visitable = [lm for lm in shipped if lm.status != "closed"]
    known = [lm for lm in visitable if lm.opening_hours is not None]
    assert len(known) >= len(visitable) * 0.6


def test_memorial_halls_closed_on_mondays_say_so(shipped: Catalogue) -> None:
    import datetime as dt

    monday = dt.date(2026, 12, 7)
    hall = shipped.get("first-congress-memorial-hall")
    assert hall.windows(monday) == []
    site = shipped.get("first-congress-site")  # one entrance: the same hours and booking
    assert (site.opening_hours, site.booking) == (hall.opening_hours, hall.booking)


def test_every_site_has_a_status(shipped: Catalogue) -> None:
    """The shipped catalogue gives each site's status explicitly (user catalogues may not)."""
    import json

    from redroute.catalogue import shipped_catalogue_path

    data = json.loads(shipped_catalogue_path().read_text(encoding="utf-8"))
    assert all("status" in f["properties"] for f in data["features"])


# A site may be open round the clock only when it is an outdoor place.
_OUTDOOR = frozenset({"cemetery", "monument"})


def test_no_open_indoor_site_is_24_7(shipped: Catalogue) -> None:
    bad = [lm.id for lm in shipped if lm.status == "open" and lm.opening_hours == "24/7"
           and lm.category not in _OUTDOOR]
    assert bad == []


def test_every_open_site_has_hours_or_says_why_not(shipped: Catalogue) -> None:
    bad = [lm.id for lm in shipped if lm.status == "open"
           and lm.opening_hours is None and not lm.hours_note]
    assert bad == []


def test_hours_notes_are_bilingual(shipped: Catalogue) -> None:
    """A note on hours is shown to visitors: Chinese, then " / ", then English."""
    bad = []
    for lm in shipped:
        if lm.hours_note is None:
            continue
        zh, sep, en = lm.hours_note.partition(" / ")
        if not (sep and re.search(r"[\u4e00-\u9fff]", zh) and re.match(r"[A-Z]", en)
                and en.endswith(".") and not re.search(r"[\u4e00-\u9fff]", en)):
            bad.append(lm.id)
    assert bad == []


def test_open_hours_are_sourced_or_flagged(shipped: Catalogue) -> None:
    """An open site's hours cite their source, or carry a note that they are not confirmed
    (hours copied from a listing never pass for checked ones)."""
    bad = [lm.id for lm in shipped if lm.status == "open" and lm.opening_hours is not None
           and not lm.hours_source and not lm.hours_note]
    assert bad == []


def test_an_hours_source_comes_with_hours(shipped: Catalogue) -> None:
    """``hours_source`` cites where the hours come from: never on a site without hours
    (that one says why in ``hours_note``)."""
    bad = [lm.id for lm in shipped if lm.hours_source and lm.opening_hours is None]
    assert bad == []


def test_checked_hours_name_their_source(shipped: Catalogue) -> None:
    bad = [lm.id for lm in shipped if (lm.hours_checked is None) != (lm.hours_source is None)]
    assert bad == []


def test_the_district_vocabulary_has_all_16_districts() -> None:
    from redroute.vocabulary import DISTRICTS

    assert len(DISTRICTS) == 16
    assert {"huangpu", "pudong", "chongming", "jingan"} <= set(DISTRICTS)


def test_closed_sites_are_never_planned(shipped: Catalogue) -> None:
    """A closed site is left out of a free walk and named with ``closed-site`` when asked."""
    import dataclasses
    import datetime as dt
    import warnings

    from redroute import Catalogue as Cat
    from redroute._errors import NetworkWarning
    from redroute.plan import plan_itinerary

    closed = dataclasses.replace(shipped.get("bowen-girls-school"), status="closed")
    cat = Cat([closed if lm.id == closed.id else lm for lm in shipped])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        it = plan_itinerary(["bowen-girls-school", "chengyuli-12"], catalogue=cat,
                            date=dt.date(2026, 12, 5), network="estimate")
    assert "bowen-girls-school" not in {s.id for s in it.stops}
    assert {e.id: e.reason for e in it.excluded}["bowen-girls-school"] == "closed-site"


# --------------------------------------------------------------------------- shared data


def _reference_by_uri(entries: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {e["uri"]: e for e in entries if e.get("uri")}


def _uris(lm: Landmark) -> list[str]:
    return [s for s in lm.sources if "data.library.sh.cn/entity" in s]


def _own_entry(lm: Landmark) -> str | None:
    """The Shanghai Library entry of the site itself: its first source, if it is one."""
    first = lm.sources[0]
    return first if "data.library.sh.cn/entity" in first else None


@pytest.mark.shared
def test_positions_agree_with_the_reference(shipped: Catalogue,
                                            reference_points: list[dict[str, str]]) -> None:
    """Each site whose first source is a Shanghai Library entry lies within 150 m of that
    entry's position (BD-09 converted), unless its coord_source says it was corrected."""
    by_uri = _reference_by_uri(reference_points)
    checked, bad = 0, []
    for lm in shipped:
        for uri in filter(None, [_own_entry(lm)]):
            entry = by_uri.get(uri)
            if entry is None:
                bad.append(f"{lm.id}: {uri} is not in the reference data")
                continue
            if not (entry.get("long") and entry.get("lat")):
                continue  # an entry without a position cannot be compared
            lon, lat = coords.bd09_to_wgs84(float(entry["long"]), float(entry["lat"]))
            dist = coords.haversine_m(lon, lat, lm.lon, lm.lat)
            if dist > 150 and "corrected" not in lm.coord_source:
                bad.append(f"{lm.id}: {dist:.0f} m from {entry['nameS']}")
            checked += 1
    assert not bad
    assert checked >= 30


@pytest.mark.shared
def test_summaries_are_in_our_own_words(shipped: Catalogue,
                                        reference_points: list[dict[str, str]]) -> None:
    """No summary shares a run of 14 or more characters with the reference description."""
    by_uri = _reference_by_uri(reference_points)
    copied = []
    for lm in shipped:
        for uri in _uris(lm):
            des = re.sub(r"\s", "", by_uri.get(uri, {}).get("des") or "")
            ours = re.sub(r"\s", "", lm.summary_zh)
            if not des:
                continue
            match = difflib.SequenceMatcher(None, ours, des, autojunk=False).find_longest_match()
            if match.size >= 14:
                copied.append(f"{lm.id}: {ours[match.a:match.a + match.size]!r}")
    assert not copied


@pytest.fixture(scope="module")
def osm_edges() -> Any:
    path = need_shared("data/osm/shanghai-core-merged.osm")
    import osmnx as ox

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = ox.graph_from_xml(path, simplify=False, bidirectional=True, retain_all=True)
    edges = ox.graph_to_gdfs(graph, nodes=False)[["name", "highway", "geometry"]]
    return edges.to_crs(32651)


def _names(value: Any) -> set[str]:
    if isinstance(value, list):
        return {str(v) for v in value}
    return {str(value)} if isinstance(value, str) else set()


@pytest.mark.shared
def test_positions_lie_on_their_street_in_the_osm_extract(shipped: Catalogue,
                                                          osm_edges: Any) -> None:
    """Inside the extract, a site is within 150 m of the street its address names."""
    import geopandas as gpd
    from shapely.geometry import Point

    checked: list[str] = []
    far: list[str] = []
    for lm in shipped:
        if not any(x0 < lm.lon < x1 and y0 < lm.lat < y1 for x0, y0, x1, y1 in COVERAGE):
            continue
        roads = ROAD.findall(re.sub(r"^.{1,4}区", "", lm.address_zh))
        road = roads[0] if roads else None
        street = osm_edges[osm_edges["name"].map(lambda v, r=road: r in _names(v))]
        if road is None or street.empty:
            continue
        here = gpd.GeoSeries([Point(lm.lon, lm.lat)], crs=4326).to_crs(32651).iloc[0]
        dist = street.distance(here).min()
        if dist > 150:
            far.append(f"{lm.id}: {dist:.0f} m from {road}")
        checked.append(lm.id)
    assert not far
    assert len(checked) >= 8, checked


# ----------------------------------------------------------------- English

_EN_FIELDS = ("name_en", "address_en", "summary_en", "booking_note_en")
#: The road of an address: after the district (and town), before the number or a list.
_MAIN_ROAD = re.compile(r"^(?:[\u4e00-\u9fff]+?区)?(?:[\u4e00-\u9fff]+?镇)?"
                        r"([\u4e00-\u9fff]+?(?:大道|公路|路|街))(?=[\d、，与和（]|$)")
_NOT_IN_SCHEME = [
    (re.compile(r"\bRoad (?:North|South|East|West|Middle|Central)\b|\bRoad [NSEW]-?\d\b"),
     "section after the road (write 'Middle Huaihai Road')"),
    (re.compile(r"\((?:N|S|E|W|M)\)"), "abbreviated section"),
    (re.compile(r"\bMaca[uo] Road\b"), "half-translation (Aomen Road)"),
    (re.compile(r"\bOld (?:North |South |East |West |Middle )?[A-Z]\w* Road\b"),
     "half-translation of 老 (Lao...)"),
    (re.compile(r"\b(?:East|West|North|South) (?:Baoxing|Daming|Yuhang) Road\b"),
     "a leading 东/西/南/北 belongs to the name"),
    (re.compile(r"\bMeihua\b"), "华美 is Huamei"),
    (re.compile(r"\bno\. \d"), "'No.' takes a capital"),
    (re.compile(r"\d-\d"), "number ranges take an en dash"),
    (re.compile(r"[\"“”‘’]"), "straight single quotes only"),
    (re.compile(r"\s[,.;:]|\s{2}"), "spacing"),
]


def test_english_follows_the_naming_scheme(shipped: Catalogue) -> None:
    bad = []
    for lm in shipped:
        for field in _EN_FIELDS:
            text = getattr(lm, field) or ""
            for pattern, why in _NOT_IN_SCHEME:
                if (m := pattern.search(text)):
                    bad.append(f"{lm.id}.{field}: {m.group(0)!r} ({why})")
    assert not bad, "\n".join(bad)


def test_addresses_name_their_road_as_the_directions_do(shipped: Catalogue) -> None:
    bad = []
    for lm in shipped:
        m = _MAIN_ROAD.match(lm.address_zh)
        if m and english_street_name(m.group(1)) not in (lm.address_en or ""):
            bad.append(f"{lm.id}: {m.group(1)} is {english_street_name(m.group(1))!r}, "
                       f"address_en {lm.address_en!r}")
    assert not bad, "\n".join(bad)


def test_no_chinese_in_english_text_unless_glossed(shipped: Catalogue) -> None:
    # Chinese only in brackets right after the same name in Latin script:
    # "the Huamei (华美) press", "'Sparks First Kindled' (星火初燃)".
    cjk = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
    bad = []
    for lm in shipped:
        for field in _EN_FIELDS:
            text = getattr(lm, field) or ""
            for m in cjk.finditer(text):
                glossed = (re.search(r"[A-Za-z']\s\($", text[:m.start()])
                           and text[m.end():m.end() + 1] == ")")
                if not glossed:
                    bad.append(f"{lm.id}.{field}: {m.group(0)!r}")
    assert not bad, "\n".join(bad)


def test_english_sentences_are_punctuated(shipped: Catalogue) -> None:
    bad = []
    for lm in shipped:
        for field in ("summary_en", "booking_note_en"):
            text = getattr(lm, field)
            if text is not None and not re.search(r"[.?!][')]?$", text):
                bad.append(f"{lm.id}.{field} does not end with a full stop")
            if text and not text[0].isupper():
                bad.append(f"{lm.id}.{field} does not start with a capital")
        if lm.name_en.rstrip().endswith("."):
            bad.append(f"{lm.id}.name_en ends with a full stop")
        if lm.address_en and lm.address_en.rstrip().endswith("."):
            bad.append(f"{lm.id}.address_en ends with a full stop")
    assert not bad, "\n".join(bad)
